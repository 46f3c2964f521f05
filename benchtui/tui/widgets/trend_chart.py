"""The trend chart: one operation's versions in run order, drawn line by line.

Three views of the same ``ChartView`` snapshot, each made of bands (one per figure, one bar per
version, eighth-block resolution): latency (a p50 band whose bars take the colour of the
verdict against the previous version, and a p99 band), throughput (coloured by verdict too),
and memory (tracemalloc peak, leak per call, RSS peak). Every band carries its scale, with
units, in the gutter: the figure at its top and bottom edge (``band_scale``, over the whole
page so that moving the cursor does not rescale). A level series is drawn as one line with its
figure written on it rather than as bars, so noise never looks like a change; a flat band takes
one row and leaves the rest to the bands with bars (``allot_rows``). Under the bands an axis row
carries each version's verdict glyph (▲ slower in the error colour, ▼ faster, ? inconclusive)
and a tick under each named version; the last row names the first and last versions, as many
evenly spaced ones between as fit, and the highlighted one, each under its own bar
(``label_positions``). When the page holds more versions than columns, the chart shows a window
that follows the table's cursor. Colours come from theme variables only (``paint.Palette``).

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


FLAT_SPREAD = 0.01  # a series whose spread is within 1% of its size is drawn as a level line
MIN_SPAN = 0.10  # the smallest range a band shows, as a fraction of its largest figure
LEAK_FLOOR = 8.0  # bytes per call: below this a leak figure is noise (as on the compare screen)


@dataclass(frozen=True)
class Scale:
    """The range a band's rows stand for: ``lo`` at the bottom edge of its last row, ``hi`` at
    the top of its first. ``flat``: the figures are level and drawn as one line, not bars."""

    lo: float
    hi: float
    flat: bool = False


def band_scale(values: Sequence[float], floor: float = 0.0) -> Scale:
    """The scale of one band's figures.

    A level series (spread within ``FLAT_SPREAD`` of its size, or under ``floor`` in absolute
    terms) is ``flat``: bars of it would blow noise up into a change. Otherwise the smallest
    figure keeps a quarter-height bar (differences read without a bar vanishing), and the range
    is never narrower than ``MIN_SPAN`` of the largest figure, so that a 1% wobble does not
    fill the band; the range is widened around the figures, and never below zero for figures
    that cannot be negative."""
    lo, hi = min(values), max(values)
    size = max(abs(lo), abs(hi))
    if hi - lo <= max(size * FLAT_SPREAD, floor):
        return Scale(lo, hi, flat=True)
    bottom, top = lo - (hi - lo) / 3, hi
    short = size * MIN_SPAN - (top - bottom)
    if short > 0:
        bottom, top = bottom - short / 2, top + short / 2
    if lo >= 0 > bottom:
        bottom, top = 0.0, top - bottom
    return Scale(bottom, top)


def eighths(value: float, lo: float, hi: float, rows: int) -> int:
    """A bar's height in eighths of a cell (at least one) for ``value`` on [lo, hi]."""
    fraction = (value - lo) / (hi - lo) if hi > lo else 0.5
    return max(1, min(rows * 8, round(fraction * rows * 8)))


def allot_rows(flat: Sequence[bool], weights: Sequence[int], rows: int) -> list[int]:
    """Rows per band: a flat band needs one (its level line); the bands with bars share the
    rest by weight. With fewer rows than bands, the last bands get none."""
    n = len(flat)
    if rows < n:
        return [1 if i < rows else 0 for i in range(n)]
    sizes = [1] * n
    growing = [i for i in range(n) if not flat[i]] or list(range(n))
    spare = rows - n
    total = sum(weights[i] for i in growing)
    shares = {i: spare * weights[i] / total for i in growing}
    for i in growing:
        sizes[i] += int(shares[i])
    # Largest remainders first, so the rows add up.
    by_remainder = sorted(growing, key=lambda i: int(shares[i]) - shares[i])
    for i in by_remainder[: rows - sum(sizes)]:
        sizes[i] += 1
    return sizes


def fit_middle(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis in the middle: labels and names that
    share a prefix (``release-19.8.0``, ``queue_handoff_c4``) still differ at their end."""
    if len(text) <= width:
        return text
    if width <= 1:
        return text[:width]
    head = width // 2
    tail = width - 1 - head
    return text[:head] + "…" + (text[-tail:] if tail else "")


@dataclass(frozen=True)
class Label:
    """A version's label on the labels row: ``text`` from column ``x``."""

    index: int
    x: int
    text: str

    @property
    def end(self) -> int:
        return self.x + len(self.text)


def _apart(a: Label, b: Label) -> bool:
    """Whether two labels leave at least one blank cell between them."""
    return a.end < b.x or b.end < a.x


def label_positions(
    centres: Sequence[int],
    labels: Sequence[str],
    left: int,
    right: int,
    cursor: int | None = None,
) -> list[Label]:
    """Which versions get their label on the row under the chart, and where.

    Each label is centred under its bar (pushed inside [left, right) at the edges). The first
    and last versions are always named; between them, as many evenly spaced versions as fit
    without two labels touching; the highlighted version (``cursor``) too when it does not
    run into the first or last label, moved sideways if need be while still under its bar (it
    replaces the spaced ones it would cover). Long labels are cut in the middle so that two of
    them always fit."""
    n = len(centres)
    room = right - left
    if n == 0 or room <= 0:
        return []
    cap = room if n == 1 else max((room - 1) // 2, 1)

    def make(i: int) -> Label:
        text = fit_middle(labels[i], cap)
        x = centres[i] - (len(text) - 1) // 2
        return Label(i, min(max(x, left), right - len(text)), text)

    if n == 1:
        return [make(0)]
    first, last = make(0), make(n - 1)
    if not _apart(first, last):  # two bars close together: the newest moves right of the first
        last = Label(last.index, min(first.end + 1, right - len(last.text)), last.text)
    chosen = [first, last]
    shortest = min(len(fit_middle(label, cap)) for label in labels)
    for k in range(min(n - 2, room // (shortest + 1)), 0, -1):
        inner = sorted({round(j * (n - 1) / (k + 1)) for j in range(1, k + 1)} - {0, n - 1})
        trial = [first, *(make(i) for i in inner), last]
        if all(_apart(a, b) for a, b in zip(trial, trial[1:], strict=False)):
            chosen = trial
            break
    if cursor is not None and 0 < cursor < n - 1 and all(c.index != cursor for c in chosen):
        mark = _beside(make(cursor), centres[cursor], first, last, left, right)
        if mark is not None:
            kept = [c for c in chosen if c.index in (0, n - 1) or _apart(c, mark)]
            chosen = sorted([*kept, mark], key=lambda c: c.x)
    return chosen


def _beside(
    mark: Label, centre: int, first: Label, last: Label, left: int, right: int
) -> Label | None:
    """The highlighted version's label as near centred as it can be while still under its
    bar (covering ``centre``) and clear of the first and last labels; None if it cannot."""
    width = len(mark.text)
    lowest, highest = max(centre - width + 1, left), min(centre, right - width)
    for x in sorted(range(lowest, highest + 1), key=lambda x: abs(x - mark.x)):
        moved = Label(mark.index, x, mark.text)
        if _apart(moved, first) and _apart(moved, last):
            return moved
    return None


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


@dataclass(frozen=True)
class Band:
    """One figure drawn as a band of the chart."""

    name: str
    value: Callable[[TrendPoint], float | None]
    variable: str | None  # colours every bar; None: each bar takes its verdict's colour
    formatter: Callable[[float], str]
    weight: int = 1  # its share of the rows when bands with bars split them
    floor: float = 0.0  # spread under which the figures count as level (see ``band_scale``)


BANDS: dict[str, tuple[Band, ...]] = {
    LATENCY: (
        Band("p50", lambda p: p.stats.p50_ns, None, fmt.duration_ns, weight=3),
        Band("p99", lambda p: p.stats.p99_ns, "secondary", fmt.duration_ns, weight=2),
    ),
    THROUGHPUT: (Band("thr/s", lambda p: p.stats.throughput_per_s, None, fmt.rate),),
    MEMORY: (
        Band("traced", lambda p: p.stats.tracemalloc_peak_bytes, "primary", fmt.size_bytes),
        Band(
            "leak/it",
            lambda p: p.stats.leak_bytes_per_iter,
            "warning",
            fmt.size_bytes,
            floor=LEAK_FLOOR,
        ),
        Band("RSS", lambda p: p.stats.rss_peak_bytes, "secondary", fmt.size_bytes),
    ),
}


def level_text(scale: Scale, formatter: Callable[[float], str]) -> str:
    """What a flat band says on its line: its figure, or its (narrow) range."""
    lo, hi = formatter(scale.lo), formatter(scale.hi)
    if lo == hi:
        return f" flat: {lo} "
    lo_figure, _, lo_unit = lo.rpartition(" ")
    hi_figure, _, hi_unit = hi.rpartition(" ")
    if lo_figure and lo_unit == hi_unit:  # one unit for both: "39.0–39.1 MiB"
        return f" flat: {lo_figure}–{hi_figure} {hi_unit} "
    return f" flat: {lo}–{hi} "


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
        rows = height - 2
        # The bands are laid out on every version of the page, not just the ones in view, so
        # that moving the cursor slides the window without rescaling the bars under it.
        bands = BANDS.get(view.mode, BANDS[LATENCY])
        scales = [self._scale(band, view.points) for band in bands]
        sizes = allot_rows([s is None or s.flat for s in scales], [b.weight for b in bands], rows)
        gutter = self._gutter_width(bands, scales, sizes, width)
        n = len(view.points)
        plot_width = width - gutter
        step = min(MAX_STEP, max(1, plot_width // n))
        start, end = window(n, view.cursor, plot_width // step)
        shown = view.points[start:end]
        bar = 1 if step <= 2 else 2 if step <= 5 else 3
        lefts = [gutter + i * step + (step - bar) // 2 for i in range(len(shown))]
        grid = Grid(width, height, self.palette.style("foreground"))
        top = 0
        for band, scale, size in zip(bands, scales, sizes, strict=True):
            if size:
                self._band(grid, gutter, shown, lefts, bar, top, size, band, scale)
            top += size
        centres = [x + bar // 2 for x in lefts]
        self._guides(grid, view, shown, centres, start, rows)
        self._axis(grid, gutter, view, shown, centres, start, rows)
        return grid.strips()

    @staticmethod
    def _scale(band: Band, points: Sequence[TrendPoint]) -> Scale | None:
        known = [v for v in (band.value(p) for p in points) if v is not None]
        return band_scale(known, band.floor) if known else None

    @staticmethod
    def _gutter_width(
        bands: Sequence[Band], scales: Sequence[Scale | None], sizes: Sequence[int], width: int
    ) -> int:
        """The gutter holds each band's name and scale. A two-row band has no middle row for
        its name: it goes beside the top figure, and the gutter widens to fit them."""
        need = GUTTER
        for band, scale, size in zip(bands, scales, sizes, strict=True):
            if scale is not None and not scale.flat and size == 2:
                figures = max(len(band.formatter(scale.lo)), len(band.formatter(scale.hi)))
                need = max(need, len(band.name) + 1 + figures + 1)
        return min(need, max(width // 3, GUTTER))

    # ------------------------------------------------------------------ parts
    def _band(
        self,
        grid: Grid,
        gutter: int,
        shown: Sequence[TrendPoint],
        lefts: list[int],
        bar: int,
        top: int,
        rows: int,
        band: Band,
        scale: Scale | None,
    ) -> None:
        """One band in rows [top, top + rows): bars on the band's scale, with the scale in the
        gutter; a level line with its figure for a flat series; a failed version's ✗."""
        muted = self.palette.style("foreground-muted")
        name_style = self.palette.style(band.variable or "primary", True)
        label = gutter - 1
        for y in range(top, top + rows):
            grid.put(label, y, "│", muted)
        values = [band.value(p) for p in shown]
        if scale is None or not any(v is not None for v in values):
            grid.text(0, top, f"{band.name[:label]:>{label}}", name_style)
            grid.text(gutter, top, "no figures (no successful run in view)", muted)
            return
        styles = [self._bar_style(band, point) for point in shown]
        if scale.flat or rows == 1:
            self._level(grid, gutter, lefts, bar, top, rows, band, scale, values, styles)
            return
        lo, hi = band.formatter(scale.lo), band.formatter(scale.hi)
        if rows == 2:
            grid.text(0, top, band.name, name_style)
            grid.text(len(band.name), top, f"{hi:>{label - len(band.name)}}", muted)
            grid.text(0, top + 1, f"{lo:>{label}}", muted)
        else:
            grid.text(0, top, f"{hi:>{label}}", muted)
            grid.text(0, top + rows // 2, f"{band.name[:label]:>{label}}", name_style)
            grid.text(0, top + rows - 1, f"{lo:>{label}}", muted)
        for x, v, style in zip(lefts, values, styles, strict=True):
            if v is None:
                grid.text(x, top + rows - 1, FAILED_MARK[0] * bar, self.palette.style("error"))
                continue
            height = eighths(v, scale.lo, scale.hi, rows)
            for row in range(rows):
                level = min(max(height - (rows - 1 - row) * 8, 0), 8)
                if level:
                    grid.text(x, top + row, BLOCKS[level] * bar, style)

    def _level(
        self,
        grid: Grid,
        gutter: int,
        lefts: list[int],
        bar: int,
        top: int,
        rows: int,
        band: Band,
        scale: Scale,
        values: list[float | None],
        styles: list[Style],
    ) -> None:
        """A flat series as a line across the band's middle row with its figure written on it,
        so level figures read as level whatever their size. A band squeezed into one row by
        a short window gets its range in words rather than bars without a scale."""
        y = top + (rows - 1) // 2
        name_style = self.palette.style(band.variable or "primary", True)
        grid.text(0, y, f"{band.name[: gutter - 1]:>{gutter - 1}}", name_style)
        if not scale.flat:
            lo, hi = band.formatter(scale.lo), band.formatter(scale.hi)
            text = f" {lo} – {hi} (taller window: bars) "
            grid.text(gutter, y, text, self.palette.style("foreground-muted"))
            return
        line = self.palette.style(band.variable or "primary")
        if lefts:
            grid.text(lefts[0], y, "─" * (lefts[-1] + bar - lefts[0]), line)
        for x, v, style in zip(lefts, values, styles, strict=True):
            if v is not None:
                grid.text(x, y, "─" * bar, style)
        grid.text(gutter, y, level_text(scale, band.formatter), self.palette.style("foreground"))
        for x, v in zip(lefts, values, strict=True):
            if v is None:  # a failed version must show even where the figure is written
                grid.text(x, y, FAILED_MARK[0] * bar, self.palette.style("error"))

    def _bar_style(self, band: Band, point: TrendPoint) -> Style:
        if band.variable is not None:
            return self.palette.style(band.variable)
        glyph, colour = verdict_mark(point)
        # Only changes take a colour; the rest of the history stays calm.
        return self.palette.style("primary" if glyph in "○…=" else colour)

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
        gutter: int,
        view: ChartView,
        shown: Sequence[TrendPoint],
        columns: list[int],
        start: int,
        rows: int,
    ) -> None:
        """The axis row with every version's verdict glyph, then the labels row: each label
        under its own bar, tied to it by a tick on the axis."""
        muted = self.palette.style("foreground-muted")
        axis, labels = rows, rows + 1
        grid.text(0, axis, " " * (gutter - 1) + "└" + "─" * (grid.width - gutter), muted)
        if not shown:
            return
        if start > 0:
            grid.text(0, labels, f"◂{start} more"[: gutter - 1], muted)
        cursor = view.cursor if view.cursor is not None else start + len(shown) - 1
        placed = label_positions(
            columns,
            [p.label for p in shown],
            gutter,
            grid.width,
            cursor - start if start <= cursor < start + len(shown) else None,
        )
        for label in placed:
            grid.put(columns[label.index], axis, "┬", muted)
            if start + label.index == cursor:
                style = self.palette.style("accent", True)
            elif shown[label.index].label in view.marked:
                style = self.palette.style("secondary", True)
            else:
                style = muted
            grid.text(label.x, labels, label.text, style)
        for point, x in zip(shown, columns, strict=True):
            glyph, variable = verdict_mark(point)
            if glyph in "=○":
                continue  # no change and first versions keep the axis quiet
            grid.put(x, axis, glyph, self.palette.style(variable, True))
