"""Invoice and payment controls: crafted cases and the synthetic municipality."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tillit.analytics.runner import render_explanation, run_controls
from tests.analytics.conftest import engines, match_truth, write_source


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


@pytest.mark.parametrize("seed", [1, 2])
@engines()
def test_the_synthetic_municipality(synthetic, seed, engine):
    synth = synthetic(seed)
    result = run_controls(synth.sources, ["INV-DUP-EXACT"], engine=engine)
    missed, flagged, other = match_truth(synth, "INV-DUP-EXACT", result.hits)
    assert (missed, flagged, other) == ([], [], [])
