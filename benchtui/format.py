"""Human-readable numbers shared by the faces: durations, sizes, rates.

Pure functions on plain numbers; no terminal or Textual knowledge.
"""

from __future__ import annotations

import math


def duration_ns(value: float | None) -> str:
    """1.23 µs, 45.6 ms, ... with three significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    value = float(value)
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if abs(value) >= scale:
            return f"{_sig3(value / scale)} {unit}"
    return f"{_sig3(value)} ns"


def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 3600:
        return f"{int(value // 3600)}h{int(value % 3600 // 60):02d}m"
    if value >= 60:
        return f"{int(value // 60)}m{int(value % 60):02d}s"
    return f"{value:.1f}s"


def size_bytes(value: float | None) -> str:
    if value is None:
        return "—"
    value = float(value)
    sign = "-" if value < 0 else ""
    value = abs(value)
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if value >= scale:
            return f"{sign}{_sig3(value / scale)} {unit}"
    return f"{sign}{value:.0f} B"


def rate(value: float | None) -> str:
    """Operations per second: 1.23k/s, 4.56M/s."""
    if value is None or value <= 0:
        return "—"
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return f"{_sig3(value / scale)}{unit}/s"
    return f"{_sig3(value)}/s"


def leak(bytes_per_iter: float | None, detected: bool) -> str:
    if bytes_per_iter is None:
        return "—"
    if not detected:
        return "none"
    return f"{size_bytes(bytes_per_iter)}/it"


def count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _sig3(value: float) -> str:
    if value == 0:
        return "0"
    digits = max(0, 2 - int(math.floor(math.log10(abs(value)))))
    return f"{value:.{digits}f}"
