"""Golden tests of the CARE-* (home care) controls (analytics/controls/care.py) on crafted data, on DuckDB and Spark."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.analytics.conftest import engines, run_control

from tillit.analytics.runner import render_explanation

SE = ZoneInfo("Europe/Stockholm")

C1, C2 = "193001011234", "193502021234"


def _at(y, m, d, h, mi=0):
    return datetime(y, m, d, h, mi, tzinfo=SE)


def _visit(vid, client, staff, start, minutes, provider="5560000001"):
    return {
        "visit_id": vid,
        "provider_orgnr": provider,
        "client": client,
        "staff_id": staff,
        "start": start,
        "end": start + timedelta(minutes=minutes),
        "billed_minutes": minutes,
        "service": "hemtjänst",
    }


_run = run_control

D = date


@engines()
def test_overlapping_visits_but_not_back_to_back(tmp_path, engine):
    hits = _run(
        tmp_path,
        engine,
        "CARE-OVERLAP",
        care_visits=[
            _visit("V1", C1, "S1", _at(2025, 3, 11, 9), 60),
            _visit("V2", C2, "S1", _at(2025, 3, 11, 9, 30), 45),
            _visit("V3", C1, "S2", _at(2025, 2, 18, 10), 30),
            _visit("V4", C2, "S2", _at(2025, 2, 18, 10, 30), 30),
            _visit("V5", C1, "S3", _at(2025, 2, 18, 10), 30),
            _visit("V6", C2, "S3", _at(2025, 2, 18, 10, 25), 30),
            # across midnight
            _visit("V7", C1, "S4", _at(2025, 2, 18, 23, 30), 60),
            _visit("V8", C2, "S4", _at(2025, 2, 19, 0, 0), 30),
        ],
    )
    assert [h.evidence_keys for h in hits] == [
        ["care_visits:V1", "care_visits:V2"],
        ["care_visits:V7", "care_visits:V8"],
    ]
    assert render_explanation(hits[0]) == (
        "Staff member S1 was billed at two clients at the same time for 30 minutes "
        "from 2025-03-11 09:30."
    )


@engines()
def test_long_days_by_local_date(tmp_path, engine):
    long_day = [
        _visit(f"L{i}", C1, "S1", _at(2025, 6, 14, 5) + timedelta(minutes=50 * i), 50)
        for i in range(21)
    ]
    normal = [
        _visit(f"N{i}", C1, "S2", _at(2025, 6, 14, 7) + timedelta(minutes=60 * i), 60)
        for i in range(16)
    ]
    hits = _run(tmp_path, engine, "CARE-LONG-DAY", care_visits=[*long_day, *normal])
    assert [h.subject_id for h in hits] == ["S1"] and len(hits[0].evidence_keys) == 21
    assert (
        render_explanation(hits[0])
        == "Staff member S1 was billed for 17,5 hours in 21 visits on 2025-06-14."
    )


@engines()
def test_care_after_death_from_the_next_day(tmp_path, engine):
    hits = _run(
        tmp_path,
        engine,
        "CARE-DECEASED",
        population=[
            {"personnummer": C1, "status": "avliden", "status_date": D(2025, 4, 3)},
            {"personnummer": C2, "status": "folkbokförd"},
        ],
        care_visits=[
            _visit("V1", C1, "S1", _at(2025, 4, 3, 22), 30),  # the day of death
            _visit("V2", C1, "S1", _at(2025, 4, 4, 0, 30), 30),
            _visit("V3", C2, "S1", _at(2025, 4, 4, 8), 30),
        ],
    )
    assert [h.evidence_keys for h in hits] == [["care_visits:V2", f"population:{C1}"]]


@engines()
def test_more_time_than_granted_beyond_the_tolerance(tmp_path, engine):
    decisions = [
        {
            "decision_id": "B1",
            "client": C1,
            "provider_orgnr": "5560000001",
            "valid_from": D(2024, 1, 1),
            "granted_minutes_per_month": 600,
        },
        {
            "decision_id": "B2",
            "client": C2,
            "provider_orgnr": "5560000001",
            "valid_from": D(2024, 1, 1),
            "granted_minutes_per_month": 600,
        },
    ]
    visits = (
        [
            _visit(f"A{i}", C1, "S1", _at(2025, 9, 1 + i, 8), 60) for i in range(11)
        ]  # 660: within 10 %
        + [_visit(f"B{i}", C2, "S1", _at(2025, 9, 1 + i, 8), 60) for i in range(12)]
    )  # 720
    hits = _run(tmp_path, engine, "CARE-OVER-GRANTED", care_decisions=decisions, care_visits=visits)
    assert [h.subject_id for h in hits] == [C2]
    assert hits[0].evidence_keys[0] == "care_decisions:B2" and len(hits[0].evidence_keys) == 13
    assert (
        render_explanation(hits[0])
        == "720 minutes were billed in 2025-09 for a client granted 600 minutes a month."
    )
