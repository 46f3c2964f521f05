"""The stats pane: progress, throughput, errors, latency figures and times of one operation.

Rendered from a ``LiveSnapshot`` (live or finished); it computes nothing the snapshot does not
carry except the layout of the text and the progress bar.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.content import Content
from textual.geometry import Region
from textual.reactive import reactive
from textual.widget import Widget

from benchtui import format as fmt
from benchtui.runner.live import LiveSnapshot
from benchtui.tui.widgets import status

MUTED = "$foreground-muted"


def progress_bar(fraction: float | None, width: int) -> Content:
    width = max(width, 1)
    if fraction is None:
        return Content.styled("╌" * width, MUTED)
    filled = min(max(int(round(fraction * width)), 0), width)
    return Content.assemble(("━" * filled, "$primary"), ("━" * (width - filled), "$primary-muted"))


# Where a finished operation stopped, after its status: "timeout in warmup".
STOPPED_IN = {
    "warmup": "in warmup",
    "timed": "in the timed phase",
    "memory": "in the memory phase",
    None: "before warmup",
}


def describe_phase(snap: LiveSnapshot) -> str:
    if snap.status == "pending":
        return "waiting"
    if snap.status != "running":
        if snap.result is None or snap.complete:
            return snap.status
        if not snap.started:
            return f"{snap.status} · never started"
        return f"{snap.status} {STOPPED_IN.get(snap.ended_in, 'in ' + str(snap.ended_in))}"
    if snap.phase == "timed":
        # From the same Progress event as the bar, so the two always agree.
        if snap.round is not None and snap.planned_rounds:
            return f"timed · round {snap.round}/{snap.planned_rounds}"
        return "timed"
    return {"warmup": "warming up", "memory": "memory phase (traced)"}.get(
        snap.phase or "", "starting"
    )


def memory_progress(snap: LiveSnapshot, planned: int | None) -> tuple[float, int] | None:
    """(fraction, traced calls done) while the memory phase runs."""
    if snap.status != "running" or snap.phase != "memory" or not planned:
        return None
    done = int(snap.traced_series[-1][0]) if snap.traced_series else 0
    return min(done / planned, 1.0), done


def total_text(snap: LiveSnapshot) -> str:
    if snap.result is not None:
        return fmt.count(snap.iterations)
    if snap.planned_iterations:
        return f"{fmt.count(snap.iterations)} / {fmt.count(snap.planned_iterations)}"
    if snap.planned_duration:
        # "380 in 1.5s" read as an elapsed time; this is the length the timed phase aims at.
        return f"{fmt.count(snap.iterations)} · target {fmt.seconds(snap.planned_duration)}"
    return fmt.count(snap.iterations)


def percent_text(snap: LiveSnapshot, progress: float | None) -> str:
    """After the bar: the percentage, and for an operation that stopped short, that it did."""
    stopped = snap.result is not None and not snap.complete
    if progress is None:
        return " timed phase not reached" if stopped else "     "
    if stopped:
        return f" stopped at {progress * 100:.0f}%"
    return f" {progress * 100:3.0f}%"


def precise_seconds(value: float) -> str:
    # A finished operation's timed phase, as precise as the saved result (1.0046 s: 1.005s).
    return f"{value:.3f}s" if value < 60 else fmt.seconds(value)


def time_row(snap: LiveSnapshot) -> Content:
    """Wall time since the operation started, the timed phase's share, and what is left."""
    reached = snap.elapsed_s > 0 or snap.iterations > 0 or snap.phase in ("timed", "memory")
    if snap.result is not None:
        timed = precise_seconds(snap.elapsed_s) if reached or snap.complete else "—"
        tail: tuple[tuple[str, str] | str, ...] = ()
    else:
        timed = fmt.seconds(snap.elapsed_s) if reached else "—"
        tail = (("  remaining ", MUTED), fmt.seconds(snap.eta_s))
    return _row(
        "time",
        Content.assemble(
            ("elapsed ", MUTED),
            fmt.seconds(snap.wall_s) if snap.wall_s is not None else "—",
            ("  timed ", MUTED),
            timed,
            *tail,
        ),
    )


class StatsPane(Widget):
    """Figures of the shown operation; set ``snapshot`` to redraw."""

    DEFAULT_CSS = """
    StatsPane { height: 11; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    snapshot: reactive[LiveSnapshot | None] = reactive(None, repaint=False)
    memory_planned: int | None = None  # set with the snapshot: traced calls planned

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: list[Content] = []

    def watch_snapshot(self) -> None:
        # Mark only the changed lines dirty: most frames change a handful of figures.
        new = self.lines()
        old, self._lines = self._lines, new
        if len(old) != len(new):  # a line came or went (an error, say): repaint it all
            self.refresh()
            return
        width = self.content_size.width
        for y, (before, after) in enumerate(zip(old, new, strict=True)):
            if before != after:
                self.refresh(Region(0, y, width, 1))

    def on_resize(self) -> None:
        self._lines = self.lines()
        self.refresh()

    def render(self) -> Content:
        return Content("\n").join(self._lines)

    def lines(self) -> list[Content]:
        snap = self.snapshot
        if snap is None:
            return [Content.styled("no operation shown", MUTED)]
        width = max(self.content_size.width, 20)
        # Failed calls record no latency: without a successful one there is no figure to show
        # (the summary's zeros would read as calls that took 0 ns).
        has_latency = snap.latency_samples > 0
        d = fmt.duration_ns if has_latency else (lambda _v: "—")
        progress, iterations = snap.progress, total_text(snap)
        traced = memory_progress(snap, self.memory_planned)
        if traced is not None:  # the timed phase is over: show the traced phase's progress
            progress, done = traced
            iterations += f"  (traced {fmt.count(done)} / {fmt.count(self.memory_planned)})"
        percent = percent_text(snap, progress)
        lines = [
            Content.assemble(
                (f"{status.icon(snap.status)} ", status.style(snap.status)),
                (snap.operation, "bold"),
                ("  " + describe_phase(snap), MUTED),
            ),
            progress_bar(progress, width - len(percent)) + Content(percent),
            _row("iterations", iterations),
            _row(
                "throughput",
                Content.assemble(
                    ("now ", MUTED),
                    fmt.rate(snap.throughput_now) if snap.result is None else "—",
                    ("  overall ", MUTED),
                    fmt.rate(snap.throughput_overall),
                ),
            ),
            _row(
                "errors",
                Content.styled(fmt.count(snap.errors), "bold $error" if snap.errors else ""),
            ),
            *latency_rows(snap, d),
            time_row(snap),
        ]
        if snap.error is not None:
            message = f"{snap.error.type}: {snap.error.message}"
            lines.append(Content.styled(message, "$error"))
        return lines


def latency_rows(snap: LiveSnapshot, d: Callable[[float], str]) -> list[Content]:
    """Two rows of latency figures; when calls were made but none succeeded, say so."""
    lat = snap.latency
    if snap.latency_samples == 0 and snap.errors and snap.iterations:
        return [
            _row("latency", Content.assemble("—", ("  no successful calls", MUTED))),
            _row("", Content.styled(f"every timed call{so_far(snap)} raised", MUTED)),
        ]
    return [
        _row(
            "latency",
            Content.assemble(
                ("min ", MUTED),
                d(lat.min),
                ("  p50 ", MUTED),
                (d(lat.p50), "bold"),
                ("  p90 ", MUTED),
                d(lat.p90),
            ),
        ),
        _row(
            "",
            Content.assemble(
                ("p99 ", MUTED),
                d(lat.p99),
                ("  p99.9 ", MUTED),
                d(lat.p999),
                ("  max ", MUTED),
                d(lat.max),
            ),
        ),
    ]


def so_far(snap: LiveSnapshot) -> str:
    return " so far" if snap.result is None else ""


def _row(label: str, value: Content | str) -> Content:
    value = value if isinstance(value, Content) else Content(value)
    return Content.styled(f"{label:<11}", MUTED) + value
