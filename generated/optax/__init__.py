# generated from specs/*.yaml by templates/optax/registry.py.j2 — do not edit
"""Generated optax transformations, one function per spec named by its Keras name:
``from generated.optax import adadelta`` or ``get("adadelta")``."""

from .adadelta import adadelta
from .adafactor import adafactor
from .adagrad import adagrad
from .adam import adam
from .adamax import adamax
from .adamw import adamw
from .ftrl import ftrl
from .lamb import lamb
from .lion import lion
from .muon import muon
from .nadam import nadam
from .radam import radam
from .rmsprop import rmsprop
from .rprop import rprop
from .sgd import sgd

OPTIMIZERS = {
    "adadelta": adadelta,
    "adafactor": adafactor,
    "adagrad": adagrad,
    "adam": adam,
    "adamax": adamax,
    "adamw": adamw,
    "ftrl": ftrl,
    "lamb": lamb,
    "lion": lion,
    "muon": muon,
    "nadam": nadam,
    "radam": radam,
    "rmsprop": rmsprop,
    "rprop": rprop,
    "sgd": sgd,
}


def get(name: str):
    """The transformation function for a Keras name ("adam") or class name ("Adam")."""
    key = name.lower()
    if key in OPTIMIZERS:
        return OPTIMIZERS[key]
    raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(sorted(OPTIMIZERS))}")


__all__ = [
    "adadelta",
    "adafactor",
    "adagrad",
    "adam",
    "adamax",
    "adamw",
    "ftrl",
    "lamb",
    "lion",
    "muon",
    "nadam",
    "radam",
    "rmsprop",
    "rprop",
    "sgd",
    "OPTIMIZERS",
    "get",
]
