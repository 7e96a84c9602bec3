"""The rules that take row or column means (Adafactor's factored second moment), for NumPy
and torch. Their values have several shapes that broadcast (one per row: the parameter's
shape with the last axis 1; one per column; one per matrix; one per element), which the
in-place programs of ``printers/arrays.py`` cannot hold: every storage there is shaped like
p. NumPy prints each value as a nested expression (``printers/functional.py`` in the ``np``
namespace), torch as SSA lines of new tensors (``printers/torch_graph.py``). Every new value
is computed before the first is written, so an output may read any old value.

The per-tensor reductions are summed in float64 and the per-tensor scalars computed in
Python, as the other variants' are (``reductions.tensor_stage``); the kernels are not fused:
``python_common.step_program`` gives these variants no native kernel.
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from ..ir import KernelIR
from ..model import ReduceOp, Scope
from ..printers.functional import FunctionalPrinter
from ..printers.python import print_scalar
from ..printers.torch_graph import element_lines, value_lines
from .base import branch_lines, condition_cases, printed_condition

_NUMPY = FunctionalPrinter("np")


def numpy_lines(ir: KernelIR) -> tuple[list[str], list[str]]:
    """(the per-tensor stage's lines, the element program's), for a NumPy apply function."""
    arrays = {"p", "g", *ir.state}
    tensor = ["if p.size == 0:", "    return"]
    shared, reductions = _shared_values(_tensor_reductions(ir))
    tensor += [f"{name} = {_NUMPY.doprint(value)}" for name, value in shared]
    arrays |= {name.name for name, _ in shared}
    for r in reductions:
        if not {s.name for s in r.expr.free_symbols} & arrays:
            tensor.append(f"{r.name} = {_constant(r, 'p.size')}")
            continue
        reduce = "np.sum" if r.op is ReduceOp.SUM else "np.max"
        dtype = ", dtype=np.float64" if r.op is ReduceOp.SUM else ""
        tensor.append(f"{r.name} = float({reduce}({_NUMPY.doprint(r.expr)}{dtype}))")
    tensor += [f"{a.symbol.name} = {print_scalar(a.expr)}" for a in ir.tensor]

    def case_lines(case):
        _, temporaries, outputs = case
        lines = [f"{a.symbol.name} = {_NUMPY.doprint(a.expr)}" for a in temporaries]
        lines += [f"_new_{name} = {_NUMPY.doprint(e)}" for name, e in outputs]
        return lines + [f"np.copyto({name}, _new_{name})" for name, _ in outputs]

    cases = condition_cases((*ir.masks, *ir.temporaries), ir.outputs)
    element = branch_lines(cases, case_lines, printed_condition)
    if any(e.has(sp.Piecewise) for _, e in ir.outputs) or ir.masks:
        # a select computes both branches: the one not taken may divide by zero
        head = 'with np.errstate(divide="ignore", invalid="ignore", over="ignore"):'
        element = [head, *("    " + line for line in element)]
    return tensor, element


def torch_lines(ir: KernelIR) -> tuple[list[str], list[str]]:
    """(the per-tensor stage's lines, the element program's), for a torch apply function."""
    arrays = ["p", "g", *ir.state]
    scalars = set(ir.element_scalars) | {a.symbol.name for a in ir.tensor} | {"t"}
    scalars |= {r.name for r in _tensor_reductions(ir)}
    tensor = ["if p.numel() == 0:", "    return"]
    shared, reductions = _shared_values(_tensor_reductions(ir))
    for name, value in shared:
        lines, code = value_lines(value, arrays, scalars, f"_{name.name}_")
        tensor += lines + [f"{name.name} = {code}"]
        arrays.append(name.name)
    for index, r in enumerate(reductions):
        if not {s.name for s in r.expr.free_symbols} & set(arrays):
            tensor.append(f"{r.name} = {_constant(r, 'p.numel()')}")
            continue
        lines, value = value_lines(r.expr, arrays, scalars - {r.name}, f"_r{index}_")
        reduce = "torch.sum" if r.op is ReduceOp.SUM else "torch.amax"
        dtype = ", dtype=torch.float64" if r.op is ReduceOp.SUM else ""
        tensor += lines + [f"{r.name} = float({reduce}({value}{dtype}))"]
    tensor += [f"{a.symbol.name} = {print_scalar(a.expr)}" for a in ir.tensor]
    cases = condition_cases((*ir.masks, *ir.temporaries), ir.outputs)
    element = branch_lines(
        cases, lambda case: element_lines([case], arrays, scalars), printed_condition
    )
    return tensor, element


def _tensor_reductions(ir: KernelIR):
    """The per-tensor reductions, with the values they share computed once: (the shared
    values, as per-element assignments, then reductions whose expressions read them). A
    reduction over the update's values restates them in the values before the step (LAMB's u,
    Adafactor's u with its row and column means)."""
    return [r for r in ir.reductions if r.scope is Scope.TENSOR]


def _shared_values(reductions) -> tuple[list[tuple[sp.Symbol, sp.Expr]], list]:
    """Common sub-expressions of the reductions' values, once: ([(name, value)], the
    reductions reading them)."""
    arrays = [r for r in reductions if r.expr.free_symbols]
    shared, reduced = sp.cse(
        [r.expr for r in arrays], symbols=(sp.Symbol(f"_w{i}", real=True) for i in range(10**6))
    )
    new = dict(zip((r.name for r in arrays), reduced))
    return shared, [replace(r, expr=new[r.name]) if r.name in new else r for r in reductions]


def _constant(r, count: str) -> str:
    """A reduction of the same value at every element (``of: 1`` counts them); the tensor is
    not empty here."""
    value = print_scalar(r.expr)
    return f"float({value}) * {count}" if r.op is ReduceOp.SUM else f"float({value})"
