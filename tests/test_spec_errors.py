"""Every way a spec can be wrong gives a SpecError naming the file, the line and the problem."""

from __future__ import annotations

import pytest
import sympy as sp

from generator import SpecError
from generator.ir import lower
from generator.model import load_spec, parse_spec

BASE = """\
name: Toy
description: A toy optimizer.
hyperparameters:
  learning_rate:
    default: 0.1
    domain: learning_rate >= 0
    doc: Learning rate.
  beta:
    default: 0.9
    domain: 0 < beta < 1
    doc: Decay.
  fancy:
    default: false
    doc: A flag.
state:
  m:
    init: 0
    doc: Momentum.
update:
  - m = beta*m + g
  - p = p - lr*m
"""


def parse(text):
    return parse_spec(text, "specs/toy.yaml", "toy")


def edited(old, new):
    assert old in BASE, old
    return BASE.replace(old, new, 1)


def test_the_base_spec_is_valid():
    spec = parse(BASE)
    assert [h.name for h in spec.hyperparameters] == ["learning_rate", "beta", "fancy"]
    # A flag that no condition reads picks no variant: one kernel, not two.
    assert [v.suffix for v in spec.variants()] == ["default"]
    read = parse(edited("  - p = p - lr*m", "  - p = p - (2*lr*m if fancy else lr*m)"))
    assert [v.suffix for v in read.variants()] == ["no_fancy", "fancy"]


CASES = [
    # (old text, new text, line, words in the message)
    ("    doc: Decay.\n", "    doc: Decay.\n    dcoument: x\n", 12, "unknown key 'dcoument'"),
    ("  - m = beta*m + g", "  - m = bta*m + g", 20, "unknown symbol 'bta'"),
    ("  - m = beta*m + g", "  - m = beta*m + foo(g)", 20, "unknown function 'foo'"),
    ("    default: 0.9", "    default: abc", 9, "'default' must be a number"),
    ("description: A toy optimizer.", "description: [1, 2]", 2, "'description' must be a string"),
    ("  - m = beta*m + g\n", "", 16, "state 'm' is never updated"),
    ("  - p = p - lr*m", "  - p = p - lr*m*later\n  - later = 2*g", 21, "uses 'later' before it is defined (it is defined on line 22)"),
    ("  - m = beta*m + g", "  - a = b + g\n  - b = a*2\n  - m = beta*m + a", 20, "cyclic reference a -> b -> a"),
    ("  m:\n    init: 0", "  class:\n    init: 0", 16, "'class' is reserved"),
    ("  m:\n    init: 0", "  2m:\n    init: 0", 16, "not a valid identifier"),
    ("  m:\n    init: 0", "  _m:\n    init: 0", 16, "not a valid identifier"),
    ("  m:\n    init: 0", "  threadIdx:\n    init: 0", 16, "'threadIdx' is reserved"),
    ("  m:\n    init: 0", "  ocg_maxf:\n    init: 0", 16, "names starting with 'ocg', 'cuda', 'nv' belong to the generated C code"),
    ("  - m = beta*m + g", "  - m = beta*m + fancy*g", 20, "flag 'fancy' can only be used as a condition"),
    ("  - m = beta*m + g", "  - m = __import__('os').system('echo hi')", 20, "not allowed"),
    ("  - m = beta*m + g", "  - m = g.real", 20, "attribute access is not allowed"),
    ("  - m = beta*m + g", '  - "m = (lambda: g)()"', 20, "character ':' is not allowed"),
    ("  - m = beta*m + g", "  - m = g**(10**10)", 20, "exponent"),
    ("  - m = beta*m + g", "  - m = g/0", 20, "division by zero"),
    ("    default: 0.9", "    default: !!python/object/apply:os.system ['echo hi']", 9, "tag"),
    ("    default: 0.9", "    default: &x 0.9", 9, "anchors and aliases"),
    ("    doc: Decay.\n", "    doc: Decay.\n    doc: Again.\n", 12, "duplicate key 'doc'"),
    ("update:", "step:\n  - bad = m*2\nupdate:", 20, "'m' is per element"),
    ("update:", "reductions:\n  gs: {scope: tensor, op: sum, of: g**2, doc: Norm.}\nstep:\n  - bad = sqrt(gs)\nupdate:", 22, "'gs' is a per-tensor reduction (scope: tensor)"),
    ("    domain: 0 < beta < 1", "    domain: beta < 0 or beta > 1", 10, "'or' is not allowed in a domain: a domain is one interval"),
    ("    default: 0.9", "    default: 1.5", 9, "default 1.5 is outside its domain 0 < beta < 1"),
    ("  - p = p - lr*m\n", "", 20, "the parameter 'p' is never updated"),
    ("  m:\n    init: 0\n    doc: Momentum.", "  m: {init: 0, doc: Momentum, averaged.}", 16, "a comma inside {...} starts a new key"),
    ("    domain: 0 < beta < 1", "    domain: 0 < beta < learning_rate", 10, "may only mention 'beta'"),
    ("  - m = beta*m + g", "  - lr = 2*g", 20, "cannot assign to 'lr'"),
    ("  - m = beta*m + g", "  - beta = 2*g", 20, "cannot assign to 'beta'"),
    ("  beta:\n", "  decay:\n", 8, "provided by the generator"),
    ("  beta:\n", "  weight_decay:\n", 8, "list `common:` without 'weight_decay'"),
    ("  - m = beta*m + g", "  - weight_decay = 2*g", 20, "cannot assign to 'weight_decay'"),
    ("  - m = beta*m + g", "  - m = where(g > 0 and beta > 0.5, m, g)", 20, "combines comparisons of per-step values with comparisons of per-element values"),
    ("  - m = beta*m + g", "  - m = m if m > beta or t > 3 else g", 20, "nest two selects instead"),
    ("  - m = beta*m + g", "  - k = 2*t\n  - m = where(k > 5 and g > 0, m, g)", 21, "combines comparisons of per-step values with comparisons of per-element values"),
    ("  - m = beta*m + g", "  - m = where(beta > 0, m)", 20, "where() takes three arguments"),
    ("update:", "reductions:\n  gs: {scope: tensor, op: sum, of: \"where(g > 0 and t > 2, g, 0)\", doc: Sum.}\nupdate:", 20, "combines comparisons of per-step values with comparisons of per-element values; nest two selects"),
    # a reduction over the update's own values: never of a value that reads a reduction, a
    # global one not even through the step's values (it runs before the step program)
    ("update:\n  - m = beta*m + g", "reductions:\n  us: {scope: global, op: sum, of: u**2, doc: Sum.}\nupdate:\n  - u = us*g\n  - m = beta*m + u", 20, "reads 'u', whose value depends on the reduction 'us'; a reduction over the update's values is computed before the update and before the step program"),
    ("update:\n  - m = beta*m + g", "reductions:\n  gs: {scope: global, op: sum, of: g**2, doc: Sum.}\n  us: {scope: global, op: sum, of: u**2, doc: Sum.}\nstep:\n  - k = 2*gs\nupdate:\n  - u = k*g\n  - m = beta*m + u", 21, "reads 'u', whose value depends on the reduction 'gs' through a step value"),
    ("update:\n  - m = beta*m + g", "reductions:\n  us: {scope: global, op: max, of: abs(u), doc: Peak.}\nstep:\n  - k = 1/(1 + us)\nupdate:\n  - u = k*g\n  - m = beta*m + u", 20, "reads 'u', whose value depends on the reduction 'us' through a step value"),
    ("update:\n  - m = beta*m + g", "reductions:\n  us: {scope: tensor, op: sum, of: dd**2, doc: Sum.}\nupdate:\n  - u = us*g\n  - dd = 2*u\n  - m = beta*m + dd", 20, "reads 'dd', whose value depends on the reduction 'us'"),
    ("update:\n  - m = beta*m + g", "reductions:\n  us: {scope: tensor, op: sum, of: u**2, doc: Sum.}\nupdate:\n  - g = g + us*p\n  - u = 2*g\n  - m = beta*m + u", 20, "reads 'u', whose value depends on the reduction 'us'"),
    ("  - m = beta*m + g", "  - m = where(beta, m, g)", 20, "'beta' is not a flag"),
    ("  - m = beta*m + g", "  - m = where(beta == 1, m, g)", 20, "a comparison is one of"),
    ("  - m = beta*m + g", "  - m = where(2 > 1, m, g)", 20, "is always True"),
    ("  - m = beta*m + g", "  - m = max(g)", 20, "two or more arguments"),
    ("  - m = beta*m + g", "  - m = sqrt(g, g)", 20, "takes 1 argument"),
    ("  - m = beta*m + g", "  - m == g", 20, "'name = expression'"),
    ("  - m = beta*m + g", "  - m = (g", 20, "syntax error"),
    ("  - m = beta*m + g", "  - m = beta*m + 1_0*g", 20, "write plain decimal numbers"),
    ("    domain: 0 < beta < 1", "    domain: 0 < beta < 0x1", 10, "write plain decimal numbers"),
    ("    init: 0", "    init: beta*q", 17, "unknown symbol 'q'"),
    ("name: Toy", "name: toy", 1, "start it with a capital letter"),
    ("    default: false", "    default: false\n    domain: x > 0", 14, "a bool takes no domain"),
    ("  - m = beta*m + g", "  - eq: m = beta*m + g\n    when: fancy or beta", 21, "'beta' is not a flag"),
    ("  learning_rate:\n    default: 0.1\n    domain: learning_rate >= 0", "  rate:\n    default: 0.1\n    domain: rate >= 0", 1, "needs a real hyperparameter 'learning_rate'"),
]


@pytest.mark.parametrize("old,new,line,words", CASES, ids=[c[3][:40] for c in CASES])
def test_spec_error_names_file_line_and_problem(old, new, line, words):
    with pytest.raises(SpecError) as info:
        parse(edited(old, new))
    err = info.value
    assert err.path == "specs/toy.yaml"
    assert words in err.message, err.message
    assert err.line == line, f"reported line {err.line}, expected {line}: {err}"
    prefix = f"specs/toy.yaml:{line}: " if line else "specs/toy.yaml: "
    assert str(err).startswith(prefix)


def test_a_state_used_where_its_flag_removes_it_is_an_error():
    text = edited("    doc: Momentum.\n", "    doc: Momentum.\n  vhat:\n    init: 0\n    when: fancy\n    doc: Max.\n")
    text = text.replace("  - p = p - lr*m", "  - eq: vhat = max(vhat, m)\n    when: fancy\n  - p = p - lr*vhat")
    with pytest.raises(SpecError) as info:
        parse(text)
    assert str(info.value).startswith("specs/toy.yaml:27: ")
    assert "uses state 'vhat', which exists only when fancy (here fancy=False)" in info.value.message


def test_yaml_bombs_are_refused_quickly():
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n"
    with pytest.raises(SpecError, match="anchors and aliases"):
        parse(bomb)


def test_invalid_yaml_reports_its_line():
    with pytest.raises(SpecError, match=r"specs/toy.yaml:6: invalid YAML.*on line 5"):
        parse(BASE.replace("    default: 0.1", "    default: [0.1", 1))


def test_a_spec_file_name_must_be_a_lowercase_identifier(tmp_path):
    for name in ("Bad-Name.yaml", "class.yaml", "Adam.yaml"):
        path = tmp_path / name
        path.write_text(BASE)
        with pytest.raises(SpecError, match="lowercase identifier"):
            load_spec(path)


def test_numeric_strings_from_yaml_1_1_are_numbers():
    spec = parse(BASE.replace("    default: 0.1", "    default: 1e-1", 1))
    assert spec.hyperparameters[0].default == 0.1


def test_a_spec_may_own_weight_decay_when_common_leaves_it_out():
    """AdamW's and Lion's weight_decay are part of their rules: with `common:` listing the
    others, a hyperparameter of that name is the spec's own, and no common decay is added."""
    own = edited("hyperparameters:", "common: [clipnorm, clipvalue, decay]\nhyperparameters:")
    own = own.replace("  beta:\n", "  weight_decay:\n").replace("0 < beta < 1", "0 < weight_decay < 1")
    spec = parse(own.replace("beta*m", "weight_decay*m"))
    assert "weight_decay" not in spec.common
    assert "weight_decay" in {h.name for h in spec.hyperparameters}
    assert lower(spec).variants[0].weight_decay_factor is None
    assert "weight_decay" in parse(BASE).common


def test_a_condition_on_per_step_values_is_a_select_in_the_update():
    """where(c, x, y) and x if c else y, c comparing per-step values (joined with and, or,
    not, and with flags), parse to the same select; t, lr and hyperparameters may be read."""
    for text in (
        "  - m = where(beta > 0.5 and t >= 3, beta*m + g, g)",
        "  - m = beta*m + g if beta > 0.5 and t >= 3 else g",
    ):
        spec = parse(edited("  - m = beta*m + g", text))
        (value,) = [eq.expr for eq in spec.update if eq.target == "m"]
        (piece,) = value.atoms(sp.Piecewise)
        assert {s.name for s in piece.args[0][1].free_symbols} == {"beta", "t"}
    spec = parse(edited("  - m = beta*m + g", "  - m = where(fancy or lr < 1, beta*m + g, g)"))
    assert {v.suffix for v in spec.variants()} == {"fancy", "no_fancy"}
