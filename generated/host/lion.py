# generated from specs/lion.yaml by templates/host/host.py.j2 — do not edit
"""Lion: what runs on the host, the same for every backend: the arguments' domains,
the initial state, and the per-step scalars of each flag combination (the hoisted part of
the update, computed once per step: in Python floats, or in tensors for torch's graph
steps)."""

import math

from .._shared import DerivedFlag, Hyperparameter, RankFlag, step_math

HYPERPARAMETERS = (
    Hyperparameter(
        "learning_rate", 0.001, "learning_rate >= 0", lambda learning_rate: (learning_rate >= 0)
    ),
    Hyperparameter(
        "beta_1", 0.9, "0 <= beta_1 <= 1", lambda beta_1: (0 <= beta_1) and (beta_1 <= 1)
    ),
    Hyperparameter(
        "beta_2", 0.99, "0 <= beta_2 <= 1", lambda beta_2: (0 <= beta_2) and (beta_2 <= 1)
    ),
    Hyperparameter(
        "weight_decay", 0.0, "weight_decay >= 0", lambda weight_decay: (weight_decay >= 0)
    ),
)
# flags that a hyperparameter's value sets: fixed at construction, never an argument
DERIVED_FLAGS = ()
# flags that each tensor's rank sets: the kernel of a tensor is its rank's
RANK_FLAGS = ()
# state not shaped like its parameter: "rows" (the last axis 1), "columns" (the one before)
STATE_SHAPES = {}
# the key of each backend's table of kernels: flags, derived and rank flags, sorted by name
VARIANT_FLAGS = ()
VARIANT_FLAG_DEFAULTS = {}


def step_default(hyper, scalar_state, reductions, t):
    """Per-step scalars for the defaults, hoisted out of the element loop: the element
    scalars in the order the element code unpacks them, and the new scalar state."""
    beta_1 = hyper["beta_1"]
    beta_2 = hyper["beta_2"]
    decay = hyper["decay"]
    learning_rate = hyper["learning_rate"]
    weight_decay = hyper["weight_decay"]
    lr = learning_rate / (decay * (t - 1) + 1)
    _c0_one_minus_beta_2 = 1 - beta_2
    _c1_minus_lr = -lr
    _c2_one_minus_beta_1 = 1 - beta_1
    return (
        _c0_one_minus_beta_2,
        _c1_minus_lr,
        _c2_one_minus_beta_1,
        beta_1,
        beta_2,
        weight_decay,
    ), {}


def state_init(hyper):
    return {"m": 0}


def scalar_state_init(hyper):
    return {}
