"""The importer's vectorised shortcuts give what the value-by-value rules give (issue 19): the
day-first/month-first counts of a date column, and which invoice numbers can be a date."""

from __future__ import annotations

import random

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from tillit.analytics import ingest


def _value(rng: random.Random) -> str | None:
    r = rng.random()
    if r < 0.05:
        return None
    if r < 0.15:
        return rng.choice(
            ["", "  ", "x", "2025-01-02", " 1/2/2025 ", "99/99/2025", "1/2/20255", "31.12.25"]
        )
    sep = rng.choice("/.-")
    return (
        f"{rng.randint(1, 31)}{sep}{rng.randint(1, 31)}{rng.choice('/.-')}"
        f"{rng.choice(['2025', '25'])}{rng.choice(['', ' 10:30', 'T10:30:15'])}"
    )


def _loop(values: list[str | None], st: dict) -> None:
    # the rule of ingest._decide_dates, value by value
    for value in values:
        if not value:
            continue
        m = ingest._DMY_RE.match(value.strip())
        if not m:
            continue
        a, b = int(m.group(1)), int(m.group(3))
        st["seps"].add(m.group(2))
        if a > 12 >= b:
            st["day"] += 1
            st["day_example"] = st["day_example"] or value.strip()
        elif b > 12 >= a:
            st["month"] += 1
            st["month_example"] = st["month_example"] or value.strip()
        elif a <= 12 and b <= 12:
            st["ambiguous"] += 1
            st["example"] = st["example"] or value.strip()


def _fresh() -> dict:
    return {
        "day": 0,
        "month": 0,
        "ambiguous": 0,
        "seps": set(),
        "day_example": None,
        "month_example": None,
        "example": None,
    }


@pytest.mark.parametrize("seed", range(3))
def test_date_order_counts_match_the_value_by_value_rule(seed):
    rng = random.Random(seed)
    for _ in range(50):
        batches = [[_value(rng) for _ in range(rng.randint(0, 150))] for _ in range(3)]
        expected, got = _fresh(), _fresh()
        for batch in batches:
            _loop(batch, expected)
            assert ingest._count_dmy(pa.array(batch, pa.string()), got)
            assert ingest._any_dmy(pa.array(batch, pa.string())) == any(
                v and ingest._DMY_RE.match(v.strip()) for v in batch
            )
        assert got == expected


def test_values_outside_plain_ascii_are_left_to_the_loop():
    st = _fresh()
    assert not ingest._count_dmy(pa.array(["1/2/2025", "١/٢/2025"]), st)
    assert st == _fresh()


@pytest.mark.parametrize("fmt", sorted(ingest._DATE_SHAPES))
def test_the_integer_date_shape_is_the_pattern(fmt):
    rng = random.Random(fmt)
    values = [f"{rng.randint(0, 10**8):0{rng.choice([6, 8])}d}" for _ in range(3000)]
    values += ["", "12a456", "１２３４５６", None]
    text = pa.array(values, pa.string())
    digits = pc.fill_null(pc.ascii_is_decimal(text), False)
    none = pa.array([False] * len(values))
    shape = ingest._date_shape(text, digits, pc.binary_length(text), fmt, none)
    expected = pc.fill_null(pc.match_substring_regex(text, ingest._DATE_SHAPES[fmt]), False)
    assert (shape if shape is not None else none).equals(expected)
