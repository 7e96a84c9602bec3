"""The JAX/optax backend (generated/optax) beyond its generated per-spec tests: pytrees,
optax.chain, optax schedules, bfloat16 parameters, float32 without jax_enable_x64, the
errors of update(), and optax's own transformations of the same algorithms.

Importing generator.verify.testing_optax enables jax_enable_x64 in this process: float64
arrays are float64, and float32 arrays stay float32. The float32-only run (no x64) is a
subprocess."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

# enables jax_enable_x64 and imports optax; skips without jax and optax
testing_optax = pytest.importorskip("generator.verify.testing_optax")

import jax  # noqa: E402
import optax  # noqa: E402
from jax import numpy as jnp  # noqa: E402

import generated.numpy as gnp  # noqa: E402
import generated.optax as gopt  # noqa: E402
from generator.verify import testing  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
STEPS = 20


def _run(tx, params, grads_per_step, jit=True):
    """``params`` (a pytree) after one update per step of ``grads_per_step`` (pytrees like
    it), and the last state."""
    state = tx.init(params)
    update = jax.jit(tx.update) if jit else tx.update
    for grads in grads_per_step:
        updates, state = update(grads, state, params)
        params = optax.apply_updates(params, updates)
    return params, state


def _standard(steps=STEPS, dtype=jnp.float64, scale=1.0):
    """The standard problem of generator.verify.testing as JAX arrays (a list pytree)."""
    params0, grads = testing.problem(steps=steps)
    params = [jnp.asarray(p, dtype) for p in params0]
    return params, [[jnp.asarray(g * scale, dtype) for g in step] for step in grads]


def _max_rel(a, b):
    """The largest relative difference between two pytrees of arrays."""
    return max(
        float(jnp.max(jnp.abs(x - y) / jnp.maximum(jnp.abs(y), 1e-300)))
        for x, y in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b))
        if x.size
    )


# ---------------------------------------------------------------------------------- 1. pytrees


def _nested_problem(seed=3, steps=STEPS):
    """Parameters as nested dicts and tuples, with a 0-d leaf and an empty leaf, and the
    gradients of each step as the same pytree."""
    rng = np.random.default_rng(seed)

    def tree():
        def draw(*shape):
            return rng.standard_normal(shape).astype(np.float32).astype(np.float64)

        return {
            "layer": {"w": draw(3, 4), "b": draw(5)},
            "extra": (draw(2, 3, 2), np.asarray(draw(1)[0]), np.zeros((0, 3))),
        }

    params = tree()
    return params, [tree() for _ in range(steps)]


@pytest.mark.parametrize(
    "name, numpy_cls, common",
    [
        ("adam", gnp.Adam, {"clipnorm": 1.0, "clipvalue": 0.1, "decay": 0.01}),
        ("nadam", gnp.Nadam, {"clipnorm": 1.0, "clipvalue": 0.5}),  # scalar state; no decay
        ("adamw", gnp.AdamW, {"clipnorm": 1.0, "decay": 0.01}),  # reads the parameters
    ],
)
def test_nested_pytrees_equal_the_numpy_backend(name, numpy_cls, common):
    params0, grads = _nested_problem()
    tx = gopt.get(name)(**common)
    params, state = _run(
        tx,
        jax.tree_util.tree_map(jnp.asarray, params0),
        [jax.tree_util.tree_map(jnp.asarray, g) for g in grads],
    )
    treedef = jax.tree_util.tree_structure(params0)
    assert jax.tree_util.tree_structure(params) == treedef
    kernel_state = [
        n for n in type(state)._fields if n != "count" and getattr(state, n) is not None
    ]
    for field in kernel_state:
        value = getattr(state, field)
        if isinstance(value, jax.Array):
            assert value.shape == (), field  # scalar state (Nadam's m_schedule), checked below
            continue
        assert jax.tree_util.tree_structure(value) == treedef, field
    assert int(state.count) == STEPS

    # The NumPy backend on the flattened leaves (jax's order): clipnorm's one norm over all
    # gradients spans the whole tree, so every leaf depends on the others.
    arrays = [np.array(leaf) for leaf in jax.tree_util.tree_leaves(params0)]
    opt = numpy_cls(**common)
    for step in grads:
        opt.apply_gradients(zip([np.array(g) for g in jax.tree_util.tree_leaves(step)], arrays))
    leaves = jax.tree_util.tree_leaves(params)
    assert [leaf.shape for leaf in leaves] == [a.shape for a in arrays]
    assert leaves[1].shape == () and leaves[2].shape == (0, 3)  # the 0-d and the empty leaf
    for ours, theirs in zip(leaves, arrays):
        assert ours.dtype == jnp.float64
        np.testing.assert_allclose(np.asarray(ours), theirs, rtol=1e-13, atol=1e-15)
    for index, array in enumerate(arrays):
        for field, expected in opt.state_of(index).items():
            got = jax.tree_util.tree_leaves(getattr(state, field))[index]
            np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-13, atol=1e-15)
    for field, expected in opt.scalar_state.items():
        assert float(getattr(state, field)) == pytest.approx(expected, rel=1e-13)


# ---------------------------------------------------------------------------- 2. optax.chain


def test_chain_after_optax_clip_is_the_clip_by_hand_then_adam():
    params, grads = _standard(scale=3.0)  # many elements beyond 1: the clip matters
    chained, state = _run(optax.chain(optax.clip(1.0), gopt.adam()), params, grads)
    assert isinstance(state, tuple) and len(state) == 2
    by_hand = params
    tx = gopt.adam()
    s = tx.init(by_hand)
    for step in grads:
        u, s = tx.update([jnp.clip(g, -1.0, 1.0) for g in step], s, by_hand)
        by_hand = optax.apply_updates(by_hand, u)
    assert _max_rel(chained, by_hand) <= 1e-14  # jit against eager: an ulp apart at most
    # and Keras 2.3's clipvalue is that same element-wise clip
    own, _ = _run(gopt.adam(clipvalue=1.0), params, grads)
    assert _max_rel(chained, own) < 1e-14


def test_chain_after_clip_by_global_norm_is_keras_clipnorm():
    """optax.clip_by_global_norm is Keras 2.3's clipnorm: one L2 norm over all gradients."""
    params, grads = _standard(scale=3.0)
    chained, _ = _run(optax.chain(optax.clip_by_global_norm(1.0), gopt.adam()), params, grads)
    own, _ = _run(gopt.adam(clipnorm=1.0), params, grads)
    assert _max_rel(chained, own) < 1e-13
    unclipped, _ = _run(gopt.adam(), params, grads)
    assert _max_rel(own, unclipped) > 1e-6  # the clip changed something


def test_chain_before_another_transform_and_params_through_the_chain():
    params, grads = _standard()
    # after ours: optax.scale halves our updates, step after step
    tx, ours = optax.chain(gopt.adam(), optax.scale(0.5)), gopt.adam()
    state, own = jax.jit(tx.init)(params), ours.init(params)
    for step in grads[:5]:
        halved, state = jax.jit(tx.update)(step, state, params)
        single, own = jax.jit(ours.update)(step, own, params)
        for h, u in zip(halved, single):
            np.testing.assert_array_equal(np.asarray(h), 0.5 * np.asarray(u))
    # a rule that reads the parameters gets them through the chain (under jit), after a
    # transform that reads them too
    wd = 0.01
    tx = optax.chain(optax.add_decayed_weights(wd), gopt.lion(weight_decay=0.1))
    chained, _ = _run(tx, params, grads)
    lion = gopt.lion(weight_decay=0.1)
    by_hand, s = params, lion.init(params)
    for step in grads:
        u, s = lion.update([g + wd * p for g, p in zip(step, by_hand)], s, by_hand)
        by_hand = optax.apply_updates(by_hand, u)
    assert _max_rel(chained, by_hand) <= 1e-14


# ------------------------------------------------------------------------- 3. optax schedules


@pytest.mark.parametrize("name, numpy_cls", [("adam", gnp.Adam), ("sgd", gnp.SGD)])
def test_optax_schedule_equals_the_numpy_backend_with_the_same_schedule(name, numpy_cls):
    """An optax schedule is a function of the completed steps (0 on the first update), as
    the NumPy backend calls its learning_rate callable; decay applies on top in both."""
    schedule = optax.exponential_decay(init_value=0.01, transition_steps=5, decay_rate=0.5)
    extra = {"momentum": 0.9} if name == "sgd" else {}
    params, grads = _standard()
    ours, state = _run(gopt.get(name)(learning_rate=schedule, decay=0.01, **extra), params, grads)
    assert int(state.count) == STEPS
    arrays = [np.array(p) for p in params]
    # The optax state's count is int32, as optax's own, and optax's schedules then compute
    # in float32 even under x64 (count / transition_steps is float32; a Python int would
    # give float64, 1e-8 apart). XLA's jitted float32 power also differs from the eager one
    # by an ulp at some counts (9, 13, 18 here). So the NumPy backend's callable gets the
    # value our jitted step sees: the jitted schedule of an int32 count.
    jitted = jax.jit(schedule)
    opt = numpy_cls(learning_rate=lambda i: float(jitted(jnp.int32(i))), decay=0.01, **extra)
    for step in grads:
        opt.apply_gradients(zip([np.array(g) for g in step], arrays))
    for p, q in zip(ours, arrays):
        np.testing.assert_allclose(np.asarray(p), q, rtol=1e-13, atol=1e-15)
    # the schedule mattered: its constant first value gives another trajectory
    constant, _ = _run(
        gopt.get(name)(learning_rate=float(schedule(0)), decay=0.01, **extra), params, grads
    )
    assert _max_rel(constant, ours) > 1e-3


# ------------------------------------------------------------------------ 4. bfloat16 params


def _ulp_bf16(x):
    return jnp.nextafter(x, jnp.asarray(jnp.inf, x.dtype)).astype(jnp.float32) - x.astype(
        jnp.float32
    )


@pytest.mark.parametrize(
    "name, hyper",
    [("adam", {}), ("adam", {"learning_rate": 0.05}), ("lion", {"weight_decay": 0.1})],
)
def test_bfloat16_params_keep_float32_state_and_track_a_rounded_float32_run(name, hyper):
    """bfloat16 parameters: float32 state and arithmetic, bfloat16 updates; the run is a
    float32 run whose parameters are rounded to bfloat16 after each step (as
    testing_torch.check_low_precision checks for torch), up to optax's way of applying
    updates (below)."""
    params0, grads = testing.problem(steps=STEPS)
    tx = gopt.get(name)(**hyper)
    update = jax.jit(tx.update)
    low = [jnp.asarray(p, jnp.bfloat16) for p in params0]
    high = [p.astype(jnp.float32) for p in low]
    state_low, state_high = tx.init(low), tx.init(high)
    for leaf in jax.tree_util.tree_leaves(state_low)[1:]:
        assert leaf.dtype == jnp.float32
    for step in grads:
        g_low = [jnp.asarray(g, jnp.bfloat16) for g in step]
        # lock step: the float32 run, from the bfloat16 parameters, gives the same state bit
        # for bit, and the bfloat16 updates are its float32 updates rounded
        u_low, new_low = update(g_low, state_low, low)
        u_high, _ = update(
            [g.astype(jnp.float32) for g in g_low], state_low, [p.astype(jnp.float32) for p in low]
        )
        for a, b in zip(u_low, u_high):
            assert a.dtype == jnp.bfloat16
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b.astype(jnp.bfloat16)))
        for a in jax.tree_util.tree_leaves(new_low)[1:]:
            assert a.dtype == jnp.float32
        state_low = new_low
        low = optax.apply_updates(low, u_low)
        # the free-running float32 run, rounding its parameters after each step
        u, state_high = update([g.astype(jnp.float32) for g in g_low], state_high, high)
        high = [(p + d).astype(jnp.bfloat16).astype(jnp.float32) for p, d in zip(high, u)]
    for a, b in zip(low, high):
        assert a.dtype == jnp.bfloat16 and bool(jnp.isfinite(a).all())
        diff = jnp.abs(a.astype(jnp.float32) - b) / _ulp_bf16(b.astype(jnp.bfloat16))
        if hyper.get("learning_rate", 0.001) <= 0.001 and name == "adam":
            # optax.apply_updates adds the bfloat16 update to the bfloat16 parameter: p + u
            # rounded twice (u, then the sum) where the float32 run rounds p + u once. With
            # |u| <= lr = 1e-3 and |p| ~ 1 the first rounding moves the sum by at most
            # |u|*2**-9 ~ 2e-6, far below bfloat16's half spacing near p (2**-9 |p|), so on
            # this problem the two runs agree bit for bit.
            assert float(jnp.max(diff)) == 0.0
        else:
            # with larger steps a sum near a tie can round the other way: an ulp now and then
            # (measured at most 4 over these 20 steps), never a drift
            assert float(jnp.max(diff)) <= 8.0


# --------------------------------------------------------- 5. float32 without jax_enable_x64

NO_X64_SCRIPT = textwrap.dedent("""
    import jax, numpy as np, optax
    from jax import numpy as jnp
    assert not jax.config.jax_enable_x64, "x64 must be off in this process"
    from generated.optax import adam
    from generator.verify import testing

    path = "specs/adam.yaml"
    hyper = testing.hyper_values(testing.spec(path), "default")
    ref = testing.reference_for(path, {"amsgrad": False}, {}, hyper)
    params0, grads = testing.problem()
    tx = adam(**hyper)
    params = [jnp.asarray(p, jnp.float32) for p in params0]
    state = tx.init(params)
    update = jax.jit(tx.update)
    for step in grads:
        updates, state = update([jnp.asarray(g, jnp.float32) for g in step], state, params)
        params = optax.apply_updates(params, updates)
    assert state.count.dtype == jnp.int32 and int(state.count) == testing.STEPS
    worst_v = 0.0
    for i, p in enumerate(params):
        assert p.dtype == jnp.float32, p.dtype
        # parameters and m: the standard float32 tolerance (2 eps32 times the sum over the
        # steps of |value| + |change|)
        testing.compare(
            f"parameter {i}", np.asarray(p), ref.params[i], ref.param_scale[i], "float32"
        )
        m, v = state.m[i], state.v[i]
        assert m.dtype == jnp.float32 and v.dtype == jnp.float32, (m.dtype, v.dtype)
        testing.compare(
            f"m {i}", np.asarray(m), ref.state[i]["m"], ref.state_scale[i]["m"], "float32"
        )
        # v: relative 2e-5. Without x64 the per-step values are float32, as Keras 2.3 computed
        # them in floatx: float32(0.999) = 0.99900001287, so 1 - beta_2 is 9.99987e-4, 1.29e-5
        # below 1e-3, and every term of v carries that factor (1 - beta_2**t at early steps
        # loses as much to cancellation). The standard tolerance (about 2 eps32 * t/2 ~ 6e-6
        # relative after 50 steps) cannot hold it; the parameters do not see it, since the
        # step size sqrt(1 - beta_2**t)/sqrt(v) carries the same factor above and below.
        rel = np.abs(np.asarray(v, np.float64) - ref.state[i]["v"]) / np.abs(ref.state[i]["v"])
        assert rel.max() <= 2e-5, (i, rel.max())
        worst_v = max(worst_v, rel.max())
    # and that error is there: the per-step values really were float32, not float64
    assert worst_v > 1e-5, worst_v
    print("ok", worst_v)
    """)


def test_float32_without_x64_matches_the_reference():
    env = {k: v for k, v in os.environ.items() if k != "JAX_ENABLE_X64"}
    env["JAX_PLATFORMS"] = "cpu"
    proc = subprocess.run(
        [sys.executable, "-c", NO_X64_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("ok")


# -------------------------------------------------------------------------------- 6. errors


def test_reads_params_is_declared_where_the_rule_reads_them():
    import importlib

    adam_module, adamw_module, lion_module = (
        importlib.import_module(f"generated.optax.{name}") for name in ("adam", "adamw", "lion")
    )

    assert not any(k.reads_params for k in adam_module.KERNELS.values())
    assert all(k.reads_params for k in adamw_module.KERNELS.values())
    assert all(k.reads_params for k in lion_module.KERNELS.values())


def test_update_without_params():
    params, grads = _standard(steps=5)
    tx = gopt.adam(clipnorm=1.0)
    with_params, state_a = _run(tx, params, grads)
    without, s = params, tx.init(params)
    for step in grads:
        u, s = jax.jit(tx.update)(step, s)
        without = optax.apply_updates(without, u)
    assert _max_rel(with_params, without) <= 1e-15
    assert _max_rel(state_a.v, s.v) <= 1e-15
    for name in ("lion", "adamw"):
        tx = gopt.get(name)()
        with pytest.raises(ValueError, match="needs params"):
            tx.update(grads[0], tx.init(params))


def test_mismatched_structures_raise_naming_them():
    tx = gopt.adam()
    params = {"a": jnp.ones(3), "b": (jnp.ones(2), jnp.ones(()))}
    state = tx.init(params)
    grads = {"a": jnp.ones(3), "b": [jnp.ones(2), jnp.ones(())]}  # a list for the tuple
    with pytest.raises(
        ValueError, match=r"params has the structure PyTreeDef\(\{'a': \*, 'b': \(\*, \*\)"
    ):
        tx.update(grads, state, params)
    # without params the state is what the gradients are checked against
    with pytest.raises(ValueError, match=r"state\.m has the structure"):
        tx.update(grads, state)
    with pytest.raises(ValueError, match="structure"):
        tx.update({"a": jnp.ones(3)}, state, params)


def test_integer_leaves_raise_type_error():
    tx = gopt.adam()
    with pytest.raises(TypeError, match="parameter 1 must be a floating-point array, not int32"):
        tx.init([jnp.ones(2), jnp.ones(3, jnp.int32)])
    params = [jnp.ones(2), jnp.ones(3)]
    state = tx.init(params)
    with pytest.raises(TypeError, match="gradient 0 must be a floating-point array, not int32"):
        tx.update([jnp.ones(2, jnp.int32), jnp.ones(3)], state, params)
    with pytest.raises(TypeError, match="gradient 0 must be a floating-point array, not int"):
        tx.update([1, jnp.ones(3)], state, params)


def test_a_step_count_at_its_types_largest_value_still_steps():
    """Found by a red-team pass: ``count + 1`` wrapped in the count's integer type before
    the cast (optax's safe_int32_increment keeps the count there once reached): NaN updates.
    (A negative count is not refused: knowing it would cost a device-to-host copy per step.)"""
    tx = gopt.adam()
    params, grads = [jnp.ones(3)], [jnp.full(3, 0.5)]
    state = tx.init(params)
    for count in (jnp.int32(2**31 - 1), jnp.int8(127), jnp.uint32(2**32 - 1)):
        updates, _ = tx.update(grads, state._replace(count=count), params)
        assert bool(jnp.isfinite(updates[0]).all()), count
        jitted, _ = jax.jit(tx.update)(grads, state._replace(count=count), params)
        assert bool(jnp.isfinite(jitted[0]).all()), count


def test_shape_mismatch_raises():
    tx = gopt.adam()
    params = [jnp.ones((3, 2)), jnp.ones(4)]
    state = tx.init(params)
    with pytest.raises(ValueError, match=r"gradient 0 has shape \(2, 3\), its parameter \(3, 2\)"):
        tx.update([jnp.ones((2, 3)), jnp.ones(4)], state, params)
    with pytest.raises(ValueError, match=r"gradient 1 has shape \(1,\), its parameter \(4,\)"):
        jax.jit(tx.update)([jnp.ones((3, 2)), jnp.ones(1)], state, params)


def test_gradients_are_checked_against_the_state_without_params():
    """Without params, a gradient of another shape would broadcast into the state (a (1,)
    gradient into a (4,) state) or grow it ((3, 4)), and a float32 gradient would turn float64
    state into float32: each is refused, naming the state."""
    tx = gopt.adam()
    state = tx.init([jnp.ones(4)])
    for bad in (jnp.ones(1), jnp.ones((3, 4)), jnp.ones(4, jnp.float32)):
        with pytest.raises(ValueError, match=r"gradient 0 is .*, its state 'm' float64 \(4,\)"):
            tx.update([bad], state)


# ----------------------------------------------- 7. optax's own transformations, float64


def test_adam_with_epsilon_zero_is_optax_adam():
    params, grads = _standard(steps=50)
    ours, _ = _run(gopt.adam(1e-3, 0.9, 0.999, epsilon=0.0), params, grads)
    theirs, _ = _run(optax.adam(1e-3, b1=0.9, b2=0.999, eps=0.0), params, grads)
    assert _max_rel(ours, theirs) <= 1e-12


def test_adam_epsilon_is_keras_epsilon_hat():
    """Keras 2.3 divides the uncorrected moments, m / (sqrt(v) + eps) times
    lr*sqrt(1 - b2**t)/(1 - b1**t) (the paper's "epsilon hat"); optax divides the corrected
    ones, m_hat / (sqrt(v_hat) + eps). Multiplying out, Keras's eps equals optax's eps times
    sqrt(1 - b2**t) (0.03 at the first step, 0.22 at the 50th): no constant converts one into
    the other, so with the same eps = 1e-7 they differ, and optax given the per-step
    eps / sqrt(1 - b2**t) is Keras's exactly."""
    params, grads = _standard(steps=50, scale=1e-5)  # gradients near eps: eps matters
    ours, _ = _run(gopt.adam(1e-3, 0.9, 0.999, epsilon=1e-7), params, grads)
    same_eps, _ = _run(optax.adam(1e-3, b1=0.9, b2=0.999, eps=1e-7), params, grads)
    assert _max_rel(ours, same_eps) > 1e-6
    per_step = optax.inject_hyperparams(optax.adam)(
        learning_rate=1e-3,
        b1=0.9,
        b2=0.999,
        eps=lambda count: 1e-7 / jnp.sqrt(1 - 0.999 ** (count + 1)),  # count: completed steps
    )
    converted, _ = _run(per_step, params, grads)
    assert _max_rel(ours, converted) <= 1e-12


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_is_optax_sgd(nesterov):
    """Keras 2.3 keeps v = momentum*v - lr*g (and steps by momentum*v - lr*g with Nesterov);
    optax keeps t = g + momentum*t and steps by -lr*t (-lr*(g + momentum*t)): v = -lr*t for a
    constant learning rate."""
    params, grads = _standard(steps=50)
    ours, _ = _run(gopt.sgd(0.01, momentum=0.9, nesterov=nesterov), params, grads)
    theirs, _ = _run(optax.sgd(0.01, momentum=0.9, nesterov=nesterov), params, grads)
    assert _max_rel(ours, theirs) <= 1e-12


def test_adamax_equals_optax_only_with_epsilon_zero():
    """Keras 2.3: u = max(b2*u, |g|), p -= lr/(1 - b1**t) * m/(u + eps). optax.adamax puts eps
    inside the maximum, nu = max(|g| + eps, b2*nu), and divides by nu alone (as torch does):
    its eps enters the running maximum and decays with it, Keras's is added fresh at each
    step. Equal when eps is 0; otherwise no eps of one gives the other."""
    params, grads = _standard(steps=50)
    ours, _ = _run(gopt.adamax(1e-3, epsilon=0.0), params, grads)  # Keras's default lr is 2e-3
    theirs, _ = _run(optax.adamax(1e-3, eps=0.0), params, grads)
    assert _max_rel(ours, theirs) <= 1e-12
    params, grads = _standard(steps=50, scale=1e-6)  # gradients near eps
    ours, _ = _run(gopt.adamax(1e-3, epsilon=1e-7), params, grads)
    theirs, _ = _run(optax.adamax(1e-3, eps=1e-7), params, grads)
    assert _max_rel(ours, theirs) > 1e-6


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_lion_is_optax_lion(weight_decay):
    """specs/lion.yaml: c = b1*m + (1 - b1)*g; p -= lr*(sign(c) + weight_decay*p);
    m = b2*m + (1 - b2)*g: optax.lion's scale_by_lion, add_decayed_weights and the learning
    rate, in that order (optax's weight_decay defaults to 1e-3, ours to 0: passed here)."""
    params, grads = _standard(steps=50)
    ours, _ = _run(gopt.lion(1e-3, 0.9, 0.99, weight_decay=weight_decay), params, grads)
    theirs, _ = _run(optax.lion(1e-3, b1=0.9, b2=0.99, weight_decay=weight_decay), params, grads)
    assert _max_rel(ours, theirs) <= 1e-12


def test_weight_decay_is_optax_adamw():
    """The common weight_decay is Keras 3's decoupled decay, p*(1 - lr*weight_decay) before
    the update: optax.adamw's add_decayed_weights then the learning rate (equal with eps 0,
    where Keras's and optax's epsilon placements meet). It reads the parameters, so update()
    without params is refused then, and taken without it."""
    params, grads = _standard(steps=50)
    ours, _ = _run(gopt.adam(1e-2, epsilon=0.0, weight_decay=0.1), params, grads)
    theirs, _ = _run(optax.adamw(1e-2, eps=0.0, weight_decay=0.1), params, grads)
    assert _max_rel(ours, theirs) <= 1e-12
    assert _max_rel(ours, _run(gopt.adam(1e-2, epsilon=0.0), params, grads)[0]) > 1e-3
    tx = gopt.adam(1e-2, weight_decay=0.1)
    with pytest.raises(ValueError, match="needs params.*weight_decay"):
        tx.update(grads[0], tx.init(params))
    for off in (None, 0.0):
        tx = gopt.adam(1e-2, weight_decay=off)
        without, _ = tx.update(grads[0], tx.init(params))
        with_params, _ = tx.update(grads[0], tx.init(params), params)
        assert all(bool(jnp.array_equal(a, b)) for a, b in zip(without, with_params))
