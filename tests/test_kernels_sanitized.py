"""The generated kernels under AddressSanitizer and UndefinedBehaviorSanitizer: a read or
write outside a tensor, its state or its int8 scales, or undefined arithmetic (a shift too
far, a signed overflow, a misaligned load) aborts the child process and fails the test.

A child Python process runs with libasan preloaded and a compiler that adds the sanitizers
(``CC``/``CXX`` point at a wrapper), its own kernel cache, and steps one spec per template
path twice, fused, on the sizes where the loops' edges lie: empty, 0-d, one element, 255 and
257 (bfloat16 blocks; int8 keeps float32 state below 4096 elements), 4096 + 5 blocks + 17
(int8 blocks ending in a partial one, with whole blocks before it within reach of the software
prefetch, whose range ocg_prefetch reads under AddressSanitizer), matrices and rank 3. Both
the C library ("fused") and the CUDA kernels run on the CPU through the shim ("shim") are
checked, for float32 and float64 and each state precision a spec takes: every spec's count of
runs is fixed, so a low-precision run that failed as a refusal would fail the test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parent.parent
SANITIZERS = "-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

# one spec per template path: elementwise with int8/bfloat16 state and a flag (Adam's
# amsgrad), a per-tensor two-pass rule (Lamb), factored state staged over rows and columns
# (Adafactor), matrix functions beside an elementwise rule, with kernels shared between
# variants (Muon)
# with the runs each completes: Adam's float32 parameters with three state precisions and
# float64 ones with float32 state, each with and without amsgrad; the others keep float32
# state (they refuse fewer bits), so float32 and float64 parameters
SPECS = {"adam": 8, "lamb": 2, "adafactor": 2, "muon": 2}

CHILD = r"""
import sys
import torch
import generated.torch as T
from generator.verify.testing_torch import make

module, target = sys.argv[1], sys.argv[2]
cls = T.get(module)
# int8 state needs 4096 elements (smaller tensors keep float32 state): 4096 + 5 blocks + 17
# elements end in a partial block with whole blocks before it within prefetch reach
shapes = [(0, 3), (), (1,), (255,), (257,), (4096 + 5 * 256 + 17,), (3, 700), (2, 3, 129), (70, 90)]
flag_sets = [{}] + ([{"amsgrad": True}] if module == "adam" else [])
ran = 0
for dtype in (torch.float32, torch.float64):
    for precision in ("float32", "bfloat16", "int8"):
        if precision != "float32" and dtype != torch.float32:
            continue  # low-precision state goes with float32 parameters
        for flags in flag_sets:
            torch.manual_seed(0)
            step = -1  # a refusal comes at construction, or (a rule by rank) at the first step
            params = [torch.randn(s, dtype=dtype, requires_grad=True) for s in shapes]
            try:  # a spec or a rule that keeps its state in float32 refuses before any step
                opt = make(cls, params, target, state_precision=precision, **flags)
                for step in range(2):
                    for p in params:
                        p.grad = torch.randn(p.shape, dtype=dtype)
                    opt.step()
            except ValueError as refusal:
                assert step <= 0 and "state_precision" in str(refusal), refusal
                print(f"{module} {precision}: refused: {refusal}")
                continue
            assert all(torch.isfinite(p).all() for p in params), (module, precision, flags)
            ran += 1
print(f"ran {ran}")
"""


def _sanitized_compiler(folder: Path, name: str, compiler: str) -> str:
    """A compiler that adds the sanitizers (at -O1, for speed: the last -O counts). It refuses
    torch's table extension, whose build with torch's headers takes a minute: the child's
    steps then check their tensors in Python (the runtime's documented fallback)."""
    wrapper = folder / name
    wrapper.write_text(
        "#!/bin/sh\n"
        'case "$*" in *_fused_table.cpp*) exit 1 ;; esac\n'
        f'exec {compiler} "$@" {SANITIZERS} -O1\n'
    )
    wrapper.chmod(0o755)
    return str(wrapper)


@pytest.mark.skipif(
    shutil.which("gcc") is None or shutil.which("g++") is None, reason="needs gcc and g++"
)
@pytest.mark.parametrize("target", ["fused", "shim"])
@pytest.mark.parametrize("module", SPECS)
def test_kernels_run_clean_under_address_and_undefined_behaviour_sanitizers(
    tmp_path, module, target
):
    asan = subprocess.run(
        ["gcc", "-print-file-name=libasan.so"], capture_output=True, text=True
    ).stdout.strip()
    if not os.path.isabs(asan):
        pytest.skip("gcc has no libasan")
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    env = dict(
        os.environ,
        CC=_sanitized_compiler(tmp_path, "cc", "gcc"),
        CXX=_sanitized_compiler(tmp_path, "cxx", "g++"),
        OCG_CACHE_DIR=str(cache),
        LD_PRELOAD=asan,
        ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:verify_asan_link_order=0",
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1",
        PYTHONWARNINGS="ignore::RuntimeWarning",  # the extension's fallback, announced once
        OMP_NUM_THREADS="2",
        PYTHONPATH=str(ROOT),
    )
    done = subprocess.run(
        [sys.executable, "-c", CHILD, module, target],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = done.stdout[-4000:] + done.stderr[-8000:]
    assert done.returncode == 0, report
    assert (
        "runtime error" not in done.stderr and "ERROR: AddressSanitizer" not in done.stderr
    ), report
    ran = int(done.stdout.rsplit("ran ", 1)[1])
    assert ran == SPECS[module], report
