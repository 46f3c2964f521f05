"""``benchtui compare A B``: is version B faster or slower than version A, per operation?

Shows both versions' figures, the ratio of medians B/A with its 95% confidence interval and
a verdict (``faster``, ``slower``, ``no significant change`` or ``inconclusive`` with why).
``--fail-on-regression 5%`` makes it a CI gate: exit 1 when any operation is significantly
slower by more than that. Exit 2 for an unknown label or operation, or a bad database.
The statistics are ``benchtui.stats``; this module only asks the tracker and prints.
"""

from __future__ import annotations

import argparse

from benchtui.stats import SLOWER
from benchtui.tracker import report
from benchtui.tracker.location import add_db_argument, resolve_db_path
from benchtui.tracker.models import Comparison

NAME = "compare"
SCHEMA = "benchtui.compare/1"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("a", metavar="A", help="the baseline version label")
    parser.add_argument("b", metavar="B", help="the version judged against A")
    parser.add_argument("--op", metavar="NAME", help="only this operation")
    parser.add_argument("--suite", metavar="NAME", help="only operations of this suite")
    report.add_threshold_argument(parser)
    parser.add_argument(
        "--fail-on-regression",
        metavar="PCT",
        type=regression_limit,
        default=None,
        help="exit 1 if any operation is significantly slower by more than PCT (e.g. 5%%, "
        "or 150%% for 'more than 2.5x as slow'); exit 2 if no operation ran in both versions",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_db_argument(parser)


def regression_limit(text: str) -> float:
    """argparse type of ``--fail-on-regression``: a percentage >= 0 as a fraction. Unlike
    the noise threshold it may exceed 100%: "fail when more than twice as slow" is 100%."""
    number = report.percent_number(text)
    if number < 0:
        raise argparse.ArgumentTypeError(f"the regression limit must be >= 0%: {text!r}")
    return number / 100.0


def main(args: argparse.Namespace) -> int:
    return report.run_command(NAME, lambda: _compare(args))


def regressions(comparisons: list[Comparison], limit: float) -> list[Comparison]:
    """Operations significantly slower (verdict ``slower``) by more than ``limit`` (0.05)."""
    return [
        c
        for c in comparisons
        if c.verdict.kind == SLOWER and c.verdict.ratio is not None and c.verdict.ratio - 1 > limit
    ]


async def _compare(args: argparse.Namespace) -> int:
    from benchtui.tracker.store import Tracker

    if args.a == args.b:
        report.error(NAME, f"compare needs two different versions (both are '{args.a}')")
        return report.EXIT_USAGE

    path = resolve_db_path(args.db)
    async with await Tracker.open(path, create=False) as tracker:
        comparisons = await tracker.compare(
            args.a, args.b, op=args.op, threshold=args.threshold, suite=args.suite
        )
    limit = args.fail_on_regression
    failed = regressions(comparisons, limit) if limit is not None else []
    if args.json:
        report.print_json(
            {
                "schema": SCHEMA,
                "database": str(path),
                "a": args.a,
                "b": args.b,
                "threshold": args.threshold,
                "fail_on_regression": limit,
                "regressions": [c.operation for c in failed],
                "operations": [c.to_dict() for c in comparisons],
            }
        )
    elif not comparisons:
        report.note(f"no operation recorded for {args.a} or {args.b}")
    else:
        print(f"B = {args.b} against A = {args.a}  (noise threshold {args.threshold * 100:g}%)")
        print(_table(comparisons))
    for c in failed:
        report.note(
            f"regression: {c.operation} is {c.verdict.change:+.1%} slower in {args.b} "
            f"(CI {report.interval(c.verdict)}), over the {limit * 100:g}% allowed"
        )
    compared = any(c.a is not None and c.b is not None for c in comparisons)
    if comparisons and not compared:
        report.note(f"no operation was recorded in both {args.a} and {args.b}: nothing compared")
    if limit is not None and not compared:
        # A gate that compared nothing must not pass: a renamed operation or a wrong label
        # would otherwise turn the merge check green for good.
        report.error(NAME, "--fail-on-regression: nothing to gate, no operation in common")
        return report.EXIT_USAGE
    return report.EXIT_REGRESSION if failed else report.EXIT_OK


def _table(comparisons: list[Comparison]) -> str:
    several_suites = len({c.suite for c in comparisons}) > 1
    headers = (
        "operation",
        "p50 A",
        "p50 B",
        "p99 A",
        "p99 B",
        "throughput A",
        "throughput B",
        "rounds A/B",
        "B/A",
        "95% CI",
        "p",
        "verdict",
    )
    lines = []
    for c in comparisons:
        v = c.verdict
        lines.append(
            (
                f"{c.suite}/{c.operation}" if several_suites else c.operation,
                report.ns(c.a.p50_ns if c.a else None),
                report.ns(c.b.p50_ns if c.b else None),
                report.ns(c.a.p99_ns if c.a else None),
                report.ns(c.b.p99_ns if c.b else None),
                report.rate(c.a.throughput_per_s if c.a else None),
                report.rate(c.b.throughput_per_s if c.b else None),
                f"{v.n_a}/{v.n_b}",
                report.ratio(v.ratio),
                report.interval(v),
                report.NONE if v.p_value is None else f"{v.p_value:.2g}",
                report.verdict_text(v),
            )
        )
    return report.table(headers, lines, right={1, 2, 3, 4, 5, 6, 7, 8, 10})
