"""Running the real ``benchtui`` CLI in a subprocess, shared by the CLI-level tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def compare_cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``benchtui compare ARGS --db DB``, wide enough that no column is dropped."""
    return subprocess.run(
        [sys.executable, "-m", "benchtui", "compare", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )
