"""The editor of one operation's settings for this run (the suite file is never changed).

Shows target, params, iterations or duration, warmup, rounds, concurrency, timeout, memory
phase and memory iterations; every change is validated at once through
``Operation.with_overrides`` and a bad value is shown inline, never raised. Posts
``SettingsEdited`` with the new operation or the error; the suites screen keeps them.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Static

from benchtui.suite import Operation, SuiteError
from benchtui.tui.messages import OpKey, SettingsEdited

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# (field, label, kind) in display order; kind: text | params | int | float | bool
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("target", "target", "text"),
    ("params", "params", "params"),
    ("iterations", "iterations", "int"),
    ("duration", "duration s", "float"),
    ("warmup", "warmup", "int"),
    ("rounds", "rounds", "int"),
    ("concurrency", "concurrency", "int"),
    ("timeout", "timeout s", "float"),
    ("memory", "memory", "bool"),
    ("memory_iterations", "memory iter.", "int"),
)
Raw = dict[str, Any]  # field -> str (or bool for memory), as typed
INLINE_TABLE = "expected a TOML inline table like { n = 3 }"
MEMORY_LABELS = {True: "on (traced phase)", False: "off"}
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_NUMBER_WORDS = {"int": "a whole number", "float": "a number (with a dot for decimals)"}


def raw_from_operation(op: Operation) -> Raw:
    raw: Raw = {}
    for name, _label, kind in FIELDS:
        value = getattr(op, name)
        if kind == "bool":
            raw[name] = bool(value)
        elif kind == "params":
            raw[name] = _inline_table(dict(value))
        elif value is None:
            raw[name] = ""
        elif kind == "float":
            raw[name] = f"{value:g}"
        else:
            raw[name] = str(value)
    return raw


def build_operation(base: Operation, raw: Raw) -> Operation:
    """``base`` with the typed values; raises ``SuiteError`` naming the field when one is bad.

    Fields are judged one at a time, in the order they are shown, each against the suite's
    own rules, and only then against each other: a value that is wrong by itself (iterations
    -1) is reported as such, not as a conflict with another field that happens to be filled.
    """
    changes: dict[str, Any] = {}
    for name, _label, kind in FIELDS:
        if kind == "text":
            value: Any = str(raw[name]).strip()
        elif kind == "params":
            value = _parse_params(str(raw[name]))
        elif kind == "bool":
            value = bool(raw[name])
        else:
            value = _parse_number(name, str(raw[name]), kind)
            if value is None:
                if name not in ("iterations", "duration"):  # those two: one of them is blank
                    raise SuiteError("needs a value", key=name)
                changes[name] = None
                continue
        _check_alone(base, name, value)
        changes[name] = value
    iterations, duration = changes.pop("iterations"), changes.pop("duration")
    if iterations is not None and duration is not None:
        raise SuiteError("set iterations or duration, not both (clear one)", key="duration")
    if iterations is None and duration is None:
        raise SuiteError("set iterations or duration", key="iterations")
    if iterations is not None:
        changes["iterations"] = iterations
    else:
        changes["duration"] = duration
    return base.with_overrides(**changes)


def _check_alone(base: Operation, name: str, value: Any) -> None:
    """Raise the suite's own complaint about ``value`` for ``name``, judged by itself.

    ``base`` is a loaded, hence valid, operation, so a change of this one field can only fail
    on this field (setting iterations clears duration and vice versa: no conflict yet).
    """
    try:
        base.with_overrides(**{name: value})
    except SuiteError as exc:
        raise SuiteError(exc.detail, key=exc.key or name) from None


def describe_error(exc: SuiteError) -> str:
    return f"{exc.key}: {exc.detail}" if exc.key else exc.detail


class SettingsForm(Vertical):
    """Inputs for one operation's settings; ``show()`` loads an operation into them."""

    DEFAULT_CSS = """
    SettingsForm { height: auto; }
    SettingsForm > Grid {
        grid-size: 2;
        grid-columns: 13 1fr;
        grid-rows: 1;
        grid-gutter: 0 1;
        height: auto;
        margin-top: 1;
    }
    SettingsForm Label { color: $foreground-muted; }
    SettingsForm Input { width: 1fr; }
    SettingsForm #settings-error { color: $error; height: auto; }
    SettingsForm #settings-actions { height: 1; }
    SettingsForm #settings-state { color: $foreground-muted; width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.key: OpKey | None = None
        self.base: Operation | None = None
        self.drafts: dict[OpKey, Raw] = {}

    def compose(self) -> ComposeResult:
        with Grid():
            for name, label, kind in FIELDS:
                yield Label(label)
                if kind == "bool":
                    yield Checkbox(MEMORY_LABELS[True], id=f"field-{name}", compact=True)
                else:
                    yield Input(id=f"field-{name}", compact=True, select_on_focus=False)
        yield Static("", id="settings-error")
        with Horizontal(id="settings-actions"):
            yield Static("suite's settings", id="settings-state")
            yield Button("Reset", id="settings-reset", compact=True)

    # ------------------------------------------------------------------ public
    def show(self, key: OpKey, base: Operation, current: Operation) -> None:
        """Load ``key``'s values: a pending draft if there is one, else ``current``'s."""
        self.key, self.base = key, base
        raw = self.drafts.get(key) or raw_from_operation(current)
        with self.prevent(Input.Changed, Checkbox.Changed):
            for name, _label, kind in FIELDS:
                widget = self.query_one(f"#field-{name}")
                if kind == "bool":
                    assert isinstance(widget, Checkbox)
                    widget.value = bool(raw[name])
                    widget.label = MEMORY_LABELS[widget.value]
                else:
                    assert isinstance(widget, Input)
                    widget.value = str(raw[name])
                    # Unfocused, a field shows the start of its value (a long target or
                    # params would otherwise show only its tail); focus puts the cursor last.
                    widget.cursor_position = len(widget.value) if widget.has_focus else 0
        self._show_state(current != base, self._error_of(key))

    def raw(self) -> Raw:
        values: Raw = {}
        for name, _label, kind in FIELDS:
            widget = self.query_one(f"#field-{name}")
            values[name] = widget.value  # type: ignore[attr-defined]
            if kind == "bool":
                values[name] = bool(values[name])
        return values

    # ------------------------------------------------------------------ events
    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, Input):  # ready to append, as in any text field
            event.widget.cursor_position = len(event.widget.value)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if isinstance(event.widget, Input):  # back to showing the value from its start
            event.widget.cursor_position = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._edited()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        event.checkbox.label = MEMORY_LABELS[event.value]
        self._edited()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id != "settings-reset" or self.key is None or self.base is None:
            return
        event.stop()
        self.drafts.pop(self.key, None)
        self.show(self.key, self.base, self.base)
        self.post_message(SettingsEdited(self.key, self.base, None))

    # ------------------------------------------------------------------ internals
    def _edited(self) -> None:
        if self.key is None or self.base is None:
            return
        raw = self.raw()
        try:
            op = build_operation(self.base, raw)
        except SuiteError as exc:
            self.drafts[self.key] = raw
            error = describe_error(exc)
            self._show_state(True, error)
            self.post_message(SettingsEdited(self.key, None, error))
            return
        self.drafts.pop(self.key, None)
        self._show_state(op != self.base, None)
        self.post_message(SettingsEdited(self.key, op, None))

    def _error_of(self, key: OpKey) -> str | None:
        raw = self.drafts.get(key)
        if raw is None or self.base is None:
            return None
        try:
            build_operation(self.base, raw)
        except SuiteError as exc:
            return describe_error(exc)
        return None

    def _show_state(self, edited: bool, error: str | None) -> None:
        message = self.query_one("#settings-error", Static)
        message.update(f"✗ {error}" if error else "")
        message.display = bool(error)
        state = "edited for this run" if edited else "suite's settings"
        self.query_one("#settings-state", Static).update(state)


def _parse_number(name: str, text: str, kind: str) -> int | float | None:
    text = text.strip().replace("_", "")
    if not text:
        return None
    # Commas only as thousands separators: "1,5" is a decimal comma, and reading it as 15
    # would silently run ten times longer than meant.
    if "," in text:
        if not _THOUSANDS.match(text):
            raise SuiteError(f"expected {_NUMBER_WORDS[kind]}, got {text!r}", key=name)
        text = text.replace(",", "")
    try:
        return int(text) if kind == "int" else float(text)
    except ValueError:
        raise SuiteError(f"expected {_NUMBER_WORDS[kind]}, got {text!r}", key=name) from None


def _parse_params(text: str) -> dict[str, Any]:
    text = text.strip()
    if not text:
        return {}
    try:
        value = tomllib.loads(f"params = {text}")["params"]
    except tomllib.TOMLDecodeError:
        raise SuiteError(INLINE_TABLE, key="params") from None
    if not isinstance(value, dict):
        raise SuiteError(INLINE_TABLE, key="params")
    return value


def _inline_table(params: dict[str, Any]) -> str:
    if not params:
        return "{}"
    return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in params.items()) + " }"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return _inline_table(value)
    return '"' + str(value) + '"'
