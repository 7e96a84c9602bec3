# generated from specs/adamw.yaml by templates/tests/test_keras_optimizer.py.j2 — do not edit
"""AdamW (specs/adamw.yaml), Keras 3 backend (the process's KERAS_BACKEND, torch unless
set): against the reference and the NumPy backend, every flag combination, common argument
case and dtype; arguments, config and serialization."""

import pytest

# imports keras on the torch backend unless KERAS_BACKEND names another; skips without keras
testing_keras = pytest.importorskip("generator.verify.testing_keras")

from generated.keras import AdamW, get  # noqa: E402
from generated.numpy import AdamW as NumpyAdamW  # noqa: E402
from generator.verify import testing  # noqa: E402

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
def test_keras_matches_reference(flags, common, hyper, dtype):
    testing_keras.check_against_reference(AdamW, SPEC, flags, common, hyper, dtype)


@pytest.mark.parametrize("flags", FLAGS, ids=FLAG_IDS)
def test_keras_matches_numpy(flags):
    testing_keras.check_against_numpy(AdamW, NumpyAdamW, flags, SPEC)


def test_arguments_are_validated():
    testing_keras.check_arguments_are_validated(AdamW, SPEC)


def test_config_and_serialization_round_trip():
    testing_keras.check_config_round_trip(AdamW, SPEC)


def test_get_by_name():
    assert get("adamw") is AdamW
    assert get("AdamW") is AdamW
