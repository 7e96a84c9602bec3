"""The reference's rounding-error bounds (generator/verify/rounding.py): one unit roundoff per
operation, carried through the derivatives; large where a sum cancels (Ftrl's difference of
roots), and never smaller than the error float32 arithmetic makes in the same order."""

from __future__ import annotations

import numpy as np
import sympy as sp

from generator.symbols import real
from generator.verify.rounding import bound

x, y, lr, n, a, p = (real(name) for name in ("x", "y", "lr", "n", "a", "p"))
U32 = np.finfo(np.float32).eps / 2


def test_one_operation_rounds_once():
    assert bound(x * y, {"x": 3.0, "y": -2.0}, {"x": 0.0, "y": 0.0}) == 6.0
    assert bound(x + y, {"x": 3.0, "y": -2.0}, {"x": 0.0, "y": 0.0}) == 1.0


def test_errors_carry_through_the_derivatives():
    # x carries 3 units: the sum adds them to its own rounding; the product scales them by y
    assert bound(x + y, {"x": 3.0, "y": -2.0}, {"x": 3.0, "y": 0.0}) == 3.0 + 1.0
    assert bound(x * y, {"x": 3.0, "y": -2.0}, {"x": 3.0, "y": 0.0}) == 3.0 * 2.0 + 6.0
    # a name without a bound is a number rounded once (a hyperparameter)
    assert bound(x * y, {"x": 3.0, "y": 0.5}, {"x": 0.0}) == 3.0 * 0.5 + 1.5


def test_a_cancelling_difference_has_a_bound_far_above_its_value():
    """Ftrl's (n**0.5 - a**0.5)/lr*p: the bound is the roots' rounding over lr, not the result's."""
    expr = (sp.sqrt(n) - sp.sqrt(a)) / lr * p
    values = {"n": 1.0001, "a": 1.0, "lr": 0.001, "p": 1.0}
    result = float(expr.subs({real(k): v for k, v in values.items()}))
    assert bound(expr, values, {"n": 0.0, "a": 0.0, "p": 0.0}) > 100 * abs(result)


def test_float32_in_the_written_order_stays_within_the_bound():
    rng = np.random.default_rng(0)
    expr = (n ** sp.Rational(7, 10) - a ** sp.Rational(7, 10)) / lr * p + x * y - x
    worst = 0.0
    for _ in range(2000):
        a_ = float(rng.uniform(0.1, 4.0))
        values = {"a": a_, "n": a_ + float(rng.uniform(0, 1e-2)), "lr": 1e-3, "p": float(rng.standard_normal())}
        values |= {"x": float(rng.standard_normal()), "y": float(rng.uniform(0.9, 1.1))}
        f = {k: np.float32(v) for k, v in values.items()}
        exact_inputs = {real(k): sp.Float(float(v), 50) for k, v in f.items()}
        exact = float(expr.xreplace(exact_inputs).evalf(50))
        with np.errstate(all="ignore"):
            power = np.float32(0.7)
            got = (f["n"] ** power - f["a"] ** power) / f["lr"] * f["p"] + f["x"] * f["y"] - f["x"]
        limit = bound(expr, {k: float(v) for k, v in f.items()}, {k: 0.0 for k in f}) * U32
        worst = max(worst, abs(float(got) - exact) / limit)
    assert 0.01 < worst <= 1.0, worst  # the bound holds, and it is not vacuous


def test_an_infinite_bound_leaves_the_tolerance_finite():
    """x**1.5 at an exact 0 has no first-order bound (infinite): the reference's scale, which
    sets every backend's tolerance, keeps its finite value there, so the element is still
    compared."""
    from generator.model import parse_spec
    from generator.verify import reference

    spec = parse_spec(
        """\
name: Root
description: A power of a value that is exactly 0.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Learning rate.}
update:
  - d = g*g
  - p = p - lr*g + (d - g*g)**1.5
""",
        "specs/root.yaml",
        "root",
    )
    assert bound((x - y) ** sp.Rational(3, 2), {"x": 1.0, "y": 1.0}, {"x": 1.0}) == float("inf")
    run = reference.run(spec, {}, {"learning_rate": 0.1}, [np.array([1.0, -2.0])], [[np.array([0.5, 3.0])]])
    assert np.isfinite(run.param_scale[0]).all() and (run.param_scale[0] > 0).all()
