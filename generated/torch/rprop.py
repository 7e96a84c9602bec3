# generated from specs/rprop.yaml by templates/torch/optimizer.py.j2 — do not edit
"""Rprop optimizer.

Resilient backpropagation: each element has its own step size, which grows by eta_plus while the gradient keeps its sign and shrinks by eta_minus when the sign flips; the update moves by the step size against the sign of the gradient, ignoring its magnitude. Meant for full-batch training.
"""

import math

import torch

from ..host import rprop as host
from ._runtime import Kernel, Optimizer


def _masks_default(p, g, state, scalars):
    """One tensor's per-element conditions for the defaults: new true/false tensors."""
    prev, step_size = state
    _c0_weight_decay_factor, eta_minus, eta_plus, step_size_max, step_size_min = scalars
    _s0 = torch.empty_like(p)
    _m0 = torch.empty_like(p, dtype=torch.bool)
    _m1 = torch.empty_like(p, dtype=torch.bool)
    torch.mul(g, prev, out=_s0)
    torch.gt(_s0, 0, out=_m0)
    torch.lt(_s0, 0, out=_m1)
    return (_m0, _m1)


def _apply_default(p, g, state, scalars):
    """Update one tensor p and its state in place for the defaults."""
    prev, step_size = state
    # _c0_weight_decay_factor = -lr*weight_decay + 1
    _c0_weight_decay_factor, eta_minus, eta_plus, step_size_max, step_size_min = scalars
    _s0 = torch.empty_like(p)
    if _c0_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        p.mul_(_c0_weight_decay_factor)
    _m0 = torch.empty_like(p, dtype=torch.bool)
    _m1 = torch.empty_like(p, dtype=torch.bool)
    torch.mul(g, prev, out=_s0)
    torch.gt(_s0, 0, out=_m0)
    torch.lt(_s0, 0, out=_m1)
    torch.where(_m1, prev.new_tensor(0), g, out=prev)
    torch.where(_m1, _s0.new_tensor(eta_minus), _s0.new_tensor(1), out=_s0)
    _s0.masked_fill_(_m0, eta_plus)
    torch.mul(step_size, _s0, out=step_size)
    torch.clamp_min(step_size, step_size_min, out=step_size)
    torch.clamp_max(step_size, step_size_max, out=step_size)
    _f = torch.finfo(prev.dtype)
    torch.mul(prev, 1 / _f.tiny, out=_s0)
    torch.mul(_s0, 2 / _f.eps, out=_s0)
    torch.clamp(_s0, -1.0, 1.0, out=_s0)
    torch.addcmul(p, step_size, _s0, value=-1, out=p)


def _apply_foreach_default(p, g, state, scalars):
    """Update lists of tensors in place for the defaults with torch._foreach_*."""
    prev, step_size = state
    # _c0_weight_decay_factor = -lr*weight_decay + 1
    _c0_weight_decay_factor, eta_minus, eta_plus, step_size_max, step_size_min = scalars
    if _c0_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        torch._foreach_mul_(p, _c0_weight_decay_factor)
    _masks = [_masks_default(_p, _g, _st, scalars) for _p, _g, *_st in zip(p, g, *state)]
    _m0, _m1 = map(list, zip(*_masks)) if _masks else ([],) * 2
    torch._foreach_copy_(prev, g)
    for _x0, _x2 in zip(_m1, prev):
        _x2.masked_fill_(_x0, 0)
    _s0 = [
        torch.where(_x0, _xp.new_tensor(eta_minus), _xp.new_tensor(1)) for _x0, _xp in zip(_m1, p)
    ]
    for _x0, _x2 in zip(_m0, _s0):
        _x2.masked_fill_(_x0, eta_plus)
    torch._foreach_mul_(step_size, _s0)
    torch._foreach_clamp_min_(step_size, step_size_min)
    torch._foreach_clamp_max_(step_size, step_size_max)
    torch._foreach_copy_(_s0, prev)
    _f = torch.finfo(_s0[0].dtype)
    torch._foreach_mul_(_s0, 1 / _f.tiny)
    torch._foreach_mul_(_s0, 2 / _f.eps)
    torch._foreach_clamp_min_(_s0, -1.0)
    torch._foreach_clamp_max_(_s0, 1.0)
    torch._foreach_addcmul_(p, step_size, _s0, value=-1)


def _apply_graph_default(p, g, state, scalars):
    """Update one tensor p and its state for the defaults with out-of-place
    operations that take 0-d tensor scalars (torch.compile fuses them; capturable=True)."""
    prev, step_size = state
    _c0_weight_decay_factor, eta_minus, eta_plus, step_size_max, step_size_min = scalars
    _v4 = g * prev
    _v5 = torch.gt(_v4, 0)
    _v6 = g * prev
    _v7 = torch.lt(_v6, 0)
    _v8 = torch.where(_v7, 0, g)
    _v9 = torch.where(_v7, torch.as_tensor(eta_minus, dtype=p.dtype), 1)
    _v10 = torch.where(_v5, eta_plus, _v9)
    _v11 = step_size * _v10
    _v12 = torch.clamp_min(_v11, step_size_min)
    _v13 = torch.clamp_max(_v12, step_size_max)
    _v14 = p * _c0_weight_decay_factor
    _v15 = torch.where(torch.isnan(_v8), _v8, torch.sign(_v8))
    _v16 = _v13 * _v15
    _v17 = _v14 - _v16
    prev.copy_(_v8)
    step_size.copy_(_v13)
    p.copy_(_v17)


class Rprop(Optimizer):
    """Rprop optimizer.

    Resilient backpropagation: each element has its own step size, which grows by eta_plus while the gradient keeps its sign and shrinks by eta_minus when the sign flips; the update moves by the step size against the sign of the gradient, ignoring its magnitude. Meant for full-batch training.

    Args:
        learning_rate: float, learning_rate >= 0. Initial step size of every element. Defaults to 0.01.
        eta_minus: float, 0 < eta_minus < 1. Factor of the step size when the gradient changes sign. Defaults to 0.5.
        eta_plus: float, eta_plus > 1. Factor of the step size while the gradient keeps its sign. Defaults to 1.2.
        step_size_min: float, step_size_min >= 0. Smallest step size. Defaults to 1e-06.
        step_size_max: float, step_size_max > 0. Largest step size. Defaults to 50.0.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - A direct adaptive method for faster backpropagation learning: the RPROP algorithm: https://doi.org/10.1109/ICNN.1993.298623

    Generated from specs/rprop.yaml; the update rule is documented there.

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

    keras_name = "rprop"
    spec = "specs/rprop.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "weight_decay")
    native_module = "rprop"
    torch_difference = "torch.optim.Rprop computes the same update, with step_sizes=(step_size_min, step_size_max) and etas=(eta_minus, eta_plus). Its initial step size is lr at the first step; learning-rate schedulers do not change it afterwards, nor does it here."
    kernels = {
        (): Kernel(
            state=("prev", "step_size"),
            step=host.step_default,
            apply=_apply_default,
            apply_foreach=_apply_foreach_default,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_rprop_default",
            tensor_ops=(),
            apply_graph=_apply_graph_default,
            nonnegative=("step_size",),
            relation_bound=(),
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        params,
        lr=0.01,
        eta_minus=0.5,
        eta_plus=1.2,
        step_size_min=1e-06,
        step_size_max=50.0,
        *,
        clipnorm=None,
        clipvalue=None,
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
                "eta_minus": eta_minus,
                "eta_plus": eta_plus,
                "step_size_min": step_size_min,
                "step_size_max": step_size_max,
            },
            {},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            weight_decay=weight_decay,
            maximize=maximize,
            foreach=foreach,
            fused=fused,
            capturable=capturable,
            torch_args={},
            shard_group=shard_group,
            state_precision=state_precision,
        )
