"""Issue 14: the generator as a tool for another project, tried as a user would.

The checkout is built into a wheel and installed (not editable) into a fresh virtual
environment whose only view of this machine's packages is their site-packages folder (so
this checkout's editable install cannot shadow the wheel). In a folder outside the checkout,
a spec the project does not ship (Yogi) is built with ``--specs/--out``, imported, stepped
against the 50-digit reference with NumPy, torch and the fused C kernels built from the
package's own sources, and its generated tests run; a user's own files survive rebuilds, and
a foreign file where the build must write is refused with nothing written.
"""

from __future__ import annotations

import re

import ast
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

YOGI = """\
# Yogi (Zaheer et al., 2018): Adam whose second moment moves additively, by the sign of its
# distance to g**2; not shipped with optimizer-codegen.
name: Yogi
description: |
  Yogi optimizer.

  Adam with an additive second-moment update that controls the effective learning rate.
hyperparameters:
  learning_rate: {default: 0.01, domain: learning_rate >= 0, doc: Learning rate.}
  beta_1: {default: 0.9, domain: 0 < beta_1 < 1, doc: Decay of the first moment.}
  beta_2: {default: 0.999, domain: 0 < beta_2 < 1, doc: Decay of the second moment.}
  epsilon: {default: 1.0e-3, domain: epsilon > 0, doc: Fuzz factor.}
state:
  m: {init: 0, doc: First moment estimate.}
  v: {init: 1.0e-6, doc: Second moment estimate.}
update:
  - m = beta_1*m + (1 - beta_1)*g
  - v = v - (1 - beta_2)*sign(v - g**2)*g**2
  - p = p - lr*sqrt(1 - beta_2**t)/(1 - beta_1**t)*m/(sqrt(v) + epsilon)
references:
  - title: Adaptive Methods for Nonconvex Optimization
    url: https://papers.nips.cc/paper/8186-adaptive-methods-for-nonconvex-optimization
"""

STEP_AGAINST_REFERENCE = textwrap.dedent(
    """
    import numpy as np, torch, generator, myoptim
    from myoptim.numpy import Yogi as NumpyYogi
    from myoptim.torch import Yogi as TorchYogi
    from generator.verify import reference
    from generator.model import load_spec
    from pathlib import Path

    assert "site-packages" in generator.__file__, generator.__file__
    spec = load_spec(Path("specs/yogi.yaml"), Path.cwd())
    rng = np.random.default_rng(0)
    params0 = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    grads = [[rng.standard_normal(p.shape) for p in params0] for _ in range(20)]
    ref = reference.run(spec, {}, {h.name: h.default for h in spec.reals}, params0, grads)
    for fused in (False, True):
        params = [p.copy() for p in params0]
        opt = NumpyYogi(fused=fused)
        for step in grads:
            opt.apply_gradients(zip(step, params))
        for got, want in zip(params, ref.params):
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
        tensors = [torch.tensor(p, requires_grad=True) for p in params0]
        topt = TorchYogi(tensors, fused=fused)
        for step in grads:
            for t, g in zip(tensors, step):
                t.grad = torch.tensor(g)
            topt.step()
        for got, want in zip(tensors, ref.params):
            np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-10, atol=1e-12)
    native = Path(myoptim.__file__).parent / "cuda" / "yogi.c"
    print("ok", native.is_file())
    """
)


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    """A virtual environment with the checkout installed from a wheel, not editable."""
    base = tmp_path_factory.mktemp("user")
    wheels, env = base / "wheels", base / "env"
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)], base)
    run([sys.executable, "-m", "venv", "--without-pip", str(env)], base)
    python = env / "bin" / "python"
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], base).strip())
    # The machine's packages (numpy, torch, sympy, ...) by path only: a .pth line adds the folder
    # but runs none of its own .pth files, so the editable install of this checkout stays out.
    (site / "machine.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(wheels.glob("*.whl"))
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)], base)
    project = base / "project"
    project.mkdir()
    return python, project


def run(command, cwd, expect=0, env=None) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, env={**clean, **(env or {})})
    assert done.returncode == expect, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def generator(python, project, *args, expect=0) -> str:
    return run([str(python), "-m", "generator", *args], project, expect)


def test_a_user_builds_their_own_optimizer_into_their_own_package(environment):
    python, project = environment
    # the installed tool knows the shipped optimizers and finds no checkout here
    assert "Adam" in generator(python, project, "list")
    assert "build your specs with --specs DIR --out DIR" in generator(python, project, "build", expect=2)

    (project / "specs").mkdir()
    (project / "specs" / "yogi.yaml").write_text(YOGI)
    checked = generator(python, project, "check", "specs/yogi.yaml")
    assert "specs/yogi.yaml: ok: Yogi" in checked and "per element: v = " in checked

    built = generator(python, project, "build", "--specs", "specs", "--out", "myoptim")
    assert "in myoptim" in built
    assert "myoptim/ is up to date" in generator(python, project, "build", "--specs", "specs", "--out", "myoptim", "--check")
    # only the user's optimizer: the shipped ones come with --with-shipped
    registry = (project / "myoptim" / "numpy" / "__init__.py").read_text()
    assert "from .yogi import Yogi" in registry and "from .adam import" not in registry
    # the docstrings name the package's own files (its C library), not the checkout's
    numpy_source = (project / "myoptim" / "numpy" / "yogi.py").read_text()
    assert "myoptim/cuda/yogi.c" in numpy_source and "generated/" not in numpy_source
    # relative imports only: no module of the package imports a package by the project's names
    for path in (project / "myoptim").rglob("*.py"):
        if "tests" not in path.parts:
            for node in ast.walk(ast.parse(path.read_text())):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                names += [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
                assert not [n for n in names if n.split(".")[0] in ("generated", "myoptim", "generator")], path

    # the suite's kernel cache: yogi.c is the user's own, built here from the package's
    # sources; the torch extension (the same source in every package) is built once per run
    out = run([str(python), "-c", STEP_AGAINST_REFERENCE], project)
    assert "ok True" in out

    # float64, and the common arguments all off or all on: the other cases run the same
    # templates, tested on every shipped spec
    selection = "not float32 and not -clipnorm- and not -clipvalue- and not -decay-"
    tests = run([str(python), "-m", "pytest", "myoptim", "-q", "-x", "-p", "no:cacheprovider", "-k", selection], project)
    assert " passed" in tests and not re.search(r"\d+ (failed|error)", tests), tests[-2000:]

    if shutil.which("latexmk"):  # CI installs it; the PDF of the user's package, from its docs
        assert "wrote" in generator(python, project, "docs", "--out", "myoptim")
        assert (project / "myoptim" / "docs" / "optimizers.pdf").stat().st_size > 10_000


def test_a_users_own_files_survive_and_foreign_files_are_refused(environment):
    python, project = environment
    (project / "specs").mkdir(exist_ok=True)
    (project / "specs" / "yogi.yaml").write_text(YOGI)
    generator(python, project, "build", "--specs", "specs", "--out", "mine")
    (project / "mine" / "notes.md").write_text("my notes\n")
    (project / "mine" / "numpy" / "helpers.py").write_text("HELP = 1\n")
    (project / "specs" / "yogi.yaml").write_text(YOGI.replace("default: 0.01,", "default: 0.02,"))
    generator(python, project, "build", "--specs", "specs", "--out", "mine")
    assert (project / "mine" / "notes.md").read_text() == "my notes\n"
    assert (project / "mine" / "numpy" / "helpers.py").read_text() == "HELP = 1\n"
    assert "0.02" in (project / "mine" / "numpy" / "yogi.py").read_text()

    # a file the build must write, but that the user wrote: refused, nothing written
    (project / "mine" / "torch" / "yogi.py").write_text("# my own torch Yogi\n")
    before = {p: p.read_bytes() for p in (project / "mine").rglob("*") if p.is_file()}
    (project / "specs" / "yogi.yaml").write_text(YOGI.replace("default: 0.01,", "default: 0.03,"))
    refused = generator(python, project, "build", "--specs", "specs", "--out", "mine", expect=2)
    assert "mine/torch/yogi.py is in the way" in refused and "nothing was written" in refused
    assert {p: p.read_bytes() for p in (project / "mine").rglob("*") if p.is_file()} == before

    # an --out that is a file, or not an identifier, is refused
    (project / "afile").write_text("x")
    assert "is not a folder" in generator(python, project, "build", "--specs", "specs", "--out", "afile", expect=2)
    assert "must be a Python identifier" in generator(python, project, "build", "--specs", "specs", "--out", "my-optim", expect=2)


def test_new_writes_a_starter_that_builds(environment):
    python, project = environment
    folder = project / "starter"
    folder.mkdir()
    assert "wrote specs/lookahead_sgd.yaml" in generator(python, folder, "new", "lookahead_sgd")
    assert "already exists" in generator(python, folder, "new", "lookahead_sgd", expect=2)
    assert "LookaheadSgd" in generator(python, folder, "check", "specs/lookahead_sgd.yaml")
    generator(python, folder, "build", "--out", "pkg", "--with-shipped")
    registry = (folder / "pkg" / "torch" / "__init__.py").read_text()
    assert "from .lookahead_sgd import LookaheadSgd" in registry and "from .adam import Adam" in registry
    bad = folder / "specs" / "broken.yaml"
    bad.write_text(YOGI.replace("  - m = beta_1*m + (1 - beta_1)*g\n", "  - m = beta_1*m + (1 - beta_1)*q\n"))
    error = generator(python, folder, "check", "specs/broken.yaml", expect=2)
    assert error.startswith("error: specs/broken.yaml:") and "unknown symbol 'q'" in error and "Traceback" not in error


def test_check_and_new_refuse_what_the_build_refuses(environment):
    """A spec `check` passes builds: a file name that makes a shared output's name, or a class
    name the generator reserves, is refused by `new` (writing nothing) and by `check`, as by
    `build`, whose message names the user's package folder; an empty spec folder is an error,
    not a crash."""
    python, project = environment
    folder = project / "refusals"
    folder.mkdir()
    for name, message in [
        ("index", "docs/md/index.md would also be a shared file"),
        ("optimizers", "would also be a shared file"),
        ("x", "name 'X' is reserved"),
    ]:
        error = generator(python, folder, "new", name, expect=2)
        assert f"error: new {name}: the build would refuse it: specs/{name}.yaml" in error, error
        assert message in error and "Traceback" not in error, error
        assert not (folder / "specs").exists()
    (folder / "specs").mkdir()
    (folder / "specs" / "index.yaml").write_text(YOGI.replace("name: Yogi", "name: Index", 1))
    error = generator(python, folder, "check", "specs/index.yaml", expect=2)
    assert error.startswith("error: specs/index.yaml: docs/md/index.md would also be"), error
    error = generator(python, folder, "build", "--specs", "specs", "--out", "pkg", expect=2)
    assert error.startswith("error: specs/index.yaml: pkg/docs/md/index.md would also be"), error
    # with the folder's other specs: one name twice, an output name another spec's
    (folder / "specs" / "index.yaml").unlink()
    (folder / "specs" / "a.yaml").write_text(YOGI)
    (folder / "specs" / "b.yaml").write_text(YOGI)
    error = generator(python, folder, "check", "specs/a.yaml", "specs/b.yaml", expect=2)
    assert error.startswith("error: specs/b.yaml: name 'yogi' is already used by specs/a.yaml"), error
    (folder / "specs" / "b.yaml").unlink()
    (folder / "specs" / "torch_foo.yaml").write_text(YOGI.replace("name: Yogi", "name: TorchFoo", 1))
    error = generator(python, folder, "new", "foo", expect=2)
    assert "tests/test_torch_foo.py would also be a file of specs/torch_foo.yaml" in error, error
    assert not (folder / "specs" / "foo.yaml").exists()
    (folder / "empty").mkdir()
    error = generator(python, folder, "build", "--specs", "empty", "--out", "pkg", expect=2)
    assert "error: --specs empty: no spec files (*.yaml) there" in error, error
    assert not (folder / "pkg").exists()
