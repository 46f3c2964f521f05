"""Leak analysis for the traced memory phase.

The engine runs the operation under ``tracemalloc`` (never during timing: tracing slows
allocating code several times) and hands this module the traced-memory readings it took at
checkpoints. A leak is *steady growth*: the slope of a least-squares line through the
checkpoints of the phase's later part, where a cache that fills up and then stays flat has
already levelled off. What it does not do: run anything or trace anything itself.
"""

from __future__ import annotations

import tracemalloc
from dataclasses import dataclass
from pathlib import Path

# Growth smaller than this over the whole fitted window is noise (interned strings, free
# lists, the odd dict resize), not a leak worth a person's attention.
MIN_LEAK_GROWTH_BYTES = 4096
MIN_LEAK_SLOPE_BYTES = 1.0
# How much of the line must explain the readings: steady growth, not one late jump.
MIN_LEAK_R_SQUARED = 0.6
# The fit ignores the first part of the phase, where lazy initialisation and filling caches
# happen.
FIT_FROM_FRACTION = 0.4

_OWN_FOLDER = str(Path(__file__).resolve().parent.parent)


@dataclass(frozen=True)
class LeakEstimate:
    bytes_per_iteration: float
    growth_bytes: float  # over the fitted window
    r_squared: float
    leaking: bool


def estimate_leak(iterations: list[int], current_bytes: list[int]) -> LeakEstimate:
    """Fit traced memory against iteration count over the later checkpoints."""
    if len(iterations) != len(current_bytes):
        raise ValueError("iterations and readings differ in length")
    if len(iterations) < 3:
        return LeakEstimate(0.0, 0.0, 0.0, False)
    last = iterations[-1]
    start = iterations[0] + (last - iterations[0]) * FIT_FROM_FRACTION
    pairs = [(x, y) for x, y in zip(iterations, current_bytes, strict=True) if x >= start]
    if len(pairs) < 3:
        pairs = list(zip(iterations, current_bytes, strict=True))[-3:]
    n = len(pairs)
    mean_x = sum(x for x, _ in pairs) / n
    mean_y = sum(y for _, y in pairs) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in pairs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in pairs)
    syy = sum((y - mean_y) ** 2 for _, y in pairs)
    if sxx == 0:
        return LeakEstimate(0.0, 0.0, 0.0, False)
    slope = sxy / sxx
    r_squared = (sxy * sxy) / (sxx * syy) if syy > 0 else 0.0
    growth = slope * (pairs[-1][0] - pairs[0][0])
    leaking = (
        slope >= MIN_LEAK_SLOPE_BYTES
        and growth >= MIN_LEAK_GROWTH_BYTES
        and r_squared >= MIN_LEAK_R_SQUARED
    )
    return LeakEstimate(slope, growth, r_squared, leaking)


def top_growth_sites(
    before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, limit: int = 5
) -> list[tuple[str, int, int]]:
    """(file:line, bytes grown, blocks grown) of the sites that grew most (and by at least 1%
    of the total growth), benchtui excluded."""
    filters = [
        tracemalloc.Filter(False, tracemalloc.__file__),
        tracemalloc.Filter(False, "<frozen importlib._bootstrap>"),
        tracemalloc.Filter(False, "<frozen importlib._bootstrap_external>"),
        tracemalloc.Filter(False, _OWN_FOLDER + "/*"),
    ]
    diffs = after.filter_traces(filters).compare_to(before.filter_traces(filters), "lineno")
    # Sites under 1% of the growth are left out: they are transient objects caught alive by
    # the snapshot (benchtui's own event encoding shows up as json/encoder.py lines, only one
    # frame deep), not where the memory goes.
    floor = max(sum(stat.size_diff for stat in diffs if stat.size_diff > 0) / 100, 1)
    sites = []
    for stat in diffs:
        if stat.size_diff < floor:
            continue
        frame = stat.traceback[0]
        sites.append((f"{frame.filename}:{frame.lineno}", int(stat.size_diff), stat.count_diff))
        if len(sites) >= limit:
            break
    return sites
