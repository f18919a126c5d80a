"""The arithmetic of sampling checked against published figures.

Sources:
- AICPA Audit Guide "Audit Sampling" (2017 ed.; the tables are unchanged since 2008), Appendix C:
  Table C-1, "Monetary Unit Sample Size Determination Tables" (5 % and 10 % risk of incorrect
  acceptance, zero expected misstatement) and Table C-3, "Monetary Unit Sampling — Confidence
  Factors for Sample Evaluation" (the 5 % and 10 % columns: 3.00, 4.75, 6.30, 7.76, 9.16, 10.52 and
  2.31, 3.89, 5.33, 6.69, 8.00). The same factors are reprinted as Exhibit FA.2 in textbooks.
- AICPA Audit Guide "Audit Sampling", Appendix A, Table A-3 "Statistical Sample Results Evaluation
  Table for Tests of Controls — Upper Limits at 5 Percent Risk of Overreliance" (n = 60: 0 → 4.9 %,
  1 → 7.7 %, 2 → 10.2 %; n = 100: 0 → 3.0 %, 1 → 4.7 %, 2 → 6.2 %).
- The worked MUS evaluation of Louwers, Ramsay, Sinason, Strawser & Thibodeau, "Auditing & Assurance
  Services" (McGraw-Hill), chapter on audit sampling, problem "Upper Limit on Misstatements Calculation:
  Monetary Unit Sampling" (accounts receivable, 5 % risk of incorrect acceptance, tolerable
  misstatement $65,000, sampling interval $12,300, three misstatements), evaluated by the AICPA
  guide's method (chapter 6, "Evaluating the sample results": an item at or above the interval
  counts at its actual misstatement; taintings ranked; incremental allowance = projected
  misstatement × (factor increase − 1)). The figures below are worked by hand in the comments.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from tillit.sampling import stats
from tillit.sampling.stats import Examined


@pytest.mark.parametrize(
    ("confidence", "factors"),
    [
        ("0.95", ["3.00", "4.75", "6.30", "7.76", "9.16", "10.52"]),
        ("0.90", ["2.31", "3.89", "5.33", "6.69", "8.00", "9.28"]),
    ],
)
def test_reliability_factors_are_the_aicpa_table_c3(confidence, factors):
    assert [str(stats.reliability_factor(k, Decimal(confidence))) for k in range(6)] == factors


@pytest.mark.parametrize(
    ("confidence", "tolerable_share", "size"),
    [
        # Table C-1, zero expected misstatement, tolerable misstatement as a share of the population
        ("0.95", "0.05", 60),
        ("0.95", "0.10", 30),
        ("0.95", "0.03", 100),
        ("0.95", "0.02", 150),
        ("0.90", "0.05", 47),
        ("0.90", "0.10", 24),
        ("0.90", "0.02", 116),
    ],
)
def test_mus_sample_size_is_table_c1(confidence, tolerable_share, size):
    total = Decimal("10000000")
    assert (
        stats.mus_sample_size(total, total * Decimal(tolerable_share), Decimal(confidence)) == size
    )


def test_the_worked_mus_example():
    interval = Decimal("12300")
    items = [
        Examined(
            book=Decimal("15000"), audited=Decimal("12500"), top=True
        ),  # ≥ interval: 2 500 as it is
        Examined(book=Decimal("10000"), audited=Decimal("4000")),  # tainting 0.60 → 7 380
        Examined(book=Decimal("3000"), audited=Decimal("2000")),  # tainting 1/3 → 4 100
        Examined(book=Decimal("800"), audited=Decimal("800")),  # no remark
    ]
    result = stats.mus_evaluate(items, interval, Decimal("0.95"))
    # basic precision 3.00 × 12 300 = 36 900
    assert result["basic_precision"] == Decimal("36900")
    # projected: 2 500 + 0.60 × 12 300 + 1/3 × 12 300 = 2 500 + 7 380 + 4 100 = 13 980
    assert result["projected_misstatement"].quantize(Decimal("0.01")) == Decimal("13980.00")
    assert [r["tainting"].quantize(Decimal("0.0001")) for r in result["taintings"]] == [
        Decimal("0.6000"),
        Decimal("0.3333"),
    ]
    # incremental: 7 380 × (4.75 − 3.00 − 1) + 4 100 × (6.30 − 4.75 − 1) = 5 535 + 2 255 = 7 790
    assert [r["step"] for r in result["taintings"]] == [Decimal("0.75"), Decimal("0.55")]
    assert result["incremental_allowance"].quantize(Decimal("0.01")) == Decimal("7790.00")
    # upper limit 36 900 + 13 980 + 7 790 = 58 670, within the tolerable 65 000
    assert result["upper_limit"].quantize(Decimal("0.01")) == Decimal("58670.00")
    assert result["upper_limit"] < Decimal("65000")


def test_no_deviation_leaves_basic_precision_only_and_understatements_apart():
    interval = Decimal("50000")
    clean = stats.mus_evaluate(
        [Examined(Decimal("900"), Decimal("900"))], interval, Decimal("0.90")
    )
    assert (clean["upper_limit"], clean["projected_misstatement"]) == (
        Decimal("115500.00"),
        Decimal(0),
    )
    under = stats.mus_evaluate(
        [Examined(Decimal("1000"), Decimal("1500"))], interval, Decimal("0.95")
    )
    assert under["upper_limit"] == Decimal("150000.00") and under["understatement"] == Decimal(
        "-25000.0"
    )


@pytest.mark.parametrize(
    ("n", "k", "upper"),
    [(60, 0, 4.9), (60, 1, 7.7), (60, 2, 10.2), (100, 0, 3.0), (100, 1, 4.7), (100, 2, 6.2)],
)
def test_clopper_pearson_upper_limit_is_table_a3(n, k, upper):
    # the table prints the exact limit rounded up to a tenth of a per cent
    assert math.ceil(stats.clopper_pearson_upper(k, n, 0.95) * 1000) / 10 == upper


def test_mus_draw_is_systematic_from_a_random_start_and_the_same_from_the_same_seed():
    amounts = [Decimal(a) for a in (100, 2500, 40, 12000, 700, 3300, 90, 5100, 260, 880)]
    total = sum(amounts)  # 24 970, interval 4 994
    draw = stats.mus_draw(amounts, 5, seed=42)
    assert draw.interval == total / 5
    assert 0 < draw.start <= draw.interval
    assert {3, 7} <= set(draw.indices) and draw.top == {
        3,
        7,
    }  # 12 000 and 5 100 ≥ 4 994: always drawn
    # the selected item of each point is the one whose cumulative range holds it
    cumulative, bounds = Decimal(0), []
    for a in amounts:
        bounds.append((cumulative, cumulative + a))
        cumulative += a
    points = [draw.start + j * draw.interval for j in range(5)]
    expected = sorted(
        {next(i for i, (lo, hi) in enumerate(bounds) if lo < p <= hi) for p in points}
    )
    assert draw.indices == expected
    assert stats.mus_draw(amounts, 5, seed=42).indices == draw.indices
    starts = {stats.mus_draw(amounts, 5, seed=s).start for s in range(20)}
    assert len(starts) == 20


def test_srs_draw_without_replacement_and_repeatable():
    one = stats.srs_draw(1000, 50, seed=7)
    assert len(set(one.indices)) == 50 and one.indices == sorted(one.indices)
    assert stats.srs_draw(1000, 50, seed=7).indices == one.indices
    assert stats.srs_draw(1000, 50, seed=8).indices != one.indices


def test_srs_difference_estimation():
    # 4 items examined of 200: differences 0, 0, 100, 0 → mean 25, projected 25 × 200 = 5 000
    items = [
        Examined(Decimal(b), Decimal(a))
        for b, a in ((500, 500), (300, 300), (400, 300), (200, 200))
    ]
    result = stats.srs_evaluate(items, 200, Decimal("0.95"))
    assert result["projected_misstatement"] == Decimal("5000.00")
    assert (result["deviations"], result["rate"]) == (1, 0.25)
    # sd = 50, z(0.95) = 1.644854, fpc = √(1 − 4/200) = 0.989949
    # upper = (25 + 1.644854 × 50 / √4 × 0.989949) × 200 = (25 + 40.70804) × 200 = 13 141.61
    assert result["upper_limit"] == Decimal("13141.61")


def test_bad_parameters_are_refused():
    with pytest.raises(stats.SamplingError):
        stats.mus_sample_size(Decimal(1000), Decimal(0), Decimal("0.95"))
    with pytest.raises(stats.SamplingError):
        stats.mus_draw([Decimal(0)], 1, seed=1)
