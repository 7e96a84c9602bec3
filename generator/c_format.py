"""C and CUDA output formatted by clang-format, pinned like black so the output is byte-stable.

One clang-format run formats every C-family file of a build (a process per file would cost
more than the formatting). The binary is the one of the ``clang-format`` wheel pinned in
pyproject.toml, never whatever ``clang-format`` is on the PATH: another version formats
differently, and ``build --check`` would then report a stale tree that is not.
"""

from __future__ import annotations

import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from .errors import GenerationError

VERSION = "19.1.7"  # keep in step with pyproject.toml
SUFFIXES = (".h", ".c", ".cpp", ".cu", ".cuh")
# LLVM's style with 4-space indents and 100 columns, function braces on their own line,
# includes in the order written (ocg.h includes ocg_config.h last on purpose), comments
# left as written, one-line helpers kept on one line.
STYLE = (
    "{BasedOnStyle: LLVM, IndentWidth: 4, ColumnLimit: 100, BreakBeforeBraces: Linux, "
    "SortIncludes: Never, ReflowComments: false, AllowShortFunctionsOnASingleLine: All, "
    "AllowShortIfStatementsOnASingleLine: Never, AlignEscapedNewlines: Left, "
    "Cpp11BracedListStyle: false}"
)


@lru_cache(maxsize=None)
def executable() -> str:
    try:
        import clang_format
    except ImportError:
        raise GenerationError(
            f"formatting the C output needs clang-format {VERSION}: pip install clang-format=={VERSION}"
        ) from None
    binary = Path(clang_format.__file__).parent / "data" / "bin" / "clang-format"
    try:
        version = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=60
        ).stdout
    except OSError as err:
        raise GenerationError(f"clang-format of the clang-format wheel cannot run: {err}") from None
    if f"version {VERSION}" not in version:
        raise GenerationError(
            f"clang-format {VERSION} is needed, found {version.strip()!r}: pip install clang-format=={VERSION}"
        )
    return str(binary)


def is_c(path: str) -> bool:
    return path.endswith(SUFFIXES)


def format_c(files: dict[str, str]) -> dict[str, str]:
    """``files`` with every C-family text (by path suffix) formatted; the others as they are."""
    paths = sorted(p for p in files if is_c(p))
    if not paths:
        return files
    out = dict(files)
    with tempfile.TemporaryDirectory(prefix="ocg-format-") as folder:
        # Numbered names: the folder layout of generated/ does not matter to clang-format,
        # the suffix does (.cu is CUDA).
        staged = [Path(folder) / f"{i}{Path(p).suffix}" for i, p in enumerate(paths)]
        for path, text in zip(staged, (files[p] for p in paths)):
            path.write_text(text, encoding="utf-8")
        try:
            done = subprocess.run(
                [executable(), "-i", f"--style={STYLE}", *map(str, staged)],
                capture_output=True,
                text=True,
                timeout=300,
            )
        except subprocess.TimeoutExpired:
            raise GenerationError("clang-format took more than 300 s over the C output") from None
        if done.returncode != 0:
            message = done.stderr.strip()[:2000]
            pairs = sorted(
                zip(paths, staged), key=lambda pair: -len(str(pair[1]))
            )  # 10.cu before 1.cu
            for p, path in pairs:  # say which generated file, not which temporary
                message = message.replace(str(path), f"generated/{p}")
            raise GenerationError(f"clang-format failed: {message}")
        for p, path in zip(paths, staged):
            out[p] = path.read_text(encoding="utf-8")
    return out
