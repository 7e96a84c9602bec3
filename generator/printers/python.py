"""Scalar Python: per-step values computed on the host with the ``math`` module."""

from __future__ import annotations

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter


class ScalarPrinter(PythonCodePrinter):
    """Python floats: ``math.sqrt``, ``max``/``min`` builtins, x*x for small powers."""

    def __init__(self):
        super().__init__({"standard": "python3", "fully_qualified_modules": True})

    def _print_Max(self, expr):
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Min(self, expr):
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Rational(self, expr):
        return f"{expr.p}/{expr.q}"

    def _print_Pow(self, expr, rational=False):
        if expr.exp == 2 and expr.base.is_Symbol:
            name = self._print(expr.base)
            return f"{name}*{name}"
        return super()._print_Pow(expr, rational=rational)

    def _print_sign(self, expr):
        arg = self._print(expr.args[0])
        return f"(0.0 if {arg} == 0 else math.copysign(1.0, {arg}))"


_PRINTER = ScalarPrinter()


def print_scalar(expr: sp.Basic) -> str:
    return _PRINTER.doprint(expr)
