"""Keyed-hash pseudonyms for cross-municipality matching, and the two X-* controls."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow.parquet as pq
import pytest
from tests.analytics.conftest import engines, write_source

from tillit.analytics.engines.base import DatasetSource
from tillit.analytics.pseudonyms import PseudonymKeyError, export, pseudonym, read_key
from tillit.analytics.runner import render_explanation, run_controls

KEY = b"0123456789abcdef0123456789abcdef-shared"
PNR = "198112189876"


def test_pseudonyms_are_keyed_stable_and_reveal_nothing():
    assert pseudonym(PNR, KEY) == pseudonym(PNR, KEY)
    assert pseudonym(PNR, KEY) != pseudonym(PNR, KEY + b"x")  # another key, another pseudonym
    assert pseudonym(PNR, KEY) != pseudonym("198112189884", KEY)
    # not a plain hash that anyone could compute by hashing every personnummer
    import hashlib

    assert pseudonym(PNR, KEY) != hashlib.sha256(PNR.encode()).hexdigest()
    assert len(pseudonym(PNR, KEY)) == 64


def test_a_short_key_is_refused(tmp_path):
    (tmp_path / "key").write_bytes(b"too short")
    with pytest.raises(PseudonymKeyError):
        read_key(tmp_path / "key")
    with pytest.raises(PseudonymKeyError):
        export({}, "0180", b"short", tmp_path / "out")


def _benefits(tmp_path, rows):
    return write_source(
        tmp_path,
        "benefit_payments",
        [
            {
                "payment_id": pid,
                "household_id": "H",
                "applicant": applicant,
                "applicant_valid": True,
                "co_applicant": co,
                "co_applicant_valid": True if co else None,
                "period": period,
                "amount": Decimal(amount),
                "paid_date": date(2025, 3, 6),
            }
            for pid, applicant, co, period, amount in rows
        ],
    )


def test_the_export_holds_no_identifier_and_matches_across_municipalities(tmp_path):
    a = tmp_path / "a"
    b = tmp_path / "b"
    a.mkdir()
    b.mkdir()
    ours = {
        "benefit_payments": _benefits(a, [("B1", PNR, "197001011234", "2025-03", "8940.00")]),
        "suppliers": write_source(
            a,
            "suppliers",
            [
                {
                    "supplier_id": "1",
                    "name": "Örnsköld Konsult AB",
                    "orgnr": "5566778899",
                    "orgnr_valid": True,
                }
            ],
        ),
        "invoices": write_source(
            a,
            "invoices",
            [
                {
                    "invoice_id": "F1",
                    "supplier_id": "1",
                    "invoice_number": "2025-7731",
                    "invoice_date": date(2025, 5, 12),
                    "amount": Decimal("88400.00"),
                }
            ],
        ),
    }
    theirs = {
        "benefit_payments": _benefits(
            b, [("XB1", PNR, None, "2025-03", "9250.00"), ("XB2", PNR, None, "2025-04", "9250.00")]
        ),
        "suppliers": write_source(
            b,
            "suppliers",
            [
                {
                    "supplier_id": "77",
                    "name": "Örnsköld Konsult",
                    "orgnr": "5566778899",
                    "orgnr_valid": True,
                }
            ],
        ),
        "invoices": write_source(
            b,
            "invoices",
            [
                {
                    "invoice_id": "K9",
                    "supplier_id": "77",
                    "invoice_number": "20257731",
                    "invoice_date": date(2025, 5, 17),
                    "amount": Decimal("88400.00"),
                }
            ],
        ),
    }
    files = [export(ours, "1111", KEY, a / "x"), export(theirs, "2222", KEY, b / "x")]
    for written in files:
        for path in written.values():
            text = repr(pq.read_table(path).to_pylist())
            assert PNR not in text and "197001011234" not in text and "5566778899" not in text
    assert [r["role"] for r in pq.read_table(files[0]["x_benefit_payments"]).to_pylist()] == [
        "applicant",
        "co_applicant",
    ]
    sources = {
        name: DatasetSource(paths=[str(f[name]) for f in files], key=None)
        for name in ("x_benefit_payments", "x_invoices")
    }
    result = run_controls(sources, ["X-BEN-TWO-MUNICIPALITIES", "X-SUP-SAME-INVOICE"])
    hits = {h.control_id: h for h in result.hits}
    assert hits["X-BEN-TWO-MUNICIPALITIES"].evidence_keys == [
        "benefit_payments:B1",
        "benefit_payments:XB1",
    ]
    assert hits["X-BEN-TWO-MUNICIPALITIES"].amount_at_risk == Decimal("8940.00")
    assert hits["X-BEN-TWO-MUNICIPALITIES"].subject_id == pseudonym(PNR, KEY)
    assert render_explanation(hits["X-BEN-TWO-MUNICIPALITIES"]) == (
        "One person was paid economic assistance for 2025-03 by municipality 1111 (8\u00a0940,00\u00a0kr) and by "
        "municipality 2222 (9\u00a0250,00\u00a0kr)."
    )
    assert hits["X-SUP-SAME-INVOICE"].evidence_keys == ["invoices:F1", "invoices:K9"]


@engines()
def test_cross_controls_on_crafted_exports(tmp_path, engine):
    p1, p2 = pseudonym(PNR, KEY), pseudonym("197001011234", KEY)
    benefits = write_source(
        tmp_path,
        "x_benefit_payments",
        [
            {
                "municipality": "1111",
                "payment_ref": "B1",
                "person": p1,
                "period": "2025-03",
                "amount": Decimal("100"),
            },
            {
                "municipality": "2222",
                "payment_ref": "C1",
                "person": p1,
                "period": "2025-03",
                "amount": Decimal("90"),
            },
            # another month, another person, the same municipality twice: not hits
            {
                "municipality": "2222",
                "payment_ref": "C2",
                "person": p1,
                "period": "2025-04",
                "amount": Decimal("90"),
            },
            {
                "municipality": "2222",
                "payment_ref": "C3",
                "person": p2,
                "period": "2025-03",
                "amount": Decimal("90"),
            },
            {
                "municipality": "1111",
                "payment_ref": "B2",
                "person": p1,
                "period": "2025-03",
                "amount": Decimal("5"),
            },
        ],
    )
    invoices = write_source(
        tmp_path,
        "x_invoices",
        [
            {
                "municipality": "1111",
                "invoice_ref": "F1",
                "supplier": "s",
                "invoice_number": "n",
                "amount": Decimal("7"),
            },
            {
                "municipality": "2222",
                "invoice_ref": "K1",
                "supplier": "s",
                "invoice_number": "n",
                "amount": Decimal("7"),
            },
            {
                "municipality": "3333",
                "invoice_ref": "L1",
                "supplier": "s",
                "invoice_number": "n",
                "amount": Decimal("8"),
            },
        ],
    )
    result = run_controls(
        {"x_benefit_payments": benefits, "x_invoices": invoices},
        ["X-BEN-TWO-MUNICIPALITIES", "X-SUP-SAME-INVOICE"],
        engine=engine,
    )
    assert sorted((h.control_id, h.evidence_keys, h.amount_at_risk) for h in result.hits) == [
        (
            "X-BEN-TWO-MUNICIPALITIES",
            ["benefit_payments:B1", "benefit_payments:B2", "benefit_payments:C1"],
            Decimal("90.00"),
        ),
        ("X-SUP-SAME-INVOICE", ["invoices:F1", "invoices:K1"], Decimal("7.00")),
    ]
