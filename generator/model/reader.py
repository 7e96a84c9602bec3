"""Reading a spec file: line-tracking YAML into the frozen dataclasses of ``types``.

Each ``_read_*`` pops the keys it knows, checks their types and fails on leftovers, so a
typo in a key is an error with its line rather than a silently ignored setting. Expressions
are parsed with the allow-list of ``generator.expr``; every flag combination is then
specialised and checked (``spec``), so an invalid spec fails here, with its line.
"""

from __future__ import annotations

import math
import os
import stat
from dataclasses import dataclass, replace
from pathlib import Path

import sympy as sp

from .. import expr as E
from .. import symbols
from ..common import lr_expression, lr_text
from ..errors import SpecError
from ..latex_grammar import LatexError, check_latex
from ..names import BUILTIN_SYMBOLS, COMMON_ARGUMENTS, OWNABLE_COMMON, name_problem
from ..text import path_problem, text_problem, url_problem
from ..yaml_lines import LineDict, LineList, load_yaml
from .spec import Spec, example_value, names_read
from .types import (
    DerivedFlag,
    RankFlag,
    Equation,
    Hyperparameter,
    Kind,
    MatrixFunction,
    ReduceOp,
    Reduction,
    Reference,
    ScalarStateVar,
    Scope,
    STATE_SHAPES,
    StateVar,
)

# Limits that keep every build short whatever the spec says (a spec is untrusted input).
MAX_SPEC_BYTES = 64 * 1024
MAX_FLAGS = 5  # each flag doubles the variants that are generated
MAX_ENTRIES = 64  # hyperparameters, state, scalar state, reductions, references
MAX_EQUATIONS = 64  # per section


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
        if not isinstance(value, types) or (
            isinstance(value, bool) and bool not in _as_tuple(types)
        ):
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
                # {doc: A, b} is doc: A and a key 'b' with no value: a comma in unquoted text
                hint = (
                    "; a comma inside {...} starts a new key: quote the text before it "
                    '(doc: "..., ...")'
                    if self.mapping[key] is None
                    else ""
                )
                raise SpecError(
                    self.path,
                    self.line(key),
                    f"{self.what}: unknown key {key!r} (allowed: {allowed}){hint}",
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
    shown = _shown(path, root)
    problem = path_problem(shown)
    if problem:  # the path is printed into every generated file's header and docstring
        raise SpecError(repr(shown), None, problem)
    module = path.stem
    problem = name_problem(module, "module")
    if problem or module != module.lower():
        raise SpecError(
            shown,
            None,
            f"spec file name {path.name!r}: the stem must be a lowercase identifier "
            f"({problem or 'upper case is not allowed'})",
        )
    data = _read_regular(_within_its_folder(path, shown), shown)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(shown, None, "the spec is not valid UTF-8") from None
    return parse_spec(text, shown, module)


def _within_its_folder(path: Path, shown: str) -> Path:
    """The file a spec path names, links followed, if it lies in the spec's own folder (or
    below): a link out of it (a cloned repository may hold one, to ~/.ssh or ../secrets)
    would print that file's text into the generated code and docs."""
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        raise SpecError(shown, None, "no such spec file") from None
    except (OSError, RuntimeError) as err:  # a loop of links, say
        raise SpecError(shown, None, f"cannot open the spec: {err}") from None
    folder = path.absolute().parent.resolve()
    if folder not in real.parents:
        raise SpecError(
            shown,
            None,
            "a link to a file outside the spec's folder: specs are read only from their "
            "folder (copy the file in)",
        )
    return real


def _read_regular(path: Path, shown: str) -> bytes:
    """The bytes of a regular file of at most MAX_SPEC_BYTES. Opened without blocking and
    checked after opening, so a FIFO, a device (/dev/zero) or a folder named like a spec is
    refused instead of hanging the build or filling its memory."""
    try:
        # no link at the end: _within_its_folder resolved them, and one put there since is
        # refused rather than followed
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        raise SpecError(shown, None, "no such spec file") from None
    except OSError as err:
        raise SpecError(shown, None, f"cannot open the spec: {err.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise SpecError(shown, None, "not a regular file")
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(MAX_SPEC_BYTES + 1)  # the file may be huge, or growing
    if len(data) > MAX_SPEC_BYTES:
        raise _too_large(shown)
    return data


def _shown(path: Path, root) -> str:
    """The path errors and generated headers show: relative to ``root`` when inside it."""
    if root is None:
        return str(path)
    try:  # the folder resolved, not the file: a link is shown by its own name
        named = path.absolute().parent.resolve() / path.name
        return named.relative_to(Path(root).resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return str(path)


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
    derived_flags, rank_flags = _read_derived_flags(top, hypers)
    flags = {h.name: h.symbol for h in hypers if h.kind is Kind.BOOL}
    flags.update({d.name: d.symbol for d in derived_flags + rank_flags})
    reals = {h.name: h.symbol for h in hypers if h.kind is Kind.REAL}
    if "learning_rate" not in reals:
        raise top.error(
            None, "every spec needs a real hyperparameter 'learning_rate' (lr derives from it)"
        )

    state = _read_state(top, flags, reals)
    scalar_state = _read_scalar_state(top, reals)
    taken = _claim_names(path, hypers, derived_flags + rank_flags, state, scalar_state)
    step_items = _equation_items(top, "step", required=False)
    update_items = _equation_items(top, "update", required=True)
    # a per-tensor reduction may read the update's own values (LAMB's norm of its update u)
    update_values = {i.target for i in update_items} - {s.name for s in state} - {"p", "g"}
    reductions = _read_reductions(top, taken, reals, state, update_values)
    matrix_functions = _read_matrix_functions(top, taken, reals, hypers)
    # a repeat count takes whole numbers only: every runtime's domain check says so
    repeats = {f.repeat.name for f in matrix_functions if f.repeat.is_Symbol}
    hypers = tuple(replace(h, whole=True) if h.name in repeats else h for h in hypers)
    references = _read_references(top)
    differences = _read_differences(top)
    top.finish()

    scope = _Scope(path, flags, reals, state, scalar_state, reductions, matrix_functions)
    step = tuple(
        scope.equation(item, "step", [i.target for i in step_items]) for item in step_items
    )
    scope.step_locals = {e.target for e in step} - {s.name for s in scalar_state}
    update = tuple(
        scope.equation(item, "update", [i.target for i in update_items]) for item in update_items
    )
    scope.check_reductions(reductions)
    _check_reductions_of_update_values(path, reductions, step, update, {s.name for s in state})
    _check_derived_flags_are_used(path, derived_flags + rank_flags, state, step + update)
    _check_rank_flags(path, rank_flags, step, reductions)
    _check_reductions_are_read(path, reductions, step + update)
    _check_axes(path, state, step, update, reductions)

    spec = Spec(
        name=name,
        module=module,
        keras_name=keras_name,
        path=path,
        description=description,
        hyperparameters=hypers,
        derived_flags=derived_flags,
        rank_flags=rank_flags,
        state=state,
        scalar_state=scalar_state,
        reductions=reductions,
        step=step,
        update=update,
        common=common,
        references=references,
        differences=differences,
        lr_equation=Equation(
            "lr", lr_expression("decay" in common), lr_text("decay" in common), sp.true, 0
        ),
        matrix_functions=matrix_functions,
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
            raise reader.error(
                key, f"{reader.what}: {key!r} must be a number, not {value!r}"
            ) from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise reader.error(key, f"{reader.what}: {key!r} must be a finite number")
    return float(value)


def _read_hyperparameters(top, common) -> tuple[Hyperparameter, ...]:
    table = _entries(top, "hyperparameters", required=True)
    out = []
    for name, entry in table.items():
        line = table.lines[name]
        if name in BUILTIN_SYMBOLS or name in common:
            raise SpecError(
                top.path,
                line,
                f"hyperparameter {name!r} is provided by the generator for every spec"
                + (
                    f"; to define your own, list `common:` without {name!r}"
                    if name in OWNABLE_COMMON
                    else ""
                ),
            )
        _check_name(top.path, line, name)
        r = _Reader(top.path, entry, f"hyperparameter {name!r}", line)
        default = r.get("default", (int, float, bool, str), required=True)
        kind_word = r.get("type", str, default="bool" if isinstance(default, bool) else "real")
        doc = r.text("doc", required=True)
        latex = r.latex()
        domain_text = r.get("domain", str)
        if domain_text is not None:
            domain_text = " ".join(domain_text.split())  # shown in docs and messages on one line
        r.finish()
        try:
            kind = Kind.parse(kind_word)
        except ValueError as err:
            raise r.error("type", f"{r.what}: type {err}") from None
        domain = None
        if kind is Kind.BOOL:
            if not isinstance(default, bool):
                raise r.error("default", f"{r.what}: a bool default must be true or false")
            if domain_text is not None:
                raise r.error("domain", f"{r.what}: a bool takes no domain")
        else:
            default = _number(r, "default", default)
            if domain_text is not None:
                symbol = symbols.real(name)
                try:
                    domain = E.parse_domain(domain_text, name, symbol)
                except E.ExprError as err:
                    raise r.error("domain", f"{r.what}: domain: {err}") from None
        hyper = Hyperparameter(name, kind, default, doc, domain, domain_text, latex, line)
        if domain is not None and not hyper.contains(default):
            raise r.error(
                "default", f"{r.what}: default {default!r} is outside its domain {domain_text}"
            )
        out.append(hyper)
    if not out:
        raise top.error("hyperparameters", "hyperparameters: at least learning_rate is needed")
    flags = [h for h in out if h.kind is Kind.BOOL]
    if len(flags) > MAX_FLAGS:
        raise SpecError(
            top.path,
            flags[MAX_FLAGS].line,
            f"more than {MAX_FLAGS} flags: each one doubles the generated code",
        )
    return tuple(out)


def _read_derived_flags(top, hypers) -> tuple[tuple[DerivedFlag, ...], tuple[RankFlag, ...]]:
    """``name: {value: <comparison of one real hyperparameter with numbers>, doc}``: a flag
    that the hyperparameter's value sets, true and false each somewhere in its domain; or,
    comparing ``rank`` (a tensor's number of axes) with integers, a flag each tensor's rank
    sets (``matrix: {value: rank >= 2}``)."""
    table = _entries(top, "derived_flags")
    reals = {h.name: h for h in hypers if h.kind is Kind.REAL and h.name != "learning_rate"}
    out, by_rank = [], []
    for name, entry in table.items():
        line = table.lines[name]
        _check_name(top.path, line, name)
        if any(h.name == name for h in hypers):
            raise SpecError(
                top.path, line, f"derived flag {name!r} clashes with the hyperparameter {name!r}"
            )
        r = _Reader(top.path, entry, f"derived flag {name!r}", line)
        text = r.get("value", str, required=True)
        doc = r.text("doc", required=True)
        r.finish()
        text = " ".join(text.split())
        used = []

        def lookup(n):
            if n == symbols.RANK.name:
                used.append(n)
                return symbols.RANK
            if n not in reals:
                raise E.ExprError(
                    f"{n!r} is not a real hyperparameter other than learning_rate (which may "
                    "be a schedule) or 'rank': a derived flag compares one with numbers"
                )
            used.append(n)
            return reals[n].symbol

        try:
            condition = E.parse_comparison(text, lookup)
        except E.ExprError as err:
            raise r.error("value", f"{r.what}: value: {err}") from None
        if condition in (sp.true, sp.false):  # SymPy folds 'x >= 2 and x < 2'
            raise r.error(
                "value", f"{r.what}: value: {text!r} is always {condition}: a flag must vary"
            )
        if symbols.RANK.name in used and len(set(used)) > 1:
            raise r.error(
                "value",
                f"{r.what}: value: {text!r} compares 'rank' and a hyperparameter; a rank flag "
                "compares only 'rank' with whole numbers, such as 'rank >= 2'",
            )
        if len(set(used)) != 1:
            raise r.error(
                "value",
                f"{r.what}: value: {text!r} compares {len(set(used))} hyperparameters; a derived "
                "flag compares one with numbers, such as 'momentum > 0'",
            )
        if used[0] == symbols.RANK.name:
            by_rank.append(_rank_flag(r, name, condition, text, doc, line))
            continue
        if any(d.hyperparameter == used[0] for d in out):
            raise r.error(
                "value",
                f"{r.what}: {used[0]} already sets a derived flag; one hyperparameter sets at "
                "most one (two would make combinations that no value reaches)",
            )
        hyper = reals[used[0]]
        condition = _plain_comparisons(r, condition, hyper.symbol, text)
        derived = DerivedFlag(name, used[0], condition, text, doc, line)
        for wanted in (True, False):
            if example_value(hyper, derived, wanted) is None:
                domain = f" {hyper.domain_text}" if hyper.domain_text else ""
                raise r.error(
                    "value",
                    f"{r.what}: {text} is never {wanted} inside the domain of {hyper.name}"
                    f"{domain}: a derived flag must be able to take both values",
                )
        out.append(derived)
    flags = sum(h.kind is Kind.BOOL for h in hypers)
    every = sorted(out + by_rank, key=lambda d: d.line)
    if flags + len(every) > MAX_FLAGS:
        raise SpecError(
            top.path,
            every[max(MAX_FLAGS - flags, 0)].line,
            f"more than {MAX_FLAGS} flags and derived flags: each one doubles the generated code",
        )
    return tuple(out), tuple(by_rank)


# A rank flag compares ``rank`` with whole numbers up to this one: every tensor of more axes
# takes what a tensor of MAX_RANK_COMPARED + 1 axes takes, so the generated tests, which step
# tensors of 0 to MAX_RANK_COMPARED + 1 axes (testing.RANKED_SHAPES), reach every variant.
MAX_RANK_COMPARED = 4


def _rank_flag(r, name, condition, text, doc, line) -> RankFlag:
    """A rank flag, from its comparisons of ``rank`` with whole numbers from 0 to
    MAX_RANK_COMPARED; true for some rank and false for another."""
    parts = condition.args if isinstance(condition, sp.And) else (condition,)
    for part in parts:
        numbers = [x for x in (part.lhs, part.rhs) if x.is_Number]
        if (
            symbols.RANK not in (part.lhs, part.rhs)
            or len(numbers) != 1
            or not numbers[0].is_Integer
        ):
            raise r.error(
                "value",
                f"{r.what}: value: {text!r}: a rank flag compares 'rank' itself with whole "
                "numbers, such as 'rank >= 2' or '1 < rank < 4'",
            )
        if not 0 <= numbers[0] <= MAX_RANK_COMPARED:
            raise r.error(
                "value",
                f"{r.what}: value: {text!r}: a rank flag compares 'rank' with whole numbers "
                f"from 0 to {MAX_RANK_COMPARED}",
            )
    flag = RankFlag(name, condition, text, doc, line)
    if len({flag.holds(rank) for rank in range(MAX_RANK_COMPARED + 2)}) != 2:
        raise r.error(
            "value",
            f"{r.what}: value: {text!r} is the same for every rank: a rank flag must be true "
            "for some tensors and false for others",
        )
    return flag


def _check_rank_flags(path, rank_flags, step, reductions):
    """What a rank flag may not pick: the step program and the scalar state are the
    optimizer's, one per step; and, for now, a global reduction's tensors would take
    different kernels."""
    if not rank_flags:
        return
    names = {f.name for f in rank_flags}
    for eq in step:
        read = {x.name for x in eq.expr.free_symbols | eq.when.free_symbols} & names
        if read:
            raise SpecError(
                path,
                eq.line,
                f"step: {eq.target} reads the rank flag {sorted(read)[0]!r}: the step program "
                "runs once per step for every tensor; use the flag in 'update'",
            )
    for red in reductions:
        if red.scope is Scope.GLOBAL:
            raise SpecError(
                path,
                red.line,
                f"reduction {red.name!r}: a global reduction in a spec with a rank flag is "
                "not supported yet (its tensors would take different kernels)",
            )


def _check_axes(path, state, step, update, reductions):
    """Row and column means, and state of rows or columns (Adafactor's factored second
    moment): step equations and reductions run once per step or tensor and cannot take them;
    a mean needs a value that differs per element; a state of rows (columns) is assigned a
    value that differs per row (column) at most."""
    for eq in step:
        mean = _first_axis_mean(eq.expr)
        if mean is not None:
            raise SpecError(
                path,
                eq.line,
                f"step: {eq.target} = ...: {_mean_name(mean)} is one value per row or column "
                "of a tensor, but step equations run once per step: use it in 'update'",
            )
    for r in reductions:
        mean = _first_axis_mean(r.expr)
        if mean is not None:
            raise SpecError(
                path,
                r.line,
                f"reduction {r.name!r}: of: {_mean_name(mean)} cannot be reduced here: "
                "compute it in 'update' and reduce that value",
            )
    axes_of = {"p": STATE_SHAPES["element"], "g": STATE_SHAPES["element"]}
    axes_of.update({s.name: STATE_SHAPES[s.shape] for s in state})
    shapes = {s.name: s.shape for s in state}
    for eq in update:
        try:
            axes = _axes(eq.expr, axes_of)
        except E.ExprError as err:
            raise SpecError(path, eq.line, f"update: {eq.target} = ...: {err}") from None
        shape = shapes.get(eq.target, "element")
        if shape != "element" and axes is not None and not axes <= STATE_SHAPES[shape]:
            along, mean = ("row", "row_mean") if shape == "rows" else ("column", "column_mean")
            raise SpecError(
                path,
                eq.line,
                f"update: {eq.target} = ...: state {eq.target!r} holds one value per {along} "
                f"(shape: {shape}), but this value differs along the {along}: take its "
                f"{mean}(...)",
            )
        if eq.target not in shapes and eq.target not in ("p", "g"):
            axes_of[eq.target] = axes
    for r in reductions:  # a sum over the elements, of a value per element
        axes = _axes(r.expr, {**axes_of, **{s.name: STATE_SHAPES[s.shape] for s in state}})
        if axes is not None and axes != STATE_SHAPES["element"]:
            raise SpecError(
                path,
                r.line,
                f"reduction {r.name!r}: of: a value per row or column (of a state of rows or "
                "columns, or a mean): reduce a value that differs per element",
            )


def _axes(expr, axes_of):
    """The axes (rows "i", columns "j") along which ``expr`` varies within a matrix (empty:
    one value per matrix), or None for a value that is the same for every element of a
    tensor (hyperparameters, step values, reductions)."""
    if expr.is_Symbol:
        return axes_of.get(expr.name)
    if isinstance(expr, symbols.MatrixCall):
        inner = _axes(expr.args[0], axes_of)
        if inner != STATE_SHAPES["element"]:
            raise E.ExprError(
                f"{type(expr).__name__}() of {expr.args[0]}, which does not differ per element: "
                "a matrix function takes a value of p, g or state of the parameter's shape"
            )
        return inner
    if isinstance(expr, symbols.AxisMean):
        inner = _axes(expr.args[0], axes_of)
        if inner is None:
            raise E.ExprError(
                f"{_mean_name(expr)} of {expr.args[0]}, which is the same for every element: "
                "a mean is of a value that differs per element (of p, g or state)"
            )
        return inner - {symbols.AXIS_MEANS[type(expr)]}
    out = None
    for arg in expr.args:
        axes = _axes(arg, axes_of)
        if axes is not None:
            out = axes if out is None else out | axes
    return out


def _first_axis_mean(expr):
    return next(iter(sorted(expr.atoms(symbols.AxisMean), key=str)), None)


def _mean_name(mean) -> str:
    return "row_mean" if isinstance(mean, symbols.RowMean) else "column_mean"


def _check_reductions_are_read(path, reductions, equations):
    """A reduction no equation reads would cost a pass over memory for nothing."""
    read = names_read(equations)
    for r in reductions:
        if r.name not in read:
            raise SpecError(
                path,
                r.line,
                f"reduction {r.name!r} is never read: use it in 'step' or 'update', or remove it",
            )


def _check_derived_flags_are_used(path, derived_flags, state, equations):
    """A derived flag that no state, equation or select reads would only double the kernels
    and refuse assignments for nothing."""
    read = names_read(equations)
    for item in (*state, *equations):
        read |= {s.name for s in item.when.free_symbols}
    for d in derived_flags:
        if d.name not in read:
            raise SpecError(
                path,
                d.line,
                f"derived flag {d.name!r} is read by no state ('when:'), equation or select",
            )


def _plain_comparisons(r, condition, symbol, text):
    """``condition`` if each of its comparisons is the hyperparameter itself against a number
    (``momentum > 0``, ``0 < momentum < 1``), with each number made the exact value of its
    float: the generated code compares floats, and the generator must agree with it."""
    parts = condition.args if isinstance(condition, sp.And) else (condition,)
    exact = {}
    for part in parts:
        sides = {part.lhs, part.rhs}
        numbers = [x for x in sides if x.is_Number]
        if symbol not in sides or len(numbers) != 1:
            raise r.error(
                "value",
                f"{r.what}: value: {text!r}: a derived flag compares the hyperparameter itself "
                f"with numbers, such as '{symbol.name} > 0' or '0 < {symbol.name} < 1'",
            )
        exact[numbers[0]] = sp.Rational(repr(float(numbers[0])))
    return condition.xreplace(exact)


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
        shape = r.get("shape", str, default="element")
        latex = r.latex()
        r.finish()
        init = _parse_at(
            r, "init", init_text, _lookup_in(reals, "an initial value", "hyperparameters")
        )
        try:
            when = E.parse_condition(when_text, flags)
        except E.ExprError as err:
            raise r.error("when", f"{r.what}: when: {err}") from None
        if shape not in STATE_SHAPES or shape == "element":
            if "shape" in entry:
                raise r.error(
                    "shape",
                    f"{r.what}: shape: {shape!r} is not 'rows' (one value per row, the "
                    "parameter's shape with the last axis 1) or 'columns' (one per column); "
                    "leave it out for a state shaped like the parameter",
                )
        out.append(StateVar(name, init, doc, when, latex, line, shape))
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
        init = _parse_at(
            r, "init", init_text, _lookup_in(reals, "an initial value", "hyperparameters")
        )
        out.append(ScalarStateVar(name, init, doc, latex, line))
    return tuple(out)


def _claim_names(path, hypers, derived_flags, state, scalar_state) -> dict[str, str]:
    taken = {n: "a built-in symbol" for n in BUILTIN_SYMBOLS}
    own = {h.name for h in hypers}
    taken.update({n: "a common argument" for n in COMMON_ARGUMENTS if n not in own})
    for kind, items in (
        ("hyperparameter", hypers),
        ("derived flag", derived_flags),
        ("state", state),
        ("scalar state", scalar_state),
    ):
        for item in items:
            if item.name in taken:
                raise SpecError(
                    path, item.line, f"{kind} {item.name!r} clashes with {taken[item.name]}"
                )
            taken[item.name] = f"the {kind} {item.name!r}"
    return taken


def _read_reductions(top, taken, reals, state, update_values) -> tuple[Reduction, ...]:
    table = _entries(top, "reductions")
    element = {"p": symbols.P, "g": symbols.G, "t": symbols.T}
    element.update({s.name: s.symbol for s in state})
    element.update(reals)
    element.update({name: symbols.real(name) for name in sorted(update_values)})
    out = []
    for name, entry in table.items():
        line = table.lines[name]
        _check_name(top.path, line, name)
        if name in taken:
            raise SpecError(top.path, line, f"reduction {name!r} clashes with {taken[name]}")
        taken[name] = f"the reduction {name!r}"
        r = _Reader(top.path, entry, f"reduction {name!r}", line)
        scope_word = r.get("scope", str, required=True)
        op_word = r.get("op", str, default="sum")
        text = r.get("of", (str, int, float), required=True)
        doc = r.text("doc", required=True)
        latex = r.latex()
        r.finish()
        try:
            scope = Scope.parse(scope_word)
        except ValueError as err:
            raise r.error("scope", f"{r.what}: scope {err}") from None
        try:
            op = ReduceOp.parse(op_word)
        except ValueError as err:
            raise r.error("op", f"{r.what}: op {err}") from None
        lookup = _lookup_in(
            element, "a reduction", "p, g, t, state, hyperparameters and the update's values"
        )
        of = _parse_at(r, "of", text, lookup)
        out.append(Reduction(name, scope, op, of, str(text), doc, line, latex))
    return tuple(out)


MAX_MATRIX_FUNCTIONS = 4


def _read_matrix_functions(top, taken, reals, hypers) -> tuple[MatrixFunction, ...]:
    """``matrix_functions:``: whole-tensor functions of a matrix, each of one argument, with
    setup equations, body equations repeated a whole number of times, and the argument's
    last value as the result; their equations read the function's matrices (the argument
    and the values assigned before), hyperparameters and numbers."""
    table = _entries(top, "matrix_functions")
    if len(table) > MAX_MATRIX_FUNCTIONS:
        raise top.error("matrix_functions", f"more than {MAX_MATRIX_FUNCTIONS} matrix functions")
    out = []
    for name, entry in table.items():
        line = table.lines[name]
        _check_name(top.path, line, name)
        if name in taken:
            raise SpecError(top.path, line, f"matrix function {name!r} clashes with {taken[name]}")
        taken[name] = f"the matrix function {name!r}"
        r = _Reader(top.path, entry, f"matrix function {name!r}", line)
        argument = r.get("argument", str, required=True)
        wide = r.get("wide", bool, default=False)
        repeat_text = r.get("repeat", (str, int), default=1)
        doc = r.text("doc", required=True)
        latex = r.latex()
        setup_items = _equation_items(r, "setup", required=False)
        body_items = _equation_items(r, "body", required=False)
        r.finish()
        _check_name(top.path, r.line("argument"), argument)
        if argument in taken:
            raise r.error(
                "argument", f"{r.what}: argument {argument!r} clashes with {taken[argument]}"
            )
        repeat = _matrix_repeat(r, repeat_text, reals, hypers)
        shapes = {argument: ("rows", "columns")}
        equations = []
        for section, items in (("setup", setup_items), ("body", body_items)):
            for item in items:
                equations.append(
                    (section, _matrix_equation(r, section, item, shapes, reals, taken))
                )
        if shapes[argument] != ("rows", "columns"):
            raise r.error(
                None,
                f"{r.what}: its result, {argument!r}'s last value, is a matrix of "
                f"{_shape_words(shapes[argument])}, not of its argument's shape",
            )
        params = set()
        for _, eq in equations:
            params |= {s.name for s in eq.expr.free_symbols if s.name in reals}
        params |= {s.name for s in repeat.free_symbols}
        out.append(
            MatrixFunction(
                name=name,
                argument=argument,
                setup=tuple(eq for section, eq in equations if section == "setup"),
                body=tuple(eq for section, eq in equations if section == "body"),
                repeat=repeat,
                repeat_text=str(repeat_text),
                wide=wide,
                params=tuple(sorted(params)),
                doc=doc,
                latex=latex,
                line=line,
            )
        )
    return tuple(out)


MAX_MATRIX_REPEAT = 1000


def _matrix_repeat(r, text, reals, hypers) -> sp.Expr:
    """``repeat:``: a whole number, or a real hyperparameter whose default is one."""
    if isinstance(text, bool):
        raise r.error("repeat", f"{r.what}: repeat: a whole number or a hyperparameter, not {text}")
    if isinstance(text, int):
        if not 0 <= text <= MAX_MATRIX_REPEAT:
            raise r.error("repeat", f"{r.what}: repeat: {text} is not in 0..{MAX_MATRIX_REPEAT}")
        return sp.Integer(text)
    name = text.strip()
    default = next((h.default for h in hypers if h.name == name), None)
    if name in reals and not float(default).is_integer():
        raise r.error(
            "repeat", f"{r.what}: repeat: {name!r} defaults to {default!r}, not a whole number"
        )
    if name not in reals:
        raise r.error(
            "repeat",
            f"{r.what}: repeat: {name!r} is not a real hyperparameter (write a whole number, "
            "or the name of a hyperparameter whose values are whole numbers)",
        )
    return reals[name]


def _matrix_equation(r, section, item, shapes, reals, taken) -> Equation:
    """One equation of a matrix function, its target's shape recorded in ``shapes``."""
    where = f"{r.what}: {section}: {item.target} = ..."
    if item.when_text is not True:
        raise SpecError(
            r.path, item.when_line, f"{where}: a matrix function's equation has no 'when:'"
        )
    problem = name_problem(item.target)
    if problem:
        raise SpecError(r.path, item.line, f"{where}: {problem}")
    if item.target in taken:
        raise SpecError(
            r.path, item.line, f"{where}: {item.target!r} clashes with {taken[item.target]}"
        )

    def lookup(name):
        if name in shapes:
            return symbols.real(name)
        if name in reals:
            return reals[name]
        raise E.ExprError(
            f"unknown symbol {name!r}: a matrix function's equation reads its argument, the "
            "values it assigned before, hyperparameters and numbers"
        )

    try:
        value = E.parse_value(item.text, lookup, {}, matrix=True)
        shape = _matrix_shape(value, shapes)
    except E.ExprError as err:
        raise SpecError(r.path, item.line, f"{where}: {err}") from None
    if shape is None and not value.free_symbols & {symbols.real(n) for n in shapes}:
        raise SpecError(
            r.path,
            item.line,
            f"{where}: the value reads no matrix (a matrix function's values are matrices, "
            "or one number per matrix such as frobenius_norm(X))",
        )
    shapes[item.target] = shape
    return Equation(item.target, value, item.text, sp.true, item.line, item.latex)


def _shape_words(shape) -> str:
    return "one value per matrix" if shape is None else f"{shape[0]} x {shape[1]}"


def _matrix_shape(expr, shapes):
    """The shape of a matrix function's value: (rows, columns) in terms of its argument's
    ("rows", "columns"), or None for one number per matrix (a norm, a hyperparameter)."""
    if expr.is_Symbol:
        return shapes.get(expr.name)
    if expr.is_Number:
        return None
    if isinstance(expr, symbols.MatrixProduct):
        a, b = (_matrix_shape(x, shapes) for x in expr.args)
        if a is None or b is None:
            raise E.ExprError(f"{expr.args[0]} @ {expr.args[1]}: '@' multiplies two matrices")
        if a[1] != b[0]:
            raise E.ExprError(
                f"{expr.args[0]} @ {expr.args[1]}: a matrix of {_shape_words(a)} times one of "
                f"{_shape_words(b)}"
            )
        return (a[0], b[1])
    if isinstance(expr, (symbols.MatrixTranspose, symbols.FrobeniusNorm)):
        inner = _matrix_shape(expr.args[0], shapes)
        word = "transpose" if isinstance(expr, symbols.MatrixTranspose) else "frobenius_norm"
        if inner is None:
            raise E.ExprError(f"{word}({expr.args[0]}): the argument is not a matrix")
        return (inner[1], inner[0]) if word == "transpose" else None
    if isinstance(expr, sp.Pow) and _matrix_shape(expr.exp, shapes) is not None:
        raise E.ExprError(f"{expr}: an exponent is a number, not a matrix")
    out = None
    for arg in expr.args:
        shape = _matrix_shape(arg, shapes)
        if shape is not None and out is not None and shape != out:
            raise E.ExprError(
                f"{expr}: element by element, a matrix of {_shape_words(out)} and one of "
                f"{_shape_words(shape)}"
            )
        out = shape if shape is not None else out
    return out


def _mixed_conditions(expr, per_element):
    """The conditions of ``expr``'s selects that compare per-step and per-element values."""
    return [
        cond
        for piece in expr.atoms(sp.Piecewise)
        for _, cond in piece.args
        if symbols.mixes_per_step_and_per_element(cond, per_element)
    ]


def _check_reductions_of_update_values(path, reductions, step, update, state_names):
    """A reduction over the update's values is computed before the element program, from the
    values before the step (the update's equations substituted): the values it reads, as last
    assigned, may not depend on a reduction (through any earlier equation, a reassigned g or
    p included: a cycle, or a reduction of a reduction). A global one is computed before the
    step program too (the step values it reads computed for it first), so neither may the
    step values that the update's values read."""
    names = {r.name for r in reductions}

    def dependencies(equations, depends):
        for eq in equations:
            reads = {s.name for s in eq.expr.free_symbols}
            found = (reads & names).union(*(depends.get(n, set()) for n in reads))
            if eq.when is not sp.true:  # under a flag: it may keep its earlier value
                found |= depends.get(eq.target, set())
            depends[eq.target] = found
        return depends

    per_tensor = dependencies(update, {})  # update value -> the reductions its value reads
    per_step = dependencies(step, {})  # step value (scalar state included) -> the same
    every = dependencies(update, dict(per_step))
    for r in reductions:
        depends = per_tensor if r.scope is Scope.TENSOR else every
        own = {s.name for s in r.expr.free_symbols} - state_names - {"p", "g"}
        for name in sorted(own & depends.keys()):
            if depends[name]:
                through = "" if name in per_tensor and per_tensor[name] else " through a step value"
                raise SpecError(
                    path,
                    r.line,
                    f"reduction {r.name!r}: of: reads {name!r}, whose value depends on the "
                    f"reduction {sorted(depends[name])[0]!r}{through}; a reduction over the "
                    "update's values is computed before the update"
                    + ("" if r.scope is Scope.TENSOR else " and before the step program")
                    + ", so those values may not read a reduction",
                )


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
            raise SpecError(
                top.path, line, f"{key}: each item is 'name = expression' or {{eq, when}}"
            )
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

    def __init__(self, path, flags, reals, state, scalar_state, reductions, matrix_functions=()):
        self.path = path
        self.functions = {f.name: f for f in matrix_functions}
        self.flags = flags
        self.reals = reals
        self.state = {s.name: s.symbol for s in state}
        self.scalar_state = {s.name: s.symbol for s in scalar_state}
        self.global_red = {r.name: r.symbol for r in reductions if r.scope is Scope.GLOBAL}
        self.tensor_red = {r.name: r.symbol for r in reductions if r.scope is Scope.TENSOR}
        self.step_locals: set[str] = set()
        # update values that differ per element (they read p, g, state or another such
        # value), as assigned so far: a condition reading one selects per element
        self.element_values: set[str] = set()

    def equation(self, item: _Item, section: str, section_targets: list[str]) -> Equation:
        scalar = dict(self.reals)
        scalar.update(self.scalar_state)
        scalar.update(self.global_red)
        scalar["t"] = symbols.T
        scalar["lr"] = symbols.LR
        if section == "step":
            known = dict(scalar)
            known.update({n: symbols.real(n) for n in section_targets})
            per_element = set(self.state) | {"p", "g"}
            per_tensor = set(self.tensor_red)
            targets_ok = set(self.scalar_state)
        else:
            known = dict(scalar)
            known.update({n: symbols.real(n) for n in self.step_locals})
            known.update(self.state)
            known.update(self.tensor_red)
            known["p"] = symbols.P
            known["g"] = symbols.G
            known.update({s.name: s for s in symbols.SHAPE_SYMBOLS})
            known.update({n: symbols.real(n) for n in section_targets})
            per_element = per_tensor = set()
            # g may be reassigned: torch's L2 decay, g = g + weight_decay*p, for what follows
            targets_ok = set(self.state) | {"p", "g"}

        def lookup(name):
            if name in known:
                return known[name]
            if name in per_element:
                raise E.ExprError(
                    f"{name!r} is per element, but step equations run once per step: use it in "
                    "'update', or reduce it with a 'reductions' entry"
                )
            if name in per_tensor:
                raise E.ExprError(
                    f"{name!r} is a per-tensor reduction (scope: tensor), one value per tensor, "
                    "but step equations run once per step for all tensors: use it in 'update', "
                    "or make it scope: global"
                )
            if name == symbols.RANK.name:
                raise E.ExprError(
                    "'rank' (a tensor's number of axes) is read only by a rank flag's value: "
                    "define one (derived_flags: matrix: {value: rank >= 2, doc: ...}) and use "
                    "it as a flag"
                )
            raise E.ExprError(f"unknown symbol {name!r} (known here: {', '.join(sorted(known))})")

        self._check_target(item, section, targets_ok)
        try:
            functions = self.functions if section == "update" else None
            value = E.parse_value(item.text, lookup, self.flags, functions)
        except E.ExprError as err:
            raise SpecError(
                self.path, item.line, f"{section}: {item.target} = ...: {err}"
            ) from None
        if section == "update":
            self._check_conditions(item, value)
            reads = {s.name for s in value.free_symbols}
            if reads & ({"p", "g", *self.state} | self.element_values):
                self.element_values.add(item.target)
            else:
                self.element_values.discard(item.target)
        try:
            when = E.parse_condition(item.when_text, self.flags)
        except E.ExprError as err:
            raise SpecError(self.path, item.when_line, f"{section}: when: {err}") from None
        return Equation(item.target, value, item.text, when, item.line, item.latex)

    def _check_conditions(self, item, value):
        """A condition compares either per-step values (hyperparameters, t, lr, step results,
        scalar state, reductions: each step then takes one branch for every element, which the
        array backends print as one program per branch and the kernels as a uniform select)
        or per-element values (a select per element, branch-free); not both at once."""
        for cond in _mixed_conditions(value, {"p", "g", *self.state} | self.element_values):
            raise SpecError(
                self.path,
                item.line,
                f"update: {item.target} = ...: the condition {cond} combines comparisons "
                "of per-step values with comparisons of per-element values; nest two "
                "selects instead: where(rho_t > 5, where(g > 0, a, b), b)",
            )

    def check_reductions(self, reductions):
        """A reduction's own conditions, as the update's are checked (after the update, whose
        values' kinds, per step or per element, they need)."""
        per_element = {"p", "g", *self.state} | self.element_values
        for r in reductions:
            for cond in _mixed_conditions(r.expr, per_element):
                raise SpecError(
                    self.path,
                    r.line,
                    f"reduction {r.name!r}: of: the condition {cond} combines comparisons of "
                    "per-step values with comparisons of per-element values; nest two selects "
                    "instead: where(t > 5, where(g > 0, a, b), b)",
                )

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
            owners += [
                ("per-parameter state (updated in 'update')", self.state),
                ("parameter", {"p": 0}),
            ]
        else:
            owners += [("scalar state (updated in 'step')", self.scalar_state)]
            owners += [("step value", {k: 0 for k in self.step_locals})]
        for kind, names in owners:
            if name in names:
                raise SpecError(
                    self.path, item.line, f"{section}: cannot assign to {name!r}: it is a {kind}"
                )
        problem = name_problem(name)
        if problem:
            raise SpecError(self.path, item.line, f"{section}: {problem}")
