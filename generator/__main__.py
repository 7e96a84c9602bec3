"""Command line: ``python -m generator build [--check] | list | docs | bench [--quick]``."""

from __future__ import annotations

import argparse
import sys

from . import build as build_mod
from .errors import GenerationError, OutputError, SpecError
from .render import GENERATED, diff, write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="write generated/ from specs/ and templates/")
    build.add_argument("--check", action="store_true", help="write nothing; exit 1 with a diff if generated/ is stale")
    commands.add_parser("list", help="the optimizers, their backends and flags")
    commands.add_parser("docs", help="build the PDF of generated/docs into build/docs with latexmk")
    bench = commands.add_parser("bench", help="time every backend against torch.optim and the memory bandwidth")
    bench.add_argument("--quick", action="store_true", help="small workloads, few repeats: proves the harness works")
    bench.add_argument("--only", help="comma-separated spec modules, e.g. adam,sgd")
    bench.add_argument("--out", help="the JSON file to write (default tests/benchmarks/results-<cpu|gpu>.json)")
    bench.add_argument("--no-plot", action="store_true", help="skip the PNG plot")
    args = parser.parse_args(argv)
    if args.command == "bench":
        return _bench(args)

    try:
        if args.command == "list":
            return _list()
        if args.command == "docs":
            return _docs()
        files = build_mod.generate()
        if args.check:
            text = diff(files)
            if text:
                sys.stdout.write(text)
                print("generated/ is stale: run `python -m generator build`", file=sys.stderr)
                return 1
            print(f"generated/ is up to date ({len(files)} files)")
            return 0
        written, deleted = write(files)
    except (SpecError, GenerationError, OutputError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        print("nothing was written", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote generated/{path}")
    for path in deleted:
        print(f"deleted generated/{path}")
    print(f"{len(files)} files, {len(written)} written, {len(deleted)} deleted, in {GENERATED}")
    return 0


def _bench(args) -> int:
    from pathlib import Path

    from .bench import run, summary

    only = args.only.split(",") if args.only else None
    report = run(quick=args.quick, only=only, out=Path(args.out) if args.out else None, plot=not args.no_plot)
    print(summary(report))
    return 0


def _docs() -> int:
    from .docs import DocsError, build_pdf

    if diff(build_mod.generate()):
        print("error: generated/ is stale: run `python -m generator build` first", file=sys.stderr)
        return 1
    try:
        pdf = build_pdf()
    except DocsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"wrote {pdf}")
    return 0


def _list() -> int:
    build = build_mod.prepare(build_mod.load_specs())
    targets = ("numpy", "torch", "cuda")  # what a user imports or links; host, docs, tests serve them
    rows = [("optimizer", "keras name", "flags", "state", "backends")]
    for lowered in build.specs:
        s = lowered.spec
        flags = ", ".join(f.name for f in s.flags) or "-"
        state = ", ".join(st.name for st in s.state) or "-"
        backends = ", ".join(b for b in targets if build.supports(b, lowered))
        rows.append((s.name, s.keras_name, flags, state, backends))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
