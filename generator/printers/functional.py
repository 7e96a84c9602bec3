"""Functional array code: whole-tensor expressions for libraries that trace and fuse them
(JAX's ``jax.numpy``, Keras 3's ``keras.ops``), printed once per target by the name of its
namespace. Nothing is written in place: each value is a new array, the results are returned.

The two namespaces share these names (``sqrt``, ``abs``, ``sign``, ``maximum``, ``where``,
``isnan``, ``less_equal``, ...), so one printer serves both. Operands may be arrays or
Python floats, so arithmetic is infix; ``x**2`` prints as ``x*x`` (one multiply, as the C and
NumPy printers do). ``sign`` must keep NaN, as the reference and the C kernels do:
``jnp.sign`` does, but torch's sign, behind ``keras.ops.sign`` on the torch backend, maps NaN
to 0, so a target may name its own function (``sign=``; the Keras runtime's ``nan_sign``,
which keeps its argument a single evaluation). A Piecewise (clipnorm's
scale) prints as nested ``where``, branch-free.

``literal_like``: Keras's ops on its torch backend convert a Python float argument through
float32 (``ops.maximum(x, -0.1)`` of a float64 ``x`` compares with -0.10000000149), so for
``keras.ops`` a number passed to a function is printed as a tensor of a named array's dtype
(``ops.convert_to_tensor(1/10, dtype=p.dtype)``, exact; TensorFlow's ``cast`` of a Python
float goes through float32 too); infix arithmetic keeps Python floats exact everywhere.
``select_minmax``: the same backend's ``ops.maximum``/``ops.minimum`` return float32 for two
float64 tensors (Keras 3.15's ``result_type`` of torch dtypes), so for ``keras.ops`` max and
min print as selects that keep the dtype and propagate NaN as ``maximum`` does:
``where(isnan(a) | (a >= b), a, b)``.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from ..symbols import SHAPE_SYMBOLS, MatrixCall
from .arrays import function_name
from .python import print_scalar

_RELATIONAL = {
    "<": "less",
    "<=": "less_equal",
    ">": "greater",
    ">=": "greater_equal",
    "!=": "not_equal",
    "==": "equal",
}
_UNARY = {"Abs": "abs", "exp": "exp", "log": "log"}


class FunctionalPrinter(PythonCodePrinter):
    def __init__(
        self,
        namespace: str,
        literal_like: str | None = None,
        select_minmax: bool = False,
        sign: str | None = None,
        mean: str | None = None,
    ):
        super().__init__({"standard": "python3", "fully_qualified_modules": True})
        self.namespace = namespace
        self.literal_like = literal_like
        self.select_minmax = select_minmax
        self.sign = sign or f"{namespace}.sign"
        self.mean = mean  # a function (x, axis) for row and column means, or the namespace's

    def _print(self, expr, **kwargs):
        # arithmetic of a tensor's rows and columns alone (Python ints): host math, exact
        # (Keras's ops would take sqrt(max(rows, columns)) through float32 on torch)
        if (
            isinstance(expr, sp.Expr)
            and not expr.is_Atom
            and expr.free_symbols
            and expr.free_symbols <= set(SHAPE_SYMBOLS)
        ):
            return f"({print_scalar(expr)})"
        return super()._print(expr, **kwargs)

    def _arg(self, expr) -> str:
        """A function's argument: a number cast to ``literal_like``'s dtype, if asked."""
        code = self._print(expr)
        if self.literal_like and isinstance(expr, sp.Number):
            return f"{self.namespace}.convert_to_tensor({code}, dtype={self.literal_like}.dtype)"
        return code

    def _call(self, name: str, *args) -> str:
        return f"{self.namespace}.{name}(" + ", ".join(self._arg(a) for a in args) + ")"

    def _print_Function(self, expr):
        if isinstance(expr, MatrixCall):  # SymPy's printers dispatch by its name only
            return self._print_MatrixCall(expr)
        name = type(expr).__name__
        if name in _UNARY:
            return self._call(_UNARY[name], *expr.args)
        raise NotImplementedError(f"the functional printer has no {name}")

    _print_Abs = _print_exp = _print_log = _print_Function

    def _print_MatrixCall(self, expr):
        """A spec's matrix function: the module's ``_matrix_<name>`` (printers/matrix.py)."""
        args = ", ".join(self._print(a) for a in expr.args)
        return f"{function_name(type(expr).__name__)}({args})"

    def _print_RowMean(self, expr):
        """A row's mean, kept as an axis of length 1 so that it broadcasts over the row."""
        return self._axis_mean(expr, -1)

    def _print_ColumnMean(self, expr):
        return self._axis_mean(expr, -2)

    def _axis_mean(self, expr, axis: int) -> str:
        if self.mean:
            return f"{self.mean}({self._print(expr.args[0])}, {axis})"
        return f"{self.namespace}.mean({self._print(expr.args[0])}, axis={axis}, keepdims=True)"

    def _print_sign(self, expr):
        return f"{self.sign}({self._print(expr.args[0])})"

    def _fold(self, name, args):
        ns = self.namespace
        out = self._arg(args[-1])
        for a in reversed(args[:-1]):
            a = self._arg(a)
            if self.select_minmax:
                keep = "greater_equal" if name == "maximum" else "less_equal"
                cond = f"{ns}.logical_or({ns}.isnan({a}), {ns}.{keep}({a}, {out}))"
                out = f"{ns}.where({cond}, {a}, {out})"
            else:
                out = f"{ns}.{name}({a}, {out})"
        return out

    def _print_Max(self, expr):
        return self._fold("maximum", expr.args)

    def _print_Min(self, expr):
        return self._fold("minimum", expr.args)

    def _print_Rational(self, expr):
        return f"{expr.p}/{expr.q}"

    def parenthesize(self, item, level, strict=False):
        """A square prints as ``x*x``: inside a product it is one factor, ``(x*x)`` (after a
        '/' it would otherwise divide by x and multiply by x), computed first as NumPy does."""
        if (
            isinstance(item, sp.Pow)
            and item.exp == 2
            and level >= sp.printing.precedence.PRECEDENCE["Mul"]
        ):
            return f"({self._print(item)})"
        return super().parenthesize(item, level, strict)

    def _print_Pow(self, expr, rational=False):
        base, exp = expr.base, expr.exp
        if exp == sp.Rational(1, 2):
            return self._call("sqrt", base)
        if exp == -sp.Rational(1, 2):
            return f"1/{self._call('sqrt', base)}"
        if exp == 2:
            b = self.parenthesize(base, sp.printing.precedence.PRECEDENCE["Mul"])
            return f"{b}*{b}"
        if exp == -1:
            return f"1/{self.parenthesize(base, sp.printing.precedence.PRECEDENCE['Pow'])}"
        prec = sp.printing.precedence.PRECEDENCE["Pow"]
        return f"{self.parenthesize(base, prec)}**{self.parenthesize(exp, prec)}"

    def _print_Relational(self, expr):
        return self._call(_RELATIONAL[expr.rel_op], expr.lhs, expr.rhs)

    def _print_And(self, expr):
        return self._logical("logical_and", expr.args)

    def _print_Or(self, expr):
        return self._logical("logical_or", expr.args)

    def _print_Not(self, expr):
        return f"{self.namespace}.logical_not({self._print(expr.args[0])})"

    def _logical(self, name, args):
        out = self._print(args[-1])
        for a in reversed(args[:-1]):
            out = f"{self.namespace}.{name}({self._print(a)}, {out})"
        return out

    def _print_Piecewise(self, expr):
        *cases, (last, cond) = expr.args
        if cond is not sp.true:  # pragma: no cover - every Piecewise here has a default
            raise NotImplementedError("a Piecewise without a default case")
        out = self._branch(last)
        for value, cond in reversed(cases):
            out = f"{self.namespace}.where({self._print(cond)}, {self._branch(value)}, {out})"
        return out

    def _branch(self, expr) -> str:
        """A select's value: for ``literal_like``, any value that may be a Python float (a
        hyperparameter: TensorFlow's where takes it through float32) as a tensor of the named
        array's dtype."""
        code = self._arg(expr)
        if self.literal_like and not isinstance(expr, sp.Number):
            return f"{self.namespace}.convert_to_tensor({code}, dtype={self.literal_like}.dtype)"
        return code
