"""The tracker under real faults: processes killed with SIGKILL mid-save, two processes
writing one file at once, malformed imports. Real SQLite files, real child processes."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from benchtui.tracker import Tracker
from benchtui.tracker.synthetic import synthetic_run

ROOT = Path(__file__).resolve().parent.parent
OPS = {"parse": 10_000.0, "render": 50_000.0, "io": 2e6}
BIG = 3_000_000  # bytes of captured output per operation: forces SQLite to spill pages early

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def spawn(tmp_path: Path, body: str, *args: str) -> subprocess.Popen[str]:
    script = tmp_path / f"child_{random.randrange(1 << 30)}.py"
    script.write_text(
        textwrap.dedent(
            """
            import asyncio, sys
            from benchtui.tracker import Tracker, store
            from benchtui.tracker.synthetic import synthetic_run
            OPS = {"parse": 10_000.0, "render": 50_000.0, "io": 2e6}
            """
        )
        + textwrap.dedent(body)
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen(
        [sys.executable, str(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_for_line(proc: subprocess.Popen[str], prefix: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith(prefix):
            return line
        if not line and proc.poll() is not None:
            break
    proc.kill()
    err = proc.stderr.read() if proc.stderr else ""
    raise AssertionError(f"child never printed {prefix!r}: {err}")


def sigkill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL


def assert_consistent(path: Path) -> None:
    """No orphan rows, and every aggregate matches the results it summarises."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        orphans = conn.execute(
            "SELECT COUNT(*) FROM results WHERE run NOT IN (SELECT id FROM runs)"
        ).fetchone()[0]
        assert orphans == 0
        mismatched = conn.execute(
            "SELECT COUNT(*) FROM version_ops AS vo WHERE vo.runs != (SELECT COUNT(*) FROM "
            "results AS r WHERE r.version_id = vo.version_id AND r.operation = vo.operation)"
        ).fetchone()[0]
        assert mismatched == 0
    finally:
        conn.close()


async def test_sigkill_inside_the_transaction_leaves_no_half_run(tmp_path: Path) -> None:
    """The child inserts a run and its (large) results, then stops before committing; its
    pages are already in the WAL when it is killed."""
    path = tmp_path / "history.sqlite"
    child = spawn(
        tmp_path,
        f"""
        async def main(path):
            t = await Tracker.open(path)
            for i in range(3):
                await t.save_run(synthetic_run("v1", OPS, started_at=i, seed=i, histogram=False))
            async def stall(self, version_ids):
                print("MID", flush=True)  # run + results inserted, not committed
                await asyncio.sleep(3600)
            store.Tracker._refresh = stall
            big = synthetic_run("v2", OPS, started_at=10, seed=10, output="x" * {BIG})
            await t.save_run(big)
        asyncio.run(main(sys.argv[1]))
        """,
        str(path),
    )
    wait_for_line(child, "MID")
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > BIG  # the half run really reached the disk
    sigkill(child)

    async with await Tracker.open(path) as t:
        assert await t.count_runs() == 3
        assert await t.labels() == ["v1"]
        rows = await t.history()
        assert {r.stats.label for r in rows} == {"v1"}
        assert all(r.stats.runs == 3 for r in rows)
        # The file takes new runs afterwards.
        await t.save_run(synthetic_run("v2", OPS, started_at=11, seed=11, histogram=False))
        assert await t.labels() == ["v1", "v2"]
    assert_consistent(path)


@pytest.mark.parametrize("seed", [1, 2])
async def test_sigkill_at_a_random_moment_of_a_save_loop(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "history.sqlite"
    child = spawn(
        tmp_path,
        f"""
        async def main(path):
            t = await Tracker.open(path)
            for i in range(1000):
                run = synthetic_run("v1", OPS, started_at=i, seed=i, histogram=False,
                                    output="y" * {BIG})
                await t.save_run(run)
                print("SAVED", i + 1, flush=True)
        asyncio.run(main(sys.argv[1]))
        """,
        str(path),
    )
    saved = int(wait_for_line(child, "SAVED 2").split()[1])
    time.sleep(random.Random(seed).uniform(0.0, 0.3))  # somewhere inside a later save
    sigkill(child)
    assert child.stdout is not None
    for line in child.stdout.read().splitlines():
        if line.startswith("SAVED"):
            saved = int(line.split()[1])

    async with await Tracker.open(path) as t:
        runs = await t.runs()
        # Committed runs are all there; the one in flight may have committed before its print.
        assert saved <= len(runs) <= saved + 1
        for run in runs:
            assert [op.operation for op in run.operations] == list(OPS)
            assert all(len(op.output) == BIG for op in run.operations)
        rows = await t.history()
        assert all(r.stats.runs == len(runs) for r in rows)
    assert_consistent(path)


async def test_two_processes_save_fifty_runs_each_into_one_file(tmp_path: Path) -> None:
    path = tmp_path / "shared" / "history.sqlite"  # neither process finds it: both create it
    go = tmp_path / "go"
    body = """
        import os, time
        async def main(path, who, go):
            give_up = time.monotonic() + 120  # never outlive an interrupted test
            while not os.path.exists(go):
                if time.monotonic() > give_up:
                    sys.exit(3)
                time.sleep(0.001)
            t = await Tracker.open(path)
            for i in range(50):
                run = synthetic_run(who, OPS, started_at=i, seed=hash((who, i)) & 0xFFFF,
                                    histogram=False)
                await t.save_run(run)
                if i % 10 == 9:
                    await t.history()  # readers (and verdict caching) interleave too
            await t.close()
            print("DONE", flush=True)
        asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
        """
    children = [spawn(tmp_path, body, str(path), who, str(go)) for who in ("alpha", "beta")]
    time.sleep(0.5)  # let both import and wait at the gate
    go.touch()
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        assert "locked" not in err and "DONE" in out

    async with await Tracker.open(path) as t:
        assert await t.count_runs() == 100
        assert sorted(await t.labels()) == ["alpha", "beta"]
        assert await t.count_runs(label="alpha") == 50
    assert_consistent(path)


def test_many_processes_creating_one_new_file_at_once_all_open_it(tmp_path: Path) -> None:
    """Switching a new file to WAL needs an exclusive lock, and SQLite refuses it at once
    (without waiting out the busy timeout) in some races: CI once failed this way. Six
    processes race to create each of twelve fresh files, released together at a gate per
    file; every open must succeed."""
    rounds = 12
    body = """
        import os, time
        async def main(folder, rounds):
            give_up = time.monotonic() + 120  # never outlive a failed or interrupted test
            for i in range(rounds):
                print(f"READY {i}", flush=True)
                while not os.path.exists(os.path.join(folder, f"go{i}")):
                    if time.monotonic() > give_up:
                        sys.exit(3)
                    time.sleep(0.0002)
                t = await Tracker.open(os.path.join(folder, f"db{i}", "history.sqlite"))
                await t.close()
            print("DONE", flush=True)
        asyncio.run(main(sys.argv[1], int(sys.argv[2])))
        """
    children = [spawn(tmp_path, body, str(tmp_path), str(rounds)) for _ in range(6)]
    try:
        for i in range(rounds):
            for child in children:
                wait_for_line(child, f"READY {i}")
            (tmp_path / f"go{i}").touch()
        for child in children:
            out, err = child.communicate(timeout=120)
            assert child.returncode == 0, err
            assert "DONE" in out
    finally:
        for child in children:  # a failed round must not leave the others spinning
            if child.poll() is None:
                child.kill()
                child.wait()
    for i in range(rounds):
        assert_consistent(tmp_path / f"db{i}" / "history.sqlite")


async def test_sigkill_during_import_writes_nothing(tmp_path: Path) -> None:
    """An import is one transaction: killed half way, none of its runs appear."""
    path = tmp_path / "history.sqlite"
    async with await Tracker.open(path) as t:
        await t.save_run(synthetic_run("v0", OPS, started_at=0, seed=0, histogram=False))
    child = spawn(
        tmp_path,
        f"""
        async def main(path):
            t = await Tracker.open(path)
            runs = [synthetic_run("v1", OPS, started_at=i, seed=i, histogram=False,
                                  output="z" * {BIG // 10}) for i in range(1, 40)]
            async def stall(self, version_ids):
                print("MID", flush=True)
                await asyncio.sleep(3600)
            store.Tracker._refresh = stall
            await t.import_runs(runs)
        asyncio.run(main(sys.argv[1]))
        """,
        str(path),
    )
    wait_for_line(child, "MID")
    sigkill(child)
    async with await Tracker.open(path) as t:
        assert await t.count_runs() == 1
        assert await t.labels() == ["v0"]
    assert_consistent(path)
