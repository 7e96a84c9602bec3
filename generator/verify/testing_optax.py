"""Checks the generated optax tests call: each transformation against the high-precision
reference and the NumPy backend (float64 under ``jax_enable_x64``, and float32), under
``jax.jit``, with every flag combination and common argument case; ``jax.vmap``; the
argument checks."""

from __future__ import annotations

import jax

jax.config.update("jax_enable_x64", True)  # float64 runs; float32 arrays stay float32

import numpy as np  # noqa: E402
import optax  # noqa: E402
from jax import numpy as jnp  # noqa: E402

from . import testing  # noqa: E402


def run_optax(
    fn, flags, common, hyper, dtype, steps=testing.STEPS, jit=True, params0=None, grads=None
):
    """The parameters after ``steps`` steps of the standard problem (or of ``params0`` and
    ``grads``), and the last state."""
    if params0 is None:
        params0, grads = testing.problem(steps=steps)
    tx = fn(**hyper, **flags, **common)
    params = [jnp.asarray(p, dtype) for p in params0]
    state = tx.init(params)
    update = jax.jit(tx.update) if jit else tx.update
    for step in grads:
        updates, state = update([jnp.asarray(g, dtype) for g in step], state, params)
        params = optax.apply_updates(params, updates)
    return state, params


def check_against_reference(
    fn, path, flags, common_case, hyper_case, dtype, steps=testing.STEPS, jit=True
):
    s = testing.spec(path)
    common = testing.common_case(common_case, s.common)
    own, hyper = testing.variant_arguments(s, flags, testing.hyper_values(s, hyper_case))
    ref = testing.reference_for(path, flags, common, hyper, steps)
    params0, grads = testing.problem(steps=steps, shapes=testing.shapes_for(s))
    state, params = run_optax(
        fn, own, common, hyper, np.dtype(dtype), steps, jit, params0=params0, grads=grads
    )
    assert int(state.count) == steps
    for i, p in enumerate(params):
        assert p.dtype == np.dtype(dtype), f"parameter {i} became {p.dtype}"
        testing.compare(
            f"parameter {i}", np.asarray(p), ref.params[i], ref.param_scale[i], dtype, steps
        )
        for name, expected in ref.state[i].items():
            array = getattr(state, name)[i]
            assert array.dtype == np.dtype(dtype), f"state {name} is {array.dtype}"
            testing.compare(
                f"state {name} of parameter {i}",
                np.asarray(array),
                expected,
                ref.state_scale[i][name],
                dtype,
                steps,
            )
    for name, value in ref.scalar_state.items():
        assert np.isclose(float(getattr(state, name)), value, rtol=1e-12), name


def check_against_numpy(fn, numpy_cls, flags, path):
    """float64, every common argument at once: the two backends agree to rounding."""
    common = testing.common_case("all", numpy_cls.common)
    flags, hyper = testing.variant_arguments(testing.spec(path), flags)
    _, expected = testing.run_numpy(numpy_cls, flags, common, hyper, np.dtype("float64"))
    params0, grads = testing.problem(shapes=testing.shapes_for(numpy_cls))
    _, params = run_optax(fn, flags, common, hyper, np.float64, params0=params0, grads=grads)
    for p, q in zip(params, expected):
        np.testing.assert_allclose(np.asarray(p), q, rtol=1e-13, atol=1e-15)


def check_vmap_is_independent_runs(fn, path):
    """Two problems stacked on a leading axis and stepped under jit(vmap(update)) give what
    each gives alone (the state, count included, is batched with them)."""
    tx = fn()
    runs = []
    shapes = testing.shapes_for(testing.spec(path))
    for seed in (1, 2):
        params, grads = testing.problem(seed=seed, steps=5, shapes=shapes)
        runs.append(
            ([jnp.asarray(p) for p in params], [[jnp.asarray(g) for g in s] for s in grads])
        )
    stacked = [jnp.stack([a, b]) for a, b in zip(runs[0][0], runs[1][0])]
    state = jax.vmap(tx.init)(stacked)
    update = jax.jit(jax.vmap(tx.update))
    for step in range(5):
        grads = [jnp.stack([a, b]) for a, b in zip(runs[0][1][step], runs[1][1][step])]
        updates, state = update(grads, state, stacked)
        stacked = optax.apply_updates(stacked, updates)
    for index, (params, grads) in enumerate(runs):
        state_one = tx.init(params)
        for step in grads:
            updates, state_one = tx.update(step, state_one, params)
            params = optax.apply_updates(params, updates)
        for alone, batched in zip(params, stacked):
            np.testing.assert_allclose(np.asarray(batched[index]), np.asarray(alone), rtol=1e-14)


def check_arguments_are_validated(fn, path):
    """The checks every backend's constructor passes."""
    testing.check_arguments_are_validated(fn, path)
