"""``benchtui history``: each operation's figures over the last versions, with verdicts.

Per operation, the newest ``--last`` versions in the order they were first run, with p50,
p99, throughput, leak rate, RSS peak and the verdict against the version before. Prints an
aligned table, or JSON with ``--json``. Reads the tracker only (it may cache verdicts there).
"""

from __future__ import annotations

import argparse
from itertools import groupby

from benchtui.tracker import report
from benchtui.tracker.location import add_db_argument, resolve_db_path

NAME = "history"
SCHEMA = "benchtui.history/1"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--op", metavar="NAME", help="only this operation")
    parser.add_argument(
        "--last",
        metavar="N",
        type=report.positive_int,
        default=10,
        help="how many versions to show per operation (default: 10)",
    )
    parser.add_argument("--suite", metavar="NAME", help="only operations of this suite")
    report.add_threshold_argument(parser)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_db_argument(parser)


def main(args: argparse.Namespace) -> int:
    return report.run_command(NAME, lambda: _history(args))


async def _history(args: argparse.Namespace) -> int:
    from benchtui.tracker.store import Tracker

    path = resolve_db_path(args.db)
    async with await Tracker.open(path, create=False) as tracker:
        rows = await tracker.history(
            op=args.op, last=args.last, suite=args.suite, threshold=args.threshold
        )
    groups = [
        (suite, operation, list(group))
        for (suite, operation), group in groupby(
            rows, key=lambda r: (r.stats.suite, r.stats.operation)
        )
    ]
    if args.json:
        report.print_json(
            {
                "schema": SCHEMA,
                "database": str(path),
                "threshold": args.threshold,
                "operations": [
                    {
                        "suite": suite,
                        "operation": operation,
                        "versions": [r.to_dict() for r in group],
                    }
                    for suite, operation, group in groups
                ],
            }
        )
        return report.EXIT_OK
    if not groups:
        report.note(f"no runs recorded in {path}")
        return report.EXIT_OK
    headers = (
        "version",
        "runs",
        "first run",
        "p50",
        "p99",
        "throughput",
        "leak/iter",
        "RSS peak",
        "vs previous",
        "B/A",
        "95% CI",
    )
    blocks = []
    for suite, operation, group in groups:
        lines = [
            (
                r.stats.label,
                _runs(r.stats.ok_runs, r.stats.runs, r.stats.status),
                report.when(r.stats.first_run_at),
                report.ns(r.stats.p50_ns),
                report.ns(r.stats.p99_ns),
                report.rate(r.stats.throughput_per_s),
                report.size(r.stats.leak_bytes_per_iter),
                report.size(r.stats.rss_peak_bytes),
                report.verdict_text(r.verdict),
                report.ratio(r.verdict.ratio if r.verdict else None),
                report.interval(r.verdict),
            )
            for r in group
        ]
        title = f"{operation}  (suite {suite})"
        blocks.append(title + "\n" + report.table(headers, lines, right={1, 3, 4, 5, 6, 7, 9}))
    print("\n\n".join(blocks))
    return report.EXIT_OK


def _runs(ok: int, total: int, status: str) -> str:
    # "3" when all succeeded; "2/3 crashed" says how many did and the worst failure.
    return str(total) if ok == total else f"{ok}/{total} {status}"
