"""Which state arrays can never be negative, derived from a spec's equations.

Low-precision state (``state_precision="int8"``) stores such a state with unsigned codes, one
more bit of resolution than signed ones. The claim is proved, not declared: a state is
non-negative when its initial value is, and when its update is, for every value of the
hyperparameters in their domains and every gradient, given that the states it reads are
(the largest set for which this holds, found by removing states that fail until none does).

SymPy decides the sign of each expression with the hyperparameters replaced by non-negative
symbols: ``y`` for a domain within [0, oo), and both ``1/(1 + y)`` and ``y/(1 + y)`` for a
domain within [0, 1] (together they cover it, and ``1 - beta`` is then visibly non-negative).
Anything it cannot prove is signed: Keras 2.3's RMSprop and Adadelta allow ``rho > 1``, where
``(1 - rho)*g**2`` is negative, so their accumulators are signed.
"""

from __future__ import annotations

import functools
import itertools
import math

import sympy as sp

from .model import Kind, Variant


def nonnegative_states(variant: Variant) -> tuple[str, ...]:
    """The variant's state arrays that are never negative, in declaration order."""
    after_step = _after_step(variant)
    candidates = list(variant.state)
    while True:
        assumed = {s.symbol: sp.Symbol(s.name, nonnegative=True) for s in candidates}
        proved = []
        for s in candidates:
            exprs = [e.xreplace(assumed) for e in (s.init, after_step.get(s.symbol, s.symbol))]
            cases = _hyperparameter_cases(variant, set().union(*(e.free_symbols for e in exprs)))
            if cases is not None and all(_nonnegative(e.xreplace(c)) for c in cases for e in exprs):
                proved.append(s)
        if len(proved) == len(candidates):
            return tuple(s.name for s in proved)
        candidates = proved


def never_negative(variant: Variant, expr: sp.Expr, states) -> bool:
    """Whether ``expr``, in the variant's inputs (p, g, the state, the hyperparameters, the
    step values and t), is never negative, given that the ``states`` named are not."""
    assumed = {
        s.symbol: sp.Symbol(s.name, nonnegative=True) for s in variant.state if s.name in states
    }
    expr = expr.xreplace(assumed)
    cases = _hyperparameter_cases(variant, expr.free_symbols)
    return cases is not None and all(_nonnegative(expr.xreplace(c)) for c in cases)


def _after_step(variant: Variant) -> dict[sp.Symbol, sp.Expr]:
    """Each equation's value in terms of the values before the step."""
    after_step: dict[sp.Symbol, sp.Expr] = {}
    for eq in variant.update:
        after_step[eq.symbol] = eq.expr.xreplace(after_step)
    return after_step


# Each hyperparameter within [0, 1] doubles the cases; past this many a state is left signed.
MAX_UNIT_INTERVALS = 6


def _nonnegative(expr: sp.Expr) -> bool:
    return sp.together(expr).is_nonnegative is True


def _hyperparameter_cases(variant: Variant, used) -> list[dict] | None:
    """Substitutions that together cover the domains of the hyperparameters in ``used``, and
    the ranges of the step values in ``used`` (``_ranges``), or None when there would be too
    many."""
    choices = []
    for symbol, (low, high) in _ranges(variant).items():
        if symbol not in used:
            continue
        y = sp.Symbol(f"_y_{symbol.name}", nonnegative=True)
        if bool(low >= 0) and bool(high <= 1):
            choices.append([(symbol, 1 / (1 + y)), (symbol, y / (1 + y))])
        elif bool(low >= 0):
            choices.append([(symbol, y)])
        elif bool(high <= 0):
            choices.append([(symbol, -y)])
    if sum(len(c) > 1 for c in choices) > MAX_UNIT_INTERVALS:
        return None
    return [dict(combination) for combination in itertools.product(*choices)]


UNBOUNDED = (-sp.oo, sp.oo)


def _ranges(variant: Variant) -> dict[sp.Symbol, tuple]:
    """The (low, high) bounds of the real hyperparameters with an interval for a domain, and
    of the step values, in order, from them and the step count t >= 1: Adafactor's
    ``beta = 1 - t**beta_2_decay`` lies in [0, 1] for ``beta_2_decay <= 0``."""
    ranges: dict[sp.Symbol, tuple] = {}
    for h in variant.spec.hyperparameters:
        if h.kind is not Kind.REAL or h.domain is None:
            continue  # a flag is resolved in the variant; no domain: any real
        bounds = _domain_bounds(h.domain)
        if bounds is not None:
            ranges[h.symbol] = bounds
    known = {s.name: r for s, r in ranges.items()} | {"t": (sp.Integer(1), sp.oo)}
    for eq in variant.step:  # (a value assigned again takes its last bounds)
        known[eq.symbol.name] = ranges[eq.symbol] = _bounds(eq.expr, known)
    return {s: r for s, r in ranges.items() if r != UNBOUNDED}


@functools.lru_cache(maxsize=None)
def _domain_bounds(domain) -> tuple | None:
    """The (low, high) of a hyperparameter's domain, None where it is not an interval. Kept:
    SymPy's as_set takes about 85 ms a domain, and every proof of every variant asks again."""
    try:
        interval = domain.as_set()
        return (sp.sympify(interval.inf), sp.sympify(interval.sup))
    except (TypeError, ValueError, NotImplementedError, AttributeError):  # any real
        return None


def _bounds(expr: sp.Expr, known: dict) -> tuple:
    """Bounds (low, high) that ``expr`` stays within, given those of the names it reads
    (interval arithmetic; (-oo, oo) where a rule is missing or a bound undefined)."""
    if expr.is_Number:
        return (expr, expr) if expr.is_finite else UNBOUNDED
    if expr.is_Symbol:
        return known.get(expr.name, UNBOUNDED)
    args = [_bounds(a, known) for a in expr.args]
    if expr.is_Add:
        out = (sp.Add(*(a[0] for a in args)), sp.Add(*(a[1] for a in args)))
    elif expr.is_Mul:
        out = args[0]
        for low, high in args[1:]:
            products = [a * b for a in out for b in (low, high)]
            if any(x is sp.nan for x in products):
                return UNBOUNDED
            out = (sp.Min(*products), sp.Max(*products))
    elif isinstance(expr, (sp.Min, sp.Max)):
        pick = expr.func
        out = (pick(*(a[0] for a in args)), pick(*(a[1] for a in args)))
    elif expr.is_Pow:
        (base_low, base_high), (exp_low, exp_high) = args
        if bool(base_low >= 1) and bool(exp_high <= 0):
            out = (sp.Integer(0), sp.Integer(1))
        elif bool(base_low >= 1) and bool(exp_low >= 0):
            out = (sp.Integer(1), sp.oo)
        elif bool(base_low > 0):
            out = (sp.Integer(0), sp.oo)
        else:
            return UNBOUNDED
    else:
        return UNBOUNDED
    return out if all(x.is_extended_real and x is not sp.nan for x in out) else UNBOUNDED


def relation_bound_arguments(variant: Variant) -> tuple[str, ...]:
    """The arguments of square roots, fractional powers and logarithms in the update that
    stay non-negative only through a relation between states, as text: written in the states
    before the step, a term with states has a coefficient that is provably never positive,
    and not zero (for some values of the hyperparameters): centered RMSprop's ``accumulator -
    mean_gradient**2``, non-negative because both average the same gradients. State stored in
    fewer bits rounds each state on its own, so the relation, and the argument's sign, may not
    survive: such a variant keeps float32 state. A term whose coefficient is not negative keeps
    its sign when its state is rounded (rounding keeps signs); arguments not polynomial in the
    states, and coefficients of unknown sign (a gradient's, a per-step value's), are not
    judged."""
    after_step = _after_step(variant)
    states = {s.symbol for s in variant.state}
    found: dict[str, None] = {}
    for eq in variant.update:
        for node in sp.preorder_traversal(eq.expr):
            if isinstance(node, sp.Pow) and node.exp.is_integer is not True:
                argument = node.base
            elif isinstance(node, sp.log):
                argument = node.args[0]
            else:
                continue
            if _held_by_a_relation(argument.xreplace(after_step), states, variant):
                found.setdefault(sp.sstr(argument), None)
    return tuple(found)


# An argument whose expansion could have more terms is not judged: ``(beta*v + g*g + m*m +
# 1)**64``, the states replaced by their equations, took minutes to expand (a spec of a dozen
# lines that stalled the build); the seed's and torch's rules have a few dozen at most.
_MAX_EXPANDED_TERMS = 5000


def _expanded_terms_bound(expr: sp.Expr) -> int:
    """An upper bound on the terms of ``sp.expand(expr)``, without expanding (capped just past
    the limit, so that the bound itself stays small): a sum's add up, a product's multiply, an
    integer power n of a sum of k terms has at most C(n + k - 1, k - 1); anything else is one
    term, unless its arguments alone pass the limit (expand goes inside functions too)."""
    cap = _MAX_EXPANDED_TERMS + 1
    if isinstance(expr, sp.Add):
        return min(cap, sum(_expanded_terms_bound(a) for a in expr.args))
    if isinstance(expr, sp.Mul):
        total = 1
        for a in expr.args:
            total = min(cap, total * _expanded_terms_bound(a))
        return total
    if isinstance(expr, sp.Pow) and expr.exp.is_Integer and expr.exp > 1:
        # a sum of k terms to the power n: at most C(n + k - 1, k - 1) monomials
        k, n = _expanded_terms_bound(expr.base), int(expr.exp)
        return 1 if k == 1 else min(cap, math.comb(n + k - 1, k - 1))
    # sp.expand goes inside functions' arguments (exp, sqrt, ...) too
    inner = max((_expanded_terms_bound(a) for a in expr.args), default=1)
    return cap if inner >= cap else 1


def _held_by_a_relation(argument: sp.Expr, states, variant: Variant) -> bool:
    """Whether a term of ``argument`` (a polynomial in the states) with states has a
    coefficient never positive, and not zero, in some case of the hyperparameters' domains."""
    present = sorted(states & argument.free_symbols, key=str)
    if not present:
        return False
    if not argument.is_polynomial(*present):  # Poly would refuse it after expanding
        return False
    if _expanded_terms_bound(argument) > _MAX_EXPANDED_TERMS:
        return False  # too large to expand in a build's time: not judged
    try:
        terms = sp.Poly(sp.expand(argument), *present).terms()
    except sp.PolynomialError:
        return False
    for powers, coefficient in terms:
        if not any(powers) or coefficient == 0:
            continue
        for case in _hyperparameter_cases(variant, coefficient.free_symbols) or [{}]:
            value = sp.together(coefficient.xreplace(case))
            if value != 0 and value.is_nonpositive is True:  # negative but where it is 0
                return True
    return False
