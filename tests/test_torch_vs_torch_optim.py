"""The generated torch optimizers against torch.optim where the mathematics is the same, the
known differences (written in each spec) shown, and a small training run."""

from __future__ import annotations


import pytest

torch = pytest.importorskip("torch")

import generated.torch as G  # noqa: E402
from generator.verify import testing  # noqa: E402


@pytest.fixture(autouse=True)
def float64_scalars():
    """torch.optim keeps its step counts and NAdam's mu_product as float32 tensors unless the
    default dtype is float64; that rounding (about 5e-10 relative here) is not a difference
    in the mathematics, so these comparisons run with float64 scalars."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def trajectories(ours, theirs, steps=60, scale=3.0):
    params0, _ = testing.problem(steps=1)
    gen = torch.Generator().manual_seed(5)
    a = [torch.tensor(p, requires_grad=True) for p in params0]
    b = [torch.tensor(p, requires_grad=True) for p in params0]
    opt_a, opt_b = ours(a), theirs(b)
    for _ in range(steps):
        for pa, pb in zip(a, b):
            g = torch.randn(pa.shape, generator=gen, dtype=torch.float64) * scale
            pa.grad, pb.grad = g.clone(), g.clone()
        opt_a.step()
        opt_b.step()
    return [p.detach() for p in a], [p.detach() for p in b]


def max_relative_difference(a, b):
    return max(float(((x - y).abs() / y.abs().clamp_min(1e-12)).max()) for x, y in zip(a, b))


SAME = {
    "sgd-momentum": (lambda p: G.SGD(p, lr=0.01, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9)),
    "sgd-nesterov": (
        lambda p: G.SGD(p, lr=0.01, momentum=0.9, nesterov=True),
        lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9, nesterov=True),
    ),
    "rmsprop": (lambda p: G.RMSprop(p, lr=0.001, rho=0.9), lambda p: torch.optim.RMSprop(p, lr=0.001, alpha=0.9, eps=1e-7)),
    "adagrad-decay": (
        lambda p: G.Adagrad(p, lr=0.01, decay=0.05),
        lambda p: torch.optim.Adagrad(p, lr=0.01, lr_decay=0.05, eps=1e-7),
    ),
    "adadelta": (lambda p: G.Adadelta(p, lr=1.0, rho=0.95), lambda p: torch.optim.Adadelta(p, lr=1.0, rho=0.95, eps=1e-7)),
    "nadam": (
        lambda p: G.Nadam(p, lr=0.002),
        lambda p: torch.optim.NAdam(p, lr=0.002, eps=1e-7, momentum_decay=0.004),
    ),
    "adam-eps0": (lambda p: G.Adam(p, lr=0.001, epsilon=0.0), lambda p: torch.optim.Adam(p, lr=0.001, eps=0.0)),
    "amsgrad-eps0": (
        lambda p: G.Adam(p, lr=0.001, epsilon=0.0, amsgrad=True),
        lambda p: torch.optim.Adam(p, lr=0.001, eps=0.0, amsgrad=True),
    ),
    "adamax-eps0": (lambda p: G.Adamax(p, lr=0.002, epsilon=0.0), lambda p: torch.optim.Adamax(p, lr=0.002, eps=0.0)),
    "adamw-eps0": (
        lambda p: G.AdamW(p, lr=0.001, weight_decay=0.01, epsilon=0.0),
        lambda p: torch.optim.AdamW(p, lr=0.001, weight_decay=0.01, eps=0.0),
    ),
    # RAdam: a per-step condition (rho_t > 5) picks the rectified step or momentum SGD
    "radam": (lambda p: G.RAdam(p, lr=0.01), lambda p: torch.optim.RAdam(p, lr=0.01, eps=1e-8)),
    "radam-weight_decay": (
        lambda p: G.RAdam(p, lr=0.01, weight_decay=0.1),
        lambda p: torch.optim.RAdam(p, lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    ),
    # the common weight_decay is Keras 3's decoupled decay: torch.optim.AdamW's
    "adam-weight_decay-eps0": (
        lambda p: G.Adam(p, lr=0.01, weight_decay=0.1, epsilon=0.0),
        lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1, eps=0.0),
    ),
    "amsgrad-weight_decay-eps0": (
        lambda p: G.Adam(p, lr=0.01, weight_decay=0.1, epsilon=0.0, amsgrad=True),
        lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1, eps=0.0, amsgrad=True),
    ),
}


@pytest.mark.parametrize("case", sorted(SAME))
@pytest.mark.parametrize("foreach", [False, True], ids=["loop", "foreach"])
def test_same_mathematics_same_numbers(case, foreach):
    ours, theirs = SAME[case]
    a, b = trajectories(lambda p: ours(p) if not foreach else _foreach(ours(p)), theirs)
    assert max_relative_difference(a, b) < 1e-11


def _foreach(opt):
    for group in opt.param_groups:
        group["foreach"] = True
    return opt


# Rprop: per-element conditions (the sign of g*prev picks the step size's factor, and a flip
# zeroes the gradient), on every torch path: loop, foreach, the C kernels and the graph path
RPROP = {
    "defaults": ({}, {}),
    "etas-and-bounds": (
        dict(lr=0.05, eta_minus=0.3, eta_plus=1.5, step_size_min=1e-3, step_size_max=0.2),
        dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2)),
    ),
}


@pytest.mark.parametrize("case", sorted(RPROP))
@pytest.mark.parametrize("path", ["loop", "foreach", "fused", "capturable"])
def test_rprop_equals_torch_optim_rprop(case, path):
    ours, theirs = RPROP[case]
    options = {"loop": {}, "foreach": {"foreach": True}, "fused": {"fused": True}}
    options["capturable"] = {"capturable": True}
    made = []

    def ours_made(p):
        made.append(G.Rprop(p, **ours, **options[path]))
        return made[-1]

    def theirs_made(p):
        made.append(torch.optim.Rprop(p, **theirs, foreach=False))
        return made[-1]

    a, b = trajectories(ours_made, theirs_made)
    assert max_relative_difference(a, b) < 1e-11
    # the state too: prev is exactly 0 where the sign flipped, in both
    mine, torchs = made
    zeros = []
    for pa, pb in zip(mine.param_groups[0]["params"], torchs.param_groups[0]["params"]):
        prev_a, prev_b = mine.state[pa]["prev"], torchs.state[pb]["prev"]
        assert torch.equal(prev_a == 0, prev_b == 0)
        zeros.append(int((prev_b == 0).sum()))
        step_a, step_b = mine.state[pa]["step_size"], torchs.state[pb]["step_size"]
        assert float(((step_a - step_b).abs() / step_b).max()) < 1e-11
    assert sum(zeros) > 0, "some signs flipped at the last step"


# RMSprop's momentum (a derived flag: momentum > 0 picks the update with a momentum buffer)
# and centered, on every torch path, with torch.optim.RMSprop's state
RMSPROP = {
    "momentum": dict(momentum=0.9),
    "centered": dict(centered=True),
    "momentum-centered": dict(momentum=0.5, centered=True),
}
RMSPROP_STATE = {"momentum_buffer": "momentum_buffer", "mean_gradient": "grad_avg"}
PATHS = {"loop": {}, "foreach": {"foreach": True}, "fused": {"fused": True}}
PATHS["capturable"] = {"capturable": True}


@pytest.mark.parametrize("case", sorted(RMSPROP))
@pytest.mark.parametrize("path", sorted(PATHS))
def test_rmsprop_momentum_and_centered_equal_torch_optim_rmsprop(case, path):
    made = []

    def ours(p):
        made.append(G.RMSprop(p, lr=0.01, epsilon=1e-8, **RMSPROP[case], **PATHS[path]))
        return made[-1]

    def theirs(p):
        made.append(torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-8, **RMSPROP[case]))
        return made[-1]

    a, b = trajectories(ours, theirs)
    assert max_relative_difference(a, b) < 1e-11
    mine, torchs = made
    for pa, pb in zip(mine.param_groups[0]["params"], torchs.param_groups[0]["params"]):
        kept = {ours for ours, theirs in RMSPROP_STATE.items() if theirs in torchs.state[pb]}
        assert set(mine.state[pa]) == {"accumulator"} | kept  # only the buffers torch keeps
        for name in kept:
            x, y = mine.state[pa][name], torchs.state[pb][RMSPROP_STATE[name]]
            assert float(((x - y).abs() / y.abs().clamp_min(1e-12)).max()) < 1e-11, name


@pytest.mark.parametrize("path", sorted(PATHS))
def test_rmsprop_momentum_centered_on_0d_tensors_equals_torch_optim(path):
    gen = torch.Generator().manual_seed(3)
    a = [torch.tensor(0.5, requires_grad=True), torch.tensor(-2.0, requires_grad=True)]
    b = [x.detach().clone().requires_grad_() for x in a]
    ours = G.RMSprop(a, lr=0.01, epsilon=1e-8, momentum=0.9, centered=True, **PATHS[path])
    theirs = torch.optim.RMSprop(b, lr=0.01, alpha=0.9, eps=1e-8, momentum=0.9, centered=True)
    for _ in range(30):
        for x, y in zip(a, b):
            x.grad = torch.randn((), generator=gen, dtype=torch.float64) * 3
            y.grad = x.grad.clone()
        ours.step()
        theirs.step()
    assert all(x.shape == () for x in a)
    assert max_relative_difference([x.detach() for x in a], [y.detach() for y in b]) < 1e-11


def test_rmsprop_param_groups_each_take_the_variant_of_their_momentum():
    def groups(p):
        return [{"params": p[:1], "momentum": 0.9}, {"params": p[1:]}]

    made = []
    a, b = trajectories(
        lambda p: made.append(G.RMSprop(groups(p), lr=0.01, epsilon=1e-8)) or made[-1],
        lambda p: torch.optim.RMSprop(groups(p), lr=0.01, alpha=0.9, eps=1e-8),
    )
    assert max_relative_difference(a, b) < 1e-11
    opt = made[0]
    assert [g["momentum_on"] for g in opt.param_groups] == [True, False]
    assert set(opt.state[opt.param_groups[0]["params"][0]]) == {"accumulator", "momentum_buffer"}
    assert set(opt.state[opt.param_groups[1]["params"][0]]) == {"accumulator"}


DIFFERENT = {
    # torch.optim.Adam's weight_decay is L2 (added to the gradient); ours is decoupled
    "adam-weight_decay": (
        lambda p: G.Adam(p, lr=0.01, weight_decay=0.1, epsilon=0.0),
        lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1, eps=0.0),
    ),
    # ... and so is SGD's
    "sgd-weight_decay": (
        lambda p: G.SGD(p, lr=0.01, momentum=0.9, weight_decay=0.5),
        lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9, weight_decay=0.5),
    ),
    # Keras puts epsilon outside the bias correction; torch inside (specs/adam.yaml)
    "adam-epsilon": (lambda p: G.Adam(p, lr=0.001, epsilon=1e-3), lambda p: torch.optim.Adam(p, lr=0.001, eps=1e-3)),
    # the same for AdamW (specs/adamw.yaml)
    "adamw-epsilon": (
        lambda p: G.AdamW(p, lr=0.001, weight_decay=0.01, epsilon=1e-3),
        lambda p: torch.optim.AdamW(p, lr=0.001, weight_decay=0.01, eps=1e-3),
    ),
    # torch adds eps inside Adamax's maximum (specs/adamax.yaml)
    "adamax-epsilon": (lambda p: G.Adamax(p, epsilon=1e-2), lambda p: torch.optim.Adamax(p, lr=0.002, eps=1e-2)),
    # Keras folds past learning rates into SGD's velocity, torch does not (specs/sgd.yaml)
    "sgd-changing-lr": (
        lambda p: G.SGD(p, lr=0.01, momentum=0.9, decay=0.5),
        lambda p: _decayed(torch.optim.SGD(p, lr=0.01, momentum=0.9), 0.5),
    ),
}


def _decayed(opt, decay):
    """torch's SGD under the same learning-rate values as Keras's decay, via a scheduler."""
    scheduler = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: 1.0 / (1.0 + decay * k))
    opt.register_step_post_hook(lambda o, args, kwargs: scheduler.step())
    return opt


@pytest.mark.parametrize("case", sorted(DIFFERENT))
def test_documented_differences_show(case):
    ours, theirs = DIFFERENT[case]
    a, b = trajectories(ours, theirs, scale=0.05)
    assert max_relative_difference(a, b) > 1e-6


def test_sgd_equals_torch_under_a_scheduler_when_momentum_is_zero():
    """Without momentum the velocity convention does not matter: Keras's decay equals a
    LambdaLR schedule."""
    a, b = trajectories(lambda p: G.SGD(p, lr=0.01, decay=0.5), lambda p: _decayed(torch.optim.SGD(p, lr=0.01), 0.5))
    assert max_relative_difference(a, b) < 1e-12


def mlp_losses(make_optimizer, steps=60):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(256, 20, generator=gen, dtype=torch.float64)
    w = torch.randn(20, generator=gen, dtype=torch.float64)
    y = (x @ w > 0).long()
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(20, 32), torch.nn.Tanh(), torch.nn.Linear(32, 2)).double()
    opt = make_optimizer(model.parameters())
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("case", ["sgd-nesterov", "rmsprop", "adagrad-decay", "adadelta", "nadam", "adam-eps0"])
def test_training_an_mlp_gives_torch_optims_loss_curve(case):
    ours, theirs = SAME[case]
    a, b = mlp_losses(ours), mlp_losses(theirs)
    assert a[-1] < a[0], "the loss went down"
    assert a == pytest.approx(b, rel=1e-10)
