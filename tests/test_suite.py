"""Suite loading: valid files, and every malformed one gets a message naming file, op, key."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchtui.suite import Operation, SuiteError, discover_suites, load_suite, parse_suite

VALID = """
[suite]
name = "agent"
description = "demo"

[defaults]
warmup = 10
iterations = 500
memory_iterations = 50

[[operations]]
name = "render"
target = "ops:render"
params = { n = 3 }

[[operations]]
name = "fetch"
target = "ops:fetch"
duration = 0.5
setup = "ops:make"
teardown = "ops:close"
concurrency = 4
"""


def test_valid_suite_merges_defaults() -> None:
    suite = parse_suite(VALID, "agent.toml")
    assert suite.name == "agent"
    assert [op.name for op in suite.operations] == ["render", "fetch"]
    render, fetch = suite.operations
    assert render.iterations == 500 and render.duration is None
    assert render.params == {"n": 3} and render.warmup == 10 and render.memory_iterations == 50
    # An operation's own duration replaces the iterations it would inherit.
    assert fetch.duration == 0.5 and fetch.iterations is None
    assert fetch.setup == "ops:make" and fetch.concurrency == 4


def test_select_and_unknown_operation() -> None:
    suite = parse_suite(VALID, "agent.toml")
    assert [op.name for op in suite.select(["fetch"])] == ["fetch"]
    with pytest.raises(SuiteError, match="no operation named 'nope'.*render, fetch"):
        suite.select(["nope"])


def test_overrides_switch_between_iterations_and_duration() -> None:
    op = Operation(name="x", target="m:f", iterations=10, duration=None)
    assert op.with_overrides(duration=2.0).iterations is None
    assert op.with_overrides(iterations=5).duration is None
    with pytest.raises(SuiteError, match="concurrency"):
        op.with_overrides(concurrency=0)


CASES = [
    ("malformed TOML", "[suite\nname=1", None, None, "malformed TOML", 1),
    (
        "unknown key",
        '[suite]\nname="s"\n[[operations]]\nname="a"\ntarget="m:f"\niterationz=3\n',
        "a",
        "iterationz",
        "unknown key: did you mean 'iterations'?",
        6,
    ),
    (
        "wrong type",
        '[suite]\nname="s"\n[[operations]]\nname="a"\ntarget="m:f"\niterations="many"\n',
        "a",
        "iterations",
        "expected a whole number",
        6,
    ),
    (
        "bool is not a number",
        '[suite]\nname="s"\n[[operations]]\nname="a"\ntarget="m:f"\nwarmup=true\n',
        "a",
        "warmup",
        "expected a whole number",
        6,
    ),
    (
        "both iterations and duration",
        '[suite]\nname="s"\n[[operations]]\nname="a"\ntarget="m:f"\niterations=3\nduration=1.0\n',
        "a",
        "duration",
        "not both",
        7,
    ),
    (
        "duplicate names",
        '[suite]\nname="s"\n[[operations]]\nname="a"\ntarget="m:f"\n'
        '[[operations]]\nname="a"\ntarget="m:g"\n',
        "a",
        "name",
        "duplicate",
        6,
    ),
    (
        "missing target",
        '[suite]\nname="s"\n[[operations]]\nname="a"\n',
        "a",
        "target",
        "missing 'target'",
        3,
    ),
    (
        "bad target format",
        '[suite]\nname="s"\n[[operations]]\nname="a"\ntarget="no_colon"\n',
        "a",
        "target",
        "module:attribute",
        5,
    ),
    (
        "negative duration",
        '[suite]\nname="s"\n[[operations]]\nname="a"\ntarget="m:f"\nduration=-1\n',
        "a",
        "duration",
        "must be > 0",
        6,
    ),
    ("no suite table", '[[operations]]\nname="a"\ntarget="m:f"\n', None, "suite", "[suite]", None),
    ("no operations", '[suite]\nname="s"\n', None, "operations", "no [[operations]]", None),
    (
        "unknown default",
        '[suite]\nname="s"\n[defaults]\nspeed=3\n[[operations]]\nname="a"\ntarget="m:f"\n',
        None,
        "speed",
        "unknown key in [defaults]",
        4,
    ),
]


@pytest.mark.parametrize(
    "text,operation,key,fragment,line", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_malformed_suites_are_located(
    text: str, operation: str | None, key: str | None, fragment: str, line: int | None
) -> None:
    with pytest.raises(SuiteError) as info:
        parse_suite(text, "bad.toml")
    error = info.value
    message = str(error)
    assert message.startswith("bad.toml"), message
    assert fragment in message
    assert error.operation == operation
    assert error.key == key
    if operation:
        assert f"operation '{operation}'" in message
    if key:
        assert f"key '{key}'" in message
    if line is not None:
        assert error.line == line
        assert f"bad.toml:{line}" in message


def test_missing_file_and_folder_discovery(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match="file not found"):
        load_suite(tmp_path / "missing.toml")
    (tmp_path / "good.toml").write_text(VALID)
    (tmp_path / "bad.toml").write_text("[suite\n")
    suites, errors = discover_suites([tmp_path, tmp_path / "nowhere"])
    assert [s.name for s in suites] == ["agent"]
    assert len(errors) == 2
    assert any("bad.toml" in str(e) for e in errors)
    assert any("no such file" in str(e) for e in errors)


def test_bundled_sample_suite_loads() -> None:
    root = Path(__file__).resolve().parent.parent
    suite = load_suite(root / "sample_suites" / "agent.toml")
    assert len(suite.operations) >= 6


_keys = st.sampled_from(
    ["name", "target", "iterations", "duration", "warmup", "params", "memory", "concurrency",
     "timeout", "rounds", "setup", "bogus"]
)
_values = st.one_of(
    st.integers(-5, 10**6), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.text(max_size=12), st.just("mod:attr"), st.dictionaries(st.text(max_size=4),
                                                                  st.integers(), max_size=2),
)


def _toml_value(value: object) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {v}" for k, v in value.items()) + " }"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.dictionaries(_keys, _values, max_size=6), max_size=3))
def test_fuzzed_structures_never_traceback(operations: list[dict[str, object]]) -> None:
    lines = ['[suite]\nname = "fuzz"\n']
    for op in operations:
        lines.append("[[operations]]")
        lines.extend(f"{k} = {_toml_value(v)}" for k, v in op.items())
    try:
        parse_suite("\n".join(lines), "fuzz.toml")
    except SuiteError as exc:
        assert str(exc).startswith("fuzz.toml")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_fuzzed_text_never_tracebacks(text: str) -> None:
    try:
        parse_suite(text, "fuzz.toml")
    except SuiteError as exc:
        assert "fuzz.toml" in str(exc)
