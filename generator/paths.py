"""Where the generator reads and writes.

In a checkout, the folders beside the package: ``specs/``, ``templates/``, ``generated/``.
In a normal (non-editable) install, the templates and the shipped specs are installed as
data files under ``<prefix>/share/optimizer-codegen/`` (pyproject.toml's data-files), and
there is no checkout to write into: ``python -m generator build`` then needs ``--out``.
"""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
RUNTIME = PACKAGE / "runtime"  # hand-written code copied into the generated package
DATA_NAME = "optimizer-codegen"


def _checkout() -> Path | None:
    """The checkout this package runs from, if it does (templates/ and specs/ beside it)."""
    root = PACKAGE.parent
    return root if (root / "templates").is_dir() and (root / "specs").is_dir() else None


def _installed_data() -> Path:
    """Where pip put the data files of this distribution: the scheme's data folder."""
    candidates = [Path(sysconfig.get_paths()["data"]), Path(sys.prefix)]
    for scheme in ("posix_user", "nt_user"):
        try:
            candidates.append(Path(sysconfig.get_paths(scheme)["data"]))
        except KeyError:
            pass
    for base in candidates:
        if (base / "share" / DATA_NAME / "templates").is_dir():
            return base / "share" / DATA_NAME
    return candidates[0] / "share" / DATA_NAME  # reported as missing where it is used


CHECKOUT = _checkout()
IN_CHECKOUT = CHECKOUT is not None
ROOT = CHECKOUT if CHECKOUT is not None else Path.cwd()  # spec paths are shown relative to it
_DATA = CHECKOUT if CHECKOUT is not None else _installed_data()
SPECS = _DATA / "specs"  # the shipped specs
TEMPLATES = _DATA / "templates"
GENERATED = ROOT / "generated"  # the checkout's output package
