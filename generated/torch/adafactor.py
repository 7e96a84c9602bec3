# generated from specs/adafactor.yaml by templates/torch/optimizer.py.j2 — do not edit
"""Optimizer that implements the Adafactor algorithm.

Adafactor is a stochastic optimization method based on Adam that reduces memory usage while retaining the empirical benefits of adaptivity. This is achieved through maintaining a factored representation of the squared gradient accumulator across training steps. More specifically, by tracking moving averages of the row and column sums of the squared gradients for matrices, Adafactor can reconstruct a low-rank approximation of the exponentially smoothed accumulator at each training step.
"""

import math

import torch

from ..host import adafactor as host
from ._runtime import Kernel, Optimizer


def _apply_no_factored(p, g, state, scalars):
    """Update one tensor p and its state in place for factored=False."""
    (v,) = state
    # _c0_one_minus_beta = 1 - beta
    # _c1_minus_rho = -rho
    # _c2_inv_clip_threshold = 1/clip_threshold
    # _c4_weight_decay_factor = -lr*weight_decay + 1
    # _c3__weight_decay_factor_pow_two = _c4_weight_decay_factor**2
    (
        _c0_one_minus_beta,
        _c1_minus_rho,
        _c2_inv_clip_threshold,
        _c4_weight_decay_factor,
        _c3__weight_decay_factor_pow_two,
        beta,
        epsilon_1,
        epsilon_2,
    ) = scalars
    _s0 = torch.empty_like(p)
    _s1 = torch.empty_like(p)
    _s2 = torch.empty_like(p)
    if p.numel() == 0:
        return
    torch.square(p, out=_s0)
    torch.mul(_s0, _c3__weight_decay_factor_pow_two, out=_s0)
    p_squares = float(torch.sum(_s0, dtype=torch.float64))
    torch.square(g, out=_s0)
    torch.add(_s0, epsilon_1, out=_s1)
    torch.mul(_s1, _c0_one_minus_beta, out=_s1)
    torch.add(_s1, v, alpha=beta, out=_s1)
    torch.div(_s0, _s1, out=_s0)
    u_squares = float(torch.sum(_s0, dtype=torch.float64))
    elements = float(1) * p.numel()
    _k0_coefficient = (
        _c1_minus_rho
        * max((epsilon_2, math.sqrt(p_squares / elements)), key=lambda _x: (_x != _x, _x))
        / max(
            (1, _c2_inv_clip_threshold * math.sqrt(u_squares / elements)),
            key=lambda _x: (_x != _x, _x),
        )
    )
    if _c4_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        p.mul_(_c4_weight_decay_factor)
    torch.square(g, out=_s0)
    torch.add(_s0, epsilon_1, out=_s0)
    torch.mul(v, beta, out=v)
    torch.add(v, _s0, alpha=_c0_one_minus_beta, out=v)
    torch.sqrt(v, out=_s0)
    torch.addcdiv(p, g, _s0, value=_k0_coefficient, out=p)


def _apply_factored(p, g, state, scalars):
    """Update one tensor p and its state in place for factored=True."""
    r, c = state
    # _c0_one_minus_beta = 1 - beta
    # _c1_minus_rho = -rho
    # _c2_inv_clip_threshold = 1/clip_threshold
    # _c4_weight_decay_factor = -lr*weight_decay + 1
    # _c3__weight_decay_factor_pow_two = _c4_weight_decay_factor**2
    (
        _c0_one_minus_beta,
        _c1_minus_rho,
        _c2_inv_clip_threshold,
        _c4_weight_decay_factor,
        _c3__weight_decay_factor_pow_two,
        beta,
        epsilon_1,
        epsilon_2,
    ) = scalars
    _s0 = torch.empty_like(p)
    _s1 = torch.empty_like(p)
    _sc0 = torch.empty(p.shape[:-2] + (1,) + p.shape[-1:], dtype=p.dtype, device=p.device)
    _sc1 = torch.empty(p.shape[:-2] + (1,) + p.shape[-1:], dtype=p.dtype, device=p.device)
    _sm0 = torch.empty(p.shape[:-2] + (1, 1), dtype=p.dtype, device=p.device)
    _sr0 = torch.empty(p.shape[:-1] + (1,), dtype=p.dtype, device=p.device)
    _sr1 = torch.empty(p.shape[:-1] + (1,), dtype=p.dtype, device=p.device)
    if p.numel() == 0:
        return
    torch.square(p, out=_s0)
    torch.mul(_s0, _c3__weight_decay_factor_pow_two, out=_s0)
    p_squares = float(torch.sum(_s0, dtype=torch.float64))
    torch.square(g, out=_s0)
    torch.add(_s0, epsilon_1, out=_s1)
    torch.mean(_s1, dim=-1, keepdim=True, out=_sr0)
    torch.mul(_sr0, _c0_one_minus_beta, out=_sr0)
    torch.mul(r, beta, out=_sr1)
    torch.add(_sr0, _sr1, out=_sr0)
    torch.mean(_sr0, dim=-2, keepdim=True, out=_sm0)
    torch.mul(_s0, _sm0, out=_s0)
    torch.mean(_s1, dim=-2, keepdim=True, out=_sc0)
    torch.mul(_sc0, _c0_one_minus_beta, out=_sc0)
    torch.mul(c, beta, out=_sc1)
    torch.add(_sc0, _sc1, out=_sc0)
    torch.mul(_sc0, _sr0, out=_s1)
    torch.div(_s0, _s1, out=_s0)
    u_squares = float(torch.sum(_s0, dtype=torch.float64))
    elements = float(1) * p.numel()
    _k0_coefficient = (
        _c1_minus_rho
        * max((epsilon_2, math.sqrt(p_squares / elements)), key=lambda _x: (_x != _x, _x))
        / max(
            (1, _c2_inv_clip_threshold * math.sqrt(u_squares / elements)),
            key=lambda _x: (_x != _x, _x),
        )
    )
    if _c4_weight_decay_factor != 1.0:  # weight_decay: p *= 1 - lr*weight_decay
        p.mul_(_c4_weight_decay_factor)
    torch.square(g, out=_s0)
    torch.add(_s0, epsilon_1, out=_s0)
    torch.mean(_s0, dim=-1, keepdim=True, out=_sr0)
    torch.mul(_sr0, _c0_one_minus_beta, out=_sr0)
    torch.mul(r, beta, out=r)
    torch.add(_sr0, r, out=r)
    torch.mean(_s0, dim=-2, keepdim=True, out=_sc0)
    torch.mul(_sc0, _c0_one_minus_beta, out=_sc0)
    torch.mul(c, beta, out=c)
    torch.add(_sc0, c, out=c)
    torch.mul(c, r, out=_s0)
    torch.mean(r, dim=-2, keepdim=True, out=_sm0)
    torch.div(_s0, _sm0, out=_s0)
    torch.sqrt(_s0, out=_s0)
    torch.addcdiv(p, g, _s0, value=_k0_coefficient, out=p)


class Adafactor(Optimizer):
    """Optimizer that implements the Adafactor algorithm.

    Adafactor is a stochastic optimization method based on Adam that reduces memory usage while retaining the empirical benefits of adaptivity. This is achieved through maintaining a factored representation of the squared gradient accumulator across training steps. More specifically, by tracking moving averages of the row and column sums of the squared gradients for matrices, Adafactor can reconstruct a low-rank approximation of the exponentially smoothed accumulator at each training step.

    Args:
        learning_rate: float, learning_rate >= 0. The learning rate. Defaults to 0.001.
        beta_2_decay: float, beta_2_decay <= 0. The decay rate of the second moment's averaging, beta_2 = 1 - t^beta_2_decay. Defaults to -0.8.
        epsilon_1: float, epsilon_1 >= 0. A small offset to keep the denominator away from 0. Defaults to 1e-30.
        epsilon_2: float, epsilon_2 >= 0. A small offset to avoid the learning rate becoming too small over time. Defaults to 0.001.
        clip_threshold: float, clip_threshold > 0. The threshold of the root mean square of the update, above which it is scaled down. Defaults to 1.0.
        relative_step: bool. Keras's cap of the learning rate at 1/sqrt(t), which the step size rho = min(lr, 1/sqrt(t)) applies in either case, so it changes nothing (as in Keras 3). Defaults to True.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).
        weight_decay: float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other optimizers add to the gradient. 0 or None disables it.

    References:
        - Adafactor: Adaptive Learning Rates with Sublinear Memory Cost: https://arxiv.org/abs/1804.04235

    Generated from specs/adafactor.yaml; the update rule is documented there.

    The spec's ``learning_rate`` is ``lr`` here, as in torch.optim, so learning-rate
    schedulers work; ``maximize``, ``foreach``, ``fused`` and ``capturable`` are torch.optim's
    (``capturable=True``: the step count and scalar state live on the device as tensors, for
    CUDA graphs; torch.compile uses the same path). torch's ``betas`` is taken where the spec
    has beta_1 and beta_2; its ``eps`` is refused where it would mean something else, and
    ``weight_decay`` (a param-group key) is Keras 3's decoupled decay, torch.optim.AdamW's,
    not the L2 term torch.optim's other optimizers add to the gradient. ``shard_group``: the process group over which the parameters
    are sharded by hand (ZeroRedundancyOptimizer's is found), for clipnorm's global norm.
    ``state_precision``: "float32" only: this spec's state of rows or columns is already small,
    and the other state is not stored apart from it.
    """

    keras_name = "adafactor"
    spec = "specs/adafactor.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ("relative_step",)
    derived_flags = host.DERIVED_FLAGS
    rank_flags = host.RANK_FLAGS
    state_shapes = host.STATE_SHAPES
    variant_flags = host.VARIANT_FLAGS
    variant_flag_defaults = host.VARIANT_FLAG_DEFAULTS
    common = ("clipnorm", "clipvalue", "decay", "weight_decay")
    native_module = "adafactor"
    torch_difference = "torch.optim.Adafactor (torch 2.5 and later) follows the paper's later version: its defaults, its relative step and its update differ; it is not compared here."
    kernels = {
        (False,): Kernel(
            state=("v",),
            step=host.step_no_factored,
            apply=_apply_no_factored,
            apply_foreach=None,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_adafactor_no_factored",
            tensor_ops=("sum", "sum", "sum"),
            apply_graph=None,
            nonnegative=("v",),
            relation_bound=(),
        ),
        (True,): Kernel(
            state=("r", "c"),
            step=host.step_no_factored,
            apply=_apply_factored,
            apply_foreach=None,
            partials=None,
            global_ops=(),
            global_names=(),
            native=None,
            staged="ocg_adafactor_factored",
            tensor_ops=("sum", "sum", "sum"),
            apply_graph=None,
            nonnegative=("r", "c"),
            relation_bound=(),
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        params,
        lr=0.001,
        beta_2_decay=-0.8,
        epsilon_1=1e-30,
        epsilon_2=0.001,
        clip_threshold=1.0,
        relative_step=True,
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
                "beta_2_decay": beta_2_decay,
                "epsilon_1": epsilon_1,
                "epsilon_2": epsilon_2,
                "clip_threshold": clip_threshold,
            },
            {"relative_step": relative_step},
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
