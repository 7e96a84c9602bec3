"""Shared fixtures for the generator's own tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The workers of `pytest -n auto` share the cores. OpenMP threads that spin while they wait
# (libgomp's default, in torch's thread pool and in the kernels' own) take the cores from the
# other worker: two copies of the digits training test took 92 s side by side on 2 cores, and
# 14 s with passive waiting; the whole CI 884 s instead of 1,017. (A process alone pays for it:
# the digits training run of small steps takes 0.46 s passive, 0.19 s spinning; the library
# leaves the default to its users.) Set before anything loads libgomp (this runs before the test
# modules import torch; the kernels' libgomp loads with the first kernel), inherited by the
# tests' child processes; a policy the caller set wins.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")


@pytest.fixture
def repo_copy(tmp_path) -> Path:
    """A copy of the generator, templates, specs and generated tree to build in."""
    for name in ("generator", "templates", "specs", "generated"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path
