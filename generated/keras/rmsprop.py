# generated from specs/rmsprop.yaml by templates/keras/optimizer.py.j2 — do not edit
"""RMSProp optimizer.

It is recommended to leave the parameters of this optimizer at their default values (except the learning rate, which can be freely tuned).
"""

import math

from keras import ops

from ..host import rmsprop as host
from ._runtime import Kernel, Optimizer, axis_mean, nan_sign, register


def _update_no_centered__no_momentum_on(p, g, state, scalars):
    """The new value of one tensor and of its state for centered=False, momentum_on=False (keras.ops only)."""
    (accumulator,) = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho = scalars
    _stored_accumulator = _c0_one_minus_rho * (g * g) + accumulator * rho
    _new_accumulator = _stored_accumulator
    _new_p = (
        _c1_minus_lr * g / (ops.sqrt(_stored_accumulator) + epsilon) + _c2_weight_decay_factor * p
    )
    return _new_p, (_new_accumulator,)


def _update_no_centered__momentum_on(p, g, state, scalars):
    """The new value of one tensor and of its state for centered=False, momentum_on=True (keras.ops only)."""
    accumulator, momentum_buffer = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, momentum, rho = scalars
    _stored_accumulator = _c0_one_minus_rho * (g * g) + accumulator * rho
    _stored_momentum_buffer = (
        g / (ops.sqrt(_stored_accumulator) + epsilon) + momentum * momentum_buffer
    )
    _new_accumulator = _stored_accumulator
    _new_momentum_buffer = _stored_momentum_buffer
    _new_p = _c1_minus_lr * _stored_momentum_buffer + _c2_weight_decay_factor * p
    return _new_p, (_new_accumulator, _new_momentum_buffer)


def _update_centered__no_momentum_on(p, g, state, scalars):
    """The new value of one tensor and of its state for centered=True, momentum_on=False (keras.ops only)."""
    accumulator, mean_gradient = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho = scalars
    _stored_accumulator = _c0_one_minus_rho * (g * g) + accumulator * rho
    _stored_mean_gradient = _c0_one_minus_rho * g + mean_gradient * rho
    _new_accumulator = _stored_accumulator
    _new_mean_gradient = _stored_mean_gradient
    _new_p = (
        _c1_minus_lr
        * g
        / (
            epsilon
            + ops.sqrt(_stored_accumulator - (_stored_mean_gradient * _stored_mean_gradient))
        )
        + _c2_weight_decay_factor * p
    )
    return _new_p, (_new_accumulator, _new_mean_gradient)


def _update_centered__momentum_on(p, g, state, scalars):
    """The new value of one tensor and of its state for centered=True, momentum_on=True (keras.ops only)."""
    accumulator, mean_gradient, momentum_buffer = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, momentum, rho = scalars
    _stored_accumulator = _c0_one_minus_rho * (g * g) + accumulator * rho
    _stored_mean_gradient = _c0_one_minus_rho * g + mean_gradient * rho
    _stored_momentum_buffer = (
        g
        / (
            epsilon
            + ops.sqrt(_stored_accumulator - (_stored_mean_gradient * _stored_mean_gradient))
        )
        + momentum * momentum_buffer
    )
    _new_accumulator = _stored_accumulator
    _new_mean_gradient = _stored_mean_gradient
    _new_momentum_buffer = _stored_momentum_buffer
    _new_p = _c1_minus_lr * _stored_momentum_buffer + _c2_weight_decay_factor * p
    return _new_p, (_new_accumulator, _new_mean_gradient, _new_momentum_buffer)


@register
class RMSprop(Optimizer):
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

    A ``keras.optimizers.Optimizer``: pass it to ``model.compile(optimizer=...)``. Keras 2.3's
    semantics, as in every backend: ``clipnorm`` is one norm over all gradients and ``decay``
    the inverse-time decay; ``weight_decay``, where the spec takes it, is Keras 3's decoupled
    decay, in the step program. ``learning_rate`` may be a
    ``keras.optimizers.schedules.LearningRateSchedule``. Keras 3's own base-class arguments
    (``name``, ``use_ema``, ``ema_momentum``, ``ema_overwrite_frequency``,
    ``loss_scale_factor``, ``gradient_accumulation_steps``) are passed through as keywords;
    ``global_clipnorm`` is refused (see the runtime).
    """

    keras_name = "rmsprop"
    spec = "specs/rmsprop.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ("centered",)
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay", "weight_decay")
    kernels = {
        (False, False): Kernel(
            state=("accumulator",),
            step=host.step_no_centered__no_momentum_on,
            update=_update_no_centered__no_momentum_on,
            partials=None,
            global_ops=(),
            global_names=(),
        ),
        (False, True): Kernel(
            state=("accumulator", "momentum_buffer"),
            step=host.step_no_centered__momentum_on,
            update=_update_no_centered__momentum_on,
            partials=None,
            global_ops=(),
            global_names=(),
        ),
        (True, False): Kernel(
            state=("accumulator", "mean_gradient"),
            step=host.step_no_centered__no_momentum_on,
            update=_update_centered__no_momentum_on,
            partials=None,
            global_ops=(),
            global_names=(),
        ),
        (True, True): Kernel(
            state=("accumulator", "mean_gradient", "momentum_buffer"),
            step=host.step_no_centered__momentum_on,
            update=_update_centered__momentum_on,
            partials=None,
            global_ops=(),
            global_names=(),
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
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
        **kwargs,
    ):
        super().__init__(
            {"learning_rate": learning_rate, "rho": rho, "epsilon": epsilon, "momentum": momentum},
            {"centered": centered},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            weight_decay=weight_decay,
            **kwargs,
        )
