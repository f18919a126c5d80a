"""Pages and the API: the same permissions (plans.view to read, plans.edit to change), tenants apart."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from tillit.plans.models import ActionPlan, Measure, Routine, StatusReport


def test_everyone_reads_the_plan_and_only_editors_see_the_forms(
    client, login, personas, plan, measure_in
):
    m = measure_in(plan, "1", code="1.1", deadline=date(2020, 1, 31))
    for role in ("reviewer", "coordinator"):
        login(client, personas[role])
        page = client.get(reverse("plans-detail", args=[plan.pk])).content.decode()
        assert "1.1" in page and "försenad" in page.lower()
        assert ("Lägg till åtgärden" in page) is (role == "coordinator")
    login(client, personas["reviewer"])
    assert client.post(reverse("plans-measure", args=[m.pk]), {"action": "done"}).status_code == 403
    m.refresh_from_db()
    assert m.status == Measure.Status.PLANNED


def test_another_municipalitys_plan_is_not_found(client, login, personas, plan, measure_in):
    m = measure_in(plan, "1")
    login(client, personas["other_investigator"])
    assert client.get(reverse("plans-detail", args=[plan.pk])).status_code == 404
    assert client.get(reverse("plans-measure", args=[m.pk])).status_code == 404


def test_a_coordinator_adds_a_measure_marks_it_done_and_issues_a_report(
    client, login, personas, plan
):
    login(client, personas["coordinator"])
    area = plan.areas.get(number="1")
    response = client.post(
        reverse("plans-measure-create", args=[plan.pk]),
        {
            "area": area.pk,
            "code": "1.7",
            "text": "Stickprov på attesterade fakturor",
            "responsible": "Ekonomiavdelningen",
            "start": "2026-09-01",
            "deadline": "2026-12-31",
            "indicator_source": "manual",
            "indicator_period_months": 6,
            "status": "planned",
            "control_ids": ["INV-DUP-EXACT"],
            "links": "Rutin | https://example.se/rutin",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    m = Measure.objects.get(code="1.7")
    assert m.control_ids == ["INV-DUP-EXACT"] and m.links == [
        {"title": "Rutin", "url": "https://example.se/rutin"}
    ]
    client.post(reverse("plans-measure", args=[m.pk]), {"action": "done"})
    m.refresh_from_db()
    assert m.status == "done" and m.progress == 100
    response = client.post(
        reverse("plans-report-create", args=[plan.pk]),
        {"as_of": timezone.localdate().isoformat(), "title": "Statusrapport", "recipients": "KS"},
    )
    report = StatusReport.objects.get()
    assert response["Location"] == reverse("plans-report", args=[report.pk])
    client.post(reverse("plans-report-issue", args=[report.pk]))
    report.refresh_from_db()
    assert report.is_issued and report.figures["done"] == 1
    pdf = client.get(reverse("plans-report-file", args=[report.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and bytes(pdf.content).startswith(b"%PDF")
    docx = client.get(reverse("plans-report-file", args=[report.pk, "docx"]))
    from docx import Document

    assert Document(io.BytesIO(docx.content)).paragraphs[0].text == "Statusrapport"


def test_a_bad_measure_is_refused_with_the_reason_and_nothing_saved(client, login, personas, plan):
    login(client, personas["coordinator"])
    area = plan.areas.get(number="1")
    response = client.post(
        reverse("plans-measure-create", args=[plan.pk]),
        {
            "area": area.pk,
            "code": "1.8",
            "text": "X",
            "start": "2027-01-01",
            "deadline": "2026-01-01",
            "indicator_source": "manual",
            "indicator_period_months": 6,
            "status": "planned",
            "links": "inte en adress",
        },
    )
    assert response.status_code == 400
    assert "Rad 1" in response.content.decode()
    assert not Measure.objects.filter(code="1.8").exists()


def test_seeded_plan_import_and_routine_library_pages(client, login, personas):
    login(client, personas["coordinator"])
    response = client.post(reverse("plans-import-seeded", args=["oskarshamn-2026-2028"]))
    plan = ActionPlan.objects.get()
    assert response["Location"] == reverse("plans-detail", args=[plan.pk])
    page = client.get(reverse("plans-detail", args=[plan.pk])).content.decode()
    assert (
        "Inrätta tipsfunktion för allmänheten" in page
        and "Hultsfreds kommun ansvarar för tidplanen" in page
    )
    response = client.post(
        reverse("plans-routine-create"),
        {
            "title": "Riktlinje polisanmälan",
            "kind": "guideline",
            "owner": "Kommunledningskontoret",
            "version": "1",
            "decided_on": "2024-01-10",
            "next_review": "2025-01-10",
            "laws": "Bidragsbrottslag (2007:612)\n",
            "case_steps": ["police_report"],
        },
    )
    routine = Routine.objects.get()
    assert response["Location"] == reverse("plans-routine", args=[routine.pk])
    assert routine.laws == ["Bidragsbrottslag (2007:612)"]
    listing = client.get(reverse("plans-routines")).content.decode()
    assert "granskning försenad" in listing.lower()


def test_training_records_count_participants_per_unit(client, login, personas, kommun_a):
    from tillit.accounts.services import unit_create

    unit = unit_create(municipality=kommun_a, name="Socialförvaltningen")
    login(client, personas["coordinator"])
    client.post(reverse("plans-course-create"), {"title": "Grundkurs välfärdsbrott"})
    from tillit.plans.models import Course

    course = Course.objects.get()
    response = client.post(
        reverse("plans-course", args=[course.pk]),
        {
            "held_on": "2026-10-06",
            f"unit_{unit.pk}": "14",
            "group": "Förtroendevalda",
            "group_participants": "5",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("plans-training")).content.decode()
    assert 'id="trained-total">19<' in page
    bad = client.post(reverse("plans-course", args=[course.pk]), {"held_on": "2026-10-07"})
    assert bad.status_code == 400 and course.occasions.count() == 1


@pytest.fixture
def api(client, login):
    """Calls as a logged-in person (session): the same permissions as the pages."""

    def call(user, method, path, **kwargs):
        client.logout()
        login(client, user)
        return getattr(client, method)(path, content_type="application/json", **kwargs)

    return call


def test_the_api_lists_plans_and_measures_with_the_uis_permissions(api, personas, plan, measure_in):
    m = measure_in(plan, "1", code="1.1", deadline=date(2020, 1, 1))
    measure_in(plan, "2", code="2.1")
    plans = api(personas["reviewer"], "get", "/api/plans").json()
    assert [p["title"] for p in plans] == [plan.title] and plans[0]["overdue"] == 1
    detail = api(personas["reviewer"], "get", f"/api/plans/{plan.pk}").json()
    assert [[x["code"] for x in a["measures"]] for a in detail["areas"]] == [["1.1"], ["2.1"]]
    overdue = api(personas["reviewer"], "get", "/api/measures?overdue=true").json()
    assert [x["code"] for x in overdue] == ["1.1"]
    assert api(personas["other_investigator"], "get", f"/api/measures/{m.pk}").status_code == 404
    assert api(personas["other_investigator"], "get", "/api/plans").json() == []
    refused = api(personas["reviewer"], "patch", f"/api/measures/{m.pk}", data={"status": "done"})
    assert refused.status_code == 403
    done = api(
        personas["controller"],
        "patch",
        f"/api/measures/{m.pk}",
        data={"status": "done", "note": "Klart"},
    )
    assert (
        done.status_code == 200
        and done.json()["status"] == "done"
        and done.json()["progress"] == 100
    )
    bad = api(personas["controller"], "patch", f"/api/measures/{m.pk}", data={"progress": 140})
    assert bad.status_code == 422
    other = measure_in(plan, "2", code="2.2", indicator="Antal kontroller")
    added = api(
        personas["controller"],
        "post",
        f"/api/measures/{other.pk}/indicator-values",
        data={"value": "12", "measured_on": timezone.localdate().isoformat()},
    )
    assert added.status_code == 200 and added.json()["indicator_value"] == "12.00"
    future = api(
        personas["controller"],
        "post",
        f"/api/measures/{other.pk}/indicator-values",
        data={"value": "13", "measured_on": "2999-01-01"},
    )
    assert future.status_code == 422 and other.indicator_values.count() == 1
    assert (
        api(
            personas["reviewer"],
            "post",
            f"/api/measures/{other.pk}/indicator-values",
            data={"value": "1", "measured_on": "2026-01-01"},
        ).status_code
        == 403
    )


def test_a_shared_file_is_imported_through_the_page_and_a_bad_one_refused_with_the_reason(
    client, login, personas, plan, measure_in, kommun_b
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tillit.plans import share

    measure_in(plan, "1", code="1.1", text="Kartlägga riskområden")
    raw = share.dumps(share.plan_export(plan))
    from tillit.accounts.models import Role
    from tillit.accounts.services import user_create

    other = user_create(
        municipality=kommun_b, username="berit", password="x" * 20, role=Role.COORDINATOR
    )
    login(client, other)
    bad = client.post(
        reverse("plans-share-import"),
        {
            "file": SimpleUploadedFile("x.json", b'{"format": "tillit-share", "version": 9}'),
            "next": "https://evil.example/",
        },
        follow=True,
    )
    assert bad.redirect_chain[-1][0] == reverse("plans-list")
    assert "version 9" in bad.content.decode()
    good = client.post(reverse("plans-share-import"), {"file": SimpleUploadedFile("p.json", raw)})
    imported = ActionPlan.objects.get(municipality=kommun_b)
    assert good["Location"] == reverse("plans-detail", args=[imported.pk])
    assert imported.origin["municipality_name"] == "Kommun A"
    assert "Kommun A" in client.get(good["Location"]).content.decode()


def test_the_case_page_links_each_step_to_the_routine_that_governs_it(
    client, login, personas, kommun_a
):
    from tillit.cases.services import case_create
    from tillit.plans import services

    routine = services.routine_create(
        municipality=kommun_a,
        user=None,
        title="Rutin vid misstanke om bidragsbrott",
        owner="IFO",
        version="1.2",
        case_steps=["police_report"],
    )
    services.routine_create(
        municipality=kommun_a,
        user=None,
        title="Mottagning av ärenden",
        owner="IFO",
        case_steps=["received"],
    )
    case = case_create(
        municipality=kommun_a,
        user=personas["coordinator"],
        title="Misstänkt felaktig utbetalning",
        case_type="benefit",
        source="staff",
        subjects=[],
    )
    login(client, personas["coordinator"])
    page = client.get(reverse("cases-detail", args=[case.pk])).content.decode()
    assert "Rutiner för ärendets steg" in page
    assert reverse("plans-routine", args=[routine.pk]) in page and "Mottagning av ärenden" in page


def test_the_plan_is_changed_and_a_period_backwards_is_refused(client, login, personas, plan):
    login(client, personas["controller"])
    url = reverse("plans-update", args=[plan.pk])
    client.post(
        url,
        {
            "title": "Handlingsplan 2026–2029",
            "period_start": "2026-01-01",
            "period_end": "2029-12-31",
        },
    )
    plan.refresh_from_db()
    assert (plan.title, plan.period_end) == ("Handlingsplan 2026–2029", date(2029, 12, 31))
    response = client.post(
        url, {"title": "X", "period_start": "2026-01-01", "period_end": "2025-12-31"}, follow=True
    )
    assert "Perioden slutar innan den börjar." in response.content.decode()
    plan.refresh_from_db()
    assert plan.title == "Handlingsplan 2026–2029"
    login(client, personas["reviewer"])
    assert (
        client.post(
            url, {"title": "Y", "period_start": "2026-01-01", "period_end": "2029-12-31"}
        ).status_code
        == 403
    )
