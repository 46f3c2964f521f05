"""Sample operations for benchtui's bundled ``agent`` suite (``agent.toml``).

Each function here stands in for one step on an AI agent's critical path -- rendering a
prompt, parsing a tool call, retrieving context, handing a message between tasks, reading
and writing conversation memory, caching tool results -- with no network and nothing beyond
the standard library and numpy. Two pairs exist to give benchtui something real to find:

* ``retrieve_topk_naive`` / ``retrieve_topk``: the same retrieval ranked with a Python sort
  versus ``np.argpartition`` (a several-fold latency difference, identical results);
* ``leaky_cache`` / ``bounded_cache``: the same caching work, unbounded versus LRU-capped
  (steady memory growth versus a plateau).

Importing the module is cheap: data is built in the setup functions, from fixed seeds so
that runs are comparable. ``python agent_ops.py`` runs ``_self_check()``.

Calling convention (benchtui's suite format): with a ``setup``, each iteration calls
``target(state)`` where ``state = setup(**params)``; without one, ``target(**params)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import itertools
import json
import random
import sqlite3
import string
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "TOOL_SCHEMAS",
    "ToolCall",
    "ToolCallError",
    "async_llm_stub",
    "bounded_cache",
    "close_memory_store",
    "leaky_cache",
    "make_conversation",
    "make_memory_store",
    "make_tool_call_payloads",
    "make_vector_store",
    "memory_write_read",
    "parse_tool_call",
    "queue_handoff",
    "render_prompt",
    "retrieve_topk",
    "retrieve_topk_naive",
    "start_handoff",
    "stop_handoff",
    "topk_naive",
    "topk_vectorised",
]

# --------------------------------------------------------------------------------------------
# Tool schemas (shared by render_prompt, which shows them to the model, and parse_tool_call,
# which checks what the model sends back) -- a small JSON-Schema subset.
# --------------------------------------------------------------------------------------------

TOOL_SCHEMAS: tuple[dict[str, Any], ...] = (
    {
        "name": "search_docs",
        "description": "Search the product documentation and return matching passages.",
        "parameters": {
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "What to look for."},
                "top_k": {"type": "integer", "minimum": 1, "maximum": 50, "default": 5},
                "section": {
                    "type": "string",
                    "enum": ["all", "api", "guides", "changelog"],
                    "default": "all",
                },
                "include_snippets": {"type": "boolean", "default": True},
            },
            "required": ["query"],
        },
    },
    {
        "name": "run_sql",
        "description": "Run a read-only SQL query against the analytics replica.",
        "parameters": {
            "type": "object",
            "properties": {
                "sql": {"type": "string"},
                "database": {"type": "string", "enum": ["analytics", "billing", "events"]},
                "max_rows": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 100},
            },
            "required": ["sql", "database"],
        },
    },
    {
        "name": "create_ticket",
        "description": "Open a support ticket on behalf of the user.",
        "parameters": {
            "type": "object",
            "properties": {
                "title": {"type": "string"},
                "body": {"type": "string"},
                "priority": {"type": "string", "enum": ["low", "normal", "high", "urgent"]},
                "labels": {"type": "array", "items": {"type": "string"}, "default": []},
            },
            "required": ["title", "body", "priority"],
        },
    },
    {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "units": {"type": "string", "enum": ["metric", "imperial"], "default": "metric"},
                "lat": {"type": "number"},
                "lon": {"type": "number"},
            },
            "required": ["city"],
        },
    },
)

_SCHEMAS_BY_NAME: dict[str, dict[str, Any]] = {t["name"]: t for t in TOOL_SCHEMAS}

# Seeded word list for generated text: runs must see the same inputs to be comparable.
_VOCABULARY = (
    "agent latency token budget context window retrieval vector cache queue schema tool "
    "request response stream batch embedding index shard replica timeout retry backoff "
    "prompt message user assistant system invoice refund order account plan upgrade error"
)
_WORDS = tuple(_VOCABULARY.split())


def _sentence(rng: random.Random, n_words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n_words)).capitalize() + "."


# --------------------------------------------------------------------------------------------
# 1. render_prompt -- system prompt + N messages + tool schemas into one ChatML-style string.
# --------------------------------------------------------------------------------------------

_SYSTEM_TEMPLATE = string.Template(
    "You are $agent_name, a support agent for $company.\n"
    "Today is $date. Answer in $language. Keep answers under $max_words words.\n"
    "You can call these tools; reply with a JSON tool call when one is needed:\n"
    "$tools\n"
)
_TOOL_TEMPLATE = string.Template("- $name: $description\n  parameters: $parameters")
_MESSAGE_TEMPLATE = string.Template("<|im_start|>$role\n$content<|im_end|>\n")
_TOOL_CALL_TEMPLATE = string.Template('<tool_call>{"name": "$name", "arguments": $arguments}')


@dataclass(frozen=True)
class Conversation:
    """Inputs of a prompt render: what an agent holds between two model calls."""

    variables: Mapping[str, str]
    messages: tuple[Mapping[str, Any], ...]
    tools: tuple[dict[str, Any], ...]


def make_conversation(n_messages: int = 12, n_tools: int = 4, seed: int = 7) -> Conversation:
    """Setup: a conversation of ``n_messages`` turns (user / assistant / tool results)."""
    rng = random.Random(seed)
    messages: list[dict[str, Any]] = []
    for i in range(n_messages):
        role = ("user", "assistant", "tool")[i % 3]
        message: dict[str, Any] = {"role": role, "content": _sentence(rng, rng.randint(8, 60))}
        if role == "assistant" and i % 2:
            # Some assistant turns carry a tool call, rendered differently from plain text.
            message["tool_call"] = {
                "name": "search_docs",
                "arguments": {"query": _sentence(rng, 5), "top_k": rng.randint(1, 10)},
            }
        messages.append(message)
    tools = tuple(TOOL_SCHEMAS[i % len(TOOL_SCHEMAS)] for i in range(n_tools))
    variables = {
        "agent_name": "Ada",
        "company": "Example Corp",
        "date": "2025-01-15",
        "language": "English",
        "max_words": "200",
    }
    return Conversation(variables=variables, messages=tuple(messages), tools=tools)


def render_prompt(state: Conversation) -> str:
    """Render the whole prompt, as an agent does before every model call.

    Tool schemas are serialised on every call on purpose: most agent frameworks do, and it
    is a real share of the cost.
    """
    tools = "\n".join(
        _TOOL_TEMPLATE.substitute(
            name=tool["name"],
            description=tool["description"],
            parameters=json.dumps(tool["parameters"], sort_keys=True),
        )
        for tool in state.tools
    )
    parts = [
        _MESSAGE_TEMPLATE.substitute(
            role="system", content=_SYSTEM_TEMPLATE.substitute(state.variables, tools=tools)
        )
    ]
    for message in state.messages:
        content = message["content"]
        call = message.get("tool_call")
        if call is not None:
            content += "\n" + _TOOL_CALL_TEMPLATE.substitute(
                name=call["name"], arguments=json.dumps(call["arguments"])
            )
        parts.append(_MESSAGE_TEMPLATE.substitute(role=message["role"], content=content))
    parts.append("<|im_start|>assistant\n")
    return "".join(parts)


# --------------------------------------------------------------------------------------------
# 2. parse_tool_call -- parse a model's tool-call JSON and validate it against the schema.
# --------------------------------------------------------------------------------------------


class ToolCallError(ValueError):
    """The model's tool call cannot be used (bad JSON, unknown tool, schema violation)."""


@dataclass(frozen=True)
class ToolCall:
    """A validated tool call: arguments type-checked, defaults filled in."""

    id: str
    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)


# JSON-Schema type name -> accepted Python types (bool is excluded from numbers below).
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _check_value(value: Any, spec: Mapping[str, Any], where: str) -> Any:
    kind = spec.get("type")
    # bool is an int subclass: JSON true must not pass as the integer 1.
    if kind is not None and (
        not isinstance(value, _JSON_TYPES[kind]) or (isinstance(value, bool) and kind != "boolean")
    ):
        raise ToolCallError(f"{where}: expected {kind}, got {type(value).__name__}")
    if "enum" in spec and value not in spec["enum"]:
        raise ToolCallError(f"{where}: {value!r} is not one of {spec['enum']}")
    if "minimum" in spec and value < spec["minimum"]:
        raise ToolCallError(f"{where}: {value} < minimum {spec['minimum']}")
    if "maximum" in spec and value > spec["maximum"]:
        raise ToolCallError(f"{where}: {value} > maximum {spec['maximum']}")
    if kind == "array" and "items" in spec:
        return [_check_value(v, spec["items"], f"{where}[{i}]") for i, v in enumerate(value)]
    if kind == "number":
        return float(value)
    return value


def _validate_arguments(arguments: Any, schema: Mapping[str, Any], tool: str) -> dict[str, Any]:
    if not isinstance(arguments, dict):
        raise ToolCallError(f"{tool}: arguments must be an object")
    properties: Mapping[str, Any] = schema["properties"]
    unknown = arguments.keys() - properties.keys()
    if unknown:
        raise ToolCallError(f"{tool}: unknown argument(s) {sorted(unknown)}")
    missing = [name for name in schema.get("required", ()) if name not in arguments]
    if missing:
        raise ToolCallError(f"{tool}: missing required argument(s) {missing}")
    checked: dict[str, Any] = {}
    for name, spec in properties.items():
        if name in arguments:
            checked[name] = _check_value(arguments[name], spec, f"{tool}.{name}")
        elif "default" in spec:
            default = spec["default"]
            checked[name] = list(default) if isinstance(default, list) else default
    return checked


def _strip_fences(text: str) -> str:
    # Models often wrap JSON in a ```json fence even when told not to.
    text = text.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text


def parse_tool_call_text(text: str) -> ToolCall:
    """Parse one OpenAI-style tool call (``function.arguments`` is itself a JSON string)."""
    try:
        data = json.loads(_strip_fences(text))
    except json.JSONDecodeError as exc:
        raise ToolCallError(f"tool call is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("function"), dict):
        raise ToolCallError("tool call must be an object with a 'function' object")
    function = data["function"]
    name = function.get("name")
    schema = _SCHEMAS_BY_NAME.get(name) if isinstance(name, str) else None
    if schema is None:
        raise ToolCallError(f"unknown tool {name!r}")
    raw_args = function.get("arguments", "{}")
    try:
        arguments = json.loads(raw_args) if isinstance(raw_args, str) else raw_args
    except json.JSONDecodeError as exc:
        raise ToolCallError(f"{name}: arguments are not valid JSON: {exc}") from None
    checked = _validate_arguments(arguments, schema["parameters"], name)
    return ToolCall(id=str(data.get("id", "")), name=name, arguments=checked)


@dataclass
class ToolCallPayloads:
    """Raw model outputs to parse, cycled through so no single input is special."""

    texts: tuple[str, ...]
    cursor: int = 0


def make_tool_call_payloads(n_payloads: int = 16, seed: int = 11) -> ToolCallPayloads:
    """Setup: valid tool calls for every tool, some fenced, arguments JSON-in-JSON."""
    rng = random.Random(seed)
    samples: list[tuple[str, dict[str, Any]]] = [
        ("search_docs", {"query": "refund policy for annual plans", "section": "guides"}),
        ("search_docs", {"query": "rate limits", "top_k": 8, "include_snippets": False}),
        (
            "run_sql",
            {
                "sql": "SELECT plan, count(*) FROM accounts GROUP BY plan",
                "database": "analytics",
                "max_rows": 50,
            },
        ),
        (
            "create_ticket",
            {
                "title": "Invoice shows wrong VAT",
                "body": _sentence(rng, 40),
                "priority": "high",
                "labels": ["billing", "vat", "eu"],
            },
        ),
        ("get_weather", {"city": "Lisbon", "units": "metric", "lat": 38.72, "lon": -9.14}),
    ]
    texts = []
    for i in range(n_payloads):
        name, arguments = samples[i % len(samples)]
        call = {
            "id": f"call_{rng.getrandbits(64):016x}",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(arguments)},
        }
        text = json.dumps(call)
        texts.append(f"```json\n{text}\n```" if i % 4 == 3 else text)
    return ToolCallPayloads(texts=tuple(texts))


def parse_tool_call(state: ToolCallPayloads) -> ToolCall:
    """Parse and validate the next raw tool call."""
    text = state.texts[state.cursor]
    state.cursor = (state.cursor + 1) % len(state.texts)
    return parse_tool_call_text(text)


# --------------------------------------------------------------------------------------------
# 3. retrieve_topk -- cosine top-k over an in-memory vector store, two implementations.
# --------------------------------------------------------------------------------------------


@dataclass
class VectorStore:
    """Unit-length float32 embeddings (so cosine similarity is a dot product) and queries."""

    vectors: np.ndarray  # (n_vectors, dim), float32, rows of norm 1
    queries: np.ndarray  # (n_queries, dim), float32, rows of norm 1
    k: int
    cursor: int = 0

    def next_query(self) -> np.ndarray:
        query = self.queries[self.cursor]
        self.cursor = (self.cursor + 1) % len(self.queries)
        return query


def make_vector_store(
    n_vectors: int = 5000, dim: int = 384, k: int = 10, n_queries: int = 64, seed: int = 42
) -> VectorStore:
    """Setup: a seeded store; normalised once here, as a real index does at insert time."""
    rng = np.random.default_rng(seed)
    # Clustered rather than uniform noise, closer to real embeddings' structure.
    centres = rng.standard_normal((32, dim), dtype=np.float32)
    labels = rng.integers(0, len(centres), size=n_vectors)
    vectors = centres[labels] + 0.8 * rng.standard_normal((n_vectors, dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = centres[rng.integers(0, len(centres), size=n_queries)]
    queries = queries + 0.8 * rng.standard_normal(queries.shape, dtype=np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    return VectorStore(
        vectors=np.ascontiguousarray(vectors, dtype=np.float32),
        queries=np.ascontiguousarray(queries, dtype=np.float32),
        k=k,
    )


def topk_naive(vectors: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    """Score every vector, then rank all of them with a Python sort: O(n log n) in Python."""
    scores = (vectors @ query).tolist()
    # sorted() is stable and reverse=True keeps that, so equal scores rank lower ids first.
    ranked = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)
    return ranked[:k]


def topk_vectorised(vectors: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    """Score every vector, partial-select the k best (O(n)), then order only those k."""
    scores = vectors @ query
    # argpartition needs k < n; a store smaller than k is simply returned whole.
    best = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    # Order by score descending, then id ascending -- the same tie rule as topk_naive.
    order = np.lexsort((best, -scores[best]))
    return best[order].tolist()


def retrieve_topk_naive(state: VectorStore) -> list[int]:
    """Top-k ids for the next query, ranked the slow way."""
    return topk_naive(state.vectors, state.next_query(), state.k)


def retrieve_topk(state: VectorStore) -> list[int]:
    """Top-k ids for the next query, with np.argpartition."""
    return topk_vectorised(state.vectors, state.next_query(), state.k)


# --------------------------------------------------------------------------------------------
# 4. queue_handoff -- a message round trip between two asyncio tasks through a Queue.
# --------------------------------------------------------------------------------------------


@dataclass
class Handoff:
    """A consumer task reading requests from a queue; each request carries its reply future."""

    queue: asyncio.Queue[tuple[dict[str, Any], asyncio.Future[dict[str, Any]]]]
    consumer: asyncio.Task[None]
    seq: itertools.count[int] = field(default_factory=itertools.count)


async def _consume(queue: asyncio.Queue[tuple[dict[str, Any], asyncio.Future[Any]]]) -> None:
    while True:
        message, reply = await queue.get()
        # A token estimate stands in for the consumer's work (e.g. a stream-to-UI step).
        ack = {"seq": message["seq"], "tokens": len(message["content"]) // 4, "ok": True}
        if not reply.done():  # the caller may have been cancelled (timeout)
            reply.set_result(ack)
        queue.task_done()


async def start_handoff(queue_size: int = 64) -> Handoff:
    """Async setup: the queue and its consumer task, in the phase's own event loop."""
    # Bounded, as in production: a stuck consumer must apply back-pressure, not eat memory.
    queue: asyncio.Queue[tuple[dict[str, Any], asyncio.Future[Any]]] = asyncio.Queue(queue_size)
    consumer = asyncio.get_running_loop().create_task(_consume(queue), name="handoff-consumer")
    return Handoff(queue=queue, consumer=consumer)


async def queue_handoff(state: Handoff) -> dict[str, Any]:
    """Send one message to the consumer task and await its acknowledgement."""
    reply: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
    message = {"seq": next(state.seq), "role": "assistant", "content": "partial answer chunk"}
    await state.queue.put((message, reply))
    return await reply


async def stop_handoff(state: Handoff) -> None:
    """Async teardown: stop the consumer task cleanly."""
    state.consumer.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await state.consumer


# --------------------------------------------------------------------------------------------
# 5. memory_write_read -- SQLite conversation memory: append a message, read the last 10.
# --------------------------------------------------------------------------------------------


@dataclass
class MemoryStore:
    conn: sqlite3.Connection
    conversation_id: str
    keep_last: int
    history: int
    contents: tuple[str, ...]
    seq: itertools.count[int] = field(default_factory=itertools.count)


def make_memory_store(
    keep_last: int = 1000, history: int = 10, preload: int = 200, seed: int = 3
) -> MemoryStore:
    """Setup: an in-memory database with a conversation already under way."""
    rng = random.Random(seed)
    conn = sqlite3.connect(":memory:")
    conn.executescript(
        """
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            conversation_id TEXT NOT NULL,
            role TEXT NOT NULL,
            content TEXT NOT NULL,
            created_at REAL NOT NULL
        );
        CREATE INDEX messages_by_conversation ON messages (conversation_id, id);
        """
    )
    contents = tuple(_sentence(rng, rng.randint(5, 80)) for _ in range(32))
    state = MemoryStore(
        conn=conn,
        conversation_id="conv-0001",
        keep_last=keep_last,
        history=history,
        contents=contents,
    )
    for _ in range(preload):
        memory_write_read(state)
    return state


def memory_write_read(state: MemoryStore) -> list[tuple[str, str]]:
    """Append one message, trim to the retention window, return the last ``history`` turns.

    The trim keeps the table (and so the process's memory) at a steady size: conversation
    memory with a retention window is what a long-running agent needs, and without it this
    operation would grow by design and look like a leak.
    """
    n = next(state.seq)
    conn = state.conn
    with conn:  # one transaction: committed on success, rolled back on error
        cursor = conn.execute(
            "INSERT INTO messages (conversation_id, role, content, created_at) VALUES (?, ?, ?, ?)",
            (
                state.conversation_id,
                "user" if n % 2 == 0 else "assistant",
                state.contents[n % len(state.contents)],
                1_700_000_000.0 + n,
            ),
        )
        conn.execute(
            "DELETE FROM messages WHERE conversation_id = ? AND id <= ?",
            (state.conversation_id, cursor.lastrowid - state.keep_last),
        )
    rows = conn.execute(
        "SELECT role, content FROM messages WHERE conversation_id = ? ORDER BY id DESC LIMIT ?",
        (state.conversation_id, state.history),
    ).fetchall()
    rows.reverse()  # oldest first, the order a prompt wants
    return rows


def close_memory_store(state: MemoryStore) -> None:
    """Teardown: close the database (frees it: it lives only in this connection)."""
    state.conn.close()


# --------------------------------------------------------------------------------------------
# 6./7. leaky_cache / bounded_cache -- identical work; one never evicts, one is LRU-capped.
# --------------------------------------------------------------------------------------------

# The bug being modelled: tool results memoised under a key that includes the request id,
# which never repeats -- so the cache never hits and, unbounded, only ever grows.
_LEAKY_CACHE: dict[str, str] = {}
_BOUNDED_CACHE: OrderedDict[str, str] = OrderedDict()
_request_ids = itertools.count()


@functools.lru_cache(maxsize=8)
def _filler(entry_bytes: int) -> str:
    return ("lorem ipsum " * (entry_bytes // 12 + 1))[:entry_bytes]


def _tool_result(entry_bytes: int) -> tuple[str, str]:
    """A fresh (key, ~entry_bytes result) pair for a never-seen request."""
    request_id = next(_request_ids)
    key = hashlib.blake2b(f"search_docs:{request_id}".encode(), digest_size=16).hexdigest()
    # Concatenation always builds a new object (a slice or constant could be shared).
    value = f'{{"request_id": {request_id}, "rows": "' + _filler(entry_bytes) + '"}'
    return key, value


def leaky_cache(entry_bytes: int = 1024) -> int:
    """Store one new ~``entry_bytes`` entry that is never evicted: a true leak."""
    key, value = _tool_result(entry_bytes)
    cached = _LEAKY_CACHE.get(key)
    if cached is None:
        _LEAKY_CACHE[key] = cached = value
    return len(cached)


def bounded_cache(entry_bytes: int = 1024, max_entries: int = 256) -> int:
    """Same work as ``leaky_cache``, but LRU-evicted at ``max_entries``: fills, then flat."""
    key, value = _tool_result(entry_bytes)
    cached = _BOUNDED_CACHE.get(key)
    if cached is None:
        _BOUNDED_CACHE[key] = cached = value
        while len(_BOUNDED_CACHE) > max_entries:
            _BOUNDED_CACHE.popitem(last=False)
    else:
        _BOUNDED_CACHE.move_to_end(key)
    return len(cached)


# --------------------------------------------------------------------------------------------
# 8. async_llm_stub -- an I/O-bound call of known duration (a model request, minus the model).
# --------------------------------------------------------------------------------------------


async def async_llm_stub(latency_s: float = 0.001) -> str:
    """Await ``latency_s`` seconds, as a network call would; the floor of its latency is known."""
    await asyncio.sleep(latency_s)
    return "stub completion"


# --------------------------------------------------------------------------------------------
# Self-check (run by hand: ``python sample_suites/agent_ops.py``; never at import).
# --------------------------------------------------------------------------------------------


def _self_check() -> None:
    conv = make_conversation(n_messages=12)
    prompt = render_prompt(conv)
    assert prompt.count("<|im_start|>") == 12 + 2, "system + messages + assistant cue"
    assert all(t["name"] in prompt for t in TOOL_SCHEMAS)

    payloads = make_tool_call_payloads()
    calls = [parse_tool_call(payloads) for _ in range(len(payloads.texts))]
    assert {c.name for c in calls} == set(_SCHEMAS_BY_NAME)
    search = next(c for c in calls if c.name == "search_docs")
    assert search.arguments["top_k"] in (5, 8), "default filled in or value kept"
    weather = next(c for c in calls if c.name == "get_weather")
    assert isinstance(weather.arguments["lat"], float)
    bad_calls = [
        "not json",
        '{"function": {"name": "nope", "arguments": "{}"}}',
        '{"function": {"name": "run_sql", "arguments": "{\\"sql\\": \\"x\\"}"}}',  # missing
        '{"function": {"name": "run_sql", "arguments": '
        '"{\\"sql\\": \\"x\\", \\"database\\": \\"prod\\"}"}}',  # not in enum
        '{"function": {"name": "search_docs", "arguments": '
        '"{\\"query\\": \\"x\\", \\"top_k\\": true}"}}',  # bool is not an integer
        '{"function": {"name": "search_docs", "arguments": '
        '"{\\"query\\": \\"x\\", \\"top_k\\": 99}"}}',  # above maximum
        '{"function": {"name": "search_docs", "arguments": '
        '"{\\"query\\": \\"x\\", \\"colour\\": \\"red\\"}"}}',  # unknown argument
    ]
    for text in bad_calls:
        try:
            parse_tool_call_text(text)
        except ToolCallError:
            continue
        raise AssertionError(f"accepted a bad tool call: {text}")

    store = make_vector_store()
    for query in store.queries:
        fast = topk_vectorised(store.vectors, query, store.k)
        slow = topk_naive(store.vectors, query, store.k)
        assert fast == slow, (fast, slow)
        # And both agree with a float64 brute force (guards against a shared mistake).
        exact = np.argsort(-(store.vectors.astype(np.float64) @ query), kind="stable")
        assert set(fast) == set(exact[: store.k].tolist())
    assert retrieve_topk(store) == retrieve_topk_naive(make_vector_store())

    async def async_checks() -> None:
        handoff = await start_handoff()
        try:
            acks = await asyncio.gather(*(queue_handoff(handoff) for _ in range(10)))
            assert sorted(a["seq"] for a in acks) == list(range(10))
        finally:
            await stop_handoff(handoff)
        assert handoff.consumer.cancelled()
        assert await async_llm_stub() == "stub completion"

    asyncio.run(async_checks())

    memory = make_memory_store(keep_last=50)
    try:
        for _ in range(100):
            rows = memory_write_read(memory)
        assert len(rows) == 10
        (count,) = memory.conn.execute("SELECT count(*) FROM messages").fetchone()
        assert count == 50, count
    finally:
        close_memory_store(memory)

    before = len(_LEAKY_CACHE)
    for _ in range(500):
        leaky_cache()
        bounded_cache()
    assert len(_LEAKY_CACHE) == before + 500
    assert len(_BOUNDED_CACHE) == 256
    print("agent_ops self-check passed")


if __name__ == "__main__":
    _self_check()
