# generated from specs/adafactor.yaml by templates/tests/test_optimizer.py.j2 — do not edit
"""Adafactor (specs/adafactor.yaml): the NumPy backend against the high-precision reference,
for every flag combination, common argument case, hyperparameter set and dtype."""

import pytest

from generated.numpy import Adafactor, get
from generator.verify import testing

SPEC = testing.spec_beside(__file__, "../../specs/adafactor.yaml")
FLAGS = [
    {"factored": True},
]
FLAG_IDS = ("factored",)
# (flags, common arguments): the default flags with every common case, the others with two
CASES = [
    pytest.param({"factored": True}, "plain", id="factored-plain"),
    pytest.param({"factored": True}, "clipnorm", id="factored-clipnorm"),
    pytest.param({"factored": True}, "clipvalue", id="factored-clipvalue"),
    pytest.param({"factored": True}, "decay", id="factored-decay"),
    pytest.param({"factored": True}, "all", id="factored-all"),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("hyper", ["default", "varied"])
@pytest.mark.parametrize("flags, common", CASES)
def test_numpy_matches_reference(flags, common, hyper, dtype):
    testing.check_numpy_against_reference(Adafactor, SPEC, flags, common, hyper, dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("hyper", ["default", "varied"])
@pytest.mark.parametrize("flags, common", CASES)
def test_fused_c_matches_reference(flags, common, hyper, dtype):
    """fused=True: generated/cuda/*.c built with gcc, called through ctypes."""
    testing.check_numpy_against_reference(Adafactor, SPEC, flags, common, hyper, dtype, fused=True)


def test_updates_in_place_and_keeps_float32():
    testing.check_in_place_and_dtype(Adafactor)


def test_steps_allocate_no_arrays():
    testing.check_steps_allocate_no_arrays(Adafactor)


def test_bad_gradients_change_nothing():
    testing.check_bad_gradients_change_nothing(Adafactor)


def test_arguments_are_validated():
    testing.check_arguments_are_validated(Adafactor, SPEC)


def test_config_round_trip():
    testing.check_config_round_trip(Adafactor, SPEC)


def test_get_by_name():
    assert get("adafactor") is Adafactor
    assert get("Adafactor") is Adafactor
