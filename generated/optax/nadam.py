# generated from specs/nadam.yaml by templates/optax/transformation.py.j2 — do not edit
"""Nesterov Adam optimizer.

Much like Adam is essentially RMSprop with momentum, Nadam is RMSprop with Nesterov momentum.

Default parameters follow those provided in the paper. It is recommended to leave the parameters of this optimizer at their default values.
"""

import math
from typing import Any, NamedTuple

from jax import numpy as jnp

from ..host import nadam as host
from ._runtime import Kernel, transformation


def _update_default(p, g, state, scalars):
    """One tensor's update (p_new - p) and new state for the defaults."""
    m, v = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_minus_lr = -lr
    # _c3_inv_one_minus_beta_2_pow_t = 1/(1 - beta_2**t)
    # _c4_coefficient = mu_next/(1 - m_schedule_next)
    # _c5_coefficient = (1 - mu_t)/(1 - m_schedule)
    # _c6_weight_decay_factor = -lr*weight_decay + 1
    (
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
    ) = scalars
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
        _c2_minus_lr
        * (_c4_coefficient * _stored_m + _c5_coefficient * g)
        / (epsilon + jnp.sqrt(_c3_inv_one_minus_beta_2_pow_t * _stored_v))
    )
    _update = _update + _weight_decay_change
    return _update, (_new_m, _new_v)


class NadamState(NamedTuple):
    """The state of ``nadam``: the completed steps, the per-parameter state
    (pytrees like the parameters; None where this flag combination keeps none) and the scalar
    state."""

    count: Any
    m: Any = None
    v: Any = None
    m_schedule: Any = None


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


def nadam(
    learning_rate=0.002,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-07,
    schedule_decay=0.004,
    *,
    clipnorm=None,
    clipvalue=None,
    weight_decay=None,
):
    """Nesterov Adam optimizer.

    Much like Adam is essentially RMSprop with momentum, Nadam is RMSprop with Nesterov momentum.

    Default parameters follow those provided in the paper. It is recommended to leave the parameters of this optimizer at their default values.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate. Defaults to 0.002.
        beta_1: float, 0 < beta_1 < 1. Generally close to 1. Defaults to 0.9.
        beta_2: float, 0 < beta_2 < 1. Generally close to 1. Defaults to 0.999.
        epsilon: float, epsilon >= 0. Fuzz factor. Defaults to 1e-07.
        schedule_decay: float, schedule_decay >= 0. Decay of the momentum schedule. Defaults to 0.004.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Nadam report: http://cs229.stanford.edu/proj2015/054_report.pdf
        - On the importance of initialization and momentum in deep learning: http://www.cs.toronto.edu/~fritz/absps/momentum.pdf

    Generated from specs/nadam.yaml; the update rule is documented there.

    Returns an ``optax.GradientTransformation``: pure ``init``/``update`` over pytrees, for
    ``jax.jit``, ``jax.vmap`` and ``optax.chain``. ``learning_rate`` may be an optax schedule
    (a function of the completed steps). float32 and bfloat16 parameters keep float32 state;
    float64 ones (under ``jax_enable_x64``) keep float64.
    """
    return transformation(
        "Nadam",
        "specs/nadam.yaml",
        host,
        KERNELS,
        NadamState,
        {
            "learning_rate": learning_rate,
            "beta_1": beta_1,
            "beta_2": beta_2,
            "epsilon": epsilon,
            "schedule_decay": schedule_decay,
        },
        {},
        {"clipnorm": clipnorm, "clipvalue": clipvalue, "weight_decay": weight_decay},
    )
