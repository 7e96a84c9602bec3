# generated from specs/adam.yaml by templates/keras/optimizer.py.j2 — do not edit
"""Adam optimizer.

Default parameters follow those provided in the original paper.
"""

import math

from keras import ops

from ..host import adam as host
from ._runtime import Kernel, Optimizer, axis_mean, nan_sign, register


def _update_no_amsgrad(p, g, state, scalars):
    """The new value of one tensor and of its state for amsgrad=False (keras.ops only)."""
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
    _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m
    _stored_v = _c1_one_minus_beta_2 * (g * g) + beta_2 * v
    _new_m = _stored_m
    _new_v = _stored_v
    _new_p = (
        _c2_lr_scale * _stored_m / (ops.sqrt(_stored_v) + epsilon) + _c3_weight_decay_factor * p
    )
    return _new_p, (_new_m, _new_v)


def _update_amsgrad(p, g, state, scalars):
    """The new value of one tensor and of its state for amsgrad=True (keras.ops only)."""
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
    _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m
    _stored_v = _c1_one_minus_beta_2 * (g * g) + beta_2 * v
    _e0 = ops.where(
        ops.logical_or(ops.isnan(_stored_v), ops.greater_equal(_stored_v, vhat)), _stored_v, vhat
    )
    _new_m = _stored_m
    _new_v = _stored_v
    _new_vhat = _e0
    _new_p = _c2_lr_scale * _stored_m / (ops.sqrt(_e0) + epsilon) + _c3_weight_decay_factor * p
    return _new_p, (_new_m, _new_v, _new_vhat)


@register
class Adam(Optimizer):
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

    A ``keras.optimizers.Optimizer``: pass it to ``model.compile(optimizer=...)``. Keras 2.3's
    semantics, as in every backend: ``clipnorm`` is one norm over all gradients and ``decay``
    the inverse-time decay; ``weight_decay``, where the spec takes it, is Keras 3's decoupled
    decay, in the step program. ``learning_rate`` may be a
    ``keras.optimizers.schedules.LearningRateSchedule``. Keras 3's own base-class arguments
    (``name``, ``use_ema``, ``ema_momentum``, ``ema_overwrite_frequency``,
    ``loss_scale_factor``, ``gradient_accumulation_steps``) are passed through as keywords;
    ``global_clipnorm`` is refused (see the runtime).
    """

    keras_name = "adam"
    spec = "specs/adam.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ("amsgrad",)
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay", "weight_decay")
    kernels = {
        (False,): Kernel(
            state=("m", "v"),
            step=host.step_no_amsgrad,
            update=_update_no_amsgrad,
            partials=None,
            global_ops=(),
            global_names=(),
        ),
        (True,): Kernel(
            state=("m", "v", "vhat"),
            step=host.step_no_amsgrad,
            update=_update_amsgrad,
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
        epsilon=1e-07,
        amsgrad=False,
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
            {"amsgrad": amsgrad},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            weight_decay=weight_decay,
            **kwargs,
        )
