"""The compare screen: version B of one operation against version A.

Shows the verdict with its reason and the ratio's confidence interval, both latency
histograms overlaid (merged from each version's stored runs), the figures side by side with
B/A, and the environments of the two versions with the differences that could explain a
change flagged (Python, CPU, host, a dirty work tree). Loads in a worker; a failed version or
one without samples gets a message where its figures would be.

It reads through the trend screen's ``HistorySource`` and writes nothing.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from benchtui import format as fmt
from benchtui.stats import FASTER, INCONCLUSIVE, SLOWER, Verdict
from benchtui.tui import keys
from benchtui.tui.history_queries import CompareData, HistorySource, OpRef, Side, describe_error
from benchtui.tui.widgets.overlay import A_MARKER, B_MARKER, HistogramOverlay, OverlayView

MUTED = "$foreground-muted"
NARROW_BELOW = 120
VERDICT_STYLES = {
    SLOWER: ("▲ SLOWER", "bold $error"),
    FASTER: ("▼ FASTER", "bold $success"),
    INCONCLUSIVE: ("? INCONCLUSIVE", "bold $warning"),
}


def verdict_content(data: CompareData) -> Content:
    v: Verdict = data.verdict
    title, style = VERDICT_STYLES.get(v.kind, ("= NO SIGNIFICANT CHANGE", "bold $foreground-muted"))
    parts: list[tuple[str, str] | str] = [(title, style)]
    if v.ratio is not None:
        parts.append((f"   {v.ratio - 1:+.1%}", style))
        parts.append(("  median round time, B against A", MUTED))
    lines = [Content.assemble(*parts)]
    if v.ci_low is not None and v.ci_high is not None:
        ci = f"{v.ci_low - 1:+.1%} … {v.ci_high - 1:+.1%}"
        p = f"p = {v.p_value:.2g}" if v.p_value is not None else ""
        lines.append(
            Content.assemble(
                ("95% CI ", MUTED),
                ci,
                ("  ratio ", MUTED),
                f"{v.ratio:.3f}",
                ("  Mann-Whitney ", MUTED),
                p,
            )
        )
    lines.append(Content.assemble(("why: ", MUTED), v.reason))
    runs = f"{len(data.a.runs)} vs {len(data.b.runs)} run(s)"
    lines.append(Content.styled(f"{v.n_a} vs {v.n_b} rounds from {runs}", MUTED))
    return Content("\n").join(lines)


# Below these, a figure is noise and a ratio of two of them means nothing (bytes per call).
RATIO_FLOORS = {"leak/call": 8.0}


def _ratio_cell(
    a: float | None, b: float | None, lower_is_better: bool, floor: float = 0.0
) -> Content:
    if not a or b is None or max(abs(a), abs(b)) < floor:
        return Content.styled("—", MUTED)
    change = b / a - 1
    if abs(change) < 0.02:
        return Content.styled(f"{change:+.1%}", MUTED)
    better = (change < 0) == lower_is_better
    return Content.styled(f"{change:+.1%}", "$success" if better else "$error")


def figures_content(data: CompareData) -> Content:
    a, b = data.a, data.b
    sa, sb = a.stats, b.stats
    pa, pb = dict(a.percentiles), dict(b.percentiles)
    width = max(12, len(a.label), len(b.label)) + 1
    rows: list[tuple[str, float | None, float | None, object, bool]] = [
        ("p50 (runs)", sa and sa.p50_ns, sb and sb.p50_ns, fmt.duration_ns, True),
        ("p99 (runs)", sa and sa.p99_ns, sb and sb.p99_ns, fmt.duration_ns, True),
    ]
    for name in ("p50", "p90", "p99", "p99.9"):
        rows.append((f"{name} (hist)", pa.get(name), pb.get(name), fmt.duration_ns, True))
    rows += [
        ("throughput", sa and sa.throughput_per_s, sb and sb.throughput_per_s, fmt.rate, False),
        (
            "leak/call",
            sa and sa.leak_bytes_per_iter,
            sb and sb.leak_bytes_per_iter,
            fmt.size_bytes,
            True,
        ),
        (
            "traced peak",
            sa and sa.tracemalloc_peak_bytes,
            sb and sb.tracemalloc_peak_bytes,
            fmt.size_bytes,
            True,
        ),
        ("RSS peak", sa and sa.rss_peak_bytes, sb and sb.rss_peak_bytes, fmt.size_bytes, True),
        ("samples", a.samples or None, b.samples or None, fmt.count, False),
    ]
    lines = [
        Content.assemble(
            (f"{'':<12}", ""),
            (f"{'A ' + a.label:>{width}}", "bold $primary"),
            (f"{'B ' + b.label:>{width}}", "bold $accent"),
            (f"{'B/A':>9}", "bold"),
        )
    ]
    for name, va, vb, formatter, lower in rows:
        show = formatter  # type: ignore[assignment]
        cells = [show(va) if va is not None else "—", show(vb) if vb is not None else "—"]  # type: ignore[operator]
        floor = RATIO_FLOORS.get(name, 0.0)
        ratio = _ratio_cell(va, vb, lower, floor) if name != "samples" else Content("")
        lines.append(
            Content.assemble(
                (f"{name:<12}", MUTED),
                f"{cells[0]:>{width}}",
                f"{cells[1]:>{width}}",
                "  ",
                ratio.pad_left(max(7 - ratio.cell_length, 0)),
            )
        )
    for side, name in ((sa, a.label), (sb, b.label)):
        if side is not None and side.status != "ok":
            # A side can have figures while runs failed: they come from the successful calls.
            figures = ": figures from the successful calls" if side.p50_ns is not None else ""
            lines.append(
                Content.styled(
                    f"{name}: {side.runs - side.ok_runs} of {side.runs} run(s) "
                    f"{side.status}{figures}",
                    "$error",
                )
            )
        if side is None:
            lines.append(Content.styled(f"{name} did not run this operation", "$error"))
    return Content("\n").join(lines)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def environment_content(data: CompareData, width: int = 100) -> Content:
    """The two environments side by side (values cut to fit ``width``), with a note on the
    differences that could explain a change."""
    column = max(10, min(40, (width - 18) // 2))
    lines = [
        Content.assemble(
            (" " * 17, ""), (f"{'A':<{column + 1}}", "bold $primary"), ("B", "bold $accent")
        )
    ]
    for row in data.environment:
        a, b = row.a, row.b
        if row.name == "git commit":
            a, b = a[:12], b[:12]
        style = "$warning" if row.may_explain else ("" if row.differs else MUTED)
        lines.append(
            Content.assemble(
                ("≠ " if row.differs else "  ", "bold $warning" if row.may_explain else MUTED),
                (f"{row.name:<15}", MUTED),
                (f"{_fit(a, column):<{column + 1}}", style),
                (_fit(b, column), style),
            )
        )
    differ = [r.name for r in data.environment if r.may_explain and r.differs]
    dirty = [
        side
        for side, value in (
            ("A", data.a.environment.get("dirty tree")),
            ("B", data.b.environment.get("dirty tree")),
        )
        if value == "yes"
    ]
    if differ:
        lines.append(
            Content.styled(
                f"⚠ {', '.join(differ)} differ between the two: that alone can explain a "
                "difference in timings.",
                "bold $warning",
            )
        )
    if dirty:
        lines.append(
            Content.styled(
                f"⚠ uncommitted changes were measured ({' and '.join(dirty)}): the label may not "
                "say which code ran.",
                "$warning",
            )
        )
    if not differ and not dirty:
        lines.append(
            Content.styled("Same interpreter, machine and clean trees on both sides.", MUTED)
        )
    return Content("\n").join(lines)


def overlay_view(data: CompareData) -> OverlayView:
    return OverlayView(
        a_label=data.a.label,
        b_label=data.b.label,
        a_bins=data.a.bins,
        b_bins=data.b.bins,
        a_marks=data.a.percentiles,
        b_marks=data.b.percentiles,
    )


class CompareScreen(Screen[None]):
    """B against A for one operation; escape goes back to the trend."""

    BINDINGS = [keys.BACK, keys.SWAP]
    DEFAULT_CSS = """
    CompareScreen #compare-body { height: 1fr; scrollbar-size-vertical: 1; }
    CompareScreen .pane {
        border: round $primary 40%; border-title-color: $primary;
        border-subtitle-color: $foreground-muted; padding: 0 1; height: auto;
    }
    CompareScreen #middle { height: auto; }
    CompareScreen #environment, CompareScreen #figures {
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    CompareScreen #overlay { width: 1fr; height: 18; }
    CompareScreen #figures { width: 62; }
    CompareScreen.-narrow #middle { layout: vertical; }
    CompareScreen.-narrow #overlay { width: 1fr; height: 14; }
    CompareScreen.-narrow #figures { width: 1fr; }
    """

    def __init__(self, source: HistorySource, op: OpRef, a: str, b: str) -> None:
        super().__init__()
        self.source, self.op, self.a, self.b = source, op, a, b
        self.data: CompareData | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="compare-body"):
            yield _titled(Static("Comparing…", id="verdict", classes="pane"), "verdict")
            with Horizontal(id="middle"):
                yield _titled(HistogramOverlay(id="overlay", classes="pane"), "latency histograms")
                yield _titled(Static(id="figures", classes="pane"), "figures")
            yield _titled(Static(id="environment", classes="pane"), "environment")
        yield Footer()

    def on_mount(self) -> None:
        self._apply_width(self.size.width)
        self.query_one("#compare-body").focus()  # arrows and page keys scroll at once
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        self._apply_width(event.size.width)
        if self.data is not None:
            self.call_after_refresh(self.show, self.data)  # the environment fits the width

    def _apply_width(self, width: int) -> None:
        self.set_class(width < NARROW_BELOW, "-narrow")

    def load(self) -> None:
        self.sub_title = f"{self.op.operation} · {self.a} → {self.b}"
        self.run_worker(self._load(), group="compare", exclusive=True, exit_on_error=False)

    async def _load(self) -> None:
        try:
            data = await self.source.compare(self.op, self.a, self.b)
        except Exception as exc:
            self.query_one("#verdict", Static).update(
                Content.styled(f"Cannot compare: {describe_error(exc)}", "$error")
            )
            return
        self.show(data)

    def show(self, data: CompareData) -> None:
        self.data = data
        self.query_one("#verdict", Static).update(verdict_content(data))
        self.query_one(HistogramOverlay).view = overlay_view(data)
        self.query_one(HistogramOverlay).border_subtitle = _legend(data.a, data.b)
        self.query_one("#figures", Static).update(figures_content(data))
        width = self.query_one("#environment", Static).content_size.width or self.size.width
        self.query_one("#environment", Static).update(environment_content(data, width))

    def action_swap(self) -> None:
        self.a, self.b = self.b, self.a
        self.load()

    def action_back(self) -> None:
        self.dismiss()


def _legend(a: Side, b: Side) -> str:
    # The sides by place and by their percentile markers (overlay.A_MARKER, B_MARKER): never
    # ▲/▼, which mean slower/faster everywhere else.
    return (
        f"A above {A_MARKER} {fmt.count(a.samples)} samples · "
        f"B below {B_MARKER} {fmt.count(b.samples)} · log axis"
    )


def _titled(widget, title: str):  # type: ignore[no-untyped-def]
    widget.border_title = title
    return widget
