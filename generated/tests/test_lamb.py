# generated from specs/lamb.yaml by templates/tests/test_optimizer.py.j2 — do not edit
"""Lamb (specs/lamb.yaml): the NumPy backend against the high-precision reference,
for every flag combination, common argument case, hyperparameter set and dtype."""

import pytest

from generated.numpy import Lamb, get
from generator.verify import testing

SPEC = testing.spec_beside(__file__, "../../specs/lamb.yaml")
FLAGS = [
    {},
]
FLAG_IDS = ("default",)
# (flags, common arguments): the default flags with every common case, the others with two
CASES = [
    pytest.param({}, "plain", id="default-plain"),
    pytest.param({}, "clipnorm", id="default-clipnorm"),
    pytest.param({}, "clipvalue", id="default-clipvalue"),
    pytest.param({}, "decay", id="default-decay"),
    pytest.param({}, "all", id="default-all"),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("hyper", ["default", "varied"])
@pytest.mark.parametrize("flags, common", CASES)
def test_numpy_matches_reference(flags, common, hyper, dtype):
    testing.check_numpy_against_reference(Lamb, SPEC, flags, common, hyper, dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("hyper", ["default", "varied"])
@pytest.mark.parametrize("flags, common", CASES)
def test_fused_c_matches_reference(flags, common, hyper, dtype):
    """fused=True: generated/cuda/*.c built with gcc, called through ctypes."""
    testing.check_numpy_against_reference(Lamb, SPEC, flags, common, hyper, dtype, fused=True)


def test_updates_in_place_and_keeps_float32():
    testing.check_in_place_and_dtype(Lamb)


def test_steps_allocate_no_arrays():
    testing.check_steps_allocate_no_arrays(Lamb)


def test_bad_gradients_change_nothing():
    testing.check_bad_gradients_change_nothing(Lamb)


def test_arguments_are_validated():
    testing.check_arguments_are_validated(Lamb, SPEC)


def test_config_round_trip():
    testing.check_config_round_trip(Lamb, SPEC)


def test_get_by_name():
    assert get("lamb") is Lamb
    assert get("Lamb") is Lamb
