"""Where the files shipped with benchtui live: the sample suites and the bundled themes.

In the repository they are the top-level ``sample_suites/`` and ``themes/`` folders.
``pyproject.toml`` maps them into the package as ``benchtui._sample_suites`` and
``benchtui._themes`` so that a wheel (``pip install .``, ``pipx install``) carries them too;
an editable install maps the same names back to the checkout's folders. Asking the import
system where those packages are therefore finds the files in every kind of install, without
importing anything from them (``find_spec`` of a subpackage imports only its parent).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_SUITES_PACKAGE = "benchtui._sample_suites"
_THEMES_PACKAGE = "benchtui._themes"


def _package_dir(package: str, marker: str, checkout_name: str) -> Path | None:
    candidates: list[Path] = []
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        candidates.extend(Path(location) for location in spec.submodule_search_locations)
    # A source tree on sys.path without any install (PYTHONPATH=checkout): the folder beside
    # the package.
    candidates.append(Path(__file__).resolve().parent.parent / checkout_name)
    for candidate in candidates:
        if (candidate / marker).is_file():
            return candidate
    return None


def sample_suites_dir() -> Path | None:
    """The bundled sample suites (``agent.toml`` and its operations), or None if missing."""
    return _package_dir(_SUITES_PACKAGE, "agent.toml", "sample_suites")


def themes_dir() -> Path | None:
    """The bundled themes folder, or None if missing."""
    return _package_dir(_THEMES_PACKAGE, "benchtui-dark.toml", "themes")
