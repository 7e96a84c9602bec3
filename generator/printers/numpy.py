"""NumPy dialect of the array instructions: in-place ufunc calls with ``out=``."""

from __future__ import annotations

from .arrays import ArrayProgram, Instr, called

_UFUNCS = {
    "add": "np.add",
    "subtract": "np.subtract",
    "multiply": "np.multiply",
    "divide": "np.divide",
    "maximum": "np.maximum",
    "minimum": "np.minimum",
    "sqrt": "np.sqrt",
    "square": "np.square",
    "absolute": "np.absolute",
    "sign": "np.sign",
    "exp": "np.exp",
    "log": "np.log",
    "negative": "np.negative",
    "power": "np.power",
    "greater": "np.greater",
    "greater_equal": "np.greater_equal",
    "less": "np.less",
    "less_equal": "np.less_equal",
    "equal": "np.equal",
    "not_equal": "np.not_equal",
    "logical_and": "np.logical_and",
    "logical_or": "np.logical_or",
    "logical_not": "np.logical_not",
}


_MEANS = {"row_mean": -1, "column_mean": -2}


def line(instr: Instr) -> str:
    if instr.func == "where":  # b, then a where the mask holds (out is not a's storage)
        mask, a, b = instr.args
        first = [] if b == instr.out else [f"np.copyto({instr.out}, {b})"]
        return "\n".join(first + [f"np.copyto({instr.out}, {a}, where={mask})"])
    if instr.func == "copy":
        return f"np.copyto({instr.out}, {instr.args[0]})"
    if instr.func == "fill":
        return f"{instr.out}[...] = {instr.args[0]}"
    if instr.func == "clip":
        return f"np.clip({', '.join(instr.args)}, out={instr.out})"
    if called(instr.func):  # a matrix function: a new array, copied
        return f"np.copyto({instr.out}, {called(instr.func)}({', '.join(instr.args)}))"
    if instr.func in _MEANS:  # one value per row or column, its axis kept (length 1)
        axis = _MEANS[instr.func]
        return f"np.mean({instr.args[0]}, axis={axis}, keepdims=True, out={instr.out})"
    return f"{_UFUNCS[instr.func]}({', '.join(instr.args)}, out={instr.out})"


IMPORTS = ("import numpy as np",)  # what printed lines need


def tensor_lines(program: ArrayProgram) -> list[str]:
    """The lines of one tensor's program (the name the torch dialect uses too)."""
    return lines(program)


def lines(program: ArrayProgram) -> list[str]:
    return [text for i in program.instrs for text in line(i).split("\n")]


def sum_of_squares(x: str) -> str:
    return f"float(np.vdot({x}, {x}))"


def count(array: str) -> str:
    """The number of elements: a reduction of a per-step value is it times the count."""
    return f"{array}.size"


def reduce(op: str, array: str) -> str:
    if op == "sum":
        return f"float(np.sum({array}, dtype=np.float64))"
    return f"(float(np.max({array})) if {array}.size else -math.inf)"


def allocate(name: str, shape: str, boolean: bool) -> str:
    """A scratch array of one of the smaller shapes of a rule of row or column means."""
    return f"{name} = np.empty({SHAPE_CODE[shape]}, dtype={'bool' if boolean else 'p.dtype'})"


SHAPE_CODE = {  # p's shape with the last axis 1, the one before it, or both
    "rows": "p.shape[:-1] + (1,)",
    "columns": "p.shape[:-2] + (1,) + p.shape[-1:]",
    "matrix": "p.shape[:-2] + (1, 1)",
}
