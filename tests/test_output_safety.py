"""Issue 14's safety promises for a user's build, attacked as a red-team pass did: the build
writes only its own files inside --out, refuses anything else in its way before writing, and
reads specs and names that cannot hang it or reach the generated code (all through the CLI,
in a scratch folder, so every error is a `file: message` and never a traceback)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.__main__ import main
from generator.paths import ROOT


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "sgd.yaml").write_text((ROOT / "specs" / "sgd.yaml").read_text())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli(capsys, *args) -> tuple[int, str]:
    code = main(list(args))
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out + out.err


def snapshot(folder: Path) -> dict:
    return {p: (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


def test_only_files_with_the_generators_own_header_are_replaced_or_deleted(project, capsys):
    assert cli(capsys, "build", "--out", "pkg")[0] == 0
    (project / "pkg" / "mine").mkdir()
    (project / "pkg" / "mine" / "settings.py").write_text("# settings — do not edit by hand\n")
    (project / "pkg" / "README.md").write_text("<!-- do not edit without asking Bob -->\n")
    vendored = project / "pkg" / "vendor" / "numpy"
    vendored.mkdir(parents=True)
    (vendored / "sgd.py").write_text((project / "pkg" / "numpy" / "sgd.py").read_text())
    (project / "specs" / "sgd.yaml").unlink()
    (project / "specs" / "adagrad.yaml").write_text((ROOT / "specs" / "adagrad.yaml").read_text())
    code, out = cli(capsys, "build", "--out", "pkg")
    assert code == 0 and "deleted pkg/numpy/sgd.py" in out
    assert (project / "pkg" / "mine" / "settings.py").exists() and (project / "pkg" / "README.md").exists()
    assert (vendored / "sgd.py").exists(), "a copy outside the build's folders is the user's"


@pytest.mark.parametrize("blocker", ["fifo", "file_for_folder", "edited", "folder_for_file"])
def test_anything_in_the_way_stops_the_build_before_it_writes(project, capsys, blocker):
    out = project / "pkg"
    if blocker == "edited":
        assert cli(capsys, "build", "--out", "pkg")[0] == 0
        (out / "torch" / "sgd.py").write_text("# my own version\n")
        path = out / "torch" / "sgd.py"
    else:
        out.mkdir()
        path = {"fifo": out / "__init__.py", "file_for_folder": out / "numpy", "folder_for_file": out / "_shared.py"}[blocker]
        if blocker == "fifo":
            os.mkfifo(path)
        elif blocker == "file_for_folder":
            path.write_text("x")
        else:
            path.mkdir()
    before = snapshot(out)
    code, text = cli(capsys, "build", "--out", "pkg")
    assert code == 2 and f"pkg/{path.relative_to(out)} is in the way" in text and "nothing was written" in text
    assert snapshot(out) == before, "nothing written, no folder left behind"


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_spec_that_is_not_a_regular_file_is_refused_without_reading_it(project, capsys, kind):
    path = project / "specs" / "zz.yaml"
    if kind == "fifo":
        os.mkfifo(path)  # reading it would wait forever
    elif kind == "device":
        path.symlink_to("/dev/zero")  # reading it would fill the memory
    else:
        path.mkdir()
    code, text = cli(capsys, "build", "--out", "pkg")
    # /dev/zero through a link is refused as a link out of the spec's folder, first
    why = "a link to a file outside the spec's folder" if kind == "device" else "not a regular file"
    assert code == 2 and f"specs/zz.yaml: {why}" in text
    assert not (project / "pkg").exists()


@pytest.mark.parametrize("link", ["outside", "inside", "loop"])
def test_a_spec_that_links_out_of_its_folder_is_refused_without_reading_it(
    project, capsys, tmp_path, link
):
    """Found by a red-team pass: a link in the specs folder (a cloned repository may hold one)
    to a valid spec elsewhere had its text, and the absolute path, printed into every backend
    and the docs. A link within the folder is read; a loop of links is an error, not a hang."""
    secret = tmp_path / "elsewhere" / "secret.yaml"
    secret.parent.mkdir()
    secret.write_text((ROOT / "specs" / "sgd.yaml").read_text().replace("SGD", "Leaked"))
    path = project / "specs" / "zz.yaml"
    if link == "outside":
        path.symlink_to(secret)
    elif link == "inside":
        (project / "specs" / "kept").mkdir()
        (project / "specs" / "kept" / "zz.yaml").write_text(secret.read_text())
        path.symlink_to(project / "specs" / "kept" / "zz.yaml")
    else:
        path.symlink_to(project / "specs" / "yy.yaml")
        (project / "specs" / "yy.yaml").symlink_to(path)
    code, text = cli(capsys, "build", "--out", "pkg")
    if link == "inside":
        assert code == 0 and "Leaked" in (project / "pkg" / "numpy" / "zz.py").read_text()
        return
    why = "a link to a file outside" if link == "outside" else "cannot open the spec"
    assert code == 2 and f"specs/{'zz' if link == 'outside' else 'yy'}.yaml: {why}" in text
    assert not (project / "pkg").exists()


@pytest.mark.parametrize("folder", ['nl\nimport os #', 'q"""x', "star*/x", "pct%x", "back\\slash"])
def test_a_spec_path_that_could_reach_the_generated_code_is_refused(project, capsys, folder):
    (project / folder).mkdir(parents=True)
    (project / folder / "sgd.yaml").write_text((ROOT / "specs" / "sgd.yaml").read_text())
    code, text = cli(capsys, "build", "--specs", folder, "--out", "pkg")
    assert code == 2 and "the spec's path has" in text and "rename the folder" in text
    assert not (project / "pkg").exists()


@pytest.mark.parametrize("name, why", [
    ("class", "not a keyword"), ("None", "not a keyword"), ("my-optim", "Python identifier"),
    ("json", "would hide"), ("os", "would hide"), ("numpy", "would hide"), ("generated", "would hide"),
    (".", "name the package's folder"),
])
def test_a_package_name_that_is_not_a_new_module_is_refused(project, capsys, name, why):
    code, text = cli(capsys, "build", "--out", name)
    assert code == 2 and why in text


def test_a_package_may_be_rebuilt_and_the_checkouts_own_output_is_refused(project, capsys):
    assert cli(capsys, "build", "--out", "pkg")[0] == 0
    assert cli(capsys, "build", "--out", "pkg")[0] == 0  # its own earlier build hides nothing
    code, text = cli(capsys, "build", "--out", str(ROOT / "generated"))
    assert code == 2 and ("generator's own folder" in text or "would hide" in text)


def test_the_docs_of_a_package_never_follow_a_link_out_of_it(project, capsys, tmp_path_factory):
    assert cli(capsys, "build", "--out", "pkg")[0] == 0
    outside = tmp_path_factory.mktemp("outside")
    os.rename(project / "pkg" / "docs", outside / "docs")
    (project / "pkg" / "docs").symlink_to(outside / "docs")
    code, text = cli(capsys, "docs", "--out", "pkg")
    assert code == 2 and "is a symbolic link" in text
    assert not (outside / "docs" / "optimizers.pdf").exists()
