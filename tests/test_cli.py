"""``benchtui run`` and ``benchtui list`` as a user runs them: real processes, exit codes, JSON."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil

FAST = """
[defaults]
warmup = 10
iterations = 1000
memory_iterations = 30
timeout = 30
"""

OPERATION_KEYS = {
    "operation", "status", "iterations", "errors", "total_time_s", "throughput_per_s",
    "latency_ns", "histogram", "rounds", "memory", "error", "output",
}
MEMORY_KEYS = {
    "tracemalloc_peak_bytes", "leak_bytes_per_iter", "leak_sites", "rss_start_bytes",
    "rss_peak_bytes", "rss_end_bytes",
}


def benchtui(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchtui", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env={**os.environ, "BENCHTUI_DB": str(cwd / "history.sqlite")},
    )


def test_run_writes_json_and_exits_zero(write_suite: Callable[..., Path], suite_dir: Path) -> None:
    path = write_suite(
        FAST
        + """
[[operations]]
name = "a"
target = "faulty_ops:sync_noop"

[[operations]]
name = "b"
target = "faulty_ops:async_noop"
"""
    )
    out = suite_dir / "out" / "run.json"
    done = benchtui("run", str(path), "--op", "b", "--label", "v1", "--no-save", "--json",
                    str(out), cwd=suite_dir)
    assert done.returncode == 0, done.stderr
    assert "p50" in done.stdout  # the summary table
    data = json.loads(out.read_text())
    assert data["schema"] == "benchtui.run/1" and data["label"] == "v1"
    assert data["suite"] == "test" and data["status"] == "ok"
    assert set(data["environment"]) >= {"python_version", "platform", "cpu_count", "hostname",
                                        "benchtui_version", "git_commit", "git_dirty"}
    [op] = data["operations"]
    assert set(op) >= OPERATION_KEYS
    assert set(op["memory"]) >= MEMORY_KEYS
    assert op["operation"] == "b" and op["iterations"] == 1000
    assert set(op["latency_ns"]) == {"min", "mean", "stdev", "p50", "p90", "p99", "p999", "max"}
    assert len(op["rounds"]) == 20


def test_json_to_stdout_stays_clean(write_suite: Callable[..., Path], suite_dir: Path) -> None:
    path = write_suite(FAST + '[[operations]]\nname = "a"\ntarget = "faulty_ops:prints"\n')
    done = benchtui("run", str(path), "--no-save", "--json", "-", "--no-memory", cwd=suite_dir)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)  # the operation's prints do not leak into it
    assert "hello from the operation" in data["operations"][0]["output"]
    assert data["operations"][0]["memory"]["tracemalloc_peak_bytes"] is None


def test_overrides_and_failing_operation_exit_one(
    write_suite: Callable[..., Path], suite_dir: Path
) -> None:
    path = write_suite(
        FAST
        + """
[[operations]]
name = "ok"
target = "faulty_ops:sync_noop"

[[operations]]
name = "bad"
target = "faulty_ops:raises"
"""
    )
    done = benchtui("run", str(path), "--iterations", "200", "--no-save", "--json", "-", "-q",
                    cwd=suite_dir)
    assert done.returncode == 1
    ops = {op["operation"]: op for op in json.loads(done.stdout)["operations"]}
    assert ops["ok"]["iterations"] == 200 and ops["ok"]["status"] == "ok"
    assert ops["bad"]["status"] == "error" and ops["bad"]["errors"] == 200
    assert ops["bad"]["error"]["type"] == "ValueError"


def test_suite_errors_exit_two_with_a_located_message(
    write_suite: Callable[..., Path], suite_dir: Path
) -> None:
    bad = write_suite('[[operations]]\nname = "a"\ntarget = "faulty_ops:sync_noop"\nwarmup = "x"\n')
    done = benchtui("run", str(bad), "--no-save", cwd=suite_dir)
    assert done.returncode == 2
    assert "suite.toml:7" in done.stderr and "operation 'a'" in done.stderr
    assert "key 'warmup'" in done.stderr and "Traceback" not in done.stderr

    missing = write_suite('[[operations]]\nname = "m"\ntarget = "no_such_module:f"\n', "m.toml")
    done = benchtui("run", str(missing), "--no-save", cwd=suite_dir)
    assert done.returncode == 2
    assert "operation 'm'" in done.stderr and "key 'target'" in done.stderr
    assert "no_such_module" in done.stderr

    done = benchtui("run", str(missing), "--op", "zzz", "--no-save", cwd=suite_dir)
    assert done.returncode == 2 and "no operation named 'zzz'" in done.stderr

    done = benchtui("run", str(suite_dir / "absent.toml"), cwd=suite_dir)
    assert done.returncode == 2 and "file not found" in done.stderr

    done = benchtui("run", str(missing), "--iterations", "0", cwd=suite_dir)
    assert done.returncode == 2 and "iterations" in done.stderr


def test_ctrl_c_cancels_cleanly(write_suite: Callable[..., Path], suite_dir: Path) -> None:
    path = write_suite(
        FAST
        + """
[[operations]]
name = "hangs"
target = "faulty_ops:hangs"

[[operations]]
name = "later"
target = "faulty_ops:sync_noop"
"""
    )
    out = suite_dir / "cancelled.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "benchtui", "run", str(path), "--no-save", "--json", str(out)],
        cwd=suite_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if any("measure" in _cmdline(c) for c in _children(process.pid)):
                break
            time.sleep(0.05)
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    statuses = [op["status"] for op in json.loads(out.read_text())["operations"]]
    assert statuses == ["cancelled", "cancelled"]
    assert not [
        p for p in psutil.process_iter(["cmdline"])
        if "runner/child.py" in " ".join(p.info["cmdline"] or []) and str(path.parent)
        in " ".join(p.info["cmdline"] or [])
    ]


def _children(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def _cmdline(process: psutil.Process) -> str:
    # A child may exit (or be a zombie) between listing and reading: that is not a failure.
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


def test_list_shows_operations_and_errors(
    write_suite: Callable[..., Path], suite_dir: Path
) -> None:
    write_suite(FAST + '[[operations]]\nname = "alpha"\ntarget = "faulty_ops:sync_noop"\n')
    (suite_dir / "broken.toml").write_text("[suite\n")
    done = benchtui("list", str(suite_dir), cwd=suite_dir)
    assert done.returncode == 2
    assert "alpha" in done.stdout and "faulty_ops:sync_noop" in done.stdout
    assert "broken.toml" in done.stderr


def test_headless_path_never_imports_textual(
    write_suite: Callable[..., Path], suite_dir: Path
) -> None:
    path = write_suite(FAST + '[[operations]]\nname = "a"\ntarget = "faulty_ops:sync_noop"\n')
    code = (
        "import sys\n"
        "from benchtui.cli import main\n"
        f"code = main(['run', {str(path)!r}, '--no-save', '--no-memory', '-q'])\n"
        "assert code == 0, code\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'textual'], 'textual imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=suite_dir, timeout=120)
    assert done.returncode == 0, done.stderr


def test_markup_in_names_and_messages_is_shown_verbatim(
    write_suite: Callable[..., Path], suite_dir: Path
) -> None:
    path = write_suite(FAST + '[[operations]]\nname = "[/b]op"\ntarget = "faulty_ops:raises"\n')
    done = benchtui("run", str(path), "--no-save", "--no-memory", cwd=suite_dir)
    assert done.returncode == 1, done.stderr
    assert "[/b]op" in done.stdout and "Traceback" not in done.stderr


def test_unsaved_run_is_not_a_success(write_suite: Callable[..., Path], suite_dir: Path) -> None:
    # The tracker is fine when the run starts (it is checked first) and ruined during it:
    # the operation itself overwrites the file, so only the save can fail.
    db = suite_dir / "text.db"
    (suite_dir / "ruin_ops.py").write_text(
        "import os\n\ndef ruin():\n"
        f"    open({str(db)!r}, 'w').write('not a database\\n')\n"
    )
    path = write_suite(FAST + '[[operations]]\nname = "a"\ntarget = "ruin_ops:ruin"\n')
    done = benchtui("run", str(path), "--db", str(db), "--no-memory", "-q", cwd=suite_dir)
    assert done.returncode == 2, done.stderr
    assert "not saved" in done.stderr
    assert db.read_text() == "not a database\n"


def test_cancelled_operations_are_not_kept_for_the_tracker() -> None:
    from benchtui.runner.results import OperationResult, RunResult

    def run(*statuses: str) -> RunResult:
        ops = tuple(OperationResult(operation=f"op{i}", status=s) for i, s in enumerate(statuses))
        return RunResult("id", "s", "/s.toml", "v1", "t0", "t1", {}, ops)

    kept = run("ok", "error", "cancelled").without_cancelled()
    assert kept is not None and [op.status for op in kept.operations] == ["ok", "error"]
    assert run("cancelled", "cancelled").without_cancelled() is None


def test_operation_whose_every_call_raised_shows_no_figures() -> None:
    """Neither latency nor throughput is quoted for calls that all raised: 0 ns or 500k/s
    would read as a fast operation."""
    from dataclasses import replace

    from rich.console import Console

    from benchtui.commands.progress import summary_table
    from benchtui.runner.results import LatencySummary
    from benchtui.tracker.synthetic import synthetic_run

    run = synthetic_run("v1", {"fine": 10_000.0, "broken": 10_000.0}, histogram=False)
    broken = replace(
        run.operations[1],
        status="error",
        errors=run.operations[1].iterations,
        latency_ns=LatencySummary(),
        throughput_per_s=500_000.0,
    )
    run = replace(run, operations=(run.operations[0], broken))
    console = Console(width=200, record=True)
    console.print(summary_table(run))
    lines = {line.split()[0]: line for line in console.export_text().splitlines() if "│" in line}
    assert "500k/s" not in lines["broken"] and "0 ns" not in lines["broken"]
    assert lines["broken"].count("—") >= 6  # thrpt, p50, p90, p99, p99.9, max
    assert "/s" in lines["fine"] and "µs" in lines["fine"]


def test_an_unusable_tracker_stops_the_run_before_measuring(
    write_suite: Callable[..., Path], suite_dir: Path
) -> None:
    path = write_suite(FAST + '[[operations]]\nname = "ok"\ntarget = "faulty_ops:sync_noop"\n')
    foreign = suite_dir / "notes.sqlite"
    foreign.write_text("not a database\n")
    out = suite_dir / "out.json"
    done = benchtui("run", str(path), "--db", str(foreign), "--json", str(out), cwd=suite_dir)
    assert done.returncode == 2, done.stderr
    assert "nothing was measured" in done.stderr and "not a SQLite database" in done.stderr
    assert not out.exists()  # no measuring happened at all
    assert foreign.read_text() == "not a database\n"  # and the file is untouched


def test_list_without_paths_shows_the_bundled_suites(tmp_path: Path) -> None:
    """From any folder (a regular install has no sample_suites/ beside the user), a bare
    `benchtui list` shows the bundled suite and where it is."""
    done = benchtui("list", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "agent  (" in done.stdout and "agent.toml)" in done.stdout
    assert "render_prompt" in done.stdout


def test_help_describes_the_tui_and_each_command(tmp_path: Path) -> None:
    top = benchtui("--help", cwd=tmp_path)
    assert top.returncode == 0 and "usage: benchtui [--theme NAME] [--db PATH]" in top.stdout
    # A TUI option's value is no command: help, not "invalid choice".
    themed = benchtui("--theme", "benchtui-light", "--help", cwd=tmp_path)
    assert themed.returncode == 0 and "opens the TUI" in themed.stdout
    run_help = benchtui("run", "--help", cwd=tmp_path)
    assert run_help.returncode == 0 and run_help.stdout.startswith("usage: benchtui run ")
