# generated from specs/rprop.yaml by templates/tests/test_torch_optimizer.py.j2 — do not edit
"""Rprop (specs/rprop.yaml), PyTorch backend: both code paths against the reference
and the NumPy backend, every flag combination, common argument case and dtype, and the
torch.optim protocol."""

import pytest

torch = pytest.importorskip("torch")

from generated.numpy import Rprop as NumpyRprop  # noqa: E402
from generated.torch import Rprop, get  # noqa: E402
from generator.verify import testing, testing_torch  # noqa: E402

SPEC = testing.spec_beside(__file__, "../../specs/rprop.yaml")
FLAGS = [
    {},
]
FLAG_IDS = ("default",)
# (flags, common arguments): the default flags with every common case, the others with two
CASES = [
    pytest.param({}, "plain", id="default-plain"),
    pytest.param({}, "clipnorm", id="default-clipnorm"),
    pytest.param({}, "clipvalue", id="default-clipvalue"),
    pytest.param({}, "all", id="default-all"),
]


# the CUDA sources on the CPU ("shim") are compared with NumPy here and in tests/test_cuda.py
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("foreach", ["loop", "foreach", "fused"])
@pytest.mark.parametrize("hyper", ["default", "varied"])
@pytest.mark.parametrize("flags, common", CASES)
def test_torch_matches_reference(flags, common, hyper, foreach, dtype):
    testing_torch.check_against_reference(Rprop, SPEC, flags, common, hyper, dtype, foreach)


@pytest.mark.parametrize("foreach", ["loop", "foreach", "fused", "shim"])
@pytest.mark.parametrize("flags", FLAGS, ids=FLAG_IDS)
def test_torch_matches_numpy(flags, foreach):
    testing_torch.check_against_numpy(Rprop, NumpyRprop, flags, foreach, SPEC)


@pytest.mark.parametrize("path", ["foreach", "fused"])
@pytest.mark.parametrize("precision", ["int8", "bfloat16"])
@pytest.mark.parametrize(
    "flags",
    [
        {},
    ],
    ids=("default",),
)
def test_state_in_fewer_bits_steps_within_its_rounding_of_the_reference(flags, precision, path):
    testing_torch.check_stored_state_against_reference(Rprop, SPEC, flags, precision, path)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_low_precision_parameters_use_float32_arithmetic(dtype):
    testing_torch.check_low_precision(Rprop, dtype)


@pytest.mark.parametrize("flags", FLAGS, ids=FLAG_IDS)
def test_resuming_from_a_checkpoint_is_bit_exact(flags):
    testing_torch.check_resume_is_bit_exact(Rprop, flags, SPEC)


def test_lr_schedulers_drive_lr():
    testing_torch.check_scheduler_drives_lr(Rprop)


def test_param_groups_have_their_own_hyperparameters():
    testing_torch.check_param_groups(Rprop, SPEC)


def test_optimizer_protocol_and_errors():
    testing_torch.check_protocol(Rprop, SPEC)


def test_maximize():
    testing_torch.check_maximize(Rprop)


def test_get_by_name():
    assert get("rprop") is Rprop
