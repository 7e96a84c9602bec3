"""C99 / CUDA C expressions for one floating type: ``float`` (``sqrtf``, ``1.0F``) or ``double``.

Built on SymPy's ``C99CodePrinter`` with its ``type_aliases``, so the function names and the
literal suffixes are chosen by type, never patched in afterwards. Our changes:

- small integer powers are products (``g*g``, not ``powf(g, 2)``), ``x**-1`` a division,
  ``x**(1/2)`` ``sqrtf`` and ``x**(-1/2)`` ``1.0F/sqrtf(x)`` (not ``powf(x, -0.5F)``);
- ``max``/``min``/``sign`` call the NaN-propagating helpers of ``ocg.h`` (``fmaxf`` drops a
  NaN, ``numpy.maximum``, ``torch.maximum`` and the reference keep it);
- integer literals print as typed literals (``2.0F``) so nothing is computed as ``int``.
"""

from __future__ import annotations

import sympy as sp
from sympy.codegen.ast import float32, float64, real
from sympy.printing.c import C99CodePrinter

from ..symbols import first_branch
from .products import LoneDenominator

C_TYPES = {"float": float32, "double": float64}


class CPrinter(LoneDenominator, C99CodePrinter):
    # SymPy renames a symbol named like a reserved word (x -> x_), which the declarations,
    # printed by the templates, would not follow: the reader refuses C's keywords, and K&R's
    # ``entry``, which SymPy still lists, is no keyword of C99, C++ or CUDA
    reserved_words = C99CodePrinter.reserved_words - {"entry"}

    def __init__(self, ctype: str):
        if ctype not in C_TYPES:
            raise ValueError(f"no C printer for {ctype!r}; one of {sorted(C_TYPES)}")
        super().__init__(settings={"type_aliases": {real: C_TYPES[ctype]}})
        self.ctype = ctype
        self.suffix = "f" if ctype == "float" else ""

    def _print_Integer(self, expr):
        return self._print_Float(sp.Float(int(expr)))

    def prints_as_product(self, power):
        return power.exp.is_Integer and 2 <= int(power.exp) <= 4

    def _print_Pow(self, expr):
        base, exp = expr.base, expr.exp
        if exp.is_Integer and 2 <= int(exp) <= 4:
            factor = self.parenthesize(base, sp.printing.precedence.PRECEDENCE["Mul"])
            return "*".join([factor] * int(exp))
        if exp.is_Integer and -4 <= int(exp) <= -1:
            return f"{self._print(sp.S.One)}/({self._print(base ** -exp)})"
        if exp == sp.S.Half:
            return f"sqrt{self.suffix}({self._print(base)})"
        if exp == -sp.S.Half:
            return f"{self._print(sp.S.One)}/sqrt{self.suffix}({self._print(base)})"
        return f"pow{self.suffix}({self._print(base)}, {self._print(exp)})"

    def _helper(self, name, expr):
        args = [self._print(a) for a in expr.args]
        out = args[0]
        for a in args[1:]:  # Max(a, b, c) -> max(max(a, b), c)
            out = f"ocg_{name}{self.suffix}({out}, {a})"
        return out

    def _print_Max(self, expr):
        return self._helper("max", expr)

    def _print_Min(self, expr):
        return self._helper("min", expr)

    def _print_sign(self, expr):
        return f"ocg_sign{self.suffix}({self._print(expr.args[0])})"

    def _print_Or(self, expr):
        """``(a && b) || c``: the same meaning without the parentheses, but gcc's -Wall asks
        for them (-Wparentheses), and the kernels build warning-free."""
        precedence = sp.printing.precedence.precedence(expr)
        return " || ".join(
            f"({self._print(a)})" if isinstance(a, sp.And) else self.parenthesize(a, precedence)
            for a in sorted(expr.args, key=sp.default_sort_key)
        )

    def _print_Piecewise(self, expr):
        """C's conditional operator (flags are resolved before; what remains are per-step
        conditions, the same branch for every element)."""
        cond, a, b = first_branch(expr)
        return f"(({self._print(cond)}) ? ({self._print(a)}) : ({self._print(b)}))"


class _SelectPrinter(CPrinter):
    """``print_c`` with Piecewise: for generator.common's formulas (clipnorm's scale)."""


_PRINTERS = {t: CPrinter(t) for t in C_TYPES}
_SELECT_PRINTERS = {t: _SelectPrinter(t) for t in C_TYPES}


def print_c(expr: sp.Basic, ctype: str) -> str:
    return _PRINTERS[ctype].doprint(expr)


def print_c_select(expr: sp.Basic, ctype: str) -> str:
    """``print_c``, with Piecewise allowed (as ``cond ? a : b``)."""
    return _SELECT_PRINTERS[ctype].doprint(expr)
