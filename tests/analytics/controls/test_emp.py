"""Golden tests of the EMP-* (employees) controls (analytics/controls/emp.py) on crafted data, on DuckDB and Spark."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.analytics.conftest import engines, run_control

from tillit.analytics.runner import render_explanation


def _sup(sid: str, name: str, orgnr: str | None = None, valid: bool = True, **kw) -> dict:
    return {
        "supplier_id": sid,
        "name": name,
        "orgnr": orgnr,
        "orgnr_valid": valid if orgnr else None,
        **kw,
    }


def _pay(
    pid: str,
    day: date,
    amount: str,
    account: str,
    invoice: str | None = None,
    payee: str | None = None,
) -> dict:
    return {
        "payment_id": pid,
        "payment_date": day,
        "amount": Decimal(amount),
        "bank_account": account,
        "invoice_id": invoice,
        "payee_id": payee,
    }


_run = run_control

D = date


def _inv(iid: str, sid: str, number: str, day: date, amount: str, **kw) -> dict:
    return {
        "invoice_id": iid,
        "supplier_id": sid,
        "invoice_number": number,
        "invoice_date": day,
        "amount": Decimal(amount),
        "board": "Tekniska nämnden",
        **kw,
    }


@engines()
def test_employee_tied_to_a_supplier(tmp_path, engine):
    employees = [
        {
            "employee_id": "E1",
            "personnummer": "198001011234",
            "name": "Emma Engström",
            "unit": "Tekniska nämnden",
            "employed_from": D(2015, 1, 1),
        },
        {
            "employee_id": "E2",
            "personnummer": "198001021234",
            "name": "Per Ek",
            "unit": "Socialnämnden",
            "address": "Storgatan 12 B",
            "postal_code": "271 39",
            "employed_from": D(2015, 1, 1),
        },
        {
            "employee_id": "E3",
            "personnummer": "198001031234",
            "name": "Ola Ny",
            "unit": "Socialnämnden",
            "employed_from": D(2025, 6, 1),
        },
    ]
    hits = _run(
        tmp_path,
        engine,
        "EMP-SUPPLIER",
        employees=employees,
        suppliers=[
            _sup("1", "Näsby Bygg AB", "5560000001"),
            _sup(
                "2", "Ängby Konsult AB", "5560000002", address="STORGATAN 12 b", postal_code="27139"
            ),
            _sup("3", "Tidigare AB", "5560000003"),
        ],
        company_roles=[
            {
                "orgnr": "5560000001",
                "personnummer": "198001011234",
                "role": "ägare",
                "valid_from": D(2019, 5, 1),
            },
            # E3 was employed only after the payment
            {
                "orgnr": "5560000003",
                "personnummer": "198001031234",
                "role": "ägare",
                "valid_from": D(2019, 5, 1),
            },
        ],
        payments=[
            _pay("P1", D(2025, 3, 15), "1000.00", "BG:1", payee="1"),
            _pay("P2", D(2025, 11, 4), "38900.00", "BG:2", payee="2"),
            _pay("P3", D(2025, 3, 15), "5.00", "BG:3", payee="3"),
        ],
    )
    assert [(h.subject_id, h.evidence_keys, h.amount_at_risk) for h in hits] == [
        ("E1", ["employees:E1", "payments:P1", "suppliers:1"], Decimal("1000.00")),
        ("E2", ["employees:E2", "payments:P2", "suppliers:2"], Decimal("38900.00")),
    ]
    assert render_explanation(hits[0]) == (
        "Emma Engström (Tekniska nämnden) is ägare of Näsby Bygg AB, which was "
        "paid 1\u00a0000,00\u00a0kr while both the role and the employment were "
        "valid."
    )


@engines()
def test_attestation_by_an_owner_or_by_the_registrar(tmp_path, engine):
    hits = _run(
        tmp_path,
        engine,
        "EMP-ATTEST",
        employees=[
            {"employee_id": "E1", "personnummer": "198001011234", "name": "Emma Engström"},
            {"employee_id": "E2", "personnummer": "198001021234", "name": "Per Ek"},
        ],
        suppliers=[
            _sup("1", "Näsby Bygg AB", "5560000001"),
            _sup("2", "Lindby Evenemang AB", "5560000002"),
        ],
        company_roles=[
            {
                "orgnr": "5560000001",
                "personnummer": "198001011234",
                "role": "ägare",
                "valid_from": D(2019, 5, 1),
            }
        ],
        invoices=[
            _inv("I1", "1", "1", D(2025, 3, 15), "100.00", attested_by="E1", registered_by="R1"),
            _inv("I2", "1", "2", D(2025, 6, 15), "200.00", attested_by="E1", registered_by="R1"),
            _inv("I3", "2", "3", D(2025, 10, 22), "24503.11", attested_by="E2", registered_by="E2"),
            _inv("I4", "2", "4", D(2025, 10, 22), "5.00", attested_by="E2", registered_by="R1"),
        ],
    )
    assert [(h.subject_id, h.evidence_keys, h.amount_at_risk) for h in hits] == [
        ("E1", ["employees:E1", "invoices:I1", "invoices:I2"], Decimal("300.00")),
        ("E2", ["invoices:I3"], Decimal("24503.11")),
    ]
    assert (
        render_explanation(hits[1])
        == "Per Ek both registered and attested the invoice from Lindby Evenemang AB."
    )
