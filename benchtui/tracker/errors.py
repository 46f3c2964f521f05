"""The tracker's exceptions. Every one carries a message meant for a person (``str(exc)``)."""

from __future__ import annotations

from collections.abc import Iterable


class TrackerError(Exception):
    """The history database cannot do what was asked; ``str()`` says why."""


class SchemaError(TrackerError):
    """The file is not a database this benchtui may open (foreign, corrupt or newer)."""


class InvalidRunError(TrackerError, ValueError):
    """A run (saved or imported) whose data does not fit the run schema."""


class DuplicateRunError(TrackerError):
    """``save_run`` of a ``run_id`` the database already holds."""


def _known(names: Iterable[str]) -> str:
    names = list(names)
    return ", ".join(names) if names else "(none recorded yet)"


class UnknownLabelError(TrackerError):
    """A version label with no runs; the message lists the labels that have some."""

    def __init__(self, label: str, known: Iterable[str], suite: str | None = None) -> None:
        self.label = label
        self.known = list(known)
        where = f" in suite '{suite}'" if suite else ""
        super().__init__(f"no runs labelled '{label}'{where} (known labels: {_known(self.known)})")


class UnknownOperationError(TrackerError):
    """An operation with no results; the message lists the operations that have some."""

    def __init__(self, operation: str, known: Iterable[str], suite: str | None = None) -> None:
        self.operation = operation
        self.known = list(known)
        where = f" in suite '{suite}'" if suite else ""
        super().__init__(
            f"no results for operation '{operation}'{where} "
            f"(known operations: {_known(self.known)})"
        )


class UnknownSuiteError(TrackerError):
    """A suite name with no runs; the message lists the suites that have some."""

    def __init__(self, suite: str, known: Iterable[str]) -> None:
        self.suite = suite
        self.known = list(known)
        super().__init__(f"no runs of suite '{suite}' (known suites: {_known(self.known)})")
