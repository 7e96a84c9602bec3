"""The one place SymPy symbols are made: every name of a spec is a real scalar, except flags,
which are booleans fixed before lowering. Equal names give equal (cached) symbols."""

from __future__ import annotations

from functools import lru_cache

import sympy as sp


@lru_cache(maxsize=None)
def real(name: str) -> sp.Symbol:
    """A real scalar: a hyperparameter, state, reduction, equation target or built-in."""
    return sp.Symbol(name, real=True)


@lru_cache(maxsize=None)
def flag(name: str) -> sp.Symbol:
    """A boolean flag (amsgrad, nesterov): resolved per variant, never printed."""
    return sp.Symbol(name)


def mask(name: str) -> sp.Symbol:
    """A per-element condition's value, true or false (``_m0``): the IR's ``masks``. A real
    symbol like every other name (the printers and the docs look names up as such); SymPy
    takes a symbol as a Piecewise condition."""
    return real(name)


@lru_cache(maxsize=None)
def plain(name: str) -> sp.Symbol:
    """A symbol without assumptions that stands for printed text only (``hyper['beta_1']``,
    a display name in the docs); never part of the mathematics."""
    return sp.Symbol(name)


# The built-in symbols of every spec.
P = real("p")  # the parameter element
G = real("g")  # the gradient element, after clipping
T = real("t")  # the step: completed steps + 1
LR = real("lr")  # the learning rate of this step, after decay
RANK = real("rank")  # a tensor's number of axes: only in a rank flag's ``value``
# a tensor's sizes along its last two axes: per tensor, only in the rules of tensors of two
# axes or more (Muon's sqrt(max(rows, columns)))
ROWS = real("rows")
COLUMNS = real("columns")
SHAPE_SYMBOLS = (ROWS, COLUMNS)


class AxisMean(sp.Function):
    """The mean of a per-element value over one of a tensor's last two axes, one value per
    row (``RowMean``: over the last axis) or per column (``ColumnMean``: over the axis before
    it), broadcast back over that axis: Adafactor's factored second moment. Only in the
    rules of tensors of two axes or more (the reader checks it)."""

    nargs = 1
    is_real = True

    @classmethod
    def eval(cls, arg):
        if arg.is_Number:  # the mean of the same value everywhere
            return arg
        return None

    def _eval_is_nonnegative(self):  # a mean of values never negative is not either
        return self.args[0].is_nonnegative

    def _eval_is_positive(self):
        return self.args[0].is_positive


class RowMean(AxisMean):
    """The mean over a row (the last axis): one value per row."""


class ColumnMean(AxisMean):
    """The mean over a column (the axis before the last): one value per column."""


# what each axis mean leaves: the axes (rows "i", columns "j") its value varies along
AXIS_MEANS = {RowMean: "j", ColumnMean: "i"}


class MatrixCall(sp.Function):
    """A call of a spec's matrix function (``matrix_functions:``) on a per-element value,
    taken as a whole tensor: a matrix of the tensor's last two axes (a stack of them for more
    axes) in, a matrix of the same shape out. Its arguments are the value, then the
    hyperparameters the function's body reads (sorted by name), so that every stage sees
    them as inputs. One subclass per function name (``matrix_call``)."""

    is_real = True


@lru_cache(maxsize=None)
def matrix_call(name: str) -> type:
    """The class of calls of the matrix function ``name`` (equal names, the same class)."""
    return type(MatrixCall)(name, (MatrixCall,), {"__module__": __name__})


class MatrixProduct(sp.Function):
    """The matrix product ``a @ b`` of a matrix function's body (over the last two axes)."""

    nargs = 2
    is_real = True


class MatrixTranspose(sp.Function):
    """The transpose of a matrix function's value (its last two axes swapped)."""

    nargs = 1
    is_real = True


class FrobeniusNorm(sp.Function):
    """sqrt of the sum of the squares of a matrix (over its last two axes): one value per
    matrix, broadcast back over it."""

    nargs = 1
    is_real = True


MATRIX_OPERATIONS = (MatrixProduct, MatrixTranspose, FrobeniusNorm)


def first_branch(select: sp.Piecewise):
    """(condition, value where it holds, value otherwise) of a Piecewise: a select, the rest
    of a chain as one Piecewise."""
    (value, condition), *rest = select.args
    otherwise = rest[0][0] if len(rest) == 1 and rest[0][1] is sp.true else sp.Piecewise(*rest)
    return condition, value, otherwise


def mixes_per_step_and_per_element(condition, per_element: set[str]) -> bool:
    """Whether ``condition`` compares per-element values (its comparisons that read a name of
    ``per_element``) and per-step values at once: a select is one or the other."""
    kinds = {
        bool({s.name for s in c.free_symbols} & per_element)
        for c in condition.atoms(sp.core.relational.Relational)
    }
    return len(kinds) > 1
