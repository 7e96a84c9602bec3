# generated from specs/ftrl.yaml by templates/optax/transformation.py.j2 — do not edit
"""Optimizer that implements the FTRL algorithm.

"Follow The Regularized Leader" (FTRL) is an optimization algorithm developed at Google for click-through rate prediction in the early 2010s. It is most suitable for shallow models with large and sparse feature spaces. It supports both online L2 regularization (the L2 regularization of the paper) and shrinkage-type L2 regularization (an L2 penalty added to the loss). With l1_regularization_strength > 0, elements whose linear term stays within it are exactly zero.
"""

import math
from typing import Any, NamedTuple

from jax import numpy as jnp

from ..host import ftrl as host
from ._runtime import Kernel, transformation


def _update_default(p, g, state, scalars):
    """One tensor's update (p_new - p) and new state for the defaults."""
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
    new_accumulator = accumulator + g * g
    _e0 = new_accumulator**_c2_minus_learning_rate_power
    _stored_linear = (
        _c0_coefficient * p
        + _c1_lr_scale * p * (_e0 - accumulator**_c2_minus_learning_rate_power)
        + g
        + linear
    )
    _new_accumulator = new_accumulator
    _new_linear = _stored_linear
    _update = -p + (
        -_stored_linear
        + jnp.minimum(l1_regularization_strength, jnp.maximum(_c5_coefficient, _stored_linear))
    ) / (_c3_lr_scale + _c4_inv_lr * _e0)
    return _update, (_new_accumulator, _new_linear)


class FtrlState(NamedTuple):
    """The state of ``ftrl``: the completed steps, the per-parameter state
    (pytrees like the parameters; None where this flag combination keeps none) and the scalar
    state."""

    count: Any
    accumulator: Any = None
    linear: Any = None


KERNELS = {
    (): Kernel(
        state=("accumulator", "linear"),
        step=host.step_default,
        update=_update_default,
        partials=None,
        global_ops=(),
        global_names=(),
        reads_params=True,
    ),
}


def ftrl(
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
):
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

    Returns an ``optax.GradientTransformation``: pure ``init``/``update`` over pytrees, for
    ``jax.jit``, ``jax.vmap`` and ``optax.chain``. ``learning_rate`` may be an optax schedule
    (a function of the completed steps). float32 and bfloat16 parameters keep float32 state;
    float64 ones (under ``jax_enable_x64``) keep float64.
    """
    return transformation(
        "Ftrl",
        "specs/ftrl.yaml",
        host,
        KERNELS,
        FtrlState,
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
        {
            "clipnorm": clipnorm,
            "clipvalue": clipvalue,
            "decay": decay,
            "weight_decay": weight_decay,
        },
    )
