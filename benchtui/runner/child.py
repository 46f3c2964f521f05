"""The child process: measures one operation, or probes that a suite's references resolve.

Started by the supervisor as ``python .../benchtui/runner/child.py FD MODE SPEC_JSON``. Events go
out as JSON lines on the private pipe ``FD``; the operation's own stdout and stderr are left
alone (the parent captures them separately), so an operation may print freely.

This module imports the code under test, which is the point of running it in a child: an
import or call that crashes, hangs or leaks harms only this process.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

# Run as a script, Python put this file's folder first on sys.path; its modules (events.py,
# results.py, ...) must not shadow the user's modules of the same names.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]


class Channel:
    """JSON-lines writer on the private pipe to the parent."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def emit(self, kind: str, **fields: Any) -> None:
        fields["t"] = kind
        data = (json.dumps(fields, separators=(",", ":"), default=str) + "\n").encode()
        view = memoryview(data)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]


def _die_with_parent() -> None:
    """Linux: the kernel kills this process if the parent dies, so no child is orphaned."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _measure(channel: Channel, spec: dict[str, Any]) -> None:
    # benchtui's own imports (numpy, asyncio, ...) come first, before the suite's folder is on
    # sys.path: a user module named like one of them must not replace it inside the engine.
    from benchtui.measure.callables import ResolveError, add_suite_folder, resolve
    from benchtui.measure.engine import Engine, MeasureSettings, StageFailed

    add_suite_folder(Path(spec["suite_folder"]))
    try:
        target = resolve("target", spec["target"])
        setup = resolve("setup", spec["setup"]) if spec.get("setup") else None
        teardown = resolve("teardown", spec["teardown"]) if spec.get("teardown") else None
    except ResolveError as exc:
        channel.emit(
            "failed",
            stage="resolve",
            key=exc.key,
            type="ResolveError",
            message=exc.message,
            traceback=exc.details,
        )
        return
    engine = Engine(
        target,
        MeasureSettings(**spec["settings"]),
        channel.emit,
        params=spec.get("params") or {},
        setup=setup,
        teardown=teardown,
        timeout=spec.get("timeout"),
    )
    try:
        result = engine.run()
    except StageFailed as exc:
        channel.emit("failed", stage=exc.stage, **exc.error)
        return
    channel.emit("done", **result)


def _probe(channel: Channel, spec: dict[str, Any]) -> None:
    # Load what the worker loads before the suite's folder is on sys.path, so that a module
    # named like one of them (numpy.py, say) is reported here, as the worker would see it.
    import benchtui.measure.engine  # noqa: F401
    from benchtui.measure.callables import ResolveError, add_suite_folder, resolve

    add_suite_folder(Path(spec["suite_folder"]))
    problems = []
    for op in spec["operations"]:
        for key in ("target", "setup", "teardown"):
            reference = op.get(key)
            if not reference:
                continue
            # Said before importing: if the import hangs, the parent knows where.
            channel.emit("checking", operation=op["name"], key=key, reference=reference)
            try:
                resolve(key, reference)
            except ResolveError as exc:
                problems.append({"operation": op["name"], "key": key, "message": exc.message})
    channel.emit("probed", problems=problems)


def main(argv: list[str]) -> int:
    _die_with_parent()
    fd, mode, spec_text = int(argv[1]), argv[2], argv[3]
    channel = Channel(fd)
    spec = json.loads(spec_text)
    try:
        if mode == "probe":
            _probe(channel, spec)
        else:
            _measure(channel, spec)
    except BaseException as exc:  # noqa: BLE001 - report anything rather than die silently
        from benchtui.measure.engine import error_info

        channel.emit("failed", stage="engine", **error_info(exc))
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
    # Skip interpreter teardown: user atexit hooks or stray non-daemon threads must not keep
    # a finished measurement from ending.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
