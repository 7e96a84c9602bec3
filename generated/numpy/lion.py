# generated from specs/lion.yaml by templates/numpy/optimizer.py.j2 — do not edit
"""Lion optimizer.

The update is the sign of an interpolation between the momentum and the gradient, so every element moves by exactly the learning rate; it keeps a single momentum buffer.
"""

import math

import numpy as np

from ..host import lion as host
from ._runtime import Kernel, Optimizer


def _apply_default(p, g, state, scalars, scratch):
    """Update p and its state in place for the defaults: 12 ufunc passes."""
    (m,) = state
    # _c0_one_minus_beta_2 = 1 - beta_2
    # _c1_minus_lr = -lr
    # _c2_one_minus_beta_1 = 1 - beta_1
    _c0_one_minus_beta_2, _c1_minus_lr, _c2_one_minus_beta_1, beta_1, beta_2, weight_decay = scalars
    _s0, _s1, _s2 = scratch[:3]
    np.multiply(g, _c0_one_minus_beta_2, out=_s0)
    np.multiply(m, beta_2, out=_s1)
    np.add(_s0, _s1, out=_s0)
    np.multiply(p, weight_decay, out=_s1)
    np.multiply(g, _c2_one_minus_beta_1, out=_s2)
    np.multiply(m, beta_1, out=m)
    np.add(_s2, m, out=_s2)
    np.sign(_s2, out=_s2)
    np.add(_s1, _s2, out=_s1)
    np.multiply(_s1, _c1_minus_lr, out=_s1)
    np.add(p, _s1, out=p)
    np.copyto(m, _s0)


class Lion(Optimizer):
    """Lion optimizer.

    The update is the sign of an interpolation between the momentum and the gradient, so every element moves by exactly the learning rate; it keeps a single momentum buffer.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate (typically 3-10 times smaller than for AdamW). Defaults to 0.001.
        beta_1: float, 0 <= beta_1 <= 1. Interpolation factor between momentum and gradient for the update. Defaults to 0.9.
        beta_2: float, 0 <= beta_2 <= 1. Decay factor of the momentum. Defaults to 0.99.
        weight_decay: float, weight_decay >= 0. Decoupled weight decay, multiplied by the learning rate. Defaults to 0.0.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).

    References:
        - Symbolic Discovery of Optimization Algorithms: https://arxiv.org/abs/2302.06675

    Generated from specs/lion.yaml; the update rule is documented there.

    ``fused=True`` runs each step in the generated C library (``generated/cuda/lion.c``,
    built with gcc on first use) instead of NumPy ufuncs: one pass over memory.

    Assigning a hyperparameter (``learning_rate``, ``beta_1``, ``beta_2``, ``weight_decay``,
    ``clipnorm``, ``clipvalue``, ``decay``) after construction is checked against its domain and
    read by the next step; ``get_config()`` reports it. Flags are fixed at construction, and
    other attributes cannot be set.

    ``learning_rate`` may also be a callable ``schedule(iterations)`` returning a float, where
    ``iterations`` counts the completed steps (0 on the first step, as Keras calls its
    schedules); each step checks its value before anything changes, ``decay`` applies on top of
    it as in Keras 2.3, and ``get_config()`` refuses a callable.

    State follows each parameter's position in the list given to the first ``apply_gradients``
    (or ``import_state``): later calls pass as many parameters, with the same shapes and dtypes,
    in the same order (new array objects are fine); another list raises, naming the position,
    before anything changes.
    """

    keras_name = "lion"
    spec = "specs/lion.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay")
    native_module = "lion"
    kernels = {
        (): Kernel(
            state=("m",),
            step=host.step_default,
            apply=_apply_default,
            scratch=3,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_lion_default",
            elementwise=True,
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.99,
        weight_decay=0.0,
        *,
        clipnorm=None,
        clipvalue=None,
        decay=0.0,
        fused=False,
    ):
        super().__init__(
            {
                "learning_rate": learning_rate,
                "beta_1": beta_1,
                "beta_2": beta_2,
                "weight_decay": weight_decay,
            },
            {},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            fused=fused,
        )
