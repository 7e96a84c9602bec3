"""The build driver, stage by stage (pystencils' kernel-creation driver is the model):

1. load: read and check every spec (``generator.model``), which specialises every flag
   combination and refuses an invalid one with its file and line;
2. lower: build each variant's IR once (``generator.ir.lower``);
3. support: ask each backend which lowered specs it prints;
4. render: each backend turns the lowered specs into outputs (templates and view models),
   rendered in memory (``generator.render``);
5. the CLI then checks or writes ``generated/`` all or nothing.
"""

from __future__ import annotations

from pathlib import Path

from .backends import cuda, docs, host, numpy, tests, torch
from .backends.base import Backend, Build
from .errors import SpecError, context
from .ir import LoweredSpec, lower
from .model import Spec, load_spec
from .paths import GENERATED, ROOT
from .render import SHARED_SOURCE, Output, render

BACKENDS: dict[str, Backend] = {
    b.name: b
    for b in (host.BACKEND, numpy.BACKEND, torch.BACKEND, cuda.BACKEND, docs.BACKEND, tests.BACKEND)
}
PACKAGE_BACKENDS = (
    "numpy",
    "torch",
)  # the importable optimizer packages, for the package docstring


def spec_files(root: Path = ROOT) -> list[Path]:
    return sorted((root / "specs").glob("*.yaml"))


def load_specs(root: Path = ROOT) -> list[Spec]:
    """Stage 1. Every spec, in file-name order; the first invalid one raises SpecError."""
    specs = []
    for path in spec_files(root):
        with context(str(path.relative_to(root))):  # a bug in the reader still names the spec
            specs.append(load_spec(path, root))
    seen: dict[str, str] = {}
    for s in specs:
        for key in (s.name.lower(), s.keras_name):
            if key in seen and seen[key] != s.path:
                raise SpecError(s.path, None, f"name {key!r} is already used by {seen[key]}")
            seen[key] = s.path
    return specs


def lower_all(specs: list[Spec]) -> tuple[LoweredSpec, ...]:
    """Stage 2: each variant of each spec lowered once; every backend reads these."""
    out = []
    for spec in specs:
        with context(spec.path):
            out.append(lower(spec))
    return tuple(out)


def plan_build(lowered: tuple[LoweredSpec, ...]) -> Build:
    """Stage 3: which backend prints which spec, known to every backend before any renders."""
    support = {
        name: frozenset(s.module for s in lowered if b.supports(s)) for name, b in BACKENDS.items()
    }
    return Build(lowered, support)


def prepare(specs: list[Spec]) -> Build:
    """Stages 2 and 3: what every backend renders from."""
    return plan_build(lower_all(specs))


def outputs(specs: list[Spec]) -> list[Output]:
    """Stage 4: every file of the build, as templates with their view models."""
    build = prepare(specs)
    out = [Output("__init__.py", "package/__init__.py.j2", {"backends": PACKAGE_BACKENDS})]
    for name, backend in BACKENDS.items():
        with context(f"the {name} backend", fallback=True):  # outside its per-spec views
            out += backend.outputs(build)
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
            culprit.source,
            None,
            f"generated/{output.path} would also be {whose}: rename the spec file",
        )


def generate(root: Path = ROOT) -> dict[str, str]:
    """Every generated file's text, keyed by its path under generated/: load, lower, render."""
    return render(outputs(load_specs(root)))


__all__ = [
    "BACKENDS",
    "GENERATED",
    "generate",
    "load_specs",
    "lower_all",
    "outputs",
    "prepare",
    "spec_files",
]
