"""One run started from the TUI: probe, supervise suite after suite, save, and expose views.

A run may hold operations of several suites; they run one ``Supervisor`` per suite, in
sequence, in the same asyncio task (the app's worker). The session folds every event into a
``RunState`` per suite and hands the screen an immutable ``RunView`` whenever it asks, so the
screen repaints at its own pace whatever the event rate.

It does not import Textual and does not draw: the app runs ``run()`` in a worker and the live
screen polls ``view()``. It does not write the database itself either: a ``save`` callback
(``benchtui.tui.saving``) does.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from benchtui.runner.events import OperationFinished
from benchtui.runner.live import LiveSnapshot, RunState
from benchtui.runner.results import ErrorInfo, OperationResult, RunResult
from benchtui.runner.supervisor import Supervisor, probe_operations
from benchtui.suite import Operation, Suite, SuiteError

EntryKey = tuple[int, str]  # (group index, operation name): names are unique per suite only
Notice = Callable[[str, str], None]  # (message, severity) -> None
Saver = Callable[[list[RunResult]], Awaitable[list[tuple[str, str]]]]

# Phases of a session, in order; the last four are final.
CHECKING, RUNNING, SAVING = "checking", "running", "saving"
FINISHED, CANCELLED, REJECTED, FAILED = "finished", "cancelled", "rejected", "failed"
FINAL_PHASES = frozenset({FINISHED, CANCELLED, REJECTED, FAILED})


@dataclass(frozen=True)
class RunGroup:
    """The chosen operations of one suite (settings already overridden for this run)."""

    suite: Suite
    operations: tuple[Operation, ...]


@dataclass(frozen=True)
class QueueEntry:
    key: EntryKey
    suite: str
    snapshot: LiveSnapshot
    memory_iterations: int | None = None  # planned traced calls (None: no memory phase)


@dataclass(frozen=True)
class RunView:
    """What the live screen shows of a session at one moment. Immutable."""

    label: str
    phase: str
    entries: tuple[QueueEntry, ...]
    current: EntryKey | None
    elapsed_s: float
    problems: tuple[str, ...] = ()

    def entry(self, key: EntryKey | None) -> QueueEntry | None:
        for entry in self.entries:
            if entry.key == key:
                return entry
        return None

    @property
    def done(self) -> int:
        return sum(1 for e in self.entries if e.snapshot.result is not None)


class RunSession:
    """A run of chosen operations, from probing to saving."""

    def __init__(self, groups: Sequence[RunGroup], label: str, save: Saver | None = None) -> None:
        self.groups = tuple(g for g in groups if g.operations)
        self.label = label
        self.phase = CHECKING
        self.problems: tuple[str, ...] = ()
        self.results: list[RunResult] = []
        self._save = save
        self._states = [RunState([op.name for op in g.operations]) for g in self.groups]
        self._supervisor: Supervisor | None = None
        self._cancelled = False
        self._started = time.monotonic()
        self._ended: float | None = None

    # ------------------------------------------------------------------ control
    @property
    def in_flight(self) -> bool:
        return self.phase not in FINAL_PHASES

    @property
    def cancellable(self) -> bool:
        """Probing or measuring: there is something to stop. Saving is not cancelled (a run
        is saved whole or not at all, and what was measured should not be thrown away)."""
        return self.phase in (CHECKING, RUNNING)

    def cancel(self) -> None:
        """Kill the running child at once (SIGKILL to its process group); skip the rest."""
        self._cancelled = True
        if self._supervisor is not None:
            self._supervisor.cancel()

    async def run(self, notice: Notice | None = None) -> list[RunResult]:
        """Probe every suite, then run them in sequence and save what ran."""
        say = notice or (lambda _message, _severity: None)
        try:
            problems = await self._probe()
            if problems:
                self.problems = tuple(str(p) for p in problems)
                self._finish(REJECTED)
                return []
            if self._cancelled:
                self._skip_from(0)
                self._finish(CANCELLED)
                return []
            self.phase = RUNNING
            for index, (group, state) in enumerate(zip(self.groups, self._states, strict=True)):
                if self._cancelled:
                    self._skip_from(index)
                    break
                supervisor = Supervisor(group.suite, group.operations, label=self.label)
                self._supervisor = supervisor
                async for event in supervisor.events():
                    state.apply(event)
                self._supervisor = None
                if supervisor.result is not None:
                    self.results.append(supervisor.result)
        except BaseException:
            self._finish(FAILED)
            raise
        finally:
            if self._supervisor is not None:  # the worker was cancelled mid-stream
                self._supervisor.cancel()
                self._supervisor = None
        final = CANCELLED if self._cancelled else FINISHED
        self._ended = time.monotonic()
        if self.results and self._save is not None:
            # Still in flight while saving: quitting now would lose the run.
            self.phase = SAVING
            try:
                for message, severity in await self._save(self.results):
                    say(message, severity)
            finally:
                self.phase = final
        self.phase = final
        return self.results

    # ------------------------------------------------------------------ views
    def view(self) -> RunView:
        entries: list[QueueEntry] = []
        current: EntryKey | None = None
        for index, (group, state) in enumerate(zip(self.groups, self._states, strict=True)):
            for op, snapshot in zip(group.operations, state.snapshots(), strict=True):
                key = (index, snapshot.operation)
                if snapshot.status == "running":
                    current = key
                memory = op.memory_iterations if op.memory else None
                entries.append(QueueEntry(key, group.suite.name, snapshot, memory))
        end = self._ended if self._ended is not None else time.monotonic()
        return RunView(
            label=self.label,
            phase=self.phase,
            entries=tuple(entries),
            current=current,
            elapsed_s=end - self._started,
            problems=self.problems,
        )

    # ------------------------------------------------------------------ internals
    async def _probe(self) -> list[SuiteError]:
        problems: list[SuiteError] = []
        for group in self.groups:
            if self._cancelled:
                break
            problems.extend(await probe_operations(group.suite, group.operations))
        return problems

    def _skip_from(self, index: int) -> None:
        """Mark the operations of groups that never started as cancelled."""
        for group, state in zip(self.groups[index:], self._states[index:], strict=True):
            for op in group.operations:
                if state.states[op.name].result is None:
                    result = OperationResult(
                        operation=op.name,
                        status="cancelled",
                        error=ErrorInfo("Cancelled", "cancelled before it started"),
                        settings=op.settings(),
                    )
                    state.apply(OperationFinished(op.name, result))

    def _finish(self, phase: str) -> None:
        self.phase = phase
        self._ended = time.monotonic()
