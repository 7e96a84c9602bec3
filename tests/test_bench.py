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
