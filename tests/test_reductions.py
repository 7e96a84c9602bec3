"""Reductions (per tensor and global) go through the same pipeline as everything else: a
test-only spec that uses both is generated, loaded and checked against the reference."""

from __future__ import annotations

import re

import pytest

from generator.verify import testing
from generator.backends import host as host_backend
from generator.build import prepare
from generator.backends import numpy as numpy_backend
from generator.ir import build_ir
from generator.model import parse_spec
from generator.render import render

SPEC = testing.SPEC_WITH_EVERY_REDUCTION


def render_spec(backend, text=SPEC, module="normalized_momentum"):
    """A test-only spec's module for ``backend``, with its host module."""
    spec = parse_spec(text, f"specs/{module}.yaml", module)
    build = prepare([spec])
    files = render([*host_backend.BACKEND.outputs(build), *backend.BACKEND.outputs(build)])
    host = testing.load_module(files[f"host/{module}.py"], "generated.host", module)
    package = backend.__name__.rsplit(".", 1)[-1]
    source = files[f"{package}/{module}.py"]
    loaded = testing.load_module(source, f"generated.{package}", module, host=host)
    return spec, getattr(loaded, spec.name), source


@pytest.fixture(scope="module")
def optimizer():
    return render_spec(numpy_backend)


def test_reductions_are_their_own_stage_in_the_ir(optimizer):
    spec, _, _ = optimizer
    ir = build_ir(spec.variants()[0])
    assert [(r.name, r.scope, r.op) for r in ir.reductions] == [
        ("g_sq", "tensor", "sum"),
        ("p_absmax", "tensor", "max"),
        ("m_total", "global", "sum"),
        ("g_peak", "global", "max"),
    ]
    # values that depend on tensor reductions are hoisted per tensor, not per element
    per_tensor = {r.name for r in ir.reductions if r.scope == "tensor"}
    assert ir.tensor and all({s.name for s in a.expr.free_symbols} & per_tensor for a in ir.tensor)
    assert "scale" in {a.symbol.name for a in ir.step}


def test_generated_code_reduces_once_per_tensor(optimizer):
    _, _, source = optimizer
    assert "g_sq = float(np.vdot(g, g))" in source  # a sum of squares is one dot product
    assert "p_absmax = float(np.max(" in source
    assert "def _partials_default(" in source


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("common", ["plain", "all"])
def test_reductions_match_the_reference(optimizer, common, dtype):
    spec, cls, _ = optimizer
    testing.check_numpy_against_reference(cls, spec, {}, common, "default", dtype)


def test_a_reduction_cannot_use_per_step_values():
    bad = SPEC.replace("of: g**2,", "of: g**2*lr,")
    from generator import SpecError

    with pytest.raises(SpecError, match="unknown symbol 'lr': a reduction may only use"):
        parse_spec(bad, "specs/x.yaml", "x")


@pytest.fixture(scope="module")
def torch_optimizer():
    pytest.importorskip("torch")
    from generator.backends import torch as torch_backend

    spec, cls, _ = render_spec(torch_backend)
    return spec, cls


@pytest.mark.parametrize("foreach", [False, True], ids=["loop", "foreach-falls-back-to-loop"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("common", ["plain", "all"])
def test_torch_reductions_match_the_reference(torch_optimizer, common, dtype, foreach):
    from generator.verify import testing_torch

    spec, cls = torch_optimizer
    testing_torch.check_against_reference(cls, spec, {}, common, "default", dtype, foreach)


def render_functional(backend_name, text=SPEC, module="normalized_momentum"):
    """A test-only spec's Keras class or optax function (the functional backends)."""
    from generator.backends import keras as keras_backend
    from generator.backends import optax as optax_backend

    backend = {"keras": keras_backend, "optax": optax_backend}[backend_name]
    spec = parse_spec(text, f"specs/{module}.yaml", module)
    build = prepare([spec])
    files = render([*host_backend.BACKEND.outputs(build), *backend.BACKEND.outputs(build)])
    host = testing.load_module(files[f"host/{module}.py"], "generated.host", module)
    source = files[f"{backend_name}/{module}.py"]
    loaded = testing.load_module(source, f"generated.{backend_name}", module, host=host)
    return spec, getattr(loaded, spec.name if backend_name == "keras" else spec.keras_name), source


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("common", ["plain", "all"])
def test_keras_reductions_match_the_reference(common, dtype):
    """Per-tensor reductions inside each tensor's update; global ones summed (or maxed) over
    all tensors before the step program, in keras.ops."""
    testing_keras = pytest.importorskip("generator.verify.testing_keras")
    spec, cls, source = render_functional("keras")
    assert "g_sq = ops.sum(g * g)" in source and "def _partials_default(" in source
    testing_keras.check_against_reference(cls, spec, {}, common, "default", dtype)


@pytest.mark.parametrize("common", ["plain", "all"])
@pytest.mark.parametrize(
    "module,text",
    [
        ("globaltrust", testing.SPEC_WITH_GLOBAL_TRUST),
        ("selective", testing.SPEC_WITH_SELECTING_REDUCTIONS),
        ("rectified", testing.SPEC_WITH_RECTIFIED_REDUCTIONS),
    ],
)
def test_keras_reductions_of_the_update_values_match_the_reference(module, text, common):
    """Global reductions over the update's values, and reductions that select per element
    and per step;
    the other paths of these specs are in tests/test_conditions_per_element.py."""
    testing_keras = pytest.importorskip("generator.verify.testing_keras")
    spec, cls, _ = render_functional("keras", text, module)
    testing_keras.check_against_reference(cls, spec, {}, common, "default", "float64")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("common", ["plain", "all"])
def test_optax_reductions_match_the_reference(common, dtype):
    testing_optax = pytest.importorskip("generator.verify.testing_optax")
    spec, fn, source = render_functional("optax")
    # a per-tensor reduction reads p after the weight decay (Keras 3's order), as the update
    assert re.search(r"p_absmax = jnp\.max\(jnp\.abs\(_c\d+_weight_decay_factor \* p\), initial=-math\.inf\)", source)
    testing_optax.check_against_reference(fn, spec, {}, common, "default", dtype)


def test_a_spec_with_norms_passes_the_generated_tests_checks(optimizer, torch_optimizer):
    """Issue 13 found two generated tests failing for any spec with reductions: NumPy's
    float64 reduction over float32 arrays takes its fixed 64 KiB casting buffer (the allocation
    check now allows it: no array of the parameters' size), and torch checked fused=True
    against the spec before fused=True with foreach=True (the combination comes first now)."""
    from generator.verify import testing_torch

    spec, numpy_cls, _ = optimizer
    testing.check_steps_allocate_no_arrays(numpy_cls)
    _, torch_cls = torch_optimizer
    testing_torch.check_protocol(torch_cls, spec)


COUNTED = """\
name: Counted
description: Mean squares from element counts, per tensor and over all tensors.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Learning rate.}
  beta: {default: 0.9, domain: 0 < beta < 1, doc: Momentum.}
reductions:
  n: {scope: tensor, op: sum, of: 1, doc: Elements of this tensor.}
  g_sq: {scope: tensor, op: sum, of: g**2, doc: Squared norm of this gradient.}
  total: {scope: global, op: sum, of: 1, doc: Elements of all tensors.}
  top: {scope: global, op: max, of: 2*beta, doc: A per-step value's maximum.}
state:
  m: {init: 0, doc: Momentum.}
update:
  - m = beta*m + g/sqrt(g_sq/n + 1)
  - p = p - lr*top*m/(1 + total/1000)
"""


@pytest.mark.parametrize("backend", ["numpy", "torch", "keras", "optax"])
def test_a_reduction_of_a_per_step_value_counts_the_elements(backend):
    """``of: 1`` sums 1 over the elements (the count a mean divides by): issue 13 found it
    refused at build time without a line. Every backend takes it (no pass over memory), each
    equal to the reference, which sums it element by element; a maximum of a per-step value
    is that value."""
    from generator.backends import numpy as numpy_backend
    from generator.backends import torch as torch_backend

    if backend in ("numpy", "torch"):
        module = {"numpy": numpy_backend, "torch": torch_backend}[backend]
        spec, cls, source = render_spec(module, COUNTED, "counted")
        assert "n = float(1) * p." in source
    else:
        spec, cls, source = render_functional(backend, COUNTED, "counted")
        assert "size(g)" in source
    for common in ("plain", "all"):
        if backend == "numpy":
            testing.check_numpy_against_reference(cls, spec, {}, common, "default", "float64")
        elif backend == "torch":
            from generator.verify import testing_torch

            for foreach in (False, True):
                testing_torch.check_against_reference(
                    cls, spec, {}, common, "default", "float64", foreach
                )
        else:
            checks = pytest.importorskip(f"generator.verify.testing_{backend}")
            checks.check_against_reference(cls, spec, {}, common, "default", "float64")


@pytest.mark.parametrize("backend", ["numpy", "torch-loop", "torch-foreach"])
def test_an_empty_tensor_beside_a_counted_one_steps(backend):
    """A per-tensor count of 0 (an empty parameter) would divide by zero in the per-tensor
    values: an empty tensor has nothing to update, and the other tensors step as the
    reference does."""
    import numpy as np

    from generator.backends import numpy as numpy_backend
    from generator.backends import torch as torch_backend
    from generator.verify import reference

    module = numpy_backend if backend == "numpy" else torch_backend
    spec, cls, _ = render_spec(module, COUNTED, "counted")
    params0 = [np.linspace(-1.0, 1.0, 6), np.zeros(0)]
    grads = [[np.full(6, 0.5), np.zeros(0)]] * 3
    ref = reference.run(spec, {}, {"learning_rate": 0.1, "beta": 0.9}, params0, grads)
    if backend == "numpy":
        params = [p.copy() for p in params0]
        opt = cls()
        for step in grads:
            opt.apply_gradients(zip(step, params))
    else:
        import torch

        params = [torch.tensor(p, requires_grad=True) for p in params0]
        opt = cls(params, foreach=backend == "torch-foreach")
        for step in grads:
            for p, g in zip(params, step):
                p.grad = torch.tensor(g)
            opt.step()
        params = [p.detach().numpy() for p in params]
    np.testing.assert_allclose(params[0], ref.params[0], rtol=1e-12)
    assert params[1].shape == (0,)


def test_the_first_pass_writes_the_states_that_need_no_reduction():
    """Lamb's m and v need no per-tensor value: the first of the fused kernels' two passes
    writes them, and the update reads them instead of the gradient and the old state (10
    values moved per element instead of 11)."""
    from pathlib import Path

    from generator.backends import two_pass
    from generator.ir import lower
    from generator.model import load_spec

    root = Path(__file__).resolve().parent.parent
    lamb = lower(load_spec(root / "specs" / "lamb.yaml", root)).variants[0]
    commit, rest = two_pass.split(lamb)
    assert [name for name, _ in commit.outputs] == ["m", "v"]
    assert [name for name, _ in rest.outputs] == ["p"]
    assert {"p", "m", "v"} <= rest.reads() and "g" not in rest.reads()
    source = (root / "generated" / "cuda" / "lamb.c").read_text()
    update = source.split("#pragma omp simd\n")[1].split("p[_i] = _new_p;")[0]
    assert "g[_i]" not in update and "m[_i], v[_i]" in update


@pytest.mark.parametrize(
    "update,reason",
    [
        # the rest reads the old m (through u) beside the new one: both passes read the old
        ("  - u = m\n  - m = 0.9*m + g\n  - p = p - lr*n*(m + u)", "old value"),
        # m's new value needs the reduction: nothing to write early
        ("  - m = 0.9*m + n*g\n  - p = p - lr*m", "needs the reduction"),
    ],
)
def test_the_first_pass_writes_nothing_where_the_update_needs_the_old_values(update, reason):
    from generator.backends import two_pass
    from generator.ir import lower

    text = f"""\
name: Early
description: A state and a per-tensor reduction.
hyperparameters:
  learning_rate: {{default: 0.1, domain: learning_rate >= 0, doc: Rate.}}
state:
  m: {{doc: Momentum.}}
reductions:
  n: {{scope: tensor, op: sum, of: g**2, doc: Squared norm.}}
update:
{update}
"""
    ir = lower(parse_spec(text, "specs/early.yaml", "early")).variants[0]
    assert two_pass.split(ir) is None, reason


PEAK = """\
name: Peak
description: A global maximum that a NaN in another tensor reaches.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Learning rate.}
reductions:
  top: {scope: global, op: max, of: g, doc: Largest gradient element.}
update:
  - p = p - lr*g/(1 + abs(top))
"""


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_a_nan_in_any_tensor_is_the_global_maximum(backend):
    """The runtimes combine each tensor's part of a global maximum: Python's max kept a NaN
    only where it came first, so the first tensor stepped as if the second had none."""
    import numpy as np

    from generator.backends import torch as torch_backend
    from generator.verify import reference

    if backend == "torch":
        torch = pytest.importorskip("torch")
    spec, cls, _ = render_spec({"numpy": numpy_backend, "torch": torch_backend}[backend], PEAK, "peak")
    params0 = [np.array([1.0, 2.0]), np.array([3.0, 4.0])]
    grads = [[np.array([0.5, -0.25]), np.array([np.nan, 1.0])]]
    ref = reference.run(spec, {}, {"learning_rate": 0.1}, params0, grads)
    assert np.isnan(ref.params[0]).all()
    if backend == "numpy":
        params = [p.copy() for p in params0]
        with np.errstate(invalid="ignore"):
            cls().apply_gradients(zip(grads[0], params))
    else:
        tensors = [torch.tensor(p, requires_grad=True) for p in params0]
        opt = cls(tensors)
        for t, g in zip(tensors, grads[0]):
            t.grad = torch.tensor(g)
        opt.step()
        params = [t.detach().numpy() for t in tensors]
    assert np.isnan(params[0]).all() and np.isnan(params[1]).all()


def test_a_reduction_whose_condition_mixes_per_step_and_per_element_values_is_refused():
    """k is a value of the update that reads only t, a per-step value: the reduction's
    condition mixes it with a per-element comparison, refused with the reduction's line (its
    conditions are checked after the update, which tells per-step values from per-element
    ones)."""
    from generator import SpecError

    text = testing.SPEC_WITH_RECTIFIED_REDUCTIONS.replace(
        'of: "where(t > 2, g**2, abs(g))"', 'of: "where(k > 5 and g > 0, g**2, abs(g))"'
    ).replace("  - v = beta_2*v", "  - k = 2*t\n  - v = beta_2*v")
    assert text.count("k = 2*t") == 1 and "k > 5 and g > 0" in text
    line = 1 + text.splitlines().index(
        [row for row in text.splitlines() if row.startswith("  early:")][0]
    )
    with pytest.raises(SpecError, match="reduction 'early': of: the condition .* combines") as info:
        parse_spec(text, "specs/rectified.yaml", "rectified")
    assert info.value.line == line


def test_keras_excluded_variables_read_their_undecayed_update_in_a_global_reduction():
    """Keras 3's exclude_from_weight_decay: an excluded variable's update reads p without the
    decay, and so does its part of a global reduction over the update's values: with every
    variable excluded, the step is the one without weight decay."""
    testing_keras = pytest.importorskip("generator.verify.testing_keras")
    import keras
    import numpy as np
    from keras import ops

    _, cls, _ = render_functional("keras", testing.SPEC_WITH_GLOBAL_TRUST, "globaltrust")
    params0, grads = testing.problem(steps=5)

    def run(weight_decay, excluded):
        with testing_keras.floatx("float64"):
            names = [f"w{i}" for i in range(len(params0))]
            variables = [keras.Variable(np.array(p), name=n) for p, n in zip(params0, names)]
            opt = cls(weight_decay=weight_decay)
            opt.exclude_from_weight_decay(var_names=names[:excluded])
            for step in grads:
                opt.apply([ops.convert_to_tensor(np.array(g)) for g in step], variables)
        return [testing_keras.numpy_of(v) for v in variables]

    undecayed = run(None, 0)
    excluded = run(0.5, len(params0))
    for got, want in zip(excluded, undecayed):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)
    decayed = run(0.5, 0)
    assert not np.allclose(decayed[0], undecayed[0])


def test_a_reduction_with_more_per_step_conditions_than_printed_programs_is_refused():
    """Four per-step conditions would print its pass 2**4 times in NumPy and torch: refused
    at build, naming the reduction, as an element program with as many is."""
    from generator import GenerationError
    from generator.ir import lower

    text = testing.SPEC_WITH_RECTIFIED_REDUCTIONS.replace(
        'of: "where(t > 2, g**2, abs(g))"',
        'of: "where(t > 2, g, 1) + where(t > 3, g, 2) + where(t > 4, g, 3) + where(t > 5, g, 4)"',
    )
    assert "where(t > 5, g, 4)" in text
    spec = parse_spec(text, "specs/rectified.yaml", "rectified")
    with pytest.raises(GenerationError, match=r"more than 3 per-step conditions in one reduction \(early\)"):
        from generator.backends import numpy as numpy_backend
        from generator.build import prepare
        from generator.render import render

        render(numpy_backend.BACKEND.outputs(prepare([spec])))
    lower(spec)  # the IR takes them: the limit is the array backends' printing


def test_a_reduction_a_variant_does_not_read_costs_it_no_pass():
    """A flag's variant that does not read a reduction has none in its IR (its kernels take
    no first pass for it); a reduction no variant reads is refused with its line."""
    from generator import SpecError
    from generator.ir import lower

    text = testing.SPEC_WITH_EVERY_REDUCTION.replace(
        "  epsilon: {default: 1.0e-6, domain: epsilon > 0, doc: Fuzz factor.}\n",
        "  epsilon: {default: 1.0e-6, domain: epsilon > 0, doc: Fuzz factor.}\n"
        "  absmax: {default: true, doc: Read the largest magnitude.}\n",
    ).replace("*(m + 0.01*p/(p_absmax + epsilon))", "*(m + 0.01*p/(p_absmax + epsilon) if absmax else m)")
    assert text.count("if absmax else m") == 1
    off, on = lower(parse_spec(text, "specs/nm.yaml", "nm")).variants
    assert dict(off.variant.flags) == {"absmax": False}
    assert [r.name for r in on.reductions] == ["g_sq", "p_absmax", "m_total", "g_peak"]
    assert [r.name for r in off.reductions] == ["g_sq", "m_total", "g_peak"]
    spec, cls, _ = render_spec(numpy_backend, text, "nm")
    for absmax in (False, True):  # each variant equals the reference
        testing.check_numpy_against_reference(cls, spec, {"absmax": absmax}, "all", "default", "float64")
    unread = text.replace("p_absmax + epsilon", "epsilon")
    line = 1 + unread.splitlines().index(
        [row for row in unread.splitlines() if row.startswith("  p_absmax:")][0]
    )
    with pytest.raises(SpecError, match="reduction 'p_absmax' is never read") as info:
        parse_spec(unread, "specs/nm.yaml", "nm")
    assert info.value.line == line


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_fused_sums_over_chunks_equal_the_array_code(dtype):
    """The CPU kernels of per-tensor reductions add each thread's terms in the element type
    over chunks of OCG_SUM_CHUNK (256) elements, then the chunks in double: Lamb's norms of
    tensors of several chunks per thread (and a part chunk) equal torch code's (fused=False)
    in float64, and stay within float32 rounding of it in float32."""
    import numpy as np

    torch = pytest.importorskip("torch")
    from generated.torch.lamb import Lamb

    rng = np.random.default_rng(3)
    shapes = [(5003,), (70, 90), (7,)]
    params0 = [rng.standard_normal(s) for s in shapes]
    grads = [[rng.standard_normal(s) for s in shapes] for _ in range(3)]

    def run(fused, torch_dtype):
        tensors = [torch.tensor(p, dtype=torch_dtype, requires_grad=True) for p in params0]
        opt = Lamb(tensors, lr=0.01, fused=fused)
        for step in grads:
            for t, g in zip(tensors, step):
                t.grad = torch.tensor(g, dtype=torch_dtype)
            opt.step()
        return [t.detach().double().numpy() for t in tensors]

    want = run(False, torch.float64)
    got = run(True, getattr(torch, dtype))
    for a, b in zip(got, want):
        if dtype == "float64":
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
        else:
            np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)
    assert not np.allclose(got[0], params0[0], atol=1e-4)  # the step moved them
