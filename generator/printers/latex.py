"""LaTeX for the docs, printed from the same SymPy expressions the kernels come from.

Symbols read as in the papers: hyperparameters by their ``latex`` field (``\\eta``,
``\\beta_1``), per-parameter and scalar state with a time index (``m_{t-1}`` before the
step, ``m_t`` after), ``g_t`` the gradient, ``\\eta_t`` the decayed learning rate.
"""

from __future__ import annotations

import re

import sympy as sp
from sympy.printing.latex import LatexPrinter

from ..latex_grammar import LatexError, check_latex, has_top_level_script
from ..model import Spec
from ..symbols import MatrixCall, plain, real
from ..text import tex_text


class SpecLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with the spec's symbol names and terms in written order."""

    def __init__(self, names: dict[sp.Symbol, str], functions: dict[str, str] | None = None):
        super().__init__({"symbol_names": names, "order": "none"})
        self.functions = functions or {}  # a matrix function's name -> its LaTeX

    def _print_Function(self, expr, exp=None):
        if isinstance(expr, MatrixCall):  # its value only (the rest are its hyperparameters)
            name = type(expr).__name__
            call = self.functions.get(name) or r"\operatorname{" + name.replace("_", r"\_") + "}"
            return rf"{call}\left({self._print(expr.args[0])}\right)"
        return super()._print_Function(expr, exp)

    def _print_MatrixProduct(self, expr):
        a, b = (self.parenthesize(x, 50) for x in expr.args)  # 50: PRECEDENCE["Mul"]
        return f"{a} {b}"

    def _print_MatrixTranspose(self, expr):
        return "{" + self.parenthesize(expr.args[0], 60) + r"}^{\top}"  # 60: "Pow"

    def _print_FrobeniusNorm(self, expr):
        return rf"\lVert {self._print(expr.args[0])} \rVert_{{F}}"

    def _print_Add(self, expr, order=None):
        # written order, but a leading minus reads badly: positive terms first (t - 1, not -1 + t)
        terms = sorted(expr.args, key=lambda term: term.could_extract_minus_sign())
        out = self._print(terms[0])
        for term in terms[1:]:
            if term.could_extract_minus_sign():
                out += " - " + self.parenthesize(-term, 40)  # 40: PRECEDENCE["Add"]
            else:
                out += " + " + self.parenthesize(term, 40)
        return out

    def _print_Rational(self, expr):
        # a spec's decimal literal (0.96 is stored exactly as 24/25) reads as it was written
        q = expr.q
        while q % 2 == 0:
            q //= 2
        while q % 5 == 0:
            q //= 5
        if q == 1 and expr.q != 1:
            return repr(expr.p / expr.q)
        if (
            max(abs(expr.p), expr.q) >= 10**15
        ):  # 1e-200 folded with other numbers: no 200-digit fraction
            mantissa, _, exponent = f"{float(expr):.6g}".partition("e")
            return mantissa + (rf" \cdot 10^{{{int(exponent)}}}" if exponent else "")
        return super()._print_Rational(expr)

    def _print_Piecewise(self, expr):
        rows = []
        for value, cond in expr.args:
            when = r"\text{otherwise}" if cond is sp.true else r"\text{if } " + self._print(cond)
            rows.append(f"{self._print(value)} & {when}")
        return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"

    def _print_RowMean(self, expr):
        """The mean over each row (the last axis): one value per row."""
        return rf"\operatorname{{mean}}_{{\text{{row}}}}\left({self._print(expr.args[0])}\right)"

    def _print_ColumnMean(self, expr):
        return rf"\operatorname{{mean}}_{{\text{{col}}}}\left({self._print(expr.args[0])}\right)"

    def _print_Not(self, expr):
        return r"\text{not } " + self._print(expr.args[0])


class Notation:
    """Display names of one spec's symbols; old and new values of state are distinct."""

    def __init__(self, spec: Spec | None, latex_of_locals: dict[str, str] | None = None):
        """``spec`` None: only the symbols every spec shares (for the common parameters)."""
        self.spec = spec
        self.names: dict[sp.Symbol, str] = {}
        state = (*spec.state, *spec.scalar_state) if spec else ()
        # a state's symbol takes a time index: braces keep "x_1" from becoming x_1_{t}
        self.timed = {s.name: _scriptable(s.latex or _default(s.name)) for s in state}
        self.timed["p"] = "p"
        self.plain = {
            h.name: (h.latex or _default(h.name)) for h in (spec.hyperparameters if spec else ())
        }
        flags = [*spec.flags, *spec.derived_flags, *spec.rank_flags] if spec else ()
        self.plain.update({h.name: _text(h.name) for h in flags})
        self.plain.update(
            {
                "g": "g_{t}",
                "t": "t",
                "lr": r"\eta_{t}",
                "learning_rate": self.plain.get("learning_rate", r"\eta"),
            }
        )
        self.plain.update(
            {
                "decay": r"\text{decay}",
                "clipnorm": r"\text{clipnorm}",
                "clipvalue": r"\text{clipvalue}",
            }
        )
        self.plain.setdefault(
            "weight_decay", r"\lambda_{\text{wd}}"
        )  # a spec's own keeps its latex
        self.plain.update({"grad_norm": r"\lVert g \rVert"})
        self.plain.update({"rows": r"n_{\text{rows}}", "columns": r"n_{\text{cols}}"})
        self.functions = {
            f.name: f.latex for f in (spec.matrix_functions if spec else ()) if f.latex
        }
        self.plain.update(
            {r.name: r.latex or _default(r.name) for r in (spec.reductions if spec else ())}
        )
        self.plain.update(latex_of_locals or {})

    def symbol(self, name: str, new: bool = False) -> sp.Symbol:
        if name == "g" and new:  # reassigned by the update (an L2 term): g' from there on
            display = real("g__new")
            self.names[display] = r"g^{\prime}_{t}"
            return display
        if name in self.timed:
            display = real(f"{name}__{'new' if new else 'old'}")
            self.names[display] = f"{self.timed[name]}_{{{'t' if new else 't-1'}}}"
            return display
        display = real(f"{name}__plain")
        self.names[display] = self.plain.get(name) or _default(name)
        return display

    def flag(self, name: str) -> sp.Symbol:
        display = plain(f"{name}__flag")
        self.names[display] = _text(name)
        return display

    def printer(self) -> SpecLatexPrinter:
        return SpecLatexPrinter(self.names, self.functions)


def _default(name: str) -> str:
    """SymPy's rendering of a name (beta_1 is \\beta_{1}, x_ij is x_{ij}) when the latex
    grammar accepts it; else, and for a name whose part after "_" is a word (learning_rate,
    which SymPy would print as learning_{rate}), the name upright: SymPy reads suffixes such
    as "scr" or "prm" as \\mathscr (a package the docs do not load) or a prime (which breaks a
    later superscript)."""
    head, _, tail = name.partition("_")
    if tail and (len(tail) > 2 or "_" in tail):  # words, not a subscript: learning_rate
        return r"\mathrm{" + name.replace("_", r"\_") + "}"
    printed = sp.latex(plain(name))
    try:
        return check_latex(printed)
    except LatexError:
        return r"\mathrm{" + name.replace("_", r"\_") + "}"


def _scriptable(latex: str) -> str:
    return "{" + latex + "}" if has_top_level_script(latex) else latex


def _text(name: str) -> str:
    return r"\text{" + tex_text(name) + "}"  # a flag's name: relative_step has a "_"


def display(expr: sp.Basic, notation: Notation, assigned: set[str]) -> sp.Basic:
    """``expr`` with each symbol replaced by its display symbol (new if already assigned)."""
    flags = {*notation.spec.variant_flags} if notation.spec else set()
    mapping = {}
    for s in expr.free_symbols:
        if s.name in flags:
            mapping[s] = notation.flag(s.name)
        else:
            mapping[s] = notation.symbol(s.name, new=s.name in assigned)
    return expr.xreplace(mapping)


def domain_latex(text: str, notation: Notation) -> str:
    """A domain as written in the spec, with the argument's symbol: 0 < \\beta_1 < 1."""

    def name(match):
        word = match.group(0)
        return notation.plain.get(word, word) if not word[0].isdigit() else word

    out = re.sub(r"[A-Za-z_][A-Za-z0-9_]*|\d[\d.eE+-]*", name, text)
    return out.replace("<=", r"\le ").replace(">=", r"\ge ").replace(" and ", ", ")
