"""Golden tests of the BAB-* (housing adaptation grants) controls (analytics/controls/bab.py) on crafted data,
on DuckDB and Spark."""

from __future__ import annotations

from datetime import date as D
from decimal import Decimal

from tests.analytics.conftest import engines, run_control

from tillit.analytics.runner import render_explanation


def _grant(
    gid: str,
    pnr: str,
    address: str,
    postal: str,
    apartment: str,
    work: str,
    amount: str,
    decided: D,
    contractor: str | None = None,
) -> dict:
    return {
        "grant_id": gid,
        "applicant": pnr,
        "address": address,
        "postal_code": postal,
        "apartment": apartment,
        "work_type": work,
        "contractor_orgnr": contractor,
        "amount": Decimal(amount),
        "decided_date": decided,
    }


@engines()
def test_the_same_adaptation_twice_within_24_months(tmp_path, engine):
    hits = run_control(
        tmp_path,
        engine,
        "BAB-REPEAT",
        housing_adaptations=[
            # a new resident, the same thresholds, 19 months later; the address written differently
            _grant(
                "B1",
                "194501011234",
                "Storgatan 12",
                "572 31",
                "1102",
                "trösklar",
                "18400.00",
                D(2024, 2, 10),
            ),
            _grant(
                "B2",
                "195002021234",
                "STORGATAN 12.",
                "57231",
                "1102",
                "Trösklar ",
                "21300.00",
                D(2025, 9, 15),
            ),
            # another apartment, another work type: not the same adaptation
            _grant(
                "B3",
                "195002021234",
                "Storgatan 12",
                "572 31",
                "1103",
                "trösklar",
                "9000.00",
                D(2025, 1, 5),
            ),
            _grant(
                "B4",
                "195002021234",
                "Storgatan 12",
                "572 31",
                "1102",
                "ramp",
                "9000.00",
                D(2025, 1, 5),
            ),
            # the same contractor, the same bathroom, three times within the window
            _grant(
                "B5",
                "193001011234",
                "Ekvägen 3",
                "572 40",
                "",
                "badrum",
                "95000.00",
                D(2024, 10, 1),
                "5560000001",
            ),
            _grant(
                "B6",
                "193001011234",
                "Ekvägen 3",
                "572 40",
                "",
                "badrum",
                "87000.00",
                D(2025, 5, 20),
                "5560000001",
            ),
            _grant(
                "B7",
                "193001011234",
                "Ekvägen 3",
                "572 40",
                "",
                "badrum",
                "12000.00",
                D(2026, 10, 1),
                "5560000002",
            ),
            # exactly 24 months is within; one day more is not
            _grant(
                "B8",
                "194001011234",
                "Lindvägen 8",
                "572 50",
                "",
                "ramp",
                "30000.00",
                D(2023, 3, 31),
            ),
            _grant(
                "B9",
                "194101011234",
                "Lindvägen 8",
                "572 50",
                "",
                "ramp",
                "31000.00",
                D(2025, 3, 31),
            ),
            _grant(
                "B10",
                "194201011234",
                "Parkvägen 1",
                "572 60",
                "",
                "ramp",
                "30000.00",
                D(2023, 3, 31),
            ),
            _grant(
                "B11",
                "194301011234",
                "Parkvägen 1",
                "572 60",
                "",
                "ramp",
                "31000.00",
                D(2025, 4, 1),
            ),
        ],
    )
    assert [(h.evidence_keys, h.amount_at_risk, h.severity) for h in hits] == [
        (["housing_adaptations:B1", "housing_adaptations:B2"], Decimal("21300.00"), "medel"),
        (
            ["housing_adaptations:B5", "housing_adaptations:B6", "housing_adaptations:B7"],
            Decimal("99000.00"),
            "medel",
        ),
        (["housing_adaptations:B8", "housing_adaptations:B9"], Decimal("31000.00"), "medel"),
    ]
    assert render_explanation(hits[0]) == (
        "Storgatan 12, apartment 1102, was granted the same adaptation, trösklar, 2 times within 24 months between "
        "2024-02-10 and 2025-09-15 (together 39\u00a0700,00\u00a0kr); 21\u00a0300,00\u00a0kr was granted after the "
        "first."
    )
    assert "the same contractor paid more than once" in render_explanation(hits[1])


def _person(
    pnr: str, address: str, postal: str, since: D, status: str = "folkbokförd", on: D | None = None
) -> dict:
    return {
        "personnummer": pnr,
        "address": address,
        "postal_code": postal,
        "registered_from": since,
        "status": status,
        "status_date": on,
    }


@engines()
def test_grants_where_the_applicant_does_not_live(tmp_path, engine):
    rows = [
        # registered elsewhere
        _grant(
            "B1", "194501011234", "Parkvägen 4", "572 31", "", "ramp", "30000.00", D(2025, 3, 3)
        ),
        # registered there, the address written differently, the apartment ignored: not a hit
        _grant(
            "B2", "195002021234", "EKVÄGEN 9", "57240", "1201", "trösklar", "8000.00", D(2025, 3, 3)
        ),
        # moved in after the decision
        _grant(
            "B3", "193001011234", "Lindvägen 8", "572 50", "", "ramp", "25000.00", D(2025, 3, 3)
        ),
        # died before the payment; died on the payment day is not a hit
        _grant(
            "B4", "194001011234", "Tallvägen 2", "572 60", "", "badrum", "90000.00", D(2025, 2, 1)
        ),
        _grant(
            "B5", "194101011234", "Tallvägen 3", "572 60", "", "badrum", "80000.00", D(2025, 2, 1)
        ),
    ]
    rows[3]["paid_date"], rows[4]["paid_date"] = D(2025, 4, 1), D(2025, 4, 1)
    hits = run_control(
        tmp_path,
        engine,
        "BAB-NOT-REGISTERED",
        housing_adaptations=rows,
        population=[
            _person("194501011234", "Ekvägen 9", "572 40", D(2023, 1, 1)),
            _person("195002021234", "Ekvägen 9", "572 40", D(2023, 1, 1)),
            _person("193001011234", "Lindvägen 8", "572 50", D(2025, 3, 4)),
            _person(
                "194001011234", "Tallvägen 2", "572 60", D(2020, 1, 1), "avliden", D(2025, 3, 20)
            ),
            _person(
                "194101011234", "Tallvägen 3", "572 60", D(2020, 1, 1), "avliden", D(2025, 4, 1)
            ),
        ],
    )
    assert [(h.evidence_keys, h.amount_at_risk, h.severity) for h in hits] == [
        (["housing_adaptations:B1"], Decimal("30000.00"), "medel"),
        (["housing_adaptations:B3"], Decimal("25000.00"), "medel"),
        (["housing_adaptations:B4"], Decimal("90000.00"), "hög"),
    ]
    assert render_explanation(hits[0]) == (
        "Grant B1 of 30\u00a0000,00\u00a0kr, decided on 2025-03-03, adapts Parkvägen 4, where the applicant "
        "194501011234 was not registered on that day (registered address: Ekvägen 9)."
    )
    assert render_explanation(hits[2]) == (
        "Grant B4 of 90\u00a0000,00\u00a0kr for Tallvägen 2 was paid on 2025-04-01, after the applicant 194001011234 "
        "died on 2025-03-20."
    )
