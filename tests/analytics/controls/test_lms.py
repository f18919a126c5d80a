"""Golden tests of the LMS-* (labour-market programmes) controls (analytics/controls/lms.py) on crafted data,
on DuckDB and Spark."""

from __future__ import annotations

from datetime import date as D
from decimal import Decimal

from tests.analytics.conftest import engines, run_control

from tillit.analytics.runner import render_explanation

P1, P2, P3, P4 = "198501011234", "199002021234", "197003031234", "196004041234"


def _att(
    aid: str,
    pnr: str,
    day: D,
    hours: str,
    programme: str = "Arbetsträning",
    orgnr: str = "5560000001",
) -> dict:
    return {
        "attendance_id": aid,
        "participant": pnr,
        "programme": programme,
        "provider_orgnr": orgnr,
        "date": day,
        "hours": Decimal(hours),
    }


def _person(pnr: str, status: str = "folkbokförd", on: D | None = None) -> dict:
    return {"personnummer": pnr, "status": status, "status_date": on}


@engines()
def test_attendance_after_death_or_emigration_or_too_many_hours_in_a_day(tmp_path, engine):
    attendance = [
        # P1: 8 h at one provider and 4 h at another the same day (12 h); 10 h exactly on another day
        _att("A1", P1, D(2025, 3, 4), "8"),
        _att("A2", P1, D(2025, 3, 4), "4", "Språkkurs", "5560000002"),
        _att("A3", P1, D(2025, 3, 5), "6"),
        _att("A4", P1, D(2025, 3, 5), "4", "Språkkurs", "5560000002"),
        # the same in another month is another hit
        _att("A5", P1, D(2025, 4, 1), "10.5"),
        # P2 died on 10 March: attendance on that day is not a hit, the days after are (hög)
        _att("B1", P2, D(2025, 3, 10), "6"),
        _att("B2", P2, D(2025, 3, 11), "6"),
        _att("B3", P2, D(2025, 3, 12), "6.5"),
        # P3 emigrated on 31 March: April is a hit, March is not
        _att("C1", P3, D(2025, 3, 31), "4"),
        _att("C2", P3, D(2025, 4, 2), "4"),
        # P4 alive, never more than 10 h: not a hit
        _att("D1", P4, D(2025, 3, 4), "7.5"),
        _att("D2", P4, D(2025, 3, 4), "2.5"),
    ]
    hits = run_control(
        tmp_path,
        engine,
        "LMS-ATTENDANCE-IMPOSSIBLE",
        programme_attendance=attendance,
        population=[
            _person(P1),
            _person(P2, "avliden", D(2025, 3, 10)),
            _person(P3, "utvandrad", D(2025, 3, 31)),
            _person(P4),
        ],
    )
    assert [(h.evidence_keys, h.amount_at_risk, h.severity) for h in hits] == [
        (["programme_attendance:A1", "programme_attendance:A2"], Decimal("0.00"), "medel"),
        (["programme_attendance:A5"], Decimal("0.00"), "medel"),
        (["programme_attendance:B2", "programme_attendance:B3"], Decimal("0.00"), "hög"),
        (["programme_attendance:C2"], Decimal("0.00"), "medel"),
    ]
    assert render_explanation(hits[0]) == (
        "198501011234 has more than 10 hours of attendance in one day, across all programmes and providers "
        "(number of such days in 2025-03: 1), at most 12 hours on 2025-03-04."
    )
    assert render_explanation(hits[2]) == (
        "199002021234 has 12,5 hours of attendance in 2025-03 after dying on 2025-03-10 (number of days: 2)."
    )
    assert render_explanation(hits[3]) == (
        "197003031234 has 4 hours of attendance in 2025-04 after emigrating on 2025-03-31 (number of days: 1)."
    )


@engines()
def test_a_long_day_after_death_is_named_with_both_reasons(tmp_path, engine):
    hits = run_control(
        tmp_path,
        engine,
        "LMS-ATTENDANCE-IMPOSSIBLE",
        {"max_hours": 8},
        programme_attendance=[
            _att("A1", P2, D(2025, 3, 11), "6"),
            _att("A2", P2, D(2025, 3, 11), "3", "Praktik", "5560000003"),
            _att("A3", P2, D(2025, 3, 1), "8.25"),
        ],
        population=[_person(P2, "avliden", D(2025, 3, 10))],
    )
    assert [(h.evidence_keys, h.severity) for h in hits] == [
        (["programme_attendance:A1", "programme_attendance:A2", "programme_attendance:A3"], "hög")
    ]
    assert render_explanation(hits[0]) == (
        "199002021234 has 9 hours of attendance in 2025-03 after dying on 2025-03-10 (number of days: 1), and more "
        "than 8 hours in one day (number of such days: 2), at most 9 hours on 2025-03-11."
    )
