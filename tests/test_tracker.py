"""The tracker's API on real SQLite files: save, read back, order, history, compare, trend."""

from __future__ import annotations

import dataclasses
import json
import math
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchtui import stats
from benchtui.runner.results import (
    STATUSES,
    ErrorInfo,
    LatencySummary,
    LeakSite,
    MemorySummary,
    OperationResult,
    RoundSummary,
    RunResult,
)
from benchtui.tracker import (
    SCHEMA_VERSION,
    DuplicateRunError,
    InvalidRunError,
    Tracker,
    TrackerError,
    UnknownLabelError,
    UnknownOperationError,
    UnknownSuiteError,
)
from benchtui.tracker.synthetic import synthetic_run

OPS = {"parse": 10_000.0, "render": 50_000.0}


@pytest.fixture
async def tracker(tmp_path: Path):
    t = await Tracker.open(tmp_path / "sub" / "history.sqlite")
    yield t
    await t.close()


async def save_versions(
    tracker: Tracker, labels: list[str], runs: int = 3, slow: dict[str, float] | None = None
) -> list[RunResult]:
    """``runs`` runs of each label, labels started in the given order (10 min apart)."""
    saved = []
    for i, label in enumerate(labels):
        factor = (slow or {}).get(label, 1.0)
        for j in range(runs):
            run = synthetic_run(
                label,
                {name: m * factor for name, m in OPS.items()},
                started_at=i * 10 + j,
                seed=i * 100 + j,
                histogram=False,
            )
            await tracker.save_run(run)
            saved.append(run)
    return saved


async def test_open_creates_folder_wal_and_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "h.sqlite"
    async with await Tracker.open(path) as t:
        assert t.path == path
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    # Opening again (migrations already done) works and keeps data.
    async with await Tracker.open(path) as t:
        assert await t.labels() == []


async def test_open_without_create_refuses_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TrackerError, match="no benchtui database"):
        await Tracker.open(tmp_path / "missing.sqlite", create=False)
    assert not (tmp_path / "missing.sqlite").exists()


async def test_saved_run_reads_back_exactly(tracker: Tracker) -> None:
    run = synthetic_run("v1", OPS, started_at=0, seed=1, output="hello\n", statuses=None)
    failed = synthetic_run("v1", OPS, started_at=1, seed=2, statuses={"render": "crashed"})
    await tracker.save_run(run)
    await tracker.save_run(failed)
    back = await tracker.runs()
    assert [r.to_dict() for r in back] == [run.to_dict(), failed.to_dict()]
    assert back[0].operations[0].histogram  # the encoded HDR histogram survives
    assert back[1].status == "crashed"


async def test_save_returns_id_and_refuses_duplicates(tracker: Tracker) -> None:
    run = synthetic_run("v1", OPS, started_at=0, seed=1, histogram=False)
    first = await tracker.save_run(run)
    assert isinstance(first, int)
    with pytest.raises(DuplicateRunError):
        await tracker.save_run(run)
    assert await tracker.count_runs() == 1


async def test_invalid_run_is_refused_before_writing(tracker: Tracker) -> None:
    run = synthetic_run("v1", OPS, started_at=0, seed=1, histogram=False)
    bad_op = dataclasses.replace(run.operations[0], status="exploded")
    with pytest.raises(InvalidRunError, match="status 'exploded'"):
        await tracker.save_run(dataclasses.replace(run, operations=(bad_op,)))
    with pytest.raises(InvalidRunError, match="started_at"):
        await tracker.save_run(dataclasses.replace(run, started_at="yesterday"))
    twice = (run.operations[0], run.operations[0])
    with pytest.raises(InvalidRunError, match="appears twice"):
        await tracker.save_run(dataclasses.replace(run, operations=twice))
    assert await tracker.count_runs() == 0


async def test_labels_in_first_run_order_not_lexical(tracker: Tracker) -> None:
    await save_versions(tracker, ["v1.10", "v1.9", "v2", "v1.2"], runs=1)
    assert await tracker.labels() == ["v1.10", "v1.9", "v2", "v1.2"]
    # A later run of an old label does not move it.
    await tracker.save_run(synthetic_run("v1.10", OPS, started_at=500, seed=9, histogram=False))
    assert await tracker.labels() == ["v1.10", "v1.9", "v2", "v1.2"]
    # An imported run older than everything moves its label first.
    await tracker.import_runs([synthetic_run("v1.2", OPS, started_at=-5, seed=8)])
    assert await tracker.labels() == ["v1.2", "v1.10", "v1.9", "v2"]
    history = await tracker.history(op="parse")
    assert [r.stats.label for r in history] == ["v1.2", "v1.10", "v1.9", "v2"]


async def test_operations_suites_and_filters(tracker: Tracker) -> None:
    await save_versions(tracker, ["v1"], runs=1)
    other = synthetic_run("x1", {"connect": 5e5, "parse": 1e4}, suite="net", started_at=100)
    await tracker.save_run(other)
    assert await tracker.operations() == ["parse", "render", "connect"]
    assert await tracker.operations(suite="net") == ["connect", "parse"]
    assert await tracker.suites() == ["demo", "net"]
    assert await tracker.labels(suite="net") == ["x1"]
    assert [r.run_id for r in await tracker.runs(suite="net")] == [other.run_id]
    # 'parse' exists in two suites: history shows both, trend needs a suite.
    rows = await tracker.history(op="parse")
    assert {(r.stats.suite, r.stats.operation) for r in rows} == {
        ("demo", "parse"),
        ("net", "parse"),
    }
    with pytest.raises(TrackerError, match="several suites"):
        await tracker.trend("parse")
    assert [p.label for p in await tracker.trend("parse", suite="net")] == ["x1"]


async def test_history_figures_verdicts_and_last(tracker: Tracker) -> None:
    await save_versions(tracker, ["v1", "v2", "v3", "v4"], slow={"v3": 1.25, "v4": 1.0})
    rows = await tracker.history(last=3)
    parse = [r for r in rows if r.stats.operation == "parse"]
    assert [r.stats.label for r in parse] == ["v2", "v3", "v4"]
    assert [r.previous for r in parse] == ["v1", "v2", "v3"]
    kinds = [r.verdict.kind for r in parse]
    assert kinds == [stats.NO_CHANGE, stats.SLOWER, stats.FASTER]
    v3 = parse[1].stats
    assert (v3.runs, v3.ok_runs, v3.rounds, v3.status) == (3, 3, 60, "ok")
    assert v3.p50_ns == pytest.approx(12_500, rel=0.03)
    assert v3.throughput_per_s and v3.rss_peak_bytes and v3.tracemalloc_peak_bytes
    assert v3.leak_bytes_per_iter is not None
    # The very first version has nothing to be judged against.
    first = (await tracker.history(op="parse", last=10))[0]
    assert first.stats.label == "v1" and first.previous is None and first.verdict is None
    # JSON form.
    data = parse[1].to_dict()
    assert data["label"] == "v3" and data["verdict"]["kind"] == "slower"
    json.dumps(data)


async def test_history_unknown_names_list_known_ones(tracker: Tracker) -> None:
    await save_versions(tracker, ["v1"], runs=1)
    with pytest.raises(UnknownOperationError, match=r"known operations: parse, render"):
        await tracker.history(op="nope")
    with pytest.raises(UnknownSuiteError, match=r"known suites: demo"):
        await tracker.history(suite="nope")
    with pytest.raises(UnknownOperationError):
        await tracker.trend("nope")


async def test_history_of_empty_database(tracker: Tracker) -> None:
    assert await tracker.history() == []


async def test_verdicts_are_cached_and_invalidated(
    tracker: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    await save_versions(tracker, ["v1", "v2"])
    calls = []
    real = stats.judge

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(stats, "judge", counting)
    first = await tracker.history()
    assert len(calls) == 2  # parse and render, v2 against v1
    again = await tracker.history()
    assert len(calls) == 2 and again == first
    # Another threshold is another verdict.
    await tracker.history(threshold=0.05)
    assert len(calls) == 4
    # A new run of v2 changes its samples: its verdicts are computed again.
    await tracker.save_run(synthetic_run("v2", OPS, started_at=100, seed=77, histogram=False))
    await tracker.history()
    assert len(calls) == 6


async def test_history_does_not_wait_for_a_busy_file(tmp_path: Path) -> None:
    # Another process holds the write lock: history still answers at once (verdicts are
    # computed; caching them is skipped rather than waiting out the 30 s busy timeout).
    import time

    path = tmp_path / "h.sqlite"
    async with await Tracker.open(path) as t:
        await save_versions(t, ["v1", "v2"], runs=1)
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            started = time.monotonic()
            rows = await t.history()
            assert time.monotonic() - started < 5
            assert all(r.verdict for r in rows if r.previous)
        finally:
            other.execute("ROLLBACK")
            other.close()
        await t.history()  # now it can cache


async def test_verdict_cache_holds_with_many_runs(
    tracker: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Verdicts pool at most the newest MAX_SAMPLE_RUNS runs; the cache key must agree.
    from benchtui.tracker.rows import MAX_SAMPLE_RUNS

    runs = [
        synthetic_run("v1", {"parse": 1e4}, started_at=i, seed=i, histogram=False, rounds=5)
        for i in range(MAX_SAMPLE_RUNS + 3)
    ]
    runs.append(synthetic_run("v2", {"parse": 1e4}, started_at=99, seed=99, histogram=False))
    await tracker.import_runs(runs)
    calls = []
    real = stats.judge

    def counting(a, b, **kwargs):
        calls.append((len(a), len(b)))
        return real(a, b, **kwargs)

    monkeypatch.setattr(stats, "judge", counting)
    first = await tracker.history()
    again = await tracker.history()
    assert calls == [(MAX_SAMPLE_RUNS, 1)]
    assert first == again and first[-1].verdict.n_a == MAX_SAMPLE_RUNS * 5


async def test_compare(tracker: Tracker) -> None:
    await save_versions(tracker, ["v1", "v2"], slow={"v2": 1.2})
    result = await tracker.compare("v1", "v2")
    assert [c.operation for c in result] == ["parse", "render"]
    for c in result:
        assert c.verdict.kind == stats.SLOWER
        assert c.a.label == "v1" and c.b.label == "v2"
        assert c.verdict.ci_low <= c.verdict.ratio <= c.verdict.ci_high
    backwards = await tracker.compare("v2", "v1", op="parse")
    assert [c.verdict.kind for c in backwards] == [stats.FASTER]
    assert result[0].to_dict()["verdict"]["kind"] == "slower"


async def test_compare_unknown_label_and_operation(tracker: Tracker) -> None:
    await save_versions(tracker, ["v1", "v2"], runs=1)
    with pytest.raises(UnknownLabelError) as info:
        await tracker.compare("v1", "v9")
    assert "known labels: v1, v2" in str(info.value)
    assert info.value.known == ["v1", "v2"]
    with pytest.raises(UnknownOperationError, match="known operations: parse, render"):
        await tracker.compare("v1", "v2", op="nope")


async def test_compare_operation_missing_on_one_side(tracker: Tracker) -> None:
    await tracker.save_run(synthetic_run("v1", {"parse": 1e4}, started_at=0, histogram=False))
    await tracker.save_run(
        synthetic_run("v2", {"parse": 1e4, "new": 1e5}, started_at=1, histogram=False)
    )
    result = {c.operation: c for c in await tracker.compare("v1", "v2")}
    assert result["new"].a is None and result["new"].verdict.kind == stats.INCONCLUSIVE
    assert result["new"].verdict.reason == "not run in v1"


async def test_failed_runs_count_but_do_not_move_figures(tracker: Tracker) -> None:
    await tracker.save_run(synthetic_run("v1", OPS, started_at=0, seed=1, histogram=False))
    await tracker.save_run(
        synthetic_run("v1", OPS, started_at=1, seed=2, statuses={"parse": "crashed"})
    )
    (row,) = await tracker.history(op="parse")
    assert (row.stats.runs, row.stats.ok_runs, row.stats.status) == (2, 1, "crashed")
    assert row.stats.rounds == 20
    assert row.stats.p50_ns == pytest.approx(10_000, rel=0.03)


async def save_partly_failing(
    tracker: Tracker, rate: float, slow: float = 1.3, runs: int = 2
) -> None:
    """v1 then v2 (``slow`` times slower on parse), every run of parse with ``rate`` of its
    calls raising and its first round lost entirely (every call raised); render is clean."""
    for i, (label, factor) in enumerate((("v1", 1.0), ("v2", slow))):
        for j in range(runs):
            await tracker.save_run(
                synthetic_run(
                    label,
                    {"parse": 10_000.0 * factor, "render": 50_000.0},
                    started_at=i * 10 + j,
                    seed=i * 10 + j,
                    histogram=False,
                    error_rates={"parse": rate},
                    failed_rounds={"parse": [0]},
                )
            )


async def test_partly_failing_runs_have_figures_and_verdicts(tracker: Tracker) -> None:
    # 10% of parse's calls raise (status "error"): the successful calls are measured as in
    # any run, so the versions keep their figures and get a verdict. The round in which
    # every call raised (median 0) is no sample.
    await save_partly_failing(tracker, 0.1)
    rows = await tracker.history(op="parse")
    assert [r.stats.label for r in rows] == ["v1", "v2"]
    for row in rows:
        s = row.stats
        assert (s.runs, s.ok_runs, s.status) == (2, 0, "error")
        assert s.rounds == 2 * 19  # 20 rounds a run, the lost one left out
        assert s.p50_ns is not None and s.p99_ns is not None and s.throughput_per_s
    assert rows[0].stats.p50_ns == pytest.approx(10_000, rel=0.03)
    verdict = rows[1].verdict
    assert verdict.kind == stats.SLOWER and verdict.ratio == pytest.approx(1.3, rel=0.03)
    assert (verdict.n_a, verdict.n_b) == (38, 38)
    # compare and trend read the same figures and samples.
    result = {c.operation: c for c in await tracker.compare("v1", "v2")}
    assert result["parse"].verdict.kind == stats.SLOWER
    assert (result["parse"].verdict.n_a, result["parse"].verdict.n_b) == (38, 38)
    assert result["parse"].b.p50_ns == rows[1].stats.p50_ns
    assert [s.p50_ns for s in await tracker.trend("parse")] == [r.stats.p50_ns for r in rows]
    # The clean operation of the same runs is untouched.
    render = {r.stats.label: r for r in await tracker.history(op="render")}
    assert render["v2"].stats.status == "ok" and render["v2"].stats.rounds == 40
    # The cached verdict is the one served again (digests of the same samples).
    again = await tracker.history(op="parse")
    assert again == rows


async def test_an_operation_whose_every_call_failed_has_no_figures(tracker: Tracker) -> None:
    await save_partly_failing(tracker, 1.0)
    rows = await tracker.history(op="parse")
    for row in rows:
        s = row.stats
        assert (s.runs, s.ok_runs, s.rounds, s.status) == (2, 0, 0, "error")
        assert (s.p50_ns, s.p99_ns, s.throughput_per_s) == (None, None, None)
    verdict = rows[1].verdict
    assert verdict.kind == stats.INCONCLUSIVE and (verdict.n_a, verdict.n_b) == (0, 0)
    (parse,) = await tracker.compare("v1", "v2", op="parse")
    assert parse.verdict.kind == stats.INCONCLUSIVE and parse.b.p50_ns is None


async def test_a_partly_failing_run_joins_the_clean_runs_of_its_version(
    tracker: Tracker,
) -> None:
    await tracker.save_run(synthetic_run("v1", OPS, started_at=0, seed=1, histogram=False))
    await tracker.save_run(
        synthetic_run("v1", OPS, started_at=1, seed=2, histogram=False, error_rates={"parse": 0.5})
    )
    (row,) = await tracker.history(op="parse")
    assert (row.stats.runs, row.stats.ok_runs, row.stats.status) == (2, 1, "error")
    assert row.stats.rounds == 40


async def test_figures_of_an_older_file_are_recomputed_once_on_open(tmp_path: Path) -> None:
    # A file written when a run with any failed call had no figures: its version_ops rows
    # and cached verdicts say "no figures". Opening it recomputes them once.
    path = tmp_path / "old.sqlite"
    async with await Tracker.open(path) as t:
        await save_partly_failing(t, 0.1, runs=1)
        fresh = await t.history(op="parse")
    con = sqlite3.connect(path, isolation_level=None)
    con.execute(
        "UPDATE version_ops SET p50_ns = NULL, p99_ns = NULL, rounds = 0 WHERE operation = 'parse'"
    )
    con.execute("DELETE FROM benchtui_meta WHERE key = 'aggregate_rules'")
    # Another process holds the write lock: the file opens at once with the old figures.
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        async with await Tracker.open(path) as t:
            assert all(s.p50_ns is None for s in await t.trend("parse"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    async with await Tracker.open(path) as t:
        assert await t.history(op="parse") == fresh
    assert con.execute(
        "SELECT value FROM benchtui_meta WHERE key = 'aggregate_rules'"
    ).fetchone() == ("2",)
    con.close()


async def test_trend_pages_from_the_newest(tracker: Tracker) -> None:
    labels = [f"v{i}" for i in range(7)]
    await save_versions(tracker, labels, runs=1)
    page = await tracker.trend("parse", limit=3)
    assert [p.label for p in page] == ["v4", "v5", "v6"]
    page = await tracker.trend("parse", limit=3, offset=3)
    assert [p.label for p in page] == ["v1", "v2", "v3"]
    assert [p.label for p in await tracker.trend("parse", limit=3, offset=6)] == ["v0"]
    assert await tracker.trend("parse", limit=3, offset=7) == []


async def test_import_dedupes_by_run_id(tracker: Tracker) -> None:
    runs = [synthetic_run("v1", OPS, started_at=i, seed=i, histogram=False) for i in range(4)]
    assert await tracker.import_runs(runs[:2]) == (2, 0)
    assert await tracker.import_runs(runs + runs[:1]) == (2, 3)
    assert await tracker.count_runs() == 4
    (row, _) = await tracker.history()
    assert row.stats.runs == 4


async def test_import_is_all_or_nothing(tracker: Tracker) -> None:
    good = synthetic_run("v1", OPS, started_at=0, seed=1, histogram=False)
    bad = dataclasses.replace(good, run_id="other", label="")
    with pytest.raises(InvalidRunError, match="label must not be empty"):
        await tracker.import_runs([good, bad])
    assert await tracker.count_runs() == 0


async def test_runs_of_unknown_label(tracker: Tracker) -> None:
    await save_versions(tracker, ["v1"], runs=1)
    with pytest.raises(UnknownLabelError, match="known labels: v1"):
        await tracker.runs(label="v2")


async def test_delete_run_updates_aggregates(tracker: Tracker) -> None:
    runs = await save_versions(tracker, ["v1", "v2"], runs=2)
    assert await tracker.delete_run("no-such-run") is False
    assert await tracker.delete_run(runs[2].run_id) is True
    rows = await tracker.history(op="parse")
    assert [(r.stats.label, r.stats.runs) for r in rows] == [("v1", 2), ("v2", 1)]
    assert await tracker.delete_run(runs[3].run_id) is True
    assert await tracker.labels() == ["v1"]
    assert [r.stats.label for r in await tracker.history(op="parse")] == ["v1"]
    for run in runs[:2]:
        await tracker.delete_run(run.run_id)
    assert await tracker.labels() == [] and await tracker.operations() == []
    assert await tracker.history() == []


@pytest.mark.parametrize(
    "change,key",
    [
        ({"throughput_per_s": math.nan}, "throughput_per_s"),
        ({"throughput_per_s": math.inf}, "throughput_per_s"),
        ({"iterations": -1}, "iterations"),
    ],
)
async def test_impossible_figures_are_refused(tracker: Tracker, change: dict, key: str) -> None:
    # NaN would also make the export invalid JSON; a negative count is a damaged file.
    run = synthetic_run("v1", {"parse": 1e4}, started_at=0, histogram=False)
    op = dataclasses.replace(run.operations[0], **change)
    with pytest.raises(InvalidRunError, match=key):
        await tracker.save_run(dataclasses.replace(run, operations=(op,)))
    assert await tracker.runs() == []


async def test_negative_latency_and_bad_histogram_are_refused(tracker: Tracker) -> None:
    run = synthetic_run("v1", {"parse": 1e4}, started_at=0)
    op = run.operations[0]
    negative = dataclasses.replace(op, latency_ns=dataclasses.replace(op.latency_ns, p50=-5))
    with pytest.raises(InvalidRunError, match="latency_ns.p50"):
        await tracker.save_run(dataclasses.replace(run, operations=(negative,)))
    garbled = dataclasses.replace(op, histogram="not base64 at all!")
    with pytest.raises(InvalidRunError, match="histogram"):
        await tracker.save_run(dataclasses.replace(run, operations=(garbled,)))


def test_unknown_fields_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    # A newer engine may add keys to the run JSON before the tracker gets a column for them:
    # the row codec keeps them (in ``extra``) so export still gives them back.
    from benchtui.tracker.rows import decode_operation, encode_run

    plain = OperationResult.to_dict

    def with_new_keys(self: OperationResult) -> dict:
        data = plain(self)
        data["gc_collections"] = 3
        data["latency_ns"]["p9999"] = 123
        return data

    monkeypatch.setattr(OperationResult, "to_dict", with_new_keys)
    run = synthetic_run("v1", {"parse": 1e4}, started_at=0, histogram=False)
    (row,) = encode_run(run).results
    assert decode_operation(row) == run.operations[0].to_dict()
    assert decode_operation(row)["latency_ns"]["p9999"] == 123


async def test_concurrent_tasks_share_one_tracker(tracker: Tracker) -> None:
    import asyncio

    runs = [synthetic_run("v1", OPS, started_at=i, seed=i, histogram=False) for i in range(10)]
    await asyncio.gather(*(tracker.save_run(r) for r in runs), tracker.history(), tracker.labels())
    assert await tracker.count_runs() == 10


# --- property test: any run the schema allows reads back identically -----------------------

names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12
).filter(lambda s: s.strip() != "")
ints = st.integers(min_value=0, max_value=2**62)
floats = st.floats(allow_nan=False, allow_infinity=False, width=64)
maybe_ints = st.none() | ints
ZONES = [
    None,
    timezone.utc,
    timezone(timedelta(hours=5, minutes=30)),
    timezone(timedelta(hours=-8)),
]


# Measured figures are counts and durations: never negative, never NaN or infinite.
counts = st.integers(0, 2**62)
amounts = st.floats(0, 1e15, allow_nan=False, allow_infinity=False)
_VALID_HISTOGRAM = synthetic_run("h", {"op": 1e4}, started_at=0).operations[0].histogram


@st.composite
def operation_results(draw: st.DrawFn, name: str) -> OperationResult:
    rounds = draw(
        st.lists(
            st.builds(
                RoundSummary,
                index=ints,
                iterations=ints,
                errors=ints,
                elapsed_s=floats,
                mean_ns=floats,
                p50_ns=ints,
                p90_ns=ints,
                p99_ns=ints,
                min_ns=ints,
                max_ns=ints,
            ),
            max_size=4,
        )
    )
    return OperationResult(
        operation=name,
        status=draw(st.sampled_from(STATUSES)),
        iterations=draw(counts),
        errors=draw(counts),
        total_time_s=draw(amounts),
        throughput_per_s=draw(amounts),
        latency_ns=LatencySummary(
            min=draw(counts),
            mean=draw(amounts),
            stdev=draw(amounts),
            p50=draw(counts),
            max=draw(counts),
        ),
        histogram=draw(st.sampled_from(["", _VALID_HISTOGRAM])),
        rounds=tuple(rounds),
        memory=MemorySummary(
            tracemalloc_peak_bytes=draw(maybe_ints),
            leak_bytes_per_iter=draw(st.none() | floats),
            leak_detected=draw(st.booleans()),
            leak_sites=tuple(
                draw(st.lists(st.builds(LeakSite, site=names, size_bytes=ints, count=ints)))
            ),
            rss_peak_bytes=draw(maybe_ints),
        ),
        error=draw(st.none() | st.builds(ErrorInfo, type=names, message=st.text())),
        output=draw(st.text(max_size=30)),
        exit_code=draw(st.none() | st.integers(-64, 255)),
        settings=draw(st.dictionaries(names, st.integers() | st.text(max_size=5), max_size=3)),
    )


@st.composite
def run_results(draw: st.DrawFn) -> RunResult:
    op_names = draw(st.lists(names, unique=True, max_size=3))
    return RunResult(
        run_id=draw(names),
        suite=draw(names),
        suite_path=draw(st.text(max_size=20)),
        label=draw(names),
        started_at=draw(
            st.datetimes(min_value=datetime(1970, 1, 2), timezones=st.sampled_from(ZONES))
        ).isoformat(),
        finished_at=draw(st.text(max_size=30)),
        environment=draw(st.dictionaries(names, st.text(max_size=10) | st.booleans(), max_size=3)),
        operations=tuple(draw(operation_results(n)) for n in op_names),
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(run=run_results())
async def test_any_valid_run_round_trips(tmp_path: Path, run: RunResult) -> None:
    async with await Tracker.open(tmp_path / "prop.sqlite") as t:
        await t.save_run(run)
        back = [r for r in await t.runs() if r.run_id == run.run_id]
        assert [r.to_dict() for r in back] == [run.to_dict()]
        await t.delete_run(run.run_id)
