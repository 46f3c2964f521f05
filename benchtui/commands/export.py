"""``benchtui export``: write stored runs as JSON (all, or of one label and/or suite).

The file is ``{"schema": "benchtui.export/1", "runs": [...]}``, each run in the ``run --json``
schema with its histograms, so ``benchtui import`` on another machine restores them exactly.
Writes to ``-o FILE`` (atomically) or stdout; the database is only read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchtui.tracker import report
from benchtui.tracker.location import add_db_argument, resolve_db_path

NAME = "export"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--label", metavar="L", help="only runs of this version label")
    parser.add_argument("--suite", metavar="S", help="only runs of this suite")
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )
    add_db_argument(parser)


def main(args: argparse.Namespace) -> int:
    return report.run_command(NAME, lambda: _export(args))


async def _export(args: argparse.Namespace) -> int:
    from benchtui.tracker.exchange import export_document, write_export
    from benchtui.tracker.store import Tracker

    path = resolve_db_path(args.db)
    async with await Tracker.open(path, create=False) as tracker:
        runs = await tracker.runs(label=args.label, suite=args.suite)
    if args.output and args.output != "-":  # '-' is stdout, as in `run --json -`
        destination = Path(args.output)
        try:
            write_export(runs, destination)
        except OSError as exc:
            report.error(NAME, f"cannot write {destination}: {exc.strerror or exc}")
            return report.EXIT_USAGE
        report.note(f"exported {len(runs)} run(s) from {path} to {destination}")
    else:
        json.dump(export_document(runs), sys.stdout, indent=1)
        sys.stdout.write("\n")
    return report.EXIT_OK
