"""fused=True on the CPU checks the common case in C++ (torch/_fused_table.cpp, issue 16:
per-step work that does not grow with Python calls per tensor). The C++ table only ever
accepts: every case it does not take goes down the Python path, which checks, copies or
refuses it as before. Shown here: the C++ path is taken and gives the Python path's numbers
bit for bit, it declines every case outside it, hostile changes between steps never crash
the process, and a machine where it cannot be built still steps (with a warning)."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

import generated.torch as G  # noqa: E402
import generated.torch._runtime as runtime  # noqa: E402
from generated import _native  # noqa: E402
from generated._kernel_layout import CHUNK  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PLAIN = (torch.Tensor, torch.nn.Parameter)


@pytest.fixture(scope="module")
def extension():
    try:
        _native.library("adam", "cpu", None)
        return _native.torch_extension()
    except _native.NativeBuildError as error:  # pragma: no cover - a machine without g++
        pytest.skip(str(error))


def params_with_grads(dtype=torch.float32, sizes=(3, 7000, 0, 20000), seed=0):
    gen = torch.Generator().manual_seed(seed)
    params = [torch.nn.Parameter(torch.randn(n, generator=gen, dtype=dtype)) for n in sizes]
    for p in params:
        p.grad = torch.randn(p.shape, generator=gen, dtype=dtype)
    return params


def regrad(params, seed):
    gen = torch.Generator().manual_seed(seed)
    for p in params:
        p.grad = torch.randn(p.shape, generator=gen, dtype=p.dtype)


CASES = [
    ("adam", {}),
    ("adam", {"amsgrad": True, "clipnorm": 0.5, "decay": 0.01}),
    ("sgd", {"momentum": 0.9, "nesterov": True, "clipvalue": 0.1}),
    ("sgd", {"maximize": True}),
] + [
    (name, {})
    for name in G.OPTIMIZERS
    if name not in ("adam", "sgd")  # every spec, Lamb's per-tensor norms included
]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("name, options", CASES, ids=lambda c: str(c))
def test_the_cpp_table_is_taken_and_equals_the_python_path_bit_for_bit(
    extension, monkeypatch, name, options, dtype
):
    fast_equals_python(monkeypatch, "_problem", G.OPTIMIZERS[name], dtype, fused=True, **options)


def fast_equals_python(monkeypatch, python_check, cls, dtype=torch.float32, **options):
    """Four steps of two optimizers on the same numbers, one through the C++ checks and one
    with them unavailable: the first step (state made) and every step of the second go
    through ``python_check``; the results are equal bit for bit."""
    checked = []
    problem = getattr(runtime, python_check)
    monkeypatch.setattr(runtime, python_check, lambda *a: checked.append(1) or problem(*a))
    fast, slow = params_with_grads(dtype), params_with_grads(dtype)
    opt_fast, opt_slow = cls(fast, **options), cls(slow, **options)
    for seed in range(4):
        regrad(fast, seed)
        regrad(slow, seed)
        opt_fast.step()
        if seed == 0:
            assert checked, "the first step makes the state: the Python path"
        else:
            assert not checked, "a step with state in place is checked in C++"
        with monkeypatch.context() as python_only:
            python_only.setattr(runtime, "_table_extension", lambda: None)
            opt_slow.step()
        checked.clear()
    for a, b in zip(fast, slow):
        assert torch.equal(a, b)
        assert sorted(opt_fast.state[a]) == sorted(opt_slow.state[b])
        for key, value in opt_fast.state[a].items():
            assert torch.equal(value, opt_slow.state[b][key]), key


def state_for(params, names=("m", "v")):
    return {p: {s: torch.zeros_like(p) for s in names} for p in params}


def test_the_table_is_laid_out_as_the_python_table(extension):
    params = params_with_grads(sizes=(5, CHUNK + 1, 0, 3 * CHUNK))
    state = state_for(params)
    table, n_chunks, dtype, distinct, keep, witness = extension.table(params, state, ("m", "v"), PLAIN, CHUNK)
    assert extension.recheck(keep, witness)
    held = {id(t) for t in keep}
    assert all(id(t) in held for p in params for t in (p, p.grad, *state[p].values()))
    assert distinct
    pointers = [
        t.data_ptr() for p in params for t in (p, p.grad, state[p]["m"], state[p]["v"])
    ]
    expected, chunks = _native.table(pointers, [p.numel() for p in params])
    assert isinstance(table, bytearray) and bytes(table) == expected.tobytes()
    assert (n_chunks, dtype) == (chunks, "float32") == (1 + 2 + 0 + 3, "float32")
    assert extension.table([], {}, ("m",), PLAIN, CHUNK)[1:] == (0, "", True, [], bytearray())
    state[params[1]]["v"].untyped_storage().resize_(0)  # what a mode could do before the kernel
    assert not extension.recheck(keep, witness)


def test_parameters_sharing_a_storage_are_not_distinct(extension):
    base = torch.randn(40)
    params = [torch.nn.Parameter(base[:20]), torch.nn.Parameter(base[10:30])]
    for p in params:
        p.grad = torch.randn(20)
    found = extension.table(params, state_for(params), ("m", "v"), PLAIN, CHUNK)
    assert found is not None and found[3] is False, "taken, but batches must not reorder them"


class Sub(torch.Tensor):
    pass


def declined_cases():
    """(what, params, state): each is outside the C++ path, so table() returns None."""

    def base():
        params = params_with_grads(sizes=(10, 12))
        return params, state_for(params)

    cases = []

    params, state = base()
    cases.append(("no state yet (the first step)", params, {}))
    params, state = base()
    del state[params[1]]["v"]
    cases.append(("a state key missing", params, state))
    params, state = base()
    state[params[0]]["extra"] = torch.zeros(10)
    cases.append(("an extra state key", params, state))
    params, state = base()
    state[params[0]]["m"] = torch.zeros(10, dtype=torch.float64)
    cases.append(("state of another dtype", params, state))
    params, state = base()
    state[params[0]]["m"] = torch.zeros(20)[::2]
    cases.append(("a strided state view", params, state))
    params, state = base()
    state[params[0]]["m"] = torch.zeros(1).expand(10)
    cases.append(("an expanded state tensor", params, state))
    params, state = base()
    state[params[0]]["m"] = torch.zeros(11)
    cases.append(("state of another shape", params, state))
    params, state = base()
    state[params[0]]["m"] = torch.zeros(10).as_subclass(Sub)
    cases.append(("a state subclass", params, state))
    params, state = base()
    state[params[0]]["m"] = 0.0
    cases.append(("state that is no tensor", params, state))
    params, state = base()
    state[params[1]]["v"].untyped_storage().resize_(0)
    cases.append(("a state storage shrunk", params, state))
    params, state = base()
    params[0].untyped_storage().resize_(8)
    cases.append(("a parameter storage shrunk", params, state))
    params, state = base()
    params[0].grad = torch._neg_view(torch.randn(10))
    cases.append(("a lazily negated gradient", params, state))
    params, state = base()
    params[0].grad = torch.randn(20)[::2]
    cases.append(("a strided gradient", params, state))
    params, state = base()
    params[0].grad_dtype = None  # torch refuses such a gradient unless told
    params[0].grad = torch.randn(10, dtype=torch.float64)
    cases.append(("a gradient of another dtype", params, state))
    params, state = base()
    params[0].grad = torch.randn(10).as_subclass(Sub)
    cases.append(("a gradient subclass", params, state))
    params, state = base()
    params[0].grad = None
    cases.append(("no gradient", params, state))
    params = params_with_grads(sizes=(10,)) + params_with_grads(torch.float64, sizes=(10,))
    cases.append(("parameters of two dtypes", params, state_for(params)))
    params = params_with_grads(torch.float16, sizes=(10,))
    cases.append(("float16 parameters", params, state_for(params)))
    params = params_with_grads(torch.bfloat16, sizes=(10,))
    cases.append(("bfloat16 parameters", params, state_for(params)))
    params = [torch.nn.Parameter(torch.randn(4, 6).t())]
    params[0].grad = torch.randn(6, 4)
    cases.append(("a transposed parameter", params, state_for(params)))
    params = [torch.nn.Parameter(torch.randn(10).as_subclass(Sub))]
    params[0].grad = torch.randn(10)
    cases.append(("a parameter subclass", params, state_for(params)))
    params = [torch.randn(10, device="meta", requires_grad=True)]
    params[0].grad = torch.randn(10, device="meta")
    cases.append(("meta tensors", params, state_for(params)))
    params = [torch.randn(10, dtype=torch.complex64, requires_grad=True)]
    params[0].grad = torch.randn(10, dtype=torch.complex64)
    cases.append(("complex tensors", params, state_for(params)))
    params, state = base()
    state[params[1]] = type("D", (dict,), {})(state[params[1]])  # it could run code
    cases.append(("state held in a dict subclass", params, state))
    params, state = base()
    params.append("not a tensor")
    cases.append(("something else in the list", params, state))
    params, state = base()
    state[params[0]] = {type("S", (str,), {})("m"): state[params[0]]["m"], "v": state[params[0]]["v"]}
    cases.append(("a state key of a str subclass (its __eq__ could run code)", params, state))
    params, state = base()
    state[params[0]] = {1: state[params[0]]["m"], "v": state[params[0]]["v"]}
    cases.append(("a state key that is no str", params, state))
    params, state = base()
    state[params[0]]["m"] = torch._to_functional_tensor(state[params[0]]["m"])
    cases.append(("a functional state tensor (no memory of its own)", params, state))
    params, state = base()
    with torch.inference_mode():
        state[params[0]]["m"] = torch.zeros(10)
    cases.append(("an inference tensor", params, state))
    return cases


@pytest.mark.parametrize("index", range(len(declined_cases())))
def test_every_case_outside_the_cpp_path_is_declined(extension, index):
    what, params, state = declined_cases()[index]
    assert extension.table(params, state, ("m", "v"), PLAIN, CHUNK) is None, what


def test_bad_arguments_are_errors_not_crashes(extension):
    params = params_with_grads(sizes=(4,))
    state = state_for(params)
    for args in [
        (tuple(params), state, ("m", "v"), PLAIN, CHUNK),
        (params, list(state), ("m", "v"), PLAIN, CHUNK),
        (params, state, ["m", "v"], PLAIN, CHUNK),
        (params, state, ("m", "v"), list(PLAIN), CHUNK),
        (params, state, ("m", "v"), PLAIN, 1.5),
        (params, state, ("m",), PLAIN),
    ]:
        with pytest.raises(TypeError):
            extension.table(*args)
    with pytest.raises(ValueError):
        extension.table(params, state, ("m", "v"), PLAIN, 0)
    with pytest.raises(TypeError):
        extension.table(params, state, (b"m", "v"), PLAIN, CHUNK)
    with pytest.raises(TypeError):
        extension.recheck([params[0]], bytearray(8))  # a witness of another length
    with pytest.raises(TypeError):
        extension.recheck(tuple(params), bytearray(24))
    assert extension.recheck(["not a tensor"], bytearray(24)) is False


HOSTILE = r"""
import torch, generated.torch as G
torch.manual_seed(0)
done = 0
for case in range(CASES):
    params = [torch.nn.Parameter(torch.randn(n)) for n in (5, 9000, 17)]
    for p in params:
        p.grad = torch.randn(p.shape)
    opt = G.Adam(params, fused=True)
    opt.step()
    p = params[case % 3]
    state = opt.state[p]
    change = case % 11
    if change == 0:
        state["m"].untyped_storage().resize_(0)
    elif change == 1:
        p.untyped_storage().resize_(4)
    elif change == 2:
        state["v"] = torch.zeros(1).expand(p.shape)
    elif change == 3:
        p.grad = torch.randn(p.numel() * 2)[::2]
    elif change == 4:
        p.grad_dtype = None
        p.data = torch.randn(p.numel(), dtype=torch.float64)
        p.grad = torch.randn(p.numel(), dtype=torch.float64)
    elif change == 5:
        state["m"].resize_(1)
    elif change == 6:
        p.grad = torch._neg_view(p.grad.clone())
    elif change == 7:
        state["m"] = state["m"].view(torch.int32)
    elif change == 8:
        state.clear()
    elif change == 9:
        opt.state[p] = {"m": state["m"], "v": state["v"].double()}
    elif change == 10:
        p.grad.untyped_storage().resize_(0)
    try:
        opt.step()
    except (RuntimeError, TypeError, ValueError):
        pass
    done += 1
print("survived", done)
"""


def test_hostile_changes_between_steps_never_crash_the_process(extension):
    """Each change would hand a kernel memory it must not touch, were it not checked; a
    signal would end the child, so it runs in its own process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = HOSTILE.replace("CASES", "44")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "survived 44" in done.stdout


REENTRY = r"""
import sys, threading, time, torch, warnings
from torch.overrides import TorchFunctionMode
import generated.torch as G, generated.torch._runtime as R
warnings.simplefilter("ignore")
if sys.argv[1] == "python":
    R._table_extension = lambda: None
N = 1 << 21  # large enough to be freed by munmap: a stale pointer faults
def made(groups=False):
    params = [torch.nn.Parameter(torch.randn(N)) for _ in range(4)]
    for p in params:
        p.grad = torch.randn(N)
    opt = G.Adam([{"params": params[:2]}, {"params": params[2:]}] if groups else params[:2], fused=True)
    opt.step()
    return params, opt

# a state key whose __eq__ replaces another parameter's state in the middle of the checks
params, opt = made()
armed = [True]
class S(str):
    __hash__ = str.__hash__
    def __eq__(self, other):
        if armed and armed.pop():
            opt.state[params[0]] = {"m": torch.zeros(N), "v": torch.zeros(N)}
        return str.__eq__(self, other)
opt.state[params[1]] = {S(k): v for k, v in opt.state[params[1]].items()}
opt.step()

# a TorchFunctionMode that replaces a state while the step reads a gradient
params, opt = made()
class Mode(TorchFunctionMode):
    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func == torch.Tensor.grad.__get__ and args[0] is params[1]:
            opt.state[params[0]] = {"m": torch.zeros(N), "v": torch.zeros(N)}
        return func(*args, **(kwargs or {}))
with Mode():
    opt.step()

# another thread replacing state tensors while steps run (ctypes releases the GIL)
params, opt = made(groups=True)
sys.setswitchinterval(1e-6)
stop = []
def churn():
    while not stop:
        for p in params:
            opt.state[p] = {"m": torch.zeros(N), "v": torch.zeros(N)}
thread = threading.Thread(target=churn)
thread.start()
start, steps = time.time(), 0
try:
    while time.time() - start < 2:
        opt.step()
        steps += 1
finally:
    stop.append(1)
    thread.join()
print("survived", steps)
"""


@pytest.mark.parametrize("path", ["cpp", "python"])
def test_code_that_runs_during_a_step_cannot_free_what_its_table_points_to(extension, path):
    """A state key's __eq__, a TorchFunctionMode reading p.grad and another thread can all run
    Python code during a step: the C++ checks run none (and hold every tensor until the
    kernel returns), the Python path holds every tensor too. A signal would end the child."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", REENTRY, path], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "survived" in done.stdout


def test_a_machine_that_cannot_build_it_steps_in_python_with_a_warning(extension, monkeypatch):
    def no_compiler():
        raise _native.NativeBuildError("g++ is not on PATH (in this test)")

    monkeypatch.setattr(_native, "torch_extension", no_compiler)
    runtime._table_extension.cache_clear()
    try:
        params, reference = params_with_grads(), params_with_grads()
        opt, ref = G.Adam(params, fused=True), G.Adam(reference, foreach=False)
        with pytest.warns(RuntimeWarning, match="steps check each tensor in Python.*g\\+\\+ is not on PATH"):
            for _ in range(2):
                opt.step()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # warned once, not every step
            opt.step()
        for _ in range(3):
            ref.step()
        for a, b in zip(params, reference):
            torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)
    finally:
        monkeypatch.undo()
        runtime._table_extension.cache_clear()


# ------------------------------------------------- state stored in fewer bits (issue 17)

STORED_CASES = [
    ("adam", "int8", {}),
    ("adam", "bfloat16", {"clipnorm": 0.5, "maximize": True}),
    ("adam", "int8", {"amsgrad": True, "clipvalue": 0.1}),
    ("sgd", "int8", {"momentum": 0.9}),
    ("lion", "bfloat16", {}),
    ("adadelta", "int8", {}),
]


@pytest.mark.parametrize("name, precision, options", STORED_CASES, ids=lambda c: str(c))
def test_the_cpp_stored_table_is_taken_and_equals_the_python_path_bit_for_bit(
    extension, monkeypatch, name, precision, options
):
    """Tensors of 3, 7000, 0 and 20000 elements: under int8 the small ones keep float32 state
    (the second table), the others int8 codes; the rounding keys count the first table's."""
    kwargs = dict(fused=True, state_precision=precision, **options)
    fast_equals_python(monkeypatch, "_stored_problem", G.OPTIMIZERS[name], **kwargs)


def stored_state_for(params, precision="int8"):
    """Adam's state in the layout of ``precision``: m signed, v unsigned, a scale per block."""
    from generated.torch import _state_precision as Q

    state = {}
    for p in params:
        if precision == "bfloat16":
            state[p] = {s: torch.zeros(p.shape, dtype=torch.bfloat16) for s in ("m", "v")}
        elif p.numel() < Q.MIN_INT8_NUMEL:
            state[p] = {s: torch.zeros_like(p) for s in ("m", "v")}
        else:
            blocks = Q.n_blocks(p.numel())
            state[p] = {
                "m": torch.zeros(p.shape, dtype=torch.int8),
                "m.absmax": torch.zeros(blocks),
                "v": torch.zeros(p.shape, dtype=torch.uint8),
                "v.absmax": torch.zeros(blocks),
            }
    return state


def stored_table(extension, params, state, precision="int8"):
    from generated.torch import _state_precision as Q

    if precision == "int8":
        layout = (("m.absmax", "v.absmax"), (torch.int8, torch.uint8), Q.MIN_INT8_NUMEL)
    else:
        layout = ((), (torch.bfloat16, torch.bfloat16), 0)
    scales, codes, smallest = layout
    return extension.stored_table(params, state, ("m", "v"), scales, codes, PLAIN, CHUNK, Q.BLOCK, smallest)


@pytest.mark.parametrize("precision", ["int8", "bfloat16"])
def test_the_stored_tables_are_laid_out_as_the_python_tables(extension, precision):
    params = params_with_grads(sizes=(5, CHUNK + 1, 0, 3 * CHUNK))
    state = stored_state_for(params, precision)
    (stored, n, chunks), (plain, n_plain, plain_chunks), keep, witness = stored_table(
        extension, params, state, precision
    )
    assert extension.recheck(keep, witness)
    held = {id(t) for t in keep}
    assert all(id(t) in held for p in params for t in (p, p.grad, *state[p].values()))
    in_codes = [precision == "bfloat16" or p.numel() >= 4096 for p in params]
    fewer = [p for p, c in zip(params, in_codes) if c]
    rows = [[p, p.grad, *state[p].values()] for p in fewer]  # m, m.absmax, v, v.absmax
    expected, expected_chunks = _native.table([t.data_ptr() for r in rows for t in r], [p.numel() for p in fewer])
    assert bytes(stored) == expected.tobytes() and (n, chunks) == (len(fewer), expected_chunks)
    rest = [p for p, c in zip(params, in_codes) if not c]
    if rest:
        expected, expected_chunks = _native.table(
            [t.data_ptr() for p in rest for t in (p, p.grad, state[p]["m"], state[p]["v"])],
            [p.numel() for p in rest],
        )
        assert bytes(plain) == expected.tobytes() and (n_plain, plain_chunks) == (len(rest), expected_chunks)
    else:
        assert (n_plain, plain_chunks) == (0, 0)


def stored_declined_cases():
    """(what, params, state): each is outside the C++ path, so stored_table() returns None."""

    def base():
        params = params_with_grads(sizes=(10, 5000))
        return params, stored_state_for(params)

    cases = []
    params, state = base()
    cases.append(("no state yet (the first step)", params, {}))
    params, state = base()
    del state[params[1]]["v.absmax"]
    cases.append(("a scale missing", params, state))
    params, state = base()
    state[params[1]]["m"] = state[params[1]]["m"].to(torch.uint8)
    cases.append(("signed codes stored unsigned", params, state))
    params, state = base()
    state[params[1]]["v.absmax"] = torch.zeros(19)
    cases.append(("one scale short", params, state))
    params, state = base()
    state[params[1]]["v.absmax"] = torch.zeros(40)[::2]
    cases.append(("strided scales", params, state))
    params, state = base()
    state[params[1]]["m.absmax"] = torch.zeros(20, dtype=torch.float64)
    cases.append(("float64 scales", params, state))
    params, state = base()
    state[params[1]]["m"] = torch.zeros(10000, dtype=torch.int8)[::2]
    cases.append(("strided codes", params, state))
    params, state = base()
    state[params[1]] = {"m": torch.zeros(5000), "v": torch.zeros(5000)}
    cases.append(("float32 state on a tensor int8 stores in codes", params, state))
    params, state = base()
    codes = {"m": torch.int8, "m.absmax": torch.float32, "v": torch.uint8, "v.absmax": torch.float32}
    state[params[0]] = {k: torch.zeros(10 if "absmax" not in k else 1, dtype=d) for k, d in codes.items()}
    cases.append(("codes on a tensor too small for them", params, state))
    params, state = base()
    state[params[1]]["extra"] = torch.zeros(5000)
    cases.append(("an extra state key", params, state))
    params, state = base()
    state[params[1]]["m"].untyped_storage().resize_(0)
    cases.append(("a code storage shrunk", params, state))
    params, state = base()
    state[params[1]]["v"] = state[params[1]]["m"].view(torch.uint8)
    cases.append(("two states sharing a storage", params, state))
    params = params_with_grads(torch.float64, sizes=(5000,))
    cases.append(("float64 parameters", params, stored_state_for(params)))
    params, state = base()
    params[1].grad = None
    cases.append(("no gradient", params, state))
    return cases


@pytest.mark.parametrize("index", range(len(stored_declined_cases())))
def test_every_stored_case_outside_the_cpp_path_is_declined(extension, index):
    what, params, state = stored_declined_cases()[index]
    assert stored_table(extension, params, state) is None, what


def test_a_bad_stored_layout_is_an_error_not_a_crash(extension):
    params = params_with_grads(sizes=(5000,))
    state = stored_state_for(params)
    good = [params, state, ("m", "v"), ("m.absmax", "v.absmax"), (torch.int8, torch.uint8), PLAIN, CHUNK, 256, 4096]
    for index, bad in [(0, tuple(params)), (4, (torch.int8,)), (4, ("int8", "uint8")), (2, ("m", b"v")), (8, 1.5)]:
        args = list(good)
        args[index] = bad
        with pytest.raises((TypeError, ValueError)):
            extension.stored_table(*args)
    for index, bad in [(6, 0), (7, 300), (7, -256)]:  # a chunk must hold whole blocks
        args = list(good)
        args[index] = bad
        with pytest.raises(ValueError):
            extension.stored_table(*args)
    with pytest.raises(TypeError):
        extension.stored_table(*good[:8])


HOSTILE_STORED = r"""
import torch, generated.torch as G
torch.manual_seed(0)
done = 0
for case in range(CASES):
    params = [torch.nn.Parameter(torch.randn(n)) for n in (5, 9000, 17000)]
    for p in params:
        p.grad = torch.randn(p.shape)
    opt = G.Adam(params, fused=True, state_precision="int8")
    opt.step()
    p = params[1 + case % 2]
    state = opt.state[p]
    change = case % 8
    if change == 0:
        state["m"].untyped_storage().resize_(0)
    elif change == 1:
        state["v.absmax"].untyped_storage().resize_(4)
    elif change == 2:
        state["v.absmax"] = torch.zeros(1).expand(state["v.absmax"].shape)
    elif change == 3:
        state["m"] = state["m"].view(torch.uint8)
    elif change == 4:
        state["m.absmax"] = state["m.absmax"][:-1]
    elif change == 5:
        state["v"] = torch.zeros(p.numel() // 2, dtype=torch.uint8)
    elif change == 6:
        del state["m.absmax"]
    elif change == 7:
        p.untyped_storage().resize_(4)
    try:
        opt.step()
    except (RuntimeError, TypeError, ValueError):
        pass
    done += 1
print("survived", done)
"""


def test_hostile_changes_to_stored_state_never_crash_the_process(extension):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", HOSTILE_STORED.replace("CASES", "16")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "survived 16" in done.stdout


MID_STEP = r"""
import sys, torch
import generated.torch as G, generated.torch._runtime as R
from torch.overrides import TorchFunctionMode
if sys.argv[1] == "python":
    R._table_extension = lambda: None
N = 1 << 20
changes = {
    "state freed": lambda opt, p: opt.state[p][next(iter(opt.state[p]))].untyped_storage().resize_(0),
    "state replaced by a smaller one": lambda opt, p: opt.state[p].update(
        {k: v[:1].clone() for k, v in opt.state[p].items()}
    ),
    "parameter freed": lambda opt, p: p.untyped_storage().resize_(0),
}
refused = 0
for precision in ("float32", "int8"):
    for what, change in changes.items():
        p = torch.nn.Parameter(torch.randn(N))
        p.grad = torch.randn(N)
        opt = G.Adam([p], fused=True, clipnorm=1.0, state_precision=precision)
        opt.step()

        class Change(TorchFunctionMode):  # runs while the step computes clipnorm's norm
            def __torch_function__(self, func, types, args=(), kwargs=None):
                if func is torch._foreach_norm and not getattr(self, "done", False):
                    self.done = True
                    change(opt, p)
                return func(*args, **(kwargs or {}))

        try:
            with Change():
                opt.step()
        except RuntimeError as error:
            assert "changed during the step" in str(error), (precision, what, error)
            refused += 1
print("refused", refused)
"""


@pytest.mark.parametrize("path", ["cpp", "python"])
def test_a_tensor_changed_between_its_checks_and_its_kernel_is_refused(extension, path):
    """Python can run between a step's checks and its kernels (a TorchFunctionMode sees the
    clip norm's torch._foreach_norm). At the kernel call, with no mode able to run from there
    on, the Python path checks every tensor again, and the C++ path checks that the tensors it
    checked (and holds) still have their memory: a freed tensor is refused, not written (the
    process would die of a signal). A state replaced in the dict is refused by the Python path;
    the C++ path steps the tensors it checked and holds, which are alive and of their size."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", MID_STEP, path], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"refused {6 if path == 'python' else 4}" in done.stdout, done.stdout
