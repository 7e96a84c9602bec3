"""``python -m generator docs``: the PDF of generated/docs/optimizers.tex, built by latexmk,
failing on overfull boxes and undefined references.

The .tex files hold spec text, which is untrusted; every field is escaped or parsed
(generator.text, generator.latex_grammar), and the build is sandboxed as well:

- it runs in a fresh temporary folder holding copies of the .tex files only (no
  ``hyperref.cfg`` or ``latexmkrc`` left by an earlier run can be read), with ``latexmk
  -norc`` (no Perl configuration from anywhere) and ``pdflatex -no-shell-escape``;
- kpathsea's ``openin_any=p`` and ``openout_any=p``: TeX opens no absolute path, nothing
  above its folder and no dot file; ``TEXINPUTS`` and friends are dropped from the
  environment, and the user's personal tree (``TEXMFHOME``, ``~/texmf``) is switched off;
- the recorder's list of every file TeX read (``-recorder``) is checked: a file outside the
  folder, the TeX installation's trees and its caches (``TEXMFVAR``: fonts made on demand)
  fails the build;
- a time limit stops the whole process group (latexmk and every pdflatex it started).

Only the PDF and the log are copied to ``build/docs/`` (ignored by git).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from .paths import GENERATED, ROOT

PROBLEMS = (
    re.compile(r"^Overfull \\[hv]box.*$", re.M),
    re.compile(r"^LaTeX Warning: (Reference|Citation) .* undefined.*$", re.M),
    re.compile(r"^LaTeX Warning: There were undefined references.*$", re.M),
    re.compile(r"^LaTeX Warning: Label .* multiply defined.*$", re.M),
)
TIME_LIMIT = 300  # seconds; the whole build takes about 3 on this project's machine
MAIN = "optimizers"
# Environment variables that would point TeX at other folders.
_DROPPED = (
    "TEXINPUTS",
    "TEXMFOUTPUT",
    "TEXMFCNF",
    "TEXMF",
    "TEXMFHOME",
    "BIBINPUTS",
    "BSTINPUTS",
    "LATEXMKRC",
)


class DocsError(Exception):
    """The PDF could not be built, or its log shows problems."""


def build_pdf(
    source: Path = GENERATED / "docs",
    out: Path = ROOT / "build" / "docs",
    time_limit: float = TIME_LIMIT,
) -> Path:
    latexmk = shutil.which("latexmk")
    if latexmk is None:
        raise DocsError(
            "latexmk is not installed: apt-get install -y --no-install-recommends "
            "texlive-latex-base texlive-latex-recommended latexmk"
        )
    with tempfile.TemporaryDirectory(prefix="ocg-docs-") as folder:
        work = Path(folder)
        _copy_sources(source, work)
        command = [
            latexmk,
            "-pdf",
            "-norc",
            "-recorder",
            "-halt-on-error",
            "-interaction=nonstopmode",
            "-file-line-error",
            "-pdflatex=pdflatex -no-shell-escape %O %S",
            f"{MAIN}.tex",
        ]
        returncode, output = _run(command, work, time_limit, sandbox_environment(work))
        log = (
            (work / f"{MAIN}.log").read_text(errors="replace")
            if (work / f"{MAIN}.log").exists()
            else ""
        )
        outside = _read_outside(work)
        if outside:
            raise DocsError(
                "TeX read files outside the docs folder and the TeX installation:\n"
                + "\n".join(outside[:20])
            )
        out.mkdir(parents=True, exist_ok=True)
        for suffix in (".pdf", ".log"):
            (out / f"{MAIN}{suffix}").unlink(missing_ok=True)
        if (work / f"{MAIN}.log").exists():
            shutil.copyfile(work / f"{MAIN}.log", out / f"{MAIN}.log")
        if returncode != 0:
            errors = [line for line in log.splitlines() if line.startswith(("!", "./"))][:20]
            raise DocsError("latexmk failed:\n" + "\n".join(errors or output.splitlines()[-20:]))
        found = [m.group(0) for pattern in PROBLEMS for m in pattern.finditer(log)]
        if found:
            raise DocsError(
                f"{out / (MAIN + '.log')} reports {len(found)} problem(s):\n"
                + "\n".join(found[:20])
            )
        shutil.copyfile(work / f"{MAIN}.pdf", out / f"{MAIN}.pdf")
    return out / f"{MAIN}.pdf"


def _copy_sources(source: Path, work: Path) -> None:
    """The .tex files of ``source``, and nothing else; links are refused."""
    for path in sorted(source.iterdir()):
        if path.suffix != ".tex":
            continue
        if path.is_symlink() or not path.is_file():
            raise DocsError(f"{path} is not a regular file")
        shutil.copyfile(path, work / path.name)
    if not (work / f"{MAIN}.tex").exists():
        raise DocsError(
            f"{source / (MAIN + '.tex')} does not exist: run `python -m generator build`"
        )


def sandbox_environment(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    env.update({"openin_any": "p", "openout_any": "p", "shell_escape": "f"})
    env["TEXMFHOME"] = str(work / "no-personal-tree")  # does not exist: ~/texmf is not read
    return env


def _run(command, work: Path, time_limit: float, env: dict[str, str]) -> tuple[int, str]:
    """Run in a new process group; past the limit, kill the group and say so."""
    process = subprocess.Popen(
        command,
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=time_limit)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise DocsError(
            f"the PDF build did not finish within {time_limit:g} s and was stopped "
            "(latexmk and every pdflatex it started); a loop in the .tex files?"
        ) from None
    except BaseException:
        _kill_group(process)
        raise
    return process.returncode, output


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate()


def _tex_roots(work: Path) -> list[str]:
    """The TeX installation's trees and configuration folders, as kpathsea knows them in the
    sandbox (the personal tree switched off)."""
    roots = []
    for variable in ("$TEXMF", "$TEXMFCNF", "$TEXMFDBS"):
        done = subprocess.run(
            ["kpsewhich", f"--expand-braces={variable}"],
            capture_output=True,
            text=True,
            env=sandbox_environment(work),
            check=False,
        )
        roots += [p.lstrip("!") for p in done.stdout.strip().split(":") if p.lstrip("!")]
    return sorted({os.path.realpath(p) for p in roots})


def _read_outside(work: Path) -> list[str]:
    """Files TeX read (the recorder's INPUT lines) outside ``work`` and the TeX trees."""
    recorder = work / f"{MAIN}.fls"
    if not recorder.exists():
        return []
    roots = [os.path.realpath(work)] + _tex_roots(work)
    outside = []
    for line in recorder.read_text(errors="replace").splitlines():
        if not line.startswith("INPUT "):
            continue
        path = os.path.realpath(os.path.join(work, line[len("INPUT ") :]))
        if not any(path == root or path.startswith(root + os.sep) for root in roots):
            outside.append(path)
    return sorted(set(outside))
