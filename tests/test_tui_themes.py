"""Themes: the bundled TOML files, user themes, broken files, unknown names, switching."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest_tui import THEMES_DIR, write_suites

from benchtui.tui.app import BenchApp
from benchtui.tui.themes import DEFAULT_THEME, ThemeFileError, load_theme_file, load_themes

TUI_SOURCE = Path(__file__).resolve().parent.parent / "benchtui" / "tui"


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def test_bundled_themes_load() -> None:
    themes, problems = load_themes([THEMES_DIR])
    assert problems == []
    names = {t.name for t in themes}
    assert {DEFAULT_THEME, "benchtui-light", "benchtui-high-contrast"} <= names
    assert len(names) >= 4
    assert any(not t.dark for t in themes)  # a light one


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('name = "x"\nprimary = "not-a-colour"\n', "not a colour"),
        ('name = "x"\n', "primary"),
        ('primary = "#112233"\n', "name"),
        ('name = "x"\nprimary = "#112233"\nshiny = true\n', "unknown key"),
        ("name = [", "cannot read"),
    ],
)
def test_broken_theme_files_say_why(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "t.toml"
    path.write_text(text)
    with pytest.raises(ThemeFileError, match=fragment):
        load_theme_file(path)


def _app(tmp_path: Path, **kwargs) -> BenchApp:  # noqa: ANN003
    suites = write_suites(tmp_path / "suites")
    return BenchApp([suites / "tiny.toml"], label_for=lambda _f: "v", **kwargs)


async def test_user_themes_load_and_broken_ones_are_reported_once(tmp_path: Path) -> None:
    user_dir = tmp_path / "config" / "benchtui" / "themes"
    user_dir.mkdir(parents=True)
    (user_dir / "mine.toml").write_text('name = "mine"\nprimary = "#336699"\ndark = false\n')
    (user_dir / "bad.toml").write_text('name = "bad"\nprimary = "nope"\n')
    app = _app(tmp_path, theme_name="mine")
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "mine"
        assert "bad" not in app.available_themes
        reports = [n for n in app._notifications if "bad.toml" in n.message]
        assert len(reports) == 1
        assert DEFAULT_THEME in app.available_themes  # bundled ones are there too


async def test_unknown_theme_falls_back_with_a_notice(tmp_path: Path) -> None:
    app = _app(tmp_path, theme_name="no-such-theme", theme_dirs=[THEMES_DIR])
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == DEFAULT_THEME
        assert any("no-such-theme" in n.message for n in app._notifications)


async def test_switching_theme_from_the_command_palette(tmp_path: Path) -> None:
    app = _app(tmp_path, theme_dirs=[THEMES_DIR])
    async with app.run_test() as pilot:
        await pilot.pause()
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert {"Run selected", "Help", "Toggle selection"} <= set(commands)
        commands["Theme: benchtui-light"].callback()
        await pilot.pause()
        assert app.theme == "benchtui-light"
        # Colours follow the theme: the tree's checked mark takes the theme's success colour.
        assert app.theme_variables["success"].lower() == "#1e8e3e"


def test_widgets_take_colour_only_from_theme_variables() -> None:
    hex_colour = re.compile(r"#[0-9a-fA-F]{3,8}\b")
    named = re.compile(r"\b(?:color|background):\s*(?:red|green|blue|white|black|yellow)\b")
    for path in TUI_SOURCE.rglob("*.py"):
        if path.name in ("themes.py", "config.py"):  # the theme loader documents the format
            continue
        text = path.read_text()
        assert not hex_colour.search(text), f"hard-coded colour in {path}"
        assert not named.search(text), f"named colour in {path}"
