"""What the tracker's queries return: immutable rows for the CLI tables and the TUI screens.

Plain frozen dataclasses with ``to_dict()`` for JSON output; nothing here queries or formats.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from benchtui.stats import Verdict


@dataclass(frozen=True)
class VersionStats:
    """One operation's figures for one version, over all runs of that version.

    p50, p99, throughput and leak rate are medians across the version's successful runs;
    the memory peaks are maxima. Figures are ``None`` when no run of the version succeeded.
    ``first_run_at`` / ``last_run_at`` are the ``started_at`` of its first and last runs.
    """

    suite: str
    operation: str
    label: str
    runs: int
    ok_runs: int
    rounds: int
    status: str  # the worst status among the runs
    first_run_at: str
    last_run_at: str
    p50_ns: float | None
    p99_ns: float | None
    throughput_per_s: float | None
    leak_bytes_per_iter: float | None
    rss_peak_bytes: int | None
    tracemalloc_peak_bytes: int | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class HistoryRow:
    """A version in an operation's history, judged against the version run before it
    (``previous`` and ``verdict`` are ``None`` for the first version recorded)."""

    stats: VersionStats
    previous: str | None
    verdict: Verdict | None

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.stats.to_dict(),
            "previous": self.previous,
            "verdict": self.verdict.to_dict() if self.verdict else None,
        }


@dataclass(frozen=True)
class Comparison:
    """One operation in version A and version B. A side is ``None`` when that version did not
    run the operation (the verdict is then ``inconclusive`` and says which)."""

    suite: str
    operation: str
    a: VersionStats | None
    b: VersionStats | None
    verdict: Verdict

    def to_dict(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "operation": self.operation,
            "a": self.a.to_dict() if self.a else None,
            "b": self.b.to_dict() if self.b else None,
            "verdict": self.verdict.to_dict(),
        }
