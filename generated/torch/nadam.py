# generated from specs/nadam.yaml by templates/torch/optimizer.py.j2 — do not edit
"""Nesterov Adam optimizer.

Much like Adam is essentially RMSprop with momentum, Nadam is RMSprop with Nesterov momentum.

Default parameters follow those provided in the paper. It is recommended to leave the parameters of this optimizer at their default values.
"""

import math

import torch

from ..host import nadam as host
from ._runtime import Kernel, Optimizer


def _apply_default(p, g, state, scalars):
    """Update one tensor p and its state in place for the defaults."""
    m, v = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_minus_lr = -lr
    # _c3_inv_one_minus_beta_2_pow_t = 1/(1 - beta_2**t)
    # _c4_coefficient = mu_next/(1 - m_schedule_next)
    # _c5_coefficient = (1 - mu_t)/(1 - m_schedule)
    # _c6_weight_decay_factor = -lr*weight_decay + 1
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_minus_lr,
        _c3_inv_one_minus_beta_2_pow_t,
        _c4_coefficient,
        _c5_coefficient,
        _c6_weight_decay_factor,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    _s0 = torch.empty_like(p)
    if _c6_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        p.mul_(_c6_weight_decay_factor)
    torch.mul(m, beta_1, out=m)
    torch.add(m, g, alpha=_c0_one_minus_beta_1, out=m)
    torch.mul(v, beta_2, out=v)
    torch.addcmul(v, g, g, value=_c1_one_minus_beta_2, out=v)
    torch.mul(v, _c3_inv_one_minus_beta_2_pow_t, out=_s0)
    torch.sqrt(_s0, out=_s0)
    torch.add(_s0, epsilon, out=_s0)
    torch.addcdiv(p, m, _s0, value=_c2_minus_lr * _c4_coefficient, out=p)
    torch.addcdiv(p, g, _s0, value=_c2_minus_lr * _c5_coefficient, out=p)


def _apply_foreach_default(p, g, state, scalars):
    """Update lists of tensors in place for the defaults with torch._foreach_*."""
    m, v = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_minus_lr = -lr
    # _c3_inv_one_minus_beta_2_pow_t = 1/(1 - beta_2**t)
    # _c4_coefficient = mu_next/(1 - m_schedule_next)
    # _c5_coefficient = (1 - mu_t)/(1 - m_schedule)
    # _c6_weight_decay_factor = -lr*weight_decay + 1
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_minus_lr,
        _c3_inv_one_minus_beta_2_pow_t,
        _c4_coefficient,
        _c5_coefficient,
        _c6_weight_decay_factor,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    if _c6_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        torch._foreach_mul_(p, _c6_weight_decay_factor)
    torch._foreach_mul_(m, beta_1)
    torch._foreach_add_(m, g, alpha=_c0_one_minus_beta_1)
    torch._foreach_mul_(v, beta_2)
    torch._foreach_addcmul_(v, g, g, value=_c1_one_minus_beta_2)
    _s0 = torch._foreach_mul(v, _c3_inv_one_minus_beta_2_pow_t)
    torch._foreach_sqrt_(_s0)
    torch._foreach_add_(_s0, epsilon)
    torch._foreach_addcdiv_(p, m, _s0, value=_c2_minus_lr * _c4_coefficient)
    torch._foreach_addcdiv_(p, g, _s0, value=_c2_minus_lr * _c5_coefficient)


def _apply_graph_default(p, g, state, scalars):
    """Update one tensor p and its state for the defaults with out-of-place
    operations that take 0-d tensor scalars (torch.compile fuses them; capturable=True)."""
    m, v = state
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_minus_lr,
        _c3_inv_one_minus_beta_2_pow_t,
        _c4_coefficient,
        _c5_coefficient,
        _c6_weight_decay_factor,
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
    _v11 = p * _c6_weight_decay_factor
    _v12 = _v6 * _c4_coefficient
    _v13 = g * _c5_coefficient
    _v14 = _v12 + _v13
    _v15 = _v10 * _c3_inv_one_minus_beta_2_pow_t
    _v16 = torch.sqrt(_v15)
    _v17 = _v16 + epsilon
    _v18 = _v14 / _v17
    _v19 = _v18 * _c2_minus_lr
    _v20 = _v11 + _v19
    m.copy_(_v6)
    v.copy_(_v10)
    p.copy_(_v20)


class Nadam(Optimizer):
    """Nesterov Adam optimizer.

    Much like Adam is essentially RMSprop with momentum, Nadam is RMSprop with Nesterov momentum.

    Default parameters follow those provided in the paper. It is recommended to leave the parameters of this optimizer at their default values.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate. Defaults to 0.002.
        beta_1: float, 0 < beta_1 < 1. Generally close to 1. Defaults to 0.9.
        beta_2: float, 0 < beta_2 < 1. Generally close to 1. Defaults to 0.999.
        epsilon: float, epsilon >= 0. Fuzz factor. Defaults to 1e-07.
        schedule_decay: float, schedule_decay >= 0. Decay of the momentum schedule. Defaults to 0.004.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Nadam report: http://cs229.stanford.edu/proj2015/054_report.pdf
        - On the importance of initialization and momentum in deep learning: http://www.cs.toronto.edu/~fritz/absps/momentum.pdf

    Generated from specs/nadam.yaml; the update rule is documented there.

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

    keras_name = "nadam"
    spec = "specs/nadam.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "weight_decay")
    native_module = "nadam"
    torch_difference = "torch.optim.NAdam with momentum_decay = schedule_decay = 0.004 computes the same update: the same schedule and running product, epsilon added after sqrt(v/(1-beta_2^t)). Its defaults differ (eps 1e-8), and it keeps the product per parameter (the same numbers when every parameter steps together)."
    kernels = {
        (): Kernel(
            state=("m", "v"),
            step=host.step_default,
            apply=_apply_default,
            apply_foreach=_apply_foreach_default,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_nadam_default",
            tensor_ops=(),
            apply_graph=_apply_graph_default,
            nonnegative=("v",),
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
        schedule_decay=0.004,
        *,
        clipnorm=None,
        clipvalue=None,
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
            {
                "learning_rate": lr,
                "beta_1": beta_1,
                "beta_2": beta_2,
                "epsilon": epsilon,
                "schedule_decay": schedule_decay,
            },
            {},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            weight_decay=weight_decay,
            maximize=maximize,
            foreach=foreach,
            fused=fused,
            capturable=capturable,
            torch_args={"betas": betas, "eps": eps},
            shard_group=shard_group,
            state_precision=state_precision,
        )
