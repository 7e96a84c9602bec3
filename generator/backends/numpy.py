"""NumPy backend: ``generated/numpy/<module>.py`` per spec and a registry; the shared runtime
``generated/numpy/_runtime.py`` is copied from ``generator/runtime/numpy/_runtime.py``."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from ..ir import KernelIR, LoweredSpec
from ..model import Scope
from ..printers import numpy as dialect
from ..printers.arrays import lower_element_program
from . import python_common
from .base import (
    array_shapes,
    branch_lines,
    condition_cases,
    each_variant,
    mask_programs,
    printed_condition,
    shaped_union,
    weight_decay_lines,
)
from .reductions import global_partials, selects, tensor_stage


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
    mask_names: tuple[str, ...] = ()  # true/false arrays: the IR's masks, then scratch ones

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
    attribute_lines: tuple[str, ...]  # the class docstring's paragraphs on its attributes


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
        base,
        each_variant(lowered, lambda ir: variant_view(ir, steps[ir.variant.suffix])),
        attribute_lines(base),
    )


def attribute_lines(base: python_common.ModuleView) -> tuple[str, ...]:
    """What the runtime (generator/runtime/numpy/_runtime.py) does with attributes, a
    schedule and the list of parameters, for this spec's class docstring."""
    reals = [h.name for h in base.reals]
    common = [c for c in base.common if c not in ("clipnorm", "clipvalue")]
    settable = ", ".join(f"``{n}``" for n in [*reals, "clipnorm", "clipvalue", *common])
    paragraphs = [
        f"Assigning a hyperparameter ({settable}) after construction is checked against its domain "
        "and read by the next step; ``get_config()`` reports it. Flags are fixed at "
        "construction, and other attributes cannot be set."
    ]
    if "learning_rate" in reals:
        decay = ", ``decay`` applies on top of it as in Keras 2.3" if "decay" in common else ""
        paragraphs.append(
            "``learning_rate`` may also be a callable ``schedule(iterations)`` returning a float, "
            "where ``iterations`` counts the completed steps (0 on the first step, as Keras calls "
            f"its schedules); each step checks its value before anything changes{decay}, and "
            "``get_config()`` refuses a callable."
        )
    paragraphs.append(
        "State follows each parameter's position in the list given to the first "
        "``apply_gradients`` (or ``import_state``): later calls pass as many parameters, with the "
        "same shapes and dtypes, in the same order (new array objects are fine); another list "
        "raises, naming the position, before anything changes."
    )
    lines: list[str] = []
    for paragraph in paragraphs:
        lines += ["", *textwrap.wrap(paragraph, 92)]
    return tuple(lines)


def _selecting(lines, selecting: bool) -> tuple[str, ...]:
    """A program with per-element selects computes both branches for every element, and the
    branch not taken may divide by zero or take the root of a negative number (the select
    drops its value): NumPy's warnings about them would be false alarms."""
    if not selecting or not lines:
        return tuple(lines)
    head = 'with np.errstate(divide="ignore", invalid="ignore", over="ignore"):'
    return (head, *("    " + line for line in lines))


def variant_view(ir: KernelIR, base: python_common.StepProgram) -> NumpyVariant:
    arrays = ["p", "g", *ir.state]
    scalars = set(base.element_scalars) | {a.symbol.name for a in ir.tensor} | {"t"}
    scalars |= {r.name for r in ir.reductions if r.scope is Scope.TENSOR}
    tensor = tensor_stage(ir, arrays, scalars, dialect)
    temporaries, outputs = ir.array_program()
    cases = condition_cases(temporaries, outputs)
    masks = [a.symbol.name for a in ir.masks]
    shapes = array_shapes(ir)  # a state of rows or columns
    programs = {
        case: lower_element_program(temps, outs, arrays, {"p", *ir.state}, scalars, masks, shapes)
        for case, temps, outs in cases
    }
    element_lines = branch_lines(
        cases, lambda case: dialect.lines(programs[case[0]]), printed_condition
    )
    masks_code = mask_programs(ir, arrays, scalars, dialect.lines)
    decay = weight_decay_lines(ir, "np.multiply(p, {factor}, out=p)")
    partials, results = global_partials(ir, arrays, dialect)
    bools = max(masks_code.bool_scratch, tensor.bools, partials.bools)
    # scratch of a row's or a column's shape (a rule of row or column means), made here
    shaped = shaped_union([tensor.shaped, masks_code.shaped])
    shaped = shaped_union([shaped, *(p.shaped_scratch for p in programs.values())])
    allocate = tuple(dialect.allocate(*entry) for entry in shaped)
    return NumpyVariant(
        base=base,
        tensor_lines=allocate + _selecting(tensor.lines, selects(ir)),
        element_lines=decay + _selecting([*masks_code.lines, *element_lines], bool(ir.masks)),
        partial_lines=_selecting(partials.lines, selects(ir)),
        partial_results=tuple(results),
        scratch=max(
            tensor.scratch,
            partials.scratch,
            masks_code.scratch,
            *(p.scratch for p in programs.values()),
        ),
        passes=max(p.passes for p in programs.values()) + masks_code.passes + bool(decay),
        # a tensor updated in slices (blocks of elements) has no rows or columns
        elementwise=not tensor.lines and not partials.lines and not ir.variant.whole_array,
        mask_names=tuple(masks) + tuple(f"_b{i}" for i in range(bools)),
    )
