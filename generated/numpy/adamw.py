# generated from specs/adamw.yaml by templates/numpy/optimizer.py.j2 — do not edit
"""Adam with decoupled weight decay.

The weight decay shrinks the parameters by lr*weight_decay each step, separately from the adaptive gradient step, as in Loshchilov and Hutter.
"""

import math

import numpy as np

from ..host import adamw as host
from ._runtime import Kernel, Optimizer


def _apply_no_amsgrad(p, g, state, scalars, scratch):
    """Update p and its state in place for amsgrad=False: 14 ufunc passes."""
    m, v = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_minus_lr_times_weight_decay = -lr*weight_decay
    # _c3_lr_scale = -lr*sqrt(1 - beta_2**t)/(1 - beta_1**t)
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_minus_lr_times_weight_decay,
        _c3_lr_scale,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    (_s0,) = scratch[:1]
    np.multiply(g, _c0_one_minus_beta_1, out=_s0)
    np.multiply(m, beta_1, out=m)
    np.add(_s0, m, out=m)
    np.square(g, out=_s0)
    np.multiply(_s0, _c1_one_minus_beta_2, out=_s0)
    np.multiply(v, beta_2, out=v)
    np.add(_s0, v, out=v)
    np.multiply(p, _c2_minus_lr_times_weight_decay, out=_s0)
    np.add(p, _s0, out=p)
    np.sqrt(v, out=_s0)
    np.add(_s0, epsilon, out=_s0)
    np.divide(m, _s0, out=_s0)
    np.multiply(_s0, _c3_lr_scale, out=_s0)
    np.add(p, _s0, out=p)


def _apply_amsgrad(p, g, state, scalars, scratch):
    """Update p and its state in place for amsgrad=True: 15 ufunc passes."""
    m, v, vhat = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_minus_lr_times_weight_decay = -lr*weight_decay
    # _c3_lr_scale = -lr*sqrt(1 - beta_2**t)/(1 - beta_1**t)
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_minus_lr_times_weight_decay,
        _c3_lr_scale,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    (_s0,) = scratch[:1]
    np.multiply(g, _c0_one_minus_beta_1, out=_s0)
    np.multiply(m, beta_1, out=m)
    np.add(_s0, m, out=m)
    np.square(g, out=_s0)
    np.multiply(_s0, _c1_one_minus_beta_2, out=_s0)
    np.multiply(v, beta_2, out=v)
    np.add(_s0, v, out=v)
    np.maximum(v, vhat, out=vhat)
    np.multiply(p, _c2_minus_lr_times_weight_decay, out=_s0)
    np.add(p, _s0, out=p)
    np.sqrt(vhat, out=_s0)
    np.add(_s0, epsilon, out=_s0)
    np.divide(m, _s0, out=_s0)
    np.multiply(_s0, _c3_lr_scale, out=_s0)
    np.add(p, _s0, out=p)


class AdamW(Optimizer):
    """Adam with decoupled weight decay.

    The weight decay shrinks the parameters by lr*weight_decay each step, separately from the adaptive gradient step, as in Loshchilov and Hutter.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate. Defaults to 0.001.
        weight_decay: float, weight_decay >= 0. Decoupled weight decay, multiplied by the learning rate. Defaults to 0.004.
        beta_1: float, 0 < beta_1 < 1. Generally close to 1. Defaults to 0.9.
        beta_2: float, 0 < beta_2 < 1. Generally close to 1. Defaults to 0.999.
        epsilon: float, epsilon >= 0. Fuzz factor. Defaults to 1e-07.
        amsgrad: bool. Whether to apply the AMSGrad variant. Defaults to False.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).

    References:
        - Decoupled Weight Decay Regularization: https://arxiv.org/abs/1711.05101

    Generated from specs/adamw.yaml; the update rule is documented there.

    ``fused=True`` runs each step in the generated C library (``generated/cuda/adamw.c``,
    built with gcc on first use) instead of NumPy ufuncs: one pass over memory.

    Assigning a hyperparameter (``learning_rate``, ``weight_decay``, ``beta_1``, ``beta_2``,
    ``epsilon``, ``clipnorm``, ``clipvalue``, ``decay``) after construction is checked against
    its domain and read by the next step; ``get_config()`` reports it. Flags are fixed at
    construction, and other attributes cannot be set.

    ``learning_rate`` may also be a callable ``schedule(iterations)`` returning a float, where
    ``iterations`` counts the completed steps (0 on the first step, as Keras calls its
    schedules); each step checks its value before anything changes, ``decay`` applies on top of
    it as in Keras 2.3, and ``get_config()`` refuses a callable.

    State follows each parameter's position in the list given to the first ``apply_gradients``
    (or ``import_state``): later calls pass as many parameters, with the same shapes and dtypes,
    in the same order (new array objects are fine); another list raises, naming the position,
    before anything changes.
    """

    keras_name = "adamw"
    spec = "specs/adamw.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ("amsgrad",)
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay")
    native_module = "adamw"
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
            native="ocg_adamw_no_amsgrad",
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
            native="ocg_adamw_amsgrad",
            elementwise=True,
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        learning_rate=0.001,
        weight_decay=0.004,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-07,
        amsgrad=False,
        *,
        clipnorm=None,
        clipvalue=None,
        decay=0.0,
        fused=False,
    ):
        super().__init__(
            {
                "learning_rate": learning_rate,
                "weight_decay": weight_decay,
                "beta_1": beta_1,
                "beta_2": beta_2,
                "epsilon": epsilon,
            },
            {"amsgrad": amsgrad},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            fused=fused,
        )
