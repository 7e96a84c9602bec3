"""Issue 13, item 6: the fused CPU kernels of rules of row or column means (generator/
staging.py, templates/cuda/staged.c.j2): passes over the elements, and between them the
values of one per row, column or matrix.

- the passes of Adafactor's factored rule, and no staged program for a matrix function;
- a toy rule that reads every kind of value (state of rows and of columns, a mean of a mean,
  a per-tensor sum of the new rows' values, a row value that reads a per-tensor sum, the
  element count, a matrix's columns, weight decay) equals the 50-digit reference through
  NumPy's and torch's fused=True (C, and the CUDA kernels through the CPU shim), on matrices
  of each way the threads share them (whole matrices, rows, columns), on stacks, vectors and
  0-d tensors; a per-tensor value known only after the last pass has no staged program;
- the kernels are what ran (a counting wrapper), and a tensor they cannot take by raw
  pointer (not contiguous) runs as array code with the same result;
- the C function refuses null pointers and sizes below 0 or past int64, without a signal.
"""

from __future__ import annotations

import ctypes
import importlib

import numpy as np
import pytest
import sympy as sp

from generator.build import load_specs, lower_all
from generator.ir import lower
from generator.model import load_spec, parse_spec
from generator.staging import stage
from generator.symbols import real
from generator.verify import reference, testing, testing_paths

TOY = """\
name: Factors
description: Row and column averages of the squared gradient, in every kind of value.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Learning rate.}
  decay_rate: {default: 0.8, domain: decay_rate >= 0, doc: Averaging.}
derived_flags:
  matrix: {value: rank >= 2, doc: Two axes or more.}
state:
  r: {init: 1, shape: rows, when: matrix, doc: Row means.}
  c: {init: 1, shape: columns, when: matrix, doc: Column means.}
  s: {init: 0, shape: rows, when: matrix, doc: Row means over the tensor's mean square.}
  v: {init: 1, when: not matrix, doc: Second moment.}
reductions:
  u_squares: {scope: tensor, op: sum, of: u**2, doc: The update's squares.}
  g_squares: {scope: tensor, op: sum, of: g**2, doc: The gradient's squares.}
  elements: {scope: tensor, op: sum, of: 1, doc: The elements.}
update:
  - eq: r = decay_rate*r + (1 - decay_rate)*row_mean(g**2 + p**2)
    when: matrix
  - eq: s = 0.5*s + row_mean(g**2)/sqrt(1 + g_squares/elements)
    when: matrix
  - eq: c = decay_rate*c + (1 - decay_rate)*column_mean(g**2)
    when: matrix
  - eq: v = decay_rate*v + (1 - decay_rate)*g**2
    when: not matrix
  - u = g/sqrt(r*c/column_mean(r) if matrix else v)
  - p = p - lr*u/max(1, sqrt(u_squares/elements))/(sqrt(columns)*(1 + s) if matrix else 1)
"""

# (3, 4) and (1, 6): threads share a matrix's columns; (4, 3) and (6, 1): its rows; (4, 2, 3):
# whole matrices (on 2 threads or more, as here and in CI). The CUDA kernels take matrices of
# at most 256 elements whole (a thread each) and larger ones in blocks of rows and columns:
# (20, 40) and (2, 17, 16)
SHAPES = [(3, 4), (4, 3), (1, 6), (6, 1), (4, 2, 3), (2, 1, 2, 5), (20, 40), (2, 17, 16), (5,), ()]
HYPER = {"learning_rate": 0.1, "decay_rate": 0.8, "weight_decay": 0.05}


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    base = tmp_path_factory.mktemp("staged")
    with testing.user_package(base, {"factors": TOY}, "stagedopt") as package:
        yield load_spec(base / "specs" / "factors.yaml", base), package


def _problem(steps=4):
    rng = np.random.default_rng(5)
    params0 = [rng.standard_normal(s) for s in SHAPES]
    grads = [[rng.standard_normal(s) for s in SHAPES] for _ in range(steps)]
    return params0, grads


def test_adafactor_takes_three_passes_and_a_matrix_function_none():
    lowered = {l.spec.module: l for l in lower_all(load_specs())}
    factored = next(v for v in lowered["adafactor"].variants if v.variant.whole_array)
    program = stage(factored)
    sums = [[(s.name, s.shape) for s in p.sums] for p in program.passes]
    # the row and column means of g^2 + epsilon_1 and p's squares; the update's squares; none
    assert [sorted(shape for _, shape in pass_sums) for pass_sums in sums] == [
        ["columns", "rows", "tensor"],
        ["tensor"],
        [],
    ]
    assert ("p_squares", "tensor") in sums[0] and sums[1] == [("u_squares", "tensor")]
    assert [name for name, _ in program.passes[-1].writes] == ["p"]
    # the new r and c are the update's own values, written back after the passes (no copies)
    assert dict(program.small_writes) == {"r": "_stored_r", "c": "_stored_c"}
    muon = [v for v in lowered["muon"].variants if v.variant.whole_array]
    assert muon and all(stage(v) is None for v in muon)


def _element_divisions_and_roots(program):
    """The divisions and roots the passes compute per element (powers other than whole
    positive ones), in their temporaries, sums and writes."""
    exprs = [
        e
        for p in program.passes
        for e in (
            *[a.expr for a in p.temporaries],
            *[s.expr for s in p.sums],
            *[e for _, e in p.writes],
        )
    ]
    return [
        node
        for e in exprs
        for node in sp.preorder_traversal(e)
        if node.is_Pow and not (node.exp.is_integer and node.exp.is_positive)
    ]


def test_values_of_one_per_row_or_column_leave_the_loops_over_elements():
    """Adafactor's g**2*mean(r)/(c*r) and g/sqrt(c*r/mean(r)) become products of g with values
    computed once per row and once per column: no division and no root per element. The
    root is split only because r and c are proved never negative (generator.signs); the
    toy's r may be negative (decay_rate > 1 is in its domain), so its root stays."""
    lowered = {l.spec.module: l for l in lower_all(load_specs())}
    factored = next(v for v in lowered["adafactor"].variants if v.variant.whole_array)
    program = stage(factored)
    assert _element_divisions_and_roots(program) == []
    hoisted = {s.name: s.shape for s in program.small_values() if s.name.startswith("_per_")}
    assert sorted(hoisted.values()) == ["columns", "columns", "matrix", "rows", "rows"]
    toy = lower(parse_spec(TOY, "specs/factors.yaml", "factors"))
    (matrix,) = [v for v in toy.variants if v.variant.whole_array]
    roots = _element_divisions_and_roots(stage(matrix))
    assert any(r.exp == -sp.Rational(1, 2) for r in roots), roots


# the toy's hyperparameters and flag
MIXED_ROOT = (
    "name: Mixed\ndescription: A root of element values times a step value, beside rows.\n"
    + TOY[TOY.index("hyperparameters:") : TOY.index("state:")]
    + """\
state:
  r: {init: 0, shape: rows, when: matrix, doc: Row means.}
  c: {init: 0, shape: columns, when: matrix, doc: Column means.}
  v: {init: 0, when: not matrix, doc: Second moment.}
update:
  - eq: r = decay_rate*r + row_mean(g**2)
    when: matrix
  - eq: c = decay_rate*c + column_mean(g**2)
    when: matrix
  - eq: v = v + g**2
    when: not matrix
  - p = p - lr*g/sqrt(r*c)*sqrt(decay_rate*g*p) if matrix else p - lr*g*v
"""
)


def test_a_root_of_element_values_and_a_per_step_value_stages():
    """``sqrt(decay_rate*g*p)``: its base's factors vary per element or not at all, and
    ``g*p`` may be negative, so it stays one root per element (grouping it once raised a
    KeyError), while ``1/sqrt(r*c)`` splits into a value per row and one per column."""
    spec = lower(parse_spec(MIXED_ROOT, "specs/mixed.yaml", "mixed"))
    (matrix,) = [v for v in spec.variants if v.variant.whole_array]
    program = stage(matrix)
    (write,) = [e for n, e in program.passes[-1].writes if n == "p"]
    roots = [n for n in sp.preorder_traversal(write) if n.is_Pow and n.exp == sp.Rational(1, 2)]
    assert len(roots) == 1 and roots[0].base.has(real("g")) and roots[0].base.has(real("p"))
    hoisted = {s.shape for s in program.small_values() if s.name.startswith("_per_")}
    assert hoisted == {"rows", "columns"}


def test_a_zero_gradient_row_beside_large_gradients_stays_finite_in_float32():
    """A row of zero gradients keeps r near epsilon_1 (1e-30) while mean(r) follows the others'
    g**2 (here 1e10): mean(r)/r would pass float's largest value, and a hoisted value of it
    gave inf*0 = NaN for every element. The kernels hoist 1/r and mean(r) apart, and float32
    follows float64's array code."""
    torch = pytest.importorskip("torch")
    from generated.torch.adafactor import Adafactor

    rng = np.random.default_rng(2)
    p0 = rng.standard_normal((64, 96))
    grads = [rng.standard_normal((64, 96)) * 1e5 for _ in range(3)]
    for g in grads:
        g[5] = 0.0

    def run(dtype, fused):
        p = torch.tensor(p0, dtype=dtype, requires_grad=True)
        opt = Adafactor([p], lr=0.01, fused=fused)
        for g in grads:
            p.grad = torch.tensor(g, dtype=dtype)
            opt.step()
        return p.detach().double().numpy()

    want, got = run(torch.float64, False), run(torch.float32, True)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)


LATE = """\
name: Late
description: A state of rows that reads a per-tensor sum the last pass computes.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Learning rate.}
derived_flags:
  matrix: {value: rank >= 2, doc: Two axes or more.}
state:
  r: {init: 1, shape: rows, when: matrix, doc: Row means.}
reductions:
  p_squares: {scope: tensor, op: sum, of: p**2, doc: Squares.}
update:
  - eq: r = 0.5*r + row_mean(g**2)/sqrt(1 + p_squares)
    when: matrix
  - p = p - lr*g
"""


def test_a_per_tensor_value_after_the_last_pass_has_no_staged_program():
    """Only the state of rows reads 1/sqrt(1 + p_squares), a per-tensor value known after
    the one pass that p's update needs: a pass more for it would cost more than the array
    code, which runs the rule instead. The toy's rule takes three passes."""
    late = lower(parse_spec(LATE, "specs/late.yaml", "late"))
    (matrix,) = [v for v in late.variants if v.variant.whole_array]
    assert [a.symbol.name for a in matrix.tensor]  # the value is hoisted per tensor
    assert stage(matrix) is None
    toy = lower(parse_spec(TOY, "specs/factors.yaml", "factors"))
    (matrix,) = [v for v in toy.variants if v.variant.whole_array]
    assert len(stage(matrix).passes) == 3


def _counting(monkeypatch, package_name, function="call_staged"):
    """Count the staged kernels' calls (C) or launches (CUDA and its CPU shim: each asks for
    its work memory first) in the package's runtime."""
    native = importlib.import_module(f"{package_name}._native")
    calls = []
    original = getattr(native, function)

    def counted(*args, **kwargs):
        calls.append(args[1])
        return original(*args, **kwargs)

    monkeypatch.setattr(native, function, counted)
    return calls


@pytest.mark.parametrize("path", ["numpy-fused", "fused", "fused-shim"])
def test_the_toy_equals_the_reference_through_its_staged_kernel(toy, path, monkeypatch):
    """fused-shim: the CUDA launcher and kernels, run on the CPU through the shim."""
    spec, _ = toy
    params0, grads = _problem()
    ref = reference.run(spec, {}, HYPER, params0, grads)
    calls = _counting(
        monkeypatch, "stagedopt", "staged_work" if path == "fused-shim" else "call_staged"
    )
    got = testing_paths.stepped("stagedopt", "Factors", path, HYPER, params0, grads)
    matrices = sum(len(s) >= 2 for s in SHAPES)
    assert calls == ["ocg_factors_matrix"] * (matrices * len(grads))
    for shape, a, b in zip(SHAPES, got, ref.params):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=str(shape))
    # and the rule moved the matrices away from the unfactored rule's result
    assert not np.allclose(got[0], params0[0], atol=1e-3)


@pytest.mark.parametrize("shapes", ["small", "large"])
def test_float32_follows_float64(toy, shapes):
    """In float32 the kernel's sums (in float over at most OCG_SUM_CHUNK elements of a row and
    OCG_SUM_ROWS rows of a column, then in double) keep it within float32 rounding. The
    large matrices take many chunks of a row (2100 columns: threads share them) and many
    rows' flushes into double (2100 rows: threads share those); in float64 they equal the
    array code."""
    params0, grads = _problem()
    if shapes == "large":
        rng = np.random.default_rng(11)
        params0 = [rng.standard_normal((70, 2100)), rng.standard_normal((2100, 70))]
        grads = [[rng.standard_normal(p.shape) for p in params0] for _ in range(3)]
        array = testing_paths.stepped("stagedopt", "Factors", "numpy", HYPER, params0, grads)
    wide = testing_paths.stepped("stagedopt", "Factors", "numpy-fused", HYPER, params0, grads)
    if shapes == "large":
        for a, b in zip(wide, array):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    narrow = testing_paths.stepped(
        "stagedopt",
        "Factors",
        "numpy-fused",
        HYPER,
        [p.astype(np.float32) for p in params0],
        [[g.astype(np.float32) for g in step] for step in grads],
    )
    for a, b in zip(narrow, wide):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)


def test_a_tensor_not_taken_by_pointer_runs_as_torch_code(toy, monkeypatch):
    import torch

    cls = importlib.import_module("stagedopt.torch").Factors
    calls = _counting(monkeypatch, "stagedopt")
    rng = np.random.default_rng(6)
    base, grads = rng.standard_normal((5, 3)), [rng.standard_normal((3, 5)) for _ in range(3)]
    ends = []
    for fused, contiguous in ((False, True), (True, False), (True, True)):
        tensor = torch.tensor(base).t()  # a transposed view: not contiguous
        tensor = (tensor.contiguous() if contiguous else tensor).requires_grad_()
        opt = cls([tensor], fused=fused, lr=0.1)
        for g in grads:
            tensor.grad = torch.tensor(g)
            opt.step()
        ends.append(tensor.detach().numpy().copy())
    assert calls == ["ocg_factors_matrix"] * len(grads)  # the contiguous one's steps only
    np.testing.assert_allclose(ends[1], ends[0], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(ends[2], ends[0], rtol=1e-12, atol=1e-14)


def test_the_cuda_launcher_refuses_bad_arguments_without_a_signal():
    """Through the shim: null pointers, a work memory shorter than it needs, sizes past int64
    or below 0 are refused (cudaErrorInvalidValue, 1) before any launch."""
    from generated import _native

    library = _native.library("adafactor", "shim")
    launch = _native.staged_launcher(library, "ocg_adafactor_factored", "f64")
    arrays = [np.ones((3, 4)), np.ones((3, 4)), np.ones((3, 1)), np.ones((1, 4))]
    pointers = _native.pointers([a.ctypes.data for a in arrays])
    scalars = np.full(8, 0.5)
    size = _native.staged_work(library, "ocg_adafactor_factored", "f64", (3, 4))
    work = np.zeros(size)
    good = (pointers, 1, 3, 4, scalars.ctypes.data, work.ctypes.data, size, None)
    assert launch(None, *good[1:]) == 1
    assert launch(*good[:4], None, *good[5:]) == 1
    assert launch(*good[:6], size - 1, None) == 1
    assert launch(pointers, -1, 3, 4, *good[4:]) == 1
    assert launch(pointers, 2**40, 2**40, 4, *good[4:]) == 1
    with pytest.raises(ValueError, match="too large"):
        _native.staged_work(library, "ocg_adafactor_factored", "f64", (2**40, 2**40, 4))
    before = arrays[0].copy()
    assert launch(*good) == 0
    assert not np.array_equal(arrays[0], before)


def test_the_kernel_refuses_bad_arguments_without_a_signal():
    from generated import _native

    library = _native.library("adafactor", "cpu")
    function = _native.staged_function(library, "ocg_adafactor_factored", "f64")
    arrays = [np.ones((3, 4)), np.ones((3, 4)), np.ones((3, 1)), np.ones((1, 4))]
    pointers = (ctypes.c_void_p * 4)(*[a.ctypes.data for a in arrays])
    scalars = _native.doubles([0.5] * 8)
    with_null = (ctypes.c_void_p * 4)(arrays[0].ctypes.data, None, *pointers[2:])
    big = 2**40
    assert function(None, 1, 3, 4, scalars) == 1
    assert function(pointers, 1, 3, 4, None) == 1
    assert function(with_null, 1, 3, 4, scalars) == 1
    assert function(pointers, -1, 3, 4, scalars) == 1
    assert function(pointers, 1, -3, 4, scalars) == 1
    assert function(pointers, big, big, 4, scalars) == 1  # past int64
    before = [a.copy() for a in arrays]
    assert function(pointers, 0, 3, 4, scalars) == 0  # nothing to do: nothing changes
    assert all(np.array_equal(a, b) for a, b in zip(arrays, before))
    assert function(pointers, 1, 3, 4, scalars) == 0
    assert not np.array_equal(arrays[0], before[0])


def test_other_thread_counts_share_the_work_their_way_and_repeat_their_bits(toy):
    """1 and 3 OpenMP threads (a subprocess each: the team is fixed when OpenMP starts) take
    the other sharings (3 threads: a 4-matrix stack by matrices, the 2-matrix one by rows);
    each equals the reference, and a second run the first bit for bit."""
    import json
    import os
    import subprocess
    import sys

    spec, package = toy
    params0, grads = _problem()
    ref = reference.run(spec, {}, HYPER, params0, grads)
    script = (
        "import json, sys, numpy as np\n"
        "from generator.verify import testing_paths\n"
        "p0 = [np.asarray(p) for p in json.loads(sys.argv[1])]\n"
        "gs = [[np.asarray(g) for g in step] for step in json.loads(sys.argv[2])]\n"
        "hyper = json.loads(sys.argv[3])\n"
        "runs = [testing_paths.stepped('stagedopt', 'Factors', 'numpy-fused', hyper, p0, gs) for _ in range(2)]\n"
        "same = all(np.array_equal(a, b) for a, b in zip(*runs))\n"
        "print(json.dumps({'same': same, 'params': [p.tolist() for p in runs[0]]}))\n"
    )
    arguments = [
        json.dumps([p.tolist() for p in params0]),
        json.dumps([[g.tolist() for g in s] for s in grads]),
        json.dumps(HYPER),
    ]
    for threads in ("1", "3"):
        env = {
            **os.environ,
            "OMP_NUM_THREADS": threads,
            "PYTHONPATH": os.pathsep.join([str(package.parent), os.getcwd()]),
        }
        done = subprocess.run(
            [sys.executable, "-c", script, *arguments],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout)
        assert out["same"], f"{threads} threads: two runs differ"
        for shape, a, b in zip(SHAPES, out["params"], ref.params):
            np.testing.assert_allclose(
                np.asarray(a), b, rtol=1e-12, atol=1e-14, err_msg=f"{threads} threads, {shape}"
            )


def test_the_toy_on_a_gpu_equals_the_reference(toy, monkeypatch):
    """On a CUDA device (skipped without one): the CUDA launcher and kernels, built with nvcc
    for the GPU at hand, equal the 50-digit reference as the shim's do."""
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    spec, _ = toy
    params0, grads = _problem()
    ref = reference.run(spec, {}, HYPER, params0, grads)
    calls = _counting(monkeypatch, "stagedopt", "staged_work")
    cls = importlib.import_module("stagedopt.torch").Factors
    tensors = [torch.tensor(p, device="cuda", requires_grad=True) for p in params0]
    opt = cls(
        tensors,
        lr=HYPER["learning_rate"],
        decay_rate=HYPER["decay_rate"],
        weight_decay=HYPER["weight_decay"],
        fused=True,
    )
    for step in grads:
        for t, g in zip(tensors, step):
            t.grad = torch.tensor(g, device="cuda")
        opt.step()
    assert len(calls) == sum(len(s) >= 2 for s in SHAPES) * len(grads)
    for shape, t, want in zip(SHAPES, tensors, ref.params):
        np.testing.assert_allclose(
            t.detach().cpu().numpy(), want, rtol=1e-12, atol=1e-14, err_msg=str(shape)
        )
