"""A spec as frozen dataclasses, parsed torchgen-style from line-tracking YAML.

Each ``_read_*`` pops the keys it knows, checks their types and fails on leftovers, so a
typo in a key is an error with its line rather than a silently ignored setting. Expressions
are parsed with the allow-list of ``generator.expr``; every flag combination is then
specialised and checked (definitions before use, every state updated, no cycles).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import sympy as sp

from . import expr as E
from .errors import SpecError
from .latex_grammar import LatexError, check_latex
from .names import BUILTIN_SYMBOLS, COMMON_ARGUMENTS, name_problem
from .text import text_problem, url_problem
from .yaml_lines import LineDict, LineList, load_yaml

# Limits that keep every build short whatever the spec says (a spec is untrusted input).
MAX_SPEC_BYTES = 64 * 1024
MAX_FLAGS = 5  # each flag doubles the variants that are generated
MAX_ENTRIES = 64  # hyperparameters, state, scalar state, reductions, references
MAX_EQUATIONS = 64  # per section
# Operations in one state's or the parameter's update after the sequential equations are
# substituted into each other: a chain that reuses its target doubles it at each line.
MAX_OPERATIONS = 5000


@dataclass(frozen=True)
class Hyperparameter:
    name: str
    kind: str  # "real" or "bool" (a flag, specialised at generation time)
    default: float | bool
    doc: str
    domain: sp.Basic | None  # a SymPy relation over the argument, or None
    domain_text: str | None
    latex: str | None
    line: int

    @property
    def symbol(self) -> sp.Symbol:
        return sp.Symbol(self.name) if self.kind == "bool" else sp.Symbol(self.name, real=True)


@dataclass(frozen=True)
class StateVar:
    """Per-parameter state: an array shaped like the parameter."""

    name: str
    init: sp.Expr  # of numbers and hyperparameters
    doc: str
    when: sp.Basic  # a flag condition; sp.true when always present
    latex: str | None
    line: int

    @property
    def symbol(self) -> sp.Symbol:
        return sp.Symbol(self.name, real=True)


@dataclass(frozen=True)
class ScalarStateVar:
    """Optimizer-wide scalar state, such as Nadam's momentum schedule product."""

    name: str
    init: sp.Expr
    doc: str
    latex: str | None
    line: int

    @property
    def symbol(self) -> sp.Symbol:
        return sp.Symbol(self.name, real=True)


@dataclass(frozen=True)
class Reduction:
    """A scalar reduced over the elements of one tensor ("tensor") or of all ("global")."""

    name: str
    scope: str  # "tensor" | "global"
    op: str  # "sum" | "max"
    expr: sp.Expr
    text: str
    doc: str
    line: int

    @property
    def symbol(self) -> sp.Symbol:
        return sp.Symbol(self.name, real=True)


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
        return sp.Symbol(self.target, real=True)


@dataclass(frozen=True)
class Reference:
    title: str
    url: str


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
    def suffix(self) -> str:
        """A stable identifier for generated function names: '' or 'amsgrad' or 'no_amsgrad'."""
        return "__".join(n if v else f"no_{n}" for n, v in self.flags) or "default"


@dataclass(frozen=True)
class Spec:
    name: str  # the class name, e.g. "Adam"
    module: str  # the file stem, e.g. "adam": module name of every backend
    keras_name: str
    path: str
    description: str
    hyperparameters: tuple[Hyperparameter, ...]
    state: tuple[StateVar, ...]
    scalar_state: tuple[ScalarStateVar, ...]
    reductions: tuple[Reduction, ...]
    step: tuple[Equation, ...]
    update: tuple[Equation, ...]
    common: tuple[str, ...]
    references: tuple[Reference, ...]
    differences: tuple[tuple[str, str], ...]  # (who, text): "torch", "keras3"
    lr_equation: Equation

    @property
    def reals(self) -> tuple[Hyperparameter, ...]:
        return tuple(h for h in self.hyperparameters if h.kind == "real")

    @property
    def flags(self) -> tuple[Hyperparameter, ...]:
        return tuple(h for h in self.hyperparameters if h.kind == "bool")

    def variants(self) -> tuple[Variant, ...]:
        """Every flag combination, in a deterministic order (False before True)."""
        names = sorted(h.name for h in self.flags)
        combos = itertools.product((False, True), repeat=len(names))
        return tuple(_specialize(self, tuple(zip(names, values))) for values in combos)

    def variant(self, **flags: bool) -> Variant:
        values = {h.name: h.default for h in self.flags}
        unknown = set(flags) - set(values)
        if unknown:
            raise KeyError(f"{self.name} has no flag {sorted(unknown)[0]!r}")
        values.update(flags)
        return _specialize(self, tuple(sorted(values.items())))


# ---------------------------------------------------------------- reading YAML


class _Reader:
    """Pops the keys of one YAML mapping; unknown keys and wrong types are SpecErrors."""

    def __init__(self, path: str, mapping, what: str, line: int):
        if not isinstance(mapping, LineDict):
            raise SpecError(path, line, f"{what} must be a mapping")
        self.path, self.mapping, self.what = path, mapping, what
        self.known: list[str] = []

    def line(self, key: str | None = None) -> int:
        if key is not None and key in self.mapping.lines:
            return self.mapping.lines[key]
        return self.mapping.line

    def get(self, key, types, required=False, default=None):
        self.known.append(key)
        if key not in self.mapping:
            if required:
                raise SpecError(self.path, self.line(), f"{self.what} is missing {key!r}")
            return default
        value = self.mapping[key]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in _as_tuple(types)):
            wanted = " or ".join(_type_name(t) for t in _as_tuple(types))
            raise SpecError(
                self.path,
                self.line(key),
                f"{self.what}: {key!r} must be {wanted}, not {_type_name(type(value))}",
            )
        return value

    def error(self, key, message):
        return SpecError(self.path, self.line(key), message)

    def text(self, key, required=False) -> str:
        """A free-text field, checked for characters that have no place in documentation."""
        value = self.get(key, str, required=required, default="").strip()
        problem = text_problem(value)
        if problem:
            raise self.error(key, f"{self.what}: {key!r} {problem}")
        return value

    def latex(self) -> str | None:
        """A ``latex:`` field, parsed by generator.latex_grammar (never passed through)."""
        value = self.get("latex", str)
        if value is None:
            return None
        try:
            return check_latex(value.strip())
        except LatexError as err:
            raise self.error("latex", f"{self.what}: latex {err}") from None

    def finish(self):
        for key in self.mapping:
            if key not in self.known:
                allowed = ", ".join(self.known)
                raise SpecError(
                    self.path, self.line(key), f"{self.what}: unknown key {key!r} (allowed: {allowed})"
                )


def _as_tuple(types):
    return types if isinstance(types, tuple) else (types,)


def _type_name(t) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        LineDict: "a mapping",
        LineList: "a list",
        type(None): "empty",
    }.get(t, t.__name__)


def load_spec(path: str | Path, root: str | Path | None = None) -> Spec:
    """Read, parse and check one spec file. ``root`` makes the reported path relative."""
    path = Path(path)
    shown = str(path.relative_to(root)) if root else str(path)
    module = path.stem
    problem = name_problem(module, "module")
    if problem or module != module.lower():
        raise SpecError(
            shown,
            None,
            f"spec file name {path.name!r}: the stem must be a lowercase identifier "
            f"({problem or 'upper case is not allowed'})",
        )
    if path.stat().st_size > MAX_SPEC_BYTES:  # before reading it: the file may be huge
        raise _too_large(shown)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SpecError(shown, None, "the spec is not valid UTF-8") from None
    return parse_spec(text, shown, module)


def parse_spec(text: str, path: str, module: str) -> Spec:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_SPEC_BYTES:
        raise _too_large(path)
    data = load_yaml(text, path)
    top = _Reader(path, data, "the spec", data.line)
    name = top.get("name", str, required=True)
    _check_name(path, top.line("name"), name, "class")
    if not name[0].isupper():
        raise top.error("name", f"name {name!r} is a class name: start it with a capital letter")
    keras_name = top.get("keras_name", str, default=module)
    _check_name(path, top.line("keras_name"), keras_name)
    description = top.text("description", required=True)
    common = _read_common(top)
    hypers = _read_hyperparameters(top, common)
    flags = {h.name: h.symbol for h in hypers if h.kind == "bool"}
    reals = {h.name: h.symbol for h in hypers if h.kind == "real"}
    if "learning_rate" not in reals:
        raise top.error(None, "every spec needs a real hyperparameter 'learning_rate' (lr derives from it)")

    state = _read_state(top, flags, reals)
    scalar_state = _read_scalar_state(top, reals)
    taken = _claim_names(path, hypers, state, scalar_state)
    reductions = _read_reductions(top, taken, reals, state)
    step_items = _equation_items(top, "step", required=False)
    update_items = _equation_items(top, "update", required=True)
    references = _read_references(top)
    differences = _read_differences(top)
    top.finish()

    scope = _Scope(path, flags, reals, state, scalar_state, reductions)
    step = tuple(scope.equation(item, "step", [i.target for i in step_items]) for item in step_items)
    scope.step_locals = {e.target for e in step} - {s.name for s in scalar_state}
    update = tuple(
        scope.equation(item, "update", [i.target for i in update_items]) for item in update_items
    )

    from .common import lr_equation  # the common stage, shared by every spec

    spec = Spec(
        name=name,
        module=module,
        keras_name=keras_name,
        path=path,
        description=description,
        hyperparameters=hypers,
        state=state,
        scalar_state=scalar_state,
        reductions=reductions,
        step=step,
        update=update,
        common=common,
        references=references,
        differences=differences,
        lr_equation=lr_equation("decay" in common),
    )
    spec.variants()  # checks every flag combination now, so a bad spec fails at load
    return spec


def _too_large(path) -> SpecError:
    return SpecError(path, None, f"the spec is larger than {MAX_SPEC_BYTES // 1024} KiB")


def _check_name(path, line, name, kind="symbol"):
    problem = name_problem(name, kind)
    if problem:
        raise SpecError(path, line, problem)


def _entries(top, key, kind=LineDict, required=False):
    """A section of named entries or list items, at most MAX_ENTRIES of them."""
    table = top.get(key, kind, required=required, default=kind())
    if len(table) > MAX_ENTRIES:
        raise top.error(key, f"{key}: more than {MAX_ENTRIES} entries")
    return table


def _read_common(top) -> tuple[str, ...]:
    items = top.get("common", LineList, default=None)
    if items is None:
        return COMMON_ARGUMENTS
    for item, line in zip(items, items.lines):
        if item not in COMMON_ARGUMENTS:
            raise SpecError(
                top.path, line, f"common: {item!r} is not one of {', '.join(COMMON_ARGUMENTS)}"
            )
    if len(set(items)) != len(items):
        raise top.error("common", "common: an argument is listed twice")
    return tuple(a for a in COMMON_ARGUMENTS if a in items)


def _number(reader, key, value) -> float:
    # YAML 1.1 reads '1e-7' (no dot) as a string: accept numeric strings.
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise reader.error(key, f"{reader.what}: {key!r} must be a number, not {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise reader.error(key, f"{reader.what}: {key!r} must be a finite number")
    return float(value)


def _read_hyperparameters(top, common) -> tuple[Hyperparameter, ...]:
    table = _entries(top, "hyperparameters", required=True)
    out = []
    for name, entry in table.items():
        line = table.lines[name]
        if name in BUILTIN_SYMBOLS or name in COMMON_ARGUMENTS:
            raise SpecError(
                top.path, line, f"hyperparameter {name!r} is provided by the generator for every spec"
            )
        _check_name(top.path, line, name)
        r = _Reader(top.path, entry, f"hyperparameter {name!r}", line)
        default = r.get("default", (int, float, bool, str), required=True)
        kind = r.get("type", str, default="bool" if isinstance(default, bool) else "real")
        doc = r.text("doc", required=True)
        latex = r.latex()
        domain_text = r.get("domain", str)
        if domain_text is not None:
            domain_text = " ".join(domain_text.split())  # shown in docs and messages on one line
        r.finish()
        if kind not in ("real", "bool"):
            raise r.error("type", f"{r.what}: type must be 'real' or 'bool', not {kind!r}")
        domain = None
        if kind == "bool":
            if not isinstance(default, bool):
                raise r.error("default", f"{r.what}: a bool default must be true or false")
            if domain_text is not None:
                raise r.error("domain", f"{r.what}: a bool takes no domain")
        else:
            default = _number(r, "default", default)
            if domain_text is not None:
                symbol = sp.Symbol(name, real=True)
                try:
                    domain = E.parse_domain(domain_text, name, symbol)
                except E.ExprError as err:
                    raise r.error("domain", f"{r.what}: domain: {err}") from None
                if domain.subs(symbol, sp.Rational(repr(default))) is not sp.true:
                    raise r.error(
                        "default", f"{r.what}: default {default!r} is outside its domain {domain_text}"
                    )
        out.append(Hyperparameter(name, kind, default, doc, domain, domain_text, latex, line))
    if not out:
        raise top.error("hyperparameters", "hyperparameters: at least learning_rate is needed")
    flags = [h for h in out if h.kind == "bool"]
    if len(flags) > MAX_FLAGS:
        raise SpecError(
            top.path, flags[MAX_FLAGS].line, f"more than {MAX_FLAGS} flags: each one doubles the generated code"
        )
    return tuple(out)


def _read_state(top, flags, reals) -> tuple[StateVar, ...]:
    table = _entries(top, "state")
    out = []
    for name, entry in table.items():
        line = table.lines[name]
        _check_name(top.path, line, name)
        r = _Reader(top.path, entry, f"state {name!r}", line)
        init_text = r.get("init", (int, float, str), default=0)
        doc = r.text("doc", required=True)
        when_text = r.get("when", (str, bool), default=True)
        latex = r.latex()
        r.finish()
        init = _parse_at(r, "init", init_text, _lookup_in(reals, "an initial value", "hyperparameters"))
        try:
            when = E.parse_condition(when_text, flags)
        except E.ExprError as err:
            raise r.error("when", f"{r.what}: when: {err}") from None
        out.append(StateVar(name, init, doc, when, latex, line))
    return tuple(out)


def _read_scalar_state(top, reals) -> tuple[ScalarStateVar, ...]:
    table = _entries(top, "scalar_state")
    out = []
    for name, entry in table.items():
        line = table.lines[name]
        _check_name(top.path, line, name)
        r = _Reader(top.path, entry, f"scalar state {name!r}", line)
        init_text = r.get("init", (int, float, str), required=True)
        doc = r.text("doc", required=True)
        latex = r.latex()
        r.finish()
        init = _parse_at(r, "init", init_text, _lookup_in(reals, "an initial value", "hyperparameters"))
        out.append(ScalarStateVar(name, init, doc, latex, line))
    return tuple(out)


def _claim_names(path, hypers, state, scalar_state) -> dict[str, str]:
    taken = {n: "a built-in symbol" for n in BUILTIN_SYMBOLS}
    taken.update({n: "a common argument" for n in COMMON_ARGUMENTS})
    for kind, items in (("hyperparameter", hypers), ("state", state), ("scalar state", scalar_state)):
        for item in items:
            if item.name in taken:
                raise SpecError(path, item.line, f"{kind} {item.name!r} clashes with {taken[item.name]}")
            taken[item.name] = f"the {kind} {item.name!r}"
    return taken


def _read_reductions(top, taken, reals, state) -> tuple[Reduction, ...]:
    table = _entries(top, "reductions")
    element = {"p": sp.Symbol("p", real=True), "g": sp.Symbol("g", real=True), "t": sp.Symbol("t", real=True)}
    element.update({s.name: s.symbol for s in state})
    element.update(reals)
    out = []
    for name, entry in table.items():
        line = table.lines[name]
        _check_name(top.path, line, name)
        if name in taken:
            raise SpecError(top.path, line, f"reduction {name!r} clashes with {taken[name]}")
        taken[name] = f"the reduction {name!r}"
        r = _Reader(top.path, entry, f"reduction {name!r}", line)
        scope = r.get("scope", str, required=True)
        op = r.get("op", str, default="sum")
        text = r.get("of", (str, int, float), required=True)
        doc = r.text("doc", required=True)
        r.finish()
        if scope not in ("tensor", "global"):
            raise r.error("scope", f"{r.what}: scope must be 'tensor' or 'global', not {scope!r}")
        if op not in ("sum", "max"):
            raise r.error("op", f"{r.what}: op must be 'sum' or 'max', not {op!r}")
        lookup = _lookup_in(element, "a reduction", "p, g, t, state and hyperparameters")
        out.append(Reduction(name, scope, op, _parse_at(r, "of", text, lookup), str(text), doc, line))
    return tuple(out)


def _equation_items(top, key, required):
    items = top.get(key, LineList, required=required, default=LineList())
    if required and not items:
        raise top.error(key, f"{key}: at least one equation is needed")
    if len(items) > MAX_EQUATIONS:
        raise top.error(key, f"{key}: more than {MAX_EQUATIONS} equations")
    out = []
    for item, line in zip(items, items.lines):
        when_text, when_line, latex = True, line, None
        if isinstance(item, LineDict):
            r = _Reader(top.path, item, f"{key} equation", line)
            text = r.get("eq", str, required=True)
            when_text = r.get("when", (str, bool), default=True)
            when_line = r.line("when")
            latex = r.latex()
            r.finish()
        elif isinstance(item, str):
            text = item
        else:
            raise SpecError(top.path, line, f"{key}: each item is 'name = expression' or {{eq, when}}")
        try:
            target, rhs = E.parse_assignment(text)
        except E.ExprError as err:
            raise SpecError(top.path, line, f"{key}: {err}") from None
        out.append(_Item(target, rhs, when_text, line, when_line, latex))
    return out


@dataclass(frozen=True)
class _Item:
    target: str
    text: str
    when_text: object
    line: int
    when_line: int
    latex: str | None


def _read_references(top) -> tuple[Reference, ...]:
    items = _entries(top, "references", LineList)
    out = []
    for item, line in zip(items, items.lines):
        r = _Reader(top.path, item, "reference", line)
        title = r.text("title", required=True)
        url = r.get("url", str, required=True).strip()
        r.finish()
        problem = url_problem(url)
        if problem:
            raise r.error("url", f"reference url {problem}")
        out.append(Reference(" ".join(title.split()), url))
    return tuple(out)


def _read_differences(top) -> tuple[tuple[str, str], ...]:
    table = top.get("differences", LineDict, default=LineDict())
    r = _Reader(top.path, table, "differences", top.line("differences"))
    out = []
    for who in ("keras3", "torch"):
        text = r.text(who)
        if text:
            out.append((who, text))
    r.finish()
    return tuple(out)


def _lookup_in(symbols: dict, where: str, allowed: str):
    def lookup(name):
        if name in symbols:
            return symbols[name]
        raise E.ExprError(f"unknown symbol {name!r}: {where} may only use {allowed}")

    return lookup


def _parse_at(reader, key, text, lookup, flags=None):
    try:
        return E.parse_value(text, lookup, flags or {})
    except E.ExprError as err:
        raise reader.error(key, f"{reader.what}: {key}: {err}") from None


class _Scope:
    """Resolves names in step and update equations, and reports misuse precisely."""

    def __init__(self, path, flags, reals, state, scalar_state, reductions):
        self.path = path
        self.flags = flags
        self.reals = reals
        self.state = {s.name: s.symbol for s in state}
        self.scalar_state = {s.name: s.symbol for s in scalar_state}
        self.global_red = {r.name: r.symbol for r in reductions if r.scope == "global"}
        self.tensor_red = {r.name: r.symbol for r in reductions if r.scope == "tensor"}
        self.step_locals: set[str] = set()

    def equation(self, item: _Item, section: str, section_targets: list[str]) -> Equation:
        scalar = dict(self.reals)
        scalar.update(self.scalar_state)
        scalar.update(self.global_red)
        scalar["t"] = sp.Symbol("t", real=True)
        scalar["lr"] = sp.Symbol("lr", real=True)
        if section == "step":
            known = dict(scalar)
            known.update({n: sp.Symbol(n, real=True) for n in section_targets})
            per_element = set(self.state) | set(self.tensor_red) | {"p", "g"}
            targets_ok = set(self.scalar_state)
        else:
            known = dict(scalar)
            known.update({n: sp.Symbol(n, real=True) for n in self.step_locals})
            known.update(self.state)
            known.update(self.tensor_red)
            known["p"] = sp.Symbol("p", real=True)
            known["g"] = sp.Symbol("g", real=True)
            known.update({n: sp.Symbol(n, real=True) for n in section_targets})
            per_element = set()
            targets_ok = set(self.state) | {"p"}

        def lookup(name):
            if name in known:
                return known[name]
            if name in per_element:
                raise E.ExprError(
                    f"{name!r} is per element, but step equations run once per step: use it in "
                    "'update', or reduce it with a 'reductions' entry"
                )
            raise E.ExprError(f"unknown symbol {name!r} (known here: {', '.join(sorted(known))})")

        self._check_target(item, section, targets_ok)
        try:
            value = E.parse_value(item.text, lookup, self.flags)
        except E.ExprError as err:
            raise SpecError(self.path, item.line, f"{section}: {item.target} = ...: {err}") from None
        try:
            when = E.parse_condition(item.when_text, self.flags)
        except E.ExprError as err:
            raise SpecError(self.path, item.when_line, f"{section}: when: {err}") from None
        return Equation(item.target, value, item.text, when, item.line, item.latex)

    def _check_target(self, item, section, targets_ok):
        name = item.target
        if name in targets_ok:
            return
        owners = [
            ("hyperparameter", self.reals),
            ("flag", self.flags),
            ("reduction", {**self.global_red, **self.tensor_red}),
            ("built-in symbol", {k: 0 for k in BUILTIN_SYMBOLS if k != "p"}),
            ("common argument", {k: 0 for k in COMMON_ARGUMENTS}),
        ]
        if section == "step":
            owners += [("per-parameter state (updated in 'update')", self.state), ("parameter", {"p": 0})]
        else:
            owners += [("scalar state (updated in 'step')", self.scalar_state)]
            owners += [("step value", {k: 0 for k in self.step_locals})]
        for kind, names in owners:
            if name in names:
                raise SpecError(self.path, item.line, f"{section}: cannot assign to {name!r}: it is a {kind}")
        problem = name_problem(name)
        if problem:
            raise SpecError(self.path, item.line, f"{section}: {problem}")


# ---------------------------------------------------------------- specialisation


def _specialize(spec: Spec, flags: tuple[tuple[str, bool], ...]) -> Variant:
    subs = {sp.Symbol(n): sp.true if v else sp.false for n, v in flags}
    shown = ", ".join(f"{n}={v}" for n, v in flags) or "the defaults"

    def holds(cond) -> bool:
        value = cond.subs(subs) if cond not in (sp.true, sp.false) else cond
        if value not in (sp.true, sp.false):  # pragma: no cover - parse_condition prevents it
            raise SpecError(spec.path, None, f"condition {cond} does not resolve for {shown}")
        return value is sp.true

    def fix(eq: Equation) -> Equation:
        return Equation(eq.target, _resolve_piecewise(eq.expr, subs), eq.text, sp.true, eq.line, eq.latex)

    state = tuple(s for s in spec.state if holds(s.when))
    absent = {s.name: s for s in spec.state if not holds(s.when)}
    step = tuple(fix(e) for e in spec.step if holds(e.when))
    update = tuple(fix(e) for e in spec.update if holds(e.when))

    scalar_names = {h.name for h in spec.reals} | {"t", "lr"} | {s.name for s in spec.scalar_state}
    scalar_names |= {r.name for r in spec.reductions if r.scope == "global"}
    _check_order(spec, step, scalar_names, absent, "step", shown)
    step_names = scalar_names | {e.target for e in step}
    element_names = step_names | {"p", "g"} | {s.name for s in state}
    element_names |= {r.name for r in spec.reductions}
    _check_order(spec, update, element_names, absent, "update", shown)
    _check_size(spec, update)

    assigned = {e.target for e in update}
    for s in state:
        if s.name not in assigned:
            raise SpecError(spec.path, s.line, f"state {s.name!r} is never updated ({shown})")
    if "p" not in assigned:
        raise SpecError(spec.path, None, f"update: the parameter 'p' is never updated ({shown})")
    stepped = {e.target for e in step}
    for s in spec.scalar_state:
        if s.name not in stepped:
            raise SpecError(spec.path, s.line, f"scalar state {s.name!r} is never updated in 'step'")
    for r in spec.reductions:
        for sym in r.expr.free_symbols:
            if sym.name in absent:
                raise SpecError(spec.path, r.line, f"reduction {r.name!r} uses state {sym.name!r}, absent for {shown}")
    return Variant(spec, flags, state, step, update)


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
                    spec.path, eq.line, f"{section}: {eq.target} uses state {name!r}, which exists only when {cond} (here {shown})"
                )
            cycle = _find_cycle(equations[index:], eq.target, name)
            if cycle:
                raise SpecError(spec.path, eq.line, f"{section}: cyclic reference {' -> '.join(cycle)}")
            where = f" (it is defined on line {later[name].line})" if name in later else ""
            raise SpecError(
                spec.path, eq.line, f"{section}: {eq.target} uses {name!r} before it is defined{where}; equations run in order"
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
