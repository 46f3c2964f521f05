"""The package ships what it needs: every subpackage, the sample suites and the themes."""

from __future__ import annotations

import sys
from pathlib import Path

from benchtui.bundled import sample_suites_dir, themes_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def _setuptools_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_subpackage_is_listed_for_the_wheel() -> None:
    listed = set(_setuptools_config()["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "benchtui").rglob("__init__.py")
    }
    assert on_disk <= listed, f"add to pyproject [tool.setuptools] packages: {on_disk - listed}"


def test_bundled_folders_are_mapped_into_the_package() -> None:
    config = _setuptools_config()
    assert config["package-dir"] == {
        "benchtui._sample_suites": "sample_suites",
        "benchtui._themes": "themes",
    }
    data = config["package-data"]
    assert "*.toml" in data["benchtui._sample_suites"] and "*.py" in data["benchtui._sample_suites"]
    assert data["benchtui._themes"] == ["*.toml"]


def test_bundled_suites_and_themes_are_found() -> None:
    suites = sample_suites_dir()
    themes = themes_dir()
    assert suites is not None and (suites / "agent.toml").is_file()
    assert (suites / "agent_ops.py").is_file()
    assert themes is not None and len(list(themes.glob("*.toml"))) >= 4
