"""Builds are atomic and reproducible: an exception anywhere in a build leaves generated/
exactly as it was, and builds in different places give identical bytes."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from generator import build as build_mod
from generator import render
from generator.errors import GenerationError


def snapshot(root: Path) -> dict[str, str]:
    """Every file under generated/, temporary files included."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((root / "generated").rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def edit_specs(root: Path):
    for name in ("adam.yaml", "sgd.yaml", "rmsprop.yaml"):
        spec = root / "specs" / name
        spec.write_text(spec.read_text().replace("doc: Learning rate.", "doc: The learning rate.", 1))


def test_an_exception_while_rendering_leaves_generated_as_it_was(repo_copy, monkeypatch):
    before = snapshot(repo_copy)
    edit_specs(repo_copy)
    original = render.black.format_str
    calls = {"n": 0}

    def failing(text, mode):
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("injected failure while formatting")
        return original(text, mode=mode)

    monkeypatch.setattr(render.black, "format_str", failing)
    # the failure reaches the CLI as a GenerationError that names the spec and the file
    with pytest.raises(GenerationError, match=r"^specs/\w+\.yaml: generated/\S+: RuntimeError: injected"):
        render.write(build_mod.generate(repo_copy), repo_copy / "generated")
    assert snapshot(repo_copy) == before


def test_an_exception_while_writing_leaves_generated_as_it_was(repo_copy, monkeypatch):
    before = snapshot(repo_copy)
    edit_specs(repo_copy)
    files = build_mod.generate(repo_copy)
    assert len(render.plan(files, repo_copy / "generated")[0]) >= 3, "the edit must change several files"
    real_replace = os.replace
    calls = {"n": 0}

    def failing_replace(src, dst):
        calls["n"] += 1
        if calls["n"] == 3:  # two files are already in place
            raise OSError("injected failure while replacing")
        return real_replace(src, dst)

    monkeypatch.setattr(render.os, "replace", failing_replace)
    with pytest.raises(OSError, match="injected"):
        render.write(files, repo_copy / "generated")
    assert calls["n"] == 3
    assert snapshot(repo_copy) == before, "files were left changed or temporary files remain"


def test_builds_in_different_places_give_identical_bytes(repo_copy, tmp_path):
    other = tmp_path / "elsewhere" / "deeper"
    shutil.copytree(repo_copy, other)
    for root in (repo_copy, other):
        shutil.rmtree(root / "generated")
        (root / "generated").mkdir()
        render.write(build_mod.generate(root), root / "generated")
    assert snapshot(repo_copy) == snapshot(other)
    text = "".join((repo_copy / "generated" / p).read_text() for p in ("numpy/adam.py", "docs/adam.tex"))
    assert str(repo_copy) not in text and str(tmp_path) not in text


# ---------------------------------------------------------------- modes and links (issue 11, item 11)


def test_written_files_keep_their_mode_or_take_the_umask_default(repo_copy):
    target = repo_copy / "generated"
    adam = target / "numpy" / "adam.py"
    adam.chmod(0o664)
    (target / "numpy" / "sgd.py").unlink()
    edit_specs(repo_copy)
    old = os.umask(0o022)
    try:
        written, _ = render.write(build_mod.generate(repo_copy), target)
    finally:
        os.umask(old)
    assert "numpy/adam.py" in written and "numpy/sgd.py" in written
    assert adam.stat().st_mode & 0o777 == 0o664, "a replaced file keeps its mode"
    assert (target / "numpy" / "sgd.py").stat().st_mode & 0o777 == 0o644, "a new file takes the umask's default, not 0600"


def test_a_symlinked_folder_inside_generated_is_refused_and_nothing_is_written(repo_copy, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    docs = repo_copy / "generated" / "docs"
    shutil.move(str(docs), str(outside / "docs"))
    docs.symlink_to(outside / "docs")
    edit_specs(repo_copy)
    before = {p: p.read_bytes() for p in (outside / "docs").rglob("*") if p.is_file()}
    with pytest.raises(render.OutputError, match="generated/docs is a symbolic link"):
        render.write(build_mod.generate(repo_copy), repo_copy / "generated")
    assert {p: p.read_bytes() for p in (outside / "docs").rglob("*") if p.is_file()} == before


def test_the_command_line_reports_a_symlink_without_a_traceback(repo_copy, tmp_path):
    import subprocess
    import sys

    (repo_copy / "generated" / "link").symlink_to(tmp_path)
    done = subprocess.run([sys.executable, "-m", "generator", "build"], cwd=repo_copy, capture_output=True, text=True)
    assert done.returncode == 2
    assert "is a symbolic link" in done.stderr and "nothing was written" in done.stderr
    assert "Traceback" not in done.stderr
