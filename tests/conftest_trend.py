"""Helpers for the trend and compare tests (imported by tests/test_trend*.py).

Seeded history files: real SQLite through the tracker's own ``save_run``, filled with
``synthetic_run``s (fixed seeds and start times), so every figure, verdict and date on screen
is the same on every machine.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from benchtui.tracker import Tracker
from benchtui.tracker.synthetic import synthetic_run

SUITE = "agent"
VERSIONS = ("v1.0", "v1.1", "v1.2", "v1.3", "v1.4")
# retrieve_topk: steady, a 38% regression in v1.2, then a fix in v1.3.
RETRIEVE = (900_000.0, 905_000.0, 1_250_000.0, 620_000.0, 625_000.0)


async def seed_history(path: Path) -> Path:
    """Five versions of three operations in suite 'agent' (a regression, a fix, a crashed
    run, a version with two runs) and one version of 'tokenize' in suite 'tools'."""
    async with await Tracker.open(path) as tracker:
        for i, label in enumerate(VERSIONS):
            ops = {
                "render_prompt": 48_000.0,
                "retrieve_topk": RETRIEVE[i],
                "parse_tool_call": 12_000.0,
            }
            statuses = {"parse_tool_call": "crashed"} if label == "v1.3" else None
            await tracker.save_run(
                synthetic_run(
                    label, ops, suite=SUITE, started_at=i * 60, seed=100 + i, statuses=statuses
                )
            )
        # A second run of the newest version (the delete test picks between the two).
        await tracker.save_run(
            synthetic_run(
                "v1.4",
                {
                    "render_prompt": 48_000.0,
                    "retrieve_topk": 626_000.0,
                    "parse_tool_call": 12_000.0,
                },
                suite=SUITE,
                started_at=4 * 60 + 30,
                seed=200,
            )
        )
        await tracker.save_run(
            synthetic_run("t0.1", {"tokenize": 90_000.0}, suite="tools", started_at=600, seed=7)
        )
    return path


PARTIAL_VERSIONS = ("p1", "p2", "p3")


async def seed_partly_failing(path: Path) -> Path:
    """Suite 'flaky', three versions of two operations whose calls raise: 'sometimes' with a
    tenth of its calls raising (and one round in which all did), 30% slower in p3; 'always'
    with every call raising. Every run's status is "error"."""
    async with await Tracker.open(path) as tracker:
        for i, label in enumerate(PARTIAL_VERSIONS):
            ops = {"sometimes": 900.0 * (1.3 if label == "p3" else 1.0), "always": 500.0}
            await tracker.save_run(
                synthetic_run(
                    label,
                    ops,
                    suite="flaky",
                    started_at=i * 60,
                    seed=300 + i,
                    error_rates={"sometimes": 0.1, "always": 1.0},
                    failed_rounds={"sometimes": [3]},
                )
            )
    return path


async def seed_many(path: Path, versions: int, op: str = "parse") -> Path:
    """``versions`` versions of one operation (no histograms: quick to write)."""
    async with await Tracker.open(path) as tracker:
        runs = [
            synthetic_run(
                f"b{i:04d}",
                {op: 10_000.0 * (1.3 if i % 40 == 39 else 1.0)},
                suite="big",
                started_at=i,
                seed=i,
                histogram=False,
                rounds=6,
            )
            for i in range(versions)
        ]
        await tracker.import_runs(runs)
    return path


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 15.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await pilot.pause(0.05)


def run_sync(coroutine) -> object:  # noqa: ANN001
    return asyncio.run(coroutine)
