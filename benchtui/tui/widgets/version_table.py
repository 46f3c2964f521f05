"""The table of an operation's versions: one page (at most ``PAGE`` rows), newest first.

Columns: mark, version, verdict against the previous version, p50, p99, throughput, runs,
date, leak rate, RSS peak, traced peak. The verdict column comes right after the label and is
coloured (slower in the error colour, faster in the success colour), so a regression is seen
before any figure is read. Cells are rich ``Text`` whose colours are resolved from the theme's
variables (a ``DataTable`` cannot resolve ``$variables`` itself) and rebuilt when the theme
changes. Rows are replaced only when the page changes; verdicts and marks update their cells.

It holds no data of its own beyond the page it shows and never queries the tracker.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.widgets import DataTable

from benchtui import format as fmt
from benchtui.tui.history_queries import TrendPage, TrendPoint
from benchtui.tui.widgets.trend_chart import verdict_mark

COLUMNS = (
    ("mark", " "),
    ("label", "version"),
    ("verdict", "vs previous"),
    ("p50", "p50"),
    ("p99", "p99"),
    ("throughput", "throughput"),
    ("runs", "runs"),
    ("date", "date"),
    ("leak", "leak/it"),
    ("rss", "RSS peak"),
    ("traced", "traced peak"),
)
MARK = "◆"
VERDICT_WIDTH = 21  # "? inconclusive +15.1%"


def verdict_text(point: TrendPoint) -> tuple[str, str, bool]:
    """(text, theme variable, bold) of the verdict cell."""
    glyph, variable = verdict_mark(point)
    stats = point.stats
    if point.failed:
        return f"{glyph} {stats.status}", variable, True
    if not point.judged:
        return f"{glyph} judging", variable, False
    if point.verdict is None:
        return f"{glyph} first", variable, False
    verdict = point.verdict
    change = f" {verdict.change:+.1%}" if verdict.change is not None else ""
    kind = {"no significant change": "no change"}.get(verdict.kind, verdict.kind)
    text = f"{glyph} {kind}{change}"
    if stats.status != "ok":  # some runs failed, some did not
        text += f" ({stats.ok_runs}/{stats.runs} ok)"
    return text, variable, verdict.significant


def row_cells(point: TrendPoint) -> dict[str, tuple[str, str, bool]]:
    """Column key -> (text, theme variable or '', bold) for one version."""
    s = point.stats
    leak = "—" if s.leak_bytes_per_iter is None else f"{fmt.size_bytes(s.leak_bytes_per_iter)}"
    return {
        "label": (s.label, "", False),
        "verdict": verdict_text(point),
        "p50": (fmt.duration_ns(s.p50_ns), "", True),
        "p99": (fmt.duration_ns(s.p99_ns), "", False),
        "throughput": (fmt.rate(s.throughput_per_s), "", False),
        "runs": (str(s.runs), "", False),
        "date": (s.last_run_at[:16].replace("T", " "), "foreground-muted", False),
        "leak": (leak, "", False),
        "rss": (fmt.size_bytes(s.rss_peak_bytes), "", False),
        "traced": (fmt.size_bytes(s.tracemalloc_peak_bytes), "", False),
    }


class VersionTable(DataTable[Text]):
    """Versions of the shown page, newest first; row keys are version labels."""

    DEFAULT_CSS = """
    VersionTable { height: 1fr; background: $surface; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=False)
        self.page: TrendPage | None = None
        self.marked: frozenset[str] = frozenset()
        self._styles: dict[tuple[str, bool], Style] = {}

    def on_mount(self) -> None:
        self._add_columns({})
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _add_columns(self, widths: dict[str, int]) -> None:
        # Fixed widths: a DataTable measures every cell of an auto-width column whenever one
        # changes, which costs seconds on a page of 100 versions.
        for key, header in COLUMNS:
            self.add_column(header, key=key, width=widths.get(key, len(header)))

    def _theme_changed(self, _theme: object) -> None:
        self._styles.clear()
        if self.page is not None:
            page, self.page = self.page, None
            self.show(page, self.marked, self.label_at_cursor())

    # ------------------------------------------------------------------ data
    def show(self, page: TrendPage, marked: frozenset[str], cursor: str | None = None) -> None:
        """Show ``page`` (rows rebuilt when a figure or verdict changed) and the marks."""
        if self.page is not None and page == self.page:
            self.set_marks(marked)
            return
        if self._update_cells(page):
            self.set_marks(marked)
            return
        cursor = cursor or self.label_at_cursor()
        self.page = page
        self.marked = marked
        cells = [row_cells(point) for point in reversed(page.points)]
        widths = {key: len(header) for key, header in COLUMNS}
        widths["mark"] = 1
        # Room for the verdicts still being judged, so that they rarely need a rebuild.
        widths["verdict"] = max(widths["verdict"], VERDICT_WIDTH)
        for row in cells:
            for key, (text, _, _) in row.items():
                widths[key] = max(widths[key], len(text))
        self.clear(columns=True)
        self._add_columns(widths)
        for point, row in zip(reversed(page.points), cells, strict=True):
            mark = self._text(MARK if point.label in marked else " ", "secondary", True)
            self.add_row(mark, *(self._text(*row[key]) for key, _ in COLUMNS[1:]), key=point.label)
        if cursor is not None:
            self.move_to(cursor)

    def _update_cells(self, page: TrendPage) -> bool:
        """Update the changed cells in place when only verdicts or figures changed and they
        fit their columns (a rebuild of 100 rows costs tens of ms); False when they do not."""
        old = self.page
        if old is None or [p.label for p in old.points] != [p.label for p in page.points]:
            return False
        widths = {column.key.value: column.width for column in self.columns.values()}
        changed = []
        for before, after in zip(old.points, page.points, strict=True):
            if before == after:
                continue
            was, cells = row_cells(before), row_cells(after)
            for key, cell in cells.items():
                if cell != was[key]:
                    if len(cell[0]) > widths.get(key, 0):
                        return False
                    changed.append((after.label, key, cell))
        self.page = page
        for label, key, cell in changed:
            self.update_cell(label, key, self._text(*cell))
        return True

    def set_marks(self, marked: frozenset[str]) -> None:
        if self.page is None:
            self.marked = marked
            return
        for label in marked ^ self.marked:
            if self.page.index_of(label) is not None:
                text = MARK if label in marked else " "
                self.update_cell(label, "mark", self._text(text, "secondary", True))
        self.marked = marked

    def move_to(self, label: str) -> None:
        if self.page is None:
            return
        index = self.page.index_of(label)
        if index is not None:
            self.move_cursor(row=len(self.page.points) - 1 - index, scroll=True)

    def label_at_cursor(self) -> str | None:
        if self.page is None or not self.page.points or self.row_count == 0:
            return None
        row = min(max(self.cursor_row, 0), len(self.page.points) - 1)
        return self.page.points[len(self.page.points) - 1 - row].label

    # ------------------------------------------------------------------ styling
    def _text(self, text: str, variable: str, bold: bool) -> Text:
        return Text(text, style=self._style(variable, bold), no_wrap=True, end="")

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
