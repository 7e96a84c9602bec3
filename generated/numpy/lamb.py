# generated from specs/lamb.yaml by templates/numpy/optimizer.py.j2 — do not edit
"""Optimizer that implements the Lamb algorithm.

Lamb is a stochastic gradient descent method that uses layer-wise adaptive moments to adjust the learning rate for each parameter tensor: Adam's update, scaled by the trust ratio of the norm of the tensor to the norm of its update.
"""

import math

import numpy as np

from ..host import lamb as host
from ._runtime import Kernel, Optimizer


def _apply_default(p, g, state, scalars, scratch):
    """Update p and its state in place for the defaults: 14 ufunc passes."""
    m, v = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_lr_scale = -lr/(1 - beta_1**t)
    # _c3_inv_one_minus_beta_2_pow_t = 1/(1 - beta_2**t)
    # _c6_weight_decay_factor = -lr*weight_decay + 1
    # _c4__weight_decay_factor_pow_two = _c6_weight_decay_factor**2
    # _c5_coefficient = (1 - beta_1**t)**(-2)
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_lr_scale,
        _c3_inv_one_minus_beta_2_pow_t,
        _c6_weight_decay_factor,
        _c4__weight_decay_factor_pow_two,
        _c5_coefficient,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    _s0, _s1, _s2 = scratch[:3]
    if p.size == 0:
        return
    np.square(p, out=_s0)
    np.multiply(_s0, _c4__weight_decay_factor_pow_two, out=_s0)
    w_norm_squared = float(np.sum(_s0, dtype=np.float64))
    np.multiply(g, _c0_one_minus_beta_1, out=_s0)
    np.multiply(m, beta_1, out=_s1)
    np.add(_s0, _s1, out=_s0)
    np.square(_s0, out=_s0)
    np.square(g, out=_s1)
    np.multiply(_s1, _c1_one_minus_beta_2, out=_s1)
    np.multiply(v, beta_2, out=_s2)
    np.add(_s1, _s2, out=_s1)
    np.multiply(_s1, _c3_inv_one_minus_beta_2_pow_t, out=_s1)
    np.sqrt(_s1, out=_s1)
    np.add(_s1, epsilon, out=_s1)
    np.square(_s1, out=_s1)
    np.divide(_s0, _s1, out=_s0)
    np.multiply(_s0, _c5_coefficient, out=_s0)
    u_norm_squared = float(np.sum(_s0, dtype=np.float64))
    _k0_condition = (1) if (u_norm_squared > 0) and (w_norm_squared > 0) else (0)
    _k1_coefficient = _c2_lr_scale * (
        (math.sqrt(w_norm_squared) / math.sqrt(u_norm_squared)) if (_k0_condition != 0) else (1)
    )
    if _c6_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        np.multiply(p, _c6_weight_decay_factor, out=p)
    np.multiply(g, _c0_one_minus_beta_1, out=_s0)
    np.multiply(m, beta_1, out=m)
    np.add(_s0, m, out=m)
    np.square(g, out=_s0)
    np.multiply(_s0, _c1_one_minus_beta_2, out=_s0)
    np.multiply(v, beta_2, out=v)
    np.add(_s0, v, out=v)
    np.multiply(v, _c3_inv_one_minus_beta_2_pow_t, out=_s0)
    np.sqrt(_s0, out=_s0)
    np.add(_s0, epsilon, out=_s0)
    np.divide(m, _s0, out=_s0)
    np.multiply(_s0, _k1_coefficient, out=_s0)
    np.add(p, _s0, out=p)


class Lamb(Optimizer):
    """Optimizer that implements the Lamb algorithm.

    Lamb is a stochastic gradient descent method that uses layer-wise adaptive moments to adjust the learning rate for each parameter tensor: Adam's update, scaled by the trust ratio of the norm of the tensor to the norm of its update.

    Args:
        learning_rate: float, learning_rate >= 0. The learning rate. Defaults to 0.001.
        beta_1: float, 0 < beta_1 < 1. The exponential decay rate for the 1st moment estimates. Defaults to 0.9.
        beta_2: float, 0 < beta_2 < 1. The exponential decay rate for the 2nd moment estimates. Defaults to 0.999.
        epsilon: float, epsilon > 0. A small constant for numerical stability. Defaults to 1e-06.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Large Batch Optimization for Deep Learning - Training BERT in 76 minutes: https://arxiv.org/abs/1904.00962

    Generated from specs/lamb.yaml; the update rule is documented there.

    ``fused=True`` runs each step in the generated C library (``generated/cuda/lamb.c``,
    built with gcc on first use) instead of NumPy ufuncs: two passes over memory (the first for the per-tensor reductions).

    Assigning a hyperparameter (``learning_rate``, ``beta_1``, ``beta_2``, ``epsilon``,
    ``clipnorm``, ``clipvalue``, ``decay``, ``weight_decay``) after construction is checked
    against its domain and read by the next step; ``get_config()`` reports it. Flags are fixed
    at construction, and other attributes cannot be set.

    ``learning_rate`` may also be a callable ``schedule(iterations)`` returning a float, where
    ``iterations`` counts the completed steps (0 on the first step, as Keras calls its
    schedules); each step checks its value before anything changes, ``decay`` applies on top of
    it as in Keras 2.3, and ``get_config()`` refuses a callable.

    State follows each parameter's position in the list given to the first ``apply_gradients``
    (or ``import_state``): later calls pass as many parameters, with the same shapes and dtypes,
    in the same order (new array objects are fine); another list raises, naming the position,
    before anything changes.
    """

    keras_name = "lamb"
    spec = "specs/lamb.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay", "weight_decay")
    native_module = "lamb"
    kernels = {
        (): Kernel(
            state=("m", "v"),
            step=host.step_default,
            apply=_apply_default,
            scratch=3,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_lamb_default",
            elementwise=False,
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-06,
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
                "beta_1": beta_1,
                "beta_2": beta_2,
                "epsilon": epsilon,
            },
            {},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            weight_decay=weight_decay,
            fused=fused,
        )
