# generated from specs/sgd.yaml by templates/numpy/optimizer.py.j2 — do not edit
"""Stochastic gradient descent optimizer.

Includes support for momentum, learning rate decay, and Nesterov momentum.
"""

import math

import numpy as np

from ..host import sgd as host
from ._runtime import Kernel, Optimizer


def _apply_no_nesterov(p, g, state, scalars, scratch):
    """Update p and its state in place for nesterov=False: 5 ufunc passes."""
    (velocity,) = state
    # _c0_minus_lr = -lr
    # _c1_weight_decay_factor = -lr*weight_decay + 1
    _c0_minus_lr, _c1_weight_decay_factor, momentum = scalars
    (_s0,) = scratch[:1]
    if _c1_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        np.multiply(p, _c1_weight_decay_factor, out=p)
    np.multiply(g, _c0_minus_lr, out=_s0)
    np.multiply(velocity, momentum, out=velocity)
    np.add(_s0, velocity, out=velocity)
    np.add(velocity, p, out=p)


def _apply_nesterov(p, g, state, scalars, scratch):
    """Update p and its state in place for nesterov=True: 7 ufunc passes."""
    (velocity,) = state
    # _c0_minus_lr = -lr
    # _c1_weight_decay_factor = -lr*weight_decay + 1
    _c0_minus_lr, _c1_weight_decay_factor, momentum = scalars
    _s0, _s1 = scratch[:2]
    if _c1_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        np.multiply(p, _c1_weight_decay_factor, out=p)
    np.multiply(g, _c0_minus_lr, out=_s0)
    np.multiply(velocity, momentum, out=velocity)
    np.add(_s0, velocity, out=velocity)
    np.add(_s0, p, out=_s0)
    np.multiply(velocity, momentum, out=_s1)
    np.add(_s0, _s1, out=p)


class SGD(Optimizer):
    """Stochastic gradient descent optimizer.

    Includes support for momentum, learning rate decay, and Nesterov momentum.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate. Defaults to 0.01.
        momentum: float, momentum >= 0. Parameter that accelerates SGD in the relevant direction and dampens oscillations. Defaults to 0.0.
        nesterov: bool. Whether to apply Nesterov momentum. Defaults to False.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    Generated from specs/sgd.yaml; the update rule is documented there.

    ``fused=True`` runs each step in the generated C library (``generated/cuda/sgd.c``,
    built with gcc on first use) instead of NumPy ufuncs: one pass over memory.

    Assigning a hyperparameter (``learning_rate``, ``momentum``, ``clipnorm``, ``clipvalue``,
    ``decay``, ``weight_decay``) after construction is checked against its domain and read by
    the next step; ``get_config()`` reports it. Flags are fixed at construction, and other
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

    keras_name = "sgd"
    spec = "specs/sgd.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ("nesterov",)
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay", "weight_decay")
    native_module = "sgd"
    kernels = {
        (False,): Kernel(
            state=("velocity",),
            step=host.step_no_nesterov,
            apply=_apply_no_nesterov,
            scratch=1,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_sgd_no_nesterov",
            elementwise=True,
        ),
        (True,): Kernel(
            state=("velocity",),
            step=host.step_no_nesterov,
            apply=_apply_nesterov,
            scratch=2,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_sgd_nesterov",
            elementwise=True,
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        learning_rate=0.01,
        momentum=0.0,
        nesterov=False,
        *,
        clipnorm=None,
        clipvalue=None,
        decay=0.0,
        weight_decay=None,
        fused=False,
    ):
        super().__init__(
            {"learning_rate": learning_rate, "momentum": momentum},
            {"nesterov": nesterov},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            weight_decay=weight_decay,
            fused=fused,
        )
