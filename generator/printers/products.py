"""A fix shared by the printers that write a small power as a product (``y*y``)."""

from __future__ import annotations

import sympy as sp


class LoneDenominator:
    """SymPy's ``_print_Mul`` writes a single denominator after one '/' and parenthesizes it
    by the precedence of a power, which binds tighter than '*': ``x/y**2`` would print as
    ``x/y*y``, that is x. A printer mixing this in says which powers it writes as products
    (``prints_as_product``); such a lone denominator is parenthesized, ``x/(y*y)``."""

    _lone_denominator: sp.Expr | None = None

    def prints_as_product(self, power: sp.Pow) -> bool:
        raise NotImplementedError

    def _print_Mul(self, expr):
        saved = self._lone_denominator
        below = [
            sp.Pow(f.base, -f.exp)
            for f in expr.args
            if f.is_Pow and f.exp.is_Integer and f.exp.is_negative
        ]
        lone = below[0] if len(below) == 1 else None
        self._lone_denominator = lone if lone is not None and lone.is_Pow else None
        try:
            return super()._print_Mul(expr)
        finally:
            self._lone_denominator = saved

    def parenthesize(self, item, level, strict=False):
        lone = self._lone_denominator
        if lone is not None and item == lone and self.prints_as_product(item):
            return f"({self._print(item)})"
        return super().parenthesize(item, level, strict)
