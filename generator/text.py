"""Free text of a spec (descriptions, docs, titles, differences, URLs): what is allowed, and
how it is escaped for each output language.

Spec text is untrusted. At load, ``text_problem`` refuses characters that have no business in
documentation: control characters (all but newline), Unicode format characters (bidi
overrides, zero-width joiners, byte-order marks), surrogates, private-use and unassigned code
points, and line/paragraph separators. Every output then escapes what it inserts:
``python_docstring`` for Python string literals, ``tex_text``/``tex_url`` for LaTeX,
``md_text``/``md_url`` for Markdown (and the HTML a Markdown renderer lets through).
"""

from __future__ import annotations

import re
import unicodedata

MAX_TEXT = 4000  # characters in one text field
MAX_URL = 500

# Categories refused anywhere in spec text (newline excepted): Cc control, Cf format (bidi
# overrides, zero-width characters), Cs surrogates, Co private use, Cn unassigned, Zl/Zp
# separators (Python treats them as line breaks in some places and not in others).
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be spec text, or None when it can."""
    if len(text) > MAX_TEXT:
        return f"is longer than {MAX_TEXT} characters"
    for index, ch in enumerate(text):
        if ch != "\n" and unicodedata.category(ch) in _REFUSED_CATEGORIES:
            line = text.count("\n", 0, index) + 1
            name = unicodedata.name(ch, "a control character")
            return f"character U+{ord(ch):04X} ({name}) on line {line} of the text is not allowed"
    return None


# RFC 3986's unreserved, reserved and percent characters: no spaces, quotes, backslashes,
# braces, angle brackets or anything a LaTeX or Markdown reader would act on.
_URL = re.compile(
    r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#][A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]*)?\Z"
)


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a reference URL, or None when it can."""
    if len(url) > MAX_URL:
        return f"is longer than {MAX_URL} characters"
    if not _URL.match(url):
        return (
            f"{url!r} must be an http:// or https:// URL of URL characters only "
            "(letters, digits and -._~:/?#[]@!$&'()*+,;=%)"
        )
    return None


# ---------------------------------------------------------------- Python


def python_docstring(text: str) -> str:
    """Text for the inside of a triple-quoted Python string: backslashes are escaped (no
    ``\\N{...}`` or ``\\x`` escapes), and so is every quote that another quote or the end of
    the text follows, so no two unescaped quotes meet and nothing can end the literal."""
    text = text.replace("\\", "\\\\")
    return re.sub(r'"(?="|$)', r'\\"', text)


# ---------------------------------------------------------------- LaTeX

_TEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\(\$\)",  # the text-mode dollar and bullet come from a bitmap font here
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\(<\)",  # the default OT1 text fonts have no < or >
    ">": r"\(>\)",
    "|": r"\(|\)",
}
# Characters outside ASCII that the docs' preamble can typeset, by what they become.
_TEX_UNICODE = {
    "\u00a0": "~",
    "\u2013": "--",
    "\u2014": "---",
    "\u2018": "`",
    "\u2019": "'",
    "\u201c": "``",
    "\u201d": "''",
    "\u2026": r"\dots{}",
    "\u2022": r"\(\bullet\)",
    "\u00b0": r"\(\circ\)",  # degrees: a raised circle would need ^
    "\u00b1": r"\(\pm\)",
    "\u00b7": r"\(\cdot\)",
    "\u00d7": r"\(\times\)",
    "\u00f7": r"\(\div\)",
    "\u2212": r"\(-\)",
    "\u2248": r"\(\approx\)",
    "\u2260": r"\(\neq\)",
    "\u2264": r"\(\leq\)",
    "\u2265": r"\(\geq\)",
    "\u221e": r"\(\infty\)",
    "\u2192": r"\(\rightarrow\)",
    "\u221a": r"\(\surd\)",
    "\u00df": r"{\ss}",
    "\u00e6": r"{\ae}",
    "\u00c6": r"{\AE}",
    "\u00f8": r"{\o}",
    "\u00d8": r"{\O}",
    "\u0131": r"{\i}",
    "\u0142": r"{\l}",
    "\u0141": r"{\L}",
}
# Greek letters, α (U+03B1) to ω in order (ς is \varsigma; omicron is an o), and capitals.
_GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi o pi rho "
    "varsigma sigma tau upsilon phi chi psi omega"
).split()
_TEX_UNICODE.update(
    {chr(0x03B1 + i): ("o" if n == "o" else rf"\(\{n}\)") for i, n in enumerate(_GREEK)}
)
_TEX_UNICODE.update(
    {
        c: rf"\(\{n}\)"
        for c, n in zip(
            "ΓΔΘΛΞΠΣΥΦΨΩ", "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()
        )
    }
)
_TEX_UNICODE["\u00b5"] = r"\(\mu\)"  # the micro sign
# Combining accents: a letter with one of these decomposes to it, and LaTeX has the accent.
_TEX_ACCENTS = {
    "\u0300": "`",
    "\u0301": "'",
    "\u0302": "^",
    "\u0303": "~",
    "\u0304": "=",
    "\u0306": "u",
    "\u0307": ".",
    "\u0308": '"',
    "\u030a": "r",
    "\u030b": "H",
    "\u030c": "v",
    "\u0327": "c",
}  # no ogonek (\k): the docs' OT1 fonts lack it
LONG_WORD = 24  # characters in a word before break points are offered (narrow table columns)
_BREAK = "\x00"  # marks a break point between escaping steps; text never holds it (text_problem)
_CODE_SPAN = re.compile(r"(`[^`]+`)")


def tex_text(text: str) -> str:
    """Plain text for LaTeX, whitespace collapsed to single spaces. Markdown code spans become
    ``\\texttt``, straight double quotes ``'' pairs, long words get break points; characters
    the preamble cannot typeset are written as their code point, so any valid text builds.
    The markup is found in the input and every piece is escaped on its own: nothing in the
    escaped output is read again."""
    text = " ".join(text.split())
    out = []
    for i, piece in enumerate(_CODE_SPAN.split(text)):  # odd pieces are code spans
        out.append(r"\texttt{" + _tex_plain(piece[1:-1]) + "}" if i % 2 else _tex_quoted(piece))
    return "".join(out)


def _tex_quoted(text: str) -> str:
    pieces = re.split(r'"([^"]*)"', text)  # odd pieces were between straight double quotes
    return "".join(
        "``" + _tex_plain(p) + "''" if i % 2 else _tex_plain(p) for i, p in enumerate(pieces)
    )


def _tex_plain(text: str) -> str:
    text = re.sub(r"[A-Za-z0-9]{%d,}" % LONG_WORD, _breakable, text)
    return "".join(_tex_char(ch) for ch in text)


def _breakable(match) -> str:
    word = match.group(0)
    return _BREAK.join(word[i : i + 12] for i in range(0, len(word), 12))


def _tex_char(ch: str) -> str:
    if ch == _BREAK:
        return r"\allowbreak{}"
    if ch in _TEX_SPECIALS:
        return _TEX_SPECIALS[ch]
    if ch < "\x80":
        return ch
    if ch in _TEX_UNICODE:
        return _TEX_UNICODE[ch]
    parts = unicodedata.decomposition(ch).split()
    if len(parts) == 2 and not parts[0].startswith("<"):
        base, accent = chr(int(parts[0], 16)), chr(int(parts[1], 16))
        if base.isascii() and base.isalpha() and accent in _TEX_ACCENTS:
            return rf"\{_TEX_ACCENTS[accent]}{{{base}}}"
    return rf"\texttt{{[U+{ord(ch):04X}]}}"


def tex_url(url: str) -> str:
    """A URL that passed ``url_problem``, for ``\\url{...}`` outside any macro argument: the
    url package reads it verbatim; only ``%`` and ``#`` are escaped for safety in arguments."""
    if url_problem(url):
        raise ValueError(f"not a checked URL: {url!r}")
    return url.replace("%", r"\%").replace("#", r"\#")


# ---------------------------------------------------------------- Markdown

_MD_ENTITIES = {"&": "&amp;", "<": "&lt;"}  # what a Markdown reader would take for HTML
_MD_ESCAPED = set("\\`*_[]$|~#")
_MD_LINE_START = re.compile(r"^([-+=>]|\d+[.)])")


def md_text(text: str) -> str:
    """Text for one Markdown paragraph or list item, whitespace collapsed: HTML is written as
    entities, inline markup characters are backslash-escaped, and nothing at its start can
    open a block (heading, list, quote, rule). Code spans (`x`) stay code spans: a reader
    shows their content as it is, HTML included."""
    text = " ".join(text.split())
    pieces = _CODE_SPAN.split(text)  # odd pieces are code spans
    out = "".join(piece if i % 2 else _md_plain(piece) for i, piece in enumerate(pieces))
    match = _MD_LINE_START.match(out)
    if match:
        marker = match.group(1)
        out = marker[:-1] + "\\" + marker[-1] + out[len(marker) :]
    return out


def _md_plain(text: str) -> str:
    return "".join(_MD_ENTITIES.get(ch) or ("\\" + ch if ch in _MD_ESCAPED else ch) for ch in text)


def md_url(url: str) -> str:
    """A URL that passed ``url_problem``, for a Markdown link destination: the parentheses
    that would end it are percent-encoded (the check keeps out spaces, < > and backslashes)."""
    if url_problem(url):
        raise ValueError(f"not a checked URL: {url!r}")
    return url.replace("(", "%28").replace(")", "%29")


def path_problem(shown: str) -> str | None:
    """Why a spec's path cannot be shown in the generated files (every header and test
    docstring names it), or None. Letters, digits and ``_ - . /`` and spaces only: no quote,
    backslash, comment marker or line break can reach a comment, a docstring or LaTeX."""
    if len(shown) > 400:
        return "the spec's path is longer than 400 characters"
    bad = sorted({c for c in shown if not (c.isalnum() or c in "_-./ ")})
    if bad:
        return (
            f"the spec's path has {', '.join(repr(c) for c in bad)}: the generated files name it, so it "
            "may hold only letters, digits, '_', '-', '.', '/' and spaces (rename the folder)"
        )
    return None
