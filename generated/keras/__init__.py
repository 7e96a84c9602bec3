# generated from specs/*.yaml by templates/package/registry.py.j2 — do not edit
"""Generated optimizers: ``from generated.keras import Adadelta`` or ``get("adadelta")``."""

from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .ftrl import Ftrl
from .lamb import Lamb
from .lion import Lion
from .muon import Muon
from .nadam import Nadam
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

OPTIMIZERS = {
    "adadelta": Adadelta,
    "adafactor": Adafactor,
    "adagrad": Adagrad,
    "adam": Adam,
    "adamax": Adamax,
    "adamw": AdamW,
    "ftrl": Ftrl,
    "lamb": Lamb,
    "lion": Lion,
    "muon": Muon,
    "nadam": Nadam,
    "radam": RAdam,
    "rmsprop": RMSprop,
    "rprop": Rprop,
    "sgd": SGD,
}


def get(name: str):
    """The optimizer class for a Keras name ("adam") or class name ("Adam")."""
    key = name.lower()
    for keras_name, cls in OPTIMIZERS.items():
        if key in (keras_name, cls.__name__.lower()):
            return cls
    raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(sorted(OPTIMIZERS))}")


__all__ = [
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "Adamax",
    "AdamW",
    "Ftrl",
    "Lamb",
    "Lion",
    "Muon",
    "Nadam",
    "RAdam",
    "RMSprop",
    "Rprop",
    "SGD",
    "OPTIMIZERS",
    "get",
]
