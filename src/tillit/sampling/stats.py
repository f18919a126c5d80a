"""The arithmetic of sampling, without Django: sample sizes, the draw and the evaluation.

Monetary-unit sampling (MUS) follows the AICPA Audit Guide "Audit Sampling": the sample size from
the Poisson reliability factor for zero deviations, systematic selection over the cumulative
amounts from a random start, and the upper misstatement limit as basic precision + projected
misstatement + incremental allowance (taintings ranked, each times the increase of the factor
less one). The factors are the Poisson upper limits rounded up to two decimals, as the guide's
table prints them (3.00, 4.75, 6.30 … at 95 %). Simple random sampling (SRS) is evaluated by the
deviation rate with its one-sided Clopper–Pearson upper limit and the misstatement by difference
estimation. Everything that is random comes from `random.Random(seed)`, so a recorded seed makes
the same draw again.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from statistics import NormalDist

CENT = Decimal("0.01")
SIX = Decimal("0.000001")


class SamplingError(ValueError):
    pass


def _poisson_cdf(k: int, lam: float) -> float:
    term = total = math.exp(-lam)
    for j in range(1, k + 1):
        term *= lam / j
        total += term
    return total


def poisson_upper(k: int, confidence: float) -> float:
    """The upper confidence limit of a Poisson mean after k events (exact, by bisection)."""
    if not 0 < confidence < 1:
        raise SamplingError("confidence must be between 0 and 1")
    low, high = 0.0, 50.0 + 10.0 * k
    for _ in range(200):
        mid = (low + high) / 2
        if _poisson_cdf(k, mid) > 1 - confidence:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def reliability_factor(k: int, confidence: Decimal | float) -> Decimal:
    """The factor for k overstatements as the AICPA table gives it: the exact limit rounded up to 0.01."""
    exact = Decimal(repr(poisson_upper(k, float(confidence))))
    return exact.quantize(CENT, rounding=ROUND_CEILING)


def mus_sample_size(total: Decimal, tolerable: Decimal, confidence: Decimal | float) -> int:
    """n = ⌈ total × R / tolerable misstatement ⌉ with R for zero expected deviations."""
    if tolerable is None or tolerable <= 0:
        raise SamplingError("tolerable misstatement must be above zero")
    if total <= 0:
        raise SamplingError("the population total must be above zero")
    return max(1, math.ceil(total * reliability_factor(0, confidence) / tolerable))


@dataclass
class Draw:
    indices: list[int]  # positions in the population, ascending
    top: set[int] = field(default_factory=set)  # positions at or above the interval
    interval: Decimal | None = None
    start: Decimal | None = None


def mus_draw(amounts: list[Decimal], n: int, seed: int) -> Draw:
    """Systematic selection with a random start over the cumulative amounts.

    The interval is total ÷ n; the start is drawn from (0, interval]; the points start,
    start + interval, … select the item whose cumulative range holds them. An item at or above the
    interval is always selected (once).
    """
    total = sum(amounts, Decimal(0))
    if n < 1 or total <= 0:
        raise SamplingError("nothing to draw from")
    interval = (total / n).quantize(SIX, rounding=ROUND_HALF_UP)
    u = Decimal(repr(random.Random(seed).random()))
    start = (interval * (1 - u)).quantize(SIX, rounding=ROUND_HALF_UP) or SIX
    chosen: list[int] = []
    point = start
    cumulative = Decimal(0)
    for i, amount in enumerate(amounts):
        cumulative += amount
        hit = False
        while point <= cumulative:
            hit = True
            point += interval
        if hit or amount >= interval:
            chosen.append(i)
    return Draw(
        indices=chosen,
        top={i for i in chosen if amounts[i] >= interval},
        interval=interval,
        start=start,
    )


def srs_draw(population_size: int, n: int, seed: int) -> Draw:
    """Simple random sampling without replacement of n of the population's positions."""
    if n < 1 or population_size < 1:
        raise SamplingError("nothing to draw from")
    n = min(n, population_size)
    return Draw(indices=sorted(random.Random(seed).sample(range(population_size), n)))


# --- evaluation -----------------------------------------------------------------------------------


@dataclass
class Examined:
    book: Decimal
    audited: Decimal  # equal to book for an item without remark
    top: bool = False


def mus_evaluate(items: list[Examined], interval: Decimal, confidence: Decimal | float) -> dict:
    """Projected misstatement and upper misstatement limit (overstatements), AICPA's method."""
    taintings: list[Decimal] = []
    top_over = Decimal(0)
    under = Decimal(0)
    for item in items:
        difference = item.book - item.audited
        if difference == 0:
            continue
        if item.top:
            if difference > 0:
                top_over += difference
            else:
                under += difference
            continue
        tainting = difference / item.book
        if tainting > 0:
            taintings.append(tainting)
        else:
            under += tainting * interval
    taintings.sort(reverse=True)
    factors = [reliability_factor(k, confidence) for k in range(len(taintings) + 1)]
    basic = factors[0] * interval
    projected_rows = []
    incremental = Decimal(0)
    for rank, tainting in enumerate(taintings, start=1):
        projected = tainting * interval
        step = factors[rank] - factors[rank - 1] - 1
        allowance = projected * step
        incremental += allowance
        projected_rows.append(
            {
                "rank": rank,
                "tainting": tainting,
                "projected": projected,
                "factor": factors[rank],
                "step": step,
                "allowance": allowance,
            }
        )
    projected_total = sum((r["projected"] for r in projected_rows), Decimal(0)) + top_over
    return {
        "factor": factors[0],
        "basic_precision": basic,
        "taintings": projected_rows,
        "top_stratum_misstatement": top_over,
        "projected_misstatement": projected_total,
        "incremental_allowance": incremental,
        "upper_limit": basic + projected_total + incremental,
        "understatement": under,
        "deviations": len(taintings) + (1 if top_over else 0),
    }


def _binomial_cdf(k: int, n: int, p: float) -> float:
    if p <= 0:
        return 1.0
    if p >= 1:
        return 0.0 if k < n else 1.0
    lp, lq = math.log(p), math.log1p(-p)
    total = 0.0
    for j in range(k + 1):
        total += math.exp(
            math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1) + j * lp + (n - j) * lq
        )
    return min(total, 1.0)


def clopper_pearson_upper(k: int, n: int, confidence: float) -> float:
    """One-sided exact upper limit of a rate after k deviations in n."""
    if n <= 0:
        raise SamplingError("no items examined")
    if k >= n:
        return 1.0
    low, high = k / n, 1.0
    for _ in range(200):
        mid = (low + high) / 2
        if _binomial_cdf(k, n, mid) > 1 - confidence:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def srs_evaluate(items: list[Examined], population_size: int, confidence: Decimal | float) -> dict:
    """Deviation rate with its upper limit; misstatement by difference estimation with its upper limit."""
    n = len(items)
    if n == 0:
        raise SamplingError("no items examined")
    conf = float(confidence)
    differences = [float(i.book - i.audited) for i in items]
    k = sum(1 for d in differences if d != 0)
    mean = sum(differences) / n
    sd = math.sqrt(sum((d - mean) ** 2 for d in differences) / (n - 1)) if n > 1 else 0.0
    fpc = math.sqrt(max(0.0, 1 - n / population_size)) if population_size else 1.0
    z = NormalDist().inv_cdf(conf)
    projected = mean * population_size
    upper = (mean + z * sd / math.sqrt(n) * fpc) * population_size
    return {
        "examined": n,
        "deviations": k,
        "rate": k / n,
        "rate_upper": clopper_pearson_upper(k, n, conf),
        "mean_difference": Decimal(repr(mean)).quantize(CENT),
        "sd": sd,
        "z": z,
        "projected_misstatement": Decimal(repr(projected)).quantize(CENT),
        "upper_limit": Decimal(repr(upper)).quantize(CENT),
    }
