# generated from specs/sgd.yaml by templates/optax/transformation.py.j2 — do not edit
"""Stochastic gradient descent optimizer.

Includes support for momentum, learning rate decay, and Nesterov momentum.
"""

import math
from typing import Any, NamedTuple

from jax import numpy as jnp

from ..host import sgd as host
from ._runtime import Kernel, transformation


def _update_no_nesterov(p, g, state, scalars):
    """One tensor's update (p_new - p) and new state for nesterov=False."""
    (velocity,) = state
    # _c0_minus_lr = -lr
    # _c1_weight_decay_factor = -lr*weight_decay + 1
    _c0_minus_lr, _c1_weight_decay_factor, momentum = scalars
    # weight_decay: the change of p*(1 - lr*weight_decay), and the update reads that p
    # (0 when off, also for an infinite p, where p*1 less p would be NaN)
    _weight_decay_change = 0.0
    if p is not None:
        _weight_decay_change = jnp.where(
            _c1_weight_decay_factor != 1, p * _c1_weight_decay_factor - p, 0.0
        )
    _stored_velocity = _c0_minus_lr * g + momentum * velocity
    _new_velocity = _stored_velocity
    _update = _stored_velocity
    _update = _update + _weight_decay_change
    return _update, (_new_velocity,)


def _update_nesterov(p, g, state, scalars):
    """One tensor's update (p_new - p) and new state for nesterov=True."""
    (velocity,) = state
    # _c0_minus_lr = -lr
    # _c1_weight_decay_factor = -lr*weight_decay + 1
    _c0_minus_lr, _c1_weight_decay_factor, momentum = scalars
    # weight_decay: the change of p*(1 - lr*weight_decay), and the update reads that p
    # (0 when off, also for an infinite p, where p*1 less p would be NaN)
    _weight_decay_change = 0.0
    if p is not None:
        _weight_decay_change = jnp.where(
            _c1_weight_decay_factor != 1, p * _c1_weight_decay_factor - p, 0.0
        )
    _e0 = _c0_minus_lr * g
    _stored_velocity = _e0 + momentum * velocity
    _new_velocity = _stored_velocity
    _update = _e0 + _stored_velocity * momentum
    _update = _update + _weight_decay_change
    return _update, (_new_velocity,)


class SGDState(NamedTuple):
    """The state of ``sgd``: the completed steps, the per-parameter state
    (pytrees like the parameters; None where this flag combination keeps none) and the scalar
    state."""

    count: Any
    velocity: Any = None


KERNELS = {
    (False,): Kernel(
        state=("velocity",),
        step=host.step_no_nesterov,
        update=_update_no_nesterov,
        partials=None,
        global_ops=(),
        global_names=(),
        reads_params=False,
    ),
    (True,): Kernel(
        state=("velocity",),
        step=host.step_no_nesterov,
        update=_update_nesterov,
        partials=None,
        global_ops=(),
        global_names=(),
        reads_params=False,
    ),
}


def sgd(
    learning_rate=0.01,
    momentum=0.0,
    nesterov=False,
    *,
    clipnorm=None,
    clipvalue=None,
    decay=0.0,
    weight_decay=None,
):
    """Stochastic gradient descent optimizer.

    Includes support for momentum, learning rate decay, and Nesterov momentum.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate. Defaults to 0.01.
        momentum: float, momentum >= 0. Parameter that accelerates SGD in the relevant direction and dampens oscillations. Defaults to 0.0.
        nesterov: bool. Whether to apply Nesterov momentum. Defaults to False.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    Generated from specs/sgd.yaml; the update rule is documented there.

    Returns an ``optax.GradientTransformation``: pure ``init``/``update`` over pytrees, for
    ``jax.jit``, ``jax.vmap`` and ``optax.chain``. ``learning_rate`` may be an optax schedule
    (a function of the completed steps). float32 and bfloat16 parameters keep float32 state;
    float64 ones (under ``jax_enable_x64``) keep float64.
    """
    return transformation(
        "SGD",
        "specs/sgd.yaml",
        host,
        KERNELS,
        SGDState,
        {"learning_rate": learning_rate, "momentum": momentum},
        {"nesterov": nesterov},
        {
            "clipnorm": clipnorm,
            "clipvalue": clipvalue,
            "decay": decay,
            "weight_decay": weight_decay,
        },
    )
