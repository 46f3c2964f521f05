"""Which suites the TUI opens: the paths given, or the bundled sample suites.

Loading goes through ``benchtui.suite.discover_suites``; bad files come back as errors for the
tree to show, so one broken suite never hides the others and nothing reaches the terminal.
"""

from __future__ import annotations

from pathlib import Path

from benchtui.bundled import sample_suites_dir
from benchtui.suite import Suite, SuiteError, discover_suites


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
