# generated from specs/lion.yaml by templates/host/host.py.j2 — do not edit
"""Lion: what runs on the host, the same for every backend: the arguments' domains,
the initial state, and the per-step scalars of each flag combination (the hoisted part of
the update, computed once per step in Python floats)."""

import math

from .._shared import Hyperparameter

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


def step_default(h, s, r, t):
    """Per-step scalars for the defaults, hoisted out of the element loop."""
    beta_1 = h["beta_1"]
    beta_2 = h["beta_2"]
    decay = h["decay"]
    learning_rate = h["learning_rate"]
    weight_decay = h["weight_decay"]
    lr = learning_rate / (decay * (t - 1) + 1)
    _c0 = 1 - beta_2
    _c1 = -lr
    _c2 = 1 - beta_1
    return (_c0, _c1, _c2, beta_1, beta_2, weight_decay), {}


def state_init(h):
    return {"m": 0}


def scalar_state_init(h):
    return {}
