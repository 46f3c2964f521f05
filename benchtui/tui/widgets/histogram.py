"""The live latency histogram: log-scaled buckets with p50/p90/p99/p99.9 markers.

Takes the non-empty HdrHistogram buckets of a ``LiveSnapshot`` (0.1% resolution), folds them
into one column per terminal cell on a log10 latency axis, and draws them with eighth blocks,
line by line. As data arrives the shape refines; nothing is kept between frames but the lines
of the current one. Colours come from theme variables only: the bulk up to p90 in primary,
the tail to p99 in warning, outliers beyond in error, markers in accent. It does not decode
histograms or compute percentiles (the snapshot carries them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from textual.reactive import reactive
from textual.strip import Strip

from benchtui import format as fmt
from benchtui.runner.live import LiveSnapshot
from benchtui.tui.widgets.paint import LineWidget, bar_rows, text_strip

MARKERS = (("p50", "p50"), ("p90", "p90"), ("p99", "p99"), ("p999", "p99.9"))


@dataclass(frozen=True)
class Columns:
    """Histogram counts folded into ``len(counts)`` log-spaced columns over [low, high]."""

    counts: np.ndarray
    low: float
    high: float

    def column_of(self, value: float) -> int:
        width = len(self.counts)
        if value <= self.low or self.high <= self.low:
            return 0
        position = (math.log10(value) - math.log10(self.low)) / (
            math.log10(self.high) - math.log10(self.low)
        )
        return min(max(int(position * width), 0), width - 1)

    def value_at(self, column: float) -> float:
        span = math.log10(self.high) - math.log10(self.low)
        return 10 ** (math.log10(self.low) + span * column / len(self.counts))


def fold(bins: tuple[tuple[int, int], ...], width: int) -> Columns | None:
    """One count per column on a log axis spanning the recorded values."""
    if not bins or width < 1:
        return None
    values = np.fromiter((max(v, 1) for v, _ in bins), dtype=np.float64, count=len(bins))
    counts = np.fromiter((c for _, c in bins), dtype=np.int64, count=len(bins))
    low, high = float(values.min()), float(values.max())
    # A one-bucket histogram still needs an axis: widen it a little on both sides.
    if high <= low * 1.02:
        low, high = low / 1.05, high * 1.05
    high *= 1.0001  # the largest value lands in the last column, not past it
    position = (np.log10(values) - math.log10(low)) / (math.log10(high) - math.log10(low))
    columns = np.clip((position * width).astype(np.int64), 0, width - 1)
    return Columns(np.bincount(columns, weights=counts, minlength=width), low, high)


def bar_heights(counts: np.ndarray, rows: int) -> np.ndarray:
    """Heights in eighths of a cell; any non-empty column shows at least one eighth."""
    peak = counts.max() if len(counts) else 0
    if peak <= 0:
        return np.zeros(len(counts), dtype=np.int64)
    heights = np.rint(counts / peak * rows * 8).astype(np.int64)
    heights[(counts > 0) & (heights == 0)] = 1
    return heights


def marker_line(marker_cols: dict[str, int], width: int) -> str:
    """An arrow at every marker's column; its label beside it (after, else before) if free."""
    cells = [" "] * width
    for col in marker_cols.values():
        cells[col] = "▾"

    def free(start: int, end: int) -> bool:
        # The span and one cell either side (other than the own arrow) must be blank.
        return start >= 0 and end <= width and all(c == " " for c in cells[start:end])

    for name, col in marker_cols.items():
        n = len(name)
        after = free(col + 1, col + 1 + n) and (col + 1 + n == width or cells[col + 1 + n] == " ")
        if after:
            cells[col + 1 : col + 1 + n] = list(name)
        elif free(col - n, col) and (col - n == 0 or cells[col - n - 1] == " "):
            cells[col - n : col] = list(name)
    return "".join(cells)


def tick_labels(columns: Columns, width: int) -> str:
    """Round decades (1 µs, 10 µs…) under their ticks, then min on the left and max on the
    right where they still fit. Decades go first: an edge value placed beside a decade tick
    (85 µs next to the 100 µs tick) would read as that tick's value."""
    cells = [" "] * width

    def place(text: str, start: int) -> None:
        start = min(max(start, 0), max(width - len(text), 0))
        end = start + len(text)
        if end > width or any(c != " " for c in cells[max(start - 1, 0) : min(end + 1, width)]):
            return
        cells[start:end] = list(text)

    decade = 10 ** math.ceil(math.log10(columns.low))
    while decade < columns.high:
        label = fmt.duration_ns(decade)
        place(label, columns.column_of(decade) - len(label) // 2)
        decade *= 10
    place(fmt.duration_ns(columns.low), 0)
    high = fmt.duration_ns(columns.high)
    place(high, width - len(high))
    return "".join(cells)


class LatencyHistogram(LineWidget):
    """Latency distribution of the shown operation; set ``snapshot`` to redraw.

    Only the rows that changed since the last frame are repainted.
    """

    DEFAULT_CSS = """
    LatencyHistogram { height: 1fr; min-height: 6; }
    """

    snapshot: reactive[LiveSnapshot | None] = reactive(None, repaint=False)

    def watch_snapshot(self) -> None:
        self.update_lines()

    def build(self, width: int, height: int) -> list[Strip]:
        snap = self.snapshot
        muted = self.palette.style("foreground-muted")
        if snap is None or not snap.histogram_bins or width < 8 or height < 4:
            if snap is None:
                text = "no operation shown"
            elif snap.iterations and snap.errors and not snap.latency_samples:
                # Failed calls record no latency: say why there is nothing, not "waiting".
                text = "no latency: every timed call raised"
                text += " so far" if snap.result is None else ""
            elif snap.result is not None:
                text = "no latency samples"
            else:
                text = "waiting for timed samples…"
            return [text_strip(text, muted, width)]
        columns = fold(snap.histogram_bins, width)
        assert columns is not None
        rows = height - 3  # marker line on top, axis line and labels below
        heights = bar_heights(columns.counts, rows)
        lat = snap.latency
        p90_col, p99_col = columns.column_of(lat.p90), columns.column_of(lat.p99)
        marker_cols = {name: columns.column_of(getattr(lat, attr)) for attr, name in MARKERS}
        bar, tail, outlier = (
            self.palette.style("primary"),
            self.palette.style("warning"),
            self.palette.style("error"),
        )
        col_styles = [
            bar if c <= p90_col else tail if c <= p99_col else outlier for c in range(width)
        ]
        axis = ["─"] * width
        for col in marker_cols.values():
            axis[col] = "┴"
        return [
            text_strip(marker_line(marker_cols, width), self.palette.style("accent", True), width),
            *bar_rows(heights, rows, col_styles),
            text_strip("".join(axis), muted, width),
            text_strip(tick_labels(columns, width), muted, width),
        ]
