"""Judge whether version B of an operation is faster or slower than version A, or noise.

The samples are per-round medians (``RoundSummary.p50_ns``), grouped by run: ``judge(a, b)``
takes, for each version, one sequence of round medians per run. This module is plain functions
over numbers: it does not read the tracker, print, or import anything heavy at import time
(numpy and scipy are imported inside the functions that need them).

How a verdict is reached
------------------------
* **Effect size**: the ratio of medians B/A of the pooled rounds (below 1: B is faster).
* **Significance**: a two-sided Mann-Whitney U test on the pooled rounds (scipy), *and* a 95%
  bootstrap confidence interval of the ratio that excludes 1.0. Both must agree.
* **Noise threshold** (default 2%): a significant change smaller than this is reported as
  ``no significant change``; without significance, no change is claimed only when the interval
  sits inside ±threshold (the data rule out a change that matters), else ``inconclusive``.
* **Runs differ**: when a version has several runs and two of them differ by as much as the
  change (process layout and machine load make whole runs faster or slower), the change is
  ``inconclusive``: the data themselves show noise of that size; unless both versions have
  two runs or more and a t-test on the log medians of whole runs still separates them.
* **Runs vary**: a change under ``single_run_threshold`` (5%), the size of the noise
  between processes, with two runs or more on each side, must also be found by a t-test on
  the log medians of whole runs (p < alpha); otherwise it is ``inconclusive``. Rounds of one
  run share a process, so they can agree on a difference that another process layout would
  not reproduce. (With one run on a side such a change is ``inconclusive`` outright, below.)
* **Too noisy**: an interval reaching more than 25% from the ratio is ``inconclusive``, unless
  it lies wholly beyond the threshold on one side (a 3x regression on a noisy machine is still
  a regression). Fewer than 5 rounds on a side is ``inconclusive`` too.

Reasons are plain ASCII: they end up in terminals of any encoding.

Why pool rounds across runs, and why a two-level bootstrap
-----------------------------------------------------------
Rounds of one run are not independent: they share a process, a memory layout, a CPU frequency
and a moment in time, so two runs of the *same* code differ by more than their rounds suggest.
A test that treats 20 rounds of one run against 20 rounds of another as 40 independent draws
is overconfident and reports phantom 1-3% changes. Pooling the rounds of *all* runs of a version
lets run-to-run variation show up in the samples. The confidence interval goes further: the
bootstrap resamples whole runs first and then rounds within each chosen run (a cluster
bootstrap), so with several runs per version its width reflects the between-run spread, and the
verdict needs that honest interval to exclude 1.0 as well as p < alpha from Mann-Whitney
(which alone still sees pooled rounds as independent). With one run per version the
between-run spread cannot be measured at all; the noise threshold is then the only guard, so
run each version several times before trusting a small change. Hence one more rule: with a
single run on either side, a change under 5% (``single_run_threshold``) is ``inconclusive``
("one run only") rather than faster/slower.

The bootstrap uses a fixed seed so the same samples always give the same verdict (the tracker
caches verdicts keyed by a digest of the samples).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "FASTER",
    "SLOWER",
    "NO_CHANGE",
    "INCONCLUSIVE",
    "KINDS",
    "ALGORITHM",
    "DEFAULT_THRESHOLD",
    "Verdict",
    "judge",
    "judge_pooled",
]

FASTER = "faster"
SLOWER = "slower"
NO_CHANGE = "no significant change"
INCONCLUSIVE = "inconclusive"
KINDS = (FASTER, SLOWER, NO_CHANGE, INCONCLUSIVE)

# Bump when the rule or its defaults change: the tracker discards verdicts cached by another.
ALGORITHM = 4

DEFAULT_THRESHOLD = 0.02
DEFAULT_ALPHA = 0.05
DEFAULT_CONFIDENCE = 0.95
DEFAULT_RESAMPLES = 2000
DEFAULT_MIN_ROUNDS = 5
# An interval reaching further than this from the ratio says the data cannot tell.
DEFAULT_MAX_NOISE = 0.25
# With one run on a side, run-to-run spread is invisible (see the module docstring): smaller
# changes than this are not called faster/slower. Measured: two single runs whose processes
# differ by 1% (sd) gave 17% false faster/slower verdicts at the 2% threshold, ~0% with this.
DEFAULT_SINGLE_RUN_THRESHOLD = 0.05
DEFAULT_SEED = 0x62656E6368  # "bench": fixed, so verdicts are reproducible

# Bootstrap matrices are processed in chunks of at most this many cells (~32 MB of float64).
_CHUNK_CELLS = 4_000_000


@dataclass(frozen=True)
class Verdict:
    """The judgement of B against A for one operation.

    ``ratio`` is median(B) / median(A) of the per-round medians: 0.8 means B takes 20% less
    time. ``ci_low``/``ci_high`` bound it (bootstrap, 95%). ``n_a``/``n_b`` count rounds.
    ``reason`` is a short human explanation, always set.
    """

    kind: str
    ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    n_a: int
    n_b: int
    reason: str

    @property
    def significant(self) -> bool:
        return self.kind in (FASTER, SLOWER)

    @property
    def change(self) -> float | None:
        """Relative change of the median time, B against A (+0.12: 12% slower)."""
        return None if self.ratio is None else self.ratio - 1.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def judge(
    a: Sequence[Sequence[float]],
    b: Sequence[Sequence[float]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    alpha: float = DEFAULT_ALPHA,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    min_rounds: int = DEFAULT_MIN_ROUNDS,
    max_noise: float = DEFAULT_MAX_NOISE,
    single_run_threshold: float = DEFAULT_SINGLE_RUN_THRESHOLD,
    seed: int = DEFAULT_SEED,
    names: tuple[str, str] = ("A", "B"),
) -> Verdict:
    """Compare version B against version A.

    ``a`` and ``b`` hold one sequence of round medians (ns) per run; empty runs are ignored.
    ``names`` are used in the reason ("too few rounds: v1.3 has 3, need 5").
    """
    import numpy as np

    if not 0 <= threshold < 1:
        raise ValueError(f"threshold must be in [0, 1), got {threshold}")
    runs_a = [np.asarray(r, dtype=np.float64) for r in a if len(r)]
    runs_b = [np.asarray(r, dtype=np.float64) for r in b if len(r)]
    n_a = sum(len(r) for r in runs_a)
    n_b = sum(len(r) for r in runs_b)

    def inconclusive(reason: str, **figures: float | None) -> Verdict:
        return Verdict(
            INCONCLUSIVE,
            figures.get("ratio"),
            figures.get("ci_low"),
            figures.get("ci_high"),
            figures.get("p_value"),
            n_a,
            n_b,
            reason,
        )

    for name, n in zip(names, (n_a, n_b), strict=True):
        if n < min_rounds:
            return inconclusive(f"too few rounds: {name} has {n}, need {min_rounds}")
    pooled_a = np.concatenate(runs_a)
    pooled_b = np.concatenate(runs_b)
    median_a = float(np.median(pooled_a))
    if median_a <= 0:
        return inconclusive(f"median round of {names[0]} is {median_a:g} ns, cannot form a ratio")
    ratio = float(np.median(pooled_b)) / median_a

    rng = np.random.default_rng(seed)
    boot_a = _bootstrap_medians(runs_a, resamples, rng)
    boot_b = _bootstrap_medians(runs_b, resamples, rng)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = boot_b / boot_a
    tail = (1.0 - confidence) / 2.0
    ci_low, ci_high = (float(x) for x in np.quantile(ratios, [tail, 1.0 - tail]))
    p_value = _mann_whitney_p(pooled_a, pooled_b)
    figures = {"ratio": ratio, "ci_low": ci_low, "ci_high": ci_high, "p_value": p_value}

    def verdict(kind: str, reason: str) -> Verdict:
        return Verdict(kind, ratio, ci_low, ci_high, p_value, n_a, n_b, reason)

    ci = f"CI {ci_low:.3f}-{ci_high:.3f}"
    significant = p_value < alpha and (ci_low > 1.0 or ci_high < 1.0)
    # The whole interval beyond the threshold on one side: the direction and the size are
    # certain even when the interval is wide (a 3x regression on a noisy machine).
    beyond = ci_low > 1.0 + threshold or ci_high < 1.0 - threshold
    noise = max(1.0 - ci_low / ratio, ci_high / ratio - 1.0) if ratio > 0 else float("inf")
    if noise > max_noise and not (significant and beyond):
        return inconclusive(f"too noisy: {ci}", **figures)
    single = [name for name, runs in zip(names, (runs_a, runs_b), strict=True) if len(runs) == 1]
    if significant and single and threshold <= abs(ratio - 1.0) < single_run_threshold:
        return inconclusive(
            f"one run only: {ratio - 1.0:+.1%} could be run-to-run noise with a single run "
            f"of {' and '.join(single)}; run again to judge changes under "
            f"{_pct(single_run_threshold)}",
            **figures,
        )
    if significant and abs(ratio - 1.0) >= threshold:
        # Whole runs must bear the change out, not only the rounds: rounds of one run share a
        # process (hash seed, allocator, code placement) and a spell of machine load, so runs
        # of the same code differ by a few percent or, on a busy machine, much more.
        between_p = _between_runs_p(runs_a, runs_b)  # None unless 2+ runs a side
        confirmed = between_p is not None and between_p < alpha
        runs_note = (
            f" (between whole runs p={between_p:.2g}, {len(runs_a)}+{len(runs_b)} runs)"
            if between_p is not None
            else ""
        )
        if abs(ratio - 1.0) < single_run_threshold:
            # A change the size of process-layout noise: only a test between runs can tell.
            if between_p is not None and not confirmed:
                return inconclusive(
                    f"runs vary: {ratio - 1.0:+.1%} is not significant between whole runs"
                    f"{runs_note}; run each version more times",
                    **figures,
                )
        else:
            spread = _run_spread(runs_a, runs_b)
            change = max(ratio, 1.0 / ratio) if ratio > 0 else float("inf")
            if spread is not None and change <= spread and not confirmed:
                # Runs of the *same* version already differ this much, and a test between
                # runs cannot separate the versions either.
                return inconclusive(
                    f"runs differ: runs of one version differ by up to {spread - 1.0:.0%}, "
                    f"as much as the {ratio - 1.0:+.1%} change{runs_note}; "
                    f"run each version more times",
                    **figures,
                )
    if significant and abs(ratio - 1.0) >= threshold:
        kind = SLOWER if ratio > 1.0 else FASTER
        return verdict(kind, f"{ratio - 1.0:+.1%}, p={p_value:.2g}, {ci}")
    if significant:
        return verdict(
            NO_CHANGE,
            f"{ratio - 1.0:+.1%} is real (p={p_value:.2g}) "
            f"but below the {_pct(threshold)} threshold",
        )
    if ci_low >= 1.0 - threshold and ci_high <= 1.0 + threshold:
        return verdict(NO_CHANGE, f"p={p_value:.2g}, {ci} within +/-{_pct(threshold)}")
    return inconclusive(f"too noisy: {ci} cannot rule out a {_pct(threshold)} change", **figures)


def _run_spread(*sides: list[Any]) -> float | None:
    """The largest ratio between the medians of two runs of the same version (None when no
    version has two runs): the run-to-run noise the data themselves show."""
    import numpy as np

    spread = None
    for runs in sides:
        if len(runs) < 2:
            continue
        medians = [float(np.median(r)) for r in runs]
        low = min(medians)
        if low > 0:
            side = max(medians) / low
            spread = side if spread is None else max(spread, side)
    return spread


def _between_runs_p(runs_a: list[Any], runs_b: list[Any]) -> float | None:
    """A two-sample t-test on the log medians of whole runs (None unless both sides have two
    runs or more): do the versions differ by more than runs of one version differ among
    themselves? Logs, because run-to-run noise is multiplicative. The variance is pooled
    (Student, not Welch): both versions ran on the same machine, so they share one
    run-to-run noise, and with two runs a side Welch's degrees of freedom fall to ~1, which
    would call even a 3x change luck."""
    if len(runs_a) < 2 or len(runs_b) < 2:
        return None
    import numpy as np
    from scipy.stats import ttest_ind

    log_a = np.log([max(float(np.median(r)), 1e-9) for r in runs_a])
    log_b = np.log([max(float(np.median(r)), 1e-9) for r in runs_b])
    if np.ptp(log_a) == 0 and np.ptp(log_b) == 0:
        # No spread at all (synthetic or quantised data): the t statistic is undefined;
        # identical runs on each side leave nothing for luck to explain.
        return 0.0 if log_a[0] != log_b[0] else 1.0
    with warnings.catch_warnings():
        # Runs that agree to the last digits make scipy warn of precision loss; the p-value
        # is still right for our purpose, and a warning must not reach a CLI user's terminal.
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(ttest_ind(log_b, log_a, equal_var=True).pvalue)


def judge_pooled(a: Sequence[float], b: Sequence[float], **options: Any) -> Verdict:
    """``judge`` for samples not grouped by run (each side treated as one run)."""
    return judge([a], [b], **options)


def _pct(fraction: float) -> str:
    return f"{fraction * 100:g}%"  # 2%, 0.5%


def _mann_whitney_p(a: Any, b: Any) -> float:
    from scipy.stats import mannwhitneyu

    if a.min() == a.max() == b.min() == b.max():
        return 1.0  # all samples equal: scipy would warn and return nan
    return float(mannwhitneyu(a, b, alternative="two-sided").pvalue)


def _bootstrap_medians(runs: list[Any], resamples: int, rng: Any) -> Any:
    """Medians of ``resamples`` two-level bootstrap resamples of ``runs`` (a float64 array).

    Each resample draws as many runs as there are, with replacement, then for each drawn run
    as many rounds as it has, with replacement. Runs may have different lengths: each run is
    padded with +inf to the longest, every resample row is sorted, and its median is read from
    the real (finite) part only (sorting these short rows beats ``np.median``).
    """
    import numpy as np

    k = len(runs)
    lengths = np.array([len(r) for r in runs])
    width = int(lengths.max())
    table = np.full((k, width), np.inf)
    for i, run in enumerate(runs):
        table[i, : len(run)] = run
    flat = table.ravel()
    cells = k * width
    uniform = bool((lengths == width).all())
    chunk = max(1, _CHUNK_CELLS // cells)
    medians = np.empty(resamples)
    for start in range(0, resamples, chunk):
        n = min(chunk, resamples - start)
        picked = rng.integers(0, k, size=(n, k, 1))  # which runs
        if uniform:
            rounds = rng.integers(0, width, size=(n, k, width))
            total = np.full(n, cells)
        else:
            picked_len = lengths[picked]  # (n, k, 1)
            # Draw a round of each picked run; positions past its length read the +inf pad.
            rounds = (rng.random((n, k, width)) * picked_len).astype(np.intp)
            rounds[np.arange(width) >= picked_len] = width - 1
            total = picked_len.sum(axis=(1, 2))
        values = np.sort(flat.take(picked * width + rounds).reshape(n, cells), axis=1)
        rows = np.arange(n)
        medians[start : start + n] = (
            values[rows, (total - 1) // 2] + values[rows, total // 2]
        ) / 2.0
    return medians
