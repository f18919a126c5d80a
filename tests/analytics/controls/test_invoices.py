"""Invoice and payment controls: crafted cases and the synthetic municipality."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.analytics.conftest import engines, write_source

from tillit.analytics.runner import render_explanation, run_controls


def _supplier(sid: str, name: str, orgnr: str | None = None, valid: bool = True) -> dict:
    return {"supplier_id": sid, "name": name, "orgnr": orgnr, "orgnr_valid": valid if orgnr else None}


def _invoice(iid: str, sid: str, number: str, day: int, amount: str) -> dict:
    return {"invoice_id": iid, "supplier_id": sid, "invoice_number": number,
            "invoice_date": date(2025, 3, day), "amount": Decimal(amount), "board": "Socialnämnden"}


@engines()
def test_exact_duplicates_across_supplier_records_with_one_orgnr_and_credit_notes(tmp_path, engine):
    suppliers = write_source(tmp_path, "suppliers", [
        _supplier("1", "Bygg AB", "5566778899"), _supplier("2", "Bygg Aktiebolag", "5566778899"),
        _supplier("3", "Annan AB", "5560000000", valid=False), _supplier("4", "Tredje AB", "5560000000", valid=False)])
    invoices = write_source(tmp_path, "invoices", [
        _invoice("A1", "1", "2024-0117", 3, "48750.00"), _invoice("A2", "2", "20240117", 20, "48750.00"),
        # credited: the second claim is cancelled by a credit note of the opposite amount
        _invoice("B1", "1", "77", 3, "100.00"), _invoice("B2", "1", "77", 4, "100.00"),
        _invoice("B3", "1", "K-77", 5, "-100.00"),
        # an invalid orgnr does not join two supplier records
        _invoice("C1", "3", "9", 3, "500.00"), _invoice("C2", "4", "9", 4, "500.00"),
        # same number, another amount: not exact
        _invoice("D1", "1", "55", 3, "10.00"), _invoice("D2", "1", "55", 4, "11.00")])
    result = run_controls({"suppliers": suppliers, "invoices": invoices}, ["INV-DUP-EXACT"], engine=engine)
    hits = result.hits
    assert [(h.subject_id, h.evidence_keys, h.amount_at_risk) for h in hits] == [
        ("1", ["invoices:A1", "invoices:A2"], Decimal("48750.00"))]
    assert render_explanation(hits[0]) == (
        "2 invoices from Bygg AB / Bygg Aktiebolag have the same invoice number 2024-0117 and the same amount, "
        "48\u00a0750,00\u00a0kr each: A1, A2.")



# -- INV-DUP-FUZZY ------------------------------------------------------------------------------------

def _fuzzy_hits(tmp_path, engine, invoices, suppliers=(), accounts=(), **params):
    sources = {"invoices": write_source(tmp_path, "invoices", list(invoices))}
    if suppliers:
        sources["suppliers"] = write_source(tmp_path, "suppliers", list(suppliers))
    if accounts:
        sources["supplier_accounts"] = write_source(tmp_path, "supplier_accounts", list(accounts))
    result = run_controls(sources, ["INV-DUP-FUZZY"], engine=engine, params={"INV-DUP-FUZZY": params} if params else None)
    return sorted(result.hits, key=lambda h: h.evidence_keys)


@engines()
def test_fuzzy_numbers_ocr_lookalikes_transposition_and_suffixes(tmp_path, engine):
    hits = _fuzzy_hits(tmp_path, engine, [
        _invoice("A1", "1", "B10457", 3, "17950.40"), _invoice("A2", "1", "810457", 20, "17950.40"),
        _invoice("B1", "1", "66138", 3, "9312.25"), _invoice("B2", "1", "61638", 4, "9312.25"),
        _invoice("C1", "1", "30571", 3, "54128.00"), _invoice("C2", "1", "30571-1", 9, "54128.00"),
        _invoice("D1", "1", "A-10991", 3, "200.00"), _invoice("D2", "1", "10991", 9, "200.00"),
        # not hits: two non-adjacent characters swapped, a suffix on a number shorter than 4,
        # a suffix of 4 characters, a different amount
        _invoice("E1", "1", "12345", 3, "300.00"), _invoice("E2", "1", "14325", 4, "300.00"),
        _invoice("F1", "1", "123", 3, "400.00"), _invoice("F2", "1", "123A", 4, "400.00"),
        _invoice("G1", "1", "4711", 3, "500.00"), _invoice("G2", "1", "4711-1234", 4, "500.00"),
        _invoice("H1", "1", "B10457", 3, "17950.41")])
    assert [h.evidence_keys for h in hits] == [
        ["invoices:A1", "invoices:A2"], ["invoices:B1", "invoices:B2"], ["invoices:C1", "invoices:C2"],
        ["invoices:D1", "invoices:D2"]]
    assert render_explanation(hits[1]) == (
        "Invoices 66138 (2025-03-03) and 61638 (2025-03-04) from 1 have the same amount, 9\u00a0312,25\u00a0kr, "
        "and numbers that differ only by two swapped neighbouring characters.")
    assert hits[0].amount_at_risk == Decimal("17950.40")


@engines()
def test_fuzzy_links_supplier_records_by_orgnr_account_and_name_but_not_by_chance(tmp_path, engine):
    suppliers = [_supplier("1", "Sjöbergs Elservice AB", "5566778899"), _supplier("2", "SJÖBERGS ELSERVICE"),
                 _supplier("3", "Lindholms Transport AB", "5561234567"),
                 _supplier("4", "Lindholm Transport Aktiebolag", "5561234567"),
                 _supplier("5", "Alfa Bygg AB", "5560000001"), _supplier("6", "Beta Bygg AB", "5560000002"),
                 _supplier("7", "Gamma AB", "5560000003"), _supplier("8", "Delta AB", "5560000004")]
    accounts = [{"supplier_id": "5", "bank_account": "BG:50501055", "valid_from": date(2020, 1, 1)},
                {"supplier_id": "6", "bank_account": "BG:50501055", "valid_from": date(2020, 1, 1)}]
    hits = _fuzzy_hits(tmp_path, engine, [
        _invoice("A1", "1", "9921", 3, "31775.00"), _invoice("A2", "2", "9921A", 28, "31775.00"),
        _invoice("B1", "3", "2025-1187", 3, "100.00"), _invoice("B2", "4", "20251187", 4, "100.00"),
        _invoice("C1", "5", "7001", 3, "900.00"), _invoice("C2", "6", "7001", 4, "900.00"),
        # unrelated suppliers with the same number and amount: another control's business
        _invoice("D1", "7", "5555", 3, "50.00"), _invoice("D2", "8", "5555", 4, "50.00"),
        # same date across linked-by-name records is not the same-day rule (only one supplier)
        _invoice("E1", "1", "111", 5, "70.00"), _invoice("E2", "2", "999", 5, "70.00")],
        suppliers=suppliers, accounts=accounts)
    assert [h.evidence_keys for h in hits] == [
        ["invoices:A1", "invoices:A2"], ["invoices:B1", "invoices:B2"], ["invoices:C1", "invoices:C2"]]
    assert [h.subject_id for h in hits] == ["1", "3", "5"]
    assert render_explanation(hits[0]).endswith("from Sjöbergs Elservice AB / SJÖBERGS ELSERVICE have the same "
                                                "amount, 31\u00a0775,00\u00a0kr, and one number is the other with a "
                                                "short prefix or suffix added.")


@engines()
def test_fuzzy_same_day_window_recurring_and_credit_notes(tmp_path, engine):
    invoices = [
        _invoice("A1", "1", "71204", 19, "6480.75"), _invoice("A2", "1", "71388", 19, "6480.75"),
        # recurring: consecutive numbers, same amount, different dates
        _invoice("R1", "1", "4520", 1, "38412.50"), _invoice("R2", "1", "4521", 29, "38412.50"),
        # a duplicate cancelled by a credit note
        _invoice("K1", "1", "88120", 12, "27455.00"), _invoice("K2", "1", "88120", 19, "27455.00"),
        _invoice("K3", "1", "K88120", 26, "-27455.00"),
        # outside the window
        {**_invoice("W1", "1", "6060", 1, "10.00"), "invoice_date": date(2024, 1, 2)},
        _invoice("W2", "1", "6060", 1, "10.00")]
    hits = _fuzzy_hits(tmp_path, engine, invoices)
    assert [h.evidence_keys for h in hits] == [["invoices:A1", "invoices:A2"]]
    assert render_explanation(hits[0]) == ("Invoices 71204 and 71388 from 1 have the same amount, "
                                           "6\u00a0480,75\u00a0kr, and the same invoice date, 2025-03-19.")
    wider = _fuzzy_hits(tmp_path, engine, invoices, window_days=500)
    assert ["invoices:W1", "invoices:W2"] in [h.evidence_keys for h in wider]


# -- PAY-DUP ------------------------------------------------------------------------------------------

def _payment(pid: str, day: int, amount: str, account: str = "BG:50501055", invoice: str | None = None,
             payee: str = "1") -> dict:
    return {"payment_id": pid, "payment_date": date(2025, 4, day), "amount": Decimal(amount),
            "bank_account": account, "invoice_id": invoice, "payee_id": payee, "payee_name": "Dalby Städ AB",
            "source": "leverantörsreskontra"}


@engines()
def test_duplicate_payments(tmp_path, engine):
    invoices = write_source(tmp_path, "invoices", [
        _invoice("I1", "1", "117342", 3, "36218.90"), _invoice("I2", "1", "5", 3, "1000.00"),
        _invoice("I3", "1", "6", 3, "500.00"), _invoice("I4", "1", "7", 3, "500.00"),
        _invoice("I5", "1", "8", 3, "800.00")])
    payments = write_source(tmp_path, "payments", [
        _payment("P1", 14, "36218.90", invoice="I1"), _payment("P2", 21, "36218.90", invoice="I1"),
        # instalments that add up to the invoice
        _payment("P3", 1, "400.00", invoice="I2"), _payment("P4", 20, "600.00", invoice="I2"),
        # two invoices of the same amount to one account: not a hit
        _payment("P5", 2, "500.00", invoice="I3"), _payment("P6", 5, "500.00", invoice="I4"),
        # a manual payment beside an invoice payment, six days later
        _payment("P7", 2, "800.00", invoice="I5"), _payment("P8", 8, "800.00"),
        # a payment made twice and reversed once is settled
        _payment("P9", 2, "250.00"), _payment("P10", 3, "250.00"), _payment("P11", 4, "-250.00"),
        # outside the window
        _payment("P12", 1, "77.00"), _payment("P13", 28, "77.00")])
    result = run_controls({"invoices": invoices, "payments": payments}, ["PAY-DUP"], engine=engine)
    hits = sorted(result.hits, key=lambda h: h.evidence_keys)
    assert [(h.evidence_keys, h.amount_at_risk) for h in hits] == [
        (["invoices:I1", "payments:P1", "payments:P2"], Decimal("36218.90")),
        (["payments:P7", "payments:P8"], Decimal("800.00"))]
    assert render_explanation(hits[0]) == (
        "Invoice 117342 (36\u00a0218,90\u00a0kr) was paid 2 times between 2025-04-14 and 2025-04-21, "
        "72\u00a0437,80\u00a0kr in all, to Dalby Städ AB.")


# -- PAY-REMINDER -------------------------------------------------------------------------------------

@engines()
def test_reminders_paid_again(tmp_path, engine):
    invoices = write_source(tmp_path, "invoices", [
        {**_invoice("A1", "1", "56021", 3, "14380.00"), "ocr_reference": "5602100018"},
        {**_invoice("A2", "1", "56021", 17, "14440.00"), "ocr_reference": "5602100018"},
        {**_invoice("B1", "1", "T-33871", 3, "9620.50"), "ocr_reference": "338710097"},
        {**_invoice("B2", "1", "PAM-7731", 4, "9800.50"), "ocr_reference": "338 710 097"},
        # fee outside the band, and a reminder paid too late
        _invoice("C1", "1", "900", 3, "1000.00"), _invoice("C2", "1", "900", 4, "1300.00"),
        _invoice("D1", "1", "901", 3, "2000.00"), _invoice("D2", "1", "901", 4, "2060.00"),
        # a reminder that was not paid is not a loss
        _invoice("E1", "1", "902", 3, "3000.00"), _invoice("E2", "1", "902", 4, "3060.00")])
    payments = write_source(tmp_path, "payments", [
        _payment("PA1", 1, "14380.00", invoice="A1"), _payment("PA2", 20, "14440.00", invoice="A2"),
        _payment("PB1", 1, "9620.50", invoice="B1"), _payment("PB2", 2, "9800.50", invoice="B2"),
        _payment("PC1", 1, "1000.00", invoice="C1"), _payment("PC2", 2, "1300.00", invoice="C2"),
        {**_payment("PD1", 1, "2000.00", invoice="D1"), "payment_date": date(2025, 1, 2)},
        _payment("PD2", 2, "2060.00", invoice="D2"),
        _payment("PE1", 1, "3000.00", invoice="E1")])
    result = run_controls({"invoices": invoices, "payments": payments}, ["PAY-REMINDER"], engine=engine)
    hits = sorted(result.hits, key=lambda h: h.evidence_keys)
    assert [(h.evidence_keys, h.amount_at_risk) for h in hits] == [
        (["invoices:A1", "invoices:A2", "payments:PA1", "payments:PA2"], Decimal("14440.00")),
        (["invoices:B1", "invoices:B2", "payments:PB1", "payments:PB2"], Decimal("9800.50"))]
    assert render_explanation(hits[1]) == (
        "1's invoice T-33871 for 9\u00a0620,50\u00a0kr was paid on 2025-04-01, and on 2025-04-02 invoice PAM-7731 "
        "with the same OCR reference 338710097 for 9\u00a0800,50\u00a0kr, 180,00\u00a0kr more, was paid again.")
