"""Rendering and writing: strict Jinja, "do not edit" headers, black and clang-format, write
only what changed.

A build renders every file in memory first; nothing touches ``generated/`` unless every spec
loaded and every template rendered. Files are then replaced one by one through a temporary
file and ``os.replace``, so a reader never sees a half-written file.
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import black
import jinja2

from .c_format import format_c
from .errors import GenerationError, OutputError, context
from .paths import GENERATED, RUNTIME, TEMPLATES
from .text import md_text, md_url, python_docstring, tex_text, tex_url

DO_NOT_EDIT = "do not edit"
BLACK_MODE = black.Mode(line_length=100)


SHARED_SOURCE = "specs/*.yaml"  # the source of an output that every spec shares


@dataclass(frozen=True)
class Output:
    """A file to write: rendered from a template and its view model, or, with ``template``
    None, copied from the hand-written runtime (``generator/runtime/<path>``)."""

    path: str  # relative to generated/
    template: str | None  # relative to templates/
    context: dict = field(hash=False, compare=False)
    source: str = SHARED_SOURCE  # the spec(s) it comes from, for the header


def runtime_output(path: str) -> Output:
    """``generator/runtime/<path>``, copied to ``generated/<path>`` under a do-not-edit header."""
    return Output(path, None, {})


def python_tuple(items) -> str:
    """A Python tuple display of code strings: (), (a,) or (a, b)."""
    items = list(items)
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    # Spec text reaches an output only through the filter of that output's language.
    env.filters["py"] = repr  # a Python literal of a str, number or bool
    env.filters["pydoc"] = python_docstring  # text inside a triple-quoted docstring
    env.filters["pytuple"] = python_tuple
    env.filters["pystrings"] = lambda items: python_tuple(repr(i) for i in items)
    env.filters["tex"] = tex_text  # plain text inside LaTeX
    env.filters["texurl"] = tex_url
    env.filters["md"] = md_text  # plain text inside Markdown
    env.filters["mdurl"] = md_url
    return env


COMMENTS = {
    ".tex": ("% ", ""),
    ".md": ("<!-- ", " -->"),
    ".cu": ("// ", ""),
    ".cuh": ("// ", ""),
    ".h": ("// ", ""),
    ".c": ("// ", ""),
    ".cpp": ("// ", ""),
}


def header(output: Output) -> str:
    start, end = COMMENTS.get(Path(output.path).suffix, ("# ", ""))
    if output.template is None:
        return f"{start}copied from generator/runtime/{output.path} by python -m generator build — {DO_NOT_EDIT}{end}"
    return (
        f"{start}generated from {output.source} by templates/{output.template} — {DO_NOT_EDIT}{end}"
    )


def render(
    outputs: list[Output], env: jinja2.Environment | None = None, package: str = "generated"
) -> dict[str, str]:
    """Every output's text. ``package``: the import name of the package being generated."""
    env = env or environment()
    env.globals["package"] = package
    files: dict[str, str] = {}
    for output in sorted(outputs, key=lambda o: o.path):
        if output.path in files:
            raise ValueError(f"two outputs write generated/{output.path}")
        with context(
            f"{_origin(output) if output.template is None else output.source}: generated/{output.path}"
        ):
            files[output.path] = _text(output, env)
    return format_c(files)  # one clang-format run for every C and CUDA file


def _text(output: Output, env: jinja2.Environment) -> str:
    if output.template is None:
        # Hand-written source is black- and clang-formatted where it lives (tests/
        # test_architecture.py checks it): black over a thousand lines of it at every build
        # would double the build (clang-format's one run over all C files leaves it as it is).
        return header(output) + "\n" + (RUNTIME / output.path).read_text(encoding="utf-8")
    text = env.get_template(output.template).render(header=header(output), **output.context)
    if output.path.endswith(".py"):
        try:
            text = black.format_str(text, mode=BLACK_MODE)
        except black.InvalidInput as err:
            raise GenerationError(f"{_origin(output)} produced invalid Python: {err}") from None
    return text


def _origin(output: Output) -> str:
    return (
        f"generator/runtime/{output.path}"
        if output.template is None
        else f"templates/{output.template}"
    )


# The exact first line of a generated file (header() writes it): what marks a file as ours.
# A user's file that merely says "do not edit" is not one.
_HEADER = re.compile(
    r"(# |// |% |<!-- )(generated from \S.* by templates/[\w./-]+|copied from generator/runtime/"
    r"[\w./-]+ by python -m generator build) — do not edit( -->)?\n?"
)


def _managed(path: Path) -> bool:
    """A file the generator owns: a regular file whose first line is the generator's header."""
    if "__pycache__" in path.parts or path.is_symlink() or not path.is_file():
        return False
    try:
        with path.open(encoding="utf-8") as handle:
            return bool(_HEADER.fullmatch(handle.readline(1000)))
    except (UnicodeDecodeError, OSError):
        return False


def _in_the_way(target: Path, relative: str) -> Path | None:
    """The first path on the way to ``target/relative`` that the build may not replace: a
    non-folder where a folder must be, or, at the end, anything but a generated file."""
    parts = Path(relative).parts
    for depth in range(1, len(parts)):
        folder = target.joinpath(*parts[:depth])
        if os.path.lexists(folder) and not folder.is_dir():
            return folder
    path = target / relative
    if os.path.lexists(path) and not _managed(path):
        return path
    return None


def check_tree(target: Path) -> None:
    """Refuse an output folder that is, or holds, a symbolic link: writing through it would put
    files outside the folder (and reading through it would diff files that are not ours)."""
    if target.is_symlink():
        raise OutputError(f"{target} is a symbolic link; the build writes only into a real folder")
    if not target.exists():
        return
    if not target.is_dir():
        raise OutputError(f"{target} is not a folder")
    for folder, dirs, names in os.walk(target, followlinks=False):
        for name in sorted(dirs + names):
            path = Path(folder) / name
            if path.is_symlink():
                raise OutputError(
                    f"{path} is a symbolic link; the build writes only real files inside "
                    f"{target.name}/: remove the link"
                )


def plan(files: dict[str, str], target: Path = GENERATED):
    """What a build would change: (to write, to delete), both sorted. Refuses, before anything
    is read or written, a file of the user's (or anything not a generated file) where the build
    must write; deletes only generated files in the folders this build writes to."""
    check_tree(target)
    for p in sorted(files):  # never overwrite what the generator did not write
        blocker = _in_the_way(target, p)
        if blocker is not None:
            raise OutputError(
                f"{blocker} is in the way: it was not written by the generator, or was edited (its "
                f"first line is not the '{DO_NOT_EDIT}' header); the build replaces only its own "
                "files: move it, or choose another --out"
            )
    write = [p for p, text in sorted(files.items()) if _read(target / p) != text]
    folders = {Path(p).parent for p in files}  # a user's copies elsewhere in the tree are theirs
    existing = []
    for folder in sorted(folders):
        if (target / folder).is_dir():
            existing += [
                f"{(folder / f.name).as_posix()}"
                for f in sorted((target / folder).iterdir())
                if _managed(f)
            ]
    delete = sorted(p.removeprefix("./") for p in existing if p.removeprefix("./") not in files)
    return write, delete


def diff(files: dict[str, str], target: Path = GENERATED, label: str = "generated") -> str:
    write, delete = plan(files, target)
    chunks = []
    for p in write:
        old = _read(target / p) or ""
        chunks += difflib.unified_diff(
            old.splitlines(True), files[p].splitlines(True), f"a/{label}/{p}", f"b/{label}/{p}"
        )
    for p in delete:
        chunks += difflib.unified_diff(
            (target / p).read_text(encoding="utf-8").splitlines(True),
            [],
            f"a/{label}/{p}",
            "/dev/null",
        )
    return "".join(chunks)


def write(files: dict[str, str], target: Path = GENERATED) -> tuple[list[str], list[str]]:
    """Write what changed, all or nothing: every new file is staged as a temporary file first,
    then each is moved into place; if anything fails, the old contents are put back."""
    to_write, to_delete = plan(files, target)
    staged: list[tuple[Path, str]] = []
    old: dict[Path, bytes | None] = {}
    made: list[Path] = []  # folders this build created, removed again if it fails
    try:
        for p in to_write:
            path = target / p
            for folder in [*reversed(path.parents)]:
                if folder == target or target in folder.parents:
                    if not folder.exists():
                        folder.mkdir(parents=folder == target)
                        made.append(folder)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            staged.append((path, tmp))
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(files[p])
            os.chmod(tmp, _mode_for(path))  # mkstemp's 0600 would lock other users out
        for path in [target / p for p in to_write] + [target / p for p in to_delete]:
            old[path] = path.read_bytes() if path.exists() else None
        for path, tmp in staged:
            os.replace(tmp, path)
        for p in to_delete:
            (target / p).unlink()
    except BaseException:
        for path, content in old.items():  # put back what was there
            if content is None:
                path.unlink(missing_ok=True)
            elif not path.exists() or path.read_bytes() != content:
                path.write_bytes(content)
        for _, tmp in staged:
            Path(tmp).unlink(missing_ok=True)
        for folder in reversed(made):
            try:
                folder.rmdir()
            except OSError:
                pass
        raise
    finally:
        for _, tmp in staged:
            Path(tmp).unlink(missing_ok=True)
    return to_write, to_delete


def _mode_for(path: Path) -> int:
    """The mode of the file being replaced, or what the umask gives a new file."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _read(path: Path) -> str | None:
    """A file's text; None when there is no such file, or it is a folder or not text (a
    foreign file, which ``plan`` refuses to overwrite)."""
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, UnicodeDecodeError):
        return None
