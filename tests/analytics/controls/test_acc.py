"""Golden tests of the ACC-* (bank accounts) controls (analytics/controls/acc.py) on crafted data, on DuckDB and Spark."""

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


def _acc(sid: str, account: str, start: date, end: date | None = None) -> dict:
    return {"supplier_id": sid, "bank_account": account, "valid_from": start, "valid_to": end}


_run = run_control

D = date


@engines()
def test_account_changed_or_unregistered_before_payment(tmp_path, engine):
    hits = _run(
        tmp_path,
        engine,
        "ACC-CHANGE",
        suppliers=[
            _sup("1", "Västkust Städ AB"),
            _sup("2", "Syd Omsorg AB"),
            _sup("3", "Stabil AB"),
        ],
        supplier_accounts=[
            _acc("1", "BG:1", D(2020, 1, 1), D(2025, 3, 31)),
            _acc("1", "BG:2", D(2025, 4, 1)),
            _acc("2", "BG:3", D(2020, 1, 1)),
            _acc("3", "BG:4", D(2020, 1, 1)),
        ],
        payments=[
            _pay("P1", D(2025, 4, 22), "64480.25", "BG:2", payee="1"),
            _pay("P1late", D(2025, 5, 2), "10.00", "BG:2", payee="1"),  # 31 days after
            _pay("P2", D(2025, 9, 16), "118760.00", "BG:9", payee="2"),
            _pay("P2ok", D(2025, 9, 16), "5.00", "BG:3", payee="2"),
            _pay("P3", D(2025, 9, 16), "7.00", "BG:4", payee="3"),
        ],
    )
    assert [(h.evidence_keys, h.amount_at_risk) for h in hits] == [
        (["payments:P1", "suppliers:1"], Decimal("64480.25")),
        (["payments:P2", "suppliers:2"], Decimal("118760.00")),
    ]
    assert render_explanation(hits[0]) == (
        "Västkust Städ AB's bank account was changed on 2025-04-01 and the supplier was paid 64\u00a0480,25\u00a0kr "
        "from 2025-04-22 (number of payments: 1), shortly after the change."
    )


@engines()
def test_deviating_account_after_five_payments_to_one_account(tmp_path, engine):
    usual = [_pay(f"U{i}", D(2025, 1 + i, 5), "100.00", "BG:1", payee="1") for i in range(5)]
    few = [_pay(f"F{i}", D(2025, 1 + i, 5), "100.00", "BG:5", payee="2") for i in range(4)]
    hits = _run(
        tmp_path,
        engine,
        "ACC-DEVIATING",
        suppliers=[_sup("1", "Syd Omsorg AB")],
        payments=[
            *usual,
            _pay("X", D(2025, 7, 1), "118760.00", "BG:9", payee="1"),
            _pay("Y", D(2025, 7, 2), "50.00", "BG:9", payee="1"),  # not the first deviation
            *few,
            _pay("Z", D(2025, 7, 1), "10.00", "BG:6", payee="2"),
        ],
    )  # only 4 earlier
    assert [h.evidence_keys for h in hits] == [["payments:X", "suppliers:1"]]
    assert render_explanation(hits[0]) == (
        "Syd Omsorg AB was paid 118\u00a0760,00\u00a0kr on 2025-07-01 to BG:9; its "
        "last 5 payments all went to BG:1."
    )


@engines()
def test_bankgiro_and_plusgiro_mixed_up(tmp_path, engine):
    hits = _run(
        tmp_path,
        engine,
        "ACC-GIRO-MIX",
        suppliers=[_sup("1", "Åsa Buss AB"), _sup("2", "Vikens VVS AB"), _sup("3", "Båda AB")],
        supplier_accounts=[
            _acc("1", "PG:47118", D(2020, 1, 1)),
            _acc("2", "BG:50501055", D(2020, 1, 1)),
            _acc("3", "PG:12345", D(2020, 1, 1)),
            _acc("3", "BG:12345", D(2020, 1, 1)),
        ],
        payments=[
            _pay("P1", D(2025, 8, 12), "87312.40", "BG:47118", payee="1"),
            _pay("P2", D(2025, 11, 4), "143950.00", "PG:50501055", payee="2"),
            _pay("P3", D(2025, 11, 4), "1.00", "BG:12345", payee="3"),
        ],
    )  # both registered
    assert [h.evidence_keys for h in hits] == [
        ["payments:P1", "suppliers:1"],
        ["payments:P2", "suppliers:2"],
    ]
    assert render_explanation(hits[0]) == (
        "Åsa Buss AB was paid 87\u00a0312,40\u00a0kr on 2025-08-12 to bankgiro BG:47118, which has the digits of its "
        "registered plusgiro PG:47118."
    )


@engines()
def test_shared_accounts_at_overlapping_times(tmp_path, engine):
    hits = _run(
        tmp_path,
        engine,
        "ACC-SHARED",
        supplier_accounts=[
            _acc("1", "BG:1", D(2020, 1, 1)),
            _acc("2", "BG:1", D(2023, 3, 1)),
            _acc("3", "BANK:1", D(2022, 10, 3)),
            # one after the other: an account taken over, not shared
            _acc("4", "BG:4", D(2020, 1, 1), D(2021, 1, 1)),
            _acc("5", "BG:4", D(2022, 1, 1)),
        ],
        employees=[
            {
                "employee_id": "E1",
                "personnummer": "198001011234",
                "bank_account": "BANK:1",
                "employed_from": D(2015, 1, 1),
            },
            {
                "employee_id": "E2",
                "personnummer": "198001021234",
                "bank_account": "BG:4",
                "employed_from": D(2010, 1, 1),
                "employed_to": D(2019, 12, 31),
            },
        ],
        payments=[
            _pay("P1", D(2025, 9, 23), "46250.00", "BANK:1", payee="3"),
            _pay("P2", D(2023, 2, 1), "10.00", "BG:1", payee="1"),  # before the overlap
            _pay("P3", D(2023, 4, 1), "20.00", "BG:1", payee="2"),
        ],
    )
    assert [(h.evidence_keys, h.amount_at_risk) for h in hits] == [
        (["employees:E1", "payments:P1", "suppliers:3"], Decimal("46250.00")),
        (["payments:P3", "suppliers:1", "suppliers:2"], Decimal("20.00")),
    ]
