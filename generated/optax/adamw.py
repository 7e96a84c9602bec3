# generated from specs/adamw.yaml by templates/optax/transformation.py.j2 — do not edit
"""Adam with decoupled weight decay.

The weight decay shrinks the parameters by lr*weight_decay each step, separately from the adaptive gradient step, as in Loshchilov and Hutter.
"""

import math
from typing import Any, NamedTuple

from jax import numpy as jnp

from ..host import adamw as host
from ._runtime import Kernel, transformation


def _update_no_amsgrad(p, g, state, scalars):
    """One tensor's update (p_new - p) and new state for amsgrad=False."""
    m, v = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_minus_lr_times_weight_decay = -lr*weight_decay
    # _c3_lr_scale = -lr*sqrt(1 - beta_2**t)/(1 - beta_1**t)
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_minus_lr_times_weight_decay,
        _c3_lr_scale,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m
    _stored_v = _c1_one_minus_beta_2 * (g * g) + beta_2 * v
    _new_m = _stored_m
    _new_v = _stored_v
    _update = _c2_minus_lr_times_weight_decay * p + _c3_lr_scale * _stored_m / (
        jnp.sqrt(_stored_v) + epsilon
    )
    return _update, (_new_m, _new_v)


def _update_amsgrad(p, g, state, scalars):
    """One tensor's update (p_new - p) and new state for amsgrad=True."""
    m, v, vhat = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_minus_lr_times_weight_decay = -lr*weight_decay
    # _c3_lr_scale = -lr*sqrt(1 - beta_2**t)/(1 - beta_1**t)
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_minus_lr_times_weight_decay,
        _c3_lr_scale,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m
    _stored_v = _c1_one_minus_beta_2 * (g * g) + beta_2 * v
    _e0 = jnp.maximum(_stored_v, vhat)
    _new_m = _stored_m
    _new_v = _stored_v
    _new_vhat = _e0
    _update = _c2_minus_lr_times_weight_decay * p + _c3_lr_scale * _stored_m / (
        jnp.sqrt(_e0) + epsilon
    )
    return _update, (_new_m, _new_v, _new_vhat)


class AdamWState(NamedTuple):
    """The state of ``adamw``: the completed steps, the per-parameter state
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
        reads_params=True,
    ),
    (True,): Kernel(
        state=("m", "v", "vhat"),
        step=host.step_no_amsgrad,
        update=_update_amsgrad,
        partials=None,
        global_ops=(),
        global_names=(),
        reads_params=True,
    ),
}


def adamw(
    learning_rate=0.001,
    weight_decay=0.004,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-07,
    amsgrad=False,
    *,
    clipnorm=None,
    clipvalue=None,
    decay=0.0,
):
    """Adam with decoupled weight decay.

    The weight decay shrinks the parameters by lr*weight_decay each step, separately from the adaptive gradient step, as in Loshchilov and Hutter.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate. Defaults to 0.001.
        weight_decay: float, weight_decay >= 0. Decoupled weight decay, multiplied by the learning rate. Defaults to 0.004.
        beta_1: float, 0 < beta_1 < 1. Generally close to 1. Defaults to 0.9.
        beta_2: float, 0 < beta_2 < 1. Generally close to 1. Defaults to 0.999.
        epsilon: float, epsilon >= 0. Fuzz factor. Defaults to 1e-07.
        amsgrad: bool. Whether to apply the AMSGrad variant. Defaults to False.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).

    References:
        - Decoupled Weight Decay Regularization: https://arxiv.org/abs/1711.05101

    Generated from specs/adamw.yaml; the update rule is documented there.

    Returns an ``optax.GradientTransformation``: pure ``init``/``update`` over pytrees, for
    ``jax.jit``, ``jax.vmap`` and ``optax.chain``. ``learning_rate`` may be an optax schedule
    (a function of the completed steps). float32 and bfloat16 parameters keep float32 state;
    float64 ones (under ``jax_enable_x64``) keep float64.
    """
    return transformation(
        "AdamW",
        "specs/adamw.yaml",
        host,
        KERNELS,
        AdamWState,
        {
            "learning_rate": learning_rate,
            "weight_decay": weight_decay,
            "beta_1": beta_1,
            "beta_2": beta_2,
            "epsilon": epsilon,
        },
        {"amsgrad": amsgrad},
        {"clipnorm": clipnorm, "clipvalue": clipvalue, "decay": decay},
    )
