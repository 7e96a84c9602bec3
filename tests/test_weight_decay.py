"""Weight decay in user specs, built as a user builds them (``--specs``/``--out``).

Keras 3's weight decay on a spec whose update scales p by a hyperparameter of its own
(``p = beta*p - lr*m``): the decay's per-step factor is hoisted together with beta, so the
array backends cannot scale p in a pass of their own and compute the whole program instead.
Built as a user builds a spec (``--specs``/``--out``), stepped against the 50-digit
reference on NumPy, torch's loop and foreach paths and the fused C kernels. The shipped
specs' weight decay is checked by their generated tests ("all" case), against Keras 3's own
optimizers (tests/test_keras_backend.py), torch.optim.AdamW (tests/test_torch_vs_torch_optim.py)
and optax.adamw (tests/test_optax_backend.py).

torch's L2 form, written in a spec by reassigning the gradient (``g = g + weight_decay*p``),
equals torch.optim.Adam's ``weight_decay`` on every torch path."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest

from generator.model import load_spec
from generator.verify import reference, testing

torch = pytest.importorskip("torch")

SHRINK = """\
name: Shrink
description: A toy whose update scales p by beta, so the weight decay's factor mixes with it.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Rate.}
  beta: {default: 0.9, domain: 0 < beta <= 1, doc: Shrink factor.}
state:
  m: {doc: Momentum.}
update:
  - m = beta*m + g
  - p = beta*p - lr*m
"""

ADAM_L2 = """\
name: AdamL2
description: Adam with torch.optim.Adam's L2 weight decay, added to the gradient.
common: [clipnorm, clipvalue, decay]
hyperparameters:
  learning_rate: {default: 0.001, domain: learning_rate >= 0, doc: Learning rate.}
  beta_1: {default: 0.9, domain: 0 < beta_1 < 1, doc: Decay of the first moment.}
  beta_2: {default: 0.999, domain: 0 < beta_2 < 1, doc: Decay of the second moment.}
  epsilon: {default: 1.0e-8, domain: epsilon >= 0, doc: Fuzz factor.}
  weight_decay: {default: 0.0, domain: weight_decay >= 0, doc: The L2 penalty.}
state:
  m: {doc: First moment.}
  v: {doc: Second moment.}
update:
  - g = g + weight_decay*p
  - m = beta_1*m + (1 - beta_1)*g
  - v = beta_2*v + (1 - beta_2)*g**2
  - p = p - lr/(1 - beta_1**t)*m/(sqrt(v/(1 - beta_2**t)) + epsilon)
"""


@pytest.fixture(scope="module")
def shrink(tmp_path_factory):
    base = tmp_path_factory.mktemp("weight_decay")
    with testing.user_package(base, {"shrink": SHRINK, "adaml2": ADAM_L2}, "shrinkopt"):
        yield (
            load_spec(base / "specs" / "shrink.yaml", base),
            importlib.import_module("shrinkopt.numpy"),
            importlib.import_module("shrinkopt.torch"),
        )


def test_a_factor_mixed_with_the_spec_s_own_steps_as_the_reference(shrink):
    spec, numpy_backend, torch_backend = shrink
    rng = np.random.default_rng(0)
    params0 = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    grads = [[rng.standard_normal(p.shape) for p in params0] for _ in range(10)]
    hyper = {"learning_rate": 0.1, "beta": 0.9, "weight_decay": 0.5}
    ref = reference.run(spec, {}, hyper, params0, grads)
    undecayed = reference.run(spec, {}, {**hyper, "weight_decay": None}, params0, grads)
    assert max(np.max(np.abs(a - b)) for a, b in zip(ref.params, undecayed.params)) > 1e-2
    source = Path(torch_backend.__file__).parent / "shrink.py"
    assert "!= 1.0" not in source.read_text()  # no pass of its own: the factor is mixed in
    for fused in (False, True):
        params = [p.copy() for p in params0]
        opt = numpy_backend.Shrink(learning_rate=0.1, beta=0.9, weight_decay=0.5, fused=fused)
        for step in grads:
            opt.apply_gradients(zip(step, params))
        for got, want in zip(params, ref.params):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    for path in ({"foreach": False}, {"foreach": True}, {"fused": True}):
        tensors = [torch.tensor(p, requires_grad=True) for p in params0]
        topt = torch_backend.Shrink(tensors, lr=0.1, beta=0.9, weight_decay=0.5, **path)
        for step in grads:
            for t, g in zip(tensors, step):
                t.grad = torch.tensor(g)
            topt.step()
        for got, want in zip(tensors, ref.params):
            np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-12, atol=1e-14)


def test_a_reassigned_gradient_is_torch_s_l2_weight_decay(shrink):
    """g = g + weight_decay*p, then Adam as torch writes it: torch.optim.Adam(weight_decay=)
    on the loop, foreach and fused paths, in float64."""
    _, _, torch_backend = shrink
    torch.manual_seed(0)
    params0 = [torch.randn(5, 4, dtype=torch.float64), torch.randn(3, dtype=torch.float64)]
    grads = [[torch.randn_like(p) for p in params0] for _ in range(20)]

    def run(make):
        params = [p.clone().requires_grad_() for p in params0]
        opt = make(params)
        for step in grads:
            for p, g in zip(params, step):
                p.grad = g.clone()
            opt.step()
        return [p.detach() for p in params]

    theirs = run(lambda ps: torch.optim.Adam(ps, lr=0.01, weight_decay=0.1, eps=1e-8))
    without = run(lambda ps: torch.optim.Adam(ps, lr=0.01, eps=1e-8))
    assert max(float((a - b).abs().max()) for a, b in zip(theirs, without)) > 1e-3
    for path in ({"foreach": False}, {"foreach": True}, {"fused": True}):
        ours = run(lambda ps: torch_backend.AdamL2(ps, lr=0.01, weight_decay=0.1, **path))
        for a, b in zip(ours, theirs):
            torch.testing.assert_close(a, b, rtol=1e-13, atol=1e-15)
