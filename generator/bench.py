"""``python -m generator bench``: how fast each generated backend steps, against torch.optim and
against the machine's memory bandwidth.

An optimizer step is memory-bound: float32 Adam reads p, g, m, v and writes p, m, v, 28 bytes
per element, so the limit is bytes / bandwidth. One run measures the bandwidth (copy and triad,
as STREAM does), then times one step of every spec on every backend (generated NumPy, torch
per-tensor loop, torch foreach, fused C on the CPU, fused CUDA on a GPU) and of its torch.optim
peer (for-loop, foreach, fused where torch has them) on four workloads:

- W1: one large tensor (16M float32 elements on a CPU, 100M on a GPU);
- W2: 1000 tensors of 10k elements;
- W3: ResNet-50's parameter shapes (161 tensors, 25,557,032 elements);
- W4: odd sizes (1, 3, 4097, 65537, 1,000,003) and a misaligned view of 1,000,003.

``--quick`` takes a 16th of W1 and W2, and every 16th of W3's shapes.

Adam also runs as ``torch.compile(opt.step)`` on W1, generated and torch.optim's (the peer a
torch user picks for speed), with the first call's compile time reported apart; and, where jax
and optax are installed, as the generated optax transformation against ``optax.adam``, each a
``jax.jit`` step (update and apply_updates, buffers donated) on W1 (goal: at most 1.1 times
optax.adam's time). jax is imported only for that case.

SGD runs twice, with momentum and with Nesterov momentum (``sgd-nesterov``). Besides the ratios
to torch's best, the summary prints the generated foreach step's time over torch.optim's
foreach step's for every spec torch has (goal: at most 1.1).

Each time is the median of repeated steps after warm-up; the backends of one spec and workload
take their steps in turn (round robin), so a slower or faster moment of the machine falls on
all of them alike and their ratios are side by side. Reported: effective GB/s (bytes per
element from the spec's state times elements, over the time), the ratio to torch's best for the
same algorithm (>1: faster), and the fraction of the measured bandwidth. Writes a JSON file and
a PNG plot (GB/s against tensor size, one line per backend, Adam).
"""

from __future__ import annotations

import json
import math
import random
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .runtime._state_codes import STATE_BYTES
from .build import load_specs
from .paths import ROOT

RESULTS = ROOT / "tests" / "benchmarks"
PEERS = {  # spec module -> (torch.optim class name, keyword arguments that make it the same algorithm family)
    "adam": ("Adam", {}),
    "adamw": ("AdamW", {}),
    "adamax": ("Adamax", {}),
    "nadam": ("NAdam", {}),
    "rmsprop": ("RMSprop", {}),
    "adagrad": ("Adagrad", {}),
    "adadelta": ("Adadelta", {}),
    "sgd": ("SGD", {"lr": 0.01, "momentum": 0.9}),
}
OURS = {"sgd": {"momentum": 0.9}}  # the same work as the peer: SGD with a velocity
# More cases of a spec, timed like the spec itself under their own label: (label, our keyword
# arguments, the peer's keyword arguments).
EXTRA_CASES = {
    "sgd": [("sgd-nesterov", {"momentum": 0.9, "nesterov": True}, {"nesterov": True})],
}


@dataclass(frozen=True)
class Case:
    """One timed configuration of a spec: its label in the results, our arguments, and its
    torch.optim peer (class name and arguments), if torch has the algorithm."""

    label: str
    spec: object
    ours: dict
    peer: tuple[str, dict] | None


def cases(spec) -> list[Case]:
    """The spec with the arguments that make it its peer's algorithm, then its extra cases."""
    peer = PEERS.get(spec.module)
    out = [Case(spec.module, spec, OURS.get(spec.module, {}), peer)]
    for label, ours, extra in EXTRA_CASES.get(spec.module, []):
        out.append(Case(label, spec, ours, peer and (peer[0], {**peer[1], **extra})))
    return out


def resnet50_shapes() -> list[tuple[int, ...]]:
    """The parameter shapes of torchvision's ResNet-50, in its order."""
    shapes: list[tuple[int, ...]] = [(64, 3, 7, 7), (64,), (64,)]
    inplanes = 64
    for planes, blocks in ((64, 3), (128, 4), (256, 6), (512, 3)):
        for block in range(blocks):
            shapes += [(planes, inplanes, 1, 1), (planes,), (planes,)]
            shapes += [(planes, planes, 3, 3), (planes,), (planes,)]
            shapes += [(planes * 4, planes, 1, 1), (planes * 4,), (planes * 4,)]
            if block == 0:
                shapes += [(planes * 4, inplanes, 1, 1), (planes * 4,), (planes * 4,)]
            inplanes = planes * 4
    shapes += [(1000, 2048), (1000,)]
    assert len(shapes) == 161 and sum(math.prod(s) for s in shapes) == 25_557_032
    return shapes


@dataclass
class Workload:
    name: str
    shapes: list[tuple[int, ...]]
    misaligned: bool = False  # the last tensor is a view starting one element in

    @property
    def elements(self) -> int:
        return sum(math.prod(s) for s in self.shapes)


def workloads(gpu: bool, quick: bool) -> list[Workload]:
    scale = 16 if quick else 1
    large = (100_000_000 if gpu else 16_000_000) // scale
    return [
        Workload("W1", [(large,)]),
        Workload("W2", [(10_000,)] * (1000 // scale)),
        Workload("W3", resnet50_shapes()[::scale]),  # quick: every 16th of its shapes
        Workload(
            "W4", [(1,), (3,), (4097,), (65537,), (1_000_003,), (1_000_003,)], misaligned=True
        ),
    ]


@dataclass
class Timer:
    """Median seconds of ``repeats`` calls after ``warmup`` calls; syncs the GPU if used."""

    warmup: int
    repeats: int
    cuda: bool = False

    def __call__(self, step) -> float:
        for _ in range(self.warmup):
            step()
        return statistics.median(self.once(step) for _ in range(self.repeats))

    def once(self, step) -> float:
        """Seconds of one call, the GPU's queued work included."""
        import torch

        if self.cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        step()
        if self.cuda:
            torch.cuda.synchronize()
        return time.perf_counter() - start


class Progress:
    """One status line, rewritten in place: done/total, a bar, what runs now."""

    def __init__(self, total: int, stream=None):
        self.total, self.done, self.start = total, 0, time.perf_counter()
        self.stream = stream or sys.stderr

    def step(self, what: str) -> None:
        self.done += 1
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        elapsed = time.perf_counter() - self.start
        line = f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {elapsed:5.0f}s {what}"
        self.stream.write(line[:120].ljust(120))
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")


def bandwidth(device, quick: bool, timer: Timer) -> dict:
    """GB/s of copy a = b (8 bytes per float32 element counted), triad a = b + s*c (12) and the
    in-place update a += s*b (12), as STREAM counts them. Copy and triad also pay a hidden read
    of a before writing it (write-allocate); the in-place update, like an optimizer step, does
    not, so it is the fairest reference for a step and usually the highest."""
    import torch

    n = (64_000_000 if device.type == "cpu" else 256_000_000) // (8 if quick else 1)
    a, b, c = (torch.rand(n, device=device) for _ in range(3))
    copy = timer(lambda: a.copy_(b))
    triad = timer(lambda: torch.add(b, c, alpha=3.0, out=a))
    update = timer(lambda: a.add_(b, alpha=1e-3))
    return {
        "elements": n,
        "copy_gbs": 8 * n / copy / 1e9,
        "triad_gbs": 12 * n / triad / 1e9,
        "update_gbs": 12 * n / update / 1e9,
    }


def reference_bandwidth(bw: dict) -> float:
    return max(bw["copy_gbs"], bw["triad_gbs"], bw["update_gbs"])


def bytes_per_element(spec, dtype_bytes: int = 4, state_bytes: float | None = None) -> float:
    """Read p, g and every state array, write p and every state array (``state_bytes`` per
    state element where the state is stored in fewer bits than the parameters)."""
    state = len(spec.variant().state)
    per_state = dtype_bytes if state_bytes is None else state_bytes
    return 3 * dtype_bytes + 2 * state * per_state


STATE_PRECISION = ("adam",)  # the cases timed with their state in int8 and bfloat16 too


def _tensors(workload: Workload, device, seed: int = 0):
    import torch

    g = _generator(device, seed)
    params = []
    for i, shape in enumerate(workload.shapes):
        last = workload.misaligned and i == len(workload.shapes) - 1
        n = math.prod(shape)
        base = torch.randn(n + 1 if last else n, generator=g, device=device)
        p = (base[1:] if last else base).view(shape)
        p.requires_grad_(True)
        p.grad = torch.randn(shape, generator=g, device=device) * 1e-2
        params.append(p)
    return params


def _generator(device, seed: int):
    """Random numbers drawn where the tensors live: on a GPU, W1's 100M elements drawn on the
    CPU took seconds per candidate."""
    import torch

    return torch.Generator(device=device).manual_seed(seed)


def _candidates(
    spec, gpu: bool, case: Case | None = None, compiled: bool = True, optax: bool = False
):
    """(backend name, kind, factory(params) -> step function) for one spec (or one of its
    cases); ``optax``: the JAX steps too, for the cases in OPTAX where jax and optax are
    installed."""
    import torch

    import generated.numpy as gnp
    import generated.torch as gtorch

    case = case or cases(spec)[0]
    ours = case.ours
    cls = getattr(gtorch, spec.name)
    out = []
    if not gpu:

        def numpy_factory(params):
            arrays = [p.detach().numpy() for p in params]
            pairs = list(zip([p.grad.numpy() for p in params], arrays))
            opt = getattr(gnp, spec.name)(**ours)
            return lambda: opt.apply_gradients(pairs)

        out.append(("generated numpy", "generated", numpy_factory))
    out.append(
        ("generated torch loop", "generated", lambda ps: cls(ps, **ours, foreach=False).step)
    )
    out.append(
        ("generated torch foreach", "generated", lambda ps: cls(ps, **ours, foreach=True).step)
    )
    if cls.native_module is not None:
        out.append(
            (
                f"generated fused {'CUDA' if gpu else 'C'}",
                "generated",
                lambda ps: cls(ps, **ours, fused=True).step,
            )
        )
    if case.label in STATE_PRECISION and cls.native_module is not None:
        fused = f"fused {'CUDA' if gpu else 'C'}"
        for precision, label in (("int8", "int8"), ("bfloat16", "bf16")):
            for path, extra in ((fused, {"fused": True}), ("torch foreach", {"foreach": True})):

                def stored(ps, extra=extra, precision=precision):
                    opt = cls(ps, **ours, **extra, state_precision=precision)

                    def step():
                        opt.step()

                    state_bytes = STATE_BYTES[precision]
                    step.bytes_per_element = bytes_per_element(spec, state_bytes=state_bytes)
                    return step

                out.append((f"generated {path}, {label} state", "generated", stored))
    if case.peer is not None:
        name, kwargs = case.peer
        peer = getattr(torch.optim, name)
        for mode, extra in (
            ("for-loop", {"foreach": False}),
            ("foreach", {"foreach": True}),
            ("fused", {"fused": True}),
        ):
            out.append(
                (f"torch.optim {mode}", "peer", lambda ps, e=extra: peer(ps, **kwargs, **e).step)
            )
    if (
        compiled and case.label in COMPILED
    ):  # what a torch user picks for speed; compiling costs seconds
        out.append(("generated torch compiled", "compiled", lambda ps: _compiled(cls(ps, **ours))))
        if case.peer is not None:
            name, kwargs = case.peer
            peer = getattr(torch.optim, name)
            out.append(
                ("torch.optim compiled", "compiled", lambda ps: _compiled(peer(ps, **kwargs)))
            )
    if optax and case.label in OPTAX and _has_optax():
        out += _optax_candidates()
    return out


OPTAX = ("adam",)  # the cases timed as jitted optax steps too (W1)
OPTAX_OURS = "generated optax jit"
OPTAX_PEER = "optax.adam jit"


def _has_optax() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("jax", "optax"))


def _optax_candidates():
    """The generated optax ``adam()`` and ``optax.adam``, each as one ``jax.jit`` step of
    update and ``optax.apply_updates`` with the parameters and the state donated (both alike:
    the step then writes them in place instead of allocating new buffers).

    Epsilon: Keras 2.3's is "epsilon hat", added to sqrt(v) of the uncorrected moments;
    optax's is added to sqrt(v_hat) of the corrected ones. Keras's eps equals optax's times
    sqrt(1 - beta_2**t), so the exact conversion is optax eps = 1e-7/sqrt(1 - beta_2**t), a
    per-step value (optax.inject_hyperparams could feed it, at a cost to the peer's step that
    is not the peer's own). Its limit at large t, eps = 1e-7, is what optax.adam gets: the
    same element-wise work, and the same result once sqrt(1 - beta_2**t) is close to 1."""

    def make_ours():
        import generated.optax as gopt

        return gopt.adam(learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7)

    def make_peer():
        import optax

        return optax.adam(learning_rate=1e-3, b1=0.9, b2=0.999, eps=1e-7)

    return [
        (OPTAX_OURS, "generated", lambda ps: _optax_step(make_ours, ps)),
        (OPTAX_PEER, "optax", lambda ps: _optax_step(make_peer, ps)),
    ]


def _optax_step(make, params):
    """A step function of the transformation ``make()`` over copies of the torch tensors
    ``params`` (and their gradients) as JAX arrays on JAX's default device; it waits for the
    step's results, and carries the first call's seconds (tracing, compiling) as ``compile_s``."""
    # JAX takes 75% of a GPU's memory at its first use unless told not to: torch's backends
    # share the GPU with it here.
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    import jax
    import optax
    from jax import numpy as jnp

    tx = make()

    def step(p, state, g):
        updates, state = tx.update(g, state, p)
        return optax.apply_updates(p, updates), state

    jitted = jax.jit(step, donate_argnums=(0, 1))
    grads = [jnp.asarray(p.grad.detach().cpu().numpy()) for p in params]
    values = [jnp.asarray(p.detach().cpu().numpy()) for p in params]
    held = [values, tx.init(values)]

    def optax_step():
        held[0], held[1] = jitted(held[0], held[1], grads)
        jax.block_until_ready(held)

    start = time.perf_counter()
    optax_step()
    optax_step.compile_s = time.perf_counter() - start
    optax_step.held = held  # the parameters and state, for a test to read
    return optax_step


COMPILED = ("adam",)  # the cases timed under torch.compile(opt.step) too


def _timed_compiled(load, quick: bool) -> bool:
    """Compiled steps on W1 only: torch.compile traces a step per tensor, so compiling W3's
    161 tensors took about 2 minutes per optimizer here and W2's 1000 more than 7."""
    return load.name == "W1"


def _compiled(opt):
    """``torch.compile(opt.step)``, called once here: the step it returns carries the seconds
    that first call took (tracing and compiling) as ``compile_s``."""
    import torch

    torch._dynamo.reset()
    step = torch.compile(opt.step)
    start = time.perf_counter()
    step()
    seconds = time.perf_counter() - start

    def compiled_step():
        step()

    compiled_step.compile_s = seconds
    return compiled_step


def run(
    quick: bool = False,
    only: list[str] | None = None,
    out: Path | None = None,
    plot: bool = True,
    sweep: bool = True,
) -> dict:
    import torch

    gpu = torch.cuda.is_available()
    device = torch.device("cuda" if gpu else "cpu")
    timer = Timer(warmup=1 if quick else 3, repeats=3 if quick else 9, cuda=gpu)
    specs = [s for s in load_specs() if only is None or s.module in only]
    loads = workloads(gpu, quick)
    sizes = [2**k for k in (range(10, 21, 5) if quick else range(10, 26, 2))] if sweep else []
    adam = next((s for s in specs if s.module == "adam"), specs[0])
    plans = [(c, w) for s in specs for c in cases(s) for w in loads] + [
        (cases(adam)[0], Workload(f"1x{n}", [(n,)])) for n in sizes
    ]
    progress = Progress(len(plans) + 1)

    out = out or RESULTS / f"results-{'gpu' if gpu else 'cpu'}{'-quick' if quick else ''}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {"device": _device_name(device), "machine": _machine(), "quick": quick}
    report["bandwidth"] = bandwidth(device, quick, timer)
    progress.step("bandwidth")
    best_bandwidth = reference_bandwidth(report["bandwidth"])
    rows, sweep_rows = [], []
    for case, load in plans:
        # What is measured so far, marked partial: a run stopped by a time limit (a lent GPU's)
        # keeps its finished rows.
        _write(out, {**report, "partial": True, "results": rows, "sweep": sweep_rows})
        progress.step(f"{case.label} {load.name}")
        measured = _measure_side_by_side(
            case,
            load,
            _candidates(
                case.spec,
                gpu,
                case,
                compiled=_timed_compiled(load, quick),
                optax=load.name == "W1",
            ),
            device,
            timer,
            best_bandwidth,
        )
        (sweep_rows if load.name.startswith("1x") else rows).extend(measured)
    _add_ratios(rows)
    report["results"] = rows
    report["sweep"] = sweep_rows
    progress.close()
    report["numpy_passes"] = _numpy_passes(specs)
    if gpu:
        report["launches_per_step"] = _launches(adam, loads[2], device)
    if any(s.module == "muon" for s in specs):
        report["muon"] = muon_comparison(device, quick, timer)
    if any(s.module == "adafactor" for s in specs):
        report["factored"] = factored_comparison(device, quick, timer)
    report["targets"] = targets(report, gpu)
    report["foreach_ratios"] = foreach_ratios(rows)

    _write(out, report)
    report["files"] = [str(out)]
    if plot and report["sweep"]:  # the plot is the sweep's
        png = out.with_suffix(".png")
        _plot(report, png)
        report["files"].append(str(png))
    return report


def _write(out: Path, report: dict) -> None:
    out.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")


def _measure_side_by_side(case, load, candidates, device, timer, best_bandwidth) -> list[dict]:
    """Every candidate on its own copy of the workload; warm-up, then one timed step of each in
    turn (in a new order each round), ``timer.repeats`` times; the median per candidate."""
    rows, steps = [], []
    for backend, kind, factory in candidates:
        row = {
            "spec": case.label,
            "workload": load.name,
            "backend": backend,
            "kind": kind,
            "tensors": len(load.shapes),
            "elements": load.elements,
            "bytes_per_element": bytes_per_element(case.spec),
        }
        try:
            step = factory(_tensors(load, device))
            if hasattr(step, "compile_s"):
                row["compile_s"] = step.compile_s
            if hasattr(step, "bytes_per_element"):  # its state is stored in fewer bytes
                row["bytes_per_element"] = step.bytes_per_element
            for _ in range(timer.warmup):
                step()
            steps.append((row, step, []))
        except Exception as err:  # a peer without that mode on this device, say
            row["error"] = (
                f"{type(err).__name__}: {str(err).splitlines()[0][:160] if str(err) else ''}"
            )
        rows.append(row)
    # A new order each round (shuffled with the round's number as seed, so runs repeat):
    # in a fixed order a step slowed by the one before it is always the same candidate's (a
    # JAX step right after a torch step measured 0.70-0.89x of the one after it; alone,
    # the two are equal), and rotating keeps the same neighbours.
    for round_ in range(timer.repeats):
        order = list(steps)
        random.Random(round_).shuffle(order)
        for row, step, times in order:
            times.append(timer.once(step))
    for row, _, times in steps:
        seconds = statistics.median(times)
        gbs = row["bytes_per_element"] * load.elements / seconds / 1e9
        row.update(median_s=seconds, gbs=gbs, fraction_of_bandwidth=gbs / best_bandwidth)
    return rows


def _add_ratios(rows) -> None:
    """Ratio to torch's best (fastest torch.optim mode) for the same spec and workload."""
    best: dict[tuple, float] = {}
    for r in rows:
        if r["kind"] == "peer" and "median_s" in r:
            key = (r["spec"], r["workload"])
            best[key] = min(best.get(key, math.inf), r["median_s"])
    for r in rows:
        key = (r["spec"], r["workload"])
        if "median_s" in r and key in best:
            r["ratio_to_torch_best"] = best[key] / r["median_s"]


def _find(rows, spec, workload, backend):
    return next(
        (
            r
            for r in rows
            if r["spec"] == spec
            and r["workload"] == workload
            and r["backend"] == backend
            and "median_s" in r
        ),
        None,
    )


def targets(report: dict, gpu: bool) -> list[dict]:
    """The issue's targets, each with the measured value and whether it is met."""
    rows = report["results"]
    out = []

    def ratio(name, faster, slower, spec, workload, goal):
        a, b = _find(rows, spec, workload, faster), _find(rows, spec, workload, slower)
        if a and b:
            value = b["median_s"] / a["median_s"]
            out.append(
                {"target": name, "value": round(value, 3), "goal": goal, "met": value >= goal}
            )

    def fraction(name, backend, spec, workload, goal):
        r = _find(rows, spec, workload, backend)
        if r:
            out.append(
                {
                    "target": name,
                    "value": round(r["fraction_of_bandwidth"], 3),
                    "goal": goal,
                    "met": r["fraction_of_bandwidth"] >= goal,
                }
            )

    def per_element(name, backend, spec, peer_spec, workload, goal):
        """``spec``'s time per element over ``peer_spec``'s, on the same backend: met when at
        most ``goal`` (issue 13: Lamb's two passes within 1.3x of Adam's one)."""
        a, b = _find(rows, spec, workload, backend), _find(rows, peer_spec, workload, backend)
        if a and b:
            value = a["median_s"] / b["median_s"]  # the same elements in both
            out.append(
                {"target": name, "value": round(value, 3), "goal": goal, "met": value <= goal}
            )

    kind = "CUDA" if gpu else "C"
    per_element(
        f"fused {kind} Lamb over fused {kind} Adam, W1 (time per element; at most)",
        f"generated fused {kind}",
        "lamb",
        "adam",
        "W1",
        1.3,
    )
    per_element(  # W1 is a vector: Adafactor's unfactored rule (a matrix's: factored_comparison)
        f"fused {kind} Adafactor over fused {kind} Adam, W1 (time per element; at most)",
        f"generated fused {kind}",
        "adafactor",
        "adam",
        "W1",
        1.3,
    )
    if not gpu:
        for w, goal in (("W1", 1.0), ("W2", 1.3), ("W3", 1.1)):  # W2, W3: issue 16's goals
            ratio(
                f"fused C vs torch fused Adam, {w} (speed-up)",
                "generated fused C",
                "torch.optim fused",
                "adam",
                w,
                goal,
            )
        fraction("fused C Adam, W1: fraction of bandwidth", "generated fused C", "adam", "W1", 0.8)
        ratio(
            "NumPy Adam within 4.5x of fused C, W1 (fused/numpy time)",
            "generated numpy",
            "generated fused C",
            "adam",
            "W1",
            1 / 4.5,
        )
    else:
        for w in ("W1", "W2", "W3"):
            ratio(
                f"fused CUDA vs torch fused Adam, {w} (speed-up)",
                "generated fused CUDA",
                "torch.optim fused",
                "adam",
                w,
                1.0,
            )
        fraction(
            "fused CUDA Adam, W1: fraction of copy bandwidth",
            "generated fused CUDA",
            "adam",
            "W1",
            0.85,
        )
        fraction(
            "fused CUDA Adam, W3: fraction of copy bandwidth",
            "generated fused CUDA",
            "adam",
            "W3",
            0.80,
        )
        launches = report.get("launches_per_step", {}).get("generated fused CUDA", {})
        if "kernels" in launches:
            out.append(
                {
                    "target": "fused CUDA Adam, W3: kernel launches per step (at most 2)",
                    "value": launches["kernels"],
                    "goal": 2,
                    "met": launches["kernels"] <= 2,
                }
            )
    ratio(  # issue 17's goal: 8-bit state moves 16 bytes per element where float32 moves 28
        f"fused {kind} Adam with int8 state vs torch fused (float32 state), W1 (speed-up)",
        f"generated fused {kind}, int8 state",
        "torch.optim fused",
        "adam",
        "W1",
        1.3,
    )
    fraction(
        f"fused {kind} Adam with int8 state, W1: fraction of bandwidth",
        f"generated fused {kind}, int8 state",
        "adam",
        "W1",
        0.8,
    )
    for spec, title in (("adam", "Adam"), ("sgd-nesterov", "SGD Nesterov")):
        for w in ("W1", "W2"):
            ratio(
                f"generated foreach vs torch.optim foreach {title}, {w} (speed-up)",
                "generated torch foreach",
                "torch.optim foreach",
                spec,
                w,
                1 / 1.1,
            )
    muon = report.get("muon")
    if muon:
        value = muon["ratio_to_torch_ops"]["generated torch Muon"]
        out.append(
            {
                "target": "generated torch Muon over Muon written with torch ops, M1 (time; at most)",
                "value": round(value, 3),
                "goal": 1.0,
                "met": value <= 1.0,
            }
        )
    factored = report.get("factored")
    if factored:
        ours, peer = factored.get("ours", "fused C Adafactor"), factored.get("peer", "fused C Adam")
        value = factored["ratio_to_fused_adam"][ours]
        side = "x".join(map(str, factored["shape"]))
        out.append(
            {
                "target": f"{ours} over {peer}, a {side} matrix (time; at most)",
                "value": round(value, 3),
                "goal": 1.3,
                "met": value <= 1.3,
            }
        )
    ratio(
        "generated optax vs optax.adam, both jitted, W1 (speed-up)",
        OPTAX_OURS,
        OPTAX_PEER,
        "adam",
        "W1",
        1 / 1.1,
    )
    return out


# Muon's workload: the matrices of two transformer blocks of width 512 (square projections,
# the MLP's wide and tall ones) and their biases, which take AdamW
M1_SHAPES = [(512, 512)] * 4 + [(2048, 512), (512, 2048), (512,), (2048,)]


def _muon_by_hand(params, lr=1e-3, momentum=0.95, weight_decay=0.004, ns_steps=5):
    """keras.optimizers.Muon's step for matrices, written with torch ops as a user would
    (Keras 3.15's update_step and zeropower_via_newtonschulz5, in place where torch allows);
    the AdamW of the other tensors is torch.optim.AdamW's foreach step. The peer of the
    generated torch Muon."""
    import torch

    matrices = [p for p in params if p.dim() == 2]
    others = [p for p in params if p.dim() != 2]
    momenta = [torch.zeros_like(p) for p in matrices]
    adamw = torch.optim.AdamW(others, lr=lr, eps=1e-7, weight_decay=0.004, foreach=True)
    a, b, c = 3.4445, -4.775, 2.0315

    def orthogonalize(x):
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = x.mT
        x = x / (torch.linalg.matrix_norm(x, keepdim=True) + 1e-7)
        for _ in range(ns_steps):
            gram = x @ x.mT
            x = a * x + (b * gram + c * gram @ gram) @ x
        return x.mT if tall else x

    @torch.no_grad()
    def step():
        for p, m in zip(matrices, momenta):
            p.mul_(1 - weight_decay * lr)
            m.mul_(momentum).add_(p.grad)
            update = orthogonalize(p.grad + momentum * m)
            p.add_(update, alpha=-lr * 0.2 * max(p.shape[0], p.shape[1]) ** 0.5)
        adamw.step()

    return step


def muon_comparison(device, quick: bool, timer) -> dict:
    """Issue 13's Muon goal: the generated torch Muon's step (loop; fused=True runs the
    matrices' rule as the same torch code, the biases fused) against the same algorithm
    written with torch ops, on M1, side by side."""
    from generated.torch.muon import Muon

    scale = 2 if quick else 1
    shapes = [tuple(max(1, n // scale) for n in s) for s in M1_SHAPES]
    candidates = {
        "generated torch Muon": lambda ps: Muon(ps, lr=1e-3).step,
        "generated torch Muon, fused=True": lambda ps: Muon(ps, lr=1e-3, fused=True).step,
        "Muon written with torch ops": _muon_by_hand,
    }
    times = _side_by_side(candidates, shapes, device, timer)
    peer = times["Muon written with torch ops"]
    return {
        "workload": "M1",
        "shapes": [list(s) for s in shapes],
        "median_s": times,
        "ratio_to_torch_ops": {name: t / peer for name, t in times.items()},
    }


def _side_by_side(candidates: dict, shapes, device, timer) -> dict[str, float]:
    """The median step time of each candidate (name -> make(params) -> step) on new tensors
    of ``shapes``: one step of each in turn, in a new order each round (as
    _measure_side_by_side)."""
    import torch

    steps = {}
    for name, make in candidates.items():
        generator = _generator(device, 0)
        params = [
            torch.randn(s, generator=generator, device=device).requires_grad_() for s in shapes
        ]
        for p in params:
            p.grad = torch.randn(p.shape, generator=generator, device=device)
        steps[name] = make(params)
        for _ in range(timer.warmup):
            steps[name]()
    rounds: dict[str, list[float]] = {name: [] for name in steps}
    for round_ in range(max(timer.repeats, 5)):
        order = list(steps)
        random.Random(round_).shuffle(order)
        for name in order:
            rounds[name].append(timer.once(steps[name]))
    return {name: statistics.median(values) for name, values in rounds.items()}


def factored_comparison(device, quick: bool, timer) -> dict:
    """Issue 13's Adafactor goal on a matrix (its factored rule, which W1, a vector, never
    takes): fused=True (the kernels in passes, generator/staging.py: C on the CPU, CUDA on a
    GPU) against fused Adam on the same matrix, side by side, and Adafactor's torch code
    (fused=False)."""
    from generated.torch.adafactor import Adafactor
    from generated.torch.adam import Adam

    kind = "CUDA" if device.type == "cuda" else "C"
    side = 1024 if quick else 8192 if kind == "CUDA" else 4096
    ours, peer = f"fused {kind} Adafactor", f"fused {kind} Adam"
    candidates = {
        ours: lambda ps: Adafactor(ps, lr=1e-3, fused=True).step,
        "torch Adafactor (fused=False)": lambda ps: Adafactor(ps, lr=1e-3).step,
        peer: lambda ps: Adam(ps, lr=1e-3, fused=True).step,
    }
    times = _side_by_side(candidates, [(side, side)], device, timer)
    return {
        "shape": [side, side],
        "ours": ours,
        "peer": peer,
        "median_s": times,
        "ratio_to_fused_adam": {name: t / times[peer] for name, t in times.items()},
    }


def foreach_ratios(rows) -> list[dict]:
    """Per spec (case) and workload: the generated foreach step's time over torch.optim's
    foreach step's, measured side by side (goal: at most 1.1)."""
    out = []
    for r in rows:
        if r["backend"] != "generated torch foreach" or "median_s" not in r:
            continue
        peer = _find(rows, r["spec"], r["workload"], "torch.optim foreach")
        if peer is not None:
            out.append(
                {
                    "spec": r["spec"],
                    "workload": r["workload"],
                    "ratio": r["median_s"] / peer["median_s"],
                }
            )
    return out


def _launches(spec, load, device) -> dict:
    """CUDA kernel launches and copies in one step (torch.profiler), per GPU backend."""
    import torch
    from torch.profiler import ProfilerActivity, profile

    out = {}
    for backend, _, factory in _candidates(spec, True):
        try:
            step = factory(_tensors(load, device))
            step()
            torch.cuda.synchronize()
            with profile(activities=[ProfilerActivity.CUDA]) as prof:
                step()
                torch.cuda.synchronize()
            kernels = [e for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA]
            names = [e.name for e in kernels]
            out[backend] = {
                "kernels": sum(1 for n in names if "Memcpy" not in n and "Memset" not in n),
                "copies": sum(1 for n in names if "Memcpy" in n),
            }
        except Exception as err:  # profiling is best effort; the timings stand without it
            out[backend] = {"error": f"{type(err).__name__}: {err}"[:160]}
    return out


def _numpy_passes(specs) -> dict:
    """Passes over memory of each generated NumPy kernel (one per ufunc call)."""
    from .backends import numpy as numpy_backend
    from .ir import lower

    return {
        f"{s.module}/{v.base.suffix}": v.passes
        for s in specs
        for v in numpy_backend.module_view(lower(s), native=False).variants
    }


def _device_name(device) -> str:
    import torch

    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            model = next(
                (line.split(":", 1)[1].strip() for line in f if line.startswith("model name")),
                model,
            )
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} logical CPUs"


def _machine() -> dict:
    import numpy
    import torch

    return {
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
    }


def _plot(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    backends = sorted({r["backend"] for r in report["sweep"]})
    for backend in backends:
        points = sorted(
            (r["elements"], r["gbs"])
            for r in report["sweep"]
            if r["backend"] == backend and "gbs" in r
        )
        if points:
            ax.plot(
                *zip(*points),
                marker="o",
                label=backend,
                linestyle="--" if backend.startswith("torch.optim") else "-",
            )
    bw = report["bandwidth"]
    ax.axhline(
        reference_bandwidth(bw),
        color="black",
        linewidth=0.8,
        label="measured bandwidth (in-place update)",
    )
    ax.set_xscale("log")
    ax.set_xlabel("elements (one float32 tensor)")
    ax.set_ylabel("effective GB/s (28 bytes per element)")
    ax.set_title(f"Adam step, {report['device']}")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def summary(report: dict) -> str:
    bw = report["bandwidth"]
    lines = [
        f"device: {report['device']}",
        f"bandwidth: copy {bw['copy_gbs']:.1f} GB/s, triad {bw['triad_gbs']:.1f} GB/s, in-place update {bw['update_gbs']:.1f} GB/s",
        "",
    ]
    lines.append(
        f"{'spec':9} {'workload':8} {'backend':26} {'ms':>9} {'GB/s':>7} {'vs torch best':>13} {'of bw':>6}"
    )
    for r in report["results"]:
        if "median_s" not in r:
            lines.append(
                f"{r['spec']:9} {r['workload']:8} {r['backend']:26} {'-':>9}  ({r['error'][:60]})"
            )
            continue
        ratio = f"{r['ratio_to_torch_best']:.2f}x" if "ratio_to_torch_best" in r else "-"
        lines.append(
            f"{r['spec']:9} {r['workload']:8} {r['backend']:26} {1e3 * r['median_s']:9.2f} {r['gbs']:7.1f} {ratio:>13} {r['fraction_of_bandwidth']:6.0%}"
        )
    compiled = [r for r in report["results"] if r["kind"] == "compiled" and "median_s" in r]
    if compiled:
        lines += [
            "",
            "torch.compile(opt.step): first call (compiling), steady step, vs torch fused:",
        ]
        for r in compiled:
            fused = _find(report["results"], r["spec"], r["workload"], "torch.optim fused")
            versus = f"{fused['median_s'] / r['median_s']:.2f}x" if fused else "-"
            lines.append(
                f"  {r['spec']:9} {r['workload']:8} {r['backend']:26} compile "
                f"{r['compile_s']:6.1f} s  step {1e3 * r['median_s']:8.2f} ms  {versus}"
            )
    jitted = [
        r for r in report["results"] if "median_s" in r and r["backend"] in (OPTAX_OURS, OPTAX_PEER)
    ]
    if jitted:
        lines += [
            "",
            "jax.jit(update + apply_updates), donated: first call (compiling), steady step:",
        ]
        for r in jitted:
            lines.append(
                f"  {r['spec']:9} {r['workload']:8} {r['backend']:26} compile "
                f"{r['compile_s']:6.1f} s  step {1e3 * r['median_s']:8.2f} ms"
            )
    ratios = report.get("foreach_ratios", [])
    if ratios:
        lines += ["", "generated foreach / torch.optim foreach, time (goal: at most 1.1):"]
        by_spec: dict[str, list[str]] = {}
        for r in ratios:
            by_spec.setdefault(r["spec"], []).append(f"{r['workload']} {r['ratio']:.2f}x")
        lines += [f"  {spec:13} " + "  ".join(values) for spec, values in by_spec.items()]
    muon = report.get("muon")
    if muon:
        lines += [
            "",
            f"Muon, {muon['workload']} (time over the same algorithm written with torch ops):",
        ]
        for name, t in muon["median_s"].items():
            lines.append(f"  {name:34} {1e3 * t:9.2f} ms  {muon['ratio_to_torch_ops'][name]:.2f}x")
    factored = report.get("factored")
    if factored:
        side = "x".join(map(str, factored["shape"]))
        peer = factored.get("peer", "fused C Adam")
        lines += ["", f"Adafactor's factored rule, a {side} matrix (time over {peer}):"]
        for name, t in factored["median_s"].items():
            ratio = factored["ratio_to_fused_adam"][name]
            lines.append(f"  {name:34} {1e3 * t:9.2f} ms  {ratio:.2f}x")
    lines += ["", "targets:"]
    for t in report["targets"]:
        lines.append(
            f"  {'met   ' if t['met'] else 'MISSED'} {t['target']}: {t['value']} (goal {t['goal']:.3g})"
        )
    lines += ["", "wrote " + ", ".join(report["files"])]
    return "\n".join(lines)
