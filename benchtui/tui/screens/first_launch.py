"""The first-launch offer: with an empty history, record the demo's three real versions.

A modal that explains what the demo does, then runs ``benchtui.demo.run_demo`` in an async
worker (``exit_on_error=False``) with its progress: which version of three, each operation as
it finishes. It dismisses with True once the versions are saved (the app then opens the trend
screen), False when the person declines or stops it (the worker is cancelled, which kills the
child; versions saved until then stay). Failures are shown in the modal, not raised.

It measures nothing itself: the demo's supervisor runs the children, as ``benchtui demo`` does.

Notices wait while it is up: it is shown at startup, right when the app reports suites that
did not load, and at 80 columns any toast would lie over its text (toasts on other modals
keep clear of their buttons only). So it has no toast rack; notices raised before or while it
is shown are taken off the app's list and raised again, with their full time, once it closes.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.notifications import Notification
from textual.screen import ModalScreen
from textual.widgets import Button, ProgressBar, Static
from textual.widgets._toast import ToastRack
from textual.worker import Worker, WorkerState

from benchtui import format as fmt
from benchtui.tui.widgets import status

MUTED = "$foreground-muted"
OFFER = (
    "Your benchmark history is empty.\n\n"
    "The demo measures a retrieval operation of the bundled agent suite as three versions: "
    "a Python sort over every score (demo-v1.0), the same code again (demo-v1.1: expect no "
    "change), then np.argpartition (demo-v1.2: several times faster). Three more operations "
    "come along. Every figure is a real measurement, saved to:\n"
)


class FirstLaunchScreen(ModalScreen[bool]):
    """Offer the demo; run it with progress; dismiss with True when it is saved."""

    BINDINGS = [Binding("escape", "stop", "Not now / stop", id="benchtui.demo.stop")]
    DEFAULT_CSS = """
    FirstLaunchScreen { align: center middle; }
    FirstLaunchScreen > Vertical {
        width: 80; max-width: 95%; height: auto; max-height: 95%;
        border: thick $primary; background: $surface; padding: 1 2;
    }
    FirstLaunchScreen #text { height: auto; }
    FirstLaunchScreen #progress-log { height: auto; max-height: 12; margin-top: 1; }
    FirstLaunchScreen ProgressBar { margin-top: 1; }
    FirstLaunchScreen Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    FirstLaunchScreen Button { margin-left: 2; }
    """
    HOLD_EVERY_S = 0.1  # how often notices raised while it is up are taken into the hold

    def __init__(self, db_path: Path, start: bool = False) -> None:
        super().__init__()
        self.db_path = db_path
        self.start_now = start
        self.lines: list[Content] = []
        self.saved = 0
        self.running = False
        self._worker: Worker[None] | None = None
        self.held: list[Notification] = []  # notices waiting for the welcome to close
        self._holding = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "welcome to benchtui"
            yield Static(id="text")
            yield ProgressBar(total=None, show_eta=False, id="bar")
            yield Static(id="progress-log")
            with Horizontal():
                yield Button("Not now", id="decline")
                yield Button("Record the demo (about 30 s)", id="accept", variant="primary")

    def on_mount(self) -> None:
        # Without a rack on this screen the app draws no toast here (it looks the rack up on
        # the current screen and shows nothing when there is none).
        for rack in self.query_children(ToastRack):
            rack.remove()
        self.set_interval(self.HOLD_EVERY_S, self._hold_notices)
        self.query_one("#text", Static).update(Content.assemble(OFFER, (str(self.db_path), "bold")))
        self.query_one(ProgressBar).display = False
        self.query_one("#progress-log").display = False
        if self.start_now:
            self.start()
        else:
            self.query_one("#accept", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "accept":
            self.start()
        else:
            self.action_stop()

    # ------------------------------------------------------------------ notices
    def on_screen_resume(self) -> None:
        self._holding = True
        self._hold_notices()

    def on_screen_suspend(self) -> None:
        # Closed, or covered by another screen: the notices are shown there, in full.
        self._holding = False
        self._release_notices()

    def on_unmount(self) -> None:
        self._release_notices()

    def _hold_notices(self) -> None:
        if not self._holding:
            return
        # The app keeps its notices in a private list (Textual 8.2); it has no public way to
        # read them. Taken off it, they cannot expire unseen while the welcome is up.
        notices = self.app._notifications
        for notice in list(notices):
            if not notice.has_expired:
                self.held.append(notice)
            del notices[notice]

    def _release_notices(self) -> None:
        held, self.held = self.held, []
        for notice in held:
            self.app.notify(
                notice.message,
                title=notice.title,
                severity=notice.severity,
                timeout=notice.timeout,
                markup=notice.markup,
            )

    # ------------------------------------------------------------------ the run
    def start(self) -> None:
        from benchtui.demo import DEMO_OPERATIONS, demo_steps

        if self.running:
            return
        self.running = True
        self.query_one("#accept", Button).display = False
        self.query_one("#decline", Button).label = "Stop"
        bar = self.query_one(ProgressBar)
        bar.display = True
        self.query_one("#progress-log").display = True
        bar.update(total=demo_steps() * len(DEMO_OPERATIONS), progress=0)
        self.query_one("#text", Static).update(
            Content.assemble("Recording the demo into ", (str(self.db_path), "bold"), "…")
        )
        self._worker = self.run_worker(self._run(), name="demo", group="demo", exit_on_error=False)

    async def _run(self) -> None:
        from benchtui.demo import demo_steps, run_demo
        from benchtui.runner.events import OperationFinished, RunFinished

        total = demo_steps()

        def on_version(version, index: int) -> None:  # noqa: ANN001
            self._log(
                Content.assemble(
                    (f"run {index + 1}/{total}  ", "bold $primary"),
                    (version.label, "bold"),
                    (f"  {version.note}", MUTED),
                )
            )

        def on_event(event: object) -> None:
            if isinstance(event, OperationFinished):
                result = event.result
                self.query_one(ProgressBar).advance(1)
                figure = fmt.duration_ns(result.latency_ns.p50) if result.ok else result.status
                self._log(
                    Content.assemble(
                        ("   ", ""),
                        (f"{status.icon(result.status)} ", status.style(result.status)),
                        f"{result.operation:<20}",
                        (f" p50 {figure}", MUTED),
                    )
                )
            elif isinstance(event, RunFinished):
                self.saved += 1

        self._set_app_flag(True)
        try:
            await run_demo(self.db_path, on_event=on_event, on_version=on_version)
        finally:
            self._set_app_flag(False)
        self.dismiss(True)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "demo" or event.state != WorkerState.ERROR:
            return
        event.stop()  # shown here; the app's handler need not report it again
        error = event.worker.error
        self.running = False
        self.query_one("#decline", Button).label = "Close"
        self.query_one("#text", Static).update(
            Content.assemble(
                ("The demo stopped: ", "bold $error"),
                (f"{type(error).__name__}: {error}", "$error"),
                (f"\n{self.saved} version(s) were saved before that.", MUTED),
            )
        )

    def _log(self, line: Content) -> None:
        self.lines = [*self.lines, line][-10:]
        self.query_one("#progress-log", Static).update(Content("\n").join(self.lines))

    def _set_app_flag(self, value: bool) -> None:
        if hasattr(self.app, "demo_in_flight"):
            self.app.demo_in_flight = value  # type: ignore[attr-defined]

    def action_stop(self) -> None:
        if self.running and self._worker is not None:
            self._worker.cancel()  # kills the child: the supervisor's stream closes
            self._set_app_flag(False)
            self.notify(f"Demo stopped; {self.saved} version(s) saved.", severity="warning")
            self.dismiss(False)
            return
        self.dismiss(self.saved > 0)  # after a failure, what was saved is worth a look
