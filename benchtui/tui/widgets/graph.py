"""A small multi-row spark graph of one series (memory over time), drawn line by line.

The series is folded into one column per cell (the maximum of the points that fall in it) and
scaled between its own minimum and maximum, so slow growth is visible; the pane's text gives
the absolute figures. One theme variable colours it. It keeps no history of its own.
"""

from __future__ import annotations

import numpy as np
from textual.reactive import reactive
from textual.strip import Strip

from benchtui.tui.widgets.paint import LineWidget, bar_rows


def fold_series(values: tuple[float, ...], width: int) -> np.ndarray:
    """One value per column across the whole width: the max of each slice when there are
    more points than columns, each point repeated over its share of columns when fewer."""
    data = np.asarray(values, dtype=np.float64)
    if not len(data) or width < 1:
        return np.zeros(0, dtype=np.float64)
    if len(data) <= width:
        return data[(np.arange(width) * len(data)) // width]
    edges = np.linspace(0, len(data), width + 1).astype(np.int64)
    return np.maximum.reduceat(data, edges[:-1])


def series_heights(values: np.ndarray, rows: int) -> np.ndarray:
    """Heights in eighths of a cell between the series' min (one eighth) and max (full)."""
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    low, high = float(values.min()), float(values.max())
    if high <= low:
        return np.full(len(values), rows * 4, dtype=np.int64)  # flat: a level line at half
    scaled = (values - low) / (high - low)
    return (1 + np.rint(scaled * (rows * 8 - 1))).astype(np.int64)


class SeriesGraph(LineWidget):
    """Bars of ``values`` (oldest on the left); ``variable`` names the theme colour."""

    DEFAULT_CSS = """
    SeriesGraph { height: 2; }
    """

    values: reactive[tuple[float, ...]] = reactive((), repaint=False)

    def __init__(self, variable: str = "primary", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.variable = variable

    def watch_values(self) -> None:
        self.update_lines()

    def build(self, width: int, height: int) -> list[Strip]:
        heights = series_heights(fold_series(self.values, width), height)
        style = self.palette.style(self.variable)
        return bar_rows(heights, height, [style] * len(heights))
