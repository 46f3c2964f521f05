"""``benchtui demo``: fill the tracker with three real, measured versions to explore.

See ``benchtui.demo`` for what runs. Prints one line per version and what to try next.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys

from benchtui.demo import DEMO_SUITE_NAME, DEMO_VERSIONS, DemoVersion, demo_steps, run_demo
from benchtui.runner.events import OperationFinished


def configure(parser: argparse.ArgumentParser) -> None:
    from benchtui.tracker.location import add_db_argument

    add_db_argument(parser)


def main(args: argparse.Namespace) -> int:
    from benchtui.suite import SuiteError
    from benchtui.tracker import TrackerError
    from benchtui.tracker.location import resolve_db_path

    path = resolve_db_path(args.db)

    def on_version(version: DemoVersion, index: int) -> None:
        print(f"[{index + 1}/{demo_steps()}] {version.label}: {version.note}", flush=True)

    def on_event(event: object) -> None:
        if isinstance(event, OperationFinished):
            result = event.result
            p50 = result.latency_ns.p50 / 1000
            print(f"    {result.operation:<20} {result.status:<8} p50 {p50:10.1f} µs", flush=True)

    try:
        asyncio.run(run_demo(path, on_event=on_event, on_version=on_version))
    except (SuiteError, TrackerError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    first, last = DEMO_VERSIONS[0].label, DEMO_VERSIONS[-1].label
    # The hints must reach the same file: repeat --db when one was given.
    db = f" --db {shlex.quote(str(path))}" if args.db else ""
    print(f"\nsaved to {path} as suite '{DEMO_SUITE_NAME}'. Try:")
    print(f"  benchtui history --suite {DEMO_SUITE_NAME}{db}")
    print(f"  benchtui compare {first} {last}{db}")
    print(f"  benchtui{db}            (then press t for the trend screen)")
    return 0
