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

import importlib.util
import keyword
import sys
from pathlib import Path

from .backends import cuda, docs, host, keras, numpy, optax, tests, torch
from .backends.base import Backend, Build, Target
from .errors import OutputError, SpecError, context
from .ir import LoweredSpec, lower
from .model import Spec, load_spec
from .names import reserved
from .paths import GENERATED, PACKAGE, ROOT, SPECS
from .render import SHARED_SOURCE, Output, render

BACKENDS: dict[str, Backend] = {
    b.name: b
    for b in (
        host.BACKEND,
        numpy.BACKEND,
        torch.BACKEND,
        keras.BACKEND,
        optax.BACKEND,
        cuda.BACKEND,
        docs.BACKEND,
        tests.BACKEND,
    )
}
# the importable optimizer packages, for the package docstring
PACKAGE_BACKENDS = ("numpy", "torch", "keras", "optax")


def spec_files(root: Path = ROOT) -> list[Path]:
    return sorted((root / "specs").glob("*.yaml"))


def spec_paths(folders: list[Path]) -> list[Path]:
    """The spec files of ``folders``, folder by folder, each in file-name order."""
    return [f for d in folders for f in sorted(Path(d).glob("*.yaml"))]


def load_specs(root: Path = ROOT, folders: list[Path] | None = None) -> list[Spec]:
    """Stage 1. Every spec of ``folders`` (default: root/specs), in file-name order, paths
    shown relative to ``root``; the first invalid one raises SpecError."""
    return load_spec_files(spec_files(root) if folders is None else spec_paths(folders), root)


def load_spec_files(files: list[Path], root: Path) -> list[Spec]:
    """The specs of ``files``, in that order, checked against each other's names."""
    reserved()  # the generator's own names, read from its templates: no spec's error if that fails
    specs = []
    for path in files:
        with context(str(path)):  # a bug in the reader still names the spec
            specs.append(load_spec(path, root))
    refuse_shared_names(specs)
    return specs


def refuse_shared_names(specs: list[Spec]) -> None:
    """Two specs of one build with one name (module, class or Keras name)."""
    seen: dict[str, str] = {}
    for s in specs:
        for key in (s.module, s.name.lower(), s.keras_name):
            if key in seen and seen[key] != s.path:
                raise SpecError(s.path, None, f"name {key!r} is already used by {seen[key]}")
            seen[key] = s.path


def lower_all(specs: list[Spec]) -> tuple[LoweredSpec, ...]:
    """Stage 2: each variant of each spec lowered once; every backend reads these."""
    out = []
    for spec in specs:
        with context(spec.path):
            out.append(lower(spec))
    return tuple(out)


def plan_build(lowered: tuple[LoweredSpec, ...], target: Target = Target()) -> Build:
    """Stage 3: which backend prints which spec, known to every backend before any renders."""
    support = {
        name: frozenset(s.module for s in lowered if b.supports(s)) for name, b in BACKENDS.items()
    }
    return Build(lowered, support, target)


def prepare(specs: list[Spec], target: Target = Target()) -> Build:
    """Stages 2 and 3: what every backend renders from."""
    return plan_build(lower_all(specs), target)


def outputs(specs: list[Spec], target: Target = Target()) -> list[Output]:
    """Stage 4: every file of the build, as templates with their view models."""
    build = prepare(specs, target)
    out = [Output("__init__.py", "package/__init__.py.j2", {"backends": PACKAGE_BACKENDS})]
    for name, backend in BACKENDS.items():
        with context(f"the {name} backend", fallback=True):  # what its per-spec views did not place
            out += backend.outputs(build)
    _refuse_clashes(out, target.shown)
    return out


def check_specs(specs: list[Spec], files: dict[str, Path]) -> None:
    """Everything a build of ``specs`` (``files``: module -> spec file) would do, in memory:
    raises what the build would raise (a clash of output names, a spec no backend can
    print), so that a spec ``check`` passes builds."""
    refuse_shared_names(specs)
    target = Target(out=Path.cwd() / "checked", package="checked", files=files, shown="")
    render(outputs(specs, target), package="checked")


def _refuse_clashes(out: list[Output], shown: str) -> None:
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
            f"{shown}{output.path} would also be {whose}: rename the spec file",
        )


def generate(root: Path = ROOT) -> dict[str, str]:
    """Every generated file's text, keyed by its path under generated/: load, lower, render."""
    return render(outputs(load_specs(root)))


def package_name(out: Path) -> str:
    """The import name of the package ``out`` will be: its folder's name, which must be a
    Python identifier that hides no other module (the standard library's, an installed one's,
    or this tool's), and not the checkout's own generated/ or the generator itself."""
    name = out.name
    if name in ("", ".", ".."):
        raise OutputError(f"--out {out}: name the package's folder, e.g. --out mypackage")
    if not name.isidentifier() or keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise OutputError(
            f"--out {out}: the package is named after the folder, so its name must be a Python "
            f"identifier that is not a keyword (not {name!r})"
        )
    resolved = out.resolve()
    if resolved == GENERATED.resolve() or resolved == PACKAGE or PACKAGE in resolved.parents:
        raise OutputError(f"--out {out}: that is the generator's own folder")
    module = sys.modules.get(name)
    found = module.__spec__ if module is not None else importlib.util.find_spec(name)
    origin = Path(found.origin).resolve() if found is not None and found.has_location else None
    places = [Path(p).resolve() for p in (found.submodule_search_locations or [])] if found else []
    itself = resolved in places or (origin is not None and resolved in origin.parents)  # a rebuild
    if (
        name in sys.stdlib_module_names
        or name in ("generator", "generated")
        or (found is not None and not itself)
    ):
        shown = origin or (places[0] if places else "built in")
        raise OutputError(
            f"--out {out}: a package named {name!r} would hide the module of that name "
            f"({shown}); choose another folder name"
        )
    return name


def generate_package(folders: list[Path], out: Path, with_shipped: bool = False) -> dict[str, str]:
    """A user's build: the specs of ``folders`` (and the shipped ones with ``with_shipped``)
    into the package ``out``, importable as ``out.name``; paths shown relative to the working
    folder."""
    package = package_name(out)
    given = ", ".join(str(f) for f in folders)
    folders = list(dict.fromkeys(Path(f).resolve() for f in folders))  # each folder once
    folders = [*folders, SPECS] if with_shipped and SPECS.resolve() not in folders else folders
    paths = spec_paths(folders)
    if not paths:  # an empty package would be no optimizer, and its docs have no first one
        raise OutputError(f"--specs {given}: no spec files (*.yaml) there")
    specs = load_spec_files(paths, Path.cwd())
    files = {s.module: f.resolve() for s, f in zip(specs, paths)}
    target = Target(out=out.resolve(), package=package, files=files, shown=f"{out.as_posix()}/")
    return render(outputs(specs, target), package=package)


__all__ = [
    "BACKENDS",
    "GENERATED",
    "check_specs",
    "generate",
    "generate_package",
    "load_specs",
    "lower_all",
    "outputs",
    "prepare",
    "spec_files",
]
