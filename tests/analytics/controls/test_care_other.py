"""Home care, parking permit, ledger and holiday controls on crafted data, on DuckDB and Spark;
the holiday calendar against the `holidays` library."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import duckdb
import holidays
from tests.analytics.conftest import engines, run_control

from tillit.analytics.controls._sql import HOLIDAY_DATES, is_weekend_sql
from tillit.analytics.runner import render_explanation

SE = ZoneInfo("Europe/Stockholm")
D = date
C1, C2 = "193001011234", "193502021234"


def _at(y, m, d, h, mi=0):
    return datetime(y, m, d, h, mi, tzinfo=SE)


def _visit(vid, client, staff, start, minutes, provider="5560000001"):
    return {"visit_id": vid, "provider_orgnr": provider, "client": client, "staff_id": staff, "start": start,
            "end": start + timedelta(minutes=minutes), "billed_minutes": minutes, "service": "hemtjänst"}


_run = run_control


def test_the_calendar_is_the_holidays_library_and_weekends_are_saturday_and_sunday():
    library = holidays.country_holidays("SE", years=range(2000, 2041))
    assert set(HOLIDAY_DATES) == {d for d in library if d.weekday() != 6}
    assert D(2025, 6, 6) in HOLIDAY_DATES and D(2025, 12, 25) in HOLIDAY_DATES and D(2025, 6, 5) not in HOLIDAY_DATES
    days = [D(1999, 12, 25) + timedelta(days=i) for i in range(20)] + [D(2025, 3, 15), D(2025, 3, 17)]
    for day in days:
        [(weekend,)] = duckdb.sql(f"SELECT {is_weekend_sql(repr(day.isoformat()) + '::DATE')}").fetchall()
        assert weekend == (day.weekday() >= 5), day


@engines()
def test_overlapping_visits_but_not_back_to_back(tmp_path, engine):
    hits = _run(tmp_path, engine, "CARE-OVERLAP", care_visits=[
        _visit("V1", C1, "S1", _at(2025, 3, 11, 9), 60), _visit("V2", C2, "S1", _at(2025, 3, 11, 9, 30), 45),
        _visit("V3", C1, "S2", _at(2025, 2, 18, 10), 30), _visit("V4", C2, "S2", _at(2025, 2, 18, 10, 30), 30),
        _visit("V5", C1, "S3", _at(2025, 2, 18, 10), 30), _visit("V6", C2, "S3", _at(2025, 2, 18, 10, 25), 30),
        # across midnight
        _visit("V7", C1, "S4", _at(2025, 2, 18, 23, 30), 60), _visit("V8", C2, "S4", _at(2025, 2, 19, 0, 0), 30)])
    assert [h.evidence_keys for h in hits] == [["care_visits:V1", "care_visits:V2"], ["care_visits:V7", "care_visits:V8"]]
    assert render_explanation(hits[0]) == ("Staff member S1 was billed at two clients at the same time for 30 minutes "
                                           "from 2025-03-11 09:30.")


@engines()
def test_long_days_by_local_date(tmp_path, engine):
    long_day = [_visit(f"L{i}", C1, "S1", _at(2025, 6, 14, 5) + timedelta(minutes=50 * i), 50) for i in range(21)]
    normal = [_visit(f"N{i}", C1, "S2", _at(2025, 6, 14, 7) + timedelta(minutes=60 * i), 60) for i in range(16)]
    hits = _run(tmp_path, engine, "CARE-LONG-DAY", care_visits=[*long_day, *normal])
    assert [h.subject_id for h in hits] == ["S1"] and len(hits[0].evidence_keys) == 21
    assert render_explanation(hits[0]) == "Staff member S1 was billed for 17,5 hours in 21 visits on 2025-06-14."


@engines()
def test_care_after_death_from_the_next_day(tmp_path, engine):
    hits = _run(tmp_path, engine, "CARE-DECEASED",
                population=[{"personnummer": C1, "status": "avliden", "status_date": D(2025, 4, 3)},
                            {"personnummer": C2, "status": "folkbokförd"}],
                care_visits=[_visit("V1", C1, "S1", _at(2025, 4, 3, 22), 30),  # the day of death
                             _visit("V2", C1, "S1", _at(2025, 4, 4, 0, 30), 30),
                             _visit("V3", C2, "S1", _at(2025, 4, 4, 8), 30)])
    assert [h.evidence_keys for h in hits] == [["care_visits:V2", f"population:{C1}"]]


@engines()
def test_more_time_than_granted_beyond_the_tolerance(tmp_path, engine):
    decisions = [{"decision_id": "B1", "client": C1, "provider_orgnr": "5560000001", "valid_from": D(2024, 1, 1),
                  "granted_minutes_per_month": 600},
                 {"decision_id": "B2", "client": C2, "provider_orgnr": "5560000001", "valid_from": D(2024, 1, 1),
                  "granted_minutes_per_month": 600}]
    visits = ([_visit(f"A{i}", C1, "S1", _at(2025, 9, 1 + i, 8), 60) for i in range(11)]  # 660: within 10 %
              + [_visit(f"B{i}", C2, "S1", _at(2025, 9, 1 + i, 8), 60) for i in range(12)])  # 720
    hits = _run(tmp_path, engine, "CARE-OVER-GRANTED", care_decisions=decisions, care_visits=visits)
    assert [h.subject_id for h in hits] == [C2]
    assert hits[0].evidence_keys[0] == "care_decisions:B2" and len(hits[0].evidence_keys) == 13
    assert render_explanation(hits[0]) == "720 minutes were billed in 2025-09 for a client granted 600 minutes a month."


@engines()
def test_parking_permit_valid_after_death(tmp_path, engine):
    hits = _run(tmp_path, engine, "PERMIT-DECEASED",
                population=[{"personnummer": C1, "status": "avliden", "status_date": D(2025, 2, 11)},
                            {"personnummer": C2, "status": "avliden", "status_date": D(2025, 7, 2)}],
                parking_permits=[{"permit_id": "P1", "holder": C1, "valid_from": D(2024, 6, 1),
                                  "valid_to": D(2027, 5, 31)},
                                 {"permit_id": "P2", "holder": C2, "valid_from": D(2023, 5, 1),
                                  "valid_to": D(2025, 7, 2)}])
    assert [h.evidence_keys for h in hits] == [["parking_permits:P1", f"population:{C1}"]]


@engines()
def test_odd_manual_vouchers(tmp_path, engine):
    def voucher(vid, at, account, amount, by="E1"):
        return [{"voucher_id": vid, "voucher_date": at.date(), "account": account, "amount": Decimal(amount),
                 "series": "M", "registered_by": by, "registered_at": at},
                {"voucher_id": vid, "voucher_date": at.date(), "account": "1930", "amount": -Decimal(amount),
                 "series": "M", "registered_by": by, "registered_at": at}]

    rows = (voucher("W", _at(2025, 7, 12, 14, 22), "6420", "50000") + voucher("H", _at(2025, 12, 25, 10), "4010", "25000")
            + voucher("N", _at(2025, 9, 17, 23, 41), "5410", "120000")
            + voucher("OK", _at(2025, 9, 17, 10), "5410", "120000")  # a working day
            + voucher("ODD", _at(2025, 7, 12, 14), "6420", "50000.50")  # not round
            + voucher("BS", _at(2025, 7, 12, 14), "1510", "50000")  # not an expense account
            + voucher("SYS", _at(2025, 7, 12, 14), "6420", "50000", by="SYSTEM"))
    hits = _run(tmp_path, engine, "LEDGER-MANUAL-ODD", ledger=rows)
    assert [(h.subject_id, h.amount_at_risk) for h in hits] == [
        ("H", Decimal("25000.00")), ("N", Decimal("120000.00")), ("W", Decimal("50000.00"))]
    assert render_explanation(hits[2]) == ("Manual voucher W of 50\u00a0000,00\u00a0kr on expense account 6420 was "
                                           "registered by E1 on a weekend, 2025-07-12 14:22.")


@engines()
def test_invoices_dated_on_holidays_and_weekends(tmp_path, engine):
    invoices = [{"invoice_id": f"I{i}", "supplier_id": "1", "invoice_number": str(i), "invoice_date": d,
                 "amount": Decimal("100")} for i, d in enumerate([D(2025, 12, 25), D(2025, 6, 6), D(2025, 3, 15),
                                                                  D(2025, 3, 17), D(2025, 6, 5)])]
    hits = _run(tmp_path, engine, "INV-HOLIDAY", invoices=invoices)
    assert [h.evidence_keys for h in hits] == [["invoices:I0"], ["invoices:I1"], ["invoices:I2"]]
    assert render_explanation(hits[0]) == ("Invoice 0 from 1 for 100,00\u00a0kr is dated on a public holiday, "
                                           "2025-12-25.")
