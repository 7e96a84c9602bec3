"""A spec and its variants: every flag combination specialised (conditions resolved) and
checked (definitions before use, every state updated, no cycles, a bounded size)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import sympy as sp

from .. import symbols
from ..errors import SpecError
from .types import (
    DerivedFlag,
    Equation,
    Hyperparameter,
    Kind,
    MatrixFunction,
    RankFlag,
    Reduction,
    Reference,
    ScalarStateVar,
    Scope,
    StateVar,
)

# Operations in one state's or the parameter's update after the sequential equations are
# substituted into each other: a chain that reuses its target doubles it at each line.
MAX_OPERATIONS = 5000


@dataclass(frozen=True)
class Variant:
    """A spec with its flags fixed: conditions resolved, equations in order, all checked."""

    spec: "Spec"
    flags: tuple[tuple[str, bool], ...]
    state: tuple[StateVar, ...]
    step: tuple[Equation, ...]
    update: tuple[Equation, ...]

    @property
    def flag_dict(self) -> dict[str, bool]:
        return dict(self.flags)

    @property
    def names_read(self) -> set[str]:
        """The names its step and update equations read: a per-tensor reduction outside them
        is not computed for its tensors (and may read a state this variant lacks)."""
        return names_read((*self.step, *self.update))

    @property
    def whole_array(self) -> bool:
        """Whether its rule takes whole tensors (a row or column mean, state of rows or
        columns, a matrix function, a tensor's rows or columns): it then runs as whole-array code (NumPy, torch, Keras, optax), not in the fused
        kernels, which update elements independently."""
        return any(s.shape != "element" for s in self.state) or any(
            _whole_tensor(eq.expr) for eq in self.update
        )

    @property
    def suffix(self) -> str:
        """A stable identifier for generated function names: '' or 'amsgrad' or 'no_amsgrad'."""
        return "__".join(n if v else f"no_{n}" for n, v in self.flags) or "default"

    def reduction_env(self, reduction, env: dict, evaluate) -> dict:
        """``env`` (one element's values before the step) with the values of the update that
        ``reduction`` reads (LAMB's u), computed by the update's equations in order; those
        that read what is not known yet (the reductions) are skipped: the spec's checks make
        sure the values a reduction reads never need them. A state's name keeps its value
        before the step, as in every reduction."""
        state = {s.name for s in self.spec.state}
        wanted = {s.name for s in reduction.expr.free_symbols} - state - {"p", "g"}
        wanted &= {eq.target for eq in self.update}
        if not wanted:
            return env
        local = dict(env)
        for eq in self.update:
            if all(s.name in local for s in eq.expr.free_symbols):
                local[eq.target] = evaluate(eq.expr, local)
        return {**env, **{name: local[name] for name in wanted}}


@dataclass(frozen=True)
class Spec:
    name: str  # the class name, e.g. "Adam"
    module: str  # the file stem, e.g. "adam": module name of every backend
    keras_name: str
    path: str
    description: str
    hyperparameters: tuple[Hyperparameter, ...]
    derived_flags: tuple[DerivedFlag, ...]
    rank_flags: tuple[RankFlag, ...]
    state: tuple[StateVar, ...]
    scalar_state: tuple[ScalarStateVar, ...]
    reductions: tuple[Reduction, ...]
    step: tuple[Equation, ...]
    update: tuple[Equation, ...]
    common: tuple[str, ...]
    references: tuple[Reference, ...]
    differences: tuple[tuple[str, str], ...]  # (who, text): "torch", "keras3"
    lr_equation: Equation
    matrix_functions: tuple[MatrixFunction, ...] = ()

    def reads_update_values(self, reduction: Reduction) -> bool:
        """Whether ``reduction`` reads a value the update computes (LAMB's u)."""
        own = {eq.target for eq in self.update} - {s.name for s in self.state} - {"p", "g"}
        return bool({s.name for s in reduction.expr.free_symbols} & own)

    def global_reductions(self) -> tuple[tuple[Reduction, ...], tuple[Reduction, ...]]:
        """The global reductions in the order an evaluation of the spec's equations takes
        them: (those over the values before the step, those over the update's values, which
        read the step's values too)."""
        everywhere = [r for r in self.reductions if r.scope is Scope.GLOBAL]
        late = tuple(r for r in everywhere if self.reads_update_values(r))
        return tuple(r for r in everywhere if r not in late), late

    def step_before_reductions(self, variant: Variant, env: dict, evaluate) -> dict:
        """``env`` (per-step values with the other global reductions) with the values of the
        step's equations that do not read a global reduction over the update's values, not
        even through another step value: what those reductions read (the spec's checks make
        sure they read nothing else of the step)."""
        skipped = {r.name for r in self.global_reductions()[1]}
        local = dict(env)
        for eq in variant.step:
            if {s.name for s in eq.expr.free_symbols} & skipped:
                skipped.add(eq.target)
            else:
                local[eq.target] = evaluate(eq.expr, local)
        return local

    @property
    def reals(self) -> tuple[Hyperparameter, ...]:
        return tuple(h for h in self.hyperparameters if h.kind is Kind.REAL)

    @property
    def flags(self) -> tuple[Hyperparameter, ...]:
        return tuple(h for h in self.hyperparameters if h.kind is Kind.BOOL)

    @property
    def variant_flags(self) -> tuple[str, ...]:
        """The names that pick a variant, flags and derived flags, sorted: the order of
        ``Variant.flags`` and of the key of every backend's table of kernels. A flag that no
        condition reads picks none (Adafactor's relative_step, Keras's, which changes
        nothing): it stays an argument, without a copy of every kernel."""
        read = self._flags_read()
        names = [h.name for h in self.flags if h.name in read]
        names += [d.name for d in self.derived_flags]
        return tuple(sorted(names + [f.name for f in self.rank_flags]))

    def _flags_read(self) -> set[str]:
        """The flags that a ``when:`` or a condition in an equation or a reduction reads."""
        conditions = [s.when for s in self.state] + [eq.when for eq in (*self.step, *self.update)]
        exprs = [eq.expr for eq in (*self.step, *self.update)] + [r.expr for r in self.reductions]
        names: set[str] = set()
        for item in (*conditions, *exprs):
            names |= {s.name for s in item.free_symbols}
        return names & {h.name for h in self.flags}

    def rank_flag_values(self, rank: int) -> dict[str, bool]:
        """Each rank flag's value for a tensor of ``rank`` axes (by name)."""
        return {f.name: f.holds(rank) for f in self.rank_flags}

    def tensor_variant(self, flags: dict, rank: int) -> Variant:
        """The variant a tensor of ``rank`` axes takes, with the arguments' ``flags`` (flags
        and derived flags by name; the others take their defaults)."""
        return self.variant(**{**flags, **self.rank_flag_values(rank)})

    def variants(self) -> tuple[Variant, ...]:
        """Every flag combination that some tensor can take, in a deterministic order (False
        before True): rank flags whose values no rank gives together (``rank >= 2`` and
        ``rank < 1``) make no variant."""
        names = self.variant_flags
        combos = itertools.product((False, True), repeat=len(names))
        reached = self._rank_combinations()
        return tuple(
            _specialize(self, tuple(zip(names, values)))
            for values in combos
            if tuple(v for n, v in zip(names, values) if n in reached[0]) in reached[1]
        )

    def _rank_combinations(self) -> tuple[tuple[str, ...], set[tuple[bool, ...]]]:
        """(the rank flags' names, the value combinations that ranks give them, in
        ``variant_flags`` order): every rank up to one past the largest number compared."""
        flags = [f for name in self.variant_flags for f in self.rank_flags if f.name == name]
        numbers = [int(n) for f in flags for n in f.condition.atoms(sp.Integer)]
        ranks = range(0, max(numbers, default=0) + 2)
        return tuple(f.name for f in flags), {tuple(f.holds(r) for f in flags) for r in ranks}

    def variant(self, **flags: bool) -> Variant:
        """The variant of ``flags`` (flags and derived flags by name); the others take their
        defaults (a derived flag: its value at its hyperparameter's default)."""
        values = {h.name: h.default for h in self.flags}
        values.update(self.derived_flag_values({h.name: h.default for h in self.reals}))
        values.update({f.name: f.default for f in self.rank_flags})
        unknown = set(flags) - set(values)
        if unknown:
            raise KeyError(f"{self.name} has no flag {sorted(unknown)[0]!r}")
        values.update(flags)
        picked = set(self.variant_flags)  # a flag no condition reads picks no variant
        return _specialize(self, tuple(sorted((k, v) for k, v in values.items() if k in picked)))

    def derived_flag_values(self, hyper: dict) -> dict[str, bool]:
        """Each derived flag's value for the hyperparameters ``hyper`` (by name)."""
        return {d.name: d.holds(hyper[d.hyperparameter]) for d in self.derived_flags}

    def arguments_for(self, flags: dict, hyper: dict) -> tuple[dict, dict]:
        """The constructor's flags and hyperparameters for the variant ``flags`` (flags and
        derived flags by name), starting from ``hyper``: a hyperparameter whose value gives
        a derived flag the other value is moved to one that gives the wanted one."""
        hyper = dict(hyper)
        for d in self.derived_flags:
            wanted = flags.get(d.name)
            if wanted is not None and d.holds(hyper[d.hyperparameter]) != wanted:
                h = next(h for h in self.reals if h.name == d.hyperparameter)
                hyper[d.hyperparameter] = example_value(h, d, wanted)
        own = {h.name for h in self.flags}  # a rank flag is no argument: the tensors set it
        return {k: v for k, v in flags.items() if k in own}, hyper


def example_value(h: Hyperparameter, derived: DerivedFlag, wanted: bool) -> float | None:
    """A value of hyperparameter ``h`` inside its domain for which ``derived`` is ``wanted``:
    its default, the value the tests vary it to, or one near a number of the comparison
    (``momentum > 0`` is False at 0); None if none is found."""
    bounds = derived.condition.atoms(sp.Number)
    if h.domain is not None:
        bounds |= h.domain.atoms(sp.Number)
    numbers = sorted({float(a) for a in bounds})
    candidates = [h.default, 0.5 if h.default == 0 else h.default * 0.8]
    candidates += [(a + b) / 2 for a, b in zip(numbers, numbers[1:])]  # between two bounds
    for c in numbers:
        candidates += [c, c + 0.5, c - 0.5, c / 2, c * 2, c + 1, c - 1, c + 1e-3, c - 1e-3]
    for value in (v for v in candidates if math.isfinite(v)):
        if h.contains(value) and derived.holds(value) == wanted:
            return value
    return None


def names_read(items) -> set[str]:
    """The names the expressions of ``items`` (equations, reductions) read."""
    return set().union(*({s.name for s in item.expr.free_symbols} for item in items))


def _specialize(spec: Spec, flags: tuple[tuple[str, bool], ...]) -> Variant:
    subs = {symbols.flag(n): sp.true if v else sp.false for n, v in flags}
    shown = ", ".join(f"{n}={v}" for n, v in flags) or "the defaults"

    def holds(cond) -> bool:
        value = cond.subs(subs) if cond not in (sp.true, sp.false) else cond
        if value not in (sp.true, sp.false):  # pragma: no cover - parse_condition prevents it
            raise SpecError(spec.path, None, f"condition {cond} does not resolve for {shown}")
        return value is sp.true

    def fix(eq: Equation) -> Equation:
        return Equation(
            eq.target, _resolve_piecewise(eq.expr, subs), eq.text, sp.true, eq.line, eq.latex
        )

    state = tuple(s for s in spec.state if holds(s.when))
    absent = {s.name: s for s in spec.state if not holds(s.when)}
    step = tuple(fix(e) for e in spec.step if holds(e.when))
    update = tuple(fix(e) for e in spec.update if holds(e.when))

    scalar_names = {h.name for h in spec.reals} | {"t", "lr"} | {s.name for s in spec.scalar_state}
    scalar_names |= {r.name for r in spec.reductions if r.scope is Scope.GLOBAL}
    _check_order(spec, step, scalar_names, absent, "step", shown)
    step_names = scalar_names | {e.target for e in step}
    element_names = step_names | {"p", "g"} | {s.name for s in state}
    element_names |= {s.name for s in symbols.SHAPE_SYMBOLS}
    element_names |= {r.name for r in spec.reductions}
    _check_order(spec, update, element_names, absent, "update", shown)
    _check_size(spec, update)

    assigned = {e.target for e in update}
    for s in state:
        if s.name not in assigned:
            raise SpecError(
                spec.path,
                s.line,
                f"state {s.name!r} is never updated ({shown}): update it in every variant that "
                "keeps it, or give it the 'when:' of the equations that update it",
            )
    if "p" not in assigned:
        raise SpecError(
            spec.path,
            update[-1].line if update else None,  # where its equation would go
            f"update: the parameter 'p' is never updated ({shown}): end the update with "
            "p = p - ...",
        )
    stepped = {e.target for e in step}
    for s in spec.scalar_state:
        if s.name not in stepped:
            raise SpecError(
                spec.path, s.line, f"scalar state {s.name!r} is never updated in 'step'"
            )
    # a per-tensor reduction this variant does not read is not computed for its tensors
    read = names_read((*step, *update))
    for r in spec.reductions:
        if r.scope is Scope.TENSOR and r.name not in read:
            continue
        for sym in r.expr.free_symbols:
            if sym.name in absent:
                raise SpecError(
                    spec.path,
                    r.line,
                    f"reduction {r.name!r} uses state {sym.name!r}, absent for {shown}",
                )
    variant = Variant(spec, flags, state, step, update)
    _check_whole_array_ranks(spec, variant, shown)
    return variant


# ranks up to one past the largest a rank flag may compare (reader.MAX_RANK_COMPARED)
_RANKS_CHECKED = range(0, 6)


def _check_whole_array_ranks(spec, variant, shown):
    """Row and column means, and state of rows or columns, exist for tensors of two axes or
    more: a variant with them is taken only by such tensors (its rank flags say so)."""
    if not variant.whole_array:
        return
    values = variant.flag_dict
    ranks = [
        r for r in _RANKS_CHECKED if all(f.holds(r) == values[f.name] for f in spec.rank_flags)
    ]
    low = [r for r in ranks if r < 2]
    if not low:
        return
    shaped = [s for s in variant.state if s.shape != "element"]
    what, line = (
        (f"state {shaped[0].name!r} (shape: {shaped[0].shape})", shaped[0].line)
        if shaped
        else next(
            (f"update: {eq.target} = ...: {_whole_tensor_words(eq.expr)}", eq.line)
            for eq in variant.update
            if _whole_tensor(eq.expr)
        )
    )
    raise SpecError(
        spec.path,
        line,
        f"{what} needs a tensor of two axes or more, but a tensor of {low[0]} ax"
        f"{'is' if low[0] == 1 else 'es'} takes this rule ({shown}): give it a 'when:' of a "
        "rank flag such as 'matrix: {value: rank >= 2, doc: ...}' (derived_flags)",
    )


def _whole_tensor(expr) -> bool:
    """Whether ``expr`` takes a tensor as a whole: a row or column mean, a matrix function,
    or the tensor's rows or columns."""
    return expr.has(symbols.AxisMean, symbols.MatrixCall) or bool(
        expr.free_symbols & set(symbols.SHAPE_SYMBOLS)
    )


def _whole_tensor_words(expr) -> str:
    if expr.has(symbols.AxisMean):
        return "its row or column mean"
    calls = sorted(expr.atoms(symbols.MatrixCall), key=str)
    if calls:
        return f"its matrix function {type(calls[0]).__name__}()"
    return "its 'rows' or 'columns'"


def _check_size(spec, update):
    """Refuse an update whose single-assignment form (what the IR, CSE and the printers work
    on) would exceed MAX_OPERATIONS: measured on the shared expression graph, in linear time,
    before anything expands it."""
    sizes: dict[str, int] = {}
    for eq in update:
        memo: dict[sp.Basic, int] = {}

        def size(node):
            if node not in memo:
                if node.is_Symbol:
                    memo[node] = sizes.get(node.name, 1)
                else:
                    memo[node] = 1 + sum(size(a) for a in node.args)
            return memo[node]

        sizes[eq.target] = size(eq.expr)
        if sizes[eq.target] > MAX_OPERATIONS:
            raise SpecError(
                spec.path,
                eq.line,
                f"update: {eq.target} = ...: with the equations before it substituted, this update "
                f"has {sizes[eq.target]} operations, more than {MAX_OPERATIONS}; use each updated "
                "value fewer times, or simplify the equations",
            )


def _resolve_piecewise(expr, subs):
    if not expr.has(sp.Piecewise):
        return expr
    return expr.subs(subs)


def _check_order(spec, equations, defined, absent, section, shown):
    """Each equation may use only what is defined before it (equations run in order)."""
    defined = set(defined)
    later = {}
    for eq in equations:
        later.setdefault(eq.target, eq)
    for index, eq in enumerate(equations):
        for sym in sorted(eq.expr.free_symbols, key=lambda s: s.name):
            name = sym.name
            if name in defined:
                continue
            if name in absent:
                cond = absent[name].when
                raise SpecError(
                    spec.path,
                    eq.line,
                    f"{section}: {eq.target} uses state {name!r}, which exists only when {cond} (here {shown})",
                )
            cycle = _find_cycle(equations[index:], eq.target, name)
            if cycle:
                raise SpecError(
                    spec.path, eq.line, f"{section}: cyclic reference {' -> '.join(cycle)}"
                )
            where = f" (it is defined on line {later[name].line})" if name in later else ""
            raise SpecError(
                spec.path,
                eq.line,
                f"{section}: {eq.target} uses {name!r} before it is defined{where}; equations run in order",
            )
        defined.add(eq.target)


def _find_cycle(equations, start, first):
    """A path start -> first -> ... -> start through definitions not yet made, if any."""
    defs = {}
    for eq in equations:
        defs.setdefault(eq.target, eq)
    path = [start, first]
    seen = {first}
    frontier = [(first, path)]
    while frontier:
        name, trail = frontier.pop()
        eq = defs.get(name)
        if eq is None:
            continue
        for sym in sorted(eq.expr.free_symbols, key=lambda s: s.name):
            if sym.name == start:
                return trail + [start]
            if sym.name in defs and sym.name not in seen:
                seen.add(sym.name)
                frontier.append((sym.name, trail + [sym.name]))
    return None
