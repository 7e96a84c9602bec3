"""Nothing in the generated torch code is CPU-only: it runs on the meta device (no data, no
CPU fallback), keeps state on the parameter's device, and matches CPU on CUDA when present."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

import generated.torch as G  # noqa: E402
from generator.verify import testing  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NAMES = sorted(G.OPTIMIZERS)


def test_generated_torch_code_names_no_host_only_api():
    for path in sorted((ROOT / "generated" / "torch").glob("*.py")):
        text = path.read_text()
        if path.name == "_runtime.py":  # export_state gives host tensors on purpose: a
            start = text.index("    def export_state(")  # checkpoint that NumPy reads too
            text = text[:start] + text[text.index("\n    def ", start + 1) :]
        # the runtime names "cpu" once: fused=True picks the C library for CPU tensors
        banned = ("import numpy", "np.", ".numpy()", ".cpu()") + (() if path.name == "_runtime.py" else ('"cpu"', "'cpu'"))
        for word in banned:
            assert word not in text, f"{path.name} uses {word}"


@pytest.mark.parametrize("foreach", [False, True], ids=["loop", "foreach"])
@pytest.mark.parametrize("name", sorted(set(NAMES) - testing.needing_whole_tensors()))
def test_a_step_runs_on_the_meta_device(name, foreach):
    """(A spec with reductions reads their values on the host: no meta device.)"""
    p = torch.empty(5, 3, device="meta", requires_grad=True)
    q = torch.empty(7, device="meta", dtype=torch.bfloat16, requires_grad=True)
    opt = G.get(name)([{"params": [p]}, {"params": [q]}], foreach=foreach)
    p.grad = torch.empty(5, 3, device="meta")
    q.grad = torch.empty(7, device="meta", dtype=torch.bfloat16)
    opt.step()
    for param in (p, q):
        for state in opt.state[param].values():
            assert state.device.type == "meta"
            assert state.dtype == torch.float32
        assert param.device.type == "meta"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("foreach", [False, True], ids=["loop", "foreach"])
@pytest.mark.parametrize("name", NAMES)
def test_cuda_matches_cpu(name, foreach):
    params0, grads = testing.problem(steps=20)
    results = []
    for device in ("cpu", "cuda"):
        params = [torch.tensor(p, dtype=torch.float64, device=device, requires_grad=True) for p in params0]
        opt = G.get(name)(params, foreach=foreach, clipnorm=1.0)
        for step in grads:
            for p, g in zip(params, step):
                p.grad = torch.tensor(g, dtype=torch.float64, device=device)
            opt.step()
        results.append([p.detach().to("cpu") for p in params])
    for a, b in zip(*results):
        torch.testing.assert_close(b, a, rtol=1e-12, atol=1e-14)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("precision", ["float32", "int8"])
def test_export_state_of_a_gpu_optimizer_is_on_the_host_and_numpy_imports_it(precision):
    import generated.numpy as N

    p = torch.randn(5000, device="cuda", requires_grad=True)
    opt = G.Adam([p], fused=True, state_precision=precision)
    p.grad = torch.randn_like(p)
    opt.step()
    exported = opt.export_state()
    values = [v for by_name in exported["state"].values() for v in by_name.values()]
    assert values and all(v.device.type == "cpu" and v.dtype is torch.float32 for v in values)
    N.Adam().import_state(exported, [p.detach().cpu().numpy()])
    back = G.Adam([p.detach().clone().requires_grad_()])
    back.import_state(exported)
    assert all(v.device == p.device for v in back.state[back._params()[0]].values())
