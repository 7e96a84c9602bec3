"""First-order bounds of the rounding error of a spec's equations, for the reference's
tolerances: how far a correct float backend may land from the exact values.

The reference's ``scale`` (the sum over steps of |value| + |change|) is the size of what each
step computes; it misses cancellation. Ftrl's ``(n**0.5 - n_old**0.5)/lr*p`` subtracts two
nearly equal roots and multiplies the difference by 1/lr (1000): each root's rounding error,
u*|root|, reaches the result a thousand times over, while the result itself is small. Here
every operation of the equations, as written, adds its rounding (one unit roundoff u of its
result) to the error it inherits from its operands, each scaled by the operation's
derivative: a running error analysis. Bounds are in units of u, so one bound serves every
dtype; the state's bounds carry from step to step.

Backends compute other, algebraically equal orders (CSE, hoisting, fused multiply-adds), whose
first-order errors are of the same size; the tests take the larger of this bound and the
scale, so it only ever widens a tolerance where the mathematics is ill-conditioned.
Discontinuities (sign, a select's condition, max and min at a tie) are taken as the exact
values take them: a value near one of them may legitimately go the other way in float, which
no tolerance covers.
"""

from __future__ import annotations

import math

import sympy as sp

from ..float64 import condition_holds

_SQRT_FLOAT32_U = 2.0**-12  # sqrt(u) of float32: the error of sqrt(x) for x = 0 +- error


def bound(expr: sp.Basic, values: dict[str, float], bounds: dict[str, float]) -> float:
    """The rounding error of ``expr`` in units of u, given the values of its symbols (by name)
    and their own errors (by name; a name without one is a number rounded once: |value|)."""
    return _Walk(values, bounds).walk(expr)[1]


class _Walk:
    def __init__(self, values, bounds):
        self.values = values
        self.bounds = bounds
        self.memo: dict[sp.Basic, tuple[float, float]] = {}

    def walk(self, expr) -> tuple[float, float]:
        """(value, error bound in units of u)."""
        if expr not in self.memo:
            self.memo[expr] = self._walk(expr)
        return self.memo[expr]

    def _walk(self, expr):
        if expr.is_Symbol:
            value = float(self.values[expr.name])
            return value, self.bounds.get(expr.name, abs(value))
        if expr.is_Number or expr.is_NumberSymbol:  # e and pi are rounded once, as numbers
            value = float(expr)
            return value, 0.0 if expr.is_Integer else abs(value)
        if isinstance(expr, sp.Piecewise):
            for value, cond in expr.args:
                if cond is sp.true or self.holds(cond):
                    return self.walk(value)
            return math.nan, 0.0
        args = [self.walk(a) for a in expr.args]
        vals = [v for v, _ in args]
        errs = [e for _, e in args]
        if isinstance(expr, sp.Add):
            total, error = vals[0], errs[0]
            for v, e in zip(vals[1:], errs[1:]):
                total += v
                error += e + abs(total)
            return total, error
        if isinstance(expr, sp.Mul):
            total = math.prod(vals)
            error = 0.0
            for i, e in enumerate(errs):
                if e:
                    error += e * abs(math.prod(vals[:i] + vals[i + 1 :]))
            return total, error + (len(vals) - 1) * abs(total)
        if isinstance(expr, sp.Pow):
            return self._power(expr, vals, errs)
        if isinstance(expr, (sp.Max, sp.Min)):
            pick = max if isinstance(expr, sp.Max) else min
            return pick(vals), max(errs)
        if isinstance(expr, sp.Abs):
            return abs(vals[0]), errs[0]
        if isinstance(expr, sp.sign):
            return math.copysign(1.0, vals[0]) if vals[0] else 0.0, 0.0
        if isinstance(expr, sp.exp):
            value = _exp(vals[0])
            return value, abs(value) * errs[0] + 2 * abs(value)
        if isinstance(expr, sp.log):
            value = math.log(vals[0]) if vals[0] > 0 else -math.inf
            return value, errs[0] / abs(vals[0]) + 2 * abs(value) if vals[0] else math.inf
        raise ValueError(f"no rounding bound of {type(expr).__name__}")

    def _power(self, expr, vals, errs):
        (base, exponent), (base_error, exponent_error) = vals, errs
        try:
            value = base**exponent
        except (OverflowError, ZeroDivisionError):
            return math.inf, math.inf
        if isinstance(value, complex):
            return math.nan, 0.0
        if base == 0:
            if not base_error:
                return value, abs(value)
            if expr.exp == sp.S.Half:  # sqrt(0 + e) = sqrt(e): the first order is infinite
                return value, math.sqrt(base_error) / _SQRT_FLOAT32_U
            return value, math.inf
        operations = abs(int(exponent)) if expr.exp.is_Integer else 4  # pow: a few ulps
        error = abs(exponent * value / base) * base_error + max(operations, 1) * abs(value)
        if exponent_error:
            error += abs(value * math.log(abs(base))) * exponent_error
        return value, error

    def holds(self, cond) -> bool:
        """As the float64 table of bad numbers evaluates a condition (generator/float64.py)."""
        return bool(condition_holds(cond, self.values))


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf
