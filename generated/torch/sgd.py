# generated from specs/sgd.yaml by templates/torch/optimizer.py.j2 — do not edit
"""Stochastic gradient descent optimizer.

Includes support for momentum, learning rate decay, and Nesterov momentum.
"""

import math

import torch

from ..host import sgd as host
from ._runtime import Kernel, Optimizer


def _apply_no_nesterov(p, g, state, scalars):
    """Update one tensor p and its state in place for nesterov=False."""
    (velocity,) = state
    # _c0_minus_lr = -lr
    # _c1_weight_decay_factor = -lr*weight_decay + 1
    _c0_minus_lr, _c1_weight_decay_factor, momentum = scalars
    if _c1_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        p.mul_(_c1_weight_decay_factor)
    torch.mul(velocity, momentum, out=velocity)
    torch.add(velocity, g, alpha=_c0_minus_lr, out=velocity)
    torch.add(velocity, p, out=p)


def _apply_foreach_no_nesterov(p, g, state, scalars):
    """Update lists of tensors in place for nesterov=False with torch._foreach_*."""
    (velocity,) = state
    # _c0_minus_lr = -lr
    # _c1_weight_decay_factor = -lr*weight_decay + 1
    _c0_minus_lr, _c1_weight_decay_factor, momentum = scalars
    if _c1_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        torch._foreach_mul_(p, _c1_weight_decay_factor)
    torch._foreach_mul_(velocity, momentum)
    torch._foreach_add_(velocity, g, alpha=_c0_minus_lr)
    torch._foreach_add_(p, velocity)


def _apply_graph_no_nesterov(p, g, state, scalars):
    """Update one tensor p and its state for nesterov=False with out-of-place
    operations that take 0-d tensor scalars (torch.compile fuses them; capturable=True)."""
    (velocity,) = state
    _c0_minus_lr, _c1_weight_decay_factor, momentum = scalars
    _v3 = g * _c0_minus_lr
    _v4 = velocity * momentum
    _v5 = _v3 + _v4
    _v6 = p * _c1_weight_decay_factor
    _v7 = _v5 + _v6
    velocity.copy_(_v5)
    p.copy_(_v7)


def _apply_nesterov(p, g, state, scalars):
    """Update one tensor p and its state in place for nesterov=True."""
    (velocity,) = state
    # _c0_minus_lr = -lr
    # _c1_weight_decay_factor = -lr*weight_decay + 1
    _c0_minus_lr, _c1_weight_decay_factor, momentum = scalars
    if _c1_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        p.mul_(_c1_weight_decay_factor)
    torch.mul(velocity, momentum, out=velocity)
    torch.add(velocity, g, alpha=_c0_minus_lr, out=velocity)
    torch.add(p, g, alpha=_c0_minus_lr, out=p)
    torch.add(p, velocity, alpha=momentum, out=p)


def _apply_foreach_nesterov(p, g, state, scalars):
    """Update lists of tensors in place for nesterov=True with torch._foreach_*."""
    (velocity,) = state
    # _c0_minus_lr = -lr
    # _c1_weight_decay_factor = -lr*weight_decay + 1
    _c0_minus_lr, _c1_weight_decay_factor, momentum = scalars
    if _c1_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        torch._foreach_mul_(p, _c1_weight_decay_factor)
    torch._foreach_mul_(velocity, momentum)
    torch._foreach_add_(velocity, g, alpha=_c0_minus_lr)
    torch._foreach_add_(p, g, alpha=_c0_minus_lr)
    torch._foreach_add_(p, velocity, alpha=momentum)


def _apply_graph_nesterov(p, g, state, scalars):
    """Update one tensor p and its state for nesterov=True with out-of-place
    operations that take 0-d tensor scalars (torch.compile fuses them; capturable=True)."""
    (velocity,) = state
    _c0_minus_lr, _c1_weight_decay_factor, momentum = scalars
    _v3 = g * _c0_minus_lr
    _v4 = velocity * momentum
    _v5 = _v3 + _v4
    _v6 = p * _c1_weight_decay_factor
    _v7 = _v3 + _v6
    _v8 = _v5 * momentum
    _v9 = _v7 + _v8
    velocity.copy_(_v5)
    p.copy_(_v9)


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

    The spec's ``learning_rate`` is ``lr`` here, as in torch.optim, so learning-rate
    schedulers work; ``maximize``, ``foreach``, ``fused`` and ``capturable`` are torch.optim's
    (``capturable=True``: the step count and scalar state live on the device as tensors, for
    CUDA graphs; torch.compile uses the same path). torch's ``betas`` is taken where the spec
    has beta_1 and beta_2; its ``eps`` is refused where it would mean something else, and
    ``weight_decay`` (a param-group key) is Keras 3's decoupled decay, torch.optim.AdamW's,
    not the L2 term torch.optim's other optimizers add to the gradient. ``shard_group``: the process group over which the parameters
    are sharded by hand (ZeroRedundancyOptimizer's is found), for clipnorm's global norm.
    ``state_precision``: "float32" (default), "bfloat16" (stochastic rounding) or "int8"
    (block-wise, 256 elements per float32 scale; tensors under 4096 elements keep their state
    unquantised), with the arithmetic in float32 (float64 for float64 parameters). With
    ``fused`` and ``foreach`` left as None, a step with such state runs the fused kernels where
    they take it (float32 parameters on the CPU or a GPU, kernels that build here), else
    foreach: the foreach path encodes with torch operations, about 30 times slower on W1.
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
    torch_difference = "torch.optim.SGD keeps the velocity without the learning rate (b = momentum*b + g, p -= lr*b; Nesterov: p -= lr*(g + momentum*b)). At a constant learning rate the parameters are the same as here; they differ when the learning rate changes between steps (decay, schedulers), because Keras folds the old learning rates into the velocity."
    kernels = {
        (False,): Kernel(
            state=("velocity",),
            step=host.step_no_nesterov,
            apply=_apply_no_nesterov,
            apply_foreach=_apply_foreach_no_nesterov,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_sgd_no_nesterov",
            tensor_ops=(),
            apply_graph=_apply_graph_no_nesterov,
            nonnegative=(),
            relation_bound=(),
        ),
        (True,): Kernel(
            state=("velocity",),
            step=host.step_no_nesterov,
            apply=_apply_nesterov,
            apply_foreach=_apply_foreach_nesterov,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_sgd_nesterov",
            tensor_ops=(),
            apply_graph=_apply_graph_nesterov,
            nonnegative=(),
            relation_bound=(),
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        params,
        lr=0.01,
        momentum=0.0,
        nesterov=False,
        *,
        clipnorm=None,
        clipvalue=None,
        decay=0.0,
        weight_decay=None,
        maximize=False,
        foreach=None,
        fused=None,
        capturable=False,
        shard_group=None,
        state_precision="float32",
    ):
        super().__init__(
            params,
            {"learning_rate": lr, "momentum": momentum},
            {"nesterov": nesterov},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            weight_decay=weight_decay,
            maximize=maximize,
            foreach=foreach,
            fused=fused,
            capturable=capturable,
            torch_args={},
            shard_group=shard_group,
            state_precision=state_precision,
        )
