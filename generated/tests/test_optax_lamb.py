# generated from specs/lamb.yaml by templates/tests/test_optax_optimizer.py.j2 — do not edit
"""Lamb (specs/lamb.yaml), JAX/optax backend: ``lamb()`` under jax.jit
against the reference and the NumPy backend, every flag combination, common argument case
and dtype (float64 under jax_enable_x64); jax.vmap; the argument checks."""

import pytest

# enables jax_enable_x64 and imports optax; skips without jax and optax
testing_optax = pytest.importorskip("generator.verify.testing_optax")

from generated.numpy import Lamb as NumpyLamb  # noqa: E402
from generated.optax import lamb, get  # noqa: E402
from generator.verify import testing  # noqa: E402

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
def test_optax_matches_reference(flags, common, hyper, dtype):
    testing_optax.check_against_reference(lamb, SPEC, flags, common, hyper, dtype)


@pytest.mark.parametrize("flags", FLAGS, ids=FLAG_IDS)
def test_optax_matches_numpy(flags):
    testing_optax.check_against_numpy(lamb, NumpyLamb, flags, SPEC)


def test_vmap_is_independent_runs():
    testing_optax.check_vmap_is_independent_runs(lamb, SPEC)


def test_arguments_are_validated():
    testing_optax.check_arguments_are_validated(lamb, SPEC)


def test_get_by_name():
    assert get("lamb") is lamb
