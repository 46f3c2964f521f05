"""Two versions' latency histograms on one log axis, mirrored: A grows up, B grows down.

Both stored HDR histograms (merged over each version's runs) are folded onto the same columns,
so a shift of the whole distribution, a new tail or a second mode reads at a glance; each
side is scaled to its own peak (shapes compare even when the sample counts differ). p50 and
p99 markers sit above A and below B. Colours are theme variables only: A in primary, B in
accent. It decodes nothing: it draws the (bucket, count) pairs it is given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from textual.reactive import reactive
from textual.strip import Strip

from benchtui.tui.widgets.histogram import Columns, bar_heights, marker_line, tick_labels
from benchtui.tui.widgets.paint import LineWidget, bar_rows, styled_run, text_strip

Bins = tuple[tuple[int, int], ...]
MARKED = ("p50", "p99")
# Percentile markers: A's point down at its bars from above, B's up at its bars from below.
# Small triangles, unlike the verdict glyphs ▲ slower / ▼ faster of the other screens.
A_MARKER, B_MARKER = "▾", "▴"
HANGING = " ▔▔▔▀▀▀▀█"  # eighths 0..8 of a cell filled from the top


@dataclass(frozen=True)
class OverlayView:
    a_label: str = ""
    b_label: str = ""
    a_bins: Bins = ()
    b_bins: Bins = ()
    a_marks: tuple[tuple[str, int], ...] = ()  # (name, ns): percentiles to mark
    b_marks: tuple[tuple[str, int], ...] = ()
    message: str = ""


def shared_axis(a: Bins, b: Bins) -> tuple[float, float] | None:
    values = [max(v, 1) for v, _ in (*a, *b)]
    if not values:
        return None
    low, high = float(min(values)), float(max(values))
    if high <= low * 1.02:
        low, high = low / 1.05, high * 1.05
    return low, high * 1.0001  # the largest value lands in the last column


def fold_on(bins: Bins, width: int, low: float, high: float) -> Columns:
    """Counts of ``bins`` in ``width`` log-spaced columns over [low, high]."""
    if not bins:
        return Columns(np.zeros(width), low, high)
    values = np.fromiter((max(v, 1) for v, _ in bins), dtype=np.float64, count=len(bins))
    counts = np.fromiter((c for _, c in bins), dtype=np.float64, count=len(bins))
    position = (np.log10(values) - math.log10(low)) / (math.log10(high) - math.log10(low))
    columns = np.clip((position * width).astype(np.int64), 0, width - 1)
    return Columns(np.bincount(columns, weights=counts, minlength=width), low, high)


def down_rows(counts: np.ndarray, rows: int, styles: list) -> list[Strip]:  # type: ignore[type-arg]
    """Bars hanging from the top, top row first (coarser than rising bars: few upper blocks)."""
    peak = counts.max() if len(counts) else 0
    if peak <= 0:
        return [styled_run([" "] * len(counts), styles) for _ in range(rows)]
    heights = np.rint(counts / peak * rows * 8).astype(np.int64)
    heights[(counts > 0) & (heights == 0)] = 1
    strips = []
    for row in range(rows):
        levels = np.clip(heights - row * 8, 0, 8)
        # Upper blocks come in 1/8, 1/2 and full only: round each cell to the nearest.
        strips.append(styled_run([HANGING[int(v)] for v in levels], styles))
    return strips


class HistogramOverlay(LineWidget):
    """Version A above the axis, version B below; set ``view`` to redraw."""

    DEFAULT_CSS = """
    HistogramOverlay { height: 1fr; min-height: 8; }
    """

    view: reactive[OverlayView] = reactive(OverlayView, repaint=False, always_update=True)

    def watch_view(self) -> None:
        self.update_lines()

    def build(self, width: int, height: int) -> list[Strip]:
        view = self.view
        muted = self.palette.style("foreground-muted")
        axis = shared_axis(view.a_bins, view.b_bins)
        if view.message or axis is None:
            text = view.message or "no latency samples stored for either version"
            return [text_strip(text, muted, width)]
        rows = (height - 4) // 2
        if width < 16 or rows < 1:
            return [text_strip("(too small for the histograms)", muted, width)]
        a = fold_on(view.a_bins, width, *axis)
        b = fold_on(view.b_bins, width, *axis)
        a_style, b_style = self.palette.style("primary"), self.palette.style("accent")
        lines = [
            self._markers(a, view.a_marks, width, a_style, f"A {view.a_label}", A_MARKER),
            *bar_rows(bar_heights(a.counts, rows), rows, [a_style] * width),
            self._axis(a, width),
            *down_rows(b.counts, rows, [b_style] * width),
            self._markers(b, view.b_marks, width, b_style, f"B {view.b_label}", B_MARKER),
            text_strip(tick_labels(a, width), muted, width),
        ]
        if not view.a_bins:
            lines[1] = text_strip(f"no samples for {view.a_label}", muted, width)
        if not view.b_bins:
            lines[rows + 2] = text_strip(f"no samples for {view.b_label}", muted, width)
        return lines

    def _markers(
        self,
        columns: Columns,
        marks: tuple[tuple[str, int], ...],
        width: int,
        style,  # type: ignore[no-untyped-def]
        name: str,
        arrow: str,
    ) -> Strip:
        wanted = {n: columns.column_of(v) for n, v in marks if n in MARKED and v > 0}
        line = marker_line(wanted, width).replace("▾", arrow)  # marker_line draws ▾
        # The side's name at the right end when the markers leave room for it.
        if len(name) + 2 < width and not line[-len(name) - 2 :].strip():
            line = line[: width - len(name) - 1] + name + " "
        elif len(name) + 1 < width and not line[: len(name) + 1].strip():
            line = name + line[len(name) :]
        return text_strip(line, style, width)

    def _axis(self, columns: Columns, width: int) -> Strip:
        cells = ["─"] * width
        decade = 10 ** math.ceil(math.log10(columns.low))
        while decade < columns.high:
            cells[columns.column_of(decade)] = "┼"
            decade *= 10
        return text_strip("".join(cells), self.palette.style("foreground-muted"), width)
