"""Specs are untrusted input: whatever the text, loading gives a Spec or a SpecError with file
and line, never another exception, never a hang, never a command run."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import SpecError
from generator.model import parse_spec

ROOT = Path(__file__).resolve().parent.parent
ADAM = (ROOT / "specs" / "adam.yaml").read_text()
NADAM = (ROOT / "specs" / "nadam.yaml").read_text()
EXPRESSION_ALPHABET = "abgmptvxy_019 +-*/().,<>=!%&|^~[]{}:'\"\\@#$\n\t" + "eqnotifelsandorlambdaimport"
FUZZ = settings(max_examples=250, deadline=3000, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def no_commands(monkeypatch):
    """Loading a spec must never run anything: running a command fails the test."""
    calls = []
    monkeypatch.setattr(os, "system", lambda *a, **k: calls.append(a) or 0)
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: calls.append(a))
    yield
    assert not calls, f"a spec ran a command: {calls}"


def load(text):
    try:
        return parse_spec(text, "specs/fuzz.yaml", "fuzz")
    except SpecError as err:
        assert err.path == "specs/fuzz.yaml"
        assert str(err).startswith("specs/fuzz.yaml")
        return err


@FUZZ
@given(st.text(alphabet=EXPRESSION_ALPHABET, max_size=80))
def test_random_expressions_quoted(text):
    load(ADAM.replace("  - m = beta_1*m + (1 - beta_1)*g", "  - " + json.dumps("m = " + text)))


@FUZZ
@given(st.text(max_size=80))
def test_random_text_anywhere_in_the_yaml(text):
    load(ADAM.replace("beta_1*m + (1 - beta_1)*g", text, 1))
    load(ADAM.replace("0 < beta_2 < 1", text, 1))


scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
structures = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(st.dictionaries(st.sampled_from(["name", "description", "hyperparameters", "state", "update", "step", "scalar_state", "reductions", "common", "references", "differences", "other"]), structures, max_size=8))
def test_random_structures(data):
    load(yaml.safe_dump(data))


@FUZZ
@given(st.data())
def test_line_mutations_of_real_specs(data):
    lines = data.draw(st.sampled_from([ADAM, NADAM])).splitlines()
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["drop", "duplicate", "swap", "dedent"]))
        if action == "drop":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        else:
            lines[i] = lines[i].lstrip()
    load("\n".join(lines))


EQUATION_LINE = ADAM.splitlines().index("  - m = beta_1*m + (1 - beta_1)*g") + 1
HOSTILE = [
    "m = __import__('os').system('touch /tmp/pwned')",
    "m = ().__class__.__bases__[0].__subclasses__()",
    "m = [x for x in ()]",
    "m = (lambda: 1)()",
    "m = eval('1')",
    "m = exec('1')",
    "m = open('/etc/passwd')",
    "m = g**(9**9**9)",
    "m = " + "(" * 500 + "g" + ")" * 500,
    "m = " + "g+" * 3000 + "g",
    "m = __builtins__",
    "m = np",
    "m = self",
    "m = torch",
    "m = math",
]


@pytest.mark.parametrize("expression", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_expressions_are_spec_errors(expression):
    err = load(ADAM.replace("  - m = beta_1*m + (1 - beta_1)*g", "  - " + json.dumps(expression)))
    assert isinstance(err, SpecError)
    assert err.line == EQUATION_LINE, err
    assert not Path("/tmp/pwned").exists()


@pytest.mark.parametrize(
    "name",
    ["self", "np", "torch", "math", "int", "float", "double", "template", "threadIdx", "blockDim", "HD", "INFINITY", "sqrtf", "lambda", "class", "__init__", "_s0", "_c0", "a-b", "1x", "x" * 41],
)
def test_names_that_collide_with_keywords_or_generated_code_are_refused(name):
    err = load(ADAM.replace("  m:\n    init: 0", f"  {json.dumps(name)}:\n    init: 0", 1))
    assert isinstance(err, SpecError), name
    assert any(words in err.message for words in ("reserved", "not a valid identifier", "must start with a lowercase"))


@pytest.mark.parametrize("key,value", [("keras_name", "../../x"), ("keras_name", "a/b"), ("name", "..")])
def test_names_cannot_reach_outside_generated(key, value):
    err = load(ADAM.replace("name: Adam", f"name: Adam\n{key}: {json.dumps(value)}" if key == "keras_name" else f"name: {json.dumps(value)}", 1))
    assert isinstance(err, SpecError)


def test_yaml_billion_laughs_is_refused_at_once():
    bomb = "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n"
    for i in range(1, 9):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}"] * 9) + "]\n"
    err = load(bomb)
    assert isinstance(err, SpecError) and "anchors and aliases" in err.message

