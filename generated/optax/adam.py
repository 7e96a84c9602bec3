# generated from specs/adam.yaml by templates/optax/transformation.py.j2 — do not edit
"""Adam optimizer.

Default parameters follow those provided in the original paper.
"""

import math
from typing import Any, NamedTuple

from jax import numpy as jnp

from ..host import adam as host
from ._runtime import Kernel, transformation


def _update_no_amsgrad(p, g, state, scalars):
    """One tensor's update (p_new - p) and new state for amsgrad=False."""
    m, v = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_lr_scale = -lr*sqrt(1 - beta_2**t)/(1 - beta_1**t)
    # _c3_weight_decay_factor = -lr*weight_decay + 1
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_lr_scale,
        _c3_weight_decay_factor,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    # weight_decay: the change of p*(1 - lr*weight_decay), and the update reads that p
    # (0 when off, also for an infinite p, where p*1 less p would be NaN)
    _weight_decay_change = 0.0
    if p is not None:
        _weight_decay_change = jnp.where(
            _c3_weight_decay_factor != 1, p * _c3_weight_decay_factor - p, 0.0
        )
    _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m
    _stored_v = _c1_one_minus_beta_2 * (g * g) + beta_2 * v
    _new_m = _stored_m
    _new_v = _stored_v
    _update = _c2_lr_scale * _stored_m / (jnp.sqrt(_stored_v) + epsilon)
    _update = _update + _weight_decay_change
    return _update, (_new_m, _new_v)


def _update_amsgrad(p, g, state, scalars):
    """One tensor's update (p_new - p) and new state for amsgrad=True."""
    m, v, vhat = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_lr_scale = -lr*sqrt(1 - beta_2**t)/(1 - beta_1**t)
    # _c3_weight_decay_factor = -lr*weight_decay + 1
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_lr_scale,
        _c3_weight_decay_factor,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    # weight_decay: the change of p*(1 - lr*weight_decay), and the update reads that p
    # (0 when off, also for an infinite p, where p*1 less p would be NaN)
    _weight_decay_change = 0.0
    if p is not None:
        _weight_decay_change = jnp.where(
            _c3_weight_decay_factor != 1, p * _c3_weight_decay_factor - p, 0.0
        )
    _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m
    _stored_v = _c1_one_minus_beta_2 * (g * g) + beta_2 * v
    _e0 = jnp.maximum(_stored_v, vhat)
    _new_m = _stored_m
    _new_v = _stored_v
    _new_vhat = _e0
    _update = _c2_lr_scale * _stored_m / (jnp.sqrt(_e0) + epsilon)
    _update = _update + _weight_decay_change
    return _update, (_new_m, _new_v, _new_vhat)


class AdamState(NamedTuple):
    """The state of ``adam``: the completed steps, the per-parameter state
    (pytrees like the parameters; None where this flag combination keeps none) and the scalar
    state."""

    count: Any
    m: Any = None
    v: Any = None
    vhat: Any = None


KERNELS = {
    (False,): Kernel(
        state=("m", "v"),
        step=host.step_no_amsgrad,
        update=_update_no_amsgrad,
        partials=None,
        global_ops=(),
        global_names=(),
        reads_params=False,
    ),
    (True,): Kernel(
        state=("m", "v", "vhat"),
        step=host.step_no_amsgrad,
        update=_update_amsgrad,
        partials=None,
        global_ops=(),
        global_names=(),
        reads_params=False,
    ),
}


def adam(
    learning_rate=0.001,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-07,
    amsgrad=False,
    *,
    clipnorm=None,
    clipvalue=None,
    decay=0.0,
    weight_decay=None,
):
    """Adam optimizer.

    Default parameters follow those provided in the original paper.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate. Defaults to 0.001.
        beta_1: float, 0 < beta_1 < 1. Generally close to 1. Defaults to 0.9.
        beta_2: float, 0 < beta_2 < 1. Generally close to 1. Defaults to 0.999.
        epsilon: float, epsilon >= 0. Fuzz factor. Defaults to 1e-07.
        amsgrad: bool. Whether to apply the AMSGrad variant of this algorithm from the paper "On the Convergence of Adam and Beyond". Defaults to False.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Adam - A Method for Stochastic Optimization: https://arxiv.org/abs/1412.6980v8
        - On the Convergence of Adam and Beyond: https://openreview.net/forum?id=ryQu7f-RZ

    Generated from specs/adam.yaml; the update rule is documented there.

    Returns an ``optax.GradientTransformation``: pure ``init``/``update`` over pytrees, for
    ``jax.jit``, ``jax.vmap`` and ``optax.chain``. ``learning_rate`` may be an optax schedule
    (a function of the completed steps). float32 and bfloat16 parameters keep float32 state;
    float64 ones (under ``jax_enable_x64``) keep float64.
    """
    return transformation(
        "Adam",
        "specs/adam.yaml",
        host,
        KERNELS,
        AdamState,
        {"learning_rate": learning_rate, "beta_1": beta_1, "beta_2": beta_2, "epsilon": epsilon},
        {"amsgrad": amsgrad},
        {
            "clipnorm": clipnorm,
            "clipvalue": clipvalue,
            "decay": decay,
            "weight_decay": weight_decay,
        },
    )
