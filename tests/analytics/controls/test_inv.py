"""Golden tests of the INV-* (supplier invoices) controls (analytics/controls/inv.py) on crafted data, on DuckDB and Spark."""

from __future__ import annotations

import csv
import gzip
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import holidays
import pytest
from tests.analytics.conftest import engines, run_control, write_source
from tests.external import NIGRINI_AP, external

from tillit.analytics.controls._sql import HOLIDAY_DATES, is_weekend_sql
from tillit.analytics.evidence import describe
from tillit.analytics.runner import render_explanation, run_controls


def _supplier(sid: str, name: str, orgnr: str | None = None, valid: bool = True) -> dict:
    return {
        "supplier_id": sid,
        "name": name,
        "orgnr": orgnr,
        "orgnr_valid": valid if orgnr else None,
    }


def _invoice(iid: str, sid: str, number: str, day: int, amount: str) -> dict:
    return {
        "invoice_id": iid,
        "supplier_id": sid,
        "invoice_number": number,
        "invoice_date": date(2025, 3, day),
        "amount": Decimal(amount),
        "board": "Socialnämnden",
    }


def _fuzzy_hits(tmp_path, engine, invoices, suppliers=(), accounts=(), **params):
    sources = {"invoices": write_source(tmp_path, "invoices", list(invoices))}
    if suppliers:
        sources["suppliers"] = write_source(tmp_path, "suppliers", list(suppliers))
    if accounts:
        sources["supplier_accounts"] = write_source(tmp_path, "supplier_accounts", list(accounts))
    result = run_controls(
        sources,
        ["INV-DUP-FUZZY"],
        engine=engine,
        params={"INV-DUP-FUZZY": params} if params else None,
    )
    return sorted(result.hits, key=lambda h: h.evidence_keys)


D = date


def _inv(
    iid: str,
    sid: str,
    day: date,
    amount: str,
    board: str = "Tekniska nämnden",
    number: str | None = None,
    **kw,
) -> dict:
    return {
        "invoice_id": iid,
        "supplier_id": sid,
        "invoice_number": number or iid,
        "invoice_date": day,
        "amount": Decimal(amount),
        "board": board,
        **kw,
    }


_run = run_control


def _nigrini() -> list[dict]:
    with gzip.open(external(NIGRINI_AP), "rt", encoding="utf-8") as f:
        return [
            {
                "invoice_id": str(i),
                "supplier_id": row["VendorNum"],
                "invoice_number": row["InvNum"],
                "invoice_date": date.fromisoformat(row["Date"]),
                "amount": Decimal(row["Amount"]),
                "board": "Nigrini",
            }
            for i, row in enumerate(csv.DictReader(f))
        ]


def _sup(sid: str, name: str, orgnr: str | None = None, valid: bool = True, **kw) -> dict:
    return {
        "supplier_id": sid,
        "name": name,
        "orgnr": orgnr,
        "orgnr_valid": valid if orgnr else None,
        **kw,
    }


def _inv_suppliers(iid: str, sid: str, number: str, day: date, amount: str, **kw) -> dict:
    return {
        "invoice_id": iid,
        "supplier_id": sid,
        "invoice_number": number,
        "invoice_date": day,
        "amount": Decimal(amount),
        "board": "Tekniska nämnden",
        **kw,
    }


@engines()
def test_exact_duplicates_across_supplier_records_with_one_orgnr_and_credit_notes(tmp_path, engine):
    suppliers = write_source(
        tmp_path,
        "suppliers",
        [
            _supplier("1", "Bygg AB", "5566778899"),
            _supplier("2", "Bygg Aktiebolag", "5566778899"),
            _supplier("3", "Annan AB", "5560000000", valid=False),
            _supplier("4", "Tredje AB", "5560000000", valid=False),
        ],
    )
    invoices = write_source(
        tmp_path,
        "invoices",
        [
            _invoice("A1", "1", "2024-0117", 3, "48750.00"),
            _invoice("A2", "2", "20240117", 20, "48750.00"),
            # credited: the second claim is cancelled by a credit note of the opposite amount
            _invoice("B1", "1", "77", 3, "100.00"),
            _invoice("B2", "1", "77", 4, "100.00"),
            _invoice("B3", "1", "K-77", 5, "-100.00"),
            # an invalid orgnr does not join two supplier records
            _invoice("C1", "3", "9", 3, "500.00"),
            _invoice("C2", "4", "9", 4, "500.00"),
            # same number, another amount: not exact
            _invoice("D1", "1", "55", 3, "10.00"),
            _invoice("D2", "1", "55", 4, "11.00"),
        ],
    )
    result = run_controls(
        {"suppliers": suppliers, "invoices": invoices}, ["INV-DUP-EXACT"], engine=engine
    )
    hits = result.hits
    assert [(h.subject_id, h.evidence_keys, h.amount_at_risk) for h in hits] == [
        ("1", ["invoices:A1", "invoices:A2"], Decimal("48750.00"))
    ]
    assert render_explanation(hits[0]) == (
        "2 invoices from Bygg AB / Bygg Aktiebolag have the same invoice number 2024-0117 and the same amount, "
        "48\u00a0750,00\u00a0kr each: A1, A2."
    )


@engines()
def test_fuzzy_numbers_ocr_lookalikes_transposition_and_suffixes(tmp_path, engine):
    hits = _fuzzy_hits(
        tmp_path,
        engine,
        [
            _invoice("A1", "1", "B10457", 3, "17950.40"),
            _invoice("A2", "1", "810457", 20, "17950.40"),
            _invoice("B1", "1", "66138", 3, "9312.25"),
            _invoice("B2", "1", "61638", 4, "9312.25"),
            _invoice("C1", "1", "30571", 3, "54128.00"),
            _invoice("C2", "1", "30571-1", 9, "54128.00"),
            _invoice("D1", "1", "A-10991", 3, "200.00"),
            _invoice("D2", "1", "10991", 9, "200.00"),
            # not hits: two non-adjacent characters swapped, a suffix on a number shorter than 4,
            # a suffix of 4 characters, a different amount
            _invoice("E1", "1", "12345", 3, "300.00"),
            _invoice("E2", "1", "14325", 4, "300.00"),
            _invoice("F1", "1", "123", 3, "400.00"),
            _invoice("F2", "1", "123A", 4, "400.00"),
            _invoice("G1", "1", "4711", 3, "500.00"),
            _invoice("G2", "1", "4711-1234", 4, "500.00"),
            _invoice("H1", "1", "B10457", 3, "17950.41"),
        ],
        min_amount=0,
    )
    assert [h.evidence_keys for h in hits] == [
        ["invoices:A1", "invoices:A2"],
        ["invoices:B1", "invoices:B2"],
        ["invoices:C1", "invoices:C2"],
        ["invoices:D1", "invoices:D2"],
    ]
    assert render_explanation(hits[1]) == (
        "Invoices 66138 (2025-03-03) and 61638 (2025-03-04) from 1 have the same amount, 9\u00a0312,25\u00a0kr, "
        "and numbers that differ only by two swapped neighbouring characters."
    )
    assert hits[0].amount_at_risk == Decimal("17950.40")


@engines()
def test_fuzzy_links_supplier_records_by_orgnr_account_and_name_but_not_by_chance(tmp_path, engine):
    suppliers = [
        _supplier("1", "Sjöbergs Elservice AB", "5566778899"),
        _supplier("2", "SJÖBERGS ELSERVICE"),
        _supplier("3", "Lindholms Transport AB", "5561234567"),
        _supplier("4", "Lindholm Transport Aktiebolag", "5561234567"),
        _supplier("5", "Alfa Bygg AB", "5560000001"),
        _supplier("6", "Beta Bygg AB", "5560000002"),
        _supplier("7", "Gamma AB", "5560000003"),
        _supplier("8", "Delta AB", "5560000004"),
    ]
    accounts = [
        {"supplier_id": "5", "bank_account": "BG:50501055", "valid_from": date(2020, 1, 1)},
        {"supplier_id": "6", "bank_account": "BG:50501055", "valid_from": date(2020, 1, 1)},
    ]
    hits = _fuzzy_hits(
        tmp_path,
        engine,
        [
            _invoice("A1", "1", "9921", 3, "31775.00"),
            _invoice("A2", "2", "9921A", 28, "31775.00"),
            _invoice("B1", "3", "2025-1187", 3, "100.00"),
            _invoice("B2", "4", "20251187", 4, "100.00"),
            _invoice("C1", "5", "7001", 3, "900.00"),
            _invoice("C2", "6", "7001", 4, "900.00"),
            # unrelated suppliers with the same number and amount: another control's business
            _invoice("D1", "7", "5555", 3, "50.00"),
            _invoice("D2", "8", "5555", 4, "50.00"),
            # same date across linked-by-name records is not the same-day rule (only one supplier)
            _invoice("E1", "1", "111", 5, "70.00"),
            _invoice("E2", "2", "999", 5, "70.00"),
        ],
        suppliers=suppliers,
        accounts=accounts,
        min_amount=0,
    )
    assert [h.evidence_keys for h in hits] == [
        ["invoices:A1", "invoices:A2"],
        ["invoices:B1", "invoices:B2"],
        ["invoices:C1", "invoices:C2"],
    ]
    assert [h.subject_id for h in hits] == ["1", "3", "5"]
    assert render_explanation(hits[0]).endswith(
        "from Sjöbergs Elservice AB / SJÖBERGS ELSERVICE have the same "
        "amount, 31\u00a0775,00\u00a0kr, and one number is the other with a "
        "short prefix or suffix added."
    )


@engines()
def test_fuzzy_same_day_window_recurring_and_credit_notes(tmp_path, engine):
    invoices = [
        _invoice("A1", "1", "71204", 19, "6480.75"),
        _invoice("A2", "1", "71388", 19, "6480.75"),
        # recurring: consecutive numbers, same amount, different dates
        _invoice("R1", "1", "4520", 1, "38412.50"),
        _invoice("R2", "1", "4521", 29, "38412.50"),
        # a duplicate cancelled by a credit note
        _invoice("K1", "1", "88120", 12, "27455.00"),
        _invoice("K2", "1", "88120", 19, "27455.00"),
        _invoice("K3", "1", "K88120", 26, "-27455.00"),
        # outside the window
        {**_invoice("W1", "1", "6060", 1, "10.00"), "invoice_date": date(2024, 1, 2)},
        _invoice("W2", "1", "6060", 1, "10.00"),
    ]
    hits = _fuzzy_hits(tmp_path, engine, invoices, min_amount=0)
    assert [h.evidence_keys for h in hits] == [["invoices:A1", "invoices:A2"]]
    assert render_explanation(hits[0]) == (
        "Invoices 71204 and 71388 from 1 have the same amount, "
        "6\u00a0480,75\u00a0kr, and the same invoice date, 2025-03-19."
    )
    wider = _fuzzy_hits(tmp_path, engine, invoices, window_days=500, min_amount=0)
    assert ["invoices:W1", "invoices:W2"] in [h.evidence_keys for h in wider]


@engines()
def test_fuzzy_knows_the_suppliers_normal_pattern_and_raises_groups(tmp_path, engine):
    # issue 17: one hit per supplier and amount listing every member; repetitions that follow the
    # supplier's own pattern are no duplicates; numbers that are not numbers are not compared
    invoices = [
        # a re-keyed number (leading zero) three times: one group, at risk all but one
        _invoice("G1", "1", "5501", 3, "2000.00"),
        _invoice("G2", "1", "05501", 10, "2000.00"),
        _invoice("G3", "1", "5-501", 17, "2000.00"),
        # the same number and amount on the same date: lines of one document
        _invoice("L1", "2", "8800", 5, "3000.00"),
        _invoice("L2", "2", "8800", 5, "3000.00"),
        # many identical items of one run: consecutive numbers on one day
        _invoice("R1", "3", "4000", 5, "1500.00"),
        _invoice("R2", "3", "4001", 5, "1500.00"),
        # a supplier that bills one amount twice a day as its rhythm: same day is its pattern
        _invoice("P1", "4", "100", 3, "750.00"),
        _invoice("P2", "4", "205", 3, "750.00"),
        _invoice("P3", "4", "310", 4, "820.00"),
        _invoice("P4", "4", "415", 4, "820.00"),
        # Excel mangled both numbers: not compared
        {**_invoice("X1", "5", "2.15458E+13", 3, "900.00"), "invoice_number_flag": "excel"},
        {**_invoice("X2", "5", "2.15458E+13", 20, "900.00"), "invoice_number_flag": "excel"},
        # below the materiality limit
        _invoice("S1", "6", "7070", 3, "120.00"),
        _invoice("S2", "6", "07070", 9, "120.00"),
    ]
    hits = _fuzzy_hits(tmp_path, engine, invoices)
    assert [(h.evidence_keys, h.amount_at_risk) for h in hits] == [
        (["invoices:G1", "invoices:G2", "invoices:G3"], Decimal("4000.00"))
    ]
    assert ["invoices:S1", "invoices:S2"] in [
        h.evidence_keys for h in _fuzzy_hits(tmp_path, engine, invoices, min_amount=100)
    ]


@engines()
def test_same_number_other_supplier_is_one_hit_per_pair_of_records(tmp_path, engine):
    invoices = [
        _inv_suppliers("A1", "1", "204417", D(2025, 4, 2), "31250.40"),
        _inv_suppliers("A2", "2", "204417", D(2025, 4, 16), "31250.40"),
        _inv_suppliers("B1", "1", "204999", D(2025, 5, 2), "1250.00"),
        _inv_suppliers("B2", "2", "204999", D(2025, 5, 3), "1250.00"),
        # a reference three records share is their common pattern (a fee code), not a copied invoice
        _inv_suppliers("C1", "3", "R405560", D(2025, 5, 2), "2995.00"),
        _inv_suppliers("C2", "4", "R405560", D(2025, 5, 3), "2995.00"),
        _inv_suppliers("C3", "5", "R405560", D(2025, 5, 4), "2995.00"),
        # a date-shaped number is not compared
        _inv_suppliers("D1", "6", "050325", D(2025, 3, 5), "990.00", invoice_number_flag="date"),
        _inv_suppliers("D2", "7", "050325", D(2025, 3, 5), "990.00", invoice_number_flag="date"),
    ]
    hits = _run(tmp_path, engine, "INV-SAME-NO-OTHER-SUPPLIER", invoices=invoices)
    assert [(h.subject_id, h.evidence_keys, h.amount_at_risk) for h in hits] == [
        ("2", ["invoices:A1", "invoices:A2", "invoices:B1", "invoices:B2"], Decimal("32500.40"))
    ]


@engines()
def test_exact_needs_a_second_date_and_skips_mangled_numbers(tmp_path, engine):
    invoices = [
        _inv_suppliers("A1", "1", "9001", D(2025, 4, 2), "5000.00"),
        _inv_suppliers("A2", "1", "9001", D(2025, 4, 2), "5000.00"),
        _inv_suppliers("A3", "1", "9001", D(2025, 5, 2), "5000.00"),
        _inv_suppliers("B1", "1", "9002", D(2025, 4, 2), "5000.00"),
        _inv_suppliers("B2", "1", "9002", D(2025, 4, 2), "5000.00"),
        _inv_suppliers("X1", "2", "2.1E+13", D(2025, 4, 2), "5000.00", invoice_number_flag="excel"),
        _inv_suppliers("X2", "2", "2.1E+13", D(2025, 6, 2), "5000.00", invoice_number_flag="excel"),
    ]
    hits = _run(tmp_path, engine, "INV-DUP-EXACT", invoices=invoices)
    # two documents (4 April, twice the same lines, and 2 May): one paid twice, not three times
    assert [(h.evidence_keys, h.amount_at_risk) for h in hits] == [
        (["invoices:A1", "invoices:A2", "invoices:A3"], Decimal("5000.00"))
    ]


@engines()
def test_the_duplicate_family_grades_its_evidence_by_named_reasons(tmp_path, engine):
    # issue 17: strong (a re-keyed number, another date), weak (one day, a price-list amount), medium
    # (both); the grade is a rule on the reasons (analytics/evidence.py), said in words
    exact = _run(
        tmp_path,
        engine,
        "INV-DUP-EXACT",
        invoices=[
            _inv_suppliers("A1", "1", "9001", D(2025, 4, 2), "5000.00"),
            _inv_suppliers("A2", "1", "9001", D(2025, 5, 2), "5000.00"),
            # a supplier that bills 700,00 kr again and again: the same claim twice, but a price-list amount
            _inv_suppliers("B1", "2", "71", D(2025, 4, 1), "700.00"),
            _inv_suppliers("B2", "2", "71", D(2025, 5, 1), "700.00"),
            *(_inv_suppliers(f"B{n}", "2", f"{n}0", D(2025, n, 15), "700.00") for n in (3, 4, 5)),
        ],
    )
    assert [(h.evidence_keys[0], h.evidence_grade, h.evidence_reasons) for h in exact] == [
        ("invoices:A1", "strong", ["different_dates"]),
        ("invoices:B1", "medium", ["different_dates", "standard_amount"]),
    ]
    (tmp_path / "fuzzy").mkdir()
    fuzzy = _fuzzy_hits(
        tmp_path / "fuzzy",
        engine,
        [
            _invoice("G1", "1", "5501", 3, "2000.00"),
            _invoice("G2", "1", "05501", 10, "2000.00"),
            _invoice("S1", "2", "71204", 19, "6480.75"),
            _invoice("S2", "2", "71388", 19, "6480.75"),
        ],
    )
    assert [(h.evidence_keys, h.evidence_grade, h.evidence_reasons) for h in fuzzy] == [
        (["invoices:G1", "invoices:G2"], "strong", ["rekeyed", "different_dates"]),
        (["invoices:S1", "invoices:S2"], "weak", ["same_day"]),
    ]
    assert describe(fuzzy[0].evidence_reasons) == (
        "Evidence: strong (the invoice number was re-keyed (a leading zero, a separator, a look-alike "
        "character, a suffix or two digits swapped); the same claim on different dates)."
    )
    assert describe(exact[1].evidence_reasons) == (
        "Evidence: medium (the same claim on different dates; an amount the supplier bills, or the "
        "account is paid, three times or more besides)."
    )


@engines()
def test_split_purchases_in_two_tiers(tmp_path, engine):
    invoices = [
        # tier 1: four invoices in 23 days, each below 700 000, together above
        _inv("A1", "1", D(2025, 5, 5), "198450.20"),
        _inv("A2", "1", D(2025, 5, 12), "214300.75"),
        _inv("A3", "1", D(2025, 5, 19), "187920.40"),
        _inv("A4", "1", D(2025, 5, 28), "176015.60"),
        # tier 2: three invoices in 17 days together above the routine limit 100 000
        _inv("B1", "2", D(2025, 10, 6), "38412.20"),
        _inv("B2", "2", D(2025, 10, 14), "41225.70"),
        _inv("B3", "2", D(2025, 10, 22), "36980.45"),
        # not splits: 31 days apart, one large invoice alone, another board, a contract
        _inv("C1", "3", D(2025, 1, 1), "60000.00"),
        _inv("C2", "3", D(2025, 2, 1), "60000.00"),
        _inv("D1", "4", D(2025, 1, 1), "148500.30"),
        _inv("E1", "5", D(2025, 1, 1), "60000.00"),
        _inv("E2", "5", D(2025, 1, 2), "60000.00", board="Socialnämnden"),
        _inv("F1", "6", D(2025, 1, 1), "60000.00", contract_id="AVT-1"),
        _inv("F2", "6", D(2025, 1, 2), "60000.00"),
    ]
    hits = _run(tmp_path, engine, "INV-SPLIT", invoices=invoices)
    assert [(h.evidence_keys, h.severity, h.amount_at_risk) for h in hits] == [
        (["invoices:A1", "invoices:A2", "invoices:A3", "invoices:A4"], "hög", Decimal("776686.95")),
        (["invoices:B1", "invoices:B2", "invoices:B3"], "medel", Decimal("116618.35")),
    ]
    assert render_explanation(hits[1]) == (
        "2 invoiced Tekniska nämnden 3 times without a contract between 2025-10-06 and 2025-10-22, each below the "
        "routine limit 100\u00a0000,00\u00a0kr but 116\u00a0618,35\u00a0kr within one window."
    )
    assert (
        _run(tmp_path, engine, "INV-SPLIT", {"routine_limit": 0}, invoices=invoices)[0].severity
        == "hög"
    )
    assert len(_run(tmp_path, engine, "INV-SPLIT", {"routine_limit": 0}, invoices=invoices)) == 1


@engines()
def test_spend_without_contract_per_calendar_year(tmp_path, engine):
    monthly = [_inv(f"M{i}", "1", D(2025, 1 + i, 2), "70000.00") for i in range(11)]  # 770 000
    split_years = [_inv(f"Y{i}", "2", D(2024, 7 + i, 2), "70000.00") for i in range(6)] + [
        _inv(f"Z{i}", "2", D(2025, 1 + i, 2), "70000.00") for i in range(6)
    ]
    covered = [_inv(f"K{i}", "3", D(2025, 1 + i, 2), "70000.00") for i in range(11)]
    hits = _run(
        tmp_path,
        engine,
        "INV-NO-CONTRACT",
        invoices=[*monthly, *split_years, *covered],
        suppliers=[
            {"supplier_id": "1", "name": "Ekeby Konsult AB"},
            {"supplier_id": "3", "name": "Avtal AB", "orgnr": "5566778899", "orgnr_valid": True},
        ],
        contracts=[
            {"contract_id": "AVT-9", "supplier_orgnr": "5566778899", "valid_from": D(2024, 1, 1)}
        ],
    )
    assert [(h.subject_id, len(h.evidence_keys), h.amount_at_risk) for h in hits] == [
        ("1", 11, Decimal("70000.00"))
    ]
    assert render_explanation(hits[0]) == (
        "Ekeby Konsult AB was paid 770\u00a0000,00\u00a0kr in 2025 for invoices without a contract (number of "
        "invoices: 11), more than the direct-procurement limit 700\u00a0000,00\u00a0kr."
    )


@engines()
def test_contracts_and_direct_purchases_without_prior_check(tmp_path, engine):
    suppliers = [
        {
            "supplier_id": str(i),
            "name": f"Lev {i}",
            "orgnr": f"55600000{i:02d}",
            "orgnr_valid": True,
        }
        for i in range(1, 6)
    ]
    contracts = [
        {
            "contract_id": "C1",
            "supplier_orgnr": "5560000001",
            "valid_from": D(2025, 2, 1),
            "value": Decimal("1450000"),
        },
        {
            "contract_id": "C2",
            "supplier_orgnr": "5560000002",
            "valid_from": D(2025, 6, 1),
            "value": Decimal("380000"),
        },
        {
            "contract_id": "C3",
            "supplier_orgnr": "5560000003",
            "valid_from": D(2025, 6, 1),
            "value": Decimal("380000"),
        },  # checked before: fine
        {
            "contract_id": "C4",
            "supplier_orgnr": "5560000004",
            "valid_from": D(2025, 6, 1),
            "value": Decimal("90000"),
        },
    ]  # below the routine limit
    status = [
        {"orgnr": "5560000001", "checked_date": D(2025, 4, 10)},
        {"orgnr": "5560000003", "checked_date": D(2025, 5, 1)},
        {"orgnr": "5560000005", "checked_date": D(2025, 6, 2)},
    ]
    invoices = [
        _inv("I5", "5", D(2025, 3, 18), "148500.30"),
        _inv("I5b", "5", D(2025, 7, 1), "150000.00"),
    ]
    hits = _run(
        tmp_path,
        engine,
        "INV-NO-CHECK",
        suppliers=suppliers,
        contracts=contracts,
        supplier_status=status,
        invoices=invoices,
    )
    assert [h.evidence_keys for h in hits] == [
        ["contracts:C1", "suppliers:1"],
        ["contracts:C2", "suppliers:2"],
        ["invoices:I5", "suppliers:5"],
    ]
    assert render_explanation(hits[1]) == (
        "Contract C2 with Lev 2, worth 380\u00a0000,00\u00a0kr, started on "
        "2025-06-01; the supplier has never been checked."
    )


@engines()
def test_consecutive_invoice_numbers(tmp_path, engine):
    def series(sid, numbers):
        return [
            _inv(
                f"{sid}-{n}",
                sid,
                D(2025, 1, 20) + timedelta(days=31 * i),
                "15011.00",
                number=str(n),
            )
            for i, n in enumerate(numbers)
        ]

    rent = [
        _inv(f"R{i}", "3", D(2025, 1 + i, 1), "38412.50", number=str(4520 + i)) for i in range(12)
    ]
    other = [
        _inv(f"S{i}", "3", D(2025, 1 + i, 17), "100.00", number=f"S{81000 + 37 * i}")
        for i in range(12)
    ]
    hits = _run(
        tmp_path,
        engine,
        "INV-SEQ",
        invoices=[
            *series("1", range(1001, 1011)),
            *series("2", [2041, 2042, 2043, 2044, 2046, 2047, 2048, 2049]),
            *series("4", [1, 2, 3, 4, 5]),  # too few
            *series("5", [10, 12, 13, 15, 16, 18, 19]),
            *rent,
            *other,
        ],
    )
    assert [h.subject_id for h in hits] == ["1", "2"]
    assert render_explanation(hits[1]) == (
        "7 of 2's 8 invoices follow each other by number (2041 to 2049): the "
        "municipality may be its only customer."
    )


@engines()
def test_round_amounts_and_amounts_just_below_a_limit(tmp_path, engine):
    rounds = [
        _inv(f"A{i}", "1", D(2025, 1 + i, 13), "3000.00" if i % 3 == 0 else "1234.56")
        for i in range(12)
    ]
    few = [_inv(f"B{i}", "2", D(2025, 1 + i, 13), "3000.00") for i in range(9)]
    hits = _run(
        tmp_path,
        engine,
        "INV-ROUND",
        invoices=[
            *rounds,
            *few,
            _inv("C", "3", D(2025, 6, 17), "689450.20"),
            _inv("E", "3", D(2025, 6, 17), "95000.00"),
            _inv("F", "3", D(2025, 6, 17), "700000.00"),
            _inv("G", "3", D(2025, 6, 17), "629999.99"),
        ],
    )
    assert [h.evidence_keys for h in hits] == [
        [f"invoices:A{i}" for i in (0, 1, 10, 11, 2, 3, 4, 5, 6, 7, 8, 9)],
        ["invoices:C"],
        ["invoices:E"],
    ]
    assert render_explanation(hits[0]) == "4 of 1's 12 invoices are in whole thousands of kronor."
    assert render_explanation(hits[2]) == (
        "Invoice E from 3 is for 95\u00a0000,00\u00a0kr, just below the limit of "
        "100\u00a0000,00\u00a0kr."
    )


@engines()
def test_a_suppliers_standard_amounts_are_left_out_of_the_band_below_a_limit(tmp_path, engine):
    # issue 17: a fee billed every month just under the routine limit is the supplier's price list
    fee = [_inv(f"M{i}", "1", D(2025, 1 + i, 5), "95000.00") for i in range(3)]
    hits = _run(
        tmp_path,
        engine,
        "INV-ROUND",
        invoices=[
            *fee,
            # twice is not yet a price list
            _inv("T1", "2", D(2025, 2, 5), "94000.00"),
            _inv("T2", "2", D(2025, 3, 5), "94000.00"),
            # the same supplier's one-off amount in the band is still a hit
            _inv("C", "1", D(2025, 6, 17), "689450.20"),
        ],
    )
    assert [h.evidence_keys for h in hits] == [["invoices:C"], ["invoices:T1"], ["invoices:T2"]]
    (tmp_path / "off").mkdir()
    every = _run(tmp_path / "off", engine, "INV-ROUND", {"standard_times": 0}, invoices=fee)
    assert [h.evidence_keys for h in every] == [[f"invoices:M{i}"] for i in range(3)]


@engines()
def test_benford_per_supplier_leaves_its_standard_amounts_out(tmp_path, engine):
    # 400 amounts spread by Benford's law and 300 invoices of one fee: the supplier's own amounts
    # conform once its price list is left out; the board's test keeps every amount
    phi = (5**0.5 - 1) / 2
    free = [
        _inv(f"G{i}", "1", D(2025, 1, 1), f"{10 ** (3 + (i * phi) % 1):.2f}", board="A")
        for i in range(400)
    ]
    fee = [_inv(f"F{i}", "1", D(2025, 1, 1), "4500.00", board="A") for i in range(300)]
    hits = _run(tmp_path, engine, "INV-BENFORD", invoices=[*free, *fee])
    assert [(h.subject_type, h.subject_id) for h in hits] == [("board", "A")]
    (tmp_path / "off").mkdir()
    every = _run(
        tmp_path / "off", engine, "INV-BENFORD", {"standard_times": 0}, invoices=[*free, *fee]
    )
    assert [(h.subject_type, h.subject_id) for h in every] == [("board", "A"), ("supplier", "1")]


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
    phi = (5**0.5 - 1) / 2
    good = [
        _inv(f"G{i}", "1", D(2025, 1, 1), f"{10 ** (3 + (i * phi) % 1):.2f}", board="A")
        for i in range(400)
    ]
    bad = [
        _inv(f"B{i}", "2", D(2025, 1, 1), f"{40000 + i * 24.99:.2f}", board="B") for i in range(400)
    ]
    few = [_inv(f"F{i}", "3", D(2025, 1, 1), "40000.00", board="C") for i in range(299)]
    hits = _run(tmp_path, engine, "INV-BENFORD", invoices=[*good, *bad, *few])
    assert [(h.subject_type, h.subject_id) for h in hits] == [("board", "B"), ("supplier", "2")]
    assert render_explanation(hits[1]).startswith(
        "The first two digits of 2's 400 invoice amounts deviate from "
        "Benford's law: mean absolute deviation"
    )


@engines()
def test_same_invoice_number_from_another_supplier(tmp_path, engine):
    hits = _run(
        tmp_path,
        engine,
        "INV-SAME-NO-OTHER-SUPPLIER",
        suppliers=[_sup("1", "Rosendal Konsult AB"), _sup("2", "Vargby Konsultgrupp AB")],
        invoices=[
            _inv_suppliers("A", "1", "FA-88314", D(2025, 4, 8), "7915.00"),
            _inv_suppliers("B", "2", "FA88314", D(2025, 4, 23), "7915.00"),
            # too short a number, another amount, and one cancelled by a credit note
            _inv_suppliers("C", "1", "1234", D(2025, 4, 8), "50.00"),
            _inv_suppliers("D", "2", "1234", D(2025, 4, 9), "50.00"),
            _inv_suppliers("E", "1", "55555", D(2025, 4, 8), "60.00"),
            _inv_suppliers("F", "2", "55555", D(2025, 4, 9), "61.00"),
            _inv_suppliers("G", "1", "77777", D(2025, 4, 8), "70.00"),
            _inv_suppliers("H", "2", "77777", D(2025, 4, 9), "70.00"),
            _inv_suppliers("K", "2", "K77777", D(2025, 4, 20), "-70.00"),
        ],
    )
    assert [h.evidence_keys for h in hits] == [["invoices:A", "invoices:B"]]
    assert render_explanation(hits[0]) == (
        "Invoice FA-88314 from Rosendal Konsult AB (2025-04-08) and invoice FA88314 from Vargby Konsultgrupp AB "
        "(2025-04-23) have the same number and the same amount, 7\u00a0915,00\u00a0kr."
    )


def test_the_calendar_is_the_holidays_library_and_weekends_are_saturday_and_sunday():
    library = holidays.country_holidays("SE", years=range(2000, 2041))
    assert set(HOLIDAY_DATES) == {d for d in library if d.weekday() != 6}
    assert (
        D(2025, 6, 6) in HOLIDAY_DATES
        and D(2025, 12, 25) in HOLIDAY_DATES
        and D(2025, 6, 5) not in HOLIDAY_DATES
    )
    days = [D(1999, 12, 25) + timedelta(days=i) for i in range(20)] + [
        D(2025, 3, 15),
        D(2025, 3, 17),
    ]
    for day in days:
        [(weekend,)] = duckdb.sql(
            f"SELECT {is_weekend_sql(repr(day.isoformat()) + '::DATE')}"
        ).fetchall()
        assert weekend == (day.weekday() >= 5), day


@engines()
def test_invoices_dated_on_holidays_and_weekends(tmp_path, engine):
    invoices = [
        {
            "invoice_id": f"I{i}",
            "supplier_id": "1",
            "invoice_number": str(i),
            "invoice_date": d,
            "amount": Decimal("100"),
        }
        for i, d in enumerate(
            [D(2025, 12, 25), D(2025, 6, 6), D(2025, 3, 15), D(2025, 3, 17), D(2025, 6, 5)]
        )
    ]
    hits = _run(tmp_path, engine, "INV-HOLIDAY", invoices=invoices)
    assert [h.evidence_keys for h in hits] == [["invoices:I0"], ["invoices:I1"], ["invoices:I2"]]
    assert render_explanation(hits[0]) == (
        "Invoice 0 from 1 for 100,00\u00a0kr is dated on a public holiday, 2025-12-25."
    )


# --- INV-PRICE-OVER-CONTRACT ---------------------------------------------------------------------


def _pinv(iid: str, day: D, amount: str, contract: str | None = "K1", sid: str = "1") -> dict:
    return {
        "invoice_id": iid,
        "supplier_id": sid,
        "invoice_number": f"N{iid}",
        "invoice_date": day,
        "amount": Decimal(amount),
        "board": "Socialnämnden",
        "contract_id": contract,
    }


def _line(
    iid: str, no: int, article: str | None, qty: str, price: str, unit: str | None = "HUR"
) -> dict:
    return {
        "invoice_id": iid,
        "line_no": no,
        "article": article,
        "quantity": Decimal(qty),
        "unit": unit,
        "unit_price": Decimal(price),
        "line_amount": (Decimal(qty) * Decimal(price)).quantize(Decimal("0.01")),
    }


def _price(
    article: str,
    price: str,
    start: D,
    end: D | None = None,
    unit: str | None = "HUR",
    contract: str = "K1",
) -> dict:
    return {
        "contract_id": contract,
        "article": article,
        "unit_price": Decimal(price),
        "unit": unit,
        "valid_from": start,
        "valid_to": end,
    }


@engines()
def test_invoice_lines_priced_above_the_contract(tmp_path, engine):
    hits = run_control(
        tmp_path,
        engine,
        "INV-PRICE-OVER-CONTRACT",
        suppliers=[
            _supplier("1", "Städbolaget Glans AB", "5560000001"),
            _supplier("2", "Vikarieservice AB"),
        ],
        invoices=[
            _pinv("F1", D(2025, 3, 10), "70000.00"),
            _pinv("F2", D(2025, 3, 11), "10200.00"),
            _pinv("F3", D(2025, 8, 1), "11000.00"),
            _pinv("F4", D(2025, 3, 12), "5000.00", contract=None),
            _pinv("F5", D(2025, 3, 13), "9900.00"),
            _pinv("F6", D(2025, 3, 14), "5500.00", sid="2", contract=" K2 "),
            # F7 is cancelled by the credit note F8 from the same supplier
            _pinv("F7", D(2025, 4, 1), "6000.00"),
            _pinv("F8", D(2025, 4, 20), "-6000.00"),
        ],
        invoice_lines=[
            # 465 an hour against 420: 45 × 120 = 5 400 above; 10,7 % over: hög
            _line("F1", 1, "STÄD-H", "120", "465.00"),
            # 102,10 against 100: 2,1 % over, above the 2 % tolerance
            _line("F1", 2, " städ-fönster ", "10", "102.10"),
            # no contract price for the article, another unit: not comparable
            _line("F1", 3, "MATERIAL", "1", "1500.00"),
            _line("F1", 4, "STÄD-H", "5", "500.00", unit="DAY"),
            # a credit line is never a hit
            _line("F1", 5, "STÄD-H", "-2", "900.00"),
            # exactly at the tolerance (102 against 100): not a hit
            _line("F2", 1, "STÄD-FÖNSTER", "100", "102.00"),
            # the price row from 1 July applies from then on: 440 against 430
            _line("F3", 1, "STÄD-H", "25", "440.00"),
            # no contract on the invoice
            _line("F4", 1, "STÄD-H", "10", "500.00"),
            # below the contract price
            _line("F5", 1, "STÄD-H", "25", "396.00"),
            # another contract's prices, the contract id trimmed; no unit on the line
            _line("F6", 1, "VIK-DAG", "2", "2750.00", unit=None),
            _line("F7", 1, "STÄD-H", "10", "600.00"),
        ],
        contract_prices=[
            _price("STÄD-H", "420.00", D(2025, 1, 1), D(2025, 6, 30)),
            _price("stäD-h", "430.00", D(2025, 7, 1)),
            _price("STÄD-FÖNSTER", "100.00", D(2025, 1, 1), unit="hur"),
            _price("VIK-DAG", "2500.00", D(2025, 1, 1), unit="DAY", contract="K2"),
            # another contract's price for the same article does not apply to K1
            _price("STÄD-H", "300.00", D(2025, 1, 1), contract="K2"),
        ],
        contracts=[
            {"contract_id": "K1", "supplier_orgnr": "5560000001", "valid_from": D(2024, 1, 1)},
            {"contract_id": "K2", "supplier_orgnr": "5560000002", "valid_from": D(2024, 1, 1)},
        ],
    )
    assert [
        (h.subject_type, h.subject_id, h.evidence_keys, h.amount_at_risk, h.severity) for h in hits
    ] == [
        ("invoice", "F1", ["contracts:K1", "invoices:F1"], Decimal("5421.00"), "hög"),
        ("invoice", "F3", ["contracts:K1", "invoices:F3"], Decimal("250.00"), "medel"),
        ("invoice", "F6", ["contracts:K2", "invoices:F6"], Decimal("500.00"), "medel"),
    ]
    assert render_explanation(hits[0]) == (
        "Invoice NF1 from Städbolaget Glans AB of 2025-03-10 under contract K1 has 2 lines priced more than 2 "
        "percent above the contract price (articles: STÄD-H, städ-fönster; at most 10,7 percent above); "
        "5\u00a0421,00\u00a0kr above the agreed prices. Lines of the invoice that could not be compared (no "
        "contract price for the article, or another unit): 2."
    )
    assert {e["key"] for e in hits[0].evidence} == {"F1", "K1"}


@engines()
def test_prices_at_or_under_the_tolerance_are_no_hit(tmp_path, engine):
    hits = run_control(
        tmp_path,
        engine,
        "INV-PRICE-OVER-CONTRACT",
        params={"tolerance": 5},
        invoices=[_pinv("F1", D(2025, 3, 10), "10500.00")],
        invoice_lines=[
            _line("F1", 1, "STÄD-H", "25", "420.00"),
            _line("F1", 2, "STÄD-H", "1", "441.00"),
        ],
        contract_prices=[_price("STÄD-H", "420.00", D(2025, 1, 1))],
    )
    assert hits == []


@engines()
def test_lines_that_cannot_be_compared_are_counted_in_the_run_report(tmp_path, engine):
    rows = {
        "invoices": [
            _pinv("F1", D(2025, 3, 10), "3000.00"),
            _pinv("F2", D(2025, 3, 11), "900.00", contract=None),
        ],
        "invoice_lines": [
            # 1,9 % above the contract price: compared, not a hit
            _line("F1", 1, "STÄD-H", "2", "428.00"),
            # no price row for the article, none valid on the date, another unit, no article
            _line("F1", 2, "MATERIAL", "1", "800.00"),
            _line("F1", 3, "STÄD-NATT", "1", "500.00"),
            _line("F1", 4, "STÄD-H", "1", "430.00", unit="DAY"),
            _line("F1", 5, None, "1", "100.00"),
            # a credit line and a line of an invoice without contract are not examined
            _line("F1", 6, "MATERIAL", "-1", "800.00"),
            _line("F2", 1, "MATERIAL", "1", "900.00"),
        ],
        "contract_prices": [
            _price("STÄD-H", "420.00", D(2025, 1, 1)),
            _price("STÄD-NATT", "480.00", D(2025, 4, 1)),
        ],
    }
    sources = {name: write_source(tmp_path, name, r) for name, r in rows.items()}
    [result] = run_controls(sources, ["INV-PRICE-OVER-CONTRACT"], engine=engine).controls
    assert (result.not_comparable, result.subjects_examined, len(result.hits)) == (4, 1, 0)
