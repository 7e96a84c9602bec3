# generated from specs/adadelta.yaml by templates/torch/optimizer.py.j2 — do not edit
"""Adadelta optimizer.

Adadelta is a more robust extension of Adagrad that adapts learning rates based on a moving window of gradient updates, instead of accumulating all past gradients. This way, Adadelta continues learning even when many updates have been done. Compared to Adagrad, in the original version of Adadelta you don't have to set an initial learning rate. In this version, initial learning rate and decay factor can be set, as in most other Keras optimizers.

It is recommended to leave the parameters of this optimizer at their default values.
"""

import math

import torch

from ..host import adadelta as host
from ._runtime import Kernel, Optimizer


def _apply_default(p, g, state, scalars):
    """Update one tensor p and its state in place for the defaults."""
    accumulator, delta_accumulator = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho = scalars
    _s0 = torch.empty_like(p)
    _s1 = torch.empty_like(p)
    if _c2_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        p.mul_(_c2_weight_decay_factor)
    torch.mul(accumulator, rho, out=accumulator)
    torch.addcmul(accumulator, g, g, value=_c0_one_minus_rho, out=accumulator)
    torch.add(delta_accumulator, epsilon, out=_s0)
    torch.sqrt(_s0, out=_s0)
    torch.mul(g, _s0, out=_s0)
    torch.add(accumulator, epsilon, out=_s1)
    torch.sqrt(_s1, out=_s1)
    torch.mul(delta_accumulator, rho, out=delta_accumulator)
    torch.addcdiv(p, _s0, _s1, value=_c1_minus_lr, out=p)
    torch.div(_s0, _s1, out=_s0)
    torch.addcmul(delta_accumulator, _s0, _s0, value=_c0_one_minus_rho, out=delta_accumulator)


def _apply_foreach_default(p, g, state, scalars):
    """Update lists of tensors in place for the defaults with torch._foreach_*."""
    accumulator, delta_accumulator = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    # _c2_weight_decay_factor = -lr*weight_decay + 1
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho = scalars
    if _c2_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        torch._foreach_mul_(p, _c2_weight_decay_factor)
    torch._foreach_mul_(accumulator, rho)
    torch._foreach_addcmul_(accumulator, g, g, value=_c0_one_minus_rho)
    _s0 = torch._foreach_add(delta_accumulator, epsilon)
    torch._foreach_sqrt_(_s0)
    torch._foreach_mul_(_s0, g)
    _s1 = torch._foreach_add(accumulator, epsilon)
    torch._foreach_sqrt_(_s1)
    torch._foreach_mul_(delta_accumulator, rho)
    torch._foreach_addcdiv_(p, _s0, _s1, value=_c1_minus_lr)
    torch._foreach_div_(_s0, _s1)
    torch._foreach_addcmul_(delta_accumulator, _s0, _s0, value=_c0_one_minus_rho)


def _apply_graph_default(p, g, state, scalars):
    """Update one tensor p and its state for the defaults with out-of-place
    operations that take 0-d tensor scalars (torch.compile fuses them; capturable=True)."""
    accumulator, delta_accumulator = state
    _c0_one_minus_rho, _c1_minus_lr, _c2_weight_decay_factor, epsilon, rho = scalars
    _v4 = g * g
    _v5 = _v4 * _c0_one_minus_rho
    _v6 = accumulator * rho
    _v7 = _v5 + _v6
    _v8 = delta_accumulator + epsilon
    _v9 = torch.sqrt(_v8)
    _v10 = g * _v9
    _v11 = _v7 + epsilon
    _v12 = torch.sqrt(_v11)
    _v13 = _v10 / _v12
    _v14 = _v13 * _v13
    _v15 = _v14 * _c0_one_minus_rho
    _v16 = delta_accumulator * rho
    _v17 = _v15 + _v16
    _v18 = _v13 * _c1_minus_lr
    _v19 = p * _c2_weight_decay_factor
    _v20 = _v18 + _v19
    accumulator.copy_(_v7)
    delta_accumulator.copy_(_v17)
    p.copy_(_v20)


class Adadelta(Optimizer):
    """Adadelta optimizer.

    Adadelta is a more robust extension of Adagrad that adapts learning rates based on a moving window of gradient updates, instead of accumulating all past gradients. This way, Adadelta continues learning even when many updates have been done. Compared to Adagrad, in the original version of Adadelta you don't have to set an initial learning rate. In this version, initial learning rate and decay factor can be set, as in most other Keras optimizers.

    It is recommended to leave the parameters of this optimizer at their default values.

    Args:
        learning_rate: float, learning_rate >= 0. Initial learning rate, defaults to 1. It is recommended to leave it at the default value. Defaults to 1.0.
        rho: float, rho >= 0. Adadelta decay factor, corresponding to fraction of gradient to keep at each time step. Defaults to 0.95.
        epsilon: float, epsilon >= 0. Fuzz factor. Defaults to 1e-07.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Adadelta - an adaptive learning rate method: https://arxiv.org/abs/1212.5701

    Generated from specs/adadelta.yaml; the update rule is documented there.

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

    keras_name = "adadelta"
    spec = "specs/adadelta.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay", "weight_decay")
    native_module = "adadelta"
    torch_difference = "torch.optim.Adadelta (rho 0.9, eps 1e-6 by default) has the same update for equal arguments, weight_decay aside (torch's is L2, added to the gradient; the common one here is decoupled)."
    kernels = {
        (): Kernel(
            state=("accumulator", "delta_accumulator"),
            step=host.step_default,
            apply=_apply_default,
            apply_foreach=_apply_foreach_default,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_adadelta_default",
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
        lr=1.0,
        rho=0.95,
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
            {"learning_rate": lr, "rho": rho, "epsilon": epsilon},
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
