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
        if inner is None or inner.out != t or inner.func not in ("multiply", "square", "divide") or any(inner.scalar):
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


def tensor_lines(program: ArrayProgram) -> list[str]:
    out = []
    for instr in fuse_accumulations(program.instrs, [f"_s{i}" for i in range(program.scratch)]):
        a, o = instr.args, instr.out
        if instr.func == "add_scaled":
            out.append(f"torch.add({a[0]}, {a[1]}, alpha={a[2]}, out={o})")
        elif instr.func == "clip":
            out.append(f"torch.clamp({a[0]}, {a[1]}, {a[2]}, out={o})")
        elif instr.func in ("addcmul", "addcdiv"):
            out.append(f"torch.{instr.func}({a[0]}, {a[1]}, {a[2]}, value={a[3]}, out={o})")
        elif instr.func == "copy":
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
    for instr in fuse_accumulations(program.instrs, [f"_s{i}" for i in range(program.scratch)]):
        a, o = instr.args, instr.out
        if instr.func == "add_scaled":
            out.append(f"torch._foreach_add_({a[0]}, {a[1]}, alpha={a[2]})")
            continue
        if instr.func in ("addcmul", "addcdiv"):
            out.append(f"torch._foreach_{instr.func}_({a[0]}, {a[1]}, {a[2]}, value={a[3]})")
            continue
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
