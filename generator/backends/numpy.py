"""NumPy backend: ``generated/numpy/<module>.py`` per spec and a registry; the shared runtime
``generated/numpy/_runtime.py`` is copied from ``generator/runtime/numpy/_runtime.py``."""

from __future__ import annotations

from dataclasses import dataclass

from ..ir import KernelIR, LoweredSpec
from ..model import Scope
from ..printers import numpy as dialect
from ..printers.arrays import lower_element_program
from . import python_common
from .base import each_variant
from .reductions import global_partials, tensor_stage


@dataclass(frozen=True)
class NumpyVariant:
    base: python_common.StepProgram
    tensor_lines: tuple[str, ...]
    element_lines: tuple[str, ...]
    partial_lines: tuple[str, ...]
    partial_results: tuple[str, ...]
    scratch: int
    passes: int
    elementwise: bool  # no per-tensor or global reductions: a tensor may be updated in slices

    @property
    def partials_function(self) -> str:
        """The name of its global reductions' function, or None, as Python code."""
        return f"_partials_{self.base.suffix}" if self.partial_lines else "None"

    @property
    def scratch_names(self) -> tuple[str, ...]:
        return tuple(f"_s{i}" for i in range(self.scratch))


@dataclass(frozen=True)
class NumpyModule:
    base: python_common.ModuleView
    variants: tuple[NumpyVariant, ...]


class NumpyBackend(python_common.PackageBackend):
    name = "numpy"
    dialect = dialect

    def module_view(self, spec: LoweredSpec, native: bool) -> NumpyModule:
        return module_view(spec, native)


BACKEND = NumpyBackend()


def module_view(lowered: LoweredSpec, native: bool) -> NumpyModule:
    base = python_common.module_view(lowered, native)
    steps = {v.suffix: v for v in base.variants}
    return NumpyModule(
        base, each_variant(lowered, lambda ir: variant_view(ir, steps[ir.variant.suffix]))
    )


def variant_view(ir: KernelIR, base: python_common.StepProgram) -> NumpyVariant:
    arrays = ["p", "g", *ir.state]
    scalars = set(base.element_scalars) | {a.symbol.name for a in ir.tensor} | {"t"}
    scalars |= {r.name for r in ir.reductions if r.scope is Scope.TENSOR}
    tensor_lines, scratch = tensor_stage(ir, arrays, scalars, dialect)
    program = lower_element_program(ir.temporaries, ir.outputs, arrays, {"p", *ir.state}, scalars)
    partial_lines, results, partial_scratch = global_partials(ir, arrays, dialect)
    return NumpyVariant(
        base=base,
        tensor_lines=tuple(tensor_lines),
        element_lines=tuple(dialect.lines(program)),
        partial_lines=tuple(partial_lines),
        partial_results=tuple(results),
        scratch=max(scratch, program.scratch, partial_scratch),
        passes=program.passes,
        elementwise=not tensor_lines and not partial_lines,
    )
