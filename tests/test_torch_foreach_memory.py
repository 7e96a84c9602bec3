"""Issue 16: the generated torch steps allocate at most one temporary the size of the
parameters (two where the update itself needs two computed arrays at once), on the foreach
path and per tensor. Bytes are counted with a dispatch mode: every tensor an operation returns
that aliases none of its inputs is an allocation (in-place and ``out=`` results alias).
Timings are the benchmark's (``python -m generator bench``), never asserted here."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from torch.utils._python_dispatch import TorchDispatchMode  # noqa: E402
from torch.utils._pytree import tree_flatten  # noqa: E402

import generated.torch as G  # noqa: E402
from generator.backends.base import condition_cases  # noqa: E402
from generator.build import load_specs  # noqa: E402
from generator.ir import lower  # noqa: E402
from generator.printers import torch as torch_printer  # noqa: E402
from generator.printers.arrays import lower_masks  # noqa: E402

SPECS = {spec.module: spec for spec in load_specs()}
# Temporaries the size of the parameters that a step may allocate. Adadelta's delta is
# g*sqrt(d+eps) divided by sqrt(a+eps), both computed arrays alive at once (torch.optim's
# Adadelta allocates two as well); the scheduler's search per budget proves that one is not
# enough. NAdam's p -= lr*(c4*g + c5*m)/(sqrt(c3*v) + eps) is printed as two addcdivs over
# one divisor (printers/torch.py distribute_over_a_shared_factor): one, as torch.optim's.
# Ftrl's rule keeps the new accumulator and its power alive while the linear term is built
# from both roots (the search per budget proves that one is not enough).
LISTS = {"adadelta": 2, "ftrl": 2, "sgd": 0}
# Per-tensor reductions, computed before the element program (per tensor, not scheduled in
# place): Lamb's norm of its update u takes three scratch tensors to rebuild u from g, m and
# v, and the squares of p one more (torch.square before the float64 sum).
# Adafactor's sum of squares of its update rebuilds u in two (from g and v for a vector; from
# g and the row and column means for a matrix, whose scratch of a row's or a column's size is
# small): it runs per tensor, its matrix rule in place (printers/arrays.py, by shape).
REDUCTION_LISTS = {"adafactor": 2, "lamb": 4}
# Matrix functions compute each value as a new tensor (torch has no in-place matmul chain):
# Muon's Newton-Schulz iteration, on a matrix of its rule (exactly two axes), allocates per
# iteration (ns_steps, 5) at most 4 tensors of the matrix's size and 5 of its Gram matrix's
# (its smaller side squared), and 4 of the matrix's size around the iterations.
MATRIX_FUNCTION_TENSORS = {"muon": (5, 4, 5, 4)}  # (iterations, matrix, Gram, fixed)
SHAPES = [(64, 32), (128,), (7, 5, 3), (1000,), (1,)]


class Allocations(TorchDispatchMode):
    """Bytes of the tensors that operations return without aliasing an input."""

    def __init__(self):
        super().__init__()
        self.bytes = 0
        self.calls: list[str] = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        returns = func._schema.returns
        results = out if len(returns) > 1 else [out]
        for spec, result in zip(returns, results):
            if spec.alias_info is None:
                for t in tree_flatten(result)[0]:
                    if isinstance(t, torch.Tensor):
                        self.bytes += t.untyped_storage().nbytes()
                        self.calls.append(f"{func} {t.untyped_storage().nbytes()}")
        return out


def variants():
    for module in sorted(SPECS):
        cls = G.get(module)
        for key in sorted(cls.kernels):
            yield pytest.param(module, dict(zip(cls.flags, key)), id=f"{module}-{key}")


def make(module, flags, dtype=torch.float32, **kwargs):
    gen = torch.Generator().manual_seed(3)
    params = [torch.randn(s, generator=gen, dtype=dtype).requires_grad_() for s in SHAPES]
    hyper = {"momentum": 0.9} if module == "sgd" else {}
    opt = G.get(module)(params, **hyper, **flags, **kwargs)
    for p in params:
        p.grad = torch.randn(p.shape, generator=gen, dtype=dtype)
    opt.step()  # makes the state: not counted
    for p in params:
        p.grad = torch.randn(p.shape, generator=gen, dtype=dtype)
    return opt, params


def budget(module, params, dtype=None) -> int:
    """LISTS[module] temporaries of the parameters' size (in the arithmetic's dtype), and what
    per-element conditions (Rprop's) add: a true/false tensor per condition, 1 byte per
    element, and the scratch their comparisons need (computed before the element program)."""
    size = sum(p.numel() * (dtype or p.dtype).itemsize for p in params)
    masks, mask_scratch = 0, 0
    for ir in lower(SPECS[module]).variants:
        if ir.masks:
            program = lower_masks(ir.array_masks(), ["p", "g", *ir.state], set(ir.element_scalars))
            masks = max(masks, len(ir.masks) + program.bool_scratch)
            mask_scratch = max(mask_scratch, program.scratch)
    elements = sum(p.numel() for p in params)
    lists = LISTS.get(module, 1) + mask_scratch + REDUCTION_LISTS.get(module, 0)
    matrices = 0
    if module in MATRIX_FUNCTION_TENSORS:
        steps, full, gram, fixed = MATRIX_FUNCTION_TENSORS[module]
        for p in (p for p in params if p.dim() == 2):
            bytes_ = (dtype or p.dtype).itemsize
            matrices += ((steps * full + fixed) * p.numel() + steps * gram * min(p.shape) ** 2) * bytes_
    return lists * size + masks * elements + matrices


@pytest.mark.parametrize("foreach", [True, False], ids=["foreach", "loop"])
@pytest.mark.parametrize("module,flags", variants())
def test_a_step_allocates_at_most_one_temporary_list(module, flags, foreach):
    opt, params = make(module, flags, foreach=foreach)
    with Allocations() as counted:
        opt.step()
    assert counted.bytes <= budget(module, params), counted.calls


def kernel_allocations(monkeypatch, opt, params, foreach) -> int:
    """Bytes allocated by the generated element functions alone, in one step (the runtime's
    own copies for maximize, clipvalue, clipnorm and float16 parameters are not theirs)."""
    counted = {"bytes": 0}
    cls = type(opt)

    def counting(function):
        def wrapped(*args):
            with Allocations() as inner:
                function(*args)
            counted["bytes"] += inner.bytes

        return wrapped

    for key, kernel in cls.kernels.items():
        # a spec with per-tensor reductions (Lamb) has no foreach form: it runs per tensor
        field = "apply_foreach" if foreach and kernel.apply_foreach is not None else "apply"
        wrapped = kernel._replace(**{field: counting(getattr(kernel, field))})
        monkeypatch.setitem(cls.kernels, key, wrapped)
    opt.step()
    return counted["bytes"]


@pytest.mark.parametrize("foreach", [True, False], ids=["foreach", "loop"])
@pytest.mark.parametrize(
    "options",
    [{"maximize": True}, {"clipvalue": 0.5}, {"clipnorm": 1.0}, {"dtype": torch.float64}],
    ids=["maximize", "clipvalue", "clipnorm", "float64"],
)
@pytest.mark.parametrize("module,flags", variants())
def test_the_element_functions_allocate_the_same_with_every_option(
    monkeypatch, module, flags, options, foreach
):
    options = dict(options)
    dtype = options.pop("dtype", torch.float32)
    opt, params = make(module, flags, dtype=dtype, foreach=foreach, **options)
    assert kernel_allocations(monkeypatch, opt, params, foreach) <= budget(module, params)


@pytest.mark.parametrize("foreach", [True, False], ids=["foreach", "loop"])
@pytest.mark.parametrize("module,flags", variants())
def test_maximize_clipnorm_and_clipvalue_together_copy_the_gradient_once(module, flags, foreach):
    """The whole step with every gradient option on: the runtime makes one new gradient
    (times -1 and clipnorm's scale, then clipped in place), on top of the element program's
    temporaries, plus clipnorm's per-tensor norms (a few bytes each)."""
    opt, params = make(module, flags, foreach=foreach, maximize=True, clipnorm=1.0, clipvalue=0.5)
    size = sum(p.numel() * p.dtype.itemsize for p in params)
    with Allocations() as counted:
        opt.step()
    assert counted.bytes <= budget(module, params) + size + 64 * len(params), counted.calls


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("module", sorted(SPECS))
def test_low_precision_parameters_allocate_in_float32(monkeypatch, module, dtype):
    """float16/bfloat16 parameters: the arithmetic is float32, so are its temporaries."""
    cls = G.get(module)
    opt, params = make(module, dict(zip(cls.flags, next(iter(cls.kernels)))), dtype=dtype)
    assert kernel_allocations(monkeypatch, opt, params, True) <= budget(
        module, params, torch.float32
    )
    assert all(p.dtype == dtype for p in params)
    assert all(s.dtype == torch.float32 for p in params for s in opt.state[p].values())


@pytest.mark.parametrize("module", sorted(SPECS))
def test_the_schedules_are_proven_minimal(module):
    """The printer's own account: every variant's foreach and per-tensor schedules use at most
    LISTS[module] temporaries, and each search finished (so fewer is impossible)."""
    for ir in lower(SPECS[module]).variants:
        if ir.variant.whole_array:  # per tensor, scheduled by shape in printers/arrays.py
            continue
        arrays = ["p", "g", *ir.state]
        scalars = set(ir.element_scalars) | {a.symbol.name for a in ir.tensor} | {"t"}
        # the weight decay is a pass of its own; a per-step condition (RAdam's) gives one
        # program per branch, each scheduled on its own
        codes = [
            torch_printer.element_code(
                temporaries,
                outputs,
                arrays,
                {"p", *ir.state},
                scalars,
                [a.symbol.name for a in ir.masks],
            )
            for _, temporaries, outputs in condition_cases(*ir.array_program())
        ]
        code = codes[0]
        for schedule in [s for c in codes for s in (c.foreach_schedule, c.tensor_schedule)]:
            assert schedule.complete
            assert schedule.allocations <= LISTS.get(module, 1), (module, schedule)
        assert max(c.foreach_schedule.allocations for c in codes) == LISTS.get(module, 1)
        # in place where torch.optim's foreach is: Adam 7 passes, SGD Nesterov 4
        if (module, ir.variant.suffix) in {("adam", "no_amsgrad"), ("sgd", "nesterov")}:
            assert code.foreach_schedule.passes == {"adam": 7, "sgd": 4}[module]


@pytest.mark.parametrize("foreach", [True, False], ids=["foreach", "loop"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_sign_keeps_nan_and_signed_zeros_without_temporaries(foreach, dtype):
    """Lion's sign as the C kernels' ocg_sign: NaN stays NaN (torch.sign gives 0), a zero keeps
    its sign, and every nonzero number, subnormals and infinities included, gives +-1."""
    import sympy as sp

    from generator.symbols import real

    tiny = torch.finfo(dtype).smallest_normal * torch.finfo(dtype).eps  # the least subnormal
    values = [math.nan, -0.0, 0.0, tiny, -tiny, 1e-30, -3.0, math.inf, -math.inf, 7.5]
    expected = [math.nan, -0.0, 0.0, 1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0]
    code = torch_printer.element_code((), (("p", sp.sign(real("g"))),), ["p", "g"], {"p"}, set())
    p, g = torch.zeros(len(values), dtype=dtype), torch.tensor(values, dtype=dtype)
    env = {"torch": torch, "p": [p] if foreach else p, "g": [g] if foreach else g}
    with Allocations() as counted:
        exec("\n".join(code.foreach_lines if foreach else code.tensor_lines), env)
    assert counted.bytes == 0
    want = torch.tensor(expected, dtype=dtype)
    assert torch.equal(torch.isnan(p), torch.isnan(want))
    ok = ~torch.isnan(want)
    assert torch.equal(p[ok], want[ok]) and torch.equal(p.signbit()[ok], want.signbit()[ok])


def _programs():
    """Element programs that reach every form the torch printer has: each function of the
    spec language, scalars first (s - x, s/x, s**x), scalar bounds, powers, products and
    quotients used twice, finals that trade places or are constants."""
    import sympy as sp

    from generator.symbols import real

    p, g, m, v, s = real("p"), real("g"), real("m"), real("v"), real("s")
    e = sp.Symbol("_e0", real=True)
    unary = [sp.sqrt(g * g + v), sp.Abs(g - m), sp.exp(g / 4), sp.log(v), sp.sign(g - m)]
    yield "functions", [], [("m", sum(unary) * s), ("p", p - s * m)]
    yield "scalars first", [], [("m", 2 - g), ("v", 3 / v + s**g), ("p", p + g**3 - v**s)]
    yield "bounds", [], [("m", sp.Max(g, s) + sp.Min(m, 0.5, v)), ("p", sp.Max(p, m, g))]
    yield "shared", [(e, s * g * g)], [("m", e + m * s), ("v", e * v / (m + 1)), ("p", p - e)]
    yield "swap", [], [("m", v), ("v", m), ("p", p - g * s)]
    yield "constants", [], [("m", sp.Rational(1, 2)), ("v", g), ("p", p + v * m)]


@pytest.mark.parametrize("name,temporaries,outputs", list(_programs()), ids=lambda x: str(x)[:12])
def test_every_printed_form_computes_its_expression(name, temporaries, outputs):
    """Both torch paths against the expressions themselves (SymPy's lambdify over NumPy),
    float64, on positive and negative numbers; the gradient is never written."""
    import numpy as np
    import sympy as sp

    from generator.symbols import real

    arrays, writable, scalars = ["p", "g", "m", "v"], {"p", "m", "v"}, {"s"}
    named = {name for name, _ in outputs}  # as in the IR, every state has an output
    outputs = [(a, real(a)) for a in ("m", "v") if a not in named] + outputs
    rng = np.random.default_rng(7)
    start = {a: rng.uniform(0.5, 2, (5, 3)) * rng.choice([1, -1], (5, 3)) for a in arrays}
    start["v"] = np.abs(start["v"])  # log and sqrt see positive numbers
    symbols = [real(a) for a in arrays + ["s"]]
    values = [start[a] for a in arrays] + [0.75]
    substituted = [(n, e.subs({t: x for t, x in reversed(temporaries)})) for n, e in outputs]
    want = {
        n: np.broadcast_to(sp.lambdify(symbols, e, "numpy")(*values), (5, 3))
        for n, e in substituted
    }
    assigns = [type("Assign", (), {"symbol": t, "expr": x}) for t, x in temporaries]
    code = torch_printer.element_code(assigns, outputs, arrays, writable, scalars)
    for foreach in (True, False):
        got = {k: torch.tensor(x) for k, x in start.items()}
        env = {"torch": torch, "s": 0.75}
        env.update({k: [t] if foreach else t for k, t in got.items()})
        env.update({f"_s{i}": torch.empty(5, 3, dtype=torch.float64) for i in range(code.scratch)})
        exec("\n".join(code.foreach_lines if foreach else code.tensor_lines), env)
        for k, expected in want.items():
            np.testing.assert_allclose(got[k].numpy(), expected, rtol=1e-13, atol=1e-15, err_msg=k)
        assert torch.equal(got["g"], torch.tensor(start["g"]))
