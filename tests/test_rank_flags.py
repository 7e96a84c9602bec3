"""Rank flags (issue 13, items 3 and 4: a per-tensor choice by rank inside one optimizer): a
flag that each tensor's number of axes sets, ``matrix: {value: rank >= 2}``, so that each
tensor takes its own rank's rule. Two toys in a user package built as a user builds it,
stepped on tensors of rank 0 to 5 against the 50-digit reference on every backend in
float64; checkpoints across backends; the spec errors."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from generator.errors import SpecError
from generator.model import load_spec
from generator.model.reader import parse_spec
from generator.verify import reference, testing, testing_paths

SHAPES = [(3, 4), (5,), (), (2, 2, 3), (2, 1, 2, 2), (1, 2, 1, 1, 2)]  # ranks 2, 1, 0, 3, 4, 5
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
    rule (near the float64 reference, within the state's rounding) and keeps its rank's state
    (no v for the vector and the 0-d tensor)."""
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
        assert set(state[index]) == ({"m", "v"} if len(SHAPES[index]) >= 2 else {"m"})


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


def _kept(shape):
    return {"m", "v"} if len(shape) >= 2 else {"m"}


def test_each_tensor_keeps_its_rank_state(package, problem):
    """v only for the tensors of two axes or more, in every backend: NumPy and torch keep
    the others none; Keras and optax keep a 0-d placeholder there (Keras 3's Adafactor does
    the same for its vectors' factors), which never changes."""
    import torch

    params0, grads = problem
    hyper = _hyper("Ranked")
    numpy_opt = importlib.import_module("rankopt.numpy").Ranked(**hyper)
    params = [p.copy() for p in params0]
    numpy_opt.apply_gradients(zip(grads[0], params))
    assert [set(numpy_opt.state_of(i)) for i in range(len(SHAPES))] == [_kept(s) for s in SHAPES]

    tensors = [torch.tensor(p, requires_grad=True) for p in params0]
    torch_opt = importlib.import_module("rankopt.torch").Ranked(tensors, lr=0.1)
    for t, g in zip(tensors, grads[0]):
        t.grad = torch.tensor(g)
    torch_opt.step()
    assert [set(torch_opt.state[t]) for t in tensors] == [_kept(s) for s in SHAPES]

    testing_keras = pytest.importorskip("generator.verify.testing_keras")
    keras_opt, variables = testing_keras.run_keras(
        importlib.import_module("rankopt.keras").Ranked,
        {},
        {},
        hyper,
        "float64",
        params0=params0,
        grads=grads[:2],
    )
    assert [set(keras_opt.state_of(v)) for v in variables] == [_kept(s) for s in SHAPES]
    placeholders = [
        slot for slot, shape in zip(keras_opt._slots[1], SHAPES) if len(shape) < 2
    ]  # v's slots of the vector, the scalar and nothing else
    assert [tuple(slot.shape) for slot in placeholders] == [(), ()]
    assert all(float(testing_keras.numpy_of(slot)) == 0.0 for slot in placeholders)

    from generator.verify import testing_optax  # noqa: F401  (jax_enable_x64)
    import jax.numpy as jnp

    tx = importlib.import_module("rankopt.optax").ranked(**hyper)
    leaves = [jnp.asarray(p) for p in params0]
    state = tx.init(leaves)
    _, state = tx.update([jnp.asarray(g) for g in grads[0]], state, leaves)
    assert [jnp.shape(v) for v in state.v] == [s if len(s) >= 2 else () for s in SHAPES]


def test_a_checkpoint_with_another_ranks_state_is_refused(package, problem):
    """State for a vector's v (which its rank keeps none of) is refused by name, nothing
    changed."""
    params0, grads = problem
    cls = importlib.import_module("rankopt.numpy").Ranked
    opt = cls(**_hyper("Ranked"))
    params = [p.copy() for p in params0]
    opt.apply_gradients(zip(grads[0], params))
    checkpoint = opt.export_state()
    checkpoint["state"][1]["v"] = np.zeros(SHAPES[1])
    other = cls(**_hyper("Ranked"))
    with pytest.raises(
        ValueError,
        match=r"checkpoint state 1 has \['m', 'v'\], expected \['m'\] \(what its rank, 1, keeps\)",
    ):
        other.import_state(checkpoint, params)
    assert other.export_state()["state"] == {} and other.iterations == 0


@pytest.mark.skipif(shutil.which("latexmk") is None, reason="latexmk is not installed")
def test_the_docs_of_rank_flags_build(folder):
    """The PDF of the package builds clean, each rank flag listed with its comparison and
    each rank's kernel shown (Ranked's three, not the four its two flags could make)."""
    done = subprocess.run(
        [sys.executable, "-m", "generator", "docs", "--out", "rankopt"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (folder / "rankopt" / "docs" / "optimizers.pdf").stat().st_size > 10_000
    page = (folder / "rankopt" / "docs" / "md" / "ranked.md").read_text()
    assert "matrix (set by each tensor's rank, its number of axes: rank >= 2" in page
    tex = (folder / "rankopt" / "docs" / "ranked.tex").read_text()
    kernels = re.findall(r"Kernel for (matrix=\w+, scalar=\w+)", tex)
    assert sorted(kernels) == [
        "matrix=False, scalar=False",
        "matrix=False, scalar=True",
        "matrix=True, scalar=False",
    ]


def test_a_keras_model_with_rank_flags_saves_and_loads(package, problem, tmp_path):
    """model.save and keras.models.load_model: the rank flags are each variable's (not in
    the saved flags), the placeholders saved with the rest; the loaded optimizer goes on
    as the saved one."""
    pytest.importorskip("generator.verify.testing_keras")
    import keras

    cls = importlib.import_module("rankopt.keras").Ranked
    x = np.linspace(-1, 1, 12).reshape(4, 3)
    y = np.ones((4, 2))

    def model():
        return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])

    first = model()
    first.compile(optimizer=cls(learning_rate=0.01), loss="mse")
    first.fit(x, y, epochs=2, verbose=0, shuffle=False)
    first.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras", custom_objects={"Ranked": cls})
    for model_ in (first, loaded):
        model_.fit(x, y, epochs=1, verbose=0, shuffle=False)  # one summation order
    for a, b in zip(first.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    kernel, bias = loaded.trainable_variables
    assert set(loaded.optimizer.state_of(kernel)) == {"m", "v"}
    assert set(loaded.optimizer.state_of(bias)) == {"m"}


def test_torch_refuses_a_rank_flag_in_a_param_group(package):
    import torch

    cls = importlib.import_module("rankopt.torch").Ranked
    with pytest.raises(ValueError, match="a param group gives matrix, which each tensor's rank"):
        cls([{"params": [torch.zeros(2, 2, requires_grad=True)], "matrix": False}])


@pytest.mark.parametrize(
    "value,message",
    [
        ("rank >= 2 and rank < 2", "is always False"),
        ("rank < 1000000000", "with whole numbers from 0 to 4"),
        ("rank <= 5", "with whole numbers from 0 to 4"),
    ],
)
def test_rank_flag_values_refused(value, message):
    with pytest.raises(SpecError, match=message) as err:
        parse_spec(_spec(value, "p - lr*m if matrix else p"), "specs/toy.yaml", "toy")
    assert err.value.line == 6


def test_rank_in_an_equation_says_where_it_belongs():
    with pytest.raises(SpecError, match="'rank' .* is read only by a rank flag's value"):
        parse_spec(_spec("rank >= 2", "p - lr*m*rank if matrix else p"), "specs/toy.yaml", "toy")


def test_a_rank_flag_compares_rank_alone():
    text = testing.SPEC_WITH_RANK_FLAGS.replace(
        "value: rank >= 2", "value: rank >= 2 and beta_1 > 0.5"
    )
    with pytest.raises(SpecError, match="compares 'rank' and a hyperparameter") as err:
        parse_spec(text, "specs/ranked.yaml", "ranked")
    assert err.value.line == 8


def test_errors_name_the_tensor_and_its_rank_state(package, problem):
    """torch names a bad state by the parameter's place in its group (its plan holds only the
    tensors of one rank's kernel); optax says what a leaf whose rank keeps no state holds."""
    import torch

    params0, grads = problem
    tensors = [torch.tensor(p, requires_grad=True) for p in params0]
    opt = importlib.import_module("rankopt.torch").Ranked(tensors, lr=0.1)
    for t, g in zip(tensors, grads[0]):
        t.grad = torch.tensor(g)
    opt.step()
    opt.state[tensors[3]]["v"] = torch.zeros(3, 3, dtype=torch.float64)  # the rank-3 tensor's
    with pytest.raises(RuntimeError, match="state .v. of parameter 3 is"):
        opt.step()

    from generator.verify import testing_optax  # noqa: F401  (jax_enable_x64)
    import jax.numpy as jnp

    tx = importlib.import_module("rankopt.optax").ranked(learning_rate=0.1)
    leaves = [jnp.asarray(p) for p in params0]
    state = tx.init(leaves)
    wrong = state._replace(v=[jnp.zeros(jnp.shape(p)) for p in params0])  # the vector's too
    with pytest.raises(ValueError, match=r"expected \(\) \(its rank keeps no 'v'"):
        tx.update([jnp.asarray(g) for g in grads[0]], wrong, leaves)
