"""Resolve ``module:attribute`` references from a suite to Python callables.

Runs only inside a child process (worker or probe): importing user code can do anything,
so the TUI and CLI processes never do it themselves.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any


class ResolveError(Exception):
    """A reference that cannot be turned into a callable; ``key`` is the suite key."""

    def __init__(self, key: str, message: str, details: str = "") -> None:
        super().__init__(message)
        self.key = key
        self.message = message
        self.details = details


_suite_folder: Path | None = None


def add_suite_folder(folder: Path) -> None:
    """Suite modules are looked up in the suite's folder first, then on ``sys.path``."""
    global _suite_folder
    _suite_folder = folder.resolve()
    text = str(_suite_folder)
    if text in sys.path:
        sys.path.remove(text)
    sys.path.insert(0, text)


def _shadowed(module_name: str) -> str | None:
    """A message when the suite folder holds a module that an already imported module of the
    same name (the standard library's, benchtui's or a dependency's) hides."""
    top = module_name.split(".")[0]
    loaded = sys.modules.get(top)
    if loaded is None or _suite_folder is None:
        return None
    mine = [_suite_folder / f"{top}.py", _suite_folder / top / "__init__.py"]
    if not any(p.is_file() for p in mine):
        return None
    origin = getattr(loaded, "__file__", None) or "built in"
    if origin != "built in" and Path(origin).resolve() in {p.resolve() for p in mine}:
        return None
    return (
        f"'{top}' in the suite's folder has the name of a module Python or benchtui has "
        f"already loaded ({origin}); rename your module"
    )


def resolve(key: str, reference: str) -> Callable[..., Any]:
    module_name, _, attribute_path = reference.partition(":")
    shadow = _shadowed(module_name)
    if shadow:
        raise ResolveError(key, shadow)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise ResolveError(
                key, f"module '{module_name}' not found (looked in the suite's folder and on "
                "sys.path)"
            ) from None
        raise ResolveError(
            key,
            f"importing '{module_name}' failed: {type(exc).__name__}: {exc}",
            traceback.format_exc(),
        ) from None
    except BaseException as exc:  # noqa: BLE001 - user code may raise anything at import
        raise ResolveError(
            key,
            f"importing '{module_name}' failed: {type(exc).__name__}: {exc}",
            traceback.format_exc(),
        ) from None
    obj: Any = module
    for part in attribute_path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ResolveError(
                key, f"module '{module_name}' has no attribute '{attribute_path}'"
            ) from None
    if not callable(obj):
        raise ResolveError(
            key, f"'{reference}' is not callable (it is {_article(type(obj).__name__)})"
        )
    return obj


def is_coroutine_function(fn: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(fn)


def _article(noun: str) -> str:
    """'an int', 'a str': messages read as sentences."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"
