"""What the Python backends (host, NumPy, torch) share, built once per lowered spec: the
host step program of each variant, the docstring, the argument checks and initial state.
Not a backend: backends import it, it imports none of them."""

from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp

from ..common import (
    CLIP_SCALE,
    CLIP_VALUE,
    CLIPNORM,
    CLIPVALUE,
    COMMON_DEFAULTS,
    COMMON_DOCS,
    GRAD_NORM,
)
from ..errors import GenerationError
from ..ir import KernelIR, LoweredSpec, free_names, is_hoisted
from ..model import Kind, Scope, Spec
from ..printers.arrays import fuse_clips, lower_element_program
from ..printers.matrix import function_lines
from ..printers.python import print_scalar, print_step
from ..render import Output, runtime_output
from ..staging import staged as staged_program
from ..symbols import G, plain
from .base import AllSpecs, each_variant, fused_passes
from .c_names import kernel_stem


@dataclass(frozen=True)
class HyperView:
    name: str
    default: str
    domain: str
    check: str


@dataclass(frozen=True)
class DerivedFlagView:
    name: str
    hyperparameter: str
    text: str  # the comparison as written
    check: str  # the comparison as a Python expression of the hyperparameter


@dataclass(frozen=True)
class StepProgram:
    """One variant's host side: the per-step scalars and the names the element code takes."""

    suffix: str
    step_function: str  # the name of its step function; shared by variants whose step is the same
    defines_step: bool
    flags_text: str
    flag_values: tuple[str, ...]
    state: tuple[str, ...]
    step_lines: tuple[str, ...]
    element_scalars: tuple[str, ...]  # what the step function returns, in order
    scalar_comments: tuple[str, ...]  # "name = formula" of each hoisted element scalar
    scalar_state_dict: str
    global_ops: tuple[str, ...]
    global_names: tuple[str, ...]
    native: str | None  # the C name stem of its fused kernels (generated/cuda), or None
    # a rule of row or column means: the C name stem of its CPU kernel in passes, or None
    staged: str | None = None
    # the host function that computes the per-step values its global reductions over the
    # update's values read (KernelIR.global_prelude), their names in the order it returns
    # them, and its lines; none without such reductions
    prelude_function: str | None = None
    prelude_names: tuple[str, ...] = ()
    prelude_lines: tuple[str, ...] = ()


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
    flag_names: tuple[str, ...]  # the constructor's flags, in signature order
    derived_flags: tuple[DerivedFlagView, ...]
    rank_flags: tuple[DerivedFlagView, ...]  # their hyperparameter: "rank"
    variant_flags: tuple[str, ...]  # flags and derived flags, sorted: the kernels' key
    variant_flag_defaults: str  # a dict literal: their values for the default arguments
    common: tuple[str, ...]
    signature: tuple[str, ...]
    variants: tuple[StepProgram, ...]
    native_module: str | None  # generated/cuda/<native_module>.* exist
    fused_passes: str  # how its fused kernels go over memory (docstrings)
    state_init: str
    scalar_state_init: str
    state_shapes: str  # a dict literal: the state not shaped like its parameter, by name
    matrix_functions: tuple = ()  # the spec's (model.MatrixFunction), printed per library

    def matrix_imports(self, library: str) -> str:
        """The runtime's names that the matrix functions call (", name" each), for the
        module's import line: torch's matrix_product_plus where a sum takes it."""
        used = "matrix_product_plus(" in self.matrix_source(library)
        return ", matrix_product_plus" if used else ""

    def matrix_source(self, library: str) -> str:
        """The spec's matrix functions as Python functions of ``library``'s arrays (numpy,
        torch, jax, keras), each after two blank lines; empty without any."""
        return "".join(
            "\n\n\n" + "\n".join(function_lines(fn, library)) for fn in self.matrix_functions
        )


class PackageBackend(AllSpecs):
    """What the NumPy and torch backends share: a package of optimizer modules, one per spec
    (``module_view(spec, native)``), with its runtime, clip formulas and registry."""

    name: str
    dialect: object  # generator.printers.numpy or .torch

    def module_view(self, spec: LoweredSpec, native: bool):
        raise NotImplementedError

    def outputs(self, build) -> list[Output]:
        modules = build.each_spec(
            self.name, lambda spec: self.module_view(spec, build.supports("cuda", spec))
        )
        return package_outputs(self.name, modules, self.dialect)


def package_outputs(backend: str, modules, dialect) -> list[Output]:
    """An optimizer package's files (NumPy, torch): a module per spec (``m.base`` is its
    ModuleView), the runtime copied from generator/runtime/<backend>/, Keras 2.3's common
    formulas printed by the backend's ``dialect``, and the registry."""
    out = [
        Output(
            f"{backend}/{m.base.module}.py",
            f"{backend}/optimizer.py.j2",
            {"m": m},
            m.base.spec_path,
        )
        for m in modules
    ]
    out.append(runtime_output(f"{backend}/_runtime.py"))
    keras = keras_common_view(dialect)
    out.append(Output(f"{backend}/_keras.py", "package/keras_common.py.j2", keras))
    registry = {"modules": [m.base for m in modules], "backend": backend}
    out.append(Output(f"{backend}/__init__.py", "package/registry.py.j2", registry))
    return out


def keras_common_view(dialect) -> dict:
    """clipnorm's scale (a Python float) and clipvalue (array lines of ``dialect``: its
    ``IMPORTS`` and ``tensor_lines``), printed from generator/common.py."""
    out = "out"
    program = lower_element_program(
        (), ((out, CLIP_VALUE),), [G.name, out], {out}, {CLIPVALUE.name}
    )
    program.instrs = fuse_clips(program.instrs)  # one np.clip / torch.clamp, as Keras does it
    lines = dialect.tensor_lines(program)
    if any("_s" in line for line in lines):  # pragma: no cover - fuse_clips makes one call
        raise GenerationError(f"clipvalue needs scratch arrays in the {dialect.__name__} printer")
    return {
        "imports": dialect.IMPORTS,
        "clip_scale": print_scalar(CLIP_SCALE),
        "clipnorm": CLIPNORM.name,
        "grad_norm": GRAD_NORM.name,
        "clip_value_lines": lines,
        "g": G.name,
        "clipvalue": CLIPVALUE.name,
        "out": out,
    }


def module_view(lowered: LoweredSpec, native: bool) -> ModuleView:
    """``native``: the spec has fused C/CUDA kernels."""
    spec = lowered.spec
    paragraphs = spec.description.split("\n\n")
    reals = tuple(HyperView(h.name, repr(h.default), h.domain_words, _check(h)) for h in spec.reals)
    signature = [f"{h.name}={h.default!r}" for h in spec.hyperparameters]
    signature += ["*"] + [f"{c}={COMMON_DEFAULTS[c]!r}" for c in spec.common] + ["fused=False"]
    hyper = {s.name: plain(f"hyper[{s.name!r}]") for s in spec.reals}
    return ModuleView(
        name=spec.name,
        module=spec.module,
        keras_name=spec.keras_name,
        spec_path=spec.path,
        summary=" ".join(paragraphs[0].split()),
        details="\n\n".join(" ".join(p.split()) for p in paragraphs[1:]),
        docstring_lines=tuple(_docstring(spec)),
        reals=reals,
        flag_names=tuple(f.name for f in spec.flags),
        derived_flags=tuple(
            DerivedFlagView(d.name, d.hyperparameter, d.text, _python_condition(d.condition))
            for d in spec.derived_flags
        ),
        rank_flags=tuple(
            DerivedFlagView(f.name, "rank", f.text, _python_condition(f.condition))
            for f in spec.rank_flags
        ),
        variant_flags=spec.variant_flags,
        # the arguments' flags (a checkpoint's): the rank flags are each tensor's own
        variant_flag_defaults=repr(
            {k: v for k, v in spec.variant().flag_dict.items() if k not in _rank_names(spec)}
        ),
        common=spec.common,
        signature=tuple(signature),
        variants=_share_step_functions(each_variant(lowered, lambda ir: step_program(ir, native))),
        native_module=spec.module if native else None,
        fused_passes=fused_passes(lowered),
        state_init=_init_dict(spec.state, hyper),
        scalar_state_init=_init_dict(spec.scalar_state, hyper),
        state_shapes=repr({s.name: s.shape for s in spec.state if s.shape != "element"}),
        matrix_functions=spec.matrix_functions,
    )


def _init_dict(items, hyper) -> str:
    def value(init):
        return print_scalar(
            init.xreplace({s: hyper[s.name] for s in init.free_symbols if s.name in hyper})
        )

    return "{" + ", ".join(f"{s.name!r}: {value(s.init)}" for s in items) + "}"


def _check(h) -> str:
    check = "True" if h.domain is None else _python_condition(h.domain)
    return f"({check}) and float({h.name}).is_integer()" if h.whole else check


def _rank_names(spec: Spec) -> set[str]:
    return {f.name for f in spec.rank_flags}


def _python_condition(relation) -> str:
    """A domain or a derived flag's comparisons, joined by 'and', in Python."""
    parts = relation.args if isinstance(relation, sp.And) else (relation,)
    return " and ".join(print_scalar(p) for p in parts)


def _docstring(spec: Spec) -> list[str]:
    lines = []
    for p in spec.description.split("\n\n")[1:]:
        lines += [" ".join(p.split()), ""]
    lines.append("Args:")
    for h in spec.hyperparameters:
        kind = "bool" if h.kind is Kind.BOOL else "float"
        domain = f", {h.domain_words}" if h.domain_words else ""
        lines.append(f"    {h.name}: {kind}{domain}. {h.doc} Defaults to {h.default!r}.")
    for c in spec.common:
        lines.append(f"    {c}: {COMMON_DOCS[c]}")
    if spec.references:
        lines += ["", "References:"]
        lines += [f"    - {r.title}: {r.url}" for r in spec.references]
    lines += ["", f"Generated from {spec.path}; the update rule is documented there."]
    return lines  # raw text: the template escapes it (the pydoc filter)


def element_scalars(ir: KernelIR) -> tuple[str, ...]:
    """The per-step values the tensor and element code take: the IR's, and the scalars the
    per-tensor reductions read, in the order of the scalars array."""
    arrays = {"p", "g", *ir.state}
    names = set(ir.element_scalars)
    for r in ir.reductions:
        if r.scope is Scope.TENSOR:
            names |= {s.name for s in r.expr.free_symbols} - arrays
    return ir.in_scalar_order(names)


def scalar_comments(ir: KernelIR, names) -> tuple[str, ...]:
    """``name = formula`` (Python) for each of ``names`` that the step program hoisted."""
    formulas = {a.symbol.name: a.expr for a in ir.step if is_hoisted(a.symbol.name)}
    return tuple(f"{n} = {formulas[n]}" for n in names if n in formulas)


def step_program(ir: KernelIR, native: bool) -> StepProgram:
    spec = ir.spec
    scalars = element_scalars(ir)
    # The step program: bind its inputs, then the assignments in order.
    step_lines = [f"{n} = {source(spec, n)}" for n in ir.host_inputs(scalars)]
    step_lines += [f"{a.symbol.name} = {print_step(a.expr)}" for a in ir.step]
    global_reductions = [r for r in ir.reductions if r.scope is Scope.GLOBAL]
    prelude = _prelude(ir)
    return StepProgram(
        suffix=ir.variant.suffix,
        step_function=f"step_{ir.variant.suffix}",
        defines_step=True,
        flags_text=", ".join(f"{n}={v}" for n, v in ir.variant.flags) or "the defaults",
        flag_values=tuple(str(v) for _, v in ir.variant.flags),
        state=ir.state,
        step_lines=tuple(step_lines),
        element_scalars=scalars,
        scalar_comments=scalar_comments(ir, scalars),
        scalar_state_dict="{" + ", ".join(f"{n!r}: {n}" for n in ir.scalar_state) + "}",
        global_ops=tuple(str(r.op) for r in global_reductions),
        global_names=tuple(r.name for r in global_reductions),
        native=(
            kernel_stem(spec.module, ir.kernel_suffix)
            if native and not ir.variant.whole_array
            else None
        ),
        staged=(
            kernel_stem(spec.module, ir.variant.suffix)
            if native and ir.variant.whole_array and staged_program(ir) is not None
            else None
        ),
        **prelude,
    )


def _prelude(ir: KernelIR) -> dict:
    """The prelude's fields of a StepProgram (``prelude_function``, ...): the step's
    assignments that global reductions over the update's values read, in a host function
    of (hyper, t), ``hyper`` holding the scalar state before the step too."""
    if not ir.global_prelude:
        return {}
    assigned = {a.symbol.name for a in ir.global_prelude}
    scalar_state = set(ir.scalar_state)
    reads = free_names([a.expr for a in ir.global_prelude]) - {"t"}
    inputs = sorted(n for n in reads if n not in assigned or n in scalar_state)
    lines = [f"{n} = hyper[{n!r}]" for n in inputs]
    lines += [f"{a.symbol.name} = {print_step(a.expr)}" for a in ir.global_prelude]
    return {
        "prelude_function": f"reduction_scalars_{ir.variant.suffix}",
        "prelude_names": ir.prelude_names,
        "prelude_lines": tuple(lines),
    }


def _share_step_functions(views) -> tuple[StepProgram, ...]:
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


def source(spec: Spec, name: str) -> str:
    """Where the step function reads an input from: hyperparameters, scalar state, reductions."""
    if name in {s.name for s in spec.scalar_state}:
        return f"scalar_state[{name!r}]"
    if name in {r.name for r in spec.reductions}:
        return f"reductions[{name!r}]"
    return f"hyper[{name!r}]"
