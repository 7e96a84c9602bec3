# generated from specs/nadam.yaml by templates/numpy/optimizer.py.j2 — do not edit
"""Nesterov Adam optimizer.

Much like Adam is essentially RMSprop with momentum, Nadam is RMSprop with Nesterov momentum.

Default parameters follow those provided in the paper. It is recommended to leave the parameters of this optimizer at their default values.
"""

import math

import numpy as np

from ..host import nadam as host
from ._runtime import Kernel, Optimizer


def _apply_default(p, g, state, scalars, scratch):
    """Update p and its state in place for the defaults: 17 ufunc passes."""
    m, v = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_minus_lr = -lr
    # _c3_inv_one_minus_beta_2_pow_t = 1/(1 - beta_2**t)
    # _c4_coefficient = mu_next/(1 - m_schedule_next)
    # _c5_coefficient = (1 - mu_t)/(1 - m_schedule)
    # _c6_weight_decay_factor = -lr*weight_decay + 1
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_minus_lr,
        _c3_inv_one_minus_beta_2_pow_t,
        _c4_coefficient,
        _c5_coefficient,
        _c6_weight_decay_factor,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    _s0, _s1 = scratch[:2]
    if _c6_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        np.multiply(p, _c6_weight_decay_factor, out=p)
    np.multiply(g, _c0_one_minus_beta_1, out=_s0)
    np.multiply(m, beta_1, out=m)
    np.add(_s0, m, out=m)
    np.square(g, out=_s0)
    np.multiply(_s0, _c1_one_minus_beta_2, out=_s0)
    np.multiply(v, beta_2, out=v)
    np.add(_s0, v, out=v)
    np.multiply(m, _c4_coefficient, out=_s0)
    np.multiply(g, _c5_coefficient, out=_s1)
    np.add(_s0, _s1, out=_s0)
    np.multiply(v, _c3_inv_one_minus_beta_2_pow_t, out=_s1)
    np.sqrt(_s1, out=_s1)
    np.add(_s1, epsilon, out=_s1)
    np.divide(_s0, _s1, out=_s0)
    np.multiply(_s0, _c2_minus_lr, out=_s0)
    np.add(p, _s0, out=p)


class Nadam(Optimizer):
    """Nesterov Adam optimizer.

    Much like Adam is essentially RMSprop with momentum, Nadam is RMSprop with Nesterov momentum.

    Default parameters follow those provided in the paper. It is recommended to leave the parameters of this optimizer at their default values.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate. Defaults to 0.002.
        beta_1: float, 0 < beta_1 < 1. Generally close to 1. Defaults to 0.9.
        beta_2: float, 0 < beta_2 < 1. Generally close to 1. Defaults to 0.999.
        epsilon: float, epsilon >= 0. Fuzz factor. Defaults to 1e-07.
        schedule_decay: float, schedule_decay >= 0. Decay of the momentum schedule. Defaults to 0.004.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Nadam report: http://cs229.stanford.edu/proj2015/054_report.pdf
        - On the importance of initialization and momentum in deep learning: http://www.cs.toronto.edu/~fritz/absps/momentum.pdf

    Generated from specs/nadam.yaml; the update rule is documented there.

    ``fused=True`` runs each step in the generated C library (``generated/cuda/nadam.c``,
    built with gcc on first use) instead of NumPy ufuncs: one pass over memory.

    Assigning a hyperparameter (``learning_rate``, ``beta_1``, ``beta_2``, ``epsilon``,
    ``schedule_decay``, ``clipnorm``, ``clipvalue``, ``weight_decay``) after construction is
    checked against its domain and read by the next step; ``get_config()`` reports it. Flags are
    fixed at construction, and other attributes cannot be set.

    ``learning_rate`` may also be a callable ``schedule(iterations)`` returning a float, where
    ``iterations`` counts the completed steps (0 on the first step, as Keras calls its
    schedules); each step checks its value before anything changes, and ``get_config()`` refuses
    a callable.

    State follows each parameter's position in the list given to the first ``apply_gradients``
    (or ``import_state``): later calls pass as many parameters, with the same shapes and dtypes,
    in the same order (new array objects are fine); another list raises, naming the position,
    before anything changes.
    """

    keras_name = "nadam"
    spec = "specs/nadam.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "weight_decay")
    native_module = "nadam"
    kernels = {
        (): Kernel(
            state=("m", "v"),
            step=host.step_default,
            apply=_apply_default,
            scratch=2,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_nadam_default",
            elementwise=True,
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        learning_rate=0.002,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-07,
        schedule_decay=0.004,
        *,
        clipnorm=None,
        clipvalue=None,
        weight_decay=None,
        fused=False,
    ):
        super().__init__(
            {
                "learning_rate": learning_rate,
                "beta_1": beta_1,
                "beta_2": beta_2,
                "epsilon": epsilon,
                "schedule_decay": schedule_decay,
            },
            {},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            weight_decay=weight_decay,
            fused=fused,
        )
