"""The tracker: benchtui's history of runs by version label, in a SQLite file.

``Tracker`` is a plain async API (no Textual) used by the CLI commands now and the TUI later::

    async with await Tracker.open(resolve_db_path(None)) as tracker:
        await tracker.save_run(run)
        rows = await tracker.history(op="parse", last=10)

Modules: ``store`` (the Tracker), ``schema`` (DDL, migrations, pre-write checks), ``rows``
(RunResult <-> rows), ``models`` (query results), ``location`` (which file, which label),
``errors``, ``report`` (plain-text tables for the commands), ``synthetic`` (fake runs for
tests and benchmarks).
"""

from benchtui.tracker.errors import (
    DuplicateRunError,
    InvalidRunError,
    SchemaError,
    TrackerError,
    UnknownLabelError,
    UnknownOperationError,
    UnknownSuiteError,
)
from benchtui.tracker.location import default_label, resolve_db_path
from benchtui.tracker.models import Comparison, HistoryRow, VersionStats
from benchtui.tracker.schema import SCHEMA_VERSION
from benchtui.tracker.store import Tracker

__all__ = [
    "Tracker",
    "TrackerError",
    "SchemaError",
    "InvalidRunError",
    "DuplicateRunError",
    "UnknownLabelError",
    "UnknownOperationError",
    "UnknownSuiteError",
    "HistoryRow",
    "Comparison",
    "VersionStats",
    "SCHEMA_VERSION",
    "default_label",
    "resolve_db_path",
]
