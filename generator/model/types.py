"""The parts of a spec, as frozen dataclasses, and the closed vocabularies of the spec language
as Enums. Pure data: reading YAML is ``reader``'s job, flag variants are ``spec``'s."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import sympy as sp

from .. import symbols


class _Vocabulary(StrEnum):
    """A closed set of words of the spec language; ``parse`` says what is allowed."""

    @classmethod
    def parse(cls, word: object) -> "_Vocabulary":
        try:
            return cls(word)
        except ValueError:
            allowed = " or ".join(repr(m.value) for m in cls)
            raise ValueError(f"must be {allowed}, not {word!r}") from None


class Kind(_Vocabulary):
    """A hyperparameter's type: a real argument, or a flag specialised at generation time."""

    REAL = "real"
    BOOL = "bool"


class Scope(_Vocabulary):
    """What a reduction runs over: the elements of one tensor, or of all tensors of a step."""

    TENSOR = "tensor"
    GLOBAL = "global"


class ReduceOp(_Vocabulary):
    SUM = "sum"
    MAX = "max"


@dataclass(frozen=True)
class Hyperparameter:
    name: str
    kind: Kind
    default: float | bool
    doc: str
    domain: sp.Basic | None  # a SymPy relation over the argument, or None
    domain_text: str | None
    latex: str | None
    line: int
    whole: bool = False  # whole numbers only: a matrix function's repeat count

    @property
    def symbol(self) -> sp.Symbol:
        return symbols.flag(self.name) if self.kind is Kind.BOOL else symbols.real(self.name)

    @property
    def domain_words(self) -> str:
        """The domain as the spec writes it, and "a whole number" where it must be one."""
        return ", ".join(filter(None, [self.domain_text, "a whole number" * self.whole]))

    def contains(self, value: float) -> bool:
        """Whether the float ``value`` (taken exactly) is inside the domain."""
        if self.whole and not float(value).is_integer():
            return False
        exact = sp.Rational(repr(float(value)))
        return self.domain is None or self.domain.subs(self.symbol, exact) is sp.true


class _FlagNamed:
    """An entry whose ``name`` is a flag: resolved per variant, never printed."""

    name: str

    @property
    def symbol(self) -> sp.Symbol:
        return symbols.flag(self.name)


@dataclass(frozen=True)
class DerivedFlag(_FlagNamed):
    """A flag that a real hyperparameter's value sets: ``momentum_on: momentum > 0``. Like a
    flag it picks the update rule and its state (one kernel per value); unlike one it is no
    argument: the constructor derives it, and an assignment that would change it is refused."""

    name: str
    hyperparameter: str
    condition: sp.Basic  # a SymPy relation over the hyperparameter's symbol and numbers
    text: str  # the condition as written, e.g. "momentum > 0"
    doc: str
    line: int

    def holds(self, value: float) -> bool:
        """The flag's value for the hyperparameter at ``value``."""
        exact = sp.Rational(repr(float(value)))
        return self.condition.subs(symbols.real(self.hyperparameter), exact) is sp.true


@dataclass(frozen=True)
class RankFlag(_FlagNamed):
    """A flag that each tensor's rank (its number of axes) sets: ``matrix: rank >= 2``. It
    picks the update rule per tensor, inside one optimizer: each tensor takes the kernel of
    its rank's variant. No argument, and nothing per step may read it (the step program and
    the scalar state are the optimizer's, one per step)."""

    name: str
    condition: sp.Basic  # a SymPy relation over symbols.RANK and integers
    text: str  # the condition as written, e.g. "rank >= 2"
    doc: str
    line: int

    def holds(self, rank: int) -> bool:
        """The flag's value for a tensor of ``rank`` axes."""
        return self.condition.subs(symbols.RANK, sp.Integer(rank)) is sp.true

    @property
    def default(self) -> bool:
        """Its value for a matrix: the variant the docs and ``Spec.variant()`` show first."""
        return self.holds(2)


class _RealNamed:
    """An entry whose ``name`` stands for a real scalar in the equations."""

    name: str

    @property
    def symbol(self) -> sp.Symbol:
        return symbols.real(self.name)


@dataclass(frozen=True)
class StateVar(_RealNamed):
    """Per-parameter state: an array shaped like the parameter, or for a tensor of two axes
    or more one value per row (``shape="rows"``: the shape of ``row_mean``'s values, the
    parameter's with the last axis 1) or per column (``"columns"``: the axis before it 1)."""

    name: str
    init: sp.Expr  # of numbers and hyperparameters
    doc: str
    when: sp.Basic  # a flag condition; sp.true when always present
    latex: str | None
    line: int
    shape: str = "element"  # "element", "rows" or "columns" (STATE_SHAPES)


# a state's ``shape:``, and the axes (rows "i", columns "j") along which its values vary
STATE_SHAPES = {"element": frozenset("ij"), "rows": frozenset("i"), "columns": frozenset("j")}


@dataclass(frozen=True)
class ScalarStateVar(_RealNamed):
    """Optimizer-wide scalar state, such as Nadam's momentum schedule product."""

    name: str
    init: sp.Expr
    doc: str
    latex: str | None
    line: int


@dataclass(frozen=True)
class Reduction(_RealNamed):
    """A scalar reduced over the elements of one tensor ("tensor") or of all ("global")."""

    name: str
    scope: Scope
    op: ReduceOp
    expr: sp.Expr
    text: str
    doc: str
    line: int
    latex: str | None = None  # the symbol the docs use


@dataclass(frozen=True)
class Equation:
    target: str
    expr: sp.Expr
    text: str
    when: sp.Basic
    line: int
    latex: str | None = None  # how the docs write the target (for step and element locals)

    @property
    def symbol(self) -> sp.Symbol:
        return symbols.real(self.target)


@dataclass(frozen=True)
class MatrixFunction:
    """A whole-tensor function of a per-element value (``matrix_functions:``): its
    ``argument`` names the matrix (the last two axes of a tensor of two axes or more) in its
    equations, which use matrix products (``@``), ``transpose`` and ``frobenius_norm``; the
    ``setup`` equations run once, then the ``body`` ``repeat`` times (a whole-number
    hyperparameter or a number), and the argument's last value is the result. With ``wide``,
    a matrix of more rows than columns is transposed before and after, so that the products
    ``X @ transpose(X)`` are of the smaller side (Muon's Newton-Schulz iteration)."""

    name: str
    argument: str
    setup: tuple[Equation, ...]
    body: tuple[Equation, ...]
    repeat: sp.Expr  # a hyperparameter's symbol or an integer
    repeat_text: str
    wide: bool
    params: tuple[str, ...]  # the hyperparameters the equations and repeat read, sorted
    doc: str
    latex: str | None
    line: int

    @property
    def call(self) -> type:
        """The SymPy class of this function's calls in the update's equations."""
        return symbols.matrix_call(self.name)

    def __call__(self, value: sp.Expr) -> sp.Expr:
        return self.call(value, *[symbols.real(n) for n in self.params])


@dataclass(frozen=True)
class Reference:
    title: str
    url: str
