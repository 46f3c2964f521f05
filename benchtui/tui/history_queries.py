"""What the trend and compare screens ask of the tracker, answered with immutable snapshots.

``HistorySource`` wraps one open ``Tracker`` and only uses its public methods: the operations
(per suite), a page of an operation's versions (figures first, from the indexed ``trend``
query; verdicts after, from ``history``, which may have to compute them), the two sides of a
comparison with their merged stored histograms and environments, a version's runs (to delete
one), and the runs to export. Pure helpers here turn those into what the widgets draw.

It imports nothing from Textual and draws nothing; it never writes except through
``Tracker.delete_run`` (and the tracker's own verdict cache).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from benchtui.measure.histogram import decode_counts, index_lowest_values
from benchtui.runner.results import RunResult
from benchtui.stats import Verdict
from benchtui.tracker import Tracker, TrackerError, VersionStats
from benchtui.tracker.store import has_figures

PAGE = 100  # versions per page of the table (and the most the chart can show at once)
FIRST_VERDICTS = 20  # the newest verdicts are judged first: they are the ones looked at
MAX_MERGED_RUNS = 20  # a version's histogram merges at most its newest runs
PERCENTILES = (("p50", 50.0), ("p90", 90.0), ("p99", 99.0), ("p99.9", 99.9))


@dataclass(frozen=True, order=True)
class OpRef:
    """An operation as the tracker knows it: names are unique per suite only."""

    suite: str
    operation: str


@dataclass(frozen=True)
class TrendPoint:
    """One version of an operation: its figures and, once judged, its verdict against the
    version run before it (``previous``)."""

    stats: VersionStats
    verdict: Verdict | None = None
    previous: str | None = None
    judged: bool = False

    @property
    def label(self) -> str:
        return self.stats.label

    @property
    def failed(self) -> bool:
        """No run of the version measured a successful call: it has no figures."""
        return self.stats.p50_ns is None

    @property
    def partial(self) -> bool:
        """Figures from the successful calls, but some runs failed (calls raised, or a run
        crashed): the figures are shown with the failures marked."""
        return not self.failed and self.stats.status != "ok"


@dataclass(frozen=True)
class TrendPage:
    """A page of an operation's versions, oldest first; ``offset`` counts versions back from
    the newest (0: the newest page)."""

    op: OpRef
    offset: int
    points: tuple[TrendPoint, ...]
    has_older: bool
    judged: bool = False

    def index_of(self, label: str) -> int | None:
        for i, point in enumerate(self.points):
            if point.label == label:
                return i
        return None


@dataclass(frozen=True)
class LatestState:
    """An operation's newest version and its verdict (for the badges of the operation list)."""

    label: str
    p50_ns: float | None
    status: str
    verdict: Verdict | None


@dataclass(frozen=True)
class RunInfo:
    """A stored run, enough to name it before deleting it."""

    run_id: str
    label: str
    started_at: str
    status: str
    operations: tuple[str, ...]


@dataclass(frozen=True)
class Side:
    """One version of an operation in a comparison."""

    label: str
    stats: VersionStats | None
    runs: tuple[RunInfo, ...]
    bins: tuple[tuple[int, int], ...]  # merged histogram: (lowest ns of bucket, count)
    percentiles: tuple[tuple[str, int], ...]  # from the merged histogram
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def samples(self) -> int:
        return sum(c for _, c in self.bins)


@dataclass(frozen=True)
class EnvRow:
    name: str
    a: str
    b: str
    differs: bool
    may_explain: bool  # a difference here could explain a change in timings


@dataclass(frozen=True)
class CompareData:
    op: OpRef
    a: Side
    b: Side
    verdict: Verdict
    environment: tuple[EnvRow, ...]


# Display name, the keys it has had in run environments, and whether a difference there could
# explain a change in timings (a new commit is the change itself, not an explanation).
ENVIRONMENT_KEYS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("python", ("python_version", "python"), True),
    ("implementation", ("python_implementation",), True),
    ("cpu", ("cpu_model", "cpu"), True),
    ("cpu count", ("cpu_count",), True),
    ("host", ("hostname",), True),
    ("platform", ("platform",), True),
    ("dirty tree", ("git_dirty",), True),
    ("git commit", ("git_commit",), False),
    ("benchtui", ("benchtui_version", "benchtui"), False),
)
MIXED = "mixed"


class HistorySource:
    """The history file as the trend screens see it. Open with ``await HistorySource.open``;
    every method raises ``TrackerError`` with a message for a person."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    @classmethod
    async def open(cls, path: Path) -> HistorySource | None:
        """The source, or ``None`` when nothing was ever recorded there (no file yet): looking
        at the history must not create one."""
        if not path.exists():
            return None
        return cls(await Tracker.open(path, create=False))

    @property
    def path(self) -> Path:
        return self.tracker.path

    async def close(self) -> None:
        await self.tracker.close()

    async def operations(self) -> list[OpRef]:
        """Every (suite, operation), suites in first-run order, operations first-seen."""
        refs: list[OpRef] = []
        for suite in await self.tracker.suites():
            refs.extend(OpRef(suite, op) for op in await self.tracker.operations(suite))
        return refs

    async def latest(self) -> dict[OpRef, LatestState]:
        """Each operation's newest version with its verdict against the one before."""
        found: dict[OpRef, LatestState] = {}
        for row in await self.tracker.history(last=1):
            s = row.stats
            found[OpRef(s.suite, s.operation)] = LatestState(
                s.label, s.p50_ns, s.status, row.verdict
            )
        return found

    async def figures(self, op: OpRef, offset: int = 0, size: int = PAGE) -> TrendPage:
        """A page of versions with figures only (one indexed query, whatever the history)."""
        found = await self.tracker.trend(
            op.operation, limit=size + 1, offset=offset, suite=op.suite
        )
        has_older = len(found) > size
        shown = found[1:] if has_older else found
        points = tuple(TrendPoint(s) for s in shown)
        if not has_older and points:
            # The oldest version ever recorded has nothing to be judged against.
            points = (replace(points[0], judged=True), *points[1:])
        return TrendPage(op, offset, points, has_older)

    async def judged(self, page: TrendPage, newest: int | None = None) -> TrendPage:
        """``page`` with verdicts against each previous version (computed by the tracker when
        not cached, which may take a while on a cold history). ``newest`` limits the work to
        the newest versions of the page; the rest stay unjudged."""
        if not page.points:
            return replace(page, judged=True)
        wanted = len(page.points) if newest is None else min(newest, len(page.points))
        rows = await self.tracker.history(
            op=page.op.operation, last=page.offset + wanted, suite=page.op.suite
        )
        by_label = {row.stats.label: row for row in rows}
        points = []
        for point in page.points:
            row = by_label.get(point.label)
            if row is None:
                points.append(point)
            else:
                points.append(
                    replace(point, verdict=row.verdict, previous=row.previous, judged=True)
                )
        return replace(page, points=tuple(points), judged=all(p.judged for p in points))

    async def run_infos(self, op: OpRef, label: str) -> tuple[RunInfo, ...]:
        """The runs of version ``label`` of the operation's suite, newest first."""
        return tuple(reversed([run_info(r) for r in await self._runs(op, label)]))

    async def delete_run(self, run_id: str) -> bool:
        return await self.tracker.delete_run(run_id)

    async def runs_of(self, suite: str, labels: Iterable[str]) -> list[RunResult]:
        """Every stored run of these versions of ``suite``, oldest first (for export)."""
        runs: list[RunResult] = []
        for label in labels:
            runs.extend(await self.tracker.runs(label=label, suite=suite))
        return sorted(runs, key=lambda r: r.started_at)

    async def stored_run(self, op: OpRef, label: str) -> RunResult | None:
        """The newest run of ``label`` that measured the operation (for a re-run)."""
        for run in reversed(await self._runs(op, label)):
            if any(o.operation == op.operation for o in run.operations):
                return run
        return None

    async def compare(self, op: OpRef, a: str, b: str) -> CompareData:
        """Version ``b`` of the operation against version ``a``: figures, verdict, merged
        histograms and environments."""
        found = await self.tracker.compare(a, b, op=op.operation, suite=op.suite)
        comparison = next(c for c in found if c.suite == op.suite)
        side_a = side_of(a, comparison.a, await self._runs(op, a), op.operation)
        side_b = side_of(b, comparison.b, await self._runs(op, b), op.operation)
        return CompareData(op, side_a, side_b, comparison.verdict, environment_rows(side_a, side_b))

    async def _runs(self, op: OpRef, label: str) -> list[RunResult]:
        # The tracker has no per-operation query of stored results: this reads every
        # operation of the version's runs (a few ms for a handful of runs).
        return await self.tracker.runs(label=label, suite=op.suite)


# ---------------------------------------------------------------------- pure helpers
def run_info(run: RunResult) -> RunInfo:
    return RunInfo(
        run.run_id,
        run.label,
        run.started_at,
        run.status,
        tuple(o.operation for o in run.operations),
    )


def histogram_bins(encoded: str) -> dict[int, int]:
    """(lowest ns of bucket) -> count of one encoded HDR histogram, whatever its layout."""
    if not encoded:
        return {}
    try:
        counts = decode_counts(encoded)
    except ValueError:
        # Another range or precision (imported from elsewhere): walk its recorded values.
        from hdrh.histogram import HdrHistogram

        histogram = HdrHistogram.decode(encoded)
        return {
            int(histogram.get_lowest_equivalent_value(item.value_iterated_to)): int(
                item.count_at_value_iterated_to
            )
            for item in histogram.get_recorded_iterator()
        }
    nonzero = np.flatnonzero(counts)
    return dict(zip(index_lowest_values(nonzero).tolist(), counts[nonzero].tolist(), strict=True))


def merged_bins(histograms: Sequence[str]) -> tuple[tuple[int, int], ...]:
    """The sum of encoded histograms as sorted (lowest ns of bucket, count) pairs; an
    unreadable histogram is left out rather than failing the comparison."""
    total: dict[int, int] = {}
    for encoded in histograms:
        try:
            bins = histogram_bins(encoded)
        except Exception:  # noqa: BLE001 - a corrupt payload must not hide the rest
            continue
        for value, count in bins.items():
            total[value] = total.get(value, 0) + count
    return tuple(sorted((v, c) for v, c in total.items() if c > 0))


def bins_percentiles(bins: tuple[tuple[int, int], ...]) -> tuple[tuple[str, int], ...]:
    """The named percentiles of a merged histogram (bucket values, within 0.1%)."""
    if not bins:
        return ()
    values = np.array([v for v, _ in bins], dtype=np.int64)
    cumulative = np.cumsum([c for _, c in bins])
    total = int(cumulative[-1])
    found = []
    for name, percentile in PERCENTILES:
        target = max(int(percentile * total / 100 + 0.5), 1)
        index = min(int(np.searchsorted(cumulative, target, side="left")), len(values) - 1)
        found.append((name, int(values[index])))
    return tuple(found)


def side_of(label: str, stats: VersionStats | None, runs: list[RunResult], operation: str) -> Side:
    ops = [o for run in runs for o in run.operations if o.operation == operation]
    # The runs the tracker takes figures from: some calls may have raised, the histogram
    # holds the successful ones.
    measured_ops = [
        o for o in ops if has_figures(o.status, o.iterations, o.errors, o.latency_ns.p50)
    ]
    bins = merged_bins([o.histogram for o in measured_ops][-MAX_MERGED_RUNS:])
    measured = [run for run in runs if any(o.operation == operation for o in run.operations)]
    return Side(
        label=label,
        stats=stats,
        runs=tuple(run_info(r) for r in measured),
        bins=bins,
        percentiles=bins_percentiles(bins),
        environment=environment_summary(r.environment for r in measured),
    )


def _env_value(environment: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if key in environment and environment[key] is not None:
            value = environment[key]
            if isinstance(value, bool):
                return "yes" if value else "no"
            return str(value)
    return None


def environment_summary(environments: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Display name -> value over a version's runs ('mixed' when its runs differ)."""
    seen: dict[str, set[str]] = {}
    for env in environments:
        for name, keys, _ in ENVIRONMENT_KEYS:
            value = _env_value(env, keys)
            if value is not None:
                seen.setdefault(name, set()).add(value)
    return {
        name: (next(iter(values)) if len(values) == 1 else MIXED) for name, values in seen.items()
    }


def environment_rows(a: Side, b: Side) -> tuple[EnvRow, ...]:
    rows = []
    for name, _, explains in ENVIRONMENT_KEYS:
        va, vb = a.environment.get(name, "—"), b.environment.get(name, "—")
        differs = va != vb or MIXED in (va, vb)
        # A dirty tree measures uncommitted code on either side, even when both are dirty.
        dirty = name == "dirty tree" and "yes" in (va, vb)
        rows.append(EnvRow(name, va, vb, differs, explains and (differs or dirty)))
    return tuple(rows)


DISAGREE_FROM = 0.02  # verdict changes smaller than this are noise: no note when p50 differs


def p50_against_verdict(point: TrendPoint, previous: TrendPoint | None) -> bool:
    """Whether the version's p50 (the median of its runs' p50s) moved the other way from its
    verdict's change (the ratio of the medians of all rounds, see ``benchtui.stats``) against
    the version before it: with noisy runs the two can disagree, and the screen must say so
    rather than show "p50 up" beside "faster"."""
    verdict = point.verdict
    if verdict is None or verdict.change is None or abs(verdict.change) < DISAGREE_FROM:
        return False
    if previous is None or previous.label != point.previous:
        return False
    now, before = point.stats.p50_ns, previous.stats.p50_ns
    if not now or not before:
        return False
    return (now / before - 1) * verdict.change < 0


def shown_path(path: Path) -> str:
    """A path as a person reads it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def export_name(labels: Sequence[str]) -> str:
    """A default export file name for these versions: ``benchtui-export-<labels>.json``."""
    joined = "_".join(re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip("-") for label in labels)
    return f"benchtui-export-{joined[:80] or 'history'}.json"


def describe_error(exc: BaseException) -> str:
    """One line for a person: tracker errors carry theirs; others get their type."""
    if isinstance(exc, TrackerError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
    return f"{type(exc).__name__}: {exc}"
