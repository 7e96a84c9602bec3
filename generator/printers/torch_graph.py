"""PyTorch's graph dialect: one tensor's element program as out-of-place operations, for
steps that torch.compile traces into one graph or a CUDA graph captures (``capturable=True``).
Their per-step scalars come from the host's own step functions, whose ``step_math`` takes
tensors (printers/python.py, StepPrinter).

The other torch dialects pass per-step scalars as Python floats in ``alpha=``/``value=``
arguments, which torch.compile specialises on (a recompilation every step) and a CUDA graph
would freeze. Here the scalars may be 0-d tensors, so every operation is one that takes a
tensor operand (``a * s``, ``torch.clamp_min``), values are SSA temporaries (inductor fuses
them into one kernel; nothing is allocated once compiled), and the results are written back
into the parameter and state at the end.
"""

from __future__ import annotations

from .arrays import called, lower_values

_SIGN = "torch.where(torch.isnan({x}), {x}, torch.sign({x}))"  # the reference keeps NaN
_CALL = {
    "sqrt": "torch.sqrt({0})",
    "square": "({0} * {0})",
    "absolute": "torch.abs({0})",
    "exp": "torch.exp({0})",
    "log": "torch.log({0})",
    "negative": "(-{0})",
    "copy": "{0}",
    "row_mean": "torch.mean({0}, dim=-1, keepdim=True)",
    "column_mean": "torch.mean({0}, dim=-2, keepdim=True)",
}
_INFIX = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/"}
_TWO = {  # comparisons and logical operations: the array first (arrays.py puts it there)
    "greater": "torch.gt",
    "greater_equal": "torch.ge",
    "less": "torch.lt",
    "less_equal": "torch.le",
    "equal": "torch.eq",
    "not_equal": "torch.ne",
    "logical_and": "torch.logical_and",
    "logical_or": "torch.logical_or",
}
_CLAMP = {"maximum": "torch.clamp_min", "minimum": "torch.clamp_max"}
_BOTH = {"maximum": "torch.maximum", "minimum": "torch.minimum"}


def element_lines(cases, arrays: list[str], scalars: set[str]) -> list[str]:
    """The element program of one tensor: SSA lines ``_v<i> = ...``, then each output
    written into its array with ``copy_``. Every value is computed before the first write,
    so an output may read any input's old value. ``cases``: the program per branch of its
    per-step conditions (backends/base.py condition_cases); with several, every branch is
    computed and each output selected with torch.where on the 0-d condition tensors (a
    branch not taken may hold NaN, which the select drops), so the graph has no Python branch.
    The IR's masks, when there are some, are the first temporaries of each case."""
    lines: list[str] = []
    results: list[dict[str, str]] = []
    for index, (_, temporaries, outputs) in enumerate(cases):
        prefix = "_v" if len(cases) == 1 else f"_v{index}_"
        low, finals = lower_values(temporaries, outputs, arrays, scalars)
        name = dict(low.inputs)
        for op in low.ops:
            args = [name[a.value] if a.is_array else a.code for a in op.args]
            arrays_at = [a.is_array for a in op.args]
            lines.append(f"{prefix}{op.result} = {_expression(op.func, args, arrays_at)}")
            name[op.result] = f"{prefix}{op.result}"
        results.append(
            {target: (name[o.value] if o.is_array else f"({o.code})") for target, o in finals}
        )
    for target in results[0]:
        value = _selected(cases, results, target)
        if value == target:
            continue
        if len(cases) == 1 and value.startswith("("):  # a per-step value for every element
            lines.append(f"{target}.fill_{value}")
        else:
            lines.append(f"{target}.copy_({value})")
    return lines


def value_lines(expr, arrays: list[str], scalars: set[str], prefix: str):
    """SSA lines computing ``expr`` as a new tensor (or a number, for a per-step value):
    (the lines, the code of the value). For a reduction's values."""
    low, ((_, final),) = lower_values((), (("_", expr),), arrays, scalars)
    name = dict(low.inputs)
    lines = []
    for op in low.ops:
        args = [name[a.value] if a.is_array else a.code for a in op.args]
        lines.append(
            f"{prefix}{op.result} = {_expression(op.func, args, [a.is_array for a in op.args])}"
        )
        name[op.result] = f"{prefix}{op.result}"
    return lines, (name[final.value] if final.is_array else f"({final.code})")


def _selected(cases, results, target, depth: int = 0) -> str:
    """The output ``target`` of the case whose conditions hold, as nested torch.where."""
    if len(cases) == 1:
        return results[0][target]
    condition = cases[0][0][depth][0]
    pairs = list(zip(cases, results))
    taken = [p for p in pairs if p[0][0][depth][1]]
    other = [p for p in pairs if not p[0][0][depth][1]]
    a = _selected([c for c, _ in taken], [r for _, r in taken], target, depth + 1)
    b = _selected([c for c, _ in other], [r for _, r in other], target, depth + 1)
    return f"torch.where({condition.lhs.name} != 0, {a}, {b})"


def _expression(func: str, args: list[str], arrays: list[bool]) -> str:
    if called(func):
        return f"{called(func)}({', '.join(args)})"
    if func in _INFIX:
        return f"({args[0]} {_INFIX[func]} {args[1]})"
    if func in _CLAMP:
        if arrays[0] and arrays[1]:
            return f"{_BOTH[func]}({args[0]}, {args[1]})"
        array, scalar = (args[0], args[1]) if arrays[0] else (args[1], args[0])
        return f"{_CLAMP[func]}({array}, {scalar})"
    if func == "sign":
        return _SIGN.format(x=args[0])
    if func == "power":
        return f"torch.pow({args[0]}, {args[1]})"
    if func in _TWO:
        return f"{_TWO[func]}({args[0]}, {args[1]})"
    if func == "logical_not":
        return f"torch.logical_not({args[0]})"
    if func == "where":  # two numbers: a tensor of p's dtype (torch's default is float32)
        a = args[1] if arrays[1] or arrays[2] else f"torch.as_tensor({args[1]}, dtype=p.dtype)"
        return f"torch.where({args[0]}, {a}, {args[2]})"
    return _CALL[func].format(*args)
