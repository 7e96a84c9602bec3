# generated from specs/adam.yaml by templates/numpy/optimizer.py.j2 — do not edit
"""Adam optimizer.

Default parameters follow those provided in the original paper.
"""

import math

import numpy as np

from ..host import adam as host
from ._runtime import Kernel, Optimizer


def _apply_no_amsgrad(p, g, state, scalars, scratch):
    """Update p and its state in place for amsgrad=False: 13 ufunc passes."""
    m, v = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_lr_scale = -lr*sqrt(1 - beta_2**t)/(1 - beta_1**t)
    # _c3_weight_decay_factor = -lr*weight_decay + 1
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_lr_scale,
        _c3_weight_decay_factor,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    (_s0,) = scratch[:1]
    if _c3_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        np.multiply(p, _c3_weight_decay_factor, out=p)
    np.multiply(g, _c0_one_minus_beta_1, out=_s0)
    np.multiply(m, beta_1, out=m)
    np.add(_s0, m, out=m)
    np.square(g, out=_s0)
    np.multiply(_s0, _c1_one_minus_beta_2, out=_s0)
    np.multiply(v, beta_2, out=v)
    np.add(_s0, v, out=v)
    np.sqrt(v, out=_s0)
    np.add(_s0, epsilon, out=_s0)
    np.divide(m, _s0, out=_s0)
    np.multiply(_s0, _c2_lr_scale, out=_s0)
    np.add(p, _s0, out=p)


def _apply_amsgrad(p, g, state, scalars, scratch):
    """Update p and its state in place for amsgrad=True: 14 ufunc passes."""
    m, v, vhat = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_lr_scale = -lr*sqrt(1 - beta_2**t)/(1 - beta_1**t)
    # _c3_weight_decay_factor = -lr*weight_decay + 1
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_lr_scale,
        _c3_weight_decay_factor,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    (_s0,) = scratch[:1]
    if _c3_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        np.multiply(p, _c3_weight_decay_factor, out=p)
    np.multiply(g, _c0_one_minus_beta_1, out=_s0)
    np.multiply(m, beta_1, out=m)
    np.add(_s0, m, out=m)
    np.square(g, out=_s0)
    np.multiply(_s0, _c1_one_minus_beta_2, out=_s0)
    np.multiply(v, beta_2, out=v)
    np.add(_s0, v, out=v)
    np.maximum(v, vhat, out=vhat)
    np.sqrt(vhat, out=_s0)
    np.add(_s0, epsilon, out=_s0)
    np.divide(m, _s0, out=_s0)
    np.multiply(_s0, _c2_lr_scale, out=_s0)
    np.add(p, _s0, out=p)


class Adam(Optimizer):
    """Adam optimizer.

    Default parameters follow those provided in the original paper.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate. Defaults to 0.001.
        beta_1: float, 0 < beta_1 < 1. Generally close to 1. Defaults to 0.9.
        beta_2: float, 0 < beta_2 < 1. Generally close to 1. Defaults to 0.999.
        epsilon: float, epsilon >= 0. Fuzz factor. Defaults to 1e-07.
        amsgrad: bool. Whether to apply the AMSGrad variant of this algorithm from the paper "On the Convergence of Adam and Beyond". Defaults to False.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Adam - A Method for Stochastic Optimization: https://arxiv.org/abs/1412.6980v8
        - On the Convergence of Adam and Beyond: https://openreview.net/forum?id=ryQu7f-RZ

    Generated from specs/adam.yaml; the update rule is documented there.

    ``fused=True`` runs each step in the generated C library (``generated/cuda/adam.c``,
    built with gcc on first use) instead of NumPy ufuncs: one pass over memory.

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

    keras_name = "adam"
    spec = "specs/adam.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ("amsgrad",)
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay", "weight_decay")
    native_module = "adam"
    kernels = {
        (False,): Kernel(
            state=("m", "v"),
            step=host.step_no_amsgrad,
            apply=_apply_no_amsgrad,
            scratch=1,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_adam_no_amsgrad",
            elementwise=True,
        ),
        (True,): Kernel(
            state=("m", "v", "vhat"),
            step=host.step_no_amsgrad,
            apply=_apply_amsgrad,
            scratch=1,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_adam_amsgrad",
            elementwise=True,
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-07,
        amsgrad=False,
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
            {"amsgrad": amsgrad},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            weight_decay=weight_decay,
            fused=fused,
        )
