"""Checks the generated Keras tests call: each optimizer against the high-precision reference
and the NumPy backend (float64 and float32), every flag combination and common argument case,
on the Keras backend of this process (KERAS_BACKEND; torch unless set: one backend per
process, tests/test_keras_backends.py runs the JAX one in a subprocess); its config and
serialization."""

from __future__ import annotations

import contextlib
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
if os.environ["KERAS_BACKEND"] == "jax":
    import jax

    jax.config.update("jax_enable_x64", True)

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import ops  # noqa: E402

from . import testing  # noqa: E402


@contextlib.contextmanager
def floatx(dtype: str):
    """Keras makes its learning-rate variable in floatx, and layers in the global dtype
    policy (which it fixes when the first layer is made): float64 runs need both float64."""
    before, policy = keras.config.floatx(), keras.config.dtype_policy()
    keras.config.set_floatx(dtype)
    keras.config.set_dtype_policy(dtype)
    try:
        yield
    finally:
        keras.config.set_floatx(before)
        keras.config.set_dtype_policy(policy)


def stepped(optimizer, params, grads):
    """``optimizer`` (a Keras optimizer, ours or Keras's) run over ``grads`` (a list of NumPy
    gradients per step) on float64 variables of ``params``: the parameters after."""
    variables = [keras.Variable(p.copy(), dtype="float64") for p in params]
    for step in grads:
        optimizer.apply_gradients(
            [(ops.convert_to_tensor(g, dtype="float64"), v) for g, v in zip(step, variables)]
        )
    return [np.asarray(ops.convert_to_numpy(v)) for v in variables]


def run_keras(cls, flags, common, hyper, dtype, steps=testing.STEPS, params0=None, grads=None):
    """The optimizer and its variables after ``steps`` steps of the standard problem."""
    if params0 is None:
        params0, grads = testing.problem(steps=steps, shapes=testing.shapes_for(cls))
    with floatx(dtype):
        opt = cls(**hyper, **flags, **common)
        # copies: on the torch backend a Variable may share the NumPy array's memory
        variables = [keras.Variable(np.array(p, dtype=dtype), dtype=dtype) for p in params0]
        for step in grads:
            opt.apply([ops.convert_to_tensor(np.array(g, dtype=dtype)) for g in step], variables)
    return opt, variables


def numpy_of(x) -> np.ndarray:
    return np.asarray(ops.convert_to_numpy(x), dtype=np.float64)


def check_against_reference(cls, path, flags, common_case, hyper_case, dtype):
    s = testing.spec(path)
    common = testing.common_case(common_case, s.common)
    own, hyper = testing.variant_arguments(s, flags, testing.hyper_values(s, hyper_case))
    ref = testing.reference_for(path, flags, common, hyper)
    opt, variables = run_keras(cls, own, common, hyper, dtype)
    assert int(ops.convert_to_numpy(opt.iterations)) == testing.STEPS
    for i, v in enumerate(variables):
        assert keras.backend.standardize_dtype(v.dtype) == dtype
        testing.compare(f"parameter {i}", numpy_of(v), ref.params[i], ref.param_scale[i], dtype)
        state = opt.state_of(v)
        assert set(state) == set(ref.state[i]), f"state {sorted(state)} != {sorted(ref.state[i])}"
        for name, expected in ref.state[i].items():
            assert keras.backend.standardize_dtype(state[name].dtype) == dtype, name
            testing.compare(
                f"state {name} of parameter {i}",
                numpy_of(state[name]),
                expected,
                ref.state_scale[i][name],
                dtype,
            )
    for name, value in ref.scalar_state.items():
        assert np.isclose(opt.scalar_state[name], value, rtol=1e-12), name


def check_against_numpy(keras_cls, numpy_cls, flags, path):
    """float64, every common argument at once: the two backends agree to rounding."""
    common = testing.common_case("all", numpy_cls.common)
    flags, hyper = testing.variant_arguments(testing.spec(path), flags)
    _, expected = testing.run_numpy(numpy_cls, flags, common, hyper, np.dtype("float64"))
    _, variables = run_keras(keras_cls, flags, common, hyper, "float64")
    for v, q in zip(variables, expected):
        np.testing.assert_allclose(numpy_of(v), q, rtol=1e-13, atol=1e-15)


def check_arguments_are_validated(cls, path):
    """The checks every backend's constructor passes (testing.check_arguments_are_validated),
    and Keras 3's arguments that this backend refuses."""
    import pytest

    testing.check_arguments_are_validated(cls, path)
    s = testing.spec(path)
    with pytest.raises(ValueError, match="global_clipnorm"):
        cls(global_clipnorm=1.0)
    own = "weight_decay" in {h.name for h in s.hyperparameters}  # AdamW's is its own
    if not own and "weight_decay" not in s.common:  # a spec that leaves Keras 3's out
        with pytest.raises(ValueError, match="weight_decay"):
            cls(weight_decay=0.1)


def check_config_round_trip(cls, path):
    """get_config/from_config and keras.optimizers.serialize/deserialize give the same
    optimizer (the class found through its registration, without custom_objects)."""
    s = testing.spec(path)
    hyper = testing.hyper_values(s, "varied")
    flags = {f.name: not f.default for f in s.flags}
    common = {"clipnorm": 2.0, "clipvalue": 3.0}
    if "decay" in s.common:
        common["decay"] = 0.5
    if "weight_decay" in s.common:
        common["weight_decay"] = 0.25
    with floatx("float64"):  # Keras keeps learning_rate in a floatx variable
        opt = cls(**hyper, **flags, **common)
        config = opt.get_config()
        for key, value in {**hyper, **flags, **common}.items():
            assert config[key] == value, key
        assert cls.from_config(config).get_config() == config
        clone = keras.optimizers.deserialize(keras.optimizers.serialize(opt))
    assert type(clone) is cls and clone.get_config() == config
