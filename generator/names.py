"""Which names a spec may use: valid identifiers in Python, C99, C++ and CUDA alike."""

from __future__ import annotations

import keyword
import re

from .expr import FUNCTIONS

IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")

# Symbols every spec gets from the generator (see generator/common.py).
BUILTIN_SYMBOLS = {
    "p": "the parameter (per element)",
    "g": "the gradient after clipnorm/clipvalue (per element)",
    "t": "the step: completed steps + 1",
    "lr": "the learning rate after the decay schedule",
}
COMMON_ARGUMENTS = ("clipnorm", "clipvalue", "decay")

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
# Names the generated code itself uses (modules, helpers, C math functions and macros).
_GENERATED_NAMES = """
np numpy math torch self cls state scalars scratch out HD INFINITY NAN inf nan
sqrtf sqrt fmaxf fminf fmax fmin fabsf fabs expf logf rsqrtf powf pow copysignf
signf abs min max sum exp log sign size_t int64_t int32_t uint32_t
""".split()

RESERVED = (
    set(keyword.kwlist)
    | set(keyword.softkwlist)
    | set(_C_KEYWORDS)
    | set(_CXX_KEYWORDS)
    | set(_CUDA_NAMES)
    | set(_GENERATED_NAMES)
    | set(FUNCTIONS)
)


def name_problem(name: object) -> str | None:
    """Why ``name`` cannot be a spec name, or None when it can."""
    if not isinstance(name, str):
        return f"name {name!r} must be a string"
    if not IDENTIFIER.match(name):
        return (
            f"name {name!r} is not a valid identifier: use a letter, then letters, digits "
            "or '_', at most 40 characters (a leading '_' is reserved for generated code)"
        )
    if name in RESERVED:
        return f"name {name!r} is reserved (a keyword or a name the generated code uses)"
    if name.lower().startswith("ocg"):
        return f"name {name!r} is reserved: names starting with 'ocg' belong to the generated C code"
    return None
