# generated from specs/rmsprop.yaml by templates/host/host.py.j2 — do not edit
"""RMSprop: what runs on the host, the same for every backend: the arguments' domains,
the initial state, and the per-step scalars of each flag combination (the hoisted part of
the update, computed once per step: in Python floats, or in tensors for torch's graph
steps)."""

import math

from .._shared import DerivedFlag, Hyperparameter, RankFlag, step_math

HYPERPARAMETERS = (
    Hyperparameter(
        "learning_rate", 0.001, "learning_rate >= 0", lambda learning_rate: (learning_rate >= 0)
    ),
    Hyperparameter("rho", 0.9, "rho >= 0", lambda rho: (rho >= 0)),
    Hyperparameter("epsilon", 1e-07, "epsilon >= 0", lambda epsilon: (epsilon >= 0)),
    Hyperparameter("momentum", 0.0, "momentum >= 0", lambda momentum: (momentum >= 0)),
)
# flags that a hyperparameter's value sets: fixed at construction, never an argument
DERIVED_FLAGS = (
    DerivedFlag("momentum_on", "momentum", "momentum > 0", lambda momentum: (momentum > 0)),
)
# flags that each tensor's rank sets: the kernel of a tensor is its rank's
RANK_FLAGS = ()
# state not shaped like its parameter: "rows" (the last axis 1), "columns" (the one before)
STATE_SHAPES = {}
# the key of each backend's table of kernels: flags, derived and rank flags, sorted by name
VARIANT_FLAGS = ("centered", "momentum_on")
VARIANT_FLAG_DEFAULTS = {"centered": False, "momentum_on": False}


def step_no_centered__no_momentum_on(hyper, scalar_state, reductions, t):
    """Per-step scalars for centered=False, momentum_on=False, hoisted out of the element loop: the element
    scalars in the order the element code unpacks them, and the new scalar state."""
    decay = hyper["decay"]
    epsilon = hyper["epsilon"]
    learning_rate = hyper["learning_rate"]
    rho = hyper["rho"]
    weight_decay = hyper["weight_decay"]
    lr = learning_rate / (decay * (t - 1) + 1)
    _c0_one_minus_rho = 1 - rho
    _c1_minus_lr = -lr
    _c2_weight_decay_factor = -lr * weight_decay + 1
    return (_c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho), {}


def step_no_centered__momentum_on(hyper, scalar_state, reductions, t):
    """Per-step scalars for centered=False, momentum_on=True, hoisted out of the element loop: the element
    scalars in the order the element code unpacks them, and the new scalar state."""
    decay = hyper["decay"]
    epsilon = hyper["epsilon"]
    learning_rate = hyper["learning_rate"]
    momentum = hyper["momentum"]
    rho = hyper["rho"]
    weight_decay = hyper["weight_decay"]
    lr = learning_rate / (decay * (t - 1) + 1)
    _c0_one_minus_rho = 1 - rho
    _c1_minus_lr = -lr
    _c2_weight_decay_factor = -lr * weight_decay + 1
    return (_c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, momentum, rho), {}


def state_init(hyper):
    return {"accumulator": 0, "mean_gradient": 0, "momentum_buffer": 0}


def scalar_state_init(hyper):
    return {}
