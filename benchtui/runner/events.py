"""Events of a run, as the supervisor hands them to a face (headless CLI or TUI).

Immutable and small: progress carries a histogram *delta* (HdrHistogram compressed encoding),
never raw samples. ``benchtui.runner.live`` folds them into a state worth drawing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from benchtui.runner.results import OperationResult, RoundSummary, RunResult


@dataclass(frozen=True)
class OperationStarted:
    operation: str
    index: int  # position in the run's queue, from 0
    total: int  # operations in the run
    settings: dict[str, Any]


@dataclass(frozen=True)
class PhaseStarted:
    operation: str
    phase: str  # "warmup" | "timed" | "memory"
    planned_iterations: int | None = None
    planned_duration: float | None = None
    rounds: int | None = None


@dataclass(frozen=True)
class Progress:
    operation: str
    iterations: int  # timed calls so far (failed ones included)
    errors: int
    round: int
    rounds: int
    elapsed_s: float  # since the timed phase started, by the parent's clock
    histogram_delta: str  # latencies recorded since the previous Progress


@dataclass(frozen=True)
class RoundFinished:
    operation: str
    summary: RoundSummary


@dataclass(frozen=True)
class MemoryReading:
    """RSS is sampled by the parent; traced figures come from the child's memory phase."""

    operation: str
    elapsed_s: float  # since the operation started
    rss_bytes: int | None = None
    traced_current_bytes: int | None = None
    traced_peak_bytes: int | None = None
    traced_iteration: int | None = None


@dataclass(frozen=True)
class OperationOutput:
    operation: str
    stream: str  # "stdout" | "stderr"
    text: str


@dataclass(frozen=True)
class OperationError:
    """The first failure of a call (the run goes on; the status will be ``error``)."""

    operation: str
    type: str
    message: str
    traceback: str


@dataclass(frozen=True)
class OperationFinished:
    operation: str
    result: OperationResult


@dataclass(frozen=True)
class RunFinished:
    result: RunResult


Event = (
    OperationStarted
    | PhaseStarted
    | Progress
    | RoundFinished
    | MemoryReading
    | OperationOutput
    | OperationError
    | OperationFinished
    | RunFinished
)
