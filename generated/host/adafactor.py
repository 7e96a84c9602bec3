# generated from specs/adafactor.yaml by templates/host/host.py.j2 — do not edit
"""Adafactor: what runs on the host, the same for every backend: the arguments' domains,
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
        "beta_2_decay", -0.8, "beta_2_decay <= 0", lambda beta_2_decay: (beta_2_decay <= 0)
    ),
    Hyperparameter("epsilon_1", 1e-30, "epsilon_1 >= 0", lambda epsilon_1: (epsilon_1 >= 0)),
    Hyperparameter("epsilon_2", 0.001, "epsilon_2 >= 0", lambda epsilon_2: (epsilon_2 >= 0)),
    Hyperparameter(
        "clip_threshold", 1.0, "clip_threshold > 0", lambda clip_threshold: (clip_threshold > 0)
    ),
)
# flags that a hyperparameter's value sets: fixed at construction, never an argument
DERIVED_FLAGS = ()
# flags that each tensor's rank sets: the kernel of a tensor is its rank's
RANK_FLAGS = (RankFlag("factored", "rank >= 2", lambda rank: (rank >= 2)),)
# state not shaped like its parameter: "rows" (the last axis 1), "columns" (the one before)
STATE_SHAPES = {"r": "rows", "c": "columns"}
# the key of each backend's table of kernels: flags, derived and rank flags, sorted by name
VARIANT_FLAGS = ("factored",)
VARIANT_FLAG_DEFAULTS = {}


def step_no_factored(hyper, scalar_state, reductions, t):
    """Per-step scalars for factored=False, hoisted out of the element loop: the element
    scalars in the order the element code unpacks them, and the new scalar state."""
    beta_2_decay = hyper["beta_2_decay"]
    clip_threshold = hyper["clip_threshold"]
    decay = hyper["decay"]
    epsilon_1 = hyper["epsilon_1"]
    epsilon_2 = hyper["epsilon_2"]
    learning_rate = hyper["learning_rate"]
    weight_decay = hyper["weight_decay"]
    lr = learning_rate / (decay * (t - 1) + 1)
    rho = step_math.minimum(lr, 1 / step_math.sqrt(t))
    beta = 1 - t**beta_2_decay
    _c0_one_minus_beta = 1 - beta
    _c1_minus_rho = -rho
    _c2_inv_clip_threshold = 1 / clip_threshold
    _c4_weight_decay_factor = -lr * weight_decay + 1
    _c3__weight_decay_factor_pow_two = _c4_weight_decay_factor * _c4_weight_decay_factor
    return (
        _c0_one_minus_beta,
        _c1_minus_rho,
        _c2_inv_clip_threshold,
        _c4_weight_decay_factor,
        _c3__weight_decay_factor_pow_two,
        beta,
        epsilon_1,
        epsilon_2,
    ), {}


def state_init(hyper):
    return {"r": 0, "c": 0, "v": 0}


def scalar_state_init(hyper):
    return {}
