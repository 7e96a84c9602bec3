"""What Keras 2.3's ``Optimizer`` base class does for every optimizer, as SymPy.

- ``decay``: ``lr = learning_rate / (1 + decay * iterations)`` with iterations = t - 1
  (the steps completed before this one). Specs that list no ``decay`` in ``common`` (Nadam)
  get ``lr = learning_rate``.
- ``clipnorm``: ONE L2 norm over all gradients of the step; when ``norm >= clipnorm`` every
  gradient is scaled by ``clipnorm / norm``. 0 or None disables it.
- ``clipvalue``: then each element is clipped to ``[-clipvalue, clipvalue]``. 0 or None
  disables it.
- ``weight_decay``: Keras 3's decoupled decay, from its base class: before the spec's update,
  ``p = p*(1 - lr*weight_decay)``, so the update sees the decayed parameter. 0 or None
  disables it. (Keras 3 writes ``p - p*weight_decay*lr``: the same value up to rounding;
  torch.optim.AdamW writes ours.)
"""

from __future__ import annotations

import sympy as sp

from .symbols import G, T, real

LEARNING_RATE = real("learning_rate")
DECAY = real("decay")
CLIPNORM = real("clipnorm")
CLIPVALUE = real("clipvalue")
WEIGHT_DECAY = real("weight_decay")
GRAD_NORM = real("grad_norm")

COMMON_DOCS = {
    "clipnorm": "float >= 0. Gradients will be clipped when their L2 norm exceeds this value "
    "(one norm over all gradients of the step). 0 or None disables it.",
    "clipvalue": "float >= 0. Gradients will be clipped when their absolute value exceeds this "
    "value. 0 or None disables it.",
    "decay": "float >= 0. Learning rate decay over each update: "
    "lr = learning_rate / (1 + decay * iterations).",
    "weight_decay": "float >= 0. Decoupled weight decay (Keras 3's, torch.optim.AdamW's): "
    "before the update, p = p * (1 - lr * weight_decay); not the L2 term torch.optim's other "
    "optimizers add to the gradient. 0 or None disables it.",
}
COMMON_DEFAULTS = {"clipnorm": None, "clipvalue": None, "decay": 0.0, "weight_decay": None}
# The common arguments the step program reads (as floats: None is 0), in this order.
STEP_ARGUMENTS = ("decay", "weight_decay")

# The clipnorm scale, a per-step scalar (a global reduction of the raw gradients, then this).
CLIP_SCALE = sp.Piecewise((CLIPNORM / GRAD_NORM, GRAD_NORM >= CLIPNORM), (sp.Integer(1), True))
GRAD_NORM_SQUARED_TERM = G**2  # summed over every element of every gradient
# clipvalue, per element, applied after the clipnorm scale.
CLIP_VALUE = sp.Min(sp.Max(G, -CLIPVALUE), CLIPVALUE)


def lr_expression(decay: bool) -> sp.Expr:
    """The learning rate of step t: Keras 2.3's inverse-time decay, or none (Nadam)."""
    return LEARNING_RATE / (1 + DECAY * (T - 1)) if decay else LEARNING_RATE


def lr_text(decay: bool) -> str:
    return "lr = learning_rate/(1 + decay*(t - 1))" if decay else "lr = learning_rate"


# The parameter's factor before the update (a per-step value): exactly 1 when disabled.
WEIGHT_DECAY_FACTOR = 1 - real("lr") * WEIGHT_DECAY

# The cases of the common arguments every generated test runs, by name; "all" takes those
# of a spec's common arguments it has (Nadam has no decay, AdamW its own weight_decay).
COMMON_CASES = {
    "plain": {},
    "clipnorm": {"clipnorm": 1.0},
    "clipvalue": {"clipvalue": 0.5},
    "decay": {"decay": 0.01},
    "all": {"clipnorm": 1.0, "clipvalue": 0.1, "decay": 0.01, "weight_decay": 0.1},
}


def common_cases(common: tuple[str, ...]) -> list[str]:
    """The COMMON_CASES that a spec with these common arguments takes."""
    return [
        name for name, case in COMMON_CASES.items() if name == "all" or set(case) <= set(common)
    ]


def common_case(name: str, common: tuple[str, ...]) -> dict:
    """COMMON_CASES[name], restricted to the common arguments a spec has."""
    return {k: v for k, v in COMMON_CASES[name].items() if k in common}
