# generated from specs/rmsprop.yaml by templates/optax/transformation.py.j2 — do not edit
"""RMSProp optimizer.

It is recommended to leave the parameters of this optimizer at their default values (except the learning rate, which can be freely tuned).
"""

import math
from typing import Any, NamedTuple

from jax import numpy as jnp

from ..host import rmsprop as host
from ._runtime import Kernel, transformation


def _update_no_centered__no_momentum_on(p, g, state, scalars):
    """One tensor's update (p_new - p) and new state for centered=False, momentum_on=False."""
    (accumulator,) = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho = scalars
    # weight_decay: the change of p*(1 - lr*weight_decay), and the update reads that p
    # (0 when off, also for an infinite p, where p*1 less p would be NaN)
    _weight_decay_change = 0.0
    if p is not None:
        _weight_decay_change = jnp.where(
            _c2_weight_decay_factor != 1, p * _c2_weight_decay_factor - p, 0.0
        )
    _stored_accumulator = _c0_one_minus_rho * (g * g) + accumulator * rho
    _new_accumulator = _stored_accumulator
    _update = _c1_minus_lr * g / (jnp.sqrt(_stored_accumulator) + epsilon)
    _update = _update + _weight_decay_change
    return _update, (_new_accumulator,)


def _update_no_centered__momentum_on(p, g, state, scalars):
    """One tensor's update (p_new - p) and new state for centered=False, momentum_on=True."""
    accumulator, momentum_buffer = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, momentum, rho = scalars
    # weight_decay: the change of p*(1 - lr*weight_decay), and the update reads that p
    # (0 when off, also for an infinite p, where p*1 less p would be NaN)
    _weight_decay_change = 0.0
    if p is not None:
        _weight_decay_change = jnp.where(
            _c2_weight_decay_factor != 1, p * _c2_weight_decay_factor - p, 0.0
        )
    _stored_accumulator = _c0_one_minus_rho * (g * g) + accumulator * rho
    _stored_momentum_buffer = (
        g / (jnp.sqrt(_stored_accumulator) + epsilon) + momentum * momentum_buffer
    )
    _new_accumulator = _stored_accumulator
    _new_momentum_buffer = _stored_momentum_buffer
    _update = _c1_minus_lr * _stored_momentum_buffer
    _update = _update + _weight_decay_change
    return _update, (_new_accumulator, _new_momentum_buffer)


def _update_centered__no_momentum_on(p, g, state, scalars):
    """One tensor's update (p_new - p) and new state for centered=True, momentum_on=False."""
    accumulator, mean_gradient = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho = scalars
    # weight_decay: the change of p*(1 - lr*weight_decay), and the update reads that p
    # (0 when off, also for an infinite p, where p*1 less p would be NaN)
    _weight_decay_change = 0.0
    if p is not None:
        _weight_decay_change = jnp.where(
            _c2_weight_decay_factor != 1, p * _c2_weight_decay_factor - p, 0.0
        )
    _stored_accumulator = _c0_one_minus_rho * (g * g) + accumulator * rho
    _stored_mean_gradient = _c0_one_minus_rho * g + mean_gradient * rho
    _new_accumulator = _stored_accumulator
    _new_mean_gradient = _stored_mean_gradient
    _update = (
        _c1_minus_lr
        * g
        / (
            epsilon
            + jnp.sqrt(_stored_accumulator - (_stored_mean_gradient * _stored_mean_gradient))
        )
    )
    _update = _update + _weight_decay_change
    return _update, (_new_accumulator, _new_mean_gradient)


def _update_centered__momentum_on(p, g, state, scalars):
    """One tensor's update (p_new - p) and new state for centered=True, momentum_on=True."""
    accumulator, mean_gradient, momentum_buffer = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, momentum, rho = scalars
    # weight_decay: the change of p*(1 - lr*weight_decay), and the update reads that p
    # (0 when off, also for an infinite p, where p*1 less p would be NaN)
    _weight_decay_change = 0.0
    if p is not None:
        _weight_decay_change = jnp.where(
            _c2_weight_decay_factor != 1, p * _c2_weight_decay_factor - p, 0.0
        )
    _stored_accumulator = _c0_one_minus_rho * (g * g) + accumulator * rho
    _stored_mean_gradient = _c0_one_minus_rho * g + mean_gradient * rho
    _stored_momentum_buffer = (
        g
        / (
            epsilon
            + jnp.sqrt(_stored_accumulator - (_stored_mean_gradient * _stored_mean_gradient))
        )
        + momentum * momentum_buffer
    )
    _new_accumulator = _stored_accumulator
    _new_mean_gradient = _stored_mean_gradient
    _new_momentum_buffer = _stored_momentum_buffer
    _update = _c1_minus_lr * _stored_momentum_buffer
    _update = _update + _weight_decay_change
    return _update, (_new_accumulator, _new_mean_gradient, _new_momentum_buffer)


class RMSpropState(NamedTuple):
    """The state of ``rmsprop``: the completed steps, the per-parameter state
    (pytrees like the parameters; None where this flag combination keeps none) and the scalar
    state."""

    count: Any
    accumulator: Any = None
    momentum_buffer: Any = None
    mean_gradient: Any = None


KERNELS = {
    (False, False): Kernel(
        state=("accumulator",),
        step=host.step_no_centered__no_momentum_on,
        update=_update_no_centered__no_momentum_on,
        partials=None,
        global_ops=(),
        global_names=(),
        reads_params=False,
    ),
    (False, True): Kernel(
        state=("accumulator", "momentum_buffer"),
        step=host.step_no_centered__momentum_on,
        update=_update_no_centered__momentum_on,
        partials=None,
        global_ops=(),
        global_names=(),
        reads_params=False,
    ),
    (True, False): Kernel(
        state=("accumulator", "mean_gradient"),
        step=host.step_no_centered__no_momentum_on,
        update=_update_centered__no_momentum_on,
        partials=None,
        global_ops=(),
        global_names=(),
        reads_params=False,
    ),
    (True, True): Kernel(
        state=("accumulator", "mean_gradient", "momentum_buffer"),
        step=host.step_no_centered__momentum_on,
        update=_update_centered__momentum_on,
        partials=None,
        global_ops=(),
        global_names=(),
        reads_params=False,
    ),
}


def rmsprop(
    learning_rate=0.001,
    rho=0.9,
    epsilon=1e-07,
    momentum=0.0,
    centered=False,
    *,
    clipnorm=None,
    clipvalue=None,
    decay=0.0,
    weight_decay=None,
):
    """RMSProp optimizer.

    It is recommended to leave the parameters of this optimizer at their default values (except the learning rate, which can be freely tuned).

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate. Defaults to 0.001.
        rho: float, rho >= 0. Decay factor of the moving average of squared gradients. Defaults to 0.9.
        epsilon: float, epsilon >= 0. Fuzz factor. Defaults to 1e-07.
        momentum: float, momentum >= 0. Momentum of the scaled gradient; 0 keeps no momentum buffer. Defaults to 0.0.
        centered: bool. Whether to divide by the gradient's estimated variance rather than its second moment. Defaults to False.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - rmsprop: Divide the gradient by a running average of its recent magnitude: http://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf
        - Generating Sequences With Recurrent Neural Networks (centered RMSprop, eq. 38-41): https://arxiv.org/abs/1308.0850

    Generated from specs/rmsprop.yaml; the update rule is documented there.

    Returns an ``optax.GradientTransformation``: pure ``init``/``update`` over pytrees, for
    ``jax.jit``, ``jax.vmap`` and ``optax.chain``. ``learning_rate`` may be an optax schedule
    (a function of the completed steps). float32 and bfloat16 parameters keep float32 state;
    float64 ones (under ``jax_enable_x64``) keep float64.
    """
    return transformation(
        "RMSprop",
        "specs/rmsprop.yaml",
        host,
        KERNELS,
        RMSpropState,
        {"learning_rate": learning_rate, "rho": rho, "epsilon": epsilon, "momentum": momentum},
        {"centered": centered},
        {
            "clipnorm": clipnorm,
            "clipvalue": clipvalue,
            "decay": decay,
            "weight_decay": weight_decay,
        },
    )
