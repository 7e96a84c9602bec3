"""PyTorch dialects of the array instructions.

- element programs (``element_code``): scheduled by ``generator.printers.inplace`` for the
  fewest temporaries, then the fewest passes, and printed twice: per tensor with ``out=``
  (``torch.mul(a, b, out=c)``), and over lists with in-place ``torch._foreach_*_`` (a new list,
  ``torch._foreach_sqrt(v)``, only where the schedule allocates one; writing into an existing
  list is a copy, then in place). Accumulations are torch's fused ``add(alpha=)``,
  ``addcmul`` and ``addcdiv``, as in torch.optim's own foreach implementations;
- reductions and clipvalue (``tensor_lines``): NumPy's storage plan, per tensor.

Nothing here is CPU-only: scalars are Python floats, and a scalar operand of ``maximum`` or
``minimum`` prints as ``clamp_min``/``clamp_max`` (``torch.maximum`` takes tensors only).
``torch.sign`` maps NaN to 0 where NumPy, the reference and the C kernels give NaN, so sign is
printed as the C kernels' ``ocg_sign`` (see ``_finfo``), in place and without a temporary.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..symbols import real
from . import inplace
from .arrays import COMMUTATIVE, ArrayProgram, Instr, called, lower_values

_TENSOR = {
    "add": "torch.add",
    "subtract": "torch.sub",
    "multiply": "torch.mul",
    "divide": "torch.div",
    "maximum": "torch.maximum",
    "minimum": "torch.minimum",
    "sqrt": "torch.sqrt",
    "square": "torch.square",
    "absolute": "torch.abs",
    "sign": "torch.sign",
    "exp": "torch.exp",
    "log": "torch.log",
    "negative": "torch.neg",
    "power": "torch.pow",
    "greater": "torch.gt",
    "greater_equal": "torch.ge",
    "less": "torch.lt",
    "less_equal": "torch.le",
    "equal": "torch.eq",
    "not_equal": "torch.ne",
    "logical_and": "torch.logical_and",
    "logical_or": "torch.logical_or",
    "logical_not": "torch.logical_not",
}
_CLAMP = {"maximum": "clamp_min", "minimum": "clamp_max"}
_FOREACH = {
    "add": "add",
    "subtract": "sub",
    "multiply": "mul",
    "divide": "div",
    "maximum": "maximum",
    "minimum": "minimum",
    "sqrt": "sqrt",
    "absolute": "abs",
    "sign": "sign",
    "exp": "exp",
    "log": "log",
    "negative": "neg",
    "power": "pow",
}


def _scalar_first(instr: Instr) -> Instr:
    """Move a scalar first operand second where the operation allows it."""
    if (
        len(instr.args) == 2
        and instr.scalar[0]
        and not instr.scalar[1]
        and instr.func in COMMUTATIVE
    ):
        return Instr(instr.func, instr.args[::-1], instr.scalar[::-1], instr.out)
    return instr


def fuse_accumulations(instrs: list[Instr], scratch_names) -> list[Instr]:
    """``b = b + x*s``, ``b = b + (y*z)*s`` and ``b = b + (y/z)*s`` (``s`` a scalar, the product in
    a scratch buffer read by nothing else) become one pass each: torch's ``add`` with ``alpha``,
    ``addcmul`` and ``addcdiv`` (Adam: 12 passes -> 7, like torch.optim's own foreach Adam)."""
    instrs = list(map(_scalar_first, instrs))
    scratch = set(scratch_names)
    changed = True
    while changed:
        changed = False
        for index, instr in enumerate(instrs):
            fused = _fuse_at(instrs, index, scratch)
            if fused is not None:
                instrs = fused
                changed = True
                break
    return instrs


def _reads(instr: Instr, name: str) -> bool:
    return any(a == name and not s for a, s in zip(instr.args, instr.scalar))


def _fuse_at(instrs, index, scratch):
    """The instructions with the accumulation ending at ``index`` fused, or None."""
    instr = instrs[index]
    if instr.func != "add" or any(instr.scalar):
        return None
    b = instr.out
    t = next((a for a in instr.args if a in scratch and a != b), None)
    if t is None or instr.args.count(b) != 1:
        return None
    for later in instrs[index + 1 :]:  # t must be dead after the add
        if _reads(later, t):
            return None
        if later.out == t:
            break
    scale_at = max((i for i in range(index) if instrs[i].out == t), default=None)
    if scale_at is None:
        return None
    scale = instrs[scale_at]  # t = x*s, read by nothing but the add
    if scale.func != "multiply" or scale.scalar != (False, True):
        return None
    if any(_reads(i, t) for i in instrs[scale_at + 1 : index]):
        return None
    if scale.args[0] != t:  # b + x*s
        if scale.args[0] == b:
            return None
        kind, operands, first, drop = "add_scaled", (scale.args[0],), scale_at, {scale_at}
    else:  # t = y*z (or y/z) just before: b + (y*z)*s
        inner = instrs[scale_at - 1] if scale_at > 0 else None
        if (
            inner is None
            or inner.out != t
            or inner.func not in ("multiply", "square", "divide")
            or any(inner.scalar)
        ):
            return None
        operands = (inner.args[0],) * 2 if inner.func == "square" else inner.args
        if b in operands:
            return None
        kind = "addcdiv" if inner.func == "divide" else "addcmul"
        first, drop = scale_at - 1, {scale_at - 1, scale_at}
    # every operand (t included: it may hold the old value, e.g. a denominator) must keep its
    # value from where it was read to the add
    if any(instrs[k].out in operands for k in range(first + 1, index) if k not in drop):
        return None
    fused = Instr(kind, (b, *operands, scale.args[1]), (False,) * (1 + len(operands)) + (True,), b)
    return [fused if k == index else i for k, i in enumerate(instrs) if k not in drop]


IMPORTS = ("import torch",)  # what printed lines need


def _finfo(x: str) -> str:
    """The first line of ``sign``, which the C kernels' ``ocg_sign`` is (NaN stays NaN, a zero
    keeps its sign; ``torch.sign`` maps NaN to 0) with no temporary: scaled by 1/tiny and then
    2/eps (float32: 2**126 and 2**24; float64: 2**1022 and 2**53: powers of two, so exact or
    infinite) every nonzero magnitude is at least 2, and clamped to [-1, 1] it is 1. ``x`` is a
    tensor of the arithmetic's dtype."""
    return f"_f = torch.finfo({x}.dtype)"


def _where(mask: str, a: str, b: str, scalar, o: str) -> str:
    """``o = a where mask holds, else b``, per tensor: torch.where takes no Python number
    with ``out=``, so a number is a 0-d tensor of o's dtype (or, when o holds b already,
    ``masked_fill_``, which takes one)."""
    if scalar[0]:  # a condition per step or tensor, a Python bool: a branch, one pass

        def take(x, number):
            return o if x == o else f"{o}.fill_({x})" if number else f"{o}.copy_({x})"

        taken, other = take(a, scalar[1]), take(b, scalar[2])
        return "pass" if taken == other == o else f"{taken} if {mask} else {other}"
    if scalar[1] and not scalar[2] and b == o:
        return f"{o}.masked_fill_({mask}, {a})"
    a, b = (f"{o}.new_tensor({x})" if s else x for x, s in zip((a, b), scalar[1:]))
    return f"torch.where({mask}, {a}, {b}, out={o})"


def _tensor_line(instr: Instr) -> list[str]:
    """One instruction per tensor, ``out=`` its storage."""
    a, o = instr.args, instr.out
    if instr.func == "where":
        return [_where(*a, instr.scalar, o)]
    if instr.func == "add_scaled":
        return [f"torch.add({a[0]}, {a[1]}, alpha={a[2]}, out={o})"]
    if instr.func == "clip":
        return [f"torch.clamp({a[0]}, {a[1]}, {a[2]}, out={o})"]
    if instr.func in ("addcmul", "addcdiv"):
        return [f"torch.{instr.func}({a[0]}, {a[1]}, {a[2]}, value={a[3]}, out={o})"]
    if instr.func == "copy":
        return [f"{o}.copy_({a[0]})"]
    if instr.func == "fill":
        return [f"{o}.fill_({a[0]})"]
    if called(instr.func):  # a matrix function: a new tensor, copied
        return [f"{o}.copy_({called(instr.func)}({', '.join(a)}))"]
    if instr.func in ("row_mean", "column_mean"):  # its axis kept, of length 1
        axis = -1 if instr.func == "row_mean" else -2
        return [f"torch.mean({a[0]}, dim={axis}, keepdim=True, out={o})"]
    if instr.func == "subtract" and instr.scalar[0]:  # s - x = -(x - s)
        return [f"torch.sub({a[1]}, {a[0]}, out={o})", f"torch.neg({o}, out={o})"]
    if instr.func == "divide" and instr.scalar[0]:  # s / x
        return [f"torch.reciprocal({a[1]}, out={o})", f"torch.mul({o}, {a[0]}, out={o})"]
    if instr.func in _CLAMP and instr.scalar[1]:
        return [f"torch.{_CLAMP[instr.func]}({a[0]}, {a[1]}, out={o})"]
    if instr.func == "sign":
        return [
            _finfo(a[0]),
            f"torch.mul({a[0]}, 1 / _f.tiny, out={o})",
            f"torch.mul({o}, 2 / _f.eps, out={o})",
            f"torch.clamp({o}, -1.0, 1.0, out={o})",
        ]
    return [f"{_TENSOR[instr.func]}({', '.join(a)}, out={o})"]


def tensor_lines(program: ArrayProgram) -> list[str]:
    """Lines of an allocated program per tensor (reductions, clipvalue)."""
    out = []
    for instr in fuse_accumulations(program.instrs, [f"_s{i}" for i in range(program.scratch)]):
        out += _tensor_line(instr)
    return out


# ------------------------------------------------------------------ element programs


class _Costs(inplace.Costs):
    def __init__(self, foreach: bool):
        self.foreach = foreach

    def inplace_positions(self, node: inplace.Node) -> tuple[int, ...]:
        args = node.args
        if node.func == "where":  # into a or b (a loop of torch.where over the lists)
            return tuple(i for i in (2, 1) if args[i].is_array)
        if node.func in ("add_scaled", "addcmul", "addcdiv") or len(args) == 1:
            return (0,)
        if not args[0].is_array:  # s - x, s / x (commutative operations have the array first)
            return () if node.func == "power" else (1,)
        if node.func in COMMUTATIVE and args[1].is_array:
            return (0, 1)
        return (0,)

    def passes(self, node: inplace.Node, how: str) -> int:
        if node.func == "sign":
            return 4 if self.foreach else 3
        if node.func in ("subtract", "divide") and not node.args[0].is_array:
            return 2
        return 1

    def fill_passes(self) -> int:
        return 2 if self.foreach else 1


@dataclass(frozen=True)
class ElementCode:
    """An element program printed per tensor (``out=``) and over lists (``_foreach_*``)."""

    tensor_lines: tuple[str, ...]
    scratch: int  # per tensor: scratch arrays the lines use (_s0, ...), made by the caller
    foreach_lines: tuple[str, ...]
    tensor_schedule: inplace.Schedule
    foreach_schedule: inplace.Schedule


def element_code(
    temporaries, outputs, arrays, writable: set[str], scalars, masks=()
) -> ElementCode:
    """Print ``outputs`` (name -> expression) into the arrays of the same name (``writable``:
    the state and the parameter; the gradient is never written), scheduled by
    ``generator.printers.inplace`` for the fewest temporaries, then the fewest passes."""
    shared: list[_Shared] = []
    outputs = [(name, distribute_over_a_shared_factor(e, scalars, shared)) for name, e in outputs]
    temporaries = (*temporaries, *shared)
    low, finals = lower_values(temporaries, outputs, arrays, scalars, masks)
    persistent = {v for v, name in low.inputs.items() if name in writable}
    nodes = inplace.fuse(low.ops, finals, persistent)
    per_tensor = inplace.schedule(nodes, low.inputs, finals, writable, _Costs(foreach=False))
    lists = inplace.schedule(nodes, low.inputs, finals, writable, _Costs(foreach=True))
    tensor = [line for step in per_tensor.steps for line in _tensor_line(_as_instr(step))]
    foreach = [line for step in lists.steps for line in _foreach_step(step)]
    return ElementCode(tuple(tensor), per_tensor.scratch, tuple(foreach), per_tensor, lists)


@dataclass(frozen=True)
class _Shared:
    """A temporary made by distribute_over_a_shared_factor (as the IR's Assign: printers
    import nothing from the IR, which the model's name checks import through them)."""

    symbol: sp.Symbol
    expr: sp.Expr


def distribute_over_a_shared_factor(expr, scalars, shared: list):
    """``x + k*(c1*a + c2*b)/d`` as ``x + k*c1*a/d + k*c2*b/d`` when a, b, ... are arrays
    as they stand and d is one element value: each term is then one addcdiv into x, without
    the sum (one pass and one temporary fewer: NAdam's m_bar/(sqrt(v_hat) + epsilon), as
    torch.optim's foreach NAdam computes it). d, when it is not a name already, becomes a
    temporary appended to ``shared`` (computed once). Rounding differs from the sum's by an
    ulp or so (the reference tests bound it); where d is exactly 0 (epsilon = 0 and v = 0),
    a zero term gives NaN where the sum would give an infinity, as in torch.optim's NAdam."""
    if not isinstance(expr, sp.Add):
        return expr

    def scalar(e):
        return all(s.name in scalars for s in e.free_symbols)

    def coefficient_and_array(addend):
        factors = sp.Mul.make_args(addend)
        arrays = [f for f in factors if not scalar(f)]
        if len(arrays) != 1 or not arrays[0].is_Symbol:
            return None
        return sp.Mul(*[f for f in factors if scalar(f)]), arrays[0]

    terms = []
    for term in sp.Add.make_args(expr):
        factors = sp.Mul.make_args(term)
        sums = [f for f in factors if isinstance(f, sp.Add) and not scalar(f)]
        others = [f for f in factors if not scalar(f) and f not in sums]
        divisor = others[0] if len(others) == 1 else None
        reciprocal = isinstance(divisor, sp.Pow) and divisor.exp == -1
        parts = [coefficient_and_array(a) for a in sp.Add.make_args(sums[0])] if sums else []
        if len(sums) != 1 or not reciprocal or not parts or None in parts:
            terms.append(term)
            continue
        k = sp.Mul(*[f for f in factors if scalar(f)])
        base = divisor.base
        if not base.is_Symbol:  # d once, as a temporary
            name = real(f"_d{len(shared)}")
            shared.append(_Shared(name, base))
            base = name
        terms += [sp.Mul(k * c, a, 1 / base, evaluate=False) for c, a in parts]
    return sp.Add(*terms, evaluate=False) if len(terms) > len(sp.Add.make_args(expr)) else expr


def _as_instr(step: inplace.Step) -> Instr:
    if step.kind == "copy":
        return Instr("copy", (step.source,), (False,), step.target)
    if step.kind == "fill":
        return Instr("fill", (step.source,), (True,), step.target)
    node = step.node
    return Instr(node.func, step.args, tuple(not a.is_array for a in node.args), step.target)


def _foreach_step(step: inplace.Step) -> list[str]:
    t = step.target
    if step.kind == "copy" and step.how == "fresh":
        return [f"{t} = [_x.clone() for _x in {step.source}]"]
    if step.kind == "copy":
        return [f"torch._foreach_copy_({t}, {step.source})"]
    if step.kind == "fill":
        return [f"torch._foreach_zero_({t})", f"torch._foreach_add_({t}, {step.source})"]
    args = list(step.args)
    if step.how == "fresh":
        return _foreach_fresh(step.node, args, t)
    out = []
    if step.how == "into":
        out.append(f"torch._foreach_copy_({t}, {args[step.position]})")
    args[step.position] = t
    return out + _foreach_inplace(step.node, args, step.position)


def _foreach_where(node: inplace.Node, a: list[str], target: str, fresh: bool) -> list[str]:
    """where over lists: torch has no foreach form, so a loop of per-tensor selects (into
    ``target``, one of a and b, or a new list ``target``)."""
    scalar = tuple(not x.is_array for x in node.args)
    names = [f"_x{i}" for i in range(3)]
    lists = [(n, x) for n, x, s in zip(names, a, scalar) if not s]
    values = [x if s else n for n, x, s in zip(names, a, scalar)]
    if fresh and scalar[0]:  # a Python bool: a copy of one branch's tensors
        branches = [
            f"torch.full_like(_xp, {v})" if s else f"{v}.clone()"
            for v, s in zip(values[1:], scalar[1:])
        ]
        if any(scalar[1:]):
            lists.append(("_xp", "p"))
        choice = f"({branches[0]} if {values[0]} else {branches[1]})"
        return [f"{target} = [{choice} {_over(lists)}]"]
    if fresh:
        if any(scalar):  # a number as a 0-d tensor of the parameter's dtype
            lists.append(("_xp", "p"))
            values = [f"_xp.new_tensor({v})" if s else v for v, s in zip(values, scalar)]
        return [f"{target} = [torch.where({', '.join(values)}) {_over(lists)}]"]
    out = next(n for n, x in reversed(lists) if x == target)
    return [f"{_over(lists)}:", "    " + _where(*values, scalar, out)]


def _over(lists) -> str:
    """``for`` the per-tensor names over their lists, side by side (one list: itself; zip
    would give 1-tuples)."""
    if len(lists) == 1:
        ((name, over),) = lists
        return f"for {name} in {over}"
    loop = ", ".join(n for n, _ in lists)
    return f"for {loop} in zip({', '.join(x for _, x in lists)})"


def _foreach_inplace(node: inplace.Node, a: list[str], position: int) -> list[str]:
    """``node`` in place into ``a[position]``."""
    func = node.func
    if func == "where":
        return _foreach_where(node, a, a[position], fresh=False)
    if func == "add_scaled":
        return [f"torch._foreach_add_({a[0]}, {a[1]}, alpha={a[2]})"]
    if func in ("addcmul", "addcdiv"):
        return [f"torch._foreach_{func}_({a[0]}, {a[1]}, {a[2]}, value={a[3]})"]
    if func == "sign":
        x = a[0]
        return [
            _finfo(f"{x}[0]"),
            f"torch._foreach_mul_({x}, 1 / _f.tiny)",
            f"torch._foreach_mul_({x}, 2 / _f.eps)",
            f"torch._foreach_clamp_min_({x}, -1.0)",
            f"torch._foreach_clamp_max_({x}, 1.0)",
        ]
    if func == "square":
        return [f"torch._foreach_mul_({a[0]}, {a[0]})"]
    if len(a) == 1:
        return [f"torch._foreach_{_FOREACH[func]}_({a[0]})"]
    if not node.args[0].is_array:  # position 1: s - x = -(x - s), s / x = (1/x)*s
        x, s = a[1], a[0]
        if func == "subtract":
            return [f"torch._foreach_sub_({x}, {s})", f"torch._foreach_neg_({x})"]
        return [f"torch._foreach_reciprocal_({x})", f"torch._foreach_mul_({x}, {s})"]
    x, y = (a[0], a[1]) if position == 0 else (a[1], a[0])
    if func in _CLAMP and not node.args[1].is_array:
        return [f"torch._foreach_{_CLAMP[func]}_({x}, {y})"]
    return [f"torch._foreach_{_FOREACH[func]}_({x}, {y})"]


def _foreach_fresh(node: inplace.Node, a: list[str], t: str) -> list[str]:
    """``node`` into a new list ``t`` (one allocation)."""
    func = node.func
    if func == "where":
        return _foreach_where(node, a, t, fresh=True)
    if func == "add_scaled":
        return [f"{t} = torch._foreach_add({a[0]}, {a[1]}, alpha={a[2]})"]
    if func in ("addcmul", "addcdiv"):
        return [f"{t} = torch._foreach_{func}({a[0]}, {a[1]}, {a[2]}, value={a[3]})"]
    if func == "sign":
        return [
            _finfo(f"{a[0]}[0]"),
            f"{t} = torch._foreach_mul({a[0]}, 1 / _f.tiny)",
            f"torch._foreach_mul_({t}, 2 / _f.eps)",
            f"torch._foreach_clamp_min_({t}, -1.0)",
            f"torch._foreach_clamp_max_({t}, 1.0)",
        ]
    if func == "square":
        return [f"{t} = torch._foreach_mul({a[0]}, {a[0]})"]
    if len(a) == 1:
        return [f"{t} = torch._foreach_{_FOREACH[func]}({a[0]})"]
    if not node.args[0].is_array:
        x, s = a[1], a[0]
        if func == "subtract":
            return [f"{t} = torch._foreach_sub({x}, {s})", f"torch._foreach_neg_({t})"]
        if func == "divide":
            return [f"{t} = torch._foreach_reciprocal({x})", f"torch._foreach_mul_({t}, {s})"]
        return [f"{t} = torch._foreach_pow({s}, {x})"]
    if func in _CLAMP and not node.args[1].is_array:
        return [f"{t} = torch._foreach_{_CLAMP[func]}({a[0]}, {a[1]})"]
    return [f"{t} = torch._foreach_{_FOREACH[func]}({a[0]}, {a[1]})"]


lines = tensor_lines  # the per-tensor dialect is the one reductions use


def sum_of_squares(x: str) -> str:
    return f"float(torch.sum(torch.square({x}), dtype=torch.float64))"


def count(array: str) -> str:
    """The number of elements: a reduction of a per-step value is it times the count."""
    return f"{array}.numel()"


def reduce(op: str, array: str) -> str:
    if op == "sum":
        return f"float(torch.sum({array}, dtype=torch.float64))"
    return f"(float(torch.max({array})) if {array}.numel() else -math.inf)"


def allocate(name: str, shape: str, boolean: bool) -> str:
    """A scratch tensor of one of the smaller shapes of a rule of row or column means."""
    from .numpy import SHAPE_CODE

    dtype = "torch.bool" if boolean else "p.dtype"
    return f"{name} = torch.empty({SHAPE_CODE[shape]}, dtype={dtype}, device=p.device)"
