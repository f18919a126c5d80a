"""Golden tests of the BEN-* (economic assistance) controls (analytics/controls/ben.py) on crafted data, on DuckDB and Spark."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.analytics.conftest import engines, run_control

from tillit.analytics.runner import render_explanation

D = date

A1, A2, A3, A4 = "198001011234", "198502021234", "199003031234", "200812311234"


def _pay(
    pid,
    hid,
    applicant,
    period,
    amount="8000.00",
    co=None,
    account=None,
    address="Storgatan 4",
    postal="231 42",
    apartment="1201",
):
    return {
        "payment_id": pid,
        "household_id": hid,
        "applicant": applicant,
        "co_applicant": co,
        "period": period,
        "amount": Decimal(amount),
        "paid_date": D(int(period[:4]), int(period[5:]), 6),
        "bank_account": account or f"BANK:{hid}",
        "address": address,
        "postal_code": postal,
        "apartment": apartment,
    }


_run = run_control


def _person(
    pnr,
    address="Storgatan 4",
    postal="23142",
    apartment="1201",
    status="folkbokförd",
    status_date=None,
    birth=None,
):
    return {
        "personnummer": pnr,
        "address": address,
        "postal_code": postal,
        "apartment": apartment,
        "status": status,
        "status_date": status_date,
        "birth_date": birth,
        "registered_from": D(2015, 1, 1),
    }


@engines()
def test_one_account_for_two_households_in_the_same_month(tmp_path, engine):
    hits = _run(
        tmp_path,
        engine,
        "BEN-SHARED-ACCOUNT",
        benefit_payments=[
            _pay("a3", "H1", A1, "2025-03", "9000.00", account="BG:1"),
            _pay("b3", "H2", A2, "2025-03", account="BG:1"),
            _pay("a4", "H1", A1, "2025-04", "9000.00", account="BG:1"),  # alone that month
            _pay("c3", "H3", A3, "2025-03", account="BG:3"),
            _pay("c4", "H3", A3, "2025-04", account="BG:3"),
        ],
    )
    assert [(h.evidence_keys, h.amount_at_risk) for h in hits] == [
        (["benefit_payments:a3", "benefit_payments:b3"], Decimal("8000.00"))
    ]
    assert render_explanation(hits[0]) == (
        "The account BG:1 received economic assistance for 2 households in the "
        "same months (2025-03 to 2025-03)."
    )


@engines()
def test_crowded_flat_and_two_households_from_one_flat(tmp_path, engine):
    crowded = [_person(f"19{70 + i}01011234") for i in range(7)]
    child = _person(A4, birth=D(2008, 12, 31))  # 17 in April 2025: not an adult
    flat2 = [
        _person(A1, address="Lindvägen 63", apartment="1332"),
        _person(A2, address="Lindvägen 63", apartment="1332"),
    ]
    hits = _run(
        tmp_path,
        engine,
        "BEN-CROWDED",
        population=[*crowded, child, *flat2],
        benefit_payments=[
            _pay("c4", "H1", "197001011234", "2025-04"),
            _pay("d9", "H2", A1, "2025-09", address="Lindvägen 63", apartment="1332"),
            _pay("e9", "H3", A2, "2025-09", address="Lindvägen 63", apartment="1332"),
        ],
    )
    assert [h.evidence_keys for h in hits] == [
        ["benefit_payments:c4", *sorted(f"population:19{70 + i}01011234" for i in range(7))],
        ["benefit_payments:d9", "benefit_payments:e9", f"population:{A1}", f"population:{A2}"],
    ]
    assert render_explanation(hits[0]) == (
        "7 adults are registered at Storgatan 4 lgh 1201, where economic "
        "assistance was paid for 2025-04 to 2025-04."
    )
    # with a limit of seven, seven adults are within it
    (tmp_path / "seven").mkdir()
    assert (
        _run(
            tmp_path / "seven",
            engine,
            "BEN-CROWDED",
            {"max_adults": 7},
            population=[*crowded, child],
            benefit_payments=[_pay("c4", "H1", "197001011234", "2025-04")],
        )
        == []
    )


@engines()
def test_benefit_address_differs_from_the_registered_one(tmp_path, engine):
    hits = _run(
        tmp_path,
        engine,
        "BEN-ADDRESS",
        population=[_person(A1, address="Ringvägen 9"), _person(A2, address="STORGATAN 4.")],
        benefit_payments=[
            _pay("a2", "H1", A1, "2025-02"),
            _pay("a3", "H1", A1, "2025-03"),
            _pay("b2", "H2", A2, "2025-02"),
        ],
    )
    assert [h.evidence_keys for h in hits] == [
        ["benefit_payments:a2", "benefit_payments:a3", f"population:{A1}"]
    ]
    assert render_explanation(hits[0]) == (
        "Economic assistance for 2025-02 to 2025-03 names the address Storgatan 4; "
        "the applicant is registered at Ringvägen 9."
    )


@engines()
def test_payment_after_death_or_emigration_from_the_next_month(tmp_path, engine):
    hits = _run(
        tmp_path,
        engine,
        "BEN-DECEASED",
        population=[
            _person(A1, status="avliden", status_date=D(2025, 4, 17)),
            _person(A2, status="utvandrad", status_date=D(2025, 7, 31)),
            _person(A3),
        ],
        benefit_payments=[
            _pay("a4", "H1", A1, "2025-04"),
            _pay("a5", "H1", A1, "2025-05"),
            _pay("a6", "H1", A1, "2025-06"),
            _pay("b7", "H2", A3, "2025-07", co=A2),
            _pay("b8", "H2", A3, "2025-08", co=A2),
            _pay("c3", "H3", A3, "2025-03"),
        ],
    )
    assert [(h.evidence_keys, h.amount_at_risk) for h in hits] == [
        (["benefit_payments:a5", "benefit_payments:a6", f"population:{A1}"], Decimal("16000.00")),
        (["benefit_payments:b8", f"population:{A2}"], Decimal("8000.00")),
    ]
    assert render_explanation(hits[1]) == (
        "The co-applicant emigrated on 2025-07-31, and economic assistance was paid "
        "for 2025-08 to 2025-08 (number of payments: 1)."
    )


@engines()
def test_one_person_in_two_households(tmp_path, engine):
    hits = _run(
        tmp_path,
        engine,
        "BEN-DOUBLE-HOUSEHOLD",
        benefit_payments=[
            _pay("a2", "H1", A1, "2025-02", co=A2),
            _pay("b2", "H2", A3, "2025-02", "5000.00", co=A2),
            _pay("a3", "H1", A1, "2025-03", co=A2),
            _pay("c3", "H3", A2, "2025-04"),
        ],
    )  # other months: fine
    assert [(h.subject_id, h.evidence_keys, h.amount_at_risk) for h in hits] == [
        (A2, ["benefit_payments:a2", "benefit_payments:b2"], Decimal("5000.00"))
    ]


@engines()
def test_assistance_while_employed(tmp_path, engine):
    hits = _run(
        tmp_path,
        engine,
        "BEN-EMPLOYED",
        employees=[
            {
                "employee_id": "E1",
                "personnummer": A1,
                "role": "undersköterska",
                "employed_from": D(2025, 3, 15),
            },
            {
                "employee_id": "E2",
                "personnummer": A2,
                "employed_from": D(2020, 1, 1),
                "employed_to": D(2024, 12, 31),
            },
        ],
        benefit_payments=[
            _pay("a2", "H1", A1, "2025-02"),
            _pay("a3", "H1", A1, "2025-03"),
            _pay("b1", "H2", A2, "2025-01"),
        ],
    )
    assert [h.evidence_keys for h in hits] == [["benefit_payments:a3", "employees:E1"]]
    assert render_explanation(hits[0]) == (
        "The applicant was employed by the municipality (undersköterska) in the "
        "months 2025-03 to 2025-03, for which economic assistance was paid."
    )


@engines()
def test_assistance_and_a_company_the_municipality_paid(tmp_path, engine):
    hits = _run(
        tmp_path,
        engine,
        "BEN-COMPANY",
        company_roles=[
            {
                "orgnr": "5566778899",
                "personnummer": A1,
                "role": "ägare",
                "valid_from": D(2020, 5, 1),
            }
        ],
        suppliers=[
            {
                "supplier_id": "S1",
                "name": "Glimåkra Möbler HB",
                "orgnr": "5566778899",
                "orgnr_valid": True,
            }
        ],
        invoices=[
            {
                "invoice_id": "I5",
                "supplier_id": "S1",
                "invoice_number": "1",
                "invoice_date": D(2025, 5, 12),
                "amount": Decimal("6390.23"),
            },
            {
                "invoice_id": "I0",
                "supplier_id": "S1",
                "invoice_number": "0",
                "invoice_date": D(2024, 5, 12),
                "amount": Decimal("100.00"),
            },
        ],
        benefit_payments=[_pay("a4", "H1", A1, "2025-04"), _pay("b4", "H2", A2, "2025-04")],
    )
    assert [h.evidence_keys for h in hits] == [
        ["benefit_payments:a4", "invoices:I5", "suppliers:S1"]
    ]
    assert render_explanation(hits[0]) == (
        "The applicant is ägare of Glimåkra Möbler HB, which invoiced the municipality 6\u00a0390,23\u00a0kr in 2025, "
        "the year the household was paid 8\u00a0000,00\u00a0kr in economic assistance."
    )
