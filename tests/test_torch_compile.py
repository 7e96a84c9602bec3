"""A step under torch.compile gives eager's numbers (CPU)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import generated.torch as G  # noqa: E402
from generator.verify import testing  # noqa: E402

CASES = [
    ("adam", {}, False),
    ("adam", {"amsgrad": True}, True),
    ("sgd", {"momentum": 0.9, "nesterov": True}, True),
    ("rmsprop", {}, False),
    ("nadam", {}, False),  # scalar state: the host-side step program runs outside the graph
    ("nadam", {}, True),
]


@pytest.mark.parametrize("name,kwargs,foreach", CASES)
def test_compiled_step_gives_eager_numbers(name, kwargs, foreach):
    torch._dynamo.reset()
    params0, grads = testing.problem(steps=6)  # the stale-scalar bug this guards showed from step 3
    eager = [torch.tensor(p, dtype=torch.float32, requires_grad=True) for p in params0]
    compiled = [torch.tensor(p, dtype=torch.float32, requires_grad=True) for p in params0]
    opt_eager = G.get(name)(eager, foreach=foreach, **kwargs)
    opt_compiled = G.get(name)(compiled, foreach=foreach, **kwargs)
    step = torch.compile(opt_compiled.step)
    for k, grad in enumerate(grads):
        for a, b, g in zip(eager, compiled, grad):
            a.grad = torch.tensor(g, dtype=torch.float32)
            b.grad = a.grad.clone()
        opt_eager.step()
        step()
        for a, b in zip(eager, compiled):
            torch.testing.assert_close(b, a, rtol=1e-6, atol=1e-7, msg=f"step {k}")


# ------------------------------------------------------------------ one graph, no recompiles

# specs with reductions have no graph path: their reductions are host floats (Lamb)
GRAPHED = sorted(set(G.OPTIMIZERS) - testing.needing_whole_tensors())
GRAPH_CASES = [(name, foreach) for name in GRAPHED for foreach in (True, False)]


def _counted_run(cls, kwargs, steps=20, fullgraph=True):
    """Compile ``opt.step`` with a counting backend and run it; returns (frames, opt, params)."""
    from torch._dynamo.testing import CompileCounter

    torch._dynamo.reset()
    params0, grads = testing.problem(steps=steps)
    params = [torch.tensor(p, dtype=torch.float32, requires_grad=True) for p in params0]
    opt = cls(params, **kwargs)
    counter = CompileCounter()
    step = torch.compile(opt.step, backend=counter, fullgraph=fullgraph)
    for grad in grads:
        for p, g in zip(params, grad):
            p.grad = torch.tensor(g, dtype=torch.float32)
        step()
    return counter.frame_count, opt, params


@pytest.mark.parametrize(
    "name,foreach", GRAPH_CASES, ids=[f"{n}-{'foreach' if f else 'loop'}" for n, f in GRAPH_CASES]
)
def test_a_compiled_step_is_one_graph_over_twenty_steps(name, foreach):
    """fullgraph=True (no graph break) and one compilation: the step count and scalar state
    are 0-d tensors, so nothing the graph specialises on changes from step to step."""
    kwargs = {"foreach": foreach, "clipnorm": 1.0, "clipvalue": 0.5}
    if "decay" in G.get(name).common:
        kwargs["decay"] = 0.01
    frames, opt, params = _counted_run(G.get(name), kwargs)
    assert frames == 1, f"{frames} graphs"
    assert opt.export_state()["step"] == 20
    eager_params = [
        torch.tensor(p, dtype=torch.float32, requires_grad=True)
        for p in testing.problem(steps=20)[0]
    ]
    eager = G.get(name)(eager_params, **kwargs)
    for grad in testing.problem(steps=20)[1]:
        for p, g in zip(eager_params, grad):
            p.grad = torch.tensor(g, dtype=torch.float32)
        eager.step()
    for a, b in zip(params, eager_params):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_torch_optim_adam_is_one_graph_too():
    """The peer the issue measured against, counted the same way."""
    frames, _, _ = _counted_run(torch.optim.Adam, {"foreach": True}, fullgraph=False)
    assert frames == 1


@pytest.mark.parametrize("name", GRAPHED)
def test_capturable_steps_equal_eager_steps(name):
    """capturable=True keeps the step count and scalar state as device tensors and runs the
    graph path eagerly; it computes what the default path does (float64, 6 steps)."""
    params0, grads = testing.problem(steps=6)
    a = [torch.tensor(p, requires_grad=True) for p in params0]
    b = [torch.tensor(p, requires_grad=True) for p in params0]
    opt_a, opt_b = G.get(name)(a), G.get(name)(b, capturable=True)
    for grad in grads:
        for pa, pb, g in zip(a, b, grad):
            pa.grad, pb.grad = torch.tensor(g), torch.tensor(g)
        opt_a.step()
        opt_b.step()
    for pa, pb in zip(a, b):
        torch.testing.assert_close(pb, pa, rtol=1e-12, atol=1e-14)
    group = opt_b.param_groups[0]
    assert isinstance(group["iterations"], torch.Tensor) and float(group["iterations"]) == 6
    assert opt_b.export_state()["step"] == 6
    opt_c = G.get(name)([torch.tensor(p, requires_grad=True) for p in params0])
    opt_c.import_state(opt_b.export_state())  # a graph step's checkpoint moves to eager
    assert opt_c.param_groups[0]["iterations"] == 6


def test_capturable_and_fused_are_refused_together():
    with pytest.raises(ValueError, match="capturable=True runs the graph path"):
        G.Adam([torch.nn.Parameter(torch.zeros(2))], capturable=True, fused=True)


def test_a_compiled_fused_step_runs_the_kernels_eagerly():
    """fused=True under torch.compile: the C kernels run outside the graph, with eager's
    numbers."""
    torch._dynamo.reset()
    params0, grads = testing.problem(steps=4)
    a = [torch.tensor(p, dtype=torch.float32, requires_grad=True) for p in params0]
    b = [torch.tensor(p, dtype=torch.float32, requires_grad=True) for p in params0]
    opt_a, opt_b = G.Adam(a, fused=True), G.Adam(b, fused=True)
    step = torch.compile(opt_b.step)
    for grad in grads:
        for pa, pb, g in zip(a, b, grad):
            pa.grad = torch.tensor(g, dtype=torch.float32)
            pb.grad = pa.grad.clone()
        opt_a.step()
        step()
    for pa, pb in zip(a, b):
        assert torch.equal(pa, pb)


def test_a_tensor_learning_rate_changes_without_recompiling():
    """A one-element tensor lr is a graph input: changed in place between compiled steps, it
    is read by the next step (equal to eager with the same rates) and compiles nothing new."""
    from torch._dynamo.testing import CompileCounter

    torch._dynamo.reset()
    params0, grads = testing.problem(steps=6)
    a = [torch.tensor(p, dtype=torch.float32, requires_grad=True) for p in params0]
    b = [torch.tensor(p, dtype=torch.float32, requires_grad=True) for p in params0]
    opt_a = G.Adam(a, lr=0.01)
    opt_b = G.Adam(b, lr=torch.tensor(0.01, dtype=torch.float64))
    counter = CompileCounter()
    step = torch.compile(opt_b.step, backend=counter, fullgraph=True)
    for k, grad in enumerate(grads):
        rate = 0.01 / (k + 1)
        opt_a.param_groups[0]["lr"] = rate
        opt_b.param_groups[0]["lr"].fill_(rate)
        for pa, pb, g in zip(a, b, grad):
            pa.grad = torch.tensor(g, dtype=torch.float32)
            pb.grad = pa.grad.clone()
        opt_a.step()
        step()
    assert counter.frame_count == 1
    for pa, pb in zip(a, b):
        torch.testing.assert_close(pb, pa, rtol=1e-6, atol=1e-7)


def test_a_float_learning_rate_changed_between_compiled_steps_recompiles_under_fullgraph():
    """A float lr changed between steps (a scheduler), and a second optimizer compiled with
    another lr, recompile with fullgraph=True (the recompiled step treats the float as
    symbolic, whose domain check must still trace) and give eager's numbers."""
    torch._dynamo.reset()
    params0, grads = testing.problem(steps=4)
    for name, kwargs in [("adam", {}), ("sgd", {"momentum": 0.9})]:
        for first_rate in (0.01, 0.02):  # the second optimizer: another float lr
            a = [torch.tensor(p, requires_grad=True) for p in params0]
            b = [torch.tensor(p, requires_grad=True) for p in params0]
            opt_a = G.get(name)(a, lr=first_rate, **kwargs)
            opt_b = G.get(name)(b, lr=first_rate, **kwargs)
            step = torch.compile(opt_b.step, fullgraph=True)
            for k, grad in enumerate(grads):
                for opt in (opt_a, opt_b):
                    opt.param_groups[0]["lr"] = first_rate / (k + 1)
                for pa, pb, g in zip(a, b, grad):
                    pa.grad, pb.grad = torch.tensor(g), torch.tensor(g)
                opt_a.step()
                step()
            for pa, pb in zip(a, b):
                torch.testing.assert_close(pb, pa, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name,kwargs", [("adam", {}), ("sgd", {"momentum": 0.9}), ("nadam", {})])
def test_a_compiled_step_updates_the_state_of_a_0d_parameter(name, kwargs):
    """torch.compile (2.13) dropped the in-place updates of a 0-d parameter's state read from
    the optimizer's state dict (m and v stayed 0, every step after the first wrong): the graph
    step now updates 0-d tensors through views of one element."""
    torch._dynamo.reset()
    rng = np.random.default_rng(4)
    grads = [float(x) for x in rng.standard_normal(5)]
    a = torch.nn.Parameter(torch.tensor(1.5, dtype=torch.float64))
    b = torch.nn.Parameter(torch.tensor(1.5, dtype=torch.float64))
    opt_a, opt_b = G.get(name)([a], lr=0.1, **kwargs), G.get(name)([b], lr=0.1, **kwargs)
    step = torch.compile(opt_b.step, fullgraph=True)
    for g in grads:
        a.grad, b.grad = torch.tensor(g, dtype=torch.float64), torch.tensor(g, dtype=torch.float64)
        opt_a.step()
        step()
    assert b.shape == () and all(v.shape == () for v in opt_b.state[b].values())
    torch.testing.assert_close(b, a, rtol=1e-13, atol=1e-15)
    for key, value in opt_a.state[a].items():
        assert float(value) != 0.0, key
        torch.testing.assert_close(opt_b.state[b][key], value, rtol=1e-13, atol=1e-15)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("name", ["adam", "nadam", "sgd"])
def test_a_capturable_step_replays_in_a_cuda_graph(name):
    """capturable=True: a step captured once in a CUDA graph and replayed advances the step
    count and scalar state on the device, step after step, as eager steps do."""
    params0, grads = testing.problem(steps=5)
    device = torch.device("cuda")
    eager = [torch.tensor(p, device=device, requires_grad=True) for p in params0]
    graphed = [torch.tensor(p, device=device, requires_grad=True) for p in params0]
    opt_eager = G.get(name)(eager)
    opt = G.get(name)(graphed, capturable=True)
    group = opt.param_groups[0]
    initial = dict(group["scalar_state"])
    for p in graphed:  # the graph reads these gradients; zero ones leave p and state as they are
        p.grad = torch.zeros_like(p)
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):  # warm-up, as CUDA graphs want: makes state and counts
        opt.step()
    torch.cuda.current_stream().wait_stream(stream)
    group["iterations"].zero_()  # undo the warm-up's count
    for key, value in group["scalar_state"].items():
        value.fill_(initial[key])
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        opt.step()
    for grad in grads:
        for a, b, g in zip(eager, graphed, grad):
            a.grad = torch.tensor(g, device=device)
            b.grad.copy_(a.grad)
        opt_eager.step()
        graph.replay()
    torch.cuda.synchronize()
    assert float(group["iterations"]) == len(grads)
    for a, b in zip(eager, graphed):
        torch.testing.assert_close(b, a, rtol=1e-12, atol=1e-14)


def test_capturable_checks_a_step_count_it_did_not_make():
    """A graph step reads its counts without a device sync, so a tensor assigned to a group
    (or loaded) is checked once, when the step first sees it."""
    p = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
    opt = G.Adam([p], capturable=True)
    p.grad = torch.ones(3, dtype=torch.float64)
    opt.step()
    before = p.detach().clone()
    opt.param_groups[0]["iterations"] = torch.tensor([-7.5], dtype=torch.float64)
    with pytest.raises(ValueError, match="iterations must be an integer from 0"):
        opt.step()
    assert torch.equal(p, before)


def test_step_math_takes_floats_and_tensors_alike():
    """The host's step functions' math (one function serves eager and graph steps): numbers
    give floats, as the math module does; tensors give tensors, and a mix gives a tensor,
    with the same values."""
    import math

    from generated._shared import step_math as sm

    cases = [
        (sm.sqrt, (2.0,), math.sqrt(2.0)),
        (sm.exp, (0.5,), math.exp(0.5)),
        (sm.log, (3.0,), math.log(3.0)),
        (sm.maximum, (1.0, 3.0, 2.0), 3.0),
        (sm.minimum, (1.0, -3.0, 2.0), -3.0),
        (sm.sign, (-0.25,), -1.0),
        (sm.sign, (0.0,), 0.0),
    ]
    # torch's own float64 math is within an ulp of the math module's, not always equal: on a
    # CPU with AVX-512, torch.sqrt(2.0) is 1.414213562373095, math.sqrt 1.4142135623730951
    def same(value, expected):
        return math.isclose(float(value), expected, rel_tol=2.0**-52, abs_tol=0.0)

    for function, args, expected in cases:
        assert function(*args) == expected and not isinstance(function(*args), torch.Tensor)
        tensors = [torch.tensor(a, dtype=torch.float64) for a in args]
        assert same(function(*tensors), expected)
        mixed = [tensors[0], *args[1:]]
        assert isinstance(function(*mixed), torch.Tensor) and same(function(*mixed), expected)


def test_the_graph_path_reuses_the_host_step_functions():
    """One step program per variant: the graph path calls the host's function with tensors
    (no second printed copy of it in the torch module)."""
    for name in G.OPTIMIZERS:
        module = __import__(G.get(name).__module__, fromlist=["*"])
        assert not any(n.startswith("_step_graph") for n in vars(module)), name


# ------------------------------------------------------------------ steps outside the graph

WHOLE_TENSORS = sorted(testing.needing_whole_tensors())


@pytest.mark.parametrize("name", WHOLE_TENSORS)
def test_a_spec_without_a_graph_path_compiles_to_eager_steps_and_says_why_under_fullgraph(name):
    """Lamb, Adafactor and Muon compute reductions or matrix functions on the host: compiled,
    their step runs eagerly (equal to eager bit for bit, float64, on matrices for their rank
    rules), and fullgraph=True names that reason rather than a failure inside the step."""
    cls = G.get(name)
    params0, grads = testing.problem(steps=4, shapes=testing.shapes_for(cls))
    eager = [torch.tensor(p, requires_grad=True) for p in params0]
    compiled = [torch.tensor(p, requires_grad=True) for p in params0]
    opt_eager, opt_compiled = cls(eager), cls(compiled)
    torch._dynamo.reset()
    step = torch.compile(opt_compiled.step)
    for grad in grads:
        for a, b, g in zip(eager, compiled, grad):
            a.grad, b.grad = torch.tensor(g), torch.tensor(g)
        opt_eager.step()
        step()
    for a, b in zip(eager, compiled):
        assert torch.equal(a, b)
    torch._dynamo.reset()
    with pytest.raises(Exception, match="no graph path.*without fullgraph=True"):
        torch.compile(opt_compiled.step, fullgraph=True)()


@pytest.mark.parametrize("kwargs", [{"fused": True}, {"state_precision": "bfloat16"}])
def test_a_native_step_under_fullgraph_says_why_it_breaks_the_graph(kwargs):
    p = torch.nn.Parameter(torch.randn(5000))
    p.grad = torch.randn_like(p)
    opt = G.Adam([p], **kwargs)
    torch._dynamo.reset()
    with pytest.raises(Exception, match="native C/CUDA kernels.*without fullgraph=True"):
        torch.compile(opt.step, fullgraph=True)()
