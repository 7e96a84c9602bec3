"""The generated Keras 3 optimizers (generated/keras) as Keras uses them: ``model.compile`` and
``fit``, ``model.save``/``load_model`` without ``custom_objects``, learning-rate schedules,
Keras 3's base-class options (EMA, gradient accumulation, loss scaling), ``stateless_apply``,
the refusals, and Keras 3's own optimizers: the same numbers where the specs say the update is
the same, and each documented difference shown against the real Keras 3 optimizer.

In-process on the process's Keras backend (torch unless KERAS_BACKEND says otherwise), and the
key checks once more on Keras's JAX backend, in a subprocess (one backend per process): the
``check_*`` functions below are backend-agnostic, and the subprocess loads this file and
calls them.

Float64 comparisons run under ``floatx("float64")`` (Keras makes its learning-rate variable in
floatx). Where a Keras 3 code path passes a Python float through ``keras.ops`` (EMA's
momentum), the value is one float32 holds exactly, so that the float32 detour the torch
backend takes there costs nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

# imports keras on the torch backend unless KERAS_BACKEND names another; skips without keras
testing_keras = pytest.importorskip("generator.verify.testing_keras")

import keras  # noqa: E402
from keras import ops  # noqa: E402

import generated.keras as GK  # noqa: E402
import generated.numpy as GN  # noqa: E402

floatx = testing_keras.floatx


def numpy_of(x) -> np.ndarray:
    """A float64 copy: on the torch backend convert_to_numpy may share the tensor's memory,
    and a snapshot that is not a copy would follow a variable updated in place."""
    return np.array(ops.convert_to_numpy(x), dtype=np.float64)


ROOT = Path(__file__).resolve().parent.parent
SHAPES = ((4, 3), (5,), ())
RTOL = 1e-12


# ---------------------------------------------------------------------------- helpers


def problem(steps=12, seed=0, scales=(1.0, 1.0, 1.0)):
    """Float64 parameters and ``steps`` lists of gradients, one per parameter."""
    rng = np.random.default_rng(seed)
    params = [np.asarray(rng.standard_normal(s)) for s in SHAPES]
    grads = [[rng.standard_normal(s) * c for s, c in zip(SHAPES, scales)] for _ in range(steps)]
    return params, grads


def variables_of(params, dtype="float64"):
    # copies: on the torch backend a Variable may share the NumPy array's memory
    return [keras.Variable(np.array(p, dtype=dtype), dtype=dtype) for p in params]


def tensors(arrays, dtype="float64"):
    return [ops.convert_to_tensor(np.array(a, dtype=dtype)) for a in arrays]


def run_keras(opt, params, grads):
    """``opt.apply`` once per gradient list, in float64: the parameters' final values."""
    with floatx("float64"):
        variables = variables_of(params)
        for step in grads:
            opt.apply(tensors(step), variables)
    return [numpy_of(v) for v in variables]


def numpy_step(opt, grads, params):
    """One step of a generated NumPy optimizer (in place; 0-d gradients as arrays)."""
    opt.apply_gradients(zip([np.array(g, dtype=np.float64) for g in grads], params))


def run_numpy(opt, params, grads):
    params = [np.array(p, dtype=np.float64) for p in params]
    for step in grads:
        numpy_step(opt, step, params)
    return params


def assert_close(actual, expected, rtol=RTOL, atol=1e-15, what=""):
    assert len(actual) == len(expected)
    for i, (a, e) in enumerate(zip(actual, expected)):
        np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=f"{what} parameter {i}")


def max_relative_difference(a, b) -> float:
    return max(
        float(np.max(np.abs(np.asarray(x) - np.asarray(y)) / np.abs(np.asarray(y))))
        for x, y in zip(a, b)
    )


def regression_data(n=256, seed=0, dtype="float32"):
    """A smooth nonlinear regression target a small MLP learns in a few epochs."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 8))
    w1, w2 = rng.standard_normal((8, 6)), rng.standard_normal((6, 1))
    y = np.tanh(x @ w1 * 0.5) @ w2 + 0.05 * rng.standard_normal((n, 1))
    return x.astype(dtype), y.astype(dtype)


def mlp(seed=0):
    """A small MLP in floatx. The dtype is explicit: Keras caches its global dtype policy the
    first time a layer is made, and set_floatx does not change it afterwards."""
    keras.utils.set_random_seed(seed)
    dtype = keras.config.floatx()
    return keras.Sequential(
        [
            keras.Input((8,), dtype=dtype),
            keras.layers.Dense(16, activation="tanh", dtype=dtype),
            keras.layers.Dense(1, dtype=dtype),
        ]
    )


def optimizer_values(opt) -> dict:
    return {v.path: numpy_of(v) for v in opt.variables}


def ema_variables(opt, variables):
    """Keras 3's EMA copies (``<variable path>_average``), in the order of ``variables``."""
    by_path = {v.path: v for v in opt.variables}
    prefix = opt.name + "/"
    return [by_path[prefix + v.path.replace("/", "_") + "_average"] for v in variables]


# ---------------------------------------------------------------------------- checks
# Backend-agnostic: the tests below call them on this process's backend, and the JAX
# subprocess (test_key_checks_on_the_jax_backend) calls them there.

FIT_CASES = {
    "adam_amsgrad": lambda: GK.Adam(learning_rate=0.01, amsgrad=True),
    "sgd_nesterov_clipnorm": lambda: GK.SGD(
        learning_rate=0.05, momentum=0.9, nesterov=True, clipnorm=1.0
    ),
    "nadam": lambda: GK.Nadam(learning_rate=0.01),
}


def check_fit_lowers_the_loss(case):
    """compile + fit (float32, Keras's own train step) with a generated optimizer: the
    loss falls well below where it started, and the optimizer counted every step."""
    x, y = regression_data()
    model = mlp()
    opt = FIT_CASES[case]()
    model.compile(optimizer=opt, loss="mse")
    before = float(model.evaluate(x, y, verbose=0))
    history = model.fit(x, y, batch_size=32, epochs=8, shuffle=False, verbose=0)
    after = float(model.evaluate(x, y, verbose=0))
    assert model.optimizer is opt
    assert int(numpy_of(opt.iterations)) == 8 * (256 // 32)
    assert after < 0.35 * before, (case, before, after, history.history["loss"])
    assert history.history["loss"][-1] < history.history["loss"][0]
    for v in model.trainable_variables:
        state = opt.state_of(v)
        assert state and all(np.any(numpy_of(s) != 0) for s in state.values()), v.path


SAVE_CASES = {  # clipvalue small enough to bite after clipnorm
    "adam_amsgrad_clipnorm_decay": (
        GK.Adam,
        dict(learning_rate=0.01, amsgrad=True, clipnorm=1.0, clipvalue=0.02, decay=0.01),
    ),
    "nadam": (GK.Nadam, dict(learning_rate=0.01, beta_2=0.99, schedule_decay=0.01)),
}


def check_save_and_load(case, directory):
    """model.save / keras.models.load_model without custom_objects: the same optimizer class,
    config and state; training on from the loaded model gives the weights the original gets."""
    x, y = regression_data(n=64, dtype="float64")
    with floatx("float64"):
        model = mlp()
        assert {str(v.dtype) for v in model.trainable_variables} == {"float64"}
        cls, arguments = SAVE_CASES[case]
        opt = cls(**arguments)
        model.compile(optimizer=opt, loss="mse")
        model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
        path = str(Path(directory) / f"{case}.keras")
        model.save(path)
        loaded = keras.models.load_model(path)  # no custom_objects: found by registration
        new = loaded.optimizer
        assert type(new) is type(opt)
        assert new.get_config() == opt.get_config()
        for key, value in arguments.items():
            assert new.get_config()[key] == value, key
            if key != "learning_rate":  # Keras's variable; the others are attributes
                assert getattr(new, key) == value, key
        assert new is not opt and int(numpy_of(new.iterations)) == int(numpy_of(opt.iterations))
        # Keras saves optimizer variables by position (the paths name the models)
        assert len(new.variables) == len(opt.variables)
        for v_new, v_old in zip(new.variables, opt.variables):
            assert v_new.path.endswith(v_old.path.rpartition("_")[2]), (v_new.path, v_old.path)
            assert keras.backend.standardize_dtype(v_new.dtype) == keras.backend.standardize_dtype(
                v_old.dtype
            )
            np.testing.assert_array_equal(numpy_of(v_new), numpy_of(v_old), err_msg=v_old.path)
        for v_old, v_new in zip(model.trainable_variables, loaded.trainable_variables):
            np.testing.assert_array_equal(numpy_of(v_new), numpy_of(v_old))
            s_old, s_new = opt.state_of(v_old), new.state_of(v_new)
            assert set(s_old) == set(s_new) and s_old, v_old.path
            for name in s_old:
                assert keras.backend.standardize_dtype(s_new[name].dtype) == "float64", name
                np.testing.assert_array_equal(numpy_of(s_new[name]), numpy_of(s_old[name]))
        assert new.scalar_state == opt.scalar_state
        model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
        loaded.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
        for v_old, v_new in zip(model.trainable_variables, loaded.trainable_variables):
            np.testing.assert_allclose(numpy_of(v_new), numpy_of(v_old), rtol=1e-12, atol=1e-15)
        moved = any(
            not np.array_equal(numpy_of(v), numpy_of(s))
            for v, s in zip(model.trainable_variables, mlp().trainable_variables)
        )
        assert moved


def check_stateless_apply(steps=5, jit=False):
    """stateless_apply (values in, values out) gives what apply gives, and leaves the
    variables alone; ``jit``: the function under jax.jit, as Keras's JAX trainer runs it."""
    params, grads = problem(steps=steps)
    with floatx("float64"):
        eager, functional = (
            GK.Nadam(learning_rate=0.01, clipnorm=1.0),
            GK.Nadam(learning_rate=0.01, clipnorm=1.0),
        )
        expected = run_keras(eager, params, grads)
        variables = variables_of(params)
        functional.build(variables)
        before = optimizer_values(functional)
        opt_values = [v.value for v in functional.variables]
        values = [v.value for v in variables]
        apply = functional.stateless_apply
        if jit:
            import jax

            apply = jax.jit(apply)
        for step in grads:
            values, opt_values = apply(opt_values, tensors(step), values)
        assert_close([numpy_of(v) for v in values], expected, what="stateless_apply")
        for v, p in zip(variables, params):  # untouched
            np.testing.assert_array_equal(numpy_of(v), p)
        assert optimizer_values(functional).keys() == before.keys()
        for key, value in optimizer_values(functional).items():
            np.testing.assert_array_equal(value, before[key], err_msg=key)
        # the returned optimizer values are the eager optimizer's variables
        for new, old in zip(opt_values, eager.variables):
            np.testing.assert_allclose(numpy_of(new), numpy_of(old), rtol=RTOL, err_msg=old.path)


ACCUMULATED = {
    "nadam_clipnorm": (  # scalar state; clipped after averaging
        lambda: GK.Nadam(learning_rate=0.01, clipnorm=1.0, gradient_accumulation_steps=2),
        lambda: GN.Nadam(learning_rate=0.01, clipnorm=1.0),
    ),
    "adam_amsgrad_decay": (  # decay sees the real steps
        lambda: GK.Adam(learning_rate=0.01, amsgrad=True, decay=0.5, gradient_accumulation_steps=2),
        lambda: GN.Adam(learning_rate=0.01, amsgrad=True, decay=0.5),
    ),
    "sgd_momentum_decay": (  # scale-sensitive: the mean, not the sum
        lambda: GK.SGD(learning_rate=0.05, momentum=0.9, decay=0.5, gradient_accumulation_steps=2),
        lambda: GN.SGD(learning_rate=0.05, momentum=0.9, decay=0.5),
    ),
}


def check_gradient_accumulation(cases=tuple(ACCUMULATED), steps=8):
    """gradient_accumulation_steps=2: the variables move every second apply, by one step of
    the mean gradient (clipped after averaging), with the step count of the real steps."""
    params, grads = problem(steps=steps)
    means = [[(a + b) / 2 for a, b in zip(g1, g2)] for g1, g2 in zip(grads[::2], grads[1::2])]
    for make_keras, make_numpy in (ACCUMULATED[case] for case in cases):
        with floatx("float64"):
            opt = make_keras()
            variables = variables_of(params)
            numpy_opt, numpy_params = make_numpy(), [p.copy() for p in params]
            for index, step in enumerate(grads):
                before = [numpy_of(v) for v in variables]
                opt.apply(tensors(step), variables)
                if index % 2 == 0:  # accumulated only: nothing moves
                    for v, p in zip(variables, before):
                        np.testing.assert_array_equal(numpy_of(v), p)
                else:
                    numpy_step(numpy_opt, means[index // 2], numpy_params)
                    assert_close([numpy_of(v) for v in variables], numpy_params, what="accum")
            assert int(numpy_of(opt.iterations)) == len(means)
            assert opt.scalar_state == pytest.approx(numpy_opt.scalar_state, rel=1e-14)


def check_ema(overwrite_frequency):
    """use_ema: Keras 3's moving average of the weight trajectory, against one computed by
    hand around the NumPy optimizer; with ema_overwrite_frequency the weights are replaced by
    it every that many steps (and the optimizer carries on from there); without, by
    finalize_variable_values."""
    params, grads = problem(steps=7)
    momentum = 0.75  # exact in float32: Keras 3's EMA passes it through keras.ops
    with floatx("float64"):
        opt = GK.Adam(
            learning_rate=0.05,
            use_ema=True,
            ema_momentum=momentum,
            ema_overwrite_frequency=overwrite_frequency,
        )
        variables = variables_of(params)
        numpy_opt, numpy_params = GN.Adam(learning_rate=0.05), [p.copy() for p in params]
        ema = None
        for index, step in enumerate(grads):
            opt.apply(tensors(step), variables)
            numpy_step(numpy_opt, step, numpy_params)
            if ema is None:
                ema = [p.copy() for p in numpy_params]  # Keras starts the average at the weights
            else:
                ema = [momentum * e + (1 - momentum) * p for e, p in zip(ema, numpy_params)]
            if overwrite_frequency and (index + 1) % overwrite_frequency == 0:
                for p, e in zip(numpy_params, ema):
                    p[...] = e
            averages = ema_variables(opt, variables)
            assert_close([numpy_of(a) for a in averages], ema, what=f"EMA after step {index}")
            assert_close([numpy_of(v) for v in variables], numpy_params, what=f"step {index}")
        if overwrite_frequency is None:
            assert max_relative_difference([numpy_of(v) for v in variables], ema) > 1e-3
            opt.finalize_variable_values(variables)
            assert_close([numpy_of(v) for v in variables], ema, what="finalized")


def check_loss_scale_factor():
    """loss_scale_factor: gradients of the scaled loss, divided back, are one unscaled step
    (before clipping: clipnorm 1.0 clips the unscaled gradients only some of the time)."""
    params, grads = problem(steps=6, scales=(0.3, 0.3, 0.3))
    scale = 1000.0
    for make_keras, make_numpy in (
        (
            lambda: GK.SGD(learning_rate=0.05, momentum=0.9, clipnorm=1.0, loss_scale_factor=scale),
            lambda: GN.SGD(learning_rate=0.05, momentum=0.9, clipnorm=1.0),
        ),
        (
            lambda: GK.Adam(learning_rate=0.01, amsgrad=True, loss_scale_factor=scale),
            lambda: GN.Adam(learning_rate=0.01, amsgrad=True),
        ),
    ):
        with floatx("float64"):
            opt = make_keras()
            loss = ops.convert_to_tensor(np.float64(3.0))
            assert float(numpy_of(opt.scale_loss(loss))) == 3 * scale
            scaled = [[g * scale for g in step] for step in grads]
            actual = run_keras(opt, params, scaled)
        expected = run_numpy(make_numpy(), params, grads)
        assert_close(actual, expected, what="loss_scale_factor")


def check_schedule():
    """A LearningRateSchedule as learning_rate: called with the completed steps, ``decay`` on
    top, as the NumPy backend does with a callable of the completed steps."""
    params, grads = problem(steps=10)
    with floatx("float64"):
        schedule = keras.optimizers.schedules.ExponentialDecay(
            initial_learning_rate=0.02, decay_steps=3, decay_rate=0.5
        )
        actual = run_keras(GK.Adam(learning_rate=schedule, decay=0.1), params, grads)
    expected = run_numpy(
        GN.Adam(learning_rate=lambda it: 0.02 * 0.5 ** (it / 3), decay=0.1), params, grads
    )
    assert_close(actual, expected, what="schedule")
    # the schedule matters: a constant learning rate is somewhere else
    constant = run_numpy(GN.Adam(learning_rate=0.02, decay=0.1), params, grads)
    assert max_relative_difference(constant, expected) > 1e-3


FTRL_ARGUMENTS = dict(
    learning_rate=0.05,
    learning_rate_power=-0.7,
    initial_accumulator_value=0.2,
    l1_regularization_strength=0.05,
    l2_regularization_strength=0.01,
    l2_shrinkage_regularization_strength=0.02,
    beta=0.1,
)
SAME_AS_KERAS3 = {
    # name: (ours, Keras 3's), float64, same arguments
    "adam": (lambda: GK.Adam(learning_rate=0.01), lambda: keras.optimizers.Adam(0.01)),
    "adam_amsgrad": (
        lambda: GK.Adam(learning_rate=0.01, amsgrad=True),
        lambda: keras.optimizers.Adam(0.01, amsgrad=True),
    ),
    "adam_defaults": (GK.Adam, keras.optimizers.Adam),
    "sgd_momentum": (
        lambda: GK.SGD(learning_rate=0.01, momentum=0.9),
        lambda: keras.optimizers.SGD(0.01, momentum=0.9),
    ),
    "sgd_nesterov": (
        lambda: GK.SGD(learning_rate=0.01, momentum=0.9, nesterov=True),
        lambda: keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True),
    ),
    "adamax": (lambda: GK.Adamax(learning_rate=0.01), lambda: keras.optimizers.Adamax(0.01)),
    "adadelta": (lambda: GK.Adadelta(learning_rate=0.5), lambda: keras.optimizers.Adadelta(0.5)),
    "adamw": (
        lambda: GK.AdamW(learning_rate=0.01, weight_decay=0.1),
        lambda: keras.optimizers.AdamW(0.01, weight_decay=0.1),
    ),
    "adamw_amsgrad_defaults": (
        lambda: GK.AdamW(amsgrad=True),
        lambda: keras.optimizers.AdamW(amsgrad=True),
    ),
    "lion_weight_decay": (  # Keras 3's decay from the base optimizer, ours in the rule
        lambda: GK.Lion(learning_rate=0.01, weight_decay=0.1),
        lambda: keras.optimizers.Lion(0.01, weight_decay=0.1),
    ),
    "lion_defaults": (GK.Lion, keras.optimizers.Lion),
    # Keras 3's schedule is 0.96**t: ours with schedule_decay=1 (see test_keras3_nadam_...)
    "nadam_schedule_decay_1": (
        lambda: GK.Nadam(learning_rate=0.01, schedule_decay=1.0),
        lambda: keras.optimizers.Nadam(0.01),
    ),
    # Keras 3's weight_decay (its base class, before the update) on every spec that takes
    # it, where the update is Keras 3's too (the documented differences switched off)
    "adam_weight_decay": (
        lambda: GK.Adam(learning_rate=0.01, weight_decay=0.1),
        lambda: keras.optimizers.Adam(0.01, weight_decay=0.1),
    ),
    "adam_amsgrad_weight_decay": (
        lambda: GK.Adam(learning_rate=0.01, amsgrad=True, weight_decay=0.1),
        lambda: keras.optimizers.Adam(0.01, amsgrad=True, weight_decay=0.1),
    ),
    "sgd_weight_decay": (
        lambda: GK.SGD(learning_rate=0.01, weight_decay=0.5),
        lambda: keras.optimizers.SGD(0.01, weight_decay=0.5),
    ),
    "sgd_nesterov_weight_decay": (
        lambda: GK.SGD(learning_rate=0.01, momentum=0.9, nesterov=True, weight_decay=0.5),
        lambda: keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True, weight_decay=0.5),
    ),
    "adamax_weight_decay": (
        lambda: GK.Adamax(learning_rate=0.01, weight_decay=0.1),
        lambda: keras.optimizers.Adamax(0.01, weight_decay=0.1),
    ),
    "adadelta_weight_decay": (
        lambda: GK.Adadelta(learning_rate=0.5, weight_decay=0.1),
        lambda: keras.optimizers.Adadelta(0.5, weight_decay=0.1),
    ),
    "rmsprop_weight_decay": (  # epsilon: inside the square root in Keras 3
        lambda: GK.RMSprop(learning_rate=0.01, epsilon=0.0, weight_decay=0.1),
        lambda: keras.optimizers.RMSprop(0.01, epsilon=0.0, weight_decay=0.1),
    ),
    # momentum (a derived flag: momentum > 0 keeps a buffer) and centered, with Keras 3's
    # epsilon placement switched off; at a constant learning rate the buffers agree
    "rmsprop_momentum_centered": (
        lambda: GK.RMSprop(learning_rate=0.01, epsilon=0.0, momentum=0.9, centered=True),
        lambda: keras.optimizers.RMSprop(0.01, epsilon=0.0, momentum=0.9, centered=True),
    ),
    "rmsprop_momentum": (
        lambda: GK.RMSprop(learning_rate=0.01, epsilon=0.0, momentum=0.5, weight_decay=0.1),
        lambda: keras.optimizers.RMSprop(0.01, epsilon=0.0, momentum=0.5, weight_decay=0.1),
    ),
    "adagrad_weight_decay": (  # Keras 3's initial accumulator and epsilon placement
        lambda: GK.Adagrad(learning_rate=0.01, epsilon=0.0, weight_decay=0.1),
        lambda: keras.optimizers.Adagrad(
            0.01, initial_accumulator_value=0.0, epsilon=0.0, weight_decay=0.1
        ),
    ),
    "nadam_weight_decay": (
        lambda: GK.Nadam(learning_rate=0.01, schedule_decay=1.0, weight_decay=0.1),
        lambda: keras.optimizers.Nadam(0.01, weight_decay=0.1),
    ),
    # Lamb: a per-tensor norm of its own update (a reduction over the update's values);
    # Keras 3's epsilon defaults to 1e-7, ours to 1e-6 (test_keras3_lamb_differences)
    "lamb": (
        lambda: GK.Lamb(learning_rate=0.01, epsilon=1e-6),
        lambda: keras.optimizers.Lamb(0.01, epsilon=1e-6),
    ),
    "lamb_defaults": (GK.Lamb, lambda: keras.optimizers.Lamb(epsilon=1e-6)),
    "lamb_weight_decay": (  # Keras 3's norm is of the decayed tensor: so is ours
        lambda: GK.Lamb(learning_rate=0.5, epsilon=1e-6, weight_decay=0.5),
        lambda: keras.optimizers.Lamb(0.5, epsilon=1e-6, weight_decay=0.5),
    ),
    # Ftrl is Keras 3's (Keras 2.3 has none); its exact zeros: test_ftrl_zeros_are_exact
    "ftrl_defaults": (GK.Ftrl, keras.optimizers.Ftrl),
    "ftrl_every_argument": (
        lambda: GK.Ftrl(**FTRL_ARGUMENTS, weight_decay=0.1),
        lambda: keras.optimizers.Ftrl(**FTRL_ARGUMENTS, weight_decay=0.1),
    ),
}


def check_same_as_keras3(name):
    ours, theirs = SAME_AS_KERAS3[name]
    params, grads = problem(steps=15)
    with floatx("float64"):
        assert_close(
            run_keras(ours(), params, grads), run_keras(theirs(), params, grads), what=name
        )


CLIPPED = {
    "sgd": (
        lambda **kw: GK.SGD(learning_rate=0.01, momentum=0.5, **kw),
        lambda **kw: keras.optimizers.SGD(0.01, momentum=0.5, **kw),
        lambda **kw: GN.SGD(learning_rate=0.01, momentum=0.5, **kw),
    ),
    "adam": (
        lambda **kw: GK.Adam(learning_rate=0.01, **kw),
        lambda **kw: keras.optimizers.Adam(0.01, **kw),
        lambda **kw: GN.Adam(learning_rate=0.01, **kw),
    ),
}


def check_clipnorm_against_keras3(name):
    """Ours: one norm over all gradients (Keras 3's global_clipnorm), not Keras 3's clipnorm,
    which clips each gradient by its own norm; the small gradients show it."""
    ours_cls, keras3_cls, numpy_cls = CLIPPED[name]
    params, grads = problem(steps=10, scales=(3.0, 0.1, 0.2))
    with floatx("float64"):
        ours = run_keras(ours_cls(clipnorm=1.0), params, grads)
        per_variable = run_keras(keras3_cls(clipnorm=1.0), params, grads)
        global_ = run_keras(keras3_cls(global_clipnorm=1.0), params, grads)
    assert_close(ours, run_numpy(numpy_cls(clipnorm=1.0), params, grads), what="vs NumPy")
    # Keras 3's clip_by_global_norm takes ops.minimum, which returns float32 on the torch
    # backend (Keras 3.15): its scale is rounded to float32 there, exact on JAX
    rtol = 1e-6 if keras.backend.backend() == "torch" else RTOL
    assert_close(ours, global_, rtol=rtol, atol=1e-12, what="ours vs Keras 3 global_clipnorm")
    moved = [o - p for o, p in zip(ours, params)]
    moved_per_variable = [k - p for k, p in zip(per_variable, params)]
    # Keras 3 leaves the small ones unclipped
    assert max_relative_difference(moved[1:], moved_per_variable[1:]) > 1e-2
    # the large one is clipped to the same norm both ways (each step; SGD: the same sum)
    if name == "sgd":
        np.testing.assert_allclose(
            np.linalg.norm(moved[0]), np.linalg.norm(moved_per_variable[0]), rtol=0.2
        )


def check_decay_against_keras3():
    """Keras 3 has no ``decay`` (it warns and ignores it): ours is its InverseTimeDecay
    schedule with decay_steps=1."""
    params, grads = problem(steps=10)
    with floatx("float64"):
        ours = run_keras(GK.SGD(learning_rate=0.05, momentum=0.9, decay=0.3), params, grads)
        schedule = keras.optimizers.schedules.InverseTimeDecay(0.05, decay_steps=1, decay_rate=0.3)
        theirs = run_keras(keras.optimizers.SGD(schedule, momentum=0.9), params, grads)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ignoring = keras.optimizers.SGD(0.05, momentum=0.9, decay=0.3)
        assert any("decay" in str(w.message) for w in caught)
        ignored = run_keras(ignoring, params, grads)
    assert_close(ours, theirs, what="decay vs InverseTimeDecay")
    assert max_relative_difference(ours, ignored) > 1e-2


# ---------------------------------------------------------------------------- 1. compile + fit


@pytest.mark.parametrize("case", sorted(FIT_CASES))
def test_compile_and_fit_lower_the_loss(case):
    check_fit_lowers_the_loss(case)


def test_fit_with_loss_scale_factor_trains_as_without():
    """Keras's train step scales the loss by loss_scale_factor and the optimizer divides the
    gradients back: with a power of two nothing changes (SGD: every factor would show)."""
    x, y = regression_data(n=64)
    weights = []
    for scale in (None, 256.0):
        model = mlp()
        opt = GK.SGD(learning_rate=0.05, momentum=0.9, nesterov=True, loss_scale_factor=scale)
        model.compile(optimizer=opt, loss="mse")
        model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
        weights.append([numpy_of(v) for v in model.trainable_variables])
    assert_close(weights[1], weights[0], rtol=1e-6, atol=1e-7, what="loss scale in fit")


def check_fit_ema():
    """use_ema in fit (float64): when training ends the weights are the moving average of the
    trajectory a twin without EMA follows, batch by batch."""
    x, y = regression_data(n=64, dtype="float64")
    momentum = 0.75  # exact in float32: Keras 3's EMA passes it through keras.ops
    with floatx("float64"):
        model = mlp()
        opt = GK.Adam(learning_rate=0.01, use_ema=True, ema_momentum=momentum)
        model.compile(optimizer=opt, loss="mse")
        model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
        twin = mlp()
        twin.compile(optimizer=GK.Adam(learning_rate=0.01), loss="mse")
        ema = None
        for _ in range(2):
            for start in range(0, 64, 16):
                twin.train_on_batch(x[start : start + 16], y[start : start + 16])
                weights = [numpy_of(v) for v in twin.trainable_variables]
                if ema is None:
                    ema = weights
                else:
                    ema = [momentum * e + (1 - momentum) * w for e, w in zip(ema, weights)]
        final = [numpy_of(v) for v in model.trainable_variables]
        assert_close(final, ema, rtol=1e-10, atol=1e-13, what="weights after fit with EMA")
        assert max_relative_difference(final, weights) > 1e-3  # not the raw trajectory
        variables = model.trainable_variables
        for v, average in zip(variables, ema_variables(opt, variables)):
            np.testing.assert_array_equal(numpy_of(v), numpy_of(average))


def test_fit_with_ema_ends_on_the_moving_average():
    check_fit_ema()


# ---------------------------------------------------------------------------- 2. save / load


@pytest.mark.parametrize("case", sorted(SAVE_CASES))
def test_save_and_load_model_without_custom_objects(case, tmp_path):
    check_save_and_load(case, tmp_path)


# ---------------------------------------------------------------------------- 3. schedules


def test_learning_rate_schedule_equals_numpy_with_a_callable():
    check_schedule()


def test_schedule_is_serialized_with_the_optimizer():
    with floatx("float64"):
        schedule = keras.optimizers.schedules.ExponentialDecay(0.02, 3, 0.5)
        opt = GK.Adam(learning_rate=schedule, amsgrad=True)
        clone = keras.optimizers.deserialize(keras.optimizers.serialize(opt))
        assert type(clone) is GK.Adam and clone.amsgrad
        assert clone.get_config() == opt.get_config()
        assert clone.get_config()["learning_rate"]["class_name"] == "ExponentialDecay"
        # the clone's schedule is a schedule: its rate follows the step count
        params, grads = problem(steps=4)
        assert_close(run_keras(clone, params, grads), run_keras(opt, params, grads))
        assert float(numpy_of(clone.learning_rate)) == pytest.approx(0.02 * 0.5 ** (4 / 3))


# ---------------------------------------------------------------------------- 4. base options


@pytest.mark.parametrize("frequency", [None, 3])
def test_use_ema_against_a_hand_computed_average(frequency):
    check_ema(frequency)


def test_gradient_accumulation_is_one_step_of_the_mean():
    check_gradient_accumulation()


def test_loss_scale_factor_divides_the_gradients():
    check_loss_scale_factor()


# ---------------------------------------------------------------------------- 5. stateless_apply


def test_stateless_apply_equals_apply():
    check_stateless_apply()


# ---------------------------------------------------------------------------- 6. refusals


def check_exclude_from_weight_decay():
    """Keras 3's exclude_from_weight_decay: the variables named there take no decay, the
    others the same decay as Keras 3's own Adam gives them (float64)."""
    params, grads = problem(steps=10)

    def run(opt):
        with floatx("float64"):
            names = ("kernel", "bias", "scale")
            variables = [
                keras.Variable(np.array(p), dtype="float64", name=n) for p, n in zip(params, names)
            ]
            opt.exclude_from_weight_decay(var_names=["bias"])
            for step in grads:
                opt.apply(tensors(step), variables)
        return [numpy_of(v) for v in variables]

    ours = run(GK.Adam(learning_rate=0.01, weight_decay=0.5))
    theirs = run(keras.optimizers.Adam(0.01, weight_decay=0.5))
    assert_close(ours, theirs, what="exclude_from_weight_decay")
    everywhere = run_keras(GK.Adam(learning_rate=0.01, weight_decay=0.5), params, grads)
    nowhere = run_keras(GK.Adam(learning_rate=0.01), params, grads)
    assert_close(ours[1:2], nowhere[1:2], what="the excluded bias")
    assert max_relative_difference(ours[1:2], everywhere[1:2]) > 1e-3
    with pytest.raises(NotImplementedError, match="own weight_decay"):
        GK.AdamW().exclude_from_weight_decay(var_names=["bias"])


def test_exclude_from_weight_decay_as_keras3():
    check_exclude_from_weight_decay()


def test_refused_arguments():
    with pytest.raises(ValueError, match="weight_decay"):
        GK.Adam(weight_decay=-0.1)
    with pytest.raises(ValueError, match="global_clipnorm is refused"):
        GK.SGD(global_clipnorm=1.0)
    with pytest.raises(TypeError, match="takes no decay"):
        GK.Nadam(decay=0.1)
    GK.AdamW(weight_decay=0.1)  # AdamW's weight_decay is its own hyperparameter
    assert GK.Adam(weight_decay=0.0).get_config()["weight_decay"] == 0.0
    assert GK.Adam().get_config()["weight_decay"] is None


def test_integer_variables_are_refused_at_build():
    opt = GK.Adam()
    variables = [
        keras.Variable(np.zeros(3, dtype="float32"), dtype="float32"),
        keras.Variable(np.zeros(3, dtype="int32"), dtype="int32", trainable=False),
    ]
    with pytest.raises(TypeError, match=r"variable 1 .* is int32; floating-point"):
        opt.build(variables)
    assert not opt.built


def test_hyperparameter_assignment_is_checked_and_takes_effect():
    params, grads = problem(steps=8)
    with floatx("float64"):
        opt = GK.Adam(learning_rate=0.01)
        numpy_opt = GN.Adam(learning_rate=0.01)
        variables, numpy_params = variables_of(params), [p.copy() for p in params]
        for index, step in enumerate(grads):
            if index == 4:
                with pytest.raises(ValueError, match="beta_1=2.0 is outside its domain"):
                    opt.beta_1 = 2.0
                with pytest.raises(ValueError, match="clipnorm"):
                    opt.clipnorm = -1.0
                assert opt.beta_1 == 0.9 and opt.clipnorm is None  # unchanged
                opt.beta_1, numpy_opt.beta_1 = 0.5, 0.5
                opt.clipnorm, numpy_opt.clipnorm = 0.5, 0.5
                opt.decay, numpy_opt.decay = 0.2, 0.2
                assert opt.get_config()["beta_1"] == 0.5
            opt.apply(tensors(step), variables)
            numpy_step(numpy_opt, step, numpy_params)
        assert_close([numpy_of(v) for v in variables], numpy_params, what="after assignment")
    # ... and it changed the trajectory
    untouched = run_numpy(GN.Adam(learning_rate=0.01), params, grads)
    assert max_relative_difference(numpy_params, untouched) > 1e-3


def test_flags_are_fixed():
    opt = GK.Adam(amsgrad=False)
    with pytest.raises(AttributeError, match="amsgrad is fixed at construction"):
        opt.amsgrad = True
    assert opt.amsgrad is False
    with pytest.raises(AttributeError, match="nesterov is fixed"):
        GK.SGD(nesterov=True).nesterov = False


# ---------------------------------------------------------------------------- 7. Keras 3


@pytest.mark.parametrize("name", sorted(SAME_AS_KERAS3))
def test_same_update_as_keras3(name):
    check_same_as_keras3(name)


def test_keras3_rmsprop_momentum_differs_when_the_learning_rate_changes():
    """The spec's keras3 difference: Keras 3's momentum buffer accumulates lr*g/sqrt(...),
    ours (torch.optim's) g/(sqrt(...) + epsilon), multiplied by the step's lr: the same at a
    constant rate (test_same_update_as_keras3), not under a schedule."""
    params, grads = problem(steps=15)
    with floatx("float64"):
        ours = run_keras(
            GK.RMSprop(learning_rate=0.05, epsilon=0.0, momentum=0.9, decay=0.5), params, grads
        )
        schedule = keras.optimizers.schedules.InverseTimeDecay(0.05, decay_steps=1, decay_rate=0.5)
        theirs = run_keras(
            keras.optimizers.RMSprop(schedule, epsilon=0.0, momentum=0.9), params, grads
        )
    assert max_relative_difference(ours, theirs) > 1e-3


def test_ftrl_zeros_are_exact_as_keras3_s_on_every_backend():
    """Where |linear| <= l1, keras.optimizers.Ftrl sets the parameter to clip(linear) - linear
    over its quadratic: exactly 0. Ours too, on every backend (the new linear is the stored
    value, not recomputed in another order), and the other elements agree in float64."""
    arguments = dict(learning_rate=0.1, l1_regularization_strength=0.8)
    params, grads = problem(steps=6)
    with floatx("float64"):
        theirs = run_keras(keras.optimizers.Ftrl(**arguments), params, grads)
        ours = {"keras": run_keras(GK.Ftrl(**arguments), params, grads)}
    for fused in (False, True):
        arrays = [p.copy() for p in params]
        opt = GN.Ftrl(**arguments, fused=fused)
        for step in grads:
            numpy_step(opt, step, arrays)
        ours[f"numpy fused={fused}"] = arrays
    torch = pytest.importorskip("torch")
    import generated.torch as GT

    torch_arguments = {("lr" if k == "learning_rate" else k): v for k, v in arguments.items()}
    for path in ({}, {"foreach": True}, {"fused": True}, {"capturable": True}):
        tensors = [torch.tensor(p, requires_grad=True) for p in params]
        opt = GT.Ftrl(tensors, **torch_arguments, **path)
        for step in grads:
            for t, g in zip(tensors, step):
                t.grad = torch.tensor(np.asarray(g))
            opt.step()
        ours[f"torch {path}"] = [t.detach().numpy() for t in tensors]
    zeros = sum(int(np.sum(np.asarray(t) == 0.0)) for t in theirs)
    assert 0 < zeros < sum(np.size(t) for t in theirs), "some elements are zero, not all"
    for name, result in ours.items():
        for mine, keras3 in zip(result, theirs):
            mine, keras3 = np.asarray(mine), np.asarray(keras3)
            assert np.array_equal(mine == 0.0, keras3 == 0.0), name
            np.testing.assert_allclose(mine, keras3, rtol=1e-12, atol=0, err_msg=name)


def test_keras3_lamb_s_default_epsilon_differs():
    """specs/lamb.yaml: Keras 3's epsilon defaults to 1e-7, ours to 1e-6 (issue 13's)."""
    params, grads = problem(steps=10, scales=(1e-4, 1e-4, 1e-4))  # where epsilon matters
    with floatx("float64"):
        ours = run_keras(GK.Lamb(learning_rate=0.01), params, grads)
        theirs = run_keras(keras.optimizers.Lamb(0.01), params, grads)
        assert max_relative_difference(ours, theirs) > 1e-3


def test_keras3_rmsprop_puts_epsilon_inside_the_square_root():
    params, grads = problem(steps=15, scales=(1e-3, 1e-3, 1e-3))  # where epsilon matters
    with floatx("float64"):
        ours = run_keras(GK.RMSprop(learning_rate=0.01), params, grads)
        theirs = run_keras(keras.optimizers.RMSprop(0.01), params, grads)
        moved = [t - p for t, p in zip(theirs, params)]
        ours_moved = [o - p for o, p in zip(ours, params)]
        # sqrt(v) + 1e-7 against sqrt(v + 1e-7) with sqrt(v) ~ 1e-3: Keras 3 moves far less
        assert max_relative_difference(moved, ours_moved) > 0.5
        # ... and that is the only difference: without epsilon they agree
        assert_close(
            run_keras(GK.RMSprop(learning_rate=0.01, epsilon=0.0), params, grads),
            run_keras(keras.optimizers.RMSprop(0.01, epsilon=0.0), params, grads),
            what="rmsprop epsilon=0",
        )


def test_keras3_adagrad_initial_accumulator_and_epsilon():
    params, grads = problem(steps=15, scales=(1e-3, 1e-3, 1e-3))
    with floatx("float64"):

        def theirs(**kw):
            return run_keras(keras.optimizers.Adagrad(0.01, **kw), params, grads)

        def ours(**kw):
            return run_keras(GK.Adagrad(learning_rate=0.01, **kw), params, grads)

        assert keras.optimizers.Adagrad().initial_accumulator_value == 0.1
        # each difference on its own changes the result ...
        assert max_relative_difference(theirs(initial_accumulator_value=0.0), ours()) > 1e-3
        assert max_relative_difference(theirs(epsilon=0.0), ours(epsilon=0.0)) > 1e-3
        assert max_relative_difference(theirs(), ours()) > 1e-3
        # ... and without both they agree
        assert_close(
            theirs(initial_accumulator_value=0.0, epsilon=0.0), ours(epsilon=0.0), what="adagrad"
        )


def test_keras3_nadam_drops_the_schedule_decay():
    params, grads = problem(steps=15)
    with floatx("float64"):
        theirs = run_keras(keras.optimizers.Nadam(0.01), params, grads)
        ours = run_keras(GK.Nadam(learning_rate=0.01), params, grads)  # schedule_decay 0.004
    assert (
        max_relative_difference(
            [o - p for o, p in zip(ours, params)], [t - p for t, p in zip(theirs, params)]
        )
        > 1e-2
    )
    check_same_as_keras3("nadam_schedule_decay_1")  # 0.96**(1*t): Keras 3's schedule


def test_default_learning_rates_where_the_specs_say_they_differ():
    with floatx("float64"):
        for name, ours, theirs in (
            ("Adadelta", 1.0, 0.001),
            ("Adamax", 0.002, 0.001),
            ("Nadam", 0.002, 0.001),
        ):
            assert float(numpy_of(getattr(GK, name)().learning_rate)) == ours, name
            assert float(numpy_of(getattr(keras.optimizers, name)().learning_rate)) == theirs
        for name in ("Adam", "AdamW", "Lion", "SGD"):
            assert float(numpy_of(getattr(GK, name)().learning_rate)) == float(
                numpy_of(getattr(keras.optimizers, name)().learning_rate)
            ), name


@pytest.mark.parametrize("name", sorted(CLIPPED))
def test_keras3_clipnorm_is_per_variable_ours_is_global(name):
    check_clipnorm_against_keras3(name)


def test_keras3_refuses_clipnorm_with_clipvalue_ours_takes_both():
    with pytest.raises(ValueError, match="Only one of"):
        keras.optimizers.SGD(0.01, clipnorm=1.0, clipvalue=0.1)
    params, grads = problem(steps=6, scales=(3.0, 0.1, 0.2))
    with floatx("float64"):
        ours = run_keras(GK.SGD(learning_rate=0.01, clipnorm=1.0, clipvalue=0.1), params, grads)
    numpy = run_numpy(GN.SGD(learning_rate=0.01, clipnorm=1.0, clipvalue=0.1), params, grads)
    assert_close(ours, numpy, what="clipnorm + clipvalue")


def test_keras3_has_no_decay_ours_is_inverse_time_decay():
    check_decay_against_keras3()


# ---------------------------------------------------------------------------- JAX backend

JAX_SCRIPT = r"""
import importlib.util, json, sys, tempfile, traceback
spec = importlib.util.spec_from_file_location("keras_backend_checks", sys.argv[1])
checks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(checks)
import keras
from generated.keras import _runtime
results = {"backend": keras.backend.backend(), "compute_dtype": _runtime._compute_dtype()}
def run(name, fn, *args):
    try:
        fn(*args)
        results[name] = "ok"
    except BaseException:
        results[name] = traceback.format_exc()
with tempfile.TemporaryDirectory() as tmp:
    for case in sorted(checks.FIT_CASES):
        run("fit " + case, checks.check_fit_lowers_the_loss, case)
    run("save " + "nadam", checks.check_save_and_load, "nadam", tmp)
    run("save adam", checks.check_save_and_load, "adam_amsgrad_clipnorm_decay", tmp)
run("stateless_apply jit", checks.check_stateless_apply, 3, True)
# eager JAX applies are slow (each lax.cond compiles): fewer here
run("gradient accumulation", checks.check_gradient_accumulation, ("nadam_clipnorm", "sgd_momentum_decay"), 4)
run("ema overwrite", checks.check_ema, 3)
run("ema finalize", checks.check_ema, None)
run("loss scale", checks.check_loss_scale_factor)
run("fit ema", checks.check_fit_ema)
run("schedule", checks.check_schedule)
for name in ("adam", "adam_amsgrad", "sgd_nesterov", "nadam_schedule_decay_1"):
    run("keras3 " + name, checks.check_same_as_keras3, name)
run("keras3 clipnorm", checks.check_clipnorm_against_keras3, "adam")
print("RESULTS " + json.dumps(results))
"""


def test_key_checks_on_the_jax_backend():
    """The checks above on Keras's JAX backend (jax_enable_x64), in a fresh process: fit
    (which runs the optimizer through stateless_apply under jit), save/load, stateless_apply
    under jax.jit, JAX's own gradient-accumulation and EMA code, schedules, Keras 3."""
    pytest.importorskip("jax")
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", JAX_SCRIPT, __file__],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULTS ")]
    assert done.returncode == 0 and lines, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads(lines[-1][len("RESULTS ") :])
    assert results.pop("backend") == "jax"
    assert results.pop("compute_dtype") == "float64"  # jax_enable_x64 set before keras
    failed = {k: v for k, v in results.items() if v != "ok"}
    assert not failed, "\n\n".join(f"{k}:\n{v}" for k, v in failed.items())
    assert len(results) == 17, sorted(results)
