"""Observer effect of the TUI: the same operation measured headless and with the TUI watching.

Usage::

    python benchmarks/observer.py [--op parse_tool_call] [--repeats 5] [--duration 2]
                                  [--size 200x50] [--terminal]

Runs alternate (headless, watched, headless, ...) so drift hits both sides alike. Headless is
the supervisor's event stream drained in a plain asyncio loop; watched is the full Textual app
driving the same supervisor and repainting its live screen — by default in Textual's headless
driver inside this process, with ``--terminal`` as a real ``benchtui`` in a tmux pane of the
given size (a pty, escape sequences and all). Reported: the median p50 of each side and their
difference (target <= 2 %), and the CPU the watching process used per wall-clock second while
the run streamed (target <= 15 % of one core). The child process measures either way.

This is a measurement script, not a test: it prints figures and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchtui.runner.supervisor import Supervisor  # noqa: E402
from benchtui.suite import Operation, Suite, load_suite  # noqa: E402


@dataclass
class Sample:
    mode: str
    p50_ns: int
    cpu_percent: float  # the observing process, per wall-clock second of the whole run
    wall_s: float
    steady_percent: float | None = None  # the same, over the timed phase only (streaming)


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def chosen(suite_path: Path, name: str, duration: float) -> tuple[Suite, Operation]:
    suite = load_suite(suite_path)
    # No traced phase: it does not change the latency figures and only lengthens the run.
    op = suite.operation(name).with_overrides(duration=duration, memory=False)
    return suite, op


async def headless(suite: Suite, op: Operation) -> Sample:
    me = psutil.Process()
    supervisor = Supervisor(suite, [op], label="observer")
    cpu0, wall0 = cpu_seconds(me), time.monotonic()
    result = await supervisor.run()
    wall = time.monotonic() - wall0
    cpu = cpu_seconds(me) - cpu0
    return Sample("headless", result.operations[0].latency_ns.p50, 100 * cpu / wall, wall)


async def watched_in_process(suite: Suite, op: Operation, size: tuple[int, int]) -> Sample:
    from benchtui.tui.app import BenchApp
    from benchtui.tui.screens.live import LiveScreen
    from benchtui.tui.screens.suites import SuitesScreen
    from benchtui.tui.widgets.suite_tree import SuiteTree

    app = BenchApp([suite.path], save=False, label_for=lambda _folder: "observer")
    me = psutil.Process()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SuitesScreen)
        index = next(i for i, s in enumerate(app.suites) if s.path == suite.path)
        screen.overrides[(index, op.name)] = op
        screen.query_one(SuiteTree).select_keys({(index, op.name)})
        await pilot.pause()
        cpu0, wall0 = cpu_seconds(me), time.monotonic()
        screen.action_run_selected()
        steady: list[tuple[float, float]] = []  # (cpu, wall) while the timed phase streams
        while app.session is None or app.session.in_flight:
            await asyncio.sleep(0.05)
            # Read the view the screen already took (building another would cost CPU here).
            live = app.screen
            view = live.view if isinstance(live, LiveScreen) else None
            if view and view.entries and view.entries[0].snapshot.phase == "timed":
                steady.append((cpu_seconds(me), time.monotonic()))
        wall = time.monotonic() - wall0
        cpu = cpu_seconds(me) - cpu0
        session = app.session
    assert session.results, f"the watched run did not finish: {session.phase} {session.problems}"
    p50 = session.results[0].operations[0].latency_ns.p50
    steady_pct = None
    if len(steady) >= 2:
        (c0, w0), (c1, w1) = steady[0], steady[-1]
        steady_pct = 100 * (c1 - c0) / (w1 - w0)
    return Sample("watched", p50, 100 * cpu / wall, wall, steady_pct)


def watched_in_terminal(suite: Suite, op: Operation, size: tuple[int, int]) -> Sample:
    """A real ``benchtui`` in a tmux pane; p50 read back from its tracker database."""
    if shutil.which("tmux") is None:
        raise SystemExit("--terminal needs tmux")
    work = Path(tempfile.mkdtemp(prefix="observer-"))
    suite_file = write_single_op_suite(suite, op, work)
    db = work / "history.sqlite"
    session = f"observer{int(time.time() * 1000) % 100000}"
    command = f"{sys.executable} -m benchtui {suite_file} --db {db}"
    width, height = size
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", str(width), "-y", str(height), command],
        check=True,
    )
    try:
        pane_pid = int(
            subprocess.run(
                ["tmux", "display", "-p", "-t", session, "#{pane_pid}"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
        tui = psutil.Process(pane_pid)
        time.sleep(2.0)  # start-up: imports, first paint, default label
        keys = ["tmux", "send-keys", "-t", session]
        subprocess.run([*keys, "Down", "space"], check=True)  # cursor on the operation
        time.sleep(0.3)
        cpu0, wall0 = cpu_seconds(tui), time.monotonic()
        subprocess.run([*keys, "r"], check=True)
        # While the stats pane says "timed", the run is streaming: sample the TUI's CPU then.
        steady: list[tuple[float, float]] = []
        deadline = wall0 + op.duration * 4 + 30
        while time.monotonic() < deadline:
            screen = subprocess.run(
                ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
            ).stdout
            if "timed · round" in screen:
                steady.append((cpu_seconds(tui), time.monotonic()))
            elif steady or "finished" in screen:
                break
            time.sleep(0.2)
        p50 = wait_for_saved_p50(db, timeout=op.duration * 4 + 30)
        wall = time.monotonic() - wall0
        cpu = cpu_seconds(tui) - cpu0
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
        shutil.rmtree(work, ignore_errors=True)
    steady_pct = None
    if len(steady) >= 2:
        (c0, w0), (c1, w1) = steady[0], steady[-1]
        steady_pct = 100 * (c1 - c0) / (w1 - w0)
    return Sample("watched", p50, 100 * cpu / wall, wall, steady_pct)


def write_single_op_suite(suite: Suite, op: Operation, folder: Path) -> Path:
    import json

    lines = [
        "[suite]",
        f"name = {json.dumps(suite.name)}",
        "[[operations]]",
        f"name = {json.dumps(op.name)}",
        f"target = {json.dumps(op.target)}",
        f"duration = {op.duration}",
        f"warmup = {op.warmup}",
        f"rounds = {op.rounds}",
        f"concurrency = {op.concurrency}",
        "memory = false",
    ]
    for key in ("setup", "teardown"):
        if getattr(op, key):
            lines.append(f"{key} = {json.dumps(getattr(op, key))}")
    if op.params:
        params = ", ".join(f"{k} = {json.dumps(v)}" for k, v in op.params.items())
        lines.append(f"params = {{ {params} }}")
    # The operation's module sits beside the original suite: point the copy there.
    path = suite.folder / f".observer-{folder.name}.toml"
    path.write_text("\n".join(lines) + "\n")
    (folder / "suite-path").write_text(str(path))
    return path


def wait_for_saved_p50(db: Path, timeout: float) -> int:
    from benchtui.tracker import Tracker

    async def read() -> int | None:
        if not db.exists():
            return None
        async with await Tracker.open(db) as tracker:
            runs = await tracker.runs()
        return runs[0].operations[0].latency_ns.p50 if runs else None

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            p50 = asyncio.run(read())
        except Exception:  # the file may be mid-creation
            p50 = None
        if p50 is not None:
            return p50
        time.sleep(0.5)
    raise SystemExit("the watched run did not reach the tracker in time")


def parse_size(text: str) -> tuple[int, int]:
    width, height = text.lower().split("x")
    return int(width), int(height)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", type=Path, default=ROOT / "sample_suites" / "agent.toml")
    parser.add_argument("--op", default="parse_tool_call")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--duration", type=float, default=2.0)
    parser.add_argument("--size", type=parse_size, default=(200, 50))
    parser.add_argument("--terminal", action="store_true", help="watch from a real tmux pane")
    args = parser.parse_args()

    suite, op = chosen(args.suite, args.op, args.duration)
    samples: list[Sample] = []
    extra: list[Path] = []
    try:
        for i in range(args.repeats):
            samples.append(asyncio.run(headless(suite, op)))
            if args.terminal:
                samples.append(watched_in_terminal(suite, op, args.size))
                extra.extend(suite.folder.glob(".observer-*.toml"))
            else:
                samples.append(asyncio.run(watched_in_process(suite, op, args.size)))
            h, w = samples[-2], samples[-1]
            print(
                f"round {i + 1}: p50 headless {h.p50_ns:,} ns, watched {w.p50_ns:,} ns; "
                f"CPU of the observing process {h.cpu_percent:.1f} % vs {w.cpu_percent:.1f} %",
                flush=True,
            )
    finally:
        for path in set(extra) | set(suite.folder.glob(".observer-*.toml")):
            path.unlink(missing_ok=True)

    head = [s for s in samples if s.mode == "headless"]
    watch = [s for s in samples if s.mode == "watched"]
    p50_h = statistics.median(s.p50_ns for s in head)
    p50_w = statistics.median(s.p50_ns for s in watch)
    diff = 100 * (p50_w - p50_h) / p50_h
    where = "tmux pane" if args.terminal else "Textual headless driver"
    print()
    print(f"operation        {suite.name}:{op.name}, {args.duration:g} s timed, x{args.repeats}")
    print(f"watched from     {where}, {args.size[0]}x{args.size[1]}")
    print(f"p50 headless     {p50_h:,.0f} ns (median of {len(head)})")
    print(f"p50 watched      {p50_w:,.0f} ns (median of {len(watch)})")
    print(f"difference       {diff:+.2f} %   (target within 2 %)")
    paired = [100 * (w.p50_ns - h.p50_ns) / h.p50_ns for h, w in zip(head, watch, strict=True)]
    each = ", ".join(f"{d:+.1f}" for d in paired)
    print(f"paired rounds    median {statistics.median(paired):+.2f} %  ({each})")
    # The machine's own noise: how far apart two headless runs of the same operation land.
    floor = [
        abs(b.p50_ns - a.p50_ns) / a.p50_ns * 100 for a, b in zip(head, head[1:], strict=False)
    ]
    if floor:
        print(
            f"noise floor      headless vs headless, median |diff| {statistics.median(floor):.1f} %"
        )
    cpu_w = [s.cpu_percent for s in watch]
    cpu_h = [s.cpu_percent for s in head]
    print(
        f"TUI process CPU  median {statistics.median(cpu_w):.1f} %, max {max(cpu_w):.1f} % "
        f"of one core   (target <= 15 %)"
    )
    steady = [s.steady_percent for s in watch if s.steady_percent is not None]
    if steady:
        print(
            f"  while streaming median {statistics.median(steady):.1f} %, max {max(steady):.1f} %"
            " (timed phase only, without the screen switch and start-up)"
        )
    print(f"headless parent  median {statistics.median(cpu_h):.1f} % (supervisor alone)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
