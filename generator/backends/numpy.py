"""NumPy backend: ``generated/numpy/<module>.py`` per spec, a shared runtime and a registry."""

from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp

from ..ir import KernelIR, build_ir
from ..model import Spec
from ..printers import numpy as dialect
from ..printers.arrays import lower_element_program
from ..printers.python import print_scalar
from ..render import Output
from . import cuda
from .reductions import global_partials, tensor_stage


@dataclass(frozen=True)
class HyperView:
    name: str
    default: str
    domain: str
    check: str


@dataclass(frozen=True)
class VariantView:
    suffix: str
    step_function: str  # the name of its step function; shared by variants whose step is the same
    defines_step: bool
    flags_text: str
    flag_values: tuple[str, ...]
    state: tuple[str, ...]
    step_lines: tuple[str, ...]
    element_scalars: tuple[str, ...]
    scalar_state_dict: str
    tensor_lines: tuple[str, ...]
    element_lines: tuple[str, ...]
    partial_lines: tuple[str, ...]
    partial_results: tuple[str, ...]
    global_ops: tuple[str, ...]
    global_names: tuple[str, ...]
    scratch: int
    passes: int
    native: str | None  # the C name stem of its fused kernels (generated/cuda), or None

    @property
    def scratch_names(self) -> tuple[str, ...]:
        return tuple(f"_s{i}" for i in range(self.scratch))


@dataclass(frozen=True)
class ModuleView:
    name: str
    module: str
    keras_name: str
    spec_path: str
    summary: str
    details: str
    docstring_lines: tuple[str, ...]
    reals: tuple[HyperView, ...]
    flag_names: tuple[str, ...]
    common: tuple[str, ...]
    signature: tuple[str, ...]
    variants: tuple[VariantView, ...]
    native_module: str | None  # generated/cuda/<native_module>.* exist
    state_init: str
    scalar_state_init: str


def outputs(specs: list[Spec]) -> list[Output]:
    modules = [module_view(spec) for spec in specs]
    out = [
        Output(f"numpy/{m.module}.py", "numpy/optimizer.py.j2", {"m": m}, m.spec_path)
        for m in modules
    ]
    out.append(Output("numpy/_runtime.py", "numpy/_runtime.py.j2", {}, "specs/*.yaml"))
    out.append(Output("numpy/__init__.py", "numpy/__init__.py.j2", {"modules": modules, "backend": "numpy"}, "specs/*.yaml"))
    return out


def module_view(spec: Spec) -> ModuleView:
    from ..common import COMMON_DEFAULTS

    paragraphs = spec.description.split("\n\n")
    summary = " ".join(paragraphs[0].split())
    details = "\n\n".join(" ".join(p.split()) for p in paragraphs[1:])
    reals = tuple(
        HyperView(h.name, repr(h.default), h.domain_text or "", _check(h)) for h in spec.reals
    )
    signature = [f"{h.name}={h.default!r}" for h in spec.hyperparameters]
    signature += ["*"] + [f"{c}={COMMON_DEFAULTS[c]!r}" for c in spec.common] + ["fused=False"]
    h = {s.name: sp.Symbol(f"h[{s.name!r}]") for s in spec.reals}
    state_init = "{" + ", ".join(
        f"{s.name!r}: {print_scalar(s.init.xreplace(_rebind(s.init, h)))}" for s in spec.state
    ) + "}"
    scalar_init = "{" + ", ".join(
        f"{s.name!r}: {print_scalar(s.init.xreplace(_rebind(s.init, h)))}" for s in spec.scalar_state
    ) + "}"
    return ModuleView(
        name=spec.name,
        module=spec.module,
        keras_name=spec.keras_name,
        spec_path=spec.path,
        summary=summary,
        details=details,
        docstring_lines=tuple(_docstring(spec)),
        reals=reals,
        flag_names=tuple(f.name for f in spec.flags),
        common=spec.common,
        signature=tuple(signature),
        variants=_share_step_functions([variant_view(build_ir(v)) for v in spec.variants()]),
        native_module=spec.module if cuda.supported(spec) else None,
        state_init=state_init,
        scalar_state_init=scalar_init,
    )


def _rebind(expr, names):
    return {s: names[s.name] for s in expr.free_symbols if s.name in names}


def _check(h) -> str:
    if h.domain is None:
        return "True"
    parts = h.domain.args if isinstance(h.domain, sp.And) else (h.domain,)
    return " and ".join(print_scalar(p) for p in parts)


def _docstring(spec: Spec) -> list[str]:
    from ..common import COMMON_DOCS

    lines = []
    paragraphs = spec.description.split("\n\n")[1:]
    for p in paragraphs:
        lines += [" ".join(p.split()), ""]
    lines.append("Args:")
    for h in spec.hyperparameters:
        kind = "bool" if h.kind == "bool" else "float"
        domain = f", {h.domain_text}" if h.domain_text else ""
        lines.append(f"    {h.name}: {kind}{domain}. {h.doc} Defaults to {h.default!r}.")
    for c in spec.common:
        lines.append(f"    {c}: {COMMON_DOCS[c]}")
    if spec.references:
        lines += ["", "References:"]
        lines += [f"    - {r.title}: {r.url}" for r in spec.references]
    lines += ["", f"Generated from {spec.path}; the update rule is documented there."]
    return lines  # raw text: the template escapes it (the pydoc filter)


def variant_view(ir: KernelIR) -> VariantView:
    spec = ir.spec
    arrays = ["p", "g", *ir.state]
    tensor_reductions = [r for r in ir.reductions if r.scope == "tensor"]
    global_reductions = [r for r in ir.reductions if r.scope == "global"]

    reduction_scalars = set()
    for r in tensor_reductions:
        reduction_scalars |= {s.name for s in r.expr.free_symbols} - set(arrays)
    element_scalars = tuple(sorted(set(ir.element_scalars) | reduction_scalars))

    # The step program: bind its inputs, then the assignments in order.
    step_lines = [f"{n} = {_source(spec, n)}" for n in ir.host_inputs(element_scalars)]
    step_lines += [f"{a.symbol.name} = {print_scalar(a.expr)}" for a in ir.step]
    scalar_state_dict = "{" + ", ".join(f"{n!r}: {n}" for n in ir.scalar_state) + "}"

    scalars = set(element_scalars) | {a.symbol.name for a in ir.tensor} | {"t"}
    scalars |= {r.name for r in tensor_reductions}
    tensor_lines, scratch = tensor_stage(ir, arrays, scalars, dialect)
    program = lower_element_program(ir.temporaries, ir.outputs, arrays, {"p", *ir.state}, scalars)
    partial_lines, results, partial_scratch = global_partials(ir, arrays, dialect)
    scratch = max(scratch, program.scratch, partial_scratch)

    return VariantView(
        suffix=ir.variant.suffix,
        step_function=f"step_{ir.variant.suffix}",
        defines_step=True,
        flags_text=", ".join(f"{n}={v}" for n, v in ir.variant.flags) or "the defaults",
        flag_values=tuple(str(v) for _, v in ir.variant.flags),
        state=ir.state,
        step_lines=tuple(step_lines),
        element_scalars=element_scalars,
        scalar_state_dict=scalar_state_dict,
        tensor_lines=tuple(tensor_lines),
        element_lines=tuple(dialect.lines(program)),
        partial_lines=tuple(partial_lines),
        partial_results=tuple(results),
        global_ops=tuple(r.op for r in global_reductions),
        global_names=tuple(r.name for r in global_reductions),
        scratch=scratch,
        passes=program.passes,
        native=f"ocg_{spec.module}_{ir.variant.suffix}" if cuda.supported(spec) else None,
    )


def _share_step_functions(views: list[VariantView]) -> tuple[VariantView, ...]:
    """Variants whose step programs print the same (Adam with and without AMSGrad) share one."""
    first: dict[tuple, str] = {}
    out = []
    for v in views:
        key = (v.step_lines, v.element_scalars, v.scalar_state_dict)
        if key in first:
            v = replace(v, step_function=first[key], defines_step=False)
        else:
            first[key] = v.step_function
        out.append(v)
    return tuple(out)


def _source(spec: Spec, name: str) -> str:
    """Where the step function reads an input from: hyperparameters, scalar state, reductions."""
    if name in {s.name for s in spec.scalar_state}:
        return f"s[{name!r}]"
    if name in {r.name for r in spec.reductions}:
        return f"r[{name!r}]"
    return f"h[{name!r}]"
