"""Allow-listed parsing of spec expressions into SymPy, without eval or sympify.

The text is parsed by Python's ``ast`` module and only these nodes are accepted: numbers,
names the caller resolves, ``+ - * / **`` (and ``@`` in a matrix function), unary minus, calls of the functions in
``FUNCTIONS``, ``x if condition else y`` and ``where(condition, x, y)`` (a condition combines flags and
comparisons with not/and/or), and, in domains, comparisons joined by ``and``. Every SymPy node is built here, so no attribute access, lambda, subscript or
dunder name can reach Python.
"""

from __future__ import annotations

import ast
import math
import re
from typing import Callable

import sympy as sp

from . import symbols

MAX_TEXT = 2000
MAX_DEPTH = 60
MAX_NUMERIC_EXPONENT = 64
MAX_NUMBER_BITS = 4096

FUNCTIONS: dict[str, tuple[Callable, int | None]] = {
    # name: (SymPy constructor, number of arguments; None = two or more)
    "sqrt": (sp.sqrt, 1),
    "abs": (sp.Abs, 1),
    "exp": (sp.exp, 1),
    "log": (sp.log, 1),
    "sign": (sp.sign, 1),
    "max": (sp.Max, None),
    "min": (sp.Min, None),
    # whole-tensor: the mean over each row / column of a tensor of two axes or more
    "row_mean": (symbols.RowMean, 1),
    "column_mean": (symbols.ColumnMean, 1),
}

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
_COMPARE = {ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge}


class ExprError(ValueError):
    """A problem in one expression; the caller adds file and line."""


def number(value) -> sp.Expr:
    """An exact SymPy number for a literal: 0.96 becomes 24/25, so references stay exact."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ExprError(f"{value!r} is not a number")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ExprError(f"number {value!r} is not finite")
        return sp.Rational(repr(value))
    if abs(value) > 2**63:
        raise ExprError(f"integer {value} is too large")
    return sp.Integer(value)


def parse_assignment(text: str) -> tuple[str, str]:
    """Split ``target = expression`` into its target name and expression text."""
    if not isinstance(text, str):
        raise ExprError("an equation must be a string 'name = expression'")
    tree = _parse(text, "exec")
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assign):
        raise ExprError("an equation must read 'name = expression'")
    node = tree.body[0]
    if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
        raise ExprError("an equation assigns exactly one plain name")
    segment = ast.get_source_segment(text, node.value)
    return node.targets[0].id, segment


def parse_value(
    text,
    lookup: Callable[[str], sp.Symbol],
    flags: dict[str, sp.Symbol],
    functions: dict[str, Callable] | None = None,
    matrix: bool = False,
) -> sp.Expr:
    """A real-valued expression; ``lookup`` maps a name to its symbol or raises ExprError.
    ``functions``: the spec's matrix functions, by name (each of one argument); ``matrix``:
    a matrix function's equation, where ``@``, ``transpose`` and ``frobenius_norm`` exist."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return number(text)
    if not isinstance(text, str):
        raise ExprError(f"expected an expression, got {type(text).__name__}")
    tree = _parse(text, "eval")
    expr = _Builder(lookup, flags, functions or {}, matrix).value(tree.body, 0)
    if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise ExprError("the expression is infinite or undefined (division by zero?)")
    return expr


def parse_condition(text, flags: dict[str, sp.Symbol]) -> sp.Basic:
    """A boolean of flags: ``amsgrad``, ``not nesterov``, ``a and not b``."""
    if isinstance(text, bool):
        return sp.true if text else sp.false
    if not isinstance(text, str):
        raise ExprError("a condition must be a flag expression such as 'amsgrad' or 'not amsgrad'")
    tree = _parse(text, "eval")
    return _Builder(_no_values, flags).condition(tree.body, 0)


def parse_domain(text, name: str, symbol: sp.Symbol) -> sp.Basic:
    """A domain such as ``0 < beta_1 < 1`` or ``x >= 0 and x <= 1`` over one argument."""
    if not isinstance(text, str):
        raise ExprError("a domain must be a comparison such as 'learning_rate >= 0'")
    tree = _parse(text, "eval")

    def lookup(n):
        if n != name:
            raise ExprError(f"the domain of {name!r} may only mention {name!r}, not {n!r}")
        return symbol

    builder = _Builder(lookup, {})
    result = builder.relation(tree.body, 0)
    if not result.free_symbols <= {symbol}:
        raise ExprError(f"the domain must mention {name!r}")
    if not result.free_symbols:
        raise ExprError(f"the domain must mention {name!r}")
    return result


def parse_comparison(text, lookup: Callable[[str], sp.Symbol]) -> sp.Basic:
    """Comparisons joined by 'and' (``momentum > 0``); ``lookup`` maps a name to its symbol
    or raises ExprError."""
    if not isinstance(text, str):
        raise ExprError("expected a comparison such as 'momentum > 0'")
    tree = _parse(text, "eval")
    return _Builder(lookup, {}).relation(tree.body, 0)


def _no_values(name):
    raise ExprError(f"{name!r} is not a flag; conditions may only combine flags")


# Everything an expression can need. Refusing the rest keeps comments ('#'), backslash line
# continuations, strings and non-ASCII look-alikes out of text that the docs also show.
_EXPRESSION_CHARACTERS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_ \t\n+-*/().,<>=@"
)


# A number as the text has it: from a digit (or a dot before one) not inside a name.
_NUMBER_LIKE = re.compile(r"(?<![A-Za-z0-9_])(?:\d|\.\d)(?:[eE][+-]|[A-Za-z0-9_.])*")
_DECIMAL = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _parse(text: str, mode: str):
    if len(text) > MAX_TEXT:
        raise ExprError(f"expression longer than {MAX_TEXT} characters")
    for ch in text:
        if ch not in _EXPRESSION_CHARACTERS:
            raise ExprError(f"character {ch!r} is not allowed in an expression")
    for match in _NUMBER_LIKE.finditer(text):
        if not _DECIMAL.fullmatch(
            match.group(0)
        ):  # 1_000, 0x1F: Python's, not ours (docs show the text)
            raise ExprError(
                f"number {match.group(0)!r}: write plain decimal numbers such as 1000 or 1e-7"
            )
    try:
        return ast.parse(text.strip(), mode=mode)
    except SyntaxError as err:
        raise ExprError(f"syntax error in {_short(text)!r}: {err.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExprError("expression is too deeply nested") from None


# a matrix function's equations only: the product is ``a @ b``
MATRIX_FUNCTIONS: dict[str, tuple[Callable, int | None]] = {
    "transpose": (symbols.MatrixTranspose, 1),
    "frobenius_norm": (symbols.FrobeniusNorm, 1),
}


class _Builder:
    def __init__(self, lookup, flags, functions=None, matrix=False):
        self.lookup = lookup
        self.flags = flags
        self.functions = {n: (f, 1) for n, f in (functions or {}).items()}
        if matrix:
            self.functions.update(MATRIX_FUNCTIONS)
        self.matrix = matrix

    def _depth(self, depth, node):
        if depth > MAX_DEPTH:
            raise ExprError(f"expression nested deeper than {MAX_DEPTH} levels")
        return depth + 1

    def value(self, node, depth) -> sp.Expr:
        depth = self._depth(depth, node)
        if isinstance(node, ast.Constant):
            return number(node.value)
        if isinstance(node, ast.Name):
            if node.id in self.flags:
                raise ExprError(
                    f"flag {node.id!r} can only be used as a condition: 'x if {node.id} else y'"
                )
            if node.id in FUNCTIONS or node.id in self.functions:
                raise ExprError(f"{node.id!r} is a function; call it as {node.id}(...)")
            return self.lookup(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.value(node.operand, depth)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            left = self.value(node.left, depth)
            right = self.value(node.right, depth)
            if isinstance(node.op, ast.Pow):
                return _power(left, right)
            if isinstance(node.op, ast.MatMult):
                if not self.matrix:
                    raise ExprError(
                        "'@' (a matrix product) is allowed only in the equations of a "
                        "matrix function (matrix_functions:)"
                    )
                return symbols.MatrixProduct(left, right)
            build = _BINARY.get(type(node.op))
            if build is None:
                raise ExprError(f"operator {type(node.op).__name__} is not allowed")
            return build(left, right)
        if self.matrix and _selects(node):
            raise ExprError("a matrix function's equations have no conditions")
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.IfExp):
            cond = self.condition(node.test, depth)
            return _select(cond, self.value(node.body, depth), self.value(node.orelse, depth))
        raise ExprError(f"{_describe(node)} is not allowed in an expression")

    def call(self, node, depth):
        known = {**FUNCTIONS, **self.functions}
        allowed = ", ".join(sorted([*known, "where"]))
        if not isinstance(node.func, ast.Name):
            raise ExprError(f"calling {_describe(node.func)} is not allowed (functions: {allowed})")
        if node.func.id == "where":  # where(condition, x, y): x if condition else y
            if node.keywords or len(node.args) != 3:
                raise ExprError("where() takes three arguments: where(condition, x, y)")
            cond = self.condition(node.args[0], depth)
            return _select(cond, self.value(node.args[1], depth), self.value(node.args[2], depth))
        if node.func.id not in known:
            if node.func.id in MATRIX_FUNCTIONS:
                raise ExprError(
                    f"{node.func.id}() is allowed only in the equations of a matrix function "
                    "(matrix_functions:)"
                )
            raise ExprError(f"unknown function {node.func.id!r} (allowed: {allowed})")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExprError(f"{node.func.id}() takes plain positional arguments only")
        build, arity = known[node.func.id]
        args = [self.value(a, depth) for a in node.args]
        if arity is None and len(args) < 2:
            raise ExprError(f"{node.func.id}() takes two or more arguments")
        if arity is not None and len(args) != arity:
            raise ExprError(f"{node.func.id}() takes {arity} argument, got {len(args)}")
        return build(*args)

    def condition(self, node, depth):
        depth = self._depth(depth, node)
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return sp.true if node.value else sp.false
        if isinstance(node, ast.Name):
            if node.id not in self.flags:
                raise ExprError(
                    f"{node.id!r} is not a flag: a condition combines flags and comparisons "
                    f"such as '{node.id} > 0'"
                )
            return self.flags[node.id]
        if isinstance(node, ast.Compare) and self.lookup is not _no_values:
            return self.relation(node, depth)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return sp.Not(self.condition(node.operand, depth))
        if isinstance(node, ast.BoolOp):
            parts = [self.condition(v, depth) for v in node.values]
            return sp.And(*parts) if isinstance(node.op, ast.And) else sp.Or(*parts)
        raise ExprError(f"{_describe(node)} is not allowed in a condition")

    def relation(self, node, depth):
        depth = self._depth(depth, node)
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
            return sp.And(*[self.relation(v, depth) for v in node.values])
        if isinstance(node, ast.BoolOp):
            raise ExprError(
                "'or' is not allowed in a domain: a domain is one interval, its comparisons "
                "joined by 'and' (0 < beta < 1, or beta > 0 and beta < 1)"
            )
        if isinstance(node, ast.Compare):
            operands = [self.value(node.left, depth)] + [
                self.value(c, depth) for c in node.comparators
            ]
            parts = []
            for op, a, b in zip(node.ops, operands, operands[1:]):
                build = _COMPARE.get(type(op))
                if build is None:
                    raise ExprError("a comparison is one of <, <=, > or >=")
                part = build(a, b)
                if part in (sp.true, sp.false):
                    raise ExprError(
                        f"the comparison {_short(ast.unparse(node))!r} is always {part}"
                    )
                parts.append(part)
            return sp.And(*parts)
        raise ExprError(f"{_describe(node)} is not a comparison")


def _selects(node) -> bool:
    """Whether ``node`` is a select: ``x if c else y`` or ``where(c, x, y)``."""
    return isinstance(node, ast.IfExp) or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "where"
    )


def _select(cond, a, b):
    """x if cond else y, as SymPy's Piecewise (a flag's condition is resolved per variant)."""
    if cond is sp.true:
        return a
    if cond is sp.false:
        return b
    return sp.Piecewise((a, cond), (b, True))


def _power(base, exponent):
    if exponent.is_Number and abs(exponent) > MAX_NUMERIC_EXPONENT:
        raise ExprError(f"numeric exponent {exponent} is larger than {MAX_NUMERIC_EXPONENT}")
    if base.is_Rational and exponent.is_Rational:
        # SymPy evaluates number**number exactly: bound the digits it would produce.
        bits = max(abs(base.p).bit_length(), abs(base.q).bit_length()) * abs(exponent)
        if bits > MAX_NUMBER_BITS:
            raise ExprError("a numeric power is too large")
    return sp.Pow(base, exponent)


def _short(text: str, limit: int = 60) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(node) -> str:
    names = {
        ast.Attribute: "attribute access",
        ast.Lambda: "a lambda",
        ast.Subscript: "subscripting",
        ast.Compare: "a comparison",
        ast.BoolOp: "'and'/'or'",
        ast.List: "a list",
        ast.Tuple: "a tuple",
        ast.Dict: "a dict",
        ast.Set: "a set",
        ast.JoinedStr: "an f-string",
        ast.NamedExpr: "':='",
        ast.Await: "await",
        ast.Starred: "'*'",
        ast.ListComp: "a comprehension",
        ast.GeneratorExp: "a generator",
    }
    return names.get(type(node), f"'{type(node).__name__}'")
