# generated from specs/adamw.yaml by templates/tests/test_optax_optimizer.py.j2 — do not edit
"""AdamW (specs/adamw.yaml), JAX/optax backend: ``adamw()`` under jax.jit
against the reference and the NumPy backend, every flag combination, common argument case
and dtype (float64 under jax_enable_x64); jax.vmap; the argument checks."""

import pytest

# enables jax_enable_x64 and imports optax; skips without jax and optax
testing_optax = pytest.importorskip("generator.verify.testing_optax")

from generated.numpy import AdamW as NumpyAdamW  # noqa: E402
from generated.optax import adamw, get  # noqa: E402
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
def test_optax_matches_reference(flags, common, hyper, dtype):
    testing_optax.check_against_reference(adamw, SPEC, flags, common, hyper, dtype)


@pytest.mark.parametrize("flags", FLAGS, ids=FLAG_IDS)
def test_optax_matches_numpy(flags):
    testing_optax.check_against_numpy(adamw, NumpyAdamW, flags, SPEC)


def test_vmap_is_independent_runs():
    testing_optax.check_vmap_is_independent_runs(adamw, SPEC)


def test_arguments_are_validated():
    testing_optax.check_arguments_are_validated(adamw, SPEC)


def test_get_by_name():
    assert get("adamw") is adamw
