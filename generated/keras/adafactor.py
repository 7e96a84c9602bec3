# generated from specs/adafactor.yaml by templates/keras/optimizer.py.j2 — do not edit
"""Optimizer that implements the Adafactor algorithm.

Adafactor is a stochastic optimization method based on Adam that reduces memory usage while retaining the empirical benefits of adaptivity. This is achieved through maintaining a factored representation of the squared gradient accumulator across training steps. More specifically, by tracking moving averages of the row and column sums of the squared gradients for matrices, Adafactor can reconstruct a low-rank approximation of the exponentially smoothed accumulator at each training step.
"""

import math

from keras import ops

from ..host import adafactor as host
from ._runtime import Kernel, Optimizer, axis_mean, nan_sign, register


def _update_no_factored(p, g, state, scalars):
    """The new value of one tensor and of its state for factored=False (keras.ops only)."""
    (v,) = state
    # _c0_one_minus_beta = 1 - beta
    # _c1_minus_rho = -rho
    # _c2_inv_clip_threshold = 1/clip_threshold
    # _c4_weight_decay_factor = -lr*weight_decay + 1
    # _c3__weight_decay_factor_pow_two = _c4_weight_decay_factor**2
    (
        _c0_one_minus_beta,
        _c1_minus_rho,
        _c2_inv_clip_threshold,
        _c4_weight_decay_factor,
        _c3__weight_decay_factor_pow_two,
        beta,
        epsilon_1,
        epsilon_2,
    ) = scalars
    p_squares = ops.sum(_c3__weight_decay_factor_pow_two * (p * p))
    u_squares = ops.sum((g * g) / (_c0_one_minus_beta * (epsilon_1 + g * g) + beta * v))
    elements = (ops.convert_to_tensor(1, dtype=g.dtype)) * ops.cast(ops.size(g), g.dtype)
    _k0_coefficient = (
        _c1_minus_rho
        * ops.where(
            ops.logical_or(
                ops.isnan(epsilon_2), ops.greater_equal(epsilon_2, ops.sqrt(p_squares / elements))
            ),
            epsilon_2,
            ops.sqrt(p_squares / elements),
        )
        / ops.where(
            ops.logical_or(
                ops.isnan(ops.convert_to_tensor(1, dtype=p.dtype)),
                ops.greater_equal(
                    ops.convert_to_tensor(1, dtype=p.dtype),
                    _c2_inv_clip_threshold * ops.sqrt(u_squares / elements),
                ),
            ),
            ops.convert_to_tensor(1, dtype=p.dtype),
            _c2_inv_clip_threshold * ops.sqrt(u_squares / elements),
        )
    )
    _stored_v = _c0_one_minus_beta * (epsilon_1 + g * g) + beta * v
    _new_v = _stored_v
    _new_p = _c4_weight_decay_factor * p + _k0_coefficient * g / ops.sqrt(_stored_v)
    return _new_p, (_new_v,)


def _update_factored(p, g, state, scalars):
    """The new value of one tensor and of its state for factored=True (keras.ops only)."""
    r, c = state
    # _c0_one_minus_beta = 1 - beta
    # _c1_minus_rho = -rho
    # _c2_inv_clip_threshold = 1/clip_threshold
    # _c4_weight_decay_factor = -lr*weight_decay + 1
    # _c3__weight_decay_factor_pow_two = _c4_weight_decay_factor**2
    (
        _c0_one_minus_beta,
        _c1_minus_rho,
        _c2_inv_clip_threshold,
        _c4_weight_decay_factor,
        _c3__weight_decay_factor_pow_two,
        beta,
        epsilon_1,
        epsilon_2,
    ) = scalars
    p_squares = ops.sum(_c3__weight_decay_factor_pow_two * (p * p))
    u_squares = ops.sum(
        (g * g)
        * axis_mean(_c0_one_minus_beta * axis_mean(epsilon_1 + g * g, -1) + beta * r, -2)
        / (
            (_c0_one_minus_beta * axis_mean(epsilon_1 + g * g, -2) + beta * c)
            * (_c0_one_minus_beta * axis_mean(epsilon_1 + g * g, -1) + beta * r)
        )
    )
    elements = (ops.convert_to_tensor(1, dtype=g.dtype)) * ops.cast(ops.size(g), g.dtype)
    _k0_coefficient = (
        _c1_minus_rho
        * ops.where(
            ops.logical_or(
                ops.isnan(epsilon_2), ops.greater_equal(epsilon_2, ops.sqrt(p_squares / elements))
            ),
            epsilon_2,
            ops.sqrt(p_squares / elements),
        )
        / ops.where(
            ops.logical_or(
                ops.isnan(ops.convert_to_tensor(1, dtype=p.dtype)),
                ops.greater_equal(
                    ops.convert_to_tensor(1, dtype=p.dtype),
                    _c2_inv_clip_threshold * ops.sqrt(u_squares / elements),
                ),
            ),
            ops.convert_to_tensor(1, dtype=p.dtype),
            _c2_inv_clip_threshold * ops.sqrt(u_squares / elements),
        )
    )
    _e0 = epsilon_1 + g * g
    _stored_r = _c0_one_minus_beta * axis_mean(_e0, -1) + beta * r
    _stored_c = _c0_one_minus_beta * axis_mean(_e0, -2) + beta * c
    _new_r = _stored_r
    _new_c = _stored_c
    _new_p = _c4_weight_decay_factor * p + _k0_coefficient * g / ops.sqrt(
        _stored_c * _stored_r / axis_mean(_stored_r, -2)
    )
    return _new_p, (_new_r, _new_c)


@register
class Adafactor(Optimizer):
    """Optimizer that implements the Adafactor algorithm.

    Adafactor is a stochastic optimization method based on Adam that reduces memory usage while retaining the empirical benefits of adaptivity. This is achieved through maintaining a factored representation of the squared gradient accumulator across training steps. More specifically, by tracking moving averages of the row and column sums of the squared gradients for matrices, Adafactor can reconstruct a low-rank approximation of the exponentially smoothed accumulator at each training step.

    Args:
        learning_rate: float, learning_rate >= 0. The learning rate. Defaults to 0.001.
        beta_2_decay: float, beta_2_decay <= 0. The decay rate of the second moment's averaging, beta_2 = 1 - t^beta_2_decay. Defaults to -0.8.
        epsilon_1: float, epsilon_1 >= 0. A small offset to keep the denominator away from 0. Defaults to 1e-30.
        epsilon_2: float, epsilon_2 >= 0. A small offset to avoid the learning rate becoming too small over time. Defaults to 0.001.
        clip_threshold: float, clip_threshold > 0. The threshold of the root mean square of the update, above which it is scaled down. Defaults to 1.0.
        relative_step: bool. Keras's cap of the learning rate at 1/sqrt(t), which the step size rho = min(lr, 1/sqrt(t)) applies in either case, so it changes nothing (as in Keras 3). Defaults to True.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Adafactor: Adaptive Learning Rates with Sublinear Memory Cost: https://arxiv.org/abs/1804.04235

    Generated from specs/adafactor.yaml; the update rule is documented there.

    A ``keras.optimizers.Optimizer``: pass it to ``model.compile(optimizer=...)``. Keras 2.3's
    semantics, as in every backend: ``clipnorm`` is one norm over all gradients and ``decay``
    the inverse-time decay; ``weight_decay``, where the spec takes it, is Keras 3's decoupled
    decay, in the step program. ``learning_rate`` may be a
    ``keras.optimizers.schedules.LearningRateSchedule``. Keras 3's own base-class arguments
    (``name``, ``use_ema``, ``ema_momentum``, ``ema_overwrite_frequency``,
    ``loss_scale_factor``, ``gradient_accumulation_steps``) are passed through as keywords;
    ``global_clipnorm`` is refused (see the runtime).
    """

    keras_name = "adafactor"
    spec = "specs/adafactor.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ("relative_step",)
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay", "weight_decay")
    kernels = {
        (False,): Kernel(
            state=("v",),
            step=host.step_no_factored,
            update=_update_no_factored,
            partials=None,
            global_ops=(),
            global_names=(),
        ),
        (True,): Kernel(
            state=("r", "c"),
            step=host.step_no_factored,
            update=_update_factored,
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
        beta_2_decay=-0.8,
        epsilon_1=1e-30,
        epsilon_2=0.001,
        clip_threshold=1.0,
        relative_step=True,
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
                "beta_2_decay": beta_2_decay,
                "epsilon_1": epsilon_1,
                "epsilon_2": epsilon_2,
                "clip_threshold": clip_threshold,
            },
            {"relative_step": relative_step},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            weight_decay=weight_decay,
            **kwargs,
        )
