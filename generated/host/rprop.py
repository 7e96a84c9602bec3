# generated from specs/rprop.yaml by templates/host/host.py.j2 — do not edit
"""Rprop: what runs on the host, the same for every backend: the arguments' domains,
the initial state, and the per-step scalars of each flag combination (the hoisted part of
the update, computed once per step: in Python floats, or in tensors for torch's graph
steps)."""

import math

from .._shared import DerivedFlag, Hyperparameter, RankFlag, step_math

HYPERPARAMETERS = (
    Hyperparameter(
        "learning_rate", 0.01, "learning_rate >= 0", lambda learning_rate: (learning_rate >= 0)
    ),
    Hyperparameter(
        "eta_minus", 0.5, "0 < eta_minus < 1", lambda eta_minus: (0 < eta_minus) and (eta_minus < 1)
    ),
    Hyperparameter("eta_plus", 1.2, "eta_plus > 1", lambda eta_plus: (eta_plus > 1)),
    Hyperparameter(
        "step_size_min", 1e-06, "step_size_min >= 0", lambda step_size_min: (step_size_min >= 0)
    ),
    Hyperparameter(
        "step_size_max", 50.0, "step_size_max > 0", lambda step_size_max: (step_size_max > 0)
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
    eta_minus = hyper["eta_minus"]
    eta_plus = hyper["eta_plus"]
    learning_rate = hyper["learning_rate"]
    step_size_max = hyper["step_size_max"]
    step_size_min = hyper["step_size_min"]
    weight_decay = hyper["weight_decay"]
    lr = learning_rate
    _c0_weight_decay_factor = -lr * weight_decay + 1
    return (_c0_weight_decay_factor, eta_minus, eta_plus, step_size_max, step_size_min), {}


def state_init(hyper):
    return {"prev": 0, "step_size": hyper["learning_rate"]}


def scalar_state_init(hyper):
    return {}
