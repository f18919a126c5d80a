"""/api/reports: the same figures and permissions as the pages."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_overview_figures_as_json(client, login, hits, personas):
    login(client, personas["coordinator"])
    data = client.get("/api/reports/overview").json()
    families = {f["family"]: f for f in data["open_hits"]["families"]}
    assert families["ACC"]["count"] == 3
    assert families["ACC"]["amount_at_risk"] == 143950.0  # counted once, not three times
    assert data["open_hits"]["count"] == 5
    assert len(data["trends"]) == 12


def test_follow_up_suppresses_small_counts_for_a_reviewer(client, login, personas, kommun_a):
    from datetime import date

    from tillit.accounts.models import Board
    from tillit.cases.models import Case, PoliceReport

    board = Board.objects.get(municipality=kommun_a, name="Socialnämnden")
    case = Case.objects.create(
        municipality=kommun_a,
        number="2026-1",
        year=2026,
        sequence=1,
        title="x",
        source="hit",
        state="decision",
        board=board,
    )
    PoliceReport.objects.create(
        municipality=kommun_a,
        case=case,
        facts="f",
        reported_on=date(2026, 2, 1),
        reported_by=personas["coordinator"],
    )
    login(client, personas["reviewer"])
    data = client.get("/api/reports/followup?start=2026-01-01&end=2026-12-31").json()
    social = next(b for b in data["boards"] if b["board"] == "Socialnämnden")
    assert social["police"] == "<5"
    assert "police" in data["definitions"]
    assert client.get("/api/reports/followup?start=2026-13-01").status_code == 400


def test_effectiveness_needs_the_right_to_see_hits(client, login, hits, personas):
    login(client, personas["reviewer"])
    assert client.get("/api/reports/effectiveness").status_code == 403
    client.logout()
    login(client, personas["controller"])
    rows = {r["control_id"]: r for r in client.get("/api/reports/effectiveness").json()["controls"]}
    assert rows["INV-DUP-EXACT"]["reasons"]["false_positive"] == 1


def test_another_municipalitys_figures_are_never_mixed_in(client, login, hits, personas):
    login(client, personas["other_investigator"])
    data = client.get("/api/reports/overview").json()
    assert data["open_hits"]["count"] == 0
