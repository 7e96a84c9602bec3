"""PyTorch backend: ``generated/torch/<module>.py`` per spec (a ``torch.optim.Optimizer``) and a
registry; the shared runtime is copied from ``generator/runtime/torch/_runtime.py``. The step
program is the host's (Python floats); the element program is printed twice from the IR: per
tensor and multi-tensor (``torch._foreach_*``)."""

from __future__ import annotations

from dataclasses import dataclass

from ..common import COMMON_DEFAULTS
from ..ir import KernelIR, LoweredSpec
from ..model import Scope
from ..printers import torch as dialect
from ..printers.arrays import lower_element_program
from ..printers.torch_graph import element_lines
from ..render import Output, runtime_output
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
from .reductions import global_partials, tensor_stage
from ..render import python_tuple as pytuple


@dataclass(frozen=True)
class TorchVariant:
    base: python_common.StepProgram
    scratch_names: tuple[str, ...]
    tensor_lines: tuple[str, ...]
    element_lines: tuple[str, ...]
    foreach_lines: tuple[str, ...]  # empty: this variant runs per tensor only
    partial_lines: tuple[str, ...]
    partial_results: tuple[str, ...]
    tensor_ops: tuple[str, ...]  # the ops of its per-tensor reductions ("sum", "max")
    graph_lines: tuple[str, ...]  # empty: no graph path (a spec with reductions)
    nonnegative: tuple[str, ...]  # state never negative: unsigned codes for int8 state
    relation_bound: tuple[str, ...]  # roots' arguments a relation of states keeps >= 0
    mask_lines: tuple[str, ...] = ()  # one tensor's masks (per-element conditions)
    mask_names: tuple[str, ...] = ()

    @property
    def mask_function(self) -> str:
        return f"_masks_{self.base.suffix}"

    @property
    def graph_function(self) -> str:
        """The name of its graph element function, or None, as Python code."""
        return f"_apply_graph_{self.base.suffix}" if self.graph_lines else "None"

    @property
    def partials_function(self) -> str:
        """The name of its global reductions' function, or None, as Python code."""
        return f"_partials_{self.base.suffix}" if self.partial_lines else "None"


@dataclass(frozen=True)
class TorchModule:
    base: python_common.ModuleView
    variants: tuple[TorchVariant, ...]
    signature: tuple[str, ...]
    hyper_args: tuple[tuple[str, str], ...]  # (spec name, argument name): learning_rate -> lr
    torch_args: tuple[str, ...]  # torch.optim's names the runtime takes or refuses
    torch_difference: str  # the spec's "differences: torch:" text, for the runtime's messages
    state_precision_doc: str  # the docstring's paragraph on state_precision, for this spec

    @property
    def real_args(self) -> tuple[tuple[str, str], ...]:
        """``hyper_args`` of the real hyperparameters (the flags are passed apart)."""
        return tuple(
            (name, arg) for name, arg in self.hyper_args if name not in self.base.flag_names
        )


class TorchBackend(python_common.PackageBackend):
    name = "torch"
    dialect = dialect

    def module_view(self, spec: LoweredSpec, native: bool) -> TorchModule:
        return module_view(spec, native)

    def outputs(self, build) -> list[Output]:
        # the fused path's pointer table, checked in C++ (built on first use by _native)
        return super().outputs(build) + [
            runtime_output("torch/_fused_table.cpp"),
            runtime_output("torch/_state_precision.py"),
        ]


BACKEND = TorchBackend()


def module_view(lowered: LoweredSpec, native: bool) -> TorchModule:
    spec = lowered.spec
    base = python_common.module_view(lowered, native)
    arg = lambda name: "lr" if name == "learning_rate" else name  # noqa: E731
    signature = ["params"] + [f"{arg(h.name)}={h.default!r}" for h in spec.hyperparameters] + ["*"]
    signature += [f"{c}={COMMON_DEFAULTS[c]!r}" for c in spec.common]
    signature += ["maximize=False", "foreach=None", "fused=None", "capturable=False"]
    torch_args = _torch_args({h.name for h in spec.hyperparameters} | set(spec.common))
    signature += [f"{a}=None" for a in torch_args] + [
        "shard_group=None",
        'state_precision="float32"',
    ]
    steps = {v.suffix: v for v in base.variants}
    variants = each_variant(lowered, lambda ir: variant(ir, steps[ir.variant.suffix]))
    difference = dict(spec.differences).get("torch", "")
    return TorchModule(
        base,
        variants,
        tuple(signature),
        tuple((h.name, arg(h.name)) for h in spec.hyperparameters),
        torch_args,
        " ".join(difference.split()),
        _state_precision_doc(lowered),
    )


_STORED = (
    '``state_precision``: "float32" (default), "bfloat16" (stochastic rounding) or "int8" '
    "(block-wise, 256 elements per float32 scale; tensors under 4096 elements keep their state "
    "unquantised), with the arithmetic in float32 (float64 for float64 parameters)."
)
_FUSED_DEFAULT = (
    "With ``fused`` and ``foreach`` left as None, a step with such state runs the fused "
    "kernels where they take it (float32 parameters on the CPU or a GPU, kernels that build "
    "here), else foreach: the foreach path encodes with torch operations, about 30 times "
    "slower on W1."
)
_WHOLE = (
    "needs whole tensors (reductions or matrix functions): each tensor's state is decoded "
    "whole, stepped by the float32 rule's torch code and encoded again, a tensor at a time"
)


def _state_precision_doc(lowered: LoweredSpec) -> str:
    """What the class docstring says of ``state_precision`` for this spec (as the runtime's
    _plan decides: state of rows or columns refuses it, a rule of whole tensors steps it
    with torch code, an element-wise rule takes the fused kernels by default)."""
    spec = lowered.spec
    if any(s.shape != "element" for s in spec.state):
        return (
            '``state_precision``: "float32" only: this spec\'s state of rows or columns '
            "is already small, and the other state is not stored apart from it."
        )
    whole = [spec.reductions or ir.variant.whole_array for ir in lowered.variants]
    if all(whole):
        return f"{_STORED} This spec's rule {_WHOLE}; ``fused=True`` refuses such state."
    if any(whole):  # rank flags: some tensors' rule is element-wise, others' is not
        return (
            f"{_STORED} {_FUSED_DEFAULT} For the tensors whose rule {_WHOLE}, ``fused=True`` "
            "too."
        )
    return f"{_STORED} {_FUSED_DEFAULT}"


def _torch_args(hyperparameters: set[str]) -> tuple[str, ...]:
    """torch.optim's argument names that users bring: ``betas`` where the spec has beta_1 and
    beta_2 (taken), ``eps`` where it has epsilon and ``weight_decay`` where it has none, as a
    hyperparameter or a common argument (refused with a message: their torch meanings
    differ)."""
    out = []
    if {"beta_1", "beta_2"} <= hyperparameters:
        out.append("betas")
    if "epsilon" in hyperparameters and "eps" not in hyperparameters:
        out.append("eps")
    if "weight_decay" not in hyperparameters:
        out.append("weight_decay")
    return tuple(out)


def variant(ir: KernelIR, base: python_common.StepProgram) -> TorchVariant:
    if ir.variant.whole_array:  # row or column means: values of several shapes
        return _whole_array_variant(ir, base)
    arrays = ["p", "g", *ir.state]
    tensor_reductions = [r for r in ir.reductions if r.scope is Scope.TENSOR]
    scalars = set(base.element_scalars) | {a.symbol.name for a in ir.tensor} | {"t"}
    scalars |= {r.name for r in tensor_reductions}
    tensor = tensor_stage(ir, arrays, scalars, dialect)
    tensor_lines, scratch = _allocating_bools(tensor), tensor.scratch
    # the element program, scheduled per tensor and over lists for the fewest temporaries
    # one program per branch of the per-step conditions, each taken for all elements
    cases = condition_cases(*ir.array_program())
    masks = tuple(a.symbol.name for a in ir.masks)
    codes = {
        case: dialect.element_code(temps, outs, arrays, {"p", *ir.state}, scalars, masks)
        for case, temps, outs in cases
    }
    tensor_lines_of = branch_lines(
        cases, lambda case: codes[case[0]].tensor_lines, printed_condition
    )
    foreach_of = branch_lines(cases, lambda case: codes[case[0]].foreach_lines, printed_condition)
    masks_code = mask_programs(ir, arrays, scalars, dialect.tensor_lines)
    mask_lines, tensor_masks, foreach_masks = _masks(ir, masks_code)
    tensor_lines_of = tensor_masks + tensor_lines_of
    foreach_of = foreach_masks + foreach_of
    scratch = max(scratch, masks_code.scratch, *(code.scratch for code in codes.values()))
    # per-tensor reductions give per-tensor scalars: such variants run per tensor only
    foreach = () if tensor_reductions else tuple(foreach_of)
    partials, results = global_partials(ir, arrays, dialect)
    partial_lines = [f"_s{i} = torch.empty_like(p)" for i in range(partials.scratch)]
    partial_lines += _allocating_bools(partials)
    graph = ()  # reductions are host floats: such variants have no graph path
    if not ir.reductions:
        # the masks first (they read the old values), in each branch of the per-step conditions
        cases = condition_cases((*ir.masks, *ir.temporaries), ir.outputs)
        graph = element_lines(cases, arrays, scalars)
    return TorchVariant(
        base=base,
        scratch_names=tuple(f"_s{i}" for i in range(scratch)),
        tensor_lines=tuple(tensor_lines),
        element_lines=weight_decay_lines(ir, "p.mul_({factor})") + tuple(tensor_lines_of),
        foreach_lines=(
            weight_decay_lines(ir, "torch._foreach_mul_(p, {factor})") + foreach if foreach else ()
        ),
        partial_lines=tuple(partial_lines),
        partial_results=tuple(results),
        tensor_ops=tuple(str(r.op) for r in tensor_reductions),
        graph_lines=tuple(graph),
        nonnegative=ir.nonnegative,
        relation_bound=ir.relation_bound,
        mask_lines=tuple(mask_lines),
        mask_names=masks,
    )


def _whole_array_variant(ir: KernelIR, base: python_common.StepProgram) -> TorchVariant:
    """A rule of row or column means: its arrays have several shapes (printers/arrays.py
    schedules them in place, with scratch of each shape), which torch's multi-tensor
    operations and the element scheduler of printers/inplace.py do not take: per tensor only."""
    arrays = ["p", "g", *ir.state]
    shapes = array_shapes(ir)
    scalars = set(base.element_scalars) | {a.symbol.name for a in ir.tensor} | {"t"}
    scalars |= {r.name for r in ir.reductions if r.scope is Scope.TENSOR}
    tensor = tensor_stage(ir, arrays, scalars, dialect)
    cases = condition_cases(*ir.array_program())
    masks = tuple(a.symbol.name for a in ir.masks)
    programs = {
        case: lower_element_program(temps, outs, arrays, {"p", *ir.state}, scalars, masks, shapes)
        for case, temps, outs in cases
    }
    element = branch_lines(
        cases, lambda case: dialect.tensor_lines(programs[case[0]]), printed_condition
    )
    masks_code = mask_programs(ir, arrays, scalars, dialect.tensor_lines)
    _, tensor_masks, _ = _masks(ir, masks_code)
    shaped = shaped_union([tensor.shaped, masks_code.shaped])
    shaped = shaped_union([shaped, *(p.shaped_scratch for p in programs.values())])
    bools = max(tensor.bools, masks_code.bool_scratch)
    scratch = max(tensor.scratch, masks_code.scratch, *(p.scratch for p in programs.values()))
    allocate = [dialect.allocate(*entry) for entry in shaped]
    allocate += [f"_b{i} = torch.empty_like(p, dtype=torch.bool)" for i in range(bools)]
    return TorchVariant(
        base=base,
        scratch_names=tuple(f"_s{i}" for i in range(scratch)),
        tensor_lines=tuple(allocate) + tensor.lines,
        element_lines=weight_decay_lines(ir, "p.mul_({factor})")
        + tuple(tensor_masks)
        + tuple(element),
        foreach_lines=(),
        partial_lines=(),
        partial_results=(),
        tensor_ops=tuple(str(r.op) for r in ir.reductions if r.scope is Scope.TENSOR),
        graph_lines=(),
        nonnegative=ir.nonnegative,
        relation_bound=ir.relation_bound,
    )


def _allocating_bools(code) -> list[str]:
    """``code``'s lines (a reduction stage), after those that allocate the true/false scratch
    tensors its selects use."""
    allocate = [f"_b{i} = torch.empty_like(p, dtype=torch.bool)" for i in range(code.bools)]
    return allocate + list(code.lines)


def _masks(ir: KernelIR, code):
    """The per-element conditions (``code``: base.mask_programs): (the lines of a function
    that computes one tensor's masks into new true/false tensors and returns them, for the
    foreach path, which calls it per tensor and makes lists; the per-tensor path's lines,
    which compute them in place, with the scratch and per-tensor values of its function)."""
    if not ir.masks:
        return [], [], []
    names = [a.symbol.name for a in ir.masks]
    bools = names + [f"_b{i}" for i in range(code.bool_scratch)]
    allocate = [f"{name} = torch.empty_like(p, dtype=torch.bool)" for name in bools]
    scratch = [f"_s{i} = torch.empty_like(p)" for i in range(code.scratch)]
    function = scratch + allocate + list(code.lines) + [f"return {pytuple(names)}"]
    call = f"_masks_{ir.variant.suffix}"
    foreach = [
        f"_masks = [{call}(_p, _g, _st, scalars) for _p, _g, *_st in zip(p, g, *state)]",
        f"{pytuple(names)} = map(list, zip(*_masks)) if _masks else ([],) * {len(names)}",
    ]
    return function, allocate + list(code.lines), foreach
