"""Golden tests of the GRANT-* (association grants) controls (analytics/controls/grant.py) on crafted data, on DuckDB and Spark."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.analytics.conftest import engines, run_control

from tillit.analytics.runner import render_explanation

D = date

Y0, Y1, DECIDED = D(2025, 1, 1), D(2025, 12, 31), D(2024, 11, 20)


def _grant(
    gid: str,
    board: str,
    orgnr: str | None,
    name: str,
    amount: str,
    start=Y0,
    end=Y1,
    account=None,
    decided=DECIDED,
    valid=True,
) -> dict:
    return {
        "grant_id": gid,
        "board": board,
        "recipient_orgnr": orgnr,
        "recipient_orgnr_valid": valid if orgnr else None,
        "recipient_name": name,
        "amount": Decimal(amount),
        "period_from": start,
        "period_to": end,
        "decided_date": decided,
        "bank_account": account or f"BG:{gid}",
    }


_run = run_control

KFN, SN, KS = "Kultur- och fritidsnämnden", "Socialnämnden", "Kommunstyrelsen"


@engines()
def test_double_financing_by_orgnr_account_or_name_where_an_orgnr_is_missing(tmp_path, engine):
    grants = [
        _grant("A1", SN, "8020001111", "Föreningen Trygga Möten i Syd", "240000"),
        _grant("A2", KFN, "8020001111", "Trygga Möten i Syd", "185000"),
        _grant("B1", KFN, "8020002222", "Ungdomens Hus", "96400", account="BG:1"),
        _grant(
            "B2", SN, "8020003333", "Ungdomsforum", "120500", start=D(2025, 3, 1), account="BG:1"
        ),
        _grant("C1", KFN, "8020004444", "Kulturföreningen Bjäresjö Folkets Hus", "75300"),
        _grant(
            "C2", KS, None, "Bjäresjö Folkets Hus Kulturföreningen", "60000", start=D(2025, 4, 1)
        ),
        # different associations, however alike; the same board twice; periods that do not overlap
        _grant("D1", KFN, "8020005555", "Kvarnby IF", "88000"),
        _grant("D2", SN, "8020006666", "Kvarnby FF", "64500"),
        _grant("E1", KFN, "8020007777", "Samma Nämnd", "10"),
        _grant("E2", KFN, "8020007777", "Samma Nämnd", "20"),
        _grant("F1", KFN, "8020008888", "Vår", "10", end=D(2025, 6, 30)),
        _grant("F2", SN, "8020008888", "Höst", "20", start=D(2025, 7, 1)),
    ]
    hits = _run(tmp_path, engine, "GRANT-DOUBLE", grants=grants)
    assert [(h.evidence_keys, h.amount_at_risk) for h in hits] == [
        (["grants:A1", "grants:A2"], Decimal("185000.00")),
        (["grants:B1", "grants:B2"], Decimal("96400.00")),
        (["grants:C1", "grants:C2"], Decimal("60000.00")),
    ]
    assert render_explanation(hits[0]) == (
        "Föreningen Trygga Möten i Syd was granted 240\u00a0000,00\u00a0kr by Socialnämnden and 185\u00a0000,00\u00a0kr "
        "by Kultur- och fritidsnämnden for overlapping periods (2025-01-01 to 2025-12-31)."
    )


@engines()
def test_conflict_of_interest_in_the_granting_board(tmp_path, engine):
    hits = _run(
        tmp_path,
        engine,
        "GRANT-CONFLICT",
        grants=[
            _grant("G1", KFN, "8020001111", "Stora IF", "142000"),
            _grant("G2", SN, "8020001111", "Stora IF", "5000"),
            _grant("G3", KFN, "8020002222", "Lilla IF", "7000"),
        ],
        company_roles=[
            {
                "orgnr": "8020001111",
                "personnummer": "198001011234",
                "role": "styrelseledamot",
                "valid_from": D(2021, 3, 1),
            },
            # a role that ended before the decision
            {
                "orgnr": "8020002222",
                "personnummer": "198001011234",
                "role": "kassör",
                "valid_from": D(2019, 1, 1),
                "valid_to": D(2023, 1, 1),
            },
        ],
        employees=[
            {
                "employee_id": "E1",
                "personnummer": "198001011234",
                "name": "Maria Svensson",
                "unit": KFN,
                "politician": True,
            }
        ],
    )
    assert [h.evidence_keys for h in hits] == [["employees:E1", "grants:G1"]]
    assert render_explanation(hits[0]) == (
        "Maria Svensson, an elected member of Kultur- och fritidsnämnden, is styrelseledamot of Stora IF, to which "
        "Kultur- och fritidsnämnden granted 142\u00a0000,00\u00a0kr (decided 2024-11-20)."
    )


@engines()
def test_networks_of_associations(tmp_path, engine):
    grants = [_grant(f"N{i}", KFN, f"802000{i:04d}", f"Förening {i}", "1000") for i in range(1, 5)]
    grants += [
        _grant("S1", KFN, "8020009991", "Ett", "10", account="BG:7"),
        _grant(
            "S2",
            SN,
            "8020009992",
            "Två",
            "20",
            account="BG:7",
            start=D(2026, 1, 1),
            end=D(2026, 12, 31),
        ),
    ]
    roles = [
        {
            "orgnr": f"802000{i:04d}",
            "personnummer": "197001011234",
            "role": "styrelseledamot",
            "name": "Eva Eriksson",
        }
        for i in range(1, 4)
    ]
    roles += [
        {"orgnr": f"802000{i:04d}", "personnummer": "197501011234", "role": "kassör"}
        for i in (1, 2)
    ]
    hits = _run(tmp_path, engine, "GRANT-NETWORK", grants=grants, company_roles=roles)
    assert [(h.subject_type, h.evidence_keys) for h in hits] == [
        ("person", ["grants:N1", "grants:N2", "grants:N3"]),
        ("account", ["grants:S1", "grants:S2"]),
    ]
    assert render_explanation(hits[0]) == (
        "Eva Eriksson sits on the board of, or signs for, 3 associations that "
        "were granted 3\u00a0000,00\u00a0kr for 2025."
    )
    assert render_explanation(hits[1]).startswith(
        "2 associations that were granted 30,00\u00a0kr for 2025–2026"
    )


@engines()
def test_grant_to_a_recipient_deregistered_at_the_decision(tmp_path, engine):
    hits = _run(
        tmp_path,
        engine,
        "GRANT-STATUS",
        grants=[
            _grant("G1", KFN, "8020001111", "Nybrostrand PRO", "55000", decided=D(2025, 3, 5)),
            _grant("G2", KFN, "8020002222", "Senare AB", "100", decided=D(2025, 3, 5)),
            _grant("G3", KFN, "8020003333", "Åter aktiv", "100", decided=D(2025, 3, 5)),
        ],
        supplier_status=[
            {
                "orgnr": "8020001111",
                "checked_date": D(2024, 11, 14),
                "status": "Avregistrerad",
                "status_date": D(2024, 11, 4),
            },
            {
                "orgnr": "8020002222",
                "checked_date": D(2025, 5, 1),
                "status": "konkurs",
                "status_date": D(2025, 4, 1),
            },
            {"orgnr": "8020003333", "checked_date": D(2024, 1, 1), "status": "likvidation"},
            {"orgnr": "8020003333", "checked_date": D(2025, 1, 1), "status": None},
        ],
    )
    assert [h.evidence_keys for h in hits] == [["grants:G1"]]
    assert render_explanation(hits[0]) == (
        "Kultur- och fritidsnämnden granted Nybrostrand PRO 55\u00a0000,00\u00a0kr "
        "on 2025-03-05, when its register status was avregistrerad (since "
        "2024-11-04)."
    )
