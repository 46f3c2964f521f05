"""The trend chart: one operation's versions in run order, drawn line by line.

Three views of the same ``ChartView`` snapshot, each made of bands of bars (one bar per
version, eighth-block resolution, each band scaled to its own range with the range in the
gutter): latency (a p50 band whose bars take the colour of the verdict against the previous
version, and a p99 band), throughput (coloured by verdict too), and memory (tracemalloc peak,
leak per call, RSS peak). Under the bands an axis row carries each version's verdict glyph
(▲ slower in the error colour, ▼ faster, ? inconclusive), so a regression stands out even in a
narrow terminal; the last row names the highlighted version. When the page holds more
versions than columns, the chart shows a window that follows the table's cursor. Colours come
from theme variables only (``paint.Palette``).

It computes no statistics and reads no database: it draws the snapshot it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rich.style import Style
from textual.reactive import reactive
from textual.strip import Strip

from benchtui import format as fmt
from benchtui.stats import FASTER, INCONCLUSIVE, NO_CHANGE, SLOWER
from benchtui.tui.history_queries import TrendPoint
from benchtui.tui.widgets.paint import BLOCKS, LineWidget, styled_run, text_strip

LATENCY, THROUGHPUT, MEMORY = "latency", "throughput", "memory"
MODES = (LATENCY, THROUGHPUT, MEMORY)
GUTTER = 9  # y-axis labels ("123 µs") and the axis line
MAX_STEP = 12  # columns per version when there are few

# Verdict kind -> (glyph, theme variable). Failed versions and first versions are apart.
VERDICT_MARKS = {
    SLOWER: ("▲", "error"),
    FASTER: ("▼", "success"),
    INCONCLUSIVE: ("?", "warning"),
    NO_CHANGE: ("=", "foreground-muted"),
}
FAILED_MARK = ("✗", "error")
FIRST_MARK = ("○", "primary")
PENDING_MARK = ("…", "foreground-muted")


def verdict_mark(point: TrendPoint) -> tuple[str, str]:
    """The glyph and theme variable of a version's verdict against the one before it."""
    if point.failed:
        return FAILED_MARK
    if not point.judged:
        return PENDING_MARK
    if point.verdict is None:
        return FIRST_MARK
    return VERDICT_MARKS.get(point.verdict.kind, PENDING_MARK)


@dataclass(frozen=True)
class ChartView:
    """What the chart shows: a page of versions (oldest first), the highlighted one, the
    marked ones and the view."""

    points: tuple[TrendPoint, ...] = ()
    cursor: int | None = None
    marked: frozenset[str] = field(default_factory=frozenset)
    mode: str = LATENCY
    message: str = ""  # shown instead of a chart (empty page, loading, error)


def window(n: int, cursor: int | None, capacity: int) -> tuple[int, int]:
    """The slice of ``n`` versions to draw in ``capacity`` slots: the newest ones, sliding
    back so the cursor stays in view with a quarter of the width of context after it."""
    if capacity <= 0 or n <= 0:
        return 0, 0
    if n <= capacity:
        return 0, n
    cursor = n - 1 if cursor is None else min(max(cursor, 0), n - 1)
    start = cursor - capacity + 1 + capacity // 4
    start = min(max(start, 0), n - capacity)
    return start, start + capacity


def bar_scale(values: Sequence[float]) -> tuple[float, float]:
    """The (baseline, top) of a band: the smallest value still shows a quarter-height bar,
    so that differences read without a bar vanishing; a flat series sits at half height."""
    lo, hi = min(values), max(values)
    if hi <= lo:
        spread = abs(hi) * 0.05 or 1.0
        return lo - spread, hi + spread
    return lo - (hi - lo) / 3, hi


def eighths(value: float, lo: float, hi: float, rows: int) -> int:
    """A bar's height in eighths of a cell (at least one) for ``value`` on [lo, hi]."""
    fraction = (value - lo) / (hi - lo) if hi > lo else 0.5
    return max(1, min(rows * 8, round(fraction * rows * 8)))


class Grid:
    """A width x height board of (character, style) cells, turned into strips at the end."""

    def __init__(self, width: int, height: int, style: Style) -> None:
        self.width, self.height = width, height
        self.chars = [[" "] * width for _ in range(height)]
        self.styles = [[style] * width for _ in range(height)]

    def put(self, x: int, y: int, char: str, style: Style) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            self.chars[y][x] = char
            self.styles[y][x] = style

    def text(self, x: int, y: int, text: str, style: Style) -> None:
        for i, char in enumerate(text):
            self.put(x + i, y, char, style)

    def free(self, x: int, y: int, length: int) -> bool:
        if x < 0 or x + length > self.width:
            return False
        return all(c == " " for c in self.chars[y][max(x - 1, 0) : x + length + 1])

    def strips(self) -> list[Strip]:
        return [styled_run(c, s) for c, s in zip(self.chars, self.styles, strict=True)]


class TrendChart(LineWidget):
    """The chart of the selected operation; set ``view`` to redraw."""

    DEFAULT_CSS = """
    TrendChart { height: 1fr; min-height: 6; }
    """

    view: reactive[ChartView] = reactive(ChartView, repaint=False, always_update=True)

    def watch_view(self) -> None:
        self.update_lines()

    def build(self, width: int, height: int) -> list[Strip]:
        view = self.view
        muted = self.palette.style("foreground-muted")
        if view.message or not view.points:
            return [text_strip(view.message or "no versions", muted, width)]
        if width < GUTTER + 6 or height < 4:
            return [text_strip("(too small)", muted, width)]
        n = len(view.points)
        plot_width = width - GUTTER
        step = min(MAX_STEP, max(1, plot_width // n))
        start, end = window(n, view.cursor, plot_width // step)
        shown = view.points[start:end]
        bar = 1 if step <= 2 else 2 if step <= 5 else 3
        lefts = [GUTTER + i * step + (step - bar) // 2 for i in range(len(shown))]
        grid = Grid(width, height, self.palette.style("foreground"))
        rows = height - 2
        for band in self._bands(view.mode, rows):
            self._band(grid, shown, lefts, bar, *band)
        self._guides(grid, view, shown, [x + bar // 2 for x in lefts], start, rows)
        self._axis(grid, view, shown, [x + bar // 2 for x in lefts], start, rows)
        return grid.strips()

    def _bands(self, mode: str, rows: int) -> list[tuple]:  # type: ignore[type-arg]
        """(top, rows, name, value, variable or None for verdict colours, formatter)."""
        if mode == THROUGHPUT:
            return [(0, rows, "thr/s", lambda p: p.stats.throughput_per_s, None, fmt.rate)]
        if mode == MEMORY:
            third = max(rows // 3, 1)
            return [
                (
                    0,
                    third,
                    "traced",
                    lambda p: p.stats.tracemalloc_peak_bytes,
                    "primary",
                    fmt.size_bytes,
                ),
                (
                    third,
                    third,
                    "leak/it",
                    lambda p: p.stats.leak_bytes_per_iter,
                    "warning",
                    fmt.size_bytes,
                ),
                (
                    2 * third,
                    rows - 2 * third,
                    "RSS",
                    lambda p: p.stats.rss_peak_bytes,
                    "secondary",
                    fmt.size_bytes,
                ),
            ]
        upper = max(rows - max(rows * 2 // 5, 1), 1)
        return [
            (0, upper, "p50", lambda p: p.stats.p50_ns, None, fmt.duration_ns),
            (upper, rows - upper, "p99", lambda p: p.stats.p99_ns, "secondary", fmt.duration_ns),
        ]

    # ------------------------------------------------------------------ parts
    def _band(
        self,
        grid: Grid,
        shown: Sequence[TrendPoint],
        lefts: list[int],
        bar: int,
        top: int,
        rows: int,
        name: str,
        value: Callable[[TrendPoint], float | None],
        variable: str | None,
        formatter: Callable[[float], str],
    ) -> None:
        """One bar per version in rows [top, top + rows), scaled to the band's own range.
        ``variable`` colours every bar; ``None`` colours each by its verdict."""
        if rows < 1 or top >= grid.height:
            return
        muted = self.palette.style("foreground-muted")
        values = [value(p) for p in shown]
        known = [v for v in values if v is not None]
        label_style = self.palette.style(variable or "primary", True)
        self._gutter(grid, top, rows, name, label_style, known, formatter)
        if not known:
            grid.text(GUTTER, top, "no figures (no successful run in view)", muted)
            return
        lo, hi = bar_scale(known)
        for point, x, v in zip(shown, lefts, values, strict=True):
            if v is None:
                grid.text(x, top + rows - 1, FAILED_MARK[0] * bar, self.palette.style("error"))
                continue
            if variable is not None:
                style = self.palette.style(variable)
            else:
                glyph, colour = verdict_mark(point)
                # Only changes take a colour; the rest of the history stays calm.
                style = self.palette.style("primary" if glyph in "○…=" else colour)
            height = eighths(v, lo, hi, rows)
            for row in range(rows):
                level = min(max(height - (rows - 1 - row) * 8, 0), 8)
                if level:
                    grid.text(x, top + row, BLOCKS[level] * bar, style)

    def _gutter(
        self,
        grid: Grid,
        top: int,
        rows: int,
        name: str,
        name_style: Style,
        known: list[float],
        formatter: Callable[[float], str],
    ) -> None:
        """The band's name, its highest and lowest figure, and the axis line."""
        muted = self.palette.style("foreground-muted")
        width = GUTTER - 1
        lines: list[tuple[str, Style]] = []
        if known:
            lines = [
                (formatter(max(known)), muted),
                (name, name_style),
                (formatter(min(known)), muted),
            ]
        else:
            lines = [(name, name_style)]
        if rows == 1:
            lines = [(name, name_style)]
        elif rows == 2 and known:
            lines = [(name, name_style), (formatter(min(known)), muted)]
        positions = [0, rows // 2, rows - 1] if len(lines) == 3 else list(range(len(lines)))
        for offset, (text, style) in zip(positions, lines, strict=False):
            grid.text(0, top + offset, f"{text[:width]:>{width}}", style)
        for y in range(top, min(top + rows, grid.height)):
            grid.put(GUTTER - 1, y, "│", muted)

    def _guides(
        self,
        grid: Grid,
        view: ChartView,
        shown: Sequence[TrendPoint],
        columns: list[int],
        start: int,
        rows: int,
    ) -> None:
        """A dotted line above the highlighted version's bars, and the marked ones'."""
        for i, (point, x) in enumerate(zip(shown, columns, strict=True)):
            if start + i == view.cursor:
                style = self.palette.style("accent")
            elif point.label in view.marked:
                style = self.palette.style("secondary")
            else:
                continue
            for y in range(rows):
                if grid.chars[y][x] == " ":
                    grid.put(x, y, "┊", style)

    def _axis(
        self,
        grid: Grid,
        view: ChartView,
        shown: Sequence[TrendPoint],
        columns: list[int],
        start: int,
        rows: int,
    ) -> None:
        """The axis row with every version's verdict glyph, then the labels row."""
        muted = self.palette.style("foreground-muted")
        axis, labels = rows, rows + 1
        grid.text(0, axis, " " * (GUTTER - 1) + "└" + "─" * (grid.width - GUTTER), muted)
        for point, x in zip(shown, columns, strict=True):
            glyph, variable = verdict_mark(point)
            if glyph in "=○":
                continue  # no change and first versions keep the axis quiet
            grid.put(x, axis, glyph, self.palette.style(variable, True))
        if not shown:
            return
        if start > 0:
            grid.text(0, labels, f"◂{start} more"[: GUTTER - 1], muted)
        cursor = view.cursor if view.cursor is not None else start + len(shown) - 1
        placed: list[tuple[int, str, Style]] = []
        if start <= cursor < start + len(shown):
            x = columns[cursor - start]
            text = view.points[cursor].label
            placed.append((x - len(text) // 2, text, self.palette.style("accent", True)))
        placed.append((columns[0], shown[0].label, muted))
        placed.append((columns[-1] - len(shown[-1].label) + 1, shown[-1].label, muted))
        for x, text, style in placed:
            x = min(max(x, GUTTER), grid.width - len(text))
            if grid.free(x, labels, len(text)):
                grid.text(x, labels, text, style)
