"""The benchtui Textual app: screens, themes, keymap, and the one worker per run.

The app owns the current ``RunSession``: it starts it in an async worker
(``exit_on_error=False``; one ``Worker.StateChanged`` handler reports failures), cancels it,
and asks before quitting while it is in flight. Screens post messages up; the app never
measures, and the session never touches widgets.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from benchtui.tracker.location import ENV_VAR as DB_ENV_VAR
from benchtui.tui import keys
from benchtui.tui.catalog import load_catalog
from benchtui.tui.config import Config
from benchtui.tui.messages import RunRequested
from benchtui.tui.saving import default_label, resolve_db, save_runs
from benchtui.tui.screens.compare import CompareScreen
from benchtui.tui.screens.confirm import ConfirmScreen
from benchtui.tui.screens.first_launch import FirstLaunchScreen
from benchtui.tui.screens.help import HelpScreen
from benchtui.tui.screens.live import LiveScreen
from benchtui.tui.screens.suites import SuitesScreen
from benchtui.tui.screens.trend import TrendScreen
from benchtui.tui.session import CANCELLED, FAILED, REJECTED, RunSession
from benchtui.tui.themes import DEFAULT_THEME, FALLBACK_THEME, load_themes, theme_folders
from benchtui.tui.widgets.suite_tree import SuiteTree

RUN_GROUP = "run"
QUIT_WAIT_S = 3.0  # after killing the child, how long quitting waits for the save


class BenchApp(App[None]):
    """Pick operations, watch them run live, keep the results."""

    TITLE = "benchtui"
    BINDINGS = [
        keys.QUIT,
        keys.CANCEL,
        keys.HELP,
        keys.TREND,
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]

    def __init__(
        self,
        paths: list[Path] | None = None,
        *,
        config: Config | None = None,
        theme_name: str | None = None,
        db: str | None = None,
        theme_dirs: list[Path] | None = None,
        label_for: Callable[[Path], str] = default_label,
        save: bool = True,
        startup_notices: Iterable[str] = (),
        offer_demo: bool = False,
    ) -> None:
        super().__init__()
        self.offer_demo = offer_demo and save
        self.demo_in_flight = False
        self.config = config or Config()
        # --db, then $BENCHTUI_DB (as for every headless command), then the config file.
        self.db = db or os.environ.get(DB_ENV_VAR) or self.config.database
        self.label_for = label_for
        self.save_enabled = save
        self.session: RunSession | None = None
        self._quit_prompt: ConfirmScreen | None = None
        self.suites, self.suite_errors = load_catalog(list(paths or []))
        self._notices: list[tuple[str, str]] = [(n, "warning") for n in startup_notices]
        self._custom_themes: list[str] = []
        self._install_themes(theme_name, theme_dirs)
        self.keymap = self._valid_keymap(self.config.keymap)

    # ------------------------------------------------------------------ start-up
    def _install_themes(self, requested: str | None, folders: list[Path] | None) -> None:
        themes, problems = load_themes(folders if folders is not None else theme_folders())
        for theme in themes:
            self.register_theme(theme)
            self._custom_themes.append(theme.name)
        # A broken theme file is reported once, here, and skipped.
        self._notices += [(f"Theme skipped: {p}", "warning") for p in problems]
        default = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else FALLBACK_THEME
        wanted = requested or self.config.theme or default
        if wanted not in self.available_themes:
            self._notices.append((f"Unknown theme '{wanted}'; using '{default}'.", "warning"))
            wanted = default
        self.theme = wanted

    def _valid_keymap(self, keymap: dict[str, str]) -> dict[str, str]:
        named = {keys.full_id(k): v for k, v in keymap.items()}
        valid = {k: v for k, v in named.items() if k in keys.KNOWN_IDS}
        for unknown in sorted(set(named) - set(valid)):
            known = ", ".join(sorted(keys.KNOWN_IDS))
            self._notices.append((f"Keymap: unknown binding id '{unknown}' ({known})", "warning"))
        return valid

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        self.push_screen(SuitesScreen(self.suites, self.suite_errors))
        for message, severity in self._notices:
            self.notify(message, severity=severity, timeout=8)  # type: ignore[arg-type]
        if self.suite_errors:
            count = len(self.suite_errors)
            self.notify(
                "\n".join(str(e) for e in self.suite_errors[:3]),
                title=f"{count} suite{'s' * (count != 1)} not loaded",
                severity="error",
                timeout=10,
            )
        if self.suites:
            self.run_worker(self._load_label(self.suites[0].folder), exit_on_error=False)
        if self.offer_demo:
            self.run_worker(self._offer_demo_if_empty(), exit_on_error=False)

    async def _load_label(self, folder: Path) -> None:
        label = await asyncio.to_thread(self.label_for, folder)
        for screen in self.screen_stack:
            if isinstance(screen, SuitesScreen):
                screen.default_label = label

    # ------------------------------------------------------------------ runs
    def on_run_requested(self, message: RunRequested) -> None:
        if self.demo_in_flight:
            self.notify("The demo is recording; run again once it is done.", severity="warning")
            return
        if self.session is not None and self.session.in_flight:
            self.notify("A run is in flight; c cancels it.", severity="warning")
            self.action_show_live()
            return
        save = partial(save_runs, db_value=self.db) if self.save_enabled else None
        session = RunSession(message.groups, message.label, save=save)
        self.session = session
        self._show_live_screen()
        self.refresh_bindings()
        self.run_worker(self._drive(session), name="run", group=RUN_GROUP, exit_on_error=False)

    async def _drive(self, session: RunSession) -> None:
        try:
            results = await session.run(notice=self._notice)
        finally:
            self.refresh_bindings()  # "cancel" leaves the footer
            # A "quit and stop the run?" question no longer applies once the run is over.
            if self._quit_prompt is not None and self.screen is self._quit_prompt:
                self._quit_prompt.dismiss(None)
                self.notify("The run is over: ctrl+q now quits at once.")
            self._quit_prompt = None
        if session.phase == REJECTED:
            self._back_to_suites(session.problems)
            self.notify("\n".join(session.problems[:3]), title="Run not started", severity="error")
        elif session.phase == CANCELLED:
            self.notify("Run cancelled; the worker was stopped.", severity="warning")
        else:
            ops = [op for run in results for op in run.operations]
            bad = [op for op in ops if op.status != "ok"]
            summary = f"{len(ops) - len(bad)} ok" + (f", {len(bad)} not ok" if bad else "")
            self.notify(f"Run finished: {summary}.", severity="warning" if bad else "information")

    def _notice(self, message: str, severity: str) -> None:
        self.notify(message, severity=severity)  # type: ignore[arg-type]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker failures surface: the app stays up, the next run works."""
        if event.state != WorkerState.ERROR:
            return
        if self.session is not None and event.worker.group == RUN_GROUP:
            self.session.cancel()
            self.session.phase = FAILED
        error = event.worker.error
        self.notify(f"{type(error).__name__}: {error}", title="Internal error", severity="error")

    def _show_live_screen(self) -> None:
        if isinstance(self.screen, (LiveScreen, HelpScreen)):
            self.pop_screen()
        if self.session is not None:
            self.push_screen(LiveScreen(self.session))

    def _back_to_suites(self, problems: tuple[str, ...]) -> None:
        while isinstance(self.screen, (LiveScreen, HelpScreen, ConfirmScreen)):
            self.pop_screen()
        if isinstance(self.screen, SuitesScreen):
            self.screen.problems = problems

    # ------------------------------------------------------------------ actions
    def action_cancel_run(self) -> None:
        if self.session is not None and self.session.cancellable:
            self.session.cancel()
            self.notify("Cancelling: the worker is being stopped.", severity="warning")

    def action_show_live(self) -> None:
        if self.session is not None and not isinstance(self.screen, LiveScreen):
            self._show_live_screen()

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
        else:
            self.push_screen(HelpScreen(self.keymap))

    def action_trend(self) -> None:
        """Open the trend screen (or go back to it from a comparison)."""
        if isinstance(self.screen, TrendScreen) or self.screen.is_modal:
            return
        if any(isinstance(s, TrendScreen) for s in self.screen_stack):
            while not isinstance(self.screen, TrendScreen):
                self.pop_screen()
            return
        path = resolve_db(self.db)
        if path is None:
            self.notify("The tracker is unavailable: no history to show.", severity="error")
            return
        self.push_screen(TrendScreen(path))

    # ------------------------------------------------------------------ first launch
    async def _offer_demo_if_empty(self) -> None:
        from benchtui.tui.history_queries import HistorySource

        path = resolve_db(self.db)
        if path is None:
            return
        try:
            source = await HistorySource.open(path)
            if source is not None:
                try:
                    if await source.tracker.count_runs() > 0:
                        return
                finally:
                    await source.close()
        except Exception:  # a broken file is the trend screen's to explain, not an offer's
            return
        if not self.screen.is_modal:
            self.push_screen(FirstLaunchScreen(path), self._demo_done)

    def action_record_demo(self) -> None:
        if self.session is not None and self.session.in_flight:
            self.notify("A run is in flight; record the demo once it is done.", severity="warning")
            return
        path = resolve_db(self.db)
        if path is None or self.demo_in_flight or isinstance(self.screen, FirstLaunchScreen):
            return
        self.push_screen(FirstLaunchScreen(path, start=True), self._demo_done)

    def _demo_done(self, recorded: bool | None) -> None:
        from benchtui.demo import DEMO_SUITE_NAME
        from benchtui.tui.history_queries import OpRef

        if not recorded:
            return
        path = resolve_db(self.db)
        while isinstance(self.screen, (TrendScreen, CompareScreen, HelpScreen)):
            self.pop_screen()
        if path is not None:
            self.push_screen(TrendScreen(path, focus=OpRef(DEMO_SUITE_NAME, "retrieve_topk")))

    async def action_quit(self) -> None:
        if self.session is None or not self.session.in_flight:
            self.exit()
            return
        if isinstance(self.screen, ConfirmScreen):
            return
        question = (
            "A run is in flight. Quit and stop it? Its worker is killed.\n\n"
            "y quits, n or escape stays."
        )
        self._quit_prompt = ConfirmScreen(question, yes="Quit", no="Stay")
        self.push_screen(self._quit_prompt, self._quit_answered)

    async def _quit_answered(self, answer: bool | None) -> None:
        self._quit_prompt = None
        if not answer:
            return
        if self.session is not None:
            self.session.cancel()  # SIGKILL to the child's process group, at once
        workers = [w for w in self.workers if w.group == RUN_GROUP and not w.is_finished]
        if workers:
            # Let the stream wind down (and the partial run be saved), but not for long.
            done = asyncio.gather(*(w.wait() for w in workers), return_exceptions=True)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(done, QUIT_WAIT_S)
        self.exit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_run":
            return self.session is not None and self.session.cancellable
        if action == "show_live":
            return self.session is not None and not isinstance(self.screen, LiveScreen)
        if action == "trend":
            return not isinstance(self.screen, TrendScreen)
        return True

    def on_unmount(self) -> None:
        # Whatever path led here, no child outlives the app.
        if self.session is not None:
            self.session.cancel()

    # ------------------------------------------------------------------ command palette
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, SuitesScreen):
            yield SystemCommand(
                "Run selected", "Run the checked operations", screen.action_run_selected
            )
            yield SystemCommand(
                "Toggle selection",
                "Check or uncheck the highlighted operation or suite",
                screen.query_one(SuiteTree).action_toggle_selection,
            )
        if self.session is not None and self.session.in_flight:
            yield SystemCommand("Cancel run", "Stop the run in flight", self.action_cancel_run)
        if self.session is not None:
            yield SystemCommand("Live view", "Show the current or last run", self.action_show_live)
        yield SystemCommand(
            "Trend", "Version history of every tracked operation", self.action_trend
        )
        yield SystemCommand(
            "Record demo history",
            "Measure three real versions of a sample change (about 30 s)",
            self.action_record_demo,
        )
        yield SystemCommand("Help", "Keys and icons", self.action_help)
        for name in self._custom_themes:
            yield SystemCommand(
                f"Theme: {name}", f"Switch to the {name} theme", partial(self._set_theme, name)
            )

    def _set_theme(self, name: str) -> None:
        self.theme = name
