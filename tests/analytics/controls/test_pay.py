"""Golden tests of the PAY-* (supplier payments) controls (analytics/controls/pay.py) on crafted data, on DuckDB and Spark."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.analytics.conftest import engines, write_source

from tillit.analytics.runner import render_explanation, run_controls


def _invoice(iid: str, sid: str, number: str, day: int, amount: str) -> dict:
    return {
        "invoice_id": iid,
        "supplier_id": sid,
        "invoice_number": number,
        "invoice_date": date(2025, 3, day),
        "amount": Decimal(amount),
        "board": "Socialnämnden",
    }


def _payment(
    pid: str,
    day: int,
    amount: str,
    account: str = "BG:50501055",
    invoice: str | None = None,
    payee: str = "1",
) -> dict:
    return {
        "payment_id": pid,
        "payment_date": date(2025, 4, day),
        "amount": Decimal(amount),
        "bank_account": account,
        "invoice_id": invoice,
        "payee_id": payee,
        "payee_name": "Dalby Städ AB",
        "source": "leverantörsreskontra",
    }


@engines()
def test_duplicate_payments(tmp_path, engine):
    invoices = write_source(
        tmp_path,
        "invoices",
        [
            _invoice("I1", "1", "117342", 3, "36218.90"),
            _invoice("I2", "1", "5", 3, "1000.00"),
            _invoice("I3", "1", "6", 3, "500.00"),
            _invoice("I4", "1", "7", 3, "500.00"),
            _invoice("I5", "1", "8", 3, "800.00"),
        ],
    )
    payments = write_source(
        tmp_path,
        "payments",
        [
            _payment("P1", 14, "36218.90", invoice="I1"),
            _payment("P2", 21, "36218.90", invoice="I1"),
            # instalments that add up to the invoice
            _payment("P3", 1, "400.00", invoice="I2"),
            _payment("P4", 20, "600.00", invoice="I2"),
            # two invoices of the same amount to one account: not a hit
            _payment("P5", 2, "500.00", invoice="I3"),
            _payment("P6", 5, "500.00", invoice="I4"),
            # a manual payment beside an invoice payment, six days later
            _payment("P7", 2, "800.00", invoice="I5"),
            _payment("P8", 8, "800.00"),
            # a payment made twice and reversed once is settled
            _payment("P9", 2, "250.00"),
            _payment("P10", 3, "250.00"),
            _payment("P11", 4, "-250.00"),
            # outside the window
            _payment("P12", 1, "77.00"),
            _payment("P13", 28, "77.00"),
        ],
    )
    result = run_controls({"invoices": invoices, "payments": payments}, ["PAY-DUP"], engine=engine)
    hits = sorted(result.hits, key=lambda h: h.evidence_keys)
    assert [(h.evidence_keys, h.amount_at_risk) for h in hits] == [
        (["invoices:I1", "payments:P1", "payments:P2"], Decimal("36218.90")),
        (["payments:P7", "payments:P8"], Decimal("800.00")),
    ]
    assert render_explanation(hits[0]) == (
        "Invoice 117342 (36\u00a0218,90\u00a0kr) was paid 2 times between 2025-04-14 and 2025-04-21, "
        "72\u00a0437,80\u00a0kr in all, to Dalby Städ AB."
    )


@engines()
def test_reminders_paid_again(tmp_path, engine):
    invoices = write_source(
        tmp_path,
        "invoices",
        [
            {**_invoice("A1", "1", "56021", 3, "14380.00"), "ocr_reference": "5602100018"},
            {**_invoice("A2", "1", "56021", 17, "14440.00"), "ocr_reference": "5602100018"},
            {**_invoice("B1", "1", "T-33871", 3, "9620.50"), "ocr_reference": "338710097"},
            {**_invoice("B2", "1", "PAM-7731", 4, "9800.50"), "ocr_reference": "338 710 097"},
            # fee outside the band, and a reminder paid too late
            _invoice("C1", "1", "900", 3, "1000.00"),
            _invoice("C2", "1", "900", 4, "1300.00"),
            _invoice("D1", "1", "901", 3, "2000.00"),
            _invoice("D2", "1", "901", 4, "2060.00"),
            # a reminder that was not paid is not a loss
            _invoice("E1", "1", "902", 3, "3000.00"),
            _invoice("E2", "1", "902", 4, "3060.00"),
        ],
    )
    payments = write_source(
        tmp_path,
        "payments",
        [
            _payment("PA1", 1, "14380.00", invoice="A1"),
            _payment("PA2", 20, "14440.00", invoice="A2"),
            _payment("PB1", 1, "9620.50", invoice="B1"),
            _payment("PB2", 2, "9800.50", invoice="B2"),
            _payment("PC1", 1, "1000.00", invoice="C1"),
            _payment("PC2", 2, "1300.00", invoice="C2"),
            {**_payment("PD1", 1, "2000.00", invoice="D1"), "payment_date": date(2025, 1, 2)},
            _payment("PD2", 2, "2060.00", invoice="D2"),
            _payment("PE1", 1, "3000.00", invoice="E1"),
        ],
    )
    result = run_controls(
        {"invoices": invoices, "payments": payments}, ["PAY-REMINDER"], engine=engine
    )
    hits = sorted(result.hits, key=lambda h: h.evidence_keys)
    assert [(h.evidence_keys, h.amount_at_risk) for h in hits] == [
        (["invoices:A1", "invoices:A2", "payments:PA1", "payments:PA2"], Decimal("14440.00")),
        (["invoices:B1", "invoices:B2", "payments:PB1", "payments:PB2"], Decimal("9800.50")),
    ]
    assert render_explanation(hits[1]) == (
        "1's invoice T-33871 for 9\u00a0620,50\u00a0kr was paid on 2025-04-01, and on 2025-04-02 invoice PAM-7731 "
        "with the same OCR reference 338710097 for 9\u00a0800,50\u00a0kr, 180,00\u00a0kr more, was paid again."
    )
