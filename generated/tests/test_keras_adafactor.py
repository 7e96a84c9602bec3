# generated from specs/adafactor.yaml by templates/tests/test_keras_optimizer.py.j2 — do not edit
"""Adafactor (specs/adafactor.yaml), Keras 3 backend (the process's KERAS_BACKEND, torch unless
set): against the reference and the NumPy backend, every flag combination, common argument
case and dtype; arguments, config and serialization."""

import pytest

# imports keras on the torch backend unless KERAS_BACKEND names another; skips without keras
testing_keras = pytest.importorskip("generator.verify.testing_keras")

from generated.keras import Adafactor, get  # noqa: E402
from generated.numpy import Adafactor as NumpyAdafactor  # noqa: E402
from generator.verify import testing  # noqa: E402

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
def test_keras_matches_reference(flags, common, hyper, dtype):
    testing_keras.check_against_reference(Adafactor, SPEC, flags, common, hyper, dtype)


@pytest.mark.parametrize("flags", FLAGS, ids=FLAG_IDS)
def test_keras_matches_numpy(flags):
    testing_keras.check_against_numpy(Adafactor, NumpyAdafactor, flags, SPEC)


def test_arguments_are_validated():
    testing_keras.check_arguments_are_validated(Adafactor, SPEC)


def test_config_and_serialization_round_trip():
    testing_keras.check_config_round_trip(Adafactor, SPEC)


def test_get_by_name():
    assert get("adafactor") is Adafactor
    assert get("Adafactor") is Adafactor
