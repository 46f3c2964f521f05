"""Unit tests of the TUI's pure parts: histogram folding, settings parsing, config, graphs."""

from __future__ import annotations

import numpy as np
import pytest
from conftest_tui import failed_state, finished_state, running_state

from benchtui.suite import Operation, SuiteError
from benchtui.tui import keys
from benchtui.tui.config import load_config
from benchtui.tui.widgets.graph import fold_series, series_heights
from benchtui.tui.widgets.histogram import bar_heights, fold, marker_line, tick_labels
from benchtui.tui.widgets.log import TRACEBACK_RULE, full_text
from benchtui.tui.widgets.memory import leak_text, live_leak_rate
from benchtui.tui.widgets.settings import build_operation, raw_from_operation
from benchtui.tui.widgets.stats import memory_progress, progress_bar


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
