"""The generated Keras tests (every spec against the reference, with the varied
hyperparameters, without and with all common arguments, and against NumPy; config and
serialization) and the reductions test, run again on Keras's other backends: one backend per
process, so each runs in a subprocess with KERAS_BACKEND set (the rest of the suite uses the
torch backend). JAX runs with jax_enable_x64 (generator/verify/testing_keras.py sets it), so
its float64 runs are float64. TensorFlow (in the test extra) skips only where it is not
installed."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

from generator.paths import ROOT


def run_pytest_on(backend: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KERAS_BACKEND": backend}
    # One process: the suite's other worker keeps the second core busy, and a second worker
    # here would import Keras and the backend again (about 20 s of CPU for JAX). Only the
    # Keras test files are collected: the others import torch, NumPy's and optax's modules.
    serial = ["-n", "0"] if importlib.util.find_spec("xdist") is not None else []
    keras_tests = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "generated" / "tests").glob("test_keras_*.py"))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *serial,
            "-p",
            "no:cacheprovider",
            "-p",
            "no:warnings",
            *keras_tests,
            "tests/test_reductions.py",
            "-k",
            # the default hyperparameters take the same code paths as the varied ones, which
            # move every argument off its default, and the common arguments are runtime code
            # shared by the backends: the varied cases with all of them (a case without any
            # runs the same code with them off): 123 of the 461 tests the torch backend runs,
            # every spec's variants in float32 and float64
            "keras and not default-float and not -plain- and not -clipnorm- and not -clipvalue- and not -decay-",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.mark.parametrize("backend", ["jax", "tensorflow"])
def test_generated_keras_tests_pass_on_another_backend(backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    result = run_pytest_on(backend)
    tail = (result.stdout + result.stderr)[-3000:]
    assert result.returncode == 0, tail
    assert " passed" in result.stdout and "failed" not in result.stdout, tail
