"""Where the history database lives, and the default version label (git describe)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from benchtui.tracker.location import UNVERSIONED, default_label, resolve_db_path


def test_db_path_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BENCHTUI_DB", raising=False)
    assert resolve_db_path(None) == tmp_path / ".benchtui" / "history.sqlite"
    monkeypatch.setenv("BENCHTUI_DB", "from-env.sqlite")
    assert resolve_db_path(None) == tmp_path / "from-env.sqlite"
    assert resolve_db_path("flag.sqlite") == tmp_path / "flag.sqlite"
    assert resolve_db_path("/abs/x.sqlite") == Path("/abs/x.sqlite")
    monkeypatch.setenv("BENCHTUI_DB", "")
    assert resolve_db_path(None) == tmp_path / ".benchtui" / "history.sqlite"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert resolve_db_path("~/h.sqlite") == tmp_path / "home" / "h.sqlite"


def test_label_outside_git_is_unversioned(tmp_path: Path) -> None:
    assert default_label(tmp_path) == UNVERSIONED
    assert default_label(tmp_path / "does" / "not" / "exist") == UNVERSIONED


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_label_is_git_describe(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    assert default_label(tmp_path) == UNVERSIONED  # no commit yet
    (tmp_path / "suite.toml").write_text("x = 1\n")
    git("add", ".")
    git("commit", "-q", "-m", "first")
    git("tag", "-a", "v1.4.0", "-m", "release")  # describe reads annotated tags
    assert default_label(tmp_path) == "v1.4.0"
    (tmp_path / "suite.toml").write_text("x = 2\n")
    assert default_label(tmp_path) == "v1.4.0-dirty"
    sub = tmp_path / "suites"
    sub.mkdir()
    assert default_label(sub) == "v1.4.0-dirty"


def test_label_when_git_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no git on PATH
    assert default_label(tmp_path) == UNVERSIONED
