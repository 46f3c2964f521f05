"""The measuring core never imports Textual; the headless command neither."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = [
    "benchtui.suite",
    "benchtui.measure",
    "benchtui.measure.engine",
    "benchtui.runner",
    "benchtui.runner.supervisor",
    "benchtui.runner.live",
    "benchtui.tracker",
    "benchtui.stats",
    "benchtui.commands",
    "benchtui.commands.run",
    "benchtui.commands.progress",
    "benchtui.cli",
    "benchtui.format",
]


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_textual(module: str) -> None:
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{module} pulled in {result.stdout.strip()}"


def test_headless_run_parser_imports_no_textual() -> None:
    code = (
        "import sys\n"
        "from benchtui.cli import build_parser, _available\n"
        "build_parser(_available('run'))\n"
        "print(any(m.startswith('textual') for m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
