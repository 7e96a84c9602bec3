# generated from specs/rprop.yaml by templates/keras/optimizer.py.j2 — do not edit
"""Rprop optimizer.

Resilient backpropagation: each element has its own step size, which grows by eta_plus while the gradient keeps its sign and shrinks by eta_minus when the sign flips; the update moves by the step size against the sign of the gradient, ignoring its magnitude. Meant for full-batch training.
"""

import math

from keras import ops

from ..host import rprop as host
from ._runtime import Kernel, Optimizer, axis_mean, nan_sign, register


def _update_default(p, g, state, scalars):
    """The new value of one tensor and of its state for the defaults (keras.ops only)."""
    prev, step_size = state
    # _c0_weight_decay_factor = -lr*weight_decay + 1
    _c0_weight_decay_factor, eta_minus, eta_plus, step_size_max, step_size_min = scalars
    _m0 = ops.greater(g * prev, ops.convert_to_tensor(0, dtype=p.dtype))
    _m1 = ops.less(g * prev, ops.convert_to_tensor(0, dtype=p.dtype))
    _e0 = ops.where(
        _m1, ops.convert_to_tensor(0, dtype=p.dtype), ops.convert_to_tensor(g, dtype=p.dtype)
    )
    _e1 = ops.where(
        ops.logical_or(
            ops.isnan(step_size_max),
            ops.less_equal(
                step_size_max,
                ops.where(
                    ops.logical_or(
                        ops.isnan(step_size_min),
                        ops.greater_equal(
                            step_size_min,
                            step_size
                            * ops.where(
                                _m0,
                                ops.convert_to_tensor(eta_plus, dtype=p.dtype),
                                ops.convert_to_tensor(
                                    ops.where(
                                        _m1,
                                        ops.convert_to_tensor(eta_minus, dtype=p.dtype),
                                        ops.convert_to_tensor(1, dtype=p.dtype),
                                    ),
                                    dtype=p.dtype,
                                ),
                            ),
                        ),
                    ),
                    step_size_min,
                    step_size
                    * ops.where(
                        _m0,
                        ops.convert_to_tensor(eta_plus, dtype=p.dtype),
                        ops.convert_to_tensor(
                            ops.where(
                                _m1,
                                ops.convert_to_tensor(eta_minus, dtype=p.dtype),
                                ops.convert_to_tensor(1, dtype=p.dtype),
                            ),
                            dtype=p.dtype,
                        ),
                    ),
                ),
            ),
        ),
        step_size_max,
        ops.where(
            ops.logical_or(
                ops.isnan(step_size_min),
                ops.greater_equal(
                    step_size_min,
                    step_size
                    * ops.where(
                        _m0,
                        ops.convert_to_tensor(eta_plus, dtype=p.dtype),
                        ops.convert_to_tensor(
                            ops.where(
                                _m1,
                                ops.convert_to_tensor(eta_minus, dtype=p.dtype),
                                ops.convert_to_tensor(1, dtype=p.dtype),
                            ),
                            dtype=p.dtype,
                        ),
                    ),
                ),
            ),
            step_size_min,
            step_size
            * ops.where(
                _m0,
                ops.convert_to_tensor(eta_plus, dtype=p.dtype),
                ops.convert_to_tensor(
                    ops.where(
                        _m1,
                        ops.convert_to_tensor(eta_minus, dtype=p.dtype),
                        ops.convert_to_tensor(1, dtype=p.dtype),
                    ),
                    dtype=p.dtype,
                ),
            ),
        ),
    )
    _new_prev = _e0
    _new_step_size = _e1
    _new_p = _c0_weight_decay_factor * p - _e1 * nan_sign(_e0)
    return _new_p, (_new_prev, _new_step_size)


@register
class Rprop(Optimizer):
    """Rprop optimizer.

    Resilient backpropagation: each element has its own step size, which grows by eta_plus while the gradient keeps its sign and shrinks by eta_minus when the sign flips; the update moves by the step size against the sign of the gradient, ignoring its magnitude. Meant for full-batch training.

    Args:
        learning_rate: float, learning_rate >= 0. Initial step size of every element. Defaults to 0.01.
        eta_minus: float, 0 < eta_minus < 1. Factor of the step size when the gradient changes sign. Defaults to 0.5.
        eta_plus: float, eta_plus > 1. Factor of the step size while the gradient keeps its sign. Defaults to 1.2.
        step_size_min: float, step_size_min >= 0. Smallest step size. Defaults to 1e-06.
        step_size_max: float, step_size_max > 0. Largest step size. Defaults to 50.0.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - A direct adaptive method for faster backpropagation learning: the RPROP algorithm: https://doi.org/10.1109/ICNN.1993.298623

    Generated from specs/rprop.yaml; the update rule is documented there.

    A ``keras.optimizers.Optimizer``: pass it to ``model.compile(optimizer=...)``. Keras 2.3's
    semantics, as in every backend: ``clipnorm`` is one norm over all gradients and ``decay``
    the inverse-time decay; ``weight_decay``, where the spec takes it, is Keras 3's decoupled
    decay, in the step program. ``learning_rate`` may be a
    ``keras.optimizers.schedules.LearningRateSchedule``. Keras 3's own base-class arguments
    (``name``, ``use_ema``, ``ema_momentum``, ``ema_overwrite_frequency``,
    ``loss_scale_factor``, ``gradient_accumulation_steps``) are passed through as keywords;
    ``global_clipnorm`` is refused (see the runtime).
    """

    keras_name = "rprop"
    spec = "specs/rprop.yaml"
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
            state=("prev", "step_size"),
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
        learning_rate=0.01,
        eta_minus=0.5,
        eta_plus=1.2,
        step_size_min=1e-06,
        step_size_max=50.0,
        *,
        clipnorm=None,
        clipvalue=None,
        weight_decay=None,
        **kwargs,
    ):
        super().__init__(
            {
                "learning_rate": learning_rate,
                "eta_minus": eta_minus,
                "eta_plus": eta_plus,
                "step_size_min": step_size_min,
                "step_size_max": step_size_max,
            },
            {},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            weight_decay=weight_decay,
            **kwargs,
        )
