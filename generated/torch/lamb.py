# generated from specs/lamb.yaml by templates/torch/optimizer.py.j2 — do not edit
"""Optimizer that implements the Lamb algorithm.

Lamb is a stochastic gradient descent method that uses layer-wise adaptive moments to adjust the learning rate for each parameter tensor: Adam's update, scaled by the trust ratio of the norm of the tensor to the norm of its update.
"""

import math

import torch

from ..host import lamb as host
from ._runtime import Kernel, Optimizer


def _apply_default(p, g, state, scalars):
    """Update one tensor p and its state in place for the defaults."""
    m, v = state
    # _c0_one_minus_beta_1 = 1 - beta_1
    # _c1_one_minus_beta_2 = 1 - beta_2
    # _c2_lr_scale = -lr/(1 - beta_1**t)
    # _c3_inv_one_minus_beta_2_pow_t = 1/(1 - beta_2**t)
    # _c6_weight_decay_factor = -lr*weight_decay + 1
    # _c4__weight_decay_factor_pow_two = _c6_weight_decay_factor**2
    # _c5_coefficient = (1 - beta_1**t)**(-2)
    (
        _c0_one_minus_beta_1,
        _c1_one_minus_beta_2,
        _c2_lr_scale,
        _c3_inv_one_minus_beta_2_pow_t,
        _c6_weight_decay_factor,
        _c4__weight_decay_factor_pow_two,
        _c5_coefficient,
        beta_1,
        beta_2,
        epsilon,
    ) = scalars
    _s0 = torch.empty_like(p)
    _s1 = torch.empty_like(p)
    _s2 = torch.empty_like(p)
    if p.numel() == 0:
        return
    torch.square(p, out=_s0)
    torch.mul(_s0, _c4__weight_decay_factor_pow_two, out=_s0)
    w_norm_squared = float(torch.sum(_s0, dtype=torch.float64))
    torch.mul(g, _c0_one_minus_beta_1, out=_s0)
    torch.add(_s0, m, alpha=beta_1, out=_s0)
    torch.square(_s0, out=_s0)
    torch.square(g, out=_s1)
    torch.mul(_s1, _c1_one_minus_beta_2, out=_s1)
    torch.add(_s1, v, alpha=beta_2, out=_s1)
    torch.mul(_s1, _c3_inv_one_minus_beta_2_pow_t, out=_s1)
    torch.sqrt(_s1, out=_s1)
    torch.add(_s1, epsilon, out=_s1)
    torch.square(_s1, out=_s1)
    torch.div(_s0, _s1, out=_s0)
    torch.mul(_s0, _c5_coefficient, out=_s0)
    u_norm_squared = float(torch.sum(_s0, dtype=torch.float64))
    _k0_condition = (1) if (u_norm_squared > 0) and (w_norm_squared > 0) else (0)
    _k1_coefficient = _c2_lr_scale * (
        (math.sqrt(w_norm_squared) / math.sqrt(u_norm_squared)) if (_k0_condition != 0) else (1)
    )
    if _c6_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        p.mul_(_c6_weight_decay_factor)
    torch.mul(m, beta_1, out=m)
    torch.add(m, g, alpha=_c0_one_minus_beta_1, out=m)
    torch.mul(v, beta_2, out=v)
    torch.addcmul(v, g, g, value=_c1_one_minus_beta_2, out=v)
    torch.mul(v, _c3_inv_one_minus_beta_2_pow_t, out=_s0)
    torch.sqrt(_s0, out=_s0)
    torch.add(_s0, epsilon, out=_s0)
    torch.addcdiv(p, m, _s0, value=_k1_coefficient, out=p)


class Lamb(Optimizer):
    """Optimizer that implements the Lamb algorithm.

    Lamb is a stochastic gradient descent method that uses layer-wise adaptive moments to adjust the learning rate for each parameter tensor: Adam's update, scaled by the trust ratio of the norm of the tensor to the norm of its update.

    Args:
        learning_rate: float, learning_rate >= 0. The learning rate. Defaults to 0.001.
        beta_1: float, 0 < beta_1 < 1. The exponential decay rate for the 1st moment estimates. Defaults to 0.9.
        beta_2: float, 0 < beta_2 < 1. The exponential decay rate for the 2nd moment estimates. Defaults to 0.999.
        epsilon: float, epsilon > 0. A small constant for numerical stability. Defaults to 1e-06.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Large Batch Optimization for Deep Learning - Training BERT in 76 minutes: https://arxiv.org/abs/1904.00962

    Generated from specs/lamb.yaml; the update rule is documented there.

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
    unquantised), with the arithmetic in float32 (float64 for float64 parameters). This spec's
    rule needs whole tensors (reductions or matrix functions): each tensor's state is decoded
    whole, stepped by the float32 rule's torch code and encoded again, a tensor at a time;
    ``fused=True`` refuses such state.
    """

    keras_name = "lamb"
    spec = "specs/lamb.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay", "weight_decay")
    native_module = "lamb"
    torch_difference = "torch.optim has no Lamb."
    kernels = {
        (): Kernel(
            state=("m", "v"),
            step=host.step_default,
            apply=_apply_default,
            apply_foreach=None,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_lamb_default",
            tensor_ops=("sum", "sum"),
            apply_graph=None,
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
        epsilon=1e-06,
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
