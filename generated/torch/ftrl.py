# generated from specs/ftrl.yaml by templates/torch/optimizer.py.j2 — do not edit
"""Optimizer that implements the FTRL algorithm.

"Follow The Regularized Leader" (FTRL) is an optimization algorithm developed at Google for click-through rate prediction in the early 2010s. It is most suitable for shallow models with large and sparse feature spaces. It supports both online L2 regularization (the L2 regularization of the paper) and shrinkage-type L2 regularization (an L2 penalty added to the loss). With l1_regularization_strength > 0, elements whose linear term stays within it are exactly zero.
"""

import math

import torch

from ..host import ftrl as host
from ._runtime import Kernel, Optimizer


def _apply_default(p, g, state, scalars):
    """Update one tensor p and its state in place for the defaults."""
    accumulator, linear = state
    # _c0_coefficient = 2*_c6_weight_decay_factor*l2_shrinkage_regularization_strength
    # _c1_lr_scale = -_c6_weight_decay_factor/lr
    # _c2_minus_learning_rate_power = -learning_rate_power
    # _c3_lr_scale = beta/lr + 2*l2_regularization_strength
    # _c4_inv_lr = 1/lr
    # _c5_coefficient = -l1_regularization_strength
    (
        _c0_coefficient,
        _c1_lr_scale,
        _c2_minus_learning_rate_power,
        _c3_lr_scale,
        _c4_inv_lr,
        _c5_coefficient,
        l1_regularization_strength,
    ) = scalars
    _s0 = torch.empty_like(p)
    _s1 = torch.empty_like(p)
    torch.add(g, linear, out=linear)
    torch.add(linear, p, alpha=_c0_coefficient, out=linear)
    torch.pow(accumulator, _c2_minus_learning_rate_power, out=_s0)
    torch.addcmul(accumulator, g, g, value=1, out=accumulator)
    torch.pow(accumulator, _c2_minus_learning_rate_power, out=_s1)
    torch.sub(_s1, _s0, out=_s0)
    torch.addcmul(linear, p, _s0, value=_c1_lr_scale, out=linear)
    torch.clamp_min(linear, _c5_coefficient, out=p)
    torch.clamp_max(p, l1_regularization_strength, out=p)
    torch.sub(p, linear, out=p)
    torch.mul(_s1, _c4_inv_lr, out=_s1)
    torch.add(_s1, _c3_lr_scale, out=_s1)
    torch.div(p, _s1, out=p)


def _apply_foreach_default(p, g, state, scalars):
    """Update lists of tensors in place for the defaults with torch._foreach_*."""
    accumulator, linear = state
    # _c0_coefficient = 2*_c6_weight_decay_factor*l2_shrinkage_regularization_strength
    # _c1_lr_scale = -_c6_weight_decay_factor/lr
    # _c2_minus_learning_rate_power = -learning_rate_power
    # _c3_lr_scale = beta/lr + 2*l2_regularization_strength
    # _c4_inv_lr = 1/lr
    # _c5_coefficient = -l1_regularization_strength
    (
        _c0_coefficient,
        _c1_lr_scale,
        _c2_minus_learning_rate_power,
        _c3_lr_scale,
        _c4_inv_lr,
        _c5_coefficient,
        l1_regularization_strength,
    ) = scalars
    torch._foreach_add_(linear, g)
    torch._foreach_add_(linear, p, alpha=_c0_coefficient)
    _s0 = torch._foreach_pow(accumulator, _c2_minus_learning_rate_power)
    torch._foreach_addcmul_(accumulator, g, g, value=1)
    _s1 = torch._foreach_pow(accumulator, _c2_minus_learning_rate_power)
    torch._foreach_sub_(_s1, _s0)
    torch._foreach_copy_(_s0, accumulator)
    torch._foreach_pow_(_s0, _c2_minus_learning_rate_power)
    torch._foreach_addcmul_(linear, p, _s1, value=_c1_lr_scale)
    torch._foreach_copy_(p, linear)
    torch._foreach_clamp_min_(p, _c5_coefficient)
    torch._foreach_clamp_max_(p, l1_regularization_strength)
    torch._foreach_sub_(p, linear)
    torch._foreach_mul_(_s0, _c4_inv_lr)
    torch._foreach_add_(_s0, _c3_lr_scale)
    torch._foreach_div_(p, _s0)


def _apply_graph_default(p, g, state, scalars):
    """Update one tensor p and its state for the defaults with out-of-place
    operations that take 0-d tensor scalars (torch.compile fuses them; capturable=True)."""
    accumulator, linear = state
    (
        _c0_coefficient,
        _c1_lr_scale,
        _c2_minus_learning_rate_power,
        _c3_lr_scale,
        _c4_inv_lr,
        _c5_coefficient,
        l1_regularization_strength,
    ) = scalars
    _v4 = g * g
    _v5 = accumulator + _v4
    _v6 = torch.pow(_v5, _c2_minus_learning_rate_power)
    _v7 = g + linear
    _v8 = p * _c0_coefficient
    _v9 = _v7 + _v8
    _v10 = torch.pow(accumulator, _c2_minus_learning_rate_power)
    _v11 = _v6 - _v10
    _v12 = p * _v11
    _v13 = _v12 * _c1_lr_scale
    _v14 = _v9 + _v13
    _v15 = torch.clamp_min(_v14, _c5_coefficient)
    _v16 = torch.clamp_max(_v15, l1_regularization_strength)
    _v17 = _v16 - _v14
    _v18 = _v6 * _c4_inv_lr
    _v19 = _v18 + _c3_lr_scale
    _v20 = _v17 / _v19
    accumulator.copy_(_v5)
    linear.copy_(_v14)
    p.copy_(_v20)


class Ftrl(Optimizer):
    """Optimizer that implements the FTRL algorithm.

    "Follow The Regularized Leader" (FTRL) is an optimization algorithm developed at Google for click-through rate prediction in the early 2010s. It is most suitable for shallow models with large and sparse feature spaces. It supports both online L2 regularization (the L2 regularization of the paper) and shrinkage-type L2 regularization (an L2 penalty added to the loss). With l1_regularization_strength > 0, elements whose linear term stays within it are exactly zero.

    Args:
        learning_rate: float, learning_rate > 0. The learning rate. Defaults to 0.001.
        learning_rate_power: float, learning_rate_power <= 0. Controls how the learning rate decreases during training; zero for a fixed learning rate. Defaults to -0.5.
        initial_accumulator_value: float, initial_accumulator_value >= 0. The starting value of the accumulators. Defaults to 0.1.
        l1_regularization_strength: float, l1_regularization_strength >= 0. L1 regularization strength. Defaults to 0.0.
        l2_regularization_strength: float, l2_regularization_strength >= 0. L2 regularization strength (a stabilization penalty). Defaults to 0.0.
        l2_shrinkage_regularization_strength: float, l2_shrinkage_regularization_strength >= 0. L2 shrinkage strength (a magnitude penalty, added to the gradient). Defaults to 0.0.
        beta: float, beta >= 0. The beta value from the paper. Defaults to 0.0.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Ad Click Prediction: a View from the Trenches: https://research.google.com/pubs/archive/41159.pdf

    Generated from specs/ftrl.yaml; the update rule is documented there.

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

    keras_name = "ftrl"
    spec = "specs/ftrl.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay", "weight_decay")
    native_module = "ftrl"
    torch_difference = "torch.optim has no Ftrl."
    kernels = {
        (): Kernel(
            state=("accumulator", "linear"),
            step=host.step_default,
            apply=_apply_default,
            apply_foreach=_apply_foreach_default,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_ftrl_default",
            tensor_ops=(),
            apply_graph=_apply_graph_default,
            nonnegative=("accumulator",),
            relation_bound=(),
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        params,
        lr=0.001,
        learning_rate_power=-0.5,
        initial_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        l2_shrinkage_regularization_strength=0.0,
        beta=0.0,
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
            {
                "learning_rate": lr,
                "learning_rate_power": learning_rate_power,
                "initial_accumulator_value": initial_accumulator_value,
                "l1_regularization_strength": l1_regularization_strength,
                "l2_regularization_strength": l2_regularization_strength,
                "l2_shrinkage_regularization_strength": l2_shrinkage_regularization_strength,
                "beta": beta,
            },
            {},
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
