"""The trend screen: every tracked operation (filterable) and, for the highlighted one, a chart
of its versions in run order and a table of them, newest first, a page at a time.

Loading is staged so the screen is drawn at once whatever the size of the history: the page's
figures come from one indexed query; verdicts against each previous version follow (newest
first), since the tracker may have to compute them; the operation list's verdict badges come
last. Each load runs in an exclusive worker (``exit_on_error=False``), so moving on cancels the
one in flight. From here: compare two versions (or one and its predecessor), re-run the
operation under a new label, export versions, delete a run (``trend_actions``).

It never measures or writes itself: runs go to the app as ``RunRequested``; queries and the
one delete go through ``HistorySource``. An empty history, one version, failed runs and a file
that cannot be opened each get a plain message, never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from pathlib import Path

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Center, Horizontal, Vertical
from textual.content import Content
from textual.dom import NoScreen
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from benchtui import format as fmt
from benchtui.tui import keys
from benchtui.tui.history_queries import (
    FIRST_VERDICTS,
    PAGE,
    HistorySource,
    LatestState,
    OpRef,
    TrendPage,
    describe_error,
    shown_path,
)
from benchtui.tui.screens.trend_actions import TrendActions
from benchtui.tui.widgets.trend_chart import (
    LATENCY,
    MEMORY,
    MODES,
    THROUGHPUT,
    ChartView,
    TrendChart,
    fit_middle,
)
from benchtui.tui.widgets.version_table import VersionHighlighted, VersionSelected, VersionTable

MUTED = "$foreground-muted"
NARROW_BELOW = 110
QUICK_VERDICTS_S = 0.08  # verdicts faster than this are drawn with the figures, in one frame
# The chart's subtitle: what its marks and band names mean ('m' is in the footer). Short
# enough for the chart pane of an 80-column terminal.
LEGENDS = {
    LATENCY: "vs previous: ▲ slower ▼ faster ? inconclusive",
    THROUGHPUT: "vs previous: ▲ slower ▼ faster ? inconclusive",
    MEMORY: "traced: tracemalloc peak · leak/it: bytes per call",
}
ONE_VERSION = "one version so far: r re-runs it under a new label"
# The table's note for a verdict mark (version_table.AGAINST_MARK) and its column headers.
AGAINST_NOTE = "* p50 (runs) moved the other way"
# version_table.failures_text: figures from the successful calls of runs with failures.
FAILURES_NOTE = "✗n/m: n of m runs had failures"
LATEST_MARKS = {
    "slower": ("▲", "$error"),
    "faster": ("▼", "$success"),
    "inconclusive": ("?", "$warning"),
}


class TrendFooter(Footer):
    """The footer, recomposed only when the keys it would show change. Opening the screen
    refreshes its bindings several times within a few frames (resume, focus, state) and
    each recompose mounts every key anew, ~20 ms apiece on a small machine."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[object, ...] | None = None

    async def recompose(self) -> None:
        try:
            shown = self._keys()
        except NoScreen:
            return  # a recompose queued as the screen closed: nothing to show it on
        if shown == self._shown:
            return
        self._shown = shown
        with contextlib.suppress(NoScreen):  # the screen may close while this runs
            await super().recompose()

    def _keys(self) -> tuple[object, ...]:
        app = self.app
        keys = tuple(
            (binding.key, binding.action, binding.description, binding.show, enabled, tooltip)
            + (app.get_key_display(binding),)
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
        )
        return (self.compact, self.show_command_palette, keys)


class PageShown(Message):
    """A page's figures are on screen (``judged``: its verdicts too)."""

    def __init__(self, page: TrendPage) -> None:
        super().__init__()
        self.page = page


def op_id(op: OpRef) -> str:
    return f"{op.suite}\x1f{op.operation}"


MIN_NAME = 10  # an operation name is not cut shorter than this to make room for a change


def op_prompt(op: OpRef, latest: LatestState | None, width: int = 0) -> Content:
    """An operation in the list: verdict badge first, then the name, then its newest change
    (significant ones) or p50, right-aligned. Within ``width`` cells (0: no limit) the badge
    always shows, the name is cut in the middle (names that share a prefix still differ at
    their end). The name comes before the figures: the p50 (also in the table) shows only
    beside the whole name, a significant change only if the name keeps ``MIN_NAME`` cells."""
    name = op.operation
    if latest is None:
        return Content.assemble(("  ", ""), fit_middle(name, width - 2) if width else name)
    if latest.status != "ok" and latest.p50_ns is None:
        mark, style = "✗", "$error"
    elif latest.verdict is not None and latest.verdict.kind in LATEST_MARKS:
        mark, style = LATEST_MARKS[latest.verdict.kind]
    else:
        mark, style = "·", MUTED
    if latest.verdict is not None and latest.verdict.significant and latest.verdict.change:
        figure, figure_style = f"{latest.verdict.change:+.0%}", style
        keep = min(len(name), MIN_NAME)
    elif latest.p50_ns:
        figure, figure_style = fmt.duration_ns(latest.p50_ns), MUTED
        keep = len(name)
    else:
        figure, figure_style, keep = "", MUTED, 0
    if not width:
        parts: list[tuple[str, str] | str] = [(f"{mark} ", style), name]
        return Content.assemble(*parts, *([(f" {figure}", figure_style)] if figure else []))
    room = width - 2  # after the badge and its space
    if figure and room - len(figure) - 1 < keep:
        figure = ""
    shown = fit_middle(name, room - (len(figure) + 1 if figure else 0))
    gap = room - len(shown) - len(figure)
    tail = [(" " * gap + figure, figure_style)] if figure else []
    return Content.assemble((f"{mark} ", style), shown, *tail)


class OpsList(OptionList):
    """The operations list. Its lines are fitted to its width, so it says when that changes
    (first laid out, the terminal resized, the narrow layout)."""

    class Resized(Message):
        pass

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized())


class TrendScreen(TrendActions, Screen[None]):
    """Version history of every tracked operation."""

    BINDINGS = [
        keys.BACK,
        keys.VS_PREVIOUS,
        keys.MARK,
        keys.VS_MARKED,
        keys.CHART,
        keys.RERUN,
        keys.EXPORT,
        keys.DELETE,
        keys.OLDER,
        keys.NEWER,
        keys.FILTER,
    ]
    DEFAULT_CSS = """
    TrendScreen #trend-body { height: 1fr; }
    TrendScreen .pane {
        border: round $primary 40%; border-title-color: $primary;
        border-subtitle-color: $foreground-muted;
    }
    TrendScreen .pane:focus-within { border: round $accent; }
    TrendScreen #ops-pane { width: 30; height: 1fr; }
    TrendScreen #filter { margin: 0 0 0 0; }
    TrendScreen #ops {
        height: 1fr; border: none; background: $surface;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    TrendScreen #right { width: 1fr; height: 1fr; }
    TrendScreen #chart { height: 45%; min-height: 8; padding: 0 1; }
    TrendScreen #versions { height: 1fr; min-height: 6; }
    TrendScreen #state-box { height: 1fr; align: center middle; }
    TrendScreen #state-card { width: auto; max-width: 95%; height: auto; }
    TrendScreen #state { width: auto; height: auto; padding: 1 2; }
    TrendScreen #state-card Center { height: auto; }
    TrendScreen.-narrow #ops-pane { width: 22; }
    """

    def __init__(self, db_path: Path, focus: OpRef | None = None) -> None:
        super().__init__()
        self.db_path = db_path
        self.wanted = focus
        self.source: HistorySource | None = None
        self.ops: list[OpRef] = []
        self.latest: dict[OpRef, LatestState] = {}
        self.op: OpRef | None = None
        self.page: TrendPage | None = None
        self.cursor_label: str | None = None
        self.marked: dict[str, str] = {}  # label -> first run (orders the pair: older is A)
        self.mode = LATENCY
        self.state = "loading"
        self._opened = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(id="state-box"), Vertical(id="state-card"):
            yield Static("Opening the history…", id="state")
            with Center():
                yield Button("Record the demo (about 30 s)", id="demo-button", variant="primary")
        with Horizontal(id="trend-body"):
            with Vertical(id="ops-pane", classes="pane") as ops_pane:
                ops_pane.border_title = "operations"
                yield Input(placeholder="filter  /", id="filter", compact=True)
                yield OpsList(id="ops")
            with Vertical(id="right"):
                yield TrendChart(id="chart", classes="pane")
                yield VersionTable(id="versions", classes="pane")
        yield TrendFooter()

    def on_mount(self) -> None:
        self.query_one("#trend-body").display = False
        self.query_one("#demo-button").display = False
        self.query_one(VersionTable).border_title = "versions"
        self._apply_width(self.size.width)
        self.run_worker(self._open(), group="trend-open", exit_on_error=False)

    def on_resize(self, event: events.Resize) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        self.set_class(width < NARROW_BELOW, "-narrow")

    async def on_unmount(self) -> None:
        if self.source is not None:
            await self.source.close()
            self.source = None

    def on_screen_resume(self) -> None:
        # Back from a run, a comparison or a deletion elsewhere: the history may have changed.
        if self._opened:
            self.reload()

    # ------------------------------------------------------------------ loading
    async def _open(self) -> None:
        try:
            self.source = await HistorySource.open(self.db_path)
            ops = await self.source.operations() if self.source is not None else []
        except Exception as exc:  # a file that cannot be opened is a state, not a crash
            self._show_state("error", describe_error(exc))
            return
        self._opened = True
        await self._show_ops(ops)

    def reload(self) -> None:
        self.run_worker(self._reload, group="trend-open", exclusive=True, exit_on_error=False)

    async def _reload(self) -> None:
        if self.source is None:
            await self._open()
            return
        try:
            ops = await self.source.operations()
        except Exception as exc:
            self._show_state("error", describe_error(exc))
            return
        await self._show_ops(ops)

    async def _show_ops(self, ops: list[OpRef]) -> None:
        self.ops = ops
        if not ops:
            self._show_state("empty")
            return
        current = self.op if self.op in ops else None
        wanted = self.wanted if self.wanted in ops else None
        self.wanted = None
        chosen = wanted or current or ops[0]
        self._fill_ops()
        self._highlight_op(chosen)
        offset = self.page.offset if self.page and chosen == current else 0
        # The body is shown with the page's figures (``_reveal``), not before: it is laid out
        # and drawn once, with data, rather than empty first and filled a frame later.
        self.select_op(chosen, offset=offset, keep=chosen == current)
        self.run_worker(
            self._load_latest, group="trend-latest", exclusive=True, exit_on_error=False
        )

    def select_op(self, op: OpRef, offset: int = 0, keep: bool = False) -> None:
        """Show a page of ``op``; ``keep`` stays on the same version (a reload)."""
        if op != self.op:
            self.marked = {}  # marks belong to one operation's versions
        self.op = op
        label = self.cursor_label if keep else None
        # A callable, not a coroutine: an exclusive worker replaced before it starts then
        # leaves no never-awaited coroutine behind.
        self.run_worker(
            functools.partial(self._load_page, op, offset, label),
            group="trend-page",
            exclusive=True,
            exit_on_error=False,
        )

    async def _load_page(self, op: OpRef, offset: int, cursor: str | None) -> None:
        source = self.source
        assert source is not None
        try:
            page = await source.figures(op, offset)
            if page.judged:
                self._show_page(page, cursor)
                return
            # Verdicts cached by an earlier look arrive within a frame or two: then the page is
            # drawn once, complete. Otherwise the figures are drawn now and the verdicts follow,
            # the newest first (they are the ones a person looks at).
            newest = FIRST_VERDICTS if len(page.points) > FIRST_VERDICTS else None
            first = asyncio.ensure_future(source.judged(page, newest=newest))
            done, _ = await asyncio.wait({first}, timeout=QUICK_VERDICTS_S)
            if not done:
                self._show_page(page, cursor)
                cursor = None
            page = await first
            if newest is not None and not page.judged:
                done_page = asyncio.ensure_future(source.judged(page))
                done, _ = await asyncio.wait({done_page}, timeout=QUICK_VERDICTS_S)
                if not done:
                    self._show_page(page, cursor)
                    cursor = None
                page = await done_page
            self._show_page(page, cursor)
        except Exception as exc:
            self._show_chart_message(
                f"Cannot read the history of {op.operation}: {describe_error(exc)}"
            )

    async def _load_latest(self) -> None:
        assert self.source is not None
        try:
            self.latest = await self.source.latest()
        except Exception:  # badges are a convenience; the list without them still works
            return
        self._fill_ops()
        self._summarise()

    # ------------------------------------------------------------------ showing
    def _show_state(self, state: str, detail: str = "") -> None:
        self.state = state
        ready = state == "ready"
        self.query_one("#trend-body").display = ready
        self.query_one("#state-box").display = not ready
        button = self.query_one("#demo-button", Button)
        button.display = state == "empty"
        text = self.query_one("#state", Static)
        if state == "error":
            text.update(
                Content.assemble(
                    ("Cannot open the history\n\n", "bold $error"),
                    (detail, "$error"),
                    (f"\n\n{shown_path(self.db_path)}\n\n", MUTED),
                    ("Use another file: --db PATH or $BENCHTUI_DB.", MUTED),
                )
            )
        elif state == "empty":
            text.update(
                Content.assemble(
                    ("No history yet\n\n", "bold $primary"),
                    "Runs saved to ",
                    (shown_path(self.db_path), "bold"),
                    " show up here, version by version.\n"
                    "Run operations from the suites screen (escape, then r),\n"
                    "or record the demo: three real versions of a retrieval change.",
                )
            )
            button.focus()
        if ready:
            if self.latest:  # the badges came first: keep their summary
                self._summarise()
            else:
                self.sub_title = shown_path(self.db_path)
            focused = self.focused
            if focused is None or not focused.display or focused.id == "demo-button":
                self.query_one("#ops", OptionList).focus()

    def _fill_ops(self) -> None:
        options = self.query_one("#ops", OptionList)
        needle = self.query_one("#filter", Input).value.strip().lower()
        shown = [op for op in self.ops if needle in f"{op.suite} {op.operation}".lower()]
        several = len({op.suite for op in self.ops}) > 1
        width = self._ops_width(len(shown) + (len({op.suite for op in shown}) if several else 0))
        items: list[Option] = []
        suite = None
        for op in shown:
            if several and op.suite != suite:
                suite = op.suite
                items.append(Option(Content.styled(suite, "bold $primary"), disabled=True))
            items.append(Option(op_prompt(op, self.latest.get(op), width), id=op_id(op)))
        highlighted = self.op
        with self.prevent(OptionList.OptionHighlighted):
            options.set_options(items)
            if not shown:
                options.add_option(Option(Content.styled("no match", MUTED), disabled=True))
        if shown and (highlighted is None or highlighted not in shown):
            # The operation on the right was filtered out: show the first one that matches,
            # never figures of an operation the list no longer shows.
            self.cursor_label = None
            self.select_op(shown[0])
            highlighted = shown[0]
        if highlighted is not None:
            self._highlight_op(highlighted)

    def _ops_width(self, lines: int) -> int:
        """The cells an operation's line has in the list (0 before the list is laid out):
        its width inside the padding, less the scrollbar when the lines will not all fit."""
        options = self.query_one("#ops", OptionList)
        region = options.scrollable_content_region  # inside the padding and any scrollbar
        width = region.width
        if lines > region.height and not options.show_vertical_scrollbar:
            width -= options.styles.scrollbar_size_vertical  # one is about to appear
        return max(width, 0)

    def _highlight_op(self, op: OpRef) -> None:
        options = self.query_one("#ops", OptionList)
        try:
            index = options.get_option_index(op_id(op))
        except Exception:  # filtered out
            return
        with self.prevent(OptionList.OptionHighlighted):
            options.highlighted = index

    def _reveal(self) -> None:
        """The body, once its first page (or the reason there is none) is ready to draw."""
        if self.state != "ready" and self.ops:
            self._show_state("ready")

    def _show_page(self, page: TrendPage, cursor: str | None = None) -> None:
        if page.op != self.op:
            return  # a late answer for an operation the person has left
        self._reveal()
        self.page = page
        table = self.query_one(VersionTable)
        labels = [p.label for p in page.points]
        if cursor not in labels:
            cursor = self.cursor_label if self.cursor_label in labels else None
        if cursor is None and labels:
            cursor = labels[-1]
        self.cursor_label = cursor
        table.show(page, frozenset(self.marked), cursor)
        self._update_titles()
        self._update_chart()
        self.post_message(PageShown(page))

    def _update_chart(self) -> None:
        page = self.page
        chart = self.query_one(TrendChart)
        if page is None:
            return
        cursor = page.index_of(self.cursor_label) if self.cursor_label else None
        message = "" if page.points else "no versions of this operation on this page"
        chart.view = ChartView(page.points, cursor, frozenset(self.marked), self.mode, message)

    def _show_chart_message(self, message: str) -> None:
        self._reveal()
        self.query_one(TrendChart).view = ChartView(message=message)

    def _update_titles(self) -> None:
        page, chart = self.page, self.query_one(TrendChart)
        if page is None or self.op is None:
            return
        chart.border_title = f"{self.op.operation} · {self.mode}"
        legend = LEGENDS[self.mode]
        if len(page.points) == 1 and not page.has_older:
            # No verdict to explain yet: the hint takes the place of the verdict legend.
            legend = f"{legend} · {ONE_VERSION}" if self.mode == MEMORY else ONE_VERSION
        chart.border_subtitle = legend
        table = self.query_one(VersionTable)
        first, last = page.offset + 1, page.offset + len(page.points)
        where = "newest " if page.offset == 0 else ""
        nav = [n for n, ok in (("[ older", page.has_older), ("] newer", page.offset > 0)) if ok]
        judging = "" if page.judged else " · judging…"
        table.border_title = f"versions {where}{first}–{last}{judging}"
        note = [AGAINST_NOTE] if table.against else []
        if table.failures:
            note.append(FAILURES_NOTE)
        table.border_subtitle = " · ".join(note + nav + [f"{len(self.marked)}/2 marked"])

    def _summarise(self) -> None:
        slower = [op for op, s in self.latest.items() if s.verdict and s.verdict.kind == "slower"]
        failed = [op for op, s in self.latest.items() if s.p50_ns is None]
        parts = [f"{len(self.ops)} operations"]
        if slower:
            parts.append(f"{len(slower)} slower in their newest version")
        if failed:
            parts.append(f"{len(failed)} failed in their newest version")
        self.sub_title = " · ".join(parts) + f" · {shown_path(self.db_path)}"

    # ------------------------------------------------------------------ events
    @on(OptionList.OptionHighlighted, "#ops")
    def _op_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        option_id = event.option.id
        if option_id is None:
            return
        suite, _, operation = option_id.partition("\x1f")
        op = OpRef(suite, operation)
        if op != self.op:
            self.cursor_label = None
            self.select_op(op)

    @on(OptionList.OptionSelected, "#ops")
    def _op_selected(self) -> None:
        self.query_one(VersionTable).focus()

    @on(OpsList.Resized)
    def _ops_resized(self) -> None:
        if self.ops:
            self._fill_ops()

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self._fill_ops()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.query_one("#ops", OptionList).focus()

    @on(VersionHighlighted)
    def _row_highlighted(self, event: VersionHighlighted) -> None:
        label = event.label
        if label != self.cursor_label:
            self.cursor_label = label
            self._update_chart()

    @on(VersionSelected)
    def _row_selected(self) -> None:
        self.action_compare_previous()

    @on(Button.Pressed, "#demo-button")
    def _demo_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.app.run_action("record_demo")

    # ------------------------------------------------------------------ actions
    def action_back(self) -> None:
        table, options = self.query_one(VersionTable), self.query_one("#ops", OptionList)
        if self.query_one("#filter", Input).has_focus or table.has_focus:
            options.focus()
            return
        self.dismiss()

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_chart(self) -> None:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        self._update_titles()
        self._update_chart()

    @property
    def current_label(self) -> str | None:
        """The version under the table's cursor (read from the table itself: a key pressed
        right after a cursor move must not act on the row before it)."""
        label = self.query_one(VersionTable).label_at_cursor()
        if label is not None and label != self.cursor_label:
            self.cursor_label = label
            self._update_chart()
        return label or self.cursor_label

    def action_mark(self) -> None:
        label = self.current_label
        if self.page is None or label is None:
            return
        index = self.page.index_of(label)
        if label in self.marked:
            del self.marked[label]
        elif index is not None:
            if len(self.marked) >= 2:  # the older mark makes room
                self.marked.pop(next(iter(self.marked)))
            self.marked[label] = self.page.points[index].stats.first_run_at
        self.query_one(VersionTable).set_marks(frozenset(self.marked))
        self._update_titles()
        self._update_chart()

    def action_older(self) -> None:
        if self.page is not None and self.op is not None and self.page.has_older:
            self.select_op(self.op, offset=self.page.offset + PAGE)

    def action_newer(self) -> None:
        if self.page is not None and self.op is not None and self.page.offset > 0:
            self.select_op(self.op, offset=max(self.page.offset - PAGE, 0))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        ready = self.state == "ready" and self.page is not None
        if action in ("older",):
            return ready and self.page.has_older  # type: ignore[union-attr]
        if action in ("newer",):
            return ready and self.page.offset > 0  # type: ignore[union-attr]
        if action in ("compare_previous", "mark"):
            return ready and self.query_one(VersionTable).has_focus
        if action in ("compare_marked", "chart", "rerun", "export", "delete_run", "filter"):
            return ready
        return True
