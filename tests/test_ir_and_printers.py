"""The IR and the printers: hoisting, CSE, determinism, and what the NumPy printer emits."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import sympy as sp

from generator.build import load_specs
from generator.expr import ExprError, parse_value
from generator.backends.base import condition_cases
from generator.ir import build_ir
from generator.printers import numpy as numpy_dialect
from generator.printers.arrays import lower_element_program
from generator.printers.python import print_scalar

ROOT = Path(__file__).resolve().parent.parent
SPECS = {s.module: s for s in load_specs()}


def element_text(ir) -> str:
    return " ".join(str(e) for _, e in ir.outputs) + " " + " ".join(str(a.expr) for a in ir.temporaries)


def test_per_step_values_are_hoisted_out_of_the_element_program():
    ir = build_ir(SPECS["adam"].variant(amsgrad=False))
    step = {a.symbol.name: a.expr for a in ir.step}
    element_names = {s.name for _, e in ir.outputs for s in e.free_symbols}
    element_names |= {s.name for a in ir.temporaries for s in a.expr.free_symbols}
    assert "beta_1**t" not in element_text(ir) and "lr" not in element_names
    assert any("beta_1**t" in str(e) and "sqrt" in str(e) for e in step.values())
    # the per-element part reads the hoisted scalars and plain hyperparameters only
    assert set(ir.element_scalars) <= set(step) | {"beta_1", "beta_2", "epsilon"}


def test_nadam_scalar_state_is_stepped_once_per_step():
    ir = build_ir(SPECS["nadam"].variants()[0])
    names = [a.symbol.name for a in ir.step]
    assert names[:5] == ["lr", "mu_t", "mu_next", "m_schedule", "m_schedule_next"]
    assert ir.scalar_state == ("m_schedule",)
    assert "m_schedule" not in element_text(ir)


def test_common_subexpressions_are_computed_once():
    ir = build_ir(SPECS["adam"].variant(amsgrad=True))
    temps = {a.symbol: a.expr for a in ir.temporaries}
    outputs = dict(ir.outputs)
    # new m and new v are temporaries reused by the parameter update and vhat
    assert outputs["m"] in temps and outputs["v"] in temps
    assert outputs["m"] in outputs["p"].free_symbols


def test_sequential_equations_use_the_values_of_their_time():
    # Adadelta uses the NEW accumulator and the OLD delta_accumulator in its update
    ir = build_ir(SPECS["adadelta"].variants()[0])
    p = ir.outputs[-1][1]
    temps = {a.symbol: a.expr for a in ir.temporaries}
    expanded = p.xreplace(temps).xreplace(temps).xreplace(temps)
    assert sp.Symbol("delta_accumulator", real=True) in expanded.free_symbols
    assert sp.Symbol("accumulator", real=True) in expanded.free_symbols
    # old accumulator appears only through rho*accumulator + (1-rho)*g**2
    assert "accumulator*rho" in str(expanded)


def test_ir_is_deterministic():
    for spec in SPECS.values():
        for v in spec.variants():
            assert repr(build_ir(v)) == repr(build_ir(v))


@pytest.mark.parametrize("module", sorted(SPECS))
def test_numpy_element_programs_write_in_place_with_few_buffers(module):
    for v in SPECS[module].variants():
        ir = build_ir(v)
        arrays = ["p", "g", *ir.state]
        # as the backend lowers it: the weight decay is a pass of its own, only when it is on,
        # and one program per branch of a per-step condition (RAdam's)
        for _, temporaries, outputs in condition_cases(*ir.array_program()):
            masks = [a.symbol.name for a in ir.masks]  # per-element conditions (Rprop's)
            scalars = set(ir.element_scalars) | {a.symbol.name for a in ir.tensor}  # Lamb's ratio
            prog = lower_element_program(temporaries, outputs, arrays, {"p", *ir.state}, scalars, masks)
            for line in numpy_dialect.lines(prog):
                assert re.match(r"np\.\w+\(.*, out=\w+\)$", line) or line.startswith("np.copyto("), line
                assert "out=g)" not in line, "the gradient must never be overwritten"
                # a power by a hyperparameter (Ftrl's n**-learning_rate_power) is np.power
                assert not re.search(r"np\.power\(\w+, [0-9.]+", line), "small powers are squares"
            assert prog.scratch <= 3, (module, prog.scratch)
            # Ftrl's rule is longer: two powers, the shrinkage term and l1's clip (18 passes)
            # and Adafactor's factored rule: its row and column means, and the second moment
            # rebuilt from them (17)
            longer = {"ftrl": 18, "adafactor": 17}
            assert prog.passes <= longer.get(module, 16), (module, prog.passes)


def test_scalar_printer_output():
    x, y = sp.symbols("x y", real=True)
    assert print_scalar(x**2) == "x*x"
    assert print_scalar(sp.sqrt(x)) == "math.sqrt(x)"
    # max and min keep a NaN wherever it is, as numpy.maximum and the C kernels' ocg_max do
    # (the builtins keep it only when it comes first)
    for function, values in ((sp.Max, (1.0, 2.0)), (sp.Min, (2.0, 1.0))):
        code = print_scalar(function(x, y))
        assert eval(code, {"x": values[0], "y": values[1]}) == (2.0 if function is sp.Max else 1.0)
        for nan_first in (True, False):
            env = {"x": math.nan, "y": 1.0} if nan_first else {"x": 1.0, "y": math.nan}
            assert math.isnan(eval(code, env)), (code, env)
    assert print_scalar(sp.Rational(24, 25)) == "24/25"


@pytest.mark.parametrize(
    "text",
    ["x/y**2", "x**2/y**2", "x/(y + z)**2", "-x/y**3", "3/y**4", "x/(y**2*z)", "x*y**2/z**2"],
)
def test_a_power_printed_as_a_product_divides_as_one(text):
    """SymPy parenthesizes a lone denominator as a power, which binds tighter than '/': a
    square printed as y*y read x/y**2 as x/y*y (that is x) in the C and host printers."""
    import math

    from generator.printers.c import print_c
    from generator.printers.python import StepPrinter

    x, y, z = sp.symbols("x y z", real=True)
    expr = sp.sympify(text, locals={"x": x, "y": y, "z": z})
    values = {"x": 1.7, "y": 0.3, "z": 2.9}
    expected = float(expr.subs({x: 1.7, y: 0.3, z: 2.9}))
    # the double C printer's output is also Python for these: our own text, not spec text
    for printed in (print_c(expr, "double"), print_scalar(expr), StepPrinter().doprint(expr)):
        namespace = {"sqrt": math.sqrt, "pow": math.pow, **values}
        value = eval(printed.replace("step_math.", "").replace("math.", ""), namespace)
        assert value == pytest.approx(expected, rel=1e-14), (text, printed)


def test_literals_are_exact_rationals():
    assert parse_value("0.96", lambda n: None, {}) == sp.Rational(24, 25)
    assert parse_value("1e-7", lambda n: None, {}) == sp.Rational(1, 10**7)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "open('x')",
        "g.__class__",
        "[g for g in g]",
        "f'{g}'",
        "g if g else g",
        "(x := 1)",
        "g[0]",
        "*g",
        "1e400",
        "((" * 200 + "g" + "))" * 200,
    ],
)
def test_hostile_expressions_are_refused(text):
    g = sp.Symbol("g", real=True)
    with pytest.raises(ExprError):
        parse_value(text, lambda n: g if n == "g" else (_ for _ in ()).throw(ExprError(n)), {})


def test_torch_fuses_scaled_accumulations_into_add_addcmul_addcdiv():
    from generator.printers.arrays import Instr
    from generator.printers.torch import fuse_accumulations

    def i(func, args, out):
        return Instr(func, tuple(args), tuple(a.startswith("c") for a in args), out)

    adam_v = [i("square", ["g"], "_s0"), i("multiply", ["_s0", "c1"], "_s0"), i("multiply", ["v", "c2"], "v"), i("add", ["_s0", "v"], "v")]
    assert fuse_accumulations(adam_v, ["_s0"]) == [adam_v[2], Instr("addcmul", ("v", "g", "g", "c1"), (False, False, False, True), "v")]
    # the product is read again after the add: nothing is fused
    kept = adam_v + [i("add", ["p", "_s0"], "p")]
    assert [x.func for x in fuse_accumulations(kept, ["_s0"])] == ["square", "multiply", "multiply", "add", "add"]
    # an operand is overwritten between its read and the add: not fused either
    clobbered = [i("multiply", ["g", "c0"], "_s0"), i("multiply", ["g", "c3"], "g"), i("add", ["_s0", "m"], "m")]
    assert [x.func for x in fuse_accumulations(clobbered, ["_s0"])] == ["multiply", "multiply", "add"]
    quotient = [i("divide", ["m", "_s0"], "_s0"), i("multiply", ["_s0", "c2"], "_s0"), i("add", ["p", "_s0"], "p")]
    assert fuse_accumulations(quotient, ["_s0"]) == [Instr("addcdiv", ("p", "m", "_s0", "c2"), (False, False, False, True), "p")]


def test_a_temporary_read_by_two_equations_stays_one_named_value():
    # Adadelta's delta feeds the parameter and delta_accumulator: computed once, as Keras does,
    # and squared as a value (substituted, SymPy would expand delta**2 into g**2*(d+eps)/(a+eps))
    ir = build_ir(SPECS["adadelta"].variants()[0])
    delta = sp.Symbol("delta", real=True)
    assert [a.symbol for a in ir.temporaries].count(delta) == 1
    outputs = dict(ir.outputs)
    assert delta in outputs["p"].free_symbols and delta in outputs["delta_accumulator"].free_symbols
    # Lion's c and Nadam's m_bar are read once: substituted, so the printers may fold them
    for module, name in (("lion", "c"), ("nadam", "m_bar")):
        for variant in SPECS[module].variants():
            assert name not in {a.symbol.name for a in build_ir(variant).temporaries}


def test_named_temporaries_are_the_last_value_of_a_name_and_per_element(tmp_path):
    from generator.model import load_spec

    text = (ROOT / "specs" / "adadelta.yaml").read_text(encoding="utf-8")
    update = text[text.index("update:") : text.index("references:")]

    def lowered(equations):
        path = tmp_path / "adadelta.yaml"
        path.write_text(text.replace(update, "update:\n" + "".join(f"  - {e}\n" for e in equations)))
        return build_ir(load_spec(path).variants()[0])

    base = ["accumulator = rho*accumulator + (1 - rho)*g**2"]
    reassigned = lowered(base + ["u = g/sqrt(accumulator + epsilon)", "u = 2*u", "p = p - lr*u", "delta_accumulator = u**2 + u"])
    # only the last value is named (the first is substituted into it): one name, one value
    (last,) = [a for a in reassigned.temporaries if a.symbol.name == "u"]
    assert "u" not in {s.name for s in last.expr.free_symbols} and "2" in str(last.expr)
    per_step = lowered(base + ["u = 1 - rho**t", "p = p - lr*u*g", "delta_accumulator = u*delta_accumulator"])
    assert not any(a.symbol.name == "u" for a in per_step.temporaries)
    kept = lowered(base + ["u = g/sqrt(accumulator + epsilon)", "p = p - lr*u", "delta_accumulator = u**2"])
    temps = [a.symbol.name for a in kept.temporaries]
    assert "u" in temps
    # every temporary comes after the ones it reads
    for i, a in enumerate(kept.temporaries):
        later = {b.symbol for b in kept.temporaries[i:]}
        assert not (a.expr.free_symbols & later)


# ---------------------------------------------------------------------------- weight decay


def _toy_ir(update_p: str):
    from generator.model.reader import parse_spec

    text = (
        "name: Toy\ndescription: A toy.\nhyperparameters:\n"
        "  learning_rate: {default: 0.1, doc: Rate.}\n"
        "  beta: {default: 0.5, doc: Factor.}\n"
        "state:\n  m: {doc: Momentum.}\n"
        f"update:\n  - m = beta*m + g\n  - {update_p}\n"
    )
    return build_ir(parse_spec(text, "specs/toy.yaml", "toy").variants()[0])


def test_weight_decay_is_one_per_step_factor_of_p():
    """Keras 3's decay scales p before the update: the element program reads p times one
    hoisted per-step value, 1 - lr*weight_decay, named last (the other names keep theirs)."""
    for spec in SPECS.values():
        for variant in spec.variants():
            ir = build_ir(variant)
            if "weight_decay" not in spec.common:
                assert ir.weight_decay_factor is None, spec.module
                continue
            factor = next(a for a in ir.step if a.symbol.name == ir.weight_decay_factor)
            assert factor.expr == 1 - sp.Symbol("lr", real=True) * sp.Symbol("weight_decay", real=True)
            if spec.module == "ftrl":  # its shrinkage term 2*l2_shrinkage*p mixes the factor in
                assert not ir.weight_decay_separable
                continue
            # named last, but for what only the per-tensor reductions read (Lamb's factor**2:
            # they read p after the decay)
            after = ir.step[ir.step.index(factor) + 1 :]
            element = [a.expr for a in ir.temporaries] + [e for _, e in ir.outputs]
            assert not any(a.symbol in e.free_symbols for a in after for e in element), spec.module
            assert ir.weight_decay_separable, spec.module
            p_new = dict(ir.outputs)["p"]
            assert factor.symbol * sp.Symbol("p", real=True) in sp.Add.make_args(p_new), spec.module
            temporaries, outputs = ir.array_program()
            for expr in [a.expr for a in temporaries] + [e for _, e in outputs]:
                assert factor.symbol not in expr.free_symbols


def test_a_factor_mixed_into_other_per_step_values_stays_in_the_element_program():
    """p*beta*(...): the factor is hoisted with beta into one value, so p cannot be scaled in
    a pass of its own: the array backends then compute the whole program as it is."""
    ir = _toy_ir("p = beta*p - lr*m")
    assert ir.weight_decay_factor and not ir.weight_decay_separable
    assert ir.array_program() == (ir.temporaries, ir.outputs)
    hoisted = [a for a in ir.step if ir.weight_decay_factor in {s.name for s in a.expr.free_symbols}]
    assert hoisted, "the factor is read by a hoisted value"
    assert _toy_ir("p = p - lr*m").weight_decay_separable


def test_the_array_paths_scale_p_only_when_weight_decay_is_on():
    import generated.torch.adam as torch_adam
    import generated.numpy.adam as numpy_adam
    import inspect

    for module, call in ((torch_adam, "torch._foreach_mul_(p, "), (numpy_adam, "np.multiply(p, ")):
        source = inspect.getsource(module)
        assert re.search(r"if _c3_weight_decay_factor != 1\.0:.*\n\s+" + re.escape(call), source)


def test_a_sum_is_distributed_only_over_a_divisor():
    """torch's printer writes p + k*(c*g + m)/d as two addcdivs over d (computed once), and
    leaves any other factor of a sum alone (exp(v) would become e**v, recomputed per term)."""
    from generator.printers.torch import distribute_over_a_shared_factor

    p, g, m, v, c, k = sp.symbols("p g m v c k", real=True)
    shared = []
    out = distribute_over_a_shared_factor(p + k * (c * g + m) / (sp.sqrt(v) + c), {"c", "k"}, shared)
    (d,) = shared
    assert d.expr == sp.sqrt(v) + c
    assert sp.simplify(out.subs(d.symbol, d.expr) - (p + k * (c * g + m) / (sp.sqrt(v) + c))) == 0
    assert len(sp.Add.make_args(out)) == 3
    for other in (sp.exp(v), v, sp.sqrt(v)):
        expr = p + k * (c * g + m) * other
        assert distribute_over_a_shared_factor(expr, {"c", "k"}, []) == expr
