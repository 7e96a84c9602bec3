"""0-d, zero-size and non-contiguous parameters are updated in place (never a copy);
mismatched gradients are refused before any state changes; float16 parameters whose
gradients underflow in float16 arithmetic stay finite (their arithmetic is float32)."""

from __future__ import annotations

import numpy as np
import pytest

import generated.numpy as N
from generator.build import load_specs

NAMES = sorted(s.keras_name for s in load_specs())


def expected_after_two_steps(name, values, grad):
    """The same optimizer on plain contiguous float64 copies."""
    params = [np.array(v, dtype=np.float64) for v in values]
    opt = N.get(name)()
    for _ in range(2):
        opt.apply_gradients([(np.full(p.shape, grad), p) for p in params])
    return params


@pytest.mark.parametrize("fused", [False, True], ids=["ufuncs", "fused"])
@pytest.mark.parametrize("name", NAMES)
def test_numpy_updates_odd_arrays_in_place(name, fused):
    base = np.ones((4, 6))
    view = base[:, ::2]  # non-contiguous
    scalar = np.array(1.0)  # 0-d
    empty = np.zeros((0, 3))
    opt = N.get(name)(fused=fused)
    for _ in range(2):
        opt.apply_gradients([(np.full(p.shape, 0.5), p) for p in (view, scalar, empty)])
    want_view, want_scalar, _ = expected_after_two_steps(name, [np.ones((4, 3)), 1.0, np.zeros((0, 3))], 0.5)
    np.testing.assert_array_equal(base[:, ::2], want_view)
    np.testing.assert_array_equal(base[:, 1::2], 1.0), "elements outside the view are untouched"
    assert scalar.shape == () and float(scalar) == float(want_scalar)
    assert empty.shape == (0, 3)


class _Padded(np.ndarray):
    """An ndarray subclass that says it holds far more than its memory (found by a red-team
    pass: the fused path read size, shape and ctypes through the subclass and handed C 16M
    elements of a 16-element buffer)."""

    @property
    def size(self):
        return 1 << 24

    @property
    def shape(self):
        return (1 << 24,)


@pytest.mark.parametrize("fused", [False, True], ids=["ufuncs", "fused"])
@pytest.mark.parametrize("name", ["Adam", "Adafactor"])
def test_numpy_steps_an_ndarray_subclass_by_its_own_memory(name, fused):
    """The step sees plain views of a subclass's memory: updated in place, as a plain array
    is, whatever its Python attributes say; the same subclass array twice is still refused."""
    plain = np.linspace(-1, 1, 48).reshape(6, 8)
    padded = plain.copy().view(_Padded)
    grad = np.linspace(0.5, -0.5, 48).reshape(6, 8)
    steps = []
    for p, g in ((plain, grad), (padded, grad.copy().view(_Padded))):
        opt = N.get(name)(fused=fused)
        opt.apply_gradients([(g, p)])
        steps.append(np.ndarray.view(p, np.ndarray).copy())
    np.testing.assert_array_equal(steps[0], steps[1])
    assert not np.array_equal(steps[0], np.linspace(-1, 1, 48).reshape(6, 8))
    with pytest.raises(ValueError, match="the same parameter appears twice"):
        N.get(name)(fused=fused).apply_gradients([(grad, padded), (grad, padded)])


@pytest.mark.parametrize("fused", [False, True], ids=["ufuncs", "fused"])
def test_numpy_knows_memmap_parameters_by_identity(fused, tmp_path):
    """np.memmap is an ndarray subclass, stepped through plain views: the list reordered is
    still refused, and state_of finds each by the array passed (a review caught both lost)."""
    a, b = (np.memmap(tmp_path / n, dtype=np.float64, mode="w+", shape=(5,)) for n in "ab")
    a[:], b[:] = 1.0, 2.0
    opt = N.get("Adam")(fused=fused)
    opt.apply_gradients([(np.ones(5), a), (np.full(5, 2.0), b)])
    np.testing.assert_allclose(opt.state_of(b)["m"], np.full(5, 0.2), rtol=1e-15)
    with pytest.raises(ValueError, match="parameter 0 is the array that was parameter 1"):
        opt.apply_gradients([(np.ones(5), b), (np.ones(5), a)])


torch = pytest.importorskip("torch")
import generated.torch as T  # noqa: E402
from generator.verify.testing_torch import make  # noqa: E402


@pytest.mark.parametrize("foreach", ["loop", "foreach", "fused", "shim"])
@pytest.mark.parametrize("name", NAMES)
def test_torch_updates_odd_tensors_in_place(name, foreach):
    base = torch.ones(4, 6, dtype=torch.float64)
    view = base[:, ::2].requires_grad_()  # a non-contiguous leaf
    scalar = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    empty = torch.zeros(0, 3, dtype=torch.float64, requires_grad=True)
    storage = view.data_ptr()
    opt = make(T.get(name), [view, scalar, empty], foreach)
    for _ in range(2):
        for p in (view, scalar, empty):
            p.grad = torch.full(p.shape, 0.5, dtype=torch.float64)
        opt.step()
    want_view, want_scalar, _ = expected_after_two_steps(name, [np.ones((4, 3)), 1.0, np.zeros((0, 3))], 0.5)
    assert view.data_ptr() == storage
    np.testing.assert_allclose(view.detach().numpy(), want_view, rtol=1e-14)
    assert scalar.item() == pytest.approx(float(want_scalar), rel=1e-14)
    assert empty.shape == (0, 3)


@pytest.mark.parametrize("name", NAMES)
def test_torch_refuses_bad_gradients_before_any_change(name):
    p = torch.ones(3, dtype=torch.float64, requires_grad=True)
    q = torch.ones(2, dtype=torch.float64, requires_grad=True)
    opt = T.get(name)([p, q])
    p.grad, q.grad = torch.ones(3, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
    opt.step()
    before = (p.detach().clone(), q.detach().clone(), {k: v.clone() for k, v in opt.state[p].items()}, opt.param_groups[0]["iterations"])
    with pytest.raises(RuntimeError, match="size"):  # torch itself guards .grad's shape
        q.grad = torch.ones(5, dtype=torch.float64)
    p.grad = torch.ones(3, dtype=torch.float64)
    q.grad = torch.ones(2, dtype=torch.float64).to_sparse()  # refused by the optimizer
    with pytest.raises(RuntimeError, match="sparse"):
        opt.step()
    assert torch.equal(p, before[0]) and torch.equal(q, before[1])
    assert all(torch.equal(opt.state[p][k], v) for k, v in before[2].items())
    assert opt.param_groups[0]["iterations"] == before[3]


@pytest.mark.parametrize("name", ["adam", "adamax", "nadam", "rmsprop", "adagrad", "adadelta", "adamw"])
def test_float16_parameters_with_tiny_gradients_stay_finite(name):
    """g = 1e-4 squares to 1e-8, which is 0 in float16, and epsilon = 1e-7 rounds to a
    float16 subnormal: float16 arithmetic would divide by (almost) zero."""
    p = torch.ones(64, dtype=torch.float16, requires_grad=True)
    opt = T.get(name)([p])
    for _ in range(5):
        p.grad = torch.full((64,), 1e-4, dtype=torch.float16)
        opt.step()
    assert torch.isfinite(p).all()
    reference = torch.ones(64, dtype=torch.float32, requires_grad=True)
    ref_opt = T.get(name)([reference])
    for _ in range(5):
        reference.grad = torch.full((64,), 1e-4, dtype=torch.float16).float()
        ref_opt.step()
        with torch.no_grad():
            reference.copy_(reference.half().float())
    assert torch.equal(p.float(), reference)


@pytest.mark.parametrize("name", NAMES)
def test_numpy_blocked_steps_equal_whole_array_steps(name, monkeypatch):
    """Large contiguous arrays are updated BLOCK elements at a time (cache blocking); with a
    tiny BLOCK the result must equal the whole-array pass bit for bit, tail and clipping included."""
    import generated.numpy._runtime as runtime

    rng = np.random.default_rng(5)
    start = [rng.standard_normal((10, 5)), rng.standard_normal(3)]
    grads = [[rng.standard_normal(p.shape) for p in start] for _ in range(3)]
    results = []
    for block in (10**9, 7):
        monkeypatch.setattr(runtime, "BLOCK", block)
        params = [p.copy() for p in start]
        opt = N.get(name)(clipnorm=1.0, clipvalue=0.5)
        for step in grads:
            opt.apply_gradients(zip(step, params))
        results.append((params, [opt.state_of(p) for p in params]))
    (whole, whole_state), (blocked, blocked_state) = results
    for a, b, sa, sb in zip(whole, blocked, whole_state, blocked_state):
        np.testing.assert_array_equal(a, b)
        for key in sa:
            np.testing.assert_array_equal(sa[key], sb[key])
