"""The printer-independent kernel of one spec variant.

Stages, in the order a backend runs them each step:

1. ``reductions``: scalars reduced over the elements of one tensor or of all tensors.
2. ``step``: per-step scalars, computed once per step on the host: ``lr``, the spec's own
   ``step`` equations (in order; assignments to scalar state update it), then every
   sub-expression of the element updates that depends only on per-step values (hoisted).
3. ``tensor``: per-tensor scalars, hoisted sub-expressions that also use tensor reductions.
4. ``masks``: per-element conditions (``g*prev > 0``), each a true/false value per element in
   terms of the values before the step, which the element program's selects read
   (``Piecewise((a, _m0), (b, True))``: a where it holds, else b, branch-free).
5. ``element``: the per-element program after common-subexpression elimination: temporaries
   then the new value of every state array and of the parameter, all in terms of the values
   before the step (the sequential equations are substituted into single-assignment form;
   a spec temporary's last value, read by two later equations, stays a named temporary, and
   a state's new value that a later equation reads is the temporary ``_stored_<name>``: the
   value stored, as Keras reads it back).

Everything is ordered deterministically (declaration order, then SymPy's canonical order).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, fields, replace

import sympy as sp

from . import symbols
from .errors import GenerationError, context
from .model import ReduceOp, Scope, Spec, Variant
from .common import WEIGHT_DECAY, WEIGHT_DECAY_FACTOR
from .signs import nonnegative_states, relation_bound_arguments

STEP, TENSOR, ELEMENT = 0, 1, 2


@dataclass(frozen=True)
class Assign:
    symbol: sp.Symbol
    expr: sp.Expr


@dataclass(frozen=True)
class ReductionIR:
    name: str
    scope: Scope
    op: ReduceOp
    expr: sp.Expr  # per element; runs before the step program, so nothing is hoisted


@dataclass(frozen=True)
class KernelIR:
    spec: Spec
    variant: Variant
    state: tuple[str, ...]  # per-parameter state arrays, declaration order
    scalar_state: tuple[str, ...]
    reductions: tuple[ReductionIR, ...]
    step: tuple[Assign, ...]
    tensor: tuple[Assign, ...]
    temporaries: tuple[Assign, ...]  # per element, after CSE
    outputs: tuple[tuple[str, sp.Expr], ...]  # (state name or "p", new value), state first
    masks: tuple[Assign, ...] = ()  # per-element conditions, in dependency order
    nonnegative: tuple[str, ...] = ()  # state arrays never negative (generator.signs)
    # arguments of roots whose sign a relation between states holds (generator.signs): no
    # state in fewer bits
    relation_bound: tuple[str, ...] = ()
    # Keras 3's weight decay: the per-step factor (1 - lr*weight_decay) that multiplies p before
    # the update, and whether the element program reads it only as that factor of p, so that
    # a backend of whole-array passes may scale p first, and only when it is not 1 (p_decay)
    weight_decay_factor: str | None = None
    weight_decay_separable: bool = False
    # the step program's assignments that global reductions over the update's values read
    # (their hoisted per-step parts, lr, the spec's step values), in order: computed before
    # those reductions from the hyperparameters, the scalar state before the step and t
    global_prelude: tuple[Assign, ...] = ()
    # the suffix of an earlier variant whose kernels compute exactly this one's (Muon's AdamW
    # rule, which nesterov does not change): the C and CUDA code is printed once, for it
    shares_kernels_of: str = ""

    @property
    def kernel_suffix(self) -> str:
        """The variant suffix of the native kernels this variant calls."""
        return self.shares_kernels_of or self.variant.suffix

    def array_program(self) -> tuple[tuple["Assign", ...], tuple[tuple[str, sp.Expr], ...]]:
        """The temporaries and outputs for a backend that scales p by the weight decay factor
        in a pass of its own (when the factor is not 1) before them: the factor is 1 here."""
        if not self.weight_decay_separable:
            return self.temporaries, self.outputs
        one = {symbols.real(self.weight_decay_factor): sp.Integer(1)}
        return (
            tuple(Assign(a.symbol, a.expr.xreplace(one)) for a in self.temporaries),
            tuple((name, e.xreplace(one)) for name, e in self.outputs),
        )

    def array_masks(self) -> tuple["Assign", ...]:
        """The masks for the backends of ``array_program``: computed after p is scaled."""
        if not self.weight_decay_separable:
            return self.masks
        one = {symbols.real(self.weight_decay_factor): sp.Integer(1)}
        return tuple(Assign(a.symbol, a.expr.xreplace(one)) for a in self.masks)

    @property
    def step_inputs(self) -> tuple[str, ...]:
        """Hyperparameters, scalar state and global reductions the step program reads."""
        defined = {"t"}
        used: set[str] = set()
        for a in self.step:
            used |= {s.name for s in a.expr.free_symbols} - defined
            defined.add(a.symbol.name)
        return tuple(sorted(used))

    def host_inputs(self, element_scalars) -> tuple[str, ...]:
        """What a step program binds before its assignments: the inputs it reads, and the
        per-step values the element program takes that no assignment computes (``t`` is an
        argument), sorted."""
        assigned = {a.symbol.name for a in self.step}
        return tuple(sorted(set(self.step_inputs) | (set(element_scalars) - assigned - {"t"})))

    def in_scalar_order(self, names) -> tuple[str, ...]:
        """``names`` in the order of the scalars array (the C API's): hoisted values in the
        order they were hoisted, then the others by name."""
        hoisted = [a.symbol.name for a in self.step if is_hoisted(a.symbol.name)]
        names = set(names)
        return tuple(n for n in hoisted if n in names) + tuple(sorted(names - set(hoisted)))

    @property
    def prelude_names(self) -> tuple[str, ...]:
        """The values of ``global_prelude`` that the global reductions read, in scalar order."""
        assigned = {a.symbol.name for a in self.global_prelude}
        reads = free_names([r.expr for r in self.reductions if r.scope is Scope.GLOBAL])
        return self.in_scalar_order(reads & assigned)

    def prelude_call(self) -> str:
        """The line of a backend's global reductions that calls the host's prelude function
        (only for a variant with a ``global_prelude``)."""
        names = ", ".join(self.prelude_names) + ("," if len(self.prelude_names) == 1 else "")
        return f"{names} = host.reduction_scalars_{self.variant.suffix}(hyper, t)"

    @property
    def element_scalars(self) -> tuple[str, ...]:
        """Per-step values (hoisted or not) that the tensor and element programs read."""
        names = free_names([e for _, e in self.outputs] + [a.expr for a in self.temporaries])
        names |= free_names([a.expr for a in self.tensor] + [a.expr for a in self.masks])
        names |= free_names([r.expr for r in self.reductions if r.scope is Scope.TENSOR])
        per_tensor = {a.symbol.name for a in self.tensor} | {
            a.symbol.name for a in (*self.temporaries, *self.masks)
        }
        per_tensor |= {r.name for r in self.reductions if r.scope is Scope.TENSOR}
        per_tensor |= {"p", "g"} | set(self.state) | {s.name for s in symbols.SHAPE_SYMBOLS}
        return self.in_scalar_order(names - per_tensor)


def free_names(exprs) -> set[str]:
    """The names of the symbols ``exprs`` read."""
    out: set[str] = set()
    for e in exprs:
        out |= {s.name for s in e.free_symbols}
    return out


@dataclass(frozen=True)
class LoweredSpec:
    """A spec with every variant lowered, once per build: what every backend renders from."""

    spec: Spec
    variants: tuple[KernelIR, ...]  # one per flag combination, in ``spec.variants()`` order

    @property
    def module(self) -> str:
        return self.spec.module


def lower(spec: Spec) -> LoweredSpec:
    variants = []
    for variant in spec.variants():
        with context(f"variant {variant.suffix}"):
            variants.append(build_ir(variant))
    return LoweredSpec(spec, _sharing_kernels(variants))


def _sharing_kernels(variants: list[KernelIR]) -> tuple[KernelIR, ...]:
    """The variants, each that computes what an earlier one computes (the same state, step,
    reductions and element program: a flag only another rule reads) marked to call that
    one's kernels. Rules of whole tensors keep their own code."""
    first: dict = {}
    out = []
    for ir in variants:
        # every field but the variant's names (a field added later counts by itself), and the
        # state's shapes and initial values, which the kernels' layout and step read
        key = tuple(
            getattr(ir, f.name)
            for f in fields(ir)
            if f.name not in ("spec", "variant", "shares_kernels_of")
        ) + tuple((s.name, s.shape, sp.srepr(s.init)) for s in ir.variant.state)
        if ir.variant.whole_array:
            out.append(ir)
        elif key in first:
            out.append(replace(ir, shares_kernels_of=first[key]))
        else:
            first[key] = ir.variant.suffix
            out.append(ir)
    return tuple(out)


def build_ir(variant: Variant) -> KernelIR:
    spec = variant.spec
    real = symbols.real

    levels: dict[sp.Symbol, int] = {}
    for h in spec.reals:
        levels[h.symbol] = STEP
    for name in ("t", "lr", "decay"):
        levels[real(name)] = STEP
    for s in spec.scalar_state:
        levels[s.symbol] = STEP
    for eq in variant.step:
        levels[eq.symbol] = STEP
    for r in spec.reductions:
        levels[r.symbol] = STEP if r.scope is Scope.GLOBAL else TENSOR
    for shape in symbols.SHAPE_SYMBOLS:  # rows, columns: a tensor's own
        levels[shape] = TENSOR
    # Keras 3's weight decay scales p before the update: the spec's equations read p times a
    # per-step factor, named once everything else is hoisted (so the others keep their names)
    decaying = "weight_decay" in spec.common
    levels[WEIGHT_DECAY] = levels[_DECAY_PLACEHOLDER] = STEP

    # Sequential element equations -> single assignment, in terms of pre-step values. A spec
    # temporary that later equations read more than once stays a named value, as Keras computes
    # it: substituted, SymPy would distribute its powers over its factors (Adadelta's
    # ``delta**2`` becomes g**2*(d + eps)/(a + eps)), recomputing what the spec computed once.
    hoister = _Hoister(levels)
    env: dict[sp.Symbol, sp.Expr] = {real("p"): real("p") * _DECAY_PLACEHOLDER} if decaying else {}
    kept: list[tuple[sp.Symbol, sp.Expr]] = []
    unhoisted: list[tuple[sp.Symbol, sp.Expr]] = []  # kept's values before hoisting
    for index, eq in enumerate(variant.update):
        value = _without_ite(eq.expr.xreplace(env))
        later = variant.update[index + 1 :]
        if _kept_as_named(eq, later, variant):
            hoisted = hoister.hoist(value, ELEMENT)
            if not hoisted.is_Atom:  # per-step and per-tensor values are hoisted to one name
                kept.append((eq.symbol, hoisted))
                unhoisted.append((eq.symbol, value))
                value = eq.symbol
        elif _stored_and_read(eq, later, variant):
            # a later equation reads the state's new value: the value Keras stored (its
            # rounding), under a name of its own. Substituted, SymPy would distribute a sum
            # over the reader's: Ftrl's clip(z) - z, exactly 0 within l1, would be
            # clip(z) - z_old - g + ..., a rounding error away from 0
            hoisted = hoister.hoist(value, ELEMENT)
            if not hoisted.is_Atom and isinstance(hoisted, sp.Add):
                name = real(f"_stored_{eq.target}")
                hoister.levels[name] = ELEMENT
                kept.append((name, hoisted))
                unhoisted.append((name, value))
                value = name
        env[eq.symbol] = value
    outputs = [(s.name, env[s.symbol]) for s in variant.state] + [("p", env[real("p")])]

    hoisted_outputs = [(name, hoister.hoist(e, ELEMENT)) for name, e in outputs]
    masks, masked = _masks([e for _, e in kept] + [e for _, e in hoisted_outputs], kept, hoister)
    kept = [(symbol, masked(e)) for symbol, e in kept]
    hoisted_outputs = [(name, masked(e)) for name, e in hoisted_outputs]
    # whether the element program reads the decay's factor only as p's (before the
    # reductions' own hoisted values, which the tensor stage computes apart)
    separable = not any(
        _DECAY_PLACEHOLDER in a.expr.free_symbols for a in hoister.step + hoister.tensor
    )
    # the reductions this variant reads (a flag may leave one unread): the others cost no pass
    read = free_names(
        [e for _, e in kept] + [e for _, e in hoisted_outputs] + [e for _, e in masks]
    )
    read |= free_names([a.expr for a in hoister.step + hoister.tensor])
    read |= free_names([eq.expr for eq in variant.step])
    reductions = [
        _reduction(r, env, unhoisted, hoister, variant, decaying)
        for r in spec.reductions
        if r.name in read
    ]

    names = (symbols.real(f"_e{i}") for i in itertools.count())
    exprs = [e for _, e in kept] + [e for _, e in hoisted_outputs]
    temps, reduced = sp.cse(exprs, symbols=names, order="canonical")
    temps = _in_dependency_order(
        list(temps) + [(symbol, e) for (symbol, _), e in zip(kept, reduced)]
    )
    reduced = reduced[len(kept) :]
    factor_name, separable = None, separable and decaying
    if decaying:
        factor = real(f"_c{len(hoister.step)}_weight_decay_factor")
        named = {_DECAY_PLACEHOLDER: factor}
        readers = [_DECAY_PLACEHOLDER in a.expr.free_symbols for a in hoister.step] + [True]
        hoister.step = [Assign(a.symbol, a.expr.xreplace(named)) for a in hoister.step]
        hoister.step.insert(readers.index(True), Assign(factor, WEIGHT_DECAY_FACTOR))
        hoister.tensor = [Assign(a.symbol, a.expr.xreplace(named)) for a in hoister.tensor]
        temps = [(symbol, e.xreplace(named)) for symbol, e in temps]
        reduced = [e.xreplace(named) for e in reduced]
        masks = [(symbol, e.xreplace(named)) for symbol, e in masks]
        reductions = [
            ReductionIR(r.name, r.scope, r.op, r.expr.xreplace(named)) for r in reductions
        ]
        factor_name = factor.name
    step = (
        (Assign(real("lr"), spec.lr_equation.expr),)
        + tuple(Assign(eq.symbol, eq.expr) for eq in variant.step)
        + tuple(hoister.step)
    )
    return KernelIR(
        global_prelude=_prelude(step, [r for r in reductions if r.scope is Scope.GLOBAL]),
        spec=spec,
        variant=variant,
        state=tuple(s.name for s in variant.state),
        scalar_state=tuple(s.name for s in spec.scalar_state),
        reductions=tuple(reductions),
        step=step,
        tensor=tuple(hoister.tensor),
        temporaries=tuple(Assign(s, e) for s, e in temps),
        outputs=tuple((name, e) for (name, _), e in zip(hoisted_outputs, reduced)),
        masks=tuple(Assign(symbol, e) for symbol, e in masks),
        nonnegative=nonnegative_states(variant),
        relation_bound=relation_bound_arguments(variant),
        weight_decay_factor=factor_name,
        weight_decay_separable=separable,
    )


_DECAY_PLACEHOLDER = symbols.real("_weight_decay_factor")


def _kept_as_named(eq, later, variant) -> bool:
    """Whether the update's temporary ``eq`` stays a named element value: its name's last
    assignment (earlier ones are substituted into it, so the name has one value), read by two
    or more of the equations after it."""
    if eq.target in ("p", "g") or eq.target in {s.name for s in variant.state}:
        return False  # g: a reassigned gradient is substituted (the kernels' g is their input)
    if any(other.target == eq.target for other in later):
        return False
    return sum(eq.symbol in other.expr.free_symbols for other in later) >= 2


def _masks(exprs, kept, hoister):
    """The per-element conditions of ``exprs``' selects, each named once (``_m0``, ... in
    SymPy's canonical order) and defined in terms of the values before the step (the spec's
    named temporaries substituted): ([(mask, condition)] in dependency order, a function that
    replaces the conditions in an expression with their masks)."""

    def per_element(cond) -> bool:
        return cond is not sp.true and hoister.level(cond) == ELEMENT

    def conditions_in(e) -> set:
        return {c for piece in e.atoms(sp.Piecewise) for _, c in piece.args if per_element(c)}

    expanded: dict[sp.Basic, sp.Basic] = {}  # condition as written -> before the step
    pending = set().union(*(conditions_in(e) for e in exprs))
    while pending:  # a substituted temporary may select too: its conditions are masks first
        cond = pending.pop()
        expanded[cond] = _substituted(cond, kept)
        pending |= conditions_in(expanded[cond]) - expanded.keys()
    if not expanded:
        return [], lambda e: e
    ordered = sorted(set(expanded.values()), key=sp.default_sort_key)
    named = {c: symbols.mask(f"_m{i}") for i, c in enumerate(ordered)}

    def rebuild(piece):
        return sp.Piecewise(
            *[(v, named[expanded[c]] if per_element(c) else c) for v, c in piece.args]
        )

    def masked(e):
        return e.replace(lambda x: isinstance(x, sp.Piecewise), rebuild)

    return _in_dependency_order([(named[c], masked(c)) for c in ordered]), masked


def _substituted(expr, kept):
    """``expr`` with the spec's named temporaries (``kept``: in order, each in terms of the
    ones before it) substituted: in terms of the values before the step."""
    definitions = dict(kept)
    while expr.free_symbols & definitions.keys():
        expr = expr.xreplace(definitions)
    return expr


def _without_ite(expr):
    """A comparison of a select (``g > 0`` after ``g = where(c, 0, g)``) becomes SymPy's
    ITE(c, 0 > 0, g > 0) when substituted: written back as and/or of comparisons, which every
    printer has."""
    if not expr.has(sp.ITE):
        return expr
    return expr.replace(lambda x: isinstance(x, sp.ITE), lambda x: x.to_nnf(simplify=False))


def _prelude(step, global_reductions) -> tuple[Assign, ...]:
    """The assignments of ``step`` that ``global_reductions`` read, with those they read."""
    wanted = free_names([r.expr for r in global_reductions])
    needed = []
    for a in reversed(step):
        if a.symbol.name in wanted:
            needed.append(a)
            wanted |= {s.name for s in a.expr.free_symbols}
    return tuple(reversed(needed))


def _reduction(r, env, unhoisted, hoister, variant, decaying) -> ReductionIR:
    """A reduction as the kernels compute it. A per-tensor one reads p after Keras 3's weight
    decay, as the update does (Keras 3 decays the variable before its update_step, whose
    norms see it); a global one runs before the step, on p before it. One over the update's
    own values (LAMB's norm of its update u) is computed before the element program, from the
    values before the step: the update's equations substituted (a second pass over memory
    instead of a stored u), p after the weight decay as the update reads it. Its per-step
    parts are hoisted: a per-tensor one reads them from the step program, which has run by
    then; a global one runs before the step program, and the step values it reads are
    computed for it first (``KernelIR.global_prelude``)."""
    state = {s.name for s in variant.spec.state}
    own = {eq.symbol for eq in variant.spec.update if eq.target not in state}  # every flag's
    own -= {symbols.P, symbols.G}
    read = r.expr.free_symbols & own
    decayed = decaying and symbols.P in r.expr.free_symbols
    decayed = decayed and (r.scope is Scope.TENSOR or bool(read))
    if not read and not decayed:
        return ReductionIR(r.name, r.scope, r.op, r.expr)
    missing = sorted(s.name for s in read if s not in env)
    if missing:
        raise GenerationError(
            f"reduction {r.name!r} reads {missing[0]!r}, which this variant's update does not "
            "compute (its equation's when: is false)"
        )
    values = {s: env[s] for s in read}
    if decayed:
        values[symbols.P] = symbols.P * _DECAY_PLACEHOLDER
    # the spec's named values as computed, not as the element program reads them (hoisted,
    # their selects replaced with its masks, which this pass does not compute)
    expr = _substituted(r.expr.xreplace(values), unhoisted)
    _check_conditions_of(r, expr, {symbols.P, symbols.G} | {s.symbol for s in variant.state})
    return ReductionIR(r.name, r.scope, r.op, hoister.hoist(expr, ELEMENT))


def _check_conditions_of(r, expr, arrays):
    """Each condition of a reduction (its own and those of the update's values it reads)
    compares per-element values, selected per element, or per-step values, one branch per
    step: not both. The spec's checks refuse what they see; this is what the substitution
    makes of conditions spread over several of the update's values."""
    for piece in expr.atoms(sp.Piecewise):
        for _, cond in piece.args:
            if symbols.mixes_per_step_and_per_element(cond, {a.name for a in arrays}):
                raise GenerationError(
                    f"reduction {r.name!r}: the condition {cond} (the update's values "
                    "substituted) combines comparisons of per-step values with comparisons "
                    "of per-element values; nest two selects instead"
                )


def _stored_and_read(eq, later, variant) -> bool:
    """Whether ``eq`` gives a state its last value of the step, which a later equation reads."""
    if eq.target not in {s.name for s in variant.state}:
        return False
    if any(other.target == eq.target for other in later):
        return False
    return any(eq.symbol in other.expr.free_symbols for other in later)


def _in_dependency_order(assigns):
    """``assigns`` (symbol, expression) reordered so that each comes after what it reads,
    otherwise in the order given (CSE's values, then the spec's named temporaries)."""
    pending, done, out = list(assigns), set(), []
    defined = {symbol for symbol, _ in assigns}
    while pending:
        for i, (symbol, expr) in enumerate(pending):
            if (expr.free_symbols & defined) <= done:
                out.append((symbol, expr))
                done.add(symbol)
                del pending[i]
                break
        else:  # pragma: no cover - CSE and the update's order cannot make a cycle
            raise AssertionError("cyclic temporaries")
    return out


class _Hoister:
    """Replaces loop-invariant sub-expressions with named per-step or per-tensor scalars."""

    def __init__(self, levels):
        self.levels = levels
        self.step: list[Assign] = []
        self.tensor: list[Assign] = []
        self.known: dict[sp.Expr, sp.Symbol] = {}
        # A value hoisted from inside a branch of a condition is computed only where the branch
        # is taken (else 0): sqrt(rho_t - 4) where rho_t <= 5 would raise in Python
        self.guard: sp.Basic = sp.true
        # Memos: the update's expressions share sub-expressions (each equation reuses the ones
        # before it); without them, levels and hoisting are exponential in the chain length.
        self._levels: dict[sp.Basic, int] = {}
        self._hoisted: dict[tuple[sp.Basic, int], sp.Basic] = {}

    def level(self, expr) -> int:
        if expr not in self._levels:
            if expr.is_Symbol:
                self._levels[expr] = self.levels.get(expr, ELEMENT)
            else:
                self._levels[expr] = max((self.level(a) for a in expr.args), default=STEP)
        return self._levels[expr]

    def hoist(self, expr, target: int):
        key = (expr, target, self.guard)
        if key not in self._hoisted:
            self._hoisted[key] = self._hoist(expr, target)
        return self._hoisted[key]

    def _hoist(self, expr, target: int):
        if expr.is_Atom:
            return expr
        lvl = self.level(expr)
        if lvl < target:
            return self._name(expr, lvl)
        if isinstance(expr, sp.Piecewise):
            cond, a, b = symbols.first_branch(expr)
            if self.level(cond) == ELEMENT:  # a select per element: the IR's masks
                return sp.Piecewise(
                    (self.hoist(a, target), self.hoist(cond, target)),
                    (self.hoist(b, target), True),
                )
            return self._select(expr, target)  # a per-step condition over per-element values
        if isinstance(expr, (sp.Add, sp.Mul)):
            low = [a for a in expr.args if self.level(a) < target]
            high = [a for a in expr.args if self.level(a) >= target]
            if len(low) > 1 or (low and not low[0].is_Atom):
                combined = expr.func(*low)
                low = [combined if combined.is_Atom else self._name(combined, self.level(combined))]
            return expr.func(*low, *[self.hoist(a, target) for a in high])
        return expr.func(*[self.hoist(a, target) for a in expr.args])

    def _select(self, expr, target: int):
        """Piecewise((a, c), (b, True)) with c per step (or per tensor): c is hoisted as a
        number (1 or 0, computed once in float64 on the host, so that every backend takes the
        same branch), and a and b are hoisted under it."""
        cond, a, b = symbols.first_branch(expr)
        flag = self._name(
            sp.Piecewise((sp.Integer(1), cond), (sp.Integer(0), True)), self.level(cond)
        )
        taken = sp.Ne(flag, 0)
        outer = self.guard
        self.guard = sp.And(outer, taken)
        a = self.hoist(a, target)
        self.guard = sp.And(outer, sp.Not(taken))
        b = self.hoist(b, target)
        self.guard = outer
        return sp.Piecewise((a, taken), (b, True))

    def _name(self, expr, lvl):
        if lvl == TENSOR and isinstance(expr, sp.Piecewise):  # a per-tensor condition's flag
            expr = sp.Piecewise(
                *[
                    (self.hoist(v, TENSOR), c if c is sp.true else self.hoist(c, TENSOR))
                    for v, c in expr.args
                ]
            )
        elif lvl == TENSOR:
            expr = self.hoist(expr, TENSOR)  # its per-step parts are computed once per step
        if expr.is_Atom:
            return expr
        if self.guard is not sp.true and not isinstance(expr, sp.Piecewise):
            if expr in self.known:  # computed for every step already: safe to reuse
                return self.known[expr]
            expr = sp.Piecewise((expr, self.guard), (sp.Integer(0), True))
        if expr not in self.known:
            table = self.step if lvl == STEP else self.tensor
            prefix = "_c" if lvl == STEP else "_k"
            symbol = symbols.real(
                f"{prefix}{len(table)}_{formula_words(expr) or _generic_words(expr)}"
            )
            table.append(Assign(symbol, expr))
            self.known[expr] = symbol
            self.levels[symbol] = lvl
        return self.known[expr]


def _generic_words(expr: sp.Expr) -> str:
    """A formula too long to spell: what it is."""
    if isinstance(expr, sp.Piecewise) and expr.args[0][0] == 1 and expr.args[1][0] == 0:
        return "condition"
    return "lr_scale" if symbols.LR in expr.free_symbols else "coefficient"


# A hoisted value is named by its position and its formula: ``_c0_one_minus_beta_1`` (per
# step), ``_k0_...`` (per tensor), or ``_c2_lr_scale`` / ``_c4_coefficient`` when the formula
# is too long to spell; every backend comments each one with its formula, and the docs call
# it c_0. The leading '_' keeps them apart from spec names (which cannot start with one); the
# position keeps them unique, apart from the templates' locals (``_new_m``, ``_chunk``, ``_k``),
# and sorted as the numbered names were, so SymPy prints every expression in the same order.
MAX_WORDS = 28
_NUMBER_WORDS = {0: "zero", 1: "one", 2: "two", 3: "three", 4: "four", 10: "ten"}
_HOISTED = re.compile(r"_[ck][0-9]+_")


def is_hoisted(name: str) -> bool:
    return bool(_HOISTED.match(name))


def formula_words(expr: sp.Expr) -> str | None:
    """``one_minus_beta_1`` for 1 - beta_1; None when the words would be too long."""
    words = _words(expr)
    return words if words is not None and len(words) <= MAX_WORDS else None


def _words(expr: sp.Expr) -> str | None:
    if expr.is_Symbol:
        return expr.name
    if expr.is_Integer:
        value = int(expr)
        if abs(value) in _NUMBER_WORDS:
            return ("minus_" if value < 0 else "") + _NUMBER_WORDS[abs(value)]
        return None
    if isinstance(expr, sp.Pow):
        base = _words(expr.base)
        if base is None:
            return None
        if expr.exp == sp.S.Half:
            return f"sqrt_{base}"
        if expr.exp == -1:
            return f"inv_{base}"
        exponent = _words(expr.exp)
        return f"{base}_pow_{exponent}" if exponent else None
    if isinstance(expr, sp.Add) and len(expr.args) == 2:
        first, second = expr.args
        if first == sp.S.One and second.could_extract_minus_sign():
            rest = _words(-second)
            return f"one_minus_{rest}" if rest else None
        left, right = _words(first), _words(second)
        return f"{left}_plus_{right}" if left and right else None
    if isinstance(expr, sp.Mul):
        if expr.args[0] == sp.S.NegativeOne:
            rest = _words(sp.Mul(*expr.args[1:]))
            return f"minus_{rest}" if rest else None
        parts = [_words(a) for a in expr.args]
        return "_times_".join(parts) if all(parts) and len(parts) == 2 else None
    return None
