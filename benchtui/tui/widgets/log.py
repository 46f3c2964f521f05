"""The log pane: the operation's own stdout/stderr, then its traceback if it failed.

Output arrives in the snapshot as one string (head and tail kept by the core, so a flood is
bounded). Each repaint appends only what is new when the shown text is a prefix of the new one,
and rewrites the log otherwise (another operation shown, or the core dropped the middle of a
flood). The error summary stays visible above the log in the theme's error colour.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Log, Static

from benchtui import format as fmt
from benchtui.runner.live import LiveSnapshot
from benchtui.runner.results import ErrorInfo

TRACEBACK_RULE = "──── traceback ────"
MAX_LINES = 5000  # the core keeps ~64 KB of output; this only bounds pathological lines


def full_text(snap: LiveSnapshot) -> str:
    text = snap.output
    if snap.error is not None and snap.error.traceback:
        if text and not text.endswith("\n"):
            text += "\n"
        text += f"{TRACEBACK_RULE}\n{snap.error.traceback.rstrip()}\n"
    return text


class OutputPane(Vertical):
    """Output and traceback of the shown operation; set ``snapshot`` to redraw."""

    DEFAULT_CSS = """
    OutputPane { height: 1fr; }
    OutputPane > #error-head { color: $error; height: auto; max-height: 3; display: none; }
    OutputPane > #error-head.-shown { display: block; }
    OutputPane > #empty-note { color: $foreground-muted; height: 1; }
    OutputPane > Log { height: 1fr; background: $surface; overflow: auto; scrollbar-size: 1 1; }
    """

    # A container: its children repaint themselves; repainting it too would double the work.
    snapshot: reactive[LiveSnapshot | None] = reactive(None, repaint=False)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._written = ""
        self._error: ErrorInfo | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="error-head")
        yield Static("no output", id="empty-note")
        yield Log(max_lines=MAX_LINES, id="output-log")

    def on_mount(self) -> None:
        self.watch_snapshot(self.snapshot)

    def watch_snapshot(self, snap: LiveSnapshot | None) -> None:
        if not self.is_mounted:
            return
        log = self.query_one(Log)
        head = self.query_one("#error-head", Static)
        text = full_text(snap) if snap is not None else ""
        if text.startswith(self._written):
            delta = text[len(self._written) :]
            if delta:
                log.write(delta)
        else:
            log.clear()
            log.write(text)
        self._written = text
        # Touch the other children only on change: each touch costs a repaint.
        note = self.query_one("#empty-note", Static)
        if note.display != (not text):
            note.display = not text
        error = snap.error if snap is not None else None
        if error != self._error:
            self._error = error
            if error is not None:
                head.update(
                    Content.assemble(
                        (f"✗ {error.type}: ", "bold $error"), (error.message, "$error")
                    )
                )
            head.set_class(error is not None, "-shown")
        size = fmt.size_bytes(len(snap.output)) if snap is not None and snap.output else ""
        if size != self.border_subtitle:
            self.border_subtitle = size
