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
    _s1 = torch.empty_like(p)
    _s2 = torch.empty_like(p)
    torch.mul(g, _c0_one_minus_beta_2, out=_s0)
    torch.add(_s0, m, alpha=beta_2, out=_s0)
    torch.mul(p, weight_decay, out=_s1)
    torch.mul(g, _c2_one_minus_beta_1, out=_s2)
    torch.mul(m, beta_1, out=m)
    torch.add(_s2, m, out=_s2)
    _s2.copy_(torch.where(torch.isnan(_s2), _s2, torch.sign(_s2)))
    torch.add(_s1, _s2, out=_s1)
    torch.mul(_s1, _c1_minus_lr, out=_s1)
    torch.add(p, _s1, out=p)
    m.copy_(_s0)


def _apply_foreach_default(p, g, state, scalars):
    """Update lists of tensors in place for the defaults with torch._foreach_*."""
    (m,) = state
    # _c0_one_minus_beta_2 = 1 - beta_2
    # _c1_minus_lr = -lr
    # _c2_one_minus_beta_1 = 1 - beta_1
    _c0_one_minus_beta_2, _c1_minus_lr, _c2_one_minus_beta_1, beta_1, beta_2, weight_decay = scalars
    _s0 = torch._foreach_mul(g, _c0_one_minus_beta_2)
    torch._foreach_add_(_s0, m, alpha=beta_2)
    _s1 = torch._foreach_mul(p, weight_decay)
    _s2 = torch._foreach_mul(g, _c2_one_minus_beta_1)
    torch._foreach_mul_(m, beta_1)
    torch._foreach_add_(_s2, m)
    torch._foreach_copy_(_s2, [torch.where(torch.isnan(_x), _x, torch.sign(_x)) for _x in _s2])
    torch._foreach_add_(_s1, _s2)
    torch._foreach_mul_(_s1, _c1_minus_lr)
    torch._foreach_add_(p, _s1)
    torch._foreach_copy_(m, _s0)


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
    schedulers work; ``maximize``, ``foreach`` and ``fused`` are torch.optim's.
    """

    keras_name = "lion"
    spec = "specs/lion.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    common = ("clipnorm", "clipvalue", "decay")
    native_module = "lion"
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
        )
