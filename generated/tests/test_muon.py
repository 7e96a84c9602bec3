# generated from specs/muon.yaml by templates/tests/test_optimizer.py.j2 — do not edit
"""Muon (specs/muon.yaml): the NumPy backend against the high-precision reference,
for every flag combination, common argument case, hyperparameter set and dtype."""

import pytest

from generated.numpy import Muon, get
from generator.verify import testing

SPEC = testing.spec_beside(__file__, "../../specs/muon.yaml")
FLAGS = [
    {"muon": True, "nesterov": False},
    {"muon": True, "nesterov": True},
]
FLAG_IDS = ("muon__no_nesterov", "muon__nesterov")
# (flags, common arguments): the default flags with every common case, the others with two
CASES = [
    pytest.param({"muon": True, "nesterov": False}, "plain", id="muon__no_nesterov-plain"),
    pytest.param({"muon": True, "nesterov": False}, "all", id="muon__no_nesterov-all"),
    pytest.param({"muon": True, "nesterov": True}, "plain", id="muon__nesterov-plain"),
    pytest.param({"muon": True, "nesterov": True}, "clipnorm", id="muon__nesterov-clipnorm"),
    pytest.param({"muon": True, "nesterov": True}, "clipvalue", id="muon__nesterov-clipvalue"),
    pytest.param({"muon": True, "nesterov": True}, "decay", id="muon__nesterov-decay"),
    pytest.param({"muon": True, "nesterov": True}, "all", id="muon__nesterov-all"),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("hyper", ["default", "varied"])
@pytest.mark.parametrize("flags, common", CASES)
def test_numpy_matches_reference(flags, common, hyper, dtype):
    testing.check_numpy_against_reference(Muon, SPEC, flags, common, hyper, dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("hyper", ["default", "varied"])
@pytest.mark.parametrize("flags, common", CASES)
def test_fused_c_matches_reference(flags, common, hyper, dtype):
    """fused=True: generated/cuda/*.c built with gcc, called through ctypes."""
    testing.check_numpy_against_reference(Muon, SPEC, flags, common, hyper, dtype, fused=True)


def test_updates_in_place_and_keeps_float32():
    testing.check_in_place_and_dtype(Muon)


def test_steps_allocate_no_arrays():
    testing.check_steps_allocate_no_arrays(Muon)


def test_bad_gradients_change_nothing():
    testing.check_bad_gradients_change_nothing(Muon)


def test_arguments_are_validated():
    testing.check_arguments_are_validated(Muon, SPEC)


def test_config_round_trip():
    testing.check_config_round_trip(Muon, SPEC)


def test_get_by_name():
    assert get("muon") is Muon
    assert get("Muon") is Muon
