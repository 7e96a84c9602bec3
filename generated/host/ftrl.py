# generated from specs/ftrl.yaml by templates/host/host.py.j2 — do not edit
"""Ftrl: what runs on the host, the same for every backend: the arguments' domains,
the initial state, and the per-step scalars of each flag combination (the hoisted part of
the update, computed once per step: in Python floats, or in tensors for torch's graph
steps)."""

import math

from .._shared import DerivedFlag, Hyperparameter, RankFlag, step_math

HYPERPARAMETERS = (
    Hyperparameter(
        "learning_rate", 0.001, "learning_rate > 0", lambda learning_rate: (learning_rate > 0)
    ),
    Hyperparameter(
        "learning_rate_power",
        -0.5,
        "learning_rate_power <= 0",
        lambda learning_rate_power: (learning_rate_power <= 0),
    ),
    Hyperparameter(
        "initial_accumulator_value",
        0.1,
        "initial_accumulator_value >= 0",
        lambda initial_accumulator_value: (initial_accumulator_value >= 0),
    ),
    Hyperparameter(
        "l1_regularization_strength",
        0.0,
        "l1_regularization_strength >= 0",
        lambda l1_regularization_strength: (l1_regularization_strength >= 0),
    ),
    Hyperparameter(
        "l2_regularization_strength",
        0.0,
        "l2_regularization_strength >= 0",
        lambda l2_regularization_strength: (l2_regularization_strength >= 0),
    ),
    Hyperparameter(
        "l2_shrinkage_regularization_strength",
        0.0,
        "l2_shrinkage_regularization_strength >= 0",
        lambda l2_shrinkage_regularization_strength: (l2_shrinkage_regularization_strength >= 0),
    ),
    Hyperparameter("beta", 0.0, "beta >= 0", lambda beta: (beta >= 0)),
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
    beta = hyper["beta"]
    decay = hyper["decay"]
    l1_regularization_strength = hyper["l1_regularization_strength"]
    l2_regularization_strength = hyper["l2_regularization_strength"]
    l2_shrinkage_regularization_strength = hyper["l2_shrinkage_regularization_strength"]
    learning_rate = hyper["learning_rate"]
    learning_rate_power = hyper["learning_rate_power"]
    weight_decay = hyper["weight_decay"]
    lr = learning_rate / (decay * (t - 1) + 1)
    _c6_weight_decay_factor = -lr * weight_decay + 1
    _c0_coefficient = 2 * _c6_weight_decay_factor * l2_shrinkage_regularization_strength
    _c1_lr_scale = -_c6_weight_decay_factor / lr
    _c2_minus_learning_rate_power = -learning_rate_power
    _c3_lr_scale = beta / lr + 2 * l2_regularization_strength
    _c4_inv_lr = 1 / lr
    _c5_coefficient = -l1_regularization_strength
    return (
        _c0_coefficient,
        _c1_lr_scale,
        _c2_minus_learning_rate_power,
        _c3_lr_scale,
        _c4_inv_lr,
        _c5_coefficient,
        l1_regularization_strength,
    ), {}


def state_init(hyper):
    return {"accumulator": hyper["initial_accumulator_value"], "linear": 0}


def scalar_state_init(hyper):
    return {}
