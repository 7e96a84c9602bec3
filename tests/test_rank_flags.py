"""Rank flags (issue 13, items 3 and 4: a per-tensor choice by rank inside one optimizer): a
flag that each tensor's number of axes sets, ``matrix: {value: rank >= 2}``, so that each
tensor takes its own rank's rule. Two toys in a user package built as a user builds it,
stepped on tensors of rank 0 to 4 against the 50-digit reference on every backend in
float64; checkpoints across backends; the spec errors."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys

import numpy as np
import pytest

from generator.errors import SpecError
from generator.model import load_spec
from generator.model.reader import parse_spec
from generator.verify import reference, testing, testing_paths

SHAPES = [(3, 4), (5,), (), (2, 2, 3), (2, 1, 2, 2)]  # ranks 2, 1, 0, 3, 4
HYPER = {"learning_rate": 0.1}
STEPS = 6


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(the folder that holds specs/ and the built package rankopt/, the specs by stem)."""
    base = tmp_path_factory.mktemp("ranks")
    specs = {"ranked": testing.SPEC_WITH_RANK_FLAGS, "ranktrust": testing.SPEC_WITH_RANK_TRUST}
    with testing.user_package(base, specs, "rankopt"):
        yield base, {name: load_spec(base / "specs" / f"{name}.yaml", base) for name in specs}


@pytest.fixture(scope="module")
def package(built):
    return built[1]


@pytest.fixture(scope="module")
def folder(built):
    return built[0]


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(1)
    params0 = [rng.standard_normal(shape) for shape in SHAPES]
    grads = [[rng.standard_normal(shape) for shape in SHAPES] for _ in range(STEPS)]
    return params0, grads


def _hyper(name):
    """Every argument the reference reads: Ranked's with Keras 3's weight decay on."""
    if name == "Ranked":
        return {**HYPER, "beta_1": 0.9, "beta_2": 0.99, "weight_decay": 0.05}
    return dict(HYPER)


@pytest.fixture(scope="module")
def references(package, problem):
    params0, grads = problem
    return {
        spec.name: reference.run(spec, {}, _hyper(spec.name), params0, grads)
        for spec in package.values()
    }


def test_each_rank_takes_its_own_rule(package, problem, references):
    """The reference of one tensor alone is its rank's variant's rule: Adam's on the matrix
    and rank-3 and rank-4 tensors, momentum on the vector, twice the momentum on the 0-d
    tensor; and the rules differ on these data (a test that ran one rule everywhere would
    fail)."""
    params0, grads = problem
    spec = package["ranked"]
    ref = references["Ranked"]
    hyper = _hyper("Ranked")
    for index, shape in enumerate(SHAPES):
        alone = reference.run(spec, {}, hyper, [params0[index]], [[g[index]] for g in grads])
        np.testing.assert_array_equal(alone.params[0], ref.params[index])
        variant = spec.tensor_variant({}, len(shape))
        assert variant.flag_dict == {"matrix": len(shape) >= 2, "scalar": len(shape) == 0}
    # the vector's rule (momentum) is not the matrix's (Adam's): on the same data they differ
    m = np.zeros(5)
    p = params0[1].copy()
    for t, g in enumerate(grads, start=1):
        p = p * (1 - 0.1 * 0.05)
        m = 0.9 * m + 0.1 * g[1]
        p = p - 0.1 * m
    np.testing.assert_allclose(ref.params[1], p, rtol=1e-12)
    assert not np.allclose(ref.params[1], params0[1] - 0.1 * np.sign(grads[0][1]), atol=1e-3)
    trust = package["ranktrust"]
    assert [trust.tensor_variant({}, r).flag_dict["middle"] for r in range(5)] == [
        False,
        False,
        True,
        True,
        False,
    ]


PATHS = ["numpy", "numpy-fused", "loop", "foreach", "fused", "fused-shim", "capturable", "optax"]
# the per-tensor reductions have no foreach or graph path (their values are host floats)
TRUST_PATHS = ["numpy", "numpy-fused", "loop", "fused", "fused-shim", "optax"]


@pytest.mark.parametrize(
    "name,path", [("Ranked", p) for p in PATHS] + [("RankTrust", p) for p in TRUST_PATHS]
)
def test_every_path_equals_the_reference(package, problem, references, name, path):
    params0, grads = problem
    got = testing_paths.stepped("rankopt", name, path, _hyper(name), params0, grads)
    for index, (value, want) in enumerate(zip(got, references[name].params)):
        np.testing.assert_allclose(value, want, rtol=1e-12, atol=1e-14, err_msg=f"{SHAPES[index]}")


@pytest.mark.parametrize("name", ["Ranked", "RankTrust"])
def test_keras_equals_the_reference(package, problem, references, name):
    testing_keras = pytest.importorskip("generator.verify.testing_keras")
    params0, grads = problem
    cls = getattr(importlib.import_module("rankopt.keras"), name)
    _, variables = testing_keras.run_keras(
        cls, {}, {}, _hyper(name), "float64", params0=params0, grads=grads
    )
    for v, want in zip(variables, references[name].params):
        np.testing.assert_allclose(testing_keras.numpy_of(v), want, rtol=1e-12, atol=1e-14)


def test_a_checkpoint_moves_between_backends(package, problem, references):
    """Three steps in NumPy, exported; the rest in torch (fused) from the checkpoint: the
    reference's trajectory. The checkpoint names the arguments' flags only (none here):
    the rank flags are each tensor's."""
    import torch

    params0, grads = problem
    hyper = _hyper("Ranked")
    first = importlib.import_module("rankopt.numpy").Ranked(**hyper)
    params = [p.copy() for p in params0]
    for step in grads[:3]:
        first.apply_gradients(zip(step, params))
    checkpoint = first.export_state()
    assert checkpoint["flags"] == {}
    tensors = [torch.tensor(p, requires_grad=True) for p in params]
    second = importlib.import_module("rankopt.torch").Ranked(
        tensors, lr=hyper["learning_rate"], weight_decay=hyper["weight_decay"], fused=True
    )
    second.import_state(checkpoint)
    for step in grads[3:]:
        for t, g in zip(tensors, step):
            t.grad = torch.tensor(g)
        second.step()
    for t, want in zip(tensors, references["Ranked"].params):
        np.testing.assert_allclose(t.detach().numpy(), want, rtol=1e-12, atol=1e-14)


def test_a_group_with_one_rank_and_groups_with_others(package, problem, references):
    """torch param groups: a group whose tensors all take one rule, a group mixing them;
    every group's step count and scalar state advance once per step."""
    import torch

    params0, grads = problem
    tensors = [torch.tensor(p, requires_grad=True) for p in params0]
    opt = importlib.import_module("rankopt.torch").Ranked(
        [{"params": tensors[:1]}, {"params": tensors[1:]}], lr=0.1, weight_decay=0.05
    )
    for step in grads:
        for t, g in zip(tensors, step):
            t.grad = torch.tensor(g)
        opt.step()
    assert [g["iterations"] for g in opt.param_groups] == [STEPS, STEPS]
    for t, want in zip(tensors, references["Ranked"].params):
        np.testing.assert_allclose(t.detach().numpy(), want, rtol=1e-12, atol=1e-14)


def _spec(derived, update, extra=""):
    return f"""\
name: Toy
description: A toy.
hyperparameters:
  learning_rate: {{default: 0.1, domain: learning_rate >= 0, doc: Rate.}}
derived_flags:
  matrix: {{value: "{derived}", doc: A matrix.}}
state:
  m: {{doc: Momentum.}}
{extra}update:
  - m = 0.9*m + g
  - p = {update}
"""


@pytest.mark.parametrize(
    "text,line,message",
    [
        (_spec("rank >= 2.5", "p - lr*m if matrix else p"), 6, "with whole numbers"),
        (_spec("rank >= 0", "p - lr*m if matrix else p"), 6, "same for every rank"),
        (_spec("rank >= 2", "p - lr*m"), 6, "read by no state"),
        (
            _spec("rank >= 2", "p - lr*m if matrix else p", "step:\n  - k = 2 if matrix else 1\n"),
            10,
            "step: k reads the rank flag 'matrix'",
        ),
        (
            _spec(
                "rank >= 2",
                "p - lr*m*n",
                "reductions:\n  n: {scope: global, op: sum, of: g**2, doc: N.}\n",
            ).replace("p - lr*m*n", "p - lr*m*n if matrix else p"),
            10,
            "global reduction in a spec with a rank flag",
        ),
        (
            _spec("rank >= 2", "p - lr*m if matrix else p").replace(
                "  m: {doc: Momentum.}", "  m: {doc: Momentum., when: matrix}"
            ),
            8,
            "every tensor keeps the same state",
        ),
    ],
)
def test_spec_errors(text, line, message):
    with pytest.raises(SpecError) as err:
        parse_spec(text, "specs/toy.yaml", "toy")
    assert err.value.line == line and message in str(err.value), str(err.value)


def test_rank_is_a_reserved_name():
    text = _spec("rank >= 2", "p - lr*m if matrix else p").replace(
        "  learning_rate:", "  rank: {default: 1.0, doc: R.}\n  learning_rate:"
    )
    with pytest.raises(SpecError, match="name 'rank' is reserved"):
        parse_spec(text, "specs/toy.yaml", "toy")


def test_a_compiled_step_is_one_graph_with_eager_numbers(package, problem):
    """torch.compile(fullgraph=True) of a group whose tensors take three kernels: one graph
    over the steps (each kernel's plan steps from the same saved step count and scalar
    state), and the eager numbers."""
    import torch
    from torch._dynamo.testing import CompileCounter

    params0, grads = problem
    cls = importlib.import_module("rankopt.torch").Ranked
    torch._dynamo.reset()
    eager = [torch.tensor(p, dtype=torch.float32, requires_grad=True) for p in params0]
    compiled = [torch.tensor(p, dtype=torch.float32, requires_grad=True) for p in params0]
    opt_eager, opt_compiled = cls(eager, lr=0.1), cls(compiled, lr=0.1)
    counter = CompileCounter()
    step = torch.compile(opt_compiled.step, backend=counter, fullgraph=True)
    for grad in grads:
        for a, b, g in zip(eager, compiled, grad):
            a.grad = torch.tensor(g, dtype=torch.float32)
            b.grad = a.grad.clone()
        opt_eager.step()
        step()
    assert counter.frame_count == 1
    assert opt_compiled.export_state()["step"] == STEPS
    for a, b in zip(eager, compiled):
        torch.testing.assert_close(b, a, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("precision", ["bfloat16", "int8"])
@pytest.mark.parametrize("fused", [False, True])
def test_state_in_fewer_bits_takes_each_rank_kernel(package, problem, precision, fused):
    """State stored in bfloat16 or int8 codes, fused or not: each tensor steps by its rank's
    rule (near the float64 reference, within the state's rounding), and the vectors' and
    scalars' v, which their rule leaves alone, stay exactly 0."""
    import torch

    params0, grads = problem
    hyper = _hyper("Ranked")
    ref = reference.run(package["ranked"], {}, hyper, params0, grads)
    tensors = [torch.tensor(p, dtype=torch.float32, requires_grad=True) for p in params0]
    opt = importlib.import_module("rankopt.torch").Ranked(
        tensors,
        lr=0.1,
        beta_1=0.9,
        beta_2=0.99,
        weight_decay=0.05,
        fused=fused,
        state_precision=precision,
    )
    for step in grads:
        for t, g in zip(tensors, step):
            t.grad = torch.tensor(g, dtype=torch.float32)
        opt.step()
    state = opt.export_state()["state"]
    for index, (t, want) in enumerate(zip(tensors, ref.params)):
        np.testing.assert_allclose(t.detach().double().numpy(), want, rtol=0.05, atol=0.05)
        if len(SHAPES[index]) < 2:
            assert not np.asarray(state[index]["v"]).any()


def test_the_generated_tests_of_a_spec_with_rank_flags_pass(folder):
    """The tests the generator writes for Ranked (each backend against the reference on a
    matrix, a vector and a 0-d tensor, checkpoints, low-precision state...), in float64 and
    with the common arguments all off or all on, as tests/test_user_package.py runs a user's."""
    selection = "not float32 and not -clipnorm- and not -clipvalue- and not -decay-"
    files = [f"rankopt/tests/test_{b}ranked.py" for b in ("", "torch_", "keras_", "optax_")]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *files, "-q", "-p", "no:cacheprovider", "-k", selection],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert " passed" in done.stdout and not re.search(r"\d+ (failed|error)", done.stdout), (
        done.stdout[-3000:] + done.stderr[-2000:]
    )
