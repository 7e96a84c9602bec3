# generated from specs/rmsprop.yaml by templates/tests/test_optimizer.py.j2 — do not edit
"""RMSprop (specs/rmsprop.yaml): the NumPy backend against the high-precision reference,
for every flag combination, common argument case, hyperparameter set and dtype."""

import pytest

from generated.numpy import RMSprop, get
from generator.verify import testing

SPEC = testing.spec_beside(__file__, "../../specs/rmsprop.yaml")
FLAGS = [
    {"centered": False, "momentum_on": False},
    {"centered": False, "momentum_on": True},
    {"centered": True, "momentum_on": False},
    {"centered": True, "momentum_on": True},
]
FLAG_IDS = (
    "no_centered__no_momentum_on",
    "no_centered__momentum_on",
    "centered__no_momentum_on",
    "centered__momentum_on",
)
# (flags, common arguments): the default flags with every common case, the others with two
CASES = [
    pytest.param(
        {"centered": False, "momentum_on": False}, "plain", id="no_centered__no_momentum_on-plain"
    ),
    pytest.param(
        {"centered": False, "momentum_on": False},
        "clipnorm",
        id="no_centered__no_momentum_on-clipnorm",
    ),
    pytest.param(
        {"centered": False, "momentum_on": False},
        "clipvalue",
        id="no_centered__no_momentum_on-clipvalue",
    ),
    pytest.param(
        {"centered": False, "momentum_on": False}, "decay", id="no_centered__no_momentum_on-decay"
    ),
    pytest.param(
        {"centered": False, "momentum_on": False}, "all", id="no_centered__no_momentum_on-all"
    ),
    pytest.param(
        {"centered": False, "momentum_on": True}, "plain", id="no_centered__momentum_on-plain"
    ),
    pytest.param(
        {"centered": False, "momentum_on": True}, "all", id="no_centered__momentum_on-all"
    ),
    pytest.param(
        {"centered": True, "momentum_on": False}, "plain", id="centered__no_momentum_on-plain"
    ),
    pytest.param(
        {"centered": True, "momentum_on": False}, "all", id="centered__no_momentum_on-all"
    ),
    pytest.param(
        {"centered": True, "momentum_on": True}, "plain", id="centered__momentum_on-plain"
    ),
    pytest.param({"centered": True, "momentum_on": True}, "all", id="centered__momentum_on-all"),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("hyper", ["default", "varied"])
@pytest.mark.parametrize("flags, common", CASES)
def test_numpy_matches_reference(flags, common, hyper, dtype):
    testing.check_numpy_against_reference(RMSprop, SPEC, flags, common, hyper, dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("hyper", ["default", "varied"])
@pytest.mark.parametrize("flags, common", CASES)
def test_fused_c_matches_reference(flags, common, hyper, dtype):
    """fused=True: generated/cuda/*.c built with gcc, called through ctypes."""
    testing.check_numpy_against_reference(RMSprop, SPEC, flags, common, hyper, dtype, fused=True)


def test_updates_in_place_and_keeps_float32():
    testing.check_in_place_and_dtype(RMSprop)


def test_steps_allocate_no_arrays():
    testing.check_steps_allocate_no_arrays(RMSprop)


def test_bad_gradients_change_nothing():
    testing.check_bad_gradients_change_nothing(RMSprop)


def test_arguments_are_validated():
    testing.check_arguments_are_validated(RMSprop, SPEC)


def test_config_round_trip():
    testing.check_config_round_trip(RMSprop, SPEC)


def test_get_by_name():
    assert get("rmsprop") is RMSprop
    assert get("RMSprop") is RMSprop
