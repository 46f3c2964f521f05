"""The export file: runs as JSON, written by ``benchtui export`` and read by ``import``.

An export is ``{"schema": "benchtui.export/1", "runs": [<run>, ...]}`` where each run is
exactly ``RunResult.to_dict()`` (the ``run --json`` schema, histograms included). ``read_runs``
also accepts a single run object as ``run --json`` writes it. Reading checks every run fully
and raises ``InvalidRunError`` naming the file (and the run) on the first problem; it never
touches a database.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchtui.runner.results import SCHEMA as RUN_SCHEMA
from benchtui.runner.results import RunResult
from benchtui.tracker.errors import InvalidRunError
from benchtui.tracker.rows import parse_run

__all__ = ["EXPORT_SCHEMA", "export_document", "write_export", "read_runs"]

EXPORT_SCHEMA = "benchtui.export/1"


def export_document(runs: Iterable[RunResult]) -> dict[str, Any]:
    return {"schema": EXPORT_SCHEMA, "runs": [run.to_dict() for run in runs]}


def write_export(runs: Iterable[RunResult], destination: Path) -> None:
    """Write an export file atomically: a half-written file never replaces a good one."""
    text = json.dumps(export_document(runs), indent=1)
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{destination.name}.", dir=destination.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        os.replace(tmp, destination)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_runs(path: Path) -> list[RunResult]:
    """The runs of an export file (or of a single-run file), each checked."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidRunError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidRunError(f"{path}: cannot read: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidRunError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    schema = data.get("schema") if isinstance(data, dict) else None
    if schema == RUN_SCHEMA:
        return [parse_run(data, str(path))]
    if schema != EXPORT_SCHEMA:
        raise InvalidRunError(
            f"{path}: not a benchtui export or run (schema {schema!r}; expected "
            f"{EXPORT_SCHEMA!r} or {RUN_SCHEMA!r})"
        )
    runs = data.get("runs")
    if not isinstance(runs, list):
        raise InvalidRunError(f"{path}: 'runs' must be a list")
    return [parse_run(run, f"{path}: run {i + 1}") for i, run in enumerate(runs)]
