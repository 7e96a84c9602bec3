# generated from specs/lamb.yaml by templates/keras/optimizer.py.j2 — do not edit
"""Optimizer that implements the Lamb algorithm.

Lamb is a stochastic gradient descent method that uses layer-wise adaptive moments to adjust the learning rate for each parameter tensor: Adam's update, scaled by the trust ratio of the norm of the tensor to the norm of its update.
"""

import math

from keras import ops

from ..host import lamb as host
from ._runtime import Kernel, Optimizer, axis_mean, nan_sign, register


def _update_default(p, g, state, scalars):
    """The new value of one tensor and of its state for the defaults (keras.ops only)."""
    m, v = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_lr_scale = -lr/(1 - beta_1**t)
    # _c3_inv_one_minus_beta_2_pow_t = 1/(1 - beta_2**t)
    # _c6_weight_decay_factor = -lr*weight_decay + 1
    # _c4__weight_decay_factor_pow_two = _c6_weight_decay_factor**2
    # _c5_coefficient = (1 - beta_1**t)**(-2)
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_lr_scale,
        _c3_inv_one_minus_beta_2_pow_t,
        _c6_weight_decay_factor,
        _c4__weight_decay_factor_pow_two,
        _c5_coefficient,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    w_norm_squared = ops.sum(_c4__weight_decay_factor_pow_two * (p * p))
    u_norm_squared = ops.sum(
        _c5_coefficient
        * ((_c0_one_minus_beta_1 * g + beta_1 * m) * (_c0_one_minus_beta_1 * g + beta_1 * m))
        / (
            (
                epsilon
                + ops.sqrt(
                    _c3_inv_one_minus_beta_2_pow_t * (_c1_one_minus_beta_2 * (g * g) + beta_2 * v)
                )
            )
            * (
                epsilon
                + ops.sqrt(
                    _c3_inv_one_minus_beta_2_pow_t * (_c1_one_minus_beta_2 * (g * g) + beta_2 * v)
                )
            )
        )
    )
    _k0_condition = ops.where(
        ops.logical_and(
            ops.greater(u_norm_squared, ops.convert_to_tensor(0, dtype=p.dtype)),
            ops.greater(w_norm_squared, ops.convert_to_tensor(0, dtype=p.dtype)),
        ),
        ops.convert_to_tensor(1, dtype=p.dtype),
        ops.convert_to_tensor(0, dtype=p.dtype),
    )
    _k1_coefficient = _c2_lr_scale * ops.where(
        ops.not_equal(_k0_condition, ops.convert_to_tensor(0, dtype=p.dtype)),
        ops.convert_to_tensor(ops.sqrt(w_norm_squared) / ops.sqrt(u_norm_squared), dtype=p.dtype),
        ops.convert_to_tensor(1, dtype=p.dtype),
    )
    _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m
    _stored_v = _c1_one_minus_beta_2 * (g * g) + beta_2 * v
    _new_m = _stored_m
    _new_v = _stored_v
    _new_p = _c6_weight_decay_factor * p + _k1_coefficient * _stored_m / (
        epsilon + ops.sqrt(_c3_inv_one_minus_beta_2_pow_t * _stored_v)
    )
    return _new_p, (_new_m, _new_v)


@register
class Lamb(Optimizer):
    """Optimizer that implements the Lamb algorithm.

    Lamb is a stochastic gradient descent method that uses layer-wise adaptive moments to adjust the learning rate for each parameter tensor: Adam's update, scaled by the trust ratio of the norm of the tensor to the norm of its update.

    Args:
        learning_rate: float, learning_rate >= 0. The learning rate. Defaults to 0.001.
        beta_1: float, 0 < beta_1 < 1. The exponential decay rate for the 1st moment estimates. Defaults to 0.9.
        beta_2: float, 0 < beta_2 < 1. The exponential decay rate for the 2nd moment estimates. Defaults to 0.999.
        epsilon: float, epsilon > 0. A small constant for numerical stability. Defaults to 1e-06.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Large Batch Optimization for Deep Learning - Training BERT in 76 minutes: https://arxiv.org/abs/1904.00962

    Generated from specs/lamb.yaml; the update rule is documented there.

    A ``keras.optimizers.Optimizer``: pass it to ``model.compile(optimizer=...)``. Keras 2.3's
    semantics, as in every backend: ``clipnorm`` is one norm over all gradients and ``decay``
    the inverse-time decay; ``weight_decay``, where the spec takes it, is Keras 3's decoupled
    decay, in the step program. ``learning_rate`` may be a
    ``keras.optimizers.schedules.LearningRateSchedule``. Keras 3's own base-class arguments
    (``name``, ``use_ema``, ``ema_momentum``, ``ema_overwrite_frequency``,
    ``loss_scale_factor``, ``gradient_accumulation_steps``) are passed through as keywords;
    ``global_clipnorm`` is refused (see the runtime).
    """

    keras_name = "lamb"
    spec = "specs/lamb.yaml"
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
            state=("m", "v"),
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
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-06,
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
                "beta_1": beta_1,
                "beta_2": beta_2,
                "epsilon": epsilon,
            },
            {},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            weight_decay=weight_decay,
            **kwargs,
        )
