# copied from generator/runtime/_native.py by python -m generator build — do not edit
"""Builds and loads the generated C and CUDA kernels of ``generated/cuda/`` (``fused=True``).

``library(module, target)`` compiles on first use and caches the shared library by the hash
of its sources, the compiler command and the compiler's version, in ``$OCG_CACHE_DIR`` or
``$XDG_CACHE_HOME/optimizer-codegen`` (``~/.cache/optimizer-codegen``); a changed source or
compiler builds a new one.

Loading a library runs its code, so the cache is private: the folder must belong to the user,
have mode 0700 and lie in no folder that others can write to (``private_cache_dir``): that is
what keeps a planted library out. Each library is written atomically beside a record of the
SHA-256 of its bytes and is loaded only when its bytes match the record, so a missing,
truncated or half-written library (or one without its record) is rebuilt, not loaded.
Targets:

- ``"cpu"``: ``<module>.c`` with gcc (``$CC``), ``-O3 -march=native -fno-math-errno -fopenmp``
  and, on x86-64 only (other gcc targets reject it), ``-mprefer-vector-width=512``: gcc keeps
  to 256-bit vectors on AVX-512 cores unless told. The int8 and bfloat16 state kernels, bound
  by their arithmetic on the CPU, took 10% less time with 512 on an Intel Xeon; the others wait
  on memory and do not change. The vector width sets the order of the per-tensor sums (Lamb's,
  Adafactor's), so their last bits differ from a 256-bit build's (up to 1.2e-7 after 3 steps);
  one build gives the same bits every run;
- ``"cuda"``: ``<module>.cu`` and ``ocg_clip.cu`` with nvcc (``$NVCC``) for one ``sm_XY``;
- ``"shim"``: the same ``.cu`` files with g++ (``$CXX``) and the CPU shim, for tests without a GPU.

No target contracts a*b + c into a fused multiply-add (``-ffp-contract=off``, nvcc's
``-fmad=false``): every target then rounds each operation as the others do, so the CUDA kernels
store the C kernels' int8 and bfloat16 codes bit for bit (a stochastic rounding turns a last-bit
difference into a whole code). An optimizer step is bound by memory, not by these operations.

``torch_extension()`` builds the torch runtime's checked pointer table (``torch/_fused_table.cpp``)
the same way, as a Python extension module against the installed torch.
"""

import array
import ctypes
import math
import functools
import itertools
import hashlib
import os
import platform
import stat
import subprocess
import tempfile
from pathlib import Path

from ._kernel_layout import CHUNK, MAX_BLOCKS

CUDA_DIR = Path(__file__).resolve().parent / "cuda"


class NativeBuildError(RuntimeError):
    """A generated kernel library could not be built (no compiler, or it failed)."""


class TensorList(ctypes.Structure):
    """``ocg_tensor_list`` of ocg.h."""

    _fields_ = [
        ("n_tensors", ctypes.c_int64),
        ("n_chunks", ctypes.c_int64),
        ("pointers", ctypes.c_void_p),
        ("numel", ctypes.c_void_p),
        ("chunk_start", ctypes.c_void_p),
    ]


def cache_dir() -> Path:
    if os.environ.get("OCG_CACHE_DIR"):
        return Path(os.environ["OCG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "optimizer-codegen"


def private_cache_dir() -> Path:
    """The cache folder, created 0700, as a path without links (the one checked is the one
    used: a link above it re-pointed later changes nothing). Refused unless it is a real folder
    of this user's that nobody else can write to, nor swap: every folder above it must belong
    to root or this user, and none may be writable by others, or by a group other than the
    user's own, without the sticky bit (as /tmp has). A default folder with a looser mode (an
    older version made it 0755) is made 0700; a folder named by $OCG_CACHE_DIR is left alone
    and refused."""
    named = cache_dir()
    named.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder = named.parent.resolve() / named.name  # links above resolved; the folder itself kept
    info = os.lstat(folder)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise NativeBuildError(
            f"the kernel cache {folder} is not a folder (a link?); set $OCG_CACHE_DIR to a private folder"
        )
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise NativeBuildError(
            f"the kernel cache {folder} belongs to another user; set $OCG_CACHE_DIR to a folder of yours"
        )
    for parent in folder.parents:
        info_above = os.stat(parent)
        mode = info_above.st_mode
        if mode & stat.S_ISVTX:
            continue  # only an entry's owner may rename it
        if mode & stat.S_IWOTH:
            raise NativeBuildError(
                f"the kernel cache {folder} lies in {parent}, which anyone can write to and rename in"
            )
        if hasattr(os, "getuid") and mode & stat.S_IWGRP and info_above.st_gid != os.getgid():
            raise NativeBuildError(
                f"the kernel cache {folder} lies in {parent}, which its group can write to and rename in"
            )
        if hasattr(os, "getuid") and info_above.st_uid not in (0, os.getuid()):
            raise NativeBuildError(
                f"the kernel cache {folder} lies in {parent}, which belongs to another user"
            )
    if stat.S_IMODE(info.st_mode) != 0o700:
        if os.environ.get("OCG_CACHE_DIR"):
            raise NativeBuildError(
                f"the kernel cache {folder} has mode {stat.S_IMODE(info.st_mode):o}: "
                "make it 0700 (only you may write the libraries this process loads)"
            )
        os.chmod(folder, 0o700)
    return folder


# 512-bit vectors where gcc would keep to 256 (see the module's docstring): an x86 option
_WIDE_VECTORS = (
    ("-mprefer-vector-width=512",) if platform.machine().lower() in ("x86_64", "amd64") else ()
)


def _command(target: str, arch: str | None) -> tuple[list[str], str]:
    if target == "cpu":
        return [
            os.environ.get("CC", "gcc"),
            "-std=c99",
            "-O3",
            "-march=native",
            *_WIDE_VECTORS,
            "-fno-math-errno",
            "-ffp-contract=off",
            "-fopenmp",
            "-fPIC",
            "-shared",
        ], "CC"
    if target == "shim":
        return [
            os.environ.get("CXX", "g++"),
            "-x",
            "c++",
            "-std=c++17",
            "-O2",
            "-fopenmp",
            "-fno-strict-aliasing",
            "-ffp-contract=off",
            "-DOCG_CPU_SHIM",
            "-fPIC",
            "-shared",
        ], "CXX"
    if target == "cuda":
        if not arch:
            raise ValueError("the cuda target needs an architecture such as '90'")
        return [
            os.environ.get("NVCC", "nvcc"),
            "-O3",
            f"-arch=sm_{arch}",
            "-fmad=false",
            "-Xcompiler",
            "-fPIC",
            "-shared",
        ], "NVCC"
    raise ValueError(f"unknown target {target!r}: cpu, cuda or shim")


def _sources(module: str, target: str) -> list[Path]:
    if target == "cpu":
        return [CUDA_DIR / f"{module}.c"]
    return [CUDA_DIR / f"{module}.cu", CUDA_DIR / "ocg_clip.cu"]


@functools.lru_cache(maxsize=None)
def _compiler_version(compiler: str) -> str:
    try:
        done = subprocess.run([compiler, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "unavailable"
    return done.stdout


@functools.lru_cache(maxsize=None)
def library(module: str, target: str = "cpu", arch: str | None = None) -> ctypes.CDLL:
    """The compiled kernels of ``generated/cuda/<module>`` for ``target``, built if needed."""
    command, variable = _command(target, arch)
    sources = _sources(module, target)
    for source in sources:
        if not source.exists():
            raise NativeBuildError(f"{source} does not exist: run `python -m generator build`")
    files = sorted(CUDA_DIR.glob("ocg*")) + sorted(CUDA_DIR.glob(f"{module}.*"))
    key = [path.name.encode() + b"\0" + path.read_bytes() for path in files]
    if target == "cpu":  # -march=native: the same sources build differently on another CPU
        key.append(_cpu_model().encode())
    name = f"{module}-{target}{arch or ''}"
    return _cached(name, command + ["-I", str(CUDA_DIR)], variable, sources, [], key, ctypes.CDLL)


TORCH_EXTENSION = "ocg_fused_table"  # torch/_fused_table.cpp: PyInit_ocg_fused_table


@functools.lru_cache(maxsize=None)
def torch_extension():
    """``torch/_fused_table.cpp`` as a Python extension module, compiled with g++ (``$CXX``)
    against the installed torch and this Python, built if needed (cached like the kernels,
    keyed also by torch's and Python's versions)."""
    import importlib.machinery
    import importlib.util
    import sys
    import sysconfig

    import torch

    root = Path(torch.__file__).resolve().parent
    abi = int(bool(getattr(torch._C, "_GLIBCXX_USE_CXX11_ABI", True)))
    command = [
        os.environ.get("CXX", "g++"),
        "-std=c++20",
        "-O2",
        "-w",  # torch's headers warn by the hundred; the source is checked by the tests
        "-fPIC",
        "-shared",
        f"-D_GLIBCXX_USE_CXX11_ABI={abi}",
        "-I",
        str(root / "include"),
        "-I",
        str(root / "include" / "torch" / "csrc" / "api" / "include"),
        "-I",
        sysconfig.get_paths()["include"],
    ]
    libraries = ["-L", str(root / "lib"), "-lc10", "-ltorch_cpu", "-ltorch_python"]
    libraries += [f"-Wl,-rpath,{root / 'lib'}"]
    source = Path(__file__).resolve().parent / "torch" / "_fused_table.cpp"
    key = [
        source.read_bytes(),
        torch.__version__.encode(),
        sys.version.encode(),
        (sysconfig.get_config_var("EXT_SUFFIX") or "").encode(),
    ]

    def load(path):
        loader = importlib.machinery.ExtensionFileLoader(TORCH_EXTENSION, path)
        spec = importlib.util.spec_from_file_location(TORCH_EXTENSION, path, loader=loader)
        module = importlib.util.module_from_spec(spec)
        loader.exec_module(module)
        return module

    return _cached(TORCH_EXTENSION, command, "CXX", [source], libraries, key, load)


def _cached(name, command, variable, sources, libraries, key, load):
    """``load(path)`` of the library built from ``sources`` by ``command`` (then
    ``libraries``), cached by the hash of the command, the compiler's version and ``key``."""
    digest = hashlib.sha256()
    digest.update(repr((command, libraries)).encode())
    digest.update(_compiler_version(command[0]).encode())
    for part in key:
        digest.update(len(part).to_bytes(8, "little") + part)
    out = private_cache_dir() / f"{name}-{digest.hexdigest()[:20]}.so"
    loaded = _load_verified(out, load)
    if loaded is None:
        _build(command, variable, sources, libraries, out)
        loaded = _load_verified(out, load)
    if loaded is None:
        raise NativeBuildError(
            f"{out} was built but does not match its record; is another process writing the cache?"
        )
    return loaded


def _record(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _load_verified(path: Path, load=ctypes.CDLL):
    """The library at ``path`` if its bytes match its record, else None. (It is loaded by its
    path, unique per content; loading through /proc/self/fd would not do: glibc takes a name
    it has loaded before, and fd numbers are reused, for the same library.)"""
    try:
        expected = _record(path).read_text(encoding="ascii").strip()
        with open(path, "rb") as handle:
            digest = hashlib.sha256()
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except (OSError, UnicodeDecodeError):
        return None
    if digest.hexdigest() != expected or os.path.islink(path):
        return None
    try:
        return load(str(path))
    except (OSError, ImportError):
        return None  # not a loadable library after all: rebuild it


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            return next((line for line in f if line.startswith("flags")), "")
    except OSError:
        return ""


def _build(command, variable, sources, libraries, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=out.parent, suffix=".so.tmp")
    os.close(fd)
    try:
        full = command + [str(s) for s in sources] + libraries + ["-o", temporary]
        try:
            done = subprocess.run(full, capture_output=True, text=True, timeout=600)
        except FileNotFoundError:
            raise NativeBuildError(
                f"building {sources[0].name} needs {command[0]!r}, which is not on PATH; "
                f"install it or set ${variable} to a compiler"
            ) from None
        if done.returncode != 0:
            tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-20:])
            raise NativeBuildError(f"{' '.join(full)} failed (exit {done.returncode}):\n{tail}")
        with open(temporary, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        # the library first, then its record: a record never vouches for a half-written file
        os.replace(temporary, out)  # whole or not at all, also with concurrent builds
        _write_atomically(_record(out), digest + "\n")
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _write_atomically(path: Path, text: str) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


# every update's (list, scalars, grad_scale, grad_factor, clipvalue), as <module>.h declares
_UPDATE_ARGUMENTS = (TensorList, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_double, ctypes.c_double)


@functools.lru_cache(maxsize=None)
def update_function(lib: ctypes.CDLL, stem: str, dtype: str, target: str, work: bool = False):
    """The update of one flag combination (``ocg_adam_no_amsgrad``) for one dtype. ``work``:
    a CUDA launcher of a spec with per-tensor reductions takes a work buffer for their
    partial values and totals, (n_chunks + n_tensors) doubles per reduction."""
    name = f"{stem}_{dtype}_cpu" if target == "cpu" else f"{stem}_{dtype}"
    function = getattr(lib, name)
    function.argtypes = list(_UPDATE_ARGUMENTS)
    if target != "cpu":
        function.argtypes += [ctypes.c_void_p] * (2 if work else 1)  # (the work,) the stream
    function.restype = ctypes.c_int
    return function


# a staged kernel (a rule of row or column means, one tensor a call): arrays, matrices, rows,
# columns, scalars; it returns 0, 1 for refused arguments, 2 when out of memory
_STAGED_ARGUMENTS = (
    ctypes.c_void_p,
    ctypes.c_int64,
    ctypes.c_int64,
    ctypes.c_int64,
    ctypes.c_void_p,
)
STAGED_ERRORS = {1: "refused its arguments", 2: "could not allocate its work memory"}


@functools.lru_cache(maxsize=None)
def staged_function(lib: ctypes.CDLL, stem: str, dtype: str):
    """The CPU kernel in passes of one rule of row or column means, for one dtype."""
    function = getattr(lib, f"{stem}_{dtype}_staged_cpu")
    function.argtypes = list(_STAGED_ARGUMENTS)
    function.restype = ctypes.c_int
    return function


def pointers(addresses) -> ctypes.Array:
    """A C array of pointers (a staged kernel's arrays)."""
    return (ctypes.c_void_p * max(len(addresses), 1))(*addresses)


@functools.lru_cache(maxsize=None)
def staged_launcher(lib: ctypes.CDLL, stem: str, dtype: str):
    """The CUDA launcher (or the shim's) of a staged kernel: arrays, matrices, rows, columns,
    scalars, work, work_length, stream."""
    function = getattr(lib, f"{stem}_{dtype}_staged")
    function.argtypes = [*_STAGED_ARGUMENTS, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p]
    function.restype = ctypes.c_int
    return function


@functools.lru_cache(maxsize=None)
def _staged_work_function(lib: ctypes.CDLL, stem: str, dtype: str):
    function = getattr(lib, f"{stem}_{dtype}_staged_work")
    function.argtypes = [ctypes.c_int64] * 3
    function.restype = ctypes.c_int64
    return function


def staged_work(lib: ctypes.CDLL, stem: str, dtype: str, shape) -> int:
    """How many doubles of device memory a staged launch over a tensor of ``shape`` takes."""
    function = _staged_work_function(lib, stem, dtype)
    rows, columns = int(shape[-2]), int(shape[-1])
    size = function(math.prod(int(n) for n in shape[:-2]), rows, columns)
    if size < 0:
        raise ValueError(f"a tensor of shape {tuple(shape)} is too large for {stem}")
    return size


def call_staged(lib: ctypes.CDLL, stem: str, dtype: str, addresses, shape, scalars, owner):
    """Run the staged kernel ``stem`` on one tensor of ``shape`` (two axes or more) whose
    arrays (p, g, state) start at ``addresses``, checked by the caller: contiguous, of
    ``dtype`` ("f32" or "f64"), each state of its shape."""
    function = staged_function(lib, stem, dtype)
    rows, columns = int(shape[-2]), int(shape[-1])
    matrices = math.prod(int(n) for n in shape[:-2])
    code = function(pointers(addresses), matrices, rows, columns, doubles(scalars))
    if code != 0:
        problem = STAGED_ERRORS.get(code, f"failed with code {code}")
        raise RuntimeError(f"{owner}: the kernel {stem}_{dtype}_staged_cpu {problem}")


@functools.lru_cache(maxsize=None)
def stored_update_function(lib: ctypes.CDLL, stem: str, kind: str, target: str = "cpu"):
    """The update of one flag combination for float parameters whose state is stored as
    ``kind``: "int8" codes with block scales, or "bf16" (``<stem>_f32_<kind>_cpu``, or
    ``_cuda`` for the cuda and shim targets, which take a stream after the step)."""
    function = getattr(lib, f"{stem}_f32_{kind}_{'cpu' if target == 'cpu' else 'cuda'}")
    function.argtypes = [*_UPDATE_ARGUMENTS, ctypes.c_uint32]  # and the step: rounding's key
    if target != "cpu":
        function.argtypes += [ctypes.c_void_p]  # the stream
    function.restype = ctypes.c_int
    return function


@functools.lru_cache(maxsize=None)
def sumsq_function(lib: ctypes.CDLL, dtype: str):
    """``ocg_sumsq_<dtype>`` (ocg_clip.cu) of a cuda or shim library."""
    function = getattr(lib, f"ocg_sumsq_{dtype}")
    function.argtypes = [TensorList, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p]
    function.restype = ctypes.c_int
    return function


@functools.lru_cache(maxsize=None)
def clip_scale_function(lib: ctypes.CDLL):
    """``ocg_clip_scale`` (ocg_clip.cu) of a cuda or shim library."""
    function = lib.ocg_clip_scale
    function.argtypes = [
        ctypes.c_void_p,
        ctypes.c_int64,
        ctypes.c_double,
        ctypes.c_void_p,
        ctypes.c_void_p,
    ]
    function.restype = ctypes.c_int
    return function


def table(pointers: list[int], numels: list[int]) -> tuple[array.array, int]:
    """One int64 buffer holding a tensor list's pointer rows (``pointers``, row-major: the
    arrays of tensor 0, then of tensor 1, ...), element counts and chunk starts, and its number
    of chunks; see ``tensor_list`` (``address(buffer)`` is where it starts). Plain Python and
    ``array``: it runs every step, and NumPy's per-call costs were half of a small step's."""
    starts = list(itertools.accumulate(((n + CHUNK - 1) // CHUNK for n in numels), initial=0))
    return array.array("q", pointers + numels + starts), starts[-1]


def address(buffer: array.array | bytearray) -> int:
    """Where a ``table`` buffer (or the C++ table's bytearray) starts."""
    if isinstance(buffer, bytearray):
        return ctypes.addressof(ctypes.c_char.from_buffer(buffer))
    return buffer.buffer_info()[0]


def doubles(values) -> ctypes.Array:
    """A C array of doubles (per-step scalars for the CPU library)."""
    return (ctypes.c_double * max(len(values), 1))(*values)


def tensor_list(address: int, n: int, width: int, n_chunks: int) -> TensorList:
    """The ``ocg_tensor_list`` of a ``table`` buffer copied to ``address`` (any memory)."""
    return TensorList(n, n_chunks, address, address + 8 * n * width, address + 8 * (n * width + n))


def check(code: int, what: str) -> None:
    if code != 0:
        raise RuntimeError(f"{what} failed with CUDA error {code}")
