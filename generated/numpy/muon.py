# generated from specs/muon.yaml by templates/numpy/optimizer.py.j2 — do not edit
"""Optimizer that implements the Muon algorithm.

Muon updates each matrix with its momentum orthogonalised by a Newton-Schulz iteration: approximately U V^T of the momentum's singular value decomposition U S V^T, scaled so that its root mean square matches Adam's (the Moonlight scaling, rms_rate). Every tensor that is not a matrix (biases, scalars, convolution kernels) takes AdamW's update instead.
"""

import math

import numpy as np

from ..host import muon as host
from ._runtime import Kernel, Optimizer


def _matrix_orthogonalize(x, muon_a, muon_b, muon_c, ns_steps):
    """The spec's orthogonalize(): The quintic Newton-Schulz iteration: x scaled to a Frobenius norm of at most 1, then x = a x + (b A + c A A) x with A = x x^T, ns_steps times. Its singular values approach a band around 1; its singular vectors stay those of its argument."""
    _tall = x.shape[-2] > x.shape[-1]
    if _tall:
        x = np.swapaxes(x, -1, -2)
    x = x / (1e-07 + np.sqrt(np.sum(np.square(x), axis=(-2, -1), keepdims=True)))
    for _ in range(int(ns_steps)):
        gram = x @ np.swapaxes(x, -1, -2)
        poly = gram * muon_b + ((gram * muon_c) @ gram)
        x = muon_a * x + (poly @ x)
    if _tall:
        x = np.swapaxes(x, -1, -2)
    return x


def _apply_no_muon__no_nesterov(p, g, state, scalars, scratch):
    """Update p and its state in place for muon=False, nesterov=False: 14 ufunc passes."""
    m, v = state
    # _c0_one_minus_adam_beta_1 = 1 - adam_beta_1
    # _c1_one_minus_adam_beta_2 = 1 - adam_beta_2
    # _c2_lr_scale = -adam_weight_decay*lr
    # _c3_lr_scale = -adam_lr_ratio*lr*sqrt(1 - adam_beta_2**t)/(1 - adam_beta_1**t)
    _c0_one_minus_adam_beta_1, _c1_one_minus_adam_beta_2, _c2_lr_scale, _c3_lr_scale, epsilon = (
        scalars
    )
    (_s0,) = scratch[:1]
    np.subtract(g, m, out=_s0)
    np.multiply(_s0, _c0_one_minus_adam_beta_1, out=_s0)
    np.add(m, _s0, out=m)
    np.square(g, out=_s0)
    np.subtract(_s0, v, out=_s0)
    np.multiply(_s0, _c1_one_minus_adam_beta_2, out=_s0)
    np.add(v, _s0, out=v)
    np.multiply(p, _c2_lr_scale, out=_s0)
    np.add(p, _s0, out=p)
    np.sqrt(v, out=_s0)
    np.add(_s0, epsilon, out=_s0)
    np.divide(m, _s0, out=_s0)
    np.multiply(_s0, _c3_lr_scale, out=_s0)
    np.add(p, _s0, out=p)


def _apply_no_muon__nesterov(p, g, state, scalars, scratch):
    """Update p and its state in place for muon=False, nesterov=True: 14 ufunc passes."""
    m, v = state
    # _c0_one_minus_adam_beta_1 = 1 - adam_beta_1
    # _c1_one_minus_adam_beta_2 = 1 - adam_beta_2
    # _c2_lr_scale = -adam_weight_decay*lr
    # _c3_lr_scale = -adam_lr_ratio*lr*sqrt(1 - adam_beta_2**t)/(1 - adam_beta_1**t)
    _c0_one_minus_adam_beta_1, _c1_one_minus_adam_beta_2, _c2_lr_scale, _c3_lr_scale, epsilon = (
        scalars
    )
    (_s0,) = scratch[:1]
    np.subtract(g, m, out=_s0)
    np.multiply(_s0, _c0_one_minus_adam_beta_1, out=_s0)
    np.add(m, _s0, out=m)
    np.square(g, out=_s0)
    np.subtract(_s0, v, out=_s0)
    np.multiply(_s0, _c1_one_minus_adam_beta_2, out=_s0)
    np.add(v, _s0, out=v)
    np.multiply(p, _c2_lr_scale, out=_s0)
    np.add(p, _s0, out=p)
    np.sqrt(v, out=_s0)
    np.add(_s0, epsilon, out=_s0)
    np.divide(m, _s0, out=_s0)
    np.multiply(_s0, _c3_lr_scale, out=_s0)
    np.add(p, _s0, out=p)


def _apply_muon__no_nesterov(p, g, state, scalars, scratch):
    """Update p and its state in place for muon=True, nesterov=False: 8 ufunc passes."""
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
    (_s0,) = scratch[:1]
    rows = p.shape[-2]
    columns = p.shape[-1]
    _k0_coefficient = _c2_minus_lr_times_rms_rate * math.sqrt(
        max((columns, rows), key=lambda _x: (_x != _x, _x))
    )
    np.add(g, m, out=_s0)
    np.multiply(m, _c0_minus_one_plus_momentum, out=m)
    np.add(_s0, m, out=m)
    np.multiply(p, _c1_minus_lr_times_weight_decay, out=_s0)
    np.add(p, _s0, out=p)
    np.copyto(_s0, _matrix_orthogonalize(m, muon_a, muon_b, muon_c, ns_steps))
    np.multiply(_s0, _k0_coefficient, out=_s0)
    np.add(p, _s0, out=p)


def _apply_muon__nesterov(p, g, state, scalars, scratch):
    """Update p and its state in place for muon=True, nesterov=True: 10 ufunc passes."""
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
    (_s0,) = scratch[:1]
    rows = p.shape[-2]
    columns = p.shape[-1]
    _k0_coefficient = _c2_minus_lr_times_rms_rate * math.sqrt(
        max((columns, rows), key=lambda _x: (_x != _x, _x))
    )
    np.add(g, m, out=_s0)
    np.multiply(m, _c0_minus_one_plus_momentum, out=m)
    np.add(_s0, m, out=m)
    np.multiply(p, _c1_minus_lr_times_weight_decay, out=_s0)
    np.add(p, _s0, out=p)
    np.multiply(m, momentum, out=_s0)
    np.add(g, _s0, out=_s0)
    np.copyto(_s0, _matrix_orthogonalize(_s0, muon_a, muon_b, muon_c, ns_steps))
    np.multiply(_s0, _k0_coefficient, out=_s0)
    np.add(p, _s0, out=p)


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

    ``fused=True`` runs each step in the generated C library (``generated/cuda/muon.c``,
    built with gcc on first use) instead of NumPy ufuncs: one pass over memory; a rule of matrix functions runs as array code (torch's matrix products).

    Assigning a hyperparameter (``learning_rate``, ``adam_beta_1``, ``adam_beta_2``,
    ``epsilon``, ``adam_weight_decay``, ``weight_decay``, ``momentum``, ``ns_steps``,
    ``rms_rate``, ``muon_a``, ``muon_b``, ``muon_c``, ``adam_lr_ratio``, ``clipnorm``,
    ``clipvalue``, ``decay``) after construction is checked against its domain and read by the
    next step; ``get_config()`` reports it. Flags are fixed at construction, and other
    attributes cannot be set.

    ``learning_rate`` may also be a callable ``schedule(iterations)`` returning a float, where
    ``iterations`` counts the completed steps (0 on the first step, as Keras calls its
    schedules); each step checks its value before anything changes, ``decay`` applies on top of
    it as in Keras 2.3, and ``get_config()`` refuses a callable.

    State follows each parameter's position in the list given to the first ``apply_gradients``
    (or ``import_state``): later calls pass as many parameters, with the same shapes and dtypes,
    in the same order (new array objects are fine); another list raises, naming the position,
    before anything changes.
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
    native_module = "muon"
    kernels = {
        (False, False): Kernel(
            state=("m", "v"),
            step=host.step_no_muon__no_nesterov,
            apply=_apply_no_muon__no_nesterov,
            scratch=1,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_muon_no_muon__no_nesterov",
            elementwise=True,
        ),
        (False, True): Kernel(
            state=("m", "v"),
            step=host.step_no_muon__no_nesterov,
            apply=_apply_no_muon__nesterov,
            scratch=1,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_muon_no_muon__no_nesterov",
            elementwise=True,
        ),
        (True, False): Kernel(
            state=("m",),
            step=host.step_muon__no_nesterov,
            apply=_apply_muon__no_nesterov,
            scratch=1,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native=None,
            elementwise=False,
        ),
        (True, True): Kernel(
            state=("m",),
            step=host.step_muon__nesterov,
            apply=_apply_muon__nesterov,
            scratch=1,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native=None,
            elementwise=False,
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
        fused=False,
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
            fused=fused,
        )
