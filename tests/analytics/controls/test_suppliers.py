"""Supplier, account and staff controls on crafted data, on DuckDB and Spark."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.analytics.conftest import engines, run_control

from tillit.analytics.runner import render_explanation


def _sup(sid: str, name: str, orgnr: str | None = None, valid: bool = True, **kw) -> dict:
    return {"supplier_id": sid, "name": name, "orgnr": orgnr, "orgnr_valid": valid if orgnr else None, **kw}


def _inv(iid: str, sid: str, number: str, day: date, amount: str, **kw) -> dict:
    return {"invoice_id": iid, "supplier_id": sid, "invoice_number": number, "invoice_date": day,
            "amount": Decimal(amount), "board": "Tekniska nämnden", **kw}


def _pay(pid: str, day: date, amount: str, account: str, invoice: str | None = None, payee: str | None = None) -> dict:
    return {"payment_id": pid, "payment_date": day, "amount": Decimal(amount), "bank_account": account,
            "invoice_id": invoice, "payee_id": payee}


def _acc(sid: str, account: str, start: date, end: date | None = None) -> dict:
    return {"supplier_id": sid, "bank_account": account, "valid_from": start, "valid_to": end}


_run = run_control


D = date


@engines()
def test_same_invoice_number_from_another_supplier(tmp_path, engine):
    hits = _run(tmp_path, engine, "INV-SAME-NO-OTHER-SUPPLIER",
                suppliers=[_sup("1", "Rosendal Konsult AB"), _sup("2", "Vargby Konsultgrupp AB")],
                invoices=[_inv("A", "1", "FA-88314", D(2025, 4, 8), "7915.00"),
                          _inv("B", "2", "FA88314", D(2025, 4, 23), "7915.00"),
                          # too short a number, another amount, and one cancelled by a credit note
                          _inv("C", "1", "1234", D(2025, 4, 8), "50.00"), _inv("D", "2", "1234", D(2025, 4, 9), "50.00"),
                          _inv("E", "1", "55555", D(2025, 4, 8), "60.00"), _inv("F", "2", "55555", D(2025, 4, 9), "61.00"),
                          _inv("G", "1", "77777", D(2025, 4, 8), "70.00"), _inv("H", "2", "77777", D(2025, 4, 9), "70.00"),
                          _inv("K", "2", "K77777", D(2025, 4, 20), "-70.00")])
    assert [h.evidence_keys for h in hits] == [["invoices:A", "invoices:B"]]
    assert render_explanation(hits[0]) == (
        "Invoice FA-88314 from Rosendal Konsult AB (2025-04-08) and invoice FA88314 from Vargby Konsultgrupp AB "
        "(2025-04-23) have the same number and the same amount, 7\u00a0915,00\u00a0kr.")


@engines()
def test_duplicate_supplier_records(tmp_path, engine):
    hits = _run(tmp_path, engine, "SUP-DUPLICATE", suppliers=[
        _sup("1", "Lindholms Transport AB", "5561234567"), _sup("2", "Lindholm Transport", "5561234567"),
        _sup("3", "Sjöbergs Elservice AB", "5566778899", postal_code="271 39"),
        _sup("4", "SJÖBERGS ELSERVICE", postal_code="27139"),
        _sup("5", "Hedlunds Trädgård AB", "5560000001"), _sup("6", "Grönt & Skött AB", "5560000002"),
        # the same name in another town is another company
        _sup("7", "Sundqvist Måleri AB", "5560000003", postal_code="27139"),
        _sup("8", "Sundqvist Måleri AB", "5560000004", postal_code="90325")],
        supplier_accounts=[_acc("5", "BG:50501055", D(2020, 1, 1)), _acc("6", "BG:50501055", D(2023, 3, 1))])
    assert [h.evidence_keys for h in hits] == [
        ["suppliers:1", "suppliers:2"], ["suppliers:3", "suppliers:4"], ["suppliers:5", "suppliers:6"]]
    assert render_explanation(hits[1]) == ("The supplier records Sjöbergs Elservice AB and SJÖBERGS ELSERVICE have "
                                           "nearly the same name and the same postal code, 27139.")


@engines()
def test_invalid_or_missing_organisation_number_of_a_paid_supplier(tmp_path, engine):
    hits = _run(tmp_path, engine, "SUP-ORGNR",
                suppliers=[_sup("1", "Klippan Verktyg AB", "5561234568", valid=False), _sup("2", "Utan Nummer AB"),
                           _sup("3", "Giltig AB", "5566778899"), _sup("4", "Unpaid AB", "5561234568", valid=False),
                           _sup("5", "Dansk ApS", country="DK")],
                invoices=[_inv("I1", "1", "1", D(2025, 7, 8), "22840.35")],
                payments=[_pay("P1", D(2025, 8, 7), "22840.35", "BG:1", invoice="I1"),
                          _pay("P2", D(2025, 8, 7), "100.00", "BG:2", payee="2"),
                          _pay("P3", D(2025, 8, 7), "100.00", "BG:3", payee="3"),
                          _pay("P5", D(2025, 8, 7), "100.00", "BG:5", payee="5")])
    assert [(h.evidence_keys, h.amount_at_risk) for h in hits] == [
        (["payments:P1", "suppliers:1"], Decimal("22840.35")), (["payments:P2", "suppliers:2"], Decimal("100.00"))]
    assert render_explanation(hits[0]) == ("Klippan Verktyg AB's organisation number 5561234568 fails the checksum; "
                                           "the supplier was paid 22\u00a0840,35\u00a0kr (number of payments: 1).")


@engines()
def test_payment_to_a_supplier_with_defects_uses_the_status_known_at_the_payment_date(tmp_path, engine):
    suppliers = [_sup(str(i), f"Leverantör {i}", f"55600000{i:02d}") for i in range(1, 7)]
    status = [
        # 1: bankrupt from 14 May (checked later); paid 28 May
        {"orgnr": "5560000001", "checked_date": D(2025, 5, 20), "f_tax": True, "status": "Konkurs",
         "status_date": D(2025, 5, 14)},
        # 2: lost F-tax on 3 March; paid 20 March
        {"orgnr": "5560000002", "checked_date": D(2025, 1, 3), "f_tax": True},
        {"orgnr": "5560000002", "checked_date": D(2025, 3, 3), "f_tax": False},
        # 3: tax debt; 4: VAT charged without VAT registration
        {"orgnr": "5560000003", "checked_date": D(2025, 8, 4), "f_tax": True, "tax_debt": Decimal("86400.00")},
        {"orgnr": "5560000004", "checked_date": D(2024, 12, 9), "f_tax": True, "vat_registered": False},
        # 5: F-tax lost only after the payment; 6: not VAT-registered but charged no VAT
        {"orgnr": "5560000005", "checked_date": D(2025, 1, 1), "f_tax": True},
        {"orgnr": "5560000005", "checked_date": D(2025, 6, 1), "f_tax": False},
        {"orgnr": "5560000006", "checked_date": D(2025, 1, 1), "f_tax": True, "vat_registered": False}]
    invoices = [_inv("I4", "4", "1207", D(2025, 2, 10), "15625.00", vat_amount=Decimal("3125.00")),
                _inv("I6", "6", "1", D(2025, 2, 10), "100.00", vat_amount=Decimal("0.00"))]
    payments = [_pay("P1", D(2025, 5, 28), "56340.90", "BG:1", payee="1"),
                _pay("P1b", D(2025, 5, 2), "10.00", "BG:1", payee="1"),
                _pay("P2", D(2025, 3, 20), "42118.40", "BG:2", payee="2"),
                _pay("P3", D(2025, 9, 5), "27905.10", "BG:3", payee="3"),
                _pay("P4", D(2025, 3, 12), "15625.00", "BG:4", invoice="I4"),
                _pay("P5", D(2025, 3, 1), "500.00", "BG:5", payee="5"),
                _pay("P6", D(2025, 3, 1), "100.00", "BG:6", invoice="I6")]
    hits = _run(tmp_path, engine, "SUP-STATUS", suppliers=suppliers, supplier_status=status, invoices=invoices,
                payments=payments)
    assert [h.evidence_keys for h in hits] == [
        ["payments:P1", "suppliers:1"], ["payments:P2", "suppliers:2"], ["payments:P3", "suppliers:3"],
        ["payments:P4", "suppliers:4"]]
    assert render_explanation(hits[0]) == (
        "Leverantör 1 (5560000001) was paid 56\u00a0340,90\u00a0kr from 2025-05-28 (number of payments: 1) after its "
        "register status became konkurs on 2025-05-14.")


@engines()
def test_new_supplier_with_a_large_payment(tmp_path, engine):
    hits = _run(tmp_path, engine, "SUP-NEW-LARGE",
                suppliers=[_sup("1", "Tomelilla Entreprenad AB", "5560000001", created_date=D(2025, 4, 2)),
                           _sup("2", "Stensö Konsult AB", "5560000002", created_date=D(2010, 1, 1)),
                           _sup("3", "Gammal AB", "5560000003", created_date=D(2010, 1, 1)),
                           _sup("4", "Liten AB", "5560000004", created_date=D(2025, 4, 2))],
                supplier_status=[{"orgnr": "5560000002", "checked_date": D(2025, 8, 8),
                                  "registered_date": D(2025, 6, 30)}],
                payments=[_pay("P1", D(2025, 5, 22), "485220.40", "BG:1", payee="1"),
                          _pay("P2", D(2025, 9, 17), "312655.00", "BG:2", payee="2"),
                          _pay("P3", D(2025, 9, 17), "900000.00", "BG:3", payee="3"),
                          _pay("P4", D(2025, 5, 22), "199999.99", "BG:4", payee="4"),
                          # 91 days after set-up: outside the window
                          _pay("P1b", D(2025, 7, 2), "300000.00", "BG:1", payee="1")])
    assert [h.evidence_keys for h in hits] == [["payments:P1", "suppliers:1"], ["payments:P2", "suppliers:2"]]
    assert render_explanation(hits[1]) == (
        "Stensö Konsult AB was registered as a company on 2025-06-30 and was paid 312\u00a0655,00\u00a0kr from "
        "2025-09-17 (number of large payments: 1).")


@engines()
def test_account_changed_or_unregistered_before_payment(tmp_path, engine):
    hits = _run(tmp_path, engine, "ACC-CHANGE",
                suppliers=[_sup("1", "Västkust Städ AB"), _sup("2", "Syd Omsorg AB"), _sup("3", "Stabil AB")],
                supplier_accounts=[_acc("1", "BG:1", D(2020, 1, 1), D(2025, 3, 31)), _acc("1", "BG:2", D(2025, 4, 1)),
                                   _acc("2", "BG:3", D(2020, 1, 1)), _acc("3", "BG:4", D(2020, 1, 1))],
                payments=[_pay("P1", D(2025, 4, 22), "64480.25", "BG:2", payee="1"),
                          _pay("P1late", D(2025, 5, 2), "10.00", "BG:2", payee="1"),  # 31 days after
                          _pay("P2", D(2025, 9, 16), "118760.00", "BG:9", payee="2"),
                          _pay("P2ok", D(2025, 9, 16), "5.00", "BG:3", payee="2"),
                          _pay("P3", D(2025, 9, 16), "7.00", "BG:4", payee="3")])
    assert [(h.evidence_keys, h.amount_at_risk) for h in hits] == [
        (["payments:P1", "suppliers:1"], Decimal("64480.25")), (["payments:P2", "suppliers:2"], Decimal("118760.00"))]
    assert render_explanation(hits[0]) == (
        "Västkust Städ AB's bank account was changed on 2025-04-01 and the supplier was paid 64\u00a0480,25\u00a0kr "
        "from 2025-04-22 (number of payments: 1), shortly after the change.")


@engines()
def test_deviating_account_after_five_payments_to_one_account(tmp_path, engine):
    usual = [_pay(f"U{i}", D(2025, 1 + i, 5), "100.00", "BG:1", payee="1") for i in range(5)]
    few = [_pay(f"F{i}", D(2025, 1 + i, 5), "100.00", "BG:5", payee="2") for i in range(4)]
    hits = _run(tmp_path, engine, "ACC-DEVIATING", suppliers=[_sup("1", "Syd Omsorg AB")],
                payments=[*usual, _pay("X", D(2025, 7, 1), "118760.00", "BG:9", payee="1"),
                          _pay("Y", D(2025, 7, 2), "50.00", "BG:9", payee="1"),  # not the first deviation
                          *few, _pay("Z", D(2025, 7, 1), "10.00", "BG:6", payee="2")])  # only 4 earlier
    assert [h.evidence_keys for h in hits] == [["payments:X", "suppliers:1"]]
    assert render_explanation(hits[0]) == ("Syd Omsorg AB was paid 118\u00a0760,00\u00a0kr on 2025-07-01 to BG:9; its "
                                           "last 5 payments all went to BG:1.")


@engines()
def test_bankgiro_and_plusgiro_mixed_up(tmp_path, engine):
    hits = _run(tmp_path, engine, "ACC-GIRO-MIX",
                suppliers=[_sup("1", "Åsa Buss AB"), _sup("2", "Vikens VVS AB"), _sup("3", "Båda AB")],
                supplier_accounts=[_acc("1", "PG:47118", D(2020, 1, 1)), _acc("2", "BG:50501055", D(2020, 1, 1)),
                                   _acc("3", "PG:12345", D(2020, 1, 1)), _acc("3", "BG:12345", D(2020, 1, 1))],
                payments=[_pay("P1", D(2025, 8, 12), "87312.40", "BG:47118", payee="1"),
                          _pay("P2", D(2025, 11, 4), "143950.00", "PG:50501055", payee="2"),
                          _pay("P3", D(2025, 11, 4), "1.00", "BG:12345", payee="3")])  # both registered
    assert [h.evidence_keys for h in hits] == [["payments:P1", "suppliers:1"], ["payments:P2", "suppliers:2"]]
    assert render_explanation(hits[0]) == (
        "Åsa Buss AB was paid 87\u00a0312,40\u00a0kr on 2025-08-12 to bankgiro BG:47118, which has the digits of its "
        "registered plusgiro PG:47118.")


@engines()
def test_shared_accounts_at_overlapping_times(tmp_path, engine):
    hits = _run(tmp_path, engine, "ACC-SHARED",
                supplier_accounts=[_acc("1", "BG:1", D(2020, 1, 1)), _acc("2", "BG:1", D(2023, 3, 1)),
                                   _acc("3", "BANK:1", D(2022, 10, 3)),
                                   # one after the other: an account taken over, not shared
                                   _acc("4", "BG:4", D(2020, 1, 1), D(2021, 1, 1)), _acc("5", "BG:4", D(2022, 1, 1))],
                employees=[{"employee_id": "E1", "personnummer": "198001011234", "bank_account": "BANK:1",
                            "employed_from": D(2015, 1, 1)},
                           {"employee_id": "E2", "personnummer": "198001021234", "bank_account": "BG:4",
                            "employed_from": D(2010, 1, 1), "employed_to": D(2019, 12, 31)}],
                payments=[_pay("P1", D(2025, 9, 23), "46250.00", "BANK:1", payee="3"),
                          _pay("P2", D(2023, 2, 1), "10.00", "BG:1", payee="1"),  # before the overlap
                          _pay("P3", D(2023, 4, 1), "20.00", "BG:1", payee="2")])
    assert [(h.evidence_keys, h.amount_at_risk) for h in hits] == [
        (["employees:E1", "payments:P1", "suppliers:3"], Decimal("46250.00")),
        (["payments:P3", "suppliers:1", "suppliers:2"], Decimal("20.00"))]


@engines()
def test_employee_tied_to_a_supplier(tmp_path, engine):
    employees = [{"employee_id": "E1", "personnummer": "198001011234", "name": "Emma Engström",
                  "unit": "Tekniska nämnden", "employed_from": D(2015, 1, 1)},
                 {"employee_id": "E2", "personnummer": "198001021234", "name": "Per Ek", "unit": "Socialnämnden",
                  "address": "Storgatan 12 B", "postal_code": "271 39", "employed_from": D(2015, 1, 1)},
                 {"employee_id": "E3", "personnummer": "198001031234", "name": "Ola Ny", "unit": "Socialnämnden",
                  "employed_from": D(2025, 6, 1)}]
    hits = _run(tmp_path, engine, "EMP-SUPPLIER", employees=employees,
                suppliers=[_sup("1", "Näsby Bygg AB", "5560000001"),
                           _sup("2", "Ängby Konsult AB", "5560000002", address="STORGATAN 12 b", postal_code="27139"),
                           _sup("3", "Tidigare AB", "5560000003")],
                company_roles=[{"orgnr": "5560000001", "personnummer": "198001011234", "role": "ägare",
                                "valid_from": D(2019, 5, 1)},
                               # E3 was employed only after the payment
                               {"orgnr": "5560000003", "personnummer": "198001031234", "role": "ägare",
                                "valid_from": D(2019, 5, 1)}],
                payments=[_pay("P1", D(2025, 3, 15), "1000.00", "BG:1", payee="1"),
                          _pay("P2", D(2025, 11, 4), "38900.00", "BG:2", payee="2"),
                          _pay("P3", D(2025, 3, 15), "5.00", "BG:3", payee="3")])
    assert [(h.subject_id, h.evidence_keys, h.amount_at_risk) for h in hits] == [
        ("E1", ["employees:E1", "payments:P1", "suppliers:1"], Decimal("1000.00")),
        ("E2", ["employees:E2", "payments:P2", "suppliers:2"], Decimal("38900.00"))]
    assert render_explanation(hits[0]) == ("Emma Engström (Tekniska nämnden) is ägare of Näsby Bygg AB, which was "
                                           "paid 1\u00a0000,00\u00a0kr while both the role and the employment were "
                                           "valid.")


@engines()
def test_attestation_by_an_owner_or_by_the_registrar(tmp_path, engine):
    hits = _run(tmp_path, engine, "EMP-ATTEST",
                employees=[{"employee_id": "E1", "personnummer": "198001011234", "name": "Emma Engström"},
                           {"employee_id": "E2", "personnummer": "198001021234", "name": "Per Ek"}],
                suppliers=[_sup("1", "Näsby Bygg AB", "5560000001"), _sup("2", "Lindby Evenemang AB", "5560000002")],
                company_roles=[{"orgnr": "5560000001", "personnummer": "198001011234", "role": "ägare",
                                "valid_from": D(2019, 5, 1)}],
                invoices=[_inv("I1", "1", "1", D(2025, 3, 15), "100.00", attested_by="E1", registered_by="R1"),
                          _inv("I2", "1", "2", D(2025, 6, 15), "200.00", attested_by="E1", registered_by="R1"),
                          _inv("I3", "2", "3", D(2025, 10, 22), "24503.11", attested_by="E2", registered_by="E2"),
                          _inv("I4", "2", "4", D(2025, 10, 22), "5.00", attested_by="E2", registered_by="R1")])
    assert [(h.subject_id, h.evidence_keys, h.amount_at_risk) for h in hits] == [
        ("E1", ["employees:E1", "invoices:I1", "invoices:I2"], Decimal("300.00")),
        ("E2", ["invoices:I3"], Decimal("24503.11"))]
    assert render_explanation(hits[1]) == "Per Ek both registered and attested the invoice from Lindby Evenemang AB."
