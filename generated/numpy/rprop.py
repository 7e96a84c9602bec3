# generated from specs/rprop.yaml by templates/numpy/optimizer.py.j2 — do not edit
"""Rprop optimizer.

Resilient backpropagation: each element has its own step size, which grows by eta_plus while the gradient keeps its sign and shrinks by eta_minus when the sign flips; the update moves by the step size against the sign of the gradient, ignoring its magnitude. Meant for full-batch training.
"""

import math

import numpy as np

from ..host import rprop as host
from ._runtime import Kernel, Optimizer


def _apply_default(p, g, state, scalars, scratch):
    """Update p and its state in place for the defaults: 13 ufunc passes."""
    prev, step_size = state
    # _c0_weight_decay_factor = -lr*weight_decay + 1
    _c0_weight_decay_factor, eta_minus, eta_plus, step_size_max, step_size_min = scalars
    (_s0,) = scratch[:1]
    _m0, _m1 = scratch[2:]
    if _c0_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        np.multiply(p, _c0_weight_decay_factor, out=p)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        np.multiply(g, prev, out=_s0)
        np.greater(_s0, 0, out=_m0)
        np.less(_s0, 0, out=_m1)
        np.copyto(prev, g)
        np.copyto(prev, 0, where=_m1)
        np.copyto(_s0, 1)
        np.copyto(_s0, eta_minus, where=_m1)
        np.copyto(_s0, eta_plus, where=_m0)
        np.multiply(step_size, _s0, out=step_size)
        np.maximum(step_size, step_size_min, out=step_size)
        np.minimum(step_size, step_size_max, out=step_size)
        np.sign(prev, out=_s0)
        np.multiply(step_size, _s0, out=_s0)
        np.subtract(p, _s0, out=p)


class Rprop(Optimizer):
    """Rprop optimizer.

    Resilient backpropagation: each element has its own step size, which grows by eta_plus while the gradient keeps its sign and shrinks by eta_minus when the sign flips; the update moves by the step size against the sign of the gradient, ignoring its magnitude. Meant for full-batch training.

    Args:
        learning_rate: float, learning_rate >= 0. Initial step size of every element. Defaults to 0.01.
        eta_minus: float, 0 < eta_minus < 1. Factor of the step size when the gradient changes sign. Defaults to 0.5.
        eta_plus: float, eta_plus > 1. Factor of the step size while the gradient keeps its sign. Defaults to 1.2.
        step_size_min: float, step_size_min >= 0. Smallest step size. Defaults to 1e-06.
        step_size_max: float, step_size_max > 0. Largest step size. Defaults to 50.0.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - A direct adaptive method for faster backpropagation learning: the RPROP algorithm: https://doi.org/10.1109/ICNN.1993.298623

    Generated from specs/rprop.yaml; the update rule is documented there.

    ``fused=True`` runs each step in the generated C library (``generated/cuda/rprop.c``,
    built with gcc on first use) instead of NumPy ufuncs: one pass over memory.

    Assigning a hyperparameter (``learning_rate``, ``eta_minus``, ``eta_plus``,
    ``step_size_min``, ``step_size_max``, ``clipnorm``, ``clipvalue``, ``weight_decay``) after
    construction is checked against its domain and read by the next step; ``get_config()``
    reports it. Flags are fixed at construction, and other attributes cannot be set.

    ``learning_rate`` may also be a callable ``schedule(iterations)`` returning a float, where
    ``iterations`` counts the completed steps (0 on the first step, as Keras calls its
    schedules); each step checks its value before anything changes, and ``get_config()`` refuses
    a callable.

    State follows each parameter's position in the list given to the first ``apply_gradients``
    (or ``import_state``): later calls pass as many parameters, with the same shapes and dtypes,
    in the same order (new array objects are fine); another list raises, naming the position,
    before anything changes.
    """

    keras_name = "rprop"
    spec = "specs/rprop.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "weight_decay")
    native_module = "rprop"
    kernels = {
        (): Kernel(
            state=("prev", "step_size"),
            step=host.step_default,
            apply=_apply_default,
            scratch=1,
            masks=2,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_rprop_default",
            elementwise=True,
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        learning_rate=0.01,
        eta_minus=0.5,
        eta_plus=1.2,
        step_size_min=1e-06,
        step_size_max=50.0,
        *,
        clipnorm=None,
        clipvalue=None,
        weight_decay=None,
        fused=False,
    ):
        super().__init__(
            {
                "learning_rate": learning_rate,
                "eta_minus": eta_minus,
                "eta_plus": eta_plus,
                "step_size_min": step_size_min,
                "step_size_max": step_size_max,
            },
            {},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            weight_decay=weight_decay,
            fused=fused,
        )
