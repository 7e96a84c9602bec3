# generated from specs/ftrl.yaml by templates/numpy/optimizer.py.j2 — do not edit
"""Optimizer that implements the FTRL algorithm.

"Follow The Regularized Leader" (FTRL) is an optimization algorithm developed at Google for click-through rate prediction in the early 2010s. It is most suitable for shallow models with large and sparse feature spaces. It supports both online L2 regularization (the L2 regularization of the paper) and shrinkage-type L2 regularization (an L2 penalty added to the loss). With l1_regularization_strength > 0, elements whose linear term stays within it are exactly zero.
"""

import math

import numpy as np

from ..host import ftrl as host
from ._runtime import Kernel, Optimizer


def _apply_default(p, g, state, scalars, scratch):
    """Update p and its state in place for the defaults: 18 ufunc passes."""
    accumulator, linear = state
    # _c0_coefficient = 2*_c6_weight_decay_factor*l2_shrinkage_regularization_strength
    # _c1_lr_scale = -_c6_weight_decay_factor/lr
    # _c2_minus_learning_rate_power = -learning_rate_power
    # _c3_lr_scale = beta/lr + 2*l2_regularization_strength
    # _c4_inv_lr = 1/lr
    # _c5_coefficient = -l1_regularization_strength
    (
        _c0_coefficient,
        _c1_lr_scale,
        _c2_minus_learning_rate_power,
        _c3_lr_scale,
        _c4_inv_lr,
        _c5_coefficient,
        l1_regularization_strength,
    ) = scalars
    _s0, _s1, _s2 = scratch[:3]
    np.square(g, out=_s0)
    np.add(accumulator, _s0, out=_s0)
    np.power(_s0, _c2_minus_learning_rate_power, out=_s1)
    np.add(g, linear, out=linear)
    np.multiply(p, _c0_coefficient, out=_s2)
    np.add(linear, _s2, out=linear)
    np.power(accumulator, _c2_minus_learning_rate_power, out=accumulator)
    np.subtract(_s1, accumulator, out=accumulator)
    np.multiply(p, accumulator, out=p)
    np.multiply(p, _c1_lr_scale, out=p)
    np.add(linear, p, out=linear)
    np.maximum(linear, _c5_coefficient, out=_s2)
    np.minimum(_s2, l1_regularization_strength, out=_s2)
    np.subtract(_s2, linear, out=_s2)
    np.multiply(_s1, _c4_inv_lr, out=_s1)
    np.add(_s1, _c3_lr_scale, out=_s1)
    np.divide(_s2, _s1, out=p)
    np.copyto(accumulator, _s0)


class Ftrl(Optimizer):
    """Optimizer that implements the FTRL algorithm.

    "Follow The Regularized Leader" (FTRL) is an optimization algorithm developed at Google for click-through rate prediction in the early 2010s. It is most suitable for shallow models with large and sparse feature spaces. It supports both online L2 regularization (the L2 regularization of the paper) and shrinkage-type L2 regularization (an L2 penalty added to the loss). With l1_regularization_strength > 0, elements whose linear term stays within it are exactly zero.

    Args:
        learning_rate: float, learning_rate > 0. The learning rate. Defaults to 0.001.
        learning_rate_power: float, learning_rate_power <= 0. Controls how the learning rate decreases during training; zero for a fixed learning rate. Defaults to -0.5.
        initial_accumulator_value: float, initial_accumulator_value >= 0. The starting value of the accumulators. Defaults to 0.1.
        l1_regularization_strength: float, l1_regularization_strength >= 0. L1 regularization strength. Defaults to 0.0.
        l2_regularization_strength: float, l2_regularization_strength >= 0. L2 regularization strength (a stabilization penalty). Defaults to 0.0.
        l2_shrinkage_regularization_strength: float, l2_shrinkage_regularization_strength >= 0. L2 shrinkage strength (a magnitude penalty, added to the gradient). Defaults to 0.0.
        beta: float, beta >= 0. The beta value from the paper. Defaults to 0.0.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Ad Click Prediction: a View from the Trenches: https://research.google.com/pubs/archive/41159.pdf

    Generated from specs/ftrl.yaml; the update rule is documented there.

    ``fused=True`` runs each step in the generated C library (``generated/cuda/ftrl.c``,
    built with gcc on first use) instead of NumPy ufuncs: one pass over memory.

    Assigning a hyperparameter (``learning_rate``, ``learning_rate_power``,
    ``initial_accumulator_value``, ``l1_regularization_strength``,
    ``l2_regularization_strength``, ``l2_shrinkage_regularization_strength``, ``beta``,
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

    keras_name = "ftrl"
    spec = "specs/ftrl.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay", "weight_decay")
    native_module = "ftrl"
    kernels = {
        (): Kernel(
            state=("accumulator", "linear"),
            step=host.step_default,
            apply=_apply_default,
            scratch=3,
            masks=0,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_ftrl_default",
            elementwise=True,
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        learning_rate=0.001,
        learning_rate_power=-0.5,
        initial_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        l2_shrinkage_regularization_strength=0.0,
        beta=0.0,
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
                "learning_rate_power": learning_rate_power,
                "initial_accumulator_value": initial_accumulator_value,
                "l1_regularization_strength": l1_regularization_strength,
                "l2_regularization_strength": l2_regularization_strength,
                "l2_shrinkage_regularization_strength": l2_shrinkage_regularization_strength,
                "beta": beta,
            },
            {},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            weight_decay=weight_decay,
            fused=fused,
        )
