# generated from specs/sgd.yaml by templates/keras/optimizer.py.j2 — do not edit
"""Stochastic gradient descent optimizer.

Includes support for momentum, learning rate decay, and Nesterov momentum.
"""

import math

from keras import ops

from ..host import sgd as host
from ._runtime import Kernel, Optimizer, axis_mean, nan_sign, register


def _update_no_nesterov(p, g, state, scalars):
    """The new value of one tensor and of its state for nesterov=False (keras.ops only)."""
    (velocity,) = state
    # _c0_minus_lr = -lr
    # _c1_weight_decay_factor = -lr*weight_decay + 1
    _c0_minus_lr, _c1_weight_decay_factor, momentum = scalars
    _stored_velocity = _c0_minus_lr * g + momentum * velocity
    _new_velocity = _stored_velocity
    _new_p = _c1_weight_decay_factor * p + _stored_velocity
    return _new_p, (_new_velocity,)


def _update_nesterov(p, g, state, scalars):
    """The new value of one tensor and of its state for nesterov=True (keras.ops only)."""
    (velocity,) = state
    # _c0_minus_lr = -lr
    # _c1_weight_decay_factor = -lr*weight_decay + 1
    _c0_minus_lr, _c1_weight_decay_factor, momentum = scalars
    _e0 = _c0_minus_lr * g
    _stored_velocity = _e0 + momentum * velocity
    _new_velocity = _stored_velocity
    _new_p = _c1_weight_decay_factor * p + _e0 + _stored_velocity * momentum
    return _new_p, (_new_velocity,)


@register
class SGD(Optimizer):
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

    A ``keras.optimizers.Optimizer``: pass it to ``model.compile(optimizer=...)``. Keras 2.3's
    semantics, as in every backend: ``clipnorm`` is one norm over all gradients and ``decay``
    the inverse-time decay; ``weight_decay``, where the spec takes it, is Keras 3's decoupled
    decay, in the step program. ``learning_rate`` may be a
    ``keras.optimizers.schedules.LearningRateSchedule``. Keras 3's own base-class arguments
    (``name``, ``use_ema``, ``ema_momentum``, ``ema_overwrite_frequency``,
    ``loss_scale_factor``, ``gradient_accumulation_steps``) are passed through as keywords;
    ``global_clipnorm`` is refused (see the runtime).
    """

    keras_name = "sgd"
    spec = "specs/sgd.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ("nesterov",)
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay", "weight_decay")
    kernels = {
        (False,): Kernel(
            state=("velocity",),
            step=host.step_no_nesterov,
            update=_update_no_nesterov,
            partials=None,
            global_ops=(),
            global_names=(),
        ),
        (True,): Kernel(
            state=("velocity",),
            step=host.step_no_nesterov,
            update=_update_nesterov,
            partials=None,
            global_ops=(),
            global_names=(),
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        learning_rate=0.01,
        momentum=0.0,
        nesterov=False,
        *,
        clipnorm=None,
        clipvalue=None,
        decay=0.0,
        weight_decay=None,
        **kwargs,
    ):
        super().__init__(
            {"learning_rate": learning_rate, "momentum": momentum},
            {"nesterov": nesterov},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            weight_decay=weight_decay,
            **kwargs,
        )
