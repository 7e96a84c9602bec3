"""Checks the generated torch tests call: the torch backend against the reference and the
NumPy backend, both code paths, every dtype, and torch.optim's protocol (param groups,
schedulers, state_dict, closures, None/sparse/complex gradients)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from . import reference, testing

DTYPES = {"float64": torch.float64, "float32": torch.float32}


def torch_kwargs(hyper: dict) -> dict:
    return {("lr" if k == "learning_rate" else k): v for k, v in hyper.items()}


PATHS = {
    "loop": {"foreach": False},
    "foreach": {"foreach": True},
    "fused": {"fused": True},
    "shim": {"fused": True},
}


def make(cls, params, path, **kwargs):
    """An optimizer on one code path: "loop", "foreach", "fused" (the generated C library on
    CPU tensors) or "shim" (the generated CUDA kernels, run on CPU tensors through the shim);
    False/True mean loop/foreach."""
    path = {False: "loop", True: "foreach"}.get(path, path)
    opt = cls(params, **kwargs, **PATHS[path])
    if path == "shim":
        opt._native_target_for_cpu = "shim"
    return opt


def run_torch(
    cls, flags, common, hyper, dtype, foreach, steps=testing.STEPS, params0=None, grads=None
):
    if params0 is None:
        params0, grads = testing.problem(steps=steps, shapes=testing.shapes_for(cls))
    params = [torch.tensor(p, dtype=dtype, requires_grad=True) for p in params0]
    opt = make(cls, params, foreach, **torch_kwargs(hyper), **flags, **common)
    for step in grads:
        for p, g in zip(params, step):
            p.grad = torch.tensor(g, dtype=dtype)
        opt.step()
    return opt, params


def stepped(cls, params, grads, checkpoint=None, **kwargs):
    """``cls(tensors, **kwargs)`` run over ``grads`` (a list of NumPy gradients per step) from
    tensors of ``params``, resumed from ``checkpoint`` (an ``export_state()``) if given: (the
    parameters after, as NumPy arrays, the optimizer)."""
    tensors = [torch.tensor(p, requires_grad=True) for p in params]
    opt = cls(tensors, **kwargs)
    if checkpoint is not None:
        opt.import_state(checkpoint)
    for step in grads:
        for t, g in zip(tensors, step):
            t.grad = torch.tensor(g)
        opt.step()
    return [t.detach().numpy() for t in tensors], opt


def check_against_reference(cls, path, flags, common_case, hyper_case, dtype, foreach):
    s = testing.spec(path)
    common = testing.common_case(common_case, s.common)
    own, hyper = testing.variant_arguments(s, flags, testing.hyper_values(s, hyper_case))
    ref = testing.reference_for(path, flags, common, hyper)
    opt, params = run_torch(cls, own, common, hyper, DTYPES[dtype], foreach)
    for i, p in enumerate(params):
        assert p.dtype == DTYPES[dtype]
        testing.compare(
            f"parameter {i}", p.detach().double().numpy(), ref.params[i], ref.param_scale[i], dtype
        )
        state = opt.state[p]
        for name, expected in ref.state[i].items():
            assert state[name].dtype == DTYPES[dtype], name
            testing.compare(
                f"state {name} of parameter {i}",
                state[name].double().numpy(),
                expected,
                ref.state_scale[i][name],
                dtype,
            )
    for group in opt.param_groups:
        assert group["iterations"] == testing.STEPS
        for name, value in ref.scalar_state.items():
            assert group["scalar_state"][name] == pytest.approx(value, rel=1e-12), name


def check_against_numpy(torch_cls, numpy_cls, flags, foreach, path):
    """float64, every common argument at once: the two backends agree to rounding."""
    common = testing.common_case("all", numpy_cls.common)
    flags, hyper = testing.variant_arguments(testing.spec(path), flags)
    _, expected = testing.run_numpy(numpy_cls, flags, common, hyper, np.dtype("float64"))
    _, params = run_torch(torch_cls, flags, common, hyper, torch.float64, foreach)
    for p, q in zip(params, expected):
        np.testing.assert_allclose(p.detach().numpy(), q, rtol=1e-13, atol=1e-15)


def check_low_precision(cls, dtype_name):
    """float16/bfloat16 parameters: state and arithmetic in float32, the parameter rounded to
    its dtype after each step, which is a float32 run that rounds its parameters each step."""
    dtype = getattr(torch, dtype_name)
    params0, grads = testing.problem(steps=20, shapes=testing.shapes_for(cls))
    low = [torch.tensor(p, dtype=dtype, requires_grad=True) for p in params0]
    high = [p.detach().float().requires_grad_() for p in low]
    opt_low, opt_high = cls(low), cls(high)
    for step in grads:
        for a, b, g in zip(low, high, step):
            a.grad = torch.tensor(g, dtype=dtype)
            b.grad = a.grad.float()
        opt_low.step()
        opt_high.step()
        with torch.no_grad():
            for b in high:
                b.copy_(b.to(dtype).float())
    for a, b in zip(low, high):
        assert a.dtype == dtype
        assert torch.equal(a.float(), b), (a, b)
        for state in opt_low.state[a].values():
            assert state.dtype == torch.float32
        assert torch.isfinite(a).all()


def check_resume_is_bit_exact(cls, flags, path):
    params0, grads = testing.problem(steps=20, shapes=testing.shapes_for(cls))
    flags, hyper = testing.variant_arguments(testing.spec(path), flags)
    flags = {**torch_kwargs(hyper), **flags}  # the arguments that pick the variant

    def fresh(values):
        return [torch.tensor(v, dtype=torch.float32, requires_grad=True) for v in values]

    def run(opt, params, steps):
        for step in steps:
            for p, g in zip(params, step):
                p.grad = torch.tensor(g, dtype=torch.float32)
            opt.step()

    straight = fresh(params0)
    opt = cls(straight, **flags, clipnorm=1.0)
    run(opt, straight, grads)

    first = fresh(params0)
    opt1 = cls(first, **flags, clipnorm=1.0)
    run(opt1, first, grads[:10])
    checkpoint = copy.deepcopy(opt1.state_dict())
    saved = [p.detach().clone() for p in first]
    del opt1, first

    resumed = [p.clone().requires_grad_() for p in saved]
    # the checkpoint brings each group's hyperparameters, step count and scalar state;
    # clipnorm and clipvalue are constructor arguments, as torch.optim's are
    opt2 = cls(resumed, **flags, clipnorm=1.0)
    opt2.load_state_dict(checkpoint)
    run(opt2, resumed, grads[10:])
    for a, b in zip(straight, resumed):
        assert torch.equal(a, b)
    assert opt2.param_groups[0]["iterations"] == 20
    assert opt2.param_groups[0]["scalar_state"] == opt.param_groups[0]["scalar_state"]


def check_scheduler_drives_lr(cls):
    params0, grads = testing.problem(steps=6)
    a = [torch.tensor(p, requires_grad=True) for p in params0]
    b = [torch.tensor(p, requires_grad=True) for p in params0]
    opt_a, opt_b = cls(a, lr=0.05), cls(b, lr=0.05)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(opt_a, gamma=0.5)
    for k, step in enumerate(grads):
        for pa, pb, g in zip(a, b, step):
            pa.grad, pb.grad = torch.tensor(g), torch.tensor(g)
        opt_b.param_groups[0]["lr"] = 0.05 * 0.5**k
        opt_a.step()
        opt_b.step()
        scheduler.step()
    for pa, pb in zip(a, b):
        assert torch.equal(pa, pb)
    assert opt_a.param_groups[0]["lr"] == pytest.approx(0.05 * 0.5**6)


def check_param_groups(cls, path):
    """Two groups with their own hyperparameters act as two optimizers (without clipnorm)."""
    s = testing.spec(path)
    params0, grads = testing.problem(steps=5, shapes=testing.shapes_for(cls))
    varied = torch_kwargs(testing.hyper_values(s, "varied"))
    a = [torch.tensor(p, requires_grad=True) for p in params0]
    b = [torch.tensor(p, requires_grad=True) for p in params0]
    opt = cls([{"params": a[:1], **varied}, {"params": a[1:]}])
    opt_1, opt_2 = cls(b[:1], **varied), cls(b[1:])
    for step in grads:
        for pa, pb, g in zip(a, b, step):
            pa.grad, pb.grad = torch.tensor(g), torch.tensor(g)
        opt.step()
        opt_1.step()
        opt_2.step()
    for pa, pb in zip(a, b):
        assert torch.equal(pa, pb)


def check_protocol(cls, path):
    s = testing.spec(path)
    p = torch.zeros(3, requires_grad=True)
    q = torch.ones(2, requires_grad=True)
    opt = cls([p, q])
    p.grad = torch.ones(3)
    loss = opt.step(lambda: torch.tensor(7.0))
    assert float(loss) == 7.0
    assert torch.equal(q, torch.ones(2)) and len(opt.state[q]) == 0, "a None gradient is skipped"
    for _ in range(3):  # a spec may hold p still at first (where(t > 1, g, 0)): a few steps
        if not torch.equal(p, torch.zeros(3)):
            break
        opt.step()
    assert not torch.equal(p, torch.zeros(3)), "three steps with a gradient left p as it was"

    sparse = torch.zeros(3, requires_grad=True)
    sparse.grad = torch.zeros(3).to_sparse()
    with pytest.raises(RuntimeError, match="sparse"):
        cls([sparse]).step()
    complex_param = torch.zeros(3, dtype=torch.complex64, requires_grad=True)
    with pytest.raises(TypeError, match="complex64"):
        cls([complex_param])
    with pytest.raises(ValueError, match="cannot be used together"):
        cls([p], fused=True, foreach=True)
    with pytest.raises(TypeError, match="fused"):
        cls([p], fused="yes")
    with pytest.raises(TypeError, match="foreach"):
        cls([p], foreach="yes")
    for h in s.reals:
        bad = testing.out_of_domain(h)
        key = "lr" if h.name == "learning_rate" else h.name
        if bad is not None:
            with pytest.raises(ValueError, match=f"{key}={bad!r} is outside its domain"):
                cls([p], **{key: bad})
            with pytest.raises(ValueError, match="outside its domain"):
                cls([{"params": [p], key: bad}])
    with pytest.raises(ValueError, match="clipnorm"):
        cls([p], clipnorm=-1.0)


def check_maximize(cls):
    params0, grads = testing.problem(steps=3, shapes=testing.shapes_for(cls))
    a = [torch.tensor(v, requires_grad=True) for v in params0]
    b = [torch.tensor(v, requires_grad=True) for v in params0]
    opt_a, opt_b = cls(a, maximize=True), cls(b)
    for step in grads:
        for pa, pb, g in zip(a, b, step):
            pa.grad, pb.grad = torch.tensor(g), -torch.tensor(g)
        opt_a.step()
        opt_b.step()
    for pa, pb in zip(a, b):
        assert torch.equal(pa, pb)


# A tensor stored in fewer bits (int8 needs 4096 elements or more) and one that int8 keeps
# in float32; the reference runs on every SAMPLE-th element of the first (the spec has no
# reductions, so elements are independent), which keeps the 50-digit arithmetic short.
STORED_SHAPES = ((64, 80), (3, 5))
SAMPLE = 7


def _code_values(signed: bool) -> np.ndarray:
    """Every value an int8 code stands for (times its block's scale), sorted."""
    from ..runtime import _state_codes as codes

    top = codes.SIGNED_TOP if signed else codes.UNSIGNED_TOP
    magnitudes = [codes.value(c, signed) for c in range(top + 1)]
    return np.unique(magnitudes + [-m for m in magnitudes] if signed else magnitudes)


def _stored_bound(stored: dict, name: str, expected: np.ndarray, index: np.ndarray) -> np.ndarray:
    """How far stochastic rounding may move each new state value (``expected``, the values of
    flat elements ``index``): the gap between the two stored values around it, which it
    rounds to one of (float32's rounding is added apart)."""
    from ..runtime import _state_codes as codes

    code = stored[name]
    magnitude = np.abs(expected)
    if code.dtype is torch.bfloat16:  # the spacing of bfloat16 at the value (8 bits kept)
        spacing = np.exp2(np.floor(np.log2(np.where(magnitude > 0, magnitude, 1.0))) - 7)
        return np.where(magnitude > 0, 2 * spacing, 0.0)  # a binade's edge: the wider gap
    scale = stored[name + ".absmax"].double().numpy()[index // codes.BLOCK]
    scale = np.where(scale > 0, scale, 1.0)
    table = _code_values(code.dtype is torch.int8)
    normalised = expected / scale
    gaps = []
    for nudge in (1 - 1e-5, 1 + 1e-5):  # float32's new value may sit on the other side of a code
        above = np.clip(np.searchsorted(table, normalised * nudge), 1, len(table) - 1)
        gaps.append(table[above] - table[above - 1])
    return np.maximum(*gaps) * scale


def check_stored_state_refused(cls, path, flags, precision):
    """The variant ``flags`` refuses state stored in ``precision``, naming the root's argument
    that only a relation between its states keeps non-negative (generator.signs)."""
    s = testing.spec(path)
    own, hyper = testing.variant_arguments(s, flags, testing.hyper_values(s, "varied"))
    p = torch.randn(8192, requires_grad=True)
    with pytest.raises(
        ValueError, match="stays non-negative only while its states keep their relation"
    ):
        cls([p], **torch_kwargs(hyper), **own, state_precision=precision)


def check_stored_state_against_reference(cls, path, flags, precision, code_path):
    """One step with the state stored in ``precision`` against the 50-digit reference run
    from the same (decoded) state: the parameters within float32 rounding, since the step
    computes in float32 from exactly the decoded values; each new state within the gap between
    the stored values around the reference value, plus float32 rounding."""
    s = testing.spec(path)
    own, hyper = testing.variant_arguments(s, flags, testing.hyper_values(s, "varied"))
    # a spec with rank flags: a vector and a 0-d tensor too (their ranks' kernels)
    shapes = STORED_SHAPES + (((300,), ()) if cls.rank_flags else ())
    params0, grads = testing.problem(seed=5, steps=4, shapes=shapes)
    params = [torch.tensor(p, dtype=torch.float32, requires_grad=True) for p in params0]
    opt = make(cls, params, code_path, **torch_kwargs(hyper), **own, state_precision=precision)
    for step in grads[:3]:
        for p, g in zip(params, step):
            p.grad = torch.tensor(g, dtype=torch.float32)
        opt.step()
    saved = opt.export_state()  # the decoded state, float32
    index = [np.arange(0, p.numel(), SAMPLE if p.numel() >= 4096 else 1) for p in params]
    flat = lambda x, i: np.asarray(x, dtype=np.float64).ravel()[index[i]]  # noqa: E731
    state0 = [
        {n: flat(v.double().numpy(), i) for n, v in saved["state"].get(i, {}).items()}
        for i in range(len(params))
    ]
    start = (saved["step"], saved["scalar_state"], state0)
    before = [flat(p.detach().numpy(), i) for i, p in enumerate(params)]
    last = [flat(g, i) for i, g in enumerate(grads[3])]
    ranks = [p.dim() for p in params]  # the samples are flat: the tensors' rank flags
    ref = reference.run(s, flags, hyper, before, [last], start=start, ranks=ranks)
    for p, g in zip(params, grads[3]):
        p.grad = torch.tensor(g, dtype=torch.float32)
    opt.step()
    after = opt.export_state()["state"]
    eps32 = float(np.finfo(np.float32).eps)
    for i, p in enumerate(params):
        got = flat(p.detach().numpy(), i)
        testing.compare(f"parameter {i}", got, ref.params[i], ref.param_scale[i], "float32", 1)
        stored = opt.state[p]
        for name, expected in ref.state[i].items():
            got = flat(after[i][name].double().numpy(), i)
            where = f"state {name} of parameter {i} ({precision})"
            if stored[name].dtype is torch.float32:  # int8's small tensors stay float32
                assert p.numel() < 4096 and precision == "int8", where
                testing.compare(where, got, expected, ref.state_scale[i][name], "float32", 1)
                continue
            rounding = testing.C32 * eps32 * ref.state_scale[i][name]
            bound = _stored_bound(stored, name, expected, index[i]) + rounding
            error = np.abs(got - expected)
            worst = int(np.argmax(error - bound))
            assert (error <= bound).all(), (
                f"{where}: {int((error > bound).sum())} of {error.size} elements out of the "
                f"rounding bound; worst, flat element {index[i][worst]}: got {got[worst]!r}, "
                f"reference {expected[worst]!r}, bound {bound[worst]:.3g}"
            )
