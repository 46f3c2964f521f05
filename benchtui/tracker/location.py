"""Which history file a command uses, and which version label a run gets by default.

The database is ``--db PATH`` if given, else ``$BENCHTUI_DB``, else
``.benchtui/history.sqlite`` under the current directory. The default label is
``git describe --always --dirty`` of the suite's folder, or ``unversioned`` outside git.
This module only computes names; it does not create folders or open databases.
"""

from __future__ import annotations

import argparse
import os
import subprocess
from pathlib import Path

__all__ = [
    "DEFAULT_DB",
    "ENV_VAR",
    "UNVERSIONED",
    "add_db_argument",
    "default_label",
    "resolve_db_path",
]

DEFAULT_DB = Path(".benchtui") / "history.sqlite"
ENV_VAR = "BENCHTUI_DB"
UNVERSIONED = "unversioned"
_GIT_TIMEOUT = 5.0


def resolve_db_path(cli_value: str | None) -> Path:
    """The database path: the ``--db`` value, else ``$BENCHTUI_DB``, else the default under
    the current directory. ``~`` is expanded; relative paths are relative to the cwd."""
    value = cli_value or os.environ.get(ENV_VAR) or ""
    path = Path(value).expanduser() if value.strip() else DEFAULT_DB
    return path if path.is_absolute() else Path.cwd() / path


def default_label(folder: Path) -> str:
    """``git describe --always --dirty`` run in ``folder``, or ``unversioned`` when that
    fails for any reason (no git, not a repository, no commit, timeout). Never raises."""
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError, ValueError):
        return UNVERSIONED
    label = done.stdout.strip()
    return label if done.returncode == 0 and label else UNVERSIONED


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    """Add the ``--db PATH`` option every tracker command takes."""
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=None,
        help=f"history database (default: ${ENV_VAR}, else {DEFAULT_DB} under the current folder)",
    )
