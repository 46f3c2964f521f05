"""Cheap line-by-line drawing for the graph widgets: theme colours as rich styles, bar strips.

Textual's ``Content`` parses style strings per span on every frame; for widgets that redraw a
few times a second at full height that is most of the app's CPU. Graphs here build ``Strip``s
of plain segments instead, with styles resolved once per theme from the theme's variables
(so colour still comes only from the theme). It draws nothing by itself.
"""

from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

BLOCKS = " ▁▂▃▄▅▆▇█"


class Palette:
    """Theme variables as rich styles for one widget, blended onto its background."""

    def __init__(self, widget: Widget) -> None:
        self.widget = widget
        self._cache: dict[tuple[str, str, bool, str], Style] = {}
        self._background: Color | None = None

    def begin(self) -> None:
        """Read the widget's background once per frame (walking the DOM for it is not free)."""
        self._background = self.widget.background_colors[1]

    def style(self, variable: str, bold: bool = False) -> Style:
        app = self.widget.app
        background = self._background or self.widget.background_colors[1]
        key = (app.theme, variable, bold, background.hex)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        value = app.theme_variables.get(variable) or app.theme_variables.get("foreground", "")
        try:
            colour = background + Color.parse(value)
        except Exception:  # a variable that is not a plain colour: fall back to the text colour
            colour = background + self.widget.styles.color
        # Content lines get no background from Textual: carry the widget's own.
        style = Style(color=colour.rich_color, bgcolor=background.rich_color, bold=bold)
        if len(self._cache) > 64:
            self._cache.clear()
        self._cache[key] = style
        return style


def bar_rows(heights: np.ndarray, rows: int, styles: list[Style]) -> list[Strip]:
    """Vertical bars (heights in eighths of a cell) as ``rows`` strips, top row first."""
    strips = []
    for row in range(rows):
        base = (rows - 1 - row) * 8
        levels = np.clip(heights - base, 0, 8)
        strips.append(styled_run([BLOCKS[int(v)] for v in levels], styles))
    return strips


def styled_run(chars: list[str], styles: list[Style]) -> Strip:
    """One line of cells, neighbours that share a style grouped into one segment."""
    segments = []
    start = 0
    for i in range(1, len(chars) + 1):
        if i == len(chars) or styles[i] is not styles[start]:
            segments.append(Segment("".join(chars[start:i]), styles[start]))
            start = i
    return Strip(segments)


def text_strip(text: str, style: Style, width: int) -> Strip:
    return Strip([Segment(text[:width].ljust(width), style)])


class LineWidget(Widget):
    """A widget drawn from a list of strips that repaints only the lines that changed.

    Subclasses implement ``build(width, height)``; call ``update_lines()`` when their data
    changes. A full repaint happens only when the size or the theme changes. With a live
    histogram most rows stop changing once enough samples are in, so most frames cost a
    few lines instead of the whole pane.
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.palette = Palette(self)
        self._lines: list[Strip] = []
        self._built_for: tuple[int, int, str] | None = None

    def build(self, width: int, height: int) -> list[Strip]:
        raise NotImplementedError

    def update_lines(self) -> None:
        if not self.is_mounted:
            return
        width, height = self.content_size
        key = (width, height, self.app.theme)
        if width <= 0 or height <= 0 or key != self._built_for:
            self._built_for = None  # rebuilt in full on the next paint
            self.refresh()
            return
        self.palette.begin()
        old, new = self._lines, self.build(width, height)
        self._lines = new
        for y in range(max(len(old), len(new))):
            if y >= len(old) or y >= len(new) or old[y] != new[y]:
                self.refresh(Region(0, y, width, 1))

    def render_line(self, y: int) -> Strip:
        width, height = self.content_size
        key = (width, height, self.app.theme)
        if key != self._built_for:
            self._built_for = key
            self.palette.begin()
            self._lines = self.build(width, height)
        base = self.palette.style("foreground")
        if 0 <= y < len(self._lines):
            return self._lines[y].extend_cell_length(width, base)
        return Strip.blank(width, base)
