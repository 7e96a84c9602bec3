# generated from specs/adadelta.yaml by templates/keras/optimizer.py.j2 — do not edit
"""Adadelta optimizer.

Adadelta is a more robust extension of Adagrad that adapts learning rates based on a moving window of gradient updates, instead of accumulating all past gradients. This way, Adadelta continues learning even when many updates have been done. Compared to Adagrad, in the original version of Adadelta you don't have to set an initial learning rate. In this version, initial learning rate and decay factor can be set, as in most other Keras optimizers.

It is recommended to leave the parameters of this optimizer at their default values.
"""

import math

from keras import ops

from ..host import adadelta as host
from ._runtime import Kernel, Optimizer, axis_mean, nan_sign, register


def _update_default(p, g, state, scalars):
    """The new value of one tensor and of its state for the defaults (keras.ops only)."""
    accumulator, delta_accumulator = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho = scalars
    _stored_accumulator = _c0_one_minus_rho * (g * g) + accumulator * rho
    delta = g * ops.sqrt(delta_accumulator + epsilon) / ops.sqrt(_stored_accumulator + epsilon)
    _new_accumulator = _stored_accumulator
    _new_delta_accumulator = _c0_one_minus_rho * (delta * delta) + delta_accumulator * rho
    _new_p = _c1_minus_lr * delta + _c2_weight_decay_factor * p
    return _new_p, (_new_accumulator, _new_delta_accumulator)


@register
class Adadelta(Optimizer):
    """Adadelta optimizer.

    Adadelta is a more robust extension of Adagrad that adapts learning rates based on a moving window of gradient updates, instead of accumulating all past gradients. This way, Adadelta continues learning even when many updates have been done. Compared to Adagrad, in the original version of Adadelta you don't have to set an initial learning rate. In this version, initial learning rate and decay factor can be set, as in most other Keras optimizers.

    It is recommended to leave the parameters of this optimizer at their default values.

    Args:
        learning_rate: float, learning_rate >= 0. Initial learning rate, defaults to 1. It is recommended to leave it at the default value. Defaults to 1.0.
        rho: float, rho >= 0. Adadelta decay factor, corresponding to fraction of gradient to keep at each time step. Defaults to 0.95.
        epsilon: float, epsilon >= 0. Fuzz factor. Defaults to 1e-07.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Adadelta - an adaptive learning rate method: https://arxiv.org/abs/1212.5701

    Generated from specs/adadelta.yaml; the update rule is documented there.

    A ``keras.optimizers.Optimizer``: pass it to ``model.compile(optimizer=...)``. Keras 2.3's
    semantics, as in every backend: ``clipnorm`` is one norm over all gradients and ``decay``
    the inverse-time decay; ``weight_decay``, where the spec takes it, is Keras 3's decoupled
    decay, in the step program. ``learning_rate`` may be a
    ``keras.optimizers.schedules.LearningRateSchedule``. Keras 3's own base-class arguments
    (``name``, ``use_ema``, ``ema_momentum``, ``ema_overwrite_frequency``,
    ``loss_scale_factor``, ``gradient_accumulation_steps``) are passed through as keywords;
    ``global_clipnorm`` is refused (see the runtime).
    """

    keras_name = "adadelta"
    spec = "specs/adadelta.yaml"
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
            state=("accumulator", "delta_accumulator"),
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
        learning_rate=1.0,
        rho=0.95,
        epsilon=1e-07,
        *,
        clipnorm=None,
        clipvalue=None,
        decay=0.0,
        weight_decay=None,
        **kwargs,
    ):
        super().__init__(
            {"learning_rate": learning_rate, "rho": rho, "epsilon": epsilon},
            {},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            weight_decay=weight_decay,
            **kwargs,
        )
