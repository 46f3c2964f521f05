"""Pilot tests of the trend and compare screens on seeded SQLite histories: navigation,
filtering, chart views, failed runs, comparing (with the previous version and two marked
ones), deleting with confirmation, exporting, paging, re-running, the empty, missing and
broken files, and the first-launch demo offer."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from conftest_trend import seed_history, seed_many, seed_partly_failing, wait_for
from conftest_tui import THEMES_DIR, write_suites
from textual.widgets import Input, OptionList

from benchtui.tracker import Tracker
from benchtui.tracker.exchange import read_runs
from benchtui.tracker.synthetic import synthetic_run
from benchtui.tui.app import BenchApp
from benchtui.tui.history_queries import PAGE, OpRef
from benchtui.tui.messages import RunRequested
from benchtui.tui.screens.compare import CompareScreen
from benchtui.tui.screens.confirm import ConfirmScreen
from benchtui.tui.screens.dialogs import AskText, PickRun
from benchtui.tui.screens.first_launch import FirstLaunchScreen
from benchtui.tui.screens.live import LiveScreen
from benchtui.tui.screens.trend import TrendScreen
from benchtui.tui.widgets.trend_chart import MEMORY, THROUGHPUT, TrendChart
from benchtui.tui.widgets.version_table import FAILURES_MARK, VersionTable

SIZE = (140, 40)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)


def make_app(tmp_path: Path, db: Path, **kwargs) -> BenchApp:  # noqa: ANN003
    suites = write_suites(tmp_path / "suites")
    return BenchApp(
        [suites / "tiny.toml"],
        theme_dirs=[THEMES_DIR],
        label_for=lambda _folder: "v-next",
        db=str(db),
        **kwargs,
    )


def trend(app: BenchApp) -> TrendScreen:
    screen = app.screen
    assert isinstance(screen, TrendScreen), screen
    return screen


async def open_trend(pilot) -> TrendScreen:  # noqa: ANN001
    await pilot.pause()
    await pilot.press("t")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, TrendScreen))
    screen = trend(pilot.app)
    await wait_for(pilot, lambda: screen.state != "loading")
    if screen.state == "ready":
        await settled(pilot, screen)
    return screen


async def settled(pilot, screen: TrendScreen) -> None:  # noqa: ANN001
    await wait_for(pilot, lambda: screen.page is not None and screen.page.judged)
    await wait_for(pilot, lambda: bool(screen.latest))
    await pilot.pause()


async def choose_op(pilot, screen: TrendScreen, op: OpRef) -> None:  # noqa: ANN001
    options = screen.query_one("#ops", OptionList)
    options.focus()
    options.highlighted = options.get_option_index(f"{op.suite}\x1f{op.operation}")
    await wait_for(pilot, lambda: screen.page is not None and screen.page.op == op)
    await settled(pilot, screen)


async def to_row(pilot, screen: TrendScreen, label: str) -> None:  # noqa: ANN001
    table = screen.query_one(VersionTable)
    table.focus()
    table.move_to(label)
    await wait_for(pilot, lambda: screen.cursor_label == label)


RETRIEVE = OpRef("agent", "retrieve_topk")
PARSE = OpRef("agent", "parse_tool_call")


async def test_operations_chart_views_filter_and_failed_runs(tmp_path: Path) -> None:
    db = await seed_history(tmp_path / "h.sqlite")
    async with make_app(tmp_path, db).run_test(size=SIZE) as pilot:
        screen = await open_trend(pilot)
        assert screen.ops == [
            OpRef("agent", "render_prompt"),
            RETRIEVE,
            PARSE,
            OpRef("tools", "tokenize"),
        ]
        assert screen.op == OpRef("agent", "render_prompt")
        await choose_op(pilot, screen, RETRIEVE)
        page = screen.page
        assert [p.label for p in page.points] == ["v1.0", "v1.1", "v1.2", "v1.3", "v1.4"]
        kinds = [p.verdict.kind if p.verdict else None for p in page.points]
        assert kinds[2] == "slower" and kinds[3] == "faster"
        table = screen.query_one(VersionTable)
        assert table.row_count == 5
        assert table.label_at_cursor() == "v1.4"  # newest first, cursor on it
        assert "slower" in str(table.get_row("v1.2")[2])
        # The op list flags the latest verdicts; the failed run is visible in its table.
        assert screen.latest[PARSE].verdict.kind == "inconclusive"
        await choose_op(pilot, screen, PARSE)
        failed = screen.page.points[3]
        assert failed.failed and failed.stats.status == "crashed"
        assert "crashed" in str(screen.query_one(VersionTable).get_row("v1.3")[2])
        # Chart views cycle.
        chart = screen.query_one(TrendChart)
        await pilot.press("m")
        assert chart.view.mode == THROUGHPUT
        await pilot.press("m")
        assert chart.view.mode == MEMORY
        await pilot.press("m")
        # Filter: only the matching operation stays; one version says so.
        await pilot.press("slash")
        assert screen.query_one("#filter", Input).has_focus
        await pilot.press(*"tok", "enter")
        options = screen.query_one("#ops", OptionList)
        enabled = [o for o in options.options if not o.disabled]
        assert [o.id for o in enabled] == ["tools\x1ftokenize"]
        options.highlighted = options.get_option_index("tools\x1ftokenize")
        await wait_for(pilot, lambda: screen.op == OpRef("tools", "tokenize"))
        await settled(pilot, screen)
        assert len(screen.page.points) == 1
        assert "one version so far" in chart.border_subtitle
        await pilot.press("escape")  # back to the suites screen
        await pilot.pause()
        assert not isinstance(pilot.app.screen, TrendScreen)


async def test_compare_with_previous_and_marked_versions(tmp_path: Path) -> None:
    db = await seed_history(tmp_path / "h.sqlite")
    async with make_app(tmp_path, db).run_test(size=SIZE) as pilot:
        screen = await open_trend(pilot)
        await choose_op(pilot, screen, RETRIEVE)
        await to_row(pilot, screen, "v1.2")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CompareScreen))
        compare = pilot.app.screen
        await wait_for(pilot, lambda: compare.data is not None)
        data = compare.data
        assert (data.a.label, data.b.label, data.verdict.kind) == ("v1.1", "v1.2", "slower")
        assert data.a.bins and data.b.bins and data.a.percentiles
        assert not any(row.may_explain for row in data.environment)
        assert "SLOWER" in str(compare.query_one("#verdict").render())
        await pilot.press("s")  # swap: B is now the older one, so it is faster
        await wait_for(pilot, lambda: compare.data is not None and compare.data.a.label == "v1.2")
        assert compare.data.verdict.kind == "faster"
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is screen
        # Two marked versions, in either order: the older is A.
        await to_row(pilot, screen, "v1.4")
        await pilot.press("space")
        await to_row(pilot, screen, "v1.0")
        await pilot.press("space")
        assert set(screen.marked) == {"v1.4", "v1.0"}
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CompareScreen))
        compare = pilot.app.screen
        await wait_for(pilot, lambda: compare.data is not None)
        assert (compare.data.a.label, compare.data.b.label) == ("v1.0", "v1.4")
        assert compare.data.verdict.kind == "faster"
        assert len(compare.data.b.runs) == 2
        await pilot.press("t")  # t goes back to the trend from a comparison
        await pilot.pause()
        assert pilot.app.screen is screen
        # The first version has nothing before it.
        await to_row(pilot, screen, "v1.0")
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: any("first version" in n.message for n in pilot.app._notifications)
        )
        assert pilot.app.screen is screen


async def test_delete_a_run_asks_first_and_refreshes(tmp_path: Path) -> None:
    db = await seed_history(tmp_path / "h.sqlite")
    async with make_app(tmp_path, db).run_test(size=SIZE) as pilot:
        screen = await open_trend(pilot)
        await choose_op(pilot, screen, RETRIEVE)
        await to_row(pilot, screen, "v1.4")
        await pilot.press("d")  # two runs: pick one first
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, PickRun))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        async with await Tracker.open(db) as tracker:
            assert await tracker.count_runs(label="v1.4") == 2
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, PickRun))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(
            pilot, lambda: screen.page is not None and screen.page.points[-1].stats.runs == 1
        )
        # The last run of v1.4: no picker, and the version leaves the history.
        await to_row(pilot, screen, "v1.4")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        assert "only run of v1.4" in str(pilot.app.screen.query_one("#question").render())
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.page is not None and len(screen.page.points) == 4)
        assert screen.query_one(VersionTable).row_count == 4
        async with await Tracker.open(db) as tracker:
            assert await tracker.count_runs(label="v1.4") == 0


async def test_export_the_marked_versions(tmp_path: Path) -> None:
    db = await seed_history(tmp_path / "h.sqlite")
    async with make_app(tmp_path, db).run_test(size=SIZE) as pilot:
        screen = await open_trend(pilot)
        await choose_op(pilot, screen, RETRIEVE)
        for label in ("v1.3", "v1.2"):
            await to_row(pilot, screen, label)
            await pilot.press("space")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, AskText))
        field = pilot.app.screen.query_one(Input)
        assert field.value == "./benchtui-export-v1.2_v1.3.json"
        await pilot.press("enter")
        target = tmp_path / "benchtui-export-v1.2_v1.3.json"
        await wait_for(pilot, target.exists)
        runs = read_runs(target)
        assert [r.label for r in runs] == ["v1.2", "v1.3"]
        assert all(r.operations[0].histogram for r in runs)


async def test_pages_of_a_long_history(tmp_path: Path) -> None:
    db = await seed_many(tmp_path / "big.sqlite", PAGE + 30)
    async with make_app(tmp_path, db).run_test(size=SIZE) as pilot:
        screen = await open_trend(pilot)
        page = screen.page
        assert len(page.points) == PAGE and page.has_older and page.offset == 0
        assert page.points[-1].label == f"b{PAGE + 29:04d}"
        assert screen.query_one(VersionTable).row_count == PAGE
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: screen.page.offset == PAGE and screen.page.judged)
        assert [p.label for p in screen.page.points][:2] == ["b0000", "b0001"]
        assert len(screen.page.points) == 30 and not screen.page.has_older
        assert screen.page.points[-1].previous == "b0028"
        slower = [p.label for p in screen.page.points if p.verdict and p.verdict.kind == "slower"]
        assert slower == ["b0039"] or slower == []  # one run each: judged honestly either way
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: screen.page.offset == 0 and screen.page.judged)
        # The oldest version of a page is judged against the newest of the page before.
        assert screen.page.points[0].previous == "b0029"


async def test_rerun_measures_the_operation_under_a_new_label(tmp_path: Path) -> None:
    suites = write_suites(tmp_path / "suites")
    stored = synthetic_run("v1", {"add": 50.0}, suite="tiny", started_at=1, seed=1)
    op = dataclasses.replace(
        stored.operations[0],
        settings={"target": "tiny_ops:add", "iterations": 300, "rounds": 3, "memory": False},
    )
    stored = dataclasses.replace(stored, suite_path=str(suites / "tiny.toml"), operations=(op,))
    gone = synthetic_run("g1", {"lost": 50.0}, suite="gone", started_at=2, seed=2)
    db = tmp_path / "h.sqlite"
    async with await Tracker.open(db) as tracker:
        await tracker.save_run(stored)
        await tracker.save_run(gone)
    requests: list[RunRequested] = []

    def hook(message: object) -> None:
        if isinstance(message, RunRequested) and all(m is not message for m in requests):
            requests.append(message)

    async with make_app(tmp_path, db).run_test(size=SIZE, message_hook=hook) as pilot:
        screen = await open_trend(pilot)
        assert screen.op == OpRef("tiny", "add")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, AskText))
        assert pilot.app.screen.query_one(Input).value == "v-next"
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(requests))
        (group,) = requests[0].groups
        assert (group.suite.name, requests[0].label) == ("tiny", "v-next")
        assert (group.operations[0].iterations, group.operations[0].rounds) == (300, 3)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LiveScreen))
        session = pilot.app.session
        await wait_for(pilot, lambda: session is not None and not session.in_flight, 30)
        await pilot.press("escape")  # back to the trend: it reloads with the new version
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        await wait_for(pilot, lambda: len(screen.page.points) == 2)
        assert screen.page.points[-1].label == "v-next"
        # A suite file that is gone: said plainly, nothing started.
        await choose_op(pilot, screen, OpRef("gone", "lost"))
        await pilot.press("r")
        await wait_for(
            pilot, lambda: any("Cannot re-run" in (n.title or "") for n in pilot.app._notifications)
        )
        assert len(requests) == 1


async def test_empty_missing_and_broken_histories(tmp_path: Path) -> None:
    missing = tmp_path / "none" / "h.sqlite"
    async with make_app(tmp_path, missing).run_test(size=SIZE) as pilot:
        screen = await open_trend(pilot)
        assert screen.state == "empty"
        assert "No history yet" in str(screen.query_one("#state").render())
        assert screen.query_one("#demo-button").display
        assert not missing.exists()  # looking must not create the file
    empty = tmp_path / "empty.sqlite"
    async with await Tracker.open(empty):
        pass
    async with make_app(tmp_path, empty).run_test(size=SIZE) as pilot:
        screen = await open_trend(pilot)
        assert screen.state == "empty"
    broken = tmp_path / "broken.sqlite"
    broken.write_text("this is not a database, just text\n" * 20)
    async with make_app(tmp_path, broken).run_test(size=SIZE) as pilot:
        screen = await open_trend(pilot)
        assert screen.state == "error"
        text = str(screen.query_one("#state").render())
        assert "Cannot open the history" in text and "not a SQLite database" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, TrendScreen)


async def fake_demo(db_path: Path, suites_dir=None, on_event=None, on_version=None):  # noqa: ANN001, ANN201
    """Three versions of the demo's suite, synthetic and instant (the real one takes 30 s)."""
    from benchtui.demo import DEMO_SUITE_NAME, DEMO_VERSIONS
    from benchtui.runner.events import OperationFinished, RunFinished

    results = []
    async with await Tracker.open(db_path) as tracker:
        for index, version in enumerate(DEMO_VERSIONS):
            if on_version is not None:
                on_version(version, index)
            median = 1_200_000.0 if index < 2 else 150_000.0
            run = synthetic_run(
                version.label,
                {"retrieve_topk": median},
                suite=DEMO_SUITE_NAME,
                started_at=index,
                seed=index,
            )
            for op in run.operations:
                if on_event is not None:
                    on_event(OperationFinished(op.operation, op))
            if on_event is not None:
                on_event(RunFinished(run))
            await tracker.save_run(run)
            results.append(run)
    return results


async def test_first_launch_offers_the_demo_then_opens_the_trend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import benchtui.demo

    monkeypatch.setattr(benchtui.demo, "run_demo", fake_demo)
    db = tmp_path / "first" / "h.sqlite"
    # Declining leaves everything as it was.
    async with make_app(tmp_path, db, offer_demo=True).run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FirstLaunchScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, FirstLaunchScreen))
        assert not db.exists()
    async with make_app(tmp_path, db, offer_demo=True).run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FirstLaunchScreen))
        await pilot.press("enter")  # "Record the demo" has the focus
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TrendScreen))
        screen = trend(pilot.app)
        await wait_for(pilot, lambda: screen.page is not None and screen.page.judged)
        assert screen.op == OpRef("agent-demo", "retrieve_topk")
        assert [p.label for p in screen.page.points] == ["demo-v1.0", "demo-v1.1", "demo-v1.2"]
        assert screen.page.points[-1].verdict.kind == "faster"
        commands = {c.title for c in pilot.app.get_system_commands(pilot.app.screen)}
        assert {"Record demo history"} <= commands
    # A history with runs is not offered the demo.
    async with make_app(tmp_path, db, offer_demo=True).run_test(size=SIZE) as pilot:
        await pilot.pause(0.5)
        assert not isinstance(pilot.app.screen, FirstLaunchScreen)
        commands = {c.title for c in pilot.app.get_system_commands(pilot.app.screen)}
        assert {"Trend", "Record demo history"} <= commands


async def test_version_table_keys_move_the_cursor_and_the_chart(tmp_path: Path) -> None:
    db = await seed_many(tmp_path / "big.sqlite", PAGE + 30)
    async with make_app(tmp_path, db).run_test(size=SIZE) as pilot:
        screen = await open_trend(pilot)
        table = screen.query_one(VersionTable)
        table.focus()
        await pilot.pause()
        newest = f"b{PAGE + 29:04d}"
        assert table.label_at_cursor() == newest and table.cursor_row == 0
        await pilot.press("down", "down")
        await wait_for(pilot, lambda: screen.cursor_label == f"b{PAGE + 27:04d}")
        assert screen.query_one(TrendChart).view.cursor == PAGE - 3
        await pilot.press("pagedown")
        await wait_for(pilot, lambda: table.cursor_row > 2)
        assert table.scroll_y > 0  # the cursor row stays in view
        await pilot.press("end")
        await wait_for(pilot, lambda: screen.cursor_label == screen.page.points[0].label)
        assert table.cursor_row == PAGE - 1
        await pilot.press("space")  # marks the row under the cursor
        assert table.get_row(screen.page.points[0].label)[0] == "◆"
        await pilot.press("home", "up")
        await wait_for(pilot, lambda: screen.cursor_label == newest)
        assert table.cursor_row == 0 and table.scroll_y == 0
        # A click on a row highlights it and compares it with the version before it.
        table.scroll_to(y=0, animate=False)
        await pilot.pause()
        await pilot.click(VersionTable, offset=(8, 1 + 1 + 2))  # border, header, third row
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CompareScreen))
        assert (pilot.app.screen.a, pilot.app.screen.b) == (
            f"b{PAGE + 26:04d}",
            f"b{PAGE + 27:04d}",
        )


def chart_text(chart: TrendChart) -> list[str]:
    return [strip.text for strip in chart._lines]


async def test_chart_at_80x24_labels_every_bar_and_shows_its_scales(tmp_path: Path) -> None:
    db = await seed_history(tmp_path / "h.sqlite")
    async with make_app(tmp_path, db).run_test(size=(80, 24)) as pilot:
        screen = await open_trend(pilot)
        await choose_op(pilot, screen, RETRIEVE)
        await to_row(pilot, screen, "v1.2")
        chart = screen.query_one(TrendChart)
        await pilot.pause()
        lines = chart_text(chart)
        axis, labels = lines[-2], lines[-1]
        corner = axis.index("└")
        # Every version is named, in order, each label over the tick or verdict mark of its
        # own bar (the bars' columns are where the axis line is interrupted).
        words = [(m.start(), m.group()) for m in re.finditer(r"\S+", labels)]
        assert [w for _, w in words] == ["v1.0", "v1.1", "v1.2", "v1.3", "v1.4"]
        marks = [x for x, c in enumerate(axis) if x > corner and c != "─"]
        assert len(marks) == 5
        for (x, word), mark in zip(words, marks, strict=True):
            assert x <= mark < x + len(word)
        # Each band has its name and a scale with units in the gutter.
        gutter = [line[:corner] for line in lines[:-2]]
        assert any("p50" in g for g in gutter) and any("p99" in g for g in gutter)
        assert sum(bool(re.search(r"\d (ms|µs)", g)) for g in gutter) == 4
        await pilot.press("m", "m")
        await pilot.pause()
        assert chart.view.mode == MEMORY
        lines = chart_text(chart)
        for name in ("traced", "leak/it", "RSS"):
            row = next(i for i, line in enumerate(lines) if name in line[: corner + 8])
            band = lines[row : row + 2]
            # A flat band writes its figure on its line; one with bars has a scale in bytes.
            assert "flat: " in band[0] or re.search(r"\d (B|KiB|MiB)", "".join(band)), band


SOMETIMES = OpRef("flaky", "sometimes")
ALWAYS = OpRef("flaky", "always")


async def test_partly_failing_versions_show_figures_and_their_failures(tmp_path: Path) -> None:
    # Every run of 'sometimes' has status "error" (a tenth of its calls raised), yet its
    # successful calls were measured: figures, bars and verdicts, with the failures marked.
    db = await seed_partly_failing(tmp_path / "h.sqlite")
    async with make_app(tmp_path, db).run_test(size=(100, 30)) as pilot:
        screen = await open_trend(pilot)
        await choose_op(pilot, screen, SOMETIMES)
        points = screen.page.points
        assert [p.stats.status for p in points] == ["error"] * 3
        assert not any(p.failed for p in points) and all(p.partial for p in points)
        assert all(p.stats.p50_ns and p.stats.p99_ns for p in points)
        assert points[2].verdict.kind == "slower" and points[1].verdict.kind != "slower"
        assert points[2].verdict.n_a == 19  # 20 rounds, the one where every call raised out
        table = screen.query_one(VersionTable)
        row = table.get_row("p3")
        assert row[2].startswith("▲ slower +") and f"{FAILURES_MARK}1/1 error" in row[2]
        assert row[3] != "—" and row[4] != "—"
        assert f"{FAILURES_MARK}1/1 error" in table.get_row("p1")[2]  # "first" shows it too
        assert "runs had failures" in str(table.border_subtitle)
        await pilot.pause()
        lines = chart_text(screen.query_one(TrendChart))
        assert not any("no figures" in line for line in lines)
        assert not any("✗" in line for line in lines)  # no version drawn as failed
        assert "p50" in "".join(lines)
        # The comparison merges the stored histograms of these runs too.
        await to_row(pilot, screen, "p3")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CompareScreen))
        compare = pilot.app.screen
        await wait_for(pilot, lambda: compare.data is not None)
        assert compare.data.verdict.kind == "slower"
        assert compare.data.a.samples > 0 and compare.data.b.samples > 0
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TrendScreen))
        # Every call of 'always' raised: no figures, the versions drawn as failed.
        await choose_op(pilot, screen, ALWAYS)
        assert all(p.failed and not p.partial for p in screen.page.points)
        assert table.get_row("p3")[2] == "✗ error" and table.get_row("p3")[3] == "—"
        chart = screen.query_one(TrendChart)
        await wait_for(pilot, lambda: any("no figures" in line for line in chart_text(chart)))
        lines = chart_text(chart)
        # (The highlighted version's guide line may cross the message.)
        assert sum("no figures (no successful run" in line for line in lines) == 2
        assert screen.latest[ALWAYS].p50_ns is None
        assert screen.latest[SOMETIMES].p50_ns is not None


async def test_footer_recompose_after_the_screen_closed_is_harmless(tmp_path: Path) -> None:
    """A footer recompose still queued when the trend screen closes (escape right after a
    refresh) used to raise NoScreen and take the app down."""
    from benchtui.tui.screens.trend import TrendFooter

    db = tmp_path / "h.sqlite"
    await seed_history(db)
    app = make_app(tmp_path, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_trend(pilot)
        footer = screen.query_one(TrendFooter)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, TrendScreen))
        await footer.recompose()  # detached now: must return quietly
        await pilot.pause()
        assert app.is_running
