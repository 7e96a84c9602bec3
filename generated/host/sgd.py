# generated from specs/sgd.yaml by templates/host/host.py.j2 — do not edit
"""SGD: what runs on the host, the same for every backend: the arguments' domains,
the initial state, and the per-step scalars of each flag combination (the hoisted part of
the update, computed once per step in Python floats)."""

import math

from .._shared import Hyperparameter

HYPERPARAMETERS = (
    Hyperparameter(
        "learning_rate", 0.01, "learning_rate >= 0", lambda learning_rate: (learning_rate >= 0)
    ),
    Hyperparameter("momentum", 0.0, "momentum >= 0", lambda momentum: (momentum >= 0)),
)


def step_no_nesterov(h, s, r, t):
    """Per-step scalars for nesterov=False, hoisted out of the element loop."""
    decay = h["decay"]
    learning_rate = h["learning_rate"]
    momentum = h["momentum"]
    lr = learning_rate / (decay * (t - 1) + 1)
    _c0 = -lr
    return (_c0, momentum), {}


def state_init(h):
    return {"velocity": 0}


def scalar_state_init(h):
    return {}
