# generated from specs/adafactor.yaml by templates/tests/test_optax_optimizer.py.j2 — do not edit
"""Adafactor (specs/adafactor.yaml), JAX/optax backend: ``adafactor()`` under jax.jit
against the reference and the NumPy backend, every flag combination, common argument case
and dtype (float64 under jax_enable_x64); jax.vmap; the argument checks."""

import pytest

# enables jax_enable_x64 and imports optax; skips without jax and optax
testing_optax = pytest.importorskip("generator.verify.testing_optax")

from generated.numpy import Adafactor as NumpyAdafactor  # noqa: E402
from generated.optax import adafactor, get  # noqa: E402
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
def test_optax_matches_reference(flags, common, hyper, dtype):
    testing_optax.check_against_reference(adafactor, SPEC, flags, common, hyper, dtype)


@pytest.mark.parametrize("flags", FLAGS, ids=FLAG_IDS)
def test_optax_matches_numpy(flags):
    testing_optax.check_against_numpy(adafactor, NumpyAdafactor, flags, SPEC)


def test_vmap_is_independent_runs():
    testing_optax.check_vmap_is_independent_runs(adafactor, SPEC)


def test_arguments_are_validated():
    testing_optax.check_arguments_are_validated(adafactor, SPEC)


def test_get_by_name():
    assert get("adafactor") is adafactor
