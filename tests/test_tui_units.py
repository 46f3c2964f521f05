"""Unit tests of the TUI's pure parts: histogram folding, settings parsing, config, graphs."""

from __future__ import annotations

import numpy as np
import pytest
from conftest_tui import (
    FakeClock,
    all_failing_state,
    failed_state,
    finished_state,
    running_state,
)

from benchtui.runner.events import (
    MemoryReading,
    OperationFinished,
    OperationStarted,
    PhaseStarted,
    Progress,
    RoundFinished,
)
from benchtui.runner.live import OperationState
from benchtui.runner.results import ErrorInfo, OperationResult, RoundSummary
from benchtui.suite import Operation, SuiteError
from benchtui.tui import keys
from benchtui.tui.config import load_config
from benchtui.tui.screens.help import key_sections
from benchtui.tui.widgets.graph import fold_series, series_heights
from benchtui.tui.widgets.histogram import bar_heights, fold, marker_line, tick_labels
from benchtui.tui.widgets.log import TRACEBACK_RULE, full_text
from benchtui.tui.widgets.memory import leak_text, live_leak_rate
from benchtui.tui.widgets.settings import build_operation, raw_from_operation
from benchtui.tui.widgets.stats import StatsPane, describe_phase, memory_progress, progress_bar


def test_fold_puts_every_count_in_a_log_spaced_column() -> None:
    bins = ((1_000, 5), (10_000, 7), (100_000, 1))
    columns = fold(bins, 30)
    assert columns is not None
    assert columns.counts.sum() == 13
    # Log axis: three decades apart land evenly spread, the first and last at the edges.
    placed = [columns.column_of(v) for v, _ in bins]
    assert placed[0] == 0 and placed[-1] == 29
    assert abs(placed[1] - 15) <= 1


def test_fold_of_a_single_bucket_still_has_an_axis() -> None:
    columns = fold(((5_000, 3),), 10)
    assert columns is not None and columns.low < 5_000 < columns.high
    assert columns.counts.sum() == 3
    assert fold((), 10) is None


def test_bar_heights_keep_rare_columns_visible() -> None:
    heights = bar_heights(np.array([1000.0, 1.0, 0.0]), rows=4)
    assert heights.tolist() == [32, 1, 0]


def test_markers_and_ticks_fit_the_width() -> None:
    line = marker_line({"p50": 2, "p90": 3, "p99": 10, "p99.9": 19}, 20)
    assert len(line) == 20
    assert [i for i, c in enumerate(line) if c == "▾"] == [2, 3, 10, 19]  # every arrow
    assert "▾p90" in line and "▾p99 " in line
    # No room beside their arrows without touching another label: arrows only.
    assert "p50" not in line and "p99.9" not in line
    wide = marker_line({"p50": 10, "p90": 20, "p99": 30, "p99.9": 49}, 50)
    assert "▾p50" in wide and "▾p90" in wide and "▾p99 " in wide and wide.endswith("p99.9▾")
    columns = fold(((1_000, 1), (1_000_000, 1)), 40)
    assert columns is not None
    ticks = tick_labels(columns, 40)
    assert len(ticks) == 40 and ticks.startswith("1.00 µs") and ticks.rstrip().endswith("ms")
    # Decade ticks near the edges keep their own labels: 85 µs must not sit where the 100 µs
    # tick is, reading as its value.
    columns = fold(((85_000, 1), (222_000_000, 1)), 60)
    assert columns is not None
    ticks = tick_labels(columns, 60)
    for value, label in ((100_000, "100 µs"), (1_000_000, "1.00 ms"), (100_000_000, "100 ms")):
        start = ticks.find(label)
        assert start >= 0, (label, ticks)
        assert start <= columns.column_of(value) < start + len(label), (label, ticks)


def test_settings_round_trip_and_errors() -> None:
    base = Operation("op", "mod:f", params={"n": 3, "name": "x"}, iterations=100, duration=None)
    raw = raw_from_operation(base)
    assert raw["params"] == '{ n = 3, name = "x" }'
    assert build_operation(base, raw) == base
    raw["iterations"], raw["duration"] = "", "2.5"
    op = build_operation(base, raw)
    assert (op.iterations, op.duration) == (None, 2.5)
    for field, value, fragment in [
        ("warmup", "-1", ">= 0"),
        ("concurrency", "abc", "whole number"),
        ("params", "{ n = ", "inline table"),
        ("target", "no-colon", "module:attribute"),
        ("iterations", "5", "not both"),
    ]:
        bad = dict(raw, **{field: value})
        with pytest.raises(SuiteError, match=fragment):
            build_operation(base, bad)


def test_config_reads_theme_keymap_and_reports_problems(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "config.toml"
    path.write_text(
        'theme = "benchtui-light"\ndatabase = "~/h.sqlite"\ncolour = 1\n'
        '[keymap]\n"benchtui.run" = "f5"\n"benchtui.quit" = 3\n'
    )
    config, problems = load_config(path)
    assert config.theme == "benchtui-light"
    assert config.keymap == {"benchtui.run": "f5"}
    assert config.database and config.database.endswith("h.sqlite") and "~" not in config.database
    assert len(problems) == 2
    path.write_text("theme = [")
    config, problems = load_config(path)
    assert config.theme is None and "cannot read" in problems[0]
    assert load_config(tmp_path / "missing.toml") == (load_config(tmp_path / "none.toml")[0], [])


def test_every_binding_has_an_id() -> None:
    assert all(b.id and b.id.startswith("benchtui.") for b in keys.ALL)
    assert keys.shown_key(keys.RUN, {"benchtui.run": "f5"}) == "f5"
    assert keys.shown_key(keys.HELP, {}) == "?"


def test_series_graph_folding() -> None:
    assert fold_series((1.0, 2.0), 4).tolist() == [1.0, 1.0, 2.0, 2.0]
    assert fold_series(tuple(float(i) for i in range(100)), 10)[-1] == 99.0
    assert series_heights(np.array([5.0, 5.0]), 2).tolist() == [8, 8]
    assert series_heights(np.array([0.0, 10.0]), 2).tolist() == [1, 16]


def test_leak_rate_estimate_and_summary() -> None:
    series = tuple((float(i), 1000.0 + 64.0 * i) for i in range(20))
    assert live_leak_rate(series) == pytest.approx(64.0)
    assert live_leak_rate(series[:5]) is None
    leaky = finished_state().snapshot()
    text = leak_text(leaky).plain
    assert "leaks" in text and "agent_ops.py:212" in text


def test_log_text_appends_the_traceback() -> None:
    text = full_text(failed_state().snapshot())
    assert text.startswith("about to parse\n") and TRACEBACK_RULE in text
    assert text.rstrip().endswith("ValueError: bad payload")


def test_stats_progress_helpers() -> None:
    snap = running_state().snapshot()
    assert snap.progress == pytest.approx(12000 / 30000)
    assert progress_bar(0.5, 10).plain == "━" * 10
    assert memory_progress(snap, 100) is None  # not in the memory phase


def test_settings_judge_each_field_before_the_pair() -> None:
    """A value wrong by itself is named first; 'not both' only when both are valid."""
    base = Operation("op", "mod:f", duration=1.5)
    raw = raw_from_operation(base)
    assert raw["duration"] == "1.5" and raw["iterations"] == ""
    for field, value, fragment in [
        ("iterations", "-1", ">= 1"),
        ("iterations", "0", ">= 1"),
        ("iterations", "x", "whole number"),
        ("duration", "0", "> 0"),
        ("rounds", "0", "between 1 and 10000"),
        ("warmup", "", "needs a value"),
    ]:
        with pytest.raises(SuiteError) as caught:
            build_operation(base, dict(raw, **{field: value}))
        assert caught.value.key == field
        assert fragment in caught.value.detail and "not both" not in caught.value.detail
    # Only with both valid does the conflict come up.
    with pytest.raises(SuiteError, match="not both"):
        build_operation(base, dict(raw, iterations="5"))
    # With both fields wrong, the one shown first is named.
    with pytest.raises(SuiteError) as caught:
        build_operation(base, dict(raw, iterations="-1", duration="-2"))
    assert caught.value.key == "iterations"


def test_settings_numbers_take_thousands_commas_not_decimal_commas() -> None:
    base = Operation("op", "mod:f", duration=1.5)
    raw = raw_from_operation(base)
    op = build_operation(base, dict(raw, iterations="10,000", duration=""))
    assert op.iterations == 10_000
    with pytest.raises(SuiteError, match="dot for decimals"):
        build_operation(base, dict(raw, duration="1,5"))  # not 15 seconds


def test_round_counter_follows_progress_not_round_events() -> None:
    """The round shown comes from the Progress event the bar comes from: finished rounds
    reported ahead of the throttled progress do not move it."""
    name = "fast"
    state = OperationState(name)
    state.apply(OperationStarted(name, 0, 1, {"iterations": 20000}))
    state.apply(PhaseStarted(name, "timed", planned_iterations=20000, rounds=20))
    state.apply(Progress(name, 3500, 0, 3, 20, 0.1, ""))
    for i in range(12):  # rounds already done in the child, progress not yet sent
        state.apply(RoundFinished(name, RoundSummary(i, 1000, 0, 0.01, 1.0, 1, 1, 1, 1, 1)))
    snap = state.snapshot()
    assert describe_phase(snap) == "timed · round 4/20"
    assert snap.progress == pytest.approx(3500 / 20000)  # round 4 of 20 is 15-20%
    # The last progress event reports round == rounds: never "round 21".
    state.apply(Progress(name, 20000, 0, 20, 20, 0.5, ""))
    assert describe_phase(state.snapshot()) == "timed · round 20/20"


def test_no_latency_figures_when_every_call_failed() -> None:
    for snap in (all_failing_state().snapshot(), all_failing_state(finished=True).snapshot()):
        assert snap.latency_samples == 0 and snap.iterations and snap.errors
        assert not snap.histogram_bins
    assert running_state().snapshot().latency_samples == 12000
    assert finished_state().snapshot().latency_samples == 20000
    never = OperationState("skipped")
    never.apply(OperationFinished("skipped", OperationResult("skipped", status="cancelled")))
    assert not never.snapshot().started and running_state().snapshot().started


def test_help_lists_every_binding_with_the_key_in_force() -> None:
    sections = key_sections({"benchtui.run": "f5"})
    ids = {binding_id for _title, rows in sections for _k, _d, binding_id in rows}
    assert ids >= keys.KNOWN_IDS
    rows = {binding_id: key for _title, rows in sections for key, _d, binding_id in rows}
    assert rows["benchtui.run"] == "f5" and rows["benchtui.help"] == "?"
    assert "Other" not in [title for title, _rows in sections]  # every binding has a place


def stats_lines(state: OperationState) -> list[str]:
    pane = StatsPane()
    pane.snapshot = state.snapshot()
    return [line.plain for line in pane.lines()]


def duration_op(name: str, clock: FakeClock, *, memory: bool = False) -> OperationState:
    """A duration-based operation 0.4 s into its run, its last progress at 0.81 s of 1 s."""
    state = OperationState(name, clock=clock)
    settings = {"iterations": None, "duration": 1.0, "rounds": 4, "memory": memory}
    state.apply(OperationStarted(name, 0, 1, settings))
    state.apply(PhaseStarted(name, "warmup"))
    clock.now += 0.2
    state.apply(PhaseStarted(name, "timed", planned_duration=1.0, rounds=4))
    state.apply(Progress(name, 810, 810, 3, 4, 0.81, ""))
    return state


def test_a_finished_operation_shows_its_final_progress_and_time() -> None:
    """Every call raised, yet the timed phase ran to its end: 100%, and the result's time
    (1.0046 s), not the last throttled progress event's 0.81 s."""
    clock = FakeClock()
    state = duration_op("always_raises", clock)
    rounds = tuple(RoundSummary(i, 250, 250, 0.25, 0.0, 0, 0, 0, 0, 0) for i in range(4))
    clock.now += 1.0
    result = OperationResult(
        "always_raises",
        "error",
        iterations=1000,
        errors=1000,
        total_time_s=1.0046,
        rounds=rounds,
        error=ErrorInfo("ValueError", "always"),
        settings=state.settings,
    )
    state.apply(OperationFinished("always_raises", result))
    snap = state.snapshot()
    assert snap.complete and snap.progress == 1.0 and snap.elapsed_s == 1.0046
    lines = stats_lines(state)
    assert lines[0].endswith("always_raises  error")
    assert lines[1].endswith(" 100%")
    time_line = next(line for line in lines if line.startswith("time"))
    assert "elapsed 1.2s" in time_line and "timed 1.005s" in time_line
    assert "remaining" not in time_line


def test_an_operation_stopped_short_says_where_and_how_far() -> None:
    clock = FakeClock()
    state = duration_op("crashes", clock)
    clock.now += 0.9
    state.apply(OperationFinished("crashes", OperationResult("crashes", "crashed", 810, 810, 0.81)))
    snap = state.snapshot()
    assert not snap.complete and snap.progress == pytest.approx(0.81)
    lines = stats_lines(state)
    assert lines[0].endswith("crashes  crashed in the timed phase")
    assert lines[1].endswith(" stopped at 81%")


def hung_in_warmup(memory: bool) -> OperationState:
    """timeout = 3: the first warmup call never returns; only RSS readings come."""
    clock = FakeClock()
    state = OperationState("hangs", clock=clock)
    settings = {"iterations": 1500, "duration": None, "memory": memory, "timeout": 3.0}
    state.apply(OperationStarted("hangs", 0, 1, settings))
    state.apply(PhaseStarted("hangs", "warmup"))
    for i in range(30):
        clock.now += 0.1
        state.apply(MemoryReading("hangs", 0.1 * i, rss_bytes=30_000_000))
    return state


def test_a_hanging_operation_counts_time_since_it_started() -> None:
    state = hung_in_warmup(memory=True)
    time_line = next(line for line in stats_lines(state) if line.startswith("time"))
    assert "elapsed 3.0s" in time_line and "timed —" in time_line
    # No event at all for a while (a worker psutil cannot read): the clock still moves on.
    state.clock.now += 1.0  # type: ignore[attr-defined]
    assert state.snapshot().wall_s == pytest.approx(4.0)
    result = OperationResult("hangs", "timeout", settings=dict(state.settings))
    state.apply(OperationFinished("hangs", result))
    state.clock.now += 5.0  # type: ignore[attr-defined]
    snap = state.snapshot()
    assert snap.wall_s == pytest.approx(4.0) and snap.ended_in == "warmup"
    lines = stats_lines(state)
    assert lines[0].endswith("hangs  timeout in warmup")
    assert lines[1].endswith(" timed phase not reached")
    assert "elapsed 4.0s" in next(line for line in lines if line.startswith("time"))


def test_a_timed_out_operation_s_memory_pane_says_the_phase_did_not_run() -> None:
    state = hung_in_warmup(memory=True)
    assert leak_text(state.snapshot()).plain == "leak   after the memory phase"  # still to come
    result = OperationResult("hangs", "timeout", settings=dict(state.settings))
    state.apply(OperationFinished("hangs", result))
    assert leak_text(state.snapshot()).plain == "leak   memory phase did not run (timed out)"
    off = hung_in_warmup(memory=False)
    off.apply(
        OperationFinished("hangs", OperationResult("hangs", "timeout", settings={"memory": False}))
    )
    assert leak_text(off.snapshot()).plain == "leak   memory phase off"
    # Killed while tracing: it began but did not finish.
    clock = FakeClock()
    traced = duration_op("leaky", clock, memory=True)
    traced.apply(PhaseStarted("leaky", "memory", planned_iterations=500))
    traced.apply(
        OperationFinished("leaky", OperationResult("leaky", "crashed", settings={"memory": True}))
    )
    assert "memory phase did not finish (crashed)" in leak_text(traced.snapshot()).plain


def test_a_duration_target_does_not_read_as_elapsed_time() -> None:
    clock = FakeClock()
    state = OperationState("steady", clock=clock)
    state.apply(OperationStarted("steady", 0, 1, {"iterations": None, "duration": 1.5}))
    state.apply(PhaseStarted("steady", "timed", planned_duration=1.5, rounds=4))
    state.apply(Progress("steady", 380, 0, 0, 4, 0.1, ""))
    lines = stats_lines(state)
    assert "iterations 380 · target 1.5s" in lines
    assert " in 1.5s" not in "\n".join(lines)


def test_keymap_ids_with_or_without_the_prefix() -> None:
    from benchtui.tui import keys

    assert keys.full_id("benchtui.trend.filter") == "benchtui.trend.filter"
    assert keys.full_id("trend.filter") == "benchtui.trend.filter"
    assert keys.full_id("nonsense") == "nonsense"  # left as written, reported as unknown


def test_tracker_file_precedence_flag_then_environment_then_config(
    tmp_path, monkeypatch  # noqa: ANN001
) -> None:
    from benchtui.tui.app import BenchApp
    from benchtui.tui.config import Config

    config = Config(database=str(tmp_path / "from-config.sqlite"))
    monkeypatch.delenv("BENCHTUI_DB", raising=False)
    assert BenchApp([], config=config).db == str(tmp_path / "from-config.sqlite")
    monkeypatch.setenv("BENCHTUI_DB", str(tmp_path / "from-env.sqlite"))
    assert BenchApp([], config=config).db == str(tmp_path / "from-env.sqlite")
    flagged = BenchApp([], config=config, db=str(tmp_path / "from-flag.sqlite"))
    assert flagged.db == str(tmp_path / "from-flag.sqlite")
