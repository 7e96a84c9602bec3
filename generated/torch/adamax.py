# generated from specs/adamax.yaml by templates/torch/optimizer.py.j2 — do not edit
"""Adamax optimizer from Adam paper's Section 7.

It is a variant of Adam based on the infinity norm. Default parameters follow those provided in the paper.
"""

import math

import torch

from ..host import adamax as host
from ._runtime import Kernel, Optimizer


def _apply_default(p, g, state, scalars):
    """Update one tensor p and its state in place for the defaults."""
    m, u = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_lr_scale = -lr/(1 - beta_1**t)
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_beta_1, _c1_lr_scale, _c2_weight_decay_factor, beta_1, beta_2, epsilon = scalars
    _s0 = torch.empty_like(p)
    if _c2_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        p.mul_(_c2_weight_decay_factor)
    torch.abs(g, out=_s0)
    torch.mul(u, beta_2, out=u)
    torch.maximum(_s0, u, out=u)
    torch.mul(m, beta_1, out=m)
    torch.add(m, g, alpha=_c0_one_minus_beta_1, out=m)
    torch.add(u, epsilon, out=_s0)
    torch.addcdiv(p, m, _s0, value=_c1_lr_scale, out=p)


def _apply_foreach_default(p, g, state, scalars):
    """Update lists of tensors in place for the defaults with torch._foreach_*."""
    m, u = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_lr_scale = -lr/(1 - beta_1**t)
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_beta_1, _c1_lr_scale, _c2_weight_decay_factor, beta_1, beta_2, epsilon = scalars
    if _c2_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        torch._foreach_mul_(p, _c2_weight_decay_factor)
    _s0 = torch._foreach_abs(g)
    torch._foreach_mul_(u, beta_2)
    torch._foreach_maximum_(u, _s0)
    torch._foreach_mul_(m, beta_1)
    torch._foreach_add_(m, g, alpha=_c0_one_minus_beta_1)
    torch._foreach_copy_(_s0, u)
    torch._foreach_add_(_s0, epsilon)
    torch._foreach_addcdiv_(p, m, _s0, value=_c1_lr_scale)


def _apply_graph_default(p, g, state, scalars):
    """Update one tensor p and its state for the defaults with out-of-place
    operations that take 0-d tensor scalars (torch.compile fuses them; capturable=True)."""
    m, u = state
    _c0_one_minus_beta_1, _c1_lr_scale, _c2_weight_decay_factor, beta_1, beta_2, epsilon = scalars
    _v4 = torch.abs(g)
    _v5 = u * beta_2
    _v6 = torch.maximum(_v4, _v5)
    _v7 = g * _c0_one_minus_beta_1
    _v8 = m * beta_1
    _v9 = _v7 + _v8
    _v10 = p * _c2_weight_decay_factor
    _v11 = _v6 + epsilon
    _v12 = _v9 / _v11
    _v13 = _v12 * _c1_lr_scale
    _v14 = _v10 + _v13
    m.copy_(_v9)
    u.copy_(_v6)
    p.copy_(_v14)


class Adamax(Optimizer):
    """Adamax optimizer from Adam paper's Section 7.

    It is a variant of Adam based on the infinity norm. Default parameters follow those provided in the paper.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate. Defaults to 0.002.
        beta_1: float, 0 < beta_1 < 1. Generally close to 1. Defaults to 0.9.
        beta_2: float, 0 < beta_2 < 1. Generally close to 1. Defaults to 0.999.
        epsilon: float, epsilon >= 0. Fuzz factor. Defaults to 1e-07.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Adam - A Method for Stochastic Optimization: https://arxiv.org/abs/1412.6980v8

    Generated from specs/adamax.yaml; the update rule is documented there.

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

    keras_name = "adamax"
    spec = "specs/adamax.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay", "weight_decay")
    native_module = "adamax"
    torch_difference = "torch.optim.Adamax adds eps inside the maximum, u = max(beta_2*u, |g| + eps), and divides by u alone: equal to Keras only when eps is 0."
    kernels = {
        (): Kernel(
            state=("m", "u"),
            step=host.step_default,
            apply=_apply_default,
            apply_foreach=_apply_foreach_default,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_adamax_default",
            tensor_ops=(),
            apply_graph=_apply_graph_default,
            nonnegative=("u",),
            relation_bound=(),
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        params,
        lr=0.002,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-07,
        *,
        clipnorm=None,
        clipvalue=None,
        decay=0.0,
        weight_decay=None,
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
            {"learning_rate": lr, "beta_1": beta_1, "beta_2": beta_2, "epsilon": epsilon},
            {},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            weight_decay=weight_decay,
            maximize=maximize,
            foreach=foreach,
            fused=fused,
            capturable=capturable,
            torch_args={"betas": betas, "eps": eps},
            shard_group=shard_group,
            state_precision=state_precision,
        )
