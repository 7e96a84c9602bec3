"""Two processes (gloo, CPU) train as one: DDP, ZeroRedundancyOptimizer and FSDP2
(``fully_shard``, DTensor parameters), on every path (loop, foreach, fused), with and without
Keras 2.3's global clipnorm and with a spec's own global reductions, leave the parameters one
process on the whole batch leaves. All cases run in one pair of processes (spawning is the
slow part); each test compares one case."""

from __future__ import annotations

import os
import socket

import pytest

torch = pytest.importorskip("torch")
dist = pytest.importorskip("torch.distributed")
if not dist.is_available() or not dist.is_gloo_available():
    pytest.skip("torch.distributed with gloo is not available", allow_module_level=True)

import torch.multiprocessing as mp  # noqa: E402

from generator.verify import testing  # noqa: E402

STEPS = 8
CLIP = 0.05  # well under the gradients' norm: every step clips

# A spec with global reductions (a sum and a max over every element of the step), which a
# sharded optimizer must reduce over all ranks as it does clipnorm's norm.
GLOBAL_SPEC = """\
name: GlobalScaled
description: Momentum whose step shrinks with a global statistic of the gradients.
hyperparameters:
  learning_rate: {default: 0.05, domain: learning_rate >= 0, doc: Learning rate.}
  beta: {default: 0.9, domain: 0 <= beta < 1, doc: Momentum.}
reductions:
  g_total: {scope: global, op: sum, of: g**2, doc: Squared norm of all gradients.}
  g_peak: {scope: global, op: max, of: abs(g), doc: Largest gradient element.}
step:
  - scale = 1/(1 + sqrt(g_total) + g_peak)
state:
  m: {init: 0, doc: Momentum.}
update:
  - m = beta*m + g
  - p = p - lr*scale*m
"""

# Per-tensor reductions over DTensors are refused on every rank: a sharded sum reads as the
# rank's partial sum, and a max fails on a rank whose local shard is empty.
TENSOR_SUM_SPEC = testing.SPEC_WITH_A_NORM  # g_sq: a per-tensor sum of g**2
TENSOR_MAX_SPEC = TENSOR_SUM_SPEC.replace("name: Normalized", "name: TensorPeak").replace(
    "op: sum, of: g**2", "op: max, of: abs(g)"
)
assert TENSOR_MAX_SPEC.count("op: max") == 1
TEST_SPECS = {
    "global_scaled": GLOBAL_SPEC,
    "tensor_normalized": TENSOR_SUM_SPEC,
    "tensor_peak": TENSOR_MAX_SPEC,
}

# (name, optimizer arguments, how the two ranks share the work)
CASES = [
    ("adam", {"lr": 0.01}, "ddp"),
    ("nadam", {"lr": 0.01}, "ddp"),
    ("adam", {"lr": 0.01, "clipnorm": CLIP}, "ddp"),  # every rank holds every gradient
    ("adam", {"lr": 0.01}, "zero"),
    ("sgd", {"lr": 0.05, "momentum": 0.9}, "zero"),
    ("adam", {"lr": 0.01, "clipnorm": CLIP}, "zero"),
    ("adam", {"lr": 0.01, "clipnorm": CLIP, "foreach": False}, "zero"),
    ("adam", {"lr": 0.01, "clipnorm": CLIP, "fused": True}, "zero"),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "clipnorm": CLIP}, "zero"),
    ("global_scaled", {"lr": 0.05}, "zero"),
    ("global_scaled", {"lr": 0.05}, "fsdp"),
    ("tensor_normalized", {"lr": 0.05}, "fsdp"),  # refused on every rank
    ("tensor_peak", {"lr": 0.05}, "fsdp"),  # refused on every rank
    ("tensor_normalized", {"lr": 0.05}, "zero"),  # whole tensors per rank: no reduction
    ("adam", {"lr": 0.01, "clipnorm": CLIP}, "zero-own-shard-norm"),  # the bug, for contrast
]
for _path in ({"foreach": True}, {"foreach": False}, {"fused": True}):
    for _clip in ({}, {"clipnorm": CLIP}):
        CASES.append(("adam", {"lr": 0.01, **_path, **_clip}, "fsdp"))


def case_id(case) -> str:
    name, kwargs, mode = case
    return "-".join([name, mode, *(f"{k}={v}" for k, v in kwargs.items() if k != "lr")])


def data():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(64, 10, generator=gen, dtype=torch.float64)
    y = torch.randn(64, 1, generator=gen, dtype=torch.float64)
    return x, y


def model():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(10, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    return net.double()


def optimizer_class(name):
    if name in TEST_SPECS:
        return _test_spec(name)
    import generated.torch as G

    return G.get(name)


def _test_spec(module):
    """A test-only spec's torch optimizer, generated in this process."""
    from generator.backends import host as host_backend
    from generator.backends import torch as torch_backend
    from generator.build import prepare
    from generator.model import parse_spec
    from generator.render import render
    from generator.verify import testing

    spec = parse_spec(TEST_SPECS[module], f"specs/{module}.yaml", module)
    build = prepare([spec])
    files = render([*host_backend.BACKEND.outputs(build), *torch_backend.BACKEND.outputs(build)])
    host = testing.load_module(files[f"host/{module}.py"], "generated.host", module)
    source = files[f"torch/{module}.py"]
    loaded = testing.load_module(source, "generated.torch", module, host=host)
    return getattr(loaded, spec.name)


def train(opt, net, rank=None):
    x, y = data()
    if rank is not None:  # each rank half of the batch: DDP and FSDP average the gradients
        x, y = x[rank * 32 : (rank + 1) * 32], y[rank * 32 : (rank + 1) * 32]
    for _ in range(STEPS):
        opt.zero_grad()
        torch.nn.functional.mse_loss(net(x), y).backward()
        opt.step()


def single_process(name, kwargs):
    net = model()
    kwargs = {k: v for k, v in kwargs.items() if k != "fused"}  # the reference: one plain path
    train(optimizer_class(name)(net.parameters(), **kwargs), net)
    return [p.detach().clone() for p in net.parameters()]


def one_case(rank, name, kwargs, mode):
    cls = optimizer_class(name)
    if mode == "fsdp":
        from torch.distributed.fsdp import fully_shard

        net = model()
        fully_shard(net)
        opt = cls(net.parameters(), **kwargs)
        train(opt, net, rank)
        return [p.full_tensor().detach().clone() for p in net.parameters()]
    net = torch.nn.parallel.DistributedDataParallel(model())
    if mode.startswith("zero"):
        from torch.distributed.optim import ZeroRedundancyOptimizer

        if mode == "zero-own-shard-norm":  # each rank's own one-rank group: no reduction
            own = [dist.new_group([r]) for r in range(dist.get_world_size())][rank]
            kwargs = {**kwargs, "shard_group": own}
        opt = ZeroRedundancyOptimizer(net.parameters(), optimizer_class=cls, **kwargs)
        expected = kwargs.get("shard_group", opt.process_group)
        assert opt.optim.shard_group is expected, "ZeRO's group was not found"
    else:
        opt = cls(net.parameters(), **kwargs)
        assert opt.shard_group is None
    train(opt, net, rank)
    return [p.detach().clone() for p in net.parameters()]


def worker(rank, world, port, out):
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        results = {}
        for case in CASES:
            try:
                results[case_id(case)] = one_case(rank, *case)
            except Exception as error:  # reported by the case's own test
                results[case_id(case)] = f"{type(error).__name__}: {error}"
        torch.save(results, os.path.join(out, f"rank{rank}.pt"))
    finally:
        dist.destroy_process_group()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def two_ranks(tmp_path_factory):
    out = tmp_path_factory.mktemp("ranks")
    mp.start_processes(
        worker, args=(2, free_port(), str(out)), nprocs=2, join=True, start_method="spawn"
    )
    return torch.load(out / "rank0.pt"), torch.load(out / "rank1.pt")


REFUSED = [c for c in CASES if c[0].startswith("tensor_") and c[2] == "fsdp"]
COMPARED = [c for c in CASES if c[2] != "zero-own-shard-norm" and c not in REFUSED]


@pytest.mark.parametrize("case", COMPARED, ids=[case_id(c) for c in COMPARED])
def test_two_ranks_match_one_process(two_ranks, case):
    rank0, rank1 = (ranks[case_id(case)] for ranks in two_ranks)
    assert not isinstance(rank0, str), rank0
    assert not isinstance(rank1, str), rank1
    expected = single_process(case[0], case[1])
    start = [p.detach() for p in model().parameters()]
    assert max(float((p - q).abs().max()) for p, q in zip(expected, start)) > 1e-3, "no training"
    for a, b, c in zip(rank0, rank1, expected):
        assert torch.equal(a, b), "the ranks disagree"
        torch.testing.assert_close(a, c, rtol=1e-10, atol=1e-12)


def test_clipping_each_shard_by_its_own_norm_ends_elsewhere(two_ranks):
    """What reducing over the shard group fixes, shown: the same ZeRO run with each rank's own
    one-rank group clips each shard by its own norm, and ends measurably away from one
    process (the issue measured 2e-3 in float32)."""
    case = ("adam", {"lr": 0.01, "clipnorm": CLIP}, "zero-own-shard-norm")
    rank0, rank1 = (ranks[case_id(case)] for ranks in two_ranks)
    assert not isinstance(rank0, str), rank0
    expected = single_process(*case[:2])
    assert all(torch.equal(a, b) for a, b in zip(rank0, rank1)), "ZeRO broadcasts the shards"
    assert max(float((a - c).abs().max()) for a, c in zip(rank0, expected)) > 1e-4


@pytest.mark.parametrize("case", REFUSED, ids=[case_id(c) for c in REFUSED])
def test_per_tensor_reductions_over_dtensors_are_refused_on_every_rank(two_ranks, case):
    """Refused alike on both ranks (before anything changes), so no rank waits in a
    collective for another that failed."""
    for ranks in two_ranks:
        result = ranks[case_id(case)]
        assert isinstance(result, str) and "TypeError" in result
        assert "per-tensor reductions cannot run on DTensor parameters" in result


def test_shard_group_needs_torch_distributed():
    import generated.torch as G

    with pytest.raises(ValueError, match="shard_group needs an initialized torch.distributed"):
        G.Adam([torch.nn.Parameter(torch.zeros(2))], shard_group=object())
