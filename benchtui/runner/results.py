"""The results of a run as plain, immutable data, and their JSON form.

``RunResult.to_dict()`` is the schema of ``benchtui run --json`` and of ``benchtui export``
(README, "JSON schema"); ``from_dict`` reads it back (tracker import). Nothing here measures,
draws or stores anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

SCHEMA = "benchtui.run/1"

# Worst first: a run's status is the worst of its operations'.
STATUSES = ("crashed", "timeout", "error", "cancelled", "ok")


@dataclass(frozen=True)
class LatencySummary:
    """Latency figures in nanoseconds (percentiles from the HDR histogram, 3 significant
    digits; min, max and mean exact)."""

    min: int = 0
    mean: float = 0.0
    stdev: float = 0.0
    p50: int = 0
    p90: int = 0
    p99: int = 0
    p999: int = 0
    max: int = 0


@dataclass(frozen=True)
class RoundSummary:
    """One round of the timed phase; the unit of sample when comparing versions."""

    index: int
    iterations: int
    errors: int
    elapsed_s: float
    mean_ns: float
    p50_ns: int
    p90_ns: int
    p99_ns: int
    min_ns: int
    max_ns: int


@dataclass(frozen=True)
class LeakSite:
    """An allocation site that grew during the traced phase."""

    site: str  # "file.py:123"
    size_bytes: int
    count: int


@dataclass(frozen=True)
class MemorySummary:
    iterations: int | None = None  # calls in the traced phase (may be cut to fit its budget)
    tracemalloc_peak_bytes: int | None = None
    tracemalloc_current_bytes: int | None = None
    leak_bytes_per_iter: float | None = None
    leak_detected: bool = False
    leak_sites: tuple[LeakSite, ...] = ()
    rss_start_bytes: int | None = None
    rss_peak_bytes: int | None = None
    rss_end_bytes: int | None = None


@dataclass(frozen=True)
class ErrorInfo:
    type: str
    message: str
    traceback: str = ""


@dataclass(frozen=True)
class OperationResult:
    operation: str
    status: str  # one of STATUSES
    iterations: int = 0
    errors: int = 0
    total_time_s: float = 0.0
    throughput_per_s: float = 0.0
    latency_ns: LatencySummary = field(default_factory=LatencySummary)
    histogram: str = ""  # HdrHistogram V2, compressed, base64
    rounds: tuple[RoundSummary, ...] = ()
    memory: MemorySummary = field(default_factory=MemorySummary)
    error: ErrorInfo | None = None
    output: str = ""
    exit_code: int | None = None  # the child's exit code (negative: killed by that signal)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        # Built by hand: dataclasses.asdict deep-copies every round and dominated save time.
        memory = dict(vars(self.memory))
        memory["leak_sites"] = [dict(vars(site)) for site in self.memory.leak_sites]
        return {
            "operation": self.operation,
            "status": self.status,
            "iterations": self.iterations,
            "errors": self.errors,
            "total_time_s": self.total_time_s,
            "throughput_per_s": self.throughput_per_s,
            "latency_ns": dict(vars(self.latency_ns)),
            "histogram": self.histogram,
            "rounds": [dict(vars(r)) for r in self.rounds],
            "memory": memory,
            "error": dict(vars(self.error)) if self.error is not None else None,
            "output": self.output,
            "exit_code": self.exit_code,
            "settings": json_copy(self.settings),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OperationResult:
        """Raises ``KeyError`` for a missing required key, ``ValueError`` naming the operation
        and the key for a value of the wrong shape."""
        name = data["operation"]

        def read(key: str, convert: Any, default: Any = None) -> Any:
            value = data.get(key)
            try:
                return convert(value) if value is not None else default
            except (TypeError, ValueError, AttributeError) as exc:
                raise ValueError(
                    f"operation {name!r}, key {key!r}: {exc} (got {type(value).__name__})"
                ) from None

        def memory_of(raw: Any) -> MemorySummary:
            memory = dict(raw)
            memory["leak_sites"] = tuple(LeakSite(**s) for s in memory.get("leak_sites") or ())
            return MemorySummary(**memory)

        return cls(
            operation=str(name),
            status=read("status", str, None) or data["status"],
            iterations=read("iterations", int, 0),
            errors=read("errors", int, 0),
            total_time_s=read("total_time_s", float, 0.0),
            throughput_per_s=read("throughput_per_s", float, 0.0),
            latency_ns=read("latency_ns", lambda v: LatencySummary(**v), LatencySummary()),
            histogram=read("histogram", str, ""),
            rounds=read("rounds", lambda v: tuple(RoundSummary(**r) for r in v), ()),
            memory=read("memory", memory_of, MemorySummary()),
            error=read("error", lambda v: ErrorInfo(**v) if v else None, None),
            output=read("output", str, ""),
            exit_code=data.get("exit_code"),
            settings=read("settings", dict, {}),
        )


@dataclass(frozen=True)
class RunResult:
    run_id: str  # uuid4 hex; lets ``import`` skip runs it already holds
    suite: str
    suite_path: str
    label: str
    started_at: str  # ISO 8601, UTC
    finished_at: str
    environment: dict[str, Any]
    operations: tuple[OperationResult, ...]

    @property
    def status(self) -> str:
        return worst_status(op.status for op in self.operations)

    def without_cancelled(self) -> RunResult | None:
        """The run as the tracker keeps it: a cancelled operation measured nothing to judge
        (and must not count as a run of its version); ``None`` when nothing else is left."""
        kept = tuple(op for op in self.operations if op.status != "cancelled")
        if not kept:
            return None
        return replace(self, operations=kept)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "run_id": self.run_id,
            "suite": self.suite,
            "suite_path": self.suite_path,
            "label": self.label,
            "status": self.status,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "environment": dict(self.environment),
            "operations": [op.to_dict() for op in self.operations],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunResult:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not a benchtui run (schema {data.get('schema')!r}, want {SCHEMA})")
        return cls(
            run_id=str(data["run_id"]),
            suite=str(data["suite"]),
            suite_path=str(data.get("suite_path", "")),
            label=str(data["label"]),
            started_at=str(data["started_at"]),
            finished_at=str(data["finished_at"]),
            environment=dict(data.get("environment") or {}),
            operations=tuple(OperationResult.from_dict(op) for op in data["operations"]),
        )


def json_copy(value: Any) -> Any:
    """A copy of plain JSON-like data (dicts and lists copied, leaves shared)."""
    if isinstance(value, dict):
        return {k: json_copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_copy(v) for v in value]
    return value


def worst_status(statuses: Any) -> str:
    """The worst status among ``statuses`` (``ok`` when empty)."""
    ranks = {s: i for i, s in enumerate(STATUSES)}
    worst = "ok"
    for status in statuses:
        if ranks.get(status, 0) < ranks[worst]:
            worst = status
    return worst
