"""Issue 12: the architecture change left the generated numerics alone. Every shipped spec
variant lowers to the same reductions, per-step, per-tensor and per-element expressions as
before it (tests/golden/ir.json, recorded before the change). Hoisted values are compared by
position (``_h0``, ``_k0``, ``_e0``), since they now carry readable names, and every
expression by ``srepr``; ``printed_c`` (added after the change, equal to the kernels before
it) pins the C text of each element program, the order of every operation included. ``python tests/test_ir_golden.py`` rewrites the golden file, for a
change that is meant to alter the numerics (say so in its commit).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sympy as sp

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "ir.json"


def normalised(ir) -> dict:
    from generator.printers.c import print_c

    named = 1 + len(ir.variant.step)  # lr, then the spec's own step equations
    renames = {a.symbol: sp.Symbol(f"_h{i}", real=True) for i, a in enumerate(ir.step[named:])}
    renames |= {a.symbol: sp.Symbol(f"_k{i}", real=True) for i, a in enumerate(ir.tensor)}
    renames |= {a.symbol: sp.Symbol(f"_e{i}", real=True) for i, a in enumerate(ir.temporaries)}

    def text(expr) -> str:
        return sp.srepr(expr.xreplace(renames))

    def printed(code: str) -> str:  # the hoisted values' names by position: _c0_one_minus_beta_1 -> _c0
        return re.sub(r"\b(_[ck][0-9]+)_[a-z0-9_]+", r"\1", code)

    # a rule of row or column means has no kernel (model.Variant.whole_array): no C text
    c_text = [] if ir.variant.whole_array else (
        [printed(f"{a.symbol.name} = {print_c(a.expr, 'float')}") for a in ir.temporaries]
        + [printed(f"{name} = {print_c(expr, 'float')}") for name, expr in ir.outputs]
    )
    return {
        # the C text of the element program: the order of every operation, as the kernels print it
        "printed_c": c_text,
        "reductions": [[r.name, str(r.scope), str(r.op), text(r.expr)] for r in ir.reductions],
        "step": [[text(a.symbol), text(a.expr)] for a in ir.step],
        "tensor": [[text(a.symbol), text(a.expr)] for a in ir.tensor],
        "temporaries": [[text(a.symbol), text(a.expr)] for a in ir.temporaries],
        "outputs": [[name, text(expr)] for name, expr in ir.outputs],
        **({"masks": [[text(a.symbol), text(a.expr)] for a in ir.masks]} if ir.masks else {}),
    }


def current() -> dict:
    from generator.build import load_specs
    from generator.ir import lower

    return {
        f"{lowered.spec.module}/{ir.variant.suffix}": normalised(ir)
        for lowered in (lower(spec) for spec in load_specs())
        for ir in lowered.variants
    }



RECORDED = json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def now() -> dict:
    return current()


def test_the_same_variants(now):
    assert sorted(now) == sorted(RECORDED)


@pytest.mark.parametrize("key", sorted(RECORDED))
@pytest.mark.parametrize("stage", ["reductions", "step", "tensor", "temporaries", "outputs", "printed_c"])
def test_the_same_expressions(now, key, stage):
    assert now[key][stage] == RECORDED[key][stage]


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    GOLDEN.write_text(json.dumps(current(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN.relative_to(ROOT)}")
