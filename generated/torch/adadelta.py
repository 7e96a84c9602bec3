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
    _c0_one_minus_rho, _c1_minus_lr, epsilon, rho = scalars
    _s0 = torch.empty_like(p)
    _s1 = torch.empty_like(p)
    _s2 = torch.empty_like(p)
    torch.square(g, out=_s0)
    torch.mul(_s0, _c0_one_minus_rho, out=_s0)
    torch.mul(accumulator, rho, out=accumulator)
    torch.add(_s0, accumulator, out=accumulator)
    torch.add(accumulator, epsilon, out=_s1)
    torch.add(delta_accumulator, epsilon, out=_s2)
    torch.mul(delta_accumulator, rho, out=delta_accumulator)
    torch.mul(_s0, _s2, out=_s0)
    torch.div(_s0, _s1, out=_s0)
    torch.add(delta_accumulator, _s0, out=delta_accumulator)
    torch.sqrt(_s2, out=_s2)
    torch.mul(g, _s2, out=_s2)
    torch.sqrt(_s1, out=_s1)
    torch.addcdiv(p, _s2, _s1, value=_c1_minus_lr, out=p)


def _apply_foreach_default(p, g, state, scalars):
    """Update lists of tensors in place for the defaults with torch._foreach_*."""
    accumulator, delta_accumulator = state
    # _c0_one_minus_rho = 1 - rho
    # _c1_minus_lr = -lr
    _c0_one_minus_rho, _c1_minus_lr, epsilon, rho = scalars
    _s0 = torch._foreach_mul(g, g)
    torch._foreach_mul_(_s0, _c0_one_minus_rho)
    torch._foreach_mul_(accumulator, rho)
    torch._foreach_add_(accumulator, _s0)
    _s1 = torch._foreach_add(accumulator, epsilon)
    _s2 = torch._foreach_add(delta_accumulator, epsilon)
    torch._foreach_mul_(delta_accumulator, rho)
    torch._foreach_mul_(_s0, _s2)
    torch._foreach_div_(_s0, _s1)
    torch._foreach_add_(delta_accumulator, _s0)
    torch._foreach_sqrt_(_s2)
    torch._foreach_mul_(_s2, g)
    torch._foreach_sqrt_(_s1)
    torch._foreach_addcdiv_(p, _s2, _s1, value=_c1_minus_lr)


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

    References:
        - Adadelta - an adaptive learning rate method: https://arxiv.org/abs/1212.5701

    Generated from specs/adadelta.yaml; the update rule is documented there.

    The spec's ``learning_rate`` is ``lr`` here, as in torch.optim, so learning-rate
    schedulers work; ``maximize``, ``foreach`` and ``fused`` are torch.optim's.
    """

    keras_name = "adadelta"
    spec = "specs/adadelta.yaml"
    hyperparameters = host.HYPERPARAMETERS
    flags = ()
    common = ("clipnorm", "clipvalue", "decay")
    native_module = "adadelta"
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
        maximize=False,
        foreach=None,
        fused=None,
    ):
        super().__init__(
            params,
            {"learning_rate": lr, "rho": rho, "epsilon": epsilon},
            {},
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            decay=decay,
            maximize=maximize,
            foreach=foreach,
            fused=fused,
        )
