"""``benchtui run``: measure a suite headless, with live progress, a table and JSON.

The headless face of the supervisor's event stream: progress bars drawn from live snapshots
a few times a second, a summary table at the end, ``--json`` for machines, and the run saved to
the tracker unless ``--no-save``. Exit codes: 0 all ok, 1 some operation not ok, 2 usage or
suite error (or the run could not be written or saved), 130 cancelled with Ctrl+C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path
from typing import Any

from rich.markup import escape

from benchtui.runner.results import RunResult
from benchtui.suite import Operation, Suite, SuiteError, load_suite

EXIT_OK, EXIT_NOT_OK, EXIT_USAGE, EXIT_CANCELLED = 0, 1, 2, 130


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("suite", type=Path, help="suite file (TOML)")
    parser.add_argument(
        "--op", action="append", default=[], metavar="NAME", help="operation to run (repeatable)"
    )
    measure = parser.add_mutually_exclusive_group()
    measure.add_argument("--iterations", type=int, help="timed iterations per operation")
    measure.add_argument("--duration", type=float, help="seconds of timed phase per operation")
    parser.add_argument("--warmup", type=int, help="untimed iterations first")
    parser.add_argument("--rounds", type=int, help="rounds the timed phase is split into")
    parser.add_argument("--timeout", type=float, help="seconds per operation before it is killed")
    parser.add_argument("--no-memory", action="store_true", help="skip the traced memory phase")
    parser.add_argument("--label", help="version label (default: git describe of the suite)")
    parser.add_argument("--no-save", action="store_true", help="do not save to the tracker")
    parser.add_argument("--db", help="tracker database (default .benchtui/history.sqlite)")
    parser.add_argument("--json", metavar="PATH", help="write the run as JSON ('-' for stdout)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress and no table")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show each operation's output and traceback"
    )


def select_operations(suite: Suite, args: argparse.Namespace) -> tuple[Operation, ...]:
    """The chosen operations with the command line's overrides applied."""
    chosen = suite.select(args.op)
    overrides: dict[str, Any] = {
        "iterations": args.iterations,
        "duration": args.duration,
        "warmup": args.warmup,
        "rounds": args.rounds,
        "timeout": args.timeout,
    }
    if args.no_memory:
        overrides["memory"] = False
    try:
        return tuple(op.with_overrides(**overrides) for op in chosen)
    except SuiteError as exc:
        # The override is what is wrong, not the file: say so with the flag's name.
        raise SuiteError(
            f"command-line override: {exc.detail}", operation=exc.operation, key=exc.key
        ) from None


def main(args: argparse.Namespace) -> int:
    console_err = _console(stderr=True)
    try:
        suite = load_suite(args.suite)
        operations = select_operations(suite, args)
    except SuiteError as exc:
        console_err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return EXIT_USAGE
    return asyncio.run(_run(suite, operations, args))


async def _run(suite: Suite, operations: tuple[Operation, ...], args: argparse.Namespace) -> int:
    from benchtui.runner.supervisor import Supervisor, probe_operations

    err = _console(stderr=True)
    problems = await probe_operations(suite, operations)
    if problems:
        for problem in problems:
            err.print(f"[bold red]error:[/] {escape(str(problem))}", highlight=False)
        return EXIT_USAGE
    if not args.no_save and not await _tracker_usable(args, err):
        return EXIT_USAGE
    label = args.label or await asyncio.to_thread(_default_label, suite)
    supervisor = Supervisor(suite, operations, label=label)
    loop = asyncio.get_running_loop()
    # Ctrl+C cancels the run; the handler stays until the run is written and saved, so a
    # second, impatient Ctrl+C cannot interrupt the save (which is one transaction anyway).
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, supervisor.cancel)
    try:
        if args.quiet:
            await supervisor.run()
        else:
            from benchtui.commands.progress import watch

            await watch(supervisor, [op.name for op in operations], err)
        result = supervisor.result
        assert result is not None
        if not args.quiet:
            from benchtui.commands.progress import print_summary

            print_summary(result, _console(stderr=args.json == "-"), verbose=args.verbose)
        written = _write_json(result, args.json, err) if args.json else True
        saved = await _save(result, args, err) if not args.no_save else True
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
    if supervisor.cancelled:
        err.print("[yellow]cancelled[/]")
        return EXIT_CANCELLED
    if not (written and saved):
        return EXIT_USAGE  # the measurement is fine, but where it was to go is not
    return EXIT_OK if result.status == "ok" else EXIT_NOT_OK


def _default_label(suite: Suite) -> str:
    from benchtui.tracker.location import default_label

    return default_label(suite.folder)


def _write_json(result: RunResult, target: str, err: Any) -> bool:
    text = json.dumps(result.to_dict(), indent=2)
    if target == "-":
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
        return True
    path = Path(target)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text + "\n", encoding="utf-8")
        tmp.replace(path)
        return True
    except OSError as exc:
        err.print(f"[bold red]error:[/] cannot write {escape(str(path))}: {escape(str(exc))}")
        return False


async def _tracker_usable(args: argparse.Namespace, err: Any) -> bool:
    """Open the tracker before measuring: a foreign, corrupt or newer file should stop the
    run at once, not after minutes of measuring that then cannot be saved."""
    from benchtui.tracker import Tracker, TrackerError
    from benchtui.tracker.location import resolve_db_path

    try:
        tracker = await Tracker.open(resolve_db_path(args.db))
        await tracker.close()
    except TrackerError as exc:
        err.print(
            f"[bold red]error:[/] {escape(str(exc))}\nnothing was measured "
            "(--db picks another file; --no-save measures without saving)",
            highlight=False,
        )
        return False
    return True


async def _save(result: RunResult, args: argparse.Namespace, err: Any) -> bool:
    from benchtui.tracker import Tracker, TrackerError
    from benchtui.tracker.location import resolve_db_path

    path = resolve_db_path(args.db)
    kept = result.without_cancelled()
    if kept is None:
        err.print("nothing finished, nothing saved")
        return True
    try:
        tracker = await Tracker.open(path)
        try:
            await tracker.save_run(kept)
        finally:
            await tracker.close()
    except TrackerError as exc:
        err.print(f"[bold red]error:[/] run not saved: {escape(str(exc))}")
        return False
    if not args.quiet:
        err.print(
            f"saved as [bold]{escape(result.label)}[/] to {escape(str(path))}", highlight=False
        )
    return True


def _console(stderr: bool) -> Any:
    import os

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Piped output (CI logs) has no width; rich would assume 80 and squash the table.
    width = None if stream.isatty() or os.environ.get("COLUMNS") else 160
    return Console(stderr=stderr, highlight=False, width=width)
