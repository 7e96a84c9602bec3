# generated from specs/adamax.yaml by templates/optax/transformation.py.j2 — do not edit
"""Adamax optimizer from Adam paper's Section 7.

It is a variant of Adam based on the infinity norm. Default parameters follow those provided in the paper.
"""

import math
from typing import Any, NamedTuple

from jax import numpy as jnp

from ..host import adamax as host
from ._runtime import Kernel, transformation


def _update_default(p, g, state, scalars):
    """One tensor's update (p_new - p) and new state for the defaults."""
    m, u = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_lr_scale = -lr/(1 - beta_1**t)
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_beta_1, _c1_lr_scale, _c2_weight_decay_factor, beta_1, beta_2, epsilon = scalars
    # weight_decay: the change of p*(1 - lr*weight_decay), and the update reads that p
    # (0 when off, also for an infinite p, where p*1 less p would be NaN)
    _weight_decay_change = 0.0
    if p is not None:
        _weight_decay_change = jnp.where(
            _c2_weight_decay_factor != 1, p * _c2_weight_decay_factor - p, 0.0
        )
    _e0 = jnp.maximum(jnp.abs(g), beta_2 * u)
    _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m
    _new_m = _stored_m
    _new_u = _e0
    _update = _c1_lr_scale * _stored_m / (_e0 + epsilon)
    _update = _update + _weight_decay_change
    return _update, (_new_m, _new_u)


class AdamaxState(NamedTuple):
    """The state of ``adamax``: the completed steps, the per-parameter state
    (pytrees like the parameters; None where this flag combination keeps none) and the scalar
    state."""

    count: Any
    m: Any = None
    u: Any = None


KERNELS = {
    (): Kernel(
        state=("m", "u"),
        step=host.step_default,
        update=_update_default,
        partials=None,
        global_ops=(),
        global_names=(),
        reads_params=False,
    ),
}


def adamax(
    learning_rate=0.002,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-07,
    *,
    clipnorm=None,
    clipvalue=None,
    decay=0.0,
    weight_decay=None,
):
    """Adamax optimizer from Adam paper's Section 7.

    It is a variant of Adam based on the infinity norm. Default parameters follow those provided in the paper.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate. Defaults to 0.002.
        beta_1: float, 0 < beta_1 < 1. Generally close to 1. Defaults to 0.9.
        beta_2: float, 0 < beta_2 < 1. Generally close to 1. Defaults to 0.999.
        epsilon: float, epsilon >= 0. Fuzz factor. Defaults to 1e-07.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Adam - A Method for Stochastic Optimization: https://arxiv.org/abs/1412.6980v8

    Generated from specs/adamax.yaml; the update rule is documented there.

    Returns an ``optax.GradientTransformation``: pure ``init``/``update`` over pytrees, for
    ``jax.jit``, ``jax.vmap`` and ``optax.chain``. ``learning_rate`` may be an optax schedule
    (a function of the completed steps). float32 and bfloat16 parameters keep float32 state;
    float64 ones (under ``jax_enable_x64``) keep float64.
    """
    return transformation(
        "Adamax",
        "specs/adamax.yaml",
        host,
        KERNELS,
        AdamaxState,
        {"learning_rate": learning_rate, "beta_1": beta_1, "beta_2": beta_2, "epsilon": epsilon},
        {},
        {
            "clipnorm": clipnorm,
            "clipvalue": clipvalue,
            "decay": decay,
            "weight_decay": weight_decay,
        },
    )
