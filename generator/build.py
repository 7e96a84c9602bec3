"""Load every spec, render every backend in memory, then check or write ``generated/``."""

from __future__ import annotations

from pathlib import Path

from .backends import cuda as cuda_backend
from .backends import docs as docs_backend
from .backends import host as host_backend
from .backends import numpy as numpy_backend
from .backends import tests as tests_backend
from .backends import torch as torch_backend
from .model import Spec, load_spec
from .render import GENERATED, ROOT, Output, render

BACKENDS = {"host": host_backend, "numpy": numpy_backend, "torch": torch_backend, "cuda": cuda_backend, "docs": docs_backend, "tests": tests_backend}


def spec_files(root: Path = ROOT) -> list[Path]:
    return sorted((root / "specs").glob("*.yaml"))


def load_specs(root: Path = ROOT) -> list[Spec]:
    """Every spec, in file-name order; the first invalid one raises SpecError."""
    specs = [load_spec(path, root) for path in spec_files(root)]
    seen: dict[str, str] = {}
    for s in specs:
        for key in (s.name.lower(), s.keras_name):
            if key in seen and seen[key] != s.path:
                from .errors import SpecError

                raise SpecError(s.path, None, f"name {key!r} is already used by {seen[key]}")
            seen[key] = s.path
    return specs


def outputs(specs: list[Spec]) -> list[Output]:
    out = [Output("__init__.py", "package/__init__.py.j2", {"backends": ["numpy", "torch"]})]
    for backend in BACKENDS.values():
        out += backend.outputs(specs)
    return out


def generate(root: Path = ROOT) -> dict[str, str]:
    """Every generated file's text, keyed by its path under generated/."""
    return render(outputs(load_specs(root)))


__all__ = ["BACKENDS", "GENERATED", "generate", "load_specs", "outputs", "spec_files"]
