"""Where the generator reads and writes, relative to the checkout it runs from."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
TEMPLATES = ROOT / "templates"
GENERATED = ROOT / "generated"
RUNTIME = Path(__file__).resolve().parent / "runtime"  # hand-written code copied into generated/
