"""Fold a run's events into per-operation state, and take immutable snapshots of it.

Both faces use this: the headless progress bars and the TUI panes read ``LiveSnapshot``s a few
times a second, whatever the event rate (data speed decoupled from repaint speed). The
supervisor uses it too, so an operation that crashes or times out still reports what was
measured before it died. Memory is bounded: histograms are fixed-size counts, series are
decimated when they grow past a cap, output keeps a head and a tail.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from benchtui.measure.histogram import (
    HistogramCounts,
    decode_counts,
    index_lowest_values,
)
from benchtui.runner.events import (
    Event,
    MemoryReading,
    OperationError,
    OperationFinished,
    OperationOutput,
    OperationStarted,
    PhaseStarted,
    Progress,
    RoundFinished,
)
from benchtui.runner.results import (
    ErrorInfo,
    LatencySummary,
    OperationResult,
    RoundSummary,
)

SERIES_CAP = 512
OUTPUT_HEAD = 16 * 1024
OUTPUT_TAIL = 48 * 1024
STALE_S = 0.2  # a running operation's snapshot is rebuilt at least this often (wall time)


class OutputBuffer:
    """Keeps the first and the last bytes of a possibly endless stream of output."""

    def __init__(self, head: int = OUTPUT_HEAD, tail: int = OUTPUT_TAIL) -> None:
        self._head_cap = head
        self._tail_cap = tail
        self._head: list[str] = []
        self._head_len = 0
        self._tail: list[str] = []
        self._tail_len = 0
        self.dropped = 0

    def append(self, text: str) -> None:
        if self._head_len < self._head_cap:
            take = text[: self._head_cap - self._head_len]
            self._head.append(take)
            self._head_len += len(take)
            text = text[len(take) :]
        if not text:
            return
        self._tail.append(text)
        self._tail_len += len(text)
        if self._tail_len > self._tail_cap * 2:
            joined = "".join(self._tail)
            self.dropped += len(joined) - self._tail_cap
            self._tail = [joined[-self._tail_cap :]]
            self._tail_len = self._tail_cap

    def text(self) -> str:
        tail = "".join(self._tail)
        if len(tail) > self._tail_cap:
            self.dropped += len(tail) - self._tail_cap
            tail = tail[-self._tail_cap :]
            self._tail = [tail]
            self._tail_len = len(tail)
        head = "".join(self._head)
        if self.dropped:
            # End the head and start the tail at line boundaries: no half lines by the marker.
            newline = head.rfind("\n", max(0, len(head) - 1024))
            if newline >= 0:
                self.dropped += len(head) - newline - 1
                head = head[: newline + 1]
                self._head = [head]
                self._head_len = len(head)
            newline = tail.find("\n", 0, 1024)
            if newline >= 0:
                self.dropped += newline + 1
                tail = tail[newline + 1 :]
                self._tail = [tail]
                self._tail_len = len(tail)
        gap = ""
        if self.dropped:
            gap = f"\n[... {self.dropped:,} characters of output not kept ...]\n"
        return head + gap + tail


class Series:
    """(x, y) points with bounded memory: past the cap, every other point is dropped."""

    def __init__(self, cap: int = SERIES_CAP) -> None:
        self.cap = cap
        self.points: list[tuple[float, float]] = []
        self._stride = 1
        self._seen = 0

    def add(self, x: float, y: float) -> None:
        self._seen += 1
        if self._seen % self._stride:
            return
        self.points.append((x, y))
        if len(self.points) > self.cap:
            self.points = self.points[::2]
            self._stride *= 2


@dataclass(frozen=True)
class LiveSnapshot:
    """What a face shows of one operation at one moment. Immutable; cheap to compare."""

    operation: str
    status: str  # pending | running | ok | error | timeout | crashed | cancelled
    phase: str | None
    iterations: int
    planned_iterations: int | None
    planned_duration: float | None
    errors: int
    elapsed_s: float
    progress: float | None  # 0..1 of the timed phase, when known
    eta_s: float | None
    throughput_now: float
    throughput_overall: float
    latency: LatencySummary
    histogram_bins: tuple[tuple[int, int], ...]  # (lowest ns of bucket, count), non-empty only
    rss_series: tuple[tuple[float, float], ...]
    traced_series: tuple[tuple[float, float], ...]
    rss_peak_bytes: int | None
    traced_peak_bytes: int | None
    rounds: tuple[RoundSummary, ...]
    output: str
    error: ErrorInfo | None
    result: OperationResult | None = None
    # The round in progress (1-based) and how many there are, both from the same Progress
    # event as ``iterations``: a round counter fed by RoundFinished events would run ahead of
    # the throttled progress figures.
    round: int | None = None
    planned_rounds: int | None = None
    # Successful timed calls with a latency in the histogram: failed calls record none, so
    # with zero samples the latency figures are absent, not 0 ns.
    latency_samples: int = 0
    started: bool = False  # the worker was started (never-started ones end up "cancelled")
    memory: bool | None = None  # whether a traced memory phase is planned (None: not known)
    # Seconds since the operation started (to its end once finished), whatever the phase:
    # ``elapsed_s`` counts the timed phase only, which a hang in warmup never reaches.
    wall_s: float | None = None
    # The phase it was in when it finished (None: before any phase began).
    ended_in: str | None = None
    # Finished with its timed phase run to the end (an ``error`` whose calls raised still
    # ran every round); a timeout, crash or cancel stops short and ``progress`` says where.
    complete: bool = False


@dataclass
class OperationState:
    """Mutable accumulation of one operation's events."""

    operation: str
    settings: dict[str, Any] = field(default_factory=dict)
    status: str = "pending"
    phase: str | None = None
    iterations: int = 0
    errors: int = 0
    planned_iterations: int | None = None
    planned_duration: float | None = None
    round: int | None = None  # 0-based index of the round in progress (== rounds when done)
    planned_rounds: int | None = None
    timed_started: float | None = None
    started: float | None = None
    timed_elapsed: float = 0.0
    histogram: HistogramCounts = field(default_factory=HistogramCounts.empty)
    rounds: list[RoundSummary] = field(default_factory=list)
    rss: Series = field(default_factory=Series)
    traced: Series = field(default_factory=Series)
    rss_start: int | None = None
    rss_peak: int | None = None
    rss_end: int | None = None
    traced_peak: int | None = None
    output: OutputBuffer = field(default_factory=OutputBuffer)
    error: ErrorInfo | None = None
    result: OperationResult | None = None
    ended: float | None = None
    ended_in: str | None = None
    # Injectable so tests can pin the wall-clock figures.
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    _rate: list[tuple[float, int]] = field(default_factory=list)
    _dirty: bool = True
    _snapshot: LiveSnapshot | None = None
    _snapshot_at: float = 0.0

    def apply(self, event: Event) -> None:
        self._dirty = True
        now = self.clock()
        if isinstance(event, OperationStarted):
            self.settings = dict(event.settings)
            self.status = "running"
            self.started = now
            self.planned_iterations = event.settings.get("iterations")
            self.planned_duration = event.settings.get("duration")
        elif isinstance(event, PhaseStarted):
            self.phase = event.phase
            if event.phase == "timed":
                self.timed_started = now
                self.planned_iterations = event.planned_iterations
                self.planned_duration = event.planned_duration
                self.planned_rounds = event.rounds
        elif isinstance(event, Progress):
            self.iterations = event.iterations
            self.round, self.planned_rounds = event.round, event.rounds
            self.errors = event.errors
            self.timed_elapsed = event.elapsed_s
            if event.histogram_delta:
                self.histogram.add_counts(decode_counts(event.histogram_delta))
            self._rate.append((event.elapsed_s, event.iterations))
            del self._rate[:-6]
        elif isinstance(event, RoundFinished):
            self.rounds.append(event.summary)
        elif isinstance(event, MemoryReading):
            if event.rss_bytes is not None:
                self.rss.add(event.elapsed_s, event.rss_bytes)
                # "Start" is once the worker has imported the code and begun measuring, not
                # the bare interpreter of the first milliseconds.
                if self.rss_start is None and self.phase is not None:
                    self.rss_start = event.rss_bytes
                self.rss_peak = max(self.rss_peak or 0, event.rss_bytes)
                self.rss_end = event.rss_bytes
            if event.traced_current_bytes is not None:
                self.traced.add(float(event.traced_iteration or 0), event.traced_current_bytes)
            if event.traced_peak_bytes is not None:
                self.traced_peak = max(self.traced_peak or 0, event.traced_peak_bytes)
        elif isinstance(event, OperationOutput):
            self.output.append(event.text)
        elif isinstance(event, OperationError):
            if self.error is None:
                self.error = ErrorInfo(event.type, event.message, event.traceback)
        elif isinstance(event, OperationFinished):
            self.result = event.result
            self.status = event.result.status
            self.ended, self.ended_in = now, self.phase
            self.phase = None
            self.iterations = event.result.iterations
            self.errors = event.result.errors
            if event.result.error is not None:
                self.error = event.result.error

    def snapshot(self) -> LiveSnapshot:
        """An immutable view; rebuilt when an event arrived since the last one.

        A running operation's is also rebuilt when it is older than STALE_S: its wall-clock
        time moves on even while no event comes (a call that hangs sends none).
        """
        now = self.clock()
        fresh = self.status != "running" or now - self._snapshot_at < STALE_S
        if self._snapshot is not None and not self._dirty and fresh:
            return self._snapshot
        self._dirty = False
        self._snapshot_at = now
        result = self.result
        if result is not None and result.iterations:
            latency = result.latency_ns
        else:
            latency = self.histogram.summary()
        # Once finished, the result's own timed-phase time: the last Progress event is
        # throttled and may be a good part of a second behind the end.
        elapsed = result.total_time_s if result is not None else self.timed_elapsed
        progress = eta = None
        complete = result is not None and self._ran_timed_phase_through(result)
        if complete:
            progress = 1.0
        elif self.phase == "timed" or (result is not None and self._reached_timed_phase()):
            if self.planned_iterations:
                progress = min(self.iterations / self.planned_iterations, 1.0)
            elif self.planned_duration:
                progress = min(elapsed / self.planned_duration, 1.0)
            if result is None and progress and progress > 0:
                eta = max(elapsed / progress - elapsed, 0.0)
        wall = None
        if self.started is not None:
            wall = max((self.ended if self.ended is not None else now) - self.started, 0.0)
        throughput_now = 0.0
        if len(self._rate) >= 2:
            (t0, i0), (t1, i1) = self._rate[0], self._rate[-1]
            if t1 > t0:
                throughput_now = (i1 - i0) / (t1 - t0)
        overall = self.iterations / elapsed if elapsed > 0 else 0.0
        if result is not None and result.throughput_per_s:
            overall = result.throughput_per_s
        counts = self.histogram.counts
        nonzero = np.flatnonzero(counts)
        samples = int(counts[nonzero].sum())
        round_no = None
        if self.round is not None and self.planned_rounds:
            round_no = min(self.round + 1, self.planned_rounds)
        memory = self.settings.get("memory") if self.started is not None else None
        bins = tuple(
            zip(
                (int(v) for v in index_lowest_values(nonzero)),
                (int(c) for c in counts[nonzero]),
                strict=True,
            )
        )
        self._snapshot = LiveSnapshot(
            operation=self.operation,
            status=self.status,
            phase=self.phase,
            iterations=self.iterations,
            planned_iterations=self.planned_iterations,
            planned_duration=self.planned_duration,
            errors=self.errors,
            elapsed_s=elapsed,
            progress=progress,
            eta_s=eta,
            throughput_now=throughput_now,
            throughput_overall=overall,
            latency=latency,
            histogram_bins=bins,
            rss_series=tuple(self.rss.points),
            traced_series=tuple(self.traced.points),
            rss_peak_bytes=self.rss_peak,
            traced_peak_bytes=self.traced_peak,
            rounds=tuple(self.rounds),
            output=self.output.text(),
            error=self.error,
            result=result,
            round=round_no,
            planned_rounds=self.planned_rounds,
            latency_samples=samples,
            started=self.started is not None,
            memory=None if memory is None else bool(memory),
            wall_s=wall,
            ended_in=self.ended_in,
            complete=complete,
        )
        return self._snapshot

    def _reached_timed_phase(self) -> bool:
        return self.timed_started is not None or self.iterations > 0

    def _ran_timed_phase_through(self, result: OperationResult) -> bool:
        if result.status == "ok":
            return True
        if result.status != "error":  # timeout, crashed, cancelled: stopped by the supervisor
            return False
        # An error status with the child's final word: every call ran (some or all raised).
        rounds = self.planned_rounds or self.settings.get("rounds")
        if rounds and len(result.rounds) >= rounds:
            return True
        return bool(self.planned_iterations) and result.iterations >= self.planned_iterations


class RunState:
    """All operations of a run, keyed by name, in queue order."""

    def __init__(self, operations: list[str]) -> None:
        self.order = list(operations)
        self.states = {name: OperationState(name) for name in operations}

    def apply(self, event: Event) -> None:
        name = getattr(event, "operation", None)
        if name is not None and name in self.states:
            self.states[name].apply(event)

    def snapshots(self) -> list[LiveSnapshot]:
        return [self.states[name].snapshot() for name in self.order]

    @property
    def current(self) -> str | None:
        for name in self.order:
            if self.states[name].status == "running":
                return name
        return None
