"""Golden tests of the LEDGER-* (the general ledger) controls (analytics/controls/ledger.py) on crafted data, on DuckDB and Spark."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from tests.analytics.conftest import engines, run_control

from tillit.analytics.runner import render_explanation

SE = ZoneInfo("Europe/Stockholm")


def _at(y, m, d, h, mi=0):
    return datetime(y, m, d, h, mi, tzinfo=SE)


_run = run_control


@engines()
def test_odd_manual_vouchers(tmp_path, engine):
    def voucher(vid, at, account, amount, by="E1"):
        return [
            {
                "voucher_id": vid,
                "voucher_date": at.date(),
                "account": account,
                "amount": Decimal(amount),
                "series": "M",
                "registered_by": by,
                "registered_at": at,
            },
            {
                "voucher_id": vid,
                "voucher_date": at.date(),
                "account": "1930",
                "amount": -Decimal(amount),
                "series": "M",
                "registered_by": by,
                "registered_at": at,
            },
        ]

    rows = (
        voucher("W", _at(2025, 7, 12, 14, 22), "6420", "50000")
        + voucher("H", _at(2025, 12, 25, 10), "4010", "25000")
        + voucher("N", _at(2025, 9, 17, 23, 41), "5410", "120000")
        + voucher("OK", _at(2025, 9, 17, 10), "5410", "120000")  # a working day
        + voucher("ODD", _at(2025, 7, 12, 14), "6420", "50000.50")  # not round
        + voucher("BS", _at(2025, 7, 12, 14), "1510", "50000")  # not an expense account
        + voucher("SYS", _at(2025, 7, 12, 14), "6420", "50000", by="SYSTEM")
    )
    hits = _run(tmp_path, engine, "LEDGER-MANUAL-ODD", ledger=rows)
    assert [(h.subject_id, h.amount_at_risk) for h in hits] == [
        ("H", Decimal("25000.00")),
        ("N", Decimal("120000.00")),
        ("W", Decimal("50000.00")),
    ]
    assert render_explanation(hits[2]) == (
        "Manual voucher W of 50\u00a0000,00\u00a0kr on expense account 6420 was "
        "registered by E1 on a weekend, 2025-07-12 14:22."
    )
