"""``benchtui import FILE [FILE...]``: merge exported runs (or single ``run --json`` files).

Every file is read and checked before anything is written; then all runs go into the
database in one transaction, skipping runs whose ``run_id`` is already there. A malformed
file is reported by name (exit 2) and nothing is written. (``import`` is a Python keyword,
hence the module name.)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from benchtui.tracker import report
from benchtui.tracker.location import add_db_argument, resolve_db_path

NAME = "import"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", metavar="FILE", nargs="+", help="export files or single-run JSON files"
    )
    add_db_argument(parser)


def main(args: argparse.Namespace) -> int:
    return report.run_command(NAME, lambda: _import(args))


async def _import(args: argparse.Namespace) -> int:
    from benchtui.tracker.exchange import read_runs
    from benchtui.tracker.store import Tracker

    runs = [run for name in args.files for run in read_runs(Path(name))]
    path = resolve_db_path(args.db)
    async with await Tracker.open(path) as tracker:
        added, skipped = await tracker.import_runs(runs)
    report.note(
        f"imported {added} run(s) into {path}"
        + (f"; {skipped} already present, skipped" if skipped else "")
    )
    return report.EXIT_OK
