"""Load and validate benchmark suites from TOML files.

A suite file names operations (Python callables) and how to measure them. This module turns
the file into frozen ``Suite`` / ``Operation`` objects, or raises ``SuiteError`` with a message
that names the file, the operation, the key and (where it can be found) the TOML line.

It does not import the code under test: resolving ``module:attribute`` happens in a child
process (``benchtui.runner.probe``) so that a broken or slow user module never runs inside the
TUI or the CLI process.
"""

from __future__ import annotations

import difflib
import math
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

__all__ = [
    "Operation",
    "Suite",
    "SuiteError",
    "load_suite",
    "parse_suite",
    "discover_suites",
    "OPERATION_KEYS",
]

# Defaults chosen so that an operation with no settings gives a stable figure in ~1 s.
DEFAULT_WARMUP = 100
DEFAULT_DURATION = 1.0
DEFAULT_TIMEOUT = 60.0
DEFAULT_MEMORY_ITERATIONS = 1000
DEFAULT_ROUNDS = 20

_TARGET_RE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


class SuiteError(ValueError):
    """A suite file that cannot be used; ``str()`` is the message to show a person."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        operation: str | None = None,
        key: str | None = None,
        line: int | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.operation = operation
        self.key = key
        self.line = line
        self.detail = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.path:
            where.append(self.path + (f":{self.line}" if self.line else ""))
        if self.operation:
            where.append(f"operation '{self.operation}'")
        if self.key:
            where.append(f"key '{self.key}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.detail}" if prefix else self.detail


@dataclass(frozen=True)
class Operation:
    """One measured callable and how to measure it."""

    name: str
    target: str
    params: Mapping[str, Any] = field(default_factory=dict)
    setup: str | None = None
    teardown: str | None = None
    description: str = ""
    warmup: int = DEFAULT_WARMUP
    warmup_time: float | None = None
    iterations: int | None = None
    duration: float | None = DEFAULT_DURATION
    timeout: float = DEFAULT_TIMEOUT
    memory: bool = True
    memory_iterations: int = DEFAULT_MEMORY_ITERATIONS
    concurrency: int = 1
    rounds: int = DEFAULT_ROUNDS

    def with_overrides(self, **changes: Any) -> Operation:
        """A copy with some settings changed (used by CLI flags and the TUI's editor).

        Setting ``iterations`` clears ``duration`` and vice versa, since they are exclusive.
        """
        changes = {k: v for k, v in changes.items() if v is not None}
        if "iterations" in changes:
            changes.setdefault("duration", None)
        elif "duration" in changes:
            changes.setdefault("iterations", None)
        updated = replace(self, **changes)
        _check_settings(updated, path=None)
        return updated

    def settings(self) -> dict[str, Any]:
        """The measuring settings as plain data (stored with every result)."""
        return {
            "target": self.target,
            "params": dict(self.params),
            "setup": self.setup,
            "teardown": self.teardown,
            "warmup": self.warmup,
            "warmup_time": self.warmup_time,
            "iterations": self.iterations,
            "duration": self.duration,
            "timeout": self.timeout,
            "memory": self.memory,
            "memory_iterations": self.memory_iterations,
            "concurrency": self.concurrency,
            "rounds": self.rounds,
        }


@dataclass(frozen=True)
class Suite:
    """A suite file: its name, where it lives and its operations in file order."""

    name: str
    path: Path
    operations: tuple[Operation, ...]
    description: str = ""

    @property
    def folder(self) -> Path:
        return self.path.parent

    def operation(self, name: str) -> Operation:
        for op in self.operations:
            if op.name == name:
                return op
        known = ", ".join(op.name for op in self.operations) or "(none)"
        raise SuiteError(
            f"no operation named '{name}' (known: {known})", path=self.path, operation=name
        )

    def select(self, names: list[str] | tuple[str, ...] | None) -> tuple[Operation, ...]:
        """The named operations in the order given, or all of them when ``names`` is empty."""
        if not names:
            return self.operations
        return tuple(self.operation(n) for n in names)


# key -> (accepted python types, description used in messages)
_KEY_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "name": ((str,), "a string"),
    "target": ((str,), "a string 'module:attribute'"),
    "params": ((dict,), "a table of keyword arguments"),
    "setup": ((str,), "a string 'module:attribute'"),
    "teardown": ((str,), "a string 'module:attribute'"),
    "description": ((str,), "a string"),
    "warmup": ((int,), "a whole number >= 0"),
    "warmup_time": ((int, float), "a number of seconds >= 0"),
    "iterations": ((int,), "a whole number >= 1"),
    "duration": ((int, float), "a number of seconds > 0"),
    "timeout": ((int, float), "a number of seconds > 0"),
    "memory": ((bool,), "true or false"),
    "memory_iterations": ((int,), "a whole number >= 2"),
    "concurrency": ((int,), "a whole number >= 1"),
    "rounds": ((int,), "a whole number >= 1"),
}
OPERATION_KEYS = frozenset(_KEY_TYPES)
_DEFAULTABLE_KEYS = OPERATION_KEYS - {"name", "target", "description"}
# Pairs of keys that say the same thing two ways: a table may set one of each pair.
_EXCLUSIVE = (("iterations", "duration"), ("warmup", "warmup_time"))
_SUITE_KEYS = frozenset({"name", "description"})
_TOP_KEYS = frozenset({"suite", "defaults", "operations"})


def load_suite(path: Path | str) -> Suite:
    """Read and validate one suite file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SuiteError("file not found", path=path) from None
    except IsADirectoryError:
        raise SuiteError("is a folder, not a suite file", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError(f"cannot read the file: {exc}", path=path) from None
    return parse_suite(text, path)


def discover_suites(paths: list[Path]) -> tuple[list[Suite], list[SuiteError]]:
    """Load every suite in files or folders (``*.toml``); bad ones are returned as errors.

    One broken suite never hides the good ones beside it.
    """
    suites: list[Suite] = []
    errors: list[SuiteError] = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            files = sorted(p.glob("*.toml"))
            if not files:
                errors.append(SuiteError("folder holds no *.toml suite files", path=p))
        elif p.exists():
            files = [p]
        else:
            errors.append(SuiteError("no such file or folder", path=p))
            continue
        for f in files:
            try:
                suites.append(load_suite(f))
            except SuiteError as exc:
                errors.append(exc)
    return suites, errors


def parse_suite(text: str, path: Path | str = "<suite>") -> Suite:
    """Validate the text of a suite file; ``path`` is used for messages and module lookup."""
    path = Path(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _line_from_decode_error(exc)
        raise SuiteError(f"malformed TOML: {exc}", path=path, line=line) from None
    locator = _LineLocator(text)

    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise SuiteError(
            "unknown top-level key (expected [suite], [defaults], [[operations]])",
            path=path,
            key=unknown[0],
            line=locator.table_line(unknown[0]),
        )

    suite_table = data.get("suite")
    if not isinstance(suite_table, dict):
        raise SuiteError("missing [suite] table with a 'name'", path=path, key="suite")
    for key in suite_table:
        if key not in _SUITE_KEYS:
            raise SuiteError(
                f"unknown key in [suite]{_did_you_mean(key, _SUITE_KEYS)} "
                "(known: name, description)",
                path=path,
                key=key,
                line=locator.key_line(key),
            )
    name = suite_table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SuiteError("[suite] needs a non-empty string 'name'", path=path, key="name")
    description = suite_table.get("description", "")
    if not isinstance(description, str):
        raise SuiteError("must be a string", path=path, key="description")

    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise SuiteError("[defaults] must be a table", path=path, key="defaults")
    for key, value in defaults.items():
        if key not in _DEFAULTABLE_KEYS:
            known = ", ".join(sorted(_DEFAULTABLE_KEYS))
            hint = _did_you_mean(key, _DEFAULTABLE_KEYS)
            raise SuiteError(
                f"unknown key in [defaults]{hint} (known: {known})",
                path=path,
                key=key,
                line=locator.key_line(key),
            )
        _check_type(key, value, path=path, operation=None, line=locator.key_line(key))
    for first, second in _EXCLUSIVE:
        if first in defaults and second in defaults:
            raise SuiteError(
                f"set '{first}' or '{second}', not both",
                path=path,
                key=second,
                line=locator.key_line(second),
            )

    raw_ops = data.get("operations")
    if raw_ops is None:
        raise SuiteError("no [[operations]] defined", path=path, key="operations")
    if not isinstance(raw_ops, list) or not all(isinstance(o, dict) for o in raw_ops):
        raise SuiteError("must be an array of tables [[operations]]", path=path, key="operations")
    if not raw_ops:
        raise SuiteError("no [[operations]] defined", path=path, key="operations")

    operations: list[Operation] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_ops):
        op = _parse_operation(raw, index, defaults, path, locator)
        if op.name in seen:
            raise SuiteError(
                "duplicate operation name (names must be unique in a suite)",
                path=path,
                operation=op.name,
                key="name",
                line=locator.operation_line(index),
            )
        seen.add(op.name)
        operations.append(op)
    return Suite(name=name, path=path, operations=tuple(operations), description=description)


def _parse_operation(
    raw: dict[str, Any],
    index: int,
    defaults: dict[str, Any],
    path: Path,
    locator: _LineLocator,
) -> Operation:
    op_name = raw.get("name")
    label = op_name if isinstance(op_name, str) and op_name else f"#{index + 1}"
    for key, value in raw.items():
        line = locator.operation_key_line(index, key)
        if key not in OPERATION_KEYS:
            known = ", ".join(sorted(OPERATION_KEYS))
            raise SuiteError(
                f"unknown key{_did_you_mean(key, OPERATION_KEYS)} (known: {known})",
                path=path,
                operation=label,
                key=key,
                line=line,
            )
        _check_type(key, value, path=path, operation=label, line=line)
    if not isinstance(op_name, str) or not op_name.strip():
        raise SuiteError(
            "every operation needs a non-empty 'name'",
            path=path,
            operation=label,
            key="name",
            line=locator.operation_line(index),
        )
    if "target" not in raw:
        raise SuiteError(
            "missing 'target' (a 'module:attribute' string)",
            path=path,
            operation=label,
            key="target",
            line=locator.operation_line(index),
        )
    for first, second in _EXCLUSIVE:
        if first in raw and second in raw:
            raise SuiteError(
                f"set '{first}' or '{second}', not both",
                path=path,
                operation=label,
                key=second,
                line=locator.operation_key_line(index, second),
            )

    merged: dict[str, Any] = dict(defaults)
    # An operation's own choice replaces the other one of the pair inherited from [defaults].
    for first, second in _EXCLUSIVE:
        if first in raw:
            merged.pop(second, None)
        if second in raw:
            merged.pop(first, None)
    merged.update(raw)
    if "iterations" in merged:
        merged.setdefault("duration", None)
    for key in ("warmup_time", "duration", "timeout"):
        if merged.get(key) is not None:
            merged[key] = float(merged[key])
    op = Operation(**merged)
    _check_settings(op, path=path, locator=locator, index=index)
    return op


def _did_you_mean(key: str, known: Iterable[str]) -> str:
    """': did you mean 'warmup'?' for a near miss like 'warmpu', else ''."""
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.75)
    return f": did you mean '{close[0]}'?" if close else ""


def _check_type(
    key: str, value: Any, *, path: Path | None, operation: str | None, line: int | None
) -> None:
    types, desc = _KEY_TYPES[key]
    # bool is an int subclass in Python; TOML's true must not pass as 1 iteration.
    ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
    if ok and isinstance(value, float) and not math.isfinite(value):
        ok = False
    if not ok:
        raise SuiteError(
            f"expected {desc}, got {_show(value)}",
            path=path,
            operation=operation,
            key=key,
            line=line,
        )


def _check_settings(
    op: Operation,
    *,
    path: Path | None,
    locator: _LineLocator | None = None,
    index: int = 0,
) -> None:
    def fail(key: str, message: str) -> None:
        line = locator.operation_key_line(index, key) if locator else None
        raise SuiteError(message, path=path, operation=op.name, key=key, line=line)

    for key in ("target", "setup", "teardown"):
        ref = getattr(op, key)
        if ref is not None and not _TARGET_RE.match(ref):
            fail(key, f"expected 'module:attribute' (e.g. 'agent_ops:render'), got {ref!r}")
    if op.iterations is not None and op.duration is not None:
        fail("duration", "set 'iterations' or 'duration', not both")
    if op.iterations is None and op.duration is None:
        fail("iterations", "set 'iterations' or 'duration'")

    checks: list[tuple[str, bool, str]] = [
        ("warmup", op.warmup >= 0, "must be >= 0"),
        ("warmup_time", op.warmup_time is None or op.warmup_time >= 0, "must be >= 0"),
        ("iterations", op.iterations is None or op.iterations >= 1, "must be >= 1"),
        ("duration", op.duration is None or op.duration > 0, "must be > 0"),
        ("timeout", op.timeout > 0, "must be > 0"),
        ("memory_iterations", op.memory_iterations >= 2, "must be >= 2"),
        ("concurrency", 1 <= op.concurrency <= 100_000, "must be between 1 and 100000"),
        ("rounds", 1 <= op.rounds <= 10_000, "must be between 1 and 10000"),
    ]
    for key, ok, message in checks:
        if not ok:
            fail(key, f"{message}, got {_show(getattr(op, key))}")


def _show(value: Any) -> str:
    kind = type(value).__name__
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({kind})"


def _line_from_decode_error(exc: Exception) -> int | None:
    lineno = getattr(exc, "lineno", None)
    if isinstance(lineno, int):
        return lineno
    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else None


class _LineLocator:
    """Best-effort TOML line numbers for keys (tomllib does not report them).

    Scans the text for table headers and ``key =`` lines; good enough to point a person at
    the right place in hand-written suites, and never wrong in a way that hides the message.
    """

    _HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-\"']+)\s*\]\]?")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"']+)\s*=")

    def __init__(self, text: str) -> None:
        self._sections: list[tuple[str, int, dict[str, int]]] = []
        current: dict[str, int] = {}
        self._sections.append(("", 1, current))
        for lineno, line in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(line)
            if header:
                current = {}
                self._sections.append((header.group(1).strip("\"'"), lineno, current))
                continue
            key = self._KEY.match(line)
            if key:
                current.setdefault(key.group(1).strip("\"'"), lineno)

    def table_line(self, name: str) -> int | None:
        for section, lineno, keys in self._sections:
            if section == name:
                return lineno
            if section == "" and name in keys:
                return keys[name]
        return None

    def key_line(self, key: str) -> int | None:
        for _section, _lineno, keys in self._sections:
            if key in keys:
                return keys[key]
        return None

    def _operation_sections(self) -> list[tuple[str, int, dict[str, int]]]:
        return [s for s in self._sections if s[0] == "operations"]

    def operation_line(self, index: int) -> int | None:
        ops = self._operation_sections()
        return ops[index][1] if index < len(ops) else None

    def operation_key_line(self, index: int, key: str) -> int | None:
        ops = self._operation_sections()
        if index >= len(ops):
            return None
        return ops[index][2].get(key, ops[index][1])
