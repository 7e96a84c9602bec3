"""The NumPy backend's habits (issue 16): hyperparameters assigned after construction take
effect, checked; ``learning_rate`` may be a schedule of the completed steps (Keras's shape,
with Keras 2.3's ``decay`` on top); state follows each parameter's position in the list the
optimizer was built with, and another list is refused before anything changes."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import generated.numpy as N
from generator.verify import testing

NAMES = sorted(N.OPTIMIZERS)
STEPS = 6


def problem(steps=STEPS):
    return testing.problem(steps=steps)


def run(opt, params, grads):
    for step in grads:
        opt.apply_gradients(zip(step, params))
    return params


def snapshot(opt, params):
    """Everything a step could change, deep-copied."""
    return copy.deepcopy(
        (
            opt.iterations,
            opt.scalar_state,
            [p.copy() for p in params],
            [{k: v.copy() for k, v in opt.state_of(i).items()} for i in range(len(params))],
            opt._config(),
        )
    )


def assert_same(a, b):
    it_a, sc_a, ps_a, st_a, cf_a = a
    it_b, sc_b, ps_b, st_b, cf_b = b
    assert it_a == it_b and sc_a == sc_b and cf_a == cf_b
    assert len(ps_a) == len(ps_b) and len(st_a) == len(st_b)
    for x, y in zip(ps_a, ps_b):
        np.testing.assert_array_equal(x, y)
    for x, y in zip(st_a, st_b):
        assert x.keys() == y.keys()
        for k in x:
            np.testing.assert_array_equal(x[k], y[k])


def assert_equal_runs(a, params_a, b, params_b):
    """Bit for bit: parameters, state by position, step count and scalar state."""
    assert a.iterations == b.iterations
    assert a.scalar_state == b.scalar_state
    for i, (p, q) in enumerate(zip(params_a, params_b)):
        assert p.dtype == q.dtype == np.float64
        np.testing.assert_array_equal(p, q, err_msg=f"parameter {i}")
        sa, sb = a.state_of(i), b.state_of(i)
        assert sa.keys() == sb.keys()
        for k in sa:
            np.testing.assert_array_equal(sa[k], sb[k], err_msg=f"state {k} of {i}")


def varied(cls) -> dict:
    """Each real hyperparameter moved inside its domain (not the default)."""
    return testing.hyper_values(testing.spec(cls.spec), "varied")


# ---------------------------------------------------------------- assignment


@pytest.mark.parametrize("name", NAMES)
def test_an_assigned_learning_rate_takes_effect_like_a_fresh_optimizer(name):
    cls = N.get(name)
    params0, grads = problem()
    assigned = cls()
    assigned.learning_rate = 0.0123
    a = run(assigned, [p.copy() for p in params0], grads)
    fresh = cls(learning_rate=0.0123)
    b = run(fresh, [p.copy() for p in params0], grads)
    assert_equal_runs(assigned, a, fresh, b)
    assert assigned.learning_rate == 0.0123
    assert assigned.get_config() == fresh.get_config()
    # the default would have given another trajectory: the assignment is what made them equal
    c = run(cls(), [p.copy() for p in params0], grads)
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("name", NAMES)
def test_a_learning_rate_assigned_mid_run_changes_the_next_step(name):
    cls = N.get(name)
    params0, grads = problem()
    opt = cls()
    params = run(opt, [p.copy() for p in params0], grads[:3])
    opt.learning_rate = 0.0123
    run(opt, params, grads[3:])

    first = cls()
    resumed = run(first, [p.copy() for p in params0], grads[:3])
    second = cls(learning_rate=0.0123)
    second.import_state(first.export_state(resumed), resumed)
    run(second, resumed, grads[3:])
    assert_equal_runs(opt, params, second, resumed)


@pytest.mark.parametrize("name", NAMES)
def test_every_hyperparameter_and_common_argument_can_be_assigned(name):
    cls = N.get(name)
    values = varied(cls)
    common = {"clipnorm": 0.7, "clipvalue": 0.3}
    if "decay" in cls.common:
        common["decay"] = 0.05
    params0, grads = problem()
    # a derived flag's hyperparameter (RMSprop's momentum) is constructed on the side of its
    # varied value: an assignment across the flag's threshold is refused (test_derived_flags)
    assigned = cls(**{d.hyperparameter: values[d.hyperparameter] * 0.5 for d in cls.derived_flags})
    for key, value in {**values, **common}.items():
        setattr(assigned, key, value)
        assert getattr(assigned, key) == value
    a = run(assigned, [p.copy() for p in params0], grads)
    fresh = cls(**values, **common)
    b = run(fresh, [p.copy() for p in params0], grads)
    assert_equal_runs(assigned, a, fresh, b)
    assert assigned.get_config() == fresh.get_config()
    assert {**values, **common}.items() <= assigned.get_config().items()
    assert cls.from_config(assigned.get_config()).get_config() == assigned.get_config()


@pytest.mark.parametrize(
    "key,value,error,words",
    [
        (
            "learning_rate",
            -1.0,
            ValueError,
            r"learning_rate=-1.0 is outside its domain learning_rate >= 0",
        ),
        ("learning_rate", float("nan"), ValueError, "learning_rate=nan is not finite"),
        ("learning_rate", "0.1", TypeError, "learning_rate must be a real number"),
        ("beta_1", 1.0, ValueError, r"beta_1=1.0 is outside its domain 0 < beta_1 < 1"),
        ("epsilon", -1e-7, ValueError, "epsilon=-1e-07 is outside its domain epsilon >= 0"),
        ("clipnorm", -1.0, ValueError, r"clipnorm=-1.0 is outside its domain None or >= 0"),
        ("clipvalue", float("inf"), ValueError, "clipvalue=inf is not finite"),
        ("decay", -0.5, ValueError, "decay=-0.5 is outside its domain >= 0"),
        ("iterations", -1, ValueError, "iterations must be an integer from 0 to 2\\*\\*53"),
        ("iterations", 2.0, ValueError, "iterations must be an integer"),
        ("fused", 1, TypeError, "fused must be True or False"),
    ],
)
def test_a_bad_assignment_raises_like_the_constructor_and_changes_nothing(key, value, error, words):
    params0, grads = problem()
    opt = N.Adam(clipnorm=2.0, clipvalue=1.0, decay=0.01)
    params = run(opt, [p.copy() for p in params0], grads[:2])
    before = snapshot(opt, params)
    with pytest.raises(error, match=words):
        setattr(opt, key, value)
    assert_same(before, snapshot(opt, params))
    if key not in ("iterations", "fused"):  # the constructor refuses it with the same message
        with pytest.raises(error, match=words):
            N.Adam(**{key: value})
    # and the next steps are those of an optimizer that never saw the assignment
    straight = N.Adam(clipnorm=2.0, clipvalue=1.0, decay=0.01)
    reference = run(straight, [p.copy() for p in params0], grads)
    run(opt, params, grads[2:])
    assert_equal_runs(opt, params, straight, reference)


def test_flags_are_fixed_and_unknown_attributes_are_refused():
    opt = N.Adam(amsgrad=True)
    config = opt.get_config()
    with pytest.raises(AttributeError, match="amsgrad is fixed at construction"):
        opt.amsgrad = False
    assert opt.amsgrad is True and opt.get_config() == config
    # Keras 2.3's alias would be a new attribute that no step reads: refused, naming the real one
    with pytest.raises(AttributeError, match=r"no attribute 'lr' to set: .*learning_rate"):
        opt.lr = 0.5
    assert not hasattr(opt, "lr") and opt.get_config() == config
    with pytest.raises(AttributeError, match="no attribute 'decay' to set"):
        N.Nadam().decay = 0.1  # Nadam has no decay
    with pytest.raises(AttributeError):
        opt.scalar_state = {}
    # iterations and fused are settable, checked (above), and read by the step
    opt.iterations = 7
    assert opt.iterations == 7 and opt.export_state()["step"] == 7
    opt.fused = True
    assert opt.fused is True


def test_get_config_and_repr_report_current_values():
    opt = N.SGD(learning_rate=0.1, momentum=0.5, nesterov=True)
    opt.learning_rate = 0.25
    opt.momentum = 0.75
    opt.clipnorm = None
    opt.clipvalue = 2
    opt.weight_decay = 0.5
    assert opt.get_config() == {
        "learning_rate": 0.25,
        "momentum": 0.75,
        "nesterov": True,
        "clipnorm": None,
        "clipvalue": 2.0,
        "decay": 0.0,
        "weight_decay": 0.5,
    }
    assert repr(opt).startswith("SGD(learning_rate=0.25, momentum=0.75, nesterov=True")
    assert isinstance(opt.clipvalue, float)


# ---------------------------------------------------------------- schedules


def schedule(iterations):
    return 0.01 * 0.8**iterations + 0.001 * (iterations % 3)


@pytest.mark.parametrize("name", NAMES)
def test_a_schedule_equals_the_same_sequence_of_constant_learning_rates(name):
    cls = N.get(name)
    params0, grads = problem()
    calls = []

    def recorded(iterations):
        calls.append(iterations)
        return schedule(iterations)

    scheduled = cls(learning_rate=recorded)
    assert calls == [0]  # the constructor's initial scalar state sees its value at 0
    calls.clear()
    a = [p.copy() for p in params0]
    constant = cls()
    b = [p.copy() for p in params0]
    for i, step in enumerate(grads):
        scheduled.apply_gradients(zip(step, a))
        constant.learning_rate = schedule(i)
        constant.apply_gradients(zip(step, b))
    assert calls == list(range(STEPS)), "called once per step with the completed steps, from 0"
    assert_equal_runs(scheduled, a, constant, b)
    assert scheduled.learning_rate is recorded


@pytest.mark.parametrize("name", sorted(n for n in NAMES if "decay" in N.get(n).common))
def test_decay_applies_on_top_of_a_schedule(name):
    cls = N.get(name)
    params0, grads = problem()
    scheduled = cls(learning_rate=schedule, decay=0.3)
    a = run(scheduled, [p.copy() for p in params0], grads)
    constant = cls(decay=0.3)
    b = [p.copy() for p in params0]
    for i, step in enumerate(grads):
        constant.learning_rate = schedule(i)
        constant.apply_gradients(zip(step, b))
    assert_equal_runs(scheduled, a, constant, b)
    without = run(cls(learning_rate=schedule), [p.copy() for p in params0], grads)
    assert not np.array_equal(a[0], without[0]), "decay changed nothing"


def test_schedule_and_decay_follow_keras23s_formula():
    """Plain SGD: p -= schedule(i) * 1 / (1 + decay * i) * g, i the completed steps."""
    params0, grads = problem()
    decay = 0.3
    opt = N.SGD(learning_rate=schedule, decay=decay)
    params = run(opt, [p.copy() for p in params0], grads)
    expected = [p.copy() for p in params0]
    for i, step in enumerate(grads):
        lr = schedule(i) * (1.0 / (1.0 + decay * i))
        for p, g in zip(expected, step):
            p -= lr * g
    for p, q in zip(params, expected):
        np.testing.assert_allclose(p, q, rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize(
    "bad,error,words",
    [
        (
            -0.5,
            ValueError,
            r"learning_rate=-0.5 is outside its domain learning_rate >= 0 \(returned by the learning_rate schedule for iterations=2\)",
        ),
        (
            float("nan"),
            ValueError,
            r"learning_rate=nan is not finite \(returned by the learning_rate schedule for iterations=2\)",
        ),
        (np.array([0.1]), TypeError, r"learning_rate must be a real number.*iterations=2\)"),
        (None, TypeError, r"learning_rate must be a real number, not None"),
    ],
)
def test_a_bad_schedule_value_raises_before_anything_changes(bad, error, words):
    params0, grads = problem()
    opt = N.Nadam(learning_rate=lambda i: 0.01 if i < 2 else bad)  # Nadam: scalar state too
    params = run(opt, [p.copy() for p in params0], grads[:2])
    before = snapshot(opt, params)
    with pytest.raises(error, match=words):
        opt.apply_gradients(zip(grads[2], params))
    assert_same(before, snapshot(opt, params))
    assert opt.iterations == 2


def test_a_schedule_that_raises_changes_nothing_and_a_float_replaces_it():
    params0, grads = problem()

    def broken(iterations):
        if iterations >= 1:
            raise RuntimeError("schedule exhausted")
        return 0.01

    opt = N.Adam(learning_rate=broken)
    params = run(opt, [p.copy() for p in params0], grads[:1])
    before = snapshot(opt, params)
    with pytest.raises(RuntimeError, match="schedule exhausted"):
        opt.apply_gradients(zip(grads[1], params))
    assert_same(before, snapshot(opt, params))
    opt.learning_rate = 0.01  # a float replaces a schedule (and a schedule a float)
    run(opt, params, grads[1:])
    straight = N.Adam(learning_rate=0.01)
    assert_equal_runs(opt, params, straight, run(straight, [p.copy() for p in params0], grads))


def test_get_config_refuses_a_callable_learning_rate():
    opt = N.Adam(learning_rate=schedule, beta_1=0.8)
    with pytest.raises(
        TypeError, match=r"Adam.get_config\(\): learning_rate is a callable .*schedule"
    ):
        opt.get_config()
    assert "learning_rate=<function schedule" in repr(opt)  # repr still works
    opt.learning_rate = 0.02
    assert opt.get_config()["learning_rate"] == 0.02 and opt.get_config()["beta_1"] == 0.8
    opt.learning_rate = schedule  # assigning a schedule is refused by get_config the same way
    with pytest.raises(TypeError, match="callable"):
        opt.get_config()
    # a config made by hand may hold one: from_config is the constructor
    assert N.Adam.from_config({"learning_rate": schedule}).learning_rate is schedule


def test_only_learning_rate_may_be_a_callable():
    """Another hyperparameter must be a number, in the constructor and on assignment."""
    with pytest.raises(TypeError, match="beta_1 must be a real number"):
        N.Adam(beta_1=lambda i: 0.9)
    opt = N.Adam()
    with pytest.raises(TypeError, match="beta_1 must be a real number"):
        opt.beta_1 = lambda i: 0.9
    assert opt.beta_1 == 0.9


# ---------------------------------------------------------------- state by position


@pytest.mark.parametrize("name", NAMES)
def test_state_follows_position_across_new_array_objects(name):
    cls = N.get(name)
    params0, grads = problem()
    same = cls(**varied(cls))
    a = run(same, [p.copy() for p in params0], grads)
    copies = cls(**varied(cls))
    b = [p.copy() for p in params0]
    for step in grads:
        b = [p.copy() for p in b]  # new arrays every step, as a functional training loop makes
        copies.apply_gradients(zip(step, b))
    assert_equal_runs(same, a, copies, b)
    assert copies.state_of(b[0]).keys() == same.state_of(0).keys()
    assert copies.state_of(np.zeros(3)) == {}  # an array it never stepped


@pytest.mark.parametrize("fused", [False, True])
def test_a_reordered_list_is_refused_before_anything_changes(fused):
    params = [np.ones(4), np.full(4, 2.0), np.ones((2, 3))]
    grads = [np.full(4, 0.5), np.full(4, -0.5), np.full((2, 3), 0.25)]
    opt = N.SGD(momentum=0.9, fused=fused)
    opt.apply_gradients(zip(grads, params))
    before = snapshot(opt, params)
    swapped = [params[1], params[0], params[2]]  # same shapes: only identity tells
    with pytest.raises(
        ValueError,
        match="parameter 0 is the array that was parameter 1 in the last step: the list was reordered",
    ):
        opt.apply_gradients(zip(grads, swapped))
    assert_same(before, snapshot(opt, params))
    with pytest.raises(ValueError, match="parameter 0 is the array that was parameter 1"):
        opt.export_state(swapped)
    with pytest.raises(ValueError, match="parameter 1 is the array that was parameter 2"):
        opt.apply_gradients(zip([grads[0], grads[2], grads[1]], [np.ones(4), params[2], params[1]]))


def test_a_list_of_another_length_is_refused_before_anything_changes():
    params0, grads = problem()
    opt = N.Adam()
    params = run(opt, [p.copy() for p in params0], grads[:1])
    before = snapshot(opt, params)
    n = len(params)
    with pytest.raises(
        ValueError, match=f"got a list of {n - 1} parameters, this optimizer was built with {n}"
    ):
        opt.apply_gradients(zip(grads[1][1:], params[1:]))
    with pytest.raises(ValueError, match=f"got a list of {n + 1} parameters"):
        opt.apply_gradients(zip([*grads[1], np.ones(2)], [*params, np.ones(2)]))
    with pytest.raises(
        ValueError, match=f"got a list of 0 parameters, this optimizer was built with {n}"
    ):
        opt.apply_gradients([])
    assert_same(before, snapshot(opt, params))


def test_a_parameter_rebound_to_another_shape_or_dtype_is_refused_before_anything_changes():
    p, q = np.ones(5), np.ones(3)
    opt = N.Adam()
    opt.apply_gradients([(np.ones(5), p), (np.ones(3), q)])
    before = snapshot(opt, [p, q])
    with pytest.raises(
        ValueError,
        match=r"parameter 1 is float64 \(4,\), its state 'm' float64 \(3,\): it changed since the optimizer was built",
    ):
        opt.apply_gradients([(np.ones(5), p), (np.ones(4), np.ones(4))])
    with pytest.raises(
        ValueError, match=r"parameter 1 is float32 \(3,\), its state 'm' float64 \(3,\)"
    ):
        opt.apply_gradients([(np.ones(5), p), (np.ones(3, np.float32), np.ones(3, np.float32))])
    with pytest.raises(ValueError, match=r"parameter 0 is float64 \(5, 1\)"):
        opt.apply_gradients([(np.ones((5, 1)), p.reshape(5, 1)), (np.ones(3), q)])
    assert_same(before, snapshot(opt, [p, q]))
    # a position without state yet (import_state of a checkpoint without it) names its shape
    fresh = N.Adam()
    fresh.import_state(N.Adam().export_state(), [np.ones(5)])
    assert fresh.state_of(0) == {}
    with pytest.raises(
        ValueError,
        match=r"parameter 0 is float64 \(6,\), the optimizer was built with float64 \(5,\) there",
    ):
        fresh.apply_gradients([(np.ones(6), np.ones(6))])
    fresh.apply_gradients([(np.ones(5), np.ones(5))])
    assert fresh.state_of(0)["m"].shape == (5,)


def test_arrays_of_earlier_steps_are_not_kept_alive():
    import gc
    import weakref

    opt = N.Adam()
    p = np.ones(1000)
    opt.apply_gradients([(np.ones(1000), p)])
    ref = weakref.ref(p)
    p = p.copy()
    opt.apply_gradients([(np.ones(1000), p)])
    gc.collect()
    assert ref() is None, "the optimizer keeps a parameter array of an earlier step alive"
    assert opt.state_of(0)["m"].shape == (1000,)


# ---------------------------------------------------------------- checkpoints by position


@pytest.mark.parametrize("name", NAMES)
def test_export_and_import_state_by_position(name):
    cls = N.get(name)
    params0, grads = problem()
    straight = cls()
    a = run(straight, [p.copy() for p in params0], grads)

    first = cls()
    b = run(first, [p.copy() for p in params0], grads[:3])
    checkpoint = first.export_state(b)
    assert _equal_checkpoints(checkpoint, first.export_state())
    assert _equal_checkpoints(checkpoint, first.export_state([p.copy() for p in b]))
    assert set(checkpoint["state"]) <= set(range(len(b)))  # parameter indices, as torch's

    other = cls()
    other.apply_gradients(zip([np.ones(2)], [np.zeros(2)]))  # built with another list
    resumed = [p.copy() for p in b]  # new arrays: import_state builds with them
    other.import_state(checkpoint, resumed)
    run(other, resumed, grads[3:])
    assert_equal_runs(straight, a, other, resumed)
    with pytest.raises(ValueError, match="got a list of 1 parameters"):
        other.export_state(resumed[:1])


def _equal_checkpoints(x, y) -> bool:
    if {k: v for k, v in x.items() if k != "state"} != {k: v for k, v in y.items() if k != "state"}:
        return False
    return x["state"].keys() == y["state"].keys() and all(
        x["state"][i].keys() == y["state"][i].keys()
        and all(np.array_equal(x["state"][i][k], y["state"][i][k]) for k in x["state"][i])
        for i in x["state"]
    )


def test_import_state_refuses_a_parameter_twice_and_changes_nothing():
    params0, grads = problem()
    opt = N.Adam()
    params = run(opt, [p.copy() for p in params0], grads[:2])
    checkpoint = opt.export_state(params)
    before = snapshot(opt, params)
    with pytest.raises(ValueError, match="a parameter appears twice in params"):
        opt.import_state(checkpoint, [params[0], params[0], params[2]])
    assert_same(before, snapshot(opt, params))


def test_copies_keep_the_state_by_position():
    params0, grads = problem()
    opt = N.Adam()
    params = run(opt, [p.copy() for p in params0], grads[:2])
    clones = [copy.deepcopy(opt), pickle.loads(pickle.dumps(opt))]
    run(opt, params, grads[2:])
    for clone in clones:
        assert clone.iterations == 2
        mine = [p.copy() for p in params0]
        mine = run(N.Adam(), mine, grads[:2])  # the same values, other arrays
        run(clone, mine, grads[2:])
        assert_equal_runs(opt, params, clone, mine)


@pytest.mark.parametrize("fused", [False, True])
@pytest.mark.parametrize("change", ["resize", "reshape"])
def test_a_state_array_changed_in_place_is_refused_before_anything_changes(fused, change):
    """A state array resized or reshaped in place since it was made (through state_of) is
    refused naming the parameter, and no parameter moves (the C library never sees it)."""
    params = [np.ones(8, np.float32), np.ones(8, np.float64)]
    grads = [np.ones(8, np.float32), np.ones(8, np.float64)]
    opt = N.Adam(fused=fused)
    opt.apply_gradients(zip(grads, params))
    before = [p.copy() for p in params]
    if change == "resize":
        opt.state_of(1)["v"].resize(4, refcheck=False)
    else:
        opt.state_of(1)["v"].shape = (2, 4)
    with pytest.raises(ValueError, match="parameter 1 is float64 \\(8,\\), its state 'v' float64"):
        opt.apply_gradients(zip(grads, params))
    assert all(np.array_equal(a, b) for a, b in zip(before, params))


def test_assigning_weight_decay_takes_effect_at_the_next_step():
    """Keras 3's decay, p*(1 - lr*weight_decay) before the update: assigned between steps,
    the next step decays; None turns it off again; a negative value is refused."""
    p = np.ones(3)
    opt = N.SGD(learning_rate=0.1)
    opt.apply_gradients([(np.zeros(3), p)])
    assert np.array_equal(p, np.ones(3))
    opt.weight_decay = 0.5
    opt.apply_gradients([(np.zeros(3), p)])
    np.testing.assert_allclose(p, 1 - 0.1 * 0.5, rtol=1e-15)
    opt.weight_decay = None
    opt.apply_gradients([(np.zeros(3), p)])
    np.testing.assert_allclose(p, 1 - 0.1 * 0.5, rtol=1e-15)
    with pytest.raises(ValueError, match="weight_decay"):
        opt.weight_decay = -1.0


@pytest.mark.parametrize("fused", [False, True], ids=["ufuncs", "fused"])
def test_an_expanded_parameter_is_refused_as_torch_refuses_it(fused):
    """Found by a red-team pass: a zero-stride view (1000 elements, 10 cells of memory) was
    stepped, each cell written many times; torch refuses such a tensor ("share memory")."""
    base = np.zeros(10, np.float32)
    p = np.lib.stride_tricks.as_strided(base, shape=(1000,), strides=(0,))
    opt = N.get("Adam")(fused=fused)
    with pytest.raises(ValueError, match="parameter 0 has elements that share memory"):
        opt.apply_gradients([(np.ones(1000, np.float32), p)])
    assert opt.iterations == 0 and not base.any()


def test_the_step_count_stops_at_what_a_checkpoint_can_hold():
    """Found by a red-team pass: a step from 2**53 went to 2**53 + 1, and the optimizer's own
    export was then refused by import_state (and by its own iterations setter)."""
    p = np.ones(3)
    opt = N.get("Adam")()
    opt.iterations = 2**53
    with pytest.raises(ValueError, match="the step count would pass 2\\*\\*53"):
        opt.apply_gradients([(np.ones(3), p)])
    assert opt.iterations == 2**53 and (p == 1).all()
    N.get("Adam")().import_state(opt.export_state(), [p])


@pytest.mark.parametrize("fused", [False, True])
def test_a_numpy_scalar_gradient_of_a_0d_parameter_is_taken(fused):
    """NumPy's arithmetic on a 0-d array gives a scalar (np.float64, np.float32): taken as
    the 0-d gradient it stands for, equal to the same step given a 0-d array; a Python float
    or another dtype's scalar is still refused."""
    for dtype in (np.float64, np.float32):
        a, b = np.array(1.5, dtype=dtype), np.array(1.5, dtype=dtype)
        opt_a, opt_b = N.Adam(fused=fused), N.Adam(fused=fused)
        for g in (0.5, -2.0, 1.0):
            scalar = dtype(g) * np.ones((), dtype=dtype)[()]
            assert type(scalar) is dtype
            opt_a.apply_gradients([(scalar, a)])
            opt_b.apply_gradients([(np.array(g, dtype=dtype), b)])
        assert a == b and a != dtype(1.5)
    with pytest.raises(TypeError, match="gradient 0 must be a numpy.ndarray, not float"):
        N.Adam().apply_gradients([(0.5, np.array(1.0))])
    with pytest.raises(TypeError, match="gradient 0 is float32, its parameter float64"):
        N.Adam().apply_gradients([(np.float32(0.5), np.array(1.0))])
