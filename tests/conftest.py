"""Shared fixtures for the generator's own tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo_copy(tmp_path) -> Path:
    """A copy of the generator, templates, specs and generated tree to build in."""
    for name in ("generator", "templates", "specs", "generated"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path
