"""The user's TUI settings: ``$XDG_CONFIG_HOME/benchtui/config.toml``.

Keys (all optional)::

    theme = "benchtui-light"          # default theme name
    database = "~/bench/history.sqlite"  # tracker file (``--db`` wins over it)
    [keymap]                          # binding id -> keys, e.g. "benchtui.run" = "f5"
    "benchtui.run" = "f5"

Reading never fails: a missing file gives the defaults, a broken one gives the defaults plus
problems for the app to show once. It does not apply anything (the app does).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_KNOWN_KEYS = frozenset({"theme", "database", "keymap"})


@dataclass(frozen=True)
class Config:
    theme: str | None = None
    database: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    path: Path | None = None


def config_dir() -> Path:
    """``$XDG_CONFIG_HOME/benchtui`` (``~/.config/benchtui`` when the variable is unset)."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "benchtui"


def load_config(path: Path | None = None) -> tuple[Config, list[str]]:
    """The config at ``path`` (default: the XDG one) and the problems found in it."""
    path = path or config_dir() / "config.toml"
    if not path.is_file():
        return Config(), []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return Config(path=path), [f"{path}: cannot read the config ({exc}); using defaults"]
    problems: list[str] = []
    for key in sorted(set(data) - _KNOWN_KEYS):
        problems.append(f"{path}: unknown key '{key}' (known: database, keymap, theme)")
    theme = _string(data, "theme", path, problems)
    database = _string(data, "database", path, problems)
    if database:
        database = str(Path(database).expanduser())
    keymap: dict[str, str] = {}
    raw_keymap = data.get("keymap", {})
    if not isinstance(raw_keymap, dict):
        problems.append(f'{path}: [keymap] must be a table of binding id = "keys"')
    else:
        for binding_id, keys in raw_keymap.items():
            if isinstance(keys, str) and keys.strip():
                keymap[binding_id] = keys.strip()
            else:
                problems.append(f"{path}: keymap '{binding_id}' must be a non-empty string")
    return Config(theme=theme, database=database, keymap=keymap, path=path), problems


def _string(data: dict, key: str, path: Path, problems: list[str]) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{path}: '{key}' must be a non-empty string")
        return None
    return value.strip()
