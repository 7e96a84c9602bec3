# generated from specs/radam.yaml by templates/numpy/optimizer.py.j2 — do not edit
"""RAdam optimizer.

Adam whose adaptive learning rate is rectified by the variance of its second moment: while that variance is intractable (rho_t <= 5, the first steps), the step is momentum SGD with bias correction.
"""

import math

import numpy as np

from ..host import radam as host
from ._runtime import Kernel, Optimizer


def _apply_default(p, g, state, scalars, scratch):
    """Update p and its state in place for the defaults: 13 ufunc passes."""
    m, v = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_lr_scale = -lr/(1 - beta_1**t)
    # _c3_condition = Piecewise((1, rho_t > 5), (0, True))
    # _c4_coefficient = Piecewise((sqrt(rho_inf*(rho_t - 4)*(rho_t - 2)/(rho_t*(rho_inf - 4)*(rho_inf - 2)))*sqrt(1 - beta_2**t), Ne(_c3_condition, 0)), (0, True))
    # _c5_weight_decay_factor = -lr*weight_decay + 1
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_lr_scale,
        _c3_condition,
        _c4_coefficient,
        _c5_weight_decay_factor,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    (_s0,) = scratch[:1]
    if _c5_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        np.multiply(p, _c5_weight_decay_factor, out=p)
    if _c3_condition != 0:
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
        np.multiply(_s0, _c2_lr_scale * _c4_coefficient, out=_s0)
        np.add(p, _s0, out=p)
    else:
        np.multiply(g, _c0_one_minus_beta_1, out=_s0)
        np.multiply(m, beta_1, out=m)
        np.add(_s0, m, out=m)
        np.square(g, out=_s0)
        np.multiply(_s0, _c1_one_minus_beta_2, out=_s0)
        np.multiply(v, beta_2, out=v)
        np.add(_s0, v, out=v)
        np.multiply(m, _c2_lr_scale, out=_s0)
        np.add(p, _s0, out=p)


class RAdam(Optimizer):
    """RAdam optimizer.

    Adam whose adaptive learning rate is rectified by the variance of its second moment: while that variance is intractable (rho_t <= 5, the first steps), the step is momentum SGD with bias correction.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate. Defaults to 0.001.
        beta_1: float, 0 < beta_1 < 1. Decay of the first moment. Defaults to 0.9.
        beta_2: float, 0 < beta_2 < 1. Decay of the second moment. Defaults to 0.999.
        epsilon: float, epsilon >= 0. Fuzz factor, added to the square root of the second moment. Defaults to 1e-08.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - On the Variance of the Adaptive Learning Rate and Beyond: https://arxiv.org/abs/1908.03265

    Generated from specs/radam.yaml; the update rule is documented there.

    ``fused=True`` runs each step in the generated C library (``generated/cuda/radam.c``,
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

    keras_name = "radam"
    spec = "specs/radam.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay", "weight_decay")
    native_module = "radam"
    kernels = {
        (): Kernel(
            state=("m", "v"),
            step=host.step_default,
            apply=_apply_default,
            scratch=1,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_radam_default",
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
        epsilon=1e-08,
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
