# generated from specs/muon.yaml by templates/keras/optimizer.py.j2 — do not edit
"""Optimizer that implements the Muon algorithm.

Muon updates each matrix with its momentum orthogonalised by a Newton-Schulz iteration: approximately U V^T of the momentum's singular value decomposition U S V^T, scaled so that its root mean square matches Adam's (the Moonlight scaling, rms_rate). Every tensor that is not a matrix (biases, scalars, convolution kernels) takes AdamW's update instead.
"""

import math

from keras import ops

from ..host import muon as host
from ._runtime import Kernel, Optimizer, axis_mean, nan_sign, register


def _matrix_orthogonalize(x, muon_a, muon_b, muon_c, ns_steps):
    """The spec's orthogonalize(): The quintic Newton-Schulz iteration: x scaled to a Frobenius norm of at most 1, then x = a x + (b A + c A A) x with A = x x^T, ns_steps times. Its singular values approach a band around 1; its singular vectors stay those of its argument."""
    _tall = x.shape[-2] > x.shape[-1]
    if _tall:
        x = ops.swapaxes(x, -1, -2)
    x = x / (1e-07 + ops.sqrt(ops.sum(ops.square(x), axis=(-2, -1), keepdims=True)))
    for _ in range(int(ns_steps)):
        gram = x @ ops.swapaxes(x, -1, -2)
        poly = gram * muon_b + ((gram * muon_c) @ gram)
        x = muon_a * x + (poly @ x)
    if _tall:
        x = ops.swapaxes(x, -1, -2)
    return x


def _update_no_muon__no_nesterov(p, g, state, scalars):
    """The new value of one tensor and of its state for muon=False, nesterov=False (keras.ops only)."""
    m, v = state
    # _c0_one_minus_adam_beta_1 = 1 - adam_beta_1
    # _c1_one_minus_adam_beta_2 = 1 - adam_beta_2
    # _c2_lr_scale = -adam_weight_decay*lr
    # _c3_lr_scale = -adam_lr_ratio*lr*sqrt(1 - adam_beta_2**t)/(1 - adam_beta_1**t)
    _c0_one_minus_adam_beta_1, _c1_one_minus_adam_beta_2, _c2_lr_scale, _c3_lr_scale, epsilon = (
        scalars
    )
    _stored_m = _c0_one_minus_adam_beta_1 * (g - m) + m
    _stored_v = _c1_one_minus_adam_beta_2 * (g * g - v) + v
    _new_m = _stored_m
    _new_v = _stored_v
    _new_p = _c2_lr_scale * p + _c3_lr_scale * _stored_m / (ops.sqrt(_stored_v) + epsilon) + p
    return _new_p, (_new_m, _new_v)


def _update_no_muon__nesterov(p, g, state, scalars):
    """The new value of one tensor and of its state for muon=False, nesterov=True (keras.ops only)."""
    m, v = state
    # _c0_one_minus_adam_beta_1 = 1 - adam_beta_1
    # _c1_one_minus_adam_beta_2 = 1 - adam_beta_2
    # _c2_lr_scale = -adam_weight_decay*lr
    # _c3_lr_scale = -adam_lr_ratio*lr*sqrt(1 - adam_beta_2**t)/(1 - adam_beta_1**t)
    _c0_one_minus_adam_beta_1, _c1_one_minus_adam_beta_2, _c2_lr_scale, _c3_lr_scale, epsilon = (
        scalars
    )
    _stored_m = _c0_one_minus_adam_beta_1 * (g - m) + m
    _stored_v = _c1_one_minus_adam_beta_2 * (g * g - v) + v
    _new_m = _stored_m
    _new_v = _stored_v
    _new_p = _c2_lr_scale * p + _c3_lr_scale * _stored_m / (ops.sqrt(_stored_v) + epsilon) + p
    return _new_p, (_new_m, _new_v)


def _update_muon__no_nesterov(p, g, state, scalars):
    """The new value of one tensor and of its state for muon=True, nesterov=False (keras.ops only)."""
    (m,) = state
    # _c0_minus_one_plus_momentum = momentum - 1
    # _c1_minus_lr_times_weight_decay = -lr*weight_decay
    # _c2_minus_lr_times_rms_rate = -lr*rms_rate
    (
        _c0_minus_one_plus_momentum,
        _c1_minus_lr_times_weight_decay,
        _c2_minus_lr_times_rms_rate,
        muon_a,
        muon_b,
        muon_c,
        ns_steps,
    ) = scalars
    rows = g.shape[-2]
    columns = g.shape[-1]
    _k0_coefficient = _c2_minus_lr_times_rms_rate * (
        math.sqrt(max((columns, rows), key=lambda _x: (_x != _x, _x)))
    )
    _stored_m = _c0_minus_one_plus_momentum * m + g + m
    _new_m = _stored_m
    _new_p = (
        _c1_minus_lr_times_weight_decay * p
        + _k0_coefficient * _matrix_orthogonalize(_stored_m, muon_a, muon_b, muon_c, ns_steps)
        + p
    )
    return _new_p, (_new_m,)


def _update_muon__nesterov(p, g, state, scalars):
    """The new value of one tensor and of its state for muon=True, nesterov=True (keras.ops only)."""
    (m,) = state
    # _c0_minus_one_plus_momentum = momentum - 1
    # _c1_minus_lr_times_weight_decay = -lr*weight_decay
    # _c2_minus_lr_times_rms_rate = -lr*rms_rate
    (
        _c0_minus_one_plus_momentum,
        _c1_minus_lr_times_weight_decay,
        _c2_minus_lr_times_rms_rate,
        momentum,
        muon_a,
        muon_b,
        muon_c,
        ns_steps,
    ) = scalars
    rows = g.shape[-2]
    columns = g.shape[-1]
    _k0_coefficient = _c2_minus_lr_times_rms_rate * (
        math.sqrt(max((columns, rows), key=lambda _x: (_x != _x, _x)))
    )
    _stored_m = _c0_minus_one_plus_momentum * m + g + m
    _new_m = _stored_m
    _new_p = (
        _c1_minus_lr_times_weight_decay * p
        + _k0_coefficient
        * _matrix_orthogonalize(_stored_m * momentum + g, muon_a, muon_b, muon_c, ns_steps)
        + p
    )
    return _new_p, (_new_m,)


@register
class Muon(Optimizer):
    """Optimizer that implements the Muon algorithm.

    Muon updates each matrix with its momentum orthogonalised by a Newton-Schulz iteration: approximately U V^T of the momentum's singular value decomposition U S V^T, scaled so that its root mean square matches Adam's (the Moonlight scaling, rms_rate). Every tensor that is not a matrix (biases, scalars, convolution kernels) takes AdamW's update instead.

    Args:
        learning_rate: float, learning_rate >= 0. The learning rate (of Muon's matrices; AdamW's is this times adam_lr_ratio). Defaults to 0.001.
        adam_beta_1: float, 0 < adam_beta_1 < 1. The exponential decay rate for AdamW's 1st moment estimates. Defaults to 0.9.
        adam_beta_2: float, 0 < adam_beta_2 < 1. The exponential decay rate for AdamW's 2nd moment estimates. Defaults to 0.999.
        epsilon: float, epsilon > 0. A small constant for numerical stability in AdamW's update. Defaults to 1e-07.
        adam_weight_decay: float, adam_weight_decay >= 0. The decoupled weight decay of the tensors AdamW updates (0 disables it). Defaults to 0.004.
        weight_decay: float, weight_decay >= 0. The decoupled weight decay of the matrices Muon updates (0 disables it). Defaults to 0.004.
        momentum: float, 0 <= momentum < 1. The momentum of Muon's internal SGD. Defaults to 0.95.
        ns_steps: float, 0 <= ns_steps <= 100, a whole number. The number of Newton-Schulz iterations. Defaults to 5.0.
        nesterov: bool. Whether Muon orthogonalises Nesterov's look-ahead g + momentum*m instead of m. Defaults to True.
        rms_rate: float, rms_rate >= 0. The root mean square Muon's update is scaled to, times sqrt(max(rows, columns)) (Moonlight's scaling). Defaults to 0.2.
        muon_a: float. The coefficient a of the quintic Newton-Schulz iteration. Defaults to 3.4445.
        muon_b: float. The coefficient b of the quintic Newton-Schulz iteration. Defaults to -4.775.
        muon_c: float. The coefficient c of the quintic Newton-Schulz iteration. Defaults to 2.0315.
        adam_lr_ratio: float, adam_lr_ratio >= 0. The ratio of AdamW's learning rate to Muon's. Defaults to 1.0.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).

    References:
        - Muon: An optimizer for hidden layers in neural networks: https://kellerjordan.github.io/posts/muon/
        - Muon is Scalable for LLM Training: https://arxiv.org/abs/2502.16982

    Generated from specs/muon.yaml; the update rule is documented there.

    A ``keras.optimizers.Optimizer``: pass it to ``model.compile(optimizer=...)``. Keras 2.3's
    semantics, as in every backend: ``clipnorm`` is one norm over all gradients and ``decay``
    the inverse-time decay; ``weight_decay``, where the spec takes it, is Keras 3's decoupled
    decay, in the step program. ``learning_rate`` may be a
    ``keras.optimizers.schedules.LearningRateSchedule``. Keras 3's own base-class arguments
    (``name``, ``use_ema``, ``ema_momentum``, ``ema_overwrite_frequency``,
    ``loss_scale_factor``, ``gradient_accumulation_steps``) are passed through as keywords;
    ``global_clipnorm`` is refused (see the runtime).
    """

    keras_name = "muon"
    spec = "specs/muon.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ("nesterov",)
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay")
    kernels = {
        (False, False): Kernel(
            state=("m", "v"),
            step=host.step_no_muon__no_nesterov,
            update=_update_no_muon__no_nesterov,
            partials=None,
            global_ops=(),
            global_names=(),
        ),
        (False, True): Kernel(
            state=("m", "v"),
            step=host.step_no_muon__no_nesterov,
            update=_update_no_muon__nesterov,
            partials=None,
            global_ops=(),
            global_names=(),
        ),
        (True, False): Kernel(
            state=("m",),
            step=host.step_muon__no_nesterov,
            update=_update_muon__no_nesterov,
            partials=None,
            global_ops=(),
            global_names=(),
        ),
        (True, True): Kernel(
            state=("m",),
            step=host.step_muon__nesterov,
            update=_update_muon__nesterov,
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
        adam_beta_1=0.9,
        adam_beta_2=0.999,
        epsilon=1e-07,
        adam_weight_decay=0.004,
        weight_decay=0.004,
        momentum=0.95,
        ns_steps=5.0,
        nesterov=True,
        rms_rate=0.2,
        muon_a=3.4445,
        muon_b=-4.775,
        muon_c=2.0315,
        adam_lr_ratio=1.0,
        *,
        clipnorm=None,
        clipvalue=None,
        decay=0.0,
        **kwargs,
    ):
        super().__init__(
            {
                "learning_rate": learning_rate,
                "adam_beta_1": adam_beta_1,
                "adam_beta_2": adam_beta_2,
                "epsilon": epsilon,
                "adam_weight_decay": adam_weight_decay,
                "weight_decay": weight_decay,
                "momentum": momentum,
                "ns_steps": ns_steps,
                "rms_rate": rms_rate,
                "muon_a": muon_a,
                "muon_b": muon_b,
                "muon_c": muon_c,
                "adam_lr_ratio": adam_lr_ratio,
            },
            {"nesterov": nesterov},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            **kwargs,
        )
