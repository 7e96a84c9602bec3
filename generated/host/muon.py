# generated from specs/muon.yaml by templates/host/host.py.j2 — do not edit
"""Muon: what runs on the host, the same for every backend: the arguments' domains,
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
        "adam_beta_1",
        0.9,
        "0 < adam_beta_1 < 1",
        lambda adam_beta_1: (0 < adam_beta_1) and (adam_beta_1 < 1),
    ),
    Hyperparameter(
        "adam_beta_2",
        0.999,
        "0 < adam_beta_2 < 1",
        lambda adam_beta_2: (0 < adam_beta_2) and (adam_beta_2 < 1),
    ),
    Hyperparameter("epsilon", 1e-07, "epsilon > 0", lambda epsilon: (epsilon > 0)),
    Hyperparameter(
        "adam_weight_decay",
        0.004,
        "adam_weight_decay >= 0",
        lambda adam_weight_decay: (adam_weight_decay >= 0),
    ),
    Hyperparameter(
        "weight_decay", 0.004, "weight_decay >= 0", lambda weight_decay: (weight_decay >= 0)
    ),
    Hyperparameter(
        "momentum", 0.95, "0 <= momentum < 1", lambda momentum: (0 <= momentum) and (momentum < 1)
    ),
    Hyperparameter(
        "ns_steps",
        5.0,
        "0 <= ns_steps <= 100, a whole number",
        lambda ns_steps: ((0 <= ns_steps) and (ns_steps <= 100)) and float(ns_steps).is_integer(),
    ),
    Hyperparameter("rms_rate", 0.2, "rms_rate >= 0", lambda rms_rate: (rms_rate >= 0)),
    Hyperparameter("muon_a", 3.4445, "", lambda muon_a: True),
    Hyperparameter("muon_b", -4.775, "", lambda muon_b: True),
    Hyperparameter("muon_c", 2.0315, "", lambda muon_c: True),
    Hyperparameter(
        "adam_lr_ratio", 1.0, "adam_lr_ratio >= 0", lambda adam_lr_ratio: (adam_lr_ratio >= 0)
    ),
)
# flags that a hyperparameter's value sets: fixed at construction, never an argument
DERIVED_FLAGS = ()
# flags that each tensor's rank sets: the kernel of a tensor is its rank's
RANK_FLAGS = (
    RankFlag("muon", "rank >= 2 and rank <= 2", lambda rank: (rank >= 2) and (rank <= 2)),
)
# state not shaped like its parameter: "rows" (the last axis 1), "columns" (the one before)
STATE_SHAPES = {}
# the key of each backend's table of kernels: flags, derived and rank flags, sorted by name
VARIANT_FLAGS = ("muon", "nesterov")
VARIANT_FLAG_DEFAULTS = {"nesterov": True}


def step_no_muon__no_nesterov(hyper, scalar_state, reductions, t):
    """Per-step scalars for muon=False, nesterov=False, hoisted out of the element loop: the element
    scalars in the order the element code unpacks them, and the new scalar state."""
    adam_beta_1 = hyper["adam_beta_1"]
    adam_beta_2 = hyper["adam_beta_2"]
    adam_lr_ratio = hyper["adam_lr_ratio"]
    adam_weight_decay = hyper["adam_weight_decay"]
    decay = hyper["decay"]
    epsilon = hyper["epsilon"]
    learning_rate = hyper["learning_rate"]
    lr = learning_rate / (decay * (t - 1) + 1)
    _c0_one_minus_adam_beta_1 = 1 - adam_beta_1
    _c1_one_minus_adam_beta_2 = 1 - adam_beta_2
    _c2_lr_scale = -adam_weight_decay * lr
    _c3_lr_scale = -adam_lr_ratio * lr * step_math.sqrt(1 - adam_beta_2**t) / (1 - adam_beta_1**t)
    return (
        _c0_one_minus_adam_beta_1,
        _c1_one_minus_adam_beta_2,
        _c2_lr_scale,
        _c3_lr_scale,
        epsilon,
    ), {}


def step_muon__no_nesterov(hyper, scalar_state, reductions, t):
    """Per-step scalars for muon=True, nesterov=False, hoisted out of the element loop: the element
    scalars in the order the element code unpacks them, and the new scalar state."""
    decay = hyper["decay"]
    learning_rate = hyper["learning_rate"]
    momentum = hyper["momentum"]
    muon_a = hyper["muon_a"]
    muon_b = hyper["muon_b"]
    muon_c = hyper["muon_c"]
    ns_steps = hyper["ns_steps"]
    rms_rate = hyper["rms_rate"]
    weight_decay = hyper["weight_decay"]
    lr = learning_rate / (decay * (t - 1) + 1)
    _c0_minus_one_plus_momentum = momentum - 1
    _c1_minus_lr_times_weight_decay = -lr * weight_decay
    _c2_minus_lr_times_rms_rate = -lr * rms_rate
    return (
        _c0_minus_one_plus_momentum,
        _c1_minus_lr_times_weight_decay,
        _c2_minus_lr_times_rms_rate,
        muon_a,
        muon_b,
        muon_c,
        ns_steps,
    ), {}


def step_muon__nesterov(hyper, scalar_state, reductions, t):
    """Per-step scalars for muon=True, nesterov=True, hoisted out of the element loop: the element
    scalars in the order the element code unpacks them, and the new scalar state."""
    decay = hyper["decay"]
    learning_rate = hyper["learning_rate"]
    momentum = hyper["momentum"]
    muon_a = hyper["muon_a"]
    muon_b = hyper["muon_b"]
    muon_c = hyper["muon_c"]
    ns_steps = hyper["ns_steps"]
    rms_rate = hyper["rms_rate"]
    weight_decay = hyper["weight_decay"]
    lr = learning_rate / (decay * (t - 1) + 1)
    _c0_minus_one_plus_momentum = momentum - 1
    _c1_minus_lr_times_weight_decay = -lr * weight_decay
    _c2_minus_lr_times_rms_rate = -lr * rms_rate
    return (
        _c0_minus_one_plus_momentum,
        _c1_minus_lr_times_weight_decay,
        _c2_minus_lr_times_rms_rate,
        momentum,
        muon_a,
        muon_b,
        muon_c,
        ns_steps,
    ), {}


def state_init(hyper):
    return {"m": 0, "v": 0}


def scalar_state_init(hyper):
    return {}
