"""Scalar Python: per-step values computed on the host with the ``math`` module."""

from __future__ import annotations

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from ..symbols import first_branch
from .products import LoneDenominator


class ScalarPrinter(LoneDenominator, PythonCodePrinter):
    """Python floats: ``math.sqrt``, ``max``/``min`` builtins, x*x for small powers."""

    def __init__(self):
        super().__init__({"standard": "python3", "fully_qualified_modules": True})

    def _print_Max(self, expr):
        """A NaN among the arguments is the result, wherever it is, as numpy.maximum, the C
        kernels' ocg_max and the reference have it (the builtin keeps it only when first)."""
        items = ", ".join(self._print(a) for a in expr.args)
        return f"max(({items}), key=lambda _x: (_x != _x, _x))"

    def _print_Min(self, expr):
        items = ", ".join(self._print(a) for a in expr.args)
        return f"min(({items}), key=lambda _x: (_x == _x, _x))"

    def _print_Rational(self, expr):
        return f"{expr.p}/{expr.q}"

    def prints_as_product(self, power):
        return power.exp == 2 and power.base.is_Symbol

    def _print_Pow(self, expr, rational=False):
        if self.prints_as_product(expr):
            name = self._print(expr.base)
            return f"{name}*{name}"
        return super()._print_Pow(expr, rational=rational)

    def _print_sign(self, expr):
        arg = self._print(expr.args[0])
        return f"(0.0 if {arg} == 0 else math.copysign(1.0, {arg}))"


_PRINTER = ScalarPrinter()


def print_scalar(expr: sp.Basic) -> str:
    return _PRINTER.doprint(expr)


class StepPrinter(ScalarPrinter):
    """The host's step programs: the ``math`` functions, max/min and sign through the
    runtime's ``step_math`` (generator/runtime/_shared.py), which takes Python numbers (as
    ``math`` does) and tensors alike, so that torch's graph steps run the same function."""

    def _module_format(self, fqn, register=True):
        if fqn.startswith("math."):
            return "step_math." + fqn[len("math.") :]
        return super()._module_format(fqn, register)

    def _print_Max(self, expr):
        return "step_math.maximum(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Min(self, expr):
        return "step_math.minimum(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_sign(self, expr):
        return f"step_math.sign({self._print(expr.args[0])})"

    def _print_Abs(self, expr):
        return f"abs({self._print(expr.args[0])})"

    def _print_Piecewise(self, expr):
        """``step_math.select(c, lambda: a, lambda: b)``: lazy on numbers, a select on
        tensors (torch's graph steps)."""
        cond, a, b = first_branch(expr)
        return (
            f"step_math.select({self._print(cond)}, lambda: {self._print(a)}, "
            f"lambda: {self._print(b)})"
        )


_STEP_PRINTER = StepPrinter()


def print_step(expr: sp.Basic) -> str:
    return _STEP_PRINTER.doprint(expr)
