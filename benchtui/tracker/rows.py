"""Turn a ``RunResult`` into database rows and back, checking it on the way in.

The run's JSON form (``RunResult.to_dict()``) is the source of truth: every figure that the
trend queries need becomes a column, the bulky parts (histogram, rounds, memory, error, output,
settings) are stored as text, and any key this version of benchtui does not know is kept in an
``extra`` JSON column, so export gives back exactly what was saved. Also here: the per
(version, operation) aggregate that ``version_ops`` holds, as a pure function.

No SQL runs here and nothing is imported from asyncio or the store.
"""

from __future__ import annotations

import hashlib
import json
import math
import statistics
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from numbers import Integral, Real
from typing import Any

from benchtui.runner.results import STATUSES, RunResult, worst_status
from benchtui.tracker.errors import InvalidRunError

# Column order of INSERT INTO runs / results; store.py builds its statements from these.
RUN_COLUMNS = (
    "run_id",
    "version_id",
    "suite",
    "label",
    "suite_path",
    "status",
    "started_at",
    "finished_at",
    "started_key",
    "environment",
    "extra",
)
RESULT_COLUMNS = (
    "run",
    "version_id",
    "operation",
    "position",
    "status",
    "iterations",
    "errors",
    "total_time_s",
    "throughput_per_s",
    "min_ns",
    "mean_ns",
    "stdev_ns",
    "p50_ns",
    "p90_ns",
    "p99_ns",
    "p999_ns",
    "max_ns",
    "tracemalloc_peak_bytes",
    "tracemalloc_current_bytes",
    "leak_bytes_per_iter",
    "leak_detected",
    "rss_start_bytes",
    "rss_peak_bytes",
    "rss_end_bytes",
    "exit_code",
    "n_rounds",
    "round_p50",
    "histogram",
    "rounds",
    "memory",
    "error",
    "output",
    "settings",
    "extra",
)
# The columns read back to rebuild an operation's dict (after run, version_id).
READ_COLUMNS = RESULT_COLUMNS[2:]

_RUN_KEYS = {
    "schema",
    "run_id",
    "suite",
    "suite_path",
    "label",
    "status",
    "started_at",
    "finished_at",
    "environment",
    "operations",
}
_OP_KEYS = {
    "operation",
    "status",
    "iterations",
    "errors",
    "total_time_s",
    "throughput_per_s",
    "latency_ns",
    "histogram",
    "rounds",
    "memory",
    "error",
    "output",
    "exit_code",
    "settings",
}
_LATENCY_INTS = ("min", "p50", "p90", "p99", "p999", "max")
_LATENCY_FLOATS = ("mean", "stdev")
_MEMORY_INTS = (
    "tracemalloc_peak_bytes",
    "tracemalloc_current_bytes",
    "rss_start_bytes",
    "rss_peak_bytes",
    "rss_end_bytes",
)
_INT64 = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class EncodedRun:
    """A checked run as rows: ``run`` lacks version_id (index 1), ``results`` lack run and
    version_id (the first two columns), which the store knows only while inserting."""

    suite: str
    label: str
    run_id: str
    started_key: str
    run: tuple[Any, ...]
    results: tuple[tuple[Any, ...], ...]

    @property
    def operations(self) -> tuple[str, ...]:
        return tuple(row[0] for row in self.results)


def time_key(text: str) -> str:
    """A UTC timestamp that sorts as text, from an ISO 8601 string (naive means UTC)."""
    value = text.strip()
    if value[-1:] in ("Z", "z"):  # Python 3.10's fromisoformat does not read "Z"
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def encode_run(run: RunResult) -> EncodedRun:
    """Check ``run`` and turn it into rows; raises ``InvalidRunError`` naming the bad field."""
    data = run.to_dict()
    run_id = _text(data, "run_id", "run_id")
    where = f"run {run_id}"
    suite = _text(data, "suite", where)
    label = _text(data, "label", where)
    _str(data["suite_path"], where, "suite_path")
    started_at = _str(data["started_at"], where, "started_at")
    finished_at = _str(data["finished_at"], where, "finished_at")
    try:
        started_key = time_key(started_at)
    except (ValueError, OverflowError):
        raise InvalidRunError(
            f"{where}: started_at {started_at!r} is not an ISO 8601 time"
        ) from None
    if not isinstance(data["environment"], dict):
        raise InvalidRunError(f"{where}: environment must be an object")
    extra = {k: v for k, v in data.items() if k not in _RUN_KEYS}
    run_row = (
        run_id,
        None,
        suite,
        label,
        data["suite_path"],
        data["status"],
        started_at,
        finished_at,
        started_key,
        _json(data["environment"], where, "environment"),
        _json(extra, where, "extra") if extra else None,
    )
    seen: set[str] = set()
    results = []
    for position, op in enumerate(data["operations"]):
        name = _text(op, "operation", f"{where}, operation {position}")
        if name in seen:
            raise InvalidRunError(f"{where}: operation '{name}' appears twice")
        seen.add(name)
        results.append(_encode_operation(op, position, f"{where}, operation '{name}'"))
    return EncodedRun(suite, label, run_id, started_key, run_row, tuple(results))


def _encode_operation(op: dict[str, Any], position: int, where: str) -> tuple[Any, ...]:
    status = op["status"]
    if status not in STATUSES:
        raise InvalidRunError(f"{where}: status {status!r} is not one of {', '.join(STATUSES)}")
    latency = op["latency_ns"]
    memory = op["memory"]
    rounds = op["rounds"]
    p50s = []
    for i, r in enumerate(rounds):
        for key, value in r.items():
            _float(value, f"{where}, round {i}", key)
        p50s.append(_int(r["p50_ns"], f"{where}, round {i}", "p50_ns"))
    tracemalloc_peak, tracemalloc_current, rss_start, rss_peak, rss_end = (
        _int(memory[key], where, f"memory.{key}", optional=True) for key in _MEMORY_INTS
    )
    leak = _float(memory["leak_bytes_per_iter"], where, "memory.leak_bytes_per_iter", True)
    if not isinstance(memory["leak_detected"], bool):
        raise InvalidRunError(f"{where}: memory.leak_detected must be true or false")
    for site in memory["leak_sites"]:
        _str(site["site"], where, "memory.leak_sites.site")
        _int(site["size_bytes"], where, "memory.leak_sites.size_bytes")
        _int(site["count"], where, "memory.leak_sites.count")
    error = op["error"]
    if error is not None:
        for key, value in error.items():
            _str(value, where, f"error.{key}")
    if not isinstance(op["settings"], dict):
        raise InvalidRunError(f"{where}: settings must be an object")
    extra = {k: v for k, v in op.items() if k not in _OP_KEYS}
    latency_extra = {
        k: v for k, v in latency.items() if k not in _LATENCY_INTS and k not in _LATENCY_FLOATS
    }
    if latency_extra:
        extra["latency_ns"] = latency_extra
    # Figures that cannot be negative or infinite in a real measurement: an imported file with
    # such values is damaged, and would poison every trend and verdict it joins.
    for key, value in (
        ("iterations", op["iterations"]),
        ("errors", op["errors"]),
        ("total_time_s", op["total_time_s"]),
        ("throughput_per_s", op["throughput_per_s"]),
        *((f"latency_ns.{k}", v) for k, v in latency.items() if k in _LATENCY_FIELDS),
    ):
        number = _float(value, where, key)
        if number is not None and not (math.isfinite(number) and number >= 0):
            raise InvalidRunError(f"{where}: {key} must be a finite number >= 0, not {value!r}")
    _check_histogram(op["histogram"], where)
    return (
        op["operation"],
        position,
        status,
        _int(op["iterations"], where, "iterations"),
        _int(op["errors"], where, "errors"),
        _real(_float(op["total_time_s"], where, "total_time_s")),
        _real(_float(op["throughput_per_s"], where, "throughput_per_s")),
        _int(latency["min"], where, "latency_ns.min"),
        _real(_float(latency["mean"], where, "latency_ns.mean")),
        _real(_float(latency["stdev"], where, "latency_ns.stdev")),
        *(_int(latency[k], where, f"latency_ns.{k}") for k in ("p50", "p90", "p99", "p999")),
        _int(latency["max"], where, "latency_ns.max"),
        tracemalloc_peak,
        tracemalloc_current,
        _real(leak),
        int(memory["leak_detected"]),
        rss_start,
        rss_peak,
        rss_end,
        _int(op["exit_code"], where, "exit_code", optional=True),
        len(rounds),
        array("q", p50s).tobytes(),
        _str(op["histogram"], where, "histogram"),
        _json(_columnar(rounds), where, "rounds"),
        _json(memory, where, "memory"),
        _json(error, where, "error") if error is not None else None,
        _str(op["output"], where, "output"),
        _json(op["settings"], where, "settings"),
        _json(extra, where, "extra") if extra else None,
    )


def decode_operation(row: Sequence[Any]) -> dict[str, Any]:
    """The operation's JSON dict from a ``READ_COLUMNS`` row (inverse of the encoding)."""
    values = dict(zip(READ_COLUMNS, row, strict=True))
    extra = json.loads(values["extra"]) if values["extra"] else {}
    latency = {
        "min": values["min_ns"],
        "mean": _unreal(values["mean_ns"]),
        "stdev": _unreal(values["stdev_ns"]),
        "p50": values["p50_ns"],
        "p90": values["p90_ns"],
        "p99": values["p99_ns"],
        "p999": values["p999_ns"],
        "max": values["max_ns"],
        **extra.pop("latency_ns", {}),
    }
    rounds = json.loads(values["rounds"])
    return {
        "operation": values["operation"],
        "status": values["status"],
        "iterations": values["iterations"],
        "errors": values["errors"],
        "total_time_s": _unreal(values["total_time_s"]),
        "throughput_per_s": _unreal(values["throughput_per_s"]),
        "latency_ns": latency,
        "histogram": values["histogram"],
        "rounds": [dict(zip(rounds["fields"], r, strict=True)) for r in rounds["rows"]],
        "memory": json.loads(values["memory"]),
        "error": json.loads(values["error"]) if values["error"] else None,
        "output": values["output"],
        "exit_code": values["exit_code"],
        "settings": json.loads(values["settings"]),
        **extra,
    }


def decode_run(row: Sequence[Any], operations: list[dict[str, Any]]) -> RunResult:
    """A ``RunResult`` from a runs row (``RUN_COLUMNS`` order) and its decoded operations."""
    values = dict(zip(RUN_COLUMNS, row, strict=True))
    extra = json.loads(values["extra"]) if values["extra"] else {}
    data = {
        "schema": "benchtui.run/1",
        "run_id": values["run_id"],
        "suite": values["suite"],
        "suite_path": values["suite_path"],
        "label": values["label"],
        "started_at": values["started_at"],
        "finished_at": values["finished_at"],
        "environment": json.loads(values["environment"]),
        "operations": operations,
        **extra,
    }
    return RunResult.from_dict(data)


def parse_run(data: Any, where: str) -> RunResult:
    """A checked ``RunResult`` from a run's JSON object; ``InvalidRunError`` names ``where``."""
    if not isinstance(data, dict):
        raise InvalidRunError(f"{where}: a run must be a JSON object, not {type(data).__name__}")
    try:
        run = RunResult.from_dict(data)
    except KeyError as exc:
        raise InvalidRunError(f"{where}: missing key {exc}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise InvalidRunError(f"{where}: {exc}") from None
    try:
        encode_run(run)
    except InvalidRunError as exc:
        raise InvalidRunError(f"{where}: {exc}") from None
    return run


# --- per (version, operation) aggregates ------------------------------------------------------

# A verdict pools the rounds of a version's newest successful runs, at most this many: enough
# for a tight interval, while the bootstrap's cost (it grows with the rounds) stays ~0.1 s.
MAX_SAMPLE_RUNS = 30

# What ``aggregate`` reads for each result of one version and operation, oldest first.
AGGREGATE_COLUMNS = (
    "r.status",
    "r.p50_ns",
    "r.p99_ns",
    "r.throughput_per_s",
    "r.leak_bytes_per_iter",
    "r.rss_peak_bytes",
    "r.tracemalloc_peak_bytes",
    "r.n_rounds",
    "r.round_p50",
    "u.started_at",
)


def aggregate(rows: Iterable[Sequence[Any]]) -> tuple[Any, ...]:
    """The ``version_ops`` figures (runs .. samples_digest) from ``AGGREGATE_COLUMNS`` rows.

    Medians across the version's successful runs for p50, p99, throughput and leak rate (one
    odd run should not move the version's figure); maxima for the memory peaks. Failed runs
    count in ``runs`` and ``status`` (the worst) but not in the figures or the samples.
    "Successful" is the status column as given: the tracker (``store._aggregate``) passes
    runs in which only some calls raised as "ok", with only their rounds that had a
    successful call, and restores ``ok_runs`` and ``status`` afterwards.
    """
    rows = list(rows)
    ok = [r for r in rows if r[0] == "ok"]

    def median(i: int) -> float | None:
        values = [r[i] for r in ok if r[i] is not None]
        return float(statistics.median(values)) if values else None

    def peak(i: int) -> int | None:
        values = [r[i] for r in ok if r[i] is not None]
        return max(values) if values else None

    return (
        len(rows),
        len(ok),
        sum(r[7] for r in ok),
        worst_status(r[0] for r in rows),
        rows[0][9],
        rows[-1][9],
        median(1),
        median(2),
        median(3),
        median(4),
        peak(5),
        peak(6),
        samples_digest(sample_blobs((r[0], r[7], r[8]) for r in rows)),
    )


def sample_blobs(results: Iterable[tuple[str, int, bytes]]) -> list[bytes]:
    """The packed round medians a verdict uses, from (status, n_rounds, round_p50) of one
    version's results of one operation in run order: the newest ``MAX_SAMPLE_RUNS``
    successful runs that have rounds, oldest first."""
    blobs = [blob for status, n_rounds, blob in results if status == "ok" and n_rounds > 0]
    return blobs[-MAX_SAMPLE_RUNS:]


def samples_digest(blobs: Iterable[bytes]) -> str:
    """A digest of the verdict's samples (runs in order, each its packed round medians)."""
    h = hashlib.blake2b(digest_size=8)
    for blob in blobs:
        h.update(len(blob).to_bytes(8, "little"))
        h.update(blob)
    return h.hexdigest()


def unpack_rounds(blob: bytes) -> list[int]:
    values = array("q")
    values.frombytes(blob)
    return values.tolist()


# --- checks and conversions ---------------------------------------------------------------


def _columnar(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    # Field names once, then rows of values: a third of the size of a list of objects.
    fields = list(rounds[0]) if rounds else []
    return {"fields": fields, "rows": [[r[f] for f in fields] for r in rounds]}


def _json(value: Any, where: str, key: str) -> str:
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise InvalidRunError(f"{where}: {key} cannot be stored as JSON ({exc})") from None


def _text(data: dict[str, Any], key: str, where: str) -> str:
    value = _str(data[key], where, key)
    if not value.strip():
        raise InvalidRunError(f"{where}: {key} must not be empty")
    return value


def _str(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise InvalidRunError(f"{where}: {key} must be a string, not {type(value).__name__}")
    return value


_LATENCY_FIELDS = ("min", "mean", "stdev", "p50", "p90", "p99", "p999", "max")


def _check_histogram(encoded: Any, where: str) -> None:
    """The stored histogram must decode: compare and the TUI overlay read it back."""
    _str(encoded, where, "histogram")
    if not encoded:
        return
    from benchtui.measure.histogram import decode_counts

    try:
        decode_counts(encoded)
    except Exception as exc:  # noqa: BLE001 - hdrh raises several kinds on bad input
        raise InvalidRunError(
            f"{where}: histogram is not a valid HdrHistogram encoding ({exc})"
        ) from None


def _int(value: Any, where: str, key: str, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise InvalidRunError(f"{where}: {key} must be an integer, not {value!r}")
    if not _INT64[0] <= value <= _INT64[1]:
        raise InvalidRunError(f"{where}: {key} = {value} does not fit 64 bits")
    return int(value)


def _float(value: Any, where: str, key: str, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InvalidRunError(f"{where}: {key} must be a number, not {value!r}")
    return float(value)


def _real(value: float | None) -> float | None:
    # SQLite stores NaN as NULL; the figures that may be NaN are read back with ``_unreal``.
    return None if value is None or math.isnan(value) else value


def _unreal(value: float | None) -> float:
    return math.nan if value is None else value
