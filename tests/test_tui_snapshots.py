"""Snapshot tests of every screen at 80x24 and 200x50, with deterministic data.

The live screen is fed a fixed ``RunView`` built by folding crafted events into the core's
``OperationState`` (no child process, no clock). Textual is pinned (pyproject) because new
releases change the SVGs; update them with ``pytest --snapshot-update`` after a deliberate
change and look at the report.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest_tui import (
    THEMES_DIR,
    FakeSource,
    all_failing_state,
    failed_state,
    finished_state,
    pending_state,
    running_state,
    write_suites,
)

from benchtui.tui.app import BenchApp
from benchtui.tui.screens.confirm import ConfirmScreen
from benchtui.tui.screens.first_launch import FirstLaunchScreen
from benchtui.tui.screens.help import HelpScreen
from benchtui.tui.screens.live import LiveScreen

SIZES = [(80, 24), (200, 50)]


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def make_app(tmp_path: Path, broken: bool = False) -> BenchApp:
    suites = write_suites(tmp_path / "suites")
    paths = [suites / "tiny.toml", suites / "faults.toml"]
    if broken:
        bad = suites / "broken.toml"
        bad.write_text("[suite]\nname = 'broken'\n[[operations]]\nname = 'x'\n")
        paths.append(bad)
    return BenchApp(paths, theme_dirs=[THEMES_DIR], label_for=lambda _f: "v1.4.0", save=False)


def live_source(phase: str = "running") -> FakeSource:
    states = [
        finished_state("leaky_cache"),
        running_state("render_prompt"),
        failed_state("parse_tool_call"),
        pending_state("retrieve_topk"),
    ]
    return FakeSource(states, phase=phase)


async def _settle(pilot) -> None:  # noqa: ANN001
    await pilot.pause()
    pilot.app.clear_notifications()  # toasts carry tmp paths and timing
    await pilot.pause()


def show_live(pinned: tuple[int, str] | None = None, phase: str = "running"):  # noqa: ANN201
    async def run_before(pilot) -> None:  # noqa: ANN001
        source = live_source(phase)
        pilot.app.session = source  # duck-typed: .in_flight, .cancellable, .view()
        screen = LiveScreen(source)
        screen.pinned = pinned
        await pilot.app.push_screen(screen)
        await _settle(pilot)
        screen.refresh_view()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_suites_screen(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # noqa: ANN001
    assert snap_compare(make_app(tmp_path, broken=True), terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_suites_screen_with_selection_and_bad_setting(
    snap_compare,  # noqa: ANN001
    tmp_path: Path,
    size: tuple[int, int],
) -> None:
    async def run_before(pilot) -> None:  # noqa: ANN001
        await _settle(pilot)
        await pilot.press("space", "down", "space")
        pilot.app.screen.query_one("#field-warmup").value = "-3"
        await pilot.pause()

    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_live_screen_running(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # noqa: ANN001
    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=show_live())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_live_screen_failed_operation(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # noqa: ANN001
    run_before = show_live(pinned=(0, "parse_tool_call"))
    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_live_screen_leak_summary(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # noqa: ANN001
    run_before = show_live(pinned=(0, "leaky_cache"), phase="finished")
    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_live_screen_every_call_failed(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # noqa: ANN001
    """No latency figures (not 0 ns) when no call succeeded, live and finished."""

    async def run_before(pilot) -> None:  # noqa: ANN001
        states = [finished_state("leaky_cache"), all_failing_state("parse_strict", finished=True)]
        source = FakeSource(states, phase="finished")
        pilot.app.session = source
        await pilot.app.push_screen(LiveScreen(source))
        await _settle(pilot)

    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_first_launch_holds_notices(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # noqa: ANN001
    """Notices raised while the welcome is up wait: no toast over its text or buttons."""

    async def run_before(pilot) -> None:  # noqa: ANN001
        await _settle(pilot)
        await pilot.app.push_screen(FirstLaunchScreen(Path("history.sqlite")))
        pilot.app.notify("Unknown theme 'nope'; using 'benchtui-dark'.", timeout=60)
        pilot.app.notify("Keymap: unknown binding id 'benchtui.x'", severity="warning", timeout=60)
        await pilot.pause()

    app = make_app(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # noqa: ANN001
    async def run_before(pilot) -> None:  # noqa: ANN001
        await _settle(pilot)
        await pilot.app.push_screen(HelpScreen({}))
        await pilot.pause()

    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_quit_confirmation(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # noqa: ANN001
    async def run_before(pilot) -> None:  # noqa: ANN001
        await show_live()(pilot)
        await pilot.app.push_screen(ConfirmScreen("A run is in flight. Quit and stop it?"))
        await pilot.pause()

    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("theme", ["benchtui-light", "benchtui-high-contrast", "benchtui-nord"])
def test_live_screen_in_other_themes(snap_compare, tmp_path: Path, theme: str) -> None:  # noqa: ANN001
    async def run_before(pilot) -> None:  # noqa: ANN001
        pilot.app.theme = theme
        await show_live()(pilot)

    assert snap_compare(make_app(tmp_path), terminal_size=(120, 36), run_before=run_before)
