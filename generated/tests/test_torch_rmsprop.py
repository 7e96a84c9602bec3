# generated from specs/rmsprop.yaml by templates/tests/test_torch_optimizer.py.j2 — do not edit
"""RMSprop (specs/rmsprop.yaml), PyTorch backend: both code paths against the reference
and the NumPy backend, every flag combination, common argument case and dtype, and the
torch.optim protocol."""

import pytest

torch = pytest.importorskip("torch")

from generated.numpy import RMSprop as NumpyRMSprop  # noqa: E402
from generated.torch import RMSprop, get  # noqa: E402
from generator.verify import testing, testing_torch  # noqa: E402

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


# the CUDA sources on the CPU ("shim") are compared with NumPy here and in tests/test_cuda.py
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("foreach", ["loop", "foreach", "fused"])
@pytest.mark.parametrize("hyper", ["default", "varied"])
@pytest.mark.parametrize("flags, common", CASES)
def test_torch_matches_reference(flags, common, hyper, foreach, dtype):
    testing_torch.check_against_reference(RMSprop, SPEC, flags, common, hyper, dtype, foreach)


@pytest.mark.parametrize("foreach", ["loop", "foreach", "fused", "shim"])
@pytest.mark.parametrize("flags", FLAGS, ids=FLAG_IDS)
def test_torch_matches_numpy(flags, foreach):
    testing_torch.check_against_numpy(RMSprop, NumpyRMSprop, flags, foreach, SPEC)


@pytest.mark.parametrize("path", ["foreach", "fused"])
@pytest.mark.parametrize("precision", ["int8", "bfloat16"])
@pytest.mark.parametrize(
    "flags",
    [
        {"centered": False, "momentum_on": False},
        {"centered": False, "momentum_on": True},
    ],
    ids=("no_centered__no_momentum_on", "no_centered__momentum_on"),
)
def test_state_in_fewer_bits_steps_within_its_rounding_of_the_reference(flags, precision, path):
    testing_torch.check_stored_state_against_reference(RMSprop, SPEC, flags, precision, path)


@pytest.mark.parametrize("precision", ["int8", "bfloat16"])
@pytest.mark.parametrize(
    "flags",
    [
        {"centered": True, "momentum_on": False},
        {"centered": True, "momentum_on": True},
    ],
    ids=("centered__no_momentum_on", "centered__momentum_on"),
)
def test_state_in_fewer_bits_is_refused_where_a_relation_of_states_keeps_a_root_real(
    flags, precision
):
    testing_torch.check_stored_state_refused(RMSprop, SPEC, flags, precision)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_low_precision_parameters_use_float32_arithmetic(dtype):
    testing_torch.check_low_precision(RMSprop, dtype)


@pytest.mark.parametrize("flags", FLAGS, ids=FLAG_IDS)
def test_resuming_from_a_checkpoint_is_bit_exact(flags):
    testing_torch.check_resume_is_bit_exact(RMSprop, flags, SPEC)


def test_lr_schedulers_drive_lr():
    testing_torch.check_scheduler_drives_lr(RMSprop)


def test_param_groups_have_their_own_hyperparameters():
    testing_torch.check_param_groups(RMSprop, SPEC)


def test_optimizer_protocol_and_errors():
    testing_torch.check_protocol(RMSprop, SPEC)


def test_maximize():
    testing_torch.check_maximize(RMSprop)


def test_get_by_name():
    assert get("rmsprop") is RMSprop
