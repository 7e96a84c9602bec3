"""The two passes of a fused kernel for a spec with per-tensor reductions.

The first pass reads every element to add up the tensor's reductions; the second updates it
with the tensor's scalars. A state whose new value does not depend on the reductions (Lamb's
m and v) can be written by the first pass, which has its inputs in registers anyway; the second
pass then reads that new value instead of the gradient and the old state, and recomputes
nothing of it. Lamb moves 10 values per element instead of 11 (Adam: 7).

That is only right when the second pass never needs a committed state's old value: the new
value must reach the rest of the program as one named temporary (``_stored_m``, the value as
stored), and nothing else there may read the old one. Otherwise both passes read the values
before the step, and the first writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .. import symbols
from ..ir import Assign, KernelIR, free_names
from ..model import Scope


@dataclass(frozen=True)
class Program:
    """Element assignments in the IR's order, and the new values they give."""

    temporaries: tuple[Assign, ...]
    masks: tuple[Assign, ...]
    outputs: tuple[tuple[str, sp.Expr], ...]  # (state name or "p", new value)

    def reads(self) -> set[str]:
        """The names it reads that it does not define: arrays and scalars."""
        assigned = (*self.temporaries, *self.masks)
        exprs = [a.expr for a in assigned] + [e for _, e in self.outputs]
        return free_names(exprs) - {a.symbol.name for a in assigned}


def whole(ir: KernelIR) -> Program:
    return Program(ir.temporaries, ir.masks, ir.outputs)


def split(ir: KernelIR) -> tuple[Program, Program] | None:
    """(commit, rest): the first pass's program, the new values of the states it writes, and
    the second pass's, in which such a state's name is its new value; None where the first
    pass can commit nothing (see the module's docstring)."""
    definitions = {a.symbol: a.expr for a in (*ir.temporaries, *ir.masks)}
    per_tensor = {a.symbol for a in ir.tensor}
    per_tensor |= {symbols.real(r.name) for r in ir.reductions if r.scope is Scope.TENSOR}
    outputs = dict(ir.outputs)

    def closure(exprs, stop=frozenset()) -> tuple[set[sp.Symbol], set[sp.Symbol]]:
        """(definitions reached, other symbols read), not expanding the symbols in ``stop``."""
        reached, read, pending = set(), set(), list(exprs)
        while pending:
            for s in pending.pop().free_symbols:
                if s in stop or s not in definitions:
                    read.add(s)
                elif s not in reached:
                    reached.add(s)
                    pending.append(definitions[s])
        return reached, read

    committed = [
        name
        for name, e in ir.outputs
        if name != "p" and not closure([e])[1] & per_tensor and e in definitions
    ]
    # a committed state's new value is a temporary of its own: the rest reads it from memory
    new_value = {outputs[name]: symbols.real(name) for name in committed}
    rest = [(name, e) for name, e in ir.outputs if name not in committed]
    reached, read = closure([e for _, e in rest], stop=frozenset(new_value))
    if not committed or {symbols.real(name) for name in committed} & read:
        return None

    def program(names, reached, replace) -> Program:
        return Program(
            tuple(
                Assign(a.symbol, a.expr.xreplace(replace))
                for a in ir.temporaries
                if a.symbol in reached
            ),
            tuple(
                Assign(a.symbol, a.expr.xreplace(replace)) for a in ir.masks if a.symbol in reached
            ),
            tuple((name, outputs[name].xreplace(replace)) for name in names),
        )

    commit_reached, _ = closure([outputs[name] for name in committed])
    return (
        program(committed, commit_reached, {}),
        program([name for name, _ in rest], reached - set(new_value), new_value),
    )
