# generated from specs/muon.yaml by templates/torch/optimizer.py.j2 — do not edit
"""Optimizer that implements the Muon algorithm.

Muon updates each matrix with its momentum orthogonalised by a Newton-Schulz iteration: approximately U V^T of the momentum's singular value decomposition U S V^T, scaled so that its root mean square matches Adam's (the Moonlight scaling, rms_rate). Every tensor that is not a matrix (biases, scalars, convolution kernels) takes AdamW's update instead.
"""

import math

import torch

from ..host import muon as host
from ._runtime import Kernel, Optimizer, matrix_product_plus


def _matrix_orthogonalize(x, muon_a, muon_b, muon_c, ns_steps):
    """The spec's orthogonalize(): The quintic Newton-Schulz iteration: x scaled to a Frobenius norm of at most 1, then x = a x + (b A + c A A) x with A = x x^T, ns_steps times. Its singular values approach a band around 1; its singular vectors stay those of its argument."""
    _tall = x.shape[-2] > x.shape[-1]
    if _tall:
        x = torch.swapaxes(x, -1, -2)
    x = x / (1e-07 + torch.linalg.vector_norm(x, dim=(-2, -1), keepdim=True))
    for _ in range(int(ns_steps)):
        gram = x @ torch.swapaxes(x, -1, -2)
        poly = matrix_product_plus(gram, muon_b, gram, gram, muon_c)
        x = matrix_product_plus(x, muon_a, poly, x, 1)
    if _tall:
        x = torch.swapaxes(x, -1, -2)
    return x


def _apply_no_muon__no_nesterov(p, g, state, scalars):
    """Update one tensor p and its state in place for muon=False, nesterov=False."""
    m, v = state
    # _c0_one_minus_adam_beta_1 = 1 - adam_beta_1
    # _c1_one_minus_adam_beta_2 = 1 - adam_beta_2
    # _c2_lr_scale = -adam_weight_decay*lr
    # _c3_lr_scale = -adam_lr_ratio*lr*sqrt(1 - adam_beta_2**t)/(1 - adam_beta_1**t)
    _c0_one_minus_adam_beta_1, _c1_one_minus_adam_beta_2, _c2_lr_scale, _c3_lr_scale, epsilon = (
        scalars
    )
    _s0 = torch.empty_like(p)
    torch.sub(g, m, out=_s0)
    torch.add(m, _s0, alpha=_c0_one_minus_adam_beta_1, out=m)
    torch.square(g, out=_s0)
    torch.sub(_s0, v, out=_s0)
    torch.add(v, _s0, alpha=_c1_one_minus_adam_beta_2, out=v)
    torch.add(p, p, alpha=_c2_lr_scale, out=p)
    torch.sqrt(v, out=_s0)
    torch.add(_s0, epsilon, out=_s0)
    torch.addcdiv(p, m, _s0, value=_c3_lr_scale, out=p)


def _apply_foreach_no_muon__no_nesterov(p, g, state, scalars):
    """Update lists of tensors in place for muon=False, nesterov=False with torch._foreach_*."""
    m, v = state
    # _c0_one_minus_adam_beta_1 = 1 - adam_beta_1
    # _c1_one_minus_adam_beta_2 = 1 - adam_beta_2
    # _c2_lr_scale = -adam_weight_decay*lr
    # _c3_lr_scale = -adam_lr_ratio*lr*sqrt(1 - adam_beta_2**t)/(1 - adam_beta_1**t)
    _c0_one_minus_adam_beta_1, _c1_one_minus_adam_beta_2, _c2_lr_scale, _c3_lr_scale, epsilon = (
        scalars
    )
    _s0 = torch._foreach_sub(g, m)
    torch._foreach_add_(m, _s0, alpha=_c0_one_minus_adam_beta_1)
    torch._foreach_copy_(_s0, g)
    torch._foreach_mul_(_s0, _s0)
    torch._foreach_sub_(_s0, v)
    torch._foreach_add_(v, _s0, alpha=_c1_one_minus_adam_beta_2)
    torch._foreach_add_(p, p, alpha=_c2_lr_scale)
    torch._foreach_copy_(_s0, v)
    torch._foreach_sqrt_(_s0)
    torch._foreach_add_(_s0, epsilon)
    torch._foreach_addcdiv_(p, m, _s0, value=_c3_lr_scale)


def _apply_graph_no_muon__no_nesterov(p, g, state, scalars):
    """Update one tensor p and its state for muon=False, nesterov=False with out-of-place
    operations that take 0-d tensor scalars (torch.compile fuses them; capturable=True)."""
    m, v = state
    _c0_one_minus_adam_beta_1, _c1_one_minus_adam_beta_2, _c2_lr_scale, _c3_lr_scale, epsilon = (
        scalars
    )
    _v4 = g - m
    _v5 = _v4 * _c0_one_minus_adam_beta_1
    _v6 = m + _v5
    _v7 = g * g
    _v8 = _v7 - v
    _v9 = _v8 * _c1_one_minus_adam_beta_2
    _v10 = v + _v9
    _v11 = p * _c2_lr_scale
    _v12 = p + _v11
    _v13 = torch.sqrt(_v10)
    _v14 = _v13 + epsilon
    _v15 = _v6 / _v14
    _v16 = _v15 * _c3_lr_scale
    _v17 = _v12 + _v16
    m.copy_(_v6)
    v.copy_(_v10)
    p.copy_(_v17)


def _apply_no_muon__nesterov(p, g, state, scalars):
    """Update one tensor p and its state in place for muon=False, nesterov=True."""
    m, v = state
    # _c0_one_minus_adam_beta_1 = 1 - adam_beta_1
    # _c1_one_minus_adam_beta_2 = 1 - adam_beta_2
    # _c2_lr_scale = -adam_weight_decay*lr
    # _c3_lr_scale = -adam_lr_ratio*lr*sqrt(1 - adam_beta_2**t)/(1 - adam_beta_1**t)
    _c0_one_minus_adam_beta_1, _c1_one_minus_adam_beta_2, _c2_lr_scale, _c3_lr_scale, epsilon = (
        scalars
    )
    _s0 = torch.empty_like(p)
    torch.sub(g, m, out=_s0)
    torch.add(m, _s0, alpha=_c0_one_minus_adam_beta_1, out=m)
    torch.square(g, out=_s0)
    torch.sub(_s0, v, out=_s0)
    torch.add(v, _s0, alpha=_c1_one_minus_adam_beta_2, out=v)
    torch.add(p, p, alpha=_c2_lr_scale, out=p)
    torch.sqrt(v, out=_s0)
    torch.add(_s0, epsilon, out=_s0)
    torch.addcdiv(p, m, _s0, value=_c3_lr_scale, out=p)


def _apply_foreach_no_muon__nesterov(p, g, state, scalars):
    """Update lists of tensors in place for muon=False, nesterov=True with torch._foreach_*."""
    m, v = state
    # _c0_one_minus_adam_beta_1 = 1 - adam_beta_1
    # _c1_one_minus_adam_beta_2 = 1 - adam_beta_2
    # _c2_lr_scale = -adam_weight_decay*lr
    # _c3_lr_scale = -adam_lr_ratio*lr*sqrt(1 - adam_beta_2**t)/(1 - adam_beta_1**t)
    _c0_one_minus_adam_beta_1, _c1_one_minus_adam_beta_2, _c2_lr_scale, _c3_lr_scale, epsilon = (
        scalars
    )
    _s0 = torch._foreach_sub(g, m)
    torch._foreach_add_(m, _s0, alpha=_c0_one_minus_adam_beta_1)
    torch._foreach_copy_(_s0, g)
    torch._foreach_mul_(_s0, _s0)
    torch._foreach_sub_(_s0, v)
    torch._foreach_add_(v, _s0, alpha=_c1_one_minus_adam_beta_2)
    torch._foreach_add_(p, p, alpha=_c2_lr_scale)
    torch._foreach_copy_(_s0, v)
    torch._foreach_sqrt_(_s0)
    torch._foreach_add_(_s0, epsilon)
    torch._foreach_addcdiv_(p, m, _s0, value=_c3_lr_scale)


def _apply_graph_no_muon__nesterov(p, g, state, scalars):
    """Update one tensor p and its state for muon=False, nesterov=True with out-of-place
    operations that take 0-d tensor scalars (torch.compile fuses them; capturable=True)."""
    m, v = state
    _c0_one_minus_adam_beta_1, _c1_one_minus_adam_beta_2, _c2_lr_scale, _c3_lr_scale, epsilon = (
        scalars
    )
    _v4 = g - m
    _v5 = _v4 * _c0_one_minus_adam_beta_1
    _v6 = m + _v5
    _v7 = g * g
    _v8 = _v7 - v
    _v9 = _v8 * _c1_one_minus_adam_beta_2
    _v10 = v + _v9
    _v11 = p * _c2_lr_scale
    _v12 = p + _v11
    _v13 = torch.sqrt(_v10)
    _v14 = _v13 + epsilon
    _v15 = _v6 / _v14
    _v16 = _v15 * _c3_lr_scale
    _v17 = _v12 + _v16
    m.copy_(_v6)
    v.copy_(_v10)
    p.copy_(_v17)


def _apply_muon__no_nesterov(p, g, state, scalars):
    """Update one tensor p and its state in place for muon=True, nesterov=False."""
    (m,) = state
    # _c0_minus_one_plus_momentum = momentum - 1
    # _c1_minus_lr_times_weight_decay = -lr*weight_decay
    # _c2_minus_lr_times_rms_rate = -lr*rms_rate
    (
        _c0_minus_one_plus_momentum,
        _c1_minus_lr_times_weight_decay,
        _c2_minus_lr_times_rms_rate,
        muon_a,
        muon_b,
        muon_c,
        ns_steps,
    ) = scalars
    _s0 = torch.empty_like(p)
    rows = p.shape[-2]
    columns = p.shape[-1]
    _k0_coefficient = _c2_minus_lr_times_rms_rate * math.sqrt(
        max((columns, rows), key=lambda _x: (_x != _x, _x))
    )
    torch.add(g, m, out=_s0)
    torch.mul(m, _c0_minus_one_plus_momentum, out=m)
    torch.add(_s0, m, out=m)
    torch.mul(p, _c1_minus_lr_times_weight_decay, out=_s0)
    torch.add(p, _s0, out=p)
    _s0.copy_(_matrix_orthogonalize(m, muon_a, muon_b, muon_c, ns_steps))
    torch.mul(_s0, _k0_coefficient, out=_s0)
    torch.add(p, _s0, out=p)


def _apply_muon__nesterov(p, g, state, scalars):
    """Update one tensor p and its state in place for muon=True, nesterov=True."""
    (m,) = state
    # _c0_minus_one_plus_momentum = momentum - 1
    # _c1_minus_lr_times_weight_decay = -lr*weight_decay
    # _c2_minus_lr_times_rms_rate = -lr*rms_rate
    (
        _c0_minus_one_plus_momentum,
        _c1_minus_lr_times_weight_decay,
        _c2_minus_lr_times_rms_rate,
        momentum,
        muon_a,
        muon_b,
        muon_c,
        ns_steps,
    ) = scalars
    _s0 = torch.empty_like(p)
    rows = p.shape[-2]
    columns = p.shape[-1]
    _k0_coefficient = _c2_minus_lr_times_rms_rate * math.sqrt(
        max((columns, rows), key=lambda _x: (_x != _x, _x))
    )
    torch.add(g, m, out=_s0)
    torch.mul(m, _c0_minus_one_plus_momentum, out=m)
    torch.add(_s0, m, out=m)
    torch.mul(p, _c1_minus_lr_times_weight_decay, out=_s0)
    torch.add(p, _s0, out=p)
    torch.mul(m, momentum, out=_s0)
    torch.add(g, _s0, out=_s0)
    _s0.copy_(_matrix_orthogonalize(_s0, muon_a, muon_b, muon_c, ns_steps))
    torch.mul(_s0, _k0_coefficient, out=_s0)
    torch.add(p, _s0, out=p)


class Muon(Optimizer):
    """Optimizer that implements the Muon algorithm.

    Muon updates each matrix with its momentum orthogonalised by a Newton-Schulz iteration: approximately U V^T of the momentum's singular value decomposition U S V^T, scaled so that its root mean square matches Adam's (the Moonlight scaling, rms_rate). Every tensor that is not a matrix (biases, scalars, convolution kernels) takes AdamW's update instead.

    Args:
        learning_rate: float, learning_rate >= 0. The learning rate (of Muon's matrices; AdamW's is this times adam_lr_ratio). Defaults to 0.001.
        adam_beta_1: float, 0 < adam_beta_1 < 1. The exponential decay rate for AdamW's 1st moment estimates. Defaults to 0.9.
        adam_beta_2: float, 0 < adam_beta_2 < 1. The exponential decay rate for AdamW's 2nd moment estimates. Defaults to 0.999.
        epsilon: float, epsilon > 0. A small constant for numerical stability in AdamW's update. Defaults to 1e-07.
        adam_weight_decay: float, adam_weight_decay >= 0. The decoupled weight decay of the tensors AdamW updates (0 disables it). Defaults to 0.004.
        weight_decay: float, weight_decay >= 0. The decoupled weight decay of the matrices Muon updates (0 disables it). Defaults to 0.004.
        momentum: float, 0 <= momentum < 1. The momentum of Muon's internal SGD. Defaults to 0.95.
        ns_steps: float, 0 <= ns_steps <= 100, a whole number. The number of Newton-Schulz iterations. Defaults to 5.0.
        nesterov: bool. Whether Muon orthogonalises Nesterov's look-ahead g + momentum*m instead of m. Defaults to True.
        rms_rate: float, rms_rate >= 0. The root mean square Muon's update is scaled to, times sqrt(max(rows, columns)) (Moonlight's scaling). Defaults to 0.2.
        muon_a: float. The coefficient a of the quintic Newton-Schulz iteration. Defaults to 3.4445.
        muon_b: float. The coefficient b of the quintic Newton-Schulz iteration. Defaults to -4.775.
        muon_c: float. The coefficient c of the quintic Newton-Schulz iteration. Defaults to 2.0315.
        adam_lr_ratio: float, adam_lr_ratio >= 0. The ratio of AdamW's learning rate to Muon's. Defaults to 1.0.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).

    References:
        - Muon: An optimizer for hidden layers in neural networks: https://kellerjordan.github.io/posts/muon/
        - Muon is Scalable for LLM Training: https://arxiv.org/abs/2502.16982

    Generated from specs/muon.yaml; the update rule is documented there.

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
    foreach: the foreach path encodes with torch operations, about 30 times slower on W1. For
    the tensors whose rule needs whole tensors (reductions or matrix functions): each tensor's
    state is decoded whole, stepped by the float32 rule's torch code and encoded again, a tensor
    at a time, ``fused=True`` too.
    """

    keras_name = "muon"
    spec = "specs/muon.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ("nesterov",)
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay")
    native_module = "muon"
    torch_difference = "torch.optim.Muon (torch 2.9 and later) takes matrices only (no AdamW for other tensors), scales the update by its adjust_lr_fn instead of rms_rate, and its defaults differ; it is not compared here."
    kernels = {
        (False, False): Kernel(
            state=("m", "v"),
            step=host.step_no_muon__no_nesterov,
            apply=_apply_no_muon__no_nesterov,
            apply_foreach=_apply_foreach_no_muon__no_nesterov,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_muon_no_muon__no_nesterov",
            tensor_ops=(),
            apply_graph=_apply_graph_no_muon__no_nesterov,
            nonnegative=(),
            relation_bound=(),
        ),
        (False, True): Kernel(
            state=("m", "v"),
            step=host.step_no_muon__no_nesterov,
            apply=_apply_no_muon__nesterov,
            apply_foreach=_apply_foreach_no_muon__nesterov,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_muon_no_muon__no_nesterov",
            tensor_ops=(),
            apply_graph=_apply_graph_no_muon__nesterov,
            nonnegative=(),
            relation_bound=(),
        ),
        (True, False): Kernel(
            state=("m",),
            step=host.step_muon__no_nesterov,
            apply=_apply_muon__no_nesterov,
            apply_foreach=None,
            partials=None,
            global_ops=(),
            global_names=(),
            native=None,
            tensor_ops=(),
            apply_graph=None,
            nonnegative=(),
            relation_bound=(),
        ),
        (True, True): Kernel(
            state=("m",),
            step=host.step_muon__nesterov,
            apply=_apply_muon__nesterov,
            apply_foreach=None,
            partials=None,
            global_ops=(),
            global_names=(),
            native=None,
            tensor_ops=(),
            apply_graph=None,
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
        adam_beta_1=0.9,
        adam_beta_2=0.999,
        epsilon=1e-07,
        adam_weight_decay=0.004,
        weight_decay=0.004,
        momentum=0.95,
        ns_steps=5.0,
        nesterov=True,
        rms_rate=0.2,
        muon_a=3.4445,
        muon_b=-4.775,
        muon_c=2.0315,
        adam_lr_ratio=1.0,
        *,
        clipnorm=None,
        clipvalue=None,
        decay=0.0,
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
            {
                "learning_rate": lr,
                "adam_beta_1": adam_beta_1,
                "adam_beta_2": adam_beta_2,
                "epsilon": epsilon,
                "adam_weight_decay": adam_weight_decay,
                "weight_decay": weight_decay,
                "momentum": momentum,
                "ns_steps": ns_steps,
                "rms_rate": rms_rate,
                "muon_a": muon_a,
                "muon_b": muon_b,
                "muon_c": muon_c,
                "adam_lr_ratio": adam_lr_ratio,
            },
            {"nesterov": nesterov},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            maximize=maximize,
            foreach=foreach,
            fused=fused,
            capturable=capturable,
            torch_args={"eps": eps},
            shard_group=shard_group,
            state_precision=state_precision,
        )
