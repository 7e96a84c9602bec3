# generated from specs/adadelta.yaml by templates/optax/transformation.py.j2 — do not edit
"""Adadelta optimizer.

Adadelta is a more robust extension of Adagrad that adapts learning rates based on a moving window of gradient updates, instead of accumulating all past gradients. This way, Adadelta continues learning even when many updates have been done. Compared to Adagrad, in the original version of Adadelta you don't have to set an initial learning rate. In this version, initial learning rate and decay factor can be set, as in most other Keras optimizers.

It is recommended to leave the parameters of this optimizer at their default values.
"""

import math
from typing import Any, NamedTuple

from jax import numpy as jnp

from ..host import adadelta as host
from ._runtime import Kernel, transformation


def _update_default(p, g, state, scalars):
    """One tensor's update (p_new - p) and new state for the defaults."""
    accumulator, delta_accumulator = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho = scalars
    # weight_decay: the change of p*(1 - lr*weight_decay), and the update reads that p
    # (0 when off, also for an infinite p, where p*1 less p would be NaN)
    _weight_decay_change = 0.0
    if p is not None:
        _weight_decay_change = jnp.where(
            _c2_weight_decay_factor != 1, p * _c2_weight_decay_factor - p, 0.0
        )
    _stored_accumulator = _c0_one_minus_rho * (g * g) + accumulator * rho
    delta = g * jnp.sqrt(delta_accumulator + epsilon) / jnp.sqrt(_stored_accumulator + epsilon)
    _new_accumulator = _stored_accumulator
    _new_delta_accumulator = _c0_one_minus_rho * (delta * delta) + delta_accumulator * rho
    _update = _c1_minus_lr * delta
    _update = _update + _weight_decay_change
    return _update, (_new_accumulator, _new_delta_accumulator)


class AdadeltaState(NamedTuple):
    """The state of ``adadelta``: the completed steps, the per-parameter state
    (pytrees like the parameters; None where this flag combination keeps none) and the scalar
    state."""

    count: Any
    accumulator: Any = None
    delta_accumulator: Any = None


KERNELS = {
    (): Kernel(
        state=("accumulator", "delta_accumulator"),
        step=host.step_default,
        update=_update_default,
        partials=None,
        global_ops=(),
        global_names=(),
        reads_params=False,
    ),
}


def adadelta(
    learning_rate=1.0,
    rho=0.95,
    epsilon=1e-07,
    *,
    clipnorm=None,
    clipvalue=None,
    decay=0.0,
    weight_decay=None,
):
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

    Returns an ``optax.GradientTransformation``: pure ``init``/``update`` over pytrees, for
    ``jax.jit``, ``jax.vmap`` and ``optax.chain``. ``learning_rate`` may be an optax schedule
    (a function of the completed steps). float32 and bfloat16 parameters keep float32 state;
    float64 ones (under ``jax_enable_x64``) keep float64.
    """
    return transformation(
        "Adadelta",
        "specs/adadelta.yaml",
        host,
        KERNELS,
        AdadeltaState,
        {"learning_rate": learning_rate, "rho": rho, "epsilon": epsilon},
        {},
        {
            "clipnorm": clipnorm,
            "clipvalue": clipvalue,
            "decay": decay,
            "weight_decay": weight_decay,
        },
    )
