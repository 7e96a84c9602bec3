# generated from specs/adagrad.yaml by templates/torch/optimizer.py.j2 — do not edit
"""Adagrad optimizer.

Adagrad is an optimizer with parameter-specific learning rates, which are adapted relative to how frequently a parameter gets updated during training. The more updates a parameter receives, the smaller the learning rate.

It is recommended to leave the parameters of this optimizer at their default values.
"""

import math

import torch

from ..host import adagrad as host
from ._runtime import Kernel, Optimizer


def _apply_default(p, g, state, scalars):
    """Update one tensor p and its state in place for the defaults."""
    (accumulator,) = state
    # _c0_minus_lr = -lr
    # _c1_weight_decay_factor = -lr*weight_decay + 1
    _c0_minus_lr, _c1_weight_decay_factor, epsilon = scalars
    _s0 = torch.empty_like(p)
    if _c1_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        p.mul_(_c1_weight_decay_factor)
    torch.addcmul(accumulator, g, g, value=1, out=accumulator)
    torch.sqrt(accumulator, out=_s0)
    torch.add(_s0, epsilon, out=_s0)
    torch.addcdiv(p, g, _s0, value=_c0_minus_lr, out=p)


def _apply_foreach_default(p, g, state, scalars):
    """Update lists of tensors in place for the defaults with torch._foreach_*."""
    (accumulator,) = state
    # _c0_minus_lr = -lr
    # _c1_weight_decay_factor = -lr*weight_decay + 1
    _c0_minus_lr, _c1_weight_decay_factor, epsilon = scalars
    if _c1_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        torch._foreach_mul_(p, _c1_weight_decay_factor)
    torch._foreach_addcmul_(accumulator, g, g, value=1)
    _s0 = torch._foreach_sqrt(accumulator)
    torch._foreach_add_(_s0, epsilon)
    torch._foreach_addcdiv_(p, g, _s0, value=_c0_minus_lr)


def _apply_graph_default(p, g, state, scalars):
    """Update one tensor p and its state for the defaults with out-of-place
    operations that take 0-d tensor scalars (torch.compile fuses them; capturable=True)."""
    (accumulator,) = state
    _c0_minus_lr, _c1_weight_decay_factor, epsilon = scalars
    _v3 = g * g
    _v4 = accumulator + _v3
    _v5 = p * _c1_weight_decay_factor
    _v6 = torch.sqrt(_v4)
    _v7 = _v6 + epsilon
    _v8 = g / _v7
    _v9 = _v8 * _c0_minus_lr
    _v10 = _v5 + _v9
    accumulator.copy_(_v4)
    p.copy_(_v10)


class Adagrad(Optimizer):
    """Adagrad optimizer.

    Adagrad is an optimizer with parameter-specific learning rates, which are adapted relative to how frequently a parameter gets updated during training. The more updates a parameter receives, the smaller the learning rate.

    It is recommended to leave the parameters of this optimizer at their default values.

    Args:
        learning_rate: float, learning_rate >= 0. Initial learning rate. Defaults to 0.01.
        epsilon: float, epsilon >= 0. Fuzz factor. Defaults to 1e-07.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Adaptive Subgradient Methods for Online Learning and Stochastic Optimization: http://www.jmlr.org/papers/volume12/duchi11a/duchi11a.pdf

    Generated from specs/adagrad.yaml; the update rule is documented there.

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

    keras_name = "adagrad"
    spec = "specs/adagrad.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay", "weight_decay")
    native_module = "adagrad"
    torch_difference = "torch.optim.Adagrad has the same update (initial_accumulator_value=0, eps outside the square root, default 1e-10), but its lr_decay divides by (1 + (t-1)*lr_decay) exactly like Keras 2.3's decay."
    kernels = {
        (): Kernel(
            state=("accumulator",),
            step=host.step_default,
            apply=_apply_default,
            apply_foreach=_apply_foreach_default,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_adagrad_default",
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
        lr=0.01,
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
        eps=None,
        shard_group=None,
        state_precision="float32",
    ):
        super().__init__(
            params,
            {"learning_rate": lr, "epsilon": epsilon},
            {},
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
