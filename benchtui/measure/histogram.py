"""Latency histograms: bulk binning with numpy into HdrHistogram's bucket layout.

``hdrh``'s ``record_value`` is pure Python and costs several times a whole timing-loop
iteration, so the measuring loop never calls it. Instead samples are collected into a flat
int64 buffer and binned here in bulk: the same bucket index HdrHistogram computes, done with
vectorised float-exponent arithmetic, then ``np.bincount``. The counts array can be encoded as
a standard HdrHistogram V2 compressed payload (interoperable with every HdrHistogram
implementation) and decoded back.

What it does not do: decide when to record (the engine does) or draw anything.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import numpy as np
from hdrh.histogram import HdrHistogram

from benchtui.runner.results import LatencySummary

# 1 ns .. 1 hour at 3 significant digits: 0.1% value resolution everywhere in range.
LOWEST_NS = 1
HIGHEST_NS = 3_600_000_000_000
SIGNIFICANT_FIGURES = 3

_TEMPLATE = HdrHistogram(LOWEST_NS, HIGHEST_NS, SIGNIFICANT_FIGURES)
COUNTS_LEN: int = _TEMPLATE.counts_len
_HALF_MAG: int = _TEMPLATE.sub_bucket_half_count_magnitude  # 10 for 3 figures
_UNIT_MAG: int = _TEMPLATE.unit_magnitude  # 0 for lowest = 1
assert _UNIT_MAG == 0, "the vectorised index assumes a lowest trackable value of 1"


# For values >= 1024 the counts index is read straight off the float64 bits:
# (bits >> 42) is exponent * 1024 + the top 10 mantissa bits, i.e. HdrHistogram's bucket and
# sub-bucket, offset by a constant. Values below 1024 map to themselves; clamping to 1024 and
# adding min(value, 1024) handles both ranges without a branch.
_SPLIT = 1 << _HALF_MAG
_INDEX_OFFSET = ((1023 + _HALF_MAG - 1) << _HALF_MAG) + _SPLIT


def bin_indices(samples: np.ndarray) -> np.ndarray:
    """HdrHistogram counts-array index of every sample (int64 nanoseconds, >= 0)."""
    values = np.minimum(samples, HIGHEST_NS)
    bits = np.maximum(values, _SPLIT).astype(np.float64).view(np.int64)
    bits >>= 52 - _HALF_MAG
    bits += np.minimum(values, _SPLIT)
    bits -= _INDEX_OFFSET
    return bits


class Binner:
    """Bins chunks of raw samples with reusable scratch buffers (no per-chunk allocation)."""

    def __init__(self) -> None:
        self._float = np.empty(0, dtype=np.float64)
        self._int = np.empty(0, dtype=np.int64)

    def bin(self, samples: np.ndarray) -> tuple[np.ndarray, int, int, int, int]:
        """Raw int64 ns samples -> (bincount, count, sum, min, max)."""
        n = len(samples)
        if n > len(self._float):
            self._float = np.empty(n, dtype=np.float64)
            self._int = np.empty(n, dtype=np.int64)
        as_float, scratch = self._float[:n], self._int[:n]
        lo, hi, total = int(samples.min()), int(samples.max()), int(samples.sum())
        if hi > HIGHEST_NS:  # rare: a call longer than an hour is clamped to the top bucket
            samples = np.minimum(samples, HIGHEST_NS)
        # max(value, 1024) straight into the float buffer: the int -> float cast rides along.
        np.maximum(samples, _SPLIT, out=as_float, casting="unsafe")
        bits = as_float.view(np.int64)
        bits >>= 52 - _HALF_MAG
        np.minimum(samples, _SPLIT, out=scratch)
        scratch -= _INDEX_OFFSET
        bits += scratch
        return np.bincount(bits), n, total, lo, hi


_SHARED_BINNER = Binner()


@dataclass
class HistogramCounts:
    """A mutable HdrHistogram-layout counts array with exact count, sum, min and max.

    The mean is exact (from the raw samples); percentiles and the standard deviation come
    from the buckets (bucket midpoints), within 0.1%, as in every HdrHistogram.
    """

    counts: np.ndarray
    total: int = 0
    sum_ns: int = 0
    min_ns: int = sys.maxsize
    max_ns: int = 0

    @classmethod
    def empty(cls) -> HistogramCounts:
        return cls(np.zeros(COUNTS_LEN, dtype=np.int64))

    def reset(self) -> None:
        self.counts.fill(0)
        self.total = 0
        self.sum_ns = 0
        self.min_ns = sys.maxsize
        self.max_ns = 0

    def add_binned(self, binned: np.ndarray, n: int, s: int, lo: int, hi: int) -> None:
        """Fold in a ``np.bincount`` result and the count, sum, min, max of the same samples."""
        self.counts[: len(binned)] += binned
        self.total += n
        self.sum_ns += s
        if lo < self.min_ns:
            self.min_ns = lo
        if hi > self.max_ns:
            self.max_ns = hi

    def record(self, samples: np.ndarray) -> None:
        """Record raw int64 nanosecond samples."""
        if len(samples):
            self.add_binned(*_SHARED_BINNER.bin(samples))

    def merge(self, other: HistogramCounts) -> None:
        self.add_binned(other.counts, other.total, other.sum_ns, other.min_ns, other.max_ns)

    def add_counts(self, counts: np.ndarray) -> None:
        """Fold in counts only (e.g. a decoded delta); min/max/sum from the bucket values."""
        nonzero = np.flatnonzero(counts)
        if not len(nonzero):
            return
        n = int(counts.sum())
        lows = index_lowest_values(nonzero)
        mids = lows + (index_size(nonzero) >> 1)
        weights = counts[nonzero]
        self.add_binned(
            counts,
            n,
            int((mids * weights).sum()),
            int(lows[0]),
            int(lows[-1] + index_size(nonzero[-1:])[0] - 1),
        )

    @property
    def mean(self) -> float:
        return self.sum_ns / self.total if self.total else 0.0

    @property
    def stdev(self) -> float:
        if self.total < 2:
            return 0.0
        nonzero = np.flatnonzero(self.counts)
        mids = (index_lowest_values(nonzero) + (index_size(nonzero) >> 1)).astype(np.float64)
        weights = self.counts[nonzero].astype(np.float64)
        deviation = mids - self.mean
        return math.sqrt(float((deviation * deviation * weights).sum()) / self.total)

    def percentiles(self, wanted: tuple[float, ...]) -> list[int]:
        """Values at percentiles (0..100), as HdrHistogram reports them."""
        return percentiles_of(self.counts, self.total, wanted, self.max_ns)

    def summary(self) -> LatencySummary:
        if not self.total:
            return LatencySummary()
        p50, p90, p99, p999 = self.percentiles((50.0, 90.0, 99.0, 99.9))
        return LatencySummary(
            min=int(self.min_ns),
            mean=round(self.mean, 1),
            stdev=round(self.stdev, 1),
            p50=p50,
            p90=p90,
            p99=p99,
            p999=p999,
            max=int(self.max_ns),
        )

    def encode(self) -> str:
        return encode_counts(self.counts, self.total)


def index_lowest_values(index: np.ndarray) -> np.ndarray:
    """The lowest value each counts-array index stands for."""
    index = np.asarray(index, dtype=np.int64)
    bucket = (index >> _HALF_MAG) - 1
    sub = (index & ((1 << _HALF_MAG) - 1)) + (1 << _HALF_MAG)
    low = bucket < 0
    sub = np.where(low, sub - (1 << _HALF_MAG), sub)
    bucket = np.where(low, 0, bucket)
    return sub << (bucket + _UNIT_MAG)


def index_size(index: np.ndarray) -> np.ndarray:
    """How many values each counts-array index spans (its bucket's resolution)."""
    index = np.asarray(index, dtype=np.int64)
    bucket = np.maximum((index >> _HALF_MAG) - 1, 0)
    return np.left_shift(1, bucket + _UNIT_MAG)


def percentiles_of(
    counts: np.ndarray, total: int, wanted: tuple[float, ...], max_ns: int | None = None
) -> list[int]:
    """HdrHistogram's ``get_value_at_percentile`` for several percentiles in one pass."""
    if total <= 0:
        return [0 for _ in wanted]
    cumulative = np.cumsum(counts)
    targets = [max(int(min(p, 100.0) * total / 100 + 0.5), 1) for p in wanted]
    found = np.searchsorted(cumulative, targets, side="left")
    found = np.minimum(found, len(counts) - 1)
    highest = index_lowest_values(found) + index_size(found) - 1
    values = [int(v) for v in highest]
    if max_ns is not None:
        # The bucket's top can overshoot the largest sample actually seen.
        values = [min(v, int(max_ns)) for v in values]
    return values


def encode_counts(counts: np.ndarray, total: int | None = None) -> str:
    """HdrHistogram V2 compressed, base64 (the format every HdrHistogram library reads)."""
    histogram = HdrHistogram(LOWEST_NS, HIGHEST_NS, SIGNIFICANT_FIGURES)
    try:
        if total is None:
            total = int(counts.sum())
        if total:
            np.ctypeslib.as_array(histogram.counts)[:] = counts
            nonzero = np.flatnonzero(counts)
            histogram.set_internal_tacking_values(int(nonzero[0]), int(nonzero[-1]), int(total))
        encoded = histogram.encode()
    finally:
        _break_cycle(histogram)
    return encoded.decode("ascii") if isinstance(encoded, bytes) else str(encoded)


def decode_counts(encoded: str) -> np.ndarray:
    """Counts array (int64, ``COUNTS_LEN``) from an encoded histogram; empty input gives zeros."""
    counts = np.zeros(COUNTS_LEN, dtype=np.int64)
    if not encoded:
        return counts
    histogram = HdrHistogram.decode(encoded)
    try:
        if histogram.counts_len != COUNTS_LEN:
            raise ValueError(
                "histogram was recorded with another range or precision "
                f"({histogram.counts_len} buckets, expected {COUNTS_LEN})"
            )
        counts[:] = np.ctypeslib.as_array(histogram.counts)
    finally:
        _break_cycle(histogram)
    return counts


def _break_cycle(histogram: HdrHistogram) -> None:
    """hdrh's histogram and its encoder point at each other: without this, every histogram
    (270 KiB of counts) waits for a full garbage collection, and memory grows with the number
    of progress events."""
    encoder = getattr(histogram, "encoder", None)
    if encoder is not None:
        encoder.histogram = None
        histogram.encoder = None


def histogram_from_encoded(encoded: str) -> HistogramCounts:
    """A ``HistogramCounts`` rebuilt from an encoded histogram (moments from bucket values)."""
    result = HistogramCounts.empty()
    result.add_counts(decode_counts(encoded))
    return result
