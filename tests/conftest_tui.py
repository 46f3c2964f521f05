"""Helpers for the TUI tests (imported by tests/test_tui*.py; not a pytest conftest).

Tiny suites whose operations finish in well under a second, and synthetic runs built by
folding crafted events into the core's ``OperationState`` so snapshot tests are deterministic.
"""

from __future__ import annotations

import asyncio
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from benchtui.measure.histogram import HistogramCounts
from benchtui.runner.events import (
    MemoryReading,
    OperationError,
    OperationFinished,
    OperationOutput,
    OperationStarted,
    PhaseStarted,
    Progress,
    RoundFinished,
)
from benchtui.runner.live import OperationState
from benchtui.runner.results import (
    ErrorInfo,
    LatencySummary,
    LeakSite,
    MemorySummary,
    OperationResult,
    RoundSummary,
)
from benchtui.tui.session import QueueEntry, RunView

THEMES_DIR = Path(__file__).resolve().parent.parent / "themes"

TINY_OPS = """
import os
import sys
import time


def add():
    return 1 + 1


def chatty():
    print("tick from the operation")


def flood():
    sys.stdout.write("y" * 5000 + "\\n")


def raises():
    raise ValueError("deliberate failure")


def crashes():
    os._exit(3)


def hangs():
    time.sleep(3600)


def slow():
    time.sleep(0.002)
"""

TINY_SUITE = """
[suite]
name = "tiny"
description = "Fast operations for the TUI tests."

[defaults]
warmup = 10
iterations = 2000
memory_iterations = 50
rounds = 4
timeout = 20.0

[[operations]]
name = "add"
target = "tiny_ops:add"
description = "One addition."

[[operations]]
name = "chatty"
target = "tiny_ops:chatty"
iterations = 200
memory = false

[[operations]]
name = "slow"
target = "tiny_ops:slow"
duration = 30.0
memory = false
"""

FAULTS_SUITE = """
[suite]
name = "faults"

[defaults]
warmup = 2
iterations = 300
memory = false
rounds = 2
timeout = 15.0   # generous: a loaded CI machine may take seconds just to start a worker

[[operations]]
name = "raises"
target = "tiny_ops:raises"

[[operations]]
name = "crashes"
target = "tiny_ops:crashes"

[[operations]]
name = "hangs"
target = "tiny_ops:hangs"
timeout = 2.0

[[operations]]
name = "flood"
target = "tiny_ops:flood"
iterations = 2000

[[operations]]
name = "add"
target = "tiny_ops:add"
"""


def write_suites(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tiny_ops.py").write_text(textwrap.dedent(TINY_OPS))
    (folder / "tiny.toml").write_text(TINY_SUITE)
    (folder / "faults.toml").write_text(FAULTS_SUITE)
    return folder


async def wait_until(pilot, condition: Callable[[], bool], timeout: float = 20.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await pilot.pause(0.05)


def child_pids() -> set[int]:
    """Our own benchtui children (other test sessions may run theirs beside us)."""
    import os

    import psutil

    me = psutil.Process(os.getpid())
    found = set()
    for proc in me.children(recursive=True):
        try:
            if "runner/child.py" in " ".join(proc.cmdline()):
                found.add(proc.pid)
        except psutil.Error:
            continue
    return found


async def no_children(timeout: float = 1.0) -> bool:
    deadline = time.monotonic() + timeout
    while child_pids():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


# ---------------------------------------------------------------------- synthetic runs
class FakeClock:
    """A monotonic clock the test moves by hand: wall-clock figures come out the same on
    every run (snapshot images must not depend on how fast the machine built the state)."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _histogram_delta(seed: int, n: int, median_ns: float) -> tuple[str, HistogramCounts]:
    rng = np.random.default_rng(seed)
    samples = (rng.lognormal(np.log(median_ns), 0.35, n)).astype(np.int64)
    # A few slow outliers, as real operations have.
    samples[:: max(n // 40, 1)] *= 6
    counts = HistogramCounts.empty()
    counts.record(samples)
    return counts.encode(), counts


def running_state(name: str = "render_prompt", seed: int = 7) -> OperationState:
    """An operation halfway through its timed phase, with memory readings and output."""
    settings = {"iterations": 30000, "duration": None, "memory": True}
    clock = FakeClock()
    state = OperationState(name, clock=clock)
    state.apply(OperationStarted(name, 1, 4, settings))
    state.apply(PhaseStarted(name, "warmup"))
    state.apply(PhaseStarted(name, "timed", planned_iterations=30000, rounds=20))
    for step in range(1, 7):
        delta, _ = _histogram_delta(seed + step, 2000, 48_000)
        done = 2000 * step
        # 20 rounds of 1,500 calls: the round in progress is the one these calls reached.
        state.apply(Progress(name, done, 0, done // 1500, 20, 0.1 * step, delta))
    for i in range(8):
        state.apply(RoundFinished(name, _round(i)))
    for i in range(24):
        rss = 40_000_000 + i * 180_000 + (i % 3) * 50_000
        state.apply(MemoryReading(name, 0.1 * i, rss_bytes=rss))
    state.apply(OperationOutput(name, "stdout", "loaded 12 messages\nrendering with 4 tools\n"))
    clock.now += 0.9  # warmup and worker start before the 0.6 s of timed calls
    return state


def finished_state(name: str = "leaky_cache", seed: int = 11) -> OperationState:
    """A finished operation that leaks, with leak sites."""
    settings = {"iterations": 20000, "duration": None, "memory": True}
    clock = FakeClock()
    state = OperationState(name, clock=clock)
    state.apply(OperationStarted(name, 0, 4, settings))
    state.apply(PhaseStarted(name, "timed", planned_iterations=20000, rounds=4))
    delta, counts = _histogram_delta(seed, 20000, 3_100)
    state.apply(Progress(name, 20000, 0, 4, 4, 0.9, delta))
    for i in range(30):
        state.apply(MemoryReading(name, 0.05 * i, rss_bytes=30_000_000 + i * 700_000))
    state.apply(PhaseStarted(name, "memory", planned_iterations=2000))
    for i in range(0, 2001, 100):
        state.apply(
            MemoryReading(
                name,
                1.0 + i / 1000,
                traced_current_bytes=10_000 + i * 1100,
                traced_peak_bytes=12_000 + i * 1100,
                traced_iteration=i,
            )
        )
    result = OperationResult(
        operation=name,
        status="ok",
        iterations=20000,
        errors=0,
        total_time_s=0.9,
        throughput_per_s=22222.0,
        latency_ns=counts.summary(),
        histogram=counts.encode(),
        rounds=tuple(_round(i) for i in range(4)),
        memory=MemorySummary(
            tracemalloc_peak_bytes=2_212_000,
            tracemalloc_current_bytes=2_210_000,
            leak_bytes_per_iter=1100.0,
            leak_detected=True,
            leak_sites=(
                LeakSite("agent_ops.py:212", 2_150_000, 2000),
                LeakSite("agent_ops.py:208", 48_000, 12),
            ),
            rss_start_bytes=30_000_000,
            rss_peak_bytes=50_300_000,
            rss_end_bytes=50_300_000,
        ),
        settings=settings,
    )
    clock.now += 3.1
    state.apply(OperationFinished(name, result))
    return state


def failed_state(name: str = "parse_tool_call") -> OperationState:
    settings = {"iterations": 2000, "duration": None, "memory": False}
    clock = FakeClock()
    state = OperationState(name, clock=clock)
    state.apply(OperationStarted(name, 2, 4, settings))
    state.apply(OperationOutput(name, "stderr", "about to parse\n"))
    traceback = (
        "Traceback (most recent call last):\n"
        '  File "agent_ops.py", line 88, in parse_tool_call\n'
        "    raise ValueError('bad payload')\n"
        "ValueError: bad payload\n"
    )
    state.apply(OperationError(name, "ValueError", "bad payload", traceback))
    result = OperationResult(
        operation=name,
        status="error",
        iterations=2000,
        errors=2000,
        total_time_s=0.21,
        latency_ns=LatencySummary(),
        error=ErrorInfo("ValueError", "bad payload", traceback),
        output="about to parse\n",
        exit_code=0,
        settings=settings,
    )
    clock.now += 0.4
    state.apply(OperationFinished(name, result))
    return state


def all_failing_state(name: str = "parse_strict", *, finished: bool = False) -> OperationState:
    """Every call raises: progress and errors but not one latency sample."""
    settings = {"iterations": 3000, "duration": None, "memory": False}
    clock = FakeClock()
    state = OperationState(name, clock=clock)
    state.apply(OperationStarted(name, 3, 4, settings))
    state.apply(PhaseStarted(name, "warmup"))
    traceback = (
        "Traceback (most recent call last):\n"
        '  File "agent_ops.py", line 97, in parse_strict\n'
        "    raise KeyError('tool')\n"
        "KeyError: 'tool'\n"
    )
    state.apply(OperationError(name, "KeyError", "'tool'", traceback))
    state.apply(PhaseStarted(name, "timed", planned_iterations=3000, rounds=10))
    # Failed calls record no latency: the histogram deltas stay empty.
    state.apply(Progress(name, 1200, 1210, 4, 10, 0.4, ""))
    if finished:
        state.apply(Progress(name, 3000, 3010, 10, 10, 1.0, ""))
        result = OperationResult(
            operation=name,
            status="error",
            iterations=3000,
            errors=3000,
            total_time_s=1.0,
            throughput_per_s=3000.0,
            latency_ns=LatencySummary(),
            error=ErrorInfo("KeyError", "'tool'", traceback),
            exit_code=0,
            settings=settings,
        )
        clock.now += 1.3
        state.apply(OperationFinished(name, result))
    else:
        clock.now += 0.7
    return state


def pending_state(name: str) -> OperationState:
    return OperationState(name)


def _round(i: int) -> RoundSummary:
    return RoundSummary(i, 1000, 0, 0.05, 50_000.0, 48_000, 70_000, 160_000, 30_000, 400_000)


class FakeSource:
    """A fixed ``RunView`` for the live screen (deterministic snapshots)."""

    def __init__(self, states: list[OperationState], phase: str = "running") -> None:
        entries = tuple(QueueEntry((0, s.operation), "agent", s.snapshot()) for s in states)
        current = next((e.key for e in entries if e.snapshot.status == "running"), None)
        self._view = RunView("v1.4.0", phase, entries, current, 12.5)
        self.in_flight = self.cancellable = phase == "running"

    def view(self) -> RunView:
        return self._view

    def cancel(self) -> None:
        self.in_flight = self.cancellable = False
