# generated from specs/nadam.yaml by templates/keras/optimizer.py.j2 — do not edit
"""Nesterov Adam optimizer.

Much like Adam is essentially RMSprop with momentum, Nadam is RMSprop with Nesterov momentum.

Default parameters follow those provided in the paper. It is recommended to leave the parameters of this optimizer at their default values.
"""

import math

from keras import ops

from ..host import nadam as host
from ._runtime import Kernel, Optimizer, axis_mean, nan_sign, register


def _update_default(p, g, state, scalars):
    """The new value of one tensor and of its state for the defaults (keras.ops only)."""
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
    _stored_m = _c0_one_minus_beta_1 * g + beta_1 * m
    _stored_v = _c1_one_minus_beta_2 * (g * g) + beta_2 * v
    _new_m = _stored_m
    _new_v = _stored_v
    _new_p = (
        _c2_minus_lr
        * (_c4_coefficient * _stored_m + _c5_coefficient * g)
        / (epsilon + ops.sqrt(_c3_inv_one_minus_beta_2_pow_t * _stored_v))
        + _c6_weight_decay_factor * p
    )
    return _new_p, (_new_m, _new_v)


@register
class Nadam(Optimizer):
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

    A ``keras.optimizers.Optimizer``: pass it to ``model.compile(optimizer=...)``. Keras 2.3's
    semantics, as in every backend: ``clipnorm`` is one norm over all gradients and ``decay``
    the inverse-time decay; ``weight_decay``, where the spec takes it, is Keras 3's decoupled
    decay, in the step program. ``learning_rate`` may be a
    ``keras.optimizers.schedules.LearningRateSchedule``. Keras 3's own base-class arguments
    (``name``, ``use_ema``, ``ema_momentum``, ``ema_overwrite_frequency``,
    ``loss_scale_factor``, ``gradient_accumulation_steps``) are passed through as keywords;
    ``global_clipnorm`` is refused (see the runtime).
    """

    keras_name = "nadam"
    spec = "specs/nadam.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "weight_decay")
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
        learning_rate=0.002,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-07,
        schedule_decay=0.004,
        *,
        clipnorm=None,
        clipvalue=None,
        weight_decay=None,
        **kwargs,
    ):
        super().__init__(
            {
                "learning_rate": learning_rate,
                "beta_1": beta_1,
                "beta_2": beta_2,
                "epsilon": epsilon,
                "schedule_decay": schedule_decay,
            },
            {},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            weight_decay=weight_decay,
            **kwargs,
        )
