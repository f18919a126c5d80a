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


PAID_ON = D(2025, 1, 20)


def _activity(
    gid: str,
    board: str,
    orgnr: str,
    amount: str,
    members: int | None,
    activities: int | None = 10,
    decided=DECIDED,
    paid: date | None = PAID_ON,
) -> dict:
    row = _grant(gid, board, orgnr, f"Förening {gid}", amount, decided=decided)
    row.update(paid_date=paid, reported_members=members, reported_activities=activities)
    return row


@engines()
def test_grants_that_do_not_follow_the_activity(tmp_path, engine):
    y23 = D(2023, 6, 1)
    grants = [
        # KFN 2024: five recipients at 100–500 kr a member; A1 at 1 060 kr is above 3 × 350 (the median of
        # its six others); A2 at 1 050 kr is exactly three times its median (350): not a hit
        *[_activity(f"K{i}", KFN, f"802001000{i}", f"{1000 * i}", 10) for i in range(1, 6)],
        _activity("A1", KFN, "8020020001", "10600", 10),
        _activity("A2", KFN, "8020020002", "10500", 10),
        # SN 2024: the recipient's own other grants are not among the others: each X grant at 800 kr a
        # member is compared with R1–R5 (median 100), not with the other X grants (it would be 300)
        *[
            _activity(f"R{i}", SN, f"802003000{i}", "1000" if i < 4 else "3000", 10)
            for i in range(1, 6)
        ],
        *[_activity(f"X{i}", SN, "8020040001", "8000", 10) for i in range(1, 4)],
        # KFN 2025: four others are too few to compare, whatever the amount
        _activity("C1", KFN, "8020050001", "500000", 1, decided=D(2025, 3, 1)),
        *[
            _activity(f"C{i}", KFN, f"802005000{i}", "1000", 10, decided=D(2025, 3, 1))
            for i in range(2, 6)
        ],
        # paid with no members, empty members or no activities: hits; not yet paid: not a hit
        _activity("E1", SN, "8020060001", "30000", 0, decided=y23),
        _activity("E2", SN, "8020060002", "40000", None, decided=y23),
        _activity("E3", SN, "8020060003", "50000", 12, 0, decided=y23),
        _activity("E4", SN, "8020060004", "60000", 12, 0, decided=y23, paid=None),
    ]
    hits = _run(tmp_path, engine, "GRANT-ACTIVITY", grants=grants)
    assert [(h.evidence_keys, h.amount_at_risk, h.severity) for h in hits] == [
        (["grants:A1"], Decimal("100.00"), "låg"),
        (["grants:E1"], Decimal("30000.00"), "låg"),
        (["grants:E2"], Decimal("40000.00"), "låg"),
        (["grants:E3"], Decimal("50000.00"), "låg"),
        (["grants:X1"], Decimal("5000.00"), "låg"),
        (["grants:X2"], Decimal("5000.00"), "låg"),
        (["grants:X3"], Decimal("5000.00"), "låg"),
    ]
    assert render_explanation(hits[0]) == (
        "Kultur- och fritidsnämnden granted Förening A1 10\u00a0600,00\u00a0kr (decided 2024-11-20), "
        "1\u00a0060,00\u00a0kr per reported member (10 members), more than 3 times the median of 350,00\u00a0kr "
        "per member of the board's 6 other recipients that year."
    )
    assert render_explanation(hits[2]) == (
        "Socialnämnden paid Förening E2 40\u00a0000,00\u00a0kr on 2025-01-20 for a year in which it reported no "
        "members."
    )
    assert render_explanation(hits[3]) == (
        "Socialnämnden paid Förening E3 50\u00a0000,00\u00a0kr on 2025-01-20 for a year in which it reported no "
        "activities (12 members)."
    )
