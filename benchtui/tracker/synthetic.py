"""Synthetic ``RunResult``s for testing and benchmarking the tracker and the verdicts.

Runs look like the measuring engine's output (real HDR histogram encodings, per-round
summaries, memory figures) but nothing is measured: round medians are drawn from a lognormal
around a chosen median, with a per-run offset so that runs differ a little more than their
rounds do, as real runs do. Used by the tests and ``benchmarks/tracker.py``; never by a command.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

from benchtui.runner.results import (
    ErrorInfo,
    LatencySummary,
    MemorySummary,
    OperationResult,
    RoundSummary,
    RunResult,
)

__all__ = ["synthetic_run", "synthetic_rounds", "clone_encoded", "seed_clones", "EPOCH"]

EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)
_HISTOGRAM_VALUES = 400


def synthetic_rounds(
    rng: random.Random,
    median_ns: float,
    rounds: int = 20,
    round_noise: float = 0.01,
    run_noise: float = 0.005,
) -> list[float]:
    """Round medians of one run: lognormal around ``median_ns`` shifted by a run offset."""
    offset = rng.gauss(0.0, run_noise)
    return [median_ns * math.exp(offset + rng.gauss(0.0, round_noise)) for _ in range(rounds)]


def synthetic_run(
    label: str,
    operations: Mapping[str, float] | None = None,
    *,
    suite: str = "demo",
    started_at: datetime | int | None = None,
    rounds: int = 20,
    round_noise: float = 0.01,
    run_noise: float = 0.005,
    seed: int | None = None,
    histogram: bool = True,
    statuses: Mapping[str, str] | None = None,
    output: str = "",
    run_id: str | None = None,
    error_rates: Mapping[str, float] | None = None,
    failed_rounds: Mapping[str, Sequence[int]] | None = None,
) -> RunResult:
    """A run of ``operations`` (name -> true median latency in ns) labelled ``label``.

    ``started_at`` may be an int: minutes after ``EPOCH`` (handy for ordering in tests).
    ``statuses`` marks operations as failed (``{"op": "crashed"}``): they get no figures.
    ``error_rates`` makes that share of an operation's calls raise, as the engine records
    it: status "error", ``errors`` counted per round and in total, figures from the successful
    calls; at 1.0 every call raises (no figures, rounds with a median of 0). ``failed_rounds``
    names rounds (indices) of an operation in which every call raised.
    """
    rng = random.Random(seed)
    if operations is None:
        operations = {"parse": 12_000.0, "render": 48_000.0}
    if started_at is None:
        started_at = datetime.now(timezone.utc)
    elif isinstance(started_at, int):
        started_at = EPOCH + timedelta(minutes=started_at)
    ops = []
    elapsed = 0.0
    for name, median_ns in operations.items():
        status = (statuses or {}).get(name, "ok")
        op = (
            _operation(rng, name, median_ns, rounds, round_noise, run_noise, histogram, output)
            if status == "ok"
            else OperationResult(
                operation=name,
                status=status,
                error=ErrorInfo("RuntimeError", f"{name} failed", "Traceback ...\n"),
                output=output,
                exit_code=-9 if status == "crashed" else 1,
            )
        )
        rate = (error_rates or {}).get(name, 0.0)
        lost = tuple((failed_rounds or {}).get(name, ()))
        if status == "ok" and (rate > 0 or lost):
            op = _with_errors(op, rate, lost)
        elapsed += op.total_time_s
        ops.append(op)
    return RunResult(
        run_id=run_id or uuid.UUID(int=rng.getrandbits(128), version=4).hex,
        suite=suite,
        suite_path=f"/work/{suite}.toml",
        label=label,
        started_at=started_at.isoformat(),
        finished_at=(started_at + timedelta(seconds=elapsed)).isoformat(),
        environment={
            "python": "3.11.7",
            "platform": "Linux-6.1-x86_64",
            "cpu": "Synthetic CPU @ 3.0GHz",
            "hostname": "bench-host",
            "benchtui": "0.1.0",
            "git_commit": "0123abcd",
            "git_dirty": False,
        },
        operations=tuple(ops),
    )


def _operation(
    rng: random.Random,
    name: str,
    median_ns: float,
    n_rounds: int,
    round_noise: float,
    run_noise: float,
    histogram: bool,
    output: str,
) -> OperationResult:
    medians = synthetic_rounds(rng, median_ns, n_rounds, round_noise, run_noise)
    per_round = max(1, int(0.05e9 / median_ns))  # ~50 ms rounds
    rounds = tuple(
        RoundSummary(
            index=i,
            iterations=per_round,
            errors=0,
            elapsed_s=per_round * m * 1.05e-9,
            mean_ns=m * 1.05,
            p50_ns=int(m),
            p90_ns=int(m * 1.3),
            p99_ns=int(m * 2.1),
            min_ns=int(m * 0.8),
            max_ns=int(m * 6),
        )
        for i, m in enumerate(medians)
    )
    iterations = per_round * n_rounds
    total = sum(r.elapsed_s for r in rounds)
    p50 = int(sorted(medians)[n_rounds // 2]) if medians else int(median_ns)
    return OperationResult(
        operation=name,
        status="ok",
        iterations=iterations,
        errors=0,
        total_time_s=total,
        throughput_per_s=iterations / total if total else 0.0,
        latency_ns=LatencySummary(
            min=int(p50 * 0.8),
            mean=p50 * 1.05,
            stdev=p50 * 0.2,
            p50=p50,
            p90=int(p50 * 1.3),
            p99=int(p50 * 2.1),
            p999=int(p50 * 3.5),
            max=int(p50 * 6),
        ),
        histogram=_histogram(rng, p50) if histogram else "",
        rounds=rounds,
        memory=MemorySummary(
            tracemalloc_peak_bytes=rng.randrange(10_000, 200_000),
            tracemalloc_current_bytes=rng.randrange(1_000, 10_000),
            leak_bytes_per_iter=abs(rng.gauss(0.0, 0.5)),
            leak_detected=False,
            rss_start_bytes=40_000_000,
            rss_peak_bytes=40_000_000 + rng.randrange(0, 8_000_000),
            rss_end_bytes=41_000_000,
        ),
        output=output,
        exit_code=0,
        settings={"target": f"demo.ops:{name}", "params": {}, "rounds": n_rounds, "duration": 1.0},
    )


def _with_errors(op: OperationResult, rate: float, lost: Sequence[int]) -> OperationResult:
    """``op`` with ``rate`` of its calls raising, and every call of the rounds ``lost``."""
    rounds = []
    for r in op.rounds:
        if rate >= 1.0 or r.index in lost:
            # The engine's summary of a round without a successful call: no latency at all.
            rounds.append(
                replace(
                    r,
                    errors=r.iterations,
                    mean_ns=0.0,
                    p50_ns=0,
                    p90_ns=0,
                    p99_ns=0,
                    min_ns=0,
                    max_ns=0,
                )
            )
        else:
            # At least one failure when asked for some, and at least one success left.
            failed = max(round(r.iterations * rate), 1) if rate > 0 else 0
            rounds.append(replace(r, errors=min(failed, r.iterations - 1)))
    errors = sum(r.errors for r in rounds)
    everything = errors >= op.iterations
    return replace(
        op,
        status="error",
        errors=errors,
        rounds=tuple(rounds),
        latency_ns=LatencySummary() if everything else op.latency_ns,
        histogram="" if everything else op.histogram,
        error=ErrorInfo("RuntimeError", f"{op.operation} raised", "Traceback ...\n"),
    )


def _histogram(rng: random.Random, p50: int) -> str:
    import numpy as np

    from benchtui.measure.histogram import HistogramCounts

    # The engine's own layout, so readers (compare overlay, trend) see what real runs give.
    values = [max(1, int(p50 * math.exp(rng.gauss(0.0, 0.3)))) for _ in range(_HISTOGRAM_VALUES)]
    hist = HistogramCounts.empty()
    hist.record(np.array(values, dtype=np.int64))
    return hist.encode()


def clone_encoded(template: Any, index: int, runs_per_version: int = 1) -> Any:
    """An encoded run (``rows.EncodedRun``) copied as run ``index`` of version
    ``v{index // runs_per_version:06d}``, a minute after the one before: seeds large benchmark
    databases quickly from a few encoded templates."""
    import dataclasses

    from benchtui.tracker import rows

    label = f"v{index // runs_per_version:06d}"
    start = EPOCH + timedelta(minutes=index)
    run = list(template.run)
    run[0] = uuid.UUID(int=index + 1, version=4).hex
    run[3] = label
    run[6] = start.isoformat()
    run[7] = (start + timedelta(seconds=30)).isoformat()
    run[8] = rows.time_key(run[6])
    return dataclasses.replace(
        template, run_id=run[0], label=label, started_key=run[8], run=tuple(run)
    )


async def seed_clones(
    tracker: Any,
    templates: list[Any],
    n_runs: int,
    *,
    runs_per_version: int = 1,
    batch: int = 250,
    on_batch: Any = None,
) -> None:
    """Write ``n_runs`` clones of ``templates`` with the rows ``save_run`` writes, ``batch``
    runs per transaction (benchmarks only: a million rows in seconds)."""
    for first in range(0, n_runs, batch):
        runs = [
            clone_encoded(templates[i % len(templates)], i, runs_per_version)
            for i in range(first, min(n_runs, first + batch))
        ]
        await tracker._import_encoded(runs)
        if on_batch is not None:
            on_batch(first + len(runs))
