# generated from specs/lion.yaml by templates/torch/optimizer.py.j2 — do not edit
"""Lion optimizer.

The update is the sign of an interpolation between the momentum and the gradient, so every element moves by exactly the learning rate; it keeps a single momentum buffer.
"""

import math

import torch

from ..host import lion as host
from ._runtime import Kernel, Optimizer


def _apply_default(p, g, state, scalars):
    """Update one tensor p and its state in place for the defaults."""
    (m,) = state
    # _c0_one_minus_beta_2 = 1 - beta_2
    # _c1_minus_lr = -lr
    # _c2_one_minus_beta_1 = 1 - beta_1
    _c0_one_minus_beta_2, _c1_minus_lr, _c2_one_minus_beta_1, beta_1, beta_2, weight_decay = scalars
    _s0 = torch.empty_like(p)
    torch.mul(m, beta_2, out=_s0)
    torch.mul(m, beta_1, out=m)
    torch.add(m, g, alpha=_c2_one_minus_beta_1, out=m)
    _f = torch.finfo(m.dtype)
    torch.mul(m, 1 / _f.tiny, out=m)
    torch.mul(m, 2 / _f.eps, out=m)
    torch.clamp(m, -1.0, 1.0, out=m)
    torch.add(m, p, alpha=weight_decay, out=m)
    torch.add(p, m, alpha=_c1_minus_lr, out=p)
    torch.add(_s0, g, alpha=_c0_one_minus_beta_2, out=m)


def _apply_foreach_default(p, g, state, scalars):
    """Update lists of tensors in place for the defaults with torch._foreach_*."""
    (m,) = state
    # _c0_one_minus_beta_2 = 1 - beta_2
    # _c1_minus_lr = -lr
    # _c2_one_minus_beta_1 = 1 - beta_1
    _c0_one_minus_beta_2, _c1_minus_lr, _c2_one_minus_beta_1, beta_1, beta_2, weight_decay = scalars
    _s0 = torch._foreach_mul(m, beta_1)
    torch._foreach_mul_(m, beta_2)
    torch._foreach_add_(m, g, alpha=_c0_one_minus_beta_2)
    torch._foreach_add_(_s0, g, alpha=_c2_one_minus_beta_1)
    _f = torch.finfo(_s0[0].dtype)
    torch._foreach_mul_(_s0, 1 / _f.tiny)
    torch._foreach_mul_(_s0, 2 / _f.eps)
    torch._foreach_clamp_min_(_s0, -1.0)
    torch._foreach_clamp_max_(_s0, 1.0)
    torch._foreach_add_(_s0, p, alpha=weight_decay)
    torch._foreach_add_(p, _s0, alpha=_c1_minus_lr)


def _apply_graph_default(p, g, state, scalars):
    """Update one tensor p and its state for the defaults with out-of-place
    operations that take 0-d tensor scalars (torch.compile fuses them; capturable=True)."""
    (m,) = state
    _c0_one_minus_beta_2, _c1_minus_lr, _c2_one_minus_beta_1, beta_1, beta_2, weight_decay = scalars
    _v3 = g * _c0_one_minus_beta_2
    _v4 = m * beta_2
    _v5 = _v3 + _v4
    _v6 = p * weight_decay
    _v7 = g * _c2_one_minus_beta_1
    _v8 = m * beta_1
    _v9 = _v7 + _v8
    _v10 = torch.where(torch.isnan(_v9), _v9, torch.sign(_v9))
    _v11 = _v6 + _v10
    _v12 = _v11 * _c1_minus_lr
    _v13 = p + _v12
    m.copy_(_v5)
    p.copy_(_v13)


class Lion(Optimizer):
    """Lion optimizer.

    The update is the sign of an interpolation between the momentum and the gradient, so every element moves by exactly the learning rate; it keeps a single momentum buffer.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate (typically 3-10 times smaller than for AdamW). Defaults to 0.001.
        beta_1: float, 0 <= beta_1 <= 1. Interpolation factor between momentum and gradient for the update. Defaults to 0.9.
        beta_2: float, 0 <= beta_2 <= 1. Decay factor of the momentum. Defaults to 0.99.
        weight_decay: float, weight_decay >= 0. Decoupled weight decay, multiplied by the learning rate. Defaults to 0.0.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).

    References:
        - Symbolic Discovery of Optimization Algorithms: https://arxiv.org/abs/2302.06675

    Generated from specs/lion.yaml; the update rule is documented there.

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

    keras_name = "lion"
    spec = "specs/lion.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay")
    native_module = "lion"
    torch_difference = "torch.optim has no Lion."
    kernels = {
        (): Kernel(
            state=("m",),
            step=host.step_default,
            apply=_apply_default,
            apply_foreach=_apply_foreach_default,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_lion_default",
            tensor_ops=(),
            apply_graph=_apply_graph_default,
            nonnegative=(),
            relation_bound=(),
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        params,
        lr=0.001,
        beta_1=0.9,
        beta_2=0.99,
        weight_decay=0.0,
        *,
        clipnorm=None,
        clipvalue=None,
        decay=0.0,
        maximize=False,
        foreach=None,
        fused=None,
        capturable=False,
        betas=None,
        shard_group=None,
        state_precision="float32",
    ):
        super().__init__(
            params,
            {"learning_rate": lr, "beta_1": beta_1, "beta_2": beta_2, "weight_decay": weight_decay},
            {},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            maximize=maximize,
            foreach=foreach,
            fused=fused,
            capturable=capturable,
            torch_args={"betas": betas},
            shard_group=shard_group,
            state_precision=state_precision,
        )
