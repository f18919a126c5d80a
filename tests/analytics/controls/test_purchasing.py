"""Purchasing controls on crafted data (DuckDB and Spark), and Benford on Nigrini's real payments."""

from __future__ import annotations

import csv
import gzip
from datetime import date, timedelta
from decimal import Decimal

import pytest
from tests.analytics.conftest import engines, run_control
from tests.external import NIGRINI_AP, external

from tillit.analytics.runner import render_explanation

D = date


def _inv(iid: str, sid: str, day: date, amount: str, board: str = "Tekniska nämnden", number: str | None = None,
         **kw) -> dict:
    return {"invoice_id": iid, "supplier_id": sid, "invoice_number": number or iid, "invoice_date": day,
            "amount": Decimal(amount), "board": board, **kw}


_run = run_control


@engines()
def test_split_purchases_in_two_tiers(tmp_path, engine):
    invoices = [
        # tier 1: four invoices in 23 days, each below 700 000, together above
        _inv("A1", "1", D(2025, 5, 5), "198450.20"), _inv("A2", "1", D(2025, 5, 12), "214300.75"),
        _inv("A3", "1", D(2025, 5, 19), "187920.40"), _inv("A4", "1", D(2025, 5, 28), "176015.60"),
        # tier 2: three invoices in 17 days together above the routine limit 100 000
        _inv("B1", "2", D(2025, 10, 6), "38412.20"), _inv("B2", "2", D(2025, 10, 14), "41225.70"),
        _inv("B3", "2", D(2025, 10, 22), "36980.45"),
        # not splits: 31 days apart, one large invoice alone, another board, a contract
        _inv("C1", "3", D(2025, 1, 1), "60000.00"), _inv("C2", "3", D(2025, 2, 1), "60000.00"),
        _inv("D1", "4", D(2025, 1, 1), "148500.30"),
        _inv("E1", "5", D(2025, 1, 1), "60000.00"), _inv("E2", "5", D(2025, 1, 2), "60000.00", board="Socialnämnden"),
        _inv("F1", "6", D(2025, 1, 1), "60000.00", contract_id="AVT-1"), _inv("F2", "6", D(2025, 1, 2), "60000.00")]
    hits = _run(tmp_path, engine, "INV-SPLIT", invoices=invoices)
    assert [(h.evidence_keys, h.severity, h.amount_at_risk) for h in hits] == [
        (["invoices:A1", "invoices:A2", "invoices:A3", "invoices:A4"], "hög", Decimal("776686.95")),
        (["invoices:B1", "invoices:B2", "invoices:B3"], "medel", Decimal("116618.35"))]
    assert render_explanation(hits[1]) == (
        "2 invoiced Tekniska nämnden 3 times without a contract between 2025-10-06 and 2025-10-22, each below the "
        "routine limit 100\u00a0000,00\u00a0kr but 116\u00a0618,35\u00a0kr within one window.")
    assert _run(tmp_path, engine, "INV-SPLIT", {"routine_limit": 0}, invoices=invoices)[0].severity == "hög"
    assert len(_run(tmp_path, engine, "INV-SPLIT", {"routine_limit": 0}, invoices=invoices)) == 1


@engines()
def test_spend_without_contract_per_calendar_year(tmp_path, engine):
    monthly = [_inv(f"M{i}", "1", D(2025, 1 + i, 2), "70000.00") for i in range(11)]  # 770 000
    split_years = ([_inv(f"Y{i}", "2", D(2024, 7 + i, 2), "70000.00") for i in range(6)]
                   + [_inv(f"Z{i}", "2", D(2025, 1 + i, 2), "70000.00") for i in range(6)])
    covered = [_inv(f"K{i}", "3", D(2025, 1 + i, 2), "70000.00") for i in range(11)]
    hits = _run(tmp_path, engine, "INV-NO-CONTRACT", invoices=[*monthly, *split_years, *covered],
                suppliers=[{"supplier_id": "1", "name": "Ekeby Konsult AB"},
                           {"supplier_id": "3", "name": "Avtal AB", "orgnr": "5566778899", "orgnr_valid": True}],
                contracts=[{"contract_id": "AVT-9", "supplier_orgnr": "5566778899", "valid_from": D(2024, 1, 1)}])
    assert [(h.subject_id, len(h.evidence_keys), h.amount_at_risk) for h in hits] == [("1", 11, Decimal("70000.00"))]
    assert render_explanation(hits[0]) == (
        "Ekeby Konsult AB was paid 770\u00a0000,00\u00a0kr in 2025 for invoices without a contract (number of "
        "invoices: 11), more than the direct-procurement limit 700\u00a0000,00\u00a0kr.")


@engines()
def test_contracts_and_direct_purchases_without_prior_check(tmp_path, engine):
    suppliers = [{"supplier_id": str(i), "name": f"Lev {i}", "orgnr": f"55600000{i:02d}", "orgnr_valid": True}
                 for i in range(1, 6)]
    contracts = [{"contract_id": "C1", "supplier_orgnr": "5560000001", "valid_from": D(2025, 2, 1),
                  "value": Decimal("1450000")},
                 {"contract_id": "C2", "supplier_orgnr": "5560000002", "valid_from": D(2025, 6, 1),
                  "value": Decimal("380000")},
                 {"contract_id": "C3", "supplier_orgnr": "5560000003", "valid_from": D(2025, 6, 1),
                  "value": Decimal("380000")},  # checked before: fine
                 {"contract_id": "C4", "supplier_orgnr": "5560000004", "valid_from": D(2025, 6, 1),
                  "value": Decimal("90000")}]  # below the routine limit
    status = [{"orgnr": "5560000001", "checked_date": D(2025, 4, 10)},
              {"orgnr": "5560000003", "checked_date": D(2025, 5, 1)},
              {"orgnr": "5560000005", "checked_date": D(2025, 6, 2)}]
    invoices = [_inv("I5", "5", D(2025, 3, 18), "148500.30"), _inv("I5b", "5", D(2025, 7, 1), "150000.00")]
    hits = _run(tmp_path, engine, "INV-NO-CHECK", suppliers=suppliers, contracts=contracts,
                supplier_status=status, invoices=invoices)
    assert [h.evidence_keys for h in hits] == [
        ["contracts:C1", "suppliers:1"], ["contracts:C2", "suppliers:2"], ["invoices:I5", "suppliers:5"]]
    assert render_explanation(hits[1]) == ("Contract C2 with Lev 2, worth 380\u00a0000,00\u00a0kr, started on "
                                           "2025-06-01; the supplier has never been checked.")


@engines()
def test_consecutive_invoice_numbers(tmp_path, engine):
    def series(sid, numbers):
        return [_inv(f"{sid}-{n}", sid, D(2025, 1, 20) + timedelta(days=31 * i), "15011.00", number=str(n))
                for i, n in enumerate(numbers)]

    rent = [_inv(f"R{i}", "3", D(2025, 1 + i, 1), "38412.50", number=str(4520 + i)) for i in range(12)]
    other = [_inv(f"S{i}", "3", D(2025, 1 + i, 17), "100.00", number=f"S{81000 + 37 * i}") for i in range(12)]
    hits = _run(tmp_path, engine, "INV-SEQ", invoices=[
        *series("1", range(1001, 1011)), *series("2", [2041, 2042, 2043, 2044, 2046, 2047, 2048, 2049]),
        *series("4", [1, 2, 3, 4, 5]),  # too few
        *series("5", [10, 12, 13, 15, 16, 18, 19]), *rent, *other])
    assert [h.subject_id for h in hits] == ["1", "2"]
    assert render_explanation(hits[1]) == ("7 of 2's 8 invoices follow each other by number (2041 to 2049): the "
                                           "municipality may be its only customer.")


@engines()
def test_round_amounts_and_amounts_just_below_a_limit(tmp_path, engine):
    rounds = [_inv(f"A{i}", "1", D(2025, 1 + i, 13), "3000.00" if i % 3 == 0 else "1234.56") for i in range(12)]
    few = [_inv(f"B{i}", "2", D(2025, 1 + i, 13), "3000.00") for i in range(9)]
    hits = _run(tmp_path, engine, "INV-ROUND", invoices=[
        *rounds, *few, _inv("C", "3", D(2025, 6, 17), "689450.20"), _inv("E", "3", D(2025, 6, 17), "95000.00"),
        _inv("F", "3", D(2025, 6, 17), "700000.00"), _inv("G", "3", D(2025, 6, 17), "629999.99")])
    assert [h.evidence_keys for h in hits] == [
        [f"invoices:A{i}" for i in (0, 1, 10, 11, 2, 3, 4, 5, 6, 7, 8, 9)], ["invoices:C"], ["invoices:E"]]
    assert render_explanation(hits[0]) == "4 of 1's 12 invoices are in whole thousands of kronor."
    assert render_explanation(hits[2]) == ("Invoice E from 3 is for 95\u00a0000,00\u00a0kr, just below the limit of "
                                           "100\u00a0000,00\u00a0kr.")


def _nigrini() -> list[dict]:
    with gzip.open(external(NIGRINI_AP), "rt", encoding="utf-8") as f:
        return [{"invoice_id": str(i), "supplier_id": row["VendorNum"], "invoice_number": row["InvNum"],
                 "invoice_date": date.fromisoformat(row["Date"]), "amount": Decimal(row["Amount"]),
                 "board": "Nigrini"} for i, row in enumerate(csv.DictReader(f))]


@engines()
def test_benford_reproduces_the_published_figures_on_nigrinis_payments(tmp_path, engine):
    """benford.analysis: first-two-digits test on Amount > 0, n = 185 083, MAD = 0.002336614
    (nonconformity), largest deviation at 50."""
    hits = _run(tmp_path, engine, "INV-BENFORD", invoices=_nigrini())
    [board] = [h for h in hits if h.subject_type == "board"]
    assert board.explanation_params["invoices"] == 185_083
    assert float(board.explanation_params["mad"]) == pytest.approx(0.002336614, abs=1e-6)
    assert board.explanation_params["worst_digits"] == 50
    assert board.severity == "låg" and board.amount_at_risk == 0


@engines()
def test_benford_small_groups_and_conforming_amounts_are_not_hits(tmp_path, engine):
    # 400 amounts spread over the digits by Benford's law (golden-ratio mantissas), and 400 crowded ones
    phi = (5 ** 0.5 - 1) / 2
    good = [_inv(f"G{i}", "1", D(2025, 1, 1), f"{10 ** (3 + (i * phi) % 1):.2f}", board="A") for i in range(400)]
    bad = [_inv(f"B{i}", "2", D(2025, 1, 1), f"{40000 + i * 24.99:.2f}", board="B") for i in range(400)]
    few = [_inv(f"F{i}", "3", D(2025, 1, 1), "40000.00", board="C") for i in range(299)]
    hits = _run(tmp_path, engine, "INV-BENFORD", invoices=[*good, *bad, *few])
    assert [(h.subject_type, h.subject_id) for h in hits] == [("board", "B"), ("supplier", "2")]
    assert render_explanation(hits[1]).startswith("The first two digits of 2's 400 invoice amounts deviate from "
                                                  "Benford's law: mean absolute deviation")
