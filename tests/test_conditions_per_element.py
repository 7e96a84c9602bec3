"""Per-element conditions (issue 13, item 1), in a user spec built as a user builds it
(``--specs``/``--out``): every form the language has in one toy, stepped against the 50-digit
reference on every backend in float64. The shipped spec that uses them, Rprop, is checked by
its generated tests and against torch.optim.Rprop (tests/test_torch_vs_torch_optim.py).

The toy selects with ``and``, ``or`` and ``not``; on a named update value read twice (its
condition is computed from the values before the step); on ``p`` with the weight decay on (the
mask reads the decayed p); with two numbers as branches; inside and around a per-step
condition; and with a branch that is NaN where it is not taken (the root of a negative
number), which the select must drop, without NumPy warnings."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest

from generator.model import load_spec
from generator.printers.arrays import lower_masks
from generator.ir import lower
from generator.verify import reference, testing, testing_paths

torch = pytest.importorskip("torch")

GATE = """\
name: Gate
description: A toy of per-element conditions in every form the spec language has.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Rate.}
  beta: {default: 0.9, domain: 0 < beta < 1, doc: Decay.}
  limit: {default: 0.5, domain: limit > 0, doc: A threshold.}
state:
  m: {doc: Momentum.}
  v: {doc: Second moment.}
update:
  - v = beta*v + (1 - beta)*g**2
  # NaN in the branch not taken (v < limit**2): the select drops it
  - u = where(v > limit**2, g/sqrt(v - limit**2), g)
  - m = where(u > limit and not m < 0, beta*m + u, where(u < -limit or p > 1, m, 0))
  - p = p - lr*where(t > 2, where(v >= limit, u, 0), where(g > 0, 1, -1)) - lr*where(abs(u) > 1, m, u)
"""
HYPER = {"learning_rate": 0.1, "beta": 0.9, "limit": 0.5, "weight_decay": 0.3}
# A condition on a selected value (SymPy's ITE), a per-step select inside a mask, a mask
# reading a per-tensor reduction, and a reduction over a value read before a state changes.
CORNERS = """\
name: Corners
description: Selects that read selects, per-step values and per-tensor reductions.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Rate.}
state:
  prev: {doc: Previous gradient.}
  m: {doc: Momentum.}
reductions:
  n: {scope: tensor, op: sum, of: u**2, doc: Squared norm of u.}
  a: {scope: tensor, op: max, of: abs(g), doc: Largest gradient.}
update:
  - u = m + g
  - k = 2*t
  - g = where(g*prev < 0, 0, g)
  - m = 0.9*m + where(t > 3, where(g > 0, g, m), m)*where(k > 5 and t > 3, 1, 0.5)
  - p = p - lr*where(g > 0, 1, -1)*where(g*m > 0 and abs(g) > 0.5*a, 1, 0.5)/(1 + n)
  - prev = g
"""
# the same without reductions, for the paths that take none: foreach, fused C, the graph path
PLAIN_CORNERS = (
    CORNERS.replace("name: Corners", "name: PlainCorners")
    .replace("reductions:\n  n: {scope: tensor, op: sum, of: u**2, doc: Squared norm of u.}\n", "")
    .replace("  a: {scope: tensor, op: max, of: abs(g), doc: Largest gradient.}\n", "")
    .replace(" and abs(g) > 0.5*a", "")
    .replace("/(1 + n)", "*(1 + u*u)")
)

# Per-step selects that used to break the build or the torch paths: an intermediate whose
# branch is a number (the first step's program had an operation of two numbers: TypeError in
# the build), per-element branches of a per-step condition, and a per-step select of a
# per-tensor reduction (torch.where of a Python bool: TypeError on the loop and foreach paths)
FIRST_STEP = """\
name: FirstStep
description: Per-step selects whose branches are numbers, values read twice, or elements.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Rate.}
  rho: {default: 0.5, domain: 0 < rho < 1, doc: Decay.}
state:
  d: {doc: Sum.}
  n: {doc: Squares.}
  v: {doc: Second moment.}
update:
  - diff = where(t > 1, g, 0)
  - d = d + rho*diff
  - n = n + (g + rho*diff)**2
  - v = where(t > 1, rho*v + (1 - rho)*g*g, g*g)
  - p = p - lr*(d + n/(1 + n) + g/(sqrt(v) + 1))
"""
# a number as one branch of per-step selects of states: torch's foreach path loops over one
# list (zip of it gave 1-tuples: AttributeError) and makes a new list from one branch
FIRST_NUMBER = """\
name: FirstNumber
description: A state set to a number at the first step.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Rate.}
state:
  m: {doc: Momentum.}
update:
  - u = where(t > 1, g, 1)
  - m = where(t > 1, 0.5*m + u, 2)
  - p = p - lr*u*m
"""
PER_TENSOR_STEP = """\
name: PerTensorStep
description: A per-step select of a state or a per-tensor reduction.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Rate.}
state:
  v: {doc: Averaged squared norm.}
reductions:
  s: {scope: tensor, op: sum, of: g**2, doc: Squared norm.}
update:
  - v = where(t > 1, 0.5*v + 0.5*s, s)
  - p = p - lr*g/(v + 1)
"""


@pytest.fixture(scope="module")
def gate(tmp_path_factory):
    base = tmp_path_factory.mktemp("conditions")
    specs = {"gate": GATE, "corners": CORNERS, "plaincorners": PLAIN_CORNERS, "legal": LEGAL}
    specs["every"] = testing.SPEC_WITH_EVERY_REDUCTION  # built here too: one package to build
    specs["globaltrust"] = testing.SPEC_WITH_GLOBAL_TRUST
    specs["selective"] = testing.SPEC_WITH_SELECTING_REDUCTIONS
    specs["rectified"] = testing.SPEC_WITH_RECTIFIED_REDUCTIONS
    specs["firststep"], specs["pertensorstep"] = FIRST_STEP, PER_TENSOR_STEP
    specs["firstnumber"] = FIRST_NUMBER
    with testing.user_package(base, specs, "gateopt") as package:
        yield load_spec(base / "specs" / "gate.yaml", base), package


@pytest.fixture(scope="module")
def problem(gate):
    spec, _ = gate
    rng = np.random.default_rng(0)
    params0 = [rng.standard_normal((3, 4)), rng.standard_normal(5), rng.standard_normal(())]
    grads = [[rng.standard_normal(p.shape) for p in params0] for _ in range(8)]
    return params0, grads, reference.run(spec, {}, HYPER, params0, grads)


def stepped(name, path, hyper, params0, grads, warn=False):
    """``testing_paths.stepped`` of this module's package."""
    return testing_paths.stepped("gateopt", name, path, hyper, params0, grads, warn)


def test_the_toy_takes_every_branch(gate, problem):
    """Without the selects (each branch in turn everywhere) the reference moves elsewhere:
    the data reach both sides of the conditions, and the weight decay matters."""
    spec, _ = gate
    params0, grads, ref = problem
    undecayed = reference.run(spec, {}, {**HYPER, "weight_decay": None}, params0, grads)
    assert max(np.max(np.abs(a - b)) for a, b in zip(ref.params, undecayed.params)) > 1e-2
    limit = reference.run(spec, {}, {**HYPER, "limit": 5.0}, params0, grads)
    assert max(np.max(np.abs(a - b)) for a, b in zip(ref.params, limit.params)) > 1e-2


@pytest.mark.parametrize(
    "path", ["numpy", "numpy-fused", "loop", "foreach", "fused", "capturable", "optax"]
)
def test_every_path_equals_the_reference(gate, problem, path):
    """NumPy with its warnings as errors: the NaN of the branch not taken is no alarm."""
    params0, grads, ref = problem
    for got, want in zip(stepped("Gate", path, HYPER, params0, grads), ref.params):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "name,path",
    [("Corners", p) for p in ("numpy", "numpy-fused", "loop", "fused", "fused-shim", "optax")]
    + [("PlainCorners", p) for p in ("numpy", "loop", "foreach", "fused", "capturable", "optax")],
)
def test_selects_of_selects_per_step_and_per_tensor_values_equal_the_reference(gate, name, path):
    """Corners (above) on NumPy, its C kernels, torch's loop path, the C and (through the CPU
    shim) CUDA kernels and optax (a spec with per-tensor reductions has no foreach or graph
    path), and PlainCorners on every path, against the reference."""
    _, package = gate
    spec = load_spec(package.parent / "specs" / f"{name.lower()}.yaml", package.parent)
    rng = np.random.default_rng(1)
    params0 = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    grads = [[rng.standard_normal(p.shape) for p in params0] for _ in range(8)]
    ref = reference.run(spec, {}, {"learning_rate": 0.1}, params0, grads)
    params = stepped(name, path, {"learning_rate": 0.1}, params0, grads)
    for got, want in zip(params, ref.params):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_each_condition_is_one_mask_computed_once(gate):
    """Equal conditions share a mask, and a value two masks read is computed once (Rprop's
    g*prev), before the element program: the NumPy kernel's first lines."""
    spec, package = gate
    ir = lower(spec).variants[0]
    conditions = [str(a.expr) for a in ir.masks]
    assert len(conditions) == len(set(conditions)) == 6, conditions
    rprop = lower(load_spec(Path(__file__).parent.parent / "specs" / "rprop.yaml")).variants[0]
    program = lower_masks(rprop.array_masks(), ["p", "g", *rprop.state], set())
    assert [i.func for i in program.instrs] == ["multiply", "greater", "less"]
    source = (package / "numpy" / "gate.py").read_text()
    assert 'with np.errstate(divide="ignore", invalid="ignore", over="ignore"):' in source


# A reduction of u, read as it is by the element program (the fused kernels pass it through
# their per-tensor stage), beside a maximum that a NaN gradient reaches.
LEGAL = """\
name: Legal
description: A reduction of u, read by the state's update after u is computed.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Rate.}
state:
  m: {doc: Momentum.}
reductions:
  n: {scope: tensor, op: sum, of: u**2, doc: Squared norm of u.}
  top: {scope: tensor, op: max, of: g, doc: Largest gradient.}
update:
  - u = m + g
  - m = 0.9*m + n*g
  - p = p - lr*m/(1 + n) - lr*top
"""


@pytest.mark.parametrize("path", ["numpy", "numpy-fused", "fused", "fused-shim"])
def test_a_reduction_read_as_it_is_equals_the_reference_in_the_fused_kernels(gate, path):
    """On matrices, vectors, 0-d and empty tensors; a NaN gradient reaches the maximum of
    its tensor only (and its tensor's parameters), as in the reference."""
    _, package = gate
    spec = load_spec(package.parent / "specs" / "legal.yaml", package.parent)
    rng = np.random.default_rng(2)
    params0 = [
        rng.standard_normal((3, 4)),
        rng.standard_normal(5),
        rng.standard_normal(()),
        np.zeros(0),
    ]
    grads = [[np.asarray(0.3 * rng.standard_normal(p.shape)) for p in params0] for _ in range(5)]
    grads[3][1][2] = np.nan
    ref = reference.run(spec, {}, {"learning_rate": 0.1}, params0, grads)
    params = stepped("Legal", path, {"learning_rate": 0.1}, params0, grads, warn=True)
    assert np.isnan(params[1]).all() and not np.isnan(params[0]).any()
    for got, want in zip(params, ref.params):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("path", ["numpy-fused", "fused", "fused-shim"])
def test_global_and_per_tensor_reductions_in_the_fused_kernels(gate, path):
    """Global reductions (a sum and a maximum over every tensor, read by the step program)
    beside per-tensor ones: the runtimes compute the global ones by their array code over the
    gradients as the kernels see them (maximize, clipnorm and clipvalue applied), the kernels
    the rest. Equal to the reference without them, and to the loop path with them."""
    _, package = gate
    spec = load_spec(package.parent / "specs" / "every.yaml", package.parent)
    rng = np.random.default_rng(3)
    params0 = [rng.standard_normal((3, 4)), rng.standard_normal(5), rng.standard_normal(())]
    grads = [[np.asarray(rng.standard_normal(p.shape)) for p in params0] for _ in range(4)]
    ref = reference.run(spec, {}, {h.name: h.default for h in spec.reals}, params0, grads)
    if path == "numpy-fused":
        params = [p.copy() for p in params0]
        opt = importlib.import_module("gateopt.numpy").NormalizedMomentum(fused=True)
        for step in grads:
            opt.apply_gradients(zip(step, params))
        for got, want in zip(params, ref.params):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
        return
    cls = importlib.import_module("gateopt.torch").NormalizedMomentum
    runs = []
    for options in ({}, {"maximize": True, "clipnorm": 0.5, "clipvalue": 0.3}):
        ends = []
        for fused in (False, True):
            tensors = [torch.tensor(p, requires_grad=True) for p in params0]
            opt = cls(tensors, fused=fused, **options)
            opt._native_target_for_cpu = "shim" if path == "fused-shim" else "cpu"
            for step in grads:
                for t, g in zip(tensors, step):
                    t.grad = torch.tensor(g)
                opt.step()
            ends.append([t.detach().numpy() for t in tensors])
        for got, want in zip(*ends):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
        runs.append(ends[1])
    for got, want in zip(runs[0], ref.params):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    assert not np.allclose(runs[0][0], runs[1][0])  # the options changed the step


def test_a_reduction_of_a_value_read_before_a_state_reads_the_reduction_is_legal():
    """u reads the old m; m's update then reads the reduction of u: no cycle (the order of the
    equations decides, tests/test_spec_errors.py has the cycles)."""
    from generator.model import parse_spec

    ir = lower(parse_spec(LEGAL, "specs/legal.yaml", "legal")).variants[0]
    (n,) = [r for r in ir.reductions if r.name == "n"]
    assert {s.name for s in n.expr.free_symbols} == {"m", "g"}  # u substituted: m + g


def test_a_global_reduction_over_the_update_values_runs_before_the_step_program():
    """Its update values substituted and their per-step parts hoisted, as a per-tensor one's;
    the step values it reads (lr, the spec's step equations with scalar state, the hoisted
    ones) are the IR's prelude, which the host computes for it before the step program (from
    the hyperparameters, the scalar state before the step and t); the step program reads it."""
    from generator.model import parse_spec

    spec = parse_spec(testing.SPEC_WITH_GLOBAL_TRUST, "specs/globaltrust.yaml", "globaltrust")
    ir = lower(spec).variants[0]
    (u_norm,) = [r for r in ir.reductions if r.name == "u_norm_squared"]
    prelude = [a.symbol.name for a in ir.global_prelude]
    assert prelude[:3] == ["lr", "k", "bias_1"]  # the scalar state's new value, as u reads it
    assert {s.name for s in u_norm.expr.free_symbols} - {
        "p",
        "g",
        "m",
        "v",
        "beta_1",
        "beta_2",
        "epsilon",
    } == set(ir.prelude_names)
    assert not {"damp", "scale"} & set(prelude)  # read a global reduction: the step program's
    assert {"u_norm_squared", "u_peak"} <= set(ir.step_inputs)


# The toys of reductions' rarer forms, each with its hyperparameters, others that change what
# the data reach (the reference moves elsewhere with them: GlobalTrust's beta_1, the selects'
# thresholds that keep every element on one side), and the steps (Rectified's switches at 6).
RARER = {
    "GlobalTrust": ({"clipnorm": 2.0}, [{"beta_1": 0.5}], 5),
    "Selective": ({"beta": 0.9, "limit": 0.3}, [{"limit": 1e-3}, {"limit": 10.0}], 5),
    "Rectified": ({"beta_2": 0.99}, [{"beta_2": 0.5}, {"beta_2": 0.9999}], 9),
}


@pytest.mark.parametrize("name", sorted(RARER))
@pytest.mark.parametrize(
    "path", ["numpy", "numpy-fused", "loop", "foreach", "fused", "fused-shim", "optax"]
)
def test_the_reductions_rarer_forms_equal_the_reference(gate, name, path):
    """GlobalTrust: global reductions over the update's values (its p decayed, as the update
    reads it; the norm of p, a plain global reduction, is not), with clipnorm. Selective: sums
    of selects per element (in of:, and through the update's u), per tensor and global.
    Rectified: selects per step (one branch for every element, as the update's), in of: and
    through u, RAdam's rectification, per tensor and global. With the weight decay on, over
    a matrix, a vector and a 0-d tensor; NumPy warns of nothing (the root of a negative
    number in the branch not taken is dropped, or not computed)."""
    _, package = gate
    spec = load_spec(package.parent / "specs" / f"{name.lower()}.yaml", package.parent)
    own, others, steps = RARER[name]
    hyper = {**{h.name: h.default for h in spec.reals}, "weight_decay": 0.3, **own}
    rng = np.random.default_rng(5)
    params0 = [rng.standard_normal((3, 4)), rng.standard_normal(5), rng.standard_normal(())]
    grads = [[np.asarray(rng.standard_normal(p.shape)) for p in params0] for _ in range(steps)]
    ref = reference.run(spec, {}, hyper, params0, grads)
    for other in others:
        elsewhere = reference.run(spec, {}, {**hyper, **other}, params0, grads)
        assert max(np.max(np.abs(a - b)) for a, b in zip(ref.params, elsewhere.params)) > 1e-3
    params = stepped(name, path, hyper, params0, grads)
    for got, want in zip(params, ref.params):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "name,path",
    [("FirstStep", p) for p in ("numpy", "numpy-fused", "loop", "foreach", "fused", "capturable")]
    + [("FirstStep", "optax")]
    + [("FirstNumber", p) for p in ("numpy", "loop", "foreach", "fused", "capturable", "optax")]
    + [("PerTensorStep", p) for p in ("numpy", "numpy-fused", "loop", "fused", "fused-shim")],
)
def test_per_step_selects_of_numbers_elements_and_reductions_equal_the_reference(gate, name, path):
    """FIRST_STEP and PER_TENSOR_STEP (above) on every path they have, against the reference:
    the build used to fail on the first and torch's loop and foreach paths on both."""
    _, package = gate
    spec = load_spec(package.parent / "specs" / f"{name.lower()}.yaml", package.parent)
    rng = np.random.default_rng(2)
    params0 = [rng.standard_normal((3, 4)), rng.standard_normal(5), rng.standard_normal(())]
    grads = [[rng.standard_normal(p.shape) for p in params0] for _ in range(5)]
    hyper = {"learning_rate": 0.1, **({"rho": 0.5} if name == "FirstStep" else {})}
    ref = reference.run(spec, {}, hyper, params0, grads)
    params = stepped(name, path, hyper, params0, grads)
    for got, want, first in zip(params, ref.params, params0):
        assert np.max(np.abs(want - first)) > 1e-3
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
