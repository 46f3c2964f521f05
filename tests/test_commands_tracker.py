"""The tracker commands (history, compare, export, import) as a person or CI calls them:
arguments in, text/JSON on stdout, messages on stderr, exit codes."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchtui.commands import compare, export, history, importer
from benchtui.runner.results import RunResult
from benchtui.tracker import Tracker
from benchtui.tracker.synthetic import synthetic_run

ROOT = Path(__file__).resolve().parent.parent
OPS = {"parse": 10_000.0, "render": 50_000.0}
MODULES = {"history": history, "compare": compare, "export": export, "import": importer}


def run_cli(*argv: str) -> int:
    """Parse ``argv`` with the command's own ``configure`` and call its ``main``."""
    name, *rest = argv
    module = MODULES[name]
    parser = argparse.ArgumentParser(prog=f"benchtui {name}")
    module.configure(parser)
    return module.main(parser.parse_args(rest))


def seed(path: Path, labels: dict[str, float], runs: int = 3) -> list[RunResult]:
    """Save ``runs`` runs per label (label -> slowdown factor) in that order."""
    saved = []

    async def go() -> None:
        async with await Tracker.open(path) as t:
            for i, (label, factor) in enumerate(labels.items()):
                for j in range(runs):
                    run = synthetic_run(
                        label,
                        {k: v * factor for k, v in OPS.items()},
                        started_at=i * 10 + j,
                        seed=i * 100 + j,
                        histogram=(j == 0),
                    )
                    await t.save_run(run)
                    saved.append(run)

    asyncio.run(go())
    return saved


def count_runs(path: Path) -> int:
    async def go() -> int:
        async with await Tracker.open(path, create=False) as t:
            return await t.count_runs()

    return asyncio.run(go())


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "history.sqlite"
    seed(path, {"v1.9": 1.0, "v1.10": 1.0, "v2.0": 1.2})
    return path


def test_history_table(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("history", "--db", str(db)) == 0
    out = capsys.readouterr().out
    assert "parse  (suite demo)" in out and "render  (suite demo)" in out
    lines = out.splitlines()
    labels = [line.split()[0] for line in lines if line.startswith("v1") or line.startswith("v2")]
    assert labels == ["v1.9", "v1.10", "v2.0"] * 2  # first-run order, not lexical
    assert "no significant change" in out and "slower +" in out
    assert "p50" in lines[1] and "RSS peak" in lines[1]


def test_history_json_last_and_op(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("history", "--db", str(db), "--op", "parse", "--last", "2", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "benchtui.history/1"
    (op,) = data["operations"]
    assert op["operation"] == "parse"
    assert [v["label"] for v in op["versions"]] == ["v1.10", "v2.0"]
    assert op["versions"][1]["verdict"]["kind"] == "slower"
    assert op["versions"][1]["previous"] == "v1.10"


def test_history_unknown_operation(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("history", "--db", str(db), "--op", "nope") == 2
    err = capsys.readouterr().err
    assert "no results for operation 'nope'" in err and "parse, render" in err


def test_history_without_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.sqlite"
    assert run_cli("history", "--db", str(missing)) == 2
    assert "no benchtui database" in capsys.readouterr().err
    assert not missing.exists()


def test_history_empty_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.sqlite"
    asyncio.run(_create(path))
    assert run_cli("history", "--db", str(path)) == 0
    assert "no runs recorded" in capsys.readouterr().err


async def _create(path: Path) -> None:
    async with await Tracker.open(path):
        pass


def test_compare_table_and_exit_codes(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("compare", "v1.10", "v2.0", "--db", str(db)) == 0
    out = capsys.readouterr().out
    assert "B = v2.0 against A = v1.10" in out
    assert out.count("slower +") == 2
    # A 20% slowdown fails a 5% gate...
    assert run_cli("compare", "v1.10", "v2.0", "--db", str(db), "--fail-on-regression", "5%") == 1
    err = capsys.readouterr().err
    assert "regression: parse" in err and "regression: render" in err
    # ...but not a 30% one, and a speed-up never fails.
    assert run_cli("compare", "v1.10", "v2.0", "--db", str(db), "--fail-on-regression", "30") == 0
    assert run_cli("compare", "v2.0", "v1.9", "--db", str(db), "--fail-on-regression", "1%") == 0
    # No change between v1.9 and v1.10.
    assert run_cli("compare", "v1.9", "v1.10", "--db", str(db), "--fail-on-regression", "1%") == 0


def test_compare_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("compare", "v1.9", "v2.0", "--db", str(db), "--op", "parse", "--json")
    assert run_cli(*argv, "--fail-on-regression", "5%") == 1
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "benchtui.compare/1"
    assert data["regressions"] == ["parse"]
    (op,) = data["operations"]
    assert op["a"]["label"] == "v1.9" and op["b"]["label"] == "v2.0"
    verdict = op["verdict"]
    assert verdict["kind"] == "slower"
    assert verdict["ci_low"] < verdict["ratio"] < verdict["ci_high"]
    assert verdict["n_a"] == verdict["n_b"] == 60


def test_compare_threshold_turns_a_change_into_noise(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ("compare", "v1.9", "v2.0", "--db", str(db), "--threshold", "25%", "--json")
    assert run_cli(*argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert {op["verdict"]["kind"] for op in data["operations"]} == {"no significant change"}


def test_compare_unknown_label_lists_known(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("compare", "v1.9", "v3", "--db", str(db)) == 2
    err = capsys.readouterr().err
    assert "no runs labelled 'v3'" in err and "known labels: v1.9, v1.10, v2.0" in err


def test_compare_unknown_operation_lists_known(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("compare", "v1.9", "v2.0", "--db", str(db), "--op", "nope") == 2
    assert "known operations: parse, render" in capsys.readouterr().err


def test_bad_percentage_is_a_usage_error(db: Path) -> None:
    with pytest.raises(SystemExit) as info:
        run_cli("compare", "v1.9", "v2.0", "--db", str(db), "--fail-on-regression", "lots")
    assert info.value.code == 2


def test_bad_database_is_exit_2_and_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "history.sqlite"
    path.write_text("not a database")
    for argv in (("history",), ("compare", "a", "b"), ("export",)):
        assert run_cli(*argv, "--db", str(path)) == 2
        assert "not a SQLite database" in capsys.readouterr().err
    assert path.read_text() == "not a database"


def test_export_import_round_trip(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "export.json"
    assert run_cli("export", "--db", str(db), "-o", str(out)) == 0
    assert "exported 9 run(s)" in capsys.readouterr().err
    data = json.loads(out.read_text())
    assert data["schema"] == "benchtui.export/1" and len(data["runs"]) == 9
    assert data["runs"][0]["operations"][0]["histogram"]  # histograms included

    other = tmp_path / "other.sqlite"
    assert run_cli("import", str(out), "--db", str(other)) == 0
    assert "imported 9 run(s)" in capsys.readouterr().err
    assert run_cli("import", str(out), "--db", str(other)) == 0
    assert "imported 0 run(s)" in capsys.readouterr().err and count_runs(other) == 9
    again = tmp_path / "again.json"
    assert run_cli("export", "--db", str(other), "-o", str(again)) == 0
    assert json.loads(again.read_text()) == data


def test_export_filters_and_stdout(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("export", "--db", str(db), "--label", "v1.10") == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["label"] for r in data["runs"]] == ["v1.10"] * 3
    assert run_cli("export", "--db", str(db), "--label", "v9") == 2
    assert "known labels: v1.9, v1.10, v2.0" in capsys.readouterr().err


def test_import_single_run_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = synthetic_run("v1", OPS, started_at=0)
    single = tmp_path / "run.json"
    single.write_text(json.dumps(run.to_dict(), indent=2))  # as `benchtui run --json` writes
    path = tmp_path / "h.sqlite"
    assert run_cli("import", str(single), "--db", str(path)) == 0
    assert count_runs(path) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"schema": "something/1"}', "not a benchtui export or run"),
        ('{"schema": "benchtui.export/1", "runs": {}}', "'runs' must be a list"),
        ('{"schema": "benchtui.export/1", "runs": [{"schema": "benchtui.run/1"}]}', "run 1"),
    ],
)
def test_import_malformed_file_writes_nothing(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"schema": "benchtui.export/1", "runs": [_fresh_run()]}))
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    before = count_runs(db)
    assert run_cli("import", str(good), str(bad), "--db", str(db)) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and message in err
    assert count_runs(db) == before  # the good file was not imported either
    fresh = tmp_path / "fresh.sqlite"
    assert run_cli("import", str(good), str(bad), "--db", str(fresh)) == 2
    assert not fresh.exists()


def test_import_run_with_bad_field_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _fresh_run()
    data["operations"][1]["latency_ns"]["p50"] = "fast"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema": "benchtui.export/1", "runs": [_fresh_run(), data]}))
    assert run_cli("import", str(bad), "--db", str(tmp_path / "h.sqlite")) == 2
    err = capsys.readouterr().err
    assert "run 2" in err and "operation 'render'" in err and "latency_ns.p50" in err


def test_import_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("import", str(tmp_path / "nope.json"), "--db", str(tmp_path / "h")) == 2
    assert "nope.json: no such file" in capsys.readouterr().err


def _fresh_run() -> dict:
    return synthetic_run("v9", OPS, started_at=500, histogram=False).to_dict()


def test_database_from_environment_and_flag(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BENCHTUI_DB", str(db))
    assert run_cli("history", "--op", "parse", "--json") == 0
    assert json.loads(capsys.readouterr().out)["database"] == str(db)
    assert run_cli("history", "--db", str(tmp_path / "other.sqlite")) == 2  # --db wins
    monkeypatch.delenv("BENCHTUI_DB")
    monkeypatch.chdir(tmp_path)
    default = tmp_path / ".benchtui" / "history.sqlite"
    seed(default, {"local": 1.0}, runs=1)
    assert run_cli("history", "--json") == 0
    assert json.loads(capsys.readouterr().out)["database"] == str(default)


def test_commands_through_the_benchtui_entry_point(db: Path) -> None:
    """The real command line (the lead's cli.py dispatching to these modules)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCHTUI_DB": str(db)}

    def benchtui(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "benchtui", *argv],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    done = benchtui("compare", "v1.9", "v2.0", "--fail-on-regression", "5%")
    assert done.returncode == 1, done.stderr
    assert "regression: parse" in done.stderr
    done = benchtui("compare", "v1.9", "nope")
    assert done.returncode == 2 and "known labels" in done.stderr
    done = benchtui("history", "--last", "1")
    assert done.returncode == 0 and "v2.0" in done.stdout and "v1.9" not in done.stdout


def test_history_and_compare_of_a_partly_failing_operation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A tenth of parse's calls raised in every run (status "error"): the successful calls
    # still give figures and a verdict; render raised on every call and has none.
    path = tmp_path / "history.sqlite"

    async def go() -> None:
        async with await Tracker.open(path) as t:
            for i, (label, factor) in enumerate((("v1", 1.0), ("v2", 1.3))):
                run = synthetic_run(
                    label,
                    {"parse": 10_000.0 * factor, "render": 50_000.0},
                    started_at=i,
                    seed=i,
                    histogram=False,
                    error_rates={"parse": 0.1, "render": 1.0},
                )
                await t.save_run(run)

    asyncio.run(go())
    assert run_cli("history", "--db", str(path), "--json") == 0
    groups = {
        g["operation"]: g["versions"] for g in json.loads(capsys.readouterr().out)["operations"]
    }
    parse, render = groups["parse"], groups["render"]
    assert all(v["status"] == "error" and v["p50_ns"] for v in parse)
    assert parse[1]["verdict"]["kind"] == "slower"
    assert all(v["p50_ns"] is None for v in render)
    assert render[1]["verdict"]["kind"] == "inconclusive"
    run_cli("compare", "v1", "v2", "--db", str(path), "--op", "parse")
    assert "slower" in capsys.readouterr().out


def test_import_run_with_a_field_of_the_wrong_shape_names_operation_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _fresh_run()
    data["operations"][1]["latency_ns"] = "oops"  # an object expected
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema": "benchtui.export/1", "runs": [data]}))
    assert run_cli("import", str(bad), "--db", str(tmp_path / "h.sqlite")) == 2
    err = capsys.readouterr().err
    assert "run 1" in err and "operation 'render'" in err and "key 'latency_ns'" in err
