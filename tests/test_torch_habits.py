"""Habits torch users bring: ``betas=(b1, b2)`` (also positionally), torch's ``eps`` refused
where it would compute something else, ``weight_decay`` (Keras 3's decoupled decay, per
param group too), and the cyclic schedulers (OneCycleLR, CyclicLR with cycle_momentum=True)
on every spec with beta_1 or momentum."""

from __future__ import annotations

import inspect

import pytest

torch = pytest.importorskip("torch")

import generated.torch as T  # noqa: E402

WITH_BETAS = [
    n for n in T.OPTIMIZERS if {"beta_1", "beta_2"} <= {h.name for h in T.get(n).hyperparameters}
]
WITH_MOMENTUM = [
    n for n in T.OPTIMIZERS if "momentum" in {h.name for h in T.get(n).hyperparameters}
]
WITH_EPSILON = [n for n in T.OPTIMIZERS if "epsilon" in {h.name for h in T.get(n).hyperparameters}]
WITH_COMMON_WEIGHT_DECAY = [n for n in T.OPTIMIZERS if "weight_decay" in T.get(n).common]


def params():
    torch.manual_seed(0)
    return [
        torch.nn.Parameter(torch.randn(40, 30, dtype=torch.float64)),
        torch.nn.Parameter(torch.randn(3, dtype=torch.float64)),
    ]


def run(opt, ps, steps=5, before_step=None):
    gen = torch.Generator().manual_seed(1)
    for k in range(steps):
        for p in ps:
            p.grad = torch.randn(p.shape, generator=gen, dtype=p.dtype)
        if before_step is not None:
            before_step(k)
        opt.step()
    return [p.detach().clone() for p in ps]


def test_the_shipped_specs_cover_each_habit():
    assert {"adam", "adamax", "nadam", "adamw", "lion"} <= set(WITH_BETAS)
    assert "sgd" in WITH_MOMENTUM and "adam" in WITH_EPSILON
    # AdamW, Lion and Muon have weight_decay of their own (in their update rules)
    assert set(WITH_COMMON_WEIGHT_DECAY) == set(T.OPTIMIZERS) - {"adamw", "lion", "muon"}


@pytest.mark.parametrize("name", WITH_BETAS)
def test_betas_keyword_and_positional_pair_mean_beta_1_and_beta_2(name):
    cls = T.get(name)
    expected = run(cls(ps := params(), beta_1=0.8, beta_2=0.95), ps)
    by_keyword = run(opt := cls(ps := params(), betas=(0.8, 0.95)), ps)
    assert opt.param_groups[0]["betas"] == (0.8, 0.95) and "beta_1" not in opt.param_groups[0]
    assert all(torch.equal(a, b) for a, b in zip(by_keyword, expected))
    if list(inspect.signature(cls).parameters)[1:3] == ["lr", "beta_1"]:  # torch's order
        by_position = run(cls(ps := params(), 0.002, (0.8, 0.95)), ps)
        by_name = run(cls(ps := params(), lr=0.002, beta_1=0.8, beta_2=0.95), ps)
        assert all(torch.equal(a, b) for a, b in zip(by_position, by_name))
    default = run(cls(ps := params()), ps)
    assert not all(torch.equal(a, b) for a, b in zip(by_keyword, default)), "betas were ignored"


@pytest.mark.parametrize(
    "kwargs,words",
    [
        ({"betas": (0.9,)}, "betas must be a pair"),
        ({"betas": 0.9}, "betas must be a pair"),
        ({"betas": (0.9, 0.99), "beta_1": 0.8}, "give betas= or beta_1= and beta_2=, not both"),
        ({"betas": (0.9, 1.5)}, "beta_2=1.5 is outside its domain 0 < beta_2 < 1"),
    ],
)
def test_bad_betas_are_refused(kwargs, words):
    with pytest.raises((TypeError, ValueError), match=words):
        T.Adam(params(), **kwargs)


def test_torch_positional_eps_does_not_land_in_beta_2_silently():
    with pytest.raises(ValueError, match="torch's positional eps would land in beta_2"):
        T.Adam(params(), 0.001, (0.9, 0.999), 1e-8)


def test_a_group_may_give_beta_1_by_its_spec_name():
    opt = T.Adam(params()[:1], betas=(0.9, 0.99))
    opt.add_param_group({"params": params()[1:], "beta_1": 0.7})
    assert opt.param_groups[1]["betas"] == (0.7, 0.99) and "beta_1" not in opt.param_groups[1]
    with pytest.raises(ValueError, match="beta_1=1.5 is outside its domain"):
        opt.add_param_group({"params": [torch.nn.Parameter(torch.zeros(2))], "betas": (1.5, 0.9)})


@pytest.mark.parametrize("name", WITH_EPSILON)
def test_torch_eps_is_refused_naming_epsilon_and_the_difference(name):
    cls = T.get(name)
    with pytest.raises(ValueError) as error:
        cls(params(), eps=1e-8)
    message = str(error.value)
    assert "epsilon=" in message and "Keras 2.3" in message
    assert " ".join(cls.torch_difference.split()) in message and cls.torch_difference


@pytest.mark.parametrize("path", ["loop", "foreach", "fused"])
@pytest.mark.parametrize("name", WITH_COMMON_WEIGHT_DECAY)
def test_weight_decay_scales_p_before_the_update(name, path):
    """Keras 3's decoupled decay: a step with weight_decay is the step without it from
    p*(1 - lr*weight_decay), on every path (torch.optim's L2 meaning is shown apart, in
    test_torch_vs_torch_optim); None and 0 are no decay, bit for bit."""
    cls, lr, wd = T.get(name), 0.01, 0.5
    if path == "fused" and T.get(name).native_module is None:
        pytest.skip("no C kernels (a spec with reductions): fused=True is refused")
    kw = {"foreach": path == "foreach", "fused": path == "fused"}
    grads = [torch.randn(p.shape, dtype=p.dtype) for p in params()]
    decayed = [p.detach().clone() for p in params()]
    for p, g in zip(decayed := [torch.nn.Parameter(p) for p in decayed], grads):
        p.grad = g.clone()
    with_decay = cls(decayed, lr=lr, weight_decay=wd, **kw)
    with_decay.step()
    by_hand = [torch.nn.Parameter(p.detach() * (1 - lr * wd)) for p in params()]
    for p, g in zip(by_hand, grads):
        p.grad = g.clone()
    cls(by_hand, lr=lr, **kw).step()
    for a, b in zip(decayed, by_hand):
        torch.testing.assert_close(a, b, rtol=1e-14, atol=1e-15)
    plain = run(cls(ps := params(), **kw), ps)
    for off in (None, 0, 0.0):  # what a torch user passes to mean "no decay"
        same = run(cls(ps := params(), weight_decay=off, **kw), ps)
        assert all(torch.equal(a, b) for a, b in zip(same, plain)), off


def test_weight_decay_is_a_param_group_key():
    """torch users keep biases out of the decay with a group of their own."""
    ps = params()
    opt = T.Adam([{"params": ps[:1]}, {"params": ps[1:], "weight_decay": 0.0}], weight_decay=0.5)
    assert [g["weight_decay"] for g in opt.param_groups] == [0.5, 0.0]
    moved = run(opt, ps)
    everywhere = run(T.Adam(ps := params(), weight_decay=0.5), ps)  # the same gradients
    nowhere = run(T.Adam(ps := params()), ps)
    assert torch.equal(moved[0], everywhere[0]) and torch.equal(moved[1], nowhere[1])
    assert not torch.equal(moved[0], nowhere[0])
    with pytest.raises(ValueError, match="weight_decay"):
        opt.add_param_group({"params": [torch.nn.Parameter(torch.zeros(2))], "weight_decay": -1})


def test_a_spec_with_its_own_weight_decay_keeps_it():
    opt = T.AdamW(params(), weight_decay=0.05)
    assert opt.param_groups[0]["weight_decay"] == 0.05


def cyclic(kind, opt):
    if kind == "one_cycle":
        return torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.01, total_steps=20)
    return torch.optim.lr_scheduler.CyclicLR(opt, base_lr=0.001, max_lr=0.01, step_size_up=3)


@pytest.mark.parametrize("kind", ["one_cycle", "cyclic"])
@pytest.mark.parametrize("name", WITH_BETAS + WITH_MOMENTUM)
def test_cyclic_schedulers_cycle_beta_1_or_momentum_and_the_step_uses_it(name, kind):
    cls = T.get(name)
    key = "betas" if name in WITH_BETAS else "momentum"
    opt = cls(ps := params(), **({"momentum": 0.9} if key == "momentum" else {}))
    scheduler = cyclic(kind, opt)
    seen = []  # (lr, betas or momentum) of each step, as the scheduler set them

    def record(k):
        seen.append((opt.param_groups[0]["lr"], opt.param_groups[0][key]))

    gen = torch.Generator().manual_seed(1)
    for k in range(6):
        for p in ps:
            p.grad = torch.randn(p.shape, generator=gen, dtype=p.dtype)
        record(k)
        opt.step()
        scheduler.step()
    cycled = [p.detach().clone() for p in ps]
    values = [v for _, v in seen]
    assert len(set(map(str, values))) > 1, f"the scheduler did not cycle {key}"

    # the same run with the recorded values set by hand, and with them held constant
    replay = cls(ps := params(), **({"momentum": 0.9} if key == "momentum" else {}))

    def set_recorded(k):
        replay.param_groups[0]["lr"], replay.param_groups[0][key] = seen[k]

    replayed = run(replay, ps, steps=6, before_step=set_recorded)
    held = cls(ps := params(), **({"momentum": 0.9} if key == "momentum" else {}))

    def set_lr_only(k):
        held.param_groups[0]["lr"] = seen[k][0]

    constant = run(held, ps, steps=6, before_step=set_lr_only)
    assert all(torch.equal(a, b) for a, b in zip(cycled, replayed))
    assert not all(torch.equal(a, b) for a, b in zip(cycled, constant)), f"{key} was not used"


def test_state_dicts_with_the_spec_names_still_load():
    """A state dict saved before groups held ``betas`` (beta_1/beta_2 keys) loads, folded."""
    opt = T.Adam(ps := params(), betas=(0.8, 0.9))
    run(opt, ps, steps=2)
    saved = opt.state_dict()
    group = saved["param_groups"][0]
    group["beta_1"], group["beta_2"] = group.pop("betas")
    fresh = T.Adam(params())
    fresh.load_state_dict(saved)
    assert fresh.param_groups[0]["betas"] == (0.8, 0.9)
    assert "beta_1" not in fresh.param_groups[0]


@pytest.mark.parametrize(
    "group,words",
    [
        ({"eps": 1e-3}, "eps is torch.optim's argument"),
        ({"betas": (0.5, 0.6), "beta_1": 0.7}, "gives betas and beta_1 or beta_2"),
        ({"lr": 0.1, "learning_rate": 0.2}, "gives both lr and learning_rate"),
    ],
)
def test_a_param_group_refuses_what_the_constructor_refuses(group, words):
    opt = T.Adam(params()[:1])
    with pytest.raises(ValueError, match=words):
        opt.add_param_group({"params": params()[1:], **group})
    assert len(opt.param_groups) == 1


def test_a_param_group_may_name_the_learning_rate_by_its_spec_name():
    opt = T.Adam(params()[:1])
    opt.add_param_group({"params": params()[1:], "learning_rate": 0.5})
    assert opt.param_groups[1]["lr"] == 0.5 and "learning_rate" not in opt.param_groups[1]


def test_a_parameter_listed_twice_in_a_group_is_refused():
    p = torch.nn.Parameter(torch.zeros(3))
    with pytest.raises(ValueError, match="lists a parameter twice"):
        T.Adam([p, p])
