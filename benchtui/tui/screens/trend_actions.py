"""What the trend screen does with versions: compare, re-run, export, delete a run.

A mixin of ``TrendScreen`` (kept apart so each file stays readable). Each action checks what
it needs, asks through a modal when it must (a label, a path, which run, "really delete?"),
then works in a worker (``exit_on_error=False``) and reports with a notification. A re-run is
not started here: the app gets a ``RunRequested``, as from the suites screen, and the run is
saved under the stored suite name so it lands in this very trend.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchtui.suite import Operation, SuiteError, load_suite
from benchtui.tui.history_queries import (
    HistorySource,
    OpRef,
    TrendPage,
    describe_error,
    export_name,
)
from benchtui.tui.messages import RunRequested
from benchtui.tui.screens.confirm import ConfirmScreen
from benchtui.tui.screens.dialogs import AskText, PickRun
from benchtui.tui.session import RunGroup

if TYPE_CHECKING:
    from textual.screen import Screen

    _Base = Screen[None]
else:
    _Base = object

# Settings of a stored result that say how it was measured (not what was measured).
MEASURING_KEYS = (
    "warmup",
    "warmup_time",
    "iterations",
    "duration",
    "timeout",
    "memory",
    "memory_iterations",
    "concurrency",
    "rounds",
)


def as_measured(op: Operation, settings: dict[str, Any]) -> Operation:
    """``op`` (today's code, from the suite file) measured the way a stored result was, so the
    new version compares like for like; the file's settings stay when the stored ones do not
    fit any more."""
    changes = {k: settings[k] for k in MEASURING_KEYS if settings.get(k) is not None}
    if changes.get("iterations") is not None:
        changes.pop("duration", None)
    try:
        return op.with_overrides(**changes)
    except (SuiteError, TypeError, ValueError):
        return op


class TrendActions(_Base):
    """Compare, re-run, export and delete for ``TrendScreen``."""

    source: HistorySource | None
    op: OpRef | None
    page: TrendPage | None
    cursor_label: str | None
    current_label: str | None
    marked: dict[str, str]

    def reload(self) -> None:  # provided by the screen
        raise NotImplementedError

    def _worker(self, coroutine: Any, name: str) -> None:
        self.run_worker(coroutine, name=name, group="trend-action", exit_on_error=False)

    # ------------------------------------------------------------------ compare
    def action_compare_previous(self) -> None:
        self._worker(self._compare_previous(), "compare")

    async def _compare_previous(self) -> None:
        page, label, op = self.page, self.current_label, self.op
        if page is None or label is None or op is None or self.source is None:
            return
        index = page.index_of(label)
        if index is None:
            return
        point = page.points[index]
        previous = point.previous
        if previous is None and index > 0:
            previous = page.points[index - 1].label
        elif previous is None and page.has_older:
            before = await self.source.figures(op, page.offset + len(page.points), 1)
            previous = before.points[-1].label if before.points else None
        if previous is None:
            self.notify(
                f"{label} is the first version of {op.operation}: nothing before it to compare.",
                severity="warning",
            )
            return
        self._open_compare(op, previous, label)

    def action_compare_marked(self) -> None:
        if self.op is None:
            return
        if len(self.marked) != 2:
            self.notify(
                "Mark two versions with space (or press enter to compare one with the version "
                "before it).",
                severity="warning",
            )
            return
        a, b = sorted(self.marked, key=lambda label: (self.marked[label], label))
        self._open_compare(self.op, a, b)

    def _open_compare(self, op: OpRef, a: str, b: str) -> None:
        from benchtui.tui.screens.compare import CompareScreen

        if self.source is not None:
            self.app.push_screen(CompareScreen(self.source, op, a, b))

    # ------------------------------------------------------------------ re-run
    def action_rerun(self) -> None:
        self._worker(self._rerun(), "rerun")

    async def _rerun(self) -> None:
        op, source = self.op, self.source
        if op is None or source is None or self.page is None or not self.page.points:
            return
        label = self.current_label or self.page.points[-1].label
        run = await source.stored_run(op, label)
        if run is None:
            self.notify(f"No stored run of {label} measured {op.operation}.", severity="error")
            return
        path = Path(run.suite_path)
        try:
            suite = await asyncio.to_thread(load_suite, path)
            operation = suite.operation(op.operation)
        except SuiteError as exc:
            self.notify(
                f"{exc}\nThe suite file stored with {label} is gone or changed, so "
                f"{op.operation} cannot be re-run from here.",
                title="Cannot re-run",
                severity="error",
                timeout=10,
            )
            return
        stored = next(o for o in run.operations if o.operation == op.operation)
        operation = as_measured(operation, stored.settings)
        suite = replace(suite, name=op.suite)  # saved into this trend, whatever the file says
        label_for = getattr(self.app, "label_for", None)
        default = await asyncio.to_thread(label_for, suite.folder) if label_for else ""
        length = (
            f"{operation.iterations} iterations"
            if operation.iterations
            else f"{operation.duration:g} s"
        )
        hint = (
            f"{operation.target} from {path}\nmeasured as {label} was: {length}, "
            f"{operation.rounds} rounds. The result is saved to this history."
        )
        answer = await self.app.push_screen_wait(
            AskText(f"Re-run {op.operation} now, as version:", default, hint, ok="Run ▶")
        )
        if answer:
            self.post_message(RunRequested((RunGroup(suite, (operation,)),), answer))

    # ------------------------------------------------------------------ export
    def action_export(self) -> None:
        self._worker(self._export(), "export")

    async def _export(self) -> None:
        op, source = self.op, self.source
        if op is None or source is None:
            return
        labels = sorted(self.marked, key=lambda label: self.marked[label]) or (
            [self.current_label] if self.current_label else []
        )
        if not labels:
            return
        default = f"./{export_name(labels)}"
        question = f"Export the runs of {', '.join(labels)} ({op.suite}) as JSON to:"
        hint = "Every operation of those runs, histograms included (as `benchtui export`)."
        answer = await self.app.push_screen_wait(AskText(question, default, hint, ok="Export"))
        if not answer:
            return
        destination = Path(answer).expanduser()
        try:
            from benchtui.tracker.exchange import write_export

            runs = await source.runs_of(op.suite, labels)
            await asyncio.to_thread(write_export, runs, destination)
        except Exception as exc:
            self.notify(describe_error(exc), title="Export failed", severity="error")
            return
        self.notify(f"Exported {len(runs)} run(s) to {destination.resolve()}", title="Exported")

    # ------------------------------------------------------------------ delete
    def action_delete_run(self) -> None:
        self._worker(self._delete(), "delete")

    async def _delete(self) -> None:
        op, source, label = self.op, self.source, self.current_label
        if op is None or source is None or label is None:
            return
        runs = await source.run_infos(op, label)
        if not runs:
            self.notify(f"{label} has no stored runs any more.", severity="warning")
            return
        run = runs[0]
        if len(runs) > 1:
            picked = await self.app.push_screen_wait(
                PickRun(f"{label} has {len(runs)} runs. Which one should be deleted?", runs)
            )
            if picked is None:
                return
            run = picked
        names = ", ".join(run.operations[:4]) + (", …" if len(run.operations) > 4 else "")
        consequence = (
            f"It is the only run of {label}: the version leaves the history."
            if len(runs) == 1
            else f"{label} keeps its {len(runs) - 1} other run(s)."
        )
        question = (
            f"Delete run {run.run_id[:8]} of {label} ({run.started_at[:19].replace('T', ' ')})?\n"
            f"It measured {len(run.operations)} operation(s): {names}. All of them go, for "
            f"good.\n{consequence}\n\ny deletes, n or escape keeps it."
        )
        if not await self.app.push_screen_wait(ConfirmScreen(question, yes="Delete", no="Keep")):
            return
        try:
            deleted = await source.delete_run(run.run_id)
        except Exception as exc:
            self.notify(describe_error(exc), title="Not deleted", severity="error")
            return
        self.marked.pop(label, None)
        if deleted:
            self.notify(f"Deleted run {run.run_id[:8]} of {label}.")
        else:
            self.notify("That run was already gone.", severity="warning")
        self.reload()
