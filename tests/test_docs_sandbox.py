"""The PDF build reads nothing outside the docs and the TeX installation, writes nothing that
outlives it, and stops: shown by planting the attacks of issue 11 straight into the .tex
files (the spec checks keep them out of generated .tex; this is the second wall), and by
building a spec whose text uses every escape."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from generator import docs as docs_module
from generator.build import outputs
from generator.docs import DocsError, build_pdf
from generator.model import parse_spec
from generator.render import render

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(shutil.which("latexmk") is None, reason="latexmk is not installed")
SECRET = Path("/etc/hostname") if Path("/etc/hostname").exists() else Path("/etc/passwd")


def planted(tmp_path, tex: str) -> Path:
    """A copy of generated/docs with ``tex`` at the start of Adam's section."""
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "generated" / "docs", docs)
    adam = docs / "adam.tex"
    adam.write_text(adam.read_text().replace("\\subsection*{Arguments}", tex + "\n\\subsection*{Arguments}", 1))
    return docs


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize(
    "tex",
    [
        f"\\input{{{SECRET}}}",
        f"\\newread\\secret \\openin\\secret={SECRET} \\read\\secret to\\line \\line",
        "\\input{../../../../../../etc/hostname}",
    ],
    ids=["input", "openin", "parent"],
)
def test_tex_cannot_read_files_of_the_machine(tmp_path, tex):
    secret = SECRET.read_text().split()[0]
    with pytest.raises(DocsError) as info:
        build_pdf(planted(tmp_path, tex), tmp_path / "out")
    assert secret not in str(info.value)
    assert not (tmp_path / "out" / "optimizers.pdf").exists()


def test_the_recorder_check_catches_a_read_the_sandbox_missed(tmp_path, monkeypatch):
    """With kpathsea's openin_any relaxed, the list of files TeX read still fails the build."""
    strict = docs_module.sandbox_environment
    monkeypatch.setattr(docs_module, "sandbox_environment", lambda work: {**strict(work), "openin_any": "a"})
    with pytest.raises(DocsError, match=f"outside the docs folder.*\n{SECRET}"):
        build_pdf(planted(tmp_path, f"\\input{{{SECRET}}}"), tmp_path / "out")


def test_tex_cannot_write_outside_or_leave_files_for_the_next_build(tmp_path):
    out = tmp_path / "out"
    writer = (
        "\\newwrite\\w \\immediate\\openout\\w=hyperref.cfg "
        "\\immediate\\write\\w{\\noexpand\\errmessage{planted}} \\immediate\\closeout\\w "
        "\\immediate\\openout\\w=../escaped.tex \\immediate\\closeout\\w"
    )
    with pytest.raises(DocsError):  # writing ../escaped.tex is refused (openout_any=p)
        build_pdf(planted(tmp_path, writer), out)
    assert not (tmp_path / "escaped.tex").exists() and not (tmp_path / "docs" / "escaped.tex").exists()
    # what TeX did write (hyperref.cfg) was in a folder that is gone: the next build is clean
    (tmp_path / "docs" / "hyperref.cfg").write_text("\\errmessage{planted beside the sources}")
    (out / "hyperref.cfg").write_text("\\errmessage{planted in the output folder}")
    build_pdf(ROOT / "generated" / "docs", out)
    assert (out / "optimizers.pdf").exists()


def test_shell_escape_is_off(tmp_path):
    marker = tmp_path / "shell-escape-ran"
    with pytest.raises(DocsError):
        build_pdf(planted(tmp_path, f"\\immediate\\write18{{touch {marker}}}\\errmessage{{done}}"), tmp_path / "out")
    assert not marker.exists()


def test_a_tex_loop_is_stopped_with_its_whole_process_group(tmp_path):
    with pytest.raises(DocsError, match="did not finish within 5 s and was stopped"):
        build_pdf(planted(tmp_path, "\\loop\\iftrue\\repeat"), tmp_path / "out", time_limit=5)
    left = [pid for pid in os.listdir("/proc") if pid.isdigit() and _runs_tex_in_a_sandbox(pid)]
    assert not left, f"TeX processes left running: {left}"


def _runs_tex_in_a_sandbox(pid: str) -> bool:
    try:
        cwd = os.readlink(f"/proc/{pid}/cwd")
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return "ocg-docs-" in cwd and (b"pdflatex" in command or b"latexmk" in command)


TEXT = (
    'Every escape: \\ & % $ # _ { } ~ ^ < > | "quoted" `code_span` — – ‘’ “” … • ° ± · × ÷ − ≈ '
    "≠ ≤ ≥ ∞ → √ ß æ Æ ø Ø ı ł Ł αβγ ΓΔΩ µ é è ê ë ñ ç ů ő ž ą 中文 😀 "
    + "Averyveryverylongwordwithoutanybreakpointsthatwouldoverflowanarrowcolumn"
)
URL = "https://example.org/a_b~c/d%20e?x=1&y=(2)#frag!$'*+,;=@:[0]"


def test_a_spec_using_every_escape_builds_a_clean_pdf(tmp_path):
    spec = (ROOT / "specs" / "sgd.yaml").read_text()
    spec = spec.replace("  Stochastic gradient descent optimizer.", "  " + TEXT, 1)  # a block scalar
    spec = spec.replace("    doc: Learning rate.", f"    doc: {json.dumps(TEXT, ensure_ascii=False)}", 1)
    spec += f"references:\n  - title: {json.dumps(TEXT, ensure_ascii=False)}\n    url: {json.dumps(URL)}\n"
    spec = spec.replace("name: SGD", "name: Escapes", 1)
    files = render([o for o in outputs([parse_spec(spec, "specs/escapes.yaml", "escapes")]) if o.path.startswith("docs/")])
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("optimizers.tex", "escapes.tex"):  # the whole document, of this one spec
        (docs / name).write_text(files[f"docs/{name}"])
    pdf = build_pdf(docs, tmp_path / "out")  # raises on errors, overfull boxes, undefined refs
    text = unicodedata.normalize("NFC", " ".join(pdf_text(pdf).split()))  # accents are composed
    for words in ("Every escape: \\ & % $ #", "< > | “quoted”", "ß æ", "é è", "[U+4E2D]", "[U+1F600]", "a_b~c/d%20e?x=1&y=(2)#frag"):
        assert words in text, words


def test_valid_specs_that_once_broke_the_pdf_build_a_clean_one(tmp_path):
    """Found by a red-team pass: an underscore in the class name, names SymPy reads as
    \\mathscr or a prime (yscr, vprm), and a tiny literal that folded into a 200-digit fraction."""
    spec = (ROOT / "specs" / "sgd.yaml").read_text().replace("name: SGD", "name: My_Sgd", 1)
    spec = spec.replace("hyperparameters:\n", "hyperparameters:\n  yscr: {default: 0.5, doc: Unused.}\n", 1)
    spec = spec.replace("state:\n", "state:\n  vprm: {init: 0, doc: A second velocity.}\n", 1)
    spec = spec.replace("  - velocity = momentum*velocity - lr*g\n",
                        "  - velocity = momentum*velocity - lr*g\n  - vprm = vprm**2*yscr + 1e-200*g\n", 1)
    files = render([o for o in outputs([parse_spec(spec, "specs/odd_names.yaml", "odd_names")]) if o.path.startswith("docs/")])
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("optimizers.tex", "odd_names.tex"):
        (docs / name).write_text(files[f"docs/{name}"])
    build_pdf(docs, tmp_path / "out")
