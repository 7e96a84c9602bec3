"""The C and CUDA backend (generated/cuda/): compiled by gcc and nvcc, the .cu kernels executed
on the CPU through the shim, and the CUDA path for real when a GPU is present.

The generated tests (generated/tests/) run fused=True (the C library) and the shim against the
high-precision reference on small problems; here: odd sizes, tails, misaligned starts, many
tensors in one launch, every dtype, the device step program, the example, build errors."""

import ctypes
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import generated.numpy as gnp  # noqa: E402
import generated.torch as gtorch  # noqa: E402
from generated import _native  # noqa: E402
from generator.verify import testing, testing_torch  # noqa: E402
from generator.backends import cuda as cuda_backend  # noqa: E402
from generator.ir import lower  # noqa: E402
from generator.build import load_specs  # noqa: E402
from generator.signs import relation_bound_arguments  # noqa: E402

CUDA = Path(_native.CUDA_DIR)
SPECS = [s for s in load_specs() if cuda_backend.BACKEND.supports(lower(s))]
MODULES = [s.module for s in SPECS]
SIZES = (1, 3, 0, 4097, 65537)
needs_nvcc = pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc is not installed")
needs_gpu = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def _run(command):
    done = subprocess.run(command, capture_output=True, text=True)
    return command, done.returncode, done.stderr + done.stdout


def _all_ok(commands):
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_run, commands))
    failures = [f"{' '.join(c)}\n{out}" for c, code, out in results if code != 0]
    assert not failures, "\n\n".join(failures)


# ---------------------------------------------------------------- compilers


@needs_nvcc
def test_every_cu_compiles_with_nvcc_for_sm80_and_sm90_without_warnings(tmp_path):
    archs = ["-gencode", "arch=compute_80,code=sm_80", "-gencode", "arch=compute_90,code=sm_90"]
    sources = sorted(CUDA.glob("*.cu"))
    assert {f"{m}.cu" for m in MODULES} | {"ocg_clip.cu", "example.cu"} == {s.name for s in sources}
    _all_ok([["nvcc", "-c", "-O3", "-Werror", "all-warnings", *archs, str(s), "-o", str(tmp_path / f"{s.stem}.o")] for s in sources])


def _cpu_build_flags() -> list[str]:
    """The flags the runtime builds the CPU kernels with (generated/_native.py), so that these
    tests check what ships: not the compiler, nor -shared (they compile objects)."""
    command, _ = _native._command("cpu", None)
    return [flag for flag in command[1:] if flag != "-shared"]


def test_c_sources_and_element_headers_compile_as_warning_free_c99(tmp_path):
    commands = []
    for m in MODULES:
        unit = tmp_path / f"{m}_header_only.c"
        unit.write_text(f'#include "{m}.cuh"\n#include "{m}.h"\nint main(void) {{ return 0; }}\n')
        strict = ["gcc", "-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror", "-I", str(CUDA)]
        commands.append(strict + ["-fsyntax-only", str(unit)])
        commands.append(strict + _cpu_build_flags() + ["-c", str(CUDA / f"{m}.c"), "-o", str(tmp_path / f"{m}.o")])
    _all_ok(commands)


def test_every_cpu_loop_is_vectorized_by_gcc(tmp_path):
    """The CPU library is only fast if gcc vectorizes each element loop: a NaN-propagating max
    written with "||" once kept Adamax's loop scalar (half the speed of Adam's)."""
    for m in MODULES:
        source = CUDA / f"{m}.c"
        _, code, out = _run(["gcc", *_cpu_build_flags(), "-fopt-info-vec-optimized", "-I", str(CUDA), "-c", str(source), "-o", str(tmp_path / f"{m}.o")])
        assert code == 0, out
        loops = {tuple(line.split(":")[:2]) for line in out.splitlines() if "loop vectorized" in line}
        text = source.read_text()
        # the float kernels' element loops (and the terms loops of per-tensor reductions), the
        # low-precision state kernels' element and encode loops: gcc reports a loop at a line
        # between its pragma and the next (a barrier's, in the kernels with reductions)
        done = {int(line) for path, line in loops if path.endswith(f"{m}.c")}
        lines = text.splitlines()
        marks = [n for n, line in enumerate(lines, 1) if line.startswith("#pragma omp")] + [len(lines) + 1]
        pragmas = [(n, end) for n, end in zip(marks, marks[1:]) if "simd" in lines[n - 1]]
        missing = [n for n, end in pragmas if not any(n <= line < end for line in done)]
        if "ocg_block_absmax" in text:  # ocg_state.h's block absmax
            assert any(path.endswith("ocg_state.h") for path, _ in loops), out
        if re.search(r"\bpowf\(", (CUDA / f"{m}.cuh").read_text()):
            # a power by a hyperparameter (Ftrl's n**-learning_rate_power): glibc declares its
            # vector powf only under -ffast-math, which would change the numbers; the loops
            # that call it stay scalar, the others must not
            assert 0 < len(missing) < len(pragmas), out
            continue
        assert not missing, f"{m}.c: the loops after lines {missing} are not vectorized\n{out}"


def test_cu_sources_compile_warning_free_for_the_cpu_shim():
    shim = ["g++", "-x", "c++", "-std=c++17", "-fopenmp", "-DOCG_CPU_SHIM", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", "-I", str(CUDA)]
    _all_ok([shim + [str(s)] for s in sorted(CUDA.glob("*.cu"))])


# Reductions in the forms no shipped spec has: a maximum, a reduction the update reads as it
# is, one that a flag's variant does not read (it has none), a mask reading a per-tensor
# value, global reductions, selects.
REDUCING_TOYS = {
    "unused": """\
name: Unused
description: A per-tensor reduction one variant does not read.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Rate.}
  normalized: {default: false, doc: Divide by the norm.}
reductions:
  n: {scope: tensor, op: sum, of: g**2, doc: Squared norm.}
update:
  - p = p - lr*g/(1 + sqrt(n)) if normalized else p - lr*g
""",
    "peaked": """\
name: Peaked
description: A per-tensor maximum read as it is, a mask of it, and a global sum.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Rate.}
state:
  m: {doc: Momentum.}
reductions:
  top: {scope: tensor, op: max, of: abs(g), doc: Largest gradient.}
  total: {scope: global, op: sum, of: 1, doc: Elements.}
update:
  - m = 0.9*m + top*g
  - p = p - lr*where(abs(g) > 0.5*top or m > 1 and g < 0, m, g)/total
""",
    "selecting": """\
name: Selecting
description: Reductions that select per element, in of and through an update value.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Rate.}
state:
  v: {doc: Second moment.}
reductions:
  positive: {scope: tensor, op: sum, of: "where(g > 0, 1, 0)", doc: Positive gradients.}
  clipped: {scope: tensor, op: max, of: abs(u), doc: Largest clipped update.}
update:
  - v = 0.9*v + 0.1*g**2
  - u = where(v > 0.09, g/sqrt(v - 0.09), where(g > 0, 0.3, -0.3))
  - p = p - lr*u*positive/(1 + clipped)
""",
    "rectifying": """\
name: Rectifying
description: Per-tensor reductions that select per step, in of and through an update value.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Rate.}
state:
  v: {doc: Second moment.}
step:
  - rho = 2*t - 3
reductions:
  early: {scope: tensor, op: sum, of: "where(t > 2, g**2, abs(g))", doc: Changes at step 3.}
  rect: {scope: tensor, op: sum, of: u**2, doc: Squared norm of u.}
update:
  - v = 0.9*v + 0.1*g**2
  - u = where(rho > 5, g*sqrt(rho - 4)/(sqrt(v) + 0.001), g)
  - p = p - lr*u/(1 + sqrt(rect)) - 0.01*lr*early*p
""",
}


def test_kernels_of_every_reduction_form_compile_warning_free(tmp_path):
    """gcc, the CPU shim's g++ and nvcc (where installed) with every warning an error, on the
    kernels of test specs with the reductions' rarer forms (built as a user builds)."""
    (tmp_path / "specs").mkdir()
    for stem, text in REDUCING_TOYS.items():
        (tmp_path / "specs" / f"{stem}.yaml").write_text(text)
    done = subprocess.run([sys.executable, "-m", "generator", "build", "--specs", "specs", "--out", "toys"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "toys" / "cuda"
    commands = []
    for stem in REDUCING_TOYS:
        commands.append(["gcc", "-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror", "-O2", "-fopenmp", "-c", str(folder / f"{stem}.c"), "-o", str(tmp_path / f"{stem}.o")])
        commands.append(["g++", "-x", "c++", "-std=c++17", "-fopenmp", "-DOCG_CPU_SHIM", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", str(folder / f"{stem}.cu")])
        if shutil.which("nvcc"):
            commands.append(["nvcc", "-c", "-O3", "-Werror", "all-warnings", "-arch=sm_90", str(folder / f"{stem}.cu"), "-o", str(tmp_path / f"{stem}.cu.o")])
    _all_ok(commands)


# ---------------------------------------------------------------- no double in float code

_DOUBLE_LITERAL = re.compile(r"(?<![\w.])(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?(?![\w.])(?!F)")
_DOUBLE_FUNCTION = re.compile(r"\b(sqrt|rsqrt|exp|log|pow|fabs|fmax|fmin|ocg_max|ocg_min|ocg_sign|ocg_clip_value|double)\b")


def double_precision_in(code: str) -> list[str]:
    """Unsuffixed floating literals and double math functions in float code (integer literals
    count too: in ``2*x`` they are harmless, but the printer never emits them)."""
    code = re.sub(r"\[[^\]]*\]", "[]", code)  # array indices are integers
    return [m.group(0) for m in _DOUBLE_LITERAL.finditer(code)] + [m.group(0) for m in _DOUBLE_FUNCTION.finditer(code)]


def _float_bodies() -> dict[str, str]:
    bodies = {}
    for m in MODULES:
        text = (CUDA / f"{m}.cuh").read_text()
        for match in re.finditer(r"HD void (\w+_(?:element|terms)_f32)\((.*?)\n}\n", text, re.S):
            bodies[f"{m}.cuh {match.group(1)}"] = match.group(2)
        text = (CUDA / f"{m}.c").read_text()
        for match in re.finditer(r"int (\w+_f32_cpu)\(.*?#pragma omp for simd[^\n]*\n[^\n]*for \([^\n]*\n(.*?)\n        }\n", text, re.S):
            bodies[f"{m}.c {match.group(1)} element loop"] = match.group(2)
        # with per-tensor reductions, the update loop (the terms loop adds them up by chunks)
        for match in () if "OCG_CPU_TEAM" not in text else re.finditer(r"int (\w+_f32_cpu)\(.*?#pragma omp simd\n[^\n]*for \([^\n]*\n(.*?)\n            }\n", text, re.S):
            bodies[f"{m}.c {match.group(1)} element loop"] = match.group(2)
    return bodies


def test_float_kernels_have_no_double_precision_literal_or_function():
    bodies = _float_bodies()
    # the element function and the CPU loop, and the terms function of per-tensor reductions
    # (a rule of row or column means has no such kernel: model.Variant.whole_array; a
    # variant that computes what another does calls its kernels: Muon's AdamW rule)
    kernels = lambda s: len(  # noqa: E731
        [ir for ir in lower(s).variants if not ir.variant.whole_array and not ir.shares_kernels_of]
    )
    per_spec = sum((3 if s.reductions else 2) * kernels(s) for s in SPECS)
    assert len(bodies) == per_spec
    offenders = {name: found for name, body in bodies.items() if (found := double_precision_in(body))}
    assert not offenders, offenders


def test_the_double_check_catches_planted_doubles():
    body = next(iter(_float_bodies().values()))
    assert double_precision_in(body) == []
    for planted in ("0.5*g", "sqrt(v)", "1e-8 + v", "fmax(a, b)", "(double)g", "2*g"):
        assert double_precision_in(body + planted), planted
    assert double_precision_in("1.0F/sqrtf(v) + 1e-8F*g + ocg_maxf(a, b)") == []


# ---------------------------------------------------------------- the shim runs the kernels


def _problem(dtype, seed, misaligned):
    generator = torch.Generator().manual_seed(seed)
    params, grads = [], []
    for size in SIZES:
        start = 1 if misaligned else 0
        p = torch.randn(size + start, generator=generator).to(dtype)[start:]
        g = torch.randn(size + start, generator=generator).to(dtype)[start:]
        params.append(p.requires_grad_())
        grads.append(g)
    return params, grads


def _run_torch(cls, flags, dtype, path, misaligned, steps=3):
    params, grads = _problem(dtype, 0, misaligned)
    params = [p.detach().clone().requires_grad_() if not misaligned else p for p in params]
    opt = testing_torch.make(cls, params, path, **flags, clipnorm=4.0, clipvalue=0.05, maximize=True)
    for _ in range(steps):
        for p, g in zip(params, grads):
            p.grad = g
        opt.step()
    return params, opt


def _cases(reductions=True):
    """Each variant of each spec, with the constructor arguments that pick it (``reductions``
    False: those whose state may be stored in fewer bits: no reductions, no root kept
    non-negative by a relation between states)."""
    for s in SPECS if reductions else [s for s in SPECS if not s.reductions]:
        for v in s.variants():
            if not reductions and relation_bound_arguments(v):
                continue
            yield pytest.param(s, testing.variant_kwargs(s, dict(v.flags)), id=f"{s.module}-{v.suffix}")


def _variants():
    """Every variant with a kernel (a rule of whole tensors has none: Variant.whole_array)."""
    for s in SPECS:
        for v in s.variants():
            if not v.whole_array:
                yield pytest.param(s, v, id=f"{s.module}-{v.suffix}")


@pytest.mark.parametrize("misaligned", [False, True], ids=["aligned", "misaligned"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("spec,flags", list(_cases()))
def test_shim_kernels_match_numpy_backend(spec, flags, dtype, misaligned):
    """Every size of SIZES in one launch (tails, a zero-size tensor, a 1-element one), starts
    one element off 16-byte alignment, clipnorm on the device, clipvalue, maximize."""
    torch_cls = getattr(gtorch, spec.name)
    numpy_cls = getattr(gnp, spec.name)
    # Ftrl at its default lr (1e-3) amplifies the rounding of its roots' difference a
    # thousandfold (the generated tests bound that; tests/test_rounding_bounds.py): here, where
    # two float programs are compared with a fixed tolerance, a larger lr keeps it small
    rate = {"ftrl": 0.1}.get(spec.module)
    shim, opt = _run_torch(
        torch_cls, {**flags, **({"lr": rate} if rate else {})}, getattr(torch, dtype), "shim", misaligned
    )
    params, grads = _problem(getattr(torch, dtype), 0, misaligned)
    arrays = [p.detach().numpy().copy() for p in params]
    expected = numpy_cls(**flags, **({"learning_rate": rate} if rate else {}), clipnorm=4.0, clipvalue=0.05)
    for _ in range(3):
        expected.apply_gradients(zip([-g.numpy() for g in grads], arrays))
    rtol, atol = (1e-12, 1e-14) if dtype == "float64" else (1e-5, 1e-6)
    for size, p, q in zip(SIZES, shim, arrays):
        np.testing.assert_allclose(p.detach().numpy(), q, rtol=rtol, atol=atol, err_msg=f"size {size}")
    for p, q in zip(shim, arrays):
        for name, value in expected.state_of(q).items():
            np.testing.assert_allclose(opt.state[p][name].numpy(), value, rtol=rtol, atol=atol, err_msg=name)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("spec,flags", list(_cases()))
def test_shim_low_precision_kernels_match_float32_arithmetic(spec, flags, dtype):
    """half and bfloat16 parameters: the kernels load them, compute in float with float state
    and store with round-to-nearest-even, as the loop path does with float32 work copies."""
    cls = getattr(gtorch, spec.name)
    shim, opt = _run_torch(cls, flags, getattr(torch, dtype), "shim", True)
    loop, _ = _run_torch(cls, flags, getattr(torch, dtype), "loop", True)
    ulp = {"float16": 2.0**-10, "bfloat16": 2.0**-7}[dtype]
    for size, p, q in zip(SIZES, shim, loop):
        assert p.dtype == getattr(torch, dtype)
        # equal, or a rounding step apart per step where float arithmetic differed in its last
        # bit (FMA contraction) and the stored value rounded the other way
        np.testing.assert_allclose(p.detach().float().numpy(), q.detach().float().numpy(), rtol=4 * ulp, atol=1e-6, err_msg=f"size {size}")
        assert all(s.dtype == torch.float32 for s in opt.state[p].values())


# int8's tails (a block and a bit, a whole block), a tensor int8 keeps in float32, and empties
STORED_SIZES = (4096 + 300, 4096, 300, 1, 0)


def _run_stored(cls, flags, path, precision, steps=3, device="cpu", **options):
    generator = torch.Generator().manual_seed(1)
    # every other tensor one element off 16-byte alignment, so that the CUDA kernels' vector
    # and element accesses both run (on the CPU; a GPU gets aligned copies)
    params = [
        torch.randn(n + 1, generator=generator)[i % 2 :][:n].to(device).requires_grad_()
        for i, n in enumerate(STORED_SIZES)
    ]
    grads = [[torch.randn(n, generator=generator).to(device) for n in STORED_SIZES] for _ in range(steps)]
    opt = testing_torch.make(
        cls, params, path, **flags, state_precision=precision, clipvalue=0.05, maximize=True, **options
    )
    for step in grads:
        for p, g in zip(params, step):
            p.grad = g
        opt.step()
    return params, opt


@pytest.mark.parametrize("precision", ["int8", "bfloat16"])
@pytest.mark.parametrize("spec,flags", list(_cases(reductions=False)))
def test_shim_stored_state_kernels_equal_the_cpu_kernels_bit_for_bit(spec, flags, precision):
    """The CUDA kernels for state in fewer bits (a warp per state block, eight elements a
    lane, the block's absmax by warp shuffles; vector accesses where aligned) store the codes,
    scales and parameters of the C kernels (a loop per block): the same element function,
    encoders and rounding keys (ocg_state.h)."""
    cls = getattr(gtorch, spec.name)
    shim, shim_opt = _run_stored(cls, flags, "shim", precision)
    cpu, cpu_opt = _run_stored(cls, flags, "fused", precision)
    for size, p, q in zip(STORED_SIZES, shim, cpu):
        assert torch.equal(p, q), f"size {size}"
        assert sorted(shim_opt.state[p]) == sorted(cpu_opt.state[q])
        for name, value in cpu_opt.state[q].items():
            assert torch.equal(shim_opt.state[p][name], value), (size, name)
    stored = shim_opt.state[shim[0]]  # the largest tensor: its state is in fewer bits
    want = {torch.int8, torch.uint8, torch.float32} if precision == "int8" else {torch.bfloat16}
    assert {value.dtype for value in stored.values()} <= want
    assert not stored or precision != "int8" or any(k.endswith(".absmax") for k in stored)


@pytest.mark.parametrize("precision", ["int8", "bfloat16"])
def test_shim_stored_state_kernels_take_clipnorm_from_the_device(precision):
    """clipnorm's factor is computed on the device (ocg_clip.cu) and read by the kernels; it can
    differ from the CPU's in its last bit (another order of summation), so a code may round the
    other way: the parameters agree to float32 rounding, and differ from an unclipped step."""
    shim, _ = _run_stored(gtorch.Adam, {}, "shim", precision, clipnorm=4.0)
    cpu, _ = _run_stored(gtorch.Adam, {}, "fused", precision, clipnorm=4.0)
    free, _ = _run_stored(gtorch.Adam, {}, "fused", precision)
    for p, q, r in zip(shim, cpu, free):
        torch.testing.assert_close(p, q, rtol=1e-6, atol=1e-6)
    assert not torch.allclose(shim[0], free[0], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("spec,variant", list(_variants()))
def test_device_step_program_matches_the_host_step(spec, variant):
    """*_step_cuda (the per-step scalars computed on the device, for CUDA graphs) adds 1 to
    the step and gives the host's scalars and scalar state, step after step."""
    lib = _native.library(spec.module, "shim")
    (ir,) = [ir for ir in lower(spec).variants if ir.variant.suffix == variant.suffix]
    view = next(v for v in cuda_backend.module_view(lower(spec)).variants if v.stem == f"ocg_{spec.module}_{ir.kernel_suffix}")
    cls = getattr(gnp, spec.name)
    step = cls.kernels[tuple(variant.flag_dict[f] for f in cls.variant_flags)].step
    hyper = {h.name: (0.9 * h.default if h.default else 0.01) for h in spec.reals}
    hyper["decay"] = 0.01
    hyper["weight_decay"] = 0.25
    h = np.array([hyper[n] for n in cuda_backend.module_view(lower(spec)).hyper], dtype=np.float64)
    state = dict(cls.scalar_state_init(hyper))
    s = np.array([state[n] for n in cuda_backend.module_view(lower(spec)).scalar_state] or [0.0], dtype=np.float64)
    t = np.zeros(1)
    k = np.zeros(max(len(view.scalars), 1))
    function = getattr(lib, f"{view.stem}_step_cuda")
    function.argtypes = [ctypes.c_void_p] * 5
    for step_number in range(1, 6):
        assert function(h.ctypes.data, s.ctypes.data, t.ctypes.data, k.ctypes.data, None) == 0
        scalars, state = step(hyper, state, {}, step_number)
        assert t[0] == step_number
        np.testing.assert_allclose(k[: len(scalars)], scalars, rtol=1e-14, atol=0)
        for i, name in enumerate(cuda_backend.module_view(lower(spec)).scalar_state):
            assert s[i] == pytest.approx(state[name], rel=1e-14)


def test_example_program_runs_on_the_cpu_shim(tmp_path):
    example = tmp_path / "example"
    spec = (CUDA / "example.cu").read_text().split("C API of ")[1].split(".h")[0]
    command = ["g++", "-x", "c++", "-std=c++17", "-O2", "-fopenmp", "-DOCG_CPU_SHIM", "-Wall", "-Werror", "-I", str(CUDA),
               str(CUDA / "example.cu"), str(CUDA / f"{spec}.cu"), "-o", str(example)]
    _, code, out = _run(command)
    assert code == 0, out
    done = subprocess.run([str(example)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "4100 elements, 0 mismatches" in done.stdout


def test_numpy_fused_updates_non_contiguous_arrays_in_place():
    rng = np.random.default_rng(3)
    base = rng.standard_normal((6, 8)).astype(np.float32)
    grads = rng.standard_normal((6, 8)).astype(np.float32)[:, ::2]
    fused, plain = base.copy()[:, ::2], base.copy()[:, ::2]
    a, b = gnp.Adam(fused=True), gnp.Adam()
    for _ in range(3):
        a.apply_gradients([(grads, fused)])
        b.apply_gradients([(grads, plain)])
    assert not fused.flags.c_contiguous
    np.testing.assert_allclose(fused, plain, rtol=1e-6, atol=1e-7)
    assert not np.array_equal(fused, base[:, ::2])


# ---------------------------------------------------------------- building and caching


@pytest.fixture
def private_build(tmp_path, monkeypatch):
    sources = tmp_path / "cuda"
    shutil.copytree(CUDA, sources)
    monkeypatch.setattr(_native, "CUDA_DIR", sources)
    monkeypatch.setenv("OCG_CACHE_DIR", str(tmp_path / "cache"))
    _native.library.cache_clear()
    yield sources
    _native.library.cache_clear()


def test_libraries_are_cached_by_content_and_rebuilt_when_a_source_changes(private_build):
    cache = Path(_native.cache_dir())
    _native.library("sgd", "cpu")
    first = sorted(p.name for p in cache.glob("*.so"))
    _native.library.cache_clear()
    _native.library("sgd", "cpu")
    assert sorted(p.name for p in cache.glob("*.so")) == first, "an unchanged source is not rebuilt"
    header = private_build / "ocg.h"
    header.write_text(header.read_text() + "\n/* changed */\n")
    _native.library.cache_clear()
    _native.library("sgd", "cpu")
    assert len(list(cache.glob("*.so"))) == 2, "a changed header builds a new library"
    assert not list(cache.glob("*.tmp"))


def test_a_missing_compiler_is_a_clear_error(private_build, monkeypatch):
    monkeypatch.setenv("CC", "no-such-compiler-ocg")
    with pytest.raises(_native.NativeBuildError, match=r"needs 'no-such-compiler-ocg', which is not on PATH; install it or set \$CC"):
        _native.library("sgd", "cpu")


def test_a_failing_compiler_is_a_clear_error_and_leaves_no_library(private_build):
    (private_build / "sgd.c").write_text("this is not C\n")
    with pytest.raises(_native.NativeBuildError, match=r"failed \(exit 1\):\n.*sgd\.c"):
        _native.library("sgd", "cpu")
    assert not list(Path(_native.cache_dir()).glob("*.so"))
    assert not list(Path(_native.cache_dir()).glob("*.tmp"))


def test_fused_is_refused_where_it_cannot_run():
    p = torch.zeros(3, requires_grad=True)
    with pytest.raises(ValueError, match="cannot be used together"):
        gtorch.Adam([p], fused=True, foreach=True)
    meta = torch.zeros(3, device="meta", requires_grad=True)
    meta.grad = torch.zeros(3, device="meta")
    with pytest.raises(RuntimeError, match="fused=True runs on CPU and CUDA tensors, not meta"):
        gtorch.Adam([meta], fused=True).step()


# ---------------------------------------------------------------- a real GPU


@needs_gpu
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("spec,flags", list(_cases()))
def test_cuda_fused_matches_the_loop_path(spec, flags, dtype):
    cls = getattr(gtorch, spec.name)
    results = []
    for path in ("fused", "loop"):
        params, grads = _problem(getattr(torch, dtype), 0, True)
        params = [p.detach().cuda().requires_grad_() for p in params]
        opt = testing_torch.make(cls, params, path, **flags, clipnorm=4.0, clipvalue=0.05, maximize=True)
        for _ in range(3):
            for p, g in zip(params, grads):
                p.grad = g.cuda()
            opt.step()
        results.append([p.detach().double().cpu().numpy() for p in params])
    rtol = {"float64": 1e-12, "float32": 1e-5, "float16": 2.0**-10, "bfloat16": 2.0**-7}[dtype]
    # and, near 0, a few roundings of 3 updates of lr <= 1e-2 in the dtype: the loop path
    # rounds each operation to float16 (Adamax's parameter of 6.6e-4, 4 of its ulps apart, on
    # an H200); the kernels round once
    atol = {"float64": 1e-6, "float32": 1e-6, "float16": 2.0**-14, "bfloat16": 2.0**-11}[dtype]
    for size, a, b in zip(SIZES, *results):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"size {size}")


def _transcendental(spec) -> bool:
    """Whether the spec's float32 element function calls powf, expf or logf: neither CUDA's
    nor glibc's rounds them correctly, and they round differently."""
    text = (CUDA / f"{spec.module}.cuh").read_text()
    return re.search(r"\b(powf|expf|logf|expm1f|log1pf|tanhf)\(", text) is not None  # float32's


@needs_gpu
@pytest.mark.parametrize("precision", ["int8", "bfloat16"])
@pytest.mark.parametrize("spec,flags", list(_cases(reductions=False)))
def test_cuda_stored_state_matches_the_cpu_kernels(spec, flags, precision):
    """Built with -fmad=false (no contraction into FMAs) and IEEE division and square root,
    the GPU rounds each operation as the CPU does: the same parameters, codes and scales. A
    spec whose element function calls pow, exp or log (FTRL) rounds those differently on the
    two, and a value rounded apart may take the next code: its state agrees to one code of the
    block, and its parameters (FTRL's are a function of the state) to that code's share of them."""
    cls = getattr(gtorch, spec.name)
    cpu, cpu_opt = _run_stored(cls, flags, "fused", precision)
    params, opt = _run_stored(cls, flags, "fused", precision, device="cuda")
    if _transcendental(spec):
        _agrees_to_rounding(params, opt, cpu, cpu_opt, precision)
        return
    for size, p, q in zip(STORED_SIZES, params, cpu):
        assert torch.equal(p.cpu(), q), f"size {size}"
        assert sorted(opt.state[p]) == sorted(cpu_opt.state[q])
        for name, value in cpu_opt.state[q].items():
            assert torch.equal(opt.state[p][name].cpu(), value), (size, name)


def _agrees_to_rounding(params, opt, cpu, cpu_opt, precision):
    step = 2 / 127 if precision == "int8" else 2.0**-7  # a code apart, relative to the block's absmax
    for size, p, q in zip(STORED_SIZES, params, cpu):
        bound = step * max(float(np.abs(q.detach().numpy()).max(initial=0.0)), 1e-30)
        torch.testing.assert_close(p.detach().cpu(), q.detach(), rtol=1e-5, atol=bound, msg=f"size {size}")
    ours, theirs = opt.export_state(), cpu_opt.export_state()
    assert sorted(ours["state"]) == sorted(theirs["state"])
    for index, state in theirs["state"].items():
        for name, want in state.items():
            got, want = ours["state"][index][name].cpu().numpy(), want.numpy()  # torch's, on the device
            bound = step * max(float(np.abs(want).max(initial=0.0)), 1e-30)
            np.testing.assert_allclose(got, want, rtol=0, atol=bound, err_msg=f"{index} {name}")


@needs_gpu
def test_cuda_fused_step_can_be_captured_in_a_cuda_graph():
    """The C API's device step program + update launch, captured once and replayed: the
    replays read the step count and scalars from device memory, so they advance."""
    params = [torch.randn(1000, device="cuda", requires_grad=True) for _ in range(3)]
    eager = [p.detach().clone().requires_grad_() for p in params]
    grads = [torch.randn_like(p) for p in params]
    opt = gtorch.Adam(eager, fused=True)
    for _ in range(4):
        for p, g in zip(eager, grads):
            p.grad = g
        opt.step()

    lib = _native.library("adam", "cuda", _gpu_arch())
    state = [[torch.zeros_like(p), torch.zeros_like(p)] for p in params]
    rows = [[p.data_ptr(), g.data_ptr(), m.data_ptr(), v.data_ptr()] for p, g, (m, v) in zip(params, grads, state)]
    table, n_chunks = _native.table([x for row in rows for x in row], [p.numel() for p in params])
    table = torch.frombuffer(table, dtype=torch.int64).cuda()
    h = torch.tensor([0.001, 0.9, 0.999, 1e-7, 0.0], dtype=torch.float64, device="cuda")
    s = torch.zeros(1, dtype=torch.float64, device="cuda")
    t = torch.zeros(1, dtype=torch.float64, device="cuda")
    k = torch.zeros(6, dtype=torch.float64, device="cuda")
    step = lib.ocg_adam_no_amsgrad_step_cuda
    step.argtypes = [ctypes.c_void_p] * 5
    update = _native.update_function(lib, "ocg_adam_no_amsgrad", "f32", "cuda")
    tensors = _native.tensor_list(table.data_ptr(), len(params), 4, n_chunks)
    # warm up outside the capture (module loading), on scratch copies
    scratch = [[torch.zeros_like(p) for _ in range(4)] for p in params]
    warm_table, _ = _native.table([x.data_ptr() for row in scratch for x in row], [p.numel() for p in params])
    warm_table = torch.frombuffer(warm_table, dtype=torch.int64).cuda()
    warm = [torch.zeros(n, dtype=torch.float64, device="cuda") for n in (1, 1, 6)]
    handle = torch.cuda.current_stream().cuda_stream
    step(h.data_ptr(), warm[0].data_ptr(), warm[1].data_ptr(), warm[2].data_ptr(), handle)
    update(_native.tensor_list(warm_table.data_ptr(), len(params), 4, n_chunks), warm[2].data_ptr(), None, 1.0, 0.0, handle)
    torch.cuda.synchronize()
    stream = torch.cuda.Stream()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.stream(stream):
        with torch.cuda.graph(graph, stream=stream):
            handle = torch.cuda.current_stream().cuda_stream
            step(h.data_ptr(), s.data_ptr(), t.data_ptr(), k.data_ptr(), handle)
            update(tensors, k.data_ptr(), None, 1.0, 0.0, handle)
    for _ in range(4):
        graph.replay()
    torch.cuda.synchronize()
    assert float(t) == 4.0
    for p, q in zip(params, eager):
        torch.testing.assert_close(p.detach(), q.detach(), rtol=1e-5, atol=1e-6)


def _gpu_arch() -> str:
    major, minor = torch.cuda.get_device_capability()
    return f"{major}{minor}"
