"""The tracker's SQLite schema, its versions, and the checks that run before any write.

``PRAGMA user_version`` holds the schema version. ``MIGRATIONS[n]`` turns a version ``n - 1``
database into version ``n``; ``verify`` decides, by reading only, whether a file may be opened
at all. This module holds DDL and plain ``sqlite3`` helpers; it does not know about runs or
results (``rows.py``) nor about asyncio (``store.py``).

Tables
------
``versions``      one row per (suite, label); ``first_key`` (UTC start of its first run) orders
                  versions as they were first run, not lexically.
``runs``          one row per saved run (``run_id`` unique: import skips what is already here).
``results``       one row per operation of a run: every figure as a column, plus the encoded
                  HDR histogram, rounds, memory, error, output and settings as JSON/text, and
                  ``round_p50`` (the rounds' medians packed as int64) for the statistics.
``operations``    (suite, operation) in first-seen order.
``version_ops``   per (version, operation) aggregates, rewritten at every save that touches them,
                  so that history and trend read a few rows instead of scanning ``results``.
``verdicts``      cached comparisons, valid while both sides' ``samples_digest`` still match.
``benchtui_meta`` key/value; ``application = benchtui`` marks the file as ours.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from benchtui.tracker.errors import SchemaError

__all__ = ["SCHEMA_VERSION", "MIGRATIONS", "SchemaError", "check_header", "verify", "migrate"]

APPLICATION = "benchtui"
SQLITE_HEADER = b"SQLite format 3\x00"

_V1 = (
    """
    CREATE TABLE benchtui_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE versions (
        id INTEGER PRIMARY KEY,
        suite TEXT NOT NULL,
        label TEXT NOT NULL,
        first_key TEXT NOT NULL,
        UNIQUE (suite, label)
    )
    """,
    "CREATE INDEX versions_by_first_run ON versions (first_key, id)",
    "CREATE INDEX versions_by_label ON versions (label)",
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL UNIQUE,
        version_id INTEGER NOT NULL REFERENCES versions (id),
        suite TEXT NOT NULL,
        label TEXT NOT NULL,
        suite_path TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        started_key TEXT NOT NULL,
        environment TEXT NOT NULL,
        extra TEXT
    )
    """,
    "CREATE INDEX runs_by_version ON runs (version_id, started_key)",
    "CREATE INDEX runs_by_start ON runs (started_key, id)",
    """
    CREATE TABLE results (
        id INTEGER PRIMARY KEY,
        run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        version_id INTEGER NOT NULL,
        operation TEXT NOT NULL,
        position INTEGER NOT NULL,
        status TEXT NOT NULL,
        iterations INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        total_time_s REAL,
        throughput_per_s REAL,
        min_ns INTEGER,
        mean_ns REAL,
        stdev_ns REAL,
        p50_ns INTEGER,
        p90_ns INTEGER,
        p99_ns INTEGER,
        p999_ns INTEGER,
        max_ns INTEGER,
        tracemalloc_peak_bytes INTEGER,
        tracemalloc_current_bytes INTEGER,
        leak_bytes_per_iter REAL,
        leak_detected INTEGER NOT NULL,
        rss_start_bytes INTEGER,
        rss_peak_bytes INTEGER,
        rss_end_bytes INTEGER,
        exit_code INTEGER,
        n_rounds INTEGER NOT NULL,
        round_p50 BLOB NOT NULL,
        histogram TEXT NOT NULL,
        rounds TEXT NOT NULL,
        memory TEXT NOT NULL,
        error TEXT,
        output TEXT NOT NULL,
        settings TEXT NOT NULL,
        extra TEXT,
        UNIQUE (run, position)
    )
    """,
    # Aggregates and verdict samples read one version's results of one operation.
    "CREATE INDEX results_by_version_op ON results (version_id, operation)",
    """
    CREATE TABLE operations (
        id INTEGER PRIMARY KEY,
        suite TEXT NOT NULL,
        operation TEXT NOT NULL,
        UNIQUE (suite, operation)
    )
    """,
    """
    CREATE TABLE version_ops (
        id INTEGER PRIMARY KEY,
        version_id INTEGER NOT NULL REFERENCES versions (id),
        suite TEXT NOT NULL,
        operation TEXT NOT NULL,
        label TEXT NOT NULL,
        order_key TEXT NOT NULL,
        runs INTEGER NOT NULL,
        ok_runs INTEGER NOT NULL,
        rounds INTEGER NOT NULL,
        status TEXT NOT NULL,
        first_run_at TEXT NOT NULL,
        last_run_at TEXT NOT NULL,
        p50_ns REAL,
        p99_ns REAL,
        throughput_per_s REAL,
        leak_bytes_per_iter REAL,
        rss_peak_bytes INTEGER,
        tracemalloc_peak_bytes INTEGER,
        samples_digest TEXT NOT NULL,
        UNIQUE (version_id, operation)
    )
    """,
    # The history/trend index: the newest N versions of one operation are an index range.
    "CREATE INDEX version_ops_trend ON version_ops (suite, operation, order_key, version_id)",
    """
    CREATE TABLE verdicts (
        a_version INTEGER NOT NULL,
        b_version INTEGER NOT NULL,
        operation TEXT NOT NULL,
        threshold REAL NOT NULL,
        algorithm INTEGER NOT NULL,
        a_digest TEXT NOT NULL,
        b_digest TEXT NOT NULL,
        kind TEXT NOT NULL,
        ratio REAL,
        ci_low REAL,
        ci_high REAL,
        p_value REAL,
        n_a INTEGER NOT NULL,
        n_b INTEGER NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (a_version, b_version, operation, threshold, algorithm)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX verdicts_by_b ON verdicts (b_version, operation)",
)

# MIGRATIONS[n]: the statements that take a version n-1 database to version n.
MIGRATIONS: dict[int, tuple[str, ...]] = {1: _V1}
SCHEMA_VERSION = max(MIGRATIONS)


def check_header(path: Path) -> bool:
    """True when ``path`` holds data that should be a SQLite file, False when it is new.

    Raises ``SchemaError`` for a file that is neither empty nor SQLite (reads 16 bytes only).
    """
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise SchemaError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not head:
        return False
    if head != SQLITE_HEADER:
        raise SchemaError(f"{path} is not a SQLite database (not written by benchtui?)")
    return True


def verify(conn: sqlite3.Connection, path: Path) -> int:
    """Return the schema version of an open database after checking, by reading only, that
    benchtui may use it. Raises ``SchemaError`` otherwise (newer schema, foreign database,
    unreadable or corrupt file)."""
    # One read transaction: another process may create the schema between two reads.
    own = not conn.in_transaction
    try:
        if own:
            conn.execute("BEGIN")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        application = None
        if "benchtui_meta" in tables:
            row = conn.execute(
                "SELECT value FROM benchtui_meta WHERE key = 'application'"
            ).fetchone()
            application = row[0] if row else None
    except sqlite3.DatabaseError as exc:
        raise SchemaError(f"{path} is not a usable SQLite database: {exc}") from exc
    finally:
        if own and conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):  # a read: nothing to lose
                conn.execute("ROLLBACK")
    if version > SCHEMA_VERSION:
        raise SchemaError(
            f"{path} was written by a newer benchtui (schema version {version}; this benchtui "
            f"reads up to {SCHEMA_VERSION}): upgrade benchtui, or use another --db"
        )
    if version == 0 and tables:
        shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        raise SchemaError(f"{path} is not a benchtui database (it has other tables: {shown})")
    if version > 0 and application != APPLICATION:
        raise SchemaError(
            f"{path} is not a benchtui database (user_version {version} but no benchtui marker)"
        )
    return version


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the database to ``SCHEMA_VERSION`` in one transaction.

    Re-verifies inside ``BEGIN IMMEDIATE``: another process may have created or migrated the
    file between our first look and taking the write lock.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = verify(conn, path)
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[target]:
                conn.execute(statement)
        if version == 0:
            conn.execute(
                "INSERT INTO benchtui_meta (key, value) VALUES ('application', ?)", (APPLICATION,)
            )
        if version < SCHEMA_VERSION:
            # PRAGMA takes no parameters; the value is our own integer constant.
            conn.execute(f"PRAGMA user_version = {int(SCHEMA_VERSION)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
