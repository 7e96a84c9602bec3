# generated from specs/sgd.yaml by templates/torch/optimizer.py.j2 — do not edit
"""Stochastic gradient descent optimizer.

Includes support for momentum, learning rate decay, and Nesterov momentum.
"""

import math

import torch

from ..host import sgd as host
from ._runtime import Kernel, Optimizer


def _apply_no_nesterov(p, g, state, scalars):
    """Update one tensor p and its state in place for nesterov=False."""
    (velocity,) = state
    # _c0_minus_lr = -lr
    _c0_minus_lr, momentum = scalars
    _s0 = torch.empty_like(p)
    torch.mul(velocity, momentum, out=velocity)
    torch.add(velocity, g, alpha=_c0_minus_lr, out=velocity)
    torch.add(velocity, p, out=p)


def _apply_foreach_no_nesterov(p, g, state, scalars):
    """Update lists of tensors in place for nesterov=False with torch._foreach_*."""
    (velocity,) = state
    # _c0_minus_lr = -lr
    _c0_minus_lr, momentum = scalars
    torch._foreach_mul_(velocity, momentum)
    torch._foreach_add_(velocity, g, alpha=_c0_minus_lr)
    torch._foreach_add_(p, velocity)


def _apply_nesterov(p, g, state, scalars):
    """Update one tensor p and its state in place for nesterov=True."""
    (velocity,) = state
    # _c0_minus_lr = -lr
    _c0_minus_lr, momentum = scalars
    _s0 = torch.empty_like(p)
    _s1 = torch.empty_like(p)
    torch.mul(g, _c0_minus_lr, out=_s0)
    torch.mul(velocity, momentum, out=velocity)
    torch.add(_s0, velocity, out=velocity)
    torch.add(_s0, p, out=_s0)
    torch.mul(velocity, momentum, out=_s1)
    torch.add(_s0, _s1, out=p)


def _apply_foreach_nesterov(p, g, state, scalars):
    """Update lists of tensors in place for nesterov=True with torch._foreach_*."""
    (velocity,) = state
    # _c0_minus_lr = -lr
    _c0_minus_lr, momentum = scalars
    _s0 = torch._foreach_mul(g, _c0_minus_lr)
    torch._foreach_mul_(velocity, momentum)
    torch._foreach_add_(velocity, _s0)
    torch._foreach_add_(_s0, p)
    _s1 = torch._foreach_mul(velocity, momentum)
    torch._foreach_copy_(p, torch._foreach_add(_s0, _s1))


class SGD(Optimizer):
    """Stochastic gradient descent optimizer.

    Includes support for momentum, learning rate decay, and Nesterov momentum.

    Args:
        learning_rate: float, learning_rate >= 0. Learning rate. Defaults to 0.01.
        momentum: float, momentum >= 0. Parameter that accelerates SGD in the relevant direction and dampens oscillations. Defaults to 0.0.
        nesterov: bool. Whether to apply Nesterov momentum. Defaults to False.
        clipnorm: float >= 0. Gradients will be clipped when their L2 norm exceeds this value (one norm over all gradients of the step). 0 or None disables it.
        clipvalue: float >= 0. Gradients will be clipped when their absolute value exceeds this value. 0 or None disables it.
        decay: float >= 0. Learning rate decay over each update: lr = learning_rate / (1 + decay * iterations).

    Generated from specs/sgd.yaml; the update rule is documented there.

    The spec's ``learning_rate`` is ``lr`` here, as in torch.optim, so learning-rate
    schedulers work; ``maximize``, ``foreach`` and ``fused`` are torch.optim's.
    """

    keras_name = "sgd"
    spec = "specs/sgd.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ("nesterov",)
    common = ("clipnorm", "clipvalue", "decay")
    native_module = "sgd"
    kernels = {
        (False,): Kernel(
            state=("velocity",),
            step=host.step_no_nesterov,
            apply=_apply_no_nesterov,
            apply_foreach=_apply_foreach_no_nesterov,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_sgd_no_nesterov",
        ),
        (True,): Kernel(
            state=("velocity",),
            step=host.step_no_nesterov,
            apply=_apply_nesterov,
            apply_foreach=_apply_foreach_nesterov,
            partials=None,
            global_ops=(),
            global_names=(),
            native="ocg_sgd_nesterov",
        ),
    }
    state_init = staticmethod(host.state_init)
    scalar_state_init = staticmethod(host.scalar_state_init)

    def __init__(
        self,
        params,
        lr=0.01,
        momentum=0.0,
        nesterov=False,
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
            {"learning_rate": lr, "momentum": momentum},
            {"nesterov": nesterov},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            maximize=maximize,
            foreach=foreach,
            fused=fused,
        )
