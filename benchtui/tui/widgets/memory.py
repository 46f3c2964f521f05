"""The memory pane: RSS and tracemalloc-current over time, peaks, leak rate and leak sites.

RSS is sampled by the parent (every ~100 ms); traced memory comes from the child's memory
phase, by iteration. While that phase runs, a leak rate is estimated from the traced series;
the final one (a regression in the child) replaces it when the operation finishes. Rendered
from a ``LiveSnapshot``; computes no more than that estimate.
"""

from __future__ import annotations

import numpy as np
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from benchtui import format as fmt
from benchtui.runner.live import LiveSnapshot
from benchtui.tui.widgets.graph import SeriesGraph

MUTED = "$foreground-muted"
MAX_SITES = 5


def live_leak_rate(series: tuple[tuple[float, float], ...]) -> float | None:
    """Bytes per iteration from a line fit over the second half of the traced series."""
    points = series[len(series) // 2 :]
    if len(points) < 4:
        return None
    xs = np.array([p[0] for p in points], dtype=np.float64)
    ys = np.array([p[1] for p in points], dtype=np.float64)
    if np.ptp(xs) <= 0:
        return None
    slope, _ = np.polyfit(xs, ys, 1)
    return float(slope)


def rss_points(snap: LiveSnapshot) -> tuple[tuple[float, float], ...]:
    # A reading of 0 comes from sampling a worker that already exited: not a measurement.
    return tuple(p for p in snap.rss_series if p[1] > 0)


def _series_line(
    name: str, points: tuple[tuple[float, float], ...], peak: int | None, done: bool
) -> Content:
    if not points:
        return Content.assemble(
            (f"{name:<7}", "bold"), ("no readings" + ("" if done else " yet"), MUTED)
        )
    values = [p[1] for p in points]
    return Content.assemble(
        (f"{name:<7}", "bold"),
        ("now ", MUTED),
        fmt.size_bytes(values[-1]),
        ("  peak ", MUTED),
        fmt.size_bytes(peak if peak is not None else max(values)),
        ("  min ", MUTED),
        fmt.size_bytes(min(values)),
    )


def leak_text(snap: LiveSnapshot) -> Content:
    result = snap.result
    if result is not None and result.memory.leak_bytes_per_iter is not None:
        memory = result.memory
        style = "bold $error" if memory.leak_detected else "$success"
        verdict = "leaks" if memory.leak_detected else "no leak"
        lines = [
            Content.assemble(
                ("leak   ", "bold"),
                (f"{fmt.size_bytes(memory.leak_bytes_per_iter)}/it", style),
                (f"  {verdict}", style),
            )
        ]
        if memory.leak_sites:
            lines.append(Content.styled("top growing sites", MUTED))
            for site in memory.leak_sites[:MAX_SITES]:
                lines.append(
                    Content.assemble(
                        (f"{fmt.size_bytes(site.size_bytes):>10}", "$warning"),
                        (f" {site.count:>7,} blk  ", MUTED),
                        site.site,
                    )
                )
        return Content("\n").join(lines)
    if snap.phase == "memory":
        rate = live_leak_rate(snap.traced_series)
        if rate is None:
            return Content.assemble(("leak   ", "bold"), ("measuring…", MUTED))
        return Content.assemble(
            ("leak   ", "bold"), f"~{fmt.size_bytes(rate)}/it", ("  (estimate so far)", MUTED)
        )
    off = snap.memory is False or (result is not None and not result.settings.get("memory", True))
    if off:
        return Content.assemble(("leak   ", "bold"), ("memory phase off", MUTED))
    if result is not None:
        # Finished without a leak figure: no memory phase is coming, so do not promise one.
        return Content.assemble(("leak   ", "bold"), (no_leak_figure(snap), MUTED))
    return Content.assemble(("leak   ", "bold"), ("after the memory phase", MUTED))


STOP_REASONS = {
    "timeout": "timed out",
    "crashed": "crashed",
    "cancelled": "cancelled",
    "error": "error",
}


def no_leak_figure(snap: LiveSnapshot) -> str:
    """Why a finished operation with the memory phase on has no leak figure."""
    reason = STOP_REASONS.get(snap.status)
    if reason is None:  # ok, yet no figure (too few traced calls to fit a slope)
        return "no leak estimate"
    if snap.complete:  # an error status whose calls raised: every phase ran
        return "no leak estimate (calls raised)"
    if snap.ended_in == "memory":
        return f"memory phase did not finish ({reason})"
    return f"memory phase did not run ({reason})"


class MemoryPane(Vertical):
    """RSS and traced memory of the shown operation; set ``snapshot`` to redraw."""

    DEFAULT_CSS = """
    MemoryPane { height: 1fr; }
    MemoryPane > Static { height: 1; }
    MemoryPane > #leak-line { height: 1fr; }
    MemoryPane > SeriesGraph { height: 2; margin-bottom: 1; }
    """

    # A container: its children repaint themselves; repainting it too would double the work.
    snapshot: reactive[LiveSnapshot | None] = reactive(None, repaint=False)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._shown: dict[str | None, Content] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="rss-line")
        yield SeriesGraph("primary", id="rss-spark")
        yield Static(id="traced-line")
        yield SeriesGraph("secondary", id="traced-spark")
        yield Static(id="leak-line")

    def watch_snapshot(self, snap: LiveSnapshot | None) -> None:
        if not self.is_mounted:
            return
        rss_line = self.query_one("#rss-line", Static)
        traced_line = self.query_one("#traced-line", Static)
        leak_line = self.query_one("#leak-line", Static)
        rss_spark = self.query_one("#rss-spark", SeriesGraph)
        traced_spark = self.query_one("#traced-spark", SeriesGraph)
        if snap is None:
            self._show(rss_line, Content.styled("no operation shown", MUTED))
            self._show(traced_line, Content(""))
            self._show(leak_line, Content(""))
            rss_spark.values, traced_spark.values = (), ()
            return
        done = snap.result is not None
        rss_series = rss_points(snap)
        self._show(rss_line, _series_line("RSS", rss_series, snap.rss_peak_bytes, done))
        if snap.memory is False:  # not "no readings yet": none will come
            traced = Content.assemble(("traced ", "bold"), ("memory phase off", MUTED))
        else:
            traced = _series_line("traced", snap.traced_series, snap.traced_peak_bytes, done)
        self._show(traced_line, traced)
        rss_spark.values = tuple(p[1] for p in rss_series)
        traced_spark.values = tuple(p[1] for p in snap.traced_series)
        self._show(leak_line, leak_text(snap))

    def _show(self, line: Static, content: Content) -> None:
        # Fixed-height lines: repaint only when the text changed, and never a layout pass.
        if self._shown.get(line.id) != content:
            self._shown[line.id] = content
            line.update(content, layout=False)

    def on_mount(self) -> None:
        self.watch_snapshot(self.snapshot)
