# generated from specs/adagrad.yaml by templates/numpy/optimizer.py.j2 — do not edit
"""Adagrad optimizer.

Adagrad is an optimizer with parameter-specific learning rates, which are adapted relative to how frequently a parameter gets updated during training. The more updates a parameter receives, the smaller the learning rate.

It is recommended to leave the parameters of this optimizer at their default values.
"""

import math

import numpy as np

from ..host import adagrad as host
from ._runtime import Kernel, Optimizer


def _apply_default(p, g, state, scalars, scratch):
    """Update p and its state in place for the defaults: 8 ufunc passes."""
    (accumulator,) = state
    # _c0_minus_lr = -lr
    # _c1_weight_decay_factor = -lr*weight_decay + 1
    _c0_minus_lr, _c1_weight_decay_factor, epsilon = scalars
    (_s0,) = scratch[:1]
    if _c1_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        np.multiply(p, _c1_weight_decay_factor, out=p)
    np.square(g, out=_s0)
    np.add(accumulator, _s0, out=accumulator)
    np.sqrt(accumulator, out=_s0)
    np.add(_s0, epsilon, out=_s0)
    np.divide(g, _s0, out=_s0)
    np.multiply(_s0, _c0_minus_lr, out=_s0)
    np.add(p, _s0, out=p)


class Adagrad(Optimizer):
    """Adagrad optimizer.

    Adagrad is an optimizer with parameter-specific learning rates, which are adapted relative to how frequently a parameter gets updated during training. The more updates a parameter receives, the smaller the learning rate.

    It is recommended to leave the parameters of this optimizer at their default values.

    Args:
        learning_rate: float, learning_rate >= 0. Initial learning rate. Defaults to 0.01.
        epsilon: float, epsilon >= 0. Fuzz factor. Defaults to 1e-07.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Adaptive Subgradient Methods for Online Learning and Stochastic Optimization: http://www.jmlr.org/papers/volume12/duchi11a/duchi11a.pdf

    Generated from specs/adagrad.yaml; the update rule is documented there.

    ``fused=True`` runs each step in the generated C library (``generated/cuda/adagrad.c``,
    built with gcc on first use) instead of NumPy ufuncs: one pass over memory.

    Assigning a hyperparameter (``learning_rate``, ``epsilon``, ``clipnorm``, ``clipvalue``,
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

    keras_name = "adagrad"
    spec = "specs/adagrad.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay", "weight_decay")
    native_module = "adagrad"
    kernels = {
        (): Kernel(
            state=("accumulator",),
            step=host.step_default,
            apply=_apply_default,
            scratch=1,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_adagrad_default",
            elementwise=True,
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        learning_rate=0.01,
        epsilon=1e-07,
        *,
        clipnorm=None,
        clipvalue=None,
        decay=0.0,
        weight_decay=None,
        fused=False,
    ):
        super().__init__(
            {"learning_rate": learning_rate, "epsilon": epsilon},
            {},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            weight_decay=weight_decay,
            fused=fused,
        )
