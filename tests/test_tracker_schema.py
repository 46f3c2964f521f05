"""Files the tracker must refuse without touching them, and the schema version rules."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from benchtui.tracker import SCHEMA_VERSION, SchemaError, Tracker, TrackerError
from benchtui.tracker.schema import MIGRATIONS
from benchtui.tracker.synthetic import synthetic_run


def fingerprint(path: Path) -> tuple[str, list[str]]:
    """The file's bytes, and which files sit beside it (no -wal/-shm may appear)."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), sorted(
        p.name for p in path.parent.iterdir()
    )


async def refused(path: Path, match: str) -> str:
    before = fingerprint(path)
    with pytest.raises(SchemaError, match=match) as info:
        await Tracker.open(path)
    assert fingerprint(path) == before
    return str(info.value)


async def test_text_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my notes, not a database\n")
    message = await refused(path, "not a SQLite database")
    assert str(path) in message


async def test_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO customers (name) VALUES ('ada')")
    conn.commit()
    conn.close()
    message = await refused(path, "not a benchtui database")
    assert "customers" in message


async def test_foreign_database_with_a_user_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    await refused(path, "no benchtui marker")


async def test_corrupt_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    async with await Tracker.open(path) as t:
        await t.save_run(synthetic_run("v1", started_at=0, histogram=False))
    # Keep the header, scramble the rest (the schema page included).
    data = bytearray(path.read_bytes())
    data[100:] = bytes((i * 131 + 7) % 256 for i in range(len(data) - 100))
    path.write_bytes(bytes(data))
    for side in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        side.unlink(missing_ok=True)
    await refused(path, "not a usable SQLite database")


async def test_truncated_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    path.write_bytes(b"SQLite")
    await refused(path, "not a SQLite database")


async def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    async with await Tracker.open(path) as t:
        await t.save_run(synthetic_run("v1", started_at=0, histogram=False))
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("PRAGMA journal_mode = DELETE")  # fold the WAL in, so bytes tell all
    conn.close()
    message = await refused(path, "newer benchtui")
    assert f"schema version {SCHEMA_VERSION + 1}" in message


async def test_empty_file_becomes_a_database(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    path.touch()
    async with await Tracker.open(path) as t:
        assert await t.labels() == []
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


async def test_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TrackerError, match=str(tmp_path)):
        await Tracker.open(tmp_path)


async def test_migrations_build_the_current_schema_from_nothing(tmp_path: Path) -> None:
    # Each step's statements, applied in order, give the tables the store uses.
    assert sorted(MIGRATIONS) == list(range(1, SCHEMA_VERSION + 1))
    path = tmp_path / "history.sqlite"
    async with await Tracker.open(path):
        pass
    conn = sqlite3.connect(path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"runs", "results", "versions", "version_ops", "verdicts", "operations"} <= tables
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"version_ops_trend", "results_by_version_op"} <= indexes
    conn.close()


def test_core_modules_do_not_import_textual() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import benchtui.tracker, benchtui.stats, benchtui.tracker.exchange\n"
        "import benchtui.commands.history, benchtui.commands.compare\n"
        "import benchtui.commands.export, benchtui.commands.importer\n"
        "heavy = [m for m in ('textual', 'rich', 'scipy', 'numpy') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
