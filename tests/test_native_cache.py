"""Loading a kernel library runs its code: the cache only loads what it built itself
(issue 11, item 10). A library planted at the predictable path is never loaded, a truncated
one is rebuilt, and the cache folder must be private."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from generated import _native

ROOT = Path(__file__).resolve().parent.parent
needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")


@pytest.fixture
def suite_cache():
    """The suite's own kernel cache (ask for it before ``cache``, which replaces it)."""
    return _native.private_cache_dir()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("OCG_CACHE_DIR", str(folder))
    return folder


CHILD = """
import sys
import numpy as np
from generated import _native
library = _native.library("sgd", "cpu")
p, g, velocity = np.ones(4), np.full(4, 0.5), np.zeros(4)
table, _ = _native.table([p.ctypes.data, g.ctypes.data, velocity.ctypes.data], [4])
update = _native.update_function(library, "ocg_sgd_no_nesterov", "f64", "cpu")
# -lr, the weight decay's factor (1: none), momentum: the step program's order (generated/cuda/sgd.c)
scalars = _native.doubles([-0.1, 1.0, 0.0])
update(_native.tensor_list(_native.address(table), 1, 3, 0), scalars, None, 1.0, 0.0)
assert np.allclose(p, 0.95), p
print("works")
"""


def load_in_a_new_process(cache: Path) -> Path:
    """Load (building if needed) and run sgd's C library in a new process: a library file is
    only ever tampered with while no process has it loaded, as between two runs."""
    env = {**os.environ, "OCG_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "works" in done.stdout, done.stderr[-2000:]
    (library,) = cache.glob("sgd-cpu-*.so")
    return library


@needs_gcc
def test_a_library_planted_at_the_cache_path_is_not_loaded(cache, tmp_path):
    path = load_in_a_new_process(cache)
    marker = tmp_path / "planted-code-ran"
    planted = tmp_path / "planted.c"
    planted.write_text(f'#include <stdio.h>\n__attribute__((constructor)) static void run(void) {{ fclose(fopen("{marker}", "w")); }}\n')
    subprocess.run(["gcc", "-shared", "-fPIC", str(planted), "-o", str(path)], check=True)
    load_in_a_new_process(cache)
    assert not marker.exists(), "the planted library's constructor ran"


@needs_gcc
def test_a_truncated_library_is_rebuilt(cache):
    path = load_in_a_new_process(cache)
    path.write_bytes(path.read_bytes()[:100])
    load_in_a_new_process(cache)
    assert path.stat().st_size > 100


@needs_gcc
def test_a_library_without_its_record_is_rebuilt(cache):
    path = load_in_a_new_process(cache)
    record = Path(str(path) + ".sha256")
    record.unlink()
    load_in_a_new_process(cache)
    assert record.exists()


EXTENSION_CHILD = """
import torch
from generated import _native
module = _native.torch_extension()
p = torch.nn.Parameter(torch.ones(3))
p.grad = torch.ones(3)
table, n_chunks, dtype, distinct, keep, witness = module.table([p], {p: {}}, (), (torch.Tensor, torch.nn.Parameter), 8192)
assert int.from_bytes(table[:8], "little") == p.data_ptr() and (n_chunks, dtype) == (1, "float32")
assert module.recheck(keep, witness)
print("works")
"""


@needs_gcc
def test_a_planted_torch_extension_is_not_loaded(suite_cache, cache, tmp_path, monkeypatch):
    """The fused path's C++ table (torch/_fused_table.cpp) is a Python extension module in the
    same cache, built and verified the same way. (Built once, in the suite's cache, and
    copied with its record: compiling against torch's headers takes half a minute.)"""
    pytest.importorskip("torch")
    with monkeypatch.context() as patch:
        patch.setenv("OCG_CACHE_DIR", str(suite_cache))
        built = Path(_native.torch_extension().__file__)
    cache.mkdir(mode=0o700)
    for source in (built, built.with_name(built.name + ".sha256")):
        shutil.copy2(source, cache / source.name)
    env = {**os.environ, "OCG_CACHE_DIR": str(cache)}

    def run(env=env):
        return subprocess.run([sys.executable, "-c", EXTENSION_CHILD], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    done = run()
    assert done.returncode == 0 and "works" in done.stdout, done.stderr[-2000:]
    (path,) = cache.glob("ocg_fused_table-*.so")
    assert Path(str(path) + ".sha256").exists()
    marker = tmp_path / "planted-code-ran"
    planted = tmp_path / "planted.c"
    planted.write_text(f'#include <stdio.h>\n__attribute__((constructor)) static void run(void) {{ fclose(fopen("{marker}", "w")); }}\n')
    subprocess.run(["gcc", "-shared", "-fPIC", str(planted), "-o", str(path)], check=True)
    # refused, so rebuilt: with no compiler the rebuild fails (a NativeBuildError naming it)
    # instead of taking half a minute; either way the planted code must not have run
    done = run({**env, "CXX": str(tmp_path / "no-compiler")})
    assert done.returncode != 0 and "NativeBuildError" in done.stderr, done.stderr[-2000:]
    assert not marker.exists(), "the planted library's constructor ran"


def test_the_cache_folder_is_created_private(cache):
    folder = _native.private_cache_dir()
    assert folder == cache and stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_named_cache_folder_others_can_write_is_refused_not_changed(cache):
    cache.mkdir(mode=0o700)
    cache.chmod(0o777)
    with pytest.raises(_native.NativeBuildError, match="has mode 777: make it 0700"):
        _native.private_cache_dir()
    assert stat.S_IMODE(cache.stat().st_mode) == 0o777


def test_the_default_cache_folder_of_an_older_version_is_made_private(tmp_path, monkeypatch):
    monkeypatch.delenv("OCG_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "optimizer-codegen").mkdir(mode=0o755)
    folder = _native.private_cache_dir()
    assert folder == tmp_path / "optimizer-codegen" and stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_cache_folder_inside_a_folder_anyone_can_write_is_refused(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # no sticky bit: anyone could rename our folder and put theirs there
    monkeypatch.setenv("OCG_CACHE_DIR", str(shared / "cache"))
    with pytest.raises(_native.NativeBuildError, match="which anyone can write to"):
        _native.private_cache_dir()


def test_a_cache_folder_of_another_user_is_refused(cache):
    if os.getuid() != 0:
        pytest.skip("making a folder of another user needs root")
    cache.mkdir(mode=0o700)
    os.chown(cache, 65534, 65534)
    with pytest.raises(_native.NativeBuildError, match="belongs to another user"):
        _native.private_cache_dir()


def test_a_cache_folder_that_is_a_link_is_refused(cache, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    cache.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(_native.NativeBuildError, match="is not a folder"):
        _native.private_cache_dir()


def test_a_cache_folder_inside_a_folder_another_group_can_write_is_refused(tmp_path, monkeypatch):
    if os.getuid() != 0:
        pytest.skip("giving a folder to another group needs root")
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chown(shared, 0, 65534)
    shared.chmod(0o775)
    monkeypatch.setenv("OCG_CACHE_DIR", str(shared / "cache"))
    with pytest.raises(_native.NativeBuildError, match="which its group can write to"):
        _native.private_cache_dir()


def test_the_cache_folder_is_used_by_the_path_it_was_checked_by(tmp_path, monkeypatch):
    """A link above the folder, re-pointed after the check, cannot send a load elsewhere:
    the folder is returned (and used) without links."""
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    monkeypatch.setenv("OCG_CACHE_DIR", str(tmp_path / "link" / "cache"))
    folder = _native.private_cache_dir()
    assert folder == real / "cache" and not any(p.is_symlink() for p in [folder, *folder.parents])
