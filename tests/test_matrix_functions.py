"""Matrix functions (issue 13, item 4): whole-tensor functions with matrix products,
transposes, Frobenius norms and a repeated body, a per-tensor choice by rank, and
specs/muon.yaml against keras.optimizers.Muon, on every backend."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np
import pytest

from generator.errors import SpecError
from generator.model import parse_spec

# matrices (Muon; a tall one, transposed for the iteration, and a single row) and the rest
# (AdamW: vectors, 0-d, rank 3)
SHAPES = [(3, 4), (5,), (2, 3, 4), (), (6, 2), (1, 3)]
LR = 2**-7  # exact in float32, as Keras keeps its learning rate
VARIED = dict(
    adam_beta_1=0.8,
    adam_beta_2=0.99,
    epsilon=1e-6,
    adam_weight_decay=0.01,
    weight_decay=0.02,
    momentum=0.9,
    ns_steps=3,
    rms_rate=0.3,
    adam_lr_ratio=0.5,
)


def _problem(steps=5, seed=0):
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(s) for s in SHAPES]
    grads = [[rng.standard_normal(s) for s in SHAPES] for _ in range(steps)]
    return params, grads


def _keras_transcribed(params, grads, lr=LR, nesterov=True, **kw):
    """keras.optimizers.Muon (Keras 3.15: _apply_weight_decay, _muon_update_step,
    zeropower_via_newtonschulz5, _adamw_update_step) transcribed in float64 NumPy: the same
    arithmetic without keras.ops' float32 detours (test_keras_itself_...)."""
    h = dict(
        adam_beta_1=0.9,
        adam_beta_2=0.999,
        epsilon=1e-7,
        adam_weight_decay=0.004,
        weight_decay=0.004,
        momentum=0.95,
        ns_steps=5,
        rms_rate=0.2,
        muon_a=3.4445,
        muon_b=-4.775,
        muon_c=2.0315,
        adam_lr_ratio=1.0,
    )
    h.update(kw)
    b1, b2, mom = h["adam_beta_1"], h["adam_beta_2"], h["momentum"]
    a, b, c = h["muon_a"], h["muon_b"], h["muon_c"]
    params = [p.copy() for p in params]
    m = [np.zeros(p.shape) for p in params]
    v = [np.zeros(p.shape) for p in params]
    for t, step in enumerate(grads, start=1):
        for i, g in enumerate(step):
            p = params[i]
            muon = p.ndim == 2
            p = p - p * (h["weight_decay"] if muon else h["adam_weight_decay"]) * lr
            if muon:
                m[i] = m[i] + (g + m[i] * (mom - 1))
                x = g + mom * m[i] if nesterov else m[i]
                tall = x.shape[-2] > x.shape[-1]
                if tall:
                    x = np.swapaxes(x, -1, -2)
                x = x / (np.linalg.norm(x, axis=(-2, -1), keepdims=True) + 1e-7)
                for _ in range(h["ns_steps"]):
                    gram = x @ np.swapaxes(x, -1, -2)
                    poly = b * gram + c * gram @ gram
                    x = a * x + poly @ x
                if tall:
                    x = np.swapaxes(x, -1, -2)
                p = p - lr * x * np.sqrt(max(x.shape[0], x.shape[1])) * h["rms_rate"]
            else:
                alpha = lr * h["adam_lr_ratio"] * np.sqrt(1 - b2**t) / (1 - b1**t)
                m[i] = m[i] + (g - m[i]) * (1 - b1)
                v[i] = v[i] + (g * g - v[i]) * (1 - b2)
                p = p - m[i] * alpha / (np.sqrt(v[i]) + h["epsilon"])
            params[i] = p
    return params


def _numpy(params, grads, **kw):
    from generated.numpy.muon import Muon
    from generator.verify.testing import stepped_numpy

    return stepped_numpy(Muon, params, grads, learning_rate=LR, **kw)


def _torch(params, grads, **kw):
    from generated.torch.muon import Muon
    from generator.verify.testing_torch import stepped

    return stepped(Muon, params, grads, lr=LR, **kw)


def _keras(optimizer, params, grads):
    from generator.verify.testing_keras import stepped

    return stepped(optimizer, params, grads)


def _keras_generated(params, grads, **kw):
    from generated.keras.muon import Muon
    from generator.verify.testing_keras import floatx

    with floatx("float64"):
        return _keras(Muon(learning_rate=LR, **kw), params, grads)


def _optax(params, grads, **kw):
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import optax

    from generated.optax.muon import muon

    transformation = muon(learning_rate=LR, **kw)
    values = [jnp.asarray(p) for p in params]
    state = transformation.init(values)
    update = jax.jit(transformation.update)
    for step in grads:
        updates, state = update([jnp.asarray(g) for g in step], state, values)
        values = optax.apply_updates(values, updates)
    return [np.asarray(v) for v in values]


def _assert_close(ours, theirs, tol):
    for index, (a, b) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=f"parameter {index}")


RUNS = {
    "numpy": lambda p, g, **kw: _numpy(p, g, **kw)[0],
    "numpy-fused": lambda p, g, **kw: _numpy(p, g, fused=True, **kw)[0],
    "torch-loop": lambda p, g, **kw: _torch(p, g, **kw)[0],
    "torch-foreach": lambda p, g, **kw: _torch(p, g, foreach=True, **kw)[0],
    "torch-fused": lambda p, g, **kw: _torch(p, g, fused=True, **kw)[0],
    "keras": _keras_generated,
    "optax-jit": _optax,
}


@pytest.mark.parametrize("arguments", [{}, {"nesterov": False, **VARIED}], ids=["default", "varied"])
@pytest.mark.parametrize("run", list(RUNS.values()), ids=list(RUNS))
def test_every_backend_equals_keras_muon_in_float64(run, arguments):
    """Matrices take Muon (a tall one transposed for the iteration), every other rank AdamW,
    inside one optimizer; equal to Keras's arithmetic to rounding."""
    params, grads = _problem()
    expected = _keras_transcribed(params, grads, **arguments)
    moved = [np.max(np.abs(e - p)) for e, p in zip(expected, params) if p.size]
    assert min(moved) > 1e-4  # every tensor's rule matters here
    _assert_close(run(params, grads, **arguments), expected, 1e-13)


def test_keras_itself_within_its_float32_detours():
    """keras.optimizers.Muon on Keras 3.15's torch backend: ops.matmul and ops.norm return
    float32 for float64 tensors, and sqrt(max(rows, columns)) is taken in float32, so its
    matrices end about 1e-9 from the float64 arithmetic that the transcription, and every
    backend here, computes (the generated Keras optimizer uses '@' and host math); its
    other tensors (AdamW) are equal."""
    import keras

    from generator.verify.testing_keras import floatx

    params, grads = _problem()
    expected = _keras_transcribed(params, grads)
    with floatx("float64"):
        theirs = _keras(keras.optimizers.Muon(learning_rate=LR), params, grads)
    for shape, t, e, p in zip(SHAPES, theirs, expected, params):
        worst, moved = np.max(np.abs(t - e), initial=0), np.max(np.abs(e - p), initial=0)
        if len(shape) == 2:
            assert 0 < worst < 1e-6 * moved, shape
        else:
            assert worst <= 1e-15, shape


def test_matrices_keep_only_the_momentum():
    params, grads = _problem(steps=1)
    _, numpy_opt = _numpy(params, grads)
    _, torch_opt = _torch(params, grads)
    states = [torch_opt.state[p] for group in torch_opt.param_groups for p in group["params"]]
    exported = numpy_opt.export_state()
    for index, shape in enumerate(SHAPES):
        names = {"m"} if len(shape) == 2 else {"m", "v"}
        assert set(states[index]) - {"step"} == names, shape
        assert set(exported["state"][index]) == names, shape


def test_the_repeat_count_is_a_whole_number_checked_before_anything_changes():
    """The domain of a repeat count says "a whole number" (model.Hyperparameter.whole), and
    every backend's constructor checks it."""
    import torch

    from generated.keras.muon import Muon as KerasMuon
    from generated.numpy.muon import Muon
    from generated.optax.muon import muon as optax_muon
    from generated.torch.muon import Muon as TorchMuon

    for make in (
        lambda: Muon(ns_steps=2.5),
        lambda: TorchMuon([torch.zeros(2, 2, requires_grad=True)], ns_steps=2.5),
        lambda: KerasMuon(ns_steps=2.5),
        lambda: optax_muon(ns_steps=2.5),
    ):
        with pytest.raises(ValueError, match="ns_steps=2.5 is outside its domain .*a whole number"):
            make()
    opt = Muon(learning_rate=LR)
    with pytest.raises(ValueError, match="a whole number"):
        opt.ns_steps = 1.5
    params, grads = _problem(steps=1)
    ours = [p.copy() for p in params]
    opt.apply_gradients(zip(grads[0], ours))
    assert opt.ns_steps == 5
    _assert_close(ours, _keras_transcribed(params, grads), 1e-13)


def test_the_matrix_rule_keeps_its_momentum_in_fewer_bits():
    """Muon's matrices take state_precision too: the momentum decoded whole for the matrix
    function, then encoded (tests/test_state_precision.py compares it with float32 state)."""
    import torch

    from generated.torch.muon import Muon

    matrix = torch.zeros(64, 96, requires_grad=True)
    opt = Muon([matrix], state_precision="int8")
    matrix.grad = torch.ones(64, 96)
    opt.step()
    assert opt.state[matrix]["m"].dtype is torch.int8 and set(opt.state[matrix]) == {"m", "m.absmax"}
    assert not torch.equal(matrix.detach(), torch.zeros(64, 96))


TOY = """\
name: Toy
description: A toy optimizer with a matrix function.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Learning rate.}
  steps: {default: 2, domain: steps >= 0, doc: Iterations.}
derived_flags:
  matrix: {value: rank >= 2, doc: Two axes or more.}
matrix_functions:
  polar:
    argument: x
    doc: A cubic Newton-Schulz iteration.
    setup:
      - x = x/(frobenius_norm(x) + 1e-7)
    repeat: steps
    body:
      - gram = transpose(x) @ x
      - x = 1.5*x - 0.5*x @ gram
state:
  m: {init: 0, doc: Momentum.}
update:
  - m = 0.9*m + g
  - eq: p = p - lr*sqrt(rows*columns)*polar(m)
    when: matrix
  - eq: p = p - lr*m
    when: not matrix
"""


def _toy(text=TOY):
    return parse_spec(text, "specs/toy.yaml", "toy")


def test_the_toy_spec_parses_and_its_function_is_orthogonal():
    """The cubic iteration of the toy spec, run by the reference, drives a matrix's singular
    values towards 1: its own body, not Muon's."""
    import mpmath

    from generator.verify.reference import _matrix_function, _objects

    spec = _toy()
    fn = spec.matrix_functions[0]
    assert (fn.argument, fn.params, fn.repeat_text) == ("x", ("steps",), "steps")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 5))
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    with mpmath.workdps(30):
        values = _objects([mpmath.mpf(float(v)) for v in x.ravel()], x.shape)
        out = _matrix_function(spec, fn(spec.update[1].expr.args[0]), values, {"steps": 30})
    out = np.array(out, dtype=float)
    np.testing.assert_allclose(out, u @ vt, atol=1e-12)


ERRORS = [
    ("  - m = 0.9*m + g", "  - m = 0.9*m + g @ g", 21, "'@' (a matrix product) is allowed only"),
    ("  - m = 0.9*m + g", "  - m = 0.9*m + transpose(g)", 21, "transpose() is allowed only"),
    ("      - gram = transpose(x) @ x", "      - gram = x @ x", 16, "a matrix of rows x columns times one of rows x columns"),
    ("      - x = 1.5*x - 0.5*x @ gram", "      - x = 1.5*transpose(x)", 10, "is a matrix of columns x rows, not of its argument's shape"),
    ("      - gram = transpose(x) @ x", "      - gram = transpose(x) @ g", 16, "unknown symbol 'g': a matrix function's equation reads its argument"),
    ("      - gram = transpose(x) @ x", "      - gram = 2*steps", 16, "reads no matrix"),
    ("    repeat: steps", "    repeat: lr", 14, "'lr' is not a real hyperparameter"),
    ("    repeat: steps", "    repeat: -1", 14, "-1 is not in 0..1000"),
    ("  steps: {default: 2,", "  steps: {default: 2.5,", 14, "defaults to 2.5, not a whole number"),
    ("  polar:", "  sqrt:", 9, "name 'sqrt' is reserved (a function of the spec language)"),
    ("    argument: x", "    argument: steps", 10, "argument 'steps' clashes with"),
    ("    when: matrix\n", "    when: true\n", 22, "its matrix function polar() needs a tensor of two axes or more"),
    ("lr*sqrt(rows*columns)*polar(m)", "lr*polar(steps)", 22, "polar() of steps, which does not differ per element"),
    ("  - m = 0.9*m + g", "  - m = 0.9*m + g*rows", 21, "needs a tensor of two axes or more"),
    ("      - x = x/(frobenius_norm(x) + 1e-7)", "      - eq: x = 2*x\n        when: matrix", 14, "has no 'when:'"),
    ("      - x = x/(frobenius_norm(x) + 1e-7)", "      - x = x if steps > 1 else 2*x", 13, "have no conditions"),
    ("      - x = x/(frobenius_norm(x) + 1e-7)", "      - x = where(steps > 1, x, 2*x)", 13, "have no conditions"),
    ("  steps: {default: 2,", "  transpose: {default: 2,", 5, "name 'transpose' is reserved"),
]


@pytest.mark.parametrize("old, new, line, message", ERRORS, ids=[e[3][:40] for e in ERRORS])
def test_misuse_is_an_error_with_its_line(old, new, line, message):
    assert old in TOY, old
    with pytest.raises(SpecError) as error:
        _toy(TOY.replace(old, new, 1))
    text = str(error.value)
    assert text.startswith(f"specs/toy.yaml:{line}:"), text
    assert message in text, text


@pytest.mark.parametrize(
    "doc",
    ['Hostile."""; import os; os.system("id > pwned"); """', 'ends in a quote "', "a \\N{BULLET} escape"],
)
def test_a_matrix_functions_doc_stays_inside_its_docstring(doc):
    """The function's doc becomes a docstring in four modules: whatever it says, each
    module's syntax tree is the one harmless text gives, but for that string."""
    import ast
    import json

    from generator.build import outputs
    from generator.render import render

    def modules(text):
        spec = _toy(TOY.replace("doc: A cubic Newton-Schulz iteration.", f"doc: {json.dumps(text)}"))
        files = render([o for o in outputs([spec]) if o.path.endswith("toy.py")])
        return {path: ast.parse(source) for path, source in files.items()}

    def without_strings(tree):
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                node.value = ""
        return ast.dump(tree)

    benign, hostile = modules("Harmless."), modules(doc)
    for path in ("numpy/toy.py", "torch/toy.py", "keras/toy.py", "optax/toy.py"):
        strings = [n.value for n in ast.walk(hostile[path]) if isinstance(n, ast.Constant)]
        assert any(isinstance(s, str) and doc in s for s in strings), path
        assert without_strings(hostile[path]) == without_strings(benign[path]), path


def test_checkpoints_move_between_backends_and_refuse_a_matrix_with_v():
    """NumPy's checkpoint resumes in torch to the same numbers; a checkpoint that gives a
    matrix (Muon's rule: momentum only) AdamW's v is refused by name, nothing changed."""
    from generator.verify.testing_torch import stepped

    from generated.numpy.muon import Muon as NumpyMuon
    from generated.torch.muon import Muon as TorchMuon

    params, grads = _problem(steps=6)
    whole, _ = _numpy(params, grads)
    first, opt = _numpy(params, grads[:3])
    checkpoint = opt.export_state()
    resumed, _ = stepped(TorchMuon, first, grads[3:], checkpoint=checkpoint, lr=LR)
    _assert_close(resumed, whole, 1e-13)

    bad = opt.export_state()
    bad["state"][0]["v"] = np.zeros((3, 4))
    fresh = NumpyMuon(learning_rate=LR)
    kept = [p.copy() for p in first]
    with pytest.raises(ValueError, match=r"has \['m', 'v'\], expected \['m'\] \(what its rank, 2, keeps\)"):
        fresh.import_state(bad, kept)
    assert all(np.array_equal(a, b) for a, b in zip(kept, first))


def test_variants_that_compute_the_same_share_their_kernels():
    """Muon's AdamW rule (muon=False) reads no nesterov: both values of the flag lower to the
    same program, so the C and CUDA code is printed once and both call it; a fused step of a
    vector with either flag equals the torch code's."""
    torch = pytest.importorskip("torch")
    from generated.torch.muon import Muon
    from generator.build import load_specs
    from generator.ir import lower
    from generator.paths import GENERATED

    spec = next(s for s in load_specs() if s.module == "muon")
    sharing = {ir.variant.suffix: ir.kernel_suffix for ir in lower(spec).variants}
    assert sharing["no_muon__nesterov"] == sharing["no_muon__no_nesterov"] == "no_muon__no_nesterov"
    assert sharing["muon__nesterov"] == "muon__nesterov"  # rules of whole tensors keep theirs
    key = lambda **flags: tuple(flags[f] for f in Muon.variant_flags)  # noqa: E731
    kernels = Muon.kernels
    native = "ocg_muon_no_muon__no_nesterov"
    assert kernels[key(muon=False, nesterov=True)].native == native
    assert kernels[key(muon=False, nesterov=False)].native == native
    for suffix in ("c", "cu", "cuh", "h"):
        assert "no_muon__nesterov" not in (GENERATED / "cuda" / f"muon.{suffix}").read_text()

    rng = np.random.default_rng(4)
    p0, grads = rng.standard_normal(300), [rng.standard_normal(300) for _ in range(3)]
    ends = []
    for nesterov in (False, True):
        for fused in (False, True):
            p = torch.tensor(p0, requires_grad=True)
            opt = Muon([p], lr=0.01, nesterov=nesterov, fused=fused)
            for g in grads:
                p.grad = torch.tensor(g)
                opt.step()
            ends.append(p.detach().numpy())
    for end in ends[1:]:
        np.testing.assert_allclose(end, ends[0], rtol=1e-12, atol=1e-14)


BODIES = [  # a toy body, and what torch prints for its update of x
    # max and min with a number: torch.maximum takes tensors only (a TypeError at the step)
    ("x = max(x, 0.1) + min(0.2, x) - 0.5*x @ gram", "x = torch.clamp_min(x, 0.1) + torch.clamp_max(x, 0.2)"),
    ("x = 1.5*x - 0.5*x @ gram", "x = matrix_product_plus(x, 1.5, x, gram, -0.5)"),
    ("x = 1.5*x - (0.5*x) @ (2*gram)", "x = matrix_product_plus(x, 1.5, x, gram, -1)"),
    ("x = x + x @ gram", "x = matrix_product_plus(x, 1, x, gram, 1)"),
    ("x = x @ gram + 0.5*x @ (gram @ gram)", "x = (x @ gram) + ((0.5*x) @ (gram @ gram))"),
    ("x = 1.5*x - 0.5*x @ gram + frobenius_norm(x)*x", "x = 1.5*x + x*torch.linalg.vector_norm("),
]


@pytest.mark.parametrize("body, printed", BODIES, ids=[b for b, _ in BODIES])
def test_torch_scales_and_adds_inside_the_product_and_computes_what_numpy_does(body, printed):
    """A sum of a scaled matrix and a scaled product is one torch.addmm in the torch function
    (torch.optim.Muon's Newton-Schulz does the same), with NumPy's numbers in float64 for a
    matrix, a tall one and a stack of matrices (which take separate operations); any other
    sum is printed as written."""
    import torch

    from generator.printers.matrix import function_lines
    from generated.torch._runtime import matrix_product_plus

    spec = _toy(TOY.replace("      - x = 1.5*x - 0.5*x @ gram", f"      - {body}", 1))
    (fn,) = spec.matrix_functions
    torch_source = "\n".join(function_lines(fn, "torch"))
    numpy_source = "\n".join(function_lines(fn, "numpy"))
    update = [line.strip() for line in torch_source.splitlines() if line.strip().startswith("x = ")]
    assert update[-1].startswith(printed), torch_source
    assert ("matrix_product_plus" in update[-1]) == printed.startswith("x = matrix_product_plus")
    assert "matrix_product_plus" not in numpy_source
    on_torch = {"torch": torch, "matrix_product_plus": matrix_product_plus}
    on_numpy = {"np": np}
    exec(torch_source, on_torch)  # noqa: S102 (the generator's own output)
    exec(numpy_source, on_numpy)  # noqa: S102
    rng = np.random.default_rng(2)
    for shape in [(3, 5), (5, 3), (2, 3, 4)]:
        x = rng.standard_normal(shape)
        expected = on_numpy["_matrix_polar"](x, 3)
        got = on_torch["_matrix_polar"](torch.tensor(x), 3).numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-13)


def test_matrix_product_plus_takes_addmm_for_numbers_and_matrices_only():
    """beta*z + alpha*(a @ b) whatever the operands; addmm (which refuses a tensor scale and
    other ranks) only where it applies."""
    import torch

    from generated.torch._runtime import matrix_product_plus

    rng = np.random.default_rng(3)
    z, a, b = (torch.tensor(rng.standard_normal(s)) for s in [(3, 5), (3, 4), (4, 5)])
    for beta, alpha in [(2.0, -0.5), (1, 1), (torch.tensor(2.0), -0.5), (2.0, torch.tensor(0.25))]:
        expected = np.asarray(beta) * z.numpy() + np.asarray(alpha) * (a.numpy() @ b.numpy())
        got = matrix_product_plus(z, beta, a, b, alpha)
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-14, atol=1e-14)
    # a scale of 0: BLAS would skip what it scales, and its NaN and infinities with it
    bad = z.clone()
    bad[0, 0], bad[1, 1] = float("nan"), float("inf")
    assert torch.isnan(matrix_product_plus(bad, 0.0, a, b, 1.0)[[0, 1], [0, 1]]).all()
    assert torch.isnan(matrix_product_plus(z, 1.0, bad[:, :4], b, 0.0)[0]).all()
    stack = [torch.tensor(rng.standard_normal((2, *s))) for s in [(3, 5), (3, 4), (4, 5)]]
    expected = 2.0 * stack[0].numpy() + 0.5 * (stack[1].numpy() @ stack[2].numpy())
    got = matrix_product_plus(stack[0], 2.0, stack[1], stack[2], 0.5)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-14, atol=1e-14)
