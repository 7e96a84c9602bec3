"""A high-precision reference: the spec's own equations, evaluated in order with mpmath.

It shares nothing with the code paths under test but the parsed spec: no IR, no hoisting,
no CSE, no printer. Each equation is evaluated element by element at 50 significant digits,
exactly as written (sequential assignments), with Keras 2.3's clipnorm, clipvalue and decay
from ``generator.common``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp
from sympy.printing.pycode import MpmathPrinter

from . import rounding
from .. import symbols
from ..common import CLIP_SCALE, CLIPNORM, GRAD_NORM, WEIGHT_DECAY_FACTOR
from ..model import Scope, Spec

DIGITS = 50


@dataclass
class Trajectory:
    """Final values (as float64) and, per element, the sum over steps of |value| + |change|:
    the scale against which float rounding errors accumulate."""

    params: list[np.ndarray]
    state: list[dict[str, np.ndarray]]
    scalar_state: dict[str, float]
    param_scale: list[np.ndarray]
    state_scale: list[dict[str, np.ndarray]]


def _magnitude(new, old):
    """|new| + |new - old|: one step's part of an element's scale. A NaN step adds nothing: a
    value that recovers from NaN (Rprop's prev, replaced by the next gradient) is compared
    with the tolerance of its finite steps, and one that stays NaN must be NaN exactly."""
    total = abs(new) + abs(new - old)
    return mpmath.mpf(0) if mpmath.isnan(total) else total


def _nan_max(*values):
    """max and min that propagate NaN whatever the order, as numpy.maximum and torch.maximum
    do (Python's builtins keep a NaN only when it comes first)."""
    return mpmath.nan if any(mpmath.isnan(v) for v in values) else max(values)


def _nan_min(*values):
    return mpmath.nan if any(mpmath.isnan(v) for v in values) else min(values)


# Beyond these magnitudes a float64 backend has long overflowed (or underflowed to zero);
# the reference says so at once instead of letting mpmath build numbers whose exponents
# alone take megabytes (an exp tower of depth 8 otherwise runs for minutes).
_EXP_LIMIT = mpmath.mpf(2) ** 20
_LOG2_MAGNITUDE_LIMIT = 2**22


def _guarded_exp(x):
    if x > _EXP_LIMIT:
        return mpmath.inf
    if x < -_EXP_LIMIT:
        return mpmath.mpf(0)
    return mpmath.exp(x)


def _guarded_pow(base, exponent):
    """base**exponent, with magnitudes beyond 2**(2**22) reported as infinity or zero."""
    if mpmath.isfinite(base) and mpmath.isfinite(exponent) and base != 0:
        magnitude = exponent * mpmath.log(abs(base), 2)
        if magnitude > _LOG2_MAGNITUDE_LIMIT or magnitude < -_LOG2_MAGNITUDE_LIMIT:
            if base < 0 and not mpmath.isint(exponent):
                return mpmath.nan
            odd = base < 0 and mpmath.isint(exponent) and int(exponent) % 2 == 1
            value = mpmath.inf if magnitude > 0 else mpmath.mpf(0)
            return -value if odd else value
    if base == -mpmath.inf and not mpmath.isint(exponent):  # IEEE pow: |base|**exponent
        return mpmath.inf if exponent > 0 else mpmath.mpf(0)
    if base < 0 and not mpmath.isint(exponent):  # mpmath's value would be complex
        return mpmath.nan
    return base**exponent


def _real_sqrt(x):
    """The root as IEEE arithmetic takes it: NaN for a negative number (mpmath's is complex)."""
    return mpmath.nan if x < 0 else mpmath.sqrt(x)


def _real_log(x):
    return mpmath.nan if x < 0 else mpmath.log(x)


class _GuardedPrinter(MpmathPrinter):
    """Prints powers with a non-integer or symbolic exponent as ``_guarded_pow``."""

    def _print_Pow(self, expr, rational=False):
        if expr.exp.is_Integer or expr.exp in (sp.S.Half, -sp.S.Half):
            return super()._print_Pow(expr, rational=rational)
        return f"_guarded_pow({self._print(expr.base)}, {self._print(expr.exp)})"


_NAMESPACE = {
    "max": _nan_max,
    "min": _nan_min,
    "exp": _guarded_exp,
    "_guarded_pow": _guarded_pow,
    "sqrt": _real_sqrt,
    "log": _real_log,
}


@lru_cache(maxsize=None)
def _compiled(expr: sp.Expr):
    args = sorted(expr.free_symbols, key=lambda s: s.name)
    printer = _GuardedPrinter(
        {"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True}
    )
    function = sp.lambdify(args, expr, modules=[_NAMESPACE, "mpmath"], printer=printer)
    return tuple(a.name for a in args), function


def evaluate(expr: sp.Expr, env: dict):
    names, function = _compiled(expr)
    return mpmath.mpf(function(*[env[n] for n in names]))


def run(
    spec: Spec, flags: dict, hyper: dict, params0, grads_per_step, start=None, ranks=None
) -> Trajectory:
    """Run len(grads_per_step) steps from params0 (lists of float arrays; not modified): from
    the spec's initial state, or from ``start`` = (steps taken, scalar state by name, each
    parameter's state as a dict of arrays by name). ``ranks``: each parameter's rank, which
    picks its rank flags (default: its array's; a sample of a tensor's elements is flat)."""
    with mpmath.workdps(DIGITS):
        return _run(spec, flags, hyper, params0, grads_per_step, start, ranks)


def _run(spec, flags, hyper, params0, grads_per_step, start=None, ranks=None):
    variant = spec.variant(**flags)
    mp = mpmath.mpf
    h = {name: mp(repr(float(value))) for name, value in hyper.items() if value is not None}
    h.setdefault("decay", mp(0))
    # Keras 3's decoupled weight decay, before the update (a spec's own is in its equations)
    weight_decay = "weight_decay" in spec.common and bool(hyper.get("weight_decay"))
    clipnorm = hyper.get("clipnorm") or 0.0
    clipvalue = hyper.get("clipvalue") or 0.0

    params = [
        [mp(repr(float(x))) for x in np.asarray(p, dtype=np.float64).ravel()] for p in params0
    ]
    shapes = [np.shape(p) for p in params0]
    # each tensor's update rule: its rank's variant (the step program is every variant's)
    ranks = [len(shape) for shape in shapes] if ranks is None else list(ranks)
    own = [spec.tensor_variant(flags, rank) for rank in ranks]
    # each state's shape (a state of rows or columns: the parameter's with an axis 1)
    state_shapes = [
        {s.name: _state_shape(s.shape, shape) for s in variant.state}
        for shape, variant in zip(shapes, own)
    ]
    state = [  # each tensor's rank's state
        {s.name: [evaluate(s.init, h)] * math.prod(sizes[s.name]) for s in variant.state}
        for sizes, variant in zip(state_shapes, own)
    ]
    scalar = {s.name: evaluate(s.init, h) for s in spec.scalar_state}
    taken = 0
    if start is not None:
        taken, scalar0, state0 = start
        scalar = {name: mp(repr(float(scalar0[name]))) for name in scalar}
        state = [
            {
                n: [mp(repr(float(x))) for x in np.asarray(s0[n], dtype=np.float64).ravel()]
                for n in st
            }
            for st, s0 in zip(state, state0)
        ]
    p_scale = [[mp(0)] * len(p) for p in params]
    s_scale = [{n: [mp(0)] * len(v) for n, v in st.items()} for st in state]
    # rounding-error bounds (generator/verify/rounding.py, in units of u), carried by the
    # parameters and state from step to step: the inputs exact, the state's start rounded once
    p_bound = [[0.0] * len(p) for p in params]
    s_bound = [{n: [abs(float(x)) for x in v] for n, v in st.items()} for st in state]

    for step, raw in enumerate(grads_per_step, start=taken + 1):
        grads = [[mp(repr(float(x))) for x in np.asarray(g, dtype=np.float64).ravel()] for g in raw]
        # Keras 2.3's Optimizer.get_gradients: one norm over all gradients, then clip values.
        if clipnorm > 0:
            norm = mpmath.sqrt(mpmath.fsum(x * x for g in grads for x in g))
            scale = evaluate(CLIP_SCALE, {CLIPNORM.name: mp(repr(clipnorm)), GRAD_NORM.name: norm})
            grads = [[x * scale for x in g] for g in grads]
        if clipvalue > 0:
            c = mp(repr(clipvalue))
            grads = [[_nan_min(_nan_max(x, -c), c) for x in g] for g in grads]

        env = dict(h)
        env["t"] = mp(step)
        env.update(scalar)
        env["lr"] = evaluate(spec.lr_equation.expr, env)
        decay_factor = evaluate(WEIGHT_DECAY_FACTOR, env) if weight_decay else None

        def element_env(i, j):
            e = {"p": params[i][j], "g": grads[i][j]}
            e.update({n: values[j] for n, values in state[i].items()})
            return e

        def reduced(i, j):
            """What a per-tensor reduction reads: the values before the step, p after Keras
            3's weight decay (which the update's values it reads are computed from too)."""
            e = {**env, **element_env(i, j)}
            return e if decay_factor is None else {**e, "p": e["p"] * decay_factor}

        early, late = spec.global_reductions()  # late: over the update's values
        for r in early:
            values = [
                evaluate(r.expr, {**env, **element_env(i, j)})
                for i in range(len(params))
                for j in range(len(params[i]))
            ]
            env[r.name] = _reduce(r.op, values)
        if late:  # each from the update's values, p after the weight decay as in the update
            stepped = spec.step_before_reductions(variant, env, evaluate)
            for r in late:
                values = []
                for i in range(len(params)):
                    for j in range(len(params[i])):
                        e = {**stepped, **element_env(i, j)}
                        if decay_factor is not None:
                            e["p"] = e["p"] * decay_factor
                        values.append(evaluate(r.expr, variant.reduction_env(r, e, evaluate)))
                env[r.name] = _reduce(r.op, values)
        for eq in variant.step:
            env[eq.target] = evaluate(eq.expr, env)
        for s in spec.scalar_state:
            scalar[s.name] = env[s.name]

        step_values = {n: float(v) for n, v in env.items()}
        step_values["t"], clipped = float(step), bool(clipnorm > 0 or clipvalue > 0)
        for i in range(len(params)):
            if own[i].whole_array:  # row or column means: the tensor's arrays at once
                local = _whole_array_step(
                    own[i],
                    env,
                    params[i],
                    grads[i],
                    state[i],
                    shapes[i],
                    state_shapes[i],
                    decay_factor,
                )
                for j, value in enumerate(local["p"]):
                    p_scale[i][j] += _magnitude(value, params[i][j])
                params[i] = local["p"]
                for n in state[i]:
                    for j, value in enumerate(local[n]):
                        s_scale[i][n][j] += _magnitude(value, state[i][n][j])
                    state[i][n] = local[n]
                continue
            tensor_env = dict(env)
            for r in spec.reductions:
                if r.scope is Scope.TENSOR and r.name in own[i].names_read:  # its rule's
                    values = []
                    for j in range(len(params[i])):
                        reads = own[i].reduction_env(r, reduced(i, j), evaluate)
                        values.append(evaluate(r.expr, reads))
                    tensor_env[r.name] = _reduce(r.op, values)
            new_state = {n: list(v) for n, v in state[i].items()}
            for j in range(len(params[i])):
                local = dict(tensor_env)
                local.update(element_env(i, j))
                values = {**step_values, **{n: float(v) for n, v in local.items()}}
                bounds = {"t": 0.0, "p": p_bound[i][j], "g": abs(values["g"]) if clipped else 0}
                bounds.update({n: b[j] for n, b in s_bound[i].items()})
                if decay_factor is not None:  # after the global reductions, which read p before it
                    local["p"] = local["p"] * decay_factor
                    values["p"] = float(local["p"])
                    bounds["p"] = bounds["p"] * abs(float(decay_factor)) + 2 * abs(values["p"])
                for eq in own[i].update:
                    local[eq.target] = evaluate(eq.expr, local)
                    bounds[eq.target] = rounding.bound(eq.expr, values, bounds)
                    values[eq.target] = float(local[eq.target])
                p_scale[i][j] += _magnitude(local["p"], params[i][j])
                params[i][j] = local["p"]
                p_bound[i][j] = bounds["p"]
                for n in new_state:
                    s_scale[i][n][j] += _magnitude(local[n], state[i][n][j])
                    new_state[n][j] = local[n]
                    s_bound[i][n][j] = bounds[n]
            state[i] = new_state

    as_array = lambda values, shape: np.array([float(v) for v in values], dtype=np.float64).reshape(
        shape
    )  # noqa: E731

    def widened(scale, bound, shape):
        """The scale, or the rounding bound where cancellation makes it larger; an infinite
        bound (first order fails: x**1.5 at an exact 0) widens nothing, or the tolerance of
        that element would accept any value."""
        scale, bound = as_array(scale, shape), np.array(bound, dtype=np.float64).reshape(shape)
        with np.errstate(invalid="ignore"):
            return np.where((bound > scale) & np.isfinite(bound), bound, scale)

    return Trajectory(
        params=[as_array(p, s) for p, s in zip(params, shapes)],
        state=[{n: as_array(v, s[n]) for n, v in st.items()} for st, s in zip(state, state_shapes)],
        scalar_state={n: float(v) for n, v in scalar.items()},
        param_scale=[widened(p, b, s) for p, b, s in zip(p_scale, p_bound, shapes)],
        state_scale=[
            {n: widened(v, b[n], s[n]) for n, v in st.items()}
            for st, b, s in zip(s_scale, s_bound, state_shapes)
        ],
    )


def _state_shape(kind: str, shape) -> tuple:
    """A state's shape: its parameter's, or with the last axis 1 ("rows") or the one
    before it ("columns")."""
    shape = tuple(shape)
    if kind == "rows":
        return shape[:-1] + (1,)
    if kind == "columns":
        return shape[:-2] + (1,) + shape[-1:]
    return shape


def _whole_array_step(variant, env, p, g, state, shape, state_shapes, decay_factor) -> dict:
    """One step of a tensor whose rule takes row or column means: each equation over the
    tensor's arrays at once, in order (values of rows or columns broadcast, as in NumPy),
    after its per-tensor reductions (of the values before the step, p after the weight decay,
    and of the update's values that read no reduction, computed the same way). Returns the
    new values of p and the state, flat."""
    arrays = {"p": _objects(p, shape), "g": _objects(g, shape)}
    arrays.update({n: _objects(v, state_shapes[n]) for n, v in state.items()})
    if decay_factor is not None:
        arrays["p"] = arrays["p"] * decay_factor
    reductions = [r for r in variant.spec.reductions if r.scope is Scope.TENSOR]
    reductions = [r for r in reductions if r.name in variant.names_read]
    tensor_env = dict(env)
    if reductions:
        before = {**env, **arrays}
        for eq in variant.update:  # the update's values a reduction may read
            if all(s.name in before for s in eq.expr.free_symbols):
                before[eq.target] = _evaluate_arrays(eq.expr, before, variant.spec)
        before.update(arrays)  # a state's name is its value before the step
        for r in reductions:
            values = np.broadcast_to(_evaluate_arrays(r.expr, before, variant.spec), shape).ravel()
            tensor_env[r.name] = _reduce(r.op, list(values))
    local = {**tensor_env, **arrays}
    if len(shape) >= 2:  # rows and columns: the sizes of the last two axes
        local.update(rows=mpmath.mpf(shape[-2]), columns=mpmath.mpf(shape[-1]))
    for eq in variant.update:
        local[eq.target] = _evaluate_arrays(eq.expr, local, variant.spec)
    out = {"p": list(np.broadcast_to(local["p"], shape).ravel())}
    out.update({n: list(np.broadcast_to(local[n], state_shapes[n]).ravel()) for n in state})
    return out


def _objects(values, shape):
    """Flat mpf values as an array of ``shape`` (object dtype: NumPy broadcasts them)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out.reshape(shape)


def _evaluate_arrays(expr: sp.Expr, env: dict, spec: Spec | None = None):
    """``expr`` over arrays of mpf values and mpf numbers (``env``): each row or column mean
    first (innermost first), over its axis, kept with length 1."""
    means = expr.atoms(symbols.AxisMean, symbols.MatrixCall)
    means = sorted(means, key=lambda m: (sp.count_ops(m), sp.default_sort_key(m)))
    env = dict(env)
    for index, mean in enumerate(means):
        inner = _evaluate_arrays(mean.args[0], env, spec)
        name = f"_mean{index}_{id(mean)}"
        if isinstance(mean, symbols.MatrixCall):  # a matrix function, on the whole tensor
            env[name] = _matrix_function(spec, mean, inner, env)
            expr = expr.xreplace({mean: sp.Symbol(name, real=True)})
            continue
        axis = -1 if isinstance(mean, symbols.RowMean) else -2
        count = inner.shape[axis]
        total = np.apply_along_axis(lambda xs: mpmath.fsum(xs), axis, inner)
        env[name] = np.expand_dims(total, axis) / count
        expr = expr.xreplace({mean: sp.Symbol(name, real=True)})
    names, function = _compiled(expr)
    args = [env[n] for n in names]
    if not any(isinstance(a, np.ndarray) for a in args):
        return mpmath.mpf(function(*args))
    return np.vectorize(lambda *xs: mpmath.mpf(function(*xs)), otypes=[object])(*args)


def _matrix_function(spec, call, x, env):
    """A spec's matrix function (model.MatrixFunction) of the array ``x`` of mpf values: its
    equations in order, the body repeated, every sum of a product and of a norm exact to the
    reference's digits (fsum)."""
    fn = next(f for f in spec.matrix_functions if f.name == type(call).__name__)
    local = {name: env[name] for name in fn.params}
    count = _matrix_value(fn.repeat, local)
    if count != int(count) or count < 0:
        raise ValueError(f"{fn.name}(): {fn.repeat_text} must be a whole number >= 0")
    tall = fn.wide and x.shape[-2] > x.shape[-1]
    local[fn.argument] = np.swapaxes(x, -1, -2) if tall else x
    for eq in fn.setup:
        local[eq.target] = _matrix_value(eq.expr, local)
    for _ in range(int(count)):
        for eq in fn.body:
            local[eq.target] = _matrix_value(eq.expr, local)
    out = local[fn.argument]
    return np.swapaxes(out, -1, -2) if tall else out


def _each(function):
    return np.vectorize(lambda x: mpmath.mpf(function(x)), otypes=[object])


def _matrix_value(expr, env):
    """A matrix function's expression over arrays of mpf (a matrix per last two axes)."""
    if expr.is_Symbol:
        return env[expr.name]
    if expr.is_Number:
        return mpmath.mpf(expr.p) / expr.q if expr.is_Rational else mpmath.mpf(float(expr))
    args = [_matrix_value(a, env) for a in expr.args]
    if isinstance(expr, symbols.MatrixProduct):
        a, b = args
        out = np.empty(a.shape[:-1] + b.shape[-1:], dtype=object)
        for index in np.ndindex(out.shape):
            *lead, i, j = index
            row, column = a[(*lead, i)], b[(*lead, slice(None), j)]
            out[index] = mpmath.fsum(u * v for u, v in zip(row, column))
        return out
    if isinstance(expr, symbols.MatrixTranspose):
        return np.swapaxes(args[0], -1, -2)
    if isinstance(expr, symbols.FrobeniusNorm):
        x = args[0]
        out = np.empty(x.shape[:-2] + (1, 1), dtype=object)
        for index in np.ndindex(x.shape[:-2]):
            out[index + (0, 0)] = mpmath.sqrt(mpmath.fsum(v * v for v in x[index].ravel()))
        return out
    if isinstance(expr, sp.Add):
        total = args[0]
        for a in args[1:]:
            total = total + a
        return total
    if isinstance(expr, sp.Mul):
        product = args[0]
        for a in args[1:]:
            product = product * a
        return product
    if isinstance(expr, sp.Pow):
        base, exponent = args
        if isinstance(base, np.ndarray):
            return _each(lambda v: mpmath.power(v, exponent))(base)
        return mpmath.power(base, exponent)
    elementwise = {sp.Abs: mpmath.fabs, sp.exp: mpmath.exp, sp.log: mpmath.log}
    for cls, function in elementwise.items():
        if isinstance(expr, cls):
            x = args[0]
            return _each(function)(x) if isinstance(x, np.ndarray) else function(x)
    if isinstance(expr, (sp.Max, sp.Min)):
        pick = _nan_max if isinstance(expr, sp.Max) else _nan_min
        return np.vectorize(lambda *xs: pick(*xs), otypes=[object])(*args)
    raise ValueError(f"the reference cannot evaluate {type(expr).__name__} in a matrix function")


def _reduce(op, values):
    if not values:
        return mpmath.mpf(0) if op == "sum" else mpmath.mpf("-inf")
    return mpmath.fsum(values) if op == "sum" else _nan_max(*values)
