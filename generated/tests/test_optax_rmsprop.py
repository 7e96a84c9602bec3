# generated from specs/rmsprop.yaml by templates/tests/test_optax_optimizer.py.j2 — do not edit
"""RMSprop (specs/rmsprop.yaml), JAX/optax backend: ``rmsprop()`` under jax.jit
against the reference and the NumPy backend, every flag combination, common argument case
and dtype (float64 under jax_enable_x64); jax.vmap; the argument checks."""

import pytest

# enables jax_enable_x64 and imports optax; skips without jax and optax
testing_optax = pytest.importorskip("generator.verify.testing_optax")

from generated.numpy import RMSprop as NumpyRMSprop  # noqa: E402
from generated.optax import rmsprop, get  # noqa: E402
from generator.verify import testing  # noqa: E402

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
def test_optax_matches_reference(flags, common, hyper, dtype):
    testing_optax.check_against_reference(rmsprop, SPEC, flags, common, hyper, dtype)


@pytest.mark.parametrize("flags", FLAGS, ids=FLAG_IDS)
def test_optax_matches_numpy(flags):
    testing_optax.check_against_numpy(rmsprop, NumpyRMSprop, flags, SPEC)


def test_vmap_is_independent_runs():
    testing_optax.check_vmap_is_independent_runs(rmsprop, SPEC)


def test_arguments_are_validated():
    testing_optax.check_arguments_are_validated(rmsprop, SPEC)


def test_get_by_name():
    assert get("rmsprop") is rmsprop
