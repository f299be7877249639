"""``python -m movers``: generate the synthetic world, run chapters, build the book, fetch open data."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from movers import fetch
from movers.book import build as book, params, runner
from movers.core import paths
from movers.core.errors import InputError
from movers.synth import main_generate


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m movers", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="generate the synthetic world (files in the real formats + truth.json)")
    g.add_argument("--seed", type=int, default=2020)
    g.add_argument("--scale", type=float, default=1.0, help="1.0 = the report's sizes; smaller for quick runs")
    g.add_argument("--only", nargs="*", help="datasets to (re)generate, keeping the others")
    g.add_argument("--out", type=Path, default=None, help="folder (default data/synthetic)")
    g.add_argument(
        "--geography",
        choices=("synthetic", "real"),
        default=None,
        help="real: put the synthetic world on the 348 real authorities of England and Wales (needs `fetch lad_boundaries_2014 gva_la`); "
        "default: as the existing world recorded, else synthetic",
    )

    r = sub.add_parser("run", help="execute chapters with papermill (cached)")
    r.add_argument("chapters", nargs="*", help="chapter names (default: every chapter of _toc.yml)")
    r.add_argument(
        "-p", "--param", action="append", default=[], metavar="KEY=VALUE", help="override a parameter (value read as YAML)"
    )
    r.add_argument("--scenario", help="named scenario from params/scenarios/")
    r.add_argument("-j", "--jobs", type=int, default=1, help="chapters to run in parallel")
    r.add_argument("--force", action="store_true", help="execute even when the cached output is current")
    r.add_argument("--build", action="store_true", help="rebuild the HTML book afterwards")

    b = sub.add_parser("build", help="build the book (HTML; --pdf adds the PDF)")
    b.add_argument("--pdf", action="store_true")
    b.add_argument("--allow-stale", action="store_true", help="build even if some chapters' outputs are out of date")

    sub.add_parser("chapters", help="list chapters and their parameters")

    f = sub.add_parser("fetch", help="download the open data sets (see data/datasets.yml)")
    f.add_argument("datasets", nargs="*")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "generate":
            return main_generate(args.out or paths.DATA / "synthetic", args.seed, args.scale, args.only, geography=args.geography)
        if args.command == "run":
            overrides = dict(params.parse_override(p) for p in args.param)
            runner.run(args.chapters or None, overrides, args.scenario, jobs=args.jobs, force=args.force)
            if args.build:  # --scenario public leaves out the chapters open data cannot feed: build from those with outputs
                print(book.build(allow_stale=(args.scenario == "public"))["html"], file=sys.stderr)
            return 0
        if args.command == "build":
            out = book.build(pdf=args.pdf, allow_stale=args.allow_stale)
            for kind, path in out.items():
                print(f"{kind}: {path}")
            return 0
        if args.command == "chapters":
            for n in runner.toc_chapters():
                base, meta = params.load(n)
                print(n)
                for k, v in base.items():
                    extra = ""
                    if k in meta["_choices"]:
                        extra += f"  {'elements from' if isinstance(v, list) else 'one of'} {meta['_choices'][k]}"
                    if k in meta["_range"]:
                        extra += f"  in {meta['_range'][k][0]}-{meta['_range'][k][1]}"
                    print(f"    {k} = {v!r}{extra}")
            return 0
        if args.command == "fetch":
            return fetch.main(args.datasets)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # outside a run (a run turns Ctrl-C into Cancelled)
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # ChapterFailed, BuildError: one clear line, no traceback
        if isinstance(exc, runner.Cancelled):
            print(f"cancelled: {exc}", file=sys.stderr)
            return 130
        if isinstance(exc, (runner.ChapterFailed, book.BuildError)):
            print(f"error: {exc}", file=sys.stderr)
            return 1
        raise
    return 0
