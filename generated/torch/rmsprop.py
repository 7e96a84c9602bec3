# generated from specs/rmsprop.yaml by templates/torch/optimizer.py.j2 — do not edit
"""RMSProp optimizer.

It is recommended to leave the parameters of this optimizer at their default values (except the learning rate, which can be freely tuned).
"""

import math

import torch

from ..host import rmsprop as host
from ._runtime import Kernel, Optimizer


def _apply_no_centered__no_momentum_on(p, g, state, scalars):
    """Update one tensor p and its state in place for centered=False, momentum_on=False."""
    (accumulator,) = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho = scalars
    _s0 = torch.empty_like(p)
    if _c2_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        p.mul_(_c2_weight_decay_factor)
    torch.mul(accumulator, rho, out=accumulator)
    torch.addcmul(accumulator, g, g, value=_c0_one_minus_rho, out=accumulator)
    torch.sqrt(accumulator, out=_s0)
    torch.add(_s0, epsilon, out=_s0)
    torch.addcdiv(p, g, _s0, value=_c1_minus_lr, out=p)


def _apply_foreach_no_centered__no_momentum_on(p, g, state, scalars):
    """Update lists of tensors in place for centered=False, momentum_on=False with torch._foreach_*."""
    (accumulator,) = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho = scalars
    if _c2_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        torch._foreach_mul_(p, _c2_weight_decay_factor)
    torch._foreach_mul_(accumulator, rho)
    torch._foreach_addcmul_(accumulator, g, g, value=_c0_one_minus_rho)
    _s0 = torch._foreach_sqrt(accumulator)
    torch._foreach_add_(_s0, epsilon)
    torch._foreach_addcdiv_(p, g, _s0, value=_c1_minus_lr)


def _apply_graph_no_centered__no_momentum_on(p, g, state, scalars):
    """Update one tensor p and its state for centered=False, momentum_on=False with out-of-place
    operations that take 0-d tensor scalars (torch.compile fuses them; capturable=True)."""
    (accumulator,) = state
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho = scalars
    _v3 = g * g
    _v4 = _v3 * _c0_one_minus_rho
    _v5 = accumulator * rho
    _v6 = _v4 + _v5
    _v7 = p * _c2_weight_decay_factor
    _v8 = torch.sqrt(_v6)
    _v9 = _v8 + epsilon
    _v10 = g / _v9
    _v11 = _v10 * _c1_minus_lr
    _v12 = _v7 + _v11
    accumulator.copy_(_v6)
    p.copy_(_v12)


def _apply_no_centered__momentum_on(p, g, state, scalars):
    """Update one tensor p and its state in place for centered=False, momentum_on=True."""
    accumulator, momentum_buffer = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, momentum, rho = scalars
    _s0 = torch.empty_like(p)
    if _c2_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        p.mul_(_c2_weight_decay_factor)
    torch.mul(accumulator, rho, out=accumulator)
    torch.addcmul(accumulator, g, g, value=_c0_one_minus_rho, out=accumulator)
    torch.sqrt(accumulator, out=_s0)
    torch.add(_s0, epsilon, out=_s0)
    torch.mul(momentum_buffer, momentum, out=momentum_buffer)
    torch.addcdiv(momentum_buffer, g, _s0, value=1, out=momentum_buffer)
    torch.add(p, momentum_buffer, alpha=_c1_minus_lr, out=p)


def _apply_foreach_no_centered__momentum_on(p, g, state, scalars):
    """Update lists of tensors in place for centered=False, momentum_on=True with torch._foreach_*."""
    accumulator, momentum_buffer = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, momentum, rho = scalars
    if _c2_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        torch._foreach_mul_(p, _c2_weight_decay_factor)
    torch._foreach_mul_(accumulator, rho)
    torch._foreach_addcmul_(accumulator, g, g, value=_c0_one_minus_rho)
    _s0 = torch._foreach_sqrt(accumulator)
    torch._foreach_add_(_s0, epsilon)
    torch._foreach_mul_(momentum_buffer, momentum)
    torch._foreach_addcdiv_(momentum_buffer, g, _s0, value=1)
    torch._foreach_add_(p, momentum_buffer, alpha=_c1_minus_lr)


def _apply_graph_no_centered__momentum_on(p, g, state, scalars):
    """Update one tensor p and its state for centered=False, momentum_on=True with out-of-place
    operations that take 0-d tensor scalars (torch.compile fuses them; capturable=True)."""
    accumulator, momentum_buffer = state
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, momentum, rho = scalars
    _v4 = g * g
    _v5 = _v4 * _c0_one_minus_rho
    _v6 = accumulator * rho
    _v7 = _v5 + _v6
    _v8 = torch.sqrt(_v7)
    _v9 = _v8 + epsilon
    _v10 = g / _v9
    _v11 = momentum_buffer * momentum
    _v12 = _v10 + _v11
    _v13 = _v12 * _c1_minus_lr
    _v14 = p * _c2_weight_decay_factor
    _v15 = _v13 + _v14
    accumulator.copy_(_v7)
    momentum_buffer.copy_(_v12)
    p.copy_(_v15)


def _apply_centered__no_momentum_on(p, g, state, scalars):
    """Update one tensor p and its state in place for centered=True, momentum_on=False."""
    accumulator, mean_gradient = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho = scalars
    _s0 = torch.empty_like(p)
    if _c2_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        p.mul_(_c2_weight_decay_factor)
    torch.mul(accumulator, rho, out=accumulator)
    torch.addcmul(accumulator, g, g, value=_c0_one_minus_rho, out=accumulator)
    torch.mul(mean_gradient, rho, out=mean_gradient)
    torch.add(mean_gradient, g, alpha=_c0_one_minus_rho, out=mean_gradient)
    torch.addcmul(accumulator, mean_gradient, mean_gradient, value=-1, out=_s0)
    torch.sqrt(_s0, out=_s0)
    torch.add(_s0, epsilon, out=_s0)
    torch.addcdiv(p, g, _s0, value=_c1_minus_lr, out=p)


def _apply_foreach_centered__no_momentum_on(p, g, state, scalars):
    """Update lists of tensors in place for centered=True, momentum_on=False with torch._foreach_*."""
    accumulator, mean_gradient = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho = scalars
    if _c2_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        torch._foreach_mul_(p, _c2_weight_decay_factor)
    torch._foreach_mul_(accumulator, rho)
    torch._foreach_addcmul_(accumulator, g, g, value=_c0_one_minus_rho)
    torch._foreach_mul_(mean_gradient, rho)
    torch._foreach_add_(mean_gradient, g, alpha=_c0_one_minus_rho)
    _s0 = torch._foreach_addcmul(accumulator, mean_gradient, mean_gradient, value=-1)
    torch._foreach_sqrt_(_s0)
    torch._foreach_add_(_s0, epsilon)
    torch._foreach_addcdiv_(p, g, _s0, value=_c1_minus_lr)


def _apply_graph_centered__no_momentum_on(p, g, state, scalars):
    """Update one tensor p and its state for centered=True, momentum_on=False with out-of-place
    operations that take 0-d tensor scalars (torch.compile fuses them; capturable=True)."""
    accumulator, mean_gradient = state
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho = scalars
    _v4 = g * g
    _v5 = _v4 * _c0_one_minus_rho
    _v6 = accumulator * rho
    _v7 = _v5 + _v6
    _v8 = g * _c0_one_minus_rho
    _v9 = mean_gradient * rho
    _v10 = _v8 + _v9
    _v11 = p * _c2_weight_decay_factor
    _v12 = _v10 * _v10
    _v13 = _v7 - _v12
    _v14 = torch.sqrt(_v13)
    _v15 = _v14 + epsilon
    _v16 = g / _v15
    _v17 = _v16 * _c1_minus_lr
    _v18 = _v11 + _v17
    accumulator.copy_(_v7)
    mean_gradient.copy_(_v10)
    p.copy_(_v18)


def _apply_centered__momentum_on(p, g, state, scalars):
    """Update one tensor p and its state in place for centered=True, momentum_on=True."""
    accumulator, mean_gradient, momentum_buffer = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, momentum, rho = scalars
    _s0 = torch.empty_like(p)
    if _c2_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        p.mul_(_c2_weight_decay_factor)
    torch.mul(accumulator, rho, out=accumulator)
    torch.addcmul(accumulator, g, g, value=_c0_one_minus_rho, out=accumulator)
    torch.mul(mean_gradient, rho, out=mean_gradient)
    torch.add(mean_gradient, g, alpha=_c0_one_minus_rho, out=mean_gradient)
    torch.addcmul(accumulator, mean_gradient, mean_gradient, value=-1, out=_s0)
    torch.sqrt(_s0, out=_s0)
    torch.add(_s0, epsilon, out=_s0)
    torch.mul(momentum_buffer, momentum, out=momentum_buffer)
    torch.addcdiv(momentum_buffer, g, _s0, value=1, out=momentum_buffer)
    torch.add(p, momentum_buffer, alpha=_c1_minus_lr, out=p)


def _apply_foreach_centered__momentum_on(p, g, state, scalars):
    """Update lists of tensors in place for centered=True, momentum_on=True with torch._foreach_*."""
    accumulator, mean_gradient, momentum_buffer = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, momentum, rho = scalars
    if _c2_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        torch._foreach_mul_(p, _c2_weight_decay_factor)
    torch._foreach_mul_(accumulator, rho)
    torch._foreach_addcmul_(accumulator, g, g, value=_c0_one_minus_rho)
    torch._foreach_mul_(mean_gradient, rho)
    torch._foreach_add_(mean_gradient, g, alpha=_c0_one_minus_rho)
    _s0 = torch._foreach_addcmul(accumulator, mean_gradient, mean_gradient, value=-1)
    torch._foreach_sqrt_(_s0)
    torch._foreach_add_(_s0, epsilon)
    torch._foreach_mul_(momentum_buffer, momentum)
    torch._foreach_addcdiv_(momentum_buffer, g, _s0, value=1)
    torch._foreach_add_(p, momentum_buffer, alpha=_c1_minus_lr)


def _apply_graph_centered__momentum_on(p, g, state, scalars):
    """Update one tensor p and its state for centered=True, momentum_on=True with out-of-place
    operations that take 0-d tensor scalars (torch.compile fuses them; capturable=True)."""
    accumulator, mean_gradient, momentum_buffer = state
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, momentum, rho = scalars
    _v5 = g * g
    _v6 = _v5 * _c0_one_minus_rho
    _v7 = accumulator * rho
    _v8 = _v6 + _v7
    _v9 = g * _c0_one_minus_rho
    _v10 = mean_gradient * rho
    _v11 = _v9 + _v10
    _v12 = _v11 * _v11
    _v13 = _v8 - _v12
    _v14 = torch.sqrt(_v13)
    _v15 = _v14 + epsilon
    _v16 = g / _v15
    _v17 = momentum_buffer * momentum
    _v18 = _v16 + _v17
    _v19 = _v18 * _c1_minus_lr
    _v20 = p * _c2_weight_decay_factor
    _v21 = _v19 + _v20
    accumulator.copy_(_v8)
    mean_gradient.copy_(_v11)
    momentum_buffer.copy_(_v18)
    p.copy_(_v21)


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
    torch_difference = "torch.optim.RMSprop (alpha = rho, default 0.99, eps 1e-8) has the same update, momentum and centered included, with epsilon outside the square root: equal numbers for equal arguments, weight_decay aside (torch's is L2, added to the gradient; the common one here is decoupled). torch moves the mean gradient by lerp (m + (1 - alpha)*(g - m)), equal up to rounding."
    kernels = {
        (False, False): Kernel(
            state=("accumulator",),
            step=host.step_no_centered__no_momentum_on,
            apply=_apply_no_centered__no_momentum_on,
            apply_foreach=_apply_foreach_no_centered__no_momentum_on,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_rmsprop_no_centered__no_momentum_on",
            tensor_ops=(),
            apply_graph=_apply_graph_no_centered__no_momentum_on,
            nonnegative=(),
            relation_bound=(),
        ),
        (False, True): Kernel(
            state=("accumulator", "momentum_buffer"),
            step=host.step_no_centered__momentum_on,
            apply=_apply_no_centered__momentum_on,
            apply_foreach=_apply_foreach_no_centered__momentum_on,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_rmsprop_no_centered__momentum_on",
            tensor_ops=(),
            apply_graph=_apply_graph_no_centered__momentum_on,
            nonnegative=(),
            relation_bound=(),
        ),
        (True, False): Kernel(
            state=("accumulator", "mean_gradient"),
            step=host.step_no_centered__no_momentum_on,
            apply=_apply_centered__no_momentum_on,
            apply_foreach=_apply_foreach_centered__no_momentum_on,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_rmsprop_centered__no_momentum_on",
            tensor_ops=(),
            apply_graph=_apply_graph_centered__no_momentum_on,
            nonnegative=(),
            relation_bound=("accumulator - mean_gradient**2",),
        ),
        (True, True): Kernel(
            state=("accumulator", "mean_gradient", "momentum_buffer"),
            step=host.step_no_centered__momentum_on,
            apply=_apply_centered__momentum_on,
            apply_foreach=_apply_foreach_centered__momentum_on,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_rmsprop_centered__momentum_on",
            tensor_ops=(),
            apply_graph=_apply_graph_centered__momentum_on,
            nonnegative=(),
            relation_bound=("accumulator - mean_gradient**2",),
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        params,
        lr=0.001,
        rho=0.9,
        epsilon=1e-07,
        momentum=0.0,
        centered=False,
        *,
        clipnorm=None,
        clipvalue=None,
        decay=0.0,
        weight_decay=None,
        maximize=False,
        foreach=None,
        fused=None,
        capturable=False,
        eps=None,
        shard_group=None,
        state_precision="float32",
    ):
        super().__init__(
            params,
            {"learning_rate": lr, "rho": rho, "epsilon": epsilon, "momentum": momentum},
            {"centered": centered},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            weight_decay=weight_decay,
            maximize=maximize,
            foreach=foreach,
            fused=fused,
            capturable=capturable,
            torch_args={"eps": eps},
            shard_group=shard_group,
            state_precision=state_precision,
        )
