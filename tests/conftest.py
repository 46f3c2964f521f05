"""Shared fixtures: write small suites and their modules into a temporary folder."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

FAULTY_OPS = '''
import asyncio
import os
import sys
import time

CALLS = []


def sync_noop():
    pass


async def async_noop():
    pass


def busy_200us():
    end = time.perf_counter_ns() + 200_000
    while time.perf_counter_ns() < end:
        pass


async def sleep_5ms():
    await asyncio.sleep(0.005)


def raises():
    raise ValueError("deliberate failure")


_count = [0]


def raises_sometimes():
    _count[0] += 1
    if _count[0] % 10 == 0:
        raise KeyError("every tenth call")


def hangs():
    time.sleep(3600)


def exits():
    os._exit(7)


def segfaults():
    import ctypes

    ctypes.string_at(0)


def prints():
    print("hello from the operation")
    print("to stderr", file=sys.stderr)


def floods():
    sys.stdout.write("x" * 10_000 + "\\n")


_leak = []


def leaks():
    _leak.append(bytearray(2048))


_plateau = {}


def plateau(i=[0]):
    i[0] += 1
    _plateau[i[0] % 100] = bytearray(2048)


def make_state(size=3):
    with open(os.environ["BENCHTUI_TEST_LOG"], "a") as log:
        log.write("setup\\n")
    return {"items": list(range(size))}


def use_state(state):
    return sum(state["items"])


def close_state(state):
    with open(os.environ["BENCHTUI_TEST_LOG"], "a") as log:
        log.write("teardown\\n")


async def make_state_async(size=3):
    await asyncio.sleep(0)
    return make_state(size)


async def use_state_async(state):
    await asyncio.sleep(0)
    return sum(state["items"])


def add(a, b):
    return a + b


NOT_CALLABLE = 42


def sleep_200ms():
    time.sleep(0.2)


def raises_keyboard_interrupt():
    raise KeyboardInterrupt


class UnprintableError(Exception):
    def __str__(self):
        raise RuntimeError("str() fails too")


def raises_unprintable():
    raise UnprintableError()


def escapes_the_group():
    import subprocess

    # A descendant in a session of its own, holding the worker's stdout open.
    subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True
    )
'''


@pytest.fixture
def suite_dir(tmp_path: Path) -> Path:
    (tmp_path / "faulty_ops.py").write_text(FAULTY_OPS)
    return tmp_path


@pytest.fixture
def write_suite(suite_dir: Path) -> Callable[[str, str], Path]:
    """write_suite(body, name) -> path of a suite file whose [suite] table is added for you."""

    def write(body: str, name: str = "suite.toml") -> Path:
        path = suite_dir / name
        path.write_text('[suite]\nname = "test"\n\n' + textwrap.dedent(body))
        return path

    return write
