"""What a backend is, and what the build driver hands it.

A backend is one module under ``generator/backends/`` with one object ``BACKEND`` that has:

- ``name``: the folder it writes under ``generated/`` (``numpy``, ``cuda``, ...);
- ``supports(spec)``: whether it prints this lowered spec (the C/CUDA kernels skip specs with
  reductions); the driver asks every backend first and passes the answers to all of them;
- ``outputs(build)``: the files it writes, as ``Output`` s (a template and its view model).

It renders from the lowered specs (``generator.ir``) with the printers, the spec model,
``generator.common`` and the shared helpers in this folder; it never lowers a spec itself and
never imports another backend. See README.md in this folder.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol, TypeVar

import sympy as sp

from ..errors import GenerationError, context
from ..ir import KernelIR, LoweredSpec
from ..paths import GENERATED, ROOT
from ..render import Output
from ..staging import staged as staged_program

T = TypeVar("T")


@dataclass(frozen=True)
class Target:
    """Where a build goes: the output package's folder and import name, and the spec files."""

    out: Path = GENERATED
    package: str = "generated"
    files: dict[str, Path] = field(default_factory=dict)  # module -> its spec file
    shown: str = "generated/"  # how messages name the package's folder ("" for a check)

    def spec_file(self, spec) -> Path:
        """A spec's file (for a spec parsed from text: where its path says it would be)."""
        return self.files.get(spec.module, ROOT / spec.path)


@dataclass(frozen=True)
class Build:
    """Every lowered spec of one build, which backends print which of them, and where to."""

    specs: tuple[LoweredSpec, ...]
    support: dict[str, frozenset[str]]  # backend name -> the modules it prints
    target: Target = Target()

    def supports(self, backend: str, spec: LoweredSpec) -> bool:
        return spec.module in self.support[backend]  # a misspelled backend is a KeyError

    def each_spec(self, backend: str, view: Callable[[LoweredSpec], T]) -> list[T]:
        """``view`` of every spec that ``backend`` prints, with the spec named in any error."""
        out = []
        for spec in self.specs:
            if self.supports(backend, spec):
                with context(spec.spec.path):
                    out.append(view(spec))
        return out


def each_variant(spec: LoweredSpec, view: Callable[[KernelIR], T]) -> tuple[T, ...]:
    """``view`` of every lowered variant, with the variant named in any error."""
    out = []
    for ir in spec.variants:
        with context(f"variant {ir.variant.suffix}"):
            out.append(view(ir))
    return tuple(out)


class Backend(Protocol):
    name: str

    def supports(self, spec: LoweredSpec) -> bool: ...

    def outputs(self, build: Build) -> list[Output]: ...


class AllSpecs:
    """A mixin for backends that print every spec."""

    def supports(self, spec: LoweredSpec) -> bool:
        return True


def weight_decay_lines(ir, scale: str) -> tuple[str, ...]:
    """Keras 3's weight decay as a pass of its own over p, before the element program of a
    backend of whole-array passes (``KernelIR.array_program``), skipped when the factor is 1
    (weight_decay None or 0): ``scale`` is the statement, with ``{factor}`` for its name."""
    if not ir.weight_decay_separable:
        return ()
    factor = ir.weight_decay_factor
    return (
        f"if {factor} != 1.0:  # weight_decay: p *= 1 - lr*weight_decay",
        "    " + scale.format(factor=factor),
    )


MAX_CONDITIONS = 3  # per-step conditions an element program may read: 2**3 printed programs


def condition_cases(temporaries, outputs):
    """The element program once per combination of the per-step conditions it reads (each
    ``_cK != 0``, a hoisted 1 or 0), for backends of whole-array passes, which take one branch
    for all elements instead of a select per element: [(conditions taken, temporaries,
    outputs)], one case with () when there is no condition."""
    exprs = [a.expr for a in temporaries] + [e for _, e in outputs]
    # a mask (a symbol) selects per element
    conditions = per_step_conditions(exprs, lambda c: not c.is_Symbol, "element program")
    return [
        (
            taken,
            tuple(type(a)(a.symbol, a.expr.xreplace(values)) for a in temporaries),
            tuple((name, e.xreplace(values)) for name, e in outputs),
        )
        for taken, values in each_case(conditions)
    ]


def per_step_conditions(exprs, per_step, what: str) -> list:
    """The conditions of ``exprs``' selects that ``per_step`` holds for, sorted; at most
    MAX_CONDITIONS of them (2**3 printed programs)."""
    conditions = sorted(
        {
            c
            for e in exprs
            for piece in e.atoms(sp.Piecewise)
            for _, c in piece.args
            if c is not sp.true and per_step(c)
        },
        key=str,
    )
    if len(conditions) > MAX_CONDITIONS:
        raise GenerationError(f"more than {MAX_CONDITIONS} per-step conditions in one {what}")
    return conditions


def each_case(conditions):
    """Each combination of ``conditions`` holding or not, True first: (((condition, holds),
    ...), {condition: sp.true or sp.false})."""
    for values in itertools.product((True, False), repeat=len(conditions)):
        yield (
            tuple(zip(conditions, values)),
            dict(zip(conditions, (sp.true if v else sp.false for v in values))),
        )


def branch_lines(cases, lines_of, printed, depth: int = 0) -> list[str]:
    """Python lines that run each case's lines (``lines_of(case)``) where its conditions hold
    (``condition_cases``' order): nested if/else, ``printed(condition)`` printing one."""
    if len(cases) == 1:
        return list(lines_of(cases[0]))
    condition = cases[0][0][depth][0]
    taken = [case for case in cases if case[0][depth][1]]
    other = [case for case in cases if not case[0][depth][1]]
    indent = lambda lines: ["    " + line for line in lines]  # noqa: E731
    return [
        f"if {printed(condition)}:",
        *indent(branch_lines(taken, lines_of, printed, depth + 1)),
        "else:",
        *indent(branch_lines(other, lines_of, printed, depth + 1)),
    ]


@dataclass(frozen=True)
class MaskPrograms:
    """The IR's masks as whole-array programs, one per branch of the per-step conditions they
    read (a mask may read a per-step select, through a temporary of the update)."""

    lines: tuple[str, ...]  # the programs under their Python if/else
    scratch: int  # number scratch arrays (_s0, ...) they use
    bool_scratch: int  # true/false scratch arrays (_b0, ...) beyond the masks
    passes: int  # the longest program's
    shaped: tuple = ()  # scratch of smaller shapes (ArrayProgram.shaped_scratch), every case's


def array_shapes(ir) -> dict:
    """The axes of each state array not shaped like the parameter (state of rows or
    columns), for the array programs (printers/arrays.py); empty for most rules."""
    from ..model.types import STATE_SHAPES

    return {s.name: STATE_SHAPES[s.shape] for s in ir.variant.state if s.shape != "element"}


def mask_programs(ir, arrays, scalars, lines_of) -> MaskPrograms:
    """``lines_of(program)``: a dialect's lines of an ArrayProgram."""
    from ..printers.arrays import lower_masks

    if not ir.masks:
        return MaskPrograms((), 0, 0, 0)
    cases = condition_cases(ir.array_masks(), ())
    shapes = array_shapes(ir)
    programs = {case: lower_masks(temps, arrays, scalars, shapes) for case, temps, _ in cases}
    lines = branch_lines(cases, lambda case: lines_of(programs[case[0]]), printed_condition)
    return MaskPrograms(
        tuple(lines),
        max(p.scratch for p in programs.values()),
        max(p.bool_scratch for p in programs.values()),
        max(p.passes for p in programs.values()),
        shaped_union(p.shaped_scratch for p in programs.values()),
    )


def shaped_union(groups) -> tuple:
    """The scratch of smaller shapes that several programs use (each names its own from 0)."""
    return tuple(sorted(set().union(*groups)))


def printed_condition(condition) -> str:
    """A per-step condition as the step program gives it (a Python number): ``_cK != 0``."""
    return f"{condition.lhs.name} != 0"


def fused_passes(lowered: LoweredSpec) -> str:
    """How the fused kernels of a spec go over memory, for its docs."""
    spec = lowered.spec
    scopes = {r.scope.value for r in spec.reductions}
    passes = (
        "two passes over memory (the first for the per-tensor reductions)"
        if "tensor" in scopes
        else "one pass over memory"
    )
    if "global" in scopes:
        passes += (
            ", after the global reductions' array operations (on CUDA their values come back "
            "to the host)"
        )
    whole = [ir for ir in lowered.variants if ir.variant.whole_array]
    staged = [staged_program(ir) for ir in whole]
    if any(s is not None for s in staged):
        counts = sorted({len(s.passes) for s in staged if s is not None})
        passes += (
            "; the rule of row or column means (a matrix's) in "
            + " or ".join(map(str, counts))
            + " passes over memory, one tensor a call (a launch per pass on CUDA), the "
            "values of one per row or column computed between them"
        )
    if any(s is None for s in staged):
        passes += "; a rule of matrix functions runs as array code (torch's matrix products)"
    return passes
