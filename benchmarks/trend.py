"""How fast does the trend screen open on a large history? One command, temporary files.

    python benchmarks/trend.py             # 1,000 versions x 50 operations (~1 minute)
    python benchmarks/trend.py --versions 200 --operations 10   # a quick smoke run

Seeds a history of V versions x O operations (one run per version; every result with a real
HDR histogram and 20 rounds, as ``save_run`` writes it: ``rows.encode_run`` of synthetic runs,
cloned with new ids, labels and times) through the tracker's import path. Then, in a headless
``App.run_test()`` at 160x48:

1. **open**: press ``t`` on the suites screen until the trend screen is drawn with its first
   page (operations listed, the newest 100 versions of the first operation in the chart and
   the table): the time to ``PageShown`` plus the repaint after it. Median of repeats (escape
   and ``t`` again; each open makes a new screen and a new database connection).
2. **verdicts**: from opening an operation never judged before until the verdicts of its
   newest 20 versions and of the whole page (100) are on screen ("cold": the tracker computes
   them and caches them), then the same operation again ("warm": read from the cache).
3. the queries alone (``HistorySource``), warm, for reference.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchtui.tracker import Tracker  # noqa: E402
from benchtui.tracker import rows as rowcodec  # noqa: E402
from benchtui.tracker.synthetic import seed_clones, synthetic_run  # noqa: E402
from benchtui.tui.history_queries import FIRST_VERDICTS, PAGE, HistorySource, OpRef  # noqa: E402

TEMPLATES = 20
BATCH = 250
SUITE = "scale"


async def seed(path: Path, versions: int, operations: int) -> float:
    ops = {f"op_{i:02d}": 4_000.0 * (1 + i % 9) for i in range(operations)}
    templates = [
        rowcodec.encode_run(synthetic_run("t", ops, suite=SUITE, started_at=i, seed=500 + i))
        for i in range(TEMPLATES)
    ]
    started = time.perf_counter()
    async with await Tracker.open(path) as tracker:
        await seed_clones(tracker, templates, versions, batch=BATCH)
    return time.perf_counter() - started


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.1f} ms"


class Clock:
    """Times of the events of one open: each ``PageShown`` and each frame the app writes."""

    def __init__(self) -> None:
        self.start = 0.0
        self.pages: list[tuple[float, int]] = []  # (time, versions judged so far)
        self.frames: list[float] = []

    def reset(self) -> None:
        self.start, self.pages, self.frames = time.perf_counter(), [], []

    def hook(self, message: object) -> None:
        from benchtui.tui.screens.trend import PageShown

        if isinstance(message, PageShown):
            points = message.page.points
            # Counted up to the page size: a short history is "all judged" when it is.
            judged = PAGE if message.page.judged else sum(p.judged for p in points)
            self.pages.append((time.perf_counter(), judged))

    def drawn_after(self, moment: float) -> float | None:
        """Seconds from the start to the first frame written after ``moment``."""
        later = [f for f in self.frames if f >= moment]
        return later[0] - self.start if later else None

    def first_page(self, judged: int = 0) -> float | None:
        for moment, count in self.pages:
            if count >= judged:
                return moment
        return None


async def until(pilot, condition, timeout: float = 120.0) -> None:  # noqa: ANN001, ASYNC109
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the trend screen did not get there in time")
        await pilot.pause(0.005)


async def bench_screen(path: Path, repeats: int, cold_ops: int) -> dict[str, list[float]]:
    from benchtui.tui.app import BenchApp
    from benchtui.tui.screens.trend import TrendScreen

    times: dict[str, list[float]] = {
        k: [] for k in ("open", "cold20", "cold100", "warm20", "warm100")
    }
    clock = Clock()
    app = BenchApp([ROOT / "sample_suites"], db=str(path), save=False)
    display = app._display

    def timed_display(screen, renderable) -> None:  # noqa: ANN001
        clock.frames.append(time.perf_counter())
        display(screen, renderable)

    app._display = timed_display  # type: ignore[method-assign]

    async def measured(opening) -> dict[int, float]:  # noqa: ANN001
        """Seconds from ``opening`` to the frame showing the page with no, 20 and all of its
        verdicts."""
        clock.reset()
        await opening()
        await until(pilot, lambda: clock.first_page(PAGE) is not None)
        # When the last page changed nothing on screen there is no frame to wait for.
        with contextlib.suppress(TimeoutError):
            await until(pilot, lambda: clock.drawn_after(clock.first_page(PAGE)) is not None, 2.0)
        found = {}
        for n in (0, FIRST_VERDICTS, PAGE):
            moment = clock.first_page(n)
            drawn = clock.drawn_after(moment)
            found[n] = drawn if drawn is not None else moment - clock.start
        return found

    async with app.run_test(size=(160, 48), message_hook=clock.hook) as pilot:
        await pilot.pause()
        for _ in range(repeats):
            times["open"].append((await measured(lambda: pilot.press("t")))[0])
            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, TrendScreen))
        for index in range(cold_ops):
            op = OpRef(SUITE, f"op_{index + 1:02d}")
            for kind in ("cold", "warm"):

                async def push(op: OpRef = op) -> None:
                    app.push_screen(TrendScreen(path, focus=op))

                found = await measured(push)
                times[f"{kind}20"].append(found[FIRST_VERDICTS])
                times[f"{kind}100"].append(found[PAGE])
                app.pop_screen()
                await pilot.pause()
    return times


async def bench_queries(path: Path, repeats: int) -> dict[str, float]:
    source = await HistorySource.open(path)
    assert source is not None
    op = OpRef(SUITE, "op_00")
    calls = {
        "operations()": source.operations,
        "figures(op) 100 versions": lambda: source.figures(op),
        "latest() all operations": source.latest,
    }
    page = await source.figures(op)
    calls["judged(page), cached"] = lambda: source.judged(page)
    found = {}
    try:
        for name, call in calls.items():
            await call()
            samples = []
            for _ in range(repeats):
                started = time.perf_counter()
                await call()
                samples.append(time.perf_counter() - started)
            found[name] = statistics.median(samples)
    finally:
        await source.close()
    return found


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=1000)
    parser.add_argument("--operations", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="benchtui-trend-"))
    path = folder / "history.sqlite"
    try:
        print(
            f"benchtui trend-screen benchmark ({args.versions} versions x "
            f"{args.operations} operations, in {folder})\n"
        )
        seconds = await seed(path, args.versions, args.operations)
        size = sum(p.stat().st_size for p in folder.glob("history.sqlite*")) / 2**20
        print(
            f"seeded {args.versions * args.operations:,} results in {seconds:.1f} s "
            f"({size:.0f} MiB)\n"
        )
        times = await bench_screen(path, args.repeats, cold_ops=3)
        opens = sorted(times["open"])
        print(f"1. t -> trend screen drawn with the newest {min(args.versions, 100)} versions")
        print(
            f"   median {ms(statistics.median(opens))}   min {ms(opens[0])}   "
            f"max {ms(opens[-1])}   ({len(opens)} opens)"
        )
        print("2. verdicts against the previous version (median of 3 operations)")
        for kind in ("cold", "warm"):
            print(
                f"   {kind}: newest {FIRST_VERDICTS} {ms(statistics.median(times[kind + '20']))}"
                f"   whole page {ms(statistics.median(times[kind + '100']))}"
            )
        print("3. queries alone (warm, median)")
        for name, value in (await bench_queries(path, 20)).items():
            print(f"   {name:<28}{ms(value)}")
        return 0
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
