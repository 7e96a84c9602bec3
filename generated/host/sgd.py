# generated from specs/sgd.yaml by templates/host/host.py.j2 — do not edit
"""SGD: what runs on the host, the same for every backend: the arguments' domains,
the initial state, and the per-step scalars of each flag combination (the hoisted part of
the update, computed once per step: in Python floats, or in tensors for torch's graph
steps)."""

import math

from .._shared import DerivedFlag, Hyperparameter, RankFlag, step_math

HYPERPARAMETERS = (
    Hyperparameter(
        "learning_rate", 0.01, "learning_rate >= 0", lambda learning_rate: (learning_rate >= 0)
    ),
    Hyperparameter("momentum", 0.0, "momentum >= 0", lambda momentum: (momentum >= 0)),
)
# flags that a hyperparameter's value sets: fixed at construction, never an argument
DERIVED_FLAGS = ()
# flags that each tensor's rank sets: the kernel of a tensor is its rank's
RANK_FLAGS = ()
# state not shaped like its parameter: "rows" (the last axis 1), "columns" (the one before)
STATE_SHAPES = {}
# the key of each backend's table of kernels: flags, derived and rank flags, sorted by name
VARIANT_FLAGS = ("nesterov",)
VARIANT_FLAG_DEFAULTS = {"nesterov": False}


def step_no_nesterov(hyper, scalar_state, reductions, t):
    """Per-step scalars for nesterov=False, hoisted out of the element loop: the element
    scalars in the order the element code unpacks them, and the new scalar state."""
    decay = hyper["decay"]
    learning_rate = hyper["learning_rate"]
    momentum = hyper["momentum"]
    weight_decay = hyper["weight_decay"]
    lr = learning_rate / (decay * (t - 1) + 1)
    _c0_minus_lr = -lr
    _c1_weight_decay_factor = -lr * weight_decay + 1
    return (_c0_minus_lr, _c1_weight_decay_factor, momentum), {}


def state_init(hyper):
    return {"velocity": 0}


def scalar_state_init(hyper):
    return {}
