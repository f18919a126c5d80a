"""Golden tests of the PLACE-* (placements) controls (analytics/controls/place.py) on crafted data, on DuckDB
and Spark."""

from __future__ import annotations

from datetime import date as D
from decimal import Decimal

from tests.analytics.conftest import engines, run_control

from tillit.analytics.runner import render_explanation

CHILD, OTHER = "201203042383", "201105062395"
HVB, FAM = "5560000001", "5560000002"


def _bill(bid: str, placement: str, client: str, orgnr: str, start: D, end: D, amount: str) -> dict:
    return {
        "billing_id": bid,
        "placement_id": placement,
        "client": client,
        "provider_orgnr": orgnr,
        "days_from": start,
        "days_to": end,
        "amount": Decimal(amount),
    }


@engines()
def test_one_child_billed_twice_for_the_same_days(tmp_path, engine):
    hits = run_control(
        tmp_path,
        engine,
        "PLACE-OVERLAP",
        placement_billing=[
            # the HVB home bills the whole of March; the family home from 20 March: 12 common days
            _bill("B1", "PL1", CHILD, HVB, D(2025, 3, 1), D(2025, 3, 31), "96100.00"),
            _bill("B2", "PL2", CHILD, FAM, D(2025, 3, 20), D(2025, 4, 18), "30000.00"),
            # one placement billing the same 15 days of June twice
            _bill("B3", "PL3", OTHER, HVB, D(2025, 6, 1), D(2025, 6, 30), "90000.00"),
            _bill("B4", "PL3", OTHER, HVB, D(2025, 6, 16), D(2025, 6, 30), "45000.00"),
            # a move on 15 May: the old placement bills up to the day it ends, the new one from the day after
            _bill("B5", "PL4", CHILD, HVB, D(2025, 5, 1), D(2025, 5, 15), "45000.00"),
            _bill("B6", "PL5", CHILD, FAM, D(2025, 5, 16), D(2025, 5, 31), "16000.00"),
            # a credit (negative amount) is not a billed day
            _bill("B7", "PL5", CHILD, FAM, D(2025, 5, 20), D(2025, 5, 21), "-2000.00"),
        ],
    )
    assert [(h.subject_id, h.evidence_keys, h.amount_at_risk, h.severity) for h in hits] == [
        (
            CHILD,
            ["placement_billing:B1", "placement_billing:B2", "placements:PL1", "placements:PL2"],
            Decimal("12000.00"),
            "hög",
        ),
        (
            OTHER,
            ["placement_billing:B3", "placement_billing:B4", "placements:PL3"],
            Decimal("45000.00"),
            "hög",
        ),
    ]
    assert render_explanation(hits[0]) == (
        f"{CHILD} was billed by two placements for the same 12 days between 2025-03-20 and 2025-03-31: PL1 "
        f"({HVB}) and PL2 ({FAM}); 12\u00a0000,00\u00a0kr was billed twice."
    )
    assert render_explanation(hits[1]) == (
        f"{OTHER} was billed twice under placement PL3 ({HVB}) for the same 15 days between 2025-06-16 and "
        "2025-06-30; 45\u00a0000,00\u00a0kr was billed twice."
    )


@engines()
def test_a_shared_last_day_is_a_hit_and_other_children_are_not(tmp_path, engine):
    hits = run_control(
        tmp_path,
        engine,
        "PLACE-OVERLAP",
        placement_billing=[
            _bill("B1", "PL1", CHILD, HVB, D(2025, 5, 1), D(2025, 5, 15), "45000.00"),
            _bill("B2", "PL2", CHILD, FAM, D(2025, 5, 15), D(2025, 5, 31), "17000.00"),
            _bill("B3", "PL3", OTHER, FAM, D(2025, 5, 1), D(2025, 5, 31), "31000.00"),
        ],
    )
    assert [(h.evidence_keys, h.amount_at_risk) for h in hits] == [
        (
            ["placement_billing:B1", "placement_billing:B2", "placements:PL1", "placements:PL2"],
            Decimal("1000.00"),
        )
    ]


def _placement(pid: str, rate: str) -> dict:
    return {
        "placement_id": pid,
        "client": CHILD,
        "provider_orgnr": HVB,
        "kind": "HVB",
        "valid_from": D(2025, 1, 1),
        "daily_rate": Decimal(rate),
    }


@engines()
def test_billed_per_day_above_the_agreed_rate(tmp_path, engine):
    hits = run_control(
        tmp_path,
        engine,
        "PLACE-RATE",
        placements=[_placement("PL1", "3100.00"), _placement("PL2", "2500.00")],
        placement_billing=[
            # 3 250 kr a day for 31 days: 4.8 % over
            _bill("B1", "PL1", CHILD, HVB, D(2025, 8, 1), D(2025, 8, 31), "100750.00"),
            # at the rate: not counted in the amount
            _bill("B2", "PL1", CHILD, HVB, D(2025, 9, 1), D(2025, 9, 30), "93000.00"),
            # exactly 2 % over is within the tolerance; one öre more is not
            _bill("B3", "PL2", OTHER, HVB, D(2025, 8, 1), D(2025, 8, 30), "76500.00"),
            _bill("B4", "PL2", OTHER, HVB, D(2025, 9, 1), D(2025, 9, 30), "76500.01"),
            # a credit is not billed days
            _bill("B5", "PL2", OTHER, HVB, D(2025, 10, 1), D(2025, 10, 2), "-100.00"),
        ],
    )
    assert [(h.subject_id, h.evidence_keys, h.amount_at_risk, h.severity) for h in hits] == [
        ("PL1", ["placement_billing:B1", "placements:PL1"], Decimal("4650.00"), "medel"),
        ("PL2", ["placement_billing:B4", "placements:PL2"], Decimal("1500.01"), "medel"),
    ]
    assert render_explanation(hits[0]) == (
        f"Placement PL1 ({HVB}, agreed daily rate 3\u00a0100,00\u00a0kr) was billed 100\u00a0750,00\u00a0kr for 31 days "
        "(number of bills: 1), more than the daily rate plus 2 percent; 4\u00a0650,00\u00a0kr above the agreed rate."
    )


@engines()
def test_days_billed_outside_the_placement_or_after_death(tmp_path, engine):
    ended = {**_placement("PL1", "1000.00"), "valid_to": D(2025, 5, 15)}
    hits = run_control(
        tmp_path,
        engine,
        "PLACE-OUTSIDE",
        placements=[
            ended,
            _placement("PL2", "1000.00"),
            {**_placement("PL3", "1000.00"), "client": OTHER},
        ],
        population=[{"personnummer": OTHER, "status": "avliden", "status_date": D(2025, 6, 10)}],
        placement_billing=[
            # the whole of May for a placement that ended on 15 May: 16 days outside
            _bill("B1", "PL1", CHILD, HVB, D(2025, 5, 1), D(2025, 5, 31), "31000.00"),
            # billed up to the day it ends: not a hit
            _bill("B2", "PL1", CHILD, HVB, D(2025, 4, 1), D(2025, 5, 15), "45000.00"),
            # before the placement started (1 January 2025): 5 days
            _bill("B3", "PL2", CHILD, HVB, D(2024, 12, 27), D(2025, 1, 10), "15000.00"),
            # billed up to the day of death is inside; the 20 days after it are not
            _bill("B4", "PL3", OTHER, HVB, D(2025, 6, 1), D(2025, 6, 10), "10000.00"),
            _bill("B5", "PL3", OTHER, HVB, D(2025, 6, 1), D(2025, 6, 30), "30000.00"),
        ],
    )
    assert [(h.evidence_keys, h.amount_at_risk, h.severity) for h in hits] == [
        (["placement_billing:B1", "placements:PL1"], Decimal("16000.00"), "hög"),
        (["placement_billing:B3", "placements:PL2"], Decimal("5000.00"), "hög"),
        (["placement_billing:B5", "placements:PL3"], Decimal("20000.00"), "hög"),
    ]
    assert render_explanation(hits[2]) == (
        f"Bill B5 of placement PL3 for {OTHER}, 30\u00a0000,00\u00a0kr for 2025-06-01 to 2025-06-30, holds 20 days "
        "after the client died or emigrated on 2025-06-10: 20\u00a0000,00\u00a0kr."
    )
