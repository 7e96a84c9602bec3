"""The CLI: deterministic builds, --check with a diff, write-if-changed, failed builds write
nothing, headers on every file, stale files removed, list."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from generator.build import generate
from generator.render import GENERATED, diff

ROOT = Path(__file__).resolve().parent.parent


def cli(root: Path, *args: str, seed: str = "0"):
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )


def tree(root: Path) -> dict[str, str]:
    out = {}
    for path in sorted((root / "generated").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def test_committed_tree_is_up_to_date():
    assert diff(generate()) == "", "generated/ is stale: run python -m generator build"


def test_every_generated_file_says_where_it_comes_from_and_not_to_edit_it():
    for path, text in generate().items():
        first = text.splitlines()[0]
        generated = "generated from specs/" in first and "templates/" in first
        copied = f"copied from generator/runtime/{path} " in first
        assert "do not edit" in first and (generated or copied), path


def test_check_fails_with_a_unified_diff_when_stale(repo_copy):
    target = repo_copy / "generated" / "numpy" / "adam.py"
    target.write_text(target.read_text().replace("np.add(p, _s0, out=p)", "np.subtract(p, _s0, out=p)"))
    result = cli(repo_copy, "build", "--check")
    assert result.returncode == 1
    assert "--- a/generated/numpy/adam.py" in result.stdout
    assert "-    np.subtract(p, _s0, out=p)" in result.stdout and "+    np.add(p, _s0, out=p)" in result.stdout
    assert "stale" in result.stderr
    assert "np.subtract(p, _s0, out=p)" in target.read_text(), "--check must not write"


def test_build_writes_only_what_changed(repo_copy):
    before = {p: (repo_copy / p).stat().st_mtime_ns for p in tree(repo_copy)}
    spec = repo_copy / "specs" / "rmsprop.yaml"
    spec.write_text(spec.read_text().replace("default: 0.9", "default: 0.8", 1))
    result = cli(repo_copy, "build")
    assert result.returncode == 0, result.stderr
    changed = sorted(p for p, t in before.items() if (repo_copy / p).stat().st_mtime_ns != t)
    expected = ["generated/docs/md/index.md", "generated/docs/md/rmsprop.md", "generated/docs/rmsprop.tex", "generated/host/rmsprop.py", "generated/keras/rmsprop.py", "generated/numpy/rmsprop.py", "generated/optax/rmsprop.py", "generated/torch/rmsprop.py"]
    assert changed == expected, changed
    assert "rho=0.8" in (repo_copy / "generated/numpy/rmsprop.py").read_text()
    assert cli(repo_copy, "build", "--check").returncode == 0


def test_a_failing_build_leaves_generated_exactly_as_it_was(repo_copy):
    before = tree(repo_copy)
    (repo_copy / "specs" / "aaa_first.yaml").write_text((ROOT / "specs" / "sgd.yaml").read_text().replace("name: SGD", "name: Aaa"))
    bad = repo_copy / "specs" / "zzz.yaml"
    bad.write_text((ROOT / "specs" / "sgd.yaml").read_text().replace("momentum*velocity - lr*g", "momentum*velocity - lr*gg", 1))
    result = cli(repo_copy, "build")
    assert result.returncode == 2
    assert "specs/zzz.yaml:" in result.stderr and "unknown symbol 'gg'" in result.stderr
    assert "nothing was written" in result.stderr
    assert tree(repo_copy) == before


def test_builds_are_byte_identical_whatever_the_hash_seed(repo_copy, tmp_path):
    first = tree(repo_copy)
    for seed in ("1", "12345"):
        result = cli(repo_copy, "build", seed=seed)
        assert result.returncode == 0, result.stderr
        assert tree(repo_copy) == first


def test_removed_specs_lose_their_generated_files(repo_copy):
    (repo_copy / "specs" / "lion.yaml").unlink()
    result = cli(repo_copy, "build")
    assert result.returncode == 0, result.stderr
    assert "deleted generated/numpy/lion.py" in result.stdout
    assert not (repo_copy / "generated/numpy/lion.py").exists()
    assert not (repo_copy / "generated/tests/test_lion.py").exists()
    assert "Lion" not in (repo_copy / "generated/numpy/__init__.py").read_text()


def test_a_new_spec_is_one_yaml_file(repo_copy):
    text = (ROOT / "specs" / "adagrad.yaml").read_text()
    (repo_copy / "specs" / "mygrad.yaml").write_text(text.replace("name: Adagrad", "name: MyGrad"))
    result = cli(repo_copy, "build")
    assert result.returncode == 0, result.stderr
    assert (repo_copy / "generated/numpy/mygrad.py").exists()
    assert (repo_copy / "generated/tests/test_mygrad.py").exists()
    code = "from generated.numpy import get; import numpy as np; o = get('mygrad')(); p = np.ones(3); o.apply_gradients([(np.ones(3), p)]); print(p[0])"
    run = subprocess.run([sys.executable, "-c", code], cwd=repo_copy, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert float(run.stdout) < 1.0


def test_list_shows_optimizers_flags_and_backends():
    result = cli(ROOT, "list")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["optimizer", "keras", "name"]
    adam = next(line for line in lines if line.startswith("Adam "))
    assert "amsgrad" in adam and "numpy" in adam and "m, v, vhat" in adam
    rmsprop = next(line for line in lines if line.startswith("RMSprop "))
    assert "centered, momentum_on (momentum > 0)" in rmsprop  # a derived flag, with its value
    assert len(lines) == 1 + len(list((ROOT / "specs").glob("*.yaml")))


def test_generated_is_the_default_target():
    assert GENERATED == ROOT / "generated"


def test_list_shows_the_kernels_only_where_they_exist(capsys, monkeypatch):
    """Issue 13's report: `list` showed a cuda backend for specs that had none. Every spec
    has kernels now, per-tensor and global reductions included; a backend that prints no
    kernels for a spec is left out of its row."""
    from generator import build as build_mod
    from generator.__main__ import main
    from generator.backends import cuda
    from generator.model import parse_spec
    from generator.verify import testing

    shipped = build_mod.load_specs()
    with_norms = parse_spec(testing.SPEC_WITH_A_NORM, "specs/normalized.yaml", "normalized")
    text = testing.SPEC_WITH_A_GLOBAL_NORM.replace("Normalized", "GloballyNormalized")
    with_a_global_norm = parse_spec(text, "specs/globally.yaml", "globally")
    monkeypatch.setattr(build_mod, "load_specs", lambda: [*shipped, with_norms, with_a_global_norm])
    assert main(["list"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    for name in ("GloballyNormalized", "Normalized", "Lamb", *(s.name for s in shipped)):
        assert rows[name].endswith("numpy, torch, keras, optax, cuda"), rows[name]
    # a backend that skips a spec: its row leaves it out
    monkeypatch.setattr(cuda.CudaBackend, "supports", lambda self, spec: spec.module != "lamb")
    assert main(["list"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert rows["Lamb"].endswith("numpy, torch, keras, optax"), rows["Lamb"]
    assert rows["Adam"].endswith(", cuda")


def test_a_whole_array_variant_is_staged_once_per_build(monkeypatch):
    """Staging (generator/staging.py, with its sign proofs) runs once per variant of row or
    column means, when it is lowered, not once per backend that prints or counts its passes
    (the C and CUDA kernels, NumPy's and torch's plans, the docs)."""
    from generator import staging
    from generator.build import load_specs, outputs

    calls = []
    stage = staging.stage
    monkeypatch.setattr(staging, "stage", lambda ir: calls.append(ir.variant.suffix) or stage(ir))
    files = outputs([s for s in load_specs() if s.module == "adafactor"])
    assert any(o.path.endswith("adafactor.c") for o in files)
    assert calls == ["factored"]
