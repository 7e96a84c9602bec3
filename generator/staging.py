"""A rule of row or column means (Adafactor's factored second moment) as passes over memory.

A fused kernel updates elements independently; a row mean needs its whole row first. So
the rule's values are scheduled by *level*: a value of level L can be computed in pass L
over the tensor's elements, and a mean or a per-tensor sum of it is known after that pass
(level L + 1). Between passes, the values of one per row, per column or per matrix (means,
state of rows or columns, the values computed from them) and the per-tensor values are
computed on those small arrays. Adafactor takes three passes: the row and column sums of
g^2 and the sum of p^2; the sum of the update's squares, which reads the new row and column
averages; the update.

The stages here are printer-independent; ``generator.backends.staged_c`` prints them as C.
A rule that this does not cover (a matrix function, a per-tensor maximum, a per-element
mask) has no staged program and runs as whole-array code.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .ir import Assign, KernelIR
from .model import ReduceOp, Scope
from .signs import never_negative
from .symbols import AXIS_MEANS, SHAPE_SYMBOLS, AxisMean, MatrixCall, real

FULL = frozenset("ij")
# a value's shape by the axes it varies along (rows "i", columns "j")
SHAPES = {FULL: "element", frozenset("i"): "rows", frozenset("j"): "columns"}
SHAPES[frozenset()] = "matrix"
AXES = {shape: axes for axes, shape in SHAPES.items()}


@dataclass(frozen=True)
class Sum:
    """A sum over elements accumulated during a pass: per row (along the row, ``rows``), per
    column (``columns``) or over the whole tensor (``tensor``). A row or column sum becomes
    its mean (``mean``: divided by the count) when the pass ends."""

    name: str
    shape: str  # "rows" | "columns" | "tensor"
    expr: sp.Expr  # per element
    mean: bool


@dataclass(frozen=True)
class Small:
    """A value per row, per column or per matrix, computed between passes. ``mean_of``: the
    value is the mean, over the matrix's rows or columns, of ``expr`` (a value per row or per
    column); otherwise ``expr`` itself."""

    name: str
    shape: str  # "rows" | "columns" | "matrix"
    expr: sp.Expr
    mean_of: str | None = None  # "rows" | "columns"


@dataclass(frozen=True)
class Pass:
    """One pass over the elements: first the small and per-tensor values it reads that the
    pass before made possible, then per element its temporaries, its sums and (the last
    pass only) the new values of p and of the state of p's shape."""

    small: tuple[Small, ...]
    tensor: tuple[Assign, ...]
    temporaries: tuple[Assign, ...]
    sums: tuple[Sum, ...]
    writes: tuple[tuple[str, sp.Expr], ...]


@dataclass(frozen=True)
class StagedProgram:
    ir: KernelIR
    passes: tuple[Pass, ...]
    after: tuple[Small, ...]  # small values only the state of rows or columns reads
    small_writes: tuple[tuple[str, str], ...]  # (state of rows or columns, its new value)
    state_shapes: dict  # state name -> "element" | "rows" | "columns"

    def small_values(self) -> tuple[Small, ...]:
        return tuple(s for p in self.passes for s in p.small) + self.after

    def sums(self, shape: str) -> tuple[Sum, ...]:
        return tuple(s for p in self.passes for s in p.sums if s.shape == shape)

    def shape_of(self, name: str) -> str:
        """The shape of an array or value the passes read by name."""
        if any(a.symbol.name == name for p in self.passes for a in p.temporaries):
            return "temporary"  # per element, computed in the pass that reads it
        if name in ("p", "g"):
            return "element"
        if name in self.state_shapes:
            return self.state_shapes[name]
        for s in self.small_values():
            if s.name == name:
                return s.shape
        return "tensor" if name in self.tensor_names() else "scalar"

    def tensor_names(self) -> set[str]:
        names = {s.name for s in self.sums("tensor")}
        return names | {a.symbol.name for p in self.passes for a in p.tensor}


class Unstaged(Exception):
    """The rule has no staged program (it runs as whole-array code)."""


def stage(ir: KernelIR) -> StagedProgram | None:
    """The passes of a whole-array variant (``ir.variant.whole_array``), or None where they
    cannot be formed (see the module's doc)."""
    try:
        return _Stager(ir).program()
    except Unstaged:
        return None


def staged(ir: KernelIR) -> StagedProgram | None:
    """``stage(ir)``, computed once per lowered variant and kept with it: the C and CUDA
    kernels, NumPy's and torch's plans and the docs all read it."""
    # (a frozen dataclass: kept beside its fields, as functools.cached_property does)
    kept = ir.__dict__
    if "_staged" not in kept:
        kept["_staged"] = stage(ir)
    return kept["_staged"]


class _Stager:
    """Names every row or column mean, then gives each value its level (the pass that can
    compute it) and its shape, and sorts the values into passes."""

    def __init__(self, ir: KernelIR):
        self.ir = ir
        if ir.masks or any(r.scope is Scope.GLOBAL for r in ir.reductions):
            raise Unstaged("per-element masks or global reductions")
        self.state_shapes = {s.name: s.shape for s in ir.variant.state}
        self.axes: dict[str, frozenset] = {"p": FULL, "g": FULL}
        self.axes.update({n: AXES[s] for n, s in self.state_shapes.items()})
        # every named value: name -> (kind, expr); kinds: "temporary", "mean" (with the axis
        # it averages over), "sum" (a per-tensor reduction), "tensor" (a per-tensor value)
        self.defs: dict[str, tuple] = {}
        self.inlined: dict[sp.Symbol, sp.Expr] = {}  # a temporary -> its value from inputs
        self.means: dict[sp.Expr, sp.Symbol] = {}  # a mean, its operand inlined -> its name
        self.levels: dict[str, int] = {}
        self.hoisted_names: dict[sp.Expr, sp.Symbol] = {}  # a hoisted value -> its name

    # -- naming -----------------------------------------------------------------------------
    def named(self, expr) -> sp.Expr:
        """``expr`` with each row or column mean replaced by the name of its value (one name
        per mean of the same value, however it is written)."""
        if expr.has(MatrixCall):
            raise Unstaged("a matrix function")
        means = sorted(expr.atoms(AxisMean), key=sp.count_ops)
        while means:  # innermost first: an outer mean reads the inner one's name
            mean = means.pop(0)
            key = type(mean)(mean.args[0].xreplace(self.inlined))
            if key not in self.means:
                symbol = real(f"_mean{len(self.means)}")
                self.means[key] = symbol
                self.defs[symbol.name] = ("mean", mean.args[0], AXIS_MEANS[type(mean)])
            expr = expr.xreplace({mean: self.means[key]})
            means = [m.xreplace({mean: self.means[key]}) for m in means]
        return expr

    def by_name(self, expr) -> sp.Expr:
        """``expr`` reading the temporaries by name where it restates one (a reduction's
        ``of:`` repeats the update's values)."""
        known = {e: s for s, e in self.inlined.items() if not e.is_Symbol}
        for value, symbol in sorted(known.items(), key=lambda kv: -sp.count_ops(kv[0])):
            expr = expr.xreplace({value: symbol})
        return expr

    # -- levels and shapes ------------------------------------------------------------------
    def axes_of(self, expr) -> frozenset:
        out: frozenset = frozenset()
        for s in expr.free_symbols:
            out |= self.axes_of_name(s.name)
        return out

    def axes_of_name(self, name: str) -> frozenset:
        if name in self.axes:
            return self.axes[name]
        kind, expr, *rest = self.defs.get(name, ("input", None))
        if kind in ("temporary",):
            out = self.axes_of(expr)
        elif kind == "mean":
            out = self.axes_of(expr) - {rest[0]}
        else:  # per tensor, or a per-step scalar
            out = frozenset()
        self.axes[name] = out
        return out

    def level_of(self, expr) -> int:
        return max((self.level(s.name) for s in expr.free_symbols), default=0)

    def level(self, name: str) -> int:
        if name not in self.levels:
            kind, expr, *rest = self.defs.get(name, ("input", sp.S.Zero))
            lvl = self.level_of(expr)
            summed = kind == "sum" or (kind == "mean" and self.axes_of(expr) == FULL)
            self.levels[name] = lvl + 1 if summed else lvl
        return self.levels[name]

    # -- the program ------------------------------------------------------------------------
    def program(self) -> StagedProgram:
        ir = self.ir
        for a in ir.temporaries:
            expr = self.named(a.expr)
            self.defs[a.symbol.name] = ("temporary", expr)
            self.inlined[a.symbol] = expr.xreplace(self.inlined)
        scalars = set(map(real, ir.element_scalars)) | set(SHAPE_SYMBOLS)
        for r in ir.reductions:
            if r.op is not ReduceOp.SUM:
                raise Unstaged("a per-tensor maximum")
            expr = self.by_name(self.named(r.expr))
            if self.axes_of(expr) == FULL:
                self.defs[r.name] = ("sum", expr)
            elif not expr.free_symbols - scalars:
                # the same value at every element: that value times their count
                self.defs[r.name] = ("tensor", expr * real(ELEMENTS))
            else:
                raise Unstaged("a per-tensor sum of a value per row or column")
        for a in ir.tensor:
            self.defs[a.symbol.name] = ("tensor", a.expr)
        for name, (kind, expr, *rest) in list(self.defs.items()):
            if kind in ("temporary", "mean", "sum") and self.axes_of(expr) == FULL:
                self.defs[name] = (kind, self.hoisted(expr), *rest)
        writes, small_writes = [], []
        for name, expr in ir.outputs:
            expr = self.named(expr)
            if self.axes_of(expr) == FULL:
                expr = self.hoisted(expr)
            if self.state_shapes.get(name, "element") == "element":
                writes.append((name, expr))
            elif expr.is_Symbol and self.defs.get(expr.name, ("",))[0] == "temporary":
                small_writes.append((name, expr.name))  # a value computed anyway
            else:  # a value of its own, written back after the passes
                self.defs[f"_new_{name}"] = ("temporary", expr)
                small_writes.append((name, f"_new_{name}"))
        sums = [n for n, d in self.defs.items() if d[0] == "sum" or self.is_summed_mean(n)]
        last = max([self.level_of(e) for _, e in writes] + [self.level(n) - 1 for n in sums])
        small = self.small_values()
        passes = []
        for k in range(last + 1):
            pass_sums = tuple(self.sum_of(n) for n in sums if self.level(n) - 1 == k)
            pass_writes = tuple(writes) if k == last else ()
            passes.append(
                Pass(
                    tuple(s for s in small if self.level(s.name) == k),
                    tuple(
                        Assign(real(n), d[1])
                        for n, d in self.defs.items()
                        if d[0] == "tensor" and self.level(n) == k
                    ),
                    self.closure([s.expr for s in pass_sums] + [e for _, e in pass_writes]),
                    pass_sums,
                    pass_writes,
                )
            )
        after = tuple(s for s in small if self.level(s.name) > last)
        if any(d[0] == "tensor" and self.level(n) > last for n, d in self.defs.items()):
            # (a value per tensor that only the state of rows or columns reads, known after
            # the last pass: rare, and array code computes it)
            raise Unstaged("a per-tensor value after the last pass")
        return StagedProgram(ir, tuple(passes), after, tuple(small_writes), self.state_shapes)

    # -- values of one per row, column or matrix, out of the loops over elements -------------
    def hoisted(self, expr) -> sp.Expr:
        """A per-element ``expr`` with its largest parts of one value per row, column or matrix
        named as values of their own, computed between passes once per row (column, matrix)
        instead of once per element: Adafactor's ``g**2*mean(r)/(c*r)`` reads ``1/r`` and
        ``1/c``, and so loses its division. A product's factors are grouped by the axes they
        vary along (``grouped``). Other functions and powers keep their form, their arguments
        hoisted."""
        if expr.is_Atom:
            return expr
        if self.axes_of(expr) != FULL:
            return self.small_named(expr) if self.reads_small(expr) else expr
        if expr.is_Mul:
            element, groups = [], {}
            for factor in (f for a in expr.args for f in self.split_power(a)):
                axes = self.axes_of(factor)
                if axes == FULL:
                    element.append(self.hoisted(factor))
                else:
                    groups.setdefault(axes, []).append(factor)
            parts = [self.hoisted(sp.Mul(*g)) for g in self.grouped(groups)]
            return sp.Mul(*element, *parts)
        return expr.func(*(self.hoisted(a) for a in expr.args))

    @staticmethod
    def grouped(groups: dict) -> list[list]:
        """Factors grouped by the axes they vary along, in a fixed order. Per-step, per-tensor
        and per-matrix factors keep a group of their own rather than joining a row's: a
        hoisted value then stays a function of one kind of value, of the magnitude of the
        factors the rule wrote (``mean(r)/r`` for a row of zero gradients, 1e-30 from
        epsilon_1, can pass float's largest value where ``1/r`` and ``mean(r)`` do not)."""
        return [groups[k] for k in sorted(groups, key=sorted)]

    def split_power(self, factor) -> list:
        """A fractional power of a product, as the powers of its groups of factors (one per
        row, one per column, ...) where every group is proved never negative (only then is
        sqrt(a*b) = sqrt(a)*sqrt(b)): Adafactor's ``1/sqrt(c*r/mean(r))`` becomes the
        product of a value per column and one per row, with no root left per element."""
        base, exp = factor.as_base_exp()
        if exp.is_integer is not False or not base.is_Mul or self.axes_of(factor) != FULL:
            return [factor]
        groups: dict = {}
        for f in base.args:
            groups.setdefault(self.axes_of(f), []).append(f)
        parts = [sp.Mul(*g) for g in self.grouped(groups)]
        if len(parts) < 2 or not all(self.never_negative(part) for part in parts):
            return [factor]
        return [part**exp for part in parts]

    def never_negative(self, expr) -> bool:
        """Whether ``expr`` (of the stager's values) is proved never negative
        (generator.signs): its temporaries and hoisted per-step values written out in the
        rule's inputs, and each mean taken for a value of its own, never negative where what
        it averages is not (written out, ``x - mean(x)`` would cancel to 0). Products and
        powers are judged factor by factor, +inf counting as never negative: a power's split
        gives the same floats then too (0 * inf is NaN both ways)."""
        if expr.is_Mul:  # (factor by factor: 1/x is +inf, not negative, at x = 0)
            return all(self.never_negative(f) for f in expr.args)
        if expr.is_Pow:
            return expr.exp.is_even is True or self.never_negative(expr.base)
        spec_steps = {eq.symbol.name for eq in self.ir.variant.step}
        step = {a.symbol.name: a.expr for a in self.ir.step if a.symbol.name not in spec_steps}
        for _ in range(len(self.defs) + len(step) + 1):
            known = {}
            for s in expr.free_symbols:
                kind, value, *_ = self.defs.get(s.name, ("input", None))
                if kind == "temporary":
                    known[s] = value
                elif kind == "mean":
                    sign = {"nonnegative": True} if self.never_negative(value) else {"real": True}
                    known[s] = sp.Dummy(**sign)  # (unnamed: not taken for the mean again)
                elif s.name in step:
                    known[s] = step[s.name]
            if not known:
                return never_negative(self.ir.variant, expr, self.ir.nonnegative)
            expr = expr.xreplace(known)
        return False

    def reads_small(self, expr) -> bool:
        """Whether ``expr`` reads a value of one per row, column or matrix (a per-step or
        per-tensor value alone is not worth a loop of its own)."""
        for s in expr.free_symbols:
            kind = self.defs.get(s.name, ("input",))[0]
            if self.axes_of_name(s.name) or kind in ("mean", "temporary"):
                return True
        return False

    def small_named(self, expr) -> sp.Symbol:
        """The name of a hoisted value, one per value however often it is read."""
        if expr not in self.hoisted_names:
            shape = SHAPES[self.axes_of(expr)]
            symbol = real(f"_per_{shape}{len(self.hoisted_names)}")
            self.hoisted_names[expr] = symbol
            self.defs[symbol.name] = ("temporary", expr)
        return self.hoisted_names[expr]

    def is_summed_mean(self, name: str) -> bool:
        kind, expr, *_ = self.defs[name]
        return kind == "mean" and self.axes_of(expr) == FULL

    def sum_of(self, name: str) -> Sum:
        kind, expr, *rest = self.defs[name]
        if kind == "sum":
            return Sum(name, "tensor", expr, False)
        return Sum(name, SHAPES[self.axes_of_name(name)], expr, True)

    def small_values(self) -> tuple[Small, ...]:
        """The values of one per row, column or matrix, each after the values it reads."""
        out, done = [], set()

        def visit(name):
            if name in done or name not in self.defs:
                return
            done.add(name)
            kind, expr, *rest = self.defs[name]
            for dep in sorted(expr.free_symbols, key=lambda x: x.name):
                visit(dep.name)
            shape = SHAPES[self.axes_of_name(name)]
            if kind == "temporary" and shape != "element":
                out.append(Small(name, shape, expr))
            elif kind == "mean" and not self.is_summed_mean(name):
                along = rest[0]
                if along not in self.axes_of(expr):  # the same along that axis already
                    out.append(Small(name, shape, expr))
                else:  # over the rows (columns) of a value per row (column)
                    out.append(Small(name, shape, expr, "rows" if along == "i" else "columns"))

        for name in self.defs:
            visit(name)
        return tuple(out)

    def closure(self, exprs) -> tuple[Assign, ...]:
        """The per-element temporaries ``exprs`` read, in the IR's order."""
        wanted: set[str] = set()
        stack = [s.name for e in exprs for s in e.free_symbols]
        while stack:
            name = stack.pop()
            kind, expr, *_ = self.defs.get(name, ("input", sp.S.Zero))
            if kind == "temporary" and self.axes_of_name(name) == FULL and name not in wanted:
                wanted.add(name)
                stack += [s.name for s in expr.free_symbols]
        return tuple(Assign(real(n), d[1]) for n, d in self.defs.items() if n in wanted)


# the count of a tensor's elements, as the staged programs' expressions read it
ELEMENTS = "_elements"
# the per-tensor sizes that a staged program's expressions may read (besides "_elements")
SIZE_NAMES = tuple(s.name for s in SHAPE_SYMBOLS)
