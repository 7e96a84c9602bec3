# generated from specs/adafactor.yaml by templates/optax/transformation.py.j2 — do not edit
"""Optimizer that implements the Adafactor algorithm.

Adafactor is a stochastic optimization method based on Adam that reduces memory usage while retaining the empirical benefits of adaptivity. This is achieved through maintaining a factored representation of the squared gradient accumulator across training steps. More specifically, by tracking moving averages of the row and column sums of the squared gradients for matrices, Adafactor can reconstruct a low-rank approximation of the exponentially smoothed accumulator at each training step.
"""

import math
from typing import Any, NamedTuple

from jax import numpy as jnp

from ..host import adafactor as host
from ._runtime import Kernel, transformation


def _update_no_factored(p, g, state, scalars):
    """One tensor's update (p_new - p) and new state for factored=False."""
    (v,) = state
    # _c0_one_minus_beta = 1 - beta
    # _c1_minus_rho = -rho
    # _c2_inv_clip_threshold = 1/clip_threshold
    # _c4_weight_decay_factor = -lr*weight_decay + 1
    # _c3__weight_decay_factor_pow_two = _c4_weight_decay_factor**2
    (
        _c0_one_minus_beta,
        _c1_minus_rho,
        _c2_inv_clip_threshold,
        _c4_weight_decay_factor,
        _c3__weight_decay_factor_pow_two,
        beta,
        epsilon_1,
        epsilon_2,
    ) = scalars
    p_squares = jnp.sum(_c3__weight_decay_factor_pow_two * (p * p))
    u_squares = jnp.sum((g * g) / (_c0_one_minus_beta * (epsilon_1 + g * g) + beta * v))
    elements = (1) * jnp.size(g)
    _k0_coefficient = (
        _c1_minus_rho
        * jnp.maximum(epsilon_2, jnp.sqrt(p_squares / elements))
        / jnp.maximum(1, _c2_inv_clip_threshold * jnp.sqrt(u_squares / elements))
    )
    # weight_decay: the change of p*(1 - lr*weight_decay), and the update reads that p
    # (0 when off, also for an infinite p, where p*1 less p would be NaN)
    _weight_decay_change = 0.0
    if p is not None:
        _weight_decay_change = jnp.where(
            _c4_weight_decay_factor != 1, p * _c4_weight_decay_factor - p, 0.0
        )
    _stored_v = _c0_one_minus_beta * (epsilon_1 + g * g) + beta * v
    _new_v = _stored_v
    _update = _k0_coefficient * g / jnp.sqrt(_stored_v)
    _update = _update + _weight_decay_change
    return _update, (_new_v,)


def _update_factored(p, g, state, scalars):
    """One tensor's update (p_new - p) and new state for factored=True."""
    r, c = state
    # _c0_one_minus_beta = 1 - beta
    # _c1_minus_rho = -rho
    # _c2_inv_clip_threshold = 1/clip_threshold
    # _c4_weight_decay_factor = -lr*weight_decay + 1
    # _c3__weight_decay_factor_pow_two = _c4_weight_decay_factor**2
    (
        _c0_one_minus_beta,
        _c1_minus_rho,
        _c2_inv_clip_threshold,
        _c4_weight_decay_factor,
        _c3__weight_decay_factor_pow_two,
        beta,
        epsilon_1,
        epsilon_2,
    ) = scalars
    p_squares = jnp.sum(_c3__weight_decay_factor_pow_two * (p * p))
    u_squares = jnp.sum(
        (g * g)
        * jnp.mean(
            _c0_one_minus_beta * jnp.mean(epsilon_1 + g * g, axis=-1, keepdims=True) + beta * r,
            axis=-2,
            keepdims=True,
        )
        / (
            (_c0_one_minus_beta * jnp.mean(epsilon_1 + g * g, axis=-2, keepdims=True) + beta * c)
            * (_c0_one_minus_beta * jnp.mean(epsilon_1 + g * g, axis=-1, keepdims=True) + beta * r)
        )
    )
    elements = (1) * jnp.size(g)
    _k0_coefficient = (
        _c1_minus_rho
        * jnp.maximum(epsilon_2, jnp.sqrt(p_squares / elements))
        / jnp.maximum(1, _c2_inv_clip_threshold * jnp.sqrt(u_squares / elements))
    )
    # weight_decay: the change of p*(1 - lr*weight_decay), and the update reads that p
    # (0 when off, also for an infinite p, where p*1 less p would be NaN)
    _weight_decay_change = 0.0
    if p is not None:
        _weight_decay_change = jnp.where(
            _c4_weight_decay_factor != 1, p * _c4_weight_decay_factor - p, 0.0
        )
    _e0 = epsilon_1 + g * g
    _stored_r = _c0_one_minus_beta * jnp.mean(_e0, axis=-1, keepdims=True) + beta * r
    _stored_c = _c0_one_minus_beta * jnp.mean(_e0, axis=-2, keepdims=True) + beta * c
    _new_r = _stored_r
    _new_c = _stored_c
    _update = (
        _k0_coefficient
        * g
        / jnp.sqrt(_stored_c * _stored_r / jnp.mean(_stored_r, axis=-2, keepdims=True))
    )
    _update = _update + _weight_decay_change
    return _update, (_new_r, _new_c)


class AdafactorState(NamedTuple):
    """The state of ``adafactor``: the completed steps, the per-parameter state
    (pytrees like the parameters; None where this flag combination keeps none) and the scalar
    state."""

    count: Any
    v: Any = None
    r: Any = None
    c: Any = None


KERNELS = {
    (False,): Kernel(
        state=("v",),
        step=host.step_no_factored,
        update=_update_no_factored,
        partials=None,
        global_ops=(),
        global_names=(),
        reads_params=True,
    ),
    (True,): Kernel(
        state=("r", "c"),
        step=host.step_no_factored,
        update=_update_factored,
        partials=None,
        global_ops=(),
        global_names=(),
        reads_params=True,
    ),
}


def adafactor(
    learning_rate=0.001,
    beta_2_decay=-0.8,
    epsilon_1=1e-30,
    epsilon_2=0.001,
    clip_threshold=1.0,
    relative_step=True,
    *,
    clipnorm=None,
    clipvalue=None,
    decay=0.0,
    weight_decay=None,
):
    """Optimizer that implements the Adafactor algorithm.

    Adafactor is a stochastic optimization method based on Adam that reduces memory usage while retaining the empirical benefits of adaptivity. This is achieved through maintaining a factored representation of the squared gradient accumulator across training steps. More specifically, by tracking moving averages of the row and column sums of the squared gradients for matrices, Adafactor can reconstruct a low-rank approximation of the exponentially smoothed accumulator at each training step.

    Args:
        learning_rate: float, learning_rate >= 0. The learning rate. Defaults to 0.001.
        beta_2_decay: float, beta_2_decay <= 0. The decay rate of the second moment's averaging, beta_2 = 1 - t^beta_2_decay. Defaults to -0.8.
        epsilon_1: float, epsilon_1 >= 0. A small offset to keep the denominator away from 0. Defaults to 1e-30.
        epsilon_2: float, epsilon_2 >= 0. A small offset to avoid the learning rate becoming too small over time. Defaults to 0.001.
        clip_threshold: float, clip_threshold > 0. The threshold of the root mean square of the update, above which it is scaled down. Defaults to 1.0.
        relative_step: bool. Keras's cap of the learning rate at 1/sqrt(t), which the step size rho = min(lr, 1/sqrt(t)) applies in either case, so it changes nothing (as in Keras 3). Defaults to True.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Adafactor: Adaptive Learning Rates with Sublinear Memory Cost: https://arxiv.org/abs/1804.04235

    Generated from specs/adafactor.yaml; the update rule is documented there.

    Returns an ``optax.GradientTransformation``: pure ``init``/``update`` over pytrees, for
    ``jax.jit``, ``jax.vmap`` and ``optax.chain``. ``learning_rate`` may be an optax schedule
    (a function of the completed steps). float32 and bfloat16 parameters keep float32 state;
    float64 ones (under ``jax_enable_x64``) keep float64.
    """
    return transformation(
        "Adafactor",
        "specs/adafactor.yaml",
        host,
        KERNELS,
        AdafactorState,
        {
            "learning_rate": learning_rate,
            "beta_2_decay": beta_2_decay,
            "epsilon_1": epsilon_1,
            "epsilon_2": epsilon_2,
            "clip_threshold": clip_threshold,
        },
        {"relative_step": relative_step},
        {
            "clipnorm": clipnorm,
            "clipvalue": clipvalue,
            "decay": decay,
            "weight_decay": weight_decay,
        },
    )
