"""Factored state (issue 13, item 3): row and column means, state of rows or columns, and
specs/adafactor.yaml against keras.optimizers.Adafactor, on every backend."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np
import pytest

from generator.errors import SpecError
from generator.model import parse_spec

# matrices of rank 2 and 3 (a single row or column too) are factored; vectors and 0-d not
SHAPES = [(3, 4), (5,), (2, 3, 4), (), (4, 1), (1, 3)]
LR = 2**-7  # exact in float32, as Keras keeps its learning rate


def _problem(steps=6, seed=0):
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(s) for s in SHAPES]
    grads = [[rng.standard_normal(s) for s in SHAPES] for _ in range(steps)]
    return params, grads


def _keras_transcribed(params, grads, lr=LR, decay=-0.8, eps1=1e-30, eps2=1e-3, clip=1.0):
    """keras.optimizers.Adafactor's update_step (Keras 3.15) transcribed in float64 NumPy:
    the same arithmetic without keras.ops' float32 detours (test_keras_itself_...)."""
    params = [p.copy() for p in params]
    r = [np.zeros(p.shape[:-1]) if p.ndim >= 2 else None for p in params]
    c = [np.zeros(p.shape[:-2] + p.shape[-1:]) if p.ndim >= 2 else None for p in params]
    v = [np.zeros(p.shape) for p in params]
    rms = lambda x: np.sqrt(np.mean(np.square(x)))  # noqa: E731
    for t, step in enumerate(grads, start=1):
        for i, (p, g) in enumerate(zip(params, step)):
            rho = min(min(lr, 1 / np.sqrt(t)), 1 / np.sqrt(t))
            alpha = max(eps2, rms(p)) * rho
            square = g * g + eps1
            beta = 1 - t**decay
            if p.ndim >= 2:
                r[i] = beta * r[i] + (1 - beta) * np.mean(square, axis=-1)
                c[i] = beta * c[i] + (1 - beta) * np.mean(square, axis=-2)
                v[i] = np.expand_dims(r[i] / np.mean(r[i], axis=-1, keepdims=True), -1)
                v[i] = v[i] * np.expand_dims(c[i], -2)
            else:
                v[i] = beta * v[i] + (1 - beta) * square
            u = g / np.sqrt(v[i])
            params[i] = p - alpha * (u / max(1.0, rms(u) / clip))
    return params, r, c


def _numpy(params, grads, **kw):
    from generated.numpy.adafactor import Adafactor
    from generator.verify.testing import stepped_numpy

    return stepped_numpy(Adafactor, params, grads, learning_rate=LR, **kw)


def _torch(params, grads, **kw):
    from generated.torch.adafactor import Adafactor
    from generator.verify.testing_torch import stepped

    return stepped(Adafactor, params, grads, lr=LR, **kw)


def _keras(optimizer, params, grads):
    from generator.verify.testing_keras import stepped

    return stepped(optimizer, params, grads)


def _assert_close(ours, theirs, tol):
    for index, (a, b) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=f"parameter {index}")


@pytest.mark.parametrize(
    "run",
    [
        lambda p, g: _numpy(p, g)[0],
        lambda p, g: _numpy(p, g, fused=True)[0],
        lambda p, g: _torch(p, g)[0],
        lambda p, g: _torch(p, g, foreach=True)[0],
        lambda p, g: _torch(p, g, fused=True)[0],
    ],
    ids=["numpy", "numpy-fused", "torch-loop", "torch-foreach", "torch-fused"],
)
def test_every_backend_equals_keras_adafactor_in_float64(run):
    """Each tensor takes its own rank's rule inside one optimizer; equal to Keras's
    arithmetic to rounding."""
    params, grads = _problem()
    expected, _, _ = _keras_transcribed(params, grads)
    _assert_close(run(params, grads), expected, 1e-13)


def test_keras_backend_equals_keras_adafactor_in_float64():
    from generated.keras.adafactor import Adafactor
    from generator.verify.testing_keras import floatx

    params, grads = _problem()
    expected, _, _ = _keras_transcribed(params, grads)
    with floatx("float64"):
        ours = _keras(Adafactor(learning_rate=LR), params, grads)
    _assert_close(ours, expected, 1e-13)


def test_optax_equals_keras_adafactor_in_float64():
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import optax

    from generated.optax.adafactor import adafactor

    params, grads = _problem()
    expected, _, _ = _keras_transcribed(params, grads)
    transformation = adafactor(learning_rate=LR)
    values = [jnp.asarray(p) for p in params]
    state = transformation.init(values)
    for step in grads:
        updates, state = transformation.update([jnp.asarray(g) for g in step], state, values)
        values = optax.apply_updates(values, updates)
    _assert_close([np.asarray(v) for v in values], expected, 1e-13)


def test_keras_itself_within_its_float32_detours():
    """keras.optimizers.Adafactor on Keras 3.15's torch backend: ops.mean computes float64
    through float32 and ops.maximum returns float32 (its alpha_t), so it is 1e-8 from the
    float64 arithmetic that the transcription, and every backend here, computes. The
    generated Keras optimizer avoids both (axis_mean, selects)."""
    import keras

    from generator.verify.testing_keras import floatx

    params, grads = _problem()
    expected, _, _ = _keras_transcribed(params, grads)
    with floatx("float64"):
        theirs = _keras(keras.optimizers.Adafactor(learning_rate=LR), params, grads)
    moved = max(np.max(np.abs(e - p)) for e, p in zip(expected, params))
    worst = max(np.max(np.abs(t - e)) for t, e in zip(theirs, expected))
    assert 0 < worst < 1e-6 * moved


def test_state_is_rows_and_columns_and_keras_factors():
    """r has the parameter's shape with the last axis 1, c with the one before it 1: Keras's
    r and c with those axes kept; a vector keeps a full v instead."""
    params, grads = _problem()
    _, r, c = _keras_transcribed(params, grads)
    _, opt = _numpy(params, grads)
    exported = opt.export_state()
    for index, p in enumerate(params):
        state = exported["state"][index]
        if p.ndim >= 2:
            assert set(state) == {"r", "c"}
            assert state["r"].shape == p.shape[:-1] + (1,)
            assert state["c"].shape == p.shape[:-2] + (1,) + p.shape[-1:]
            np.testing.assert_allclose(state["r"][..., 0], r[index], rtol=1e-13)
            np.testing.assert_allclose(state["c"][..., 0, :], c[index], rtol=1e-13)
        else:
            assert set(state) == {"v"} and state["v"].shape == p.shape


def test_checkpoints_move_between_backends_and_refuse_a_wrong_shape():
    from generator.verify.testing_torch import stepped

    from generated.numpy.adafactor import Adafactor as NumpyAdafactor
    from generated.torch.adafactor import Adafactor as TorchAdafactor

    params, grads = _problem(steps=6)
    whole, _ = _numpy(params, grads)
    first, opt = _numpy(params, grads[:3])
    checkpoint = opt.export_state()
    resumed, _ = stepped(TorchAdafactor, first, grads[3:], checkpoint=checkpoint, lr=LR)
    _assert_close(resumed, whole, 1e-13)

    bad = opt.export_state()
    bad["state"][0]["r"] = np.zeros((3, 4))
    fresh = NumpyAdafactor(learning_rate=LR)
    with pytest.raises(ValueError, match=r"'r' has shape \(3, 4\), expected \(3, 1\), the rows"):
        fresh.import_state(bad, [p.copy() for p in first])


def test_low_precision_state_is_refused():
    import torch

    from generated.torch.adafactor import Adafactor

    matrix = torch.zeros(64, 80, requires_grad=True)
    matrix.grad = torch.ones(64, 80)
    # refused for the spec's reductions first; a factored rule has no stored kernel either
    with pytest.raises(ValueError, match="use float32 state|has no fused kernel yet"):
        Adafactor([matrix], state_precision="int8").step()


SPEC = """\
name: Factored
description: A factored second moment.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Learning rate.}
derived_flags:
  matrix: {value: rank >= 2, doc: Two axes or more.}
state:
  r: {init: 0, shape: rows, when: matrix, doc: Row means.}
  v: {init: 0, when: not matrix, doc: Second moment.}
update:
  - eq: r = 0.5*r + 0.5*row_mean(g**2)
    when: matrix
  - eq: v = 0.5*v + 0.5*g**2
    when: not matrix
  - p = p - lr*g/sqrt((r if matrix else v) + 1)
"""


def test_the_toy_spec_parses():
    spec = parse_spec(SPEC, "specs/factored.yaml", "factored")
    assert [v.whole_array for v in spec.variants()] == [False, True]


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            "shape: rows, when: matrix",
            "shape: diagonal, when: matrix",
            r"factored.yaml:8: state 'r': shape: 'diagonal' is not 'rows'",
        ),
        (
            "0.5*row_mean(g**2)",
            "0.5*g**2",
            r"factored.yaml:11: .*state 'r' holds one value per row \(shape: rows\), but this "
            r"value differs along the row: take its row_mean",
        ),
        (
            "0.5*row_mean(g**2)",
            "0.5*row_mean(lr)",
            r"factored.yaml:11: .*row_mean of lr, which is the same for every element",
        ),
        (
            "p = p - lr*g/",
            "p = p - lr*row_mean(g)/",
            r"factored.yaml:15: update: p = \.\.\.: its row or column mean needs a tensor of two "
            r"axes or more, but a tensor of 0 axes takes this rule \(matrix=False\)",
        ),
        (
            "shape: rows, when: matrix, doc: Row means.}\n  v: {init: 0, when: not matrix, doc: "
            "Second moment.}\nupdate:\n  - eq: r = 0.5*r + 0.5*row_mean(g**2)\n    when: matrix",
            "shape: rows, doc: Row means.}\n  v: {init: 0, when: not matrix, doc: "
            "Second moment.}\nupdate:\n  - eq: r = 0.5*r + 0.5*row_mean(g**2)\n    when: true",
            r"factored.yaml:8: state 'r' \(shape: rows\) needs a tensor of two axes or more",
        ),
        (
            "p = p - lr*g/sqrt((r if matrix else v) + 1)\n",
            "p = p - lr*s*g/sqrt((r if matrix else v) + 1)\nreductions:\n"
            "  s: {scope: tensor, op: sum, of: r, doc: Rows.}\n",
            r"factored.yaml:17: reduction 's': of: a value per row or column",
        ),
        (
            "update:\n",
            "step:\n  - s = row_mean(lr)\nupdate:\n",
            r"factored.yaml:11: step: s = \.\.\.: row_mean is one value per row or column",
        ),
    ],
    ids=[
        "bad-shape",
        "not-a-row-value",
        "mean-of-a-constant",
        "vector-rule",
        "state",
        "reduction-of-rows",
        "step",
    ],
)
def test_misuse_is_an_error_with_its_line(old, new, message):
    assert old in SPEC
    with pytest.raises(SpecError, match=message):
        parse_spec(SPEC.replace(old, new, 1), "specs/factored.yaml", "factored")


def test_every_backend_keeps_rows_and_columns():
    """The state of a matrix is its rows' and columns' values on every backend, not a full
    array of them (NumPy and torch: test_checkpoints_...; here Keras and optax)."""
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    from generated.keras.adafactor import Adafactor as KerasAdafactor
    from generated.optax.adafactor import adafactor
    from generator.verify.testing_keras import floatx

    params, grads = _problem(steps=2)
    state = adafactor(learning_rate=LR).init([jnp.asarray(p) for p in params])
    with floatx("float64"):
        keras_opt = KerasAdafactor(learning_rate=LR)
        _keras(keras_opt, params, grads)
    for index, p in enumerate(params):
        if p.ndim < 2:
            continue
        rows, columns = p.shape[:-1] + (1,), p.shape[:-2] + (1,) + p.shape[-1:]
        assert state.r[index].shape == rows and state.c[index].shape == columns
        slots = {
            name: tuple(s[index].shape) for name, s in zip(keras_opt._slot_names, keras_opt._slots)
        }
        assert slots["r"] == rows and slots["c"] == columns


def test_a_flag_no_condition_reads_is_an_argument_without_kernels():
    """relative_step changes nothing (Keras 3's: the step size caps the learning rate either
    way), so it picks no variant: an argument, in the config and in checkpoints, with the
    same update and one kernel per rank, not two."""
    from generated.numpy.adafactor import Adafactor

    assert "relative_step" in Adafactor.flags and "relative_step" not in Adafactor.variant_flags
    assert len(Adafactor.kernels) == 2  # vectors' and matrices'
    params, grads = _problem()
    off, opt = _numpy(params, grads, relative_step=False)
    on, _ = _numpy(params, grads)
    _assert_close(off, on, 0.0)
    assert opt.get_config()["relative_step"] is False
    assert opt.export_state()["flags"]["relative_step"] is False
    with pytest.raises(ValueError, match="relative_step"):  # another optimizer's checkpoint
        Adafactor(learning_rate=LR).import_state(opt.export_state(), [p.copy() for p in params])
