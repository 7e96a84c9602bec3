"""The lowered programs of every shipped spec in a name-independent form, for the golden
comparison in test_ir_golden.py (``python tests/ir_golden.py`` rewrites tests/golden/ir.json).

Hoisted values are renamed by position (``_h0``, ``_k0``, ``_e0``), so that giving them
readable names does not count as a change; every expression is compared by ``srepr``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import sympy as sp

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "ir.json"
sys.path.insert(0, str(ROOT))


def normalised(ir) -> dict:
    named = 1 + len(ir.variant.step)  # lr, then the spec's own step equations
    renames = {a.symbol: sp.Symbol(f"_h{i}", real=True) for i, a in enumerate(ir.step[named:])}
    renames |= {a.symbol: sp.Symbol(f"_k{i}", real=True) for i, a in enumerate(ir.tensor)}
    renames |= {a.symbol: sp.Symbol(f"_e{i}", real=True) for i, a in enumerate(ir.temporaries)}

    def text(expr) -> str:
        return sp.srepr(expr.xreplace(renames))

    return {
        "reductions": [[r.name, str(r.scope), str(r.op), text(r.expr)] for r in ir.reductions],
        "step": [[text(a.symbol), text(a.expr)] for a in ir.step],
        "tensor": [[text(a.symbol), text(a.expr)] for a in ir.tensor],
        "temporaries": [[text(a.symbol), text(a.expr)] for a in ir.temporaries],
        "outputs": [[name, text(expr)] for name, expr in ir.outputs],
    }


def current() -> dict:
    from generator.build import load_specs, lower

    return {
        f"{lowered.spec.module}/{ir.variant.suffix}": normalised(ir)
        for lowered in (lower(spec) for spec in load_specs())
        for ir in lowered.variants
    }


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(current(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN.relative_to(ROOT)}")
