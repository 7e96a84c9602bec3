"""The view model of the staged CPU kernels (generator.staging): a rule of row or column
means as C with OpenMP, the passes over the elements and, between them, the loops over
rows, columns and matrices. Printed into the spec's ``.c`` by templates/cuda/staged.c.j2."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..ir import KernelIR
from ..printers.c import print_c
from ..staging import ELEMENTS, Pass, Small, StagedProgram, staged
from ..symbols import SHAPE_SYMBOLS
from .c_names import kernel_stem

CTYPES = (("f32", "float"), ("f64", "double"))
# how many values of each shape a tensor has (the kernels and launchers name its sizes
# _matrices, _rows and _columns)
LENGTHS = {"rows": "_matrices * _rows", "columns": "_matrices * _columns", "matrix": "_matrices"}
# where a value of each shape lives, indexed by the loops' counters: the element _e, the row
# _row (of all matrices), the column _col (of all matrices), the matrix _b
INDEX = {"element": "_e", "rows": "_row", "columns": "_col", "matrix": "_b"}


@dataclass(frozen=True)
class SmallLoop:
    """One value per row, column or matrix: a loop over them (OpenMP threads share it)."""

    buffer: str
    count: str  # how many: _matrices * _rows, ...
    index: str  # the loop counter's name
    reads: tuple[str, ...]  # declarations of what the value reads, in the loop
    value: str  # the C expression (double)
    mean_of: str | None  # "rows" | "columns": a mean over them, one per matrix
    inner: tuple[str, ...] = ()  # the mean's loop's declarations
    # the per-step and per-tensor doubles it reads, and where a CUDA kernel finds them
    sources: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SumView:
    name: str
    accumulator: str  # a thread's local double, or a row (column) buffer
    value: str  # the C expression (the element type)
    slot: str = ""  # a per-tensor sum's place in CUDA's work memory (_tv[k])


@dataclass(frozen=True)
class PassView:
    index: int
    small: tuple[SmallLoop, ...]
    tensor: tuple[str, ...]  # per-tensor assignments (double), before the pass
    scalars: tuple[str, ...]  # the element type's copies of the doubles the pass reads
    matrix_reads: tuple[str, ...]
    row_reads: tuple[str, ...]
    element_reads: tuple[str, ...]
    cpu_element_reads: tuple[str, ...]  # a float CPU kernel's: values per column from copies
    temporaries: tuple[str, ...]
    row_sums: tuple[SumView, ...]
    column_sums: tuple[SumView, ...]
    tensor_sums: tuple[SumView, ...]
    writes: tuple[tuple[str, str], ...]  # (array, the C expression of its new value)
    means: tuple[tuple[str, str, str], ...]  # (buffer, count, divisor): sums made means
    sources: tuple[tuple[str, str], ...]  # as SmallLoop.sources, for the pass and its sums
    tensor_sources: tuple[tuple[str, str], ...]  # what its per-tensor assignments read
    tensor_assigned: tuple[tuple[str, str], ...]  # (value, its place) they assign
    # a float kernel's values per column that the pass is the first to read: copied to float
    column_copies: tuple[str, ...] = ()


@dataclass(frozen=True)
class StagedView:
    stem: str
    flags_text: str
    ctype: str
    suffix: str
    arrays: tuple[tuple[str, str, str], ...]  # (name, its shape, const or "")
    doubles: tuple[tuple[int, str], ...]  # per-step scalars from ``scalars``
    tensor_values: tuple[str, ...]  # per-tensor doubles the passes compute
    buffers: tuple[tuple[str, str], ...]  # (name, its length): the work memory
    row_sum_count: int
    column_sum_count: int
    tensor_sum_count: int
    passes: tuple[PassView, ...]
    after: tuple[SmallLoop, ...]
    small_writes: tuple[tuple[str, str, str], ...]  # (state, its buffer, count)
    # CUDA: the per-tensor doubles' places in the work memory (_tv[k]), in tensor_values order
    tensor_slots: tuple[tuple[str, str], ...] = ()
    # a float kernel's per-column copies (see ``narrow``)
    column_copies: tuple[str, ...] = ()

    @property
    def narrow(self) -> bool:
        """A float kernel: its per-column values read from float copies, its sums in float
        per chunk of a row and per few rows of a column (double ones halve its vector width)."""
        return self.ctype != "double"

    @property
    def kernel_name(self) -> str:
        return f"{self.stem}_{self.suffix}_staged"


def staged_views(ir: KernelIR) -> tuple[StagedView, ...]:
    """The staged kernels of a whole-array variant, one per CPU type; none where the rule has
    no staged program (a matrix function)."""
    program = staged(ir)
    if program is None:
        return ()
    return tuple(_view(program, suffix, ctype) for suffix, ctype in CTYPES)


def _buffer(name: str) -> str:
    return f"_v_{name}"


def _copy(name: str) -> str:
    """A float kernel's float copy of the buffer of a value per column."""
    return f"_f_v_{name}"


class _Names:
    """How an expression's names read in one C context."""

    def __init__(self, program: StagedProgram):
        self.program = program
        self.sums = {s.name: s for p in program.passes for s in p.sums}

    def shape(self, name: str) -> str:
        if name in self.sums:
            return self.sums[name].shape
        if name in (ELEMENTS, *(s.name for s in SHAPE_SYMBOLS)):
            return "tensor"
        return self.program.shape_of(name)

    def read(self, name: str, ctype: str, copies: bool = False) -> str:
        """A declaration of the array value ``name`` (p, g, state or a value of one per row,
        column or matrix) at the loops' index of its shape. With ``copies`` (a float CPU
        kernel), a value per column is read from its float copy (``_copy``)."""
        shape = self.shape(name)
        if name in ("p", "g") or name in self.program.state_shapes:
            return f"const {ctype} {name} = ({ctype})_a_{name}[{INDEX[shape]}];"
        if shape == "columns" and copies:
            return f"const {ctype} {name} = {_copy(name)}[{INDEX[shape]}];"
        return f"const {ctype} {name} = ({ctype}){_buffer(name)}[{INDEX[shape]}];"

    def printed(self, expr, ctype: str) -> str:
        """``expr`` in C of ``ctype``: scalars read through their copies of that type."""
        renamed = {}
        for s in expr.free_symbols:
            if self.shape(s.name) in ("scalar", "tensor"):
                renamed[s] = sp.Symbol(_local(s.name, ctype), **s.assumptions0)
        return print_c(expr.xreplace(renamed), ctype)


def _sources(names: _Names, exprs) -> tuple[tuple[str, str], ...]:
    """The per-step and per-tensor doubles ``exprs`` read, each with where a CUDA kernel
    reads it: the scalars array, or the work memory's per-tensor values (_tv)."""
    scalars = list(names.program.ir.element_scalars)
    tensor = sorted(names.program.tensor_names())
    out = []
    for n in sorted({s.name for e in exprs for s in e.free_symbols}):
        if n in scalars:
            out.append((n, f"scalars[{scalars.index(n)}]"))
        elif n in tensor:
            out.append((n, f"_tv[{tensor.index(n)}]"))
        elif n == ELEMENTS:
            out.append((n, "(double)(_matrices * _rows * _columns)"))
        elif n in (s.name for s in SHAPE_SYMBOLS):
            out.append((n, f"(double)_{n}"))
    return tuple(out)


def _local(name: str, ctype: str) -> str:
    """A per-step or per-tensor double's name in code of ``ctype`` (its copy if float)."""
    return name if ctype == "double" else f"_f_{name}"


def _reads(names: _Names, exprs, shapes: set[str], ctype: str, copies=False) -> tuple[str, ...]:
    wanted = sorted({s.name for e in exprs for s in e.free_symbols})
    return tuple(names.read(n, ctype, copies) for n in wanted if names.shape(n) in shapes)


def _small_loop(names: _Names, s: Small) -> SmallLoop:
    shape = s.shape
    count = LENGTHS[shape]
    reads = _reads(names, [s.expr], {"matrix"}, "double")
    inner = _reads(names, [s.expr], {"rows", "columns"}, "double")
    if s.mean_of is None:  # its own row's (column's) values, read where it is computed
        reads, inner = reads + inner, ()
    value = names.printed(s.expr, "double")
    sources = _sources(names, [s.expr])
    return SmallLoop(
        _buffer(s.name),
        count,
        INDEX[shape],
        reads,
        value,
        s.mean_of,
        inner,
        sources,
    )


def _pass_view(names: _Names, k: int, p: Pass, ctype: str, copied: set[str]) -> PassView:
    slots = sorted(names.program.tensor_names())
    exprs = [a.expr for a in p.temporaries] + [s.expr for s in p.sums] + [e for _, e in p.writes]
    doubles = sorted(
        {
            s.name
            for e in exprs
            for s in e.free_symbols
            if names.shape(s.name) in ("scalar", "tensor")
        }
    )
    scalars = (
        ()
        if ctype == "double"
        else tuple(f"const float {_local(n, ctype)} = (float){n};" for n in doubles)
    )
    column_copies = ()
    if ctype != "double":
        read = sorted({s.name for e in exprs for s in e.free_symbols})
        column_copies = tuple(
            n
            for n in read
            if names.shape(n) == "columns"
            and n not in names.program.state_shapes
            and n not in copied
        )
        copied.update(column_copies)
    rows = [s for s in p.sums if s.shape == "rows"]
    columns = [s for s in p.sums if s.shape == "columns"]
    tensor = [s for s in p.sums if s.shape == "tensor"]
    new = {n: f"_new_{n}" for n, _ in p.writes}
    means = tuple(
        (
            _buffer(s.name),
            "_matrices * _rows" if s.shape == "rows" else "_matrices * _columns",
            "_columns" if s.shape == "rows" else "_rows",
        )
        for s in rows + columns
    )
    return PassView(
        index=k,
        small=tuple(_small_loop(names, s) for s in p.small),
        tensor=tuple(f"{a.symbol.name} = {print_c(a.expr, 'double')};" for a in p.tensor),
        scalars=scalars,
        matrix_reads=_reads(names, exprs, {"matrix"}, ctype),
        row_reads=_reads(names, exprs, {"rows"}, ctype),
        element_reads=_reads(names, exprs, {"element", "columns"}, ctype),
        cpu_element_reads=_reads(names, exprs, {"element", "columns"}, ctype, ctype != "double"),
        temporaries=tuple(
            f"const {ctype} {a.symbol.name} = {names.printed(a.expr, ctype)};"
            for a in p.temporaries
        ),
        row_sums=tuple(
            SumView(s.name, f"_racc{i}", names.printed(s.expr, ctype)) for i, s in enumerate(rows)
        ),
        column_sums=tuple(
            SumView(s.name, f"_cacc{i}", names.printed(s.expr, ctype))
            for i, s in enumerate(columns)
        ),
        tensor_sums=tuple(
            SumView(
                s.name,
                f"_tacc{i}",
                names.printed(s.expr, ctype),
                f"_tv[{slots.index(s.name)}]",
            )
            for i, s in enumerate(tensor)
        ),
        writes=tuple((n, names.printed(e, ctype)) for n, e in p.writes),
        means=means,
        sources=_sources(names, exprs),
        tensor_sources=_sources(names, [a.expr for a in p.tensor]),
        tensor_assigned=tuple(
            (a.symbol.name, f"_tv[{slots.index(a.symbol.name)}]") for a in p.tensor
        ),
        column_copies=column_copies,
    )


def _view(program: StagedProgram, suffix: str, ctype: str) -> StagedView:
    ir = program.ir
    names = _Names(program)
    state = ir.state
    arrays = (("p", "element", ""), ("g", "element", "const ")) + tuple(
        (n, program.state_shapes[n], "") for n in state
    )
    tensor_values = sorted(program.tensor_names())
    smalls = program.small_values()
    sums = [s for p in program.passes for s in p.sums]
    kept = [*smalls, *[s for s in sums if s.shape != "tensor"]]
    buffers = tuple((_buffer(s.name), LENGTHS[s.shape]) for s in kept)
    copied: set[str] = set()
    passes = tuple(_pass_view(names, k, p, ctype, copied) for k, p in enumerate(program.passes))
    return StagedView(
        stem=kernel_stem(ir.spec.module, ir.variant.suffix),
        flags_text=", ".join(f"{n}={v}" for n, v in ir.variant.flags),
        ctype=ctype,
        suffix=suffix,
        arrays=arrays,
        doubles=tuple(enumerate(ir.element_scalars)),
        tensor_values=tuple(n for n in tensor_values),
        buffers=buffers,
        row_sum_count=max((len(p.row_sums) for p in passes), default=0),
        column_sum_count=max((len(p.column_sums) for p in passes), default=0),
        tensor_sum_count=max((len(p.tensor_sums) for p in passes), default=0),
        passes=passes,
        after=tuple(_small_loop(names, s) for s in program.after),
        small_writes=tuple(
            (n, _buffer(v), LENGTHS[program.state_shapes[n]]) for n, v in program.small_writes
        ),
        tensor_slots=tuple((n, f"_tv[{k}]") for k, n in enumerate(tensor_values)),
        column_copies=tuple(_copy(n) for p in passes for n in p.column_copies),
    )
