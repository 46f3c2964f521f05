"""Is the verdict honest on real runs? False-positive rate and power, measured end to end.

    python benchmarks/verdict.py              # 20 trials, ~2 minutes
    python benchmarks/verdict.py --trials 5   # quicker

Every trial measures real worker processes through the supervisor and saves them to a real
tracker file, then asks the tracker for its verdict, exactly as ``benchtui compare`` does:

* **same code**: version A and version B run the identical 100 µs busy-wait. Any
  ``faster``/``slower`` verdict is a false positive.
* **20% slower**: version B busy-waits 120 µs. Anything but ``slower`` is a miss.

Each is done with one, two and three runs per version (interleaved).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import textwrap
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchtui.runner.supervisor import Supervisor  # noqa: E402
from benchtui.suite import load_suite  # noqa: E402
from benchtui.tracker import Tracker  # noqa: E402

OPS = """
import time


def busy(us):
    end = time.perf_counter_ns() + us * 1000
    while time.perf_counter_ns() < end:
        pass
"""


def write_suite(folder: Path, name: str, us: int) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(
        textwrap.dedent(
            f"""
            [suite]
            name = "verdict"
            [[operations]]
            name = "busy"
            target = "busy_ops:busy"
            params = {{ us = {us} }}
            iterations = 600
            warmup = 50
            memory = false
            """
        )
    )
    return path


async def trial(folder: Path, tracker: Tracker, index: int, b_us: int, runs: int) -> str:
    a_label, b_label = f"t{index}-a", f"t{index}-b"
    suites = {
        label: load_suite(write_suite(folder, label, us))
        for label, us in ((a_label, 100), (b_label, b_us))
    }
    for _ in range(runs):  # interleaved, A B A B: a slow spell of the machine hits both
        for label, suite in suites.items():
            result = await Supervisor(suite, label=label).run()
            await tracker.save_run(result)
    [comparison] = await tracker.compare(a_label, b_label, op="busy")
    return comparison.verdict.kind


async def main_async(trials: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "busy_ops.py").write_text(OPS)
        tracker = await Tracker.open(folder / "history.sqlite")
        try:
            index = 0
            for runs in (1, 2, 3):
                for b_us, what in ((100, "same code"), (120, "B 20% slower")):
                    kinds: Counter[str] = Counter()
                    for _ in range(trials):
                        index += 1
                        kinds[await trial(folder, tracker, index, b_us, runs)] += 1
                    wrong = (
                        kinds["faster"] + kinds["slower"]
                        if b_us == 100
                        else trials - kinds["slower"]
                    )
                    rate = "false positives" if b_us == 100 else "misses"
                    summary = ", ".join(f"{k}: {v}" for k, v in kinds.most_common())
                    print(
                        f"{what:>13}, {runs} run(s)/version, {trials} trials: {summary}"
                        f"   -> {rate} {wrong}/{trials} ({wrong / trials:.0%})",
                        flush=True,
                    )
        finally:
            await tracker.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    asyncio.run(main_async(parser.parse_args().trials))


if __name__ == "__main__":
    main()
