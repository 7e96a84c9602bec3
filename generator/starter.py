"""A way in for a new optimizer: ``new`` writes a commented starter spec, ``check`` validates
specs and prints each variant's update rule in plain text (what the generator understood)."""

from __future__ import annotations

import os
from pathlib import Path

import sympy as sp

from .errors import OutputError, SpecError
from .model import Spec
from .names import name_problem

STARTER = """\
# {name}: a new optimizer, one file. The language is documented in specs/README.md of
# optimizer-codegen; the shipped specs (python -m generator list) are examples.
#   python -m generator check {path}                      # what the generator understood
#   python -m generator build --specs {folder} --out mypackage  # NumPy, torch, C/CUDA, docs, tests
name: {cls}
description: |
  One sentence: what {cls} does.

  More paragraphs: where it comes from and when to use it.
hyperparameters:
  # Real arguments: a default, an optional domain (checked on every call) and a doc line.
  learning_rate: {{default: 0.001, domain: learning_rate >= 0, doc: Learning rate.}}
  beta: {{default: 0.9, domain: 0 <= beta < 1, doc: Decay of the moving averages.}}
  epsilon: {{default: 1.0e-7, domain: epsilon > 0, doc: Fuzz factor.}}
  # A flag (true/false) is fixed per variant at generation time, e.g.
  # nesterov: {{default: false, doc: Whether to apply Nesterov momentum.}}
state:
  # Arrays shaped like each parameter, starting at init.
  m: {{init: 0, doc: Moving average of the gradient.}}
  v: {{init: 0, doc: Moving average of the squared gradient.}}
update:
  # Per element, in order. Built in: p (parameter), g (gradient after clipping), t (step,
  # 1 first), lr (learning_rate after Keras 2.3's decay). Each line assigns state or p.
  - m = beta*m + (1 - beta)*g
  - v = beta*v + (1 - beta)*g**2
  - p = p - lr*m/(sqrt(v) + epsilon)
references:
  - title: Where the algorithm comes from
    url: https://example.org/paper
"""


def class_name(module: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in module.split("_"))


def write_starter(module: str, folder: Path) -> Path:
    """``folder/<module>.yaml``, never over an existing file."""
    problem = name_problem(module, "module")
    if problem:
        raise OutputError(f"new {module}: {problem}")
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"--specs {folder} is not a folder")
    path = folder / f"{module}.yaml"
    if os.path.lexists(path):
        raise OutputError(f"{path} already exists; the starter does not overwrite it")
    text = STARTER.format(
        name=module, cls=class_name(module), path=path.as_posix(), folder=folder.as_posix()
    )
    _refuse_what_the_build_would(module, text, path)
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": fail rather than replace a file
        handle.write(text)
    return path


def _refuse_what_the_build_would(module: str, text: str, path: Path) -> None:
    """The starter for ``module`` as ``check`` takes it, with the folder's other specs that
    load (its class name reserved, its name or an output's another spec's), before anything
    is written."""
    from .build import check_specs, load_spec_files, spec_paths
    from .model import parse_spec

    others = []
    if path.parent.is_dir():
        try:  # a folder whose specs do not load yet: the starter alone
            others = load_spec_files(spec_paths([path.parent]), Path.cwd())
        except SpecError:
            others = []
    files = {s.module: (Path.cwd() / s.path).resolve() for s in others}
    try:
        starter = parse_spec(text, path.as_posix(), module)
        check_specs([*others, starter], files | {module: path.resolve()})
    except SpecError as error:
        raise OutputError(f"new {module}: the build would refuse it: {error}") from None


def describe(spec: Spec) -> str:
    """The spec as the generator reads it: arguments, and each variant's equations."""
    lines = [f"{spec.path}: ok: {spec.name} (keras name {spec.keras_name!r})"]
    args = [f"{h.name}={h.default!r}" for h in spec.hyperparameters] + [f"{c}" for c in spec.common]
    lines.append("  arguments: " + ", ".join(args))
    for variant in spec.variants():
        flags = ", ".join(f"{n}={v}" for n, v in variant.flags)
        lines.append(f"  {'variant ' + flags if flags else 'update rule'}:")
        lines.append(f"    once per step: lr = {sp.sstr(spec.lr_equation.expr)}")
        for eq in variant.step:
            lines.append(f"    once per step: {eq.target} = {sp.sstr(eq.expr)}")
        for r in spec.reductions:
            lines.append(
                f"    {r.op} over each {'tensor' if r.scope == 'tensor' else 'step'}: {r.name} = {r.op}({sp.sstr(r.expr)})"
            )
        for eq in variant.update:
            lines.append(f"    per element: {eq.target} = {sp.sstr(eq.expr)}")
    return "\n".join(lines)


def missing(path: Path) -> SpecError:
    return SpecError(str(path), None, "no such spec file")
