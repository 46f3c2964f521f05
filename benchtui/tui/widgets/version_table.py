"""The table of an operation's versions: one page (at most ``PAGE`` rows), newest first.

Columns: mark, version, verdict against the previous version, p50, p99, throughput, runs,
date, leak rate, RSS peak, traced peak. The verdict column comes right after the label and is
coloured (slower in the error colour, faster in the success colour), so a regression is seen
before any figure is read. Its percentage is the change of the median of all rounds (what
``benchtui.stats`` judges), while the p50 and p99 columns are medians of the runs' own
percentiles: the headers say which is which, and a verdict the p50 column contradicts is marked
(``AGAINST_MARK``; the screen explains the mark).

A line-API widget (``ScrollView`` + ``render_line``): only the visible rows are drawn, each
from a cached strip of fixed-width cells, so a frame costs a few dozen short lines whatever
the page holds (a ``DataTable`` of 100 rows cost ~70 ms per full frame). Cell colours are
theme variables resolved to rich styles once per theme; the header and cursor rows take their
look from component classes, so every colour comes from the theme. Keys: up/down, page
up/down, home/end move the cursor (``VersionHighlighted``); enter or a click selects a row
(``VersionSelected``).

It holds no data of its own beyond the page it shows and never queries the tracker.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from benchtui import format as fmt
from benchtui.tui.history_queries import TrendPage, TrendPoint, p50_against_verdict
from benchtui.tui.widgets.trend_chart import verdict_mark

COLUMNS = (
    ("mark", " "),
    ("label", "version"),
    ("verdict", "round median vs prev"),
    ("p50", "p50 (runs)"),
    ("p99", "p99 (runs)"),
    ("throughput", "throughput"),
    ("runs", "runs"),
    ("date", "date"),
    ("leak", "leak/it"),
    ("rss", "RSS peak"),
    ("traced", "traced peak"),
)
MARK = "◆"
VERDICT_WIDTH = 21  # "? inconclusive +15.1%"
# After a verdict whose change the p50 column contradicts (the screen explains the mark).
AGAINST_MARK = " *"
# Before the count of a version's runs with failures, when it still has figures.
FAILURES_MARK = "✗"
PADDING = 1  # blank cells on each side of a column
HEADER = 1  # rows of the header, which does not scroll

Cell = tuple[str, str, bool]  # text, theme variable or '', bold


def verdict_text(point: TrendPoint, against: bool = False) -> tuple[str, str, bool]:
    """(text, theme variable, bold) of the verdict cell: the kind and the change of the median
    round time against the previous version. ``against``: the p50 column moved the other way
    (``p50_against_verdict``), which the cell marks."""
    glyph, variable = verdict_mark(point)
    stats = point.stats
    if point.failed:
        return f"{glyph} {stats.status}", variable, True
    # Figures from the successful calls, yet some runs failed: say so on every state of the
    # cell, so a version with failures never passes for a clean one.
    failures = failures_text(point)
    if not point.judged:
        return f"{glyph} judging{failures}", variable, False
    if point.verdict is None:
        return f"{glyph} first{failures}", variable, False
    verdict = point.verdict
    change = f" {verdict.change:+.1%}" if verdict.change is not None else ""
    kind = {"no significant change": "no change"}.get(verdict.kind, verdict.kind)
    text = f"{glyph} {kind}{change}{failures}"
    if against:
        text += AGAINST_MARK
    return text, variable, verdict.significant


def failures_text(point: TrendPoint) -> str:
    """`` ✗n/m status`` for a version with figures whose runs did not all succeed: n of its m
    runs had failed calls or failed outright, ``status`` the worst (the screen explains
    the mark); empty otherwise."""
    if not point.partial:
        return ""
    stats = point.stats
    return f" {FAILURES_MARK}{stats.runs - stats.ok_runs}/{stats.runs} {stats.status}"


def row_cells(point: TrendPoint, previous: TrendPoint | None = None) -> dict[str, Cell]:
    """Column key -> (text, theme variable or '', bold) for one version (``previous``: the
    version before it on the page, if any)."""
    s = point.stats
    leak = "—" if s.leak_bytes_per_iter is None else f"{fmt.size_bytes(s.leak_bytes_per_iter)}"
    return {
        "label": (s.label, "", False),
        "verdict": verdict_text(point, p50_against_verdict(point, previous)),
        "p50": (fmt.duration_ns(s.p50_ns), "", True),
        "p99": (fmt.duration_ns(s.p99_ns), "", False),
        "throughput": (fmt.rate(s.throughput_per_s), "", False),
        "runs": (str(s.runs), "", False),
        "date": (s.last_run_at[:16].replace("T", " "), "foreground-muted", False),
        "leak": (leak, "", False),
        "rss": (fmt.size_bytes(s.rss_peak_bytes), "", False),
        "traced": (fmt.size_bytes(s.tracemalloc_peak_bytes), "", False),
    }


class _VersionMessage(Message):
    """A message about version ``label`` of ``table`` (``control`` for ``@on`` selectors)."""

    def __init__(self, table: VersionTable, label: str) -> None:
        super().__init__()
        self.table = table
        self.label = label

    @property
    def control(self) -> VersionTable:
        return self.table


class VersionHighlighted(_VersionMessage):
    """The cursor moved to version ``label``."""


class VersionSelected(_VersionMessage):
    """Version ``label`` was chosen (enter, or a click on its row)."""


class VersionTable(ScrollView, can_focus=True):
    """Versions of the shown page, newest first (row 0 is the newest version)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First", show=False),
        Binding("end,ctrl+end", "last", "Last", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "version-table--header",
        "version-table--cursor",
    }
    DEFAULT_CSS = """
    VersionTable {
        height: 1fr; background: $surface; color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .version-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .version-table--header { background-tint: $foreground 5%; }
        }
        & > .version-table--header {
            text-style: bold; background: $panel; color: $foreground;
        }
        & > .version-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, always_update=False, repaint=False)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.page: TrendPage | None = None
        self.marked: frozenset[str] = frozenset()
        self._rows: list[TrendPoint] = []  # newest first
        self._cells: list[dict[str, Cell]] = []
        self._widths: dict[str, int] = {}
        self._strips: dict[int, Strip] = {}  # row (header: -1) -> unstyled full-width strip
        self._styles: dict[tuple[str, bool], Style] = {}
        self._bases: tuple[Style, Style, Style] = (Style(), Style(), Style())

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self._set_widths([])

    def _theme_changed(self, _theme: object) -> None:
        self._styles.clear()
        self._strips.clear()
        self.refresh()

    # ------------------------------------------------------------------ data
    @property
    def row_count(self) -> int:
        return len(self._rows)

    def get_row(self, label: str) -> list[str]:
        """The cells of version ``label`` as shown (mark first), for tests and tools."""
        for point, cells in zip(self._rows, self._cells, strict=True):
            if point.label == label:
                mark = MARK if label in self.marked else " "
                return [mark, *(cells[key][0] for key, _ in COLUMNS[1:])]
        raise KeyError(label)

    def show(self, page: TrendPage, marked: frozenset[str], cursor: str | None = None) -> None:
        """Show ``page`` and the marks; the cursor stays on its version when it can."""
        if self.page is not None and page == self.page:
            self.set_marks(marked)
            return
        cursor = cursor or self.label_at_cursor()
        same_rows = self.page is not None and [p.label for p in self.page.points] == [
            p.label for p in page.points
        ]
        self.page = page
        self.marked = marked
        self._rows = list(reversed(page.points))
        # Each version's predecessor on the page (the oldest one's is on the next page).
        before = (None, *page.points)[: len(page.points)]
        cells = [row_cells(p, b) for p, b in zip(page.points, before, strict=True)]
        self._cells = list(reversed(cells))
        self._strips.clear()
        if not (same_rows and self._fits()):
            self._set_widths(self._cells)
        if cursor is not None:
            self.move_to(cursor)
        else:
            self._set_cursor(min(self.cursor_row, max(len(self._rows) - 1, 0)))
        self.refresh()

    def _fits(self) -> bool:
        """Whether every cell fits its column as it is (verdicts arriving rarely widen one)."""
        return all(
            len(text) <= self._widths.get(key, 0)
            for row in self._cells
            for key, (text, _, _) in row.items()
        )

    def _set_widths(self, cells: list[dict[str, Cell]]) -> None:
        widths = {key: len(header) for key, header in COLUMNS}
        widths["mark"] = 1
        # Room for the verdicts still being judged, so that they rarely widen the column.
        widths["verdict"] = max(widths["verdict"], VERDICT_WIDTH)
        for row in cells:
            for key, (text, _, _) in row.items():
                widths[key] = max(widths[key], len(text))
        self._widths = widths
        width = sum(w + 2 * PADDING for w in widths.values())
        self.virtual_size = Size(width, len(cells) + HEADER)

    def set_marks(self, marked: frozenset[str]) -> None:
        changed = marked ^ self.marked
        self.marked = marked
        for row, point in enumerate(self._rows):
            if point.label in changed:
                self._strips.pop(row, None)
                self.refresh_line(row + HEADER)

    def move_to(self, label: str) -> None:
        for row, point in enumerate(self._rows):
            if point.label == label:
                self._set_cursor(row)
                return

    @property
    def failures(self) -> bool:
        """Whether a row with figures carries ``FAILURES_MARK`` (some of its runs failed)."""
        return any(point.partial for point in self._rows)

    @property
    def against(self) -> bool:
        """Whether a row's verdict carries ``AGAINST_MARK`` (its p50 moved the other way)."""
        return any(cells["verdict"][0].endswith(AGAINST_MARK) for cells in self._cells)

    def label_at_cursor(self) -> str | None:
        if not self._rows:
            return None
        return self._rows[min(max(self.cursor_row, 0), len(self._rows) - 1)].label

    # ------------------------------------------------------------------ cursor
    def _set_cursor(self, row: int, scroll: bool = True) -> None:
        row = min(max(row, 0), max(len(self._rows) - 1, 0))
        self.cursor_row = row
        if scroll and self._rows:
            self._scroll_into_view(row)

    def watch_cursor_row(self, old: int, new: int) -> None:
        self.refresh_line(old + HEADER)
        self.refresh_line(new + HEADER)
        if 0 <= new < len(self._rows):
            self.post_message(VersionHighlighted(self, self._rows[new].label))

    def _scroll_into_view(self, row: int) -> None:
        region = Region(int(self.scroll_x), row + HEADER, max(self.size.width, 1), 1)
        self.scroll_to_region(region, animate=False, spacing=Spacing(top=HEADER), force=True)

    def _page_rows(self) -> int:
        return max(self.scrollable_content_region.height - HEADER, 1)

    def action_cursor_up(self) -> None:
        self._set_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self._set_cursor(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self._set_cursor(self.cursor_row - self._page_rows())

    def action_page_down(self) -> None:
        self._set_cursor(self.cursor_row + self._page_rows())

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(len(self._rows) - 1)

    def action_select_cursor(self) -> None:
        label = self.label_at_cursor()
        if label is not None:
            self.post_message(VersionSelected(self, label))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)  # inside the border and padding
        if offset is None or offset.y < HEADER:
            return
        row = offset.y - HEADER + int(self.scroll_y)
        if 0 <= row < len(self._rows):
            self._set_cursor(row, scroll=False)
            self.action_select_cursor()

    # ------------------------------------------------------------------ drawing
    def render_lines(self, crop: Region) -> list[Strip]:
        # The row styles, once per paint: each walks the DOM for its background.
        self._bases = (
            self.get_component_rich_style("version-table--header"),
            self.get_component_rich_style("version-table--cursor"),
            self.rich_style,
        )
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        header, cursor, base = self._bases
        if y < HEADER:
            row, base = -1, header
        else:
            row = y - HEADER + scroll_y
            if row >= len(self._rows):
                return Strip.blank(width, base)
        strip = self._strips.get(row)
        if strip is None:
            strip = self._strips[row] = self._row_strip(row)
        strip = strip.crop(scroll_x, scroll_x + width)
        if row >= 0 and row == self.cursor_row:
            # The cursor's colours win over the cells' (as in a DataTable's cursor row).
            segments = Segment.apply_style(list(strip), post_style=cursor)
            return Strip(segments, strip.cell_length).extend_cell_length(width, cursor)
        return strip.apply_style(base).extend_cell_length(width, base)

    def _row_strip(self, row: int) -> Strip:
        """A whole row (or the header, row -1) with cell colours only; the row's background
        and default colour are applied when it is drawn."""
        pad = " " * PADDING
        segments = []
        for key, header in COLUMNS:
            width = self._widths.get(key, len(header))
            if row < 0:
                text, style = header, Style()
            elif key == "mark":
                marked = self._rows[row].label in self.marked
                text, style = (MARK if marked else " "), self._style("secondary", True)
            else:
                text, variable, bold = self._cells[row][key]
                style = self._style(variable, bold)
            segments.append(Segment(f"{pad}{text[:width]:<{width}}{pad}", style))
        return Strip(segments)

    def _style(self, variable: str, bold: bool) -> Style:
        """Colour only (no background, so the cursor row keeps its highlight)."""
        if not variable:
            return Style(bold=bold or None)
        key = (variable, bold)
        cached = self._styles.get(key)
        if cached is None:
            value = self.app.theme_variables.get(variable, "")
            background = self.background_colors[1]
            try:
                colour = background + Color.parse(value)
            except Exception:  # not a plain colour: the table's own text colour
                colour = self.styles.color
            cached = Style(color=colour.rich_color, bold=bold or None)
            self._styles[key] = cached
        return cached
