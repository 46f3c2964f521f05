"""Bulk binning must match HdrHistogram exactly: indices, percentiles and the encoding."""

from __future__ import annotations

import numpy as np
import pytest
from hdrh.histogram import HdrHistogram

from benchtui.measure.histogram import (
    HIGHEST_NS,
    LOWEST_NS,
    SIGNIFICANT_FIGURES,
    Binner,
    HistogramCounts,
    bin_indices,
    decode_counts,
    encode_counts,
    histogram_from_encoded,
)


def _reference(values: np.ndarray) -> HdrHistogram:
    ref = HdrHistogram(LOWEST_NS, HIGHEST_NS, SIGNIFICANT_FIGURES)
    for value in values:
        ref.record_value(min(int(value), HIGHEST_NS))
    return ref


EDGES = [0, 1, 2, 1023, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 10**6, 10**9, 2**40 - 1,
         HIGHEST_NS - 1, HIGHEST_NS]


def test_indices_match_hdrhistogram_at_bucket_edges() -> None:
    ref = HdrHistogram(LOWEST_NS, HIGHEST_NS, SIGNIFICANT_FIGURES)
    values = np.array(EDGES, dtype=np.int64)
    assert list(bin_indices(values)) == [ref._counts_index_for(v) for v in EDGES]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_percentiles_and_encoding_match_hdrhistogram(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.lognormal(8, 2, 20_000).astype(np.int64)
    values[:3] = [0, 5 * 10**12, 1]  # zero and a clamped outlier
    ref = _reference(values)
    ours = HistogramCounts.empty()
    for start in range(0, len(values), 4096):
        ours.record(values[start : start + 4096])
    for p in (0.1, 1, 50, 90, 99, 99.9, 99.99):
        assert ours.percentiles((p,)) == [ref.get_value_at_percentile(p)]
    assert ours.total == ref.get_total_count()
    assert ours.encode() == ref.encode().decode()
    assert ours.min_ns == 0 and ours.max_ns == 5 * 10**12  # exact, not bucketed
    assert ours.mean == pytest.approx(values.mean())


def test_binner_reuses_buffers_and_matches() -> None:
    rng = np.random.default_rng(3)
    binner = Binner()
    for size in (10, 5000, 100):
        values = rng.integers(0, 10**7, size)
        binned, n, total, lo, hi = binner.bin(values)
        assert (binned == np.bincount(bin_indices(values))).all()
        assert (n, total, lo, hi) == (size, values.sum(), values.min(), values.max())


def test_encode_decode_round_trip_and_deltas_add_up() -> None:
    rng = np.random.default_rng(4)
    first = HistogramCounts.empty()
    first.record(rng.integers(100, 10**6, 5000))
    second = HistogramCounts.empty()
    second.record(rng.integers(100, 10**6, 5000))
    merged = HistogramCounts.empty()
    merged.add_counts(decode_counts(first.encode()))
    merged.add_counts(decode_counts(encode_counts(second.counts)))
    assert (merged.counts == first.counts + second.counts).all()
    assert merged.total == 10_000
    rebuilt = histogram_from_encoded(first.encode())
    assert rebuilt.percentiles((50.0, 99.0)) == first.percentiles((50.0, 99.0))
    assert decode_counts("").sum() == 0


def test_summary_of_empty_histogram_is_zero() -> None:
    empty = HistogramCounts.empty()
    assert empty.summary().p50 == 0 and empty.stdev == 0.0
