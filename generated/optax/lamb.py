# generated from specs/lamb.yaml by templates/optax/transformation.py.j2 — do not edit
"""Optimizer that implements the Lamb algorithm.

Lamb is a stochastic gradient descent method that uses layer-wise adaptive moments to adjust the learning rate for each parameter tensor: Adam's update, scaled by the trust ratio of the norm of the tensor to the norm of its update.
"""

import math
from typing import Any, NamedTuple

from jax import numpy as jnp

from ..host import lamb as host
from ._runtime import Kernel, transformation


def _update_default(p, g, state, scalars):
    """One tensor's update (p_new - p) and new state for the defaults."""
    m, v = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_lr_scale = -lr/(1 - beta_1**t)
    # _c3_inv_one_minus_beta_2_pow_t = 1/(1 - beta_2**t)
    # _c6_weight_decay_factor = -lr*weight_decay + 1
    # _c4__weight_decay_factor_pow_two = _c6_weight_decay_factor**2
    # _c5_coefficient = (1 - beta_1**t)**(-2)
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_lr_scale,
        _c3_inv_one_minus_beta_2_pow_t,
        _c6_weight_decay_factor,
        _c4__weight_decay_factor_pow_two,
        _c5_coefficient,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    w_norm_squared = jnp.sum(_c4__weight_decay_factor_pow_two * (p * p))
    u_norm_squared = jnp.sum(
        _c5_coefficient
        * ((_c0_one_minus_beta_1 * g + beta_1 * m) * (_c0_one_minus_beta_1 * g + beta_1 * m))
        / (
            (
                epsilon
                + jnp.sqrt(
                    _c3_inv_one_minus_beta_2_pow_t * (_c1_one_minus_beta_2 * (g * g) + beta_2 * v)
                )
            )
            * (
                epsilon
                + jnp.sqrt(
                    _c3_inv_one_minus_beta_2_pow_t * (_c1_one_minus_beta_2 * (g * g) + beta_2 * v)
                )
            )
        )
    )
    _k0_condition = jnp.where(
        jnp.logical_and(jnp.greater(u_norm_squared, 0), jnp.greater(w_norm_squared, 0)), 1, 0
    )
    _k1_coefficient = _c2_lr_scale * jnp.where(
        jnp.not_equal(_k0_condition, 0), jnp.sqrt(w_norm_squared) / jnp.sqrt(u_norm_squared), 1
    )
    # weight_decay: the change of p*(1 - lr*weight_decay), and the update reads that p
    # (0 when off, also for an infinite p, where p*1 less p would be NaN)
    _weight_decay_change = 0.0
    if p is not None:
        _weight_decay_change = jnp.where(
            _c6_weight_decay_factor != 1, p * _c6_weight_decay_factor - p, 0.0
        )
    _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m
    _stored_v = _c1_one_minus_beta_2 * (g * g) + beta_2 * v
    _new_m = _stored_m
    _new_v = _stored_v
    _update = (
        _k1_coefficient
        * _stored_m
        / (epsilon + jnp.sqrt(_c3_inv_one_minus_beta_2_pow_t * _stored_v))
    )
    _update = _update + _weight_decay_change
    return _update, (_new_m, _new_v)


class LambState(NamedTuple):
    """The state of ``lamb``: the completed steps, the per-parameter state
    (pytrees like the parameters; None where this flag combination keeps none) and the scalar
    state."""

    count: Any
    m: Any = None
    v: Any = None


KERNELS = {
    (): Kernel(
        state=("m", "v"),
        step=host.step_default,
        update=_update_default,
        partials=None,
        global_ops=(),
        global_names=(),
        reads_params=True,
    ),
}


def lamb(
    learning_rate=0.001,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-06,
    *,
    clipnorm=None,
    clipvalue=None,
    decay=0.0,
    weight_decay=None,
):
    """Optimizer that implements the Lamb algorithm.

    Lamb is a stochastic gradient descent method that uses layer-wise adaptive moments to adjust the learning rate for each parameter tensor: Adam's update, scaled by the trust ratio of the norm of the tensor to the norm of its update.

    Args:
        learning_rate: float, learning_rate >= 0. The learning rate. Defaults to 0.001.
        beta_1: float, 0 < beta_1 < 1. The exponential decay rate for the 1st moment estimates. Defaults to 0.9.
        beta_2: float, 0 < beta_2 < 1. The exponential decay rate for the 2nd moment estimates. Defaults to 0.999.
        epsilon: float, epsilon > 0. A small constant for numerical stability. Defaults to 1e-06.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Large Batch Optimization for Deep Learning - Training BERT in 76 minutes: https://arxiv.org/abs/1904.00962

    Generated from specs/lamb.yaml; the update rule is documented there.

    Returns an ``optax.GradientTransformation``: pure ``init``/``update`` over pytrees, for
    ``jax.jit``, ``jax.vmap`` and ``optax.chain``. ``learning_rate`` may be an optax schedule
    (a function of the completed steps). float32 and bfloat16 parameters keep float32 state;
    float64 ones (under ``jax_enable_x64``) keep float64.
    """
    return transformation(
        "Lamb",
        "specs/lamb.yaml",
        host,
        KERNELS,
        LambState,
        {"learning_rate": learning_rate, "beta_1": beta_1, "beta_2": beta_2, "epsilon": epsilon},
        {},
        {
            "clipnorm": clipnorm,
            "clipvalue": clipvalue,
            "decay": decay,
            "weight_decay": weight_decay,
        },
    )
