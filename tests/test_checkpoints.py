"""Checkpoints are portable: 10 steps in one backend, exported, imported by the other, 10 more
steps, equal 20 steps in one backend; and back."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import generated.numpy as N  # noqa: E402
import generated.torch as T  # noqa: E402
from generator.verify import testing  # noqa: E402
from generator.build import load_specs  # noqa: E402

VARIANTS = [(s, dict(v.flags)) for s in load_specs() for v in s.variants()]
# the constructors' arguments that pick each variant (RMSprop's momentum_on: momentum=0.5)
CASES = [(s.keras_name, testing.variant_kwargs(s, flags)) for s, flags in VARIANTS]
IDS = [f"{s.keras_name}-{'-'.join(f'{k}={v}' for k, v in flags.items()) or 'default'}" for s, flags in VARIANTS]


def numpy_steps(opt, params, grads):
    for step in grads:
        opt.apply_gradients(zip(step, params))


def torch_steps(opt, params, grads):
    for step in grads:
        for p, g in zip(params, step):
            p.grad = torch.tensor(g)
        opt.step()


@pytest.mark.parametrize("name,flags", CASES, ids=IDS)
def test_numpy_to_torch_and_back(name, flags):
    params0, grads = testing.problem(steps=30)
    common = {"clipnorm": 1.0}
    straight = [p.copy() for p in params0]
    opt_straight = N.get(name)(**flags, **common)
    numpy_steps(opt_straight, straight, grads)

    first = [p.copy() for p in params0]
    opt_np = N.get(name)(**flags, **common)
    numpy_steps(opt_np, first, grads[:10])
    checkpoint = opt_np.export_state(first)
    assert checkpoint["format"] == "optimizer-codegen/1" and checkpoint["step"] == 10

    middle = [torch.tensor(p, requires_grad=True) for p in first]
    opt_t = T.get(name)(middle, **flags, **common)
    opt_t.import_state(checkpoint)
    torch_steps(opt_t, middle, grads[10:20])
    back = opt_t.export_state()
    assert back["step"] == 20

    last = [p.detach().numpy().copy() for p in middle]
    opt_np2 = N.get(name)(**flags, **common)
    opt_np2.import_state(back, last)
    numpy_steps(opt_np2, last, grads[20:])
    for a, b in zip(last, straight):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert opt_np2.iterations == opt_straight.iterations == 30
    assert opt_np2.scalar_state == pytest.approx(opt_straight.scalar_state, rel=1e-14)


def test_a_checkpoint_of_another_optimizer_or_flag_is_refused():
    params0, grads = testing.problem(steps=2)
    params = [p.copy() for p in params0]
    adam = N.Adam()
    numpy_steps(adam, params, grads)
    with pytest.raises(ValueError, match="checkpoint is of adam"):
        N.Nadam().import_state(adam.export_state(params), params)
    with pytest.raises(ValueError, match="amsgrad"):
        N.Adam(amsgrad=True).import_state(adam.export_state(params), params)
    with pytest.raises(ValueError, match="not a optimizer-codegen/1 checkpoint"):
        T.Adam([torch.zeros(2, requires_grad=True)]).import_state({"format": "other"})


@pytest.mark.parametrize("layout", ["fortran", "transposed tensor"])
def test_numpy_imports_state_of_any_memory_layout_and_keeps_stepping_it(layout):
    """Found by a red-team pass: import_state kept a Fortran-ordered or transposed array as
    it was, and the blocked steps update state through flat views, which for such an array
    are copies: the state stopped changing (m stayed at 0.05 where the run reaches 0.17)."""
    p0, g = np.linspace(-1, 1, 512 * 512).reshape(512, 512), np.full((512, 512), 0.5)
    straight = p0.copy()
    opt = N.Adam()
    for _ in range(4):
        opt.apply_gradients([(g, straight)])
    first = N.Adam()
    resumed = p0.copy()
    first.apply_gradients([(g, resumed)])
    saved = first.export_state()
    for name, value in saved["state"][0].items():
        if layout == "fortran":
            saved["state"][0][name] = np.asfortranarray(value)
        else:
            saved["state"][0][name] = torch.tensor(value.T.copy()).t()
    second = N.Adam()
    second.import_state(saved, [resumed])
    for _ in range(3):
        second.apply_gradients([(g, resumed)])
    np.testing.assert_array_equal(resumed, straight)
    np.testing.assert_array_equal(second.export_state()["state"][0]["m"], opt.export_state()["state"][0]["m"])


def test_numpy_import_state_checks_the_shape_of_the_array_it_keeps():
    class Claims(np.ndarray):  # a subclass that reports another shape than it has
        @property
        def shape(self):
            return (4, 3)

    p = np.ones((4, 3))
    saved = N.Adam().export_state()
    saved["state"] = {0: {"m": np.zeros(12).view(Claims), "v": np.zeros((4, 3))}}
    saved["step"] = 1
    opt = N.Adam()
    with pytest.raises(ValueError, match=r"state 'm' of parameter 0 has shape \(12,\), expected \(4, 3\)"):
        opt.import_state(saved, [p])
    with pytest.raises(TypeError, match="a checkpoint array must convert to a NumPy array"):
        saved["state"][0]["m"] = torch.zeros(4, 3, dtype=torch.bfloat16)
        opt.import_state(saved, [p])
