"""The benchmark harness works end to end (--quick, one spec); timings are never asserted."""

import json
import math

import pytest

pytest.importorskip("torch")

from generator import bench  # noqa: E402
from generator.__main__ import main  # noqa: E402


def test_resnet50_shapes_are_torchvisions():
    shapes = bench.resnet50_shapes()
    assert len(shapes) == 161 and sum(math.prod(s) for s in shapes) == 25_557_032
    assert shapes[0] == (64, 3, 7, 7) and shapes[-2:] == [(1000, 2048), (1000,)]


def test_bytes_per_element_follow_the_spec_state():
    specs = {s.module: s for s in bench.load_specs()}
    assert bench.bytes_per_element(specs["adam"]) == 28  # read p g m v, write p m v
    assert bench.bytes_per_element(specs["sgd"]) == 20  # read p g velocity, write p velocity


def test_quick_run_writes_json_and_plot(tmp_path, capsys):
    out = tmp_path / "results.json"
    assert main(["bench", "--quick", "--only", "adam", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["bandwidth"]["copy_gbs"] > 0 and report["bandwidth"]["triad_gbs"] > 0
    backends = {r["backend"] for r in report["results"]}
    assert {"generated numpy", "generated torch loop", "generated torch foreach", "generated fused C",
            "torch.optim for-loop", "torch.optim foreach", "torch.optim fused"} <= backends
    assert {r["workload"] for r in report["results"]} == {"W1", "W2", "W3", "W4"}
    for r in report["results"]:
        assert "error" in r or (r["median_s"] > 0 and r["gbs"] > 0 and "ratio_to_torch_best" in r), r
    assert not [r for r in report["results"] if r["kind"] == "generated" and "error" in r], "a generated backend failed"
    assert all(isinstance(t["met"], bool) and t["goal"] > 0 for t in report["targets"])
    assert out.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    printed = capsys.readouterr()
    assert "targets:" in printed.out and "vs torch best" in printed.out
    assert "[####" in printed.err  # the progress bar


def test_optax_case_steps_ours_and_optax_adam_alike():
    """The jitted optax steps (W1 in a run): both transformations step the same problem to
    nearly the same parameters (epsilon's placement aside), and the target is reported."""
    jax = pytest.importorskip("jax")
    pytest.importorskip("optax")
    import numpy as np
    import torch

    spec = next(s for s in bench.load_specs() if s.module == "adam")
    found = {name: factory for name, _, factory in bench._candidates(spec, False, optax=True)}
    assert {bench.OPTAX_OURS, bench.OPTAX_PEER} <= set(found)
    assert bench.OPTAX_OURS not in {c[0] for c in bench._candidates(spec, False)}
    load = bench.Workload("W1", [(4096,)])
    (tensor,) = bench._tensors(load, torch.device("cpu"))
    start, grad = tensor.detach().numpy().copy(), tensor.grad.numpy().copy()
    ends = {}
    for name in (bench.OPTAX_OURS, bench.OPTAX_PEER):
        step = found[name](bench._tensors(load, torch.device("cpu")))  # one step, compiling
        assert step.compile_s > 0
        for _ in range(4):
            step()
        ends[name] = np.asarray(step.held[0][0])
        counts = [int(x) for x in jax.tree_util.tree_leaves(step.held[1]) if x.dtype == "int32"]
        assert ends[name].dtype == np.float32 and counts and set(counts) == {5}
    moved = np.abs(ends[bench.OPTAX_OURS] - start)
    assert np.all(moved > 1e-3) and np.all(moved < 6e-3)  # five steps of about lr = 1e-3
    # the same steps where sqrt(v) dwarfs epsilon (1e-7 for both, which Keras adds to
    # sqrt(v) uncorrected, optax to sqrt(v) bias-corrected: the bench's docstring)
    large = np.abs(grad) > 1e-2
    assert large.sum() > 1000
    ours, peer = ends[bench.OPTAX_OURS][large], ends[bench.OPTAX_PEER][large]
    np.testing.assert_allclose(ours, peer, atol=1e-5)
    rows = [
        {"spec": "adam", "workload": "W1", "backend": b, "median_s": s}
        for b, s in ((bench.OPTAX_OURS, 1.0), (bench.OPTAX_PEER, 1.05))
    ]
    (target,) = [t for t in bench.targets({"results": rows}, False) if "optax" in t["target"]]
    assert target["value"] == 1.05 and target["met"]


def test_the_factored_comparison_reports_each_candidate_and_its_target():
    """Adafactor's matrix rule side by side with fused Adam (quick: a 1024 x 1024 matrix):
    every candidate measured, the ratios to fused Adam and the 1.3x target reported."""
    import torch

    report = bench.factored_comparison(torch.device("cpu"), True, bench.Timer(1, 2))
    assert report["shape"] == [1024, 1024]
    assert (report["ours"], report["peer"]) == ("fused C Adafactor", "fused C Adam")
    assert set(report["median_s"]) == {"fused C Adafactor", "torch Adafactor (fused=False)", "fused C Adam"}
    assert all(t > 0 for t in report["median_s"].values())
    assert report["ratio_to_fused_adam"]["fused C Adam"] == 1.0
    (target,) = [t for t in bench.targets({"results": [], "factored": report}, False) if "Adafactor over" in t["target"] and "matrix" in t["target"]]
    assert target["goal"] == 1.3 and isinstance(target["met"], bool)
    bandwidth = {"copy_gbs": 1.0, "triad_gbs": 1.0, "update_gbs": 1.0}  # (not measured here)
    shown = {"device": "cpu", "bandwidth": bandwidth, "results": [], "factored": report, "targets": [target], "files": []}
    printed = bench.summary(shown)
    assert "Adafactor's factored rule, a 1024x1024 matrix" in printed
