"""Checks the generated tests call: every backend against the high-precision reference.

Tolerances:
- float64: ``|x - ref| <= RTOL64 * (|ref| + scale/steps)`` with RTOL64 = 1e-12 (the issue asks for <= 1e-10).
- float32: ``|x - ref| <= C32 * eps32 * scale``, where ``scale`` is, per element, the sum over
  the steps of ``|value| + |change|`` from the reference: each step's rounding is a few
  float32 epsilons of the values it touches, and those errors add up over the steps.
"""

from __future__ import annotations

import contextlib
import copy
import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..common import common_case as _common_case
from ..common import common_cases as _common_cases
from ..model import Spec, load_spec
from ..paths import ROOT
from . import reference

SHAPES = ((5,), (3, 4), (2, 3, 2))
# a spec with rank flags steps tensors of 0, 4 and 5 axes too: every variant (a rank flag
# compares rank with numbers up to 4, so a tensor of more axes takes what one of 5 takes)
RANKED_SHAPES = SHAPES + ((), (2, 1, 2, 2), (1, 2, 1, 1, 2))
STEPS = 50
RTOL64 = 1e-12
C32 = 2.0


# A spec with a per-tensor norm, for the tests that need one.
SPEC_WITH_A_NORM = """\
name: Normalized
description: SGD on the gradient divided by its norm.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Learning rate.}
reductions:
  g_sq: {scope: tensor, op: sum, of: g**2, doc: Squared norm of this gradient.}
update:
  - p = p - lr*g/(sqrt(g_sq) + 1)
"""

# ... and with the same norm over every gradient of the step.
SPEC_WITH_A_GLOBAL_NORM = SPEC_WITH_A_NORM.replace("scope: tensor", "scope: global").replace(
    "this gradient", "every gradient"
)

# Reductions of both scopes and both ops, a step program reading the global ones.
SPEC_WITH_EVERY_REDUCTION = """\
name: NormalizedMomentum
description: Momentum on per-tensor normalized gradients, with a global step scale.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Learning rate.}
  beta: {default: 0.9, domain: 0 <= beta < 1, doc: Momentum.}
  epsilon: {default: 1.0e-6, domain: epsilon > 0, doc: Fuzz factor.}
reductions:
  g_sq: {scope: tensor, op: sum, of: g**2, doc: Squared norm of this gradient.}
  p_absmax: {scope: tensor, op: max, of: abs(p), doc: Largest parameter magnitude.}
  m_total: {scope: global, op: sum, of: m**2 + beta*abs(g), doc: A global statistic.}
  g_peak: {scope: global, op: max, of: abs(g), doc: Largest gradient element.}
step:
  - scale = 1/(1 + sqrt(m_total)/(g_peak + epsilon))
state:
  m: {init: 0, doc: Momentum.}
update:
  - m = beta*m + g/(sqrt(g_sq) + epsilon)
  - p = p - lr*scale*(m + 0.01*p/(p_absmax + epsilon))
"""


# Global reductions over the update's values (issue 13, item 2): LAMB's trust ratio with one
# norm over all tensors, of an update that reads scalar state and a step value, and the
# update's peak, which a step equation reads, and another step equation that one.
SPEC_WITH_GLOBAL_TRUST = """\
name: GlobalTrust
description: Adam's update scaled by one trust ratio for all tensors, and damped by its peak.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Learning rate.}
  beta_1: {default: 0.9, domain: 0 < beta_1 < 1, doc: Decay of the first moment.}
  beta_2: {default: 0.999, domain: 0 < beta_2 < 1, doc: Decay of the second moment.}
  epsilon: {default: 1.0e-6, domain: epsilon > 0, doc: Fuzz factor.}
scalar_state:
  k: {init: 1, doc: A step-dependent scale.}
reductions:
  w_norm_squared: {scope: global, op: sum, of: p**2, doc: The squared norm of all parameters.}
  u_norm_squared: {scope: global, op: sum, of: u**2, doc: The squared norm of all updates.}
  u_peak: {scope: global, op: max, of: abs(u), doc: The largest update element.}
state:
  m: {init: 0, doc: First moment.}
  v: {init: 0, doc: Second moment.}
step:
  - k = k*(1 + beta_1)/2 + 0.5
  - bias_1 = 1 - beta_1**t
  - damp = 1/(1 + u_peak)
  # a step value that reads one that reads the reduction: computed after it
  - scale = lr*damp
update:
  - m = beta_1*m + (1 - beta_1)*g
  - v = beta_2*v + (1 - beta_2)*g**2
  - u = k*m/bias_1/(sqrt(v/(1 - beta_2**t)) + epsilon) + 0.01*p
  - p = p - scale*where(w_norm_squared > 0 and u_norm_squared > 0, sqrt(w_norm_squared)/sqrt(u_norm_squared), 1)*u
"""


# Reductions that select per element (issue 13, items 1 and 2): in their own terms and
# through a value of the update, per tensor and global, with a branch that is NaN where it is
# not taken (the root of a negative number).
SPEC_WITH_SELECTING_REDUCTIONS = """\
name: Selective
description: Reductions that select per element, in their own terms and through the update's values.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Learning rate.}
  beta: {default: 0.9, domain: 0 < beta < 1, doc: Decay.}
  limit: {default: 0.3, domain: limit > 0, doc: A threshold.}
state:
  m: {init: 0, doc: Momentum.}
  v: {init: 0, doc: Second moment.}
reductions:
  positive: {scope: tensor, op: sum, of: "where(g > 0, 1, 0)", doc: Positive gradients.}
  n: {scope: tensor, op: sum, of: 1, doc: Elements.}
  clipped_sq: {scope: tensor, op: sum, of: u**2, doc: Squared norm of the clipped update.}
  agree: {scope: global, op: sum, of: "where(g*m > 0, 1, 0)", doc: Elements whose gradient agrees with their momentum.}
  total: {scope: global, op: sum, of: 1, doc: Elements of all tensors.}
  drift: {scope: global, op: sum, of: u, doc: The sum of the clipped updates.}
update:
  - v = beta*v + (1 - beta)*g**2
  # the root of a negative number where the select drops it
  - u = where(v > limit**2, g/sqrt(v - limit**2), where(g > 0, limit, -limit))
  - m = beta*m + u*(0.5 + agree/total)
  - p = p - lr*m*(1 + positive/n)/(1 + sqrt(clipped_sq) + abs(drift))
"""


# Reductions that select per step (issue 13, items 1 and 2): in their own terms, and through
# RAdam's rectified update, per tensor and global; the branch not taken (the root of a
# negative number before step 6) is never computed.
SPEC_WITH_RECTIFIED_REDUCTIONS = """\
name: Rectified
description: Selects per step in reductions, in their own terms and through the update's values.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Learning rate.}
  beta_2: {default: 0.99, domain: 0 < beta_2 < 1, doc: Decay.}
state:
  v: {init: 0, doc: Second moment.}
step:
  - rho_inf = 2/(1 - beta_2) - 1
  - rho_t = rho_inf - 2*t*beta_2**t/(1 - beta_2**t)
reductions:
  early: {scope: tensor, op: sum, of: "where(t > 2, g**2, abs(g))", doc: A sum that changes at step 3.}
  rect: {scope: tensor, op: sum, of: u**2, doc: Squared norm of the rectified update.}
  rect_all: {scope: global, op: max, of: abs(u), doc: Largest rectified update element.}
  late: {scope: global, op: sum, of: "where(t > 4, abs(p), 1)", doc: A global sum that changes at step 5.}
update:
  - v = beta_2*v + (1 - beta_2)*g**2
  # the root of a negative number before rho_t > 5 (t < 6): never computed
  - u = where(rho_t > 5, g*sqrt((rho_t - 4)/rho_t)/(sqrt(v) + 0.001), g)
  - p = p - lr*u/(1 + sqrt(rect) + rect_all) - 0.01*lr*(early + late)*p
"""


# Rank flags (each tensor takes its rank's rule): two flags, one rule per combination, and a
# state that only one rank keeps.
SPEC_WITH_RANK_FLAGS = """\
name: Ranked
description: Adam's rule for tensors of two axes or more, momentum for vectors and scalars.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Learning rate.}
  beta_1: {default: 0.9, domain: 0 < beta_1 < 1, doc: Decay of m.}
  beta_2: {default: 0.99, domain: 0 < beta_2 < 1, doc: Decay of v.}
derived_flags:
  matrix: {value: rank >= 2, doc: The tensor has two axes or more.}
  scalar: {value: rank < 1, doc: The tensor is a 0-d scalar.}
state:
  m: {init: 0, doc: Momentum.}
  v: {init: 0, when: matrix, doc: Second moment (tensors of two axes or more only).}
update:
  - m = beta_1*m + (1 - beta_1)*g
  - eq: v = beta_2*v + (1 - beta_2)*g**2
    when: matrix
  - p = p - lr*m/(1 - beta_1**t)/(sqrt(v/(1 - beta_2**t)) + 0.001) if matrix else p - lr*(2*m if scalar else m)
"""
# A rank flag as an earlier Keras 3 Muon chose (two or three axes), whose rule alone reads
# the per-tensor reductions (a LAMB trust ratio of its own update, and the largest element of
# a state that only its tensors keep).
SPEC_WITH_RANK_TRUST = """\
name: RankTrust
description: A trust ratio for tensors of two or three axes, plain momentum for the others.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Learning rate.}
derived_flags:
  middle: {value: 1 < rank < 4, doc: The tensor has two or three axes.}
state:
  m: {init: 0, doc: Momentum.}
  s: {init: 0, when: middle, doc: A second moment of the tensors of two or three axes.}
reductions:
  norm_p: {scope: tensor, op: sum, of: p**2, doc: Squared norm of the tensor.}
  norm_u: {scope: tensor, op: sum, of: u**2, doc: Squared norm of its update.}
  s_max: {scope: tensor, op: max, of: s, doc: The largest second moment before the step.}
update:
  - m = 0.9*m + g
  - eq: s = 0.5*s + g**2
    when: middle
  - u = m + 0.5*g
  - p = p - lr*where(norm_p > 0 and norm_u > 0, sqrt(norm_p/norm_u), 1)*u/(1 + s_max) if middle else p - lr*u
"""


@contextlib.contextmanager
def user_package(base: Path, specs: dict[str, str], name: str):
    """Build ``specs`` (file stem -> YAML text) as a user builds theirs, ``python -m generator
    build --specs specs --out <name>`` in ``base``, and make the package importable while the
    context lasts: yields its folder."""
    import subprocess
    import sys

    (base / "specs").mkdir()
    for stem, text in specs.items():
        (base / "specs" / f"{stem}.yaml").write_text(text)
    done = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--specs", "specs", "--out", name],
        cwd=base,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    sys.path.insert(0, str(base))
    try:
        yield base / name
    finally:
        sys.path.remove(str(base))


def stepped_numpy(cls, params, grads, **kwargs):
    """``cls(**kwargs)`` (a NumPy optimizer) run over ``grads`` (a list of gradients per
    step) from copies of ``params``: (the parameters after, the optimizer)."""
    opt = cls(**kwargs)
    params = [p.copy() for p in params]
    for step in grads:
        opt.apply_gradients(zip([g.copy() for g in step], params))
    return params, opt


@lru_cache(maxsize=None)
def needing_whole_tensors() -> frozenset[str]:
    """The shipped specs (keras names) with reductions or rules of whole tensors (Muon's
    matrix functions): no graph path (their reductions are host floats), no meta device, no
    low-precision state."""
    from ..build import load_specs

    return frozenset(
        s.keras_name
        for s in load_specs()
        if s.reductions or any(v.whole_array for v in s.variants())
    )


def spec(path_or_spec: str | Spec) -> Spec:
    """A spec by its path relative to the repository (cached), or the Spec itself."""
    if isinstance(path_or_spec, Spec):
        return path_or_spec
    return _load(path_or_spec)


@lru_cache(maxsize=None)
def _load(path: str) -> Spec:
    return load_spec(ROOT / path, ROOT)


def spec_beside(test_file: str, relative: str) -> Spec:
    """The spec a generated test was generated from: ``relative`` to the test's folder (the
    build writes that path; a package and its specs folder move together)."""
    return _load_file(str((Path(test_file).parent / relative).resolve()))


@lru_cache(maxsize=None)
def _load_file(path: str) -> Spec:
    return load_spec(Path(path), Path(path).parent.parent)


def common_cases(spec: Spec) -> list[str]:
    """The COMMON_CASES that apply to a spec (Nadam has no decay)."""
    return _common_cases(spec.common)


common_case = _common_case  # a case's arguments, those of the spec's common arguments


def hyper_values(spec: Spec, which) -> dict:
    """'default', or 'varied': each real argument moved inside its domain so that every
    term matters (a default of 0, such as SGD's momentum, would hide its terms), or a dict:
    the defaults with those values."""
    if isinstance(which, dict):
        return {**hyper_values(spec, "default"), **which}
    values = {}
    for h in spec.reals:
        value = h.default
        if which == "varied":
            candidate = 0.5 if h.default == 0 else h.default * 0.8
            if h.contains(candidate):
                value = candidate
        values[h.name] = value
    return values


def variant_arguments(s: Spec, flags: dict, hyper: dict | None = None) -> tuple[dict, dict]:
    """The constructor's flags and the hyperparameters (``hyper``, default: the defaults)
    of the variant ``flags`` (flags and derived flags by name): a derived flag is no
    argument, its hyperparameter is moved where needed (RMSprop's momentum_on: momentum)."""
    return s.arguments_for(flags, hyper_values(s, "default") if hyper is None else hyper)


def variant_kwargs(s: Spec, flags: dict) -> dict:
    """The constructor's keyword arguments that pick the variant ``flags`` (flags and derived
    flags by name) on every backend: its flags, and each hyperparameter whose default gives a
    derived flag the other value, moved (RMSprop's momentum_on=True: momentum=0.5)."""
    own, hyper = variant_arguments(s, flags)
    defaults = hyper_values(s, "default")
    return {**own, **{k: v for k, v in hyper.items() if v != defaults[k]}}


def problem(seed: int = 0, steps: int = STEPS, shapes=SHAPES):
    """Initial parameters and per-step gradients, exactly representable in float32."""
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(s).astype(np.float32).astype(np.float64) for s in shapes]
    grads = [
        [rng.standard_normal(s).astype(np.float32).astype(np.float64) for s in shapes]
        for _ in range(steps)
    ]
    return params, grads


def shapes_for(owner) -> tuple:
    """The standard problem's shapes for a spec or an optimizer class (``rank_flags``)."""
    return RANKED_SHAPES if getattr(owner, "rank_flags", ()) else SHAPES


@lru_cache(maxsize=None)
def _reference(s: Spec, flags, common, hyper, steps):
    params, grads = problem(steps=steps, shapes=shapes_for(s))
    return reference.run(s, dict(flags), {**dict(hyper), **dict(common)}, params, grads)


def reference_for(path, flags: dict, common: dict, hyper: dict, steps: int = STEPS):
    """The reference trajectory of the standard problem (cached: tests share it per dtype)."""
    key = lambda d: tuple(sorted(d.items()))  # noqa: E731
    return _reference(spec(path), key(flags), key(common), key(hyper), steps)


def run_numpy(cls, flags, common, hyper, dtype, steps=STEPS, fused=False):
    params, grads = problem(steps=steps, shapes=shapes_for(cls))
    params = [p.astype(dtype) for p in params]
    opt = cls(**hyper, **flags, **common, fused=fused)
    for step_grads in grads:
        opt.apply_gradients(zip([g.astype(dtype) for g in step_grads], params))
    return opt, params


def compare(name, actual, expected, scale, dtype, steps=STEPS):
    """Raise AssertionError naming the array and the worst element when out of tolerance."""
    actual = np.asarray(actual, dtype=np.float64)
    if np.dtype(dtype) == np.float64:
        tol = RTOL64 * (np.abs(expected) + scale / steps)
    else:
        tol = C32 * np.finfo(np.float32).eps * scale
    finite = np.isfinite(expected)
    # non-finite reference values must be matched exactly: NaN by NaN, +-inf by the same inf
    exact = np.where(np.isnan(expected), np.isnan(actual), actual == expected)
    with np.errstate(invalid="ignore"):
        err = np.where(finite, np.abs(actual - expected), 0.0)
        bad = np.where(finite, ~(err <= tol), ~exact)  # a NaN where a number is due is bad
    if bad.any():
        i = np.unravel_index(np.argmax(np.where(bad, err / np.maximum(tol, 1e-300), 0)), err.shape)
        raise AssertionError(
            f"{name}: {int(bad.sum())} of {err.size} elements out of tolerance; worst at {i}: "
            f"got {actual[i]!r}, reference {expected[i]!r}, error {err[i]:.3g} > tol {tol[i]:.3g}"
        )


def check_numpy_against_reference(
    cls, path, flags, common_case, hyper_case, dtype, steps=STEPS, fused=False
):
    s = spec(path)
    common = _common_case(common_case, s.common)
    own, hyper = variant_arguments(s, flags, hyper_values(s, hyper_case))
    ref = reference_for(path, flags, common, hyper, steps)
    opt, params = run_numpy(cls, own, common, hyper, np.dtype(dtype), steps, fused)
    assert opt.iterations == steps
    for i, p in enumerate(params):
        assert p.dtype == np.dtype(dtype), f"parameter {i} changed dtype to {p.dtype}"
        compare(f"parameter {i}", p, ref.params[i], ref.param_scale[i], dtype, steps)
        state = opt.state_of(p)
        assert set(state) == set(
            ref.state[i]
        ), f"state names {sorted(state)} != {sorted(ref.state[i])}"
        for n, array in state.items():
            assert array.dtype == np.dtype(dtype), f"state {n} is {array.dtype}"
            compare(
                f"state {n} of parameter {i}",
                array,
                ref.state[i][n],
                ref.state_scale[i][n],
                dtype,
                steps,
            )
    for n, value in ref.scalar_state.items():
        assert math.isclose(opt.scalar_state[n], value, rel_tol=1e-12), f"scalar state {n}"


# ---------------------------------------------------------------- API checks


def _snapshot(opt, params):
    return copy.deepcopy(
        (
            opt.iterations,
            opt.scalar_state,
            [p.copy() for p in params],
            [{k: v.copy() for k, v in opt.state_of(p).items()} for p in params],
        )
    )


def _same(a, b) -> bool:
    it_a, sc_a, ps_a, st_a = a
    it_b, sc_b, ps_b, st_b = b
    return (
        it_a == it_b
        and sc_a == sc_b
        and all(np.array_equal(x, y) for x, y in zip(ps_a, ps_b))
        and all(
            x.keys() == y.keys() and all(np.array_equal(x[k], y[k]) for k in x)
            for x, y in zip(st_a, st_b)
        )
    )


def check_in_place_and_dtype(cls):
    params, grads = problem(steps=2, shapes=shapes_for(cls))
    params = [p.astype(np.float32) for p in params]
    buffers = [p.__array_interface__["data"][0] for p in params]
    before = [p.copy() for p in params]
    opt = cls()
    for step in grads:
        opt.apply_gradients(zip([g.astype(np.float32) for g in step], params))
    for p, address, old in zip(params, buffers, before):
        assert p.dtype == np.float32
        assert (
            p.__array_interface__["data"][0] == address
        ), "the parameter was replaced, not updated"
        assert not np.array_equal(p, old), "the parameter did not change"
        for array in opt.state_of(p).values():
            assert array.dtype == np.float32


def check_bad_gradients_change_nothing(cls):
    params, grads = problem(steps=2, shapes=shapes_for(cls))
    opt = cls()
    opt.apply_gradients(zip(grads[0], params))
    before = _snapshot(opt, params)
    bad_cases = [
        ([grads[1][0], grads[1][1][:1], grads[1][2]], ValueError, "shape"),
        ([grads[1][0], grads[1][1].astype(np.float32), grads[1][2]], TypeError, "float32"),
        ([grads[1][0], grads[1][1].astype(np.int64), grads[1][2]], TypeError, "int64"),
        ([grads[1][0], grads[1][1].tolist(), grads[1][2]], TypeError, "numpy.ndarray"),
    ]
    import pytest

    for bad, error, words in bad_cases:
        with pytest.raises(error, match=words):
            opt.apply_gradients(zip(bad, params))
        assert _same(before, _snapshot(opt, params)), f"a refused step ({words}) changed something"
    with pytest.raises(TypeError, match="dtype"):
        opt.apply_gradients(
            [(g.astype(np.int32), p.astype(np.int32)) for g, p in zip(grads[1], params)]
        )
    with pytest.raises(ValueError, match="twice"):
        opt.apply_gradients([(grads[1][0], params[0]), (grads[1][0], params[0])])
    assert _same(before, _snapshot(opt, params))


def out_of_domain(h):
    for candidate in (-1.0, 2.0, -1e9, 1e9, 0.0):
        if not h.contains(candidate):
            return candidate
    return None


def check_arguments_are_validated(cls, path):
    import pytest

    s = spec(path)
    for h in s.reals:
        bad = out_of_domain(h)
        if bad is not None:
            with pytest.raises(ValueError, match=f"{h.name}={bad!r} is outside its domain"):
                cls(**{h.name: bad})
        with pytest.raises(ValueError, match="not finite"):
            cls(**{h.name: float("nan")})
        with pytest.raises(TypeError, match="real number"):
            cls(**{h.name: "0.1"})
    for f in s.flags:
        with pytest.raises(TypeError, match=f.name):
            cls(**{f.name: 1})
    with pytest.raises(ValueError, match="clipnorm"):
        cls(clipnorm=-1.0)
    with pytest.raises(ValueError, match="clipvalue"):
        cls(clipvalue=float("inf"))
    if "decay" not in s.common:
        with pytest.raises(TypeError):
            cls(decay=0.1)
    if "weight_decay" in s.common:
        with pytest.raises(ValueError, match="weight_decay"):
            cls(weight_decay=-0.1)


def check_config_round_trip(cls, path):
    s = spec(path)
    hyper = hyper_values(s, "varied")
    flags = {f.name: not f.default for f in s.flags}
    common = {"clipnorm": 2.0, "clipvalue": 3.0}
    if "decay" in s.common:
        common["decay"] = 0.5
    if "weight_decay" in s.common:
        common["weight_decay"] = 0.25
    opt = cls(**hyper, **flags, **common)
    config = opt.get_config()
    assert config == {**hyper, **flags, **common}
    clone = cls.from_config(config)
    assert clone.get_config() == config
    defaults = cls().get_config()
    for h in s.hyperparameters:
        assert (
            defaults[h.name] == h.default
        ), f"{h.name}: default {defaults[h.name]} != spec {h.default}"


def check_steps_allocate_no_arrays(cls):
    """After the first step (state and scratch), a step allocates no array: NumPy reports
    its buffers to tracemalloc, and a 1M-element float32 array would be 4 MB (the 300 x 300
    one 360 KB). The limit leaves room for NumPy's own fixed-size buffer: a reduction in
    float64 over float32 arrays (a spec's norms) casts through 8192 elements, 64 KiB,
    whatever the arrays' size. A spec's matrix functions (Muon's Newton-Schulz iteration)
    compute their values as new arrays of the matrix's size at most: 8 of the 300 x 300 one
    are allowed then."""
    import tracemalloc

    names = {n for k in cls.kernels.values() for n in k.apply.__globals__}  # its module's
    matrix_arrays = 8 * 300 * 300 * 4 if any(n.startswith("_matrix_") for n in names) else 0

    for arguments in ({}, {"clipnorm": 1.0, "clipvalue": 0.1}):
        params = [np.ones(1_000_000, np.float32), np.ones((300, 300), np.float32)]
        grads = [np.full(p.shape, 0.5, np.float32) for p in params]
        opt = cls(**arguments)
        opt.apply_gradients(zip(grads, params))
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            for _ in range(3):
                opt.apply_gradients(zip(grads, params))
            peak = tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()
        assert peak < 128 * 1024 + matrix_arrays, f"a step allocated {peak} bytes with {arguments}"


def load_module(source: str, package: str, name: str, host=None):
    """Execute generated source (our own output) as ``package.name``; ``host`` replaces the
    module's ``from ..host import X as host``, for specs that exist only in a test or for
    mutated host code."""
    import re
    import types

    module = types.ModuleType(f"{package}.{name}")
    module.__package__ = package
    if host is not None:
        source = re.sub(r"^from \.\.host import \w+ as host$", "", source, flags=re.M)
        module.host = host
    exec(compile(source, f"<generated {package}.{name}>", "exec"), module.__dict__)
    return module
