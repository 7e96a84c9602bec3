"""Several processes: DDP training with a generated optimizer leaves identical parameters on
both ranks, equal to one process on the whole batch; ZeroRedundancyOptimizer shards it."""

from __future__ import annotations

import os
import socket

import pytest

torch = pytest.importorskip("torch")
dist = pytest.importorskip("torch.distributed")
if not dist.is_available() or not dist.is_gloo_available():
    pytest.skip("torch.distributed with gloo is not available", allow_module_level=True)

import torch.multiprocessing as mp  # noqa: E402

STEPS = 8


def data():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(64, 10, generator=gen, dtype=torch.float64)
    y = torch.randn(64, 1, generator=gen, dtype=torch.float64)
    return x, y


def model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(10, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1)).double()


def optimizer_class(name):
    import generated.torch as G

    return G.get(name)


def single_process(name, kwargs):
    net = model()
    opt = optimizer_class(name)(net.parameters(), **kwargs)
    x, y = data()
    for _ in range(STEPS):
        opt.zero_grad()
        torch.nn.functional.mse_loss(net(x), y).backward()
        opt.step()
    return [p.detach().clone() for p in net.parameters()]


def worker(rank, world, port, name, kwargs, mode, out):
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        net = torch.nn.parallel.DistributedDataParallel(model())
        cls = optimizer_class(name)
        if mode == "zero":
            from torch.distributed.optim import ZeroRedundancyOptimizer

            opt = ZeroRedundancyOptimizer(net.parameters(), optimizer_class=cls, **kwargs)
        else:
            opt = cls(net.parameters(), **kwargs)
        x, y = data()
        shard = slice(rank * 32, (rank + 1) * 32)  # each rank half of the batch: DDP averages
        for _ in range(STEPS):
            opt.zero_grad()
            torch.nn.functional.mse_loss(net(x[shard]), y[shard]).backward()
            opt.step()
        torch.save([p.detach().clone() for p in net.parameters()], os.path.join(out, f"rank{rank}.pt"))
    finally:
        dist.destroy_process_group()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CASES = [("adam", {"lr": 0.01}, "ddp"), ("nadam", {"lr": 0.01}, "ddp"), ("adam", {"lr": 0.01}, "zero"), ("sgd", {"lr": 0.05, "momentum": 0.9}, "zero")]


@pytest.mark.parametrize("name,kwargs,mode", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_two_ranks_match_one_process(tmp_path, name, kwargs, mode):
    mp.start_processes(worker, args=(2, free_port(), name, kwargs, mode, str(tmp_path)), nprocs=2, join=True, start_method="spawn")
    rank0 = torch.load(tmp_path / "rank0.pt")
    rank1 = torch.load(tmp_path / "rank1.pt")
    expected = single_process(name, kwargs)
    for a, b, c in zip(rank0, rank1, expected):
        assert torch.equal(a, b), "the ranks disagree"
        torch.testing.assert_close(a, c, rtol=1e-10, atol=1e-12)
