"""PyTorch dialects of the array instructions.

- per tensor: ``torch.mul(a, b, out=c)``, the same in-place storage plan as NumPy;
- multi-tensor: ``torch._foreach_*`` over lists. Results bound for a state or the parameter
  are written in place (``_foreach_mul_(m, beta_1)``) when the storage is the first operand
  (or the second of a commutative operation); scratch results are new lists, as in
  torch.optim's own foreach implementations.

Nothing here is CPU-only: scalars are Python floats, and a scalar operand of ``maximum`` or
``minimum`` prints as ``clamp_min``/``clamp_max`` (``torch.maximum`` takes tensors only).
``torch.sign`` maps NaN to 0 where NumPy and the reference give NaN, so sign keeps NaN.
"""

from __future__ import annotations

from .arrays import COMMUTATIVE, ArrayProgram, Instr

_SIGN = "torch.where(torch.isnan({x}), {x}, torch.sign({x}))"  # evaluated before any write

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
    if len(instr.args) == 2 and instr.scalar[0] and not instr.scalar[1] and instr.func in COMMUTATIVE:
        return Instr(instr.func, instr.args[::-1], instr.scalar[::-1], instr.out)
    return instr


def tensor_lines(program: ArrayProgram) -> list[str]:
    out = []
    for instr in map(_scalar_first, program.instrs):
        a, o = instr.args, instr.out
        if instr.func == "copy":
            out.append(f"{o}.copy_({a[0]})")
        elif instr.func == "fill":
            out.append(f"{o}.fill_({a[0]})")
        elif instr.func == "subtract" and instr.scalar[0]:  # s - x = -(x - s)
            out += [f"torch.sub({a[1]}, {a[0]}, out={o})", f"torch.neg({o}, out={o})"]
        elif instr.func == "divide" and instr.scalar[0]:  # s / x
            out += [f"torch.reciprocal({a[1]}, out={o})", f"torch.mul({o}, {a[0]}, out={o})"]
        elif instr.func in _CLAMP and instr.scalar[1]:
            out.append(f"torch.{_CLAMP[instr.func]}({a[0]}, {a[1]}, out={o})")
        elif instr.func == "sign":
            out.append(f"{o}.copy_({_SIGN.format(x=a[0])})")
        else:
            out.append(f"{_TENSOR[instr.func]}({', '.join(a)}, out={o})")
    return out


def foreach_lines(program: ArrayProgram, persistent: set[str]) -> list[str]:
    """Lines over lists of tensors; ``persistent`` storages (state, p) are updated in place."""
    out = []
    owned = set(persistent)  # lists this code may overwrite: state, p, and scratch once made
    for instr in map(_scalar_first, program.instrs):
        a, o = instr.args, instr.out
        if instr.func == "copy":
            out.append(f"torch._foreach_copy_({o}, {a[0]})")
            continue
        if instr.func == "fill":
            out += [f"torch._foreach_zero_({o})", f"torch._foreach_add_({o}, {a[0]})"]
            continue
        if instr.func == "square":
            instr = Instr("multiply", (a[0], a[0]), (False, False), o)
            a = instr.args
        if instr.func == "sign":
            value = "[" + _SIGN.format(x="_x") + f" for _x in {a[0]}]"
            out.append(f"torch._foreach_copy_({o}, {value})" if o in owned else f"{o} = {value}")
            owned.add(o)
            continue
        if instr.func == "subtract" and instr.scalar[0]:
            value = [f"torch._foreach_sub({a[1]}, {a[0]})", "torch._foreach_neg_({o})"]
        elif instr.func == "divide" and instr.scalar[0]:
            value = [f"torch._foreach_reciprocal({a[1]})", f"torch._foreach_mul_({{o}}, {a[0]})"]
        else:
            value = None
        name = _FOREACH[instr.func]
        if value is not None:  # two steps: a new list, then in place
            if o in persistent:
                out += [f"_t = {value[0]}", value[1].format(o="_t"), f"torch._foreach_copy_({o}, _t)"]
            else:
                out += [f"{o} = {value[0]}", value[1].format(o=o)]
        elif o in owned and o == a[0]:
            out.append(f"torch._foreach_{name}_({', '.join(a)})")
        elif o in owned and len(a) == 2 and o == a[1] and instr.func in COMMUTATIVE:
            out.append(f"torch._foreach_{name}_({a[1]}, {a[0]})")
        elif o in persistent:
            out.append(f"torch._foreach_copy_({o}, torch._foreach_{name}({', '.join(a)}))")
        else:
            out.append(f"{o} = torch._foreach_{name}({', '.join(a)})")
        owned.add(o)
    return out


lines = tensor_lines  # the per-tensor dialect is the one reductions use


def sum_of_squares(x: str) -> str:
    return f"float(torch.sum(torch.square({x}), dtype=torch.float64))"


def reduce(op: str, array: str) -> str:
    if op == "sum":
        return f"float(torch.sum({array}, dtype=torch.float64))"
    return f"(float(torch.max({array})) if {array}.numel() else -math.inf)"
