"""Load every spec, render every backend in memory, then check or write ``generated/``."""

from __future__ import annotations

from pathlib import Path

from .backends import cuda as cuda_backend
from .backends import docs as docs_backend
from .backends import host as host_backend
from .backends import numpy as numpy_backend
from .backends import tests as tests_backend
from .backends import torch as torch_backend
from .errors import SpecError
from .model import Spec, load_spec
from .paths import GENERATED, ROOT
from .render import SHARED_SOURCE, Output, render

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
                raise SpecError(s.path, None, f"name {key!r} is already used by {seen[key]}")
            seen[key] = s.path
    return specs


def outputs(specs: list[Spec]) -> list[Output]:
    out = [Output("__init__.py", "package/__init__.py.j2", {"backends": ["numpy", "torch"]})]
    for backend in BACKENDS.values():
        out += backend.outputs(specs)
    _refuse_clashes(out)
    return out


def _refuse_clashes(out: list[Output]) -> None:
    """Two outputs for one path: a spec file whose name makes another file's name (index.yaml
    and docs/md/index.md, torch_adam.yaml and adam.yaml's tests/test_torch_adam.py)."""
    writers: dict[str, Output] = {}
    for output in out:
        other = writers.setdefault(output.path, output)
        if other is output:
            continue
        culprit, first = (output, other) if output.source != SHARED_SOURCE else (other, output)
        whose = "a shared file" if first.source == SHARED_SOURCE else f"a file of {first.source}"
        raise SpecError(
            culprit.source, None, f"generated/{output.path} would also be {whose}: rename the spec file"
        )


def generate(root: Path = ROOT) -> dict[str, str]:
    """Every generated file's text, keyed by its path under generated/."""
    return render(outputs(load_specs(root)))


__all__ = ["BACKENDS", "GENERATED", "generate", "load_specs", "outputs", "spec_files"]
