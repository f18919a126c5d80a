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


EMPLOYED, ROLE_FROM = D(2020, 1, 1), D(2019, 1, 1)


def _emp(eid: str, pnr: str, name: str, start=EMPLOYED, end=None, politician=False) -> dict:
    return {
        "employee_id": eid,
        "personnummer": pnr,
        "name": name,
        "unit": "Socialnämnden",
        "employed_from": start,
        "employed_to": end,
        "politician": politician,
    }


def _role(orgnr: str, pnr: str, role: str, start=ROLE_FROM, end=None) -> dict:
    return {"orgnr": orgnr, "personnummer": pnr, "role": role, "valid_from": start, "valid_to": end}


def _job(eid: str, orgnr: str, declared: date, decision: str, decided: date | None = None) -> dict:
    return {
        "employee_id": eid,
        "orgnr": orgnr,
        "declared_date": declared,
        "decision": decision,
        "decided_date": decided,
    }


@engines()
def test_undeclared_side_job_with_payment(tmp_path, engine):
    O1, O2, O3, O4, A1 = "5560000011", "5560000022", "5560000033", "5560000044", "8020000055"
    employees = [
        _emp("E1", "198001011234", "Anna Berg"),
        # employed from 1 April: a payment in March is outside the employment
        _emp("E2", "198502021234", "Bo Ek", start=D(2025, 4, 1)),
        _emp("E3", "199003031234", "Cecilia Dahl"),
        _emp("P1", "197004041234", "Daniel Falk", politician=True),
    ]
    roles = [
        _role(O1, "198001011234", "styrelseledamot"),
        _role(O1, "198001011234", "firmatecknare"),
        _role(O2, "198502021234", "VD"),
        # E3's role ends on 31 May: the June payment is not in it
        _role(O3, "199003031234", "ägare", end=D(2025, 5, 31)),
        _role(O4, "198001011234", "styrelseledamot"),
        _role(A1, "197004041234", "styrelseledamot"),
    ]
    suppliers = [
        _sup("S1", "Omsorgspartner Syd AB", O1),
        _sup("S1B", "Omsorgspartner Syd AB (gamla)", O1),
        _sup("S2", "Bergkvist AB", O2),
        _sup("S3", "Dahl Konsult AB", O3),
        _sup("S4", "Lindqvist Trädgård AB", O4),
    ]
    payments = [
        # E1 at O1: paid twice, never declared (one of them through an invoice of the other record)
        _pay("P1", D(2025, 3, 14), "104610.00", "BG:1", payee="S1"),
        _pay("P2", D(2025, 9, 10), "107790.00", "BG:1", invoice="I1"),
        # E2 at O2: March is before the employment; the side job was refused on 3 February
        _pay("P3", D(2025, 3, 3), "1000.00", "BG:2", payee="S2"),
        _pay("P4", D(2025, 4, 23), "58265.50", "BG:2", payee="S2"),
        # E3 at O3: a payment while the role holds, declared but not yet tried (ej prövad clears nothing);
        # after the role ended: not counted
        _pay("P5", D(2025, 5, 30), "20000.00", "BG:3", payee="S3"),
        _pay("P6", D(2025, 6, 2), "30000.00", "BG:3", payee="S3"),
        # E1 at O4: approved the day before the first payment; the payment on the day of the declaration,
        # before it was approved, is already covered (declared on or before the day)
        _pay("P7", D(2025, 5, 21), "36897.00", "BG:4", payee="S4"),
        _pay("P8", D(2025, 5, 22), "41301.50", "BG:4", payee="S4"),
    ]
    invoices = [_inv("I1", "S1B", "7001", D(2025, 8, 11), "107790.00")]
    side_jobs = [
        _job("E2", O2, D(2025, 1, 13), "ej godkänd", D(2025, 2, 3)),
        _job("E3", O3, D(2025, 1, 10), "ej prövad"),
        _job("E1", O4, D(2025, 5, 21), "godkänd", D(2025, 5, 28)),
        # declared after the grant decision: P1's grant is undeclared
        _job("P1", A1, D(2025, 2, 1), "godkänd", D(2025, 2, 5)),
    ]
    grants = [
        {
            "grant_id": "G1",
            "board": "Kultur- och fritidsnämnden",
            "recipient_orgnr": A1,
            "recipient_orgnr_valid": True,
            "recipient_name": "Stora IF",
            "amount": Decimal("142000.00"),
            "period_from": D(2025, 1, 1),
            "period_to": D(2025, 12, 31),
            "decided_date": D(2024, 11, 11),
        },
        {
            "grant_id": "G2",
            "board": "Kultur- och fritidsnämnden",
            "recipient_orgnr": A1,
            "recipient_orgnr_valid": True,
            "recipient_name": "Stora IF",
            "amount": Decimal("50000.00"),
            "period_from": D(2025, 7, 1),
            "period_to": D(2025, 12, 31),
            "decided_date": D(2025, 6, 2),
        },
    ]
    hits = _run(
        tmp_path,
        engine,
        "EMP-UNDECLARED-ROLE",
        employees=employees,
        company_roles=roles,
        side_jobs=side_jobs,
        suppliers=suppliers,
        payments=payments,
        invoices=invoices,
        grants=grants,
    )
    assert [(h.evidence_keys, h.amount_at_risk, h.severity) for h in hits] == [
        (
            ["employees:E1", "payments:P1", "payments:P2", "suppliers:S1", "suppliers:S1B"],
            Decimal("212400.00"),
            "medel",
        ),
        (["employees:E2", "payments:P4", "suppliers:S2"], Decimal("58265.50"), "hög"),
        (["employees:E3", "payments:P5", "suppliers:S3"], Decimal("20000.00"), "medel"),
        (["employees:P1", "grants:G1"], Decimal("142000.00"), "medel"),
    ]
    assert render_explanation(hits[0]) == (
        "Anna Berg (Socialnämnden) is firmatecknare, styrelseledamot of Omsorgspartner Syd AB (5560000011), which "
        "was paid or granted 212\u00a0400,00\u00a0kr between 2025-03-14 and 2025-09-10 (number of payments and "
        "grants: 2) without an approved side job declared for it."
    )
    assert render_explanation(hits[1]) == (
        "Bo Ek (Socialnämnden) is VD of Bergkvist AB (5560000022), a side job that was refused on 2025-02-03; the "
        "organisation was paid or granted 58\u00a0265,50\u00a0kr on 2025-04-23 without an approved side job "
        "declared."
    )
