# generated from specs/adamax.yaml by templates/keras/optimizer.py.j2 — do not edit
"""Adamax optimizer from Adam paper's Section 7.

It is a variant of Adam based on the infinity norm. Default parameters follow those provided in the paper.
"""

import math

from keras import ops

from ..host import adamax as host
from ._runtime import Kernel, Optimizer, axis_mean, nan_sign, register


def _update_default(p, g, state, scalars):
    """The new value of one tensor and of its state for the defaults (keras.ops only)."""
    m, u = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_lr_scale = -lr/(1 - beta_1**t)
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_beta_1, _c1_lr_scale, _c2_weight_decay_factor, beta_1, beta_2, epsilon = scalars
    _e0 = ops.where(
        ops.logical_or(ops.isnan(ops.abs(g)), ops.greater_equal(ops.abs(g), beta_2 * u)),
        ops.abs(g),
        beta_2 * u,
    )
    _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m
    _new_m = _stored_m
    _new_u = _e0
    _new_p = _c1_lr_scale * _stored_m / (_e0 + epsilon) + _c2_weight_decay_factor * p
    return _new_p, (_new_m, _new_u)


@register
class Adamax(Optimizer):
    """Adamax optimizer from Adam paper's Section 7.

    It is a variant of Adam based on the infinity norm. Default parameters follow those provided in the paper.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate. Defaults to 0.002.
        beta_1: float, 0 < beta_1 < 1. Generally close to 1. Defaults to 0.9.
        beta_2: float, 0 < beta_2 < 1. Generally close to 1. Defaults to 0.999.
        epsilon: float, epsilon >= 0. Fuzz factor. Defaults to 1e-07.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Adam - A Method for Stochastic Optimization: https://arxiv.org/abs/1412.6980v8

    Generated from specs/adamax.yaml; the update rule is documented there.

    A ``keras.optimizers.Optimizer``: pass it to ``model.compile(optimizer=...)``. Keras 2.3's
    semantics, as in every backend: ``clipnorm`` is one norm over all gradients and ``decay``
    the inverse-time decay; ``weight_decay``, where the spec takes it, is Keras 3's decoupled
    decay, in the step program. ``learning_rate`` may be a
    ``keras.optimizers.schedules.LearningRateSchedule``. Keras 3's own base-class arguments
    (``name``, ``use_ema``, ``ema_momentum``, ``ema_overwrite_frequency``,
    ``loss_scale_factor``, ``gradient_accumulation_steps``) are passed through as keywords;
    ``global_clipnorm`` is refused (see the runtime).
    """

    keras_name = "adamax"
    spec = "specs/adamax.yaml"
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
            state=("m", "u"),
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
        learning_rate=0.002,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-07,
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
