# generated from specs/muon.yaml by templates/tests/test_keras_optimizer.py.j2 — do not edit
"""Muon (specs/muon.yaml), Keras 3 backend (the process's KERAS_BACKEND, torch unless
set): against the reference and the NumPy backend, every flag combination, common argument
case and dtype; arguments, config and serialization."""

import pytest

# imports keras on the torch backend unless KERAS_BACKEND names another; skips without keras
testing_keras = pytest.importorskip("generator.verify.testing_keras")

from generated.keras import Muon, get  # noqa: E402
from generated.numpy import Muon as NumpyMuon  # noqa: E402
from generator.verify import testing  # noqa: E402

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
def test_keras_matches_reference(flags, common, hyper, dtype):
    testing_keras.check_against_reference(Muon, SPEC, flags, common, hyper, dtype)


@pytest.mark.parametrize("flags", FLAGS, ids=FLAG_IDS)
def test_keras_matches_numpy(flags):
    testing_keras.check_against_numpy(Muon, NumpyMuon, flags, SPEC)


def test_arguments_are_validated():
    testing_keras.check_arguments_are_validated(Muon, SPEC)


def test_config_and_serialization_round_trip():
    testing_keras.check_config_round_trip(Muon, SPEC)


def test_get_by_name():
    assert get("muon") is Muon
    assert get("Muon") is Muon
