"""The first-launch demo: real, measured history for a newcomer in well under a minute.

Runs a few operations of the bundled agent suite under three version labels, where the
retrieval operation's implementation really changes between versions (a Python sort over all
scores, then the same again, then ``np.argpartition``), and saves every run to the tracker. The
trend and compare screens then show a true difference and a true "no significant change".

No figure here is made up: each version is a real run of real code. This module knows nothing
of screens; the CLI (``benchtui demo``) and the TUI's first-launch offer both call ``run_demo``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from pathlib import Path

from benchtui.bundled import sample_suites_dir
from benchtui.runner.events import Event
from benchtui.runner.results import RunResult
from benchtui.runner.supervisor import Supervisor
from benchtui.suite import Operation, Suite, SuiteError, load_suite

DEMO_SUITE_NAME = "agent-demo"
# Each version is run twice, interleaved (1.0, 1.1, 1.2, 1.0, 1.1, 1.2): with one run per
# version, a moment of load on a shared machine reads as a change; two runs let the verdict
# see run-to-run noise, and interleaving spreads slow moments over all versions. Short phases
# keep the whole demo well under a minute.
DEMO_RUNS_PER_VERSION = 2
DEMO_DURATION_S = 0.3
DEMO_WARMUP = 50
DEMO_OPERATIONS = ("render_prompt", "parse_tool_call", "retrieve_topk", "memory_write_read")


@dataclass(frozen=True)
class DemoVersion:
    label: str
    retrieval: str  # the agent_ops function the "retrieve_topk" operation runs in this version
    note: str


DEMO_VERSIONS = (
    DemoVersion("demo-v1.0", "agent_ops:retrieve_topk_naive", "retrieval ranks with sorted()"),
    DemoVersion("demo-v1.1", "agent_ops:retrieve_topk_naive", "unchanged: expect no change"),
    DemoVersion("demo-v1.2", "agent_ops:retrieve_topk", "retrieval uses np.argpartition"),
)


def demo_suite(version: DemoVersion, suites_dir: Path | None = None) -> Suite:
    """The agent suite trimmed to the demo operations, with this version's retrieval."""
    folder = suites_dir or sample_suites_dir()
    if folder is None:
        raise SuiteError("the bundled sample suite (sample_suites/agent.toml) was not found")
    agent = load_suite(folder / "agent.toml")
    operations: list[Operation] = []
    for name in DEMO_OPERATIONS:
        source = name if name != "retrieve_topk" else "retrieve_topk_naive"
        op = agent.operation(source)
        if name == "retrieve_topk":
            op = replace(op, name=name, target=version.retrieval)
        # The naive retrieval is ~10x slower under tracemalloc: keep its memory phase short.
        memory_iterations = min(op.memory_iterations, 60 if name == "retrieve_topk" else 300)
        operations.append(
            op.with_overrides(
                duration=DEMO_DURATION_S,
                warmup=min(op.warmup, DEMO_WARMUP),
                memory_iterations=memory_iterations,
            )
        )
    return Suite(
        name=DEMO_SUITE_NAME,
        path=agent.path,
        operations=tuple(operations),
        description="benchtui demo: three versions of a retrieval change",
    )


async def demo_events(
    suites_dir: Path | None = None,
    on_version: Callable[[DemoVersion, int], None] | None = None,
) -> AsyncIterator[Event]:
    """Events of every demo run, in order (``RunFinished`` closes each); ``on_version`` is
    told (version, step) before each run, step counting from 0 to ``demo_steps() - 1``."""
    step = 0
    for _ in range(DEMO_RUNS_PER_VERSION):
        for version in DEMO_VERSIONS:
            if on_version is not None:
                on_version(version, step)
            step += 1
            supervisor = Supervisor(demo_suite(version, suites_dir), label=version.label)
            async for event in supervisor.events():
                yield event


def demo_steps() -> int:
    """How many runs the demo makes."""
    return DEMO_RUNS_PER_VERSION * len(DEMO_VERSIONS)


async def run_demo(
    db_path: Path,
    suites_dir: Path | None = None,
    on_event: Callable[[Event], None] | None = None,
    on_version: Callable[[DemoVersion, int], None] | None = None,
) -> list[RunResult]:
    """Run the demo versions and save each run to the tracker at ``db_path``."""
    from benchtui.runner.events import RunFinished
    from benchtui.tracker import Tracker

    results: list[RunResult] = []
    tracker = await Tracker.open(db_path)
    try:
        async for event in demo_events(suites_dir, on_version):
            if on_event is not None:
                on_event(event)
            if isinstance(event, RunFinished):
                await tracker.save_run(event.result)
                results.append(event.result)
    finally:
        await tracker.close()
    return results
