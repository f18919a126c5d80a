"""Golden tests of the PAY-* (supplier payments) controls (analytics/controls/pay.py) on crafted data, on DuckDB and Spark."""

from __future__ import annotations

from datetime import date, timedelta
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
            _payment("P9", 2, "2500.00"),
            _payment("P10", 3, "2500.00"),
            _payment("P11", 4, "-2500.00"),
            # outside the window
            _payment("P12", 1, "770.00"),
            _payment("P13", 16, "770.00"),
            # below the materiality limit (500 at risk)
            _payment("P14", 1, "499.99", account="BG:111"),
            _payment("P15", 3, "499.99", account="BG:111"),
        ],
    )
    result = run_controls({"invoices": invoices, "payments": payments}, ["PAY-DUP"], engine=engine)
    hits = sorted(result.hits, key=lambda h: h.evidence_keys)
    assert [(h.evidence_keys, h.amount_at_risk) for h in hits] == [
        (["invoices:I1", "payments:P1", "payments:P2"], Decimal("36218.90")),
        (["payments:P7", "payments:P8"], Decimal("800.00")),
    ]
    assert [(h.evidence_grade, h.evidence_reasons) for h in hits] == [
        ("strong", ["paid_twice"]),
        ("strong", ["different_dates"]),
    ]
    assert render_explanation(hits[0]) == (
        "Invoice 117342 (36\u00a0218,90\u00a0kr) was paid 2 times between 2025-04-14 and 2025-04-21, "
        "72\u00a0437,80\u00a0kr in all, to Dalby Städ AB."
    )


def _on(pid: str, day: date, amount: str, account: str, invoice: str | None = None) -> dict:
    return {**_payment(pid, 1, amount, account=account, invoice=invoice), "payment_date": day}


@engines()
def test_duplicate_payments_are_groups_that_break_the_accounts_pattern(tmp_path, engine):
    weekly = [date(2025, 3, 3) + timedelta(days=7 * i) for i in range(12)]  # an allowance, weekly
    payments = write_source(
        tmp_path,
        "payments",
        [
            # a weekly series over three months: its rhythm, not a duplicate
            *(_on(f"W{i}", d, "4200.00", "BG:1") for i, d in enumerate(weekly)),
            # the same series to another account, paid once more two days after a weekly payment
            *(_on(f"X{i}", d, "4200.00", "BG:2") for i, d in enumerate(weekly)),
            _on("X99", weekly[5] + timedelta(days=2), "4200.00", "BG:2"),
            # three manual payments of one amount within a week: one group, all but one at risk
            _on("M1", date(2025, 4, 2), "1500.00", "BG:3"),
            _on("M2", date(2025, 4, 5), "1500.00", "BG:3"),
            _on("M3", date(2025, 4, 9), "1500.00", "BG:3", invoice="I9"),
            # an account that receives one amount twice a day in its runs: its normal pattern
            _on("R1", date(2025, 4, 3), "600.00", "BG:4"),
            _on("R2", date(2025, 4, 3), "600.00", "BG:4"),
            _on("R3", date(2025, 5, 8), "900.00", "BG:4"),
            _on("R4", date(2025, 5, 8), "900.00", "BG:4"),
            # the same amount twice on one day to an account that never gets that otherwise
            _on("S1", date(2025, 4, 3), "700.00", "BG:5"),
            _on("S2", date(2025, 4, 3), "700.00", "BG:5"),
        ],
    )
    result = run_controls({"payments": payments}, ["PAY-DUP"], engine=engine)
    hits = sorted(result.hits, key=lambda h: h.evidence_keys)
    assert [(h.evidence_keys, h.amount_at_risk) for h in hits] == [
        (["payments:M1", "payments:M2", "payments:M3"], Decimal("3000.00")),
        (["payments:S1", "payments:S2"], Decimal("700.00")),
        (["payments:X5", "payments:X99"], Decimal("4200.00")),
    ]
    # graded evidence (analytics/evidence.py): another date is strong, one day weak, inside a series medium
    assert [(h.evidence_grade, h.evidence_reasons) for h in hits] == [
        ("strong", ["different_dates"]),
        ("weak", ["same_day"]),
        ("medium", ["different_dates", "series"]),
    ]
    assert render_explanation(hits[0]) == (
        "3 payments of 1\u00a0500,00\u00a0kr each went to the same account of Dalby Städ AB between "
        "2025-04-02 and 2025-04-09, 4\u00a0500,00\u00a0kr in all; invoices they are for: 1."
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
            # two reminders paid: one hit, both paid again
            _invoice("F1", "1", "903", 3, "5000.00"),
            _invoice("F2", "1", "903", 10, "5060.00"),
            _invoice("F3", "1", "903", 17, "5120.00"),
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
            _payment("PF1", 1, "5000.00", invoice="F1"),
            _payment("PF2", 12, "5060.00", invoice="F2"),
            _payment("PF3", 19, "5120.00", invoice="F3"),
        ],
    )
    result = run_controls(
        {"invoices": invoices, "payments": payments}, ["PAY-REMINDER"], engine=engine
    )
    hits = sorted(result.hits, key=lambda h: h.evidence_keys)
    assert [(h.evidence_keys, h.amount_at_risk) for h in hits] == [
        (["invoices:A1", "invoices:A2", "payments:PA1", "payments:PA2"], Decimal("14440.00")),
        (["invoices:B1", "invoices:B2", "payments:PB1", "payments:PB2"], Decimal("9800.50")),
        (
            [
                "invoices:F1",
                "invoices:F2",
                "invoices:F3",
                "payments:PF1",
                "payments:PF2",
                "payments:PF3",
            ],
            Decimal("10180.00"),
        ),
    ]
    assert {(h.evidence_grade, tuple(h.evidence_reasons)) for h in hits} == {
        ("strong", ("reminder",))
    }
    assert render_explanation(hits[1]) == (
        "1's invoice T-33871 for 9\u00a0620,50\u00a0kr was paid on 2025-04-01, and on 2025-04-02 invoice PAM-7731 "
        "with the same OCR reference 338710097 for 9\u00a0800,50\u00a0kr, 180,00\u00a0kr more, was paid again."
    )
