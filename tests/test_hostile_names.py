"""Names are untrusted input too: whatever names a spec gives its hyperparameters, state and
locals, the outcome is a file:line error or a package whose every backend runs and agrees
(a name the generated code or its runtime already uses once broke steps, silently, or made
whole modules fail to import)."""

from __future__ import annotations

import builtins
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator import SpecError
from generator.build import generate
from generator.model import parse_spec
from generator.render import write

ROOT = Path(__file__).resolve().parent.parent
NAME_SPEC = """\
name: Named
description: A spec whose names are drawn by hypothesis.
hyperparameters:
  learning_rate: {{default: 0.1, domain: learning_rate >= 0, doc: Learning rate.}}
  {hyper}: {{default: 0.5, domain: 0 < {hyper} < 1, doc: A coefficient.}}
state:
  {state}: {{init: 0, doc: A moment.}}
step:
  - {local} = 1 - {hyper}
update:
  - {state} = {hyper}*{state} + {local}*g
  - {element} = {state}*{state} + 1
  - p = p - lr*{state}/sqrt({element})
"""
RUN_NAMED = """
import json, numpy as np, torch
from generated.numpy import Named as N
from generated.torch import Named as T
rng = np.random.default_rng(0)
p0, grads = rng.standard_normal(7), rng.standard_normal((3, 7))
out = {}
for label, opt in (("numpy", N()), ("fused", N(fused=True))):
    p = p0.copy()
    for g in grads:
        opt.apply_gradients([(g, p)])
    out[label] = p.tolist()
for label, kwargs in (("loop", {"foreach": False}), ("foreach", {"foreach": True})):
    p = torch.nn.Parameter(torch.tensor(p0))
    opt = T([p], **kwargs)
    for g in grads:
        p.grad = torch.tensor(g)
        opt.step()
    out[label] = p.detach().tolist()
print(json.dumps(out))
"""
# Identifiers the generated code, Python and C use: the likeliest collisions, plus fresh ones.
VOCABULARY = sorted(
    {w for path in (ROOT / "generated").rglob("*") if path.suffix in (".py", ".c", ".cu", ".cuh", ".h")
     for w in re.findall(r"\b[a-z][A-Za-z0-9_]{0,20}\b", path.read_text())}
    | set(dir(builtins))
)
NAMES = st.sampled_from(VOCABULARY) | st.from_regex(r"\A[a-z][a-z0-9_]{0,8}\Z")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NAMES, min_size=4, max_size=4, unique=True))
@example(["coef", "moment", "decayed", "norm_sq"])  # free names: the package is built and run
def test_any_names_give_a_file_line_error_or_a_package_that_runs(tmp_path_factory, names):
    hyper, state, local, element = names
    text = NAME_SPEC.format(hyper=hyper, state=state, local=local, element=element)
    try:
        parse_spec(text, "specs/named.yaml", "named")
    except SpecError as err:
        assert err.line is not None and str(err).startswith(f"specs/named.yaml:{err.line}: "), err
        return
    root = tmp_path_factory.mktemp("named")
    (root / "specs").mkdir()
    (root / "specs" / "named.yaml").write_text(text)
    write(generate(root), root / "generated")
    # one kernel cache for every example: the torch runtime's C++ table is the same source
    # each time (built once, not per example); each spec's C library has its own hash
    cache = tmp_path_factory.getbasetemp() / "named-cache"
    env = {**os.environ, "PYTHONPATH": str(root), "OCG_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", RUN_NAMED], cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{names}: {done.stderr[-3000:]}"
    results = json.loads(done.stdout.strip().splitlines()[-1])
    for label in ("fused", "loop", "foreach"):
        np.testing.assert_allclose(results[label], results["numpy"], rtol=1e-12, err_msg=f"{names}: {label}")
