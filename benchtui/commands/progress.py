"""Headless drawing with rich: live progress bars per operation and the summary table.

Consumes the supervisor's events, folds them into ``RunState`` and redraws from snapshots a few
times a second, so a chatty operation cannot make the terminal the bottleneck.
"""

from __future__ import annotations

import asyncio

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from benchtui import format as fmt
from benchtui.runner.live import LiveSnapshot, RunState
from benchtui.runner.results import OperationResult, RunResult
from benchtui.runner.supervisor import Supervisor

REFRESH_S = 0.25
STATUS_STYLE = {
    "ok": "green",
    "error": "red",
    "timeout": "magenta",
    "crashed": "bold red",
    "cancelled": "yellow",
    "running": "cyan",
    "pending": "dim",
}


def _describe(snapshot: LiveSnapshot) -> str:
    if snapshot.status == "pending":
        return "pending"
    if snapshot.status != "running":
        return f"[{STATUS_STYLE.get(snapshot.status, '')}]{snapshot.status}[/]"
    phase = snapshot.phase or "starting"
    if phase != "timed":
        return phase
    lat = snapshot.latency
    parts = [f"{fmt.count(snapshot.iterations)} it"]
    if snapshot.latency_samples:
        parts += [
            fmt.rate(snapshot.throughput_now or snapshot.throughput_overall),
            f"p50 {fmt.duration_ns(lat.p50)}",
            f"p99 {fmt.duration_ns(lat.p99)}",
        ]
    elif snapshot.iterations:
        parts.append("no successful call yet")
    if snapshot.errors:
        parts.append(f"[red]{snapshot.errors} err[/]")
    return "  ".join(parts)


async def watch(supervisor: Supervisor, names: list[str], console: Console) -> None:
    state = RunState(names)
    progress = Progress(
        TextColumn("{task.fields[name]}", style="bold"),
        BarColumn(bar_width=24),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[detail]}"),
        console=console,
        auto_refresh=False,
        transient=False,
    )
    width = max((len(n) for n in names), default=8)
    tasks: dict[str, TaskID] = {
        name: progress.add_task(
            "", total=1.0, name=escape(name.ljust(width)), detail="pending", start=False
        )
        for name in names
    }

    def redraw() -> None:
        for snapshot in state.snapshots():
            task = tasks[snapshot.operation]
            if snapshot.status != "pending":
                progress.start_task(task)
            done = snapshot.progress if snapshot.progress is not None else 0.0
            if snapshot.result is not None:
                # A full bar only for a timed phase run through; an error, timeout or crash
                # keeps the bar where it stopped (its status says why).
                done = 1.0 if snapshot.complete else done
                progress.stop_task(task)
            progress.update(task, completed=done, detail=_describe(snapshot))
        progress.refresh()

    async def ticker() -> None:
        while True:
            await asyncio.sleep(REFRESH_S)
            redraw()

    with progress:
        tick = asyncio.create_task(ticker())
        try:
            async for event in supervisor.events():
                state.apply(event)
        finally:
            tick.cancel()
            redraw()


def _status(result: OperationResult) -> str:
    return f"[{STATUS_STYLE.get(result.status, '')}]{result.status}[/]"


# Columns dropped first when the terminal is narrow (80 columns still shows the essentials).
_OPTIONAL_COLUMNS = ("p90", "p99.9", "max", "tm peak")
WIDE_ENOUGH = 130


def summary_table(result: RunResult, width: int = 200) -> Table:
    table = Table(
        title=escape(f"{result.suite} · {result.label}"),
        title_justify="left",
        header_style="bold",
        show_edge=False,
        pad_edge=False,
    )
    d = fmt.duration_ns
    rows: list[dict[str, str]] = []
    for op in result.operations:
        lat = op.latency_ns
        has_latency = op.iterations > op.errors
        rows.append(
            {
                "operation": escape(op.operation),
                "status": _status(op),
                "iter": fmt.count(op.iterations),
                "err": fmt.count(op.errors),
                # Calls that all raised have no throughput worth quoting.
                "thrpt": fmt.rate(op.throughput_per_s) if has_latency else "—",
                "p50": d(lat.p50) if has_latency else "—",
                "p90": d(lat.p90) if has_latency else "—",
                "p99": d(lat.p99) if has_latency else "—",
                "p99.9": d(lat.p999) if has_latency else "—",
                "max": d(lat.max) if has_latency else "—",
                "tm peak": fmt.size_bytes(op.memory.tracemalloc_peak_bytes),
                "leak": fmt.leak(op.memory.leak_bytes_per_iter, op.memory.leak_detected),
                "rss peak": fmt.size_bytes(op.memory.rss_peak_bytes),
            }
        )
    names = list(rows[0]) if rows else ["operation", "status"]
    if width < WIDE_ENOUGH:
        names = [n for n in names if n not in _OPTIONAL_COLUMNS]
    for name in names:
        justify = "left" if name in ("operation", "status") else "right"
        table.add_column(name, justify=justify, no_wrap=name != "operation")  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*(row[n] for n in names))
    return table


def print_summary(result: RunResult, console: Console, *, verbose: bool = False) -> None:
    console.print()
    console.print(summary_table(result, console.width))
    for op in result.operations:
        if op.memory.leak_detected and op.memory.leak_sites:
            console.print(f"\n[bold]{escape(op.operation)}[/] leaks; growing allocation sites:")
            for site in op.memory.leak_sites:
                console.print(
                    f"  {fmt.size_bytes(site.size_bytes):>10}  {site.count:>7} blocks  "
                    f"{escape(site.site)}"
                )
        if op.error is not None and (verbose or op.status != "ok" or op.errors):
            console.print(
                f"\n[bold]{escape(op.operation)}[/] "
                f"[red]{escape(op.error.type)}: {escape(op.error.message)}[/]",
            )
            if verbose and op.error.traceback:
                console.print(op.error.traceback, markup=False)
        if verbose and op.output:
            console.print(f"\n[bold]{escape(op.operation)}[/] output:")
            console.print(op.output, markup=False, highlight=False)
    if not verbose and any(op.output for op in result.operations):
        console.print("\n[dim]operations printed output; --verbose shows it[/]")
