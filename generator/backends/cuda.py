"""C and CUDA backend: ``generated/cuda/``.

Per spec (specs without reductions; see ``supported``):

- ``<module>.cuh``: the element update of every flag combination as C99/CUDA inline functions
  (``float`` and ``double``), and the per-step program in ``double`` for the device;
- ``<module>.cu``: multi-tensor CUDA kernels (float, double, half, bfloat16 parameters) and
  ``extern "C"`` launchers; launches go through ``OCG_LAUNCH`` so the CPU shim runs them too;
- ``<module>.c``: the same update for the CPU in C99 with OpenMP (``fused=True`` on CPU);
- ``<module>.h``: the documented C API of both.

Shared: ``ocg.h`` (types, NaN-propagating helpers), ``ocg_cuda.h`` (CUDA or the shim),
``ocg_shim.h`` (the CPU shim), ``ocg_clip.cu`` (clipnorm's global norm) and ``example.cu``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..ir import KernelIR, build_ir
from ..model import Spec
from ..printers.c import print_c
from ..render import Output

# Work decomposition of the CUDA kernels (see ocg.h): a block updates chunks of CHUNK elements,
# each thread 4 neighbouring elements per iteration (one 16-byte load for float).
THREADS = 256
CHUNK = 8192
MAX_BLOCKS = 4096  # a grid-stride launch needs no more blocks to fill a GPU several times
EXAMPLE_SPEC = "adam"
# The dtypes of the CUDA kernels: (suffix, parameter type, arithmetic and state type)
CUDA_DTYPES = (("f32", "float", "float"), ("f64", "double", "double"), ("f16", "__half", "float"), ("bf16", "__nv_bfloat16", "float"))
CPU_DTYPES = (("f32", "float"), ("f64", "double"))
CTYPE_SUFFIX = {ctype: suffix for suffix, ctype in CPU_DTYPES}


@dataclass(frozen=True)
class ElementView:
    ctype: str  # float | double
    function: str  # ocg_<module>_<suffix>_element_<f32|f64>
    temporaries: tuple[tuple[str, str], ...]  # (name, C expression)
    outputs: tuple[tuple[str, str], ...]  # (state name or "p", C expression)
    parameters: tuple[str, ...]  # lines: the values before the step, the scalars, the outputs


@dataclass(frozen=True)
class StepView:
    function: str
    inputs: tuple[tuple[str, str], ...]  # (name, "h[0]" | "s[1]")
    statements: tuple[str, ...]  # C statements in double, in order
    scalar_state_out: tuple[tuple[int, str], ...]  # (index into s, name)


@dataclass(frozen=True)
class VariantView:
    stem: str  # ocg_<module>_<suffix>: the prefix of every C name of this variant
    flags_text: str
    host_step: str  # the Python function that computes the same scalars
    state: tuple[str, ...]
    scalars: tuple[str, ...]  # element scalars, in the order of the scalars array
    elements: tuple[ElementView, ...]
    step: StepView

    @property
    def arrays(self) -> tuple[str, ...]:
        """The arrays of one tensor, in the order of a row of the pointer table."""
        return ("p", "g", *self.state)

    @property
    def outputs(self) -> tuple[str, ...]:
        return ("p", *self.state)

    def element_arguments(self, value: str, grad: str) -> str:
        """The arguments of an element call: ``value`` formats an array's value (``{}[_i]``),
        ``grad`` is the clipped gradient; the new values go to locals ``_new_<array>``."""
        values = [grad if a == "g" else value.format(a) for a in self.arrays]
        return ", ".join(values + list(self.scalars) + [f"&_new_{a}" for a in self.outputs])


@dataclass(frozen=True)
class ModuleView:
    name: str
    module: str
    spec_path: str
    guard: str
    hyper: tuple[str, ...]  # the order of the ``h`` array of the step functions
    scalar_state: tuple[str, ...]
    variants: tuple[VariantView, ...]


def supported(spec: Spec) -> bool:
    """Fused C/CUDA kernels need no reductions: a spec's own norms run in NumPy/torch only."""
    return not spec.reductions


def outputs(specs: list[Spec]) -> list[Output]:
    modules = [module_view(s) for s in specs if supported(s)]
    out = []
    for m in modules:
        for ext in ("cuh", "cu", "c", "h"):
            out.append(Output(f"cuda/{m.module}.{ext}", f"cuda/optimizer.{ext}.j2", _context(m), m.spec_path))
    shared = {"threads": THREADS, "chunk": CHUNK, "max_blocks": MAX_BLOCKS, "dtypes": CUDA_DTYPES}
    for name in ("ocg.h", "ocg_cuda.h", "ocg_shim.h", "ocg_clip.cu"):
        out.append(Output(f"cuda/{name}", f"cuda/{name}.j2", shared, "specs/*.yaml"))
    example = next((m for m in modules if m.module == EXAMPLE_SPEC), modules[0] if modules else None)
    if example is not None:
        spec = next(s for s in specs if s.module == example.module)
        context = {"m": example, "v": example.variants[0], **_example_values(spec)}
        out.append(Output("cuda/example.cu", "cuda/example.cu.j2", context, example.spec_path))
    return out


def _example_values(spec: Spec) -> dict:
    """The defaults as C literals: hyperparameters in the step functions' order, scalar state."""
    values = {h.symbol: sp.Float(h.default) for h in spec.reals}
    defaults = [repr(float(h.default)) for h in spec.reals]
    defaults += ["0.0"] if "decay" in spec.common else []
    init = [repr(float(s.init.xreplace(values))) for s in spec.scalar_state]
    return {"defaults": defaults, "scalar_state_init": init}


def _context(m: ModuleView) -> dict:
    return {"m": m, "cuda_dtypes": CUDA_DTYPES, "cpu_dtypes": CPU_DTYPES}


def module_view(spec: Spec) -> ModuleView:
    hyper = tuple(h.name for h in spec.reals) + (("decay",) if "decay" in spec.common else ())
    scalar_state = tuple(s.name for s in spec.scalar_state)
    variants = tuple(_variant(build_ir(v), hyper, scalar_state) for v in spec.variants())
    return ModuleView(
        name=spec.name,
        module=spec.module,
        spec_path=spec.path,
        guard=f"OCG_{spec.module.upper()}_CUH",
        hyper=hyper,
        scalar_state=scalar_state,
        variants=variants,
    )


def _variant(ir: KernelIR, hyper, scalar_state) -> VariantView:
    stem = f"ocg_{ir.spec.module}_{ir.variant.suffix}"
    scalars = ir.element_scalars
    elements = tuple(
        ElementView(
            ctype=ctype,
            function=f"{stem}_element_{CTYPE_SUFFIX[ctype]}",
            temporaries=tuple((a.symbol.name, print_c(a.expr, ctype)) for a in ir.temporaries),
            outputs=tuple((name, print_c(expr, ctype)) for name, expr in ir.outputs),
            parameters=_parameters(ctype, ("p", "g", *ir.state), scalars),
        )
        for ctype in ("float", "double")
    )
    return VariantView(
        stem=stem,
        flags_text=", ".join(f"{n}={v}" for n, v in ir.variant.flags) or "the defaults",
        host_step=f"generated/host/{ir.spec.module}.py step_{ir.variant.suffix}",
        state=ir.state,
        scalars=scalars,
        elements=elements,
        step=_step(ir, stem, hyper, scalar_state),
    )


def _parameters(ctype: str, arrays, scalars) -> tuple[str, ...]:
    lines = [[f"{ctype} {a}" for a in arrays], [f"{ctype} {s}" for s in scalars]]
    lines.append([f"{ctype} *_new_{a}" for a in arrays if a != "g"])
    return tuple(", ".join(group) for group in lines if group)


def _step(ir: KernelIR, stem: str, hyper, scalar_state) -> StepView:
    """The host step program in C (double), so that a device can run it (CUDA graphs)."""
    assigned = {a.symbol.name for a in ir.step}
    inputs = []
    for name in ir.host_inputs(ir.element_scalars):
        if name in hyper:
            inputs.append((name, f"h[{hyper.index(name)}]"))
        elif name in scalar_state:
            inputs.append((name, f"s[{scalar_state.index(name)}]"))
        else:  # reductions: unsupported specs never get here
            raise ValueError(f"{ir.spec.path}: the C step program cannot read {name!r}")
    # Scalar state is reassigned (m_schedule = m_schedule*mu_t): the statements run in order,
    # declaring a local the first time it is assigned.
    declared = {name for name, _ in inputs}
    statements = []
    for a in ir.step:
        name = a.symbol.name
        statements.append(f"{'' if name in declared else 'double '}{name} = {print_c(a.expr, 'double')};")
        declared.add(name)
    out = tuple((i, n) for i, n in enumerate(scalar_state) if n in assigned)
    return StepView(f"{stem}_step", tuple(inputs), tuple(statements), out)
