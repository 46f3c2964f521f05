"""Snapshot tests of the trend and compare screens at 80x24 and 160x48, on a seeded history
(synthetic runs with fixed seeds and dates: the same pixels on every machine).

Update them with ``pytest --snapshot-update`` after a deliberate change, and look at the report.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from conftest_trend import seed_history, seed_partly_failing, wait_for
from conftest_tui import THEMES_DIR, write_suites

from benchtui.tui.app import BenchApp
from benchtui.tui.history_queries import OpRef
from benchtui.tui.screens.compare import CompareScreen
from benchtui.tui.screens.trend import TrendScreen
from benchtui.tui.widgets.version_table import VersionTable

SIZES = [(80, 24), (160, 48)]
RETRIEVE = OpRef("agent", "retrieve_topk")


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)  # paths on screen are shown relative to here


def make_app(tmp_path: Path, seeded: bool = True) -> BenchApp:
    db = tmp_path / "history.sqlite"
    if seeded:
        asyncio.run(seed_history(db))
    suites = write_suites(tmp_path / "suites")
    return BenchApp(
        [suites / "tiny.toml"], theme_dirs=[THEMES_DIR], label_for=lambda _f: "v", db=str(db)
    )


async def _trend(pilot, cursor: str | None = "v1.2", op: OpRef = RETRIEVE) -> TrendScreen:  # noqa: ANN001
    await pilot.pause()
    pilot.app.push_screen(TrendScreen(Path("history.sqlite").resolve(), focus=op))
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, TrendScreen))
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.state != "loading")
    if screen.state == "ready":
        await wait_for(pilot, lambda: screen.page is not None and screen.page.judged)
        await wait_for(pilot, lambda: bool(screen.latest))
        if cursor is not None:
            table = screen.query_one(VersionTable)
            table.focus()
            table.move_to(cursor)
            await wait_for(pilot, lambda: screen.cursor_label == cursor)
    await pilot.pause()
    pilot.app.clear_notifications()
    await pilot.pause()
    return screen


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_trend_screen(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # noqa: ANN001
    async def run_before(pilot) -> None:  # noqa: ANN001
        screen = await _trend(pilot)
        await pilot.press("space")  # one version marked
        await pilot.pause()
        assert screen.marked

    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_compare_screen(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # noqa: ANN001
    async def run_before(pilot) -> None:  # noqa: ANN001
        await _trend(pilot)
        await pilot.press("enter")  # v1.2 against v1.1: the regression
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CompareScreen))
        await wait_for(pilot, lambda: pilot.app.screen.data is not None)
        await pilot.pause()

    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=run_before)


def test_trend_memory_view(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    async def run_before(pilot) -> None:  # noqa: ANN001
        await _trend(pilot, cursor="v1.3")
        await pilot.press("m", "m")
        await pilot.pause()

    assert snap_compare(make_app(tmp_path), terminal_size=(120, 36), run_before=run_before)


def test_trend_empty_history(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    async def run_before(pilot) -> None:  # noqa: ANN001
        await _trend(pilot, cursor=None)

    app = make_app(tmp_path, seeded=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_trend_partly_failing_operation(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    # A tenth of the calls raised in every run: bars, figures and verdicts, the failures
    # marked in the verdict column and explained under the table.
    async def run_before(pilot) -> None:  # noqa: ANN001
        await _trend(pilot, cursor="p3", op=OpRef("flaky", "sometimes"))

    app = make_app(tmp_path, seeded=False)
    asyncio.run(seed_partly_failing(tmp_path / "history.sqlite"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
