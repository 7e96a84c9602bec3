"""Which names a spec may use: valid identifiers in Python, C99, C++ and CUDA alike, and none
that the generated code, its runtimes, the compilers' headers or torch.optim already use.

The reserved names are derived, not listed by hand, wherever the project owns them: every
identifier of the per-spec Python and C/CUDA templates, the identifier-valued strings of the
Python runtimes (param-group keys such as "iterations"), the macros of the shared C headers
(names and bodies), and what each printer prints for the allowed functions. What others own is listed here and checked by tests against the installed torch and
compilers (tests/test_reserved_names.py), so the list cannot fall behind either.
"""

from __future__ import annotations

import ast
import builtins
import io
import keyword
import re
import tokenize
from functools import lru_cache

from . import symbols
from .errors import GenerationError, context
from .expr import FUNCTIONS, MATRIX_FUNCTIONS
from .paths import RUNTIME, TEMPLATES

IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}\Z")  # \Z: "$" would let a final newline in
# Names of hyperparameters, state, reductions and equations start with a lowercase letter:
# the C headers' object-like macros (NAN, M_PI, INT64_MAX, HD, OCG_CHUNK) are upper case.
SYMBOL = re.compile(r"[a-z][A-Za-z0-9_]{0,39}\Z")

# Symbols every spec gets from the generator (see generator/common.py).
BUILTIN_SYMBOLS = {
    "p": "the parameter (per element)",
    "g": "the gradient after clipnorm/clipvalue (per element)",
    "t": "the step: completed steps + 1",
    "lr": "the learning rate after the decay schedule",
    "rows": "a tensor's size along its axis before the last (two axes or more only)",
    "columns": "a tensor's size along its last axis (two axes or more only)",
}
COMMON_ARGUMENTS = ("clipnorm", "clipvalue", "decay", "weight_decay")
# Common arguments a spec may define itself, as a hyperparameter, when its ``common`` list
# leaves them out (AdamW's and Lion's weight_decay are part of their update rules).
OWNABLE_COMMON = frozenset({"weight_decay"})
# Names the runtimes or torch.optim use with the meaning a spec gives them, on purpose:
# every spec has a learning_rate (lr in torch); torch's cyclic schedulers set a group's
# "momentum" as SGD's spec means it, and beta_1 of a spec's beta_1/beta_2 pair (the torch
# runtime keeps the pair as torch's "betas"); the torch runtime refuses torch's "eps" and
# "weight_decay" only for specs that have no hyperparameter of that name.
SHARED_ON_PURPOSE = frozenset(
    {"learning_rate", "momentum", "beta_1", "beta_2", "eps", "weight_decay"}
)

# torch.optim's own param-group keys (torch/optim/lr_scheduler.py, swa_utils.py,
# optimizer.py): a hyperparameter of the same name would be read or overwritten by torch.
TORCH_GROUP_KEYS = frozenset("""
    base_momentum betas capturable differentiable end_lr end_momentum end_step foreach fused
    initial_lr lr max_lr max_momentum min_lr param_names params start_lr start_momentum swa_lr
    state_steps
    """.split())
# Lower-case macros and functions of the headers the kernels include (math.h, stdint.h, the
# C++ library under the CPU shim, cuda_runtime.h under nvcc), as `gcc -dM -E` lists them.
SYSTEM_NAMES = frozenset("""
    alloca assert assert_perror be16toh be32toh be64toh htobe16 htobe32 htobe64 htole16
    htole32 htole64 le16toh le32toh le64toh isascii isascii_l isalnum_l isalpha_l isblank_l
    iscntrl_l isdigit_l isgraph_l islower_l isprint_l ispunct_l isspace_l isupper_l
    isxdigit_l issubnormal linux math_errhandling offsetof stderr stdin stdout strdupa
    strndupa toascii toascii_l unix errno isnan isinf isfinite isnormal signbit fpclassify
    isgreater isgreaterequal isless islessequal islessgreater isunordered
    """.split())
_C_KEYWORDS = """
auto break case char const continue default do double else enum extern float for goto if
inline int long register restrict return short signed sizeof static struct switch typedef
union unsigned void volatile while _Bool _Complex _Imaginary bool true false NULL
""".split()
_CXX_KEYWORDS = """
alignas alignof and and_eq asm bitand bitor catch class compl concept consteval constexpr
constinit const_cast co_await co_return co_yield decltype delete dynamic_cast explicit export
friend mutable namespace new noexcept not not_eq nullptr operator or or_eq private protected
public reinterpret_cast requires static_assert static_cast template this thread_local throw
try typeid typename using virtual wchar_t xor xor_eq char8_t char16_t char32_t
""".split()
_CUDA_NAMES = """
threadIdx blockIdx blockDim gridDim warpSize half bfloat16 dim3 cudaStream_t float2 float4
double2 int2 int4 uint
""".split()
RESERVED_PREFIXES = ("ocg", "cuda", "nv")  # the generated C code's names; CUDA's

_JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
_C_NOISE = re.compile(r"/\*.*?\*/|//[^\n]*|\"(\\.|[^\"\\\n])*\"|'(\\.|[^'\\\n])*'", re.S)
_C_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_C_LOCAL_WORD = re.compile(r"(?<![.>:\w])\s*([A-Za-z_][A-Za-z0-9_]*)")  # not after . -> ::
_C_DEFINE = re.compile(r"^[ \t]*#[ \t]*define\b(?:[^\n]*\\\n)*[^\n]*", re.M)  # with continuations
_C_TEMPLATE = re.compile(r"\.(c|cu|cuh|h)\.j2$")


def _without_jinja(text: str) -> str:
    # an expression stands for a generated name; statements and comments vanish
    return _JINJA.sub(lambda m: " _jinja " if m.group(0).startswith("{{") else "", text)


def python_names(text: str, runtime: bool) -> set[str]:
    """Identifiers a Python template uses. A per-spec module's names share its scopes with
    spec names, so all of them count (not attributes after a dot, comments or prose), those
    read inside f-strings too. A runtime module (``_runtime``, ``_shared``, ``_native``) keeps
    its locals to itself: only its identifier-valued strings count, the keys of dicts that
    spec names also key (a param group's "iterations", "maximize"). The same names on every
    Python: from 3.12 an f-string comes as many tokens, before as one."""
    out: set[str] = set()
    source = _without_jinja(text)
    lines = source.splitlines(keepends=True)
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    previous = None
    try:
        for token in tokens:
            if token.type == _FSTRING_START:
                end = _fstring_end(tokens)
                if not runtime:
                    out |= _fstring_names(_between(lines, token.start, end))
                previous = '""'
                continue
            if token.type == tokenize.NAME and previous != "." and not runtime:
                out.add(token.string)
            elif token.type == tokenize.STRING and _F_PREFIX.match(token.string):
                if not runtime:
                    out |= _fstring_names(token.string)
            elif token.type == tokenize.STRING:
                try:
                    value = ast.literal_eval(token.string)
                except (ValueError, SyntaxError):
                    continue
                if isinstance(value, str) and IDENTIFIER.match(value):
                    out.add(value)
            if token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
                previous = token.string
    except (tokenize.TokenError, IndentationError) as err:  # pragma: no cover - a broken template
        raise GenerationError(f"a template is not tokenizable Python: {err}") from None
    return out


_FSTRING_START = getattr(tokenize, "FSTRING_START", None)  # Python 3.12+
_F_PREFIX = re.compile(r"[rRbBuU]?[fF]")


def _fstring_end(tokens) -> tuple[int, int]:
    """Where the f-string whose FSTRING_START was just read ends (f-strings may nest)."""
    depth = 1
    for token in tokens:
        if token.type == _FSTRING_START:
            depth += 1
        elif token.type == tokenize.FSTRING_END:
            depth -= 1
            if depth == 0:
                return token.end
    raise tokenize.TokenError("an f-string does not end")


def _between(lines: list[str], start: tuple[int, int], end: tuple[int, int]) -> str:
    (row0, col0), (row1, col1) = start, end
    if row0 == row1:
        return lines[row0 - 1][col0:col1]
    return lines[row0 - 1][col0:] + "".join(lines[row0 : row1 - 1]) + lines[row1 - 1][:col1]


def _fstring_names(literal: str) -> set[str]:
    """The variables an f-string's replacement fields read (not attributes, conversions such
    as !r, format specs or the strings inside, which are message text)."""
    try:
        tree = ast.parse(literal.strip(), mode="eval")
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def c_names(text: str, per_spec: bool) -> set[str]:
    """Identifiers of a C/CUDA template outside comments and strings (not members after
    ``.``, ``->`` or ``::``). A per-spec template shares its scopes with spec names, so all of
    its identifiers count. Of a shared header only its macros count, names and bodies: they
    expand inside per-spec code; its functions' locals are their own."""
    code = _C_NOISE.sub(" ", _without_jinja(text))
    if not per_spec:
        code = "\n".join(match.group(0) for match in _C_DEFINE.finditer(code))
    return set(_C_LOCAL_WORD.findall(code))


def _printed_names() -> dict[str, str]:
    """Every identifier the printers write for the allowed functions, in every dialect."""
    import sympy as sp

    from .printers import numpy as numpy_dialect
    from .printers import torch as torch_dialect
    from .printers import torch_graph
    from .printers.arrays import lower_element_program
    from .printers.c import print_c
    from .printers.python import print_scalar, print_step

    x, y = symbols.P, symbols.G
    # the row and column means are whole-array only (the whole-array printers, below)
    elementwise = {n: f for n, f in FUNCTIONS.items() if n not in ("row_mean", "column_mean")}
    samples = [build(x) if arity == 1 else build(x, y) for build, arity in elementwise.values()]
    samples += [x**y, x**2, sp.sqrt(x), 1 / sp.sqrt(x)]
    out: dict[str, str] = {}

    def add(code, source):
        for name in _C_WORD.findall(code):
            out.setdefault(name, source)

    for expr in samples:
        for ctype in ("float", "double"):
            add(print_c(expr, ctype), "the C printer")
        add(print_scalar(expr), "the Python printer")
        add(print_step(expr), "the step printer")
        program = lower_element_program((), (("p", expr),), ["p", "g"], {"p"}, set())
        add("\n".join(numpy_dialect.lines(program)), "the NumPy printer")
        add("\n".join(torch_dialect.tensor_lines(program)), "the torch printer")
        code = torch_dialect.element_code((), (("p", expr),), ["p", "g"], {"p"}, set())
        add("\n".join(code.tensor_lines + code.foreach_lines), "the torch printer")
        graph = torch_graph.element_lines([((), (), (("p", expr),))], ["p", "g"], set())
        add("\n".join(graph), "the torch graph printer")
    for build in (symbols.RowMean, symbols.ColumnMean):  # whole-array: the array printers
        expr = build(x * y)
        program = lower_element_program((), (("p", expr),), ["p", "g"], {"p"}, set())
        add("\n".join(numpy_dialect.lines(program)), "the NumPy printer")
        add("\n".join(torch_dialect.tensor_lines(program)), "the torch printer")
        for entry in program.shaped_scratch:
            add(numpy_dialect.allocate(*entry), "the NumPy printer")
            add(torch_dialect.allocate(*entry), "the torch printer")
    return out


@lru_cache(maxsize=None)
def reserved() -> dict[str, str]:
    """Every reserved name, with where it comes from (for the error message)."""
    why: dict[str, str] = {}

    def add(names, source):
        for name in sorted(names):
            if IDENTIFIER.match(name) and name not in SHARED_ON_PURPOSE:
                why.setdefault(name, source)

    add(keyword.kwlist + keyword.softkwlist, "a Python keyword")
    add(_C_KEYWORDS + _CXX_KEYWORDS, "a C or C++ keyword")
    add(_CUDA_NAMES, "a CUDA name")
    add(FUNCTIONS, "a function of the spec language")
    add(MATRIX_FUNCTIONS, "a function of the matrix functions' equations")
    add(["rank"], "a tensor's number of axes, which a rank flag's value compares")
    add(dir(builtins), "a Python builtin")
    add(TORCH_GROUP_KEYS, "a param-group key of torch.optim")
    add(SYSTEM_NAMES, "a macro or function of the C headers the kernels include")
    for path in sorted(TEMPLATES.rglob("*.j2")):
        shown = f"templates/{path.relative_to(TEMPLATES).as_posix()}"
        text = path.read_text(encoding="utf-8")
        if path.name.endswith(".py.j2"):
            # per-build package files share no scope with spec code: their strings only
            with context(shown):
                add(python_names(text, runtime=path.parent.name == "package"), f"used by {shown}")
        elif _C_TEMPLATE.search(path.name):
            add(
                c_names(text, per_spec=not path.name.startswith(("ocg", "example"))),
                f"used by {shown}",
            )
    # The hand-written runtime keeps its locals to itself: only its identifier-valued strings
    # (Python) and its macros (C headers) meet spec names.
    for path in sorted(RUNTIME.rglob("*")):
        shown = f"generator/runtime/{path.relative_to(RUNTIME).as_posix()}"
        if path.suffix == ".py":
            with context(shown):
                add(
                    python_names(path.read_text(encoding="utf-8"), runtime=True), f"used by {shown}"
                )
        elif path.suffix in (".h", ".cu", ".cuh", ".c"):
            add(c_names(path.read_text(encoding="utf-8"), per_spec=False), f"used by {shown}")
    for name, source in _printed_names().items():
        add([name], f"printed by {source}")
    return why


def name_problem(name: object, kind: str = "symbol") -> str | None:
    """Why ``name`` cannot be a spec name, or None when it can. ``kind``: "symbol" (a
    hyperparameter, state, reduction, equation target or Keras name: lowercase first letter),
    "class" (the class name) or "module" (the file stem)."""
    if not isinstance(name, str):
        return f"name {name!r} must be a string"
    if not IDENTIFIER.match(name):
        return (
            f"name {name!r} is not a valid identifier: use a letter, then letters, digits "
            "or '_', at most 40 characters (a leading '_' is reserved for generated code)"
        )
    if kind in ("symbol", "module") and not SYMBOL.match(name):
        return f"name {name!r} must start with a lowercase letter (upper case belongs to C macros)"
    if name in BUILTIN_SYMBOLS or (name in COMMON_ARGUMENTS and name not in OWNABLE_COMMON):
        return f"name {name!r} is provided by the generator for every spec"
    if name.lower().startswith(RESERVED_PREFIXES):
        return (
            f"name {name!r} is reserved: names starting with "
            f"{', '.join(repr(p) for p in RESERVED_PREFIXES)} belong to the generated C code and CUDA"
        )
    source = reserved().get(name)
    if source:
        return f"name {name!r} is reserved ({source})"
    return None
