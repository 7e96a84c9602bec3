# generated from specs/sgd.yaml by templates/tests/test_optax_optimizer.py.j2 — do not edit
"""SGD (specs/sgd.yaml), JAX/optax backend: ``sgd()`` under jax.jit
against the reference and the NumPy backend, every flag combination, common argument case
and dtype (float64 under jax_enable_x64); jax.vmap; the argument checks."""

import pytest

# enables jax_enable_x64 and imports optax; skips without jax and optax
testing_optax = pytest.importorskip("generator.verify.testing_optax")

from generated.numpy import SGD as NumpySGD  # noqa: E402
from generated.optax import sgd, get  # noqa: E402
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
def test_optax_matches_reference(flags, common, hyper, dtype):
    testing_optax.check_against_reference(sgd, SPEC, flags, common, hyper, dtype)


@pytest.mark.parametrize("flags", FLAGS, ids=FLAG_IDS)
def test_optax_matches_numpy(flags):
    testing_optax.check_against_numpy(sgd, NumpySGD, flags, SPEC)


def test_vmap_is_independent_runs():
    testing_optax.check_vmap_is_independent_runs(sgd, SPEC)


def test_arguments_are_validated():
    testing_optax.check_arguments_are_validated(sgd, SPEC)


def test_get_by_name():
    assert get("sgd") is sgd
