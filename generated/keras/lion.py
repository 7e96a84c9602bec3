# generated from specs/lion.yaml by templates/keras/optimizer.py.j2 — do not edit
"""Lion optimizer.

The update is the sign of an interpolation between the momentum and the gradient, so every element moves by exactly the learning rate; it keeps a single momentum buffer.
"""

import math

from keras import ops

from ..host import lion as host
from ._runtime import Kernel, Optimizer, axis_mean, nan_sign, register


def _update_default(p, g, state, scalars):
    """The new value of one tensor and of its state for the defaults (keras.ops only)."""
    (m,) = state
    # _c0_one_minus_beta_2 = 1 - beta_2
    # _c1_minus_lr = -lr
    # _c2_one_minus_beta_1 = 1 - beta_1
    _c0_one_minus_beta_2, _c1_minus_lr, _c2_one_minus_beta_1, beta_1, beta_2, weight_decay = scalars
    _new_m = _c0_one_minus_beta_2 * g + beta_2 * m
    _new_p = _c1_minus_lr * (p * weight_decay + nan_sign(_c2_one_minus_beta_1 * g + beta_1 * m)) + p
    return _new_p, (_new_m,)


@register
class Lion(Optimizer):
    """Lion optimizer.

    The update is the sign of an interpolation between the momentum and the gradient, so every element moves by exactly the learning rate; it keeps a single momentum buffer.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate (typically 3-10 times smaller than for AdamW). Defaults to 0.001.
        beta_1: float, 0 <= beta_1 <= 1. Interpolation factor between momentum and gradient for the update. Defaults to 0.9.
        beta_2: float, 0 <= beta_2 <= 1. Decay factor of the momentum. Defaults to 0.99.
        weight_decay: float, weight_decay >= 0. Decoupled weight decay, multiplied by the learning rate. Defaults to 0.0.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).

    References:
        - Symbolic Discovery of Optimization Algorithms: https://arxiv.org/abs/2302.06675

    Generated from specs/lion.yaml; the update rule is documented there.

    A ``keras.optimizers.Optimizer``: pass it to ``model.compile(optimizer=...)``. Keras 2.3's
    semantics, as in every backend: ``clipnorm`` is one norm over all gradients and ``decay``
    the inverse-time decay; ``weight_decay``, where the spec takes it, is Keras 3's decoupled
    decay, in the step program. ``learning_rate`` may be a
    ``keras.optimizers.schedules.LearningRateSchedule``. Keras 3's own base-class arguments
    (``name``, ``use_ema``, ``ema_momentum``, ``ema_overwrite_frequency``,
    ``loss_scale_factor``, ``gradient_accumulation_steps``) are passed through as keywords;
    ``global_clipnorm`` is refused (see the runtime).
    """

    keras_name = "lion"
    spec = "specs/lion.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay")
    kernels = {
        (): Kernel(
            state=("m",),
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
        beta_2=0.99,
        weight_decay=0.0,
        *,
        clipnorm=None,
        clipvalue=None,
        decay=0.0,
        **kwargs,
    ):
        super().__init__(
            {
                "learning_rate": learning_rate,
                "beta_1": beta_1,
                "beta_2": beta_2,
                "weight_decay": weight_decay,
            },
            {},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            **kwargs,
        )
