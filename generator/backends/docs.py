"""Docs backend: ``generated/docs/<module>.tex`` per spec, ``optimizers.tex`` assembling them,
and Markdown pages in the seed page's layout under ``generated/docs/md/``.

The equations are printed from the spec's SymPy expressions and from the IR the kernels are
printed from, so the docs cannot disagree with the code.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

import sympy as sp

from .. import float64
from ..common import (
    CLIP_SCALE,
    CLIP_VALUE,
    COMMON_DEFAULTS,
    COMMON_DOCS,
    GRAD_NORM_SQUARED_TERM,
    WEIGHT_DECAY_FACTOR,
    lr_expression,
)
from ..runtime._state_codes import STATE_BYTES
from ..ir import LoweredSpec
from ..model import Kind, ReduceOp, Scope, Spec, Variant
from ..printers.latex import Notation, display, domain_latex
from ..render import Output
from ..symbols import LR, flag, real
from .base import AllSpecs, Build, fused_passes

LONG_LINE = 70  # estimated printed characters (see _width) before an equation is split


@dataclass(frozen=True)
class Line:
    lhs: str
    rhs: tuple[str, ...]  # continuation pieces: the first follows "=", the others "+"/"-"
    note: str  # "if amsgrad", or ""
    label: str


@dataclass(frozen=True)
class Row:
    name: str
    default: str
    domain: str  # LaTeX math, or "" for any
    domain_text: str  # as written in the spec
    doc: str


@dataclass(frozen=True)
class SymbolRow:
    symbol: str  # LaTeX math
    meaning: str


@dataclass(frozen=True)
class Block:
    title: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Ref:
    key: str
    title: str
    url: str


@dataclass(frozen=True)
class DocView:
    name: str
    module: str
    keras_name: str
    spec_path: str
    signature: str
    summary: str
    paragraphs: tuple[str, ...]
    rows: tuple[Row, ...]
    symbols: tuple[SymbolRow, ...]
    algorithm: tuple[Block, ...]
    generated: tuple[Block, ...]
    differences: tuple[tuple[str, str], ...]
    references: tuple[Ref, ...]
    bad_numbers: tuple[tuple[str, ...], ...]  # header row, then one row per gradient value
    memory: tuple["MemoryRow", ...] = ()  # state bytes per parameter element, per variant
    masks: bool = False  # some variant selects per element (its conditions are chi_k)


@dataclass(frozen=True)
class MemoryRow:
    """One variant's state per parameter element under each ``state_precision`` (torch)."""

    variant: str  # its flags, "" for a spec without any
    state: str  # the state arrays, the never-negative ones (stored unsigned) marked
    float32: str
    bfloat16: str
    int8: str


def _memory(lowered: LoweredSpec):
    shapes = {s.name: s.shape for s in lowered.spec.state}
    for ir in lowered.variants:
        n = sum(shapes[s] == "element" for s in ir.state)
        per = {kind: sum(shapes[s] == kind for s in ir.state) for kind in ("rows", "columns")}
        names = ", ".join(
            f"{s} (unsigned)" if s in ir.nonnegative else s
            for s in ir.state
            if shapes[s] == "element"
        )
        names = ", ".join(
            [names] * bool(names)
            + [f"{s} (per {shapes[s][:-1]})" for s in ir.state if shapes[s] != "element"]
        )
        flags = ", ".join(f"{name}={value}" for name, value in ir.variant.flags)
        bytes_ = {
            p: f"{n * size:.2f}".rstrip("0").rstrip(".")
            + "".join(f" + {k * 4} per {kind[:-1]}" for kind, k in per.items() if k)
            for p, size in STATE_BYTES.items()
        }
        # low-precision state is stored for state shaped like its parameter only (a spec with
        # state of rows or columns refuses it), and each state is rounded on its own (which a
        # root's argument kept non-negative by a relation between states does not survive)
        if any(shape != "element" for shape in shapes.values()) or ir.relation_bound:
            bytes_ |= {p: "refused" for p in bytes_ if p != "float32"}
        yield MemoryRow(flags, names or "none", **bytes_)


class DocsBackend(AllSpecs):
    name = "docs"

    def outputs(self, build: Build) -> list[Output]:
        references = _reference_keys([s.spec for s in build.specs])
        views = build.each_spec(
            self.name, lambda spec: view(spec, references, build.supports("cuda", spec))
        )
        return _outputs(views, references, usage_view(build))


BACKEND = DocsBackend()


@dataclass(frozen=True)
class UsageView:
    """The usage section's examples: the seed page's SGD example when SGD is built, else the
    first optimizer with its learning rate."""

    name: str
    variable: str
    keras_name: str
    arguments: str
    header: str  # a C API header of the build, "" when no spec has kernels

    @property
    def torch_arguments(self) -> str:
        """The arguments as torch takes them: ``lr`` for ``learning_rate``."""
        return self.arguments.replace("learning_rate=", "lr=", 1)


def usage_view(build: Build) -> UsageView:
    specs = {s.module: s.spec for s in build.specs}
    spec = specs.get("sgd") or next(iter(specs.values()))
    if spec.module == "sgd":
        arguments = "learning_rate=0.01, momentum=0.9, nesterov=True, decay=1e-6"
    else:
        arguments = f"learning_rate={spec.reals[0].default!r}"
    fused = [s.module for s in build.specs if build.supports("cuda", s)]
    header = ("adam" if "adam" in fused else fused[0]) if fused else ""
    return UsageView(spec.name, spec.module, spec.keras_name, arguments, header)


def _outputs(views, references, usage: UsageView) -> list[Output]:
    common = common_view()
    bibliography = [Ref(key, title, url) for url, (key, title) in references.items()]
    out = []
    for v in views:
        out.append(Output(f"docs/{v.module}.tex", "docs/optimizer.tex.j2", {"o": v}, v.spec_path))
        out.append(Output(f"docs/md/{v.module}.md", "docs/optimizer.md.j2", {"o": v}, v.spec_path))
    context = {"optimizers": views, "common": common, "bibliography": bibliography, "usage": usage}
    out.append(Output("docs/optimizers.tex", "docs/optimizers.tex.j2", context))
    out.append(Output("docs/md/index.md", "docs/index.md.j2", context))
    return out


def _reference_keys(specs) -> dict[str, tuple[str, str]]:
    keys: dict[str, tuple[str, str]] = {}
    for s in specs:
        for r in s.references:
            keys.setdefault(r.url, (f"ref{len(keys) + 1}", r.title))
    return keys


def view(lowered: LoweredSpec, references: dict[str, tuple[str, str]], fused: bool) -> DocView:
    """``fused``: the spec has generated C/CUDA kernels."""
    spec = lowered.spec
    paragraphs = [" ".join(p.split()) for p in spec.description.split("\n\n")]
    notation = Notation(spec, {e.target: e.latex for e in (*spec.step, *spec.update) if e.latex})
    return DocView(
        name=spec.name,
        module=spec.module,
        keras_name=spec.keras_name,
        spec_path=spec.path,
        signature=signature(spec),
        summary=paragraphs[0],
        paragraphs=tuple(paragraphs[1:]),
        rows=tuple(_rows(lowered, notation, fused)),
        symbols=tuple(_symbols(lowered, notation)),
        algorithm=tuple(_algorithm(spec, notation)),
        generated=tuple(_generated(lowered, notation)),
        differences=tuple((who, " ".join(text.split())) for who, text in spec.differences),
        references=tuple(Ref(references[r.url][0], r.title, r.url) for r in spec.references),
        # a vector's (a rank flag's variant for rank 1)
        bad_numbers=bad_numbers(spec.tensor_variant(lowered.variants[0].variant.flag_dict, 1)),
        memory=tuple(_memory(lowered)),
        masks=any(ir.masks for ir in lowered.variants),
    )


def bad_numbers(variant: Variant) -> tuple[tuple[str, ...], ...]:
    """What one step from p = 1 makes of a NaN or infinite gradient, in float64, which every
    backend and the reference match (tests/test_bad_numbers.py). Default arguments, no
    clipping; the three gradients are the elements of one tensor."""
    spec = variant.spec
    hyper = {h.name: h.default for h in spec.reals}
    after = float64.one_step(variant, hyper, [1.0] * 3, [float("nan"), float("inf"), float("-inf")])
    names = ["p", *(s.name for s in variant.state)]
    rows = [("gradient", *names)]
    for i, g in enumerate(["NaN", "+inf", "-inf"]):
        rows.append((g, *(_describe(after[name][i]) for name in names)))
    return tuple(rows)


def _describe(x: float) -> str:
    if x != x:
        return "NaN"
    if x in (float("inf"), float("-inf")):
        return "+inf" if x > 0 else "-inf"
    return "finite"


def signature(spec: Spec) -> str:
    args = [f"{h.name}={h.default!r}" for h in spec.hyperparameters]
    args += [f"{c}={COMMON_DEFAULTS[c]!r}" for c in spec.common] + ["fused=False"]
    text = f"{spec.name}(" + ", ".join(args) + ")"
    return "\n".join(
        textwrap.wrap(
            text, 72, subsequent_indent=" " * (len(spec.name) + 1), break_on_hyphens=False
        )
    )


def _rows(lowered, notation, fused):
    spec = lowered.spec
    for h in spec.hyperparameters:
        domain = (
            f"{notation.plain[h.name]} \\in \\{{\\text{{True}}, \\text{{False}}\\}}"
            if h.kind is Kind.BOOL
            else ""
        )
        if h.domain_text:
            domain = domain_latex(h.domain_text, notation)
        if h.whole:
            domain = domain + r"\text{, a whole number}" if domain else r"\text{a whole number}"
        yield Row(
            h.name,
            repr(h.default),
            domain,
            h.domain_words or ("True or False" if h.kind is Kind.BOOL else ""),
            h.doc,
        )
    for c in spec.common:
        domain = (
            f"{notation.plain[c]} \\ge 0"
            if c == "decay"
            else f"{notation.plain[c]} \\ge 0 \\text{{ or None}}"
        )
        text = _common_domain(c)
        yield Row(c, repr(COMMON_DEFAULTS[c]), domain, text, COMMON_DOCS[c])
    if fused:
        doc = FUSED_DOC % fused_passes(lowered)
        yield Row("fused", "False", r"\text{True or False}", "True or False", doc)
    else:
        yield Row(
            "fused",
            "False",
            r"\text{False}",
            "False",
            "This build generated no C/CUDA kernels; True raises.",
        )


FUSED_DOC = (
    "Run each step in the generated C (CPU) or CUDA kernels, %s, instead of array "
    "operations; the same update."
)


def _symbols(lowered: LoweredSpec, notation):
    spec = lowered.spec
    # never negative in every variant that has it (generator.signs): int8 stores it unsigned
    signed = {name for ir in lowered.variants for name in ir.state if name not in ir.nonnegative}
    for h in spec.reals:
        yield SymbolRow(notation.plain[h.name], f"{h.name}: {h.doc}")
    yield SymbolRow(
        r"\eta_{t}",
        (
            "the learning rate of step t, after the decay schedule"
            if "decay" in spec.common
            else "the learning rate (no decay schedule)"
        ),
    )
    yield SymbolRow("t", "the step: completed steps + 1")
    yield SymbolRow("g_{t}", "the gradient, after clipnorm and clipvalue")
    yield SymbolRow(r"p_{t-1}, p_{t}", "the parameter before and after the step")
    shapes = {s.name for eq in spec.update for s in eq.expr.free_symbols} & {"rows", "columns"}
    if shapes:
        yield SymbolRow(
            r"n_{\text{rows}}, n_{\text{cols}}",
            "rows, columns: the sizes of the tensor's last two axes (the one before the last, "
            "the last)",
        )
    for d in spec.derived_flags:
        yield SymbolRow(
            notation.plain[d.name],
            f"{d.name} (set by {d.text} at construction; torch: at a param group's first step): "
            f"{d.doc}",
        )
    for f in spec.rank_flags:
        yield SymbolRow(
            notation.plain[f.name],
            f"{f.name} (set by each tensor's rank, its number of axes: {f.text}; each tensor "
            f"takes its own rank's rule): {f.doc}",
        )
    for s in (*spec.state, *spec.scalar_state):
        base = notation.timed[s.name]
        init = sp.latex(s.init) if not s.init.free_symbols else str(s.init)
        where = "per parameter" if s in spec.state else "one scalar per optimizer"
        if s in spec.state and s.shape != "element":
            axis = "last axis" if s.shape == "rows" else "axis before the last"
            where = f"one per {s.shape[:-1]} of the parameter, its shape with the {axis} 1"
        cond = f", only when {s.when}" if s in spec.state and s.when is not sp.true else ""
        cond += ", never negative" if s in spec.state and s.name not in signed else ""
        yield SymbolRow(
            f"{base}_{{t-1}}, {base}_{{t}}", f"{s.name} ({where}, starts at {init}{cond}): {s.doc}"
        )


def _algorithm(spec, notation):
    counter = _Counter(spec.module)
    if spec.reductions:
        red = []
        for r in spec.reductions:
            op = r"\sum" if r.op is ReduceOp.SUM else r"\max"
            where = r"\text{tensor}" if r.scope is Scope.TENSOR else r"\text{all tensors}"
            expr = _print(display(r.expr, notation, set()), notation)
            red.append(
                Line(
                    _print(notation.symbol(r.name), notation),
                    (f"{op}_{{{where}}} {expr}",),
                    "",
                    counter.next(),
                )
            )
        title = "Reductions, before the step"
        if any(spec.reads_update_values(r) for r in spec.reductions):
            title = "Reductions, before the update (of its values as this step computes them)"
        yield Block(title, tuple(red))
    step = [spec.lr_equation, *spec.step]
    yield Block("Once per step", tuple(_equations(step, notation, set(), counter)))
    assigned = {s.name for s in spec.scalar_state}
    yield Block(
        "For each element of each parameter, in order",
        tuple(_equations(spec.update, notation, assigned, counter)),
    )
    for fn in spec.matrix_functions:
        yield _matrix_function(fn, notation, counter)


def _matrix_function(fn, notation, counter) -> Block:
    """A matrix function's equations: its setup, then its body with the repeat as a note."""
    local = Notation(notation.spec, dict(notation.plain))
    local.names.update(notation.names)
    for eq in (*fn.setup, *fn.body):
        if eq.latex:
            local.plain[eq.target] = eq.latex
    call = _print(fn.call(local.symbol(fn.argument)), local)
    lines = []
    for eq, note in [(e, "") for e in fn.setup] + [
        (e, f"repeated {fn.repeat_text} times") for e in fn.body
    ]:
        expr = eq.expr.xreplace({s: local.symbol(s.name) for s in eq.expr.free_symbols})
        lines.append(_line(local.symbol(eq.target), expr, local, note, counter))
    wide = ", a matrix of more rows than columns transposed before and after" if fn.wide else ""
    return Block(f"Matrix function ${call}${wide}", tuple(lines))


def _generated(lowered: LoweredSpec, notation):
    """The IR each variant's kernels are printed from: hoisted scalars, then the element program."""
    spec = lowered.spec
    counter = _Counter(f"{spec.module}:gen")
    for ir in lowered.variants:
        variant = ir.variant
        names = {}
        kinds = ((ir.step, "c"), (ir.tensor, "k"), (ir.masks, r"\chi"), (ir.temporaries, "e"))
        for kind, letter in kinds:
            generated = [a for a in kind if a.symbol.name.startswith("_")]
            for i, a in enumerate(generated):  # c_0, c_1: the code's names are for code
                names[a.symbol.name] = f"{letter}_{{{i}}}"
        local = Notation(spec, {**notation.plain, **names})
        scalar_state = set(ir.scalar_state)
        hoisted = [a for a in ir.step if a.symbol.name.startswith("_")]
        targets = [
            (local.symbol(a.symbol.name), a.expr)
            for a in (*hoisted, *ir.tensor, *ir.masks, *ir.temporaries)
        ]
        targets += [(local.symbol(name, new=True), expr) for name, expr in ir.outputs]
        lines = [
            _line(target, display(expr, local, scalar_state), local, "", counter)
            for target, expr in targets
        ]
        flags = ", ".join(f"{n}={v}" for n, v in variant.flags)
        yield Block(f"Kernel for {flags}" if flags else "Kernel", tuple(lines))


class _Counter:
    def __init__(self, prefix):
        self.prefix, self.n = prefix, 0

    def next(self):
        self.n += 1
        return f"eq:{self.prefix}:{self.n}"


def _equations(equations, notation, assigned, counter):
    lines = []
    xi = 0
    for eq in equations:
        expr = display(eq.expr, notation, assigned)
        while expr.has(sp.Piecewise):  # each select on a line of its own, innermost first
            innermost = [
                piece
                for piece in expr.atoms(sp.Piecewise)
                if not any(arg.has(sp.Piecewise) for arg in piece.args)
            ]
            for piece in sorted(innermost, key=str):
                xi += 1
                symbol = real(f"xi__{xi}")
                notation.names[symbol] = rf"\xi_{{{xi}}}"
                lines.append(
                    Line(_print(symbol, notation), (_print(piece, notation),), "", counter.next())
                )
                expr = expr.xreplace({piece: symbol})
        target = notation.symbol(eq.target, new=True)
        assigned.add(eq.target)
        note = (
            ""
            if eq.when is sp.true
            else "if "
            + _print(
                eq.when.xreplace({s: flag(s.name) for s in eq.when.free_symbols}),
                notation,
                text=True,
            )
        )
        lines.append(_line(target, expr, notation, note, counter))
    return lines


def _line(target, expr, notation, note, counter) -> Line:
    lhs = _print(target, notation)
    printer = notation.printer()
    whole = printer.doprint(expr)
    if isinstance(expr, sp.Add) and _width(whole) > LONG_LINE:
        pieces = []
        for i, term in enumerate(expr.args):
            if i and term.could_extract_minus_sign():
                pieces.append("- " + printer.doprint(-term))
            else:
                pieces.append(("+ " if i else "") + printer.doprint(term))
        lines = [pieces[0]]
        for piece in pieces[1:]:  # as many terms on a line as fit
            if _width(lines[-1] + " " + piece) <= LONG_LINE:
                lines[-1] += " " + piece
            else:
                lines.append(piece)
        return Line(lhs, tuple(lines), note, counter.next())
    return Line(lhs, (whole,), note, counter.next())


def _print(expr, notation, text=False) -> str:
    if text:
        return str(expr).replace("~", "not ").replace("&", "and").replace("|", "or")
    return notation.printer().doprint(expr)


def _width(latex: str) -> int:
    """A rough printed width in characters: a fraction is as wide as its wider part, scripts
    count two thirds, commands one character."""
    text = re.sub(r"\\(left|right)\b", "", latex)
    text = re.sub(r"\\(operatorname|text|mathrm)\{([^{}]*)\}", r"\2", text)
    text = text.replace("\\frac", "\x01").replace("\\sqrt", "\x02")
    text = re.sub(r"\\[A-Za-z]+", "x", text)
    simpler = None
    while simpler != text:
        simpler = text
        text = re.sub(r"[_^]\{([^{}]*)\}", lambda m: "x" * (2 * len(m.group(1)) // 3), text)
        text = re.sub(
            "\x01\\{([^{}]*)\\}\\{([^{}]*)\\}",
            lambda m: "x" * max(len(m.group(1)), len(m.group(2))),
            text,
        )
        text = re.sub("\x02\\{([^{}]*)\\}", lambda m: "x" * (len(m.group(1)) + 1), text)
        text = re.sub(r"\{([^{}]*)\}", r"\1", text)
    text = re.sub(r"\s", "", text)
    return len(text) + 2 * len(re.findall(r"[-+=<>]", text))  # binary operators are spaced


@dataclass(frozen=True)
class CommonView:
    lines: tuple[Line, ...]
    rows: tuple[Row, ...]


def common_view() -> CommonView:
    """Keras 2.3's base-class behaviour, printed from generator.common."""

    notation = Notation(None)
    counter = _Counter("common")
    g = real("g")
    norm = real("grad_norm")
    raw = real("g_raw")
    notation.plain["g_raw"] = r"\tilde{g}_{t}"
    scale = real("clip_scale")
    notation.plain["clip_scale"] = "s_{t}"
    notation.plain["p_decayed"] = r"\hat{p}_{t-1}"
    notation.plain["p"] = "p_{t-1}"
    lines = (
        Line(
            _print(display(norm, notation, set()), notation),
            (
                r"\sqrt{\sum_{\text{all gradients}} "
                + _print(display(GRAD_NORM_SQUARED_TERM.subs(g, raw), notation, set()), notation)
                + "}",
            ),
            "",
            counter.next(),
        ),
        _line(
            display(scale, notation, set()),
            display(CLIP_SCALE, notation, set()),
            notation,
            "",
            counter,
        ),
        _line(
            display(g, notation, set()),
            display(CLIP_VALUE.subs(g, scale * raw), notation, set()),
            notation,
            "",
            counter,
        ),
        _line(
            display(LR, notation, set()),
            display(lr_expression(True), notation, set()),
            notation,
            "",
            counter,
        ),
        _line(  # Keras 3's weight decay, before the update: p on the right is p_{t-1}
            display(real("p_decayed"), notation, set()),
            display(real("p") * WEIGHT_DECAY_FACTOR, notation, set()),
            notation,
            "",
            counter,
        ),
    )
    rows = tuple(
        Row(
            c,
            repr(COMMON_DEFAULTS[c]),
            "",
            _common_domain(c),
            COMMON_DOCS[c],
        )
        for c in COMMON_DEFAULTS
    )
    return CommonView(lines, rows)


def _common_domain(name: str) -> str:
    return ">= 0" if name == "decay" else ">= 0 or None"
