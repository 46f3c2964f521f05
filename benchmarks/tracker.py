"""How fast is the tracker? One command; builds its databases in a temporary folder.

    python benchmarks/tracker.py            # ~3-5 minutes, ~3 GB of temporary disk
    python benchmarks/tracker.py --quick    # 10^5 result rows, for a smoke test

1. Save time: ``save_run`` of 200 runs of 8 operations each (real HDR histograms, 20 rounds
   per operation) into a fresh file, one transaction each. Median and p90 in ms.
2. History at scale: 10^6 stored result rows (125,000 runs x 8 operations, 25,000 versions of
   5 runs). Seeded through the tracker's own import path in batches: every row is what
   ``save_run`` writes (``rows.encode_run`` of synthetic runs; only run id, label and times
   vary between clones of 40 templates). Then ``history`` (one operation, last 10 versions, and
   all 8 operations), ``trend``, ``compare`` and ``labels``, warm (verdicts cached by the first
   call): median of repeats, in ms. Target for ``history``: <= 1 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchtui.tracker import Tracker  # noqa: E402
from benchtui.tracker import rows as rowcodec  # noqa: E402
from benchtui.tracker.store import _HISTORY_SQL  # noqa: E402
from benchtui.tracker.synthetic import seed_clones, synthetic_run  # noqa: E402

OPS = {
    "parse_config": 12_000.0,
    "render_prompt": 48_000.0,
    "tokenize": 90_000.0,
    "embed_lookup": 30_000.0,
    "route_tool": 7_000.0,
    "serialize": 20_000.0,
    "validate": 15_000.0,
    "cache_get": 2_000.0,
}
RUNS_PER_VERSION = 5
TEMPLATES = 40
BATCH_RUNS = 5_000
TARGET_HISTORY_MS = 1.0


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.3f} ms"


async def bench_save(folder: Path, n_runs: int) -> list[float]:
    runs = [
        synthetic_run(f"v{i // 10}", OPS, started_at=i, seed=i) for i in range(n_runs)
    ]  # built before timing: the engine hands save_run a finished RunResult
    times = []
    async with await Tracker.open(folder / "save.sqlite") as tracker:
        for run in runs:
            started = time.perf_counter()
            await tracker.save_run(run)
            times.append(time.perf_counter() - started)
    return times


async def seed(path: Path, n_results: int) -> float:
    n_runs = n_results // len(OPS)
    templates = [
        rowcodec.encode_run(synthetic_run("t", OPS, started_at=i, seed=1000 + i))
        for i in range(TEMPLATES)
    ]
    started = time.perf_counter()

    def progress(done: int) -> None:
        if done % (BATCH_RUNS * 5) == 0 or done == n_runs:
            print(f"   ... {done * len(OPS):>9,} result rows", flush=True)

    async with await Tracker.open(path) as tracker:
        await seed_clones(
            tracker,
            templates,
            n_runs,
            runs_per_version=RUNS_PER_VERSION,
            batch=BATCH_RUNS,
            on_batch=progress,
        )
    return time.perf_counter() - started


async def timed(call, repeats: int) -> tuple[float, float]:
    """(first call, median of ``repeats`` warm calls) in seconds."""
    started = time.perf_counter()
    await call()
    first = time.perf_counter() - started
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    return first, statistics.median(times)


async def bench_queries(path: Path, repeats: int) -> dict[str, tuple[float, float]]:
    results = {}
    async with await Tracker.open(path) as t:
        labels = await t.labels()
        a, b = labels[-2], labels[-1]
        results["history(op, last=10)"] = await timed(
            lambda: t.history(op="parse_config", last=10), repeats
        )
        results["history(last=10), 8 ops"] = await timed(lambda: t.history(last=10), repeats)
        results["trend(op, limit=50)"] = await timed(
            lambda: t.trend("parse_config", limit=50), repeats
        )
        results["compare(a, b), 8 ops"] = await timed(lambda: t.compare(a, b), repeats)
        results["labels()"] = await timed(lambda: t.labels(), max(3, repeats // 20))
    return results


def bare_sqlite(path: Path, repeats: int) -> float:
    """The history statement alone on a plain sqlite3 connection (no asyncio, no objects)."""
    conn = sqlite3.connect(path)
    params = {"n": 11, "op": "parse_config", "suite": None, "threshold": 0.02, "algorithm": 1}
    conn.execute(_HISTORY_SQL, params).fetchall()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        conn.execute(_HISTORY_SQL, params).fetchall()
        times.append(time.perf_counter() - started)
    conn.close()
    return statistics.median(times)


def count(path: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(path)
    figures = tuple(
        conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in ("results", "runs", "versions")
    )
    conn.close()
    return figures  # type: ignore[return-value]


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10^5 rows, fewer repeats")
    parser.add_argument("--results", type=int, help="result rows to seed (default 10^6)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary databases")
    args = parser.parse_args()
    n_results = args.results or (100_000 if args.quick else 1_000_000)
    repeats = 50 if args.quick else 200
    folder = Path(tempfile.mkdtemp(prefix="benchtui-tracker-"))
    try:
        print(f"benchtui tracker benchmark (SQLite {sqlite3.sqlite_version}, in {folder})\n")
        save_runs = 50 if args.quick else 200
        times = await bench_save(folder, save_runs)
        times.sort()
        print(f"1. save_run, {save_runs} runs x {len(OPS)} operations (one transaction each)")
        print(f"   median {ms(statistics.median(times))}   p90 {ms(times[int(len(times) * 0.9)])}")
        print()

        path = folder / "history.sqlite"
        print(f"2. history over {n_results:,} result rows")
        seconds = await seed(path, n_results)
        results, runs, versions = count(path)
        size = sum(p.stat().st_size for p in folder.glob("history.sqlite*")) / 2**30
        print(
            f"   seeded {results:,} results, {runs:,} runs, {versions:,} versions "
            f"in {seconds:.0f} s ({size:.1f} GiB)"
        )
        queries = await bench_queries(path, repeats)
        print(f"   {'query':<28}{'first call':>14}{'warm (median)':>16}")
        for name, (first, warm) in queries.items():
            print(f"   {name:<28}{ms(first):>14}{ms(warm):>16}")
        sql = bare_sqlite(path, repeats)
        print(f"   {'(history SQL, bare sqlite3)':<28}{'':>14}{ms(sql):>16}")
        warm = queries["history(op, last=10)"][1] * 1e3
        verdict = "OK" if warm <= TARGET_HISTORY_MS else "OVER TARGET"
        print(f"\n   history warm: {warm:.3f} ms (target <= {TARGET_HISTORY_MS} ms): {verdict}")
        return 0 if warm <= TARGET_HISTORY_MS else 1
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
