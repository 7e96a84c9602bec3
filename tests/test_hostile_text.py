"""Spec text (descriptions, docs, titles, differences, URLs, latex fields) is untrusted: it is
refused at load with file:line when it holds what documentation has no use for, and escaped
for every language it reaches, so it can never become code or markup.

Each attack of issue 11 is run here as written, and hypothesis varies the text of every
free-text field: whatever it is, the outcome is a file:line error or a package whose Python
has the same syntax tree as with harmless text (the text stays inside string constants),
whose Markdown renders no HTML, link or heading of its own, and whose LaTeX holds no
command of its own.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from generator import SpecError
from generator.build import outputs
from generator.model import parse_spec
from generator.render import render, write
from generator.text import md_text, python_docstring, tex_text, text_problem

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ("description", "doc", "title", "differences")


def spec_text(description="Toy optimizer.\n\nMore about it.", doc="Learning rate.", title="A paper",
              differences="Keras 3 differs.", url="https://example.org/paper", latex=r"\eta"):
    """A small valid spec whose free-text fields are the arguments (YAML-quoted)."""
    q = lambda text: json.dumps(text, ensure_ascii=False)  # noqa: E731 - JSON strings are YAML
    return f"""\
name: Toy
description: {q(description)}
hyperparameters:
  learning_rate:
    default: 0.1
    domain: learning_rate >= 0
    doc: {q(doc)}
    latex: {q(latex)}
state:
  m: {{init: 0, doc: {q(doc)}}}
update:
  - m = 0.5*m + g
  - p = p - lr*m
references:
  - title: {q(title)}
    url: {q(url)}
differences:
  keras3: {q(differences)}
"""


def parse(text):
    return parse_spec(text, "specs/toy.yaml", "toy")


def rendered(text) -> dict[str, str]:
    return render([o for o in outputs([parse(text)]) if "toy" in o.path])


BENIGN = rendered(spec_text())


# ---------------------------------------------------------------- the attacks as reported

PAYLOAD = 'Hostile."""; import os; os.system("id > pwned"); """'


def test_a_docstring_breakout_builds_into_a_package_whose_import_runs_nothing(tmp_path):
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "toy.yaml").write_text(spec_text(description=PAYLOAD + "\n\nDetails " + PAYLOAD))
    from generator.build import generate

    write(generate(tmp_path), tmp_path / "generated")
    probe = """
import json, sys
events = []
RUNS = ("os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.fork", "os.kill", "subprocess.Popen", "socket.connect", "shutil.rmtree")
sys.addaudithook(lambda event, args: events.append(event) if event in RUNS else None)
import generated.numpy, generated.torch, generated.host.toy, generated.tests.test_toy, generated.tests.test_torch_toy
from generated.numpy import Toy
print(json.dumps({"events": events, "doc": Toy.__doc__.splitlines()[0], "file": generated.__file__}))
"""
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)}, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["file"].startswith(str(tmp_path)), "the test must import the package it built"
    assert report["events"] == [], f"importing the package ran {report['events']}"
    assert report["doc"] == PAYLOAD, "the text is the docstring, character for character"
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize(
    "text,what",
    [
        ("a\x00b", "U+0000"),
        ("a\x1b[31mred", "U+001B"),  # a terminal escape
        ("safe \u202e evil", "U+202E"),  # a bidi override
        ("zero\u200bwidth", "U+200B"),
        ("line\u2028separator", "U+2028"),
        ("private \ue000 use", "U+E000"),
        ("tab\there", "U+0009"),
    ],
)
@pytest.mark.parametrize("field", FIELDS)
def test_characters_with_no_place_in_docs_are_refused_with_file_and_line(field, text, what):
    source = spec_text(**{field: text})
    with pytest.raises(SpecError) as info:
        parse(source)
    err = info.value
    assert what in err.message
    line = next(i for i, row in enumerate(source.split("\n"), 1) if json.dumps(text, ensure_ascii=False) in row)
    assert err.line == line and str(err).startswith(f"specs/toy.yaml:{line}: ")


def test_python_escapes_in_text_stay_text():
    summary = "Uses \\N{bogus} and \\x00, a quote\" and a backslash \\"
    files = rendered(spec_text(description=summary, doc='say "x"'))
    for path in ("numpy/toy.py", "torch/toy.py"):
        module = ast.parse(files[path])
        assert ast.get_docstring(module, clean=False).split("\n")[0] == summary
        compile(files[path], path, "exec")  # and the whole module compiles


@pytest.mark.parametrize(
    "url",
    [
        r"https://x}\input{/etc/passwd}\url{x",
        "javascript:alert(1)",
        "https://x.org/a b",
        "https://x.org/<script>",
        'https://x.org/"onmouseover',
        "file:///etc/passwd",
        "https://x.org/\\",
    ],
)
def test_reference_urls_are_http_urls_of_url_characters(url):
    source = spec_text(url=url)
    with pytest.raises(SpecError) as info:
        parse(source)
    line = source.splitlines().index(f"    url: {json.dumps(url)}") + 1
    assert info.value.line == line and "URL" in info.value.message


@pytest.mark.parametrize(
    "latex",
    [
        r"\input{/etc/passwd}",
        r"\openin1=/proc/self/environ",
        r"\immediate\write18{id}",
        r"\write\x{y}",
        r"\gdef\section#1{}",
        r"\loop\iftrue\repeat",
        r"\csname input\endcsname",
        r"\catcode`\^=7",
        r"x^^5cinput",  # TeX's ^^ notation spells a backslash
        r"\def\x{\x}\x",
        r"x$ \input{a} $",
        r"x} \input{a} {",
        r"a % comment",
        r"x_1_2",
        r"\text{\input{a}}",
        r"\hat",
        "[click me](//evil.example/x)",  # a Markdown link in the $...$ of the .md docs
    ],
)
def test_latex_fields_outside_the_grammar_are_refused_with_file_and_line(latex):
    source = spec_text(latex=latex)
    with pytest.raises(SpecError) as info:
        parse(source)
    line = source.splitlines().index(f"    latex: {json.dumps(latex)}") + 1
    assert info.value.line == line, info.value
    assert "latex" in info.value.message


def test_markdown_text_cannot_inject_html_links_or_headings():
    hostile = "<script>alert(1)</script> [click](javascript:alert(1)) ![i](x)\n\n# Injected heading\n\n> quote"
    files = rendered(spec_text(description=hostile, doc=hostile, title=hostile, differences=hostile))
    benign = _markdown_shape(BENIGN["docs/md/toy.md"])
    shape = _markdown_shape(files["docs/md/toy.md"])
    assert shape == benign, "the hostile text changed the page's structure"
    assert "<script" not in files["docs/md/toy.md"]


# ---------------------------------------------------------------- every text, fuzzed

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TEXT = st.text(min_size=1, max_size=60).filter(lambda s: s.strip())


@FUZZ
@given(field=st.sampled_from(FIELDS), text=TEXT)
def test_any_text_in_any_field_is_refused_at_its_line_or_stays_text(field, text):
    try:
        files = rendered(spec_text(**{field: text}))
    except SpecError as err:
        assert err.path == "specs/toy.yaml" and err.line is not None, err
        return
    for path in ("numpy/toy.py", "torch/toy.py", "host/toy.py"):
        assert _python_shape(files[path]) == _python_shape(BENIGN[path]), f"{path}: the text changed the code"
    assert _markdown_shape(files["docs/md/toy.md"]) == _markdown_shape(BENIGN["docs/md/toy.md"])
    _assert_only_our_tex(files["docs/toy.tex"], BENIGN["docs/toy.tex"])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_escapers_keep_any_allowed_text_inert(text):
    if text_problem(text):
        return
    assert ast.literal_eval('"""' + python_docstring(text) + '"""') == text
    tokens = _md.parse(md_text(text) or "x")
    assert [t.type for t in tokens] in (["paragraph_open", "inline", "paragraph_close"], [])
    for child in tokens[1].children if tokens else []:
        assert child.type in ("text", "text_special", "code_inline", "softbreak"), (text, child.type)
    _assert_inert_tex(tex_text(text))


# ---------------------------------------------------------------- helpers

_md = MarkdownIt("commonmark", {"html": True})
_md.validateLink = lambda url: True  # show every link, so that a test can refuse it


def _markdown_shape(text: str) -> list[str]:
    """The page's block and inline structure: token types, heading levels, link targets;
    not the words."""
    shape = []
    for token in _md.parse(text):
        if token.type not in ("paragraph_open", "paragraph_close", "inline"):  # text may hold paragraphs
            shape.append(f"{token.type}:{token.tag}")
        for child in token.children or ():
            if child.type in ("html_inline", "link_open", "image", "em_open", "strong_open"):
                shape.append(f"{child.type}:{child.attrs.get('href', '')}")
    return shape


def _python_shape(source: str) -> str:
    """The syntax tree with every string constant blanked."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
    return ast.dump(tree)


_TEX_ALLOWED = set(
    r"textbackslash & % $ # _ { } textasciitilde textasciicircum ( ) texttt allowbreak dots "
    r"bullet pm cdot times div approx neq leq geq infty rightarrow surd circ ss ae AE o O i "
    r"l L ` ' ^ ~ = u . r H v c alpha beta gamma delta epsilon zeta eta theta iota kappa "
    r"lambda mu nu xi pi rho varsigma sigma tau upsilon phi chi psi omega Gamma Delta Theta "
    r"Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()
) | {'"'}


def _assert_inert_tex(out: str):
    """Only the escapes' own commands, balanced braces and math shifts, and no character TeX
    acts on outside a command."""
    commands = re.findall(r"\\([A-Za-z]+|.)", out)
    assert set(commands) <= _TEX_ALLOWED, set(commands) - _TEX_ALLOWED
    bare = re.sub(r"\\([A-Za-z]+|.)", "", out)
    assert not set(bare) & set("$&#%^_~\\"), out
    depth = 0
    for ch in bare:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0, out
    assert depth == 0, out
    assert out.count(r"\(") == out.count(r"\)"), out


def _assert_only_our_tex(text: str, benign: str):
    """The section's commands are the benign section's, plus the escapes' own."""
    ours = set(re.findall(r"\\([A-Za-z]+)", benign))
    theirs = set(re.findall(r"\\([A-Za-z]+)", text))
    assert theirs <= ours | _TEX_ALLOWED, theirs - ours - _TEX_ALLOWED
