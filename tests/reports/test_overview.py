"""The overview: figures counted in the database, per role, each linked to the list behind it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

pytestmark = pytest.mark.django_db


def test_open_hits_count_the_same_evidence_once(hits, personas):
    from tillit.reports.selectors import open_hits

    figures = open_hits(user=personas["coordinator"])
    by_family = {f["family"]: f for f in figures["families"]}
    assert by_family["ACC"]["count"] == 3
    assert by_family["ACC"]["amount"] == Decimal("143950")  # not 431 850
    assert by_family["INV"]["count"] == 2  # the dismissed hit is not open
    assert by_family["INV"]["amount"] == Decimal("1500")
    assert figures["count"] == 5
    assert figures["amount"] == Decimal("145450")
    assert by_family["ACC"]["url"] == "/kontroller/?family=ACC"


def test_a_family_figure_leads_to_exactly_its_hits_in_the_queue(client, login, hits, personas):
    login(client, personas["coordinator"])
    page = client.get("/").content.decode()
    assert 'href="/kontroller/?family=ACC"' in page
    queue = client.get("/kontroller/?family=ACC")
    assert queue.status_code == 200
    figures = client.get("/kontroller/antal/?family=ACC")  # the queue's figures, after its list
    assert figures.context["count"] == 3
    assert figures.context["total_amount"] == Decimal("143950")  # as on the overview
    assert {h.control_id for h in queue.context["page"]} == {
        "ACC-GIRO-MIX",
        "ACC-CHANGE",
        "ACC-DEVIATING",
    }


def test_the_overview_shows_swedish_amounts(client, login, hits, personas):
    login(client, personas["coordinator"])
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "143\u00a0950,00\u00a0kr" in page
    assert "145\u00a0450,00\u00a0kr" in page


@pytest.mark.parametrize("role", ["admin", "coordinator", "investigator", "controller", "reviewer"])
def test_every_role_gets_an_overview(client, login, hits, personas, role):
    login(client, personas[role])
    response = client.get("/")
    assert response.status_code == 200
    assert b'<svg class="chart' in response.content


def test_a_reviewer_sees_figures_without_links_and_small_counts_suppressed(
    client, login, hits, personas, kommun_a
):
    from tillit.cases.models import Case

    for i in range(2):
        Case.objects.create(
            municipality=kommun_a,
            number=f"2026-{i}",
            year=2026,
            sequence=i,
            title="x",
            source="hit",
            state="investigation",
        )
    login(client, personas["reviewer"])
    response = client.get("/")
    page = response.content.decode()
    assert "/kontroller/?family=" not in page
    assert "/arenden/?state=" not in page
    states = {s["state"]: s["count"] for s in response.context["figures"]["cases"]["states"]}
    assert str(states["investigation"]) == "<5"
    # the coordinator sees the exact count and the link
    client.logout()
    login(client, personas["coordinator"])
    response = client.get("/")
    states = {s["state"]: s for s in response.context["figures"]["cases"]["states"]}
    assert states["investigation"]["count"] == 2
    assert states["investigation"]["url"] == "/arenden/?state=investigation"


def test_trends_count_police_reports_in_the_month_they_were_sent(personas, kommun_a):
    from tillit.cases.models import Case, PoliceReport
    from tillit.reports.selectors import trends

    case = Case.objects.create(
        municipality=kommun_a,
        number="2026-1",
        year=2026,
        sequence=1,
        title="x",
        source="hit",
        state="decision",
    )
    PoliceReport.objects.create(
        municipality=kommun_a,
        case=case,
        facts="f",
        reported_on=date(2026, 10, 14),
        reported_by=personas["coordinator"],
    )
    rows = {
        r["label"]: r
        for r in trends(user=personas["coordinator"], today=date(2026, 11, 20))["rows"]
    }
    assert len(rows) == 12 and "2026-11" in rows and "2025-12" in rows
    assert rows["2026-10"]["police"] == 1
    assert rows["2026-11"]["police"] == 0


def test_last_run_lists_over_firing_warnings(client, login, personas, kommun_a):
    from tests.reports.conftest import make_run

    run = make_run(kommun_a)
    run.report = [
        {"control_id": "INV-SPLIT", "over_firing": True, "not_applicable": None},
        {"control_id": "BEN-CROWDED", "over_firing": False, "not_applicable": "population"},
    ]
    run.save()
    login(client, personas["controller"])
    response = client.get("/")
    last = response.context["figures"]["last_run"]
    assert [w["control_id"] for w in last["warnings"]] == ["INV-SPLIT"]
    assert last["not_applicable"] == 1
    assert "INV-SPLIT" in response.content.decode()


def test_the_summary_follows_a_dismissal_at_once(hits, personas):
    from tillit.controls.services import hit_dismiss
    from tillit.reports.selectors import open_hits

    assert open_hits(user=personas["coordinator"])["count"] == 5
    _run, made = hits
    hit_dismiss(
        hit=made[3], user=personas["coordinator"], reason="explained", note="Rättad faktura."
    )
    figures = open_hits(user=personas["coordinator"])
    assert figures["count"] == 4 and figures["as_of"] is None
    assert {f["family"]: f["amount"] for f in figures["families"]}["INV"] == Decimal("500")


def test_a_slow_summary_is_shown_with_its_time_and_recomputed_by_the_worker(
    hits, personas, kommun_a, monkeypatch, django_capture_on_commit_callbacks
):
    from tests.reports.conftest import make_hit
    from tillit.reports import summary
    from tillit.reports.models import HitSummary
    from tillit.reports.selectors import open_hits

    open_hits(user=personas["coordinator"])
    HitSummary.objects.filter(municipality=kommun_a).update(seconds=30)  # as with a million hits
    run, _made = hits
    make_hit(kommun_a, run, "BEN-CROWDED", "9000", ["benefit_payments:B1"], subject="H-1")
    enqueued = []

    class Worker:
        def enqueue(self, municipality_id):
            enqueued.append(municipality_id)

    monkeypatch.setattr(summary, "refresh_task", Worker())
    with django_capture_on_commit_callbacks(execute=True):
        stale = open_hits(user=personas["coordinator"])
    assert (
        stale["count"] == 5 and stale["as_of"] is not None
    )  # the previous figures, with their time
    assert enqueued == [kommun_a.pk]
    summary.refresh(kommun_a)  # what the worker does
    fresh = open_hits(user=personas["coordinator"])
    assert fresh["count"] == 6 and fresh["as_of"] is None


def test_deadlines_this_week_list_the_cases_of_ones_team(client, login, personas, kommun_a):
    from django.utils import timezone

    from tillit.cases.models import Case

    today = timezone.localdate()
    case = Case.objects.create(
        municipality=kommun_a,
        number="2026-7",
        year=2026,
        sequence=7,
        title="Dubbla bidrag",
        source="hit",
        state="investigation",
        due_date=today,
    )
    case.team.add(personas["investigator"])
    login(client, personas["investigator"])
    response = client.get("/")
    items = response.context["figures"]["deadlines"]["items"]
    assert [i["label"] for i in items if i["kind"] == "case"] == ["2026-7 Dubbla bidrag"]
    assert f'href="/arenden/{case.pk}/"' in response.content.decode()
    client.logout()
    login(client, personas["reviewer"])  # no case is named to someone outside the case team
    items = client.get("/").context["figures"]["deadlines"]["items"]
    assert not [i for i in items if i["kind"] == "case"]


def test_every_control_family_of_the_library_has_a_name():
    from tillit.analytics.registry import all_controls
    from tillit.reports.selectors import FAMILIES

    assert {c.id.split("-", 1)[0] for c in all_controls()} <= set(FAMILIES)
