"""One element of a variant's equations evaluated in IEEE float64, as the array backends
compute it (NaN-propagating max and min, inf and NaN as they come): what the docs' table of
bad numbers shows. Not the verification reference (``generator.verify.reference``, 50 digits),
which the tests compare this table and every backend with."""

from __future__ import annotations

import numpy as np
import sympy as sp

from .model import ReduceOp, Scope, Variant

_UNARY = {
    sp.exp: np.exp,
    sp.log: np.log,
    sp.Abs: np.abs,
    sp.sign: np.sign,
}


def evaluate(expr: sp.Basic, env: dict[str, float]) -> np.float64:
    """``expr`` at ``env`` (names to values), every operation rounded to float64."""
    with np.errstate(all="ignore"):
        return _eval(expr, env)


def _eval(expr, env):
    if expr.is_Symbol:
        return np.float64(env[expr.name])
    if expr.is_Number or expr.is_NumberSymbol:  # exp(1) is SymPy's E
        return np.float64(float(expr))
    if isinstance(expr, sp.Piecewise):  # the branch whose condition holds, lazily
        for value, cond in expr.args:
            if cond is sp.true or bool(condition_holds(cond, env)):
                return _eval(value, env)
        return np.float64(np.nan)
    args = [_eval(a, env) for a in expr.args]
    if isinstance(expr, sp.Add):
        return _fold(np.add, args)
    if isinstance(expr, sp.Mul):
        return _fold(np.multiply, args)
    if isinstance(expr, sp.Pow):
        base, exponent = args
        if expr.exp == sp.S.Half:
            return np.sqrt(base)
        if expr.exp == -1:
            return np.float64(1.0) / base
        return np.power(base, exponent)
    if isinstance(expr, sp.Max):
        return _fold(np.maximum, args)
    if isinstance(expr, sp.Min):
        return _fold(np.minimum, args)
    for function, numpy_function in _UNARY.items():
        if isinstance(expr, function):
            return numpy_function(args[0])
    raise ValueError(f"no float64 evaluation of {type(expr).__name__}")


_COMPARISONS = {
    sp.StrictGreaterThan: np.greater,
    sp.GreaterThan: np.greater_equal,
    sp.StrictLessThan: np.less,
    sp.LessThan: np.less_equal,
    sp.Unequality: np.not_equal,
    sp.Equality: np.equal,
}


def condition_holds(cond, env):
    if isinstance(cond, sp.And):
        return all(condition_holds(c, env) for c in cond.args)
    if isinstance(cond, sp.Or):
        return any(condition_holds(c, env) for c in cond.args)
    if isinstance(cond, sp.Not):
        return not condition_holds(cond.args[0], env)
    for relation, compare in _COMPARISONS.items():
        if isinstance(cond, relation):
            return compare(_eval(cond.lhs, env), _eval(cond.rhs, env))
    raise ValueError(f"no float64 evaluation of {type(cond).__name__}")


def _fold(op, args):
    out = args[0]
    for a in args[1:]:
        out = op(out, a)
    return out


def one_step(
    variant: Variant, hyper: dict[str, float], p: list[float], g: list[float]
) -> dict[str, list[float]]:
    """One step (t = 1, initial state, no clipping) of one tensor with elements ``p`` and
    gradient ``g``: ``{"p": [...], state name: [...]}``. Reductions run over the tensor."""
    spec = variant.spec
    env: dict[str, float] = {**hyper, "decay": 0.0, "t": 1.0}
    env |= {s.name: float(evaluate(s.init, env)) for s in spec.scalar_state}
    env["lr"] = float(evaluate(spec.lr_equation.expr, env))
    state = {s.name: float(evaluate(s.init, env)) for s in variant.state}

    def reduce(r, values_before=env):  # over this one tensor, which is also every tensor
        elements = [{**values_before, **state, "p": pi, "g": gi} for pi, gi in zip(p, g)]
        values = [evaluate(r.expr, variant.reduction_env(r, e, evaluate)) for e in elements]
        env[r.name] = float(_fold(np.add if r.op is ReduceOp.SUM else np.maximum, values))

    early, late = spec.global_reductions()
    for r in early:
        reduce(r)
    if late:  # global ones over the update's values read the step's values
        stepped = spec.step_before_reductions(variant, env, evaluate)
        for r in late:
            reduce(r, stepped)
    for eq in variant.step:
        env[eq.target] = float(evaluate(eq.expr, env))
    for r in spec.reductions:  # after the step: they may read the update's values
        if r.scope is Scope.TENSOR and r.name in variant.names_read:
            reduce(r)
    names = ("p", *state)
    out: dict[str, list[float]] = {name: [] for name in names}
    for pi, gi in zip(p, g):
        local = {**env, **state, "p": pi, "g": gi}
        for eq in variant.update:
            local[eq.target] = float(evaluate(eq.expr, local))
        for name in names:
            out[name].append(local[name])
    return out
