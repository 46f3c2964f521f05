"""Themes from TOML files: the bundled ones in ``themes/`` and the user's own.

One file holds one Textual ``Theme``::

    name = "benchtui-dark"
    dark = true
    primary = "#4C9BE8"      # required; the other colours are optional
    secondary = "#..."       # accent, foreground, background, surface, panel, boost,
    success = "#..."         # success, warning, error
    [variables]              # optional Textual design variables, e.g. "footer-key-foreground"
    "block-cursor-background" = "#..."

User themes live in ``$XDG_CONFIG_HOME/benchtui/themes/*.toml`` and may override a bundled
theme by name. Loading returns the themes and one problem per broken file; it never raises and
never touches an app (``benchtui.tui.app`` registers them and reports the problems once).
"""

from __future__ import annotations

import sys
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.theme import Theme

from benchtui.bundled import themes_dir
from benchtui.tui.config import config_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_THEME = "benchtui-dark"
FALLBACK_THEME = "textual-dark"  # Textual's own; used when no bundled theme could be found
_COLOURS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "success",
    "warning",
    "error",
)
_KEYS = frozenset(_COLOURS) | {"name", "dark", "variables", "luminosity_spread", "text_alpha"}


class ThemeFileError(ValueError):
    """A theme file that cannot be used; ``str()`` names the file and the key."""


def bundled_themes_dir() -> Path | None:
    """The themes shipped with benchtui (see ``benchtui.bundled``)."""
    return themes_dir()


def user_themes_dir() -> Path:
    return config_dir() / "themes"


def load_theme_file(path: Path) -> Theme:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ThemeFileError(f"{path}: cannot read the theme ({exc})") from None
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ThemeFileError(f"{path}: unknown key '{unknown[0]}'")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeFileError(f"{path}: needs a non-empty string 'name'")
    if "primary" not in data:
        raise ThemeFileError(f"{path}: needs a 'primary' colour")
    colours: dict[str, str] = {}
    for key in _COLOURS:
        if key in data:
            colours[key] = _colour(data[key], path, key)
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeFileError(f"{path}: 'dark' must be true or false")
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in variables.items()
    ):
        raise ThemeFileError(f"{path}: [variables] must map names to strings")
    extra: dict[str, float] = {}
    for key in ("luminosity_spread", "text_alpha"):
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ThemeFileError(f"{path}: '{key}' must be a number")
            extra[key] = float(value)
    try:
        theme = Theme(name=name.strip(), dark=dark, variables=dict(variables), **colours, **extra)
        theme.to_color_system()  # fail here, not when the app switches to it
    except Exception as exc:  # Textual raises several types for bad colours
        raise ThemeFileError(f"{path}: {exc}") from None
    return theme


def load_themes(folders: list[Path]) -> tuple[list[Theme], list[str]]:
    """Every ``*.toml`` theme in ``folders`` (later folders override earlier names)."""
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                theme = load_theme_file(path)
            except ThemeFileError as exc:
                problems.append(str(exc))
                continue
            themes[theme.name] = theme
    return list(themes.values()), problems


def theme_folders() -> list[Path]:
    bundled = bundled_themes_dir()
    return [p for p in (bundled, user_themes_dir()) if p is not None]


def _colour(value: object, path: Path, key: str) -> str:
    if not isinstance(value, str):
        raise ThemeFileError(f"{path}: '{key}' must be a colour string like \"#336699\"")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeFileError(f"{path}: '{key}' is not a colour: {value!r}") from None
    return value
