"""Unit tests of the trend helpers: the chart's window and scale, verdict marks and cells,
merged histograms (engine layout and foreign layouts), environments, export names, and how a
re-run is measured."""

from __future__ import annotations

import numpy as np
from hdrh.histogram import HdrHistogram

from benchtui.measure.histogram import HistogramCounts
from benchtui.stats import Verdict
from benchtui.suite import Operation
from benchtui.tracker import VersionStats
from benchtui.tui.history_queries import (
    Side,
    TrendPoint,
    bins_percentiles,
    environment_rows,
    environment_summary,
    export_name,
    merged_bins,
)
from benchtui.tui.screens.trend_actions import as_measured
from benchtui.tui.widgets.overlay import fold_on, shared_axis
from benchtui.tui.widgets.trend_chart import bar_scale, eighths, verdict_mark, window
from benchtui.tui.widgets.version_table import verdict_text


def stats(label: str = "v1", ok_runs: int = 1, status: str = "ok") -> VersionStats:
    p50 = 1000.0 if ok_runs else None
    return VersionStats(
        "s",
        "op",
        label,
        1,
        ok_runs,
        20,
        status,
        "2024-01-01T00:00:00+00:00",
        "2024-01-01T00:00:00+00:00",
        p50,
        p50,
        10.0,
        0.0,
        1,
        1,
    )


def verdict(kind: str, ratio: float = 1.3) -> Verdict:
    return Verdict(kind, ratio, ratio - 0.01, ratio + 0.01, 0.001, 20, 20, "because")


def test_window_keeps_the_cursor_in_view() -> None:
    assert window(5, 4, 10) == (0, 5)
    assert window(100, 99, 40) == (60, 100)
    assert window(100, None, 40) == (60, 100)
    start, end = window(100, 10, 40)
    assert start <= 10 < end and end - start == 40
    assert window(100, 0, 40) == (0, 40)
    assert window(0, None, 40) == (0, 0)


def test_bar_scale_shows_the_smallest_value_and_flat_series() -> None:
    lo, hi = bar_scale([10.0, 20.0])
    assert eighths(10.0, lo, hi, 4) == 8  # a quarter of 4 rows
    assert eighths(20.0, lo, hi, 4) == 32
    lo, hi = bar_scale([5.0, 5.0])
    assert eighths(5.0, lo, hi, 4) == 16  # flat: half height


def test_verdict_marks_and_cells() -> None:
    assert verdict_mark(TrendPoint(stats(), verdict("slower"), "v0", True)) == ("▲", "error")
    assert verdict_mark(TrendPoint(stats(), verdict("faster", 0.7), "v0", True))[0] == "▼"
    assert verdict_mark(TrendPoint(stats(), None, None, True))[0] == "○"
    assert verdict_mark(TrendPoint(stats()))[0] == "…"
    failed = TrendPoint(stats(ok_runs=0, status="crashed"), None, "v0", True)
    assert verdict_mark(failed) == ("✗", "error")
    assert verdict_text(failed)[0] == "✗ crashed"
    text, variable, bold = verdict_text(TrendPoint(stats(), verdict("slower"), "v0", True))
    assert (text, variable, bold) == ("▲ slower +30.0%", "error", True)
    partly = TrendPoint(stats(status="error"), verdict("no significant change", 1.0), "v0", True)
    assert verdict_text(partly)[0] == "= no change +0.0% (1/1 ok)"


def _engine_histogram(values: list[int]) -> str:
    counts = HistogramCounts.empty()
    counts.record(np.array(values, dtype=np.int64))
    return counts.encode()


def _foreign_histogram(values: list[int]) -> str:
    histogram = HdrHistogram(1, 60_000_000_000, 2)
    for v in values:
        histogram.record_value(v)
    return histogram.encode().decode("ascii")


def test_merged_bins_of_engine_and_foreign_layouts() -> None:
    a = _engine_histogram([1000] * 90 + [5000] * 10)
    b = _foreign_histogram([1000] * 50 + [9000] * 50)
    bins = merged_bins([a, b, "", "not base64 at all"])
    assert sum(c for _, c in bins) == 200
    assert bins == tuple(sorted(bins))
    named = dict(bins_percentiles(bins))
    assert 990 <= named["p50"] <= 1010
    assert 8900 <= named["p99"] <= 9100
    assert merged_bins([]) == () and bins_percentiles(()) == ()


def test_overlay_folds_both_sides_on_one_axis() -> None:
    a, b = ((1000, 5), (2000, 5)), ((100_000, 3),)
    low, high = shared_axis(a, b)
    assert low <= 1000 and high >= 100_000
    folded = fold_on(a, 40, low, high)
    assert folded.counts.sum() == 10 and folded.counts[0] == 5
    assert fold_on(b, 40, low, high).counts[-1] == 3
    assert shared_axis((), ()) is None


def test_environment_differences_that_could_explain_a_change() -> None:
    env_a = {
        "python_version": "3.11.7",
        "cpu_model": "X",
        "hostname": "h1",
        "git_dirty": False,
        "git_commit": "aaa",
    }
    env_b = {
        "python_version": "3.12.1",
        "cpu_model": "X",
        "hostname": "h1",
        "git_dirty": True,
        "git_commit": "bbb",
    }
    side_a = Side("a", None, (), (), (), environment_summary([env_a]))
    side_b = Side("b", None, (), (), (), environment_summary([env_b, {**env_b, "hostname": "h2"}]))
    rows = {r.name: r for r in environment_rows(side_a, side_b)}
    assert rows["python"].differs and rows["python"].may_explain
    assert not rows["cpu"].differs
    assert rows["host"].b == "mixed" and rows["host"].may_explain
    assert rows["dirty tree"].may_explain
    assert rows["git commit"].differs and not rows["git commit"].may_explain
    # Old synthetic key names are understood too.
    assert environment_summary([{"python": "3.10", "cpu": "Y"}]) == {"python": "3.10", "cpu": "Y"}


def test_export_name_is_a_safe_file_name() -> None:
    assert export_name(["v1.2", "v1.3"]) == "benchtui-export-v1.2_v1.3.json"
    assert export_name(["feat/x y"]) == "benchtui-export-feat-x-y.json"


def test_a_rerun_is_measured_as_the_stored_result_was() -> None:
    op = Operation("add", "m:add", duration=1.0, rounds=20)
    same = as_measured(op, {"iterations": 300, "duration": None, "rounds": 3, "memory": False})
    assert (same.iterations, same.duration, same.rounds, same.memory) == (300, None, 3, False)
    timed = as_measured(op, {"duration": 0.6, "iterations": None, "warmup": 5})
    assert (timed.duration, timed.iterations, timed.warmup) == (0.6, None, 5)
    assert as_measured(op, {"rounds": 0}) == op  # does not fit any more: the file's settings
