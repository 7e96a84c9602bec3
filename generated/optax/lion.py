# generated from specs/lion.yaml by templates/optax/transformation.py.j2 — do not edit
"""Lion optimizer.

The update is the sign of an interpolation between the momentum and the gradient, so every element moves by exactly the learning rate; it keeps a single momentum buffer.
"""

import math
from typing import Any, NamedTuple

from jax import numpy as jnp

from ..host import lion as host
from ._runtime import Kernel, transformation


def _update_default(p, g, state, scalars):
    """One tensor's update (p_new - p) and new state for the defaults."""
    (m,) = state
    # _c0_one_minus_beta_2 = 1 - beta_2
    # _c1_minus_lr = -lr
    # _c2_one_minus_beta_1 = 1 - beta_1
    _c0_one_minus_beta_2, _c1_minus_lr, _c2_one_minus_beta_1, beta_1, beta_2, weight_decay = scalars
    _new_m = _c0_one_minus_beta_2 * g + beta_2 * m
    _update = _c1_minus_lr * (p * weight_decay + jnp.sign(_c2_one_minus_beta_1 * g + beta_1 * m))
    return _update, (_new_m,)


class LionState(NamedTuple):
    """The state of ``lion``: the completed steps, the per-parameter state
    (pytrees like the parameters; None where this flag combination keeps none) and the scalar
    state."""

    count: Any
    m: Any = None


KERNELS = {
    (): Kernel(
        state=("m",),
        step=host.step_default,
        update=_update_default,
        partials=None,
        global_ops=(),
        global_names=(),
        reads_params=True,
    ),
}


def lion(
    learning_rate=0.001,
    beta_1=0.9,
    beta_2=0.99,
    weight_decay=0.0,
    *,
    clipnorm=None,
    clipvalue=None,
    decay=0.0,
):
    """Lion optimizer.

    The update is the sign of an interpolation between the momentum and the gradient, so every element moves by exactly the learning rate; it keeps a single momentum buffer.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate (typically 3-10 times smaller than for AdamW). Defaults to 0.001.
        beta_1: float, 0 <= beta_1 <= 1. Interpolation factor between momentum and gradient for the update. Defaults to 0.9.
        beta_2: float, 0 <= beta_2 <= 1. Decay factor of the momentum. Defaults to 0.99.
        weight_decay: float, weight_decay >= 0. Decoupled weight decay, multiplied by the learning rate. Defaults to 0.0.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).

    References:
        - Symbolic Discovery of Optimization Algorithms: https://arxiv.org/abs/2302.06675

    Generated from specs/lion.yaml; the update rule is documented there.

    Returns an ``optax.GradientTransformation``: pure ``init``/``update`` over pytrees, for
    ``jax.jit``, ``jax.vmap`` and ``optax.chain``. ``learning_rate`` may be an optax schedule
    (a function of the completed steps). float32 and bfloat16 parameters keep float32 state;
    float64 ones (under ``jax_enable_x64``) keep float64.
    """
    return transformation(
        "Lion",
        "specs/lion.yaml",
        host,
        KERNELS,
        LionState,
        {
            "learning_rate": learning_rate,
            "beta_1": beta_1,
            "beta_2": beta_2,
            "weight_decay": weight_decay,
        },
        {},
        {"clipnorm": clipnorm, "clipvalue": clipvalue, "decay": decay},
    )
