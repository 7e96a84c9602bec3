"""fused=True between steps: whatever changed since the last step (a parameter given new
storage or strides, a storage shrunk, state replaced or loaded, an odd or lazily negated
gradient, a parameter reinterpreted as another dtype) is followed or refused, and the kernels
never get a pointer the step has not checked. (A table of pointers kept between steps was
tried and dropped: a sound reuse check costs what the full check costs; see the issue-16
notes.)"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import generated.torch as G  # noqa: E402
from generated import _native  # noqa: E402


@pytest.fixture(autouse=True)
def _compiler():
    try:
        _native.library("adam", "cpu", None)
    except _native.NativeBuildError as error:  # pragma: no cover - a machine without gcc
        pytest.skip(str(error))


def pair(n=3, size=1000):
    torch.manual_seed(0)
    fused = [torch.nn.Parameter(torch.randn(size)) for _ in range(n)]
    plain = [torch.nn.Parameter(p.detach().clone()) for p in fused]
    return fused, plain


def grads(params, seed):
    gen = torch.Generator().manual_seed(seed)
    for p in params:
        p.grad = torch.randn(p.shape, generator=gen)


def step_both(a, b, opt_a, opt_b, seed):
    grads(a, seed)
    grads(b, seed)
    opt_a.step()
    opt_b.step()


def same(a, b):
    for x, y in zip(a, b):
        torch.testing.assert_close(x, y, rtol=1e-6, atol=1e-7)


def test_fused_steps_equal_the_loop():
    a, b = pair()
    opt_a, opt_b = G.Adam(a, fused=True), G.Adam(b, foreach=False)
    for seed in range(4):
        step_both(a, b, opt_a, opt_b, seed)
    same(a, b)


def test_a_parameter_given_new_storage_is_followed():
    a, b = pair()
    opt_a, opt_b = G.Adam(a, fused=True), G.Adam(b, foreach=False)
    step_both(a, b, opt_a, opt_b, 0)
    step_both(a, b, opt_a, opt_b, 1)
    old = a[1].data
    a[1].data = old.clone()  # new storage, same values
    b[1].data = b[1].data.clone()
    kept = old.clone()
    step_both(a, b, opt_a, opt_b, 2)
    assert torch.equal(old, kept), "the kernels wrote the parameter's old storage"
    same(a, b)


def test_state_replaced_in_place_of_the_old_is_used():
    a, b = pair()
    opt_a, opt_b = G.Adam(a, fused=True), G.Adam(b, foreach=False)
    step_both(a, b, opt_a, opt_b, 0)
    step_both(a, b, opt_a, opt_b, 1)
    for opt, p in ((opt_a, a[0]), (opt_b, b[0])):
        opt.state[p]["m"] = torch.full_like(p, 0.5)
    step_both(a, b, opt_a, opt_b, 2)
    same(a, b)
    saved = opt_b.state_dict()
    opt_a.load_state_dict(saved)  # new state tensors for every parameter
    step_both(a, b, opt_a, opt_b, 3)
    same(a, b)


def test_an_odd_gradient_after_the_table_exists_gets_the_full_check():
    a, _ = pair()
    opt = G.Adam(a, fused=True)
    grads(a, 0)
    opt.step()
    opt.step()
    before = [p.detach().clone() for p in a]
    a[2].grad.data = torch.randn(999)  # past torch's own check, as a buggy hook might
    with pytest.raises(RuntimeError, match="a gradient .* for a parameter .*parameter 2"):
        opt.step()
    a[2].grad.data = torch.randn(1000, dtype=torch.float64)
    with pytest.raises(
        RuntimeError, match="dtype torch.float64 for a parameter of dtype torch.float32"
    ):
        opt.step()
    assert all(torch.equal(p, q) for p, q in zip(a, before)), "a refused step changed nothing"
    a[2].grad = torch.randn(2000)[::2]  # not contiguous: copied, then stepped
    b = [torch.nn.Parameter(p.detach().clone()) for p in a]
    opt_b = G.Adam(b, foreach=False)
    opt_b.load_state_dict(opt.state_dict())
    for p, q in zip(a, b):
        q.grad = p.grad.clone()
    opt.step()
    opt_b.step()
    same(a, b)


def test_a_loaded_state_dict_is_what_the_next_fused_step_reads():
    a, b = pair()
    opt_a, opt_b = G.Adam(a, fused=True), G.Adam(b, foreach=False)
    step_both(a, b, opt_a, opt_b, 0)
    step_both(a, b, opt_a, opt_b, 1)
    saved = opt_b.state_dict()
    for opt in (opt_a, opt_b):
        opt.load_state_dict(saved)
    assert opt_a.state[a[0]]["m"] is not None
    assert torch.equal(opt_a.state[a[0]]["m"], opt_b.state[b[0]]["m"]), "the loaded state"
    step_both(a, b, opt_a, opt_b, 2)
    same(a, b)


def test_a_storage_shrunk_between_steps_is_refused():
    """The storage freed and made smaller (it may come back at the same address): the
    check refuses the parameter before anything changes."""
    a, _ = pair()
    opt = G.Adam(a, fused=True)
    for seed in range(2):
        grads(a, seed)
        opt.step()
    before = [p.detach().clone() for p in a[:2]]
    storage = a[2].untyped_storage()
    storage.resize_(storage.nbytes() // 2)
    grads(a, 2)
    with pytest.raises(RuntimeError, match="parameter 2 reaches past the end of its storage"):
        opt.step()
    assert all(torch.equal(p, q) for p, q in zip(a[:2], before))


def test_a_state_tensor_shrunk_between_steps_is_refused():
    a, _ = pair()
    opt = G.Adam(a, fused=True)
    for seed in range(2):
        grads(a, seed)
        opt.step()
    storage = opt.state[a[1]]["v"].untyped_storage()
    storage.resize_(storage.nbytes() // 2)
    grads(a, 2)
    with pytest.raises(RuntimeError, match="state 'v' of parameter 1 reaches past the end"):
        opt.step()


def test_a_parameter_restrided_in_place_of_the_old_is_stepped_right():
    """p.data = p.data.t(): same address, other strides; stepped through a contiguous copy,
    equal to the loop's step."""
    torch.manual_seed(0)
    a = [torch.nn.Parameter(torch.randn(30, 20))]
    b = [torch.nn.Parameter(a[0].detach().clone())]
    opt_a, opt_b = G.Adam(a, fused=True), G.Adam(b, foreach=False)
    step_both(a, b, opt_a, opt_b, 0)
    step_both(a, b, opt_a, opt_b, 1)
    for p, opt in ((a[0], opt_a), (b[0], opt_b)):
        p.data = p.data.t()
        opt.state[p] = {k: v.t() for k, v in opt.state[p].items()}
    step_both(a, b, opt_a, opt_b, 2)
    same(a, b)


def test_a_lazily_negated_gradient_is_refused_by_the_kernels():
    """torch._neg_view shares memory with a negation flag: the kernels read raw memory, so
    fused=True refuses it (the loop and foreach paths resolve it)."""
    a, _ = pair(n=1)
    opt = G.Adam(a, fused=True)
    for seed in range(2):
        grads(a, seed)
        opt.step()
    a[0].grad = torch._neg_view(torch.randn(1000))
    with pytest.raises(TypeError, match="lazily negated or conjugated view"):
        opt.step()


def test_a_parameter_reinterpreted_as_another_dtype_is_refused():
    """p.data = a float32 view of a float64 parameter's storage (same address): its float64
    state no longer matches, and the step refuses it rather than read a float32 gradient as
    float64."""
    torch.manual_seed(0)
    p = torch.nn.Parameter(torch.randn(1000, dtype=torch.float64))
    opt = G.Adam([p], fused=True)
    for seed in range(2):
        p.grad = torch.randn(1000, dtype=torch.float64)
        opt.step()
    p.data = p.data.view(torch.float32)[:1000]
    p.grad = torch.randn(1000)
    with pytest.raises(RuntimeError, match="state 'm' of parameter 0 is torch.float64"):
        opt.step()


def test_state_resized_smaller_in_place_is_refused():
    a, _ = pair(n=2)
    opt = G.Adam(a, fused=True)
    for seed in range(2):
        grads(a, seed)
        opt.step()
    opt.state[a[0]]["m"].resize_(500)
    grads(a, 2)
    with pytest.raises(
        RuntimeError, match="state 'm' of parameter 0 is torch.float32 of shape \\(500,\\)"
    ):
        opt.step()
