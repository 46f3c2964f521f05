"""The verdict on real measurements: real workers, a real tracker file, the real CLI gate."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

from conftest_cli import compare_cli

from benchtui.runner.supervisor import Supervisor
from benchtui.suite import load_suite
from benchtui.tracker import Tracker

OPS = """
import time


def busy(us):
    end = time.perf_counter_ns() + us * 1000
    while time.perf_counter_ns() < end:
        pass
"""


def _suite(folder: Path, label: str, us: int) -> Path:
    # 3000 x ~100 us: 20 rounds of ~15 ms each, so a scheduling burst of a few ms on a shared
    # CI machine moves no round's median (500 iterations once made a 20% change "too noisy").
    path = folder / f"{label}.toml"
    path.write_text(
        textwrap.dedent(
            f"""
            [suite]
            name = "verdict"
            [[operations]]
            name = "busy"
            target = "busy_ops:busy"
            params = {{ us = {us} }}
            iterations = 3000
            warmup = 100
            memory = false
            """
        )
    )
    return path


async def _record(folder: Path, db: Path, versions: list[tuple[str, int]]) -> None:
    tracker = await Tracker.open(db)
    try:
        for label, us in versions:
            result = await Supervisor(load_suite(_suite(folder, label, us)), label=label).run()
            assert result.status == "ok"
            await tracker.save_run(result)
    finally:
        await tracker.close()


def test_real_twenty_percent_regression_is_slower_and_gates(tmp_path: Path) -> None:
    (tmp_path / "busy_ops.py").write_text(OPS)
    db = tmp_path / "h.sqlite"
    asyncio.run(_record(tmp_path, db, [("v1", 100), ("v2", 120), ("v3", 100)]))
    slower = compare_cli(db, "v1", "v2", "--fail-on-regression", "5%")
    assert slower.returncode == 1, slower.stdout + slower.stderr
    assert "slower" in slower.stdout
    faster = compare_cli(db, "v2", "v3", "--fail-on-regression", "5%")
    assert faster.returncode == 0, faster.stdout + faster.stderr
    assert "faster" in faster.stdout


def test_real_same_code_twice_is_not_called_a_change(tmp_path: Path) -> None:
    (tmp_path / "busy_ops.py").write_text(OPS)
    db = tmp_path / "h.sqlite"
    trials = 3
    # Two interleaved runs per version, as the docs advise for small changes: with one run a
    # side, a shift in machine load between the two runs is indistinguishable from a change.
    versions = [(f"t{i}-{side}", 100) for i in range(trials) for _ in range(2) for side in "ab"]
    asyncio.run(_record(tmp_path, db, versions))

    async def verdicts() -> list[str]:
        tracker = await Tracker.open(db)
        try:
            kinds = []
            for i in range(trials):
                [comparison] = await tracker.compare(f"t{i}-a", f"t{i}-b", op="busy")
                kinds.append(comparison.verdict.kind)
            return kinds
        finally:
            await tracker.close()

    kinds = asyncio.run(verdicts())
    assert not [k for k in kinds if k in ("faster", "slower")], kinds
