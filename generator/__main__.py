"""Command line of the generator.

In the checkout: ``build [--check]`` writes ``generated/`` from ``specs/``. In your own
project: ``build --specs specs --out mypackage [--with-shipped] [--check]`` writes the
package ``mypackage`` from your specs; ``new NAME`` starts a spec, ``check FILE...`` checks
specs and prints their update rules, ``docs --out mypackage`` builds its PDF.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import build as build_mod
from .errors import GenerationError, OutputError, SpecError
from .paths import GENERATED, IN_CHECKOUT, SPECS
from .render import check_tree, diff, write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser(
        "build", help="write generated/ (in the checkout) or --out from the specs"
    )
    build.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 with a diff if the output is stale",
    )
    _package_arguments(build)
    build.add_argument(
        "--with-shipped",
        action="store_true",
        help="with --out: include the optimizers this tool ships (Adam, SGD, ...)",
    )
    listing = commands.add_parser("list", help="the optimizers, their backends and flags")
    listing.add_argument(
        "--specs", type=Path, action="append", help="a folder of specs (default: the shipped ones)"
    )
    docs = commands.add_parser("docs", help="build the PDF of the docs with latexmk (sandboxed)")
    docs.add_argument(
        "--out",
        type=Path,
        help="a package built with --out; the PDF goes to <out>/docs/optimizers.pdf",
    )
    new = commands.add_parser("new", help="write a commented starter spec specs/NAME.yaml")
    new.add_argument(
        "name", help="the spec's file stem and module name: a lowercase identifier (yogi)"
    )
    new.add_argument(
        "--specs",
        type=Path,
        default=Path("specs"),
        help="the folder to write it into (default: specs)",
    )
    check = commands.add_parser(
        "check", help="check spec files without writing anything; print their update rules"
    )
    check.add_argument("files", type=Path, nargs="+")
    bench = commands.add_parser(
        "bench", help="time every backend against torch.optim and the memory bandwidth"
    )
    bench.add_argument(
        "--quick",
        action="store_true",
        help="small workloads, few repeats: proves the harness works",
    )
    bench.add_argument("--only", help="comma-separated spec modules, e.g. adam,sgd")
    bench.add_argument(
        "--out", help="the JSON file to write (default tests/benchmarks/results-<cpu|gpu>.json)"
    )
    bench.add_argument("--no-plot", action="store_true", help="skip the PNG plot")
    bench.add_argument(
        "--no-sweep", action="store_true", help="skip Adam's size sweep (1k to 32M elements)"
    )
    args = parser.parse_args(argv)
    if args.command == "bench":
        return _bench(args)
    try:
        return COMMANDS[args.command](args)
    except (SpecError, GenerationError, OutputError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        if args.command == "build":
            print("nothing was written", file=sys.stderr)
        return 2


def _package_arguments(parser) -> None:
    parser.add_argument(
        "--specs",
        type=Path,
        action="append",
        help="a folder of your specs (repeatable; default: ./specs with --out)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="the package folder to write; its name is the package's import name",
    )


def _files(args) -> tuple[dict[str, str], Path]:
    """What a build writes, and where: the checkout's generated/, or the user's --out."""
    if args.out is None:
        if args.specs:
            raise OutputError("--specs needs --out: the folder of the package to write")
        if not IN_CHECKOUT:
            raise OutputError(
                "not in a checkout of the generator: build your specs with --specs DIR --out DIR"
            )
        return build_mod.generate(), GENERATED
    folders = args.specs or [Path("specs")]
    _check_folders(folders)
    return build_mod.generate_package(folders, args.out, args.with_shipped), args.out


def _check_folders(folders) -> None:
    for folder in folders:
        if not folder.is_dir():
            raise OutputError(f"--specs {folder}: no such folder")


def _build(args) -> int:
    files, target = _files(args)
    shown = _shown(target)
    if args.check:
        text = diff(files, target, label=shown)
        if text:
            sys.stdout.write(text)
            print(f"{shown}/ is stale: run the same command without --check", file=sys.stderr)
            return 1
        print(f"{shown}/ is up to date ({len(files)} files)")
        return 0
    written, deleted = write(files, target)
    for path in written:
        print(f"wrote {shown}/{path}")
    for path in deleted:
        print(f"deleted {shown}/{path}")
    print(f"{len(files)} files, {len(written)} written, {len(deleted)} deleted, in {shown}/")
    return 0


def _shown(folder: Path) -> str:
    """A folder as the user would type it: relative to the working folder when inside it."""
    try:
        return folder.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(folder)


def _bench(args) -> int:
    from .bench import run, summary

    only = args.only.split(",") if args.only else None
    report = run(
        quick=args.quick,
        only=only,
        out=Path(args.out) if args.out else None,
        plot=not args.no_plot,
        sweep=not args.no_sweep,
    )
    print(summary(report))
    return 0


def _docs(args) -> int:
    from .docs import DocsError, build_pdf

    if args.out is None:
        if diff(build_mod.generate()):
            print(
                "error: generated/ is stale: run `python -m generator build` first", file=sys.stderr
            )
            return 1
        source, out = GENERATED / "docs", None
    else:
        check_tree(args.out)  # no link may take the docs build outside the package
        source, out = args.out / "docs", args.out / "docs"
        if not (source / "optimizers.tex").is_file():
            print(
                f"error: {source}/optimizers.tex does not exist: build the package first",
                file=sys.stderr,
            )
            return 1
    try:
        pdf = build_pdf(source, out) if out is not None else build_pdf()
    except DocsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"wrote {pdf}")
    return 0


def _list(args) -> int:
    if args.specs:
        _check_folders(args.specs)
        specs = build_mod.load_specs(Path.cwd(), args.specs)
    else:  # the checkout's specs/, or, installed, the shipped ones
        specs = build_mod.load_specs() if IN_CHECKOUT else build_mod.load_specs(Path.cwd(), [SPECS])
    build = build_mod.prepare(specs)
    # what a user imports or links; host, docs, tests serve them
    targets = ("numpy", "torch", "keras", "optax", "cuda")
    rows = [("optimizer", "keras name", "flags", "state", "backends")]
    for lowered in build.specs:
        s = lowered.spec
        flags = [f.name for f in s.flags] + [
            f"{d.name} ({d.text})" for d in (*s.derived_flags, *s.rank_flags)
        ]
        flags = ", ".join(flags) or "-"
        state = ", ".join(st.name for st in s.state) or "-"
        backends = ", ".join(b for b in targets if build.supports(b, lowered))
        rows.append((s.name, s.keras_name, flags, state, backends))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return 0


def _new(args) -> int:
    from .starter import write_starter

    path = write_starter(args.name, args.specs)
    print(f"wrote {path}: edit it, then `python -m generator check {path}`")
    return 0


def _check(args) -> int:
    from .model import load_spec
    from .starter import describe, missing

    specs = []
    for path in args.files:
        if not path.exists():
            raise missing(path)
        specs.append(load_spec(path, Path.cwd()))
    # what the build would refuse beyond the spec's own text (an output name another file
    # has, a form a backend cannot print): "ok" means the build takes these specs together
    build_mod.check_specs(specs, {s.module: p.resolve() for s, p in zip(specs, args.files)})
    for spec in specs:
        print(describe(spec))
    return 0


COMMANDS = {"build": _build, "list": _list, "docs": _docs, "new": _new, "check": _check}


if __name__ == "__main__":
    sys.exit(main())
