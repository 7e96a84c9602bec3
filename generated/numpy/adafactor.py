# generated from specs/adafactor.yaml by templates/numpy/optimizer.py.j2 — do not edit
"""Optimizer that implements the Adafactor algorithm.

Adafactor is a stochastic optimization method based on Adam that reduces memory usage while retaining the empirical benefits of adaptivity. This is achieved through maintaining a factored representation of the squared gradient accumulator across training steps. More specifically, by tracking moving averages of the row and column sums of the squared gradients for matrices, Adafactor can reconstruct a low-rank approximation of the exponentially smoothed accumulator at each training step.
"""

import math

import numpy as np

from ..host import adafactor as host
from ._runtime import Kernel, Optimizer


def _apply_no_factored(p, g, state, scalars, scratch):
    """Update p and its state in place for factored=False: 10 ufunc passes."""
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
    _s0, _s1, _s2 = scratch[:3]
    if p.size == 0:
        return
    np.square(p, out=_s0)
    np.multiply(_s0, _c3__weight_decay_factor_pow_two, out=_s0)
    p_squares = float(np.sum(_s0, dtype=np.float64))
    np.square(g, out=_s0)
    np.add(_s0, epsilon_1, out=_s1)
    np.multiply(_s1, _c0_one_minus_beta, out=_s1)
    np.multiply(v, beta, out=_s2)
    np.add(_s1, _s2, out=_s1)
    np.divide(_s0, _s1, out=_s0)
    u_squares = float(np.sum(_s0, dtype=np.float64))
    elements = float(1) * p.size
    _k0_coefficient = (
        _c1_minus_rho
        * max((epsilon_2, math.sqrt(p_squares / elements)), key=lambda _x: (_x != _x, _x))
        / max(
            (1, _c2_inv_clip_threshold * math.sqrt(u_squares / elements)),
            key=lambda _x: (_x != _x, _x),
        )
    )
    if _c4_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        np.multiply(p, _c4_weight_decay_factor, out=p)
    np.square(g, out=_s0)
    np.add(_s0, epsilon_1, out=_s0)
    np.multiply(_s0, _c0_one_minus_beta, out=_s0)
    np.multiply(v, beta, out=v)
    np.add(_s0, v, out=v)
    np.sqrt(v, out=_s0)
    np.divide(g, _s0, out=_s0)
    np.multiply(_s0, _k0_coefficient, out=_s0)
    np.add(p, _s0, out=p)


def _apply_factored(p, g, state, scalars, scratch):
    """Update p and its state in place for factored=True: 18 ufunc passes."""
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
    _s0, _s1 = scratch[:2]
    _sc0 = np.empty(p.shape[:-2] + (1,) + p.shape[-1:], dtype=p.dtype)
    _sc1 = np.empty(p.shape[:-2] + (1,) + p.shape[-1:], dtype=p.dtype)
    _sm0 = np.empty(p.shape[:-2] + (1, 1), dtype=p.dtype)
    _sr0 = np.empty(p.shape[:-1] + (1,), dtype=p.dtype)
    _sr1 = np.empty(p.shape[:-1] + (1,), dtype=p.dtype)
    if p.size == 0:
        return
    np.square(p, out=_s0)
    np.multiply(_s0, _c3__weight_decay_factor_pow_two, out=_s0)
    p_squares = float(np.sum(_s0, dtype=np.float64))
    np.square(g, out=_s0)
    np.add(_s0, epsilon_1, out=_s1)
    np.mean(_s1, axis=-1, keepdims=True, out=_sr0)
    np.multiply(_sr0, _c0_one_minus_beta, out=_sr0)
    np.multiply(r, beta, out=_sr1)
    np.add(_sr0, _sr1, out=_sr0)
    np.mean(_sr0, axis=-2, keepdims=True, out=_sm0)
    np.multiply(_s0, _sm0, out=_s0)
    np.mean(_s1, axis=-2, keepdims=True, out=_sc0)
    np.multiply(_sc0, _c0_one_minus_beta, out=_sc0)
    np.multiply(c, beta, out=_sc1)
    np.add(_sc0, _sc1, out=_sc0)
    np.multiply(_sc0, _sr0, out=_s1)
    np.divide(_s0, _s1, out=_s0)
    u_squares = float(np.sum(_s0, dtype=np.float64))
    elements = float(1) * p.size
    _k0_coefficient = (
        _c1_minus_rho
        * max((epsilon_2, math.sqrt(p_squares / elements)), key=lambda _x: (_x != _x, _x))
        / max(
            (1, _c2_inv_clip_threshold * math.sqrt(u_squares / elements)),
            key=lambda _x: (_x != _x, _x),
        )
    )
    if _c4_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        np.multiply(p, _c4_weight_decay_factor, out=p)
    np.square(g, out=_s0)
    np.add(_s0, epsilon_1, out=_s0)
    np.mean(_s0, axis=-1, keepdims=True, out=_sr0)
    np.multiply(_sr0, _c0_one_minus_beta, out=_sr0)
    np.multiply(r, beta, out=r)
    np.add(_sr0, r, out=r)
    np.mean(_s0, axis=-2, keepdims=True, out=_sc0)
    np.multiply(_sc0, _c0_one_minus_beta, out=_sc0)
    np.multiply(c, beta, out=c)
    np.add(_sc0, c, out=c)
    np.multiply(c, r, out=_s0)
    np.mean(r, axis=-2, keepdims=True, out=_sm0)
    np.divide(_s0, _sm0, out=_s0)
    np.sqrt(_s0, out=_s0)
    np.divide(g, _s0, out=_s0)
    np.multiply(_s0, _k0_coefficient, out=_s0)
    np.add(p, _s0, out=p)


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

    ``fused=True`` runs each step in the generated C library (``generated/cuda/adafactor.c``,
    built with gcc on first use) instead of NumPy ufuncs: two passes over memory (the first for the per-tensor reductions); the rule of row or column means (a matrix's) in 3 passes over memory, one tensor a call (a launch per pass on CUDA), the values of one per row or column computed between them.

    Assigning a hyperparameter (``learning_rate``, ``beta_2_decay``, ``epsilon_1``,
    ``epsilon_2``, ``clip_threshold``, ``clipnorm``, ``clipvalue``, ``decay``, ``weight_decay``)
    after construction is checked against its domain and read by the next step; ``get_config()``
    reports it. Flags are fixed at construction, and other attributes cannot be set.

    ``learning_rate`` may also be a callable ``schedule(iterations)`` returning a float, where
    ``iterations`` counts the completed steps (0 on the first step, as Keras calls its
    schedules); each step checks its value before anything changes, ``decay`` applies on top of
    it as in Keras 2.3, and ``get_config()`` refuses a callable.

    State follows each parameter's position in the list given to the first ``apply_gradients``
    (or ``import_state``): later calls pass as many parameters, with the same shapes and dtypes,
    in the same order (new array objects are fine); another list raises, naming the position,
    before anything changes.
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
    native_module = "adafactor"
    kernels = {
        (False,): Kernel(
            state=("v",),
            step=host.step_no_factored,
            apply=_apply_no_factored,
            scratch=3,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_adafactor_no_factored",
            elementwise=False,
        ),
        (True,): Kernel(
            state=("r", "c"),
            step=host.step_no_factored,
            apply=_apply_factored,
            scratch=2,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native=None,
            staged="ocg_adafactor_factored",
            elementwise=False,
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
        fused=False,
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
            fused=fused,
        )
