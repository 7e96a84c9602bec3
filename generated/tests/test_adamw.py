# generated from specs/adamw.yaml by templates/tests/test_optimizer.py.j2 — do not edit
"""AdamW (specs/adamw.yaml): the NumPy backend against the high-precision reference,
for every flag combination, common argument case, hyperparameter set and dtype."""

import pytest

from generated.numpy import AdamW, get
from generator.verify import testing

SPEC = testing.spec_beside(__file__, "../../specs/adamw.yaml")
FLAGS = [
    {"amsgrad": False},
    {"amsgrad": True},
]
FLAG_IDS = ("no_amsgrad", "amsgrad")
# (flags, common arguments): the default flags with every common case, the others with two
CASES = [
    pytest.param({"amsgrad": False}, "plain", id="no_amsgrad-plain"),
    pytest.param({"amsgrad": False}, "clipnorm", id="no_amsgrad-clipnorm"),
    pytest.param({"amsgrad": False}, "clipvalue", id="no_amsgrad-clipvalue"),
    pytest.param({"amsgrad": False}, "decay", id="no_amsgrad-decay"),
    pytest.param({"amsgrad": False}, "all", id="no_amsgrad-all"),
    pytest.param({"amsgrad": True}, "plain", id="amsgrad-plain"),
    pytest.param({"amsgrad": True}, "all", id="amsgrad-all"),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("hyper", ["default", "varied"])
@pytest.mark.parametrize("flags, common", CASES)
def test_numpy_matches_reference(flags, common, hyper, dtype):
    testing.check_numpy_against_reference(AdamW, SPEC, flags, common, hyper, dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("hyper", ["default", "varied"])
@pytest.mark.parametrize("flags, common", CASES)
def test_fused_c_matches_reference(flags, common, hyper, dtype):
    """fused=True: generated/cuda/*.c built with gcc, called through ctypes."""
    testing.check_numpy_against_reference(AdamW, SPEC, flags, common, hyper, dtype, fused=True)


def test_updates_in_place_and_keeps_float32():
    testing.check_in_place_and_dtype(AdamW)


def test_steps_allocate_no_arrays():
    testing.check_steps_allocate_no_arrays(AdamW)


def test_bad_gradients_change_nothing():
    testing.check_bad_gradients_change_nothing(AdamW)


def test_arguments_are_validated():
    testing.check_arguments_are_validated(AdamW, SPEC)


def test_config_round_trip():
    testing.check_config_round_trip(AdamW, SPEC)


def test_get_by_name():
    assert get("adamw") is AdamW
    assert get("AdamW") is AdamW
