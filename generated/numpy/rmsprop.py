# generated from specs/rmsprop.yaml by templates/numpy/optimizer.py.j2 — do not edit
"""RMSProp optimizer.

It is recommended to leave the parameters of this optimizer at their default values (except the learning rate, which can be freely tuned).
"""

import math

import numpy as np

from ..host import rmsprop as host
from ._runtime import Kernel, Optimizer


def _apply_no_centered__no_momentum_on(p, g, state, scalars, scratch):
    """Update p and its state in place for centered=False, momentum_on=False: 10 ufunc passes."""
    (accumulator,) = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho = scalars
    (_s0,) = scratch[:1]
    if _c2_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        np.multiply(p, _c2_weight_decay_factor, out=p)
    np.square(g, out=_s0)
    np.multiply(_s0, _c0_one_minus_rho, out=_s0)
    np.multiply(accumulator, rho, out=accumulator)
    np.add(_s0, accumulator, out=accumulator)
    np.sqrt(accumulator, out=_s0)
    np.add(_s0, epsilon, out=_s0)
    np.divide(g, _s0, out=_s0)
    np.multiply(_s0, _c1_minus_lr, out=_s0)
    np.add(p, _s0, out=p)


def _apply_no_centered__momentum_on(p, g, state, scalars, scratch):
    """Update p and its state in place for centered=False, momentum_on=True: 12 ufunc passes."""
    accumulator, momentum_buffer = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, momentum, rho = scalars
    (_s0,) = scratch[:1]
    if _c2_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        np.multiply(p, _c2_weight_decay_factor, out=p)
    np.square(g, out=_s0)
    np.multiply(_s0, _c0_one_minus_rho, out=_s0)
    np.multiply(accumulator, rho, out=accumulator)
    np.add(_s0, accumulator, out=accumulator)
    np.sqrt(accumulator, out=_s0)
    np.add(_s0, epsilon, out=_s0)
    np.divide(g, _s0, out=_s0)
    np.multiply(momentum_buffer, momentum, out=momentum_buffer)
    np.add(_s0, momentum_buffer, out=momentum_buffer)
    np.multiply(momentum_buffer, _c1_minus_lr, out=_s0)
    np.add(p, _s0, out=p)


def _apply_centered__no_momentum_on(p, g, state, scalars, scratch):
    """Update p and its state in place for centered=True, momentum_on=False: 15 ufunc passes."""
    accumulator, mean_gradient = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho = scalars
    (_s0,) = scratch[:1]
    if _c2_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        np.multiply(p, _c2_weight_decay_factor, out=p)
    np.square(g, out=_s0)
    np.multiply(_s0, _c0_one_minus_rho, out=_s0)
    np.multiply(accumulator, rho, out=accumulator)
    np.add(_s0, accumulator, out=accumulator)
    np.multiply(g, _c0_one_minus_rho, out=_s0)
    np.multiply(mean_gradient, rho, out=mean_gradient)
    np.add(_s0, mean_gradient, out=mean_gradient)
    np.square(mean_gradient, out=_s0)
    np.subtract(accumulator, _s0, out=_s0)
    np.sqrt(_s0, out=_s0)
    np.add(_s0, epsilon, out=_s0)
    np.divide(g, _s0, out=_s0)
    np.multiply(_s0, _c1_minus_lr, out=_s0)
    np.add(p, _s0, out=p)


def _apply_centered__momentum_on(p, g, state, scalars, scratch):
    """Update p and its state in place for centered=True, momentum_on=True: 17 ufunc passes."""
    accumulator, mean_gradient, momentum_buffer = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, momentum, rho = scalars
    (_s0,) = scratch[:1]
    if _c2_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        np.multiply(p, _c2_weight_decay_factor, out=p)
    np.square(g, out=_s0)
    np.multiply(_s0, _c0_one_minus_rho, out=_s0)
    np.multiply(accumulator, rho, out=accumulator)
    np.add(_s0, accumulator, out=accumulator)
    np.multiply(g, _c0_one_minus_rho, out=_s0)
    np.multiply(mean_gradient, rho, out=mean_gradient)
    np.add(_s0, mean_gradient, out=mean_gradient)
    np.square(mean_gradient, out=_s0)
    np.subtract(accumulator, _s0, out=_s0)
    np.sqrt(_s0, out=_s0)
    np.add(_s0, epsilon, out=_s0)
    np.divide(g, _s0, out=_s0)
    np.multiply(momentum_buffer, momentum, out=momentum_buffer)
    np.add(_s0, momentum_buffer, out=momentum_buffer)
    np.multiply(momentum_buffer, _c1_minus_lr, out=_s0)
    np.add(p, _s0, out=p)


class RMSprop(Optimizer):
    """RMSProp optimizer.

    It is recommended to leave the parameters of this optimizer at their default values (except the learning rate, which can be freely tuned).

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate. Defaults to 0.001.
        rho: float, rho >= 0. Decay factor of the moving average of squared gradients. Defaults to 0.9.
        epsilon: float, epsilon >= 0. Fuzz factor. Defaults to 1e-07.
        momentum: float, momentum >= 0. Momentum of the scaled gradient; 0 keeps no momentum buffer. Defaults to 0.0.
        centered: bool. Whether to divide by the gradient's estimated variance rather than its second moment. Defaults to False.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - rmsprop: Divide the gradient by a running average of its recent magnitude: http://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf
        - Generating Sequences With Recurrent Neural Networks (centered RMSprop, eq. 38-41): https://arxiv.org/abs/1308.0850

    Generated from specs/rmsprop.yaml; the update rule is documented there.

    ``fused=True`` runs each step in the generated C library (``generated/cuda/rmsprop.c``,
    built with gcc on first use) instead of NumPy ufuncs: one pass over memory.

    Assigning a hyperparameter (``learning_rate``, ``rho``, ``epsilon``, ``momentum``,
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

    keras_name = "rmsprop"
    spec = "specs/rmsprop.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ("centered",)
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay", "weight_decay")
    native_module = "rmsprop"
    kernels = {
        (False, False): Kernel(
            state=("accumulator",),
            step=host.step_no_centered__no_momentum_on,
            apply=_apply_no_centered__no_momentum_on,
            scratch=1,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_rmsprop_no_centered__no_momentum_on",
            elementwise=True,
        ),
        (False, True): Kernel(
            state=("accumulator", "momentum_buffer"),
            step=host.step_no_centered__momentum_on,
            apply=_apply_no_centered__momentum_on,
            scratch=1,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_rmsprop_no_centered__momentum_on",
            elementwise=True,
        ),
        (True, False): Kernel(
            state=("accumulator", "mean_gradient"),
            step=host.step_no_centered__no_momentum_on,
            apply=_apply_centered__no_momentum_on,
            scratch=1,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_rmsprop_centered__no_momentum_on",
            elementwise=True,
        ),
        (True, True): Kernel(
            state=("accumulator", "mean_gradient", "momentum_buffer"),
            step=host.step_no_centered__momentum_on,
            apply=_apply_centered__momentum_on,
            scratch=1,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_rmsprop_centered__momentum_on",
            elementwise=True,
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.9,
        epsilon=1e-07,
        momentum=0.0,
        centered=False,
        *,
        clipnorm=None,
        clipvalue=None,
        decay=0.0,
        weight_decay=None,
        fused=False,
    ):
        super().__init__(
            {"learning_rate": learning_rate, "rho": rho, "epsilon": epsilon, "momentum": momentum},
            {"centered": centered},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            weight_decay=weight_decay,
            fused=fused,
        )
