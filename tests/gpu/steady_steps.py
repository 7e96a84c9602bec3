"""Adam steps back to back, as a training loop runs them, against torch.optim's: a benchmark
for tests/gpu/run.sh (ratios, no pass or fail). The benchmark proper (generator/bench.py)
times one step between two synchronisations, so a step's host work never overlaps the GPU's;
here it may, so the figures show what a step costs in a loop:

- isolated: one step between two synchronisations (generator/bench.py's measure);
- steady: N steps queued back to back, then one synchronisation, per step;
- host: the host's own time per step in that loop (the step returns before its kernels end;
  a host-to-device copy from pageable memory, or any other synchronisation, shows here).

A path whose first steps take more than 0.1 s each is timed over 3 steps, not 20.

    python tests/gpu/steady_steps.py [out.json] [--profile]   (cuda; the CPU without a GPU)

--profile adds where the host's time goes in the generated fused step (cProfile, W2 and W3).
"""

from __future__ import annotations

import cProfile
import json
import pstats
import statistics
import sys
import time

import torch

import generated.torch as gtorch
from generator.bench import resnet50_shapes

STEPS = 20


def _workloads(device):
    large = 100_000_000 if device.type == "cuda" else 1_000_000
    return {
        "W1": [(large,)],
        "W2": [(10_000,)] * (1000 if device.type == "cuda" else 50),
        "W3": resnet50_shapes() if device.type == "cuda" else resnet50_shapes()[:20],
    }


def _candidates():
    return {
        "generated fused": lambda ps: gtorch.Adam(ps, fused=True),
        "generated fused int8": lambda ps: gtorch.Adam(ps, fused=True, state_precision="int8"),
        "generated foreach": lambda ps: gtorch.Adam(ps, foreach=True),
        "generated foreach int8": lambda ps: gtorch.Adam(ps, foreach=True, state_precision="int8"),
        "torch.optim fused": lambda ps: torch.optim.Adam(ps, lr=0.001, eps=1e-7, fused=True),
        "torch.optim foreach": lambda ps: torch.optim.Adam(ps, lr=0.001, eps=1e-7, foreach=True),
    }


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def _stepping(make, shapes, device):
    """An optimizer from ``make`` over parameters of ``shapes`` with their gradients."""
    generator = torch.Generator(device=device).manual_seed(0)
    params = [torch.randn(s, generator=generator, device=device).requires_grad_() for s in shapes]
    for p in params:
        p.grad = torch.randn(p.shape, generator=generator, device=device) * 1e-2
    return make(params)


def measure(make, shapes, device) -> dict:
    opt = _stepping(make, shapes, device)
    _sync(device)
    start = time.perf_counter()
    for _ in range(3):
        opt.step()
    _sync(device)
    steps = STEPS if time.perf_counter() - start < 0.3 else 3  # a slow path: a few steps
    isolated = []
    for _ in range(steps):
        _sync(device)
        start = time.perf_counter()
        opt.step()
        _sync(device)
        isolated.append(time.perf_counter() - start)
    _sync(device)
    host, start = [], time.perf_counter()
    for _ in range(steps):
        before = time.perf_counter()
        opt.step()
        host.append(time.perf_counter() - before)
    _sync(device)
    steady = (time.perf_counter() - start) / steps
    return {
        "isolated_ms": statistics.median(isolated) * 1e3,
        "steady_ms": steady * 1e3,
        "host_ms": statistics.median(host) * 1e3,
    }


def profile(shapes, device) -> None:
    opt = _stepping(lambda ps: gtorch.Adam(ps, fused=True), shapes, device)
    for _ in range(3):
        opt.step()
    _sync(device)
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [opt.step() for _ in range(STEPS)])
    _sync(device)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(14)


def main() -> None:
    arguments = [a for a in sys.argv[1:] if a != "--profile"]
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    rows = []
    for load, shapes in _workloads(device).items():
        for name, make in _candidates().items():
            row = {"workload": load, "backend": name, **measure(make, shapes, device)}
            rows.append(row)
            print(
                f"{load:3} {name:22} isolated {row['isolated_ms']:8.3f} ms  steady "
                f"{row['steady_ms']:8.3f} ms  host {row['host_ms']:7.3f} ms",
                flush=True,
            )
    for load in _workloads(device):
        times = {r["backend"]: r for r in rows if r["workload"] == load}
        for kind in ("isolated_ms", "steady_ms"):
            torch_fused = times["torch.optim fused"][kind]
            print(
                f"{load} {kind[:-3]}: torch.optim fused over generated fused "
                f"{torch_fused / times['generated fused'][kind]:.2f}x, over generated fused int8 "
                f"{torch_fused / times['generated fused int8'][kind]:.2f}x; torch.optim foreach "
                f"over generated foreach "
                f"{times['torch.optim foreach'][kind] / times['generated foreach'][kind]:.2f}x"
            )
    if "--profile" in sys.argv:
        for load in ("W2", "W3"):
            print(f"generated fused, {load}, {STEPS} steps:")
            profile(_workloads(device)[load], device)
    if arguments:
        with open(arguments[0], "w") as out:
            json.dump({"device": str(device), "steps": STEPS, "rows": rows}, out, indent=1)


if __name__ == "__main__":
    main()
