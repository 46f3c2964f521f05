"""How much does benchtui's measuring cost? One command, figures side by side in one run.

    python benchmarks/overhead.py            # ~1 minute
    python benchmarks/overhead.py --quick    # smaller counts, for a smoke test

1. Timing overhead: the bare floor (a timed ``await noop()`` appended to a list, nothing else)
   against benchtui's engine on the same no-op (timed-phase wall time / iterations, histogram
   binning, rounds and progress events included). Alternated several times; medians. Target
   ratio <= 1.20.
2. Harness memory: peak RSS of a real worker process at 10^5 and 10^7 iterations of the no-op
   (memory phase off). Target growth <= 1 MB: latencies go into a fixed-size histogram.
3. Summary cost: binning 10^6 latency samples into the HDR histogram and computing the
   summary (percentiles, mean, stdev), in the engine's chunk size. Target <= 5 ms.
"""

from __future__ import annotations

import argparse
import array
import asyncio
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchtui.measure.engine import Engine, MeasureSettings  # noqa: E402
from benchtui.measure.histogram import HistogramCounts  # noqa: E402
from benchtui.runner.supervisor import Supervisor  # noqa: E402
from benchtui.suite import load_suite  # noqa: E402


async def noop() -> None:
    pass


async def bare_floor(n: int) -> float:
    """ns per iteration of the simplest honest timing loop."""
    clock = time.perf_counter_ns
    out: list[int] = []
    append = out.append
    started = time.perf_counter_ns()
    for _ in range(n):
        t0 = clock()
        await noop()
        append(clock() - t0)
    return (time.perf_counter_ns() - started) / n


def engine_cost(n: int) -> float:
    """ns per iteration of benchtui's timed phase (its own wall time / iterations)."""
    events: list[str] = []
    engine = Engine(
        noop,
        MeasureSettings(warmup=1000, iterations=n, rounds=20, memory=False),
        lambda kind, **_: events.append(kind),
    )
    result = engine.run()
    return result["total_time_s"] * 1e9 / result["iterations"]


def timing_overhead(n: int, repeats: int) -> None:
    floors, costs = [], []
    for _ in range(repeats):
        floors.append(asyncio.run(bare_floor(n)))
        costs.append(engine_cost(n))
    floor, cost = statistics.median(floors), statistics.median(costs)
    print(f"timing overhead ({repeats} alternating repeats of {n:,} iterations, medians)")
    print(f"  bare floor (await noop, list.append)  {floor:8.1f} ns/iter")
    print(f"  benchtui timed phase                  {cost:8.1f} ns/iter")
    print(f"  ratio                                 {cost / floor:8.3f}x   (target <= 1.20)")


# Linux: VmHWM is the peak RSS; writing 5 to clear_refs resets it, so the peak measured is
# the run's, not the interpreter start-up's (ru_maxrss survives fork+exec and cannot be reset).
_MAXRSS_SCRIPT = """
import sys
from benchtui.measure.engine import Engine, MeasureSettings
def hwm():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            return int(line.split()[1])
async def noop():
    pass
Engine(noop, MeasureSettings(warmup=1000, iterations=1000, memory=False),
       lambda kind, **fields: None).run()
open('/proc/self/clear_refs', 'w').write('5')
before = hwm()
Engine(noop, MeasureSettings(warmup=1000, iterations=int(sys.argv[1]), memory=False),
       lambda kind, **fields: None).run()
print(before, hwm())
"""


def _engine_maxrss_kib(iterations: int) -> tuple[int, int]:
    done = subprocess.run(
        [sys.executable, "-c", _MAXRSS_SCRIPT, str(iterations)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    before, after = (int(x) for x in done.stdout.split())
    return before, after


def harness_memory(small: int, large: int) -> None:
    """Peak RSS of a fresh process running the engine, and of a real worker, at two counts."""
    print("harness memory (memory phase off)")
    peaks = {}
    for n in (small, large):
        before, after = _engine_maxrss_kib(n)
        peaks[n] = after
        print(f"  engine process {n:>12,} iterations: peak RSS {after / 1024:7.2f} MiB "
              f"(before the run {before / 1024:.2f})")
    growth = (peaks[large] - peaks[small]) / 1024
    print(f"  engine growth {small:,} -> {large:,}: {growth:6.2f} MiB   (target <= 1 MB)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "ops_noop.py").write_text("async def noop():\n    pass\n")
        (folder / "noop.toml").write_text(
            textwrap.dedent(
                f"""
                [suite]
                name = "noop"
                [defaults]
                memory = false
                warmup = 1000
                timeout = 600
                [[operations]]
                name = "small"
                target = "ops_noop:noop"
                iterations = {small}
                [[operations]]
                name = "large"
                target = "ops_noop:noop"
                iterations = {large}
                """
            )
        )
        suite = load_suite(folder / "noop.toml")
        result = asyncio.run(Supervisor(suite).run())
    by_name = {op.operation: op for op in result.operations}
    rss_small = by_name["small"].memory.rss_peak_bytes or 0
    rss_large = by_name["large"].memory.rss_peak_bytes or 0
    print(f"  worker process (parent-sampled RSS peak, 10 Hz): {rss_small / 2**20:.2f} MiB -> "
          f"{rss_large / 2**20:.2f} MiB ({(rss_large - rss_small) / 2**20:+.2f} MiB)")


def summary_cost(n: int, repeats: int) -> None:
    rng = np.random.default_rng(7)
    samples = array.array("q", rng.lognormal(8.0, 1.0, n).astype(np.int64).tolist())
    chunk = 65_536
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        view = np.frombuffer(samples, dtype=np.int64)
        histogram = HistogramCounts.empty()
        for start in range(0, n, chunk):
            histogram.record(view[start : start + chunk])
        histogram.summary()
        times.append((time.perf_counter() - started) * 1e3)
        del view
    print(f"summary of {n:,} samples (binning + percentiles + mean/stdev)")
    print(f"  median {statistics.median(times):.2f} ms, best {min(times):.2f} ms"
          "   (target <= 5 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts (smoke test)")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}\n")
    if args.quick:
        timing_overhead(100_000, 3)
        print()
        harness_memory(10_000, 200_000)
        print()
        summary_cost(1_000_000, 5)
        return
    timing_overhead(1_000_000, 5)
    print()
    harness_memory(100_000, 10_000_000)
    print()
    summary_cost(1_000_000, 15)


if __name__ == "__main__":
    main()
