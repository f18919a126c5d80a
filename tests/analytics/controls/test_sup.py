"""Golden tests of the SUP-* (supplier records) controls (analytics/controls/sup.py) on crafted data, on DuckDB and Spark."""

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


def _acc(sid: str, account: str, start: date, end: date | None = None) -> dict:
    return {"supplier_id": sid, "bank_account": account, "valid_from": start, "valid_to": end}


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


@engines()
def test_duplicate_supplier_records(tmp_path, engine):
    hits = _run(
        tmp_path,
        engine,
        "SUP-DUPLICATE",
        suppliers=[
            _sup("1", "Lindholms Transport AB", "5561234567"),
            _sup("2", "Lindholm Transport", "5561234567"),
            _sup("3", "Sjöbergs Elservice AB", "5566778899", postal_code="271 39"),
            _sup("4", "SJÖBERGS ELSERVICE", postal_code="27139"),
            _sup("5", "Hedlunds Trädgård AB", "5560000001"),
            _sup("6", "Grönt & Skött AB", "5560000002"),
            # the same name in another town is another company
            _sup("7", "Sundqvist Måleri AB", "5560000003", postal_code="27139"),
            _sup("8", "Sundqvist Måleri AB", "5560000004", postal_code="90325"),
        ],
        supplier_accounts=[
            _acc("5", "BG:50501055", D(2020, 1, 1)),
            _acc("6", "BG:50501055", D(2023, 3, 1)),
        ],
    )
    assert [h.evidence_keys for h in hits] == [
        ["suppliers:1", "suppliers:2"],
        ["suppliers:3", "suppliers:4"],
        ["suppliers:5", "suppliers:6"],
    ]
    assert render_explanation(hits[1]) == (
        "The supplier records Sjöbergs Elservice AB and SJÖBERGS ELSERVICE have "
        "nearly the same name and the same postal code, 27139."
    )


@engines()
def test_duplicate_supplier_records_are_one_hit_per_organisation_number_or_account(
    tmp_path, engine
):
    hits = _run(
        tmp_path,
        engine,
        "SUP-DUPLICATE",
        suppliers=[
            # a region's committees: three records of one organisation number, two accounts
            _sup("R1", "Region Skåne Hälso- och sjukvårdsnämnden", "2321000255"),
            _sup("R2", "Region Skåne Kulturnämnden", "2321000255"),
            _sup("R3", "Region Skåne Regionstyrelsen", "2321000255"),
            # three companies paid to one account
            _sup("A1", "Alfa Bygg AB", "5560000011"),
            _sup("A2", "Beta Bygg AB", "5560000012"),
            _sup("A3", "Gamma Bygg AB", "5560000013"),
        ],
        supplier_accounts=[
            _acc("R1", "BG:1111-2222", D(2020, 1, 1)),
            _acc("R2", "BG:1111-2222", D(2020, 1, 1)),
            _acc("R3", "BG:3333-4444", D(2021, 1, 1)),
            _acc("A1", "BG:9999-0000", D(2020, 1, 1)),
            _acc("A2", "BG:9999-0000", D(2022, 1, 1)),
            _acc("A3", "BG:9999-0000", D(2024, 1, 1)),
        ],
    )
    # one hit per group, never one per pair (three pairs each); R1 and R2 share an account, but they
    # share the organisation number too, so that is the group
    assert [h.evidence_keys for h in hits] == [
        ["suppliers:A1", "suppliers:A2", "suppliers:A3"],
        ["suppliers:R1", "suppliers:R2", "suppliers:R3"],
    ]
    assert render_explanation(hits[1]) == (
        "3 supplier records have the same organisation number, 2321000255: Region Skåne Hälso- och "
        "sjukvårdsnämnden, Region Skåne Kulturnämnden, Region Skåne Regionstyrelsen; they are paid to 2 "
        "different bank accounts."
    )
    assert hits[1].explanation_params["bank_accounts"] == "BG:1111-2222, BG:3333-4444"
    assert render_explanation(hits[0]) == (
        "3 supplier records have the same bank account, BG:9999-0000: Alfa Bygg AB, Beta Bygg AB, "
        "Gamma Bygg AB."
    )


@engines()
def test_invalid_or_missing_organisation_number_of_a_paid_supplier(tmp_path, engine):
    hits = _run(
        tmp_path,
        engine,
        "SUP-ORGNR",
        suppliers=[
            _sup("1", "Klippan Verktyg AB", "5561234568", valid=False),
            _sup("2", "Utan Nummer AB"),
            _sup("3", "Giltig AB", "5566778899"),
            _sup("4", "Unpaid AB", "5561234568", valid=False),
            _sup("5", "Dansk ApS", country="DK"),
        ],
        invoices=[_inv("I1", "1", "1", D(2025, 7, 8), "22840.35")],
        payments=[
            _pay("P1", D(2025, 8, 7), "22840.35", "BG:1", invoice="I1"),
            _pay("P2", D(2025, 8, 7), "100.00", "BG:2", payee="2"),
            _pay("P3", D(2025, 8, 7), "100.00", "BG:3", payee="3"),
            _pay("P5", D(2025, 8, 7), "100.00", "BG:5", payee="5"),
        ],
    )
    assert [(h.evidence_keys, h.amount_at_risk) for h in hits] == [
        (["payments:P1", "suppliers:1"], Decimal("22840.35")),
        (["payments:P2", "suppliers:2"], Decimal("100.00")),
    ]
    assert render_explanation(hits[0]) == (
        "Klippan Verktyg AB's organisation number 5561234568 fails the checksum; "
        "the supplier was paid 22\u00a0840,35\u00a0kr (number of payments: 1)."
    )


@engines()
def test_payment_to_a_supplier_with_defects_uses_the_status_known_at_the_payment_date(
    tmp_path, engine
):
    suppliers = [_sup(str(i), f"Leverantör {i}", f"55600000{i:02d}") for i in range(1, 7)]
    status = [
        # 1: bankrupt from 14 May (checked later); paid 28 May
        {
            "orgnr": "5560000001",
            "checked_date": D(2025, 5, 20),
            "f_tax": True,
            "status": "Konkurs",
            "status_date": D(2025, 5, 14),
        },
        # 2: lost F-tax on 3 March; paid 20 March
        {"orgnr": "5560000002", "checked_date": D(2025, 1, 3), "f_tax": True},
        {"orgnr": "5560000002", "checked_date": D(2025, 3, 3), "f_tax": False},
        # 3: tax debt; 4: VAT charged without VAT registration
        {
            "orgnr": "5560000003",
            "checked_date": D(2025, 8, 4),
            "f_tax": True,
            "tax_debt": Decimal("86400.00"),
        },
        {
            "orgnr": "5560000004",
            "checked_date": D(2024, 12, 9),
            "f_tax": True,
            "vat_registered": False,
        },
        # 5: F-tax lost only after the payment; 6: not VAT-registered but charged no VAT
        {"orgnr": "5560000005", "checked_date": D(2025, 1, 1), "f_tax": True},
        {"orgnr": "5560000005", "checked_date": D(2025, 6, 1), "f_tax": False},
        {
            "orgnr": "5560000006",
            "checked_date": D(2025, 1, 1),
            "f_tax": True,
            "vat_registered": False,
        },
    ]
    invoices = [
        _inv("I4", "4", "1207", D(2025, 2, 10), "15625.00", vat_amount=Decimal("3125.00")),
        _inv("I6", "6", "1", D(2025, 2, 10), "100.00", vat_amount=Decimal("0.00")),
    ]
    payments = [
        _pay("P1", D(2025, 5, 28), "56340.90", "BG:1", payee="1"),
        _pay("P1b", D(2025, 5, 2), "10.00", "BG:1", payee="1"),
        _pay("P2", D(2025, 3, 20), "42118.40", "BG:2", payee="2"),
        _pay("P3", D(2025, 9, 5), "27905.10", "BG:3", payee="3"),
        _pay("P4", D(2025, 3, 12), "15625.00", "BG:4", invoice="I4"),
        _pay("P5", D(2025, 3, 1), "500.00", "BG:5", payee="5"),
        _pay("P6", D(2025, 3, 1), "100.00", "BG:6", invoice="I6"),
    ]
    hits = _run(
        tmp_path,
        engine,
        "SUP-STATUS",
        suppliers=suppliers,
        supplier_status=status,
        invoices=invoices,
        payments=payments,
    )
    assert [h.evidence_keys for h in hits] == [
        ["payments:P1", "suppliers:1"],
        ["payments:P2", "suppliers:2"],
        ["payments:P3", "suppliers:3"],
        ["payments:P4", "suppliers:4"],
    ]
    assert render_explanation(hits[0]) == (
        "Leverantör 1 (5560000001) was paid 56\u00a0340,90\u00a0kr from 2025-05-28 (number of payments: 1) after its "
        "register status became konkurs on 2025-05-14."
    )


@engines()
def test_new_supplier_with_a_large_payment(tmp_path, engine):
    hits = _run(
        tmp_path,
        engine,
        "SUP-NEW-LARGE",
        suppliers=[
            _sup("1", "Tomelilla Entreprenad AB", "5560000001", created_date=D(2025, 4, 2)),
            _sup("2", "Stensö Konsult AB", "5560000002", created_date=D(2010, 1, 1)),
            _sup("3", "Gammal AB", "5560000003", created_date=D(2010, 1, 1)),
            _sup("4", "Liten AB", "5560000004", created_date=D(2025, 4, 2)),
        ],
        supplier_status=[
            {
                "orgnr": "5560000002",
                "checked_date": D(2025, 8, 8),
                "registered_date": D(2025, 6, 30),
            }
        ],
        payments=[
            _pay("P1", D(2025, 5, 22), "485220.40", "BG:1", payee="1"),
            _pay("P2", D(2025, 9, 17), "312655.00", "BG:2", payee="2"),
            _pay("P3", D(2025, 9, 17), "900000.00", "BG:3", payee="3"),
            _pay("P4", D(2025, 5, 22), "199999.99", "BG:4", payee="4"),
            # 91 days after set-up: outside the window
            _pay("P1b", D(2025, 7, 2), "300000.00", "BG:1", payee="1"),
        ],
    )
    assert [h.evidence_keys for h in hits] == [
        ["payments:P1", "suppliers:1"],
        ["payments:P2", "suppliers:2"],
    ]
    assert render_explanation(hits[1]) == (
        "Stensö Konsult AB was registered as a company on 2025-06-30 and was paid 312\u00a0655,00\u00a0kr from "
        "2025-09-17 (number of large payments: 1)."
    )
