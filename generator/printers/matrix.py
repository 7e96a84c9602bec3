"""A spec's matrix functions (``matrix_functions:``) as Python functions of one array
library: NumPy, torch, jax.numpy or Keras's ops. Each is a module-level function
``_matrix_<name>(<argument>, <hyperparameters>)`` that the element programs call on a whole
tensor (printers/arrays.py lowers the call to one instruction). The libraries name the same
operations alike (``swapaxes``, ``sqrt``, ``sum``; ``@`` for the product), so one printer
serves all four; only a reduction's keyword arguments differ (torch's ``dim``/``keepdim``)."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .. import symbols
from ..model import MatrixFunction
from ..text import python_docstring
from .arrays import function_name
from .python import print_scalar


@dataclass(frozen=True)
class Library:
    """How an array library spells what the functions need."""

    module: str  # np, torch, jnp, ops
    axes: str  # the keyword arguments of a sum over the last two axes, kept
    # the Frobenius norm of {0} over the last two axes, kept: the root of the sum of squares,
    # or one library call that computes it in one pass (torch's squares would be a tensor of
    # their own: 2.5 ms of a 13 ms Muon step on M1 without its Newton-Schulz iterations)
    frobenius: str = ""
    # beta*z + alpha*(a @ b) as one call, {0}..{4} = z, beta, a, b, alpha: the scaling and the
    # sum inside the product's BLAS call (torch's addmm, as torch.optim.Muon's Newton-Schulz),
    # not two passes over the result; empty where the library has none (Keras's order kept)
    product_plus: str = ""
    # max/min of a matrix and a number, {0} the matrix: torch.maximum takes tensors only
    bounded: tuple[str, str] = ("", "")


def _sum_of_squares(module: str, axes: str) -> str:
    return f"{module}.sqrt({module}.sum({module}.square({{0}}), {axes}))"


LIBRARIES = {
    "numpy": Library("np", "axis=(-2, -1), keepdims=True"),
    "torch": Library(
        "torch",
        "dim=(-2, -1), keepdim=True",
        "torch.linalg.vector_norm({0}, dim=(-2, -1), keepdim=True)",
        "matrix_product_plus({0}, {1}, {2}, {3}, {4})",
        ("torch.clamp_min({0}, {1})", "torch.clamp_max({0}, {1})"),  # NaN stays NaN
    ),
    "jax": Library("jnp", "axis=(-2, -1), keepdims=True"),  # XLA fuses the three
    "keras": Library("ops", "axis=(-2, -1), keepdims=True"),
}
_ELEMENTWISE = {sp.Abs: "abs", sp.exp: "exp", sp.log: "log"}


def function_lines(fn: MatrixFunction, library: str) -> list[str]:
    """The source of ``fn`` as a Python function over ``library``'s arrays."""
    lib = LIBRARIES[library]
    matrices = {fn.argument} | {eq.target for eq in (*fn.setup, *fn.body)}
    printer = _Printer(lib, {symbols.real(n) for n in matrices})
    x = fn.argument
    args = ", ".join([x, *fn.params])
    swap = f"{lib.module}.swapaxes({x}, -1, -2)"
    lines = [
        f"def {function_name(fn.name)}({args}):",
        f'    """The spec\'s {fn.name}(): {_one_line(fn.doc)}"""',
    ]
    if fn.wide:  # X @ X^T of the smaller side
        lines += [
            "    _tall = " + f"{x}.shape[-2] > {x}.shape[-1]",
            "    if _tall:",
            f"        {x} = {swap}",
        ]
    lines += [f"    {eq.target} = {printer.top(eq.expr)}" for eq in fn.setup]
    if fn.body:  # a count the domain checks: a whole number (model.Hyperparameter.whole)
        count = print_scalar(fn.repeat)
        body = [f"{eq.target} = {printer.top(eq.expr)}" for eq in fn.body]
        if library != "jax":
            lines += [f"    for _ in range(int({count})):"]
            lines += [f"        {line}" for line in body]
        else:  # traced under jit: a loop of lax's
            carried = [x] + sorted(
                {eq.target for eq in fn.setup} & {eq.target for eq in fn.body} - {x}
            )
            state = ", ".join(carried) + ","
            lines += ["", "    def _repeated(_, _carried):", f"        {state} = _carried"]
            lines += [f"        {line}" for line in body]
            lines += [f"        return ({state})", ""]
            lines += [
                f"    ({state}) = jax.lax.fori_loop(",
                f"        0, jnp.asarray({count}).astype(int), _repeated, ({state})",
                "    )",
            ]
    if fn.wide:
        lines += ["    if _tall:", f"        {x} = {swap}"]
    lines.append(f"    return {x}")
    return lines


def _one_line(text: str) -> str:
    return python_docstring(" ".join(text.split()))


class _Printer:
    def __init__(self, lib: Library, matrices: set):
        self.lib = lib
        self.matrices = matrices

    def top(self, expr) -> str:
        """``expr`` as a whole (an assignment's value, a call's argument): no parentheses."""
        return self.print(expr, top=True)

    def print(self, expr, top: bool = False) -> str:
        """``expr`` as an operand: a sum, product or power in parentheses."""
        text = self._print(expr)
        compound = isinstance(expr, (sp.Add, sp.Mul, symbols.MatrixProduct)) or (
            isinstance(expr, sp.Pow) and not _is_sqrt(expr)
        )
        return f"({text})" if compound and not top else text

    def _print(self, expr) -> str:
        m = self.lib.module
        if expr.is_Rational and not expr.is_Integer:  # 1e-07 as written, not 1/10000000
            return repr(float(expr))
        if not expr.free_symbols & self.matrices:  # a number, or of hyperparameters
            return print_scalar(expr)
        if expr.is_Symbol:
            return expr.name
        if isinstance(expr, symbols.MatrixProduct):
            a, b = expr.args
            # the operator, not matmul(): Keras 3.15's ops.matmul returns float32 for two
            # float64 tensors on its torch backend; every library's arrays take '@'
            return f"{self.print(a)} @ {self.print(b)}"
        if isinstance(expr, symbols.MatrixTranspose):
            return f"{m}.swapaxes({self.top(expr.args[0])}, -1, -2)"
        if isinstance(expr, symbols.FrobeniusNorm):
            form = self.lib.frobenius or _sum_of_squares(m, self.lib.axes)
            return form.format(self.top(expr.args[0]))
        if isinstance(expr, sp.Add) and self.lib.product_plus:
            parts = self._product_plus(expr)
            if parts is not None:
                z, beta, a, b, alpha = parts
                return self.lib.product_plus.format(*(self.top(x) for x in (z, beta, a, b, alpha)))
        if isinstance(expr, sp.Add):
            out = ""
            for i, term in enumerate(sorted(expr.args, key=lambda t: t.could_extract_minus_sign())):
                if i and term.could_extract_minus_sign():
                    out += f" - {self.print(-term)}"
                else:
                    out += (" + " if i else "") + self.print(term, top=isinstance(term, sp.Mul))
            return out
        if isinstance(expr, sp.Mul):
            numerator, denominator = [], []
            for factor in expr.args:
                if isinstance(factor, sp.Pow) and factor.exp.is_Number and factor.exp < 0:
                    denominator.append(sp.Pow(factor.base, -factor.exp))
                else:
                    numerator.append(factor)
            top = "*".join(self.print(f) for f in numerator) or "1"
            if not denominator:
                return top
            return f"{top}/{self.print(sp.Mul(*denominator))}"
        if isinstance(expr, sp.Pow):
            if _is_sqrt(expr):
                return f"{m}.sqrt({self.top(expr.base)})"
            return f"{self.print(expr.base)}**{self.print(expr.exp)}"
        for cls, name in _ELEMENTWISE.items():
            if isinstance(expr, cls):
                return f"{m}.{name}({self.top(expr.args[0])})"
        if isinstance(expr, (sp.Max, sp.Min)):
            maximum = isinstance(expr, sp.Max)
            name = "maximum" if maximum else "minimum"
            bounded = self.lib.bounded[0 if maximum else 1]
            # the matrices first, then the numbers (a library may take a number only second)
            args = sorted(expr.args, key=lambda a: not a.free_symbols & self.matrices)
            out = self.top(args[0])
            for a in args[1:]:
                number = not a.free_symbols & self.matrices
                form = bounded if number and bounded else f"{m}.{name}({{0}}, {{1}})"
                out = form.format(out, self.top(a))
            return out
        raise ValueError(f"a matrix function cannot print {type(expr).__name__}: {expr}")

    def _scaled(self, expr) -> tuple:
        """``expr`` as (scalar factor, the rest): the factors free of matrices pulled out."""
        if not isinstance(expr, sp.Mul):
            return sp.S.One, expr
        scalar = [f for f in expr.args if not f.free_symbols & self.matrices]
        rest = [f for f in expr.args if f.free_symbols & self.matrices]
        return sp.Mul(*scalar), sp.Mul(*rest)

    def _product_plus(self, expr) -> tuple | None:
        """A sum of two terms, one a (scaled) product of (scaled) matrices and the other a
        (scaled) matrix, as (z, beta, a, b, alpha) with expr = beta*z + alpha*(a @ b); None
        for any other sum."""
        if len(expr.args) != 2:
            return None
        for product, other in (expr.args, expr.args[::-1]):
            alpha, product = self._scaled(product)
            beta, z = self._scaled(other)
            if not isinstance(product, symbols.MatrixProduct) or not z.free_symbols & self.matrices:
                continue
            if isinstance(z, symbols.MatrixProduct):
                return None  # two products: which one takes the call is a choice; none
            (scale_a, a), (scale_b, b) = (self._scaled(x) for x in product.args)
            return z, beta, a, b, alpha * scale_a * scale_b
        return None


def _is_sqrt(expr) -> bool:
    return isinstance(expr, sp.Pow) and expr.exp == sp.S.Half
