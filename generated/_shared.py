# generated from specs/*.yaml by templates/package/_shared.py.j2 — do not edit
"""What every backend's runtime shares: argument checks and the checkpoint format."""

import math
import numbers
from typing import Callable, NamedTuple

import numpy as np

CHECKPOINT_FORMAT = "optimizer-codegen/1"  # see README, Checkpoints


class Hyperparameter(NamedTuple):
    name: str
    default: float
    domain: str  # as written in the spec, e.g. "0 < beta_1 < 1"; "" when any real
    check: Callable[[float], bool]


def real(owner, name, value, domain, check) -> float:
    """A finite real argument inside its domain, as a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number, not {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{owner}: {name}={value!r} is not finite")
    if not check(value):
        raise ValueError(f"{owner}: {name}={value!r} is outside its domain {domain}")
    return value


def flag(owner, name, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be True or False, not {value!r}")
    return bool(value)


def check_checkpoint(owner, keras_name, flags, checkpoint, state_names) -> None:
    """Refuse a checkpoint of another format, optimizer or flag combination."""
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{owner}: not a {CHECKPOINT_FORMAT} checkpoint")
    if checkpoint["optimizer"] != keras_name or checkpoint["flags"] != flags:
        raise ValueError(
            f"{owner}: the checkpoint is of {checkpoint['optimizer']} with {checkpoint['flags']}, "
            f"this optimizer is {keras_name} with {flags}"
        )
    for index, arrays in checkpoint["state"].items():
        if set(arrays) != set(state_names):
            raise ValueError(
                f"{owner}: checkpoint state {index} has {sorted(arrays)}, expected {sorted(state_names)}"
            )
