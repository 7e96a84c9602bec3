# generated from specs/muon.yaml by templates/tests/test_torch_optimizer.py.j2 — do not edit
"""Muon (specs/muon.yaml), PyTorch backend: both code paths against the reference
and the NumPy backend, every flag combination, common argument case and dtype, and the
torch.optim protocol."""

import pytest

torch = pytest.importorskip("torch")

from generated.numpy import Muon as NumpyMuon  # noqa: E402
from generated.torch import Muon, get  # noqa: E402
from generator.verify import testing, testing_torch  # noqa: E402

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


# the CUDA sources on the CPU ("shim") are compared with NumPy here and in tests/test_cuda.py
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("foreach", ["loop", "foreach", "fused"])
@pytest.mark.parametrize("hyper", ["default", "varied"])
@pytest.mark.parametrize("flags, common", CASES)
def test_torch_matches_reference(flags, common, hyper, foreach, dtype):
    testing_torch.check_against_reference(Muon, SPEC, flags, common, hyper, dtype, foreach)


@pytest.mark.parametrize("foreach", ["loop", "foreach", "fused", "shim"])
@pytest.mark.parametrize("flags", FLAGS, ids=FLAG_IDS)
def test_torch_matches_numpy(flags, foreach):
    testing_torch.check_against_numpy(Muon, NumpyMuon, flags, foreach, SPEC)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_low_precision_parameters_use_float32_arithmetic(dtype):
    testing_torch.check_low_precision(Muon, dtype)


@pytest.mark.parametrize("flags", FLAGS, ids=FLAG_IDS)
def test_resuming_from_a_checkpoint_is_bit_exact(flags):
    testing_torch.check_resume_is_bit_exact(Muon, flags, SPEC)


def test_lr_schedulers_drive_lr():
    testing_torch.check_scheduler_drives_lr(Muon)


def test_param_groups_have_their_own_hyperparameters():
    testing_torch.check_param_groups(Muon, SPEC)


def test_optimizer_protocol_and_errors():
    testing_torch.check_protocol(Muon, SPEC)


def test_maximize():
    testing_torch.check_maximize(Muon)


def test_get_by_name():
    assert get("muon") is Muon
