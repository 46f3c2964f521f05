"""Save finished runs to the tracker, and the default version label — without failing the UI.

The tracker is optional from the TUI's point of view: if it cannot be imported or opened, the
run is still shown and the person is told it was not saved. Returns notices (message,
severity) for the app to show; never raises for a tracker problem.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from benchtui.runner.results import RunResult

UNVERSIONED = "unversioned"


def resolve_db(cli_value: str | None) -> Path | None:
    """The database path the tracker would use, or ``None`` when the tracker is unavailable."""
    try:
        from benchtui.tracker.location import resolve_db_path
    except ImportError:
        return Path(cli_value) if cli_value else None
    return resolve_db_path(cli_value)


def default_label(folder: Path) -> str:
    """The tracker's default label for code in ``folder`` (git describe), or 'unversioned'."""
    try:
        from benchtui.tracker.location import default_label as tracker_label
    except ImportError:
        return UNVERSIONED
    try:
        return tracker_label(folder) or UNVERSIONED
    except Exception:  # a label is a convenience; never let it break the screen
        return UNVERSIONED


async def default_label_async(folder: Path) -> str:
    return await asyncio.to_thread(default_label, folder)


async def save_runs(results: list[RunResult], db_value: str | None) -> list[tuple[str, str]]:
    """Save each run in its own transaction; say what happened."""
    try:
        from benchtui.tracker import Tracker, TrackerError
    except ImportError as exc:
        return [(f"Tracker unavailable ({exc}); results were not saved.", "warning")]
    path = resolve_db(db_value)
    if path is None:
        return [("Tracker unavailable; results were not saved.", "warning")]
    notices: list[tuple[str, str]] = []
    try:
        tracker = await Tracker.open(path)
    except (TrackerError, OSError) as exc:
        return [(f"Results not saved: {exc}", "error")]
    try:
        for whole in results:
            result = whole.without_cancelled()
            if result is None:  # cancelled before anything finished: nothing to keep
                continue
            try:
                await tracker.save_run(result)
            except (TrackerError, OSError) as exc:
                notices.append((f"Run of {result.suite} not saved: {exc}", "error"))
            else:
                notices.append(
                    (f"Saved {result.suite} as '{result.label}' to {path}", "information")
                )
    finally:
        await tracker.close()
    return notices
