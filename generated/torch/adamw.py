# generated from specs/adamw.yaml by templates/torch/optimizer.py.j2 — do not edit
"""Adam with decoupled weight decay.

The weight decay shrinks the parameters by lr*weight_decay each step, separately from the adaptive gradient step, as in Loshchilov and Hutter.
"""

import math

import torch

from ..host import adamw as host
from ._runtime import Kernel, Optimizer


def _apply_no_amsgrad(p, g, state, scalars):
    """Update one tensor p and its state in place for amsgrad=False."""
    m, v = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_minus_lr_times_weight_decay = -lr*weight_decay
    # _c3_lr_scale = -lr*sqrt(1 - beta_2**t)/(1 - beta_1**t)
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_minus_lr_times_weight_decay,
        _c3_lr_scale,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    _s0 = torch.empty_like(p)
    torch.mul(m, beta_1, out=m)
    torch.add(m, g, alpha=_c0_one_minus_beta_1, out=m)
    torch.mul(v, beta_2, out=v)
    torch.addcmul(v, g, g, value=_c1_one_minus_beta_2, out=v)
    torch.add(p, p, alpha=_c2_minus_lr_times_weight_decay, out=p)
    torch.sqrt(v, out=_s0)
    torch.add(_s0, epsilon, out=_s0)
    torch.addcdiv(p, m, _s0, value=_c3_lr_scale, out=p)


def _apply_foreach_no_amsgrad(p, g, state, scalars):
    """Update lists of tensors in place for amsgrad=False with torch._foreach_*."""
    m, v = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_minus_lr_times_weight_decay = -lr*weight_decay
    # _c3_lr_scale = -lr*sqrt(1 - beta_2**t)/(1 - beta_1**t)
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_minus_lr_times_weight_decay,
        _c3_lr_scale,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    torch._foreach_mul_(m, beta_1)
    torch._foreach_add_(m, g, alpha=_c0_one_minus_beta_1)
    torch._foreach_mul_(v, beta_2)
    torch._foreach_addcmul_(v, g, g, value=_c1_one_minus_beta_2)
    torch._foreach_add_(p, p, alpha=_c2_minus_lr_times_weight_decay)
    _s0 = torch._foreach_sqrt(v)
    torch._foreach_add_(_s0, epsilon)
    torch._foreach_addcdiv_(p, m, _s0, value=_c3_lr_scale)


def _apply_graph_no_amsgrad(p, g, state, scalars):
    """Update one tensor p and its state for amsgrad=False with out-of-place
    operations that take 0-d tensor scalars (torch.compile fuses them; capturable=True)."""
    m, v = state
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_minus_lr_times_weight_decay,
        _c3_lr_scale,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    _v4 = g * _c0_one_minus_beta_1
    _v5 = m * beta_1
    _v6 = _v4 + _v5
    _v7 = g * g
    _v8 = _v7 * _c1_one_minus_beta_2
    _v9 = v * beta_2
    _v10 = _v8 + _v9
    _v11 = p * _c2_minus_lr_times_weight_decay
    _v12 = p + _v11
    _v13 = torch.sqrt(_v10)
    _v14 = _v13 + epsilon
    _v15 = _v6 / _v14
    _v16 = _v15 * _c3_lr_scale
    _v17 = _v12 + _v16
    m.copy_(_v6)
    v.copy_(_v10)
    p.copy_(_v17)


def _apply_amsgrad(p, g, state, scalars):
    """Update one tensor p and its state in place for amsgrad=True."""
    m, v, vhat = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_minus_lr_times_weight_decay = -lr*weight_decay
    # _c3_lr_scale = -lr*sqrt(1 - beta_2**t)/(1 - beta_1**t)
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_minus_lr_times_weight_decay,
        _c3_lr_scale,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    _s0 = torch.empty_like(p)
    torch.mul(m, beta_1, out=m)
    torch.add(m, g, alpha=_c0_one_minus_beta_1, out=m)
    torch.mul(v, beta_2, out=v)
    torch.addcmul(v, g, g, value=_c1_one_minus_beta_2, out=v)
    torch.maximum(v, vhat, out=vhat)
    torch.add(p, p, alpha=_c2_minus_lr_times_weight_decay, out=p)
    torch.sqrt(vhat, out=_s0)
    torch.add(_s0, epsilon, out=_s0)
    torch.addcdiv(p, m, _s0, value=_c3_lr_scale, out=p)


def _apply_foreach_amsgrad(p, g, state, scalars):
    """Update lists of tensors in place for amsgrad=True with torch._foreach_*."""
    m, v, vhat = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_minus_lr_times_weight_decay = -lr*weight_decay
    # _c3_lr_scale = -lr*sqrt(1 - beta_2**t)/(1 - beta_1**t)
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_minus_lr_times_weight_decay,
        _c3_lr_scale,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    torch._foreach_mul_(m, beta_1)
    torch._foreach_add_(m, g, alpha=_c0_one_minus_beta_1)
    torch._foreach_mul_(v, beta_2)
    torch._foreach_addcmul_(v, g, g, value=_c1_one_minus_beta_2)
    torch._foreach_maximum_(vhat, v)
    torch._foreach_add_(p, p, alpha=_c2_minus_lr_times_weight_decay)
    _s0 = torch._foreach_sqrt(vhat)
    torch._foreach_add_(_s0, epsilon)
    torch._foreach_addcdiv_(p, m, _s0, value=_c3_lr_scale)


def _apply_graph_amsgrad(p, g, state, scalars):
    """Update one tensor p and its state for amsgrad=True with out-of-place
    operations that take 0-d tensor scalars (torch.compile fuses them; capturable=True)."""
    m, v, vhat = state
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_minus_lr_times_weight_decay,
        _c3_lr_scale,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    _v5 = g * _c0_one_minus_beta_1
    _v6 = m * beta_1
    _v7 = _v5 + _v6
    _v8 = g * g
    _v9 = _v8 * _c1_one_minus_beta_2
    _v10 = v * beta_2
    _v11 = _v9 + _v10
    _v12 = torch.maximum(_v11, vhat)
    _v13 = p * _c2_minus_lr_times_weight_decay
    _v14 = p + _v13
    _v15 = torch.sqrt(_v12)
    _v16 = _v15 + epsilon
    _v17 = _v7 / _v16
    _v18 = _v17 * _c3_lr_scale
    _v19 = _v14 + _v18
    m.copy_(_v7)
    v.copy_(_v11)
    vhat.copy_(_v12)
    p.copy_(_v19)


class AdamW(Optimizer):
    """Adam with decoupled weight decay.

    The weight decay shrinks the parameters by lr*weight_decay each step, separately from the adaptive gradient step, as in Loshchilov and Hutter.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate. Defaults to 0.001.
        weight_decay: float, weight_decay >= 0. Decoupled weight decay, multiplied by the learning rate. Defaults to 0.004.
        beta_1: float, 0 < beta_1 < 1. Generally close to 1. Defaults to 0.9.
        beta_2: float, 0 < beta_2 < 1. Generally close to 1. Defaults to 0.999.
        epsilon: float, epsilon >= 0. Fuzz factor. Defaults to 1e-07.
        amsgrad: bool. Whether to apply the AMSGrad variant. Defaults to False.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).

    References:
        - Decoupled Weight Decay Regularization: https://arxiv.org/abs/1711.05101

    Generated from specs/adamw.yaml; the update rule is documented there.

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

    keras_name = "adamw"
    spec = "specs/adamw.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ("amsgrad",)
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay")
    native_module = "adamw"
    torch_difference = "torch.optim.AdamW (weight_decay 0.01 by default) multiplies p by (1 - lr*weight_decay) first and adds eps after the bias correction, as its Adam does."
    kernels = {
        (False,): Kernel(
            state=("m", "v"),
            step=host.step_no_amsgrad,
            apply=_apply_no_amsgrad,
            apply_foreach=_apply_foreach_no_amsgrad,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_adamw_no_amsgrad",
            tensor_ops=(),
            apply_graph=_apply_graph_no_amsgrad,
            nonnegative=("v",),
            relation_bound=(),
        ),
        (True,): Kernel(
            state=("m", "v", "vhat"),
            step=host.step_no_amsgrad,
            apply=_apply_amsgrad,
            apply_foreach=_apply_foreach_amsgrad,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_adamw_amsgrad",
            tensor_ops=(),
            apply_graph=_apply_graph_amsgrad,
            nonnegative=("v", "vhat"),
            relation_bound=(),
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        params,
        lr=0.001,
        weight_decay=0.004,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-07,
        amsgrad=False,
        *,
        clipnorm=None,
        clipvalue=None,
        decay=0.0,
        maximize=False,
        foreach=None,
        fused=None,
        capturable=False,
        betas=None,
        eps=None,
        shard_group=None,
        state_precision="float32",
    ):
        super().__init__(
            params,
            {
                "learning_rate": lr,
                "weight_decay": weight_decay,
                "beta_1": beta_1,
                "beta_2": beta_2,
                "epsilon": epsilon,
            },
            {"amsgrad": amsgrad},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            maximize=maximize,
            foreach=foreach,
            fused=fused,
            capturable=capturable,
            torch_args={"betas": betas, "eps": eps},
            shard_group=shard_group,
            state_precision=state_precision,
        )
