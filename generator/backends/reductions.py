"""Printing the reduction stages, shared by the array backends (NumPy, torch): per-tensor
reductions with the per-tensor scalars that use them, and each tensor's part of the global
reductions. A dialect module supplies ``lines``, ``sum_of_squares`` and ``reduce``."""

from __future__ import annotations

from ..ir import KernelIR
from ..model import Scope
from ..printers.arrays import lower_reduction
from ..printers.python import print_scalar


def reduction_lines(r, arrays, scalars, dialect, prefix=""):
    target = f"{prefix}{r.name}"
    if not {s.name for s in r.expr.free_symbols} & set(arrays):
        # the same value at every element (``of: 1`` counts them): no pass over memory; the
        # maximum over no elements is -inf, as everywhere
        value, n = print_scalar(r.expr), dialect.count(arrays[0])
        if r.op == "sum":
            return [f"{target} = float({value}) * {n}"], 0
        return [f"{target} = float({value}) if {n} else -math.inf"], 0
    program, result = lower_reduction(r.expr, r.op, arrays, scalars)
    if result.startswith("dot:"):  # a sum of squares: one pass, no scratch
        return [f"{target} = {dialect.sum_of_squares(result[4:])}"], 0
    return dialect.lines(program) + [f"{target} = {dialect.reduce(r.op, result)}"], program.scratch


def tensor_stage(ir: KernelIR, arrays, scalars, dialect):
    """Lines computing the per-tensor reductions and per-tensor scalars; scratch they need."""
    lines, scratch = [], 0
    if any(r.scope is Scope.TENSOR for r in ir.reductions):
        # an empty tensor has nothing to update, and its per-tensor values would be Python
        # arithmetic on its reductions (a count of 0 divides by zero)
        lines += [f"if {dialect.count('p')} == 0:", "    return"]
    for r in (r for r in ir.reductions if r.scope is Scope.TENSOR):
        more, count = reduction_lines(r, arrays, scalars - {r.name}, dialect)
        lines += more
        scratch = max(scratch, count)
    lines += [f"{a.symbol.name} = {print_scalar(a.expr)}" for a in ir.tensor]
    return lines, scratch


def global_partials(ir: KernelIR, arrays, dialect):
    """Lines computing this tensor's part of each global reduction: (lines, results, scratch)."""
    reductions = [r for r in ir.reductions if r.scope is Scope.GLOBAL]
    if not reductions:
        return [], [], 0
    hyper = set()
    for r in reductions:
        hyper |= {s.name for s in r.expr.free_symbols} - set(arrays) - {"t"}
    lines = [f"{n} = hyper[{n!r}]" for n in sorted(hyper)]
    results, scratch = [], 0
    for r in reductions:
        more, count = reduction_lines(r, arrays, hyper | {"t"}, dialect, prefix="_g")
        lines += more
        results.append(f"_g{r.name}")
        scratch = max(scratch, count)
    return lines, results, scratch
