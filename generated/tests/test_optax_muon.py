# generated from specs/muon.yaml by templates/tests/test_optax_optimizer.py.j2 — do not edit
"""Muon (specs/muon.yaml), JAX/optax backend: ``muon()`` under jax.jit
against the reference and the NumPy backend, every flag combination, common argument case
and dtype (float64 under jax_enable_x64); jax.vmap; the argument checks."""

import pytest

# enables jax_enable_x64 and imports optax; skips without jax and optax
testing_optax = pytest.importorskip("generator.verify.testing_optax")

from generated.numpy import Muon as NumpyMuon  # noqa: E402
from generated.optax import muon, get  # noqa: E402
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
def test_optax_matches_reference(flags, common, hyper, dtype):
    testing_optax.check_against_reference(muon, SPEC, flags, common, hyper, dtype)


@pytest.mark.parametrize("flags", FLAGS, ids=FLAG_IDS)
def test_optax_matches_numpy(flags):
    testing_optax.check_against_numpy(muon, NumpyMuon, flags, SPEC)


def test_vmap_is_independent_runs():
    testing_optax.check_vmap_is_independent_runs(muon, SPEC)


def test_arguments_are_validated():
    testing_optax.check_arguments_are_validated(muon, SPEC)


def test_get_by_name():
    assert get("muon") is muon
