"""Names the generated code, its runtimes, torch.optim or the compilers' headers already use
are refused, each with its file and line; the list is derived from the templates and
printers, and checked here against the installed torch and compilers, so it cannot fall
behind them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator import SpecError, names
from generator.build import generate
from generator.model import parse_spec

ROOT = Path(__file__).resolve().parent.parent
BASE = (ROOT / "specs" / "adam.yaml").read_text()
STATE = "state:\n"
assert STATE in BASE


def as_hyperparameter(name):
    text = BASE.replace("hyperparameters:\n", f"hyperparameters:\n  {json.dumps(name)}:\n    default: 0.5\n    doc: x.\n", 1)
    return text, BASE.splitlines().index("hyperparameters:") + 2


def as_state(name):
    text = BASE.replace(STATE, STATE + f"  {json.dumps(name)}: {{init: 0, doc: x.}}\n", 1)
    return text, BASE.splitlines().index(STATE.rstrip("\n")) + 2  # the line after "state:"


def refusal(text):
    try:
        parse_spec(text, "specs/adam.yaml", "adam")
    except SpecError as err:
        return err
    return None


@pytest.mark.parametrize("where", [as_hyperparameter, as_state])
def test_every_reserved_name_is_refused_with_file_and_line(where):
    reserved = names.reserved()
    assert len(reserved) > 300
    accepted = []
    for name in sorted(reserved):
        if not names.SYMBOL.match(name):
            continue  # upper case or leading underscore: refused for that (tested below)
        text, line = where(name)
        err = refusal(text)
        if err is None or err.line != line or name not in err.message:
            accepted.append((name, err))
    assert not accepted, accepted[:10]


# The names issue 11 reported, each of which broke or silently changed the generated code.
# The reported names (issue 11), with the generated code's parameter names of today: the step
# functions' ``hyper`` and the element code's ``scalars`` (they were ``h`` and ``k``).
REPORTED = ["initial_lr", "iterations", "params", "maximize", "foreach", "fused", "hyper", "super", "scalar_state", "scalars", "self", "np", "torch", "math"]


@pytest.mark.parametrize("name", REPORTED)
@pytest.mark.parametrize("where", [as_hyperparameter, as_state])
def test_the_reported_names_are_refused(where, name):
    text, line = where(name)
    err = refusal(text)
    assert err is not None and err.line == line and "reserved" in err.message, err


@pytest.mark.parametrize("name", ["M_PI", "NAN", "HD", "OCG_CHUNK", "INT64_MAX", "Kernel"])
def test_symbol_names_start_with_a_lowercase_letter(name):
    text, line = as_state(name)
    err = refusal(text)
    assert err is not None and err.line == line and "lowercase" in err.message


def test_the_names_of_the_shipped_specs_are_all_free():
    for path in sorted((ROOT / "specs").glob("*.yaml")):
        parse_spec(path.read_text(), f"specs/{path.name}", path.stem)


def test_a_name_a_template_starts_to_use_becomes_reserved(tmp_path, monkeypatch):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    host = templates / "host" / "host.py.j2"
    host.write_text(host.read_text() + "\n\ndef helper(brand_new_local):\n    return brand_new_local\n")
    runtime_copy = tmp_path / "runtime"
    shutil.copytree(ROOT / "generator" / "runtime", runtime_copy)
    runtime = runtime_copy / "torch" / "_runtime.py"
    runtime.write_text(runtime.read_text() + '\n\nGROUP_KEY = "brand_new_key"\n')
    assert names.name_problem("brand_new_local") is None and names.name_problem("brand_new_key") is None
    monkeypatch.setattr(names, "TEMPLATES", templates)
    monkeypatch.setattr(names, "RUNTIME", runtime_copy)
    names.reserved.cache_clear()
    try:
        assert "templates/host/host.py.j2" in names.name_problem("brand_new_local")
        assert "generator/runtime/torch/_runtime.py" in names.name_problem("brand_new_key")
        assert names.name_problem("brand_new_other") is None
    finally:
        names.reserved.cache_clear()


@pytest.mark.parametrize("stem", ["optimizers", "index", "example"])
def test_spec_files_named_like_shared_outputs_are_refused(tmp_path, stem):
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / f"{stem}.yaml").write_text(BASE.replace("name: Adam", f"name: {stem.title()}", 1))
    with pytest.raises(SpecError) as info:
        generate(tmp_path)
    assert str(info.value).startswith(f"specs/{stem}.yaml: generated/")
    assert "rename the spec file" in info.value.message


def test_two_specs_whose_files_clash_are_refused(tmp_path):
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "adam.yaml").write_text(BASE)
    (tmp_path / "specs" / "torch_adam.yaml").write_text(BASE.replace("name: Adam", "name: TorchAdam", 1))
    with pytest.raises(SpecError, match="tests/test_torch_adam.py would also be a file of specs/adam.yaml"):
        generate(tmp_path)


# ---------------------------------------------------------------- what others own


def test_every_param_group_key_of_the_installed_torch_is_reserved():
    import torch

    optim = Path(torch.__file__).parent / "optim"
    keys = set()
    for name in ("lr_scheduler.py", "swa_utils.py", "optimizer.py"):
        source = (optim / name).read_text()
        keys |= set(re.findall(r"""(?:group|param_group|pg)\[["']([A-Za-z][A-Za-z0-9_]*)["']\]""", source))
        keys |= set(re.findall(r"""(?:group|param_group|pg)\.(?:setdefault|get)\(["']([A-Za-z][A-Za-z0-9_]*)["']""", source))
    assert {"initial_lr", "lr", "params"} <= keys, "the scan must find torch's keys"
    free = sorted(k for k in keys if k not in names.SHARED_ON_PURPOSE and names.name_problem(k) is None)
    assert not free, f"torch.optim uses these param-group keys, which specs may still use: {free}"


PROBE = "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
COMPILERS = [  # what each build of the kernels includes (see generated/_native.py)
    (["gcc", "-std=c99", "-fopenmp", "-x", "c"], '#include "ocg.h"\n#include <omp.h>\n'),
    (["g++", "-std=c++17", "-fopenmp", "-DOCG_CPU_SHIM", "-x", "c++"], '#include "ocg_cuda.h"\n'),
    (["nvcc", "-x", "cu", "-Xcompiler", "-dM"], '#include "ocg_cuda.h"\n'),
]


@pytest.mark.parametrize("command,include", COMPILERS, ids=["gcc", "g++ shim", "nvcc"])
def test_every_macro_the_kernels_see_is_refused(command, include, tmp_path):
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed")
    source = tmp_path / "probe.c"
    source.write_text(include + PROBE)
    flags = ["-E"] if command[0] == "nvcc" else ["-dM", "-E"]
    done = subprocess.run(command + ["-I", str(ROOT / "generated" / "cuda")] + flags + [str(source)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    macros = {m.group(1) for m in re.finditer(r"^#define ([A-Za-z_]\w*)", done.stdout, re.M)}
    assert "INFINITY" in macros, "the scan must see math.h"
    usable = sorted(m for m in macros if names.SYMBOL.match(m) and names.name_problem(m) is None)
    assert not usable, f"macros a spec name would be replaced by: {usable}"


@pytest.mark.parametrize("key,value", [("hyperparameter", "zz\n"), ("keras_name", "sgd\n"), ("name", "SGD\n")])
def test_a_name_with_a_trailing_newline_is_no_identifier(key, value):
    """A regular expression's "$" matches before a final newline: names are matched to their end."""
    if key == "hyperparameter":
        text, _ = as_hyperparameter(value)
    else:
        text = BASE.replace("name: Adam", "name: Adam\nkeras_name: adam" if key == "keras_name" else "name: Adam", 1)
        text = text.replace(f"{key}: {'adam' if key == 'keras_name' else 'Adam'}", f"{key}: {json.dumps(value)}", 1)
    err = refusal(text)
    assert err is not None and "not a valid identifier" in err.message, err


def test_names_inside_f_strings_count_alike_on_every_python():
    """Python 3.12 tokenizes an f-string into many tokens (PEP 701), 3.11 into one: the
    names are the same on both (on 3.12 a conversion's 'r' once became a reserved name, and
    Adafactor's state 'r' was refused on a GPU machine's Python 3.12). The variables a
    per-spec template's f-string reads count; attributes, conversions, format specs and the
    strings inside do not, and a runtime module's f-strings add nothing."""
    code = 'x = f"{a!r:>{width}} {b.c} {\'on\' if d else \'off\'} {f\'{e!s}\'}"\ny = "key"\n'
    assert names.python_names(code, runtime=False) == {"x", "a", "width", "b", "d", "e", "y", "key"}
    assert names.python_names(code, runtime=True) == {"key"}
