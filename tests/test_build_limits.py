"""Every spec is built or refused quickly, with file:line (issue 11, item 7): expression chains
that double at each line, exp towers, deep YAML, flag explosions. The limits are errors at the
line that crosses them; lowering is linear in the shared expression graph, and the reference
reports magnitudes no float could hold as infinite instead of computing them."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import mpmath
import pytest
import sympy as sp

from generator import SpecError, model
from generator.verify import reference
from generator.build import outputs
from generator.model import parse_spec
from generator.render import render

ROOT = Path(__file__).resolve().parent.parent
ADAM = (ROOT / "specs" / "adam.yaml").read_text()
M_LINE = "  - m = beta_1*m + (1 - beta_1)*g\n"


def chain(lines: int) -> str:
    return ADAM.replace(M_LINE, "  - m = beta_1*m + (1 - beta_1)*g*m + v\n" * lines, 1)


def test_an_update_that_doubles_at_every_line_is_refused_at_the_line_that_crosses_the_limit():
    text = chain(16)
    with pytest.raises(SpecError) as info:
        parse_spec(text, "specs/dos.yaml", "dos")
    first = text.splitlines().index("  - m = beta_1*m + (1 - beta_1)*g*m + v") + 1
    assert first < info.value.line < first + 16
    assert f"more than {model.MAX_OPERATIONS}" in info.value.message


def test_a_chain_just_under_the_limit_builds(tmp_path):
    """In a subprocess with a time limit: a regression to exponential lowering shows up as a
    timeout here, not as a test run that never ends."""
    (tmp_path / "dos.yaml").write_text(chain(8))
    program = (
        "import sys; from generator.model import load_spec; from generator.build import outputs; "
        "from generator.render import render; "
        f"print(len(render(outputs([load_spec({str(tmp_path / 'dos.yaml')!r})]))))"
    )
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.strip()) > 10


POWER_OF_A_SUM = """name: Bomb
description: |
  A root of a state raised to a high power of a sum.
hyperparameters:
  learning_rate: {default: 0.001, domain: learning_rate >= 0, doc: Learning rate.}
  beta: {default: 0.5, domain: 0 <= beta < 1, doc: Decay.}
state:
  m: {init: 0, doc: First.}
  v: {init: 0, doc: Second.}
update:
  - m = beta*m + (1 - beta)*g
  - v = (beta*v + g*g + m*m + 1)**64
  - p = p - lr*m/sqrt(v)
"""


@pytest.mark.parametrize(
    "root",
    [
        None,
        # inside a function (a review's bypass: expand goes into exp's argument too)
        "  - v = beta*v + g*g\n  - p = p - lr*m/sqrt(v + exp(-(beta*v + g*g + m*m + 1)**16))\n",
    ],
    ids=["power", "power inside exp"],
)
def test_a_root_of_a_high_power_of_a_sum_builds_in_seconds(tmp_path, root):
    """Found by a red-team pass: the sign analysis expanded the root's argument, the states
    replaced by their equations (47,905 terms), and the build ran for minutes (a power of 16
    took 56 s). Arguments too large to expand, or not polynomial in the states, are not
    judged; in a subprocess with a time limit, so that a regression fails rather than stalls."""
    text = POWER_OF_A_SUM
    if root is not None:
        text = text.split("  - v = ")[0] + root
    (tmp_path / "bomb.yaml").write_text(text)
    program = (
        "from generator.model import load_spec; from generator.build import outputs; "
        "from generator.render import render; "
        f"print(len(render(outputs([load_spec({str(tmp_path / 'bomb.yaml')!r})]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.strip()) > 10


def test_the_bound_on_expanded_terms_is_an_upper_bound():
    from generator.signs import _expanded_terms_bound

    a, b, c, d = sp.symbols("a b c d")
    for expr in [(a + b) ** 3, (a + b + c) * (c - d) ** 2, a * b + (a - 1) ** 4 * (b + c), a**5, a - b]:
        assert len(sp.Add.make_args(sp.expand(expr))) <= _expanded_terms_bound(expr)
    assert _expanded_terms_bound((a + b + c + 1) ** 64) > 5000


def test_an_exp_tower_builds_and_the_reference_reports_infinity():
    tower = "p"
    for _ in range(8):
        tower = f"exp({tower})"
    text = ADAM.replace("  - p = p - lr*", f"  - p = p - lr*{tower}*", 1)
    spec = parse_spec(text, "specs/tower.yaml", "tower")
    docs = [o for o in outputs([spec]) if o.path == "docs/tower.tex"]  # runs the reference (bad numbers)
    assert render(docs)["docs/tower.tex"]
    run = reference.run(spec, {"amsgrad": False}, {h.name: h.default for h in spec.reals}, [[3.0]], [[[0.5]]])
    assert math.isinf(run.params[0][0])


def test_the_guarded_power_keeps_the_sign_and_parity_of_huge_results():
    with mpmath.workdps(50):
        huge = mpmath.mpf(10) ** 400
        assert reference._guarded_pow(mpmath.mpf(10), huge) == mpmath.inf
        assert reference._guarded_pow(mpmath.mpf(10), -huge) == 0
        odd = mpmath.mpf(10) ** 6 + 1  # exactly representable, unlike 2**300 + 1 at 50 digits
        assert reference._guarded_pow(mpmath.mpf(-(10**10)), odd) == -mpmath.inf
        assert reference._guarded_pow(mpmath.mpf(-(10**10)), odd + 1) == mpmath.inf
        assert reference._guarded_pow(mpmath.mpf(2), mpmath.mpf("0.5")) == mpmath.sqrt(2)
    p, q = sp.symbols("p q", real=True)
    _, f = reference._compiled(p**q)
    with mpmath.workdps(50):
        assert f(mpmath.mpf(3), mpmath.mpf(2)) == 9


def test_yaml_nested_thousands_deep_is_refused_with_its_line():
    text = "name: Deep\nhyperparameters: " + "[" * 3000 + "]" * 3000 + "\n"
    with pytest.raises(SpecError, match="nested deeper than") as info:
        parse_spec(text, "specs/deep.yaml", "deep")
    assert info.value.line == 2


def test_too_many_flags_are_refused():
    flags = "".join(f"  flag_{i}:\n    default: false\n    doc: A flag.\n" for i in range(model.MAX_FLAGS + 1))
    text = ADAM.replace("hyperparameters:\n", "hyperparameters:\n" + flags, 1)
    with pytest.raises(SpecError, match=f"more than {model.MAX_FLAGS} flags") as info:
        parse_spec(text, "specs/flagged.yaml", "flagged")
    assert info.value.line == text.splitlines().index(f"  flag_{model.MAX_FLAGS}:") + 1


def test_too_many_equations_and_too_large_files_are_refused():
    text = ADAM.replace(M_LINE, M_LINE * (model.MAX_EQUATIONS + 1), 1)
    with pytest.raises(SpecError, match=f"more than {model.MAX_EQUATIONS} equations"):
        parse_spec(text, "specs/lengthy.yaml", "lengthy")
    with pytest.raises(SpecError, match="larger than 64 KiB"):
        parse_spec(ADAM + "#" * model.MAX_SPEC_BYTES, "specs/bulky.yaml", "bulky")
