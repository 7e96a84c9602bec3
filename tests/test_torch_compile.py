"""A step under torch.compile gives eager's numbers (CPU)."""

from __future__ import annotations

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
