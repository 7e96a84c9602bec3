# generated from specs/sgd.yaml by templates/tests/test_keras_optimizer.py.j2 — do not edit
"""SGD (specs/sgd.yaml), Keras 3 backend (the process's KERAS_BACKEND, torch unless
set): against the reference and the NumPy backend, every flag combination, common argument
case and dtype; arguments, config and serialization."""

import pytest

# imports keras on the torch backend unless KERAS_BACKEND names another; skips without keras
testing_keras = pytest.importorskip("generator.verify.testing_keras")

from generated.keras import SGD, get  # noqa: E402
from generated.numpy import SGD as NumpySGD  # noqa: E402
from generator.verify import testing  # noqa: E402

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
def test_keras_matches_reference(flags, common, hyper, dtype):
    testing_keras.check_against_reference(SGD, SPEC, flags, common, hyper, dtype)


@pytest.mark.parametrize("flags", FLAGS, ids=FLAG_IDS)
def test_keras_matches_numpy(flags):
    testing_keras.check_against_numpy(SGD, NumpySGD, flags, SPEC)


def test_arguments_are_validated():
    testing_keras.check_arguments_are_validated(SGD, SPEC)


def test_config_and_serialization_round_trip():
    testing_keras.check_config_round_trip(SGD, SPEC)


def test_get_by_name():
    assert get("sgd") is SGD
    assert get("SGD") is SGD
