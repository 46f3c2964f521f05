"""The worker process and its supervisor, with real child processes.

Accuracy, sync/async, setup/teardown, concurrency, memory (leak vs plateau), output capture,
and every fault: raising, hanging, exiting, segfaulting, flooding, cancelling.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from benchtui.measure.histogram import decode_counts
from benchtui.runner.events import (
    MemoryReading,
    OperationFinished,
    OperationOutput,
    PhaseStarted,
    Progress,
    RoundFinished,
)
from benchtui.runner.live import RunState
from benchtui.runner.results import OperationResult, RunResult
from benchtui.runner.supervisor import Supervisor, probe_operations
from benchtui.suite import load_suite

FAST = """
[defaults]
warmup = 20
iterations = 2000
memory = false
timeout = 30
"""


def run(path: Path, **kwargs: object) -> RunResult:
    return asyncio.run(Supervisor(load_suite(path), **kwargs).run())  # type: ignore[arg-type]


def by_name(result: RunResult) -> dict[str, OperationResult]:
    return {op.operation: op for op in result.operations}


def _cmdline(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.Error:  # exited or a zombie between listing and reading
        return ""


def _no_children_left() -> bool:
    me = psutil.Process()
    return not [p for p in me.children(recursive=True) if "runner/child.py" in _cmdline(p)]


def test_known_duration_is_measured_accurately(write_suite: Callable[..., Path]) -> None:
    path = write_suite(
        FAST
        + """
[[operations]]
name = "busy"
target = "faulty_ops:busy_200us"
iterations = 300
"""
    )
    op = by_name(run(path))["busy"]
    assert op.status == "ok" and op.iterations == 300 and op.errors == 0
    # A 200 µs busy-wait is never measured shorter than it is, and its fastest call only a
    # little longer (timer + call overhead). The median is bounded loosely: on a loaded CI
    # machine preemption lengthens many calls, which the harness rightly reports.
    assert 200_000 <= op.latency_ns.min <= 200_000 * 1.10
    assert 200_000 <= op.latency_ns.p50 <= 200_000 * 2
    assert len(op.rounds) == 20 and sum(r.iterations for r in op.rounds) == 300
    assert all(r.p50_ns >= 200_000 for r in op.rounds)
    assert decode_counts(op.histogram).sum() == 300


def test_sync_async_setup_teardown_and_params(
    write_suite: Callable[..., Path], suite_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = suite_dir / "calls.log"
    monkeypatch.setenv("BENCHTUI_TEST_LOG", str(log))
    path = write_suite(
        FAST
        + """
[[operations]]
name = "sync"
target = "faulty_ops:sync_noop"

[[operations]]
name = "async"
target = "faulty_ops:async_noop"

[[operations]]
name = "with_params"
target = "faulty_ops:add"
params = { a = 1, b = 2 }

[[operations]]
name = "stateful"
target = "faulty_ops:use_state_async"
setup = "faulty_ops:make_state_async"
teardown = "faulty_ops:close_state"
params = { size = 5 }
memory = true
memory_iterations = 20
"""
    )
    ops = by_name(run(path))
    for name in ("sync", "async", "with_params", "stateful"):
        assert ops[name].status == "ok", ops[name].error
        assert ops[name].iterations == 2000
        assert 0 < ops[name].latency_ns.p50 < 1_000_000
    # Setup and teardown once per phase: the timed phase and the memory phase.
    assert log.read_text().splitlines() == ["setup", "teardown", "setup", "teardown"]


def test_concurrency_overlaps_async_calls(write_suite: Callable[..., Path]) -> None:
    path = write_suite(
        FAST
        + """
[[operations]]
name = "serial"
target = "faulty_ops:sleep_5ms"
iterations = 40
warmup = 2

[[operations]]
name = "parallel"
target = "faulty_ops:sleep_5ms"
iterations = 160
warmup = 8
concurrency = 8
"""
    )
    ops = by_name(run(path))
    serial, parallel = ops["serial"], ops["parallel"]
    assert serial.status == parallel.status == "ok"
    assert parallel.latency_ns.p50 >= 5_000_000
    # Eight calls in flight: several times the throughput of one at a time.
    assert parallel.throughput_per_s > 4 * serial.throughput_per_s


def test_leak_is_told_from_plateau(write_suite: Callable[..., Path]) -> None:
    path = write_suite(
        """
[defaults]
warmup = 10
iterations = 500
memory = true
memory_iterations = 1000

[[operations]]
name = "leaks"
target = "faulty_ops:leaks"

[[operations]]
name = "plateau"
target = "faulty_ops:plateau"

[[operations]]
name = "noop"
target = "faulty_ops:sync_noop"
"""
    )
    ops = by_name(run(path))
    leaks = ops["leaks"].memory
    assert leaks.leak_detected
    assert 2048 <= leaks.leak_bytes_per_iter < 2048 * 1.5
    # Only where the memory goes: not benchtui's own event encoding (json/encoder.py lines).
    assert leaks.leak_sites and all("faulty_ops.py" in site.site for site in leaks.leak_sites)
    assert leaks.tracemalloc_peak_bytes and leaks.tracemalloc_peak_bytes > 1_000_000
    for name in ("plateau", "noop"):
        memory = ops[name].memory
        assert not memory.leak_detected, (name, memory)
        assert memory.leak_sites == ()
    for op in ops.values():
        assert op.memory.rss_peak_bytes and op.memory.rss_start_bytes
        assert op.memory.rss_peak_bytes >= op.memory.rss_start_bytes


def test_faults_are_contained_and_the_run_goes_on(write_suite: Callable[..., Path]) -> None:
    path = write_suite(
        FAST
        + """
[[operations]]
name = "raises"
target = "faulty_ops:raises"

[[operations]]
name = "sometimes"
target = "faulty_ops:raises_sometimes"

[[operations]]
name = "hangs"
target = "faulty_ops:hangs"
timeout = 2

[[operations]]
name = "exits"
target = "faulty_ops:exits"

[[operations]]
name = "segfaults"
target = "faulty_ops:segfaults"

[[operations]]
name = "after"
target = "faulty_ops:sync_noop"
"""
    )
    ops = by_name(run(path))
    raises = ops["raises"]
    assert raises.status == "error" and raises.errors == 2000 and raises.iterations == 2000
    assert raises.error and raises.error.type == "ValueError"
    assert "deliberate failure" in raises.error.traceback
    # It starts at the user's code: benchtui's own calling frames say nothing of the bug.
    first_frame = raises.error.traceback.splitlines()[1]
    assert "faulty_ops.py" in first_frame and "benchtui" not in raises.error.traceback
    sometimes = ops["sometimes"]
    assert sometimes.status == "error" and 150 <= sometimes.errors <= 250
    assert sometimes.latency_ns.p50 > 0  # the calls that worked were still measured
    assert ops["hangs"].status == "timeout"
    assert ops["exits"].status == "crashed" and ops["exits"].exit_code == 7
    assert "code 7" in (ops["exits"].error.message if ops["exits"].error else "")
    assert ops["segfaults"].status == "crashed"
    assert ops["segfaults"].exit_code == -signal.SIGSEGV
    assert ops["after"].status == "ok"
    assert _no_children_left()


def test_output_is_captured_and_floods_are_bounded(write_suite: Callable[..., Path]) -> None:
    path = write_suite(
        FAST
        + """
[[operations]]
name = "prints"
target = "faulty_ops:prints"
iterations = 5
warmup = 0

[[operations]]
name = "floods"
target = "faulty_ops:floods"
iterations = 3000
"""
    )
    supervisor = Supervisor(load_suite(path))

    async def collect() -> list[object]:
        return [event async for event in supervisor.events()]

    events = asyncio.run(collect())
    ops = by_name(supervisor.result)  # type: ignore[arg-type]
    assert ops["prints"].output.count("hello from the operation") == 6  # warmup probe + 5
    assert "to stderr" in ops["prints"].output
    assert ops["floods"].status == "ok"
    # ~30 MB printed; what is kept is bounded and says what was dropped.
    assert len(ops["floods"].output) < 100_000
    assert "not kept" in ops["floods"].output
    live = [e for e in events if isinstance(e, OperationOutput) and e.operation == "prints"]
    assert live and all(e.stream in ("stdout", "stderr") for e in live)


def test_event_stream_shape(write_suite: Callable[..., Path]) -> None:
    path = write_suite(
        """
[[operations]]
name = "noop"
target = "faulty_ops:async_noop"
duration = 0.6
warmup = 10
memory_iterations = 50
"""
    )
    supervisor = Supervisor(load_suite(path))
    state = RunState(["noop"])

    async def collect() -> list[object]:
        events = []
        async for event in supervisor.events():
            state.apply(event)
            events.append(event)
        return events

    events = asyncio.run(collect())
    phases = [e.phase for e in events if isinstance(e, PhaseStarted)]
    assert phases == ["warmup", "timed", "memory"]
    progress = [e for e in events if isinstance(e, Progress)]
    assert len(progress) >= 3  # ~10 a second over 0.6 s
    assert sum(decode_counts(p.histogram_delta).sum() for p in progress) == progress[-1].iterations
    assert len([e for e in events if isinstance(e, RoundFinished)]) == 20
    assert any(isinstance(e, MemoryReading) and e.rss_bytes for e in events)
    assert any(isinstance(e, MemoryReading) and e.traced_current_bytes for e in events)
    assert isinstance(events[-2], OperationFinished)
    snapshot = state.states["noop"].snapshot()
    assert snapshot.status == "ok" and snapshot.progress == 1.0
    assert snapshot.latency.p50 == supervisor.result.operations[0].latency_ns.p50  # type: ignore[union-attr]
    assert 0.5 <= supervisor.result.operations[0].total_time_s < 1.5  # type: ignore[union-attr]


def test_cancel_kills_the_child_and_marks_the_rest(write_suite: Callable[..., Path]) -> None:
    path = write_suite(
        FAST
        + """
[[operations]]
name = "hangs"
target = "faulty_ops:hangs"

[[operations]]
name = "never"
target = "faulty_ops:sync_noop"
"""
    )
    supervisor = Supervisor(load_suite(path))

    async def go() -> float:
        loop = asyncio.get_running_loop()
        cancelled_at = 0.0
        async for event in supervisor.events():
            if isinstance(event, PhaseStarted) and event.phase == "warmup":
                await asyncio.sleep(0.2)
                cancelled_at = loop.time()
                supervisor.cancel()
        return loop.time() - cancelled_at

    took = asyncio.run(go())
    ops = by_name(supervisor.result)  # type: ignore[arg-type]
    assert ops["hangs"].status == "cancelled" and ops["never"].status == "cancelled"
    assert took < 1.5
    assert _no_children_left()


def test_grandchildren_die_with_the_worker(
    write_suite: Callable[..., Path], suite_dir: Path
) -> None:
    (suite_dir / "spawner.py").write_text(
        "import subprocess, sys, time\n"
        "def spawn():\n"
        "    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        "    time.sleep(600)\n"
    )
    path = write_suite(
        FAST + '[[operations]]\nname = "spawn"\ntarget = "spawner:spawn"\ntimeout = 2\n'
    )
    before = {p.pid for p in psutil.process_iter()}
    assert by_name(run(path))["spawn"].status == "timeout"
    leftovers = [
        p for p in psutil.process_iter(["pid", "cmdline"])
        if p.pid not in before and "time.sleep(600)" in " ".join(p.info["cmdline"] or [])
    ]
    assert not leftovers


def test_probe_reports_unresolvable_references(write_suite: Callable[..., Path]) -> None:
    path = write_suite(
        """
[[operations]]
name = "no_module"
target = "nowhere_to_be_found:f"

[[operations]]
name = "no_attr"
target = "faulty_ops:missing"

[[operations]]
name = "not_callable"
target = "faulty_ops:NOT_CALLABLE"

[[operations]]
name = "bad_setup"
target = "faulty_ops:use_state"
setup = "faulty_ops:nope"

[[operations]]
name = "fine"
target = "faulty_ops:sync_noop"
"""
    )
    suite = load_suite(path)
    problems = asyncio.run(probe_operations(suite, suite.operations))
    found = {(p.operation, p.key): str(p) for p in problems}
    assert set(found) == {
        ("no_module", "target"),
        ("no_attr", "target"),
        ("not_callable", "target"),
        ("bad_setup", "setup"),
    }
    assert "not found" in found[("no_module", "target")]
    assert "no attribute 'missing'" in found[("no_attr", "target")]
    assert "not callable" in found[("not_callable", "target")]
    assert all(str(path) in message for message in found.values())


def test_unresolvable_target_in_worker_is_an_error_not_a_crash(
    write_suite: Callable[..., Path],
) -> None:
    path = write_suite(FAST + '[[operations]]\nname = "x"\ntarget = "faulty_ops:missing"\n')
    op = by_name(run(path))["x"]
    assert op.status == "error"
    assert op.error and "key 'target'" in op.error.message


def test_worker_dies_with_its_parent(write_suite: Callable[..., Path], tmp_path: Path) -> None:
    """kill -9 of the supervising process leaves no worker behind (Linux parent-death signal)."""
    path = write_suite(FAST + '[[operations]]\nname = "hangs"\ntarget = "faulty_ops:hangs"\n')
    script = tmp_path / "parent.py"
    script.write_text(
        "import asyncio, sys\n"
        "from benchtui.suite import load_suite\n"
        "from benchtui.runner.supervisor import Supervisor\n"
        f"asyncio.run(Supervisor(load_suite({str(path)!r})).run())\n"
    )
    import subprocess
    import sys
    import time

    parent = subprocess.Popen([sys.executable, str(script)])
    try:
        deadline = time.monotonic() + 20
        worker = None
        while time.monotonic() < deadline and worker is None:
            for child in psutil.Process(parent.pid).children():
                if "runner/child.py" in _cmdline(child):
                    worker = child
            time.sleep(0.05)
        assert worker is not None
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        worker.wait(timeout=5)
    finally:
        if parent.poll() is None:
            parent.kill()


def test_descendant_in_its_own_session_neither_blocks_nor_survives(
    write_suite: Callable[..., Path],
) -> None:
    path = write_suite(
        """
[[operations]]
name = "escapes"
target = "faulty_ops:escapes_the_group"
iterations = 2
warmup = 0
rounds = 1
memory = false
timeout = 20
"""
    )
    import time

    started = time.monotonic()
    op = by_name(run(path))["escapes"]
    assert op.status == "ok"
    assert time.monotonic() - started < 10  # not held until the sleeper's 600 s are over
    leftovers = [
        p
        for p in psutil.process_iter(["cmdline"])
        if "time.sleep(600)" in " ".join(p.info["cmdline"] or [])
    ]
    assert not leftovers


def test_unusual_exceptions_count_as_call_errors(write_suite: Callable[..., Path]) -> None:
    path = write_suite(
        FAST
        + """
[[operations]]
name = "interrupt"
target = "faulty_ops:raises_keyboard_interrupt"

[[operations]]
name = "unprintable"
target = "faulty_ops:raises_unprintable"
"""
    )
    ops = by_name(run(path))
    assert ops["interrupt"].status == "error" and ops["interrupt"].errors == 2000
    assert ops["interrupt"].error and ops["interrupt"].error.type == "KeyboardInterrupt"
    unprintable = ops["unprintable"]
    assert unprintable.status == "error" and unprintable.errors == 2000
    assert unprintable.error and "str() failed" in unprintable.error.message


def test_slow_operation_memory_phase_fits_its_timeout(write_suite: Callable[..., Path]) -> None:
    path = write_suite(
        """
[[operations]]
name = "slow"
target = "faulty_ops:sleep_200ms"
iterations = 3
warmup = 0
timeout = 10
"""
    )
    op = by_name(run(path))["slow"]
    assert op.status == "ok", op.error
    assert op.memory.iterations is not None and 3 <= op.memory.iterations < 1000


def test_module_shadowing_a_loaded_one_is_reported(suite_dir: Path) -> None:
    (suite_dir / "json.py").write_text("def f():\n    return 1\n")
    (suite_dir / "shadow.toml").write_text(
        '[suite]\nname = "s"\n[[operations]]\nname = "op"\ntarget = "json:f"\n'
    )
    suite = load_suite(suite_dir / "shadow.toml")
    [problem] = asyncio.run(probe_operations(suite, suite.operations))
    assert problem.operation == "op" and problem.key == "target"
    assert "rename your module" in str(problem)


def test_import_that_hangs_is_named(suite_dir: Path) -> None:
    (suite_dir / "slow_import.py").write_text("import time\ntime.sleep(600)\ndef f(): pass\n")
    (suite_dir / "hang.toml").write_text(
        '[suite]\nname = "s"\n[[operations]]\nname = "op"\ntarget = "slow_import:f"\n'
        "timeout = 2\n"
    )
    suite = load_suite(suite_dir / "hang.toml")
    [problem] = asyncio.run(probe_operations(suite, suite.operations))
    assert problem.operation == "op" and problem.key == "target"
    assert "took longer than 2 s" in str(problem)


def test_live_error_count_is_of_timed_calls_only(write_suite: Callable[..., Path]) -> None:
    # Every tenth call raises: calls 1-20 are warmup (2 failures), calls 21-2020 are timed
    # (200 failures). Progress must never count the warmup's failures among the timed ones.
    path = write_suite(
        FAST
        + """
[[operations]]
name = "sometimes"
target = "faulty_ops:raises_sometimes"
"""
    )
    supervisor = Supervisor(load_suite(path))

    async def collect() -> list[object]:
        return [event async for event in supervisor.events()]

    progress = [e for e in asyncio.run(collect()) if isinstance(e, Progress)]
    [op] = supervisor.result.operations  # type: ignore[union-attr]
    assert op.iterations == 2000 and op.errors == 200
    assert progress and progress[-1].errors == 200 and progress[-1].iterations == 2000
    assert all(p.errors <= p.iterations for p in progress)


def test_output_is_drained_while_the_event_loop_is_busy(
    write_suite: Callable[..., Path],
) -> None:
    """A face that holds the event loop (a TUI painting a slow frame) must not stall a
    printing operation: its pipes are drained by threads, not by the loop. Here the loop is
    blocked for 3 s as the timed phase starts while the operation prints ~4 MB; fed only by
    the loop, the 64 KiB pipe would block it for those 3 s."""
    path = write_suite(
        """
[[operations]]
name = "chatty"
target = "faulty_ops:prints_200"
warmup = 10
iterations = 20000
memory = false
timeout = 60
"""
    )
    (path.parent / "faulty_ops.py").write_text(
        (path.parent / "faulty_ops.py").read_text()
        + "\n\ndef prints_200():\n    print('z' * 200)\n"
    )
    supervisor = Supervisor(load_suite(path))

    async def consume() -> None:
        blocked = False
        async for event in supervisor.events():
            if isinstance(event, PhaseStarted) and event.phase == "timed" and not blocked:
                blocked = True
                time.sleep(3.0)  # blocks the loop, as a slow consumer would

    asyncio.run(consume())
    [op] = supervisor.result.operations  # type: ignore[union-attr]
    assert op.status == "ok" and op.iterations == 20000
    assert op.total_time_s < 1.5, op.total_time_s
    assert "z" * 200 in op.output and "not kept" in op.output


def test_one_stalled_call_does_not_leave_single_call_rounds(
    write_suite: Callable[..., Path],
) -> None:
    """Duration-based rounds run on the phase's schedule; after a call that stalls past the
    whole schedule, each later round still gets half a round's time, not one call."""
    path = write_suite(
        """
[[operations]]
name = "stalls_once"
target = "stall_ops:stalls_once"
warmup = 20
duration = 0.4
rounds = 10
memory = false
timeout = 30
"""
    )
    (path.parent / "stall_ops.py").write_text(
        "import time\n\n_calls = [0]\n\n\ndef stalls_once():\n    _calls[0] += 1\n"
        "    if _calls[0] == 30:  # the 10th timed call\n        time.sleep(0.5)\n"
    )
    [op] = run(path).operations
    assert op.status == "ok" and len(op.rounds) == 10
    assert min(r.iterations for r in op.rounds[1:]) > 10, [r.iterations for r in op.rounds]
    assert op.total_time_s < 0.4 + 0.5 + 0.4 / 2 + 1.0  # the stall stretches it, boundedly
