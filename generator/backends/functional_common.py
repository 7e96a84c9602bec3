"""What the functional backends (Keras 3, JAX/optax) share: each variant's update as pure
whole-tensor code, printed by ``printers/functional.py`` in one namespace (``ops`` for
``keras.ops``, ``jnp`` for ``jax.numpy``). Not a backend: backends import it, it imports none.

A variant's update function takes one tensor's ``p``, ``g``, state and per-step scalars, runs
the per-tensor stage (its reductions, then the per-tensor scalars) and the element program
(the IR's temporaries after CSE), and returns new values: nothing is written in place, so it
traces under ``jax.jit``, ``vmap`` and Keras's stateless scopes. Global reductions get their
own per-tensor ``partials`` function, which the runtimes combine over all tensors before the
step program runs (the host's step functions, called with arrays: ``step_math``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp

from ..common import CLIP_SCALE, CLIP_VALUE, CLIPNORM, CLIPVALUE, GRAD_NORM
from ..ir import KernelIR, LoweredSpec
from ..model import ReduceOp, Scope
from ..printers.functional import FunctionalPrinter
from ..symbols import G, P, real
from . import python_common
from .base import each_variant
from .reductions import shape_lines

UPDATE = "_update"  # the optax dialect's name for p_new - p


@dataclass(frozen=True)
class FunctionalVariant:
    base: python_common.StepProgram
    update_lines: tuple[str, ...]  # the per-tensor stage, then the element program
    results: tuple[str, ...]  # the new state values in order (then p's result, see p_result)
    p_result: str  # the new parameter, or with ``delta`` its change (optax's updates)
    partial_lines: tuple[str, ...]  # this tensor's part of each global reduction
    partial_results: tuple[str, ...]
    reads_p: bool  # the update (or the partials) read the parameter's value

    @property
    def partials_function(self) -> str:
        return f"_partials_{self.base.suffix}" if self.partial_lines else "None"


def variant_view(
    ir: KernelIR, base: python_common.StepProgram, printer: FunctionalPrinter, delta: bool
) -> FunctionalVariant:
    """``printer``: the target's (its namespace and workarounds); ``delta``: return
    ``p_new - p`` (optax's updates) instead of ``p_new``."""
    lines: list[str] = []
    tensor_reductions = [r for r in ir.reductions if r.scope is Scope.TENSOR]
    for r in tensor_reductions:
        lines.append(f"{r.name} = {_reduce(printer, r.op, r.expr, (P.name, G.name, *ir.state))}")
    # a tensor's rows and columns (g's: optax may pass no p)
    lines += shape_lines(ir, "g")
    lines += [f"{a.symbol.name} = {printer.doprint(a.expr)}" for a in ir.tensor]
    temporaries, outputs, masks = ir.temporaries, ir.outputs, ir.masks
    decay_change = None
    if delta and ir.weight_decay_separable:
        # optax's updates are a change of p, and update() may be given no params (None) when
        # nothing reads them: the weight decay's part of the change is its own value, added
        # to the change the update computes from the decayed p (None: the runtime passes
        # params whenever weight_decay is on)
        temporaries, outputs = ir.array_program()
        masks = ir.array_masks()
        factor = ir.weight_decay_factor
        decay_change = "_weight_decay_change"
        lines += [
            "# weight_decay: the change of p*(1 - lr*weight_decay), and the update reads that p",
            "# (0 when off, also for an infinite p, where p*1 less p would be NaN)",
            f"{decay_change} = 0.0",
            "if p is not None:",
            f"    {decay_change} = {printer.namespace}.where({factor} != 1, p*{factor} - p, 0.0)",
        ]
        # the reductions above read p with the factor in them: what follows may read p
        if _reads(ir, P.name, delta, (*masks, *temporaries), outputs, reductions=False):
            lines.append(f"    p = p*{factor}")
    # the per-element conditions (true/false arrays), then the values that select with them
    lines += [f"{a.symbol.name} = {printer.doprint(a.expr)}" for a in (*masks, *temporaries)]
    results = []
    p_result = ""
    for name, expr in outputs:
        if name == P.name:
            target = UPDATE if delta else "_new_p"
            value = expr - P if delta else expr  # SymPy cancels p + x - p to x
            p_result = target
        else:
            target = f"_new_{name}"
            results.append(target)
            value = expr
        lines.append(f"{target} = {printer.doprint(value)}")
        if name == P.name and decay_change:
            lines.append(f"{target} = {target} + {decay_change}")
    global_reductions = [r for r in ir.reductions if r.scope is Scope.GLOBAL]
    partial_lines, partial_results = [], []
    if global_reductions:
        hyper: set[str] = set()
        arrays = {P.name, G.name, *ir.state}
        for r in global_reductions:
            hyper |= {s.name for s in r.expr.free_symbols} - arrays - {"t"}
        hyper -= set(ir.prelude_names)  # the host computes them for the reductions
        partial_lines = [f"{n} = hyper[{n!r}]" for n in sorted(hyper)]
        if ir.global_prelude:
            partial_lines.append(ir.prelude_call())
        for r in global_reductions:
            partial_lines.append(f"_g{r.name} = {_reduce(printer, r.op, r.expr, arrays)}")
            partial_results.append(f"_g{r.name}")
    return FunctionalVariant(
        base=base,
        update_lines=tuple(lines),
        results=tuple(results),
        p_result=p_result,
        partial_lines=tuple(partial_lines),
        partial_results=tuple(partial_results),
        reads_p=_reads(ir, P.name, delta, (*masks, *temporaries), outputs),
    )


def module_variants(lowered: LoweredSpec, printer: FunctionalPrinter, delta: bool):
    """The spec's host view and each variant's functional view (see ``variant_view``)."""
    base = python_common.module_view(lowered, native=False)
    steps = {v.suffix: v for v in base.variants}
    variants = each_variant(
        lowered, lambda ir: variant_view(ir, steps[ir.variant.suffix], printer, delta)
    )
    return base, variants


def _reduce(printer: FunctionalPrinter, op: ReduceOp, expr: sp.Expr, arrays) -> str:
    ns = printer.namespace
    if not {s.name for s in expr.free_symbols} & set(arrays):
        # the same value at every element (``of: 1`` counts them); -inf over no elements
        count = f"{ns}.size({G.name})"  # g: optax may be given no params
        value = printer.doprint(expr)
        if printer.literal_like:  # keras.ops: TensorFlow's size is int32, and never promotes
            count = f"{ns}.cast({count}, {G.name}.dtype)"
            value = f"{ns}.convert_to_tensor({value}, dtype={G.name}.dtype)"
            infinity = f"{ns}.convert_to_tensor(-math.inf, dtype={G.name}.dtype)"
        else:
            infinity = "-math.inf"
        if op is ReduceOp.SUM:
            return f"({value}) * {count}"
        return f"{ns}.where({count} > 0, {value}, {infinity})"
    if op is ReduceOp.SUM:
        return f"{ns}.sum({printer.doprint(expr)})"
    # max over no elements is -inf, as in the reference and the other backends
    return f"{ns}.max({printer.doprint(expr)}, initial=-math.inf)"


def _reads(ir: KernelIR, name: str, delta: bool, temporaries, outputs, reductions=True) -> bool:
    """Whether any printed line reads ``name``: a reduction, a per-tensor scalar, a temporary
    or an output (with ``delta``, p's output is its change, which may not read p)."""
    symbol = real(name)
    exprs = [e - P if (n == P.name and delta) else e for n, e in outputs]
    exprs += [r.expr for r in ir.reductions] if reductions else []
    exprs += [a.expr for a in (*ir.tensor, *temporaries)]
    return any(symbol in e.free_symbols for e in exprs)


def common_view(printer_for: Callable[[str], FunctionalPrinter]) -> dict:
    """Keras 2.3's clipnorm scale and clipvalue as functional code, by the target's printer
    for arrays named like the function's array argument (``printer_for("g")``)."""
    return {
        "clip_scale": printer_for(GRAD_NORM.name).doprint(CLIP_SCALE),
        "clip_value": printer_for(G.name).doprint(CLIP_VALUE),
        "clipnorm": CLIPNORM.name,
        "clipvalue": CLIPVALUE.name,
        "grad_norm": GRAD_NORM.name,
        "g": G.name,
    }
