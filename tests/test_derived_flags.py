"""Derived flags (``derived_flags:``, RMSprop's ``momentum_on: momentum > 0``): a flag that a
hyperparameter's value sets. It picks the variant and its state at construction on every
backend, is no constructor argument, is kept in checkpoints, and an assignment that would
change it is refused, naming it; the spec's mistakes are errors with their line. Also: flags
declared out of alphabetical order each pick their own kernel (they were swapped before)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from generator import SpecError
from generator.model import parse_spec
from generator.verify import reference, testing

torch = pytest.importorskip("torch")

import generated.numpy as GN  # noqa: E402
import generated.torch as GT  # noqa: E402

REFUSED = re.escape("would turn momentum_on (momentum > 0)")


# ---------------------------------------------------------------- construction and assignment


def test_numpy_derives_the_variant_and_refuses_an_assignment_across_it():
    p = np.ones(4)
    for momentum, state in ((0.0, ["accumulator"]), (0.9, ["accumulator", "momentum_buffer"])):
        opt = GN.RMSprop(momentum=momentum)
        opt.apply_gradients([(np.ones(4), p)])
        assert sorted(opt.state_of(p)) == state
    opt = GN.RMSprop(momentum=0.9)
    opt.momentum = 0.5  # the same side: the next step reads it
    assert opt.momentum == 0.5
    with pytest.raises(ValueError, match=REFUSED + " off"):
        opt.momentum = 0.0
    assert opt.momentum == 0.5  # nothing changed
    with pytest.raises(ValueError, match=REFUSED + " on"):
        GN.RMSprop().momentum = 0.1
    with pytest.raises(TypeError, match="momentum_on"):
        GN.RMSprop(momentum_on=True)  # not an argument
    config = GN.RMSprop(momentum=0.9, centered=True).get_config()
    assert "momentum_on" not in config and config["momentum"] == 0.9
    assert GN.RMSprop.from_config(config).get_config() == config


def test_checkpoints_carry_the_derived_flag_and_refuse_the_other_variant():
    p = np.ones(3)
    opt = GN.RMSprop(momentum=0.9)
    opt.apply_gradients([(np.full(3, 0.5), p)])
    saved = opt.export_state([p])
    assert saved["flags"] == {"centered": False, "momentum_on": True}
    GN.RMSprop(momentum=0.3).import_state(saved, [p.copy()])
    with pytest.raises(ValueError, match="momentum_on"):
        GN.RMSprop().import_state(saved, [p.copy()])
    # a checkpoint from before RMSprop had flags names none: they had their defaults
    plain = GN.RMSprop()
    plain.apply_gradients([(np.full(3, 0.5), p)])
    old = {**plain.export_state([p]), "flags": {}}
    GN.RMSprop().import_state(old, [p.copy()])
    GT.RMSprop([torch.ones(3, dtype=torch.float64, requires_grad=True)]).import_state(old)
    for refusing in (GN.RMSprop(momentum=0.5), GN.RMSprop(centered=True)):
        with pytest.raises(ValueError, match="the checkpoint is of rmsprop with {}"):
            refusing.import_state(old, [p.copy()])
    # torch reads the same checkpoint, and refuses it where momentum is 0
    q = torch.ones(3, dtype=torch.float64, requires_grad=True)
    GT.RMSprop([q], momentum=0.3).import_state(saved)
    with pytest.raises(ValueError, match="momentum_on"):
        GT.RMSprop([q]).import_state(saved)


def test_torch_takes_a_change_before_the_first_step_as_torch_optim_does():
    """torch.optim.RMSprop makes its momentum buffer at a group's first step, from the
    momentum then: OneCycleLR(cycle_momentum=True) sets momentum 0.95 on a momentum=0
    optimizer before it, and torch.optim's keeps a buffer. So does ours."""
    early = GT.RMSprop([torch.ones(2, requires_grad=True)])
    early.param_groups[0]["momentum"] = 0.9  # before the first step: exported as it will run
    assert early.export_state()["flags"] == {"centered": False, "momentum_on": True}
    made = []
    for cls, kwargs in ((GT.RMSprop, {}), (torch.optim.RMSprop, {"alpha": 0.9, "eps": 1e-7})):
        p = torch.ones(3, dtype=torch.float64, requires_grad=True)
        opt = cls([p], lr=0.01, **kwargs)
        scheduler = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10)
        for step in range(5):
            p.grad = torch.full_like(p, 0.5 - step / 10)
            opt.step()
            scheduler.step()
        made.append((p.detach(), opt))
    (ours, opt), (theirs, torch_opt) = made
    torch.testing.assert_close(ours, theirs, rtol=1e-12, atol=0)
    assert (
        opt.param_groups[0]["momentum_on"]
        and "momentum_buffer" in opt.state[opt.param_groups[0]["params"][0]]
    )
    torch.testing.assert_close(
        opt.state[opt.param_groups[0]["params"][0]]["momentum_buffer"],
        torch_opt.state[torch_opt.param_groups[0]["params"][0]]["momentum_buffer"],
        rtol=1e-12,
        atol=0,
    )


def test_torch_refuses_a_group_change_across_it_before_anything_changes():
    p = torch.ones(3, dtype=torch.float64, requires_grad=True)
    opt = GT.RMSprop([p], lr=0.1, momentum=0.9)
    p.grad = torch.full_like(p, 0.5)
    opt.step()
    before = p.detach().clone(), {k: v.clone() for k, v in opt.state[p].items()}
    opt.param_groups[0]["momentum"] = 0.0
    with pytest.raises(ValueError, match=REFUSED + " off"):
        opt.step()
    assert torch.equal(p, before[0])
    assert all(torch.equal(opt.state[p][k], v) for k, v in before[1].items())
    opt.param_groups[0]["momentum"] = 0.5  # the same side is a plain change
    opt.step()
    with pytest.raises(ValueError, match="which momentum sets"):
        opt.add_param_group({"params": [torch.ones(2, requires_grad=True)], "momentum_on": True})
    assert len(opt.param_groups) == 1
    # a state dict brings its groups' values: one that contradicts its derived flag is refused
    state = opt.state_dict()
    state["param_groups"][0]["momentum"] = 0.0
    with pytest.raises(ValueError, match=REFUSED + " off"):
        opt.load_state_dict(state)  # its parameters have state
    with pytest.raises(ValueError, match=REFUSED + " off"):
        GT.RMSprop([p], momentum=0.9).load_state_dict(state)  # a group of step 2
    # its value picks the update rule: a tensor (read without a check by a graph step) is not
    # taken for it, as a number is
    with pytest.raises(TypeError, match="give it as a Python number"):
        GT.RMSprop([torch.ones(2, requires_grad=True)], momentum=torch.tensor([0.5]))


def test_keras_and_optax_derive_it_at_construction():
    keras_backend = pytest.importorskip("generated.keras")
    opt = keras_backend.RMSprop(momentum=0.9, centered=True)
    assert "momentum_on" not in opt.get_config()
    with pytest.raises(ValueError, match=REFUSED + " off"):
        opt.momentum = 0.0
    opt.momentum = 0.2
    assert opt.momentum == 0.2
    # a saved optimizer of another flag combination with as many variables is refused
    import keras

    variables = [keras.Variable(np.ones(3))]
    centered = keras_backend.RMSprop(centered=True)
    with_momentum = keras_backend.RMSprop(momentum=0.9)
    centered.build(variables)
    with_momentum.build(variables)
    store = {}
    centered.save_own_variables(store)
    assert len(store) - 1 == len(with_momentum.variables)  # the same count: only the flags tell
    with pytest.raises(ValueError, match="nothing was loaded"):
        with_momentum.load_own_variables(store)
    twin = keras_backend.RMSprop(centered=True)
    twin.build(variables)
    twin.load_own_variables(store)
    optax_backend = pytest.importorskip("generated.optax")
    jnp = pytest.importorskip("jax.numpy")
    for momentum, buffer in ((0.0, False), (0.9, True)):
        state = optax_backend.rmsprop(momentum=momentum).init([jnp.ones(3)])
        assert (state.momentum_buffer is not None) is buffer


# ------------------------------------------------------------------------- the spec language

TOY = """\
name: Toy
description: Flags out of alphabetical order, and a derived flag.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Learning rate.}
  zeta: {default: false, doc: Doubles the step.}
  boost: {default: 1.0, domain: boost >= 0, doc: The step's factor above 2.}
  alpha: {default: false, doc: Negates the step.}
derived_flags:
  boosted: {value: boost >= 2, doc: The step is boosted.}
state:
  v: {init: 0, when: boosted, doc: The last boosted step.}
update:
  - eq: v = boost*g
    when: boosted
  - p = p - lr*(2 if zeta else 1)*(-1 if alpha else 1)*(v if boosted else g)
"""

ARGUMENTS = [
    dict(zeta=True),
    dict(alpha=True),
    dict(zeta=True, alpha=True, boost=3.0),
    dict(boost=2.0),
    dict(boost=1.5, alpha=True),
]


@pytest.fixture(scope="module")
def toy_package(tmp_path_factory):
    with testing.user_package(tmp_path_factory.mktemp("toy"), {"toy": TOY}, "toypkg") as folder:
        yield folder


@pytest.mark.parametrize(
    "arguments", ARGUMENTS, ids=lambda a: "-".join(f"{k}{v}" for k, v in a.items())
)
def test_every_backend_picks_the_variant_of_its_arguments(toy_package, arguments):
    import importlib

    spec = parse_spec(TOY, "specs/toy.yaml", "toy")
    hyper = {h.name: arguments.get(h.name, h.default) for h in spec.reals}
    flags = {h.name: arguments.get(h.name, h.default) for h in spec.flags}
    flags.update(spec.derived_flag_values(hyper))
    params, grads = testing.problem(steps=3)
    expected = reference.run(spec, flags, hyper, params, grads).params

    numpy_cls = importlib.import_module("toypkg.numpy").Toy
    for fused in (False, True):
        got = [p.copy() for p in params]
        opt = numpy_cls(**arguments, fused=fused)
        for step in grads:
            opt.apply_gradients(zip(step, got))
        for a, b in zip(got, expected):
            np.testing.assert_allclose(a, b, rtol=1e-14)
    torch_cls = importlib.import_module("toypkg.torch").Toy
    for path in ({"foreach": False}, {"foreach": True}, {"fused": True}):
        tensors = [torch.tensor(p, requires_grad=True) for p in params]
        opt = torch_cls(
            tensors,
            **{("lr" if k == "learning_rate" else k): v for k, v in arguments.items()},
            **path,
        )
        for step in grads:
            for t, g in zip(tensors, step):
                t.grad = torch.tensor(g)
            opt.step()
        for a, b in zip(tensors, expected):
            np.testing.assert_allclose(a.detach().numpy(), b, rtol=1e-14)
    pytest.importorskip("generator.verify.testing_optax")  # float64 JAX (jax_enable_x64)
    optax_backend = pytest.importorskip("toypkg.optax")
    import jax.numpy as jnp
    import optax

    tx = optax_backend.toy(**arguments)
    arrays = [jnp.asarray(p) for p in params]
    state = tx.init(arrays)
    for step in grads:
        updates, state = tx.update([jnp.asarray(g) for g in step], state, arrays)
        arrays = optax.apply_updates(arrays, updates)
    for a, b in zip(arrays, expected):
        np.testing.assert_allclose(np.asarray(a), b, rtol=1e-14)


def test_the_toy_s_variants_and_their_test_values():
    spec = parse_spec(TOY, "specs/toy.yaml", "toy")
    assert spec.variant_flags == ("alpha", "boosted", "zeta")
    assert len(spec.variants()) == 8
    assert spec.variant().flag_dict == {"alpha": False, "boosted": False, "zeta": False}
    # the tests move boost to a value that gives the variant they test
    own, hyper = spec.arguments_for(
        {"boosted": True, "zeta": True}, {"learning_rate": 0.1, "boost": 1.0}
    )
    assert own == {"zeta": True} and hyper["boost"] >= 2
    own, hyper = spec.arguments_for({"boosted": False}, {"learning_rate": 0.1, "boost": 5.0})
    assert own == {} and hyper["boost"] < 2


BASE = """\
name: Toy
description: A toy.
hyperparameters:
  learning_rate: {default: 0.1, domain: learning_rate >= 0, doc: Learning rate.}
  momentum: {default: 0.0, domain: 0 <= momentum < 1, doc: Momentum.}
  rho: {default: 0.5, doc: Anything.}
derived_flags:
  momentum_on:
    value: momentum > 0
    doc: A buffer.
state:
  b: {init: 0, when: momentum_on, doc: Buffer.}
update:
  - eq: b = momentum*b + g
    when: momentum_on
  - p = p - lr*(b if momentum_on else g)
"""

ERRORS = [
    # (old text, new text, line, words in the message)
    (
        "value: momentum > 0",
        "value: learning_rate > 0",
        9,
        "not a real hyperparameter other than learning_rate",
    ),
    ("value: momentum > 0", "value: momentum > rho", 9, "compares 2 hyperparameters"),
    (
        "value: momentum > 0",
        "value: momentum > 1",
        9,
        "momentum > 1 is never True inside the domain of momentum 0 <= momentum < 1",
    ),
    ("value: momentum > 0", "value: momentum >= 0", 9, "is never False"),
    ("value: momentum > 0", "value: momentum", 9, "is not a comparison"),
    ("value: momentum > 0", "value: momentum > 0 or momentum < -1", 9, "'or' is not allowed"),
    ("value: momentum > 0", "value: momentum + 1", 9, "is not a comparison"),
    ("    doc: A buffer.\n", "", 9, "is missing 'doc'"),
    ("  momentum_on:\n", "  rho:\n", 8, "derived flag 'rho' clashes with the hyperparameter 'rho'"),
    ("  momentum_on:\n", "  class:\n", 8, "keyword"),
    (
        "    doc: A buffer.\n",
        "    doc: A buffer.\n    default: true\n",
        11,
        "unknown key 'default'",
    ),
    (
        "  - p = p - lr*(b if momentum_on else g)",
        "  - momentum_on = g\n  - p = p - lr*(b if momentum_on else g)",
        16,
        "cannot assign to 'momentum_on': it is a flag",
    ),
    # the hyperparameter itself against numbers: what the runtimes compare as floats
    ("value: momentum > 0", "value: 2*momentum > 0", 9, "with numbers, such as"),
    ("value: momentum > 0", "value: sqrt(momentum) > 0.5", 9, "with numbers, such as"),
    ("value: momentum > 0", "value: momentum > 1e308", 9, "is never True"),
    (
        "    doc: A buffer.\n",
        "    doc: A buffer.\n  big: {value: momentum > 0.5, doc: B.}\n",
        11,
        "momentum already sets a derived flag",
    ),
    (
        "    doc: A buffer.\n",
        "    doc: A buffer.\n  big: {value: rho > 1, doc: B.}\n",
        11,
        "derived flag 'big' is read by no state",
    ),
]


@pytest.mark.parametrize("old,new,line,words", ERRORS, ids=[e[3][:40] for e in ERRORS])
def test_a_wrong_derived_flag_names_its_line_and_problem(old, new, line, words):
    assert old in BASE, old
    parse_spec(BASE, "specs/toy.yaml", "toy")  # the base is valid
    with pytest.raises(SpecError) as info:
        parse_spec(BASE.replace(old, new, 1), "specs/toy.yaml", "toy")
    assert words in info.value.message, info.value.message
    assert info.value.line == line, str(info.value)


def test_a_threshold_near_a_domain_bound_is_reached():
    """A value is found inside the domain, between the threshold and the domain's bound."""
    text = BASE.replace("value: momentum > 0", "value: momentum > 0.9995")
    spec = parse_spec(text, "specs/toy.yaml", "toy")
    _, hyper = spec.arguments_for({"momentum_on": True}, {"momentum": 0.0, "rho": 0.5})
    assert 0.9995 < hyper["momentum"] < 1


def test_flags_and_derived_flags_count_together_against_the_limit():
    flags = "".join(f"  f{i}: {{default: false, doc: F.}}\n" for i in range(4))
    text = BASE.replace(
        "derived_flags:\n", flags + "derived_flags:\n  other_on: {value: rho > 1, doc: O.}\n"
    )
    with pytest.raises(SpecError, match="more than 5 flags and derived flags") as info:
        parse_spec(text, "specs/toy.yaml", "toy")
    assert info.value.line == 13  # momentum_on: the first derived flag over the limit
