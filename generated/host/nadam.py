# generated from specs/nadam.yaml by templates/host/host.py.j2 — do not edit
"""Nadam: what runs on the host, the same for every backend: the arguments' domains,
the initial state, and the per-step scalars of each flag combination (the hoisted part of
the update, computed once per step: in Python floats, or in tensors for torch's graph
steps)."""

import math

from .._shared import DerivedFlag, Hyperparameter, RankFlag, step_math

HYPERPARAMETERS = (
    Hyperparameter(
        "learning_rate", 0.002, "learning_rate >= 0", lambda learning_rate: (learning_rate >= 0)
    ),
    Hyperparameter("beta_1", 0.9, "0 < beta_1 < 1", lambda beta_1: (0 < beta_1) and (beta_1 < 1)),
    Hyperparameter("beta_2", 0.999, "0 < beta_2 < 1", lambda beta_2: (0 < beta_2) and (beta_2 < 1)),
    Hyperparameter("epsilon", 1e-07, "epsilon >= 0", lambda epsilon: (epsilon >= 0)),
    Hyperparameter(
        "schedule_decay", 0.004, "schedule_decay >= 0", lambda schedule_decay: (schedule_decay >= 0)
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
    epsilon = hyper["epsilon"]
    learning_rate = hyper["learning_rate"]
    m_schedule = scalar_state["m_schedule"]
    schedule_decay = hyper["schedule_decay"]
    weight_decay = hyper["weight_decay"]
    lr = learning_rate
    mu_t = beta_1 * (1 - 1 / 2 * (24 / 25) ** (schedule_decay * t))
    mu_next = beta_1 * (1 - 1 / 2 * (24 / 25) ** (schedule_decay * (t + 1)))
    m_schedule = m_schedule * mu_t
    m_schedule_next = m_schedule * mu_next
    _c0_one_minus_beta_1 = 1 - beta_1
    _c1_one_minus_beta_2 = 1 - beta_2
    _c2_minus_lr = -lr
    _c3_inv_one_minus_beta_2_pow_t = 1 / (1 - beta_2**t)
    _c4_coefficient = mu_next / (1 - m_schedule_next)
    _c5_coefficient = (1 - mu_t) / (1 - m_schedule)
    _c6_weight_decay_factor = -lr * weight_decay + 1
    return (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_minus_lr,
        _c3_inv_one_minus_beta_2_pow_t,
        _c4_coefficient,
        _c5_coefficient,
        _c6_weight_decay_factor,
        beta_1,
        beta_2,
        epsilon,
    ), {"m_schedule": m_schedule}


def state_init(hyper):
    return {"m": 0, "v": 0}


def scalar_state_init(hyper):
    return {"m_schedule": 1}
