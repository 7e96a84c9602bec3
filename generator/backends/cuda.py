"""C and CUDA backend: ``generated/cuda/``.

Per spec:

- ``<module>.cuh``: the element update of every flag combination as C99/CUDA inline functions
  (``float`` and ``double``), and the per-step program in ``double`` for the device; for a
  spec with per-tensor reductions (Lamb's norms) also each element's terms of them and the
  per-tensor program (``double``) that turns a tensor's reductions into its scalars;
- ``<module>.cu``: multi-tensor CUDA kernels (float, double, half, bfloat16 parameters) and
  ``extern "C"`` launchers; launches go through ``OCG_LAUNCH`` so the CPU shim runs them too;
- ``<module>.c``: the same update for the CPU in C99 with OpenMP (``fused=True`` on CPU);
  per-tensor reductions take two passes over each tensor, the threads' partial values
  combined in thread order (the same bits every run);
- ``<module>.h``: the documented C API of both.

Shared: ``ocg_config.h`` (the kernel layout and Keras 2.3's clip formulas, printed from
``generator/common.py``), and the hand-written C copied from ``generator/runtime/cuda/``:
``ocg.h`` (types, NaN-propagating helpers), ``ocg_cuda.h`` (CUDA or the shim), ``ocg_shim.h``
(the CPU shim), ``ocg_clip.cu`` (clipnorm's global norm); and ``example.cu``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

import sympy as sp

from ..common import CLIP_SCALE, CLIP_VALUE, CLIPNORM, CLIPVALUE, GRAD_NORM, STEP_ARGUMENTS
from ..ir import KernelIR, LoweredSpec, free_names, is_hoisted
from ..model import ReduceOp, Scope
from ..printers.c import print_c, print_c_select
from ..render import Output, runtime_output
from ..runtime import _state_codes as state_codes
from ..runtime._kernel_layout import CHUNK, MAX_BLOCKS, THREADS
from ..symbols import G
from .base import Build, each_variant
from . import staged_c, two_pass
from .c_names import kernel_stem

EXAMPLE_SPEC = "adam"
RUNTIME_FILES = ("cuda/ocg.h", "cuda/ocg_cuda.h", "cuda/ocg_shim.h", "cuda/ocg_clip.cu")


class DType(Enum):
    """A parameter type of the kernels: (suffix, parameter type, arithmetic and state type)."""

    F32 = ("f32", "float", "float")
    F64 = ("f64", "double", "double")
    F16 = ("f16", "__half", "float")
    BF16 = ("bf16", "__nv_bfloat16", "float")

    @property
    def suffix(self) -> str:
        return self.value[0]

    @property
    def param_type(self) -> str:
        return self.value[1]

    @property
    def math_type(self) -> str:
        return self.value[2]


CPU_DTYPES = (DType.F32, DType.F64)  # the C library's; the CUDA kernels take all four


@dataclass(frozen=True)
class ElementView:
    ctype: str  # float | double
    function: str  # ocg_<module>_<suffix>_element_<f32|f64>
    temporaries: tuple[tuple[str, str], ...]  # (name, C expression)
    masks: tuple[tuple[str, str], ...]  # (name, C condition): per-element, before the temporaries
    outputs: tuple[tuple[str, str], ...]  # (state name or "p", C expression)
    parameters: tuple[str, ...]  # lines: the values before the step, the scalars, the outputs
    arguments: str  # its parameters' names, as a wrapper passes them on


@dataclass(frozen=True)
class _Pass:
    """An element program as one pass of a kernel calls it: the arrays (in row order) and
    scalars its function takes, and the arrays it gives new values (row order)."""

    kind: str  # "element" (the update) or "commit" (states the first of two passes writes)
    program: two_pass.Program
    arrays: tuple[str, ...]
    scalars: tuple[str, ...]
    outputs: tuple[str, ...]

    @classmethod
    def of(cls, kind, program, arrays, scalars, tensor_scalars) -> "_Pass":
        """Only what ``program`` reads: the second of two passes reads no gradient (Lamb)."""
        reads, written = program.reads(), {name for name, _ in program.outputs}
        return cls(
            kind,
            program,
            tuple(a for a in arrays if a in reads),
            tuple(n for n in (*scalars, *tensor_scalars) if n in reads),
            tuple(a for a in arrays if a in written),
        )

    def views(self, stem: str) -> tuple["ElementView", ...]:
        out = []
        for dtype, ctype in ((DType.F32, "float"), (DType.F64, "double")):
            out.append(
                ElementView(
                    ctype=ctype,
                    function=f"{stem}_{self.kind}_{dtype.suffix}",
                    temporaries=tuple(
                        (a.symbol.name, print_c(a.expr, ctype)) for a in self.program.temporaries
                    ),
                    masks=tuple(
                        (a.symbol.name, print_c(a.expr, ctype)) for a in self.program.masks
                    ),
                    outputs=tuple((n, print_c(e, ctype)) for n, e in self.program.outputs),
                    parameters=_parameters(ctype, self.arrays, self.scalars, self.outputs),
                    arguments=", ".join(
                        [*self.arrays, *self.scalars, *(f"_new_{a}" for a in self.outputs)]
                    ),
                )
            )
        return tuple(out)


@dataclass(frozen=True)
class ReductionView:
    """A per-tensor reduction as the fused kernels accumulate it, in double."""

    name: str
    op: ReduceOp

    @property
    def start(self) -> str:
        """Its value over no elements."""
        return "-INFINITY" if self.op is ReduceOp.MAX else "0.0"

    @property
    def combine(self) -> str:
        """C: the running value ``{a}`` joined with a term ``{b}`` (a maximum keeps a NaN,
        as every backend's does)."""
        return "ocg_max({a}, {b})" if self.op is ReduceOp.MAX else "{a} + {b}"

    def chunk_combine(self, ctype: str) -> str:
        """C: ``combine`` in the element type, for the running value of a chunk of elements
        (a float kernel's sums keep the full vector width; a maximum does not round)."""
        if self.op is ReduceOp.MAX:
            return "ocg_maxf({a}, {b})" if ctype == "float" else "ocg_max({a}, {b})"
        return "{a} + {b}"

    @property
    def block(self) -> str:
        """ocg_cuda.h's combination over a CUDA block."""
        return "block_max" if self.op is ReduceOp.MAX else "block_sum"


@dataclass(frozen=True)
class TermsView:
    """The function that computes one element's term of each per-tensor reduction."""

    ctype: str
    function: str  # ocg_<module>_<suffix>_terms_<f32|f64>
    parameters: tuple[str, ...]  # lines: the values before the step, the scalars, the terms
    terms: tuple[tuple[str, str], ...]  # (reduction name, C expression)


@dataclass(frozen=True)
class TensorStageView:
    """The per-tensor program: a tensor's scalars from its reductions and the step's scalars
    (in double, the host backends' precision), for the fused kernels."""

    function: str  # ocg_<module>_<suffix>_tensor
    inputs: tuple[tuple[str, str], ...]  # (name, "scalars[3]" | "totals[1]")
    statements: tuple[str, ...]
    outputs: tuple[str, ...]  # the per-tensor scalars the element function takes, in order

    @property
    def size(self) -> int:
        """The length of the kernels' array of outputs: at least 1 (C has no empty arrays;
        a variant whose update reads none of its per-tensor values still has the pass)."""
        return max(1, len(self.outputs))


@dataclass(frozen=True)
class StepView:
    function: str
    inputs: tuple[tuple[str, str], ...]  # (name, "hyper[0]" | "scalar_state[1]")
    statements: tuple[str, ...]  # C statements in double, in order
    scalar_state_out: tuple[tuple[int, str], ...]  # (index into scalar_state, name)


@dataclass(frozen=True)
class ArrayRow:
    """One array of a row of the pointer table, as a kernel declares and uses it."""

    name: str
    index: int
    cuda_type: str  # "P" (the parameter type) or "S" (the state and arithmetic type)
    const: str  # "const " for the gradient, which is only read
    cuda_store: str  # what a CUDA kernel stores (its new value, converted for p)


@dataclass(frozen=True)
class CpuKernel:
    dtype: DType
    ctype: str
    element: str  # the element function it calls
    call: str  # the element call's arguments


@dataclass(frozen=True)
class StoredState:
    """A state array stored as int8 codes (with block scales) or bfloat16, in the CPU kernels
    of state_precision (ocg_state.h)."""

    name: str
    index: int  # its place among the state arrays: bfloat16's rounding key
    code_type: str  # int8_t (signed codes) or uint8_t (a state never negative)
    encode: str  # ocg_code_signed or ocg_code_unsigned
    decode: str  # its value before the step, from codes and the block's scale
    value: str  # ocg_signed_value or ocg_unsigned_value: a code's value, times the scale


@dataclass(frozen=True)
class VariantView:
    stem: str  # ocg_<module>_<suffix>: the prefix of every C name of this variant
    flags_text: str
    state: tuple[str, ...]
    scalars: tuple[str, ...]  # element scalars, in the order of the scalars array
    scalar_comments: tuple[str, ...]  # "name = formula" of the hoisted ones
    elements: tuple[ElementView, ...]
    step: StepView
    rows: tuple[ArrayRow, ...]  # p, g, then the state arrays
    new_values: str  # "_new_p, _new_m, ..."
    cuda_vector_call: str  # the element call's arguments in the 4-wide path
    cuda_scalar_call: str  # ... and in the scalar path
    cpu_kernels: tuple[CpuKernel, ...]
    stored: tuple[StoredState, ...] = ()  # the state arrays, for state_precision kernels
    int8_call: str = ""  # the f32 element call of the int8-state CPU kernel
    bf16_call: str = ""  # ... and of the bfloat16-state CPU kernel
    int8_plain_call: str = ""  # ... each with the gradient as it is (no clipvalue, no scale)
    bf16_plain_call: str = ""
    cuda_int8_call: str = ""  # ... of the int8-state CUDA kernel (new state: _new_<name>)
    cuda_bf16_call: str = ""  # ... and of the bfloat16-state CUDA kernel
    # per-tensor reductions (none: one pass; else a pass for the terms first)
    reductions: tuple[ReductionView, ...] = ()
    terms: tuple[TermsView, ...] = ()  # float, double
    tensor_stage: TensorStageView | None = None
    cuda_terms_call: str = ""  # the terms call's arguments in the CUDA reduction kernel
    cpu_terms_calls: tuple[str, ...] = ()  # ... and in the CPU kernels (float, double)
    # the states the first pass writes (two_pass.py): their functions (float, double), and
    # their calls' arguments in the CPU kernels (float, double) and the CUDA terms kernel
    commits: tuple[ElementView, ...] = ()
    commit_outputs: tuple[str, ...] = ()
    commit_arrays: tuple[str, ...] = ()  # ... and those their functions read
    cpu_commit_calls: tuple[str, ...] = ()
    cuda_commit_call: str = ""
    update_outputs: tuple[str, ...] = ()  # the arrays the update pass writes
    update_arrays: tuple[str, ...] = ()  # ... and those it reads
    # the scalars a kernel unpacks, (index in the scalars array, name): those its element
    # and terms functions take (the tensor stage reads the array itself, in double)
    unpacked: tuple[tuple[int, str], ...] = ()
    element_unpacked: tuple[tuple[int, str], ...] = ()  # ... those the element function takes
    term_unpacked: tuple[tuple[int, str], ...] = ()  # ... and those the terms function takes
    term_scalars: tuple[str, ...] = ()  # the terms function's
    term_arrays: tuple[str, ...] = ()  # ... and the arrays it reads

    @property
    def arrays(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.rows)

    @property
    def chunk_sum_list(self) -> str:
        """The running values of the reductions over a chunk of elements, as a C list."""
        return ", ".join(f"_chunk_{r.name}" for r in self.reductions)

    @property
    def term_list(self) -> str:
        """One element's terms of the reductions, as a C list."""
        return ", ".join(f"_term_{r.name}" for r in self.reductions)

    @property
    def sums_only(self) -> bool:
        """Every reduction is a sum: OpenMP's simd reduction vectorizes the terms' loop."""
        return all(r.op is ReduceOp.SUM for r in self.reductions)

    @property
    def outputs(self) -> tuple[ArrayRow, ...]:
        """The rows the update pass writes."""
        return tuple(r for r in self.rows if r.name in self.update_outputs)

    @property
    def update_rows(self) -> tuple[ArrayRow, ...]:
        """The rows the update pass reads or writes (all, but for the second of two passes)."""
        used = {*self.update_arrays, *self.update_outputs}
        return tuple(r for r in self.rows if r.name in used)

    @property
    def update_reads_g(self) -> bool:
        return "g" in self.update_arrays

    @property
    def terms_rows(self) -> tuple[ArrayRow, ...]:
        """The rows the first of two passes reads or writes."""
        used = {*self.term_arrays, *self.commit_arrays, *self.commit_outputs}
        return tuple(r for r in self.rows if r.name in used)

    @property
    def terms_read_g(self) -> bool:
        return "g" in {*self.term_arrays, *self.commit_arrays}

    @property
    def committed(self) -> tuple[ArrayRow, ...]:
        """The rows the first of two passes writes."""
        return tuple(r for r in self.rows if r.name in self.commit_outputs)

    @property
    def commit_new_values(self) -> str:
        return ", ".join(f"_new_{r.name}" for r in self.committed)


@dataclass(frozen=True)
class ModuleView:
    name: str
    module: str
    spec_path: str
    guard: str
    api_guard: str
    hyper: tuple[str, ...]  # the order of the ``hyper`` array of the step functions
    scalar_state: tuple[str, ...]
    variants: tuple[VariantView, ...]
    cuda_dtypes: tuple[DType, ...]
    cpu_dtypes: tuple[DType, ...]
    # the CPU kernels of the rules of row or column means, in passes (staged_c.py)
    staged: tuple[staged_c.StagedView, ...] = ()

    @property
    def has_tensor_reductions(self) -> bool:
        return any(v.tensor_stage for v in self.variants)


class CudaBackend:
    name = "cuda"

    def supports(self, spec: LoweredSpec) -> bool:
        """Every spec: the kernels compute per-tensor reductions themselves, and read global
        ones (over every tensor of the step, computed by the runtimes' array code first) as
        per-step values, through the step program's inputs."""
        return True

    def outputs(self, build: Build) -> list[Output]:
        modules = build.each_spec(self.name, module_view)
        out = []
        for m in modules:
            for ext in ("cuh", "cu", "c", "h"):
                out.append(
                    Output(
                        f"cuda/{m.module}.{ext}", f"cuda/optimizer.{ext}.j2", {"m": m}, m.spec_path
                    )
                )
        out.append(Output("cuda/ocg_config.h", "cuda/ocg_config.h.j2", config_view()))
        out.append(Output("cuda/ocg_state.h", "cuda/ocg_state.h.j2", state_codes_view()))
        out += [runtime_output(path) for path in RUNTIME_FILES]
        example = next(
            (m for m in modules if m.module == EXAMPLE_SPEC), modules[0] if modules else None
        )
        if example is not None:
            spec = next(s.spec for s in build.specs if s.module == example.module)
            context = {"m": example, "v": example.variants[0], **_example_values(spec)}
            out.append(Output("cuda/example.cu", "cuda/example.cu.j2", context, example.spec_path))
        return out


BACKEND = CudaBackend()


def config_view() -> dict:
    """The kernel layout, the dtypes, and Keras 2.3's clip formulas printed from common.py."""
    clip_value = {ctype: print_c(CLIP_VALUE, ctype) for ctype in ("float", "double")}
    return {
        "threads": THREADS,
        "chunk": CHUNK,
        "max_blocks": MAX_BLOCKS,
        "dtypes": tuple(DType),
        "clip_scale": print_c_select(CLIP_SCALE, "double"),
        "clip_value_float": clip_value["float"],
        "clip_value_double": clip_value["double"],
        "names": {
            "clipnorm": CLIPNORM.name,
            "grad_norm": GRAD_NORM.name,
            "g": G.name,
            "clipvalue": CLIPVALUE.name,
        },
    }


def state_codes_view() -> dict:
    """The int8 state codes' constants, from the definition the PyTorch runtime uses too."""
    return {
        "block": state_codes.BLOCK,
        "mantissa_bits": state_codes.MANTISSA_BITS,
        "shift": state_codes.SHIFT,
        "noise_bits": state_codes.NOISE_BITS,
        "golden": f"0x{state_codes.GOLDEN:X}u",  # unsigned: multiplied modulo 2**32
        "unsigned_offset": state_codes.UNSIGNED_OFFSET,
        "unsigned_top": state_codes.UNSIGNED_TOP,
        "signed_offset": state_codes.SIGNED_OFFSET,
        "signed_top": state_codes.SIGNED_TOP,
    }


def _example_values(spec) -> dict:
    """The defaults as C literals: hyperparameters in the step functions' order, scalar state."""
    values = {h.symbol: sp.Float(h.default) for h in spec.reals}
    defaults = [repr(float(h.default)) for h in spec.reals]
    defaults += ["0.0" for name in STEP_ARGUMENTS if name in spec.common]
    init = [repr(float(s.init.xreplace(values))) for s in spec.scalar_state]
    return {"defaults": defaults, "scalar_state_init": init}


def module_view(lowered: LoweredSpec) -> ModuleView:
    spec = lowered.spec
    hyper = tuple(h.name for h in spec.reals) + tuple(a for a in STEP_ARGUMENTS if a in spec.common)
    # a global reduction is a per-step input of the step program, after the arguments
    hyper += tuple(r.name for r in spec.reductions if r.scope is Scope.GLOBAL)
    scalar_state = tuple(s.name for s in spec.scalar_state)
    return ModuleView(
        name=spec.name,
        module=spec.module,
        spec_path=spec.path,
        guard=f"OCG_{spec.module.upper()}_CUH",
        api_guard=f"OCG_{spec.module.upper()}_H",
        hyper=hyper,
        scalar_state=scalar_state,
        # a rule of whole tensors has staged kernels or none; a variant that computes what an
        # earlier one computes calls that one's kernels
        variants=each_variant(
            LoweredSpec(
                spec,
                tuple(
                    v
                    for v in lowered.variants
                    if not v.variant.whole_array and not v.shares_kernels_of
                ),
            ),
            lambda ir: _variant(
                ir,
                hyper,
                scalar_state,
                tuple(o for o in lowered.variants if o.shares_kernels_of == ir.variant.suffix),
            ),
        ),
        cuda_dtypes=tuple(DType),
        cpu_dtypes=CPU_DTYPES,
        staged=tuple(
            view
            for ir in lowered.variants
            if ir.variant.whole_array
            for view in staged_c.staged_views(ir)
        ),
    )


# an array's value and the clipped gradient at element _k of a CUDA kernel's scalar path
CUDA_ELEMENT = ("ocg::load<S>({}[_k])", "ocg::clip_value(ocg::load<S>(g[_k]) * _scale, _bound)")


def clipped_cpu(ctype: str) -> str:
    """The clipped gradient at element _i of a CPU kernel."""
    return f"ocg_clip_value{'f' if ctype == 'float' else ''}(g[_i] * _scale, _bound)"


def _flags_text(ir: KernelIR) -> str:
    return ", ".join(f"{n}={v}" for n, v in ir.variant.flags) or "the defaults"


def _variant(ir: KernelIR, hyper, scalar_state, sharing=()) -> VariantView:
    """The kernels of ``ir``'s variant, which the variants ``sharing`` call too."""
    stem = kernel_stem(ir.spec.module, ir.variant.suffix)
    scalars = ir.element_scalars
    formulas = {a.symbol.name: a.expr for a in ir.step if is_hoisted(a.symbol.name)}
    whole = two_pass.whole(ir)
    stage = _tensor_stage(ir, stem, scalars, whole.reads())
    reductions = tuple(r for r in ir.reductions if r.scope is Scope.TENSOR)
    term_reads = free_names([r.expr for r in reductions])
    term_scalars = tuple(n for n in scalars if n in term_reads)
    arrays = ("p", "g", *ir.state)
    tensor_scalars = stage.outputs if stage else ()
    two = two_pass.split(ir) if stage else None
    if two is None:  # one program; its function takes every array, as it always has
        update = _Pass.of("element", whole, arrays, scalars, tensor_scalars)
        update = replace(update, arrays=arrays, outputs=(arrays[0], *arrays[2:]))
        commit = None
    else:
        commit = _Pass.of("commit", two[0], arrays, scalars, ())
        update = _Pass.of("element", two[1], arrays, scalars, tensor_scalars)
    elements = update.views(stem)
    rows = tuple(
        ArrayRow(
            name=a,
            index=i,
            cuda_type="S" if a in ir.state else "P",
            const="const " if a == "g" else "",
            cuda_store="ocg::store<P>(_new_p)" if a == "p" else f"_new_{a}",
        )
        for i, a in enumerate(("p", "g", *ir.state))
    )

    def call(value: str, grad: str, kernel_pass=update) -> str:
        """``value`` formats an array's value before the step (for the second of two passes,
        a committed state's new value); ``grad`` is the clipped gradient; the new values go to
        the locals ``_new_<array>``."""
        values = [grad if a == "g" else value.format(a) for a in kernel_pass.arrays]
        outputs = [f"&_new_{a}" for a in kernel_pass.outputs]
        return ", ".join(values + list(kernel_pass.scalars) + outputs)

    term_arrays = tuple(a for a in arrays if a in term_reads)

    def terms_call(value: str, grad: str) -> str:
        """The terms function's arguments; the terms go to the locals ``_term_<name>``."""
        values = [grad if a == "g" else value.format(a) for a in term_arrays]
        return ", ".join(values + list(term_scalars) + [f"&_term_{r.name}" for r in reductions])

    cpu = tuple(
        CpuKernel(
            dtype,
            e.ctype,
            e.function,
            call(
                "{}[_i]",
                clipped_cpu(e.ctype),
            ),
        )
        for dtype, e in zip(CPU_DTYPES, elements)
    )
    stored = tuple(
        StoredState(
            name,
            i,
            "uint8_t" if name in ir.nonnegative else "int8_t",
            "ocg_code_unsigned" if name in ir.nonnegative else "ocg_code_signed",
            (
                f"ocg_unsigned_value({name}[_k]) * _scale_{name}"
                if name in ir.nonnegative
                else f"ocg_signed_value({name}[_k]) * _scale_{name}"
            ),
            "ocg_unsigned_value" if name in ir.nonnegative else "ocg_signed_value",
        )
        for i, name in enumerate(ir.state)
    )
    clipped_f32 = "ocg_clip_valuef(g[_k] * _scale, _bound)"

    def stored_call(value, output="&_block_{}[_i]", p="p[_k]", clipped=clipped_f32) -> str:
        """The f32 element call with the state read by ``value(StoredState)``; the new state
        goes to ``output``: the CPU block's buffers, or a CUDA thread's variables (which read
        p, g and the codes from registers: _old_p, _old_g, _code_<name>)."""
        values = [p, clipped] + [value(st) for st in stored]
        outputs = ["&_new_p"] + [output.format(st.name) for st in stored]
        return ", ".join(values + list(update.scalars) + outputs)

    registers = ("_old_p", "ocg_clip_valuef(_old_g * _scale, _bound)")

    def bf16_value(st):
        return f"ocg_bf16_float({st.name}[_k])"

    return VariantView(
        stem=stem,
        flags_text=_flags_text(ir)
        + "".join(f" (and {_flags_text(o)}: the same rule)" for o in sharing),
        state=ir.state,
        scalars=scalars,
        scalar_comments=tuple(
            f"{n} = {print_c(formulas[n], 'double')}" for n in scalars if n in formulas
        ),
        elements=elements,
        step=_step(ir, stem, hyper, scalar_state),
        rows=rows,
        new_values=", ".join(f"_new_{a}" for a in update.outputs),
        cuda_vector_call=call(
            "ocg::load<S>(_v_{}.v[_j])",
            "ocg::clip_value(ocg::load<S>(_v_g.v[_j]) * _scale, _bound)",
        ),
        cuda_scalar_call=call(*CUDA_ELEMENT),
        cpu_kernels=cpu,
        stored=stored,
        int8_call=stored_call(lambda st: st.decode),
        bf16_call=stored_call(bf16_value),
        int8_plain_call=stored_call(lambda st: st.decode, clipped="g[_k]"),
        bf16_plain_call=stored_call(bf16_value, clipped="g[_k]"),
        cuda_int8_call=stored_call(
            lambda st: f"{st.value}(_code_{st.name}) * _scale_{st.name}", "&_new_{}", *registers
        ),
        cuda_bf16_call=stored_call(
            lambda st: f"ocg_bf16_float(_code_{st.name})", "&_new_{}", *registers
        ),
        reductions=tuple(ReductionView(r.name, r.op) for r in reductions),
        terms=tuple(
            TermsView(
                ctype,
                f"{stem}_terms_{dtype.suffix}",
                _parameters(ctype, term_arrays, term_scalars, ())
                + (", ".join(f"{ctype} *_term_{r.name}" for r in reductions),),
                tuple((r.name, print_c(r.expr, ctype)) for r in reductions),
            )
            for dtype, ctype in ((DType.F32, "float"), (DType.F64, "double"))
            if reductions
        ),
        tensor_stage=stage,
        cuda_terms_call=terms_call(*CUDA_ELEMENT),
        cpu_terms_calls=tuple(
            terms_call("{}[_i]", clipped_cpu(ctype)) for ctype in ("float", "double")
        ),
        unpacked=_indexed(scalars, update.scalars, term_reads, commit.scalars if commit else ()),
        element_unpacked=_indexed(scalars, update.scalars),
        term_unpacked=_indexed(scalars, term_reads, commit.scalars if commit else ()),
        term_scalars=term_scalars,
        term_arrays=term_arrays,
        commits=commit.views(stem) if commit else (),
        commit_outputs=commit.outputs if commit else (),
        commit_arrays=commit.arrays if commit else (),
        cpu_commit_calls=(
            tuple(call("{}[_i]", clipped_cpu(ctype), commit) for ctype in ("float", "double"))
            if commit
            else ()
        ),
        cuda_commit_call=(
            call(
                *CUDA_ELEMENT,
                commit,
            )
            if commit
            else ""
        ),
        update_outputs=update.outputs,
        update_arrays=update.arrays,
    )


def _indexed(scalars, *readers) -> tuple[tuple[int, str], ...]:
    """(index in the scalars array, name) of the scalars any of ``readers`` (sets of names)
    reads: what a kernel unpacks for the functions it calls."""
    return tuple((i, n) for i, n in enumerate(scalars) if any(n in r for r in readers))


def _tensor_stage(ir: KernelIR, stem: str, scalars, element_reads) -> TensorStageView | None:
    """The per-tensor program of a variant with per-tensor reductions, else None
    (``element_reads``: the names the element program reads)."""
    reductions = [r.name for r in ir.reductions if r.scope is Scope.TENSOR]
    if not reductions:
        return None
    assigned = [a.symbol.name for a in ir.tensor]
    # a reduction the element program reads as it is (m = beta*m + n*g) passes through
    passed = [n for n in reductions if n in element_reads]
    read = free_names([a.expr for a in ir.tensor]) | set(passed)
    inputs = []
    for name in sorted(read - set(assigned)):
        if name in reductions:
            inputs.append((name, f"totals[{reductions.index(name)}]"))
        else:  # a per-step value: the element scalars hold every one the tensor stage reads
            inputs.append((name, f"scalars[{scalars.index(name)}]"))
    return TensorStageView(
        function=f"{stem}_tensor",
        inputs=tuple(inputs),
        statements=tuple(
            f"const double {a.symbol.name} = {print_c(a.expr, 'double')};" for a in ir.tensor
        ),
        outputs=tuple(n for n in assigned if n in element_reads) + tuple(passed),
    )


def _parameters(ctype: str, arrays, scalars, outputs) -> tuple[str, ...]:
    """Lines of parameters: the arrays' values, the scalars, and pointers to the new values
    of ``outputs``."""
    lines = [[f"{ctype} {a}" for a in arrays], [f"{ctype} {s}" for s in scalars]]
    lines.append([f"{ctype} *_new_{a}" for a in outputs])
    return tuple(", ".join(group) for group in lines if group)


def _step(ir: KernelIR, stem: str, hyper, scalar_state) -> StepView:
    """The host step program in C (double), so that a device can run it (CUDA graphs)."""
    assigned = {a.symbol.name for a in ir.step}
    inputs = []
    for name in ir.host_inputs(ir.element_scalars):
        if name in hyper:
            inputs.append((name, f"hyper[{hyper.index(name)}]"))
        elif name in scalar_state:
            inputs.append((name, f"scalar_state[{scalar_state.index(name)}]"))
        else:  # pragma: no cover - hyper holds the global reductions too
            raise ValueError(f"the C step program cannot read {name!r}")
    # Scalar state is reassigned (m_schedule = m_schedule*mu_t): the statements run in order,
    # declaring a local the first time it is assigned.
    declared = {name for name, _ in inputs}
    statements = []
    for a in ir.step:
        name = a.symbol.name
        statements.append(
            f"{'' if name in declared else 'double '}{name} = {print_c(a.expr, 'double')};"
        )
        declared.add(name)
    out = tuple((i, n) for i, n in enumerate(scalar_state) if n in assigned)
    return StepView(f"{stem}_step", tuple(inputs), tuple(statements), out)
