"""`benchtui compare --fail-on-regression` as a merge gate: limits above 100%, and a gate
that compared nothing (no operation in both versions) never passes. Real SQLite, real CLI."""

from __future__ import annotations

import asyncio
from pathlib import Path

from conftest_cli import compare_cli

from benchtui.tracker import Tracker
from benchtui.tracker.synthetic import synthetic_run


def _seed(db: Path) -> None:
    async def seed() -> None:
        async with await Tracker.open(db) as tracker:
            for i in range(3):  # three interleaved runs a version: a clear verdict
                await tracker.save_run(
                    synthetic_run("v1", {"parse": 10_000.0}, started_at=3 * i, seed=i)
                )
                await tracker.save_run(
                    synthetic_run("v2", {"parse": 12_000.0}, started_at=3 * i + 1, seed=10 + i)
                )
                await tracker.save_run(
                    synthetic_run("other", {"render": 5_000.0}, started_at=3 * i + 2, seed=20 + i)
                )

    asyncio.run(seed())


def test_limits_above_one_hundred_percent_gate(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    _seed(db)
    strict = compare_cli(db, "v1", "v2", "--fail-on-regression", "5%")
    assert strict.returncode == 1, strict.stdout + strict.stderr
    assert "regression: parse" in strict.stderr
    lenient = compare_cli(db, "v1", "v2", "--fail-on-regression", "150%")
    assert lenient.returncode == 0, lenient.stdout + lenient.stderr
    bad = compare_cli(db, "v1", "v2", "--fail-on-regression=-3%")
    assert bad.returncode == 2 and ">= 0%" in bad.stderr


def test_a_gate_that_compared_nothing_fails(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    _seed(db)
    gated = compare_cli(db, "v1", "other", "--fail-on-regression", "5%")
    assert gated.returncode == 2, gated.stdout + gated.stderr
    assert "nothing compared" in gated.stderr and "nothing to gate" in gated.stderr
    # Without a gate the same comparison is only a report: it says so and exits 0.
    plain = compare_cli(db, "v1", "other")
    assert plain.returncode == 0 and "nothing compared" in plain.stderr
