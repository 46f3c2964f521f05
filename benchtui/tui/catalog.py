"""Which suites the TUI opens: the paths given, or the bundled sample suites.

Loading goes through ``benchtui.suite.discover_suites``; bad files come back as errors for the
tree to show, so one broken suite never hides the others and nothing reaches the terminal.
"""

from __future__ import annotations

from pathlib import Path

import benchtui
from benchtui.suite import Suite, SuiteError, discover_suites


def sample_suites_dir() -> Path | None:
    """``sample_suites/`` beside the package (source checkout), else ``./sample_suites``."""
    for candidate in (
        Path(benchtui.__file__).resolve().parent.parent / "sample_suites",
        Path.cwd() / "sample_suites",
    ):
        if candidate.is_dir():
            return candidate
    return None


def load_catalog(paths: list[Path]) -> tuple[list[Suite], list[SuiteError]]:
    if not paths:
        samples = sample_suites_dir()
        if samples is None:
            return [], [SuiteError("the bundled sample suites were not found; pass a suite path")]
        paths = [samples]
    try:
        return discover_suites(paths)
    except OSError as exc:  # e.g. a folder we may not list
        return [], [SuiteError(f"cannot read the suites: {exc}")]
