"""Golden tests of the APP-* (applications for economic assistance) controls (analytics/controls/app.py) on
crafted data, on DuckDB and Spark."""

from __future__ import annotations

from datetime import date as D
from decimal import Decimal

from tests.analytics.conftest import engines, run_control

from tillit.analytics.runner import render_explanation

A1, A2, A3, A4, A5, A6, C1 = (
    "198001011234",
    "198502021234",
    "199003031234",
    "197004041234",
    "196505051234",
    "199506061234",
    "198207071234",
)


def _app(
    aid: str, hh: str, pnr: str, period: str, received: D, amount: str | None, account: str, **kw
) -> dict:
    return {
        "application_id": aid,
        "household_id": hh,
        "applicant": pnr,
        "period": period,
        "received_date": received,
        "applied_amount": None if amount is None else Decimal(amount),
        "bank_account": account,
        "address": "Storgatan 4",
        "postal_code": "572 31",
        "decision": "ej beslutad",
        **kw,
    }


def _pay(pid: str, hh: str, pnr: str, period: str, account: str, co: str | None = None) -> dict:
    return {
        "payment_id": pid,
        "household_id": hh,
        "applicant": pnr,
        "co_applicant": co,
        "period": period,
        "amount": Decimal("8000.00"),
        "paid_date": D(2025, 4, 25),
        "bank_account": account,
    }


def _person(
    pnr: str, address: str = "Storgatan 4", status: str = "folkbokförd", on: D | None = None
) -> dict:
    return {
        "personnummer": pnr,
        "address": address,
        "postal_code": "572 31",
        "registered_from": D(2020, 1, 1),
        "status": status,
        "status_date": on,
    }


@engines()
def test_applications_read_as_payments_of_their_month(tmp_path, engine):
    R = D(2025, 4, 28)
    applications = [
        # an account another household is paid to for the same month (hög); the same household's own
        # payment for the month is not another household
        _app("AP1", "H1", A1, "2025-05", R, "9400.00", "BG:111"),
        # the co-applicant emigrated in March (hög); refused already, still examined
        _app(
            "AP2",
            "H2",
            A2,
            "2025-05",
            R,
            "7600.00",
            "BG:222",
            co_applicant=C1,
            decision="avslag",
            decided_date=D(2025, 5, 2),
        ),
        # a person applying in a second household for the month (hög); no amount applied for: 0
        _app("AP3", "H3", A3, "2025-05", R, None, "BG:333"),
        # the address is not the registered one, and the applicant is employed in May (medel, both named)
        _app("AP4", "H4", A4, "2025-05", R, "6100.00", "BG:444"),
        # nothing wrong: the applicant died in May, the application is for May (the month of death is not a hit)
        _app("AP5", "H5", A5, "2025-05", R, "5000.00", "BG:555"),
        # decided before it was received: a data error, not compared
        _app("AP6", "H6", A6, "2025-05", R, "5000.00", "BG:111", decided_date=D(2025, 4, 1)),
    ]
    payments = [
        _pay("B1", "H9", "199909091234", "2025-05", "BG:111"),
        _pay("B2", "H1", A1, "2025-05", "BG:111"),
        _pay("B3", "H8", "198808081234", "2025-05", "BG:888", co=A3),
        _pay("B4", "H8", "198808081234", "2025-04", "BG:888", co=A4),
    ]
    population = [
        _person(A1),
        _person(A2),
        _person(C1, status="utvandrad", on=D(2025, 3, 20)),
        _person(A3),
        _person(A4, address="Ringvägen 9"),
        _person(A5, status="avliden", on=D(2025, 5, 10)),
        _person(A6),
    ]
    employees = [
        {
            "employee_id": "E1",
            "personnummer": A4,
            "role": "undersköterska",
            "employed_from": D(2025, 5, 31),
        },
    ]
    hits = run_control(
        tmp_path,
        engine,
        "APP-BEFORE-PAYMENT",
        benefit_applications=applications,
        benefit_payments=payments,
        population=population,
        employees=employees,
    )
    assert [(h.evidence_keys, h.amount_at_risk, h.severity) for h in hits] == [
        (["benefit_applications:AP1", "benefit_payments:B1"], Decimal("9400.00"), "hög"),
        (["benefit_applications:AP2", f"population:{C1}"], Decimal("7600.00"), "hög"),
        (["benefit_applications:AP3", "benefit_payments:B3"], Decimal("0.00"), "hög"),
        (
            ["benefit_applications:AP4", "employees:E1", f"population:{A4}"],
            Decimal("6100.00"),
            "medel",
        ),
    ]
    assert render_explanation(hits[0]) == (
        "Application AP1 for 2025-05 (received 2025-04-28, 9\u00a0400,00\u00a0kr) would raise BEN-SHARED-ACCOUNT if "
        "paid: the account BG:111 is also named for household H9 for the same month."
    )
    assert render_explanation(hits[1]) == (
        "Application AP2 for 2025-05 (received 2025-04-28, 7\u00a0600,00\u00a0kr) would raise BEN-DECEASED if paid: "
        "the co-applicant emigrated on 2025-03-20."
    )
    assert render_explanation(hits[3]) == (
        "Application AP4 for 2025-05 (received 2025-04-28, 6\u00a0100,00\u00a0kr) would raise BEN-ADDRESS, "
        "BEN-EMPLOYED if paid: it names the address Storgatan 4, while the applicant is registered at Ringvägen 9."
    )


@engines()
def test_an_application_decided_before_it_was_received_is_counted_as_not_comparable(
    tmp_path, engine
):
    from tests.analytics.conftest import write_source

    from tillit.analytics.runner import run_controls

    rows = [
        _app("AP1", "H1", A1, "2025-05", D(2025, 4, 28), "5000.00", "BG:1"),
        _app(
            "AP2",
            "H2",
            A2,
            "2025-05",
            D(2025, 4, 28),
            "5000.00",
            "BG:1",
            decided_date=D(2025, 4, 1),
        ),
    ]
    source = write_source(tmp_path, "benefit_applications", rows)
    result = run_controls({"benefit_applications": source}, ["APP-BEFORE-PAYMENT"], engine=engine)
    [control] = result.controls
    assert (control.not_applicable, control.not_comparable, control.hits) == (None, 1, [])


@engines()
def test_two_applications_of_two_households_name_each_other(tmp_path, engine):
    R = D(2025, 6, 2)
    hits = run_control(
        tmp_path,
        engine,
        "APP-BEFORE-PAYMENT",
        benefit_applications=[
            _app("AP1", "H1", A1, "2025-06", R, "5000.00", "BG:1"),
            _app("AP2", "H2", A2, "2025-06", R, "6000.00", "BG:1"),
            # another month: not the same month
            _app("AP3", "H3", A3, "2025-07", R, "6000.00", "BG:1"),
        ],
    )
    assert [(h.evidence_keys, h.severity) for h in hits] == [
        (["benefit_applications:AP1", "benefit_applications:AP2"], "hög"),
        (["benefit_applications:AP1", "benefit_applications:AP2"], "hög"),
    ]
