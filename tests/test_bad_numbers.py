"""Bad numbers behave the same everywhere: NaN, +-Inf, huge (1e30), tiny (1e-30) and
subnormal gradients give, in every backend, what the reference gives (NaN where it is NaN).

float64 takes every case; float32 takes NaN and Inf (1e30 squared overflows float32 while the
exact reference stays finite, so extreme magnitudes are a float64 matter)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import generated.numpy as N
from generator.verify import reference, testing
from generator.build import load_specs
from generator.model import parse_spec

SPECS = load_specs()
CASES = [(s, dict(v.flags)) for s in SPECS for v in s.variants()]
IDS = [f"{s.module}-{'-'.join(f'{k}={v}' for k, v in f.items()) or 'default'}" for s, f in CASES]
NONFINITE = [np.nan, np.inf, -np.inf]
EXTREME = [1e30, -1e30, 1e-30, -1e-30, 5e-324, 1e-310]


def problem(values):
    rng = np.random.default_rng(11)
    params = [rng.standard_normal(len(values) + 2), rng.standard_normal((2, 3))]
    first = [np.concatenate([values, [0.25, -0.5]]), rng.standard_normal((2, 3))]
    later = [[rng.standard_normal(p.shape) for p in params] for _ in range(2)]
    return params, [first] + later


def flushes_to_a_different_sign(spec, params0, grads) -> bool:
    """XLA on the CPU flushes subnormal numbers to zero (denormals-are-zero), so a spec that
    takes a sign (Lion) moves an element whose gradient is 1e-310 by 0 where the exact
    reference moves it by the learning rate: that is a limit of XLA, documented here, and
    optax is left out of those cases (every other extreme value stays in)."""
    uses_sign = any(eq.expr.has(sp.sign) for eq in spec.update)
    tiny = np.finfo(np.float64).tiny
    subnormal = any(((np.abs(g) < tiny) & (g != 0)).any() for step in grads for g in step)
    return uses_sign and subnormal


def run_functional_backends(spec, flags, common, params0, grads, dtype, results):
    """generated.keras (this process's Keras backend) and generated.optax, where installed."""
    name = np.dtype(dtype).name
    try:
        from generator.verify import testing_keras
    except ImportError:
        testing_keras = None
    if testing_keras is not None:
        import generated.keras as K

        kopt, variables = testing_keras.run_keras(
            K.get(spec.keras_name), flags, common, {}, name, params0=params0, grads=grads
        )
        results["keras"] = (
            [testing_keras.numpy_of(v) for v in variables],
            [{k: testing_keras.numpy_of(s) for k, s in kopt.state_of(v).items()} for v in variables],
        )
    try:
        from generator.verify import testing_optax
    except ImportError:
        return
    import generated.optax as O

    if flushes_to_a_different_sign(spec, params0, grads):
        return

    state, params = testing_optax.run_optax(
        O.get(spec.keras_name), flags, common, {}, dtype, params0=params0, grads=grads
    )
    names = [n for n in state._fields if n != "count" and isinstance(getattr(state, n), list)]
    results["optax"] = (
        [np.asarray(p, dtype=np.float64) for p in params],
        [{n: np.asarray(getattr(state, n)[i], dtype=np.float64) for n in names} for i in range(len(params))],
    )


def run_all_backends(spec, flags, common, values, dtype):
    params0, grads = problem(values)
    _, hyper = testing.variant_arguments(spec, flags)
    ref = reference.run(spec, flags, {**hyper, **common}, params0, grads)
    flags = testing.variant_kwargs(spec, flags)  # the constructors' arguments for the variant
    results = {}
    run_functional_backends(spec, flags, common, params0, grads, dtype, results)
    fused = [False, True] if not spec.reductions else [False]
    for numpy_fused in fused:
        params = [p.astype(dtype) for p in params0]
        opt = N.get(spec.keras_name)(**flags, **common, fused=numpy_fused)
        with np.errstate(all="ignore"):
            for step in grads:
                opt.apply_gradients(zip([g.astype(dtype) for g in step], params))
        results["numpy-fused" if numpy_fused else "numpy"] = (params, [opt.state_of(p) for p in params])
    try:
        import torch

        import generated.torch as T
    except ImportError:
        return ref, results
    tdtype = {np.float64: torch.float64, np.float32: torch.float32}[dtype]
    from generator.verify.testing_torch import make

    for path in ("loop", "foreach", "fused", "shim") if len(fused) == 2 else ("loop", "foreach"):
        tparams = [torch.tensor(p, dtype=tdtype, requires_grad=True) for p in params0]
        topt = make(T.get(spec.keras_name), tparams, path, **flags, **common)
        for step in grads:
            for p, g in zip(tparams, step):
                p.grad = torch.tensor(g, dtype=tdtype)
            topt.step()
        results[f"torch-{path}"] = (
            [p.detach().double().numpy() for p in tparams],
            [{k: v.double().numpy() for k, v in topt.state[p].items()} for p in tparams],
        )
    return ref, results


def check(spec, flags, common, values, dtype):
    ref, results = run_all_backends(spec, flags, common, values, dtype)
    name = "float64" if dtype == np.float64 else "float32"
    for backend, (params, states) in results.items():
        for i, p in enumerate(params):
            testing.compare(f"{backend}: parameter {i}", p, ref.params[i], ref.param_scale[i], name, steps=3)
            for state_name, array in states[i].items():
                if state_name not in ref.state[i]:  # Keras's and optax's 0-d placeholder of a
                    assert np.ndim(array) == 0, (backend, state_name)  # state its rank lacks
                    continue
                testing.compare(f"{backend}: {state_name} {i}", array, ref.state[i][state_name], ref.state_scale[i][state_name], name, steps=3)
    return ref


def extreme_values(spec):
    """Every extreme value, except for specs that take a sign (Lion): there the smallest
    subnormal times (1 - beta_1) underflows to 0 in float64, sign(0) = 0 where the exact
    reference has sign = 1, and the parameter differs by the learning rate. That is the
    limit of float64, documented here; 1e-310, also subnormal, stays in."""
    uses_sign = any(eq.expr.has(sp.sign) for eq in spec.update)
    return [v for v in EXTREME if not (uses_sign and v == 5e-324)]


@pytest.mark.parametrize("common", [{}, {"clipnorm": 1.0, "clipvalue": 0.5}], ids=["plain", "clipped"])
@pytest.mark.parametrize("spec,flags", CASES, ids=IDS)
def test_float64_nonfinite_and_extreme_gradients_match_the_reference(spec, flags, common):
    ref = check(spec, flags, common, NONFINITE + extreme_values(spec), np.float64)
    assert np.isnan(ref.params[0]).any() or common, "a NaN gradient must reach the parameter"


@pytest.mark.parametrize("spec,flags", CASES, ids=IDS)
def test_float32_nonfinite_gradients_match_the_reference(spec, flags):
    check(spec, flags, {}, NONFINITE, np.float32)


WITH_NORMS = parse_spec(testing.SPEC_WITH_A_NORM, "specs/normalized.yaml", "normalized")


@pytest.mark.parametrize("spec", [*SPECS, WITH_NORMS], ids=lambda s: s.module)
def test_the_docs_table_of_bad_numbers_is_the_references(spec):
    """The docs print the table from a float64 evaluation of the spec (the build imports no
    verification code); the 50-digit reference gives the same classes."""
    from generator.backends.docs import _describe, bad_numbers

    variant = spec.variants()[0]
    hyper = {h.name: h.default for h in spec.reals}
    run = reference.run(spec, dict(variant.flags), hyper, [[1.0] * 3], [[[np.nan, np.inf, -np.inf]]])
    names = ["p", *(s.name for s in variant.state)]
    arrays = [run.params[0], *(run.state[0][n] for n in names[1:])]
    expected = [("gradient", *names)] + [
        (g, *(_describe(a[i]) for a in arrays)) for i, g in enumerate(["NaN", "+inf", "-inf"])
    ]
    assert list(bad_numbers(variant)) == expected


def test_the_reference_takes_roots_logs_and_powers_of_negative_numbers_as_ieee_does():
    """sqrt, log and a fractional power of a negative number are NaN, as in every backend
    (mpmath's own are complex numbers: the reference raised a TypeError for a user spec whose
    root read a negative value)."""
    import mpmath
    import sympy as sp

    from generator.verify.reference import evaluate

    x = sp.Symbol("x", real=True)
    for expr in (sp.sqrt(x), 1 / sp.sqrt(x), sp.log(x), x ** sp.Rational(1, 3), x ** sp.Rational(3, 2)):
        assert mpmath.isnan(evaluate(expr, {"x": mpmath.mpf(-4)})), expr
        assert float(evaluate(expr, {"x": mpmath.mpf(4)})) == float(expr.subs(x, 4)), expr
    assert evaluate(x**3, {"x": mpmath.mpf(-2)}) == -8
    # IEEE's pow of -inf to a power that is not an integer: inf, or 0 for a negative one
    assert evaluate(x ** sp.Rational(3, 2), {"x": -mpmath.inf}) == mpmath.inf
    assert evaluate(x ** sp.Rational(-3, 2), {"x": -mpmath.inf}) == 0
    assert float(np.power(-np.inf, 1.5)) == np.inf and float(np.power(-np.inf, -1.5)) == 0
