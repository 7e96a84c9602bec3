# generated from specs/radam.yaml by templates/optax/transformation.py.j2 — do not edit
"""RAdam optimizer.

Adam whose adaptive learning rate is rectified by the variance of its second moment: while that variance is intractable (rho_t <= 5, the first steps), the step is momentum SGD with bias correction.
"""

import math
from typing import Any, NamedTuple

from jax import numpy as jnp

from ..host import radam as host
from ._runtime import Kernel, transformation


def _update_default(p, g, state, scalars):
    """One tensor's update (p_new - p) and new state for the defaults."""
    m, v = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_lr_scale = -lr/(1 - beta_1**t)
    # _c3_condition = Piecewise((1, rho_t > 5), (0, True))
    # _c4_coefficient = Piecewise((sqrt(rho_inf*(rho_t - 4)*(rho_t - 2)/(rho_t*(rho_inf - 4)*(rho_inf - 2)))*sqrt(1 - beta_2**t), Ne(_c3_condition, 0)), (0, True))
    # _c5_weight_decay_factor = -lr*weight_decay + 1
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_lr_scale,
        _c3_condition,
        _c4_coefficient,
        _c5_weight_decay_factor,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    # weight_decay: the change of p*(1 - lr*weight_decay), and the update reads that p
    # (0 when off, also for an infinite p, where p*1 less p would be NaN)
    _weight_decay_change = 0.0
    if p is not None:
        _weight_decay_change = jnp.where(
            _c5_weight_decay_factor != 1, p * _c5_weight_decay_factor - p, 0.0
        )
    _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m
    _stored_v = _c1_one_minus_beta_2 * (g * g) + beta_2 * v
    _new_m = _stored_m
    _new_v = _stored_v
    _update = (
        _c2_lr_scale
        * _stored_m
        * jnp.where(
            jnp.not_equal(_c3_condition, 0), _c4_coefficient / (jnp.sqrt(_stored_v) + epsilon), 1
        )
    )
    _update = _update + _weight_decay_change
    return _update, (_new_m, _new_v)


class RAdamState(NamedTuple):
    """The state of ``radam``: the completed steps, the per-parameter state
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
        reads_params=False,
    ),
}


def radam(
    learning_rate=0.001,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-08,
    *,
    clipnorm=None,
    clipvalue=None,
    decay=0.0,
    weight_decay=None,
):
    """RAdam optimizer.

    Adam whose adaptive learning rate is rectified by the variance of its second moment: while that variance is intractable (rho_t <= 5, the first steps), the step is momentum SGD with bias correction.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate. Defaults to 0.001.
        beta_1: float, 0 < beta_1 < 1. Decay of the first moment. Defaults to 0.9.
        beta_2: float, 0 < beta_2 < 1. Decay of the second moment. Defaults to 0.999.
        epsilon: float, epsilon >= 0. Fuzz factor, added to the square root of the second moment. Defaults to 1e-08.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - On the Variance of the Adaptive Learning Rate and Beyond: https://arxiv.org/abs/1908.03265

    Generated from specs/radam.yaml; the update rule is documented there.

    Returns an ``optax.GradientTransformation``: pure ``init``/``update`` over pytrees, for
    ``jax.jit``, ``jax.vmap`` and ``optax.chain``. ``learning_rate`` may be an optax schedule
    (a function of the completed steps). float32 and bfloat16 parameters keep float32 state;
    float64 ones (under ``jax_enable_x64``) keep float64.
    """
    return transformation(
        "RAdam",
        "specs/radam.yaml",
        host,
        KERNELS,
        RAdamState,
        {"learning_rate": learning_rate, "beta_1": beta_1, "beta_2": beta_2, "epsilon": epsilon},
        {},
        {
            "clipnorm": clipnorm,
            "clipvalue": clipvalue,
            "decay": decay,
            "weight_decay": weight_decay,
        },
    )
