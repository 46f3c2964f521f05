"""Messages the TUI's screens and widgets post upwards (messages up, reactives down).

Plain Textual ``Message`` classes at module level, carrying immutable data only.
"""

from __future__ import annotations

from textual.message import Message

from benchtui.suite import Operation, SuiteError
from benchtui.tui.session import EntryKey, RunGroup

OpKey = tuple[int, str]  # (suite index in the catalogue, operation name)


class RunRequested(Message):
    """The suites screen asks the app to run these groups under this label."""

    def __init__(self, groups: tuple[RunGroup, ...], label: str) -> None:
        super().__init__()
        self.groups = groups
        self.label = label


class SelectionChanged(Message):
    """The set of checked operations in the suite tree changed."""

    def __init__(self, selected: frozenset[OpKey]) -> None:
        super().__init__()
        self.selected = selected


class CursorMoved(Message):
    """The cursor of the suite tree moved: to an operation, a suite, or a broken suite."""

    def __init__(
        self,
        key: OpKey | None = None,
        suite_index: int | None = None,
        error: SuiteError | None = None,
    ) -> None:
        super().__init__()
        self.key = key
        self.suite_index = suite_index
        self.error = error


class SettingsEdited(Message):
    """The settings form holds new values for ``key``: a valid operation, or an error."""

    def __init__(self, key: OpKey, operation: Operation | None, error: str | None) -> None:
        super().__init__()
        self.key = key
        self.operation = operation
        self.error = error


class EntryChosen(Message):
    """The person picked a queue entry on the live screen to browse its summary."""

    def __init__(self, key: EntryKey) -> None:
        super().__init__()
        self.key = key
