"""The CPU foreach path runs each step's element program over cache-sized batches of the
tensors (issue 16: foreach within 1.1x of torch.optim's; the benchmark prints the ratios).
Shown here: batching covers every element once, splits only tensors that are contiguous in
every role, and gives the unbatched step's numbers bit for bit for every spec and flag."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import generated.torch as G  # noqa: E402
import generated.torch._runtime as runtime  # noqa: E402

# bytes per batch in these tests (the runtime's is 12 MB): 1000 float32 elements of three
# arrays and a temporary
BATCH = 1000 * 4 * 4


def tensors(gen, dtype):
    """Large and small, contiguous and not, 0-d and empty: every way a batch can be cut."""
    out = [
        torch.randn(2600, generator=gen, dtype=dtype),  # split into three pieces
        torch.randn(70, 40, generator=gen, dtype=dtype).t(),  # large, not contiguous: whole
        torch.randn(300, generator=gen, dtype=dtype),
        torch.randn((), generator=gen, dtype=dtype),
        torch.randn(0, generator=gen, dtype=dtype),
        torch.randn(999, generator=gen, dtype=dtype),
        torch.randn(4, 250, generator=gen, dtype=dtype),
    ]
    return [t.requires_grad_() for t in out]


def test_batches_cover_every_element_once(monkeypatch):
    monkeypatch.setattr(runtime, "_CPU_BATCH_BYTES", BATCH)
    gen = torch.Generator().manual_seed(0)
    p = [t.detach() for t in tensors(gen, torch.float32)]
    g = [torch.zeros_like(t) for t in p]
    seen = [torch.zeros_like(t) for t in p]
    batches = list(runtime._cpu_batches([p, g, seen]))
    for p_batch, g_batch, seen_batch in batches:
        assert len(p_batch) == len(g_batch) == len(seen_batch) >= 1
        size = sum(t.numel() for t in p_batch)
        whole_non_contiguous = len(p_batch) == 1 and not p_batch[0].is_contiguous()
        assert size <= 1000 or whole_non_contiguous
        for a, b in zip(p_batch, seen_batch):
            assert a.shape == b.shape
            b.add_(1)  # a view writes its tensor
    for t in seen:
        assert torch.equal(t, torch.ones_like(t))
    assert [b[0][0].numel() for b in batches[:3]] == [867, 867, 866], "2600 in equal pieces"
    assert len(batches) > 5


def test_a_group_that_three_batches_would_hold_runs_as_one(monkeypatch):
    monkeypatch.setattr(runtime, "_CPU_BATCH_BYTES", BATCH)
    p = [torch.zeros(2500), torch.zeros(500)]
    columns = [p, [torch.zeros_like(t) for t in p], [torch.zeros_like(t) for t in p]]
    (batch,) = runtime._cpu_batches(columns)
    assert batch is columns


def flag_cases():
    for name in sorted(G.OPTIMIZERS):
        cls = G.OPTIMIZERS[name]
        for key in sorted(cls.kernels):
            if cls.kernels[key].apply_foreach is not None:
                yield pytest.param(name, dict(zip(cls.flags, key)), id=f"{name}-{key}")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("name, flags", list(flag_cases()))
def test_batched_steps_equal_one_batch_bit_for_bit(monkeypatch, name, flags, dtype):
    extra = {"momentum": 0.9} if name == "sgd" else {}
    runs = []
    for batch in (BATCH, 10**9):
        monkeypatch.setattr(runtime, "_CPU_BATCH_BYTES", batch)
        gen = torch.Generator().manual_seed(1)
        params = tensors(gen, dtype)
        opt = G.OPTIMIZERS[name](params, foreach=True, clipnorm=1.0, **extra, **flags)
        for _ in range(3):
            for p in params:
                p.grad = torch.randn(p.shape, generator=gen, dtype=dtype)
            opt.step()
        runs.append((params, opt))
    (a, opt_a), (b, opt_b) = runs
    for x, y in zip(a, b):
        assert torch.equal(x, y)
        for key, value in opt_a.state[x].items():
            assert torch.equal(value, opt_b.state[y][key]), key


def test_parameters_that_share_memory_run_as_one_batch(monkeypatch):
    """Batches reorder the writes, which only parameters that overlap could tell: such a
    group runs whole."""
    runs = []
    for batch in (BATCH, 10**9):
        monkeypatch.setattr(runtime, "_CPU_BATCH_BYTES", batch)
        base = torch.randn(6000, generator=torch.Generator().manual_seed(4))
        params = [torch.nn.Parameter(base[:4000]), torch.nn.Parameter(base[2000:])]
        opt = G.AdamW(params, foreach=True)
        for seed in range(3):
            gen = torch.Generator().manual_seed(seed)
            for p in params:
                p.grad = torch.randn(p.shape, generator=gen)
            opt.step()
        runs.append(base)
    assert torch.equal(*runs)
