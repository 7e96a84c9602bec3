# generated from specs/rprop.yaml by templates/optax/transformation.py.j2 — do not edit
"""Rprop optimizer.

Resilient backpropagation: each element has its own step size, which grows by eta_plus while the gradient keeps its sign and shrinks by eta_minus when the sign flips; the update moves by the step size against the sign of the gradient, ignoring its magnitude. Meant for full-batch training.
"""

import math
from typing import Any, NamedTuple

from jax import numpy as jnp

from ..host import rprop as host
from ._runtime import Kernel, transformation


def _update_default(p, g, state, scalars):
    """One tensor's update (p_new - p) and new state for the defaults."""
    prev, step_size = state
    # _c0_weight_decay_factor = -lr*weight_decay + 1
    _c0_weight_decay_factor, eta_minus, eta_plus, step_size_max, step_size_min = scalars
    # weight_decay: the change of p*(1 - lr*weight_decay), and the update reads that p
    # (0 when off, also for an infinite p, where p*1 less p would be NaN)
    _weight_decay_change = 0.0
    if p is not None:
        _weight_decay_change = jnp.where(
            _c0_weight_decay_factor != 1, p * _c0_weight_decay_factor - p, 0.0
        )
    _m0 = jnp.greater(g * prev, 0)
    _m1 = jnp.less(g * prev, 0)
    _e0 = jnp.where(_m1, 0, g)
    _e1 = jnp.minimum(
        step_size_max,
        jnp.maximum(
            step_size_min, step_size * jnp.where(_m0, eta_plus, jnp.where(_m1, eta_minus, 1))
        ),
    )
    _new_prev = _e0
    _new_step_size = _e1
    _update = -_e1 * jnp.sign(_e0)
    _update = _update + _weight_decay_change
    return _update, (_new_prev, _new_step_size)


class RpropState(NamedTuple):
    """The state of ``rprop``: the completed steps, the per-parameter state
    (pytrees like the parameters; None where this flag combination keeps none) and the scalar
    state."""

    count: Any
    prev: Any = None
    step_size: Any = None


KERNELS = {
    (): Kernel(
        state=("prev", "step_size"),
        step=host.step_default,
        update=_update_default,
        partials=None,
        global_ops=(),
        global_names=(),
        reads_params=False,
    ),
}


def rprop(
    learning_rate=0.01,
    eta_minus=0.5,
    eta_plus=1.2,
    step_size_min=1e-06,
    step_size_max=50.0,
    *,
    clipnorm=None,
    clipvalue=None,
    weight_decay=None,
):
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

    Returns an ``optax.GradientTransformation``: pure ``init``/``update`` over pytrees, for
    ``jax.jit``, ``jax.vmap`` and ``optax.chain``. ``learning_rate`` may be an optax schedule
    (a function of the completed steps). float32 and bfloat16 parameters keep float32 state;
    float64 ones (under ``jax_enable_x64``) keep float64.
    """
    return transformation(
        "Rprop",
        "specs/rprop.yaml",
        host,
        KERNELS,
        RpropState,
        {
            "learning_rate": learning_rate,
            "eta_minus": eta_minus,
            "eta_plus": eta_plus,
            "step_size_min": step_size_min,
            "step_size_max": step_size_max,
        },
        {},
        {"clipnorm": clipnorm, "clipvalue": clipvalue, "weight_decay": weight_decay},
    )
