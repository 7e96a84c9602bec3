"""Mutation testing: every equation of every generated NumPy kernel matters to a test.

Each ufunc call of each ``_apply_*`` function (generated/numpy) and each computed line of
each ``step_*`` function (generated/host) is mutated in turn (add <-> subtract, multiply <-> divide, maximum <-> minimum,
sqrt/square -> absolute, sign -> negative, greater <-> less, and <-> or, a dropped copy, a
select's mask dropped (copied everywhere), + <-> - and * <-> / in scalars),
the mutant module is loaded, and the reference comparison of the generated tests must fail.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from generator.verify import testing
from generator.build import load_specs

ROOT = Path(__file__).resolve().parent.parent
SWAPS = {
    "np.add(": "np.subtract(",
    "np.subtract(": "np.add(",
    "np.multiply(": "np.divide(",
    "np.divide(": "np.multiply(",
    "np.maximum(": "np.minimum(",
    "np.minimum(": "np.maximum(",
    "np.sqrt(": "np.absolute(",
    "np.square(": "np.absolute(",
    "np.absolute(": "np.negative(",
    "np.sign(": "np.negative(",
    # per-element conditions (Rprop's masks)
    "np.greater(": "np.less(",
    "np.less(": "np.greater(",
    "np.greater_equal(": "np.less_equal(",
    "np.less_equal(": "np.greater_equal(",
    "np.logical_and(": "np.logical_or(",
    "np.logical_or(": "np.logical_and(",
}
SCALAR_SWAPS = ((" - ", " + "), (" + ", " - "), (" * ", " / "), (" / ", " * "), ("**", "*"))
# the functions mutated: the element programs with their per-tensor reductions, each
# tensor's part of the global reductions, the step programs and the host's per-step values
# of the global reductions over the update's values
MUTATED = ("_apply_", "_partials_", "step_", "reduction_scalars_", "_matrix_")
BINDING = re.compile(r"^\s+\w+ = (hyper|scalar_state|reductions)\[")


def mutants(source: str):
    """(line number, description, mutated source) for each mutable line of the kernels."""
    lines = source.splitlines()
    function = None
    for index, line in enumerate(lines):
        if line.startswith("def "):
            function = line[4:].split("(")[0]
            continue
        if function is None or not line.startswith("    ") or not function.startswith(MUTATED):
            continue
        stripped = line.strip()
        mutated = None
        if stripped.startswith("np.copyto(") and ", where=" in stripped:  # a select
            mutated = re.sub(r", where=\w+\)$", ")", line)
            new = lines[:index] + [line.replace(stripped, "pass")] + lines[index + 1 :]
            yield index + 1, f"{function}: {stripped!r} -> 'pass'", function, "\n".join(new)
        elif stripped.startswith("np.copyto("):
            mutated = line.replace(stripped, "pass")
        elif stripped.startswith("np."):
            for old, new in SWAPS.items():
                if stripped.startswith(old):
                    mutated = line.replace(old, new, 1)
                    break
        elif stripped.startswith(('"""', "#")):  # a docstring or a comment
            continue
        elif function.startswith(("step_", "reduction_scalars_", "_matrix_")) and " = " in stripped and not BINDING.match(line):
            target, _, value = stripped.partition(" = ")
            for old, new in SCALAR_SWAPS:
                if old in value:
                    mutated = line.replace(value, value.replace(old, new, 1))
                    break
        if mutated is not None and mutated != line:
            new = lines[:index] + [mutated] + lines[index + 1 :]
            yield index + 1, f"{function}: {stripped!r} -> {mutated.strip()!r}", function, "\n".join(new)


SPECS = load_specs()


# Hyperparameters where terms the standard cases leave invisible matter: Adafactor's
# epsilon_1 (1e-30 next to g**2) and its step size's cap min(lr, 1/sqrt(t)), which binds
# only once the learning rate exceeds 1/sqrt(t)
EXTRA_HYPER = {"adafactor": ({"epsilon_1": 0.25, "learning_rate": 0.5},)}


def _caller(spec, name: str) -> str:
    """The first variant whose update calls the matrix function ``name``."""
    from generator.symbols import MatrixCall

    for v in spec.variants():
        calls = {type(c).__name__ for eq in v.update for c in eq.expr.atoms(MatrixCall)}
        if name in calls:
            return v.suffix
    raise AssertionError(f"no variant of {spec.name} calls {name}()")


@pytest.mark.parametrize("spec", SPECS, ids=[s.module for s in SPECS])
def test_every_mutation_of_the_generated_kernels_is_caught(spec):
    source = (ROOT / "generated" / "numpy" / f"{spec.module}.py").read_text()
    host_source = (ROOT / "generated" / "host" / f"{spec.module}.py").read_text()
    host = testing.load_module(host_source, "generated.host", spec.module)
    common = "all" if "all" in testing.common_cases(spec) else testing.common_cases(spec)[-1]
    variants = {v.suffix: dict(v.flags) for v in spec.variants()}
    # a step function shared by several variants is checked with the first that defines it
    candidates = [(m, "kernel") for m in mutants(source)] + [(m, "host") for m in mutants(host_source)]
    survivors, tried = [], 0
    for (line, description, function, mutated), where in candidates:
        if function.startswith("_matrix_"):  # a matrix function: a variant that calls it
            suffix = _caller(spec, function[len("_matrix_") :])
        elif function.startswith("_apply_"):
            suffix = function.split("_", 2)[2]
        else:
            suffix = function.split("_", 1)[1]
        if where == "kernel":
            module = testing.load_module(mutated, "generated.numpy", spec.module, host=host)
        else:
            mutant_host = testing.load_module(mutated, "generated.host", spec.module)
            module = testing.load_module(source, "generated.numpy", spec.module, host=mutant_host)
        cls = getattr(module, spec.name)
        tried += 1
        caught = False
        for hyper in ("varied", "default", *EXTRA_HYPER.get(spec.module, ())):
            try:
                with np.errstate(all="ignore"):
                    testing.check_numpy_against_reference(
                        cls, spec.path, variants[suffix], common, hyper, "float64", steps=10
                    )
            except (AssertionError, ArithmeticError, ValueError):
                caught = True
                break
        if not caught:
            survivors.append(f"{where} line {line}: {description}")
    assert tried >= 5, f"only {tried} mutants for {spec.name}: the mutation patterns are stale"
    assert not survivors, f"{len(survivors)} of {tried} mutants survived:\n" + "\n".join(survivors)


# Specs with the reductions' rarer forms, which no shipped spec has (a global reduction over
# the update's values with the host's per-step values for it, selects per element and per
# step in reductions): every mutant of their NumPy kernels, partials and host programs too,
# on data that take both branches of every select (the standard problem's small gradients
# keep Selective's second moment under its limit), against the reference.
TOYS = {
    "globaltrust": (testing.SPEC_WITH_GLOBAL_TRUST, {}),
    "selective": (testing.SPEC_WITH_SELECTING_REDUCTIONS, {"limit": 0.3}),
    "rectified": (testing.SPEC_WITH_RECTIFIED_REDUCTIONS, {}),
}


@pytest.mark.parametrize("module", sorted(TOYS))
def test_every_mutation_of_the_reductions_rarer_forms_is_caught(module):
    from generator.backends import host as host_backend
    from generator.backends import numpy as numpy_backend
    from generator.build import prepare
    from generator.model import parse_spec
    from generator.render import render
    from generator.verify import reference

    text, own = TOYS[module]
    spec = parse_spec(text, f"specs/{module}.yaml", module)
    build = prepare([spec])
    files = render([*host_backend.BACKEND.outputs(build), *numpy_backend.BACKEND.outputs(build)])
    source, host_source = files[f"numpy/{module}.py"], files[f"host/{module}.py"]
    host = testing.load_module(host_source, "generated.host", module)
    hyper = {**{h.name: h.default for h in spec.reals}, **own, "weight_decay": 0.3, "decay": 0.05}
    rng = np.random.default_rng(6)
    params0 = [rng.standard_normal((3, 4)), rng.standard_normal(5), rng.standard_normal(())]
    grads = [[rng.standard_normal(p.shape) for p in params0] for _ in range(9)]
    ref = reference.run(spec, {}, hyper, params0, grads)

    def caught(loaded) -> bool:
        params = [p.copy() for p in params0]
        opt = getattr(loaded, spec.name)(**hyper)
        try:
            with np.errstate(all="ignore"):
                for step in grads:
                    opt.apply_gradients(zip(step, params))
        except (ArithmeticError, ValueError, TypeError):
            return True
        return not all(np.allclose(a, b, rtol=1e-10, atol=1e-12) for a, b in zip(params, ref.params))

    assert not caught(testing.load_module(source, "generated.numpy", module, host=host))
    candidates = [(m, "kernel") for m in mutants(source)] + [(m, "host") for m in mutants(host_source)]
    survivors, functions = [], set()
    for (line, description, function, mutated), where in candidates:
        if where == "kernel":
            loaded = testing.load_module(mutated, "generated.numpy", module, host=host)
        else:
            mutant_host = testing.load_module(mutated, "generated.host", module)
            loaded = testing.load_module(source, "generated.numpy", module, host=mutant_host)
        functions.add(function.rsplit("_", 1)[0])
        if not caught(loaded):
            survivors.append(f"{where} line {line}: {description}")
    assert {"_apply", "_partials", "step"} <= functions, functions  # the patterns are current
    assert module == "selective" or "reduction_scalars" in functions
    assert not survivors, f"{len(survivors)} of {len(candidates)} mutants survived:\n" + "\n".join(survivors)


# The functional backends' update functions (generated/optax, printed by the printer that
# also prints generated/keras): each operator or function of each line swapped in turn.
FUNCTIONAL_SWAPS = (
    (" + ", " - "),
    (" - ", " + "),
    (" * ", " / "),
    (" / ", " * "),
    ("jnp.sqrt(", "jnp.abs("),
    ("jnp.maximum(", "jnp.minimum("),
    ("jnp.minimum(", "jnp.maximum("),
    ("jnp.sign(", "jnp.negative("),
    ("jnp.abs(", "jnp.negative("),
    ("jnp.greater(", "jnp.less("),
    ("jnp.less(", "jnp.greater("),
)


def functional_mutants(source: str):
    lines = source.splitlines()
    function = None
    for index, line in enumerate(lines):
        if line.startswith("def "):
            function = line[4:].split("(")[0]
            continue
        stripped = line.strip()
        if function is None or not function.startswith("_update_") or not line.startswith("    "):
            continue
        if stripped.startswith(("#", "return", '"""')) or stripped.endswith(("= scalars", "= state")):
            continue
        # an assignment's value, or a line of an expression black wrapped over several
        value = stripped.partition(" = ")[2] if " = " in stripped else stripped
        for old, new in FUNCTIONAL_SWAPS:
            if old in value:
                mutated = line.replace(value, value.replace(old, new, 1))
                yield index + 1, f"{function}: {line.strip()!r} -> {mutated.strip()!r}", function, "\n".join(
                    lines[:index] + [mutated] + lines[index + 1 :]
                )
                break


@pytest.mark.parametrize("spec", SPECS, ids=[s.module for s in SPECS])
def test_every_mutation_of_the_optax_update_is_caught(spec):
    testing_optax = pytest.importorskip("generator.verify.testing_optax")
    source = (ROOT / "generated" / "optax" / f"{spec.module}.py").read_text()
    common = "all" if "all" in testing.common_cases(spec) else testing.common_cases(spec)[-1]
    variants = {v.suffix: dict(v.flags) for v in spec.variants()}
    survivors, tried = [], 0
    for line, description, function, mutated in functional_mutants(source):
        module = testing.load_module(mutated, "generated.optax", spec.module)
        fn = getattr(module, spec.keras_name)
        tried += 1
        caught = False
        for hyper in ("varied", "default"):
            try:
                testing_optax.check_against_reference(
                    fn, spec.path, variants[function[len("_update_"):]], common, hyper, "float64",
                    steps=10, jit=False,
                )
            except (AssertionError, ArithmeticError, ValueError):
                caught = True
                break
        if not caught:
            survivors.append(f"line {line}: {description}")
    assert tried >= 2, f"only {tried} mutants for {spec.name}: the mutation patterns are stale"
    assert not survivors, f"{len(survivors)} of {tried} mutants survived:\n" + "\n".join(survivors)
