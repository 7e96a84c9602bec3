# generated from specs/adadelta.yaml by templates/numpy/optimizer.py.j2 — do not edit
"""Adadelta optimizer.

Adadelta is a more robust extension of Adagrad that adapts learning rates based on a moving window of gradient updates, instead of accumulating all past gradients. This way, Adadelta continues learning even when many updates have been done. Compared to Adagrad, in the original version of Adadelta you don't have to set an initial learning rate. In this version, initial learning rate and decay factor can be set, as in most other Keras optimizers.

It is recommended to leave the parameters of this optimizer at their default values.
"""

import math

import numpy as np

from ..host import adadelta as host
from ._runtime import Kernel, Optimizer


def _apply_default(p, g, state, scalars, scratch):
    """Update p and its state in place for the defaults: 17 ufunc passes."""
    accumulator, delta_accumulator = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho = scalars
    _s0, _s1 = scratch[:2]
    if _c2_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        np.multiply(p, _c2_weight_decay_factor, out=p)
    np.square(g, out=_s0)
    np.multiply(_s0, _c0_one_minus_rho, out=_s0)
    np.multiply(accumulator, rho, out=accumulator)
    np.add(_s0, accumulator, out=accumulator)
    np.add(delta_accumulator, epsilon, out=_s0)
    np.sqrt(_s0, out=_s0)
    np.multiply(g, _s0, out=_s0)
    np.add(accumulator, epsilon, out=_s1)
    np.sqrt(_s1, out=_s1)
    np.divide(_s0, _s1, out=_s0)
    np.square(_s0, out=_s1)
    np.multiply(_s1, _c0_one_minus_rho, out=_s1)
    np.multiply(delta_accumulator, rho, out=delta_accumulator)
    np.add(_s1, delta_accumulator, out=delta_accumulator)
    np.multiply(_s0, _c1_minus_lr, out=_s0)
    np.add(p, _s0, out=p)


class Adadelta(Optimizer):
    """Adadelta optimizer.

    Adadelta is a more robust extension of Adagrad that adapts learning rates based on a moving window of gradient updates, instead of accumulating all past gradients. This way, Adadelta continues learning even when many updates have been done. Compared to Adagrad, in the original version of Adadelta you don't have to set an initial learning rate. In this version, initial learning rate and decay factor can be set, as in most other Keras optimizers.

    It is recommended to leave the parameters of this optimizer at their default values.

    Args:
        learning_rate: float, learning_rate >= 0. Initial learning rate, defaults to 1. It is recommended to leave it at the default value. Defaults to 1.0.
        rho: float, rho >= 0. Adadelta decay factor, corresponding to fraction of gradient to keep at each time step. Defaults to 0.95.
        epsilon: float, epsilon >= 0. Fuzz factor. Defaults to 1e-07.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Adadelta - an adaptive learning rate method: https://arxiv.org/abs/1212.5701

    Generated from specs/adadelta.yaml; the update rule is documented there.

    ``fused=True`` runs each step in the generated C library (``generated/cuda/adadelta.c``,
    built with gcc on first use) instead of NumPy ufuncs: one pass over memory.

    Assigning a hyperparameter (``learning_rate``, ``rho``, ``epsilon``, ``clipnorm``,
    ``clipvalue``, ``decay``, ``weight_decay``) after construction is checked against its domain
    and read by the next step; ``get_config()`` reports it. Flags are fixed at construction, and
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

    keras_name = "adadelta"
    spec = "specs/adadelta.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay", "weight_decay")
    native_module = "adadelta"
    kernels = {
        (): Kernel(
            state=("accumulator", "delta_accumulator"),
            step=host.step_default,
            apply=_apply_default,
            scratch=2,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_adadelta_default",
            elementwise=True,
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        learning_rate=1.0,
        rho=0.95,
        epsilon=1e-07,
        *,
        clipnorm=None,
        clipvalue=None,
        decay=0.0,
        weight_decay=None,
        fused=False,
    ):
        super().__init__(
            {"learning_rate": learning_rate, "rho": rho, "epsilon": epsilon},
            {},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            weight_decay=weight_decay,
            fused=fused,
        )
