"""Printing the reduction stages, shared by the array backends (NumPy, torch): per-tensor
reductions with the per-tensor scalars that use them, and each tensor's part of the global
reductions. A dialect module supplies ``lines``, ``sum_of_squares`` and ``reduce``."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..ir import KernelIR, free_names
from ..model import Scope
from ..printers.arrays import lower_reduction
from ..printers.python import print_scalar
from .base import array_shapes, branch_lines, each_case, per_step_conditions, shaped_union


@dataclass(frozen=True)
class ReductionCode:
    """Lines that compute reductions, and the scratch arrays they use: ``scratch`` of the
    tensor's dtype (``_s0``, ...) and ``bools`` true/false ones (``_b0``, ...: a select's
    conditions)."""

    lines: tuple[str, ...] = ()
    scratch: int = 0
    bools: int = 0
    shaped: tuple = ()  # scratch of smaller shapes (a rule of row or column means)

    def __add__(self, other: "ReductionCode") -> "ReductionCode":
        return ReductionCode(
            self.lines + other.lines,
            max(self.scratch, other.scratch),
            max(self.bools, other.bools),
            shaped_union([self.shaped, other.shaped]),
        )


def reduction_lines(r, arrays, scalars, dialect, prefix="", shapes=None) -> ReductionCode:
    target = f"{prefix}{r.name}"
    cases = _step_cases(r.expr, arrays, f"reduction ({r.name})")
    codes = [_reduction_code(target, r.op, e, arrays, scalars, dialect, shapes) for _, e in cases]
    if len(cases) == 1:
        return codes[0]
    by_case = {taken: code for (taken, _), code in zip(cases, codes)}
    lines = branch_lines(
        [(taken, None, None) for taken, _ in cases],
        lambda case: by_case[case[0]].lines,
        print_scalar,
    )
    return ReductionCode(
        tuple(lines),
        max(c.scratch for c in codes),
        max(c.bools for c in codes),
        shaped_union(c.shaped for c in codes),
    )


def _reduction_code(target, op, expr, arrays, scalars, dialect, shapes=None) -> ReductionCode:
    if not {s.name for s in expr.free_symbols} & set(arrays):
        # the same value at every element (``of: 1`` counts them): no pass over memory; the
        # maximum over no elements is -inf, as everywhere
        value, n = print_scalar(expr), dialect.count(arrays[0])
        if op == "sum":
            return ReductionCode((f"{target} = float({value}) * {n}",))
        return ReductionCode((f"{target} = float({value}) if {n} else -math.inf",))
    program, result = lower_reduction(expr, op, arrays, scalars, shapes)
    if result.startswith("dot:"):  # a sum of squares: one pass, no scratch
        return ReductionCode((f"{target} = {dialect.sum_of_squares(result[4:])}",))
    lines = (*dialect.lines(program), f"{target} = {dialect.reduce(op, result)}")
    return ReductionCode(lines, program.scratch, program.bool_scratch, program.shaped_scratch)


def _step_cases(expr, arrays, what: str):
    """``expr`` once per combination of its per-step conditions (those that read no array:
    a hoisted flag's ``_cK != 0``, or a global reduction's condition on hyperparameters and
    t), each taken for every element, as the element program's branches are (the values of
    the branch not taken are not computed): [(conditions taken, expression)]."""
    arrays = set(arrays)
    conditions = per_step_conditions(
        [expr], lambda c: not {s.name for s in c.free_symbols} & arrays, what
    )
    return [(taken, expr.xreplace(values)) for taken, values in each_case(conditions)]


def tensor_stage(ir: KernelIR, arrays, scalars, dialect) -> ReductionCode:
    """Lines computing the per-tensor reductions and per-tensor scalars."""
    code = ReductionCode()
    if any(r.scope is Scope.TENSOR for r in ir.reductions):
        # an empty tensor has nothing to update, and its per-tensor values would be Python
        # arithmetic on its reductions (a count of 0 divides by zero)
        code += ReductionCode((f"if {dialect.count('p')} == 0:", "    return"))
    for r in (r for r in ir.reductions if r.scope is Scope.TENSOR):
        code += reduction_lines(r, arrays, scalars - {r.name}, dialect, shapes=array_shapes(ir))
    tensor = tuple(f"{a.symbol.name} = {print_scalar(a.expr)}" for a in ir.tensor)
    return code + ReductionCode(shape_lines(ir) + tensor)


def shape_lines(ir: KernelIR, array: str = "p") -> tuple[str, ...]:
    """``rows = p.shape[-2]`` and ``columns = p.shape[-1]`` (of ``array``, shaped like p),
    where the tensor's values read them (a rule of tensors of two axes or more)."""
    reads = free_names(
        [a.expr for a in (*ir.tensor, *ir.masks, *ir.temporaries)] + [e for _, e in ir.outputs]
    )
    axes = {"rows": -2, "columns": -1}
    return tuple(f"{n} = {array}.shape[{axis}]" for n, axis in axes.items() if n in reads)


def global_partials(ir: KernelIR, arrays, dialect) -> tuple[ReductionCode, list[str]]:
    """Lines computing this tensor's part of each global reduction, and their names."""
    reductions = [r for r in ir.reductions if r.scope is Scope.GLOBAL]
    if not reductions:
        return ReductionCode(), []
    hyper = set()
    for r in reductions:
        hyper |= {s.name for s in r.expr.free_symbols} - set(arrays) - {"t"}
    hyper -= set(ir.prelude_names)  # the host computes them for the reductions
    code = ReductionCode(tuple(f"{n} = hyper[{n!r}]" for n in sorted(hyper)))
    if ir.global_prelude:
        code += ReductionCode((ir.prelude_call(),))
        hyper |= set(ir.prelude_names)
    for r in reductions:
        code += reduction_lines(r, arrays, hyper | {"t"}, dialect, prefix="_g")
    return code, [f"_g{r.name}" for r in reductions]


def selects(ir: KernelIR) -> bool:
    """Whether a reduction selects: per element its program computes both branches (NumPy
    would warn of the one not taken)."""
    return any(r.expr.has(sp.Piecewise) for r in ir.reductions)
