# generated from specs/sgd.yaml by templates/tests/test_optimizer.py.j2 — do not edit
"""SGD (specs/sgd.yaml): the NumPy backend against the high-precision reference,
for every flag combination, common argument case, hyperparameter set and dtype."""

import pytest

from generated.numpy import SGD, get
from generator.verify import testing

SPEC = testing.spec_beside(__file__, "../../specs/sgd.yaml")
FLAGS = [
    {"nesterov": False},
    {"nesterov": True},
]
FLAG_IDS = ("no_nesterov", "nesterov")
# (flags, common arguments): the default flags with every common case, the others with two
CASES = [
    pytest.param({"nesterov": False}, "plain", id="no_nesterov-plain"),
    pytest.param({"nesterov": False}, "clipnorm", id="no_nesterov-clipnorm"),
    pytest.param({"nesterov": False}, "clipvalue", id="no_nesterov-clipvalue"),
    pytest.param({"nesterov": False}, "decay", id="no_nesterov-decay"),
    pytest.param({"nesterov": False}, "all", id="no_nesterov-all"),
    pytest.param({"nesterov": True}, "plain", id="nesterov-plain"),
    pytest.param({"nesterov": True}, "all", id="nesterov-all"),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("hyper", ["default", "varied"])
@pytest.mark.parametrize("flags, common", CASES)
def test_numpy_matches_reference(flags, common, hyper, dtype):
    testing.check_numpy_against_reference(SGD, SPEC, flags, common, hyper, dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("hyper", ["default", "varied"])
@pytest.mark.parametrize("flags, common", CASES)
def test_fused_c_matches_reference(flags, common, hyper, dtype):
    """fused=True: generated/cuda/*.c built with gcc, called through ctypes."""
    testing.check_numpy_against_reference(SGD, SPEC, flags, common, hyper, dtype, fused=True)


def test_updates_in_place_and_keeps_float32():
    testing.check_in_place_and_dtype(SGD)


def test_steps_allocate_no_arrays():
    testing.check_steps_allocate_no_arrays(SGD)


def test_bad_gradients_change_nothing():
    testing.check_bad_gradients_change_nothing(SGD)


def test_arguments_are_validated():
    testing.check_arguments_are_validated(SGD, SPEC)


def test_config_round_trip():
    testing.check_config_round_trip(SGD, SPEC)


def test_get_by_name():
    assert get("sgd") is SGD
    assert get("SGD") is SGD
