"""The measuring engine: warmup, calibrated timed rounds, and a traced memory phase.

It runs inside the worker process and reports through an ``emit(kind, **fields)`` callback;
it knows nothing of processes, pipes, screens or databases.

Timing: the hot loop is the bare minimum (clock, call, clock, append to an int64 buffer).
Between chunks, which are sized to take ~20 ms, the buffer is binned in bulk into
HdrHistogram-layout counts (``histogram.py``) and, every ~100 ms, a progress event carries the
histogram delta. Latencies never accumulate in a list, so memory does not grow with the
iteration count. The timed phase is split into rounds whose summaries are the samples used to
judge changes between versions.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import functools
import gc
import inspect
import os
import time
import traceback
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from benchtui.measure.histogram import Binner, HistogramCounts, encode_counts
from benchtui.measure.memory import estimate_leak, top_growth_sites
from benchtui.runner.results import RoundSummary

Emit = Callable[..., None]
clock = time.perf_counter_ns

CHUNK_TARGET_NS = 10_000_000  # a chunk of calls takes ~10 ms between bookkeeping steps
PROGRESS_INTERVAL_NS = 100_000_000  # progress events ~10 times a second
# Caps the sample buffer and the binning scratch (3 x 128 KiB): harness memory must not grow
# with the iteration count, and the per-chunk bookkeeping (~30 us) is still < 1% of a chunk.
MAX_CHUNK = 16_384
MEMORY_CHECKPOINTS = 25
# Exceptions a measured call may raise that count as a failed call, not a broken engine.
# KeyboardInterrupt too: the worker runs in its own session, so a real Ctrl+C never reaches it;
# one raised by the operation is the operation's failure.
CALL_ERRORS = (Exception, SystemExit, KeyboardInterrupt, asyncio.CancelledError)
MESSAGE_CAP = 4_000
TRACEBACK_CAP = 20_000
# tracemalloc slows allocating code several times; used to fit the memory phase in its budget.
TRACED_SLOWDOWN = 4.0
MEMORY_BUDGET_NS = 2_000_000_000


@dataclass(frozen=True)
class MeasureSettings:
    warmup: int = 100
    warmup_time: float | None = None
    iterations: int | None = None
    duration: float | None = 1.0
    rounds: int = 20
    concurrency: int = 1
    memory: bool = True
    memory_iterations: int = 1000


# benchtui's own package folder: its frames are cut from the front of user tracebacks.
_PACKAGE_DIR = str(Path(__file__).resolve().parent.parent) + os.sep


class StageFailed(Exception):
    """Setup or the first call failed in a way that leaves nothing to measure."""

    def __init__(self, stage: str, exc: BaseException) -> None:
        super().__init__(f"{stage} failed: {type(exc).__name__}: {exc}")
        self.stage = stage
        self.error = error_info(exc)


def error_info(exc: BaseException) -> dict[str, str]:
    """Type, message and traceback of an exception, bounded in size and never raising."""
    try:
        message = str(exc)
    except Exception:  # noqa: BLE001 - an exception whose __str__ fails is still an error
        message = f"<{type(exc).__name__} whose str() failed>"
    try:
        trace = "".join(traceback.format_exception(type(exc), exc, _user_frames(exc)))
    except Exception:  # noqa: BLE001
        trace = ""
    return {
        "type": type(exc).__name__,
        "message": _clip(message, MESSAGE_CAP),
        "traceback": _clip(trace, TRACEBACK_CAP),
    }


def _user_frames(exc: BaseException) -> TracebackType | None:
    """The traceback from the first frame outside benchtui: the engine's own calling frames
    say nothing about the user's bug. Kept whole when the error arose inside benchtui."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        tb = tb.tb_next
    return tb if tb is not None else exc.__traceback__


def _clip(text: str, cap: int) -> str:
    if len(text) <= cap:
        return text
    half = cap // 2
    return f"{text[:half]}\n[... {len(text) - cap:,} characters not kept ...]\n{text[-half:]}"


async def _maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value


class Engine:
    """Measures one operation: ``run()`` returns the ``done`` payload as a dict."""

    def __init__(
        self,
        target: Callable[..., Any],
        settings: MeasureSettings,
        emit: Emit,
        *,
        params: dict[str, Any] | None = None,
        setup: Callable[..., Any] | None = None,
        teardown: Callable[..., Any] | None = None,
        timeout: float | None = None,
    ) -> None:
        self.target = target
        self.timeout_ns = int(timeout * 1e9) if timeout else None
        self._started = clock()
        self.settings = settings
        self.emit = emit
        self.params = dict(params or {})
        self.setup = setup
        self.teardown = teardown
        self.errors = 0
        self.first_error: dict[str, str] | None = None
        self.is_async = False
        self._buffer = array.array("q")
        self._total = HistogramCounts.empty()
        self._round = HistogramCounts.empty()
        self._delta = np.zeros_like(self._total.counts)
        self._binner = Binner()
        self._per_call_ns = 1_000.0  # one call's latency incl. loop overhead, smoothed
        self._calibrated = False
        self._iterations = 0  # calls made in the timed phase, failed ones included
        self._loop_ns = 0  # time inside the measuring loops (bookkeeping excluded)
        self._timed_ns = 0
        self._last_emit = 0

    # ----------------------------------------------------------------- orchestration
    def run(self) -> dict[str, Any]:
        timed = asyncio.run(self._timing_phases())
        memory: dict[str, Any] = {}
        if self.settings.memory:
            memory = asyncio.run(self._memory_phase())
        # Failed calls of the timed phase are the run's errors; warmup failures still show up
        # as the first error (they usually are the same bug).
        errors = timed.pop("timed_errors")
        return {**timed, "memory": memory, "errors": errors, "error": self.first_error}

    async def _with_state(self) -> tuple[Callable[[], Any], Any]:
        """Call setup (if any) and build the zero-argument call the loop makes."""
        if self.setup is None:
            call = functools.partial(self.target, **self.params) if self.params else self.target
            return call, None
        try:
            state = await _maybe_await(self.setup(**self.params))
        except CALL_ERRORS as exc:
            raise StageFailed("setup", exc) from exc
        return functools.partial(self.target, state), state

    async def _teardown(self, state: Any) -> None:
        if self.teardown is None:
            return
        try:
            await _maybe_await(self.teardown(state))
        except CALL_ERRORS as exc:
            self._note_error(exc, stage="teardown")

    def _note_error(self, exc: BaseException, stage: str = "call") -> None:
        if self.first_error is None:
            info = error_info(exc)
            if stage != "call":
                info["message"] = f"{stage} failed: {info['message']}"
            self.first_error = info
            self.emit("error", **info)

    # ----------------------------------------------------------------- timing
    async def _timing_phases(self) -> dict[str, Any]:
        call, state = await self._with_state()
        try:
            self.emit("phase", phase="warmup")
            await self._detect_async(call)
            await self._warmup(call)
            return await self._timed(call)
        finally:
            await self._teardown(state)

    async def _detect_async(self, call: Callable[[], Any]) -> None:
        """One untimed call tells whether the target returns an awaitable."""
        try:
            result = call()
            if inspect.isawaitable(result):
                self.is_async = True
                await result
        except CALL_ERRORS as exc:
            # Whether it is async is still known from the function itself.
            self.is_async = inspect.iscoroutinefunction(self.target)
            self._note_error(exc)

    async def _warmup(self, call: Callable[[], Any]) -> None:
        s = self.settings
        done = 0
        if s.warmup_time is not None:
            deadline = clock() + int(s.warmup_time * 1e9)
            n = 1
            while clock() < deadline:
                done += await self._run_chunk(call, n)
                n = min(n * 2, MAX_CHUNK)
        elif s.warmup > 0:
            n = 1
            while done < s.warmup:
                # Grow chunks so a slow operation's warmup still calibrates early.
                step = min(n, s.warmup - done)
                done += await self._run_chunk(call, step)
                n = min(n * 4, MAX_CHUNK)
        # Warmup latencies are not part of the result (its chunks did calibrate chunk sizes).
        del self._buffer[:]

    def _chunk_size(self, limit: int | None = None) -> int:
        n = int(CHUNK_TARGET_NS / self._wall_per_call())
        n = max(1, min(n, MAX_CHUNK))
        if limit is not None:
            n = min(n, limit)
        return max(n, 1)

    def _wall_per_call(self) -> float:
        """Wall time one call adds to a chunk: concurrent calls overlap."""
        return max(self._per_call_ns / max(self.settings.concurrency, 1), 1.0)

    async def _timed(self, call: Callable[[], Any]) -> dict[str, Any]:
        s = self.settings
        # Warmup calls went through the same counters: reset them so progress events count
        # timed calls and timed failures only (a warmup failure is still kept in first_error).
        self.errors = 0
        if s.iterations is not None:
            n_rounds = min(s.rounds, s.iterations)
            base, extra = divmod(s.iterations, n_rounds)
            plan = [base + (1 if i < extra else 0) for i in range(n_rounds)]
        else:
            n_rounds = s.rounds
            plan = []
        self.emit(
            "phase",
            phase="timed",
            planned_iterations=s.iterations,
            planned_duration=s.duration,
            rounds=n_rounds,
        )
        phase_start = clock()
        self._last_emit = phase_start
        self._iterations = 0
        self._loop_ns = 0
        rounds: list[RoundSummary] = []
        for index in range(n_rounds):
            round_start = clock()
            self._round.reset()
            round_errors = self.errors
            done = 0
            if self.is_async and s.concurrency > 1:
                deadline = None
                if not plan:
                    deadline = self._round_deadline(phase_start, round_start, index, n_rounds)
                quota = plan[index] if plan else None
                done = await self._concurrent_round(call, quota, deadline, index, n_rounds)
            elif plan:
                while done < plan[index]:
                    done += await self._run_chunk(call, self._chunk_size(plan[index] - done))
                    self._after_chunk(index, n_rounds)
            else:
                deadline = self._round_deadline(phase_start, round_start, index, n_rounds)
                while True:
                    remaining_ns = deadline - clock()
                    if remaining_ns <= 0 and done:
                        break
                    budget = max(1, int(remaining_ns / self._wall_per_call()) + 1)
                    done += await self._run_chunk(call, self._chunk_size(budget))
                    self._after_chunk(index, n_rounds)
            summary = self._round_summary(index, done, self.errors - round_errors, round_start)
            rounds.append(summary)
            self.emit("round", **asdict(summary))
        total_ns = clock() - phase_start
        self._timed_ns = total_ns
        self._emit_progress(n_rounds, n_rounds, force=True)
        iterations = self._iterations
        # Throughput over the time spent calling, not binning and summarising between chunks:
        # with small rounds the bookkeeping would otherwise read as a slower operation.
        loop_s = (self._loop_ns or total_ns) / 1e9
        return {
            "iterations": iterations,
            "timed_errors": self.errors,
            "total_time_s": total_ns / 1e9,
            "throughput_per_s": iterations / loop_s if loop_s > 0 else 0.0,
            "latency_ns": asdict(self._total.summary()),
            "histogram": self._total.encode(),
            "rounds": [asdict(r) for r in rounds],
            "is_async": self.is_async,
        }

    def _round_deadline(self, phase_start: int, round_start: int, index: int, n: int) -> int:
        """When a round of a duration-based phase ends: on the phase's schedule (round i ends
        at (i+1)/n of the duration), but never less than half a round after it began. After
        one stalled call the schedule is far behind, and every later round would otherwise
        hold a single call yet count as a full sample for the verdict."""
        assert self.settings.duration is not None
        round_ns = self.settings.duration * 1e9 / n
        return max(phase_start + int(round_ns * (index + 1)), round_start + int(round_ns / 2))

    def _round_summary(self, index: int, done: int, errors: int, started: int) -> RoundSummary:
        r = self._round
        p50, p90, p99 = r.percentiles((50.0, 90.0, 99.0)) if r.total else (0, 0, 0)
        return RoundSummary(
            index=index,
            iterations=done,
            errors=errors,
            elapsed_s=(clock() - started) / 1e9,
            mean_ns=round(r.mean, 1),
            p50_ns=p50,
            p90_ns=p90,
            p99_ns=p99,
            min_ns=int(r.min_ns) if r.total else 0,
            max_ns=int(r.max_ns),
        )

    def _after_chunk(self, round_index: int, n_rounds: int) -> None:
        """Bin the chunk's samples, recalibrate, and report progress when it is due."""
        buffer = self._buffer
        if len(buffer):
            samples = np.frombuffer(buffer, dtype=np.int64)
            binned, *moments = self._binner.bin(samples)
            self._total.add_binned(binned, *moments)
            self._round.add_binned(binned, *moments)
            self._delta[: len(binned)] += binned
            del samples
            del buffer[:]
        self._emit_progress(round_index, n_rounds)

    def _emit_progress(self, round_index: int, n_rounds: int, force: bool = False) -> None:
        now = clock()
        if not force and now - self._last_emit < PROGRESS_INTERVAL_NS:
            return
        self._last_emit = now
        delta_total = int(self._delta.sum())
        self.emit(
            "progress",
            iterations=self._iterations,
            errors=self.errors,
            round=round_index,
            rounds=n_rounds,
            histogram_delta=encode_counts(self._delta, delta_total) if delta_total else "",
        )
        self._delta.fill(0)

    async def _run_chunk(self, call: Callable[[], Any], n: int) -> int:
        """Make ``n`` timed calls (failures included); returns ``n``."""
        started = clock()
        append = self._buffer.append
        if self.is_async and self.settings.concurrency > 1:
            await self._closed_loop(call, n, None, None)
        else:
            start_len = len(self._buffer)
            failed = 0
            while True:
                remaining = n - (len(self._buffer) - start_len) - failed
                if remaining <= 0:
                    break
                try:
                    if self.is_async:
                        await _async_loop(call, remaining, append)
                    else:
                        _sync_loop(call, remaining, append)
                    break
                except CALL_ERRORS as exc:
                    failed += 1
                    self.errors += 1
                    self._note_error(exc)
        elapsed = clock() - started
        self._loop_ns += elapsed
        self._iterations += n
        in_flight = min(max(self.settings.concurrency, 1), n) if self.is_async else 1
        self._calibrate(elapsed * in_flight / n)
        return n

    def _calibrate(self, per_call: float) -> None:
        """Wall time per call (loop overhead included) sizes the next chunk; smoothing keeps
        chunk sizes steady when latency jitters."""
        per_call = max(per_call, 1.0)
        if self._calibrated:
            self._per_call_ns = 0.7 * self._per_call_ns + 0.3 * per_call
        else:
            self._per_call_ns = per_call
            self._calibrated = True

    async def _concurrent_round(
        self,
        call: Callable[[], Any],
        quota: int | None,
        deadline: int | None,
        round_index: int,
        n_rounds: int,
    ) -> int:
        """One round of the timed phase with ``concurrency`` calls in flight throughout."""
        started = clock()
        width, done = await self._closed_loop(
            call, quota, deadline, lambda: self._after_chunk(round_index, n_rounds)
        )
        elapsed = clock() - started
        self._loop_ns += elapsed
        self._iterations += done
        if done:
            self._calibrate(elapsed * width / done)
        self._after_chunk(round_index, n_rounds)
        return done

    async def _closed_loop(
        self,
        call: Callable[[], Any],
        quota: int | None,
        deadline: int | None,
        on_tick: Callable[[], None] | None,
    ) -> tuple[int, int]:
        """A closed loop: ``concurrency`` workers each start a new call as soon as their last
        one ends, until a quota of calls is made or the deadline passes. ``on_tick`` (binning,
        progress) runs in a side task every ~10 ms, so no worker ever waits for the others.
        Returns (workers, calls made)."""
        append = self._buffer.append
        remaining = quota
        stop = False
        done = 0

        async def worker() -> None:
            nonlocal remaining, done
            while not stop:
                if remaining is not None:
                    if remaining <= 0:
                        return
                    remaining -= 1
                t0 = clock()
                try:
                    await call()
                except CALL_ERRORS as exc:
                    self.errors += 1
                    self._note_error(exc)
                else:
                    append(clock() - t0)
                done += 1

        async def bookkeeper() -> None:
            nonlocal stop
            while True:
                await asyncio.sleep(CHUNK_TARGET_NS / 1e9)
                if on_tick is not None:
                    on_tick()
                if deadline is not None and clock() >= deadline:
                    stop = True
                    return

        width = self.settings.concurrency
        if quota is not None:
            width = min(width, quota)
        keeper = None
        if on_tick is not None or deadline is not None:
            keeper = asyncio.create_task(bookkeeper())
        try:
            await asyncio.gather(*(worker() for _ in range(width)))
        finally:
            if keeper is not None:
                keeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await keeper
        return width, done

    # ----------------------------------------------------------------- memory
    def _memory_plan(self) -> tuple[int, int | None]:
        """(calls, hard deadline) for the memory phase.

        A slow operation must not spend minutes under tracemalloc after a short timed phase,
        nor run into its timeout there: the calls are cut to fit a budget of about twice the
        timed phase (at least 2 s) and well inside what is left of the timeout.
        """
        wanted = self.settings.memory_iterations
        budget = max(MEMORY_BUDGET_NS, 2 * self._timed_ns)
        deadline = None
        if self.timeout_ns is not None:
            left = self.timeout_ns - (clock() - self._started)
            budget = min(budget, int(left * 0.5))
            deadline = clock() + int(left * 0.8)
        affordable = int(budget / (self._per_call_ns * TRACED_SLOWDOWN))
        return max(min(wanted, 3), min(wanted, affordable)), deadline

    async def _memory_phase(self) -> dict[str, Any]:
        n, hard_deadline = self._memory_plan()
        self.emit("phase", phase="memory", planned_iterations=n)
        step = max(1, n // MEMORY_CHECKPOINTS)
        # Readings go into arrays sized before tracing starts: a growing list of ints would
        # itself be traced and show up as a leak of ~2 bytes per iteration in every operation.
        capacity = n // step + 2
        xs = array.array("q", bytes(8 * capacity))
        ys = array.array("q", bytes(8 * capacity))
        points = 0
        fit_from = int(n * 0.4)
        fit_snapshot: tracemalloc.Snapshot | None = None
        gc.collect()
        call, state = await self._with_state()
        tracemalloc.start(1)
        try:
            # A few calls before the readings: lazy imports and first-use caches.
            for _ in range(min(10, n // 5)):
                await self._traced_call(call)
            gc.collect()
            tracemalloc.reset_peak()
            done = 0
            while done < n:
                batch = min(step, n - done)
                for _ in range(batch):
                    await self._traced_call(call)
                done += batch
                gc.collect()
                if fit_snapshot is None and done >= fit_from:
                    # Taken before this reading: the snapshot's own objects are traced, and
                    # must shift every reading of the fitted window alike, not start inside it.
                    fit_snapshot = tracemalloc.take_snapshot()
                current, peak = tracemalloc.get_traced_memory()
                xs[points] = done
                ys[points] = current
                points += 1
                self.emit("traced", iteration=done, current=current, peak=peak)
                if hard_deadline is not None and clock() > hard_deadline:
                    break  # slower than planned: fit what was read rather than time out
            current, peak = tracemalloc.get_traced_memory()
            after = tracemalloc.take_snapshot() if fit_snapshot is not None else None
        finally:
            tracemalloc.stop()
            await self._teardown(state)
        estimate = estimate_leak(list(xs[:points]), list(ys[:points]))
        sites: list[dict[str, Any]] = []
        if estimate.leaking and fit_snapshot is not None and after is not None:
            sites = [
                {"site": site, "size_bytes": size, "count": count}
                for site, size, count in top_growth_sites(fit_snapshot, after)
            ]
        return {
            "iterations": done,
            "tracemalloc_peak_bytes": peak,
            "tracemalloc_current_bytes": current,
            "leak_bytes_per_iter": round(estimate.bytes_per_iteration, 2),
            "leak_detected": estimate.leaking,
            "leak_sites": sites,
        }

    async def _traced_call(self, call: Callable[[], Any]) -> None:
        try:
            result = call()
            if self.is_async and inspect.isawaitable(result):
                await result
        except CALL_ERRORS:
            # Failures were counted in the timed phase; here only memory matters.
            pass


def _sync_loop(call: Callable[[], Any], n: int, append: Callable[[int], None]) -> None:
    for _ in range(n):
        t0 = clock()
        call()
        append(clock() - t0)


async def _async_loop(call: Callable[[], Any], n: int, append: Callable[[int], None]) -> None:
    for _ in range(n):
        t0 = clock()
        await call()
        append(clock() - t0)
