"""Element programs as whole-array operations, for targets that cannot fuse (NumPy, torch).

Each operation is one pass over memory. The element program is lowered to three-address
instructions (``multiply(a, b) -> c``), and every result is given a storage: the state array
or parameter it becomes, a dying operand's buffer, or a reusable scratch buffer, chosen by
liveness so that no old value is overwritten while it is still needed. A dialect
(``generator.printers.numpy``, ``generator.printers.torch``) prints the instructions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ..errors import GenerationError
from ..symbols import ColumnMean, MatrixCall, RowMean, first_branch
from .python import print_scalar

_UNARY = {sp.Abs: "absolute", sp.sign: "sign", sp.exp: "exp", sp.log: "log"}
# whole-array only (a value per row or column, its axis kept with length 1): the dialects
# that print each value as a new array (torch_graph) take them
_UNARY.update({RowMean: "row_mean", ColumnMean: "column_mean"})
_NARY = {sp.Max: "maximum", sp.Min: "minimum"}
COMMUTATIVE = {"add", "multiply", "maximum", "minimum"}
# per-element conditions: operations whose results are true/false arrays (masks), and the
# select that reads one, where(mask, a, b)
_COMPARE = {
    sp.StrictGreaterThan: "greater",
    sp.GreaterThan: "greater_equal",
    sp.StrictLessThan: "less",
    sp.LessThan: "less_equal",
    sp.Equality: "equal",
    sp.Unequality: "not_equal",
}
_MIRRORED = {"greater": "less", "less": "greater", "greater_equal": "less_equal"}
_MIRRORED["less_equal"] = "greater_equal"
_LOGICAL = {sp.And: "logical_and", sp.Or: "logical_or"}
BOOLEAN = {*_COMPARE.values(), *_LOGICAL.values(), "logical_not"}


# a matrix function's call: "call:<name>", its arguments the value, then scalars
CALL_PREFIX = "call:"


def call_func(name: str) -> str:
    return CALL_PREFIX + name


def function_name(name: str) -> str:
    """The generated modules' name of the matrix function ``name`` (printers/matrix.py)."""
    return f"_matrix_{name}"


def called(func: str) -> str | None:
    """The generated function an instruction calls (a matrix function's), or None."""
    return function_name(func[len(CALL_PREFIX) :]) if func.startswith(CALL_PREFIX) else None


@dataclass(frozen=True)
class Operand:
    value: int | None = None  # an array value, or
    code: str | None = None  # a scalar, as Python source

    @property
    def is_array(self) -> bool:
        return self.value is not None


@dataclass
class Op:
    func: str
    args: list[Operand]
    result: int


@dataclass(frozen=True)
class Instr:
    """``out = func(*args)`` over storages; an argument is a storage name or scalar code."""

    func: str  # add subtract multiply divide maximum minimum sqrt square absolute sign exp
    # log negative power, or copy (out = args[0]), fill (out = scalar args[0]) and clip
    # (out = min(max(args[0], args[1]), args[2]); made by fuse_clips); the comparisons and
    # logical operations of BOOLEAN (out a mask), and where (out = args[1] where the mask
    # args[0] holds, else args[2]; out is never args[1]'s storage unless args[2]'s too)
    args: tuple[str, ...]
    scalar: tuple[bool, ...]  # which args are scalar code rather than storages
    out: str


# The axes along which a value varies within a matrix (rows "i", columns "j"): every value
# of the usual element programs varies along both; a row mean's along the rows only, and so
# on (a rule of row or column means, model.Variant.whole_array). A storage holds values of
# one such shape: p's shape, or its shape with the last axis 1 ("rows"), the axis before it 1
# ("columns"), or both 1 ("matrix": one value per matrix).
FULL = frozenset("ij")
SHAPE_OF_AXES = {FULL: "element", frozenset("i"): "rows", frozenset("j"): "columns"}
SHAPE_OF_AXES[frozenset()] = "matrix"
_SCRATCH_TAG = {"rows": "r", "columns": "c", "matrix": "m"}


@dataclass
class ArrayProgram:
    """Three-address instructions over named arrays, ready for a dialect to print."""

    instrs: list[Instr]
    scratch: int  # how many scratch buffers the instructions use (named _s0, _s1, ...)
    result: str | None = None  # for a reduction: the array holding its per-element values
    bool_scratch: int = 0  # true/false scratch arrays (named _b0, _b1, ...)
    # scratch of another shape than p's (a rule of row or column means), which the printed
    # function makes itself: (name, "rows" | "columns" | "matrix", true/false)
    shaped_scratch: tuple[tuple[str, str, bool], ...] = ()

    @property
    def passes(self) -> int:
        return len(self.instrs)


@dataclass
class _Lowering:
    scalars: set[str]
    values: dict[str, Operand] = field(default_factory=dict)  # by name
    ops: list[Op] = field(default_factory=list)
    count: int = 0
    inputs: dict[int, str] = field(default_factory=dict)
    boolean: set[int] = field(default_factory=set)  # values that are masks
    memo: dict | None = None  # expression -> Operand: each computed once (the masks' program)
    axes: dict[int, frozenset] = field(default_factory=dict)  # value -> its axes (FULL if none)

    def input(self, name: str, boolean: bool = False, axes: frozenset = FULL) -> Operand:
        operand = Operand(value=self.count)
        self.inputs[self.count] = name
        self.values[name] = operand
        if boolean:
            self.boolean.add(self.count)
        self.axes[self.count] = axes
        self.count += 1
        return operand

    def emit(self, func: str, *args: Operand) -> Operand:
        out = Operand(value=self.count)
        self.count += 1
        self.ops.append(Op(func, list(args), out.value))
        if func in BOOLEAN:
            self.boolean.add(out.value)
        axes = frozenset().union(*(self.axes[a.value] for a in args if a.is_array))
        if func == "row_mean":
            axes -= {"j"}
        elif func == "column_mean":
            axes -= {"i"}
        self.axes[out.value] = axes
        return out

    def is_scalar(self, expr) -> bool:
        return all(s.name in self.scalars for s in expr.free_symbols)

    def lower(self, expr) -> Operand:
        if self.memo is None:
            return self._lower(expr)
        if expr not in self.memo:
            self.memo[expr] = self._lower(expr)
        return self.memo[expr]

    def _lower(self, expr) -> Operand:
        if self.is_scalar(expr):
            return Operand(code=print_scalar(expr))
        if isinstance(expr, sp.Symbol):
            return self.values[expr.name]
        if isinstance(expr, sp.Piecewise):  # where(mask, a, b)
            cond, a, b = first_branch(expr)
            return self.emit("where", self.lower(cond), self.lower(a), self.lower(b))
        for cls, func in _COMPARE.items():
            if isinstance(expr, cls):
                lhs, rhs = self.lower(expr.lhs), self.lower(expr.rhs)
                if not lhs.is_array:  # the array first, as torch's functions take it
                    lhs, rhs, func = rhs, lhs, _MIRRORED.get(func, func)
                return self.emit(func, lhs, rhs)
        if isinstance(expr, sp.Not):
            return self.emit("logical_not", self.lower(expr.args[0]))
        for cls, func in _LOGICAL.items():
            if isinstance(expr, cls):
                acc = self.lower(expr.args[0])
                for a in expr.args[1:]:
                    acc = self.emit(func, acc, self.lower(a))
                return acc
        if isinstance(expr, MatrixCall):  # a whole-tensor function: call(value, *scalars)
            return self.emit(call_func(type(expr).__name__), *[self.lower(a) for a in expr.args])
        if isinstance(expr, sp.Add):
            return self._add(expr)
        if isinstance(expr, sp.Mul):
            return self._mul(expr)
        if isinstance(expr, sp.Pow):
            return self._pow(expr)
        for cls, func in _UNARY.items():
            if isinstance(expr, cls):
                return self.emit(func, self.lower(expr.args[0]))
        for cls, func in _NARY.items():
            if isinstance(expr, cls):
                arrays = [a for a in expr.args if not self.is_scalar(a)]
                scalars = [a for a in expr.args if self.is_scalar(a)]
                acc = self.lower(arrays[0])
                for a in arrays[1:] + scalars:
                    acc = self.emit(func, acc, self.lower(a))
                return acc
        raise GenerationError(f"the NumPy printer cannot print {type(expr).__name__}: {expr}")

    def _add(self, expr):
        terms = sorted(expr.args, key=self.is_scalar)  # arrays first, then scalars
        negative = [t.could_extract_minus_sign() for t in terms]
        if all(negative):
            acc = self.emit("negative", self.lower(-terms[0]))
            start = 1
        else:
            first = negative.index(False)
            terms.insert(0, terms.pop(first))
            negative.insert(0, negative.pop(first))
            acc, start = self.lower(terms[0]), 1
        for term, neg in zip(terms[start:], negative[start:]):
            if neg:
                acc = self.emit("subtract", acc, self.lower(-term))
            else:
                acc = self.emit("add", acc, self.lower(term))
        return acc

    def _mul(self, expr):
        numerator, denominator, scalar = [], [], []
        for factor in expr.args:
            if self.is_scalar(factor):
                scalar.append(factor)
            elif isinstance(factor, sp.Pow) and factor.exp.is_Number and factor.exp < 0:
                denominator.append(sp.Pow(factor.base, -factor.exp))
            else:
                numerator.append(factor)
        coefficient = sp.Mul(*scalar)
        acc = None
        for factor in numerator:
            operand = self.lower(factor)
            acc = operand if acc is None else self.emit("multiply", acc, operand)
        if denominator:
            den = self.lower(sp.Mul(*denominator))
            if acc is None:  # scalar / array
                acc = self.emit("divide", self.lower(coefficient), den)
                coefficient = sp.Integer(1)
            else:
                acc = self.emit("divide", acc, den)
        if coefficient != 1:
            acc = self.emit("multiply", acc, self.lower(coefficient))
        return acc

    def _pow(self, expr):
        base, exp = expr.args
        if exp.is_Number and exp < 0:
            return self.emit("divide", Operand(code="1.0"), self.lower(sp.Pow(base, -exp)))
        b = self.lower(base)
        if exp == 2:
            return self.emit("square", b)
        if exp == sp.Rational(1, 2):
            return self.emit("sqrt", b)
        if exp == 3:
            return self.emit("multiply", self.emit("square", b), b)
        return self.emit("power", b, self.lower(exp))


def fuse_clips(instrs: list[Instr]) -> list[Instr]:
    """``maximum(x, lo)`` then ``minimum(of that, hi)``, lo and hi scalars, as one
    ``clip(x, lo, hi)``: what ``np.clip`` and ``torch.clamp`` compute (NaN stays NaN, and
    hi wins when lo > hi), in one pass over memory instead of two. The intermediate must be
    the result itself or a scratch array that nothing reads afterwards. Used for clipvalue
    only: on a signed zero a clip call and the two steps may disagree (np.clip(-0.0, 0.0, 1)
    is -0.0, the C kernels' max then min +0.0), and spec kernels keep the C kernels' order."""
    out, index = [], 0
    while index < len(instrs):
        first = instrs[index]
        second = instrs[index + 1] if index + 1 < len(instrs) else None
        if (
            second is not None
            and (first.func, second.func) == ("maximum", "minimum")
            and first.scalar == second.scalar == (False, True)
            and second.args[0] == first.out
            and (
                first.out == second.out
                or (first.out.startswith("_s") and _dead(first.out, instrs[index + 2 :]))
            )
        ):
            out.append(
                Instr(
                    "clip",
                    (first.args[0], first.args[1], second.args[1]),
                    (False, True, True),
                    second.out,
                )
            )
            index += 2
        else:
            out.append(first)
            index += 1
    return out


def _dead(name: str, rest: list[Instr]) -> bool:
    """Whether ``name``'s value is overwritten (or never used) before anything reads it."""
    for instr in rest:
        if any(a == name and not s for a, s in zip(instr.args, instr.scalar)):
            return False
        if instr.out == name:
            return True
    return True


def lower_values(temporaries, outputs, arrays: list[str], scalars: set[str], masks=(), shapes=None):
    """The element program as operations on values, before storages are chosen: (the
    lowering, with its ``ops`` and ``inputs`` (value -> array name), and the finals, (name,
    Operand) per output). ``masks``: names of true/false input arrays (the IR's masks);
    ``shapes``: an array's axes where not FULL (a state of rows or columns)."""
    low = _Lowering(scalars)
    for name in arrays:
        low.input(name, axes=(shapes or {}).get(name, FULL))
    for name in masks:
        low.input(name, boolean=True)
    # a temporary the same for every element (a branch's constant, as where(t > 1, g, 0)'s 0
    # in the program for the first step) goes into what reads it, so that no operation is
    # left with scalars only
    constants = {}
    for assign in temporaries:
        expr = assign.expr.xreplace(constants)
        if low.is_scalar(expr):
            constants[assign.symbol] = expr
        else:
            low.values[assign.symbol.name] = low.lower(expr)
    finals = [(name, low.lower(expr.xreplace(constants))) for name, expr in outputs]
    return low, finals


def lower_element_program(
    temporaries,
    outputs,
    arrays: list[str],
    writable: set[str],
    scalars: set[str],
    masks=(),
    shapes=None,
) -> ArrayProgram:
    """Print ``outputs`` (name -> expression) in place into the arrays of the same name;
    ``masks``: the true/false arrays the selects read (``lower_masks`` computes them);
    ``shapes``: as for ``lower_values``."""
    low, finals = lower_values(temporaries, outputs, arrays, scalars, masks, shapes)
    return _allocate(low, finals, writable)


def lower_masks(masks, arrays: list[str], scalars: set[str], shapes=None) -> ArrayProgram:
    """The IR's masks (per-element conditions over the values before the step), computed
    into true/false arrays of their names, before the element program runs: an earlier mask
    is an input of a later one, and a value two masks read is computed once."""
    low = _Lowering(scalars, memo={})
    for name in arrays:
        low.input(name, axes=(shapes or {}).get(name, FULL))
    finals = []
    for assign in masks:
        operand = low.lower(assign.expr)
        low.values[assign.symbol.name] = operand
        finals.append((assign.symbol.name, operand))
    return _allocate(low, finals, {name for name, _ in finals})


def lower_reduction(
    expr, op: str, arrays: list[str], scalars: set[str], shapes=None
) -> tuple[ArrayProgram, str]:
    """Lines that leave the per-element values of ``expr`` in an array; returns its name,
    or ``dot:x`` for a sum of squares of the array x (one pass, no scratch)."""
    shapes = shapes or {}
    if (
        op == "sum"
        and isinstance(expr, sp.Pow)
        and expr.exp == 2
        and isinstance(expr.base, sp.Symbol)
    ):
        if expr.base.name in arrays and expr.base.name not in shapes:  # one pass, a dot
            return ArrayProgram([], 0), f"dot:{expr.base.name}"
    low = _Lowering(scalars, memo={})  # a select's condition and branch share their values
    for name in arrays:
        low.input(name, axes=shapes.get(name, FULL))
    result = low.lower(expr)
    if not result.is_array:
        raise GenerationError(f"a reduction must be per element: {expr}")
    if low.axes[result.value] != FULL:  # its sum over a row value would count it once
        raise GenerationError(f"a reduction must differ per element, not per row or column: {expr}")
    program = _allocate(low, [], set(), keep=result.value)
    return program, program.result


def _allocate(low: _Lowering, finals, writable: set[str], keep: int | None = None):
    ops = low.ops
    end = len(ops)
    last_use: dict[int, int] = {}
    for index, op in enumerate(ops):
        for a in op.args:
            if a.is_array:
                last_use[a.value] = index
    final_of: dict[int, list[str]] = {}
    for name, operand in finals:
        if operand.is_array:
            last_use[operand.value] = end
            final_of.setdefault(operand.value, []).append(name)
    if keep is not None:
        last_use[keep] = end

    storage: dict[int, str] = dict(low.inputs)
    occupant: dict[str, int] = {name: value for value, name in low.inputs.items()}
    axes_of = lambda value: low.axes.get(value, FULL)  # noqa: E731
    # every storage's axes: an input's, then each scratch's, and each output's by its value's
    storage_axes: dict[str, frozenset] = {name: axes_of(v) for v, name in low.inputs.items()}
    scratch: list[str] = []
    bool_scratch: list[str] = []
    shaped: dict[tuple[frozenset, bool], list[str]] = {}  # scratch of smaller shapes
    # a mask and a number never share a storage; the mask outputs are the writable
    # storages whose final values are masks
    masks = {storage[v] for v in low.boolean if v in storage}
    masks |= {name for v, names in final_of.items() if v in low.boolean for name in names}

    def free(name, index):
        value = occupant.get(name)
        return value is None or last_use.get(value, -1) <= index

    instrs = []
    for index, op in enumerate(ops):
        boolean = op.result in low.boolean
        axes = axes_of(op.result)
        if axes == FULL:
            pool = bool_scratch if boolean else scratch
        else:
            pool = shaped.setdefault((axes, boolean), [])

        def fits(name):
            same_kind = (name in masks or name in bool_scratch) == boolean
            return same_kind and storage_axes.get(name, FULL) == axes

        targets = final_of.get(op.result, [])
        # where(m, a, b) is printed as b, then a where m holds: never into a's storage alone
        avoid = set()
        if op.func == "where" and op.args[1].is_array:
            a_storage = storage[op.args[1].value]
            if not (op.args[2].is_array and storage[op.args[2].value] == a_storage):
                avoid.add(a_storage)
        choice = None
        for name in targets:
            if name in writable and free(name, index) and name not in avoid and fits(name):
                choice = name
                break
        if choice is None:
            for a in op.args:
                if not a.is_array:
                    continue
                name = storage[a.value]
                in_scratch = name in pool
                if (in_scratch or name in writable) and free(name, index) and fits(name):
                    if (in_scratch or not targets or name in targets) and name not in avoid:
                        choice = name
                        break
        if choice is None:
            choice = next((s for s in pool if free(s, index) and s not in avoid), None)
        if choice is None:
            if axes == FULL:
                choice = f"_b{len(pool)}" if boolean else f"_s{len(pool)}"
            else:
                tag = _SCRATCH_TAG[SHAPE_OF_AXES[axes]]
                choice = f"_{'b' if boolean else 's'}{tag}{len(pool)}"
            pool.append(choice)
            storage_axes[choice] = axes
        args = tuple(storage[a.value] if a.is_array else a.code for a in op.args)
        instrs.append(Instr(op.func, args, tuple(not a.is_array for a in op.args), choice))
        storage[op.result] = choice
        occupant[choice] = op.result

    copies_from_outputs, copies_from_scratch = [], []
    for name, operand in finals:
        if not operand.is_array:
            copies_from_scratch.append(Instr("fill", (operand.code,), (True,), name))
        elif storage[operand.value] != name:
            source = storage[operand.value]
            bucket = copies_from_scratch if source in scratch else copies_from_outputs
            bucket.append(Instr("copy", (source,), (False,), name))
    instrs += copies_from_outputs + copies_from_scratch
    shaped_scratch = tuple(
        (name, SHAPE_OF_AXES[axes], boolean)
        for (axes, boolean), names in sorted(shaped.items(), key=lambda kv: kv[1][0])
        for name in names
    )
    return ArrayProgram(
        instrs,
        len(scratch),
        storage[keep] if keep is not None else None,
        len(bool_scratch),
        shaped_scratch,
    )
