# generated from specs/adamw.yaml by templates/tests/test_torch_optimizer.py.j2 — do not edit
"""AdamW (specs/adamw.yaml), PyTorch backend: both code paths against the reference
and the NumPy backend, every flag combination, common argument case and dtype, and the
torch.optim protocol."""

import pytest

torch = pytest.importorskip("torch")

from generated.numpy import AdamW as NumpyAdamW  # noqa: E402
from generated.torch import AdamW, get  # noqa: E402
from generator.verify import testing, testing_torch  # noqa: E402

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


# the CUDA sources on the CPU ("shim") are compared with NumPy here and in tests/test_cuda.py
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("foreach", ["loop", "foreach", "fused"])
@pytest.mark.parametrize("hyper", ["default", "varied"])
@pytest.mark.parametrize("flags, common", CASES)
def test_torch_matches_reference(flags, common, hyper, foreach, dtype):
    testing_torch.check_against_reference(AdamW, SPEC, flags, common, hyper, dtype, foreach)


@pytest.mark.parametrize("foreach", ["loop", "foreach", "fused", "shim"])
@pytest.mark.parametrize("flags", FLAGS, ids=FLAG_IDS)
def test_torch_matches_numpy(flags, foreach):
    testing_torch.check_against_numpy(AdamW, NumpyAdamW, flags, foreach, SPEC)


@pytest.mark.parametrize("path", ["foreach", "fused"])
@pytest.mark.parametrize("precision", ["int8", "bfloat16"])
@pytest.mark.parametrize(
    "flags",
    [
        {"amsgrad": False},
        {"amsgrad": True},
    ],
    ids=("no_amsgrad", "amsgrad"),
)
def test_state_in_fewer_bits_steps_within_its_rounding_of_the_reference(flags, precision, path):
    testing_torch.check_stored_state_against_reference(AdamW, SPEC, flags, precision, path)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_low_precision_parameters_use_float32_arithmetic(dtype):
    testing_torch.check_low_precision(AdamW, dtype)


@pytest.mark.parametrize("flags", FLAGS, ids=FLAG_IDS)
def test_resuming_from_a_checkpoint_is_bit_exact(flags):
    testing_torch.check_resume_is_bit_exact(AdamW, flags, SPEC)


def test_lr_schedulers_drive_lr():
    testing_torch.check_scheduler_drives_lr(AdamW)


def test_param_groups_have_their_own_hyperparameters():
    testing_torch.check_param_groups(AdamW, SPEC)


def test_optimizer_protocol_and_errors():
    testing_torch.check_protocol(AdamW, SPEC)


def test_maximize():
    testing_torch.check_maximize(AdamW)


def test_get_by_name():
    assert get("adamw") is AdamW
