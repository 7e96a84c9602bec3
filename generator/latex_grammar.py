"""The ``latex:`` fields of a spec: a small grammar of math symbols, nothing TeX could run.

A spec's ``latex:`` text goes into math mode in the docs, where raw TeX could read files
(``\\input``, ``\\openin``), write them, redefine commands or loop forever. So a field is
parsed, not passed through, and may only be::

    fragment := item*
    item     := atom [ "_" arg ] [ "^" arg ]     (or "^" before "_"; each at most once)
    atom     := letter | digit | one of + - = ( ) , . / and space
              | \\symbol | \\accent arg | \\font { fragment } | \\text { words } | { fragment }
    arg      := letter | digit | \\symbol | { fragment }

with the commands listed below: Greek letters and a few symbols, accents, math fonts, and
``\\text``/``\\operatorname`` around letters, digits, spaces and ``-.,()``. Every fragment the
grammar accepts is valid in any math context (no double scripts, braces balanced).
"""

from __future__ import annotations

MAX_LATEX = 80
MAX_NESTING = 4

SYMBOLS = frozenset("""
    alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu
    xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega
    Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega
    ell hbar nabla partial infty prime cdot times star
    """.split())
ACCENTS = frozenset(
    "hat tilde bar vec dot ddot check breve acute grave mathring widehat widetilde overline underline".split()
)
FONTS = frozenset("mathrm mathbf mathit mathsf mathtt mathcal boldsymbol".split())
TEXT_COMMANDS = frozenset(("text", "operatorname"))
_PLAIN = set("+-=(),./")  # no [ ]: with ( ) they would make a Markdown link
_TEXT_CHARS = set("-.,() ")


class LatexError(ValueError):
    """A ``latex:`` field outside the grammar."""


def check_latex(text: str) -> str:
    """``text`` if the grammar accepts it; raises LatexError saying what is wrong."""
    if not isinstance(text, str):
        raise LatexError("must be a string")
    if not text.strip():
        raise LatexError("is empty")
    if len(text) > MAX_LATEX:
        raise LatexError(f"is longer than {MAX_LATEX} characters")
    parser = _Parser(text)
    parser.fragment(0)
    if parser.pos != len(text):
        raise parser.error(f"unexpected {text[parser.pos]!r}")
    return text


def has_top_level_script(text: str) -> bool:
    """Whether a grammar-checked fragment ends in or holds a sub/superscript outside braces,
    so that appending ``_{t}`` needs braces around it."""
    depth = 0
    for ch in text:
        depth += ch == "{"
        depth -= ch == "}"
        if depth == 0 and ch in "_^":
            return True
    return False


class _Parser:
    def __init__(self, text):
        self.text = text
        self.pos = 0

    def error(self, message):
        return LatexError(f"{message} at character {self.pos + 1} of {self.text!r}")

    def peek(self):
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def spaces(self):
        # TeX ignores spaces in math mode: "x_1 _2" is a double subscript, as "x_1_2" is
        while self.peek() == " ":
            self.pos += 1

    def fragment(self, depth):
        if depth > MAX_NESTING:
            raise self.error(f"braces nested deeper than {MAX_NESTING}")
        self.spaces()
        while self.peek() and self.peek() != "}":
            self.item(depth)
            self.spaces()

    def item(self, depth):
        self.atom(depth)
        seen = set()
        self.spaces()
        while self.peek() in ("_", "^"):
            mark = self.peek()
            if mark in seen:
                raise self.error("a second " + ("subscript" if mark == "_" else "superscript"))
            seen.add(mark)
            self.pos += 1
            self.spaces()
            self.arg(depth)
            self.spaces()

    def atom(self, depth):
        ch = self.peek()
        if ch.isascii() and (ch.isalnum() or ch in _PLAIN):
            self.pos += 1
        elif ch == "{":
            self.group(depth)
        elif ch == "\\":
            self.command(depth)
        elif ch in ("_", "^"):
            raise self.error("a script needs something before it")
        else:
            raise self.error(f"{ch!r} is not allowed")

    def arg(self, depth):
        ch = self.peek()
        if ch.isascii() and ch.isalnum():
            self.pos += 1
        elif ch == "{":
            self.group(depth)
        elif ch == "\\":
            name = self.name()
            if name not in SYMBOLS:
                raise self.error(
                    f"a script takes a letter, a digit, a symbol or {{...}}, not \\{name}"
                )
        else:
            raise self.error("a script takes a letter, a digit, a symbol or {...}")

    def group(self, depth):
        self.expect("{")
        self.fragment(depth + 1)
        self.expect("}")

    def expect(self, ch):
        if self.peek() != ch:
            raise self.error(f"expected {ch!r}" if self.peek() else f"missing {ch!r}")
        self.pos += 1

    def name(self):
        self.expect("\\")
        start = self.pos
        while self.peek().isascii() and self.peek().isalpha():
            self.pos += 1
        if self.pos == start:
            raise self.error("a backslash must start a command name")
        return self.text[start : self.pos]

    def command(self, depth):
        start = self.pos
        name = self.name()
        if name in SYMBOLS:
            return
        if name in ACCENTS:
            self.spaces()
            self.arg(depth)
        elif name in FONTS:
            self.spaces()
            self.group(depth)
        elif name in TEXT_COMMANDS:
            self.spaces()
            self.expect("{")
            while self.peek() and self.peek() != "}":
                ch = self.peek()
                if not (ch.isascii() and (ch.isalnum() or ch in _TEXT_CHARS)):
                    raise self.error(
                        f"\\{name}{{...}} holds letters, digits, spaces and -.,() only"
                    )
                self.pos += 1
            self.expect("}")
        else:
            self.pos = start
            raise self.error(
                f"command \\{name} is not allowed (Greek letters, symbols such as \\infty, "
                "accents such as \\hat, fonts such as \\mathbf, and \\text are: see specs/README.md)"
            )
