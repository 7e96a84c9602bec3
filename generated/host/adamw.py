# generated from specs/adamw.yaml by templates/host/host.py.j2 — do not edit
"""AdamW: what runs on the host, the same for every backend: the arguments' domains,
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
        "weight_decay", 0.004, "weight_decay >= 0", lambda weight_decay: (weight_decay >= 0)
    ),
    Hyperparameter("beta_1", 0.9, "0 < beta_1 < 1", lambda beta_1: (0 < beta_1) and (beta_1 < 1)),
    Hyperparameter("beta_2", 0.999, "0 < beta_2 < 1", lambda beta_2: (0 < beta_2) and (beta_2 < 1)),
    Hyperparameter("epsilon", 1e-07, "epsilon >= 0", lambda epsilon: (epsilon >= 0)),
)
# flags that a hyperparameter's value sets: fixed at construction, never an argument
DERIVED_FLAGS = ()
# flags that each tensor's rank sets: the kernel of a tensor is its rank's
RANK_FLAGS = ()
# state not shaped like its parameter: "rows" (the last axis 1), "columns" (the one before)
STATE_SHAPES = {}
# the key of each backend's table of kernels: flags, derived and rank flags, sorted by name
VARIANT_FLAGS = ("amsgrad",)
VARIANT_FLAG_DEFAULTS = {"amsgrad": False}


def step_no_amsgrad(hyper, scalar_state, reductions, t):
    """Per-step scalars for amsgrad=False, hoisted out of the element loop: the element
    scalars in the order the element code unpacks them, and the new scalar state."""
    beta_1 = hyper["beta_1"]
    beta_2 = hyper["beta_2"]
    decay = hyper["decay"]
    epsilon = hyper["epsilon"]
    learning_rate = hyper["learning_rate"]
    weight_decay = hyper["weight_decay"]
    lr = learning_rate / (decay * (t - 1) + 1)
    _c0_one_minus_beta_1 = 1 - beta_1
    _c1_one_minus_beta_2 = 1 - beta_2
    _c2_minus_lr_times_weight_decay = -lr * weight_decay
    _c3_lr_scale = -lr * step_math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_minus_lr_times_weight_decay,
        _c3_lr_scale,
        beta_1,
        beta_2,
        epsilon,
    ), {}


def state_init(hyper):
    return {"m": 0, "v": 0, "vhat": 0}


def scalar_state_init(hyper):
    return {}
