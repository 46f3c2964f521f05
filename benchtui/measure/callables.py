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


def add_suite_folder(folder: Path) -> None:
    """Suite modules are looked up in the suite's folder first, then on ``sys.path``."""
    text = str(folder.resolve())
    if text in sys.path:
        sys.path.remove(text)
    sys.path.insert(0, text)


def resolve(key: str, reference: str) -> Callable[..., Any]:
    module_name, _, attribute_path = reference.partition(":")
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
            key, f"'{reference}' is not callable (it is a {type(obj).__name__})"
        )
    return obj


def is_coroutine_function(fn: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(fn)
