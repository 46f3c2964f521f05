"""Pilot tests of the TUI: selecting, editing, running a real child, cancelling, faults,
quitting with a run in flight, broken suites and probe failures."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from conftest_tui import THEMES_DIR, child_pids, no_children, wait_until, write_suites
from textual.widgets import Input, Log, Static

from benchtui.tracker import Tracker
from benchtui.tui.app import BenchApp
from benchtui.tui.messages import RunRequested
from benchtui.tui.screens.confirm import ConfirmScreen
from benchtui.tui.screens.help import HelpScreen
from benchtui.tui.screens.live import LiveScreen
from benchtui.tui.screens.suites import SuitesScreen
from benchtui.tui.widgets.queue import QueueList
from benchtui.tui.widgets.settings import SettingsForm
from benchtui.tui.widgets.stats import StatsPane
from benchtui.tui.widgets.suite_tree import SuiteTree

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture
def suites(tmp_path: Path) -> Path:
    return write_suites(tmp_path / "suites")


def make_app(paths: list[Path], tmp_path: Path, **kwargs) -> BenchApp:  # noqa: ANN003
    return BenchApp(
        paths,
        theme_dirs=[THEMES_DIR],
        label_for=lambda _folder: "v-test",
        db=str(tmp_path / "history.sqlite"),
        **kwargs,
    )


def tree_of(app: BenchApp) -> SuiteTree:
    return app.screen.query_one(SuiteTree)


def move_to(app: BenchApp, suite: str, op: str | None = None) -> None:
    """Put the tree cursor on a suite node or one of its operations."""
    tree = tree_of(app)
    for line in range(tree.last_line + 1):
        node = tree.get_node_at_line(line)
        label = node.label.plain if node is not None else ""
        data = getattr(node, "data", None)
        key = getattr(data, "key", None)
        if op is None and label == suite:
            tree.cursor_line = line
            return
        if key is not None and key[1] == op and tree.suites[key[0]].name == suite:
            tree.cursor_line = line
            return
    raise AssertionError(f"{suite}/{op} not in the tree")


async def choose(pilot, app: BenchApp, suite: str, *ops: str) -> None:  # noqa: ANN001
    for op in ops:
        move_to(app, suite, op)
        await pilot.pause()
        await pilot.press("space")
    await pilot.pause()


async def finished(pilot, app: BenchApp, timeout: float = 30.0) -> None:  # noqa: ANN001
    await wait_until(pilot, lambda: app.session is not None and not app.session.in_flight, timeout)
    await pilot.pause()


async def test_selecting_and_editing_settings(suites: Path, tmp_path: Path) -> None:
    app = make_app([suites / "tiny.toml"], tmp_path)
    requests: list[RunRequested] = []

    def hook(message: object) -> None:
        # A message that bubbles is seen once per node; count it once.
        if isinstance(message, RunRequested) and all(m is not message for m in requests):
            requests.append(message)

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SuitesScreen)
        move_to(app, "tiny", "add")
        await pilot.press("space")
        assert tree_of(app).selected == {(0, "add")}
        # The highlighted operation's settings are in the form.
        form = app.screen.query_one(SettingsForm)
        assert form.raw()["iterations"] == "2000"
        # A bad value is shown inline and blocks the run; the app does not crash.
        field = app.screen.query_one("#field-warmup", Input)
        field.value = "-5"
        await pilot.pause()
        error = str(app.screen.query_one("#settings-error").render())
        assert "warmup" in error and ">= 0" in error
        await pilot.press("r")
        await pilot.pause()
        assert not requests
        # A good value becomes this run's override; the tree marks it as edited.
        field.value = "7"
        await pilot.pause()
        app.screen.query_one("#field-iterations", Input).value = "500"
        await pilot.pause()
        assert (0, "add") in tree_of(app).edited
        assert app.screen.query_one("#settings-error").render().plain == ""
        app.screen.query_one("#label-input", Input).value = "my-label"
        tree_of(app).focus()
        await pilot.press("r")
        await pilot.pause()
        assert len(requests) == 1
        (group,) = requests[0].groups
        (op,) = group.operations
        assert (op.warmup, op.iterations, op.duration) == (7, 500, None)
        assert requests[0].label == "my-label"
        # Selecting a whole suite with space on its node.
        app.session.cancel()  # type: ignore[union-attr]
        await finished(pilot, app)


async def test_run_with_a_real_child_saves_to_the_tracker(suites: Path, tmp_path: Path) -> None:
    app = make_app([suites / "tiny.toml"], tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await choose(pilot, app, "tiny", "add", "chatty")
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, LiveScreen))
        await finished(pilot, app)
        view = app.session.view()  # type: ignore[union-attr]
        assert [e.snapshot.status for e in view.entries] == ["ok", "ok"]
        assert view.entries[0].snapshot.iterations == 2000
        screen = app.screen
        assert isinstance(screen, LiveScreen)
        screen.refresh_view()
        await pilot.pause()
        # Browse the first operation's summary from the queue.
        queue = screen.query_one(QueueList)
        queue.focus()
        queue.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert screen.shown == (0, "add")
        assert screen.query_one(StatsPane).snapshot.result is not None
        queue.highlighted = 1
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert "tick from the operation" in "\n".join(screen.query_one(Log).lines)
    async with await Tracker.open(tmp_path / "history.sqlite") as tracker:
        assert await tracker.count_runs(label="v-test") == 1
    assert await no_children()


async def test_cancel_kills_the_child_within_a_second(suites: Path, tmp_path: Path) -> None:
    app = make_app([suites / "tiny.toml"], tmp_path, save=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await choose(pilot, app, "tiny", "slow", "add")
        await pilot.press("r")

        def measuring() -> bool:
            view = app.session.view()  # type: ignore[union-attr]
            return view.entry((0, "slow")).snapshot.iterations > 0  # type: ignore[union-attr]

        await wait_until(pilot, measuring)
        assert child_pids()
        await pilot.press("c")
        assert await no_children(timeout=1.0), "the child outlived cancel by more than 1 s"
        await finished(pilot, app, timeout=5)
        view = app.session.view()  # type: ignore[union-attr]
        # Suite order: add ran first; slow was killed mid-measurement.
        assert [e.snapshot.status for e in view.entries] == ["ok", "cancelled"]
        # The next run works.
        assert isinstance(app.screen, LiveScreen)
        await pilot.press("escape")
        await pilot.pause()
        tree_of(app).select_keys({(0, "add")})
        await pilot.press("r")
        await finished(pilot, app)
        assert app.session.view().entries[0].snapshot.status == "ok"  # type: ignore[union-attr]


async def test_faults_show_in_the_ui_and_the_app_stays_up(suites: Path, tmp_path: Path) -> None:
    app = make_app([suites / "faults.toml"], tmp_path, save=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        move_to(app, "faults")
        await pilot.press("space")  # the whole suite
        await pilot.press("r")
        await finished(pilot, app, timeout=40)
        view = app.session.view()  # type: ignore[union-attr]
        statuses = {e.snapshot.operation: e.snapshot.status for e in view.entries}
        assert statuses == {
            "raises": "error",
            "crashes": "crashed",
            "hangs": "timeout",
            "flood": "ok",
            "add": "ok",
        }
        screen = app.screen
        assert isinstance(screen, LiveScreen)
        screen.pinned = (0, "raises")
        screen.refresh_view()
        await pilot.pause(0.3)
        log_text = "\n".join(screen.query_one(Log).lines)
        assert "ValueError: deliberate failure" in log_text
        assert "deliberate failure" in str(screen.query_one("#error-head").render())
        # Every call raised, but all ran: the bar is full and the time is the result's.
        raised = view.entry((0, "raises")).snapshot.result  # type: ignore[union-attr]
        text = stats_text(screen)
        assert text.splitlines()[1].endswith(" 100%"), text
        assert f"timed {raised.total_time_s:.3f}s" in text  # type: ignore[union-attr]
        screen.pinned = (0, "hangs")
        screen.refresh_view()
        await pilot.pause(0.3)
        text = stats_text(screen)
        assert "hangs  timeout in warmup" in text and "timed phase not reached" in text, text
        wall = view.entry((0, "hangs")).snapshot.wall_s  # type: ignore[union-attr]
        assert wall is not None and wall >= 2.0  # timeout = 2.0: not the 0.0 s of no timed phase
        assert f"elapsed {wall:.1f}s" in text
        screen.pinned = (0, "flood")
        screen.refresh_view()
        await pilot.pause(0.3)
        assert "yyyy" in "\n".join(screen.query_one(Log).lines)
        queue_text = " ".join(str(o.prompt) for o in screen.query_one(QueueList).options)
        assert "crashed" in queue_text and "timeout" in queue_text
    assert await no_children()


async def test_quit_with_a_run_in_flight_asks_then_kills(suites: Path, tmp_path: Path) -> None:
    app = make_app([suites / "tiny.toml"], tmp_path, save=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await choose(pilot, app, "tiny", "slow")
        await pilot.press("r")
        await wait_until(pilot, lambda: bool(child_pids()))
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # stay: the run goes on
        await pilot.pause()
        assert app.session is not None and app.session.in_flight
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running, timeout=5)
    assert await no_children(timeout=1.0)


async def test_quit_question_goes_away_when_the_run_ends(suites: Path, tmp_path: Path) -> None:
    app = make_app([suites / "tiny.toml"], tmp_path, save=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await choose(pilot, app, "tiny", "slow")
        await pilot.press("r")
        await wait_until(pilot, lambda: bool(child_pids()))
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        app.session.cancel()  # type: ignore[union-attr]  # the run ends while the question is up
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen), timeout=5)
        assert app.is_running  # ending the run is no answer to "quit?"
    assert await no_children(timeout=1.0)


async def test_bad_paths_and_malformed_suites_show_in_the_tree(
    suites: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[suite\nname = 'x'\n")
    missing = tmp_path / "nowhere"
    app = make_app([suites / "tiny.toml", broken, missing], tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = tree_of(app)
        labels = [tree.get_node_at_line(i).label.plain for i in range(tree.last_line + 1)]
        assert "tiny" in labels and "broken.toml" in labels and "nowhere" in labels
        assert any(
            "not loaded" in n.message or "not loaded" in (n.title or "") for n in app._notifications
        )
        move_to(app, "broken.toml")
        await pilot.pause()
        assert "malformed TOML" in str(app.screen.query_one("#op-description").render())


async def test_probe_problems_stop_the_run_and_show_in_the_ui(suites: Path, tmp_path: Path) -> None:
    bad = suites / "bad_ref.toml"
    bad.write_text(
        '[suite]\nname = "badref"\n[[operations]]\nname = "ghost"\n'
        'target = "tiny_ops:no_such_function"\niterations = 10\n'
    )
    app = make_app([bad], tmp_path, save=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await choose(pilot, app, "badref", "ghost")
        await pilot.press("r")
        await finished(pilot, app)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SuitesScreen)
        assert any("no_such_function" in p for p in screen.problems)
        assert "no_such_function" in str(screen.query_one("#problems").render())


async def test_help_and_keymap(suites: Path, tmp_path: Path) -> None:
    from benchtui.tui.config import Config

    # "run" without the "benchtui." prefix, as the help screen lists it.
    config = Config(keymap={"run": "f5", "benchtui.nonsense": "x"})
    app = make_app([suites / "tiny.toml"], tmp_path, config=config)
    requests: list[RunRequested] = []

    def hook(message: object) -> None:
        if isinstance(message, RunRequested) and all(m is not message for m in requests):
            requests.append(message)

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await pilot.pause()
        assert any("benchtui.nonsense" in n.message for n in app._notifications)
        await choose(pilot, app, "tiny", "add")
        await pilot.press("r")  # no longer bound
        await pilot.pause()
        assert not requests
        await pilot.press("f5")
        await pilot.pause()
        assert len(requests) == 1
        await finished(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown_keys = [str(s.render()) for s in app.screen.query(".key").results(Static)]
        assert "f5" in shown_keys and "r" not in shown_keys[:12]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_the_ui_answers_keys_while_a_run_streams(suites: Path, tmp_path: Path) -> None:
    """The event loop stays free while events stream: keys are handled, loop lag is small."""
    app = make_app([suites / "tiny.toml"], tmp_path, save=False)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        await choose(pilot, app, "tiny", "slow")
        await pilot.press("r")
        await wait_until(pilot, lambda: bool(child_pids()))
        await asyncio.sleep(0.5)
        lags = []
        for _ in range(150):  # ~2 s of a 100 Hz "key" arriving
            started = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append(time.perf_counter() - started - 0.01)
        lags.sort()
        assert lags[len(lags) // 2] < 0.02, lags
        assert lags[int(len(lags) * 0.95)] < 0.1, lags
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LiveScreen)
        app.session.cancel()  # type: ignore[union-attr]
        await finished(pilot, app)


async def test_a_run_across_two_suites_runs_them_in_turn(suites: Path, tmp_path: Path) -> None:
    app = make_app([suites / "tiny.toml", suites / "faults.toml"], tmp_path, save=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree_of(app).select_keys({(0, "add"), (1, "add")})
        await pilot.press("r")
        await finished(pilot, app)
        view = app.session.view()  # type: ignore[union-attr]
        assert [(e.suite, e.snapshot.status) for e in view.entries] == [
            ("tiny", "ok"),
            ("faults", "ok"),
        ]
        assert [r.suite for r in app.session.results] == ["tiny", "faults"]  # type: ignore[union-attr]
        screen = app.screen
        assert isinstance(screen, LiveScreen)
        prompts = [str(o.prompt) for o in screen.query_one(QueueList).options]
        assert "tiny" in prompts[0] and "faults" in prompts[1]  # same name, told apart


async def test_cancel_while_checking_starts_nothing(suites: Path, tmp_path: Path) -> None:
    app = make_app([suites / "tiny.toml", suites / "faults.toml"], tmp_path, save=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree_of(app).select_keys({(0, "slow"), (1, "add")})
        await pilot.press("r")
        await wait_until(pilot, lambda: app.session is not None)
        app.session.cancel()  # type: ignore[union-attr]
        await finished(pilot, app)
        view = app.session.view()  # type: ignore[union-attr]
        assert view.phase == "cancelled"
        assert {e.snapshot.status for e in view.entries} == {"cancelled"}
    assert await no_children()


def stats_text(screen: LiveScreen) -> str:
    return "\n".join(line.plain for line in screen.query_one(StatsPane).lines())


async def test_after_a_cancel_the_stats_show_the_cancelled_operation(
    suites: Path, tmp_path: Path
) -> None:
    """Not the last one of the queue (skipped, 'cancelled' too): the one that was running."""
    app = make_app([suites / "tiny.toml", suites / "faults.toml"], tmp_path, save=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        tree_of(app).select_keys({(0, "add"), (0, "slow"), (1, "add")})
        await pilot.press("r")

        def measuring() -> bool:
            view = app.session.view()  # type: ignore[union-attr]
            return view.entry((0, "slow")).snapshot.iterations > 0  # type: ignore[union-attr]

        await wait_until(pilot, measuring)
        await pilot.press("c")
        await finished(pilot, app, timeout=5)
        screen = app.screen
        assert isinstance(screen, LiveScreen)
        await pilot.pause(0.3)  # a few repaints: the choice must hold, not flicker
        screen.refresh_view()
        assert screen.shown == (0, "slow")
        first = stats_text(screen).splitlines()[0]
        assert "slow" in first and "cancelled" in first and "add" not in first
        # The skipped one is cancelled too, but never ran.
        assert app.session.view().entry((1, "add")).snapshot.status == "cancelled"  # type: ignore[union-attr]
        # Until the person picks another one.
        queue = screen.query_one(QueueList)
        queue.focus()
        queue.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert screen.shown == (0, "add")
        assert stats_text(screen).splitlines()[0].split()[1] == "add"


async def test_live_round_counter_agrees_with_the_progress(suites: Path, tmp_path: Path) -> None:
    from conftest_tui import FakeSource, running_state

    app = make_app([suites / "tiny.toml"], tmp_path, save=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = LiveScreen(FakeSource([running_state("render_prompt")]))
        await app.push_screen(screen)
        await pilot.pause()
        lines = stats_text(screen).splitlines()
        # 12,000 of 30,000 calls in 20 rounds of 1,500: the 9th round, and the bar at 40%.
        assert "round 9/20" in lines[0]
        assert lines[1].rstrip().endswith("40%")


async def test_every_call_failing_shows_no_latency_figures(suites: Path, tmp_path: Path) -> None:
    from conftest_tui import FakeSource, all_failing_state

    app = make_app([suites / "tiny.toml"], tmp_path, save=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for finished_ in (False, True):
            source = FakeSource([all_failing_state(finished=finished_)])
            screen = LiveScreen(source)
            await app.push_screen(screen)
            await pilot.pause()
            text = stats_text(screen)
            assert "no successful calls" in text
            assert " ns" not in text and " µs" not in text
            histogram = str(screen.query_one("#histogram").render_line(0).text)
            assert "every timed call raised" in histogram
            app.pop_screen()
            await pilot.pause()


async def test_settings_name_a_bad_value_before_a_conflict(suites: Path, tmp_path: Path) -> None:
    """iterations = -1 with duration still filled: the bad value first, not 'not both'."""
    app = make_app([suites / "tiny.toml"], tmp_path, save=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        move_to(app, "tiny", "slow")  # a duration operation
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#field-duration", Input).value == "30"
        field = screen.query_one("#field-iterations", Input)
        field.focus()
        await pilot.press("minus", "1")
        await pilot.pause()
        error = str(screen.query_one("#settings-error").render())
        assert "iterations" in error and ">= 1" in error and "not both" not in error
        # A valid count while duration is still set: now the conflict is the problem.
        await pilot.press("backspace", "backspace", "5")
        await pilot.pause()
        assert "not both" in str(screen.query_one("#settings-error").render())
        duration = screen.query_one("#field-duration", Input)
        duration.value = ""
        await pilot.pause()
        assert str(screen.query_one("#settings-error").render()) == ""


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_help_keys_and_descriptions_line_up(
    suites: Path, tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app([suites / "tiny.toml"], tmp_path, save=False)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        keys_ = list(screen.query(".key").results(Static))
        descriptions = list(screen.query(".description").results(Static))
        assert len(keys_) == len(descriptions) > 20
        assert len({s.region.x for s in keys_}) == 1
        assert len({s.region.x for s in descriptions}) == 1
        # Each description sits on its key's line and wraps within its own column.
        for key, description in zip(keys_, descriptions, strict=True):
            assert key.region.y == description.region.y
            assert description.region.x > key.region.right
        assert descriptions[0].region.width >= 30


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_toasts_leave_a_dialog_s_buttons_clear(
    suites: Path, tmp_path: Path, size: tuple[int, int]
) -> None:
    from textual.widgets import Button
    from textual.widgets._toast import Toast

    from benchtui.tui.screens.dialogs import AskText

    app = make_app([suites / "tiny.toml"], tmp_path, save=False)
    async with app.run_test(size=size, notifications=True) as pilot:
        await pilot.pause()
        for make in (
            lambda: AskText("Label for this version?", "v1.4.0", hint="enter saves"),
            lambda: ConfirmScreen("A run is in flight. Quit and stop it?"),
        ):
            await app.push_screen(make())
            await pilot.pause()
            for i in range(4):  # more than fit: those that do not wait out of view
                app.notify(f"notice {i}: something happened\nwith a second line", timeout=30)
            await pilot.pause(0.3)
            toasts = []
            for toast in app.screen.query(Toast):
                # What the person sees (and can click) of a toast: its region within its clip.
                where = app.screen.find_widget(toast)
                seen = where.region.intersection(where.clip)
                if seen.area:
                    toasts.append(seen)
            assert toasts
            for button in app.screen.query(Button).results(Button):
                if button.display:
                    assert not any(button.region.overlaps(t) for t in toasts), button.id
            app.clear_notifications()
            app.pop_screen()
            await pilot.pause()


def _toast_texts(screen) -> list[str]:  # noqa: ANN001
    from textual.widgets._toast import Toast

    return [str(toast.render()) for toast in screen.query(Toast)]


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_notices_wait_until_the_welcome_closes(
    suites: Path, tmp_path: Path, size: tuple[int, int]
) -> None:
    """At first launch a broken suite's notice came up over the welcome's text: notices
    raised before or while it is shown wait, and come up in full once it is closed."""
    from benchtui.tui.screens.first_launch import FirstLaunchScreen

    bad = suites / "broken.toml"
    bad.write_text("[suite]\nname = 'broken'\n[[operations]]\nname = 'x'\n")
    app = make_app([suites / "tiny.toml", bad], tmp_path, save=False)
    async with app.run_test(size=size, notifications=True) as pilot:
        await pilot.pause()
        # What the app does at startup: the notice first, the offer once the history is read.
        assert any("not loaded" in t for t in _toast_texts(app.screen))
        await app.push_screen(FirstLaunchScreen(tmp_path / "history.sqlite"))
        await pilot.pause()
        app.notify("raised while it is up", timeout=1.5)  # would expire before it closes
        await pilot.pause(1.8)
        welcome = app.screen
        assert isinstance(welcome, FirstLaunchScreen)
        assert _toast_texts(welcome) == []  # nothing drawn over it, text or buttons
        assert len(welcome.held) == 2
        await pilot.press("escape")  # "Not now"
        await pilot.pause(0.3)
        assert isinstance(app.screen, SuitesScreen)
        shown = _toast_texts(app.screen)
        assert any("not loaded" in t for t in shown), shown
        assert any("raised while it is up" in t for t in shown), shown
