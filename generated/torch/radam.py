# generated from specs/radam.yaml by templates/torch/optimizer.py.j2 — do not edit
"""RAdam optimizer.

Adam whose adaptive learning rate is rectified by the variance of its second moment: while that variance is intractable (rho_t <= 5, the first steps), the step is momentum SGD with bias correction.
"""

import math

import torch

from ..host import radam as host
from ._runtime import Kernel, Optimizer


def _apply_default(p, g, state, scalars):
    """Update one tensor p and its state in place for the defaults."""
    m, v = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_lr_scale = -lr/(1 - beta_1**t)
    # _c3_condition = Piecewise((1, rho_t > 5), (0, True))
    # _c4_coefficient = Piecewise((sqrt(rho_inf*(rho_t - 4)*(rho_t - 2)/(rho_t*(rho_inf - 4)*(rho_inf - 2)))*sqrt(1 - beta_2**t), Ne(_c3_condition, 0)), (0, True))
    # _c5_weight_decay_factor = -lr*weight_decay + 1
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_lr_scale,
        _c3_condition,
        _c4_coefficient,
        _c5_weight_decay_factor,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    _s0 = torch.empty_like(p)
    if _c5_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        p.mul_(_c5_weight_decay_factor)
    if _c3_condition != 0:
        torch.mul(m, beta_1, out=m)
        torch.add(m, g, alpha=_c0_one_minus_beta_1, out=m)
        torch.mul(v, beta_2, out=v)
        torch.addcmul(v, g, g, value=_c1_one_minus_beta_2, out=v)
        torch.sqrt(v, out=_s0)
        torch.add(_s0, epsilon, out=_s0)
        torch.addcdiv(p, m, _s0, value=_c2_lr_scale * _c4_coefficient, out=p)
    else:
        torch.mul(m, beta_1, out=m)
        torch.add(m, g, alpha=_c0_one_minus_beta_1, out=m)
        torch.mul(v, beta_2, out=v)
        torch.addcmul(v, g, g, value=_c1_one_minus_beta_2, out=v)
        torch.add(p, m, alpha=_c2_lr_scale, out=p)


def _apply_foreach_default(p, g, state, scalars):
    """Update lists of tensors in place for the defaults with torch._foreach_*."""
    m, v = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_lr_scale = -lr/(1 - beta_1**t)
    # _c3_condition = Piecewise((1, rho_t > 5), (0, True))
    # _c4_coefficient = Piecewise((sqrt(rho_inf*(rho_t - 4)*(rho_t - 2)/(rho_t*(rho_inf - 4)*(rho_inf - 2)))*sqrt(1 - beta_2**t), Ne(_c3_condition, 0)), (0, True))
    # _c5_weight_decay_factor = -lr*weight_decay + 1
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_lr_scale,
        _c3_condition,
        _c4_coefficient,
        _c5_weight_decay_factor,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    if _c5_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        torch._foreach_mul_(p, _c5_weight_decay_factor)
    if _c3_condition != 0:
        torch._foreach_mul_(m, beta_1)
        torch._foreach_add_(m, g, alpha=_c0_one_minus_beta_1)
        torch._foreach_mul_(v, beta_2)
        torch._foreach_addcmul_(v, g, g, value=_c1_one_minus_beta_2)
        _s0 = torch._foreach_sqrt(v)
        torch._foreach_add_(_s0, epsilon)
        torch._foreach_addcdiv_(p, m, _s0, value=_c2_lr_scale * _c4_coefficient)
    else:
        torch._foreach_mul_(m, beta_1)
        torch._foreach_add_(m, g, alpha=_c0_one_minus_beta_1)
        torch._foreach_mul_(v, beta_2)
        torch._foreach_addcmul_(v, g, g, value=_c1_one_minus_beta_2)
        torch._foreach_add_(p, m, alpha=_c2_lr_scale)


def _apply_graph_default(p, g, state, scalars):
    """Update one tensor p and its state for the defaults with out-of-place
    operations that take 0-d tensor scalars (torch.compile fuses them; capturable=True)."""
    m, v = state
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_lr_scale,
        _c3_condition,
        _c4_coefficient,
        _c5_weight_decay_factor,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    _v0_4 = g * _c0_one_minus_beta_1
    _v0_5 = m * beta_1
    _v0_6 = _v0_4 + _v0_5
    _v0_7 = g * g
    _v0_8 = _v0_7 * _c1_one_minus_beta_2
    _v0_9 = v * beta_2
    _v0_10 = _v0_8 + _v0_9
    _v0_11 = p * _c5_weight_decay_factor
    _v0_12 = torch.sqrt(_v0_10)
    _v0_13 = _v0_12 + epsilon
    _v0_14 = _v0_6 / _v0_13
    _v0_15 = _v0_14 * _c2_lr_scale * _c4_coefficient
    _v0_16 = _v0_11 + _v0_15
    _v1_4 = g * _c0_one_minus_beta_1
    _v1_5 = m * beta_1
    _v1_6 = _v1_4 + _v1_5
    _v1_7 = g * g
    _v1_8 = _v1_7 * _c1_one_minus_beta_2
    _v1_9 = v * beta_2
    _v1_10 = _v1_8 + _v1_9
    _v1_11 = _v1_6 * _c2_lr_scale
    _v1_12 = p * _c5_weight_decay_factor
    _v1_13 = _v1_11 + _v1_12
    m.copy_(torch.where(_c3_condition != 0, _v0_6, _v1_6))
    v.copy_(torch.where(_c3_condition != 0, _v0_10, _v1_10))
    p.copy_(torch.where(_c3_condition != 0, _v0_16, _v1_13))


class RAdam(Optimizer):
    """RAdam optimizer.

    Adam whose adaptive learning rate is rectified by the variance of its second moment: while that variance is intractable (rho_t <= 5, the first steps), the step is momentum SGD with bias correction.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate. Defaults to 0.001.
        beta_1: float, 0 < beta_1 < 1. Decay of the first moment. Defaults to 0.9.
        beta_2: float, 0 < beta_2 < 1. Decay of the second moment. Defaults to 0.999.
        epsilon: float, epsilon >= 0. Fuzz factor, added to the square root of the second moment. Defaults to 1e-08.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - On the Variance of the Adaptive Learning Rate and Beyond: https://arxiv.org/abs/1908.03265

    Generated from specs/radam.yaml; the update rule is documented there.

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

    keras_name = "radam"
    spec = "specs/radam.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay", "weight_decay")
    native_module = "radam"
    torch_difference = "torch.optim.RAdam computes the same update: eps (1e-8 by default) is added to sqrt(v), and sqrt(1 - beta_2^t) multiplies the quotient. Its weight_decay is L2, added to the gradient; decoupled_weight_decay=True gives the common weight_decay here."
    kernels = {
        (): Kernel(
            state=("m", "v"),
            step=host.step_default,
            apply=_apply_default,
            apply_foreach=_apply_foreach_default,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_radam_default",
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
        lr=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-08,
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
