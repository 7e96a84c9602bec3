"""``python -m generator docs``: the PDF of generated/docs/optimizers.tex, built by latexmk
into build/docs/ (ignored by git), failing on overfull boxes and undefined references."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from .render import GENERATED, ROOT

PROBLEMS = (
    re.compile(r"^Overfull \\[hv]box.*$", re.M),
    re.compile(r"^LaTeX Warning: (Reference|Citation) .* undefined.*$", re.M),
    re.compile(r"^LaTeX Warning: There were undefined references.*$", re.M),
    re.compile(r"^LaTeX Warning: Label .* multiply defined.*$", re.M),
)


class DocsError(Exception):
    """The PDF could not be built, or its log shows problems."""


def build_pdf(source: Path = GENERATED / "docs", out: Path = ROOT / "build" / "docs") -> Path:
    latexmk = shutil.which("latexmk")
    if latexmk is None:
        raise DocsError(
            "latexmk is not installed: apt-get install -y --no-install-recommends "
            "texlive-latex-base texlive-latex-recommended latexmk"
        )
    out.mkdir(parents=True, exist_ok=True)
    command = [latexmk, "-pdf", "-halt-on-error", "-interaction=nonstopmode", "-file-line-error", f"-outdir={out}", "optimizers.tex"]
    result = subprocess.run(command, cwd=source, capture_output=True, text=True, timeout=600)
    log_path = out / "optimizers.log"
    log = log_path.read_text(errors="replace") if log_path.exists() else ""
    if result.returncode != 0:
        errors = [line for line in log.splitlines() if line.startswith(("!", "./"))][:20]
        raise DocsError("latexmk failed:\n" + "\n".join(errors or result.stdout.splitlines()[-20:]))
    found = [m.group(0) for pattern in PROBLEMS for m in pattern.finditer(log)]
    if found:
        raise DocsError(f"{log_path} reports {len(found)} problem(s):\n" + "\n".join(found[:20]))
    return out / "optimizers.pdf"
