# generated from specs/ftrl.yaml by templates/keras/optimizer.py.j2 — do not edit
"""Optimizer that implements the FTRL algorithm.

"Follow The Regularized Leader" (FTRL) is an optimization algorithm developed at Google for click-through rate prediction in the early 2010s. It is most suitable for shallow models with large and sparse feature spaces. It supports both online L2 regularization (the L2 regularization of the paper) and shrinkage-type L2 regularization (an L2 penalty added to the loss). With l1_regularization_strength > 0, elements whose linear term stays within it are exactly zero.
"""

import math

from keras import ops

from ..host import ftrl as host
from ._runtime import Kernel, Optimizer, axis_mean, nan_sign, register


def _update_default(p, g, state, scalars):
    """The new value of one tensor and of its state for the defaults (keras.ops only)."""
    accumulator, linear = state
    # _c0_coefficient = 2*_c6_weight_decay_factor*l2_shrinkage_regularization_strength
    # _c1_lr_scale = -_c6_weight_decay_factor/lr
    # _c2_minus_learning_rate_power = -learning_rate_power
    # _c3_lr_scale = beta/lr + 2*l2_regularization_strength
    # _c4_inv_lr = 1/lr
    # _c5_coefficient = -l1_regularization_strength
    (
        _c0_coefficient,
        _c1_lr_scale,
        _c2_minus_learning_rate_power,
        _c3_lr_scale,
        _c4_inv_lr,
        _c5_coefficient,
        l1_regularization_strength,
    ) = scalars
    new_accumulator = accumulator + g * g
    _e0 = new_accumulator**_c2_minus_learning_rate_power
    _stored_linear = (
        _c0_coefficient * p
        + _c1_lr_scale * p * (_e0 - accumulator**_c2_minus_learning_rate_power)
        + g
        + linear
    )
    _new_accumulator = new_accumulator
    _new_linear = _stored_linear
    _new_p = (
        -_stored_linear
        + ops.where(
            ops.logical_or(
                ops.isnan(l1_regularization_strength),
                ops.less_equal(
                    l1_regularization_strength,
                    ops.where(
                        ops.logical_or(
                            ops.isnan(_c5_coefficient),
                            ops.greater_equal(_c5_coefficient, _stored_linear),
                        ),
                        _c5_coefficient,
                        _stored_linear,
                    ),
                ),
            ),
            l1_regularization_strength,
            ops.where(
                ops.logical_or(
                    ops.isnan(_c5_coefficient), ops.greater_equal(_c5_coefficient, _stored_linear)
                ),
                _c5_coefficient,
                _stored_linear,
            ),
        )
    ) / (_c3_lr_scale + _c4_inv_lr * _e0)
    return _new_p, (_new_accumulator, _new_linear)


@register
class Ftrl(Optimizer):
    """Optimizer that implements the FTRL algorithm.

    "Follow The Regularized Leader" (FTRL) is an optimization algorithm developed at Google for click-through rate prediction in the early 2010s. It is most suitable for shallow models with large and sparse feature spaces. It supports both online L2 regularization (the L2 regularization of the paper) and shrinkage-type L2 regularization (an L2 penalty added to the loss). With l1_regularization_strength > 0, elements whose linear term stays within it are exactly zero.

    Args:
        learning_rate: float, learning_rate > 0. The learning rate. Defaults to 0.001.
        learning_rate_power: float, learning_rate_power <= 0. Controls how the learning rate decreases during training; zero for a fixed learning rate. Defaults to -0.5.
        initial_accumulator_value: float, initial_accumulator_value >= 0. The starting value of the accumulators. Defaults to 0.1.
        l1_regularization_strength: float, l1_regularization_strength >= 0. L1 regularization strength. Defaults to 0.0.
        l2_regularization_strength: float, l2_regularization_strength >= 0. L2 regularization strength (a stabilization penalty). Defaults to 0.0.
        l2_shrinkage_regularization_strength: float, l2_shrinkage_regularization_strength >= 0. L2 shrinkage strength (a magnitude penalty, added to the gradient). Defaults to 0.0.
        beta: float, beta >= 0. The beta value from the paper. Defaults to 0.0.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Ad Click Prediction: a View from the Trenches: https://research.google.com/pubs/archive/41159.pdf

    Generated from specs/ftrl.yaml; the update rule is documented there.

    A ``keras.optimizers.Optimizer``: pass it to ``model.compile(optimizer=...)``. Keras 2.3's
    semantics, as in every backend: ``clipnorm`` is one norm over all gradients and ``decay``
    the inverse-time decay; ``weight_decay``, where the spec takes it, is Keras 3's decoupled
    decay, in the step program. ``learning_rate`` may be a
    ``keras.optimizers.schedules.LearningRateSchedule``. Keras 3's own base-class arguments
    (``name``, ``use_ema``, ``ema_momentum``, ``ema_overwrite_frequency``,
    ``loss_scale_factor``, ``gradient_accumulation_steps``) are passed through as keywords;
    ``global_clipnorm`` is refused (see the runtime).
    """

    keras_name = "ftrl"
    spec = "specs/ftrl.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay", "weight_decay")
    kernels = {
        (): Kernel(
            state=("accumulator", "linear"),
            step=host.step_default,
            update=_update_default,
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
        learning_rate_power=-0.5,
        initial_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        l2_shrinkage_regularization_strength=0.0,
        beta=0.0,
        *,
        clipnorm=None,
        clipvalue=None,
        decay=0.0,
        weight_decay=None,
        **kwargs,
    ):
        super().__init__(
            {
                "learning_rate": learning_rate,
                "learning_rate_power": learning_rate_power,
                "initial_accumulator_value": initial_accumulator_value,
                "l1_regularization_strength": l1_regularization_strength,
                "l2_regularization_strength": l2_regularization_strength,
                "l2_shrinkage_regularization_strength": l2_shrinkage_regularization_strength,
                "beta": beta,
            },
            {},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            weight_decay=weight_decay,
            **kwargs,
        )
