"""Issue 12: the shape of the generator, checked on its source.

- no import cycle between generator modules (every import, also inside functions);
- no backend imports another backend; backends are the modules with a ``BACKEND``;
- the build imports nothing from ``generator.verify`` (reference and checks);
- the IR is built once per variant per build, and no backend lowers on its own;
- a template longer than 40 lines has per-spec content (the runtime is real source);
- a failing backend reaches the CLI user as ``spec: variant: message``, not a traceback.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from generator import __main__ as cli
from generator import build, ir
from generator.paths import ROOT, TEMPLATES

PACKAGE = ROOT / "generator"
RUNTIME = PACKAGE / "runtime"  # copied into generated/, where its relative imports resolve


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {
    module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if RUNTIME not in p.parents and "__pycache__" not in p.parts
}


def imports_of(name: str) -> set[str]:
    """Generator modules that ``name`` imports, at module level or inside functions."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        out |= {t for t in targets if t in MODULES and t != name}
    return out


GRAPH = {name: imports_of(name) for name in MODULES}


def test_the_import_graph_has_no_cycle():
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(name, path):
        state[name] = 1
        for other in sorted(GRAPH[name]):
            if state.get(other) == 1:
                cycle = path[path.index(other):] + [other]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if other not in state:
                visit(other, path + [other])
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])


def backend_modules() -> set[str]:
    return {f"generator.backends.{name}" for name in build.BACKENDS}


def test_every_registered_backend_is_its_own_module():
    assert backend_modules() <= set(MODULES)
    for name, backend in build.BACKENDS.items():
        assert type(backend).__module__ == f"generator.backends.{name}"


def test_no_backend_imports_another():
    for name in sorted(backend_modules()):
        others = GRAPH[name] & (backend_modules() - {name})
        assert not others, f"{name} imports {sorted(others)}"


def test_no_backend_lowers_on_its_own():
    for name in sorted(n for n in MODULES if n.startswith("generator.backends.")):
        tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        used |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
        assert not used & {"build_ir", "lower"}, name


def test_the_build_imports_nothing_from_verify():
    reach, todo = set(), ["generator.build", "generator.__main__"]
    while todo:
        name = todo.pop()
        if name not in reach:
            reach.add(name)
            todo += GRAPH[name]
    assert not {n for n in reach if n.startswith("generator.verify")}
    # and at run time, a whole build in a fresh interpreter
    code = (
        "import sys, generator.build as b; b.generate(); "
        "print(sorted(m for m in sys.modules if m.startswith('generator.verify')))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_ir_is_built_once_per_variant(monkeypatch):
    calls = []
    real = ir.build_ir
    monkeypatch.setattr(ir, "build_ir", lambda variant: calls.append(variant) or real(variant))
    specs = build.load_specs()
    build.outputs(specs)
    variants = [(s.module, v.suffix) for s in specs for v in s.variants()]
    assert sorted((v.spec.module, v.suffix) for v in calls) == sorted(variants)


def test_long_templates_have_per_spec_content():
    for path in sorted(TEMPLATES.rglob("*.j2")):
        text = path.read_text(encoding="utf-8")
        tags = text.count("{{") + text.count("{%") - text.count("{{ header }}")
        if len(text.splitlines()) > 40:
            assert tags >= 5, f"{path.relative_to(ROOT)}: {len(text.splitlines())} lines of runtime: move it to generator/runtime/"


def test_every_runtime_file_is_copied():
    copied = {o.path for o in build.outputs(build.load_specs()) if o.template is None}
    on_disk = {p.relative_to(RUNTIME).as_posix() for p in RUNTIME.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert copied == on_disk


def test_a_failing_backend_names_the_spec_and_variant(monkeypatch, capsys):
    from generator.backends import numpy as numpy_backend

    def broken(ir, base):
        raise ValueError("the printer failed")

    monkeypatch.setattr(numpy_backend, "variant_view", broken)
    assert cli.main(["build", "--check"]) == 2
    err = capsys.readouterr().err
    first = build.load_specs()[0]
    variant = first.variants()[0].suffix
    assert f"error: {first.path}: variant {variant}: ValueError: the printer failed" in err
    assert "Traceback" not in err and "nothing was written" in err


def test_the_runtime_source_is_formatted_as_the_build_would():
    """The build copies runtime files without reformatting them, so they must already be
    black- and clang-formatted where they live."""
    import black

    from generator.c_format import format_c, is_c
    from generator.render import BLACK_MODE

    for path in sorted(RUNTIME.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert black.format_str(text, mode=BLACK_MODE) == text, f"{path.relative_to(ROOT)}: run black"
    sources = {str(p): p.read_text(encoding="utf-8") for p in sorted(RUNTIME.rglob("*")) if is_c(p.name)}
    assert sources
    for path, text in format_c(sources).items():
        assert text == sources[path], f"{path}: run clang-format with generator.c_format.STYLE"


def test_generated_c_is_clang_formatted():
    from generator.c_format import STYLE, VERSION

    files = build.generate()
    c_files = [p for p in files if p.endswith((".h", ".c", ".cu", ".cuh"))]
    assert len(c_files) > 10
    longest = max(len(line) for p in c_files for line in files[p].splitlines() if not line.lstrip().startswith(("//", "/*", "*")))
    assert longest <= 100, "clang-format keeps code lines within ColumnLimit"
    assert "ColumnLimit: 100" in STYLE and VERSION in (ROOT / "pyproject.toml").read_text()


def test_a_failing_lowering_names_the_spec_and_variant(monkeypatch, capsys):
    def broken(variant):
        raise ZeroDivisionError("lowering failed")

    monkeypatch.setattr(ir, "build_ir", broken)
    assert cli.main(["build", "--check"]) == 2
    err = capsys.readouterr().err
    first = build.load_specs()[0]
    assert f"error: {first.path}: variant {first.variants()[0].suffix}: ZeroDivisionError: lowering failed" in err


CLASH = """\
name: Clash
description: Hoisted values whose formulas read like the C templates' own locals.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Learning rate.}
  new_rate: {default: 0.5, doc: A rate.}
  weight: {default: 2.0, doc: A weight.}
state:
  rate_times_weight: {init: 0, doc: A state named like the product of two hyperparameters.}
update:
  - rate_times_weight = rate_times_weight + new_rate*weight*g
  - p = p - lr*rate_times_weight
"""


def test_hoisted_names_never_meet_the_templates_locals(tmp_path):
    """``new_rate*weight`` hoisted as ``_new_rate_times_weight`` would be the C templates'
    output local of the state ``rate_times_weight``: the position in the name prevents it."""
    from generator.model import parse_spec
    from generator.render import render

    spec = parse_spec(CLASH, "specs/clash.yaml", "clash")
    lowered = ir.lower(spec)
    hoisted = [a.symbol.name for a in lowered.variants[0].step if ir.is_hoisted(a.symbol.name)]
    assert hoisted == ["_c0_new_rate_times_weight", "_c1_minus_lr", "_c2_weight_decay_factor"]
    files = render([o for o in build.outputs([spec]) if o.path.startswith("cuda/")])
    for path, text in files.items():
        (tmp_path / Path(path).name).write_text(text)
    done = subprocess.run(
        ["gcc", "-std=c99", "-fopenmp", "-Wall", "-Werror", "-fsyntax-only", "-I", str(tmp_path), str(tmp_path / "clash.c")],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
