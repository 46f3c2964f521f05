"""Unit tests of the trend helpers: the chart's window, scales, rows and labels, verdict marks
and cells (and the note when the p50 column disagrees), the operation list's lines, merged
histograms (engine layout and foreign layouts), environments, export names, and how a re-run
is measured."""

from __future__ import annotations

import dataclasses

import numpy as np
from hdrh.histogram import HdrHistogram

from benchtui import format as fmt
from benchtui.measure.histogram import HistogramCounts
from benchtui.stats import Verdict
from benchtui.suite import Operation
from benchtui.tracker import VersionStats
from benchtui.tui.history_queries import (
    LatestState,
    OpRef,
    Side,
    TrendPoint,
    bins_percentiles,
    environment_rows,
    environment_summary,
    export_name,
    merged_bins,
    p50_against_verdict,
)
from benchtui.tui.screens.trend import op_prompt
from benchtui.tui.screens.trend_actions import as_measured
from benchtui.tui.widgets.overlay import fold_on, shared_axis
from benchtui.tui.widgets.trend_chart import (
    LEAK_FLOOR,
    allot_rows,
    band_scale,
    eighths,
    fit_middle,
    label_positions,
    level_text,
    verdict_mark,
    window,
)
from benchtui.tui.widgets.version_table import AGAINST_MARK, row_cells, verdict_text


def stats(
    label: str = "v1", ok_runs: int = 1, status: str = "ok", p50_ns: float = 1000.0
) -> VersionStats:
    p50 = p50_ns if ok_runs else None
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


def test_band_scale_shows_the_smallest_value_and_keeps_a_range() -> None:
    scale = band_scale([10.0, 20.0])
    assert not scale.flat
    assert eighths(10.0, scale.lo, scale.hi, 4) == 8  # a quarter of 4 rows
    assert eighths(20.0, scale.lo, scale.hi, 4) == 32
    # Figures that cannot be negative never get a negative scale.
    scale = band_scale([10_000.0, 200_000.0])
    assert scale.lo == 0.0 and scale.hi >= 200_000.0
    # A 3% change is not blown up to fill the band: the range is at least 10% of the figures,
    # so the two bars differ by about a third of the band, not from a quarter to full.
    scale = band_scale([100.0, 103.0])
    assert not scale.flat and scale.hi - scale.lo >= 10.3 - 1e-9
    low, high = eighths(100.0, scale.lo, scale.hi, 3), eighths(103.0, scale.lo, scale.hi, 3)
    assert 0 < high - low <= 24 // 3
    assert low >= 4 and high < 24


def test_a_flat_series_is_flat_and_says_its_figure() -> None:
    mib = 1 << 20
    assert band_scale([5.0, 5.0]).flat
    # RSS within 0.3%: level, drawn as one line with its figures rather than as a change.
    rss = band_scale([39.0 * mib, 39.1 * mib, 39.05 * mib])
    assert rss.flat
    assert level_text(rss, fmt.size_bytes) == " flat: 39.0–39.1 MiB "
    assert level_text(band_scale([15_000.0, 15_000.0]), fmt.size_bytes) == " flat: 14.6 KiB "
    # A leak of a few bytes per call is noise: flat under the floor, a change above it.
    assert band_scale([0.3, 5.0], LEAK_FLOOR).flat
    assert not band_scale([0.3, 500.0], LEAK_FLOOR).flat
    assert not band_scale([0.3, 5.0]).flat  # no floor: a relative change


def test_rows_go_to_the_bands_with_bars() -> None:
    assert allot_rows([False, False], [3, 2], 5) == [3, 2]
    assert allot_rows([False, True, False], [1, 1, 1], 5) == [2, 1, 2]
    assert allot_rows([True, True, True], [1, 1, 1], 5) == [2, 2, 1]
    assert allot_rows([False, False, False], [1, 1, 1], 2) == [1, 1, 0]
    assert sum(allot_rows([False, True, False], [1, 1, 1], 17)) == 17


def test_fit_middle_keeps_both_ends() -> None:
    assert fit_middle("queue_handoff_c4", 20) == "queue_handoff_c4"
    assert fit_middle("queue_handoff_c4", 9) == "queu…f_c4"
    assert len(fit_middle("release-19.8.0", 11)) == 11
    assert fit_middle("release-19.8.0", 11).endswith("9.8.0")


def _check_labels(placed, centres, labels, left, right, cursor=None) -> None:  # noqa: ANN001
    """Labels inside the row, one blank cell apart, each centred under its own bar unless it
    had to be pushed inside the row at an edge or is the cursor's moved aside (then it still
    covers its bar)."""
    for label in placed:
        assert left <= label.x and label.end <= right
        assert label.x <= centres[label.index] < label.end  # under its own bar
        if left < label.x and label.end < right and label.index != cursor:
            assert label.x + (len(label.text) - 1) // 2 == centres[label.index]
        assert fit_middle(labels[label.index], len(label.text)) == label.text
    for a, b in zip(placed, placed[1:], strict=False):
        assert a.end < b.x


def test_labels_sit_under_their_bars_with_the_middle_ones_named() -> None:
    # The demo's three versions at 80 columns: bars 12 columns apart.
    centres, labels = [14, 26, 38], ["demo-v1.0", "demo-v1.1", "demo-v1.2"]
    placed = label_positions(centres, labels, 9, 54, cursor=2)
    assert [label.index for label in placed] == [0, 1, 2]
    assert [label.text for label in placed] == labels
    _check_labels(placed, centres, labels, 9, 54)


def test_many_versions_get_evenly_spaced_readable_labels() -> None:
    centres = list(range(20, 120))  # 100 one-column bars
    labels = [f"release-{i // 10}.{i % 10}.0" for i in range(100)]
    placed = label_positions(centres, labels, 20, 130)
    indices = [label.index for label in placed]
    assert indices[0] == 0 and indices[-1] == 99 and len(indices) >= 5
    gaps = [b - a for a, b in zip(indices, indices[1:], strict=False)]
    assert max(gaps) - min(gaps) <= 1  # evenly spaced
    assert all(label.text == labels[label.index] for label in placed)  # not cut: room enough
    _check_labels(placed, centres, labels, 20, 130)
    # The highlighted version is named too, in place of the spaced ones it would cover.
    placed = label_positions(centres, labels, 20, 130, cursor=61)
    assert 61 in [label.index for label in placed]
    _check_labels(placed, centres, labels, 20, 130)
    # Near the newest version, it moves aside to stay clear of the last label.
    placed = label_positions(centres[:60], labels[:60], 20, 80, cursor=44)
    indices = [label.index for label in placed]
    assert indices[0] == 0 and 44 in indices and indices[-1] == 59
    assert placed[indices.index(44)].x < 64 - 6  # moved left of centred, still under its bar
    _check_labels(placed, centres[:60], labels[:60], 20, 80, cursor=44)
    # Narrow: first and last only, still both whole and apart.
    placed = label_positions(centres[:40], labels[:40], 20, 60)
    assert [label.index for label in placed] == [0, 39]
    _check_labels(placed, centres[:40], labels[:40], 20, 60)


def test_labels_of_close_or_long_versions_stay_apart() -> None:
    placed = label_positions([10, 11], ["version-one", "version-two"], 10, 60)
    assert [label.index for label in placed] == [0, 1]
    assert placed[0].end < placed[1].x
    long = ["a-very-long-version-label-indeed"] * 2
    placed = label_positions([10, 22], long, 9, 40)
    assert len(placed) == 2 and placed[0].end < placed[1].x and placed[1].end <= 40
    assert all("…" in label.text for label in placed)
    assert label_positions([], [], 0, 10) == []
    assert label_positions([5], ["only"], 0, 20)[0].x == 4  # centred


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
    # Calls raised in the version's only run, the successful ones measured: figures, a
    # verdict, and the failures beside it.
    partly_stats = dataclasses.replace(stats(), status="error", ok_runs=0)
    partly = TrendPoint(partly_stats, verdict("no significant change", 1.0), "v0", True)
    assert partly.partial and not partly.failed
    assert verdict_mark(partly) == ("=", "foreground-muted")
    assert verdict_text(partly)[0] == "= no change +0.0% ✗1/1 error"
    assert verdict_text(dataclasses.replace(partly, verdict=None))[0] == "○ first ✗1/1 error"
    assert verdict_text(TrendPoint(partly_stats))[0] == "… judging ✗1/1 error"
    # One crashed run among clean ones: the figures of the clean ones, the crash counted.
    mixed = dataclasses.replace(stats(), runs=3, ok_runs=2, status="crashed")
    assert verdict_text(TrendPoint(mixed, None, None, True))[0] == "○ first ✗1/3 crashed"
    assert not TrendPoint(stats()).partial


def test_a_p50_that_moved_against_the_verdict_is_marked() -> None:
    before = TrendPoint(stats("v0", p50_ns=1000.0), None, None, True)
    # p50 of the runs went up 2% while the median of all rounds went down 5%.
    against = TrendPoint(stats("v1", p50_ns=1020.0), verdict("faster", 0.95), "v0", True)
    assert p50_against_verdict(against, before)
    assert row_cells(against, before)["verdict"][0] == "▼ faster -5.0%" + AGAINST_MARK
    along = TrendPoint(stats("v1", p50_ns=960.0), verdict("faster", 0.95), "v0", True)
    assert not p50_against_verdict(along, before)
    assert not row_cells(along, before)["verdict"][0].endswith(AGAINST_MARK)
    # Noise-sized verdicts, a missing or different predecessor: nothing to explain.
    tiny = TrendPoint(stats("v1", p50_ns=1020.0), verdict("no significant change", 0.99), "v0")
    assert not p50_against_verdict(tiny, before)
    assert not p50_against_verdict(against, None)
    other = TrendPoint(stats("vX", p50_ns=1000.0), None, None, True)
    assert not p50_against_verdict(against, other)


def test_operation_lines_keep_badge_and_name_readable() -> None:
    op = OpRef("agent", "memory_write_read")
    slower = LatestState("v2", 2_000.0, "ok", verdict("slower", 1.38))
    plain = LatestState("v2", 135_000.0, "ok", verdict("no significant change", 1.0))
    assert str(op_prompt(op, slower)) == "▲ memory_write_read +38%"
    wide = str(op_prompt(op, plain, 28))
    assert wide.startswith("· memory_write_read") and wide.endswith("135 µs") and len(wide) == 28
    # 80x24: the p50 gives way to the whole name; a name that does not fit is cut in the
    # middle, and a significant change keeps its place beside at least ten cells of name.
    narrow = str(op_prompt(op, plain, 18))
    assert narrow == "· " + fit_middle("memory_write_read", 16) and len(narrow) <= 18
    assert str(op_prompt(OpRef("a", "parse"), plain, 18)).endswith("135 µs")
    change = str(op_prompt(op, slower, 18))
    assert change.startswith("▲ ") and change.endswith(" +38%") and len(change) == 18
    assert "…" in change and len(change.split()[1]) >= 10
    assert str(op_prompt(op, None, 12)) == "  " + fit_middle("memory_write_read", 10)


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
