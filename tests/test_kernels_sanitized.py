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
runs is fixed, so a low-precision run that failed as a refusal would fail the test.

torch's table extension (``_fused_table.cpp``, the C++ checks of a fused step's common case)
is built with the sanitizers too, and each second step goes through it. Adam's runs then step
with the state or gradient of one tensor broken (short, strided, reshaped, retyped or shared
codes and int8 scales, expanded and strided gradients): each must be refused or step to
finite values, with every access seen by the sanitizers."""

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
# float64 ones with float32 state, each with and without amsgrad; Muon's float32 parameters
# with three precisions (its matrices' rule steps fewer bits with torch code) and float64
# ones; Lamb (whose fused kernels refuse fewer bits) and Adafactor (state of rows and columns)
# keep float32 state, so float32 and float64 parameters
SPECS = {"adam": 8, "lamb": 2, "adafactor": 2, "muon": 4}

CHILD = r"""
import sys
import torch
import generated.torch as T
from generated.torch import _runtime, _state_precision as _precision
from generator.verify.testing_torch import make

module, target = sys.argv[1], sys.argv[2]
cls = T.get(module)
# the C++ checks of the common case (_fused_table.cpp) are built under the sanitizers too
assert _runtime._table_extension() is not None, "the C++ table extension did not build"


# Steps with the state or gradient of the largest tensor broken as a checkpoint or a caller
# could break it: each is refused with an exception or steps to finite values, and the
# sanitizers see every access. A short code or scale array must be refused.
def hostile(opt, params, precision):
    p = params[5]  # 4096 + 5 blocks + 17 elements: int8 blocks, bfloat16 codes
    state = opt.state[p]
    codes = state["m"]
    scales = state.get("m" + _precision.ABSMAX)
    cases = {
        "short codes": ("m", codes.reshape(-1)[:-1]),
        "codes of another shape": ("m", codes.reshape(1, -1)),
        "strided codes": ("m", codes.repeat(2)[::2]),
        "codes of another dtype": ("m", codes.view(torch.uint8) if codes.dtype == torch.int8 else codes.float()),
        "codes sharing another state's memory": ("m", state["v"]),
    }
    if scales is not None:
        cases["short scales"] = ("m" + _precision.ABSMAX, scales[:-1])
        cases["strided scales"] = ("m" + _precision.ABSMAX, scales.repeat(2)[::2])
        cases["float64 scales"] = ("m" + _precision.ABSMAX, scales.double())
    grads = {
        "expanded gradient": torch.zeros(1).expand(p.shape),
        "strided gradient": torch.randn(2 * p.numel())[::2],
    }
    for name, (key, value) in list(cases.items()) + [(n, (None, g)) for n, g in grads.items()]:
        saved, grad = dict(state), p.grad
        for q in params:
            q.grad = torch.randn(q.shape)
        try:
            if key is None:
                p.grad = value
            else:
                state[key] = value
            opt.step()
            outcome = "stepped"
            assert all(torch.isfinite(q).all() for q in params), (precision, name)
        except (RuntimeError, TypeError, ValueError) as refusal:
            outcome = f"refused: {str(refusal)[:100]}"
        if name.startswith("short"):
            assert outcome.startswith("refused"), (precision, name, outcome)
        print(f"hostile {precision} {name}: {outcome}")
        state.clear()
        state.update(saved)
        p.grad = grad
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
            if module == "adam" and dtype == torch.float32 and not flags:
                hostile(opt, params, precision)
print(f"ran {ran}")
"""


def _sanitized_compiler(folder: Path, name: str, compiler: str) -> str:
    """A compiler that adds the sanitizers (at -O1, for speed: the last -O counts)."""
    wrapper = folder / name
    wrapper.write_text(f'#!/bin/sh\nexec {compiler} "$@" {SANITIZERS} -O1\n')
    wrapper.chmod(0o755)
    return str(wrapper)


@pytest.fixture(scope="module")
def sanitized_environment(tmp_path_factory):
    """The child's environment: sanitizing compilers and one private kernel cache for the
    module, so that torch's table extension (about 20 s to build against torch's headers) is
    built once; each spec's kernels have a key of their own there."""
    asan, cxx = (
        subprocess.run(
            ["gcc", f"-print-file-name={name}"], capture_output=True, text=True
        ).stdout.strip()
        for name in ("libasan.so", "libstdc++.so")
    )
    if not os.path.isabs(asan):
        pytest.skip("gcc has no libasan")
    folder = tmp_path_factory.mktemp("sanitized")
    cache = folder / "cache"
    cache.mkdir(mode=0o700)
    return dict(
        os.environ,
        CC=_sanitized_compiler(folder, "cc", "gcc"),
        CXX=_sanitized_compiler(folder, "cxx", "g++"),
        OCG_CACHE_DIR=str(cache),
        # libstdc++ as well: ASan finds the __cxa_throw it wraps when it starts, and a C++
        # exception (torch's errors) thrown before libstdc++ was loaded aborts the process
        LD_PRELOAD=f"{asan}:{cxx}" if os.path.isabs(cxx) else asan,
        ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:verify_asan_link_order=0",
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1",
        OMP_NUM_THREADS="2",
        PYTHONPATH=str(ROOT),
    )


@pytest.mark.skipif(
    shutil.which("gcc") is None or shutil.which("g++") is None, reason="needs gcc and g++"
)
@pytest.mark.parametrize("target", ["fused", "shim"])
@pytest.mark.parametrize("module", SPECS)
def test_kernels_run_clean_under_address_and_undefined_behaviour_sanitizers(
    sanitized_environment, module, target
):
    env = sanitized_environment
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
