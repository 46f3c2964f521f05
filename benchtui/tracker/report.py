"""Plain-text renderings of tracker results for the CLI commands, and their shared bits.

Aligned ASCII tables (no colour, no terminal control, no Rich) so output can be piped, diffed
and read in any encoding; human units for nanoseconds, rates and bytes; the percentage option
type; and the small runner that maps tracker errors to exit code 2. JSON output is built by
the commands from the models' ``to_dict()``; nothing here queries the database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from benchtui.stats import Verdict
from benchtui.tracker.errors import TrackerError

EXIT_OK = 0
EXIT_REGRESSION = 1
EXIT_USAGE = 2
NONE = "-"


def run_command(name: str, body: Callable[[], Awaitable[int]]) -> int:
    """Run a command's async body; a ``TrackerError`` becomes a message and exit code 2."""
    try:
        return asyncio.run(body())
    except TrackerError as exc:
        error(name, str(exc))
        return EXIT_USAGE
    except BrokenPipeError:
        # `benchtui history --json | head`: the reader left; not an error worth a traceback.
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def error(name: str, message: str) -> None:
    print(f"benchtui {name}: error: {message}", file=sys.stderr)


def note(message: str) -> None:
    print(message, file=sys.stderr)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2)
    sys.stdout.write("\n")


def percent_number(text: str) -> float:
    """``5%``, ``5`` or ``0.5%`` -> the number of percent (5.0, 0.5); a finite number only.
    Raises ``argparse.ArgumentTypeError`` otherwise."""
    value = text.strip().removesuffix("%").strip()
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a percentage: {text!r} (e.g. 5%)") from None
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"not a percentage: {text!r} (e.g. 5%)")
    return number


def percentage(text: str) -> float:
    """argparse type: ``5%`` or ``5`` (percent) or ``0.5%`` -> a fraction (0.05, 0.005)."""
    number = percent_number(text)
    if not 0 <= number < 100:
        raise argparse.ArgumentTypeError(f"percentage out of range [0, 100): {text!r}")
    return number / 100.0


def add_threshold_argument(parser: argparse.ArgumentParser) -> None:
    """``--threshold PCT``, the noise threshold of the verdict (history and compare)."""
    from benchtui.stats import DEFAULT_THRESHOLD

    parser.add_argument(
        "--threshold",
        metavar="PCT",
        type=percentage,
        default=DEFAULT_THRESHOLD,
        help="changes smaller than this are noise (default: 2%%)",
    )


def positive_int(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return number


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    """An aligned table; columns in ``right`` are right-aligned (numbers)."""
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(headers), *(line(r) for r in rows)])


def ns(value: float | None) -> str:
    if value is None:
        return NONE
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if value >= scale:
            return f"{_sig(value / scale)} {unit}"
    return f"{_sig(value)} ns"


def rate(value: float | None) -> str:
    if value is None:
        return NONE
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return f"{_sig(value / scale)}{unit}/s"
    return f"{_sig(value)}/s"


def size(value: float | None) -> str:
    if value is None:
        return NONE
    sign = "-" if value < 0 else ""
    value = abs(value)
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if value >= scale:
            return f"{sign}{_sig(value / scale)} {unit}"
    return f"{sign}{_sig(value)} B"


def ratio(value: float | None) -> str:
    return NONE if value is None else f"{value:.3f}"


def interval(verdict: Verdict | None) -> str:
    if verdict is None or verdict.ci_low is None or verdict.ci_high is None:
        return NONE
    return f"{verdict.ci_low:.3f}-{verdict.ci_high:.3f}"


def verdict_text(verdict: Verdict | None) -> str:
    """For a table cell: ``slower +12.3%``, ``no significant change``, ``inconclusive (too
    noisy)``. Reasons start with their gist before a colon; the rest is in the other columns
    (or in ``--json``)."""
    if verdict is None:
        return NONE
    if verdict.significant and verdict.change is not None:
        return f"{verdict.kind} {verdict.change:+.1%}"
    if verdict.kind == "inconclusive":
        return f"inconclusive ({verdict.reason.split(':')[0]})"
    return verdict.kind


def when(iso: str) -> str:
    """``2024-06-01 10:00`` from an ISO time (as stored; no time zone conversion)."""
    return iso[:16].replace("T", " ")


def _sig(value: float) -> str:
    # Three significant figures, as the HDR histogram records them.
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"
