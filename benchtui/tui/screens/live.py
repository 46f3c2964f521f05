"""The live run screen: the queue, and for the shown operation its histogram, stats, memory
and output panes.

A timer takes the session's latest ``RunView`` a few times a second (never per event) and sets
the panes' reactive ``snapshot``; panes repaint only when their snapshot changed. The shown
operation follows the running one unless the person picks another in the queue (finished
summaries stay browsable). The screen drives nothing: cancelling and quitting are the app's.
"""

from __future__ import annotations

from typing import Protocol

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header

from benchtui import format as fmt
from benchtui.tui import keys
from benchtui.tui.messages import EntryChosen
from benchtui.tui.session import FINAL_PHASES, EntryKey, RunView
from benchtui.tui.widgets.histogram import LatencyHistogram
from benchtui.tui.widgets.log import OutputPane
from benchtui.tui.widgets.memory import MemoryPane
from benchtui.tui.widgets.queue import QueueList
from benchtui.tui.widgets.stats import StatsPane

REFRESH_S = 0.25  # repaint pace, whatever the event rate
NARROW_BELOW = 130  # columns: below this the panes stack and scroll


class ViewSource(Protocol):
    """Anything that can say what a run looks like now (the session, or a test's fake)."""

    def view(self) -> RunView: ...


class LiveScreen(Screen[None]):
    """Watch a run; browse finished operations' summaries."""

    BINDINGS = [keys.BACK]
    DEFAULT_CSS = """
    LiveScreen #live-body { height: 1fr; }
    LiveScreen .pane {
        border: round $primary 40%;
        border-title-color: $primary;
        border-subtitle-color: $foreground-muted;
        padding: 0 1;
    }
    LiveScreen .pane:focus-within { border: round $accent; }
    LiveScreen #queue-pane { width: 32; height: 1fr; padding: 0; }
    LiveScreen #panes {
        width: 1fr; height: 1fr; overflow-y: hidden; scrollbar-size-vertical: 1;
    }
    LiveScreen #top-row { height: 1fr; }
    LiveScreen #bottom-row { height: 1fr; }
    LiveScreen #stats { width: 56; height: 1fr; min-height: 11; }
    LiveScreen #histogram { width: 1fr; height: 1fr; }
    LiveScreen #memory { width: 1fr; height: 1fr; }
    LiveScreen #output { width: 1fr; height: 1fr; }
    LiveScreen.-narrow #queue-pane { width: 24; }
    LiveScreen.-narrow #panes { overflow-y: auto; }
    LiveScreen.-narrow #top-row { height: auto; layout: vertical; }
    LiveScreen.-narrow #bottom-row { height: auto; layout: vertical; }
    LiveScreen.-narrow #stats { width: 1fr; height: 11; }
    LiveScreen.-narrow #histogram { width: 1fr; height: 12; }
    LiveScreen.-narrow #memory { width: 1fr; height: 14; }
    LiveScreen.-narrow #output { width: 1fr; height: 14; }
    """

    def __init__(self, source: ViewSource, *, refresh_s: float = REFRESH_S) -> None:
        super().__init__()
        self.source = source
        self.refresh_s = refresh_s
        self.pinned: EntryKey | None = None
        self.shown: EntryKey | None = None
        self.view: RunView | None = None
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="live-body"):
            with Vertical(id="queue-pane", classes="pane") as queue_pane:
                queue_pane.border_title = "queue"
                yield QueueList(id="queue")
            with VerticalScroll(id="panes"):
                with Horizontal(id="top-row"):
                    yield _titled(StatsPane(id="stats", classes="pane"), "stats")
                    yield _titled(LatencyHistogram(id="histogram", classes="pane"), "latency")
                with Horizontal(id="bottom-row"):
                    yield _titled(MemoryPane(id="memory", classes="pane"), "memory")
                    yield _titled(OutputPane(id="output", classes="pane"), "output")
        yield Footer()

    def on_mount(self) -> None:
        self._apply_width(self.size.width)
        self.refresh_view()
        self._timer = self.set_interval(self.refresh_s, self.refresh_view)
        self.query_one(QueueList).focus()

    def on_resize(self, event: events.Resize) -> None:
        self._apply_width(event.size.width)

    # ------------------------------------------------------------------ repaint
    def refresh_view(self) -> None:
        """Take the latest view and hand each pane its snapshot (cheap when nothing changed)."""
        view = self.source.view()
        self.view = view
        shown = self._choose(view)
        self.shown = shown
        self.query_one(QueueList).update_entries(view.entries, shown)
        entry = view.entry(shown)
        snapshot = entry.snapshot if entry is not None else None
        self.query_one(StatsPane).memory_planned = entry.memory_iterations if entry else None
        for pane in (StatsPane, LatencyHistogram, MemoryPane, OutputPane):
            self.query_one(pane).snapshot = snapshot
        histogram = self.query_one(LatencyHistogram)
        samples = sum(c for _, c in snapshot.histogram_bins) if snapshot else 0
        histogram.border_subtitle = f"{fmt.count(samples)} samples · log scale" if samples else ""
        # Changes only when the phase or the operation changes (a title change costs a layout).
        self.sub_title = self._describe(view)
        if view.phase in FINAL_PHASES and self._timer is not None:
            # Nothing changes any more: stop polling (the last frame above is final).
            self._timer.stop()
            self._timer = None

    def _choose(self, view: RunView) -> EntryKey | None:
        if self.pinned is not None and view.entry(self.pinned) is not None:
            return self.pinned
        if view.current is not None:
            return view.current
        # Nothing running (between two operations, or the run is over or cancelled): keep the
        # one that ran last. The queue runs in order, so that is the last one started; those a
        # cancel skipped end "cancelled" too but never started, and must not steal the view.
        started = [e.key for e in view.entries if e.snapshot.started]
        if started:
            return started[-1]
        return view.entries[0].key if view.entries else None

    def _describe(self, view: RunView) -> str:
        total = len(view.entries)
        phase = {
            "checking": "checking references",
            "running": f"running {min(view.done + 1, total)}/{total}",
            "saving": "saving",
            "finished": f"finished {view.done}/{total} in {fmt.seconds(view.elapsed_s)}",
            "cancelled": "cancelled",
            "rejected": "did not start",
            "failed": "failed",
        }.get(view.phase, view.phase)
        return f"{view.label} · {phase}"

    # ------------------------------------------------------------------ events
    def on_entry_chosen(self, message: EntryChosen) -> None:
        view = self.view
        # Picking the running one means "follow the run" again.
        follow = view is not None and message.key == view.current
        self.pinned = None if follow else message.key
        self.refresh_view()

    def action_back(self) -> None:
        self.dismiss()

    def _apply_width(self, width: int) -> None:
        self.set_class(width < NARROW_BELOW, "-narrow")


def _titled(widget, title: str):  # type: ignore[no-untyped-def]
    widget.border_title = title
    return widget
