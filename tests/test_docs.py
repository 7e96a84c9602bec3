"""The docs: the PDF builds clean, its checker catches problems, docs and code change together
from one spec edit, and every argument of every class is documented with its default."""

from __future__ import annotations

import inspect
import shutil
from pathlib import Path

import pytest

import generated.numpy as G
from generator.build import generate
from generator.docs import DocsError, build_pdf
from generator.text import tex_text

ROOT = Path(__file__).resolve().parent.parent
needs_tex = pytest.mark.skipif(shutil.which("latexmk") is None, reason="latexmk is not installed")


@needs_tex
def test_the_pdf_builds_without_overfull_boxes_or_undefined_references(tmp_path):
    pdf = build_pdf(ROOT / "generated" / "docs", tmp_path)
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 50_000


@needs_tex
@pytest.mark.parametrize(
    "inject,words",
    [
        ("\\noindent\\mbox{" + "x" * 400 + "}\n\n", "Overfull"),
        ("See \\ref{sec:nowhere} and \\cite{nobody}.\n\n", "undefined"),
    ],
)
def test_the_checker_reports_problems(tmp_path, inject, words):
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "generated" / "docs", docs)
    tex = docs / "adam.tex"
    tex.write_text(tex.read_text().replace("\\subsection*{Arguments}", inject + "\\subsection*{Arguments}"))
    with pytest.raises(DocsError, match=words):
        build_pdf(docs, tmp_path / "out")


LONG = """\
name: Lengthy
description: A spec with a long update, to show how long equations break.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Learning rate.}
  beta_1: {default: 0.9, domain: 0 < beta_1 < 1, doc: One.}
  beta_2: {default: 0.99, domain: 0 < beta_2 < 1, doc: Two.}
state:
  m: {init: 0, doc: Momentum.}
update:
  - m = beta_1*m + (1 - beta_1)*g
  - p = p - lr*m/(sqrt(abs(m) + beta_2**t) + 1) - lr*beta_1*sqrt(abs(g*m) + 1)/(1 + beta_2*abs(p)) + lr*beta_2*exp(-abs(g))*m/(1 + m*m) - lr*log(1 + abs(p*g)) + lr*beta_1*beta_2*g*m*p/(1 + abs(g*m*p) + beta_1**t) - lr*sqrt(1 + m**4)*sign(g)
"""


def _lengthy_docs(tmp_path, split: bool):
    from generator.backends import docs as docs_backend
    from generator.build import prepare
    from generator.model import parse_spec
    from generator.render import render

    spec = parse_spec(LONG, "specs/lengthy.yaml", "lengthy")
    limit = docs_backend.LONG_LINE
    docs_backend.LONG_LINE = limit if split else 10**6
    try:
        files = render([o for o in docs_backend.BACKEND.outputs(prepare([spec])) if o.path == "docs/lengthy.tex"])
    finally:
        docs_backend.LONG_LINE = limit
    docs = tmp_path / ("split" if split else "unsplit")
    shutil.copytree(ROOT / "generated" / "docs", docs)
    (docs / "adam.tex").write_text(files["docs/lengthy.tex"])  # stands in for one section
    return docs, files["docs/lengthy.tex"]


@needs_tex
def test_long_equations_break_across_lines_and_fit_the_page(tmp_path):
    docs, text = _lengthy_docs(tmp_path, split=True)
    assert "\\notag \\\\ &\\qquad" in text, "the long update was not split"
    build_pdf(docs, tmp_path / "out")  # raises on any overfull box
    unsplit, _ = _lengthy_docs(tmp_path, split=False)
    with pytest.raises(DocsError, match="Overfull"):  # what the split prevents
        build_pdf(unsplit, tmp_path / "out2")


def test_changing_an_equation_changes_the_code_and_the_docs_together(tmp_path):
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    spec = tmp_path / "specs" / "adam.yaml"
    spec.write_text(spec.read_text().replace("  - m = beta_1*m + (1 - beta_1)*g\n", "  - m = beta_1*m + (1 - beta_1)*g**3\n"))
    before, after = generate(), generate(tmp_path)
    changed = sorted(path for path in before if before[path] != after[path])
    assert changed == ["cuda/adam.cuh", "docs/adam.tex", "docs/md/adam.md", "keras/adam.py", "numpy/adam.py", "optax/adam.py", "torch/adam.py"], changed
    assert "*_new_m = _stored_m;" in after["cuda/adam.cuh"] and "g * g * g" in after["cuda/adam.cuh"]
    assert "m_{t} &= \\beta_1 m_{t-1} + g_{t}^{3} \\left(1 - \\beta_1\\right)" in after["docs/adam.tex"]
    assert "g_{t}^{3}" in after["docs/md/adam.md"]
    assert "np.multiply(_s0, g, out=_s0)" in after["numpy/adam.py"]  # g**3 = g*g*g


@pytest.mark.parametrize("name", sorted(G.OPTIMIZERS))
def test_every_argument_is_documented_with_its_default(name):
    cls = G.OPTIMIZERS[name]
    module = cls.__module__.rsplit(".", 1)[-1]
    tex = (ROOT / "generated" / "docs" / f"{module}.tex").read_text()
    md = (ROOT / "generated" / "docs" / "md" / f"{module}.md").read_text()
    index = (ROOT / "generated" / "docs" / "md" / "index.md").read_text()
    signature = inspect.signature(cls.__init__)
    arguments = [p for p in signature.parameters.values() if p.name != "self"]
    assert arguments
    for p in arguments:
        assert f"{p.name}={p.default!r}" in tex.replace("\n", " ").replace("  ", ""), p.name
        assert f"{tex_text(p.name)} & {tex_text(repr(p.default))} &" in tex, p.name
        assert f"- **{p.name}** (default `{p.default!r}`" in md, p.name
        assert f"- **{p.name}** (default `{p.default!r}`" in index, p.name
    table = tex.split("\\subsection*{Arguments}", 1)[1]
    body = table.split("\\midrule", 1)[1].split("\\bottomrule", 1)[0]
    assert len(body.strip().splitlines()) == len(arguments), "one table row per argument"


@needs_tex
def test_names_with_underscores_build_a_clean_pdf(tmp_path):
    """A flag named relative_step once gave "Missing $ inserted", a state step_size without a
    latex field "Double subscript" (issue 13): the build succeeded and the PDF failed."""
    from generator.build import outputs
    from generator.model import parse_spec
    from generator.render import render

    spec = (ROOT / "specs" / "adam.yaml").read_text().replace("  amsgrad:", "  relative_step:", 1)
    spec = spec.replace("amsgrad", "relative_step").replace("vhat", "step_size").replace("latex: \\hat{v}", "")
    files = render([o for o in outputs([parse_spec(spec, "specs/underscored.yaml", "underscored")]) if o.path.startswith("docs/")])
    assert "\\text{relative\\_step}" in files["docs/underscored.tex"]
    # a word after "_" is part of the name, not a subscript (it read as step_{size})
    assert "\\mathrm{step\\_size}_{t}" in files["docs/underscored.tex"]
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("optimizers.tex", "underscored.tex"):
        (docs / name).write_text(files[f"docs/{name}"])
    build_pdf(docs, tmp_path / "out")


@needs_tex
def test_a_matrix_function_with_underscores_and_no_latex_builds_a_clean_pdf(tmp_path):
    """specs/muon.yaml with its matrix function, argument, values and hyperparameters renamed
    with underscores and every latex: key removed: the docs print them by name."""
    import re

    from generator.build import outputs
    from generator.model import parse_spec
    from generator.render import render

    spec = (ROOT / "specs" / "muon.yaml").read_text()
    spec = re.sub(r"\n *latex: .*", "", spec)
    for old, new in [("orthogonalize", "polar_step"), ("gram", "gram_of_x"), ("poly", "poly_of_x"), ("argument: x", "argument: x_in")]:
        spec = spec.replace(old, new)
    head, rest = spec.split("matrix_functions:")
    functions, tail = rest.split("\nstate:")
    spec = head + "matrix_functions:" + re.sub(r"\bx\b", "x_in", functions) + "\nstate:" + tail
    files = render([o for o in outputs([parse_spec(spec, "specs/underscored.yaml", "underscored")]) if o.path.startswith("docs/")])
    tex = files["docs/underscored.tex"]
    assert "\\operatorname{polar\\_step}\\left(" in tex and "latex" not in spec
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("optimizers.tex", "underscored.tex"):
        (docs / name).write_text(files[f"docs/{name}"])
    build_pdf(docs, tmp_path / "out")
