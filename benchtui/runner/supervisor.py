"""The parent side of a run: one child process per operation, one async stream of events.

For each operation the supervisor starts ``benchtui.runner.child`` in its own session (so the
whole process group can be killed), reads its events from a private pipe, captures its stdout
and stderr, samples its RSS with psutil (costing the child nothing), and enforces the
operation's timeout and cancellation. Whatever the child does — raise, hang, print a flood,
``os._exit``, segfault, get OOM-killed — the stream ends with an ``OperationFinished`` whose
status says what happened, and the next operation runs.

It does not draw anything or store anything: faces consume ``events()``, the tracker stores
the final ``RunResult``.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import json
import os
import select
import signal
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import psutil

from benchtui.environment import collect_environment
from benchtui.runner.events import (
    Event,
    MemoryReading,
    OperationError,
    OperationFinished,
    OperationOutput,
    OperationStarted,
    PhaseStarted,
    Progress,
    RoundFinished,
    RunFinished,
)
from benchtui.runner.live import OperationState, OutputBuffer
from benchtui.runner.results import (
    ErrorInfo,
    LatencySummary,
    LeakSite,
    MemorySummary,
    OperationResult,
    RoundSummary,
    RunResult,
)
from benchtui.suite import Operation, Suite, SuiteError

RSS_INTERVAL_S = 0.1
OUTPUT_FLUSH_S = 0.1
OUTPUT_EVENT_CAP = 16 * 1024  # one live output event never carries more than this
EXIT_GRACE_S = 3.0
PIPE_LIMIT = 64 * 1024 * 1024
# Marks a worker and everything it starts, so leftovers can be found after it is gone.
TOKEN_VARIABLE = "BENCHTUI_WORKER_TOKEN"


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


CHILD_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "child.py")


def child_command(python: str, fd: int, mode: str, spec: dict[str, Any]) -> list[str]:
    # The script by path, not ``-m``: ``-m`` puts the working directory (the suite's folder)
    # first on sys.path before anything is imported, so a user's json.py or numpy.py would
    # replace the real ones inside benchtui itself.
    return [python, CHILD_SCRIPT, str(fd), mode, json.dumps(spec)]


def _child_env(token: str) -> dict[str, str]:
    env = dict(os.environ)
    env[TOKEN_VARIABLE] = token
    # Live output, and benchtui importable in the child even when run from a source tree.
    env["PYTHONUNBUFFERED"] = "1"
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (package_root, env.get("PYTHONPATH", "")) if p
    )
    return env


async def spawn_child(
    python: str,
    mode: str,
    spec: dict[str, Any],
    write_fd: int,
    token: str,
    suite: Suite,
    *,
    capture_stdout: bool,
    output_fds: tuple[int, int] | None = None,
) -> asyncio.subprocess.Process:
    """Start ``child.py`` in a session of its own, in the suite's folder, tagged with
    ``token``, reporting on ``write_fd``; stdin is closed, stderr captured (into asyncio
    pipes, or into ``output_fds`` = (stdout, stderr) write ends when given)."""
    if output_fds is not None:
        stdout: int = output_fds[0]
        stderr: int = output_fds[1]
    else:
        stdout = asyncio.subprocess.PIPE if capture_stdout else asyncio.subprocess.DEVNULL
        stderr = asyncio.subprocess.PIPE
    return await asyncio.create_subprocess_exec(
        *child_command(python, write_fd, mode, spec),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        pass_fds=(write_fd,),
        start_new_session=True,
        env=_child_env(token),
        cwd=str(suite.folder.resolve()),
    )


def _finish_drains(drains: Sequence[_OutputDrain], timeout: float) -> None:
    """Let the drains read to EOF for up to ``timeout`` s, then stop them: a grandchild that
    keeps a pipe open must not hold the run."""
    deadline = time.monotonic() + timeout
    for drain in drains:
        drain.join(max(deadline - time.monotonic(), 0.0))
    for drain in drains:
        drain.stop.set()
        drain.join()


def kill_group(process: asyncio.subprocess.Process) -> None:
    """SIGKILL the child and everything in its process group (the child leads a session of
    its own). Also after the child exited: what it started may still be running in the group,
    and the group id cannot be reused while any member lives."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()


def kill_tagged(token: str) -> int:
    """SIGKILL every process carrying this worker's token in its environment: descendants
    that left the process group (``setsid``, double forks) still inherit the environment."""
    killed = 0
    me = os.getpid()
    for candidate in psutil.process_iter(["pid"]):
        if candidate.pid == me:
            continue
        try:
            if candidate.environ().get(TOKEN_VARIABLE) == token:
                candidate.kill()
                killed += 1
        except (psutil.Error, OSError):
            continue
    return killed


async def _wait_exit(process: asyncio.subprocess.Process) -> int:
    """The child's exit code, as soon as the child watcher has reaped it."""
    while process.returncode is None:
        await asyncio.sleep(0.02)
    return process.returncode


@dataclass
class _ChildRun:
    """Book-keeping for one operation's child."""

    operation: Operation
    state: OperationState
    done: dict[str, Any] | None = None
    failed: dict[str, Any] | None = None
    timed_start: float | None = None
    pending_output: dict[str, list[str]] = field(default_factory=dict)
    pending_skipped: dict[str, int] = field(default_factory=dict)  # dropped from live events
    # Everything the worker printed, head and tail kept, for the result; live events carry
    # a capped copy for the faces.
    output: OutputBuffer = field(default_factory=OutputBuffer)
    # The output pipes are drained by threads (see _OutputDrain); this guards the two above.
    output_lock: threading.Lock = field(default_factory=threading.Lock)

    def take_output(self, stream: str, text: str) -> None:
        """Called from a drain thread with what the worker printed."""
        with self.output_lock:
            self.output.append(text)
            parts = self.pending_output.setdefault(stream, [])
            parts.append(text)
            if len(parts) > 64:  # the loop is late: keep the live copy small, the tail wins
                joined = "".join(parts)
                excess = max(len(joined) - OUTPUT_EVENT_CAP, 0)
                self.pending_skipped[stream] = self.pending_skipped.get(stream, 0) + excess
                parts[:] = [joined[excess:]]


class _OutputDrain(threading.Thread):
    """Reads one of the worker's output pipes in a thread of its own.

    Draining on the event loop would tie the worker to the loop: while a busy face (a TUI
    painting a frame) holds the loop, a 64 KiB pipe fills in milliseconds under a print flood
    and every ``print`` in the operation blocks, which the timing loop then measures as
    latency (measured: max 150 ms, a third of the throughput). A thread keeps the pipe empty
    whatever the loop does. ``stop`` ends it even while a grandchild holds the pipe open.
    """

    def __init__(self, fd: int, stream: str, child: _ChildRun) -> None:
        super().__init__(name=f"benchtui-{stream}-drain", daemon=True)
        self.fd = fd
        self.stream = stream
        self.child = child
        self.stop = threading.Event()

    def run(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        try:
            while not self.stop.is_set():
                ready, _, _ = select.select([self.fd], [], [], 0.05)
                if not ready:
                    continue
                data = os.read(self.fd, 1 << 16)
                text = decoder.decode(data, final=not data)
                if text:
                    self.child.take_output(self.stream, text)
                if not data:
                    return
        except OSError:
            return
        finally:
            os.close(self.fd)


class Supervisor:
    """Runs operations of a suite one after another, each in its own child process."""

    def __init__(
        self,
        suite: Suite,
        operations: Sequence[Operation] | None = None,
        *,
        label: str = "unversioned",
        python: str | None = None,
    ) -> None:
        self.suite = suite
        self.operations = tuple(operations if operations is not None else suite.operations)
        self.label = label
        self.python = python or sys.executable
        self.result: RunResult | None = None
        self._cancelled = asyncio.Event()
        self._process: asyncio.subprocess.Process | None = None

    # ------------------------------------------------------------------ control
    def cancel(self) -> None:
        """Stop the run: the current child is killed at once, the rest never start."""
        self._cancelled.set()
        if self._process is not None:
            kill_group(self._process)

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    # ------------------------------------------------------------------ the stream
    async def events(self) -> AsyncIterator[Event]:
        started_at = _utc_now()
        environment = await asyncio.to_thread(collect_environment, self.suite.folder)
        results: list[OperationResult] = []
        total = len(self.operations)
        try:
            for index, op in enumerate(self.operations):
                if self.cancelled:
                    result = OperationResult(
                        operation=op.name, status="cancelled", settings=op.settings()
                    )
                    results.append(result)
                    yield OperationFinished(op.name, result)
                    continue
                async for event in self._run_operation(op, index, total):
                    if isinstance(event, OperationFinished):
                        results.append(event.result)
                    yield event
        finally:
            if self._process is not None:
                kill_group(self._process)
        self.result = RunResult(
            run_id=uuid.uuid4().hex,
            suite=self.suite.name,
            suite_path=str(self.suite.path.resolve()),
            label=self.label,
            started_at=started_at,
            finished_at=_utc_now(),
            environment=environment,
            operations=tuple(results),
        )
        yield RunFinished(self.result)

    async def run(self) -> RunResult:
        """Run without watching (tests, scripts): drain the stream, return the result."""
        async for _ in self.events():
            pass
        assert self.result is not None
        return self.result

    # ------------------------------------------------------------------ one child
    async def _run_operation(self, op: Operation, index: int, total: int) -> AsyncIterator[Event]:
        child = _ChildRun(op, OperationState(op.name))
        queue: asyncio.Queue[Event] = asyncio.Queue()

        def put(event: Event) -> None:
            child.state.apply(event)
            queue.put_nowait(event)

        put(OperationStarted(op.name, index, total, op.settings()))
        yield queue.get_nowait()

        read_fd, write_fd = os.pipe()
        spec = {
            "suite_folder": str(self.suite.folder.resolve()),
            "target": op.target,
            "setup": op.setup,
            "teardown": op.teardown,
            "params": dict(op.params),
            "timeout": op.timeout,
            "settings": {
                "warmup": op.warmup,
                "warmup_time": op.warmup_time,
                "iterations": op.iterations,
                "duration": op.duration,
                "rounds": op.rounds,
                "concurrency": op.concurrency,
                "memory": op.memory,
                "memory_iterations": op.memory_iterations,
            },
        }
        token = uuid.uuid4().hex
        started = time.monotonic()
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        try:
            process = await spawn_child(
                self.python,
                "measure",
                spec,
                write_fd,
                token,
                self.suite,
                capture_stdout=True,
                output_fds=(out_write, err_write),
            )
        except OSError as exc:
            for fd in (read_fd, write_fd, out_read, out_write, err_read, err_write):
                os.close(fd)
            result = OperationResult(
                operation=op.name,
                status="crashed",
                error=ErrorInfo(type(exc).__name__, f"could not start the worker: {exc}"),
                settings=op.settings(),
            )
            yield OperationFinished(op.name, result)
            return
        for fd in (write_fd, out_write, err_write):
            os.close(fd)  # the child holds its copies; EOF comes when it (and its kin) exit
        drains = [_OutputDrain(out_read, "stdout", child), _OutputDrain(err_read, "stderr", child)]
        for drain in drains:
            drain.start()
        self._process = process
        if self.cancelled:  # cancel() raced the spawn
            kill_group(process)

        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=PIPE_LIMIT)
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(read_fd, "rb", buffering=0)
        )
        readers = [asyncio.create_task(self._read_events(reader, child, put, started))]
        sampler = asyncio.create_task(self._sample_rss(process.pid, child, put, started))
        # Not process.wait(): asyncio's wait also waits for the pipes to close, and a
        # grandchild holding them open would hold the run hostage.
        exited = asyncio.create_task(_wait_exit(process))
        deadline = started + op.timeout
        timed_out = False
        try:
            while True:
                self._flush_output(child, put)
                while not queue.empty():
                    yield queue.get_nowait()
                if exited.done():
                    break
                if child.done is not None or child.failed is not None:
                    # The child said its last word; give it a moment to exit on its own.
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(asyncio.shield(exited), EXIT_GRACE_S)
                    break
                if self.cancelled:
                    break
                if time.monotonic() >= deadline:
                    timed_out = True
                    break
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(
                        asyncio.shield(exited), min(OUTPUT_FLUSH_S, deadline - time.monotonic())
                    )
        finally:
            # Whatever the worker left behind (its process group, and descendants that moved
            # to a session of their own) goes with it.
            kill_group(process)
            await asyncio.to_thread(kill_tagged, token)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(exited), 5.0)
            # Drain what the pipes still hold, but never wait on them for long.
            _, still_open = await asyncio.wait(readers, timeout=1.0)
            for task in [*still_open, sampler]:
                task.cancel()
            await asyncio.gather(*readers, sampler, exited, return_exceptions=True)
            await asyncio.to_thread(_finish_drains, drains, 1.0)
            transport.close()
            self._process = None
        self._flush_output(child, put)
        while not queue.empty():
            yield queue.get_nowait()
        result = self._result(child, process.returncode, timed_out)
        finished = OperationFinished(op.name, result)
        child.state.apply(finished)
        yield finished

    async def _read_events(
        self, reader: asyncio.StreamReader, child: _ChildRun, put: Any, started: float
    ) -> None:
        op = child.operation.name
        while True:
            try:
                line = await reader.readline()
            except (ValueError, asyncio.LimitOverrunError):
                continue
            if not line:
                return
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                continue
            kind = message.pop("t", None)
            now = time.monotonic()
            if kind == "phase":
                if message.get("phase") == "timed":
                    child.timed_start = now
                put(
                    PhaseStarted(
                        op,
                        message["phase"],
                        message.get("planned_iterations"),
                        message.get("planned_duration"),
                        message.get("rounds"),
                    )
                )
            elif kind == "progress":
                elapsed = now - (child.timed_start or now)
                put(
                    Progress(
                        op,
                        message["iterations"],
                        message["errors"],
                        message["round"],
                        message["rounds"],
                        elapsed,
                        message.get("histogram_delta", ""),
                    )
                )
            elif kind == "round":
                put(RoundFinished(op, RoundSummary(**message)))
            elif kind == "traced":
                put(
                    MemoryReading(
                        op,
                        now - started,
                        traced_current_bytes=message["current"],
                        traced_peak_bytes=message["peak"],
                        traced_iteration=message["iteration"],
                    )
                )
            elif kind == "error":
                put(OperationError(op, message["type"], message["message"], message["traceback"]))
            elif kind == "done":
                child.done = message
            elif kind == "failed":
                child.failed = message

    def _flush_output(self, child: _ChildRun, put: Any) -> None:
        """Coalesce captured output into at most one event per stream per tick."""
        with child.output_lock:
            pending = {name: "".join(parts) for name, parts in child.pending_output.items()}
            skipped = dict(child.pending_skipped)
            child.pending_output.clear()
            child.pending_skipped.clear()
        for name, text in pending.items():
            if not text:
                continue
            dropped = skipped.get(name, 0) + max(len(text) - OUTPUT_EVENT_CAP, 0)
            if dropped:
                # A flood: the live view shows the newest part; the result keeps it all
                # (head and tail) in child.output.
                text = f"[... {dropped:,} characters skipped ...]\n" + text[-OUTPUT_EVENT_CAP:]
            put(OperationOutput(child.operation.name, name, text))

    async def _sample_rss(self, pid: int, child: _ChildRun, put: Any, started: float) -> None:
        try:
            process = psutil.Process(pid)
        except psutil.Error:
            return
        while True:
            try:
                rss = process.memory_info().rss
            except psutil.Error:
                return
            if not rss:  # a zombie that exited between two samples reads as 0
                return
            put(MemoryReading(child.operation.name, time.monotonic() - started, rss_bytes=rss))
            await asyncio.sleep(RSS_INTERVAL_S)

    # ------------------------------------------------------------------ results
    def _result(self, child: _ChildRun, returncode: int | None, timed_out: bool) -> OperationResult:
        op = child.operation
        state = child.state
        memory_common = {
            "rss_start_bytes": state.rss_start,
            "rss_peak_bytes": state.rss_peak,
            "rss_end_bytes": state.rss_end,
        }
        output = child.output.text()
        if child.done is not None and not timed_out:
            done = child.done
            memory = dict(done.get("memory") or {})
            memory["leak_sites"] = tuple(LeakSite(**s) for s in memory.get("leak_sites") or ())
            error = ErrorInfo(**done["error"]) if done.get("error") else None
            status = "error" if done["errors"] or error else "ok"
            if self.cancelled and returncode not in (0, None):
                status = "cancelled"
            return OperationResult(
                operation=op.name,
                status=status,
                iterations=done["iterations"],
                errors=done["errors"],
                total_time_s=done["total_time_s"],
                throughput_per_s=done["throughput_per_s"],
                latency_ns=LatencySummary(**done["latency_ns"]),
                histogram=done["histogram"],
                rounds=tuple(RoundSummary(**r) for r in done["rounds"]),
                memory=MemorySummary(**memory, **memory_common),
                error=error,
                output=output,
                exit_code=returncode,
                settings=op.settings(),
            )
        # No final word from the child: report what was measured before it ended.
        if timed_out:
            status = "timeout"
            phase = f" (in the {state.phase} phase)" if state.phase else ""
            error = ErrorInfo("Timeout", f"did not finish within {op.timeout:g} s{phase}; killed")
        elif self.cancelled:
            status = "cancelled"
            error = ErrorInfo("Cancelled", "cancelled by the user; the worker was killed")
        elif child.failed is not None:
            failed = child.failed
            status = "error"
            prefix = f"{failed.get('stage')} failed: " if failed.get("stage") else ""
            if failed.get("stage") == "resolve":
                prefix = f"key '{failed.get('key')}': "
            error = ErrorInfo(
                failed.get("type", "Error"),
                prefix + failed.get("message", ""),
                failed.get("traceback", ""),
            )
        else:
            status = "crashed"
            error = ErrorInfo("Crashed", describe_exit(returncode))
        if state.error is not None and status in ("error", "crashed", "timeout"):
            # Keep the first call failure's traceback: it is usually the cause.
            error = ErrorInfo(error.type, error.message, error.traceback or state.error.traceback)
        elapsed = state.timed_elapsed
        return OperationResult(
            operation=op.name,
            status=status,
            iterations=state.iterations,
            errors=state.errors,
            total_time_s=elapsed,
            throughput_per_s=state.iterations / elapsed if elapsed > 0 else 0.0,
            latency_ns=state.histogram.summary(),
            histogram=state.histogram.encode() if state.histogram.total else "",
            rounds=tuple(state.rounds),
            memory=MemorySummary(
                tracemalloc_peak_bytes=state.traced_peak, **memory_common
            ),
            error=error,
            output=output,
            exit_code=returncode,
            settings=op.settings(),
        )


def describe_exit(returncode: int | None) -> str:
    if returncode is None:
        return "the worker ended without a result"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        hint = " (out of memory?)" if -returncode == signal.SIGKILL else ""
        return f"the worker was killed by {name}{hint}"
    return f"the worker exited with code {returncode} before finishing"


async def probe_operations(
    suite: Suite,
    operations: Sequence[Operation],
    *,
    python: str | None = None,
    timeout: float | None = None,
) -> list[SuiteError]:
    """Check in a child process that every target/setup/teardown resolves to a callable.

    The import of the suite's modules gets as long as the slowest operation's timeout (an
    import that takes longer would time the operation out anyway)."""
    if timeout is None:
        timeout = max((op.timeout for op in operations), default=60.0)
    spec = {
        "suite_folder": str(suite.folder.resolve()),
        "operations": [
            {"name": op.name, "target": op.target, "setup": op.setup, "teardown": op.teardown}
            for op in operations
        ],
    }
    token = uuid.uuid4().hex
    read_fd, write_fd = os.pipe()
    try:
        process = await spawn_child(
            python or sys.executable, "probe", spec, write_fd, token, suite, capture_stdout=False
        )
    finally:
        os.close(write_fd)
    timed_out = False
    stderr = b""
    handle = os.fdopen(read_fd, "rb")
    # Read while it runs: a suite with hundreds of operations says more than a pipe holds.
    data_task = asyncio.ensure_future(asyncio.to_thread(handle.read))
    try:
        stderr_task = asyncio.ensure_future(process.stderr.read() if process.stderr else _empty())
        try:
            await asyncio.wait_for(_wait_exit(process), timeout)
        except asyncio.TimeoutError:
            timed_out = True
    finally:
        kill_group(process)
        await asyncio.to_thread(kill_tagged, token)
        await _wait_exit(process)
        with contextlib.suppress(asyncio.TimeoutError):
            stderr = await asyncio.wait_for(stderr_task, 1.0)
        stderr_task.cancel()
    try:
        data = await asyncio.wait_for(data_task, 5.0)
    except asyncio.TimeoutError:
        data = b""
    finally:
        handle.close()
    messages = []
    for line in data.decode(errors="replace").splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            messages.append(json.loads(line))
    last = next((m for m in reversed(messages) if m.get("t") == "checking"), None)
    if timed_out:
        return [
            SuiteError(
                f"importing '{last['reference'] if last else 'the suite modules'}' took longer "
                f"than {timeout:g} s (the operation's timeout)",
                path=suite.path,
                operation=last["operation"] if last else None,
                key=last["key"] if last else None,
            )
        ]
    for message in messages:
        if message.get("t") == "probed":
            return [
                SuiteError(p["message"], path=suite.path, operation=p["operation"], key=p["key"])
                for p in message["problems"]
            ]
        if message.get("t") == "failed":
            return [SuiteError(f"checking the suite failed: {message['message']}", path=suite.path)]
    detail = stderr.decode(errors="replace").strip().splitlines()[-1:] if stderr else []
    return [
        SuiteError(
            f"importing '{last['reference'] if last else 'the suite modules'}' ended the "
            f"checking process: {detail[0] if detail else describe_exit(process.returncode)}",
            path=suite.path,
            operation=last["operation"] if last else None,
            key=last["key"] if last else None,
        )
    ]


async def _empty() -> bytes:
    return b""
