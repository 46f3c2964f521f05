"""The tracker: runs recorded by version label in one SQLite file, behind a plain async API.

``Tracker`` saves ``RunResult``s (one transaction each, or one per import batch), and answers
the questions the CLI and the TUI ask of the history: which versions and operations exist,
an operation's figures version by version with a verdict against the previous version, two
versions compared, and every stored run back as a ``RunResult`` for export.

It does not measure, print or draw, and imports nothing from Textual. Statistics come from
``benchtui.stats``; row encoding from ``rows``; DDL and the pre-write checks from ``schema``.

Concurrency: WAL mode and a busy timeout let several processes share a file; writes take the
lock up front (``BEGIN IMMEDIATE``) so a transaction never fails half way on a lock upgrade.
Inside one process an ``asyncio.Lock`` keeps calls on the one connection from interleaving.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from array import array
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from itertools import groupby
from os import PathLike
from pathlib import Path
from typing import Any

import aiosqlite

from benchtui import stats
from benchtui.runner.results import RunResult, worst_status
from benchtui.tracker import rows, schema
from benchtui.tracker.errors import (
    DuplicateRunError,
    TrackerError,
    UnknownLabelError,
    UnknownOperationError,
    UnknownSuiteError,
)
from benchtui.tracker.models import Comparison, HistoryRow, VersionStats

__all__ = ["Tracker", "DEFAULT_BUSY_TIMEOUT", "has_figures"]

DEFAULT_BUSY_TIMEOUT = 30.0
_CHUNK = 400  # ids per IN (...) list, well under SQLite's variable limit

# version_ops columns in VersionStats field order; the aggregate columns follow.
_STATS_COLUMNS = (
    "suite",
    "operation",
    "label",
    "runs",
    "ok_runs",
    "rounds",
    "status",
    "first_run_at",
    "last_run_at",
    "p50_ns",
    "p99_ns",
    "throughput_per_s",
    "leak_bytes_per_iter",
    "rss_peak_bytes",
    "tracemalloc_peak_bytes",
)


def _marks(n: int) -> str:
    return ", ".join("?" * n)


_VO_SELECT = ", ".join(f"vo.{c}" for c in _STATS_COLUMNS)
_VO_INSERT = (
    "INSERT INTO version_ops (version_id, suite, operation, label, order_key, runs, ok_runs, "
    "rounds, status, first_run_at, last_run_at, p50_ns, p99_ns, throughput_per_s, "
    "leak_bytes_per_iter, rss_peak_bytes, tracemalloc_peak_bytes, samples_digest) "
    f"VALUES ({_marks(18)})"
)
_RUN_INSERT = (
    f"INSERT INTO runs (id, {', '.join(rows.RUN_COLUMNS)}) "
    f"VALUES ({_marks(len(rows.RUN_COLUMNS) + 1)})"
)
_RESULT_INSERT = (
    f"INSERT INTO results ({', '.join(rows.RESULT_COLUMNS)}) "
    f"VALUES ({_marks(len(rows.RESULT_COLUMNS))})"
)
_VERDICT_COLUMNS = "kind, ratio, ci_low, ci_high, p_value, n_a, n_b, reason"

# The newest N+1 versions of each operation (an index range per operation, whatever the size
# of the history), each paired with the version before it and that pair's cached verdict.
_HISTORY_SQL = f"""
WITH picked AS (
    SELECT o.id AS op_order, vo.*
    FROM operations AS o
    JOIN version_ops AS vo ON vo.id IN (
        SELECT id FROM version_ops
        WHERE suite = o.suite AND operation = o.operation
        ORDER BY order_key DESC, version_id DESC
        LIMIT :n
    )
    WHERE (:op IS NULL OR o.operation = :op) AND (:suite IS NULL OR o.suite = :suite)
),
paired AS (
    SELECT p.*,
        LAG(p.version_id) OVER w AS prev_version,
        LAG(p.label) OVER w AS prev_label,
        LAG(p.samples_digest) OVER w AS prev_digest
    FROM picked AS p
    WINDOW w AS (PARTITION BY p.op_order ORDER BY p.order_key, p.version_id)
)
SELECT {_VO_SELECT.replace("vo.", "p.")}, p.op_order, p.version_id, p.prev_version, p.prev_label,
    {", ".join(f"v.{c}" for c in _VERDICT_COLUMNS.split(", "))}
FROM paired AS p
LEFT JOIN verdicts AS v
    ON v.a_version = p.prev_version AND v.b_version = p.version_id
    AND v.operation = p.operation AND v.threshold = :threshold AND v.algorithm = :algorithm
    AND v.a_digest = p.prev_digest AND v.b_digest = p.samples_digest
ORDER BY p.op_order, p.order_key, p.version_id
"""


# Which results carry latency figures, and which of their rounds are samples. A run with some
# failed calls (status "error", iterations > errors) measured its successful calls like any
# other run: its figures and rounds count. A run with no successful call (every call failed,
# setup failed, or it crashed, timed out or was cancelled) counts in ``runs`` and ``status``
# only. ``rows.aggregate`` and ``rows.sample_blobs`` take "ok" results only, so ``_measured``
# hands them the results with figures as "ok" (their real status is restored after).
# AGGREGATE_RULES, stored under this key in benchtui_meta, marks a file whose aggregates and
# cached verdicts already follow these rules (see ``_upgrade_aggregates``).
AGGREGATE_RULES_KEY = "aggregate_rules"
AGGREGATE_RULES = "2"  # 1 (no key): runs with any failed call had no figures
# Per result, after rows.AGGREGATE_COLUMNS: the calls made and failed, and the per-round
# summaries (JSON), read only where some rounds may have no successful call.
_CALL_COLUMNS = ("r.iterations", "r.errors", "CASE WHEN r.status = 'error' THEN r.rounds END")
_AGG_COLUMNS = ", ".join((*rows.AGGREGATE_COLUMNS, *_CALL_COLUMNS))
_SAMPLE_COLUMNS = ", ".join(("r.status", "r.n_rounds", "r.round_p50", "r.p50_ns", *_CALL_COLUMNS))


def has_figures(status: str, iterations: int, errors: int, p50_ns: int | None) -> bool:
    """Whether a result measured at least one successful call (so its latency is real)."""
    if status == "ok":
        return True
    return status == "error" and iterations > errors and p50_ns is not None


def _good_rounds(n_rounds: int, blob: bytes, rounds_json: str | None) -> tuple[int, bytes]:
    """(count, packed medians) of the rounds with at least one successful call: a round in
    which every call failed has no median (the engine writes 0) and is no sample."""
    if rounds_json is None:
        return n_rounds, blob
    try:
        table = json.loads(rounds_json)
        fields = table["fields"]
        at = {name: fields.index(name) for name in ("iterations", "errors", "p50_ns")}
        p50s = [
            int(row[at["p50_ns"]])
            for row in table["rows"]
            if row[at["iterations"]] > row[at["errors"]] and row[at["p50_ns"]] is not None
        ]
    except (ValueError, KeyError, TypeError, IndexError):
        # Rounds without per-round errors (imported from elsewhere): no round can be told
        # apart from another, so none is used rather than a failed one by mistake.
        return 0, b""
    return len(p50s), array("q", p50s).tobytes()


def _measured(
    status: str, n_rounds: int, blob: bytes, p50_ns: int | None, calls: Sequence[Any]
) -> tuple[str, int, bytes]:
    """(status as the aggregate sees it, rounds, packed round medians) of one result:
    "ok" with its good rounds when it has figures, else its own status and no rounds."""
    iterations, errors, rounds_json = calls
    if not has_figures(status, iterations, errors, p50_ns):
        return status, 0, b""
    return ("ok", *_good_rounds(n_rounds, blob, rounds_json))


def _aggregate(found: Iterable[Sequence[Any]]) -> tuple[Any, ...]:
    """``rows.aggregate`` of one version's results of one operation (``_AGG_COLUMNS`` rows,
    run order), with the results that have figures counted as successful for the figures,
    the rounds and the samples, while ``ok_runs`` and ``status`` stay those of the runs."""
    width = len(rows.AGGREGATE_COLUMNS)
    real, seen = [], []
    for r in found:
        status, n_rounds, blob = _measured(r[0], r[7], r[8], r[1], r[width:])
        real.append(r[0])
        seen.append((status, *r[1:7], n_rounds, blob, r[9]))
    figures = list(rows.aggregate(seen))
    figures[1] = sum(status == "ok" for status in real)  # ok_runs: runs without a failure
    figures[3] = worst_status(real)
    return tuple(figures)


def _by_version(columns: str, n: int) -> str:
    """Every result of ``n`` versions, grouped by (version, operation), runs in start order:
    what the aggregates and the verdicts' samples are computed from."""
    return (
        f"SELECT r.version_id, r.operation, {columns} FROM results AS r "
        f"JOIN runs AS u ON u.id = r.run WHERE r.version_id IN ({_marks(n)}) "
        "ORDER BY r.version_id, r.operation, u.started_key, u.run_id"
    )


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Tracker:
    """The history database. Open with ``await Tracker.open(path)``; close with ``close()``
    or use ``async with await Tracker.open(path) as tracker``.

    Every method raises ``TrackerError`` (or a subclass) with a message for a person when the
    database cannot answer: unknown label or operation, corrupt file, lock timeout.
    """

    def __init__(self, conn: aiosqlite.Connection, path: Path, busy_timeout: float) -> None:
        self._conn = conn
        self._path = path
        self._busy_ms = int(busy_timeout * 1000)
        self._lock = asyncio.Lock()

    # --- opening and closing ------------------------------------------------------------

    @classmethod
    async def open(
        cls,
        path: str | PathLike[str],
        *,
        create: bool = True,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> Tracker:
        """Open (and, with ``create``, create or migrate) the database at ``path``.

        Nothing is written until the file is known to be a benchtui database of a schema this
        version can read: a foreign, corrupt or newer file raises ``SchemaError`` untouched.
        """
        path = Path(path)
        await asyncio.to_thread(_prepare, path, create, busy_timeout)
        try:
            conn = await aiosqlite.connect(
                f"{path.resolve().as_uri()}?mode=rw",
                uri=True,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                timeout=busy_timeout,
            )
        except sqlite3.Error as exc:
            raise TrackerError(f"cannot open {path}: {exc}") from exc
        tracker = cls(conn, path, busy_timeout)
        try:
            async with tracker._guard():
                await conn.execute_fetchall("PRAGMA foreign_keys = ON")
                # WAL with synchronous=NORMAL: a killed process loses nothing committed; only
                # a power cut may lose the last transactions, never corrupt the file.
                await conn.execute_fetchall("PRAGMA synchronous = NORMAL")
            await tracker._upgrade_aggregates()
        except BaseException:
            await conn.close()
            raise
        return tracker

    async def _upgrade_aggregates(self) -> None:
        """Recompute the aggregates a file written under older rules got wrong: there, a run
        with any failed call had no figures and no samples (and its verdicts were cached so).
        Only versions with such runs change. Done once per file, marked in benchtui_meta; no
        table changes. Like the verdict cache it never waits: if the file is locked by
        another process or read-only, the old figures are shown and the next open retries."""
        found = await self._read(
            "SELECT value FROM benchtui_meta WHERE key = ?", (AGGREGATE_RULES_KEY,)
        )
        if found and found[0][0] == AGGREGATE_RULES:
            return
        async with self._lock, self._guard():
            await self._run("PRAGMA busy_timeout = 0")
            try:
                await self._run("BEGIN IMMEDIATE")
                try:
                    stale = await self._fetchall(
                        "SELECT DISTINCT version_id FROM results WHERE status = 'error' "
                        "ORDER BY version_id"
                    )
                    await self._refresh([r[0] for r in stale])
                    await self._run(
                        "INSERT OR REPLACE INTO benchtui_meta (key, value) VALUES (?, ?)",
                        (AGGREGATE_RULES_KEY, AGGREGATE_RULES),
                    )
                    await self._run("COMMIT")
                except BaseException:
                    await self._run("ROLLBACK")
                    raise
            except sqlite3.OperationalError:
                pass  # locked, read-only, disk full: keep the old figures for now
            finally:
                await self._run(f"PRAGMA busy_timeout = {self._busy_ms}")

    @property
    def path(self) -> Path:
        return self._path

    async def close(self) -> None:
        await self._conn.close()

    async def __aenter__(self) -> Tracker:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # --- writing --------------------------------------------------------------------------

    async def save_run(self, run: RunResult) -> int:
        """Save one run in one transaction (whole or not at all); returns its database id.

        Raises ``InvalidRunError`` for a run that does not fit the schema and
        ``DuplicateRunError`` when its ``run_id`` is already saved.
        """
        encoded = rows.encode_run(run)
        async with self._write():
            ids = await self._insert([encoded])
        if not ids:
            raise DuplicateRunError(f"run {run.run_id} is already saved in {self._path}")
        return ids[0]

    async def import_runs(self, runs: Iterable[RunResult]) -> tuple[int, int]:
        """Save many runs in one transaction, skipping run_ids already present (in the file or
        earlier in ``runs``). Every run is checked before anything is written.
        Returns ``(added, skipped)``."""
        encoded = [rows.encode_run(run) for run in runs]
        return await self._import_encoded(encoded)

    async def _import_encoded(self, encoded: Sequence[rows.EncodedRun]) -> tuple[int, int]:
        # Entry point for runs already through rows.encode_run (the benchmark seeds with it).
        async with self._write():
            ids = await self._insert(encoded)
        return len(ids), len(encoded) - len(ids)

    async def delete_run(self, run_id: str) -> bool:
        """Delete one run and its results; False when there is no such run."""
        async with self._write():
            found = await self._fetchall(
                "SELECT id, version_id FROM runs WHERE run_id = ?", (run_id,)
            )
            if not found:
                return False
            ref, version_id = found[0]
            await self._run("DELETE FROM results WHERE run = ?", (ref,))
            await self._run("DELETE FROM runs WHERE id = ?", (ref,))
            await self._refresh([version_id])
            await self._run(
                "DELETE FROM operations WHERE NOT EXISTS (SELECT 1 FROM version_ops AS vo "
                "WHERE vo.suite = operations.suite AND vo.operation = operations.operation)"
            )
        return True

    async def _insert(self, encoded: Sequence[rows.EncodedRun]) -> list[int]:
        """Insert the runs not yet stored (inside a write transaction); returns their ids."""
        present: set[str] = set()
        for chunk in _chunks([e.run_id for e in encoded]):
            found = await self._fetchall(
                f"SELECT run_id FROM runs WHERE run_id IN ({_marks(len(chunk))})", chunk
            )
            present.update(r[0] for r in found)
        todo = []
        for e in encoded:
            if e.run_id not in present:
                present.add(e.run_id)
                todo.append(e)
        if not todo:
            return []
        version_ids = await self._version_ids(todo)
        (next_id,) = (await self._fetchall("SELECT COALESCE(MAX(id), 0) + 1 FROM runs"))[0]
        # Explicit ids (we hold the write lock) let one executemany insert every run.
        ids = list(range(next_id, next_id + len(todo)))
        await self._conn.executemany(
            _RUN_INSERT,
            [
                (ref, e.run[0], version_ids[e.suite, e.label], *e.run[2:])
                for ref, e in zip(ids, todo, strict=True)
            ],
        )
        await self._conn.executemany(
            _RESULT_INSERT,
            [
                (ref, version_ids[e.suite, e.label], *result)
                for ref, e in zip(ids, todo, strict=True)
                for result in e.results
            ],
        )
        await self._conn.executemany(
            "INSERT OR IGNORE INTO operations (suite, operation) VALUES (?, ?)",
            [(e.suite, op) for e in todo for op in e.operations],
        )
        await self._refresh(sorted({version_ids[e.suite, e.label] for e in todo}))
        return ids

    async def _version_ids(self, encoded: Sequence[rows.EncodedRun]) -> dict[tuple[str, str], int]:
        """The id of every (suite, label) of ``encoded``, creating the versions not yet known."""
        first: dict[tuple[str, str], str] = {}
        for e in encoded:
            key = (e.suite, e.label)
            first[key] = min(first.get(key, e.started_key), e.started_key)
        ids: dict[tuple[str, str], int] = {}
        for chunk in _chunks(list(first)):
            found = await self._fetchall(
                "SELECT id, suite, label FROM versions WHERE (suite, label) IN "
                f"(VALUES {', '.join(['(?, ?)'] * len(chunk))})",
                [part for key in chunk for part in key],
            )
            ids.update(((suite, label), vid) for vid, suite, label in found)
        missing = [key for key in first if key not in ids]
        if missing:
            (next_id,) = (await self._fetchall("SELECT COALESCE(MAX(id), 0) + 1 FROM versions"))[0]
            new = {key: next_id + i for i, key in enumerate(missing)}
            await self._conn.executemany(
                "INSERT INTO versions (id, suite, label, first_key) VALUES (?, ?, ?, ?)",
                [(vid, *key, first[key]) for key, vid in new.items()],
            )
            ids.update(new)
        return ids

    async def _refresh(self, version_ids: Sequence[int]) -> None:
        """Recompute the aggregates of ``version_ids`` from their results (in a write
        transaction): first-run order, ``version_ops`` rows, and drop their cached verdicts.
        A version left without runs is deleted."""
        for chunk in _chunks(list(version_ids)):
            marks = _marks(len(chunk))
            await self._run(
                "UPDATE versions SET first_key = (SELECT MIN(started_key) FROM runs "
                f"WHERE runs.version_id = versions.id) WHERE id IN ({marks}) "
                "AND EXISTS (SELECT 1 FROM runs WHERE runs.version_id = versions.id)",
                chunk,
            )
            versions = {
                vid: (suite, label, key)
                for vid, suite, label, key in await self._fetchall(
                    f"SELECT id, suite, label, first_key FROM versions WHERE id IN ({marks})",
                    chunk,
                )
            }
            found = await self._fetchall(_by_version(_AGG_COLUMNS, len(chunk)), chunk)
            fresh = []
            for (vid, operation), group in groupby(found, key=lambda r: (r[0], r[1])):
                suite, label, key = versions[vid]
                figures = _aggregate(r[2:] for r in group)
                fresh.append((vid, suite, operation, label, key, *figures))
            await self._run(f"DELETE FROM version_ops WHERE version_id IN ({marks})", chunk)
            await self._conn.executemany(_VO_INSERT, fresh)
            await self._run(
                f"DELETE FROM verdicts WHERE a_version IN ({marks}) OR b_version IN ({marks})",
                [*chunk, *chunk],
            )
            await self._run(
                f"DELETE FROM versions WHERE id IN ({marks}) "
                "AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.version_id = versions.id)",
                chunk,
            )

    # --- reading --------------------------------------------------------------------------

    async def suites(self) -> list[str]:
        """Suite names in the order they were first run."""
        found = await self._read("SELECT suite FROM versions ORDER BY first_key, id")
        return list(dict.fromkeys(r[0] for r in found))

    async def labels(self, suite: str | None = None) -> list[str]:
        """Version labels in the order they were first run (not lexical)."""
        # An index walk plus de-duplication here beats GROUP BY + sort by MIN() in SQLite.
        found = await self._read(
            "SELECT label FROM versions WHERE (?1 IS NULL OR suite = ?1) ORDER BY first_key, id",
            (suite,),
        )
        return list(dict.fromkeys(r[0] for r in found))

    async def operations(self, suite: str | None = None) -> list[str]:
        """Operation names in the order they were first seen."""
        found = await self._read(
            "SELECT operation FROM operations WHERE (?1 IS NULL OR suite = ?1) "
            "GROUP BY operation ORDER BY MIN(id)",
            (suite,),
        )
        return [r[0] for r in found]

    async def count_runs(self, label: str | None = None, suite: str | None = None) -> int:
        found = await self._read(
            "SELECT COUNT(*) FROM runs WHERE (?1 IS NULL OR label = ?1) "
            "AND (?2 IS NULL OR suite = ?2)",
            (label, suite),
        )
        return int(found[0][0])

    async def runs(self, label: str | None = None, suite: str | None = None) -> list[RunResult]:
        """Stored runs (all, or of one label and/or suite), oldest first, as saved."""
        where = (
            "u.version_id IN (SELECT id FROM versions "
            "WHERE (?1 IS NULL OR label = ?1) AND (?2 IS NULL OR suite = ?2))"
        )
        run_columns = ", ".join(f"u.{c}" for c in rows.RUN_COLUMNS)
        read_columns = ", ".join(f"r.{c}" for c in rows.READ_COLUMNS)
        async with self._lock, self._guard():
            # One read transaction: both queries see the same snapshot.
            await self._run("BEGIN")
            try:
                found_runs = await self._conn.execute_fetchall(
                    f"SELECT u.id, {run_columns} FROM runs AS u WHERE {where} "
                    "ORDER BY u.started_key, u.id",
                    (label, suite),
                )
                found_results = await self._conn.execute_fetchall(
                    f"SELECT r.run, {read_columns} FROM results AS r JOIN runs AS u "
                    f"ON u.id = r.run WHERE {where} ORDER BY r.run, r.position",
                    (label, suite),
                )
            finally:
                await self._run("COMMIT")
        if not found_runs:
            await self._check_names(suite=suite, label=label)
        operations: dict[int, list[dict[str, Any]]] = {}
        for ref, group in groupby(found_results, key=lambda r: r[0]):
            operations[ref] = [rows.decode_operation(r[1:]) for r in group]
        return [rows.decode_run(r[1:], operations.get(r[0], [])) for r in found_runs]

    async def history(
        self,
        op: str | None = None,
        last: int = 10,
        suite: str | None = None,
        threshold: float = stats.DEFAULT_THRESHOLD,
    ) -> list[HistoryRow]:
        """For each operation (or only ``op``), its newest ``last`` versions in the order they
        were first run, each with its verdict against the version before it. Rows are grouped
        by operation (first-seen order), oldest version first."""
        if last < 1:
            raise ValueError("last must be at least 1")
        found = await self._read(
            _HISTORY_SQL,
            {
                "n": last + 1,
                "op": op,
                "suite": suite,
                "threshold": threshold,
                "algorithm": stats.ALGORITHM,
            },
        )
        if not found:
            await self._check_names(suite=suite, op=op)
            return []
        width = len(_STATS_COLUMNS)
        picked: list[tuple[Any, ...]] = []
        for _, group in groupby(found, key=lambda r: r[width]):
            group_rows = list(group)
            picked.extend(group_rows[-last:])  # the oldest served only as "previous"
        missing = {
            (r[width + 2], r[width + 1], r[1])
            for r in picked
            if r[width + 2] is not None and r[width + 4] is None
        }
        computed = await self._verdicts(missing, threshold) if missing else {}
        result = []
        for r in picked:
            prev_version, prev_label = r[width + 2], r[width + 3]
            verdict = None
            if prev_version is not None:
                cached = r[width + 4 :]
                verdict = (
                    stats.Verdict(*cached)
                    if cached[0] is not None
                    else computed[prev_version, r[width + 1], r[1]]
                )
            result.append(HistoryRow(VersionStats(*r[:width]), prev_label, verdict))
        return result

    async def trend(
        self, op: str, limit: int = 50, offset: int = 0, suite: str | None = None
    ) -> list[VersionStats]:
        """A page of one operation's per-version figures: ``offset`` versions back from the
        newest, ``limit`` of them, returned oldest first (for a trend chart)."""
        if suite is None:
            suites = [
                r[0]
                for r in await self._read(
                    "SELECT suite FROM operations WHERE operation = ? ORDER BY id", (op,)
                )
            ]
            if len(suites) > 1:
                raise TrackerError(
                    f"operation '{op}' is in several suites ({', '.join(suites)}): name one"
                )
            suite = suites[0] if suites else None
        found = await self._read(
            f"SELECT {_VO_SELECT} FROM version_ops AS vo WHERE vo.suite = ? AND vo.operation = ? "
            "ORDER BY vo.order_key DESC, vo.version_id DESC LIMIT ? OFFSET ?",
            (suite, op, limit, offset),
        )
        if not found and offset == 0:
            await self._check_names(suite=suite, op=op)
        return [VersionStats(*r) for r in reversed(found)]

    async def compare(
        self,
        a: str,
        b: str,
        op: str | None = None,
        threshold: float = stats.DEFAULT_THRESHOLD,
        suite: str | None = None,
    ) -> list[Comparison]:
        """Version ``b`` against version ``a``, per operation (first-seen order)."""
        versions = await self._read(
            "SELECT id, label FROM versions WHERE label IN (?1, ?2) AND (?3 IS NULL OR suite = ?3)",
            (a, b, suite),
        )
        for label in (a, b):
            if label not in {found_label for _, found_label in versions}:
                await self._check_names(suite=suite, label=label)  # raises, naming known ones
        ids = [vid for vid, _ in versions]
        found = await self._read(
            f"SELECT {_VO_SELECT}, vo.version_id, o.id FROM version_ops AS vo "
            "JOIN operations AS o ON o.suite = vo.suite AND o.operation = vo.operation "
            f"WHERE vo.version_id IN ({_marks(len(ids))}) AND (? IS NULL OR vo.operation = ?) "
            "ORDER BY o.id",
            [*ids, op, op],
        )
        if not found and op is not None:
            known = await self._read(
                "SELECT vo.operation FROM version_ops AS vo JOIN operations AS o "
                "ON o.suite = vo.suite AND o.operation = vo.operation "
                f"WHERE vo.version_id IN ({_marks(len(ids))}) "
                "GROUP BY vo.operation ORDER BY MIN(o.id)",
                ids,
            )
            raise UnknownOperationError(op, [r[0] for r in known], suite)
        width = len(_STATS_COLUMNS)
        pairs: list[tuple[str, str, Any, Any]] = []
        for (op_suite, operation), group in groupby(found, key=lambda r: (r[0], r[1])):
            sides = {r[2]: r for r in group}
            pairs.append((op_suite, operation, sides.get(a), sides.get(b)))
        wanted = {
            (ra[width], rb[width], operation)
            for _, operation, ra, rb in pairs
            if ra is not None and rb is not None
        }
        verdicts = await self._verdicts(wanted, threshold, names=(a, b)) if wanted else {}
        result = []
        for op_suite, operation, ra, rb in pairs:
            if ra is None or rb is None:
                absent = a if ra is None else b
                present = rb if ra is None else ra
                n = present[5]
                verdict = stats.Verdict(
                    stats.INCONCLUSIVE,
                    None,
                    None,
                    None,
                    None,
                    0 if ra is None else n,
                    0 if rb is None else n,
                    f"not run in {absent}",
                )
            else:
                verdict = verdicts[ra[width], rb[width], operation]
            result.append(
                Comparison(
                    op_suite,
                    operation,
                    VersionStats(*ra[:width]) if ra else None,
                    VersionStats(*rb[:width]) if rb else None,
                    verdict,
                )
            )
        return result

    # --- verdicts -------------------------------------------------------------------------

    async def _verdicts(
        self,
        pairs: Iterable[tuple[int, int, str]],
        threshold: float,
        names: tuple[str, str] | None = None,
    ) -> dict[tuple[int, int, str], stats.Verdict]:
        """Verdicts for (a_version, b_version, operation): cached where the samples did not
        change since, else computed (in a thread) and cached if the file is free to write."""
        pair_set = set(pairs)
        wanted = {(v, o) for a, b, o in pair_set for v in (a, b)}
        ids = sorted({v for v, _ in wanted})
        cached: dict[tuple[int, int, str], stats.Verdict] = {}
        samples: dict[tuple[int, str], tuple[str, list[list[int]]]] = {}
        labels: dict[int, str] = {}
        async with self._lock, self._guard():
            # One read snapshot: the digests stored with a verdict are of the very samples
            # it was computed from, even if another process saves meanwhile.
            await self._run("BEGIN")
            try:
                stored = []
                for chunk in _chunks(ids):
                    marks = _marks(len(chunk))
                    found = await self._fetchall(_by_version(_SAMPLE_COLUMNS, len(chunk)), chunk)
                    for key, group in groupby(found, key=lambda r: (r[0], r[1])):
                        if key in wanted:
                            # The same samples (and digest) as _aggregate's: the history
                            # query matches cached verdicts against version_ops' digest.
                            blobs = rows.sample_blobs(
                                _measured(r[2], r[3], r[4], r[5], r[6:]) for r in group
                            )
                            samples[key] = (
                                rows.samples_digest(blobs),
                                [rows.unpack_rounds(b) for b in blobs],
                            )
                    stored += await self._fetchall(
                        f"SELECT a_version, b_version, operation, a_digest, b_digest, "
                        f"{_VERDICT_COLUMNS} FROM verdicts WHERE b_version IN ({marks}) "
                        "AND threshold = ? AND algorithm = ?",
                        [*chunk, threshold, stats.ALGORITHM],
                    )
                    if names is None:
                        found = await self._fetchall(
                            f"SELECT id, label FROM versions WHERE id IN ({marks})", chunk
                        )
                        labels.update((vid, label) for vid, label in found)
            finally:
                await self._run("COMMIT")
        empty = (rows.samples_digest([]), [])
        for key in wanted - samples.keys():
            samples[key] = empty  # no successful rounds at all
        for a, b, operation, a_digest, b_digest, *verdict in stored:
            if (a, b, operation) in pair_set and (a_digest, b_digest) == (
                samples[a, operation][0],
                samples[b, operation][0],
            ):
                cached[a, b, operation] = stats.Verdict(*verdict)
        todo = [p for p in pair_set if p not in cached]
        if not todo:
            return cached

        def judge_all() -> dict[tuple[int, int, str], stats.Verdict]:
            return {
                (a, b, operation): stats.judge(
                    samples[a, operation][1],
                    samples[b, operation][1],
                    threshold=threshold,
                    names=names or (labels.get(a, "A"), labels.get(b, "B")),
                )
                for a, b, operation in todo
            }

        computed = await asyncio.to_thread(judge_all)
        await self._cache_verdicts(
            [
                (
                    a,
                    b,
                    operation,
                    threshold,
                    stats.ALGORITHM,
                    samples[a, operation][0],
                    samples[b, operation][0],
                    v.kind,
                    v.ratio,
                    v.ci_low,
                    v.ci_high,
                    v.p_value,
                    v.n_a,
                    v.n_b,
                    v.reason,
                )
                for (a, b, operation), v in computed.items()
            ]
        )
        return {**cached, **computed}

    async def _cache_verdicts(self, values: list[tuple[Any, ...]]) -> None:
        # A cache, so never wait for it: if another process holds the write lock, or the file
        # is read-only, the verdicts are simply computed again next time.
        async with self._lock, self._guard():
            await self._run("PRAGMA busy_timeout = 0")
            try:
                await self._run("BEGIN IMMEDIATE")
                try:
                    await self._conn.executemany(
                        "INSERT OR REPLACE INTO verdicts (a_version, b_version, operation, "
                        "threshold, algorithm, a_digest, b_digest, kind, ratio, ci_low, ci_high, "
                        f"p_value, n_a, n_b, reason) VALUES ({_marks(15)})",
                        values,
                    )
                    await self._run("COMMIT")
                except BaseException:
                    await self._run("ROLLBACK")
                    raise
            except sqlite3.OperationalError:
                pass  # locked by another process, read-only file, disk full: skip the cache
            finally:
                await self._run(f"PRAGMA busy_timeout = {self._busy_ms}")

    # --- helpers --------------------------------------------------------------------------

    async def _check_names(
        self, *, suite: str | None = None, label: str | None = None, op: str | None = None
    ) -> None:
        """Raise the Unknown*Error for a suite, label or operation with nothing recorded."""
        if suite is not None and suite not in await self.suites():
            raise UnknownSuiteError(suite, await self.suites())
        if label is not None:
            known = await self.labels(suite)
            if label not in known:
                raise UnknownLabelError(label, known, suite)
        if op is not None:
            known = await self.operations(suite)
            if op not in known:
                raise UnknownOperationError(op, known, suite)

    async def _read(self, sql: str, params: Any = ()) -> list[Any]:
        async with self._lock, self._guard():
            return list(await self._conn.execute_fetchall(sql, params))

    async def _fetchall(self, sql: str, params: Any = ()) -> list[Any]:
        # Inside a transaction that already holds the lock.
        return list(await self._conn.execute_fetchall(sql, params))

    async def _run(self, sql: str, params: Any = ()) -> None:
        # execute_fetchall steps a statement to its end, so none is left pending (and holding
        # a read lock) when the transaction commits.
        await self._conn.execute_fetchall(sql, params)

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[None]:
        """A write transaction: the file lock taken up front, rolled back on any error."""
        async with self._lock, self._guard():
            await self._run("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                await self._run("ROLLBACK")
                raise
            await self._run("COMMIT")

    @asynccontextmanager
    async def _guard(self) -> AsyncIterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise TrackerError(f"{self._path}: {exc}") from exc


def _switch_to_wal(conn: sqlite3.Connection, busy_timeout: float) -> str:
    """Put the file in WAL mode; return the journal mode it ends in.

    Switching needs an exclusive lock, and SQLite answers SQLITE_BUSY at once, without the
    busy handler, when another process holds any lock at that moment (two processes creating
    one database together hit this). So wait here instead, up to the busy timeout.
    """
    deadline = time.monotonic() + busy_timeout
    pause = 0.002
    while True:
        current = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if current.lower() == "wal":
            return current  # another process switched it already: no exclusive lock needed
        try:
            return conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def _prepare(path: Path, create: bool, busy_timeout: float) -> None:
    """Check the file and bring it to the current schema (runs in a thread, before the
    aiosqlite connection opens). Reads first; writes only once the file is known good."""
    exists = schema.check_header(path)
    if not exists and not create:
        raise TrackerError(f"no benchtui database at {path} (nothing recorded yet)")
    if not exists:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TrackerError(f"cannot create {path.parent}: {exc.strerror or exc}") from exc
    mode = "rw" if exists else "rwc"
    try:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode={mode}",
            uri=True,
            isolation_level=None,
            timeout=busy_timeout,
        )
    except sqlite3.Error as exc:
        raise TrackerError(f"cannot open {path}: {exc}") from exc
    try:
        version = schema.verify(conn, path)
        journal = _switch_to_wal(conn, busy_timeout)
        if journal.lower() != "wal":
            raise TrackerError(f"{path}: cannot switch to WAL mode (journal mode {journal})")
        if version < schema.SCHEMA_VERSION:
            schema.migrate(conn, path)
    except sqlite3.Error as exc:
        raise TrackerError(f"{path}: {exc}") from exc
    finally:
        conn.close()
