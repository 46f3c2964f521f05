"""Leak analysis: steady growth is a leak; a cache that fills then stays flat is not."""

from __future__ import annotations

import random

from benchtui.measure.memory import estimate_leak


def _series(fn: object, n: int = 25, step: int = 80) -> tuple[list[int], list[int]]:
    xs = [step * (i + 1) for i in range(n)]
    return xs, [int(fn(x)) for x in xs]  # type: ignore[operator]


def test_steady_growth_is_a_leak() -> None:
    rng = random.Random(1)
    xs, ys = _series(lambda x: 50_000 + 1024 * x + rng.randint(-2000, 2000))
    estimate = estimate_leak(xs, ys)
    assert estimate.leaking
    assert abs(estimate.bytes_per_iteration - 1024) < 50


def test_cache_that_fills_then_plateaus_is_not_a_leak() -> None:
    rng = random.Random(2)
    xs, ys = _series(lambda x: 50_000 + 2048 * min(x, 256) + rng.randint(-500, 500))
    estimate = estimate_leak(xs, ys)
    assert not estimate.leaking
    assert abs(estimate.bytes_per_iteration) < 5


def test_noise_and_tiny_growth_are_not_leaks() -> None:
    rng = random.Random(3)
    xs, ys = _series(lambda x: 10_000 + rng.randint(-3000, 3000))
    assert not estimate_leak(xs, ys).leaking
    xs, ys = _series(lambda x: 10_000 + x // 10)  # 0.1 B/iteration
    assert not estimate_leak(xs, ys).leaking


def test_too_few_points() -> None:
    assert not estimate_leak([1, 2], [10, 20]).leaking
