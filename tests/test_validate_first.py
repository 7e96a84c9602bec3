"""Checkpoints, arguments and tensors are untrusted too: everything is checked before anything
changes, and no native kernel receives a pointer that was not checked (issue 11, items 8, 9).

- float16/bfloat16 parameters resume bit for bit through state_dict/load_state_dict on every
  path (torch.optim's loader would cast their float32 state to float16; with fused=True the
  kernels then wrote 4-byte floats into 2-byte buffers);
- a checkpoint of the wrong shape, a parameter resized through .data, a gradient of another
  dtype or a tensor subclass are refused with a message, on every path, before any change;
- a refused step, param group, checkpoint or state dict leaves the optimizer as it was.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import generated.numpy as N  # noqa: E402
import generated.torch as T  # noqa: E402

PATHS = {"loop": {"foreach": False}, "foreach": {"foreach": True}, "fused": {"fused": True}}


def snapshot(opt):
    """Everything an optimizer holds, deep-copied, for before/after comparisons."""
    groups = [{k: (v if k != "params" else [p.detach().clone() for p in v]) for k, v in g.items()} for g in opt.param_groups]
    state = {i: {k: v.clone() for k, v in opt.state[p].items()} for i, p in enumerate(opt._params()) if opt.state.get(p)}
    return copy.deepcopy(groups), state


def same(a, b) -> bool:
    (groups_a, state_a), (groups_b, state_b) = a, b
    if len(groups_a) != len(groups_b) or state_a.keys() != state_b.keys():
        return False
    for ga, gb in zip(groups_a, groups_b):
        if ga.keys() != gb.keys() or any(not torch.equal(x, y) for x, y in zip(ga["params"], gb["params"])):
            return False
        if {k: v for k, v in ga.items() if k != "params"} != {k: v for k, v in gb.items() if k != "params"}:
            return False
    return all(torch.equal(state_a[i][k], state_b[i][k]) for i in state_a for k in state_a[i])


def run(opt, params, grads):
    for step in grads:
        for p, g in zip(params, step):
            p.grad = g.clone()
        opt.step()


# ---------------------------------------------------------------- low-precision resume


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("path", PATHS)
def test_low_precision_parameters_resume_bit_for_bit(dtype, path):
    torch.manual_seed(0)
    start = [torch.randn(1000).to(dtype), torch.randn(3, 5).to(dtype)]
    grads = [[torch.randn_like(p) for p in start] for _ in range(6)]

    straight = [torch.nn.Parameter(p.clone()) for p in start]
    run(T.Adam(straight, **PATHS[path]), straight, grads)

    first = [torch.nn.Parameter(p.clone()) for p in start]
    opt = T.Adam(first, **PATHS[path])
    run(opt, first, grads[:3])
    saved = copy.deepcopy(opt.state_dict())
    resumed = [torch.nn.Parameter(p.detach().clone()) for p in first]
    opt2 = T.Adam(resumed, **PATHS[path])
    opt2.load_state_dict(saved)
    assert all(v.dtype == torch.float32 for p in resumed for v in opt2.state[p].values()), "state stays float32"
    run(opt2, resumed, grads[3:])
    for a, b in zip(straight, resumed):
        assert torch.equal(a, b), "the resumed run is not the same run"


# ---------------------------------------------------------------- shapes, dtypes, subclasses


@pytest.mark.parametrize("path", PATHS)
def test_a_parameter_resized_through_data_is_refused_before_any_change(path):
    p, q = torch.nn.Parameter(torch.randn(100)), torch.nn.Parameter(torch.randn(7))
    opt = T.Adam([p, q], **PATHS[path])
    run(opt, [p, q], [[torch.randn(100), torch.randn(7)]])
    p.data = torch.randn(10_000)  # the kernel would read and write 10,000 elements of 100-element state
    p.grad, q.grad = torch.randn(10_000), torch.randn(7)
    before = snapshot(opt)
    with pytest.raises(RuntimeError, match=r"state 'm' of parameter 0 is torch.float32 of shape \(100,\).*needs torch.float32 of shape \(10000,\)"):
        opt.step()
    assert same(before, snapshot(opt)), "q was stepped before p was refused"


@pytest.mark.parametrize("path", PATHS)
def test_a_gradient_of_another_dtype_is_refused(path):
    p = torch.nn.Parameter(torch.randn(100, dtype=torch.float64))
    opt = T.Adam([p], **PATHS[path])
    p.grad = torch.randn(100, dtype=torch.float64)
    p.data = p.data.float()  # the gradient stays float64: the kernel would read 8 bytes per element
    with pytest.raises(RuntimeError, match="a gradient of dtype torch.float64 for a parameter of dtype torch.float32"):
        opt.step()


class Subclass(torch.Tensor):
    """Stands in for DTensor and other tensor subclasses, whose data pointer is not the tensor."""


def test_fused_refuses_tensor_subclasses_other_paths_run_them():
    p = torch.nn.Parameter(torch.randn(10).as_subclass(Subclass))
    p.grad = torch.randn(10).as_subclass(Subclass)
    with pytest.raises(TypeError, match="fused=True passes raw pointers .* parameter 0 is a Subclass"):
        T.Adam([p], fused=True).step()
    T.Adam([p], foreach=False).step()  # torch operations handle subclasses themselves


@pytest.mark.parametrize("path", PATHS)
def test_a_state_dict_of_the_wrong_shape_or_names_is_refused_and_changes_nothing(path):
    p = torch.nn.Parameter(torch.randn(100))
    opt = T.Adam([p], **PATHS[path])
    run(opt, [p], [[torch.randn(100)]])
    saved = opt.state_dict()
    target = T.Adam([torch.nn.Parameter(torch.randn(100))], **PATHS[path])
    before = snapshot(target)
    bad_shape = copy.deepcopy(saved)
    bad_shape["state"][0]["m"] = torch.zeros(3)
    bad_names = copy.deepcopy(saved)
    bad_names["state"][0]["w"] = bad_names["state"][0].pop("m")
    bad_group = copy.deepcopy(saved)
    bad_group["param_groups"][0]["maximize"] = "no"
    bad_lr = copy.deepcopy(saved)
    bad_lr["param_groups"][0]["lr"] = torch.tensor(float("nan"))
    bad_step = copy.deepcopy(saved)
    bad_step["param_groups"][0]["iterations"] = -1
    unknown = copy.deepcopy(saved)
    unknown["state"][5] = unknown["state"][0]
    sparse = copy.deepcopy(saved)
    sparse["state"][0]["m"] = sparse["state"][0]["m"].to_sparse()
    huge_step = copy.deepcopy(saved)
    huge_step["param_groups"][0]["iterations"] = 10**400
    for bad, words in [
        (bad_shape, r"state 'm' of parameter id 0 must be a strided floating-point tensor of shape \(100,\)"),
        (bad_names, r"holds \['v', 'w'\], expected \['m', 'v'\]"),
        (bad_group, "maximize must be True or False"),
        (bad_lr, "lr=nan is not finite"),
        (bad_step, "iterations must be an integer from 0"),
        (unknown, "state for parameter id 5, which no group lists"),
        (sparse, r"must be a strided floating-point tensor of shape \(100,\), not torch.float32 .*sparse_coo"),
        (huge_step, "iterations must be an integer from 0 to 2\\*\\*53"),
    ]:
        with pytest.raises((ValueError, TypeError), match=words):
            target.load_state_dict(bad)
        assert same(before, snapshot(target)), words


# ---------------------------------------------------------------- validate first, then change


def test_a_step_refused_in_a_later_group_leaves_earlier_groups_unchanged():
    a, b = torch.nn.Parameter(torch.randn(5)), torch.nn.Parameter(torch.randn(5))
    opt = T.Adam([{"params": [a]}, {"params": [b]}])
    run(opt, [a, b], [[torch.randn(5), torch.randn(5)]])
    opt.param_groups[1]["lr"] = -1.0  # as a buggy scheduler might
    a.grad, b.grad = torch.randn(5), torch.randn(5)
    before = snapshot(opt)
    with pytest.raises(ValueError, match="lr=-1.0 is outside its domain learning_rate >= 0"):
        opt.step()
    assert same(before, snapshot(opt))


def test_a_step_whose_kernels_cannot_build_changes_nothing(monkeypatch):
    from generated import _native

    a, b = torch.nn.Parameter(torch.randn(5)), torch.nn.Parameter(torch.randn(5))
    opt = T.Adam([{"params": [a]}, {"params": [b], "fused": True}])
    a.grad, b.grad = torch.randn(5), torch.randn(5)
    before = snapshot(opt)

    def no_compiler(*args, **kwargs):
        raise _native.NativeBuildError("no compiler here")

    monkeypatch.setattr(_native, "library", no_compiler)
    with pytest.raises(_native.NativeBuildError):
        opt.step()
    assert same(before, snapshot(opt)), "group 0 stepped before group 1's kernels failed to build"


@pytest.mark.parametrize(
    "group,words",
    [
        ({"lr": torch.tensor(float("nan"))}, "lr=nan is not finite"),
        ({"lr": torch.tensor([0.1, 0.2])}, "lr must be a real number"),
        ({"maximize": "no"}, "maximize must be True or False"),
        ({"foreach": 1}, "foreach must be True or False"),
        ({"fused": "yes"}, "fused must be True or False"),
        ({"decay": -1.0}, "decay=-1.0 is outside its domain"),
        ({"beta_1": 1.5}, "beta_1=1.5 is outside its domain 0 < beta_1 < 1"),
        ({"amsgrad": None}, "amsgrad must be True or False"),
        ({"iterations": 2.9}, "iterations must be an integer from 0"),
    ],
)
def test_every_group_value_is_checked_and_a_refused_group_is_not_kept(group, words):
    opt = T.Adam([torch.nn.Parameter(torch.randn(3))])
    with pytest.raises((ValueError, TypeError), match=words):
        opt.add_param_group({"params": [torch.nn.Parameter(torch.randn(3))], **group})
    assert len(opt.param_groups) == 1
    with pytest.raises((ValueError, TypeError), match=words):
        T.Adam([{"params": [torch.nn.Parameter(torch.randn(3))], **group}])



@pytest.mark.parametrize("path", ["loop", "foreach", "fused"])
def test_group_values_changed_after_a_step_are_checked_again(path):
    """A step skips rechecking a group whose plain values are those it checked last
    (_settings_snapshot): a changed value, one of another type or a tensor changed in place
    is checked again, and a new valid value is the one used."""
    p = torch.nn.Parameter(torch.ones(4))
    opt = T.Adam([p], lr=0.1, **PATHS[path])

    def step():
        p.grad = torch.ones(4)
        opt.step()

    step()
    for key, value, words in [
        ("lr", -1.0, "lr=-1.0 is outside its domain"),
        ("lr", True, "lr must be a real number"),
        ("betas", (0.9, 1.0), "beta_2=1.0 is outside its domain"),
        ("amsgrad", 1, "amsgrad must be True or False"),
    ]:
        good = opt.param_groups[0][key]
        opt.param_groups[0][key] = value
        with pytest.raises((ValueError, TypeError), match=words):
            step()
        opt.param_groups[0][key] = good
    step()
    lr = torch.tensor(0.1)
    opt.param_groups[0]["lr"] = lr
    step()
    lr.fill_(float("nan"))  # the same tensor, changed in place
    with pytest.raises(ValueError, match="lr=nan is not finite"):
        step()
    opt.param_groups[0]["lr"] = 0.0  # a new value takes effect at once
    before = p.detach().clone()
    step()
    assert torch.equal(p.detach(), before)

# ---------------------------------------------------------------- export_state / import_state

BAD_CHECKPOINTS = [
    (lambda c: c.update(step=-1), "step must be an integer from 0 to 2\\*\\*53, not -1"),
    (lambda c: c.update(step=True), "step must be an integer from 0 to 2\\*\\*53, not True"),
    (lambda c: c.update(step=2.9), "step must be an integer from 0 to 2\\*\\*53, not 2.9"),
    (lambda c: c["state"].update({-1: c["state"][0]}), "state for parameter -1"),
    (lambda c: c["state"].update({2: c["state"][0]}), "state for parameter 2"),
    (lambda c: c["state"].update({0.5: c["state"][0]}), "state for parameter 0.5"),
    (lambda c: c["state"].update({"0": c["state"].pop(0)}), "state for parameter '0'"),
    (lambda c: c["state"][1].update(m=np.zeros(4)), r"'m' has shape \(4,\), its parameter \(3,\)"),
    (lambda c: c["state"][1].update(m=np.zeros(3, dtype=np.int64)), "'m' must be a floating-point array"),
    (lambda c: c["state"][1].update(m=[0.0, 0.0, 0.0]), "'m' must be a floating-point array"),
    (lambda c: c["state"][1].pop("v"), r"has \['m'\], expected \['m', 'v'\]"),
    (lambda c: c.update(scalar_state={"x": 1.0}), "scalar state must hold"),
    (lambda c: c.pop("state"), "has no state"),
    (lambda c: c.update(step=10**400), "step must be an integer from 0 to 2\\*\\*53"),
    (lambda c: c["state"][1].update(m=torch.zeros(3).to_sparse()), "'m' must be a floating-point array"),
]


def numpy_setup():
    params = [np.ones(5, dtype=np.float32), np.ones(3, dtype=np.float32)]
    opt = N.Adam()
    opt.apply_gradients(zip([np.full(5, 0.5, np.float32), np.full(3, 0.5, np.float32)], params))
    return opt, params


@pytest.mark.parametrize("edit,words", BAD_CHECKPOINTS, ids=[w for _, w in BAD_CHECKPOINTS])
def test_numpy_import_state_refuses_bad_checkpoints_before_any_change(edit, words):
    opt, params = numpy_setup()
    checkpoint = opt.export_state(params)
    edit(checkpoint)
    target, target_params = numpy_setup()
    target.apply_gradients(zip([np.full(5, 0.25, np.float32), np.full(3, 0.25, np.float32)], target_params))
    before = (target.iterations, {i: {k: v.copy() for k, v in target.state_of(p).items()} for i, p in enumerate(target_params)})
    with pytest.raises((ValueError, TypeError), match=words):
        target.import_state(checkpoint, target_params)
    assert target.iterations == before[0]
    for i, p in enumerate(target_params):
        for k, v in target.state_of(p).items():
            np.testing.assert_array_equal(v, before[1][i][k])


@pytest.mark.parametrize("edit,words", BAD_CHECKPOINTS, ids=[w for _, w in BAD_CHECKPOINTS])
def test_torch_import_state_refuses_bad_checkpoints_before_any_change(edit, words):
    opt, params = numpy_setup()
    checkpoint = opt.export_state(params)
    edit(checkpoint)
    tensors = [torch.nn.Parameter(torch.ones(5)), torch.nn.Parameter(torch.ones(3))]
    target = T.Adam(tensors)
    run(target, tensors, [[torch.full((5,), 0.25), torch.full((3,), 0.25)]])
    before = snapshot(target)
    with pytest.raises((ValueError, TypeError), match=words):
        target.import_state(checkpoint)
    assert same(before, snapshot(target))


def test_numpy_refuses_a_parameter_resized_since_its_state_was_made():
    p = np.ones(5, dtype=np.float64)
    opt = N.Adam(fused=True)
    opt.apply_gradients([(np.ones(5), p)])
    p.resize(500, refcheck=False)  # the same array object, now 500 elements
    with pytest.raises(ValueError, match=r"parameter 0 is float64 \(500,\), its state 'm' float64 \(5,\)"):
        opt.apply_gradients([(np.ones(500), p)])


def test_torch_import_state_refuses_a_non_finite_scalar_state():
    p = torch.nn.Parameter(torch.ones(3))
    opt = T.Nadam([p])
    run(opt, [p], [[torch.full((3,), 0.5)]])
    checkpoint = opt.export_state()
    checkpoint["scalar_state"]["m_schedule"] = float("nan")
    before = snapshot(opt)
    with pytest.raises(TypeError, match="scalar state m_schedule must be a finite number"):
        opt.import_state(checkpoint)
    assert same(before, snapshot(opt))


@pytest.mark.parametrize("path", PATHS)
def test_an_expanded_parameter_is_refused_before_any_change(path):
    a = torch.nn.Parameter(torch.randn(4))
    b = torch.ones(1).expand(4)  # four elements, one memory location
    opt = T.Adam([a, b], **PATHS[path])
    a.grad, b.grad = torch.randn(4), torch.randn(4)
    before = snapshot(opt)
    with pytest.raises(RuntimeError, match="parameter 1 has elements that share memory"):
        opt.step()
    assert same(before, snapshot(opt)), "parameter 0 was stepped before parameter 1 was refused"


def test_fused_refuses_a_tensor_whose_storage_was_resized_under_it():
    p = torch.nn.Parameter(torch.randn(1 << 20))
    p.grad = torch.randn(1 << 20)
    opt = T.Adam([p], fused=True)
    p.untyped_storage().resize_(16)  # the kernel would write 4 MiB past a 16-byte allocation
    with pytest.raises(RuntimeError, match="parameter 0 reaches past the end of its storage"):
        opt.step()


def test_numpy_fused_takes_misaligned_arrays_through_aligned_copies():
    raw = bytearray(8 * 1000 + 1)
    p = np.frombuffer(raw, dtype=np.float64, offset=1, count=1000)  # aligned to 1 byte only
    p[...] = 1.0
    assert not p.flags.aligned
    expected = np.ones(1000)
    g = np.linspace(-1, 1, 1000)
    N.Adam().apply_gradients([(g, expected)])
    N.Adam(fused=True).apply_gradients([(g, p)])
    np.testing.assert_allclose(p, expected, rtol=1e-12)
