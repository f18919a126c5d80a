"""The review queue, the hit page and triage through the views, as the roles of Kommun A and B."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.controls.conftest import CONTROL, run


def _hits():
    from tillit.controls.models import Hit

    return list(Hit.objects.order_by("-score", "-id"))


def test_the_queue_filters_and_sorts_by_score(loaded, client, login, personas):
    login(client, personas["investigator"])
    hits = _hits()
    page = client.get("/kontroller/")
    assert page.status_code == 200
    listed = [h.pk for h in page.context["page"]]
    assert listed == [h.pk for h in hits]  # highest score first
    top = hits[0]
    cases = {
        "control": (CONTROL, len(hits)),
        "severity": ("hög", len(hits)),
        "board": (top.board, None),
        "risk_area": (top.risk_areas[0], len(hits)),
        "status": ("dismissed", 0),
        "min_amount": (str(top.amount_at_risk).replace(".", ","), None),
    }
    for name, (value, expected) in cases.items():
        page = client.get("/kontroller/", {name: value})
        found = [h.pk for h in page.context["page"]]
        assert top.pk in found or expected == 0, name
        if expected is not None:
            assert len(found) == expected, name
    assert [
        h.pk
        for h in client.get("/kontroller/", {"min_amount": str(top.amount_at_risk)}).context["page"]
    ] == [h.pk for h in hits if h.amount_at_risk >= top.amount_at_risk]
    # the figures for a filter come from their own address, loaded after the list
    assert client.get("/kontroller/antal/").context["count"] == len(hits)
    assert client.get("/kontroller/antal/", {"risk_area": "Bygglov"}).context["count"] == 0
    assert client.get("/kontroller/antal/", {"control": "BEN-NOPE"}).context["count"] == 0
    # the flow map's link to a supplier's hits: only the hits on that subject
    subject = hits[-1].subject_id
    found = [h.subject_id for h in client.get("/kontroller/", {"subject": subject}).context["page"]]
    assert found == [h.subject_id for h in hits if h.subject_id == subject] and found
    assert len({h.subject_id for h in hits}) > 1  # so that the filter has something to leave out


def test_the_hit_page_explains_shows_evidence_side_by_side_and_logs_the_view(
    loaded, client, login, personas
):
    from tillit.accounts.models import AccessLogEntry

    hit = _hits()[0]
    login(client, personas["investigator"])
    page = client.get(f"/kontroller/traffar/{hit.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    text = page.context["explanation"]
    assert text in html.replace("&amp;", "&")
    assert "\u00a0kr" in text and all(k.split(":")[1] in text for k in hit.evidence_keys)
    assert "%(" not in text
    (table,) = page.context["tables"]
    assert table["dataset"] == "invoices" and len(table["rows"]) == len(hit.evidence_keys)
    differing = {
        c
        for row in table["rows"]
        for c, cell in zip(table["columns"], row["cells"], strict=True)
        if cell["differs"]
    }
    assert "invoice_date" in differing and "amount" not in differing
    assert 'class="diff"' in html
    entry = AccessLogEntry.objects.get(user=personas["investigator"], object_type="hit")
    assert entry.object_id == str(hit.pk) and entry.path == f"/kontroller/traffar/{hit.pk}/"


def test_other_open_hits_on_the_same_subject_are_linked(loaded, client, login, personas):
    from tillit.controls.models import Hit

    hit = _hits()[0]
    twin = Hit.objects.create(
        **{
            f.attname: getattr(hit, f.attname)
            for f in Hit._meta.concrete_fields
            if f.attname not in ("id", "fingerprint", "control_id")
        },
        fingerprint="x" * 64,
        control_id="INV-OTHER",
    )
    login(client, personas["investigator"])
    page = client.get(f"/kontroller/traffar/{hit.pk}/")
    assert list(page.context["related"]) == [twin]
    assert f"/kontroller/traffar/{twin.pk}/" in page.content.decode()


def test_dismiss_notify_case_and_snooze_are_recorded_with_who_and_why(
    loaded, client, login, personas
):
    from tillit.cases.models import Case, CaseHit
    from tillit.controls.models import Hit, HitEvent, Snooze

    first, second, third = _hits()[:3]
    bob = personas["investigator"]
    login(client, bob)
    assert (
        client.post(
            f"/kontroller/traffar/{first.pk}/dismiss/", {"dismiss-reason": "bogus"}
        ).status_code
        == 302
    )
    first.refresh_from_db()
    assert first.status == "new"  # an unknown reason is refused
    for value in ("explained", "corrected", "immaterial", "false_positive"):
        assert value in Hit.DismissReason.values
    client.post(
        f"/kontroller/traffar/{first.pk}/dismiss/",
        {"dismiss-reason": "immaterial", "dismiss-note": "under 50 000 kr"},
    )
    first.refresh_from_db()
    assert (first.status, first.dismiss_reason) == ("dismissed", "immaterial")
    event = HitEvent.objects.get(hit=first, action="dismissed")
    assert (event.user, event.reason, event.note) == (bob, "immaterial", "under 50 000 kr")
    # once handled, a second action is refused
    client.post(f"/kontroller/traffar/{first.pk}/case/")
    first.refresh_from_db()
    assert first.status == "dismissed"

    client.post(
        f"/kontroller/traffar/{second.pk}/notify/",
        {"notify-authority": "skatteverket", "notify-note": "OSL 10:15 a"},
    )
    second.refresh_from_db()
    assert second.status == "notified"
    assert HitEvent.objects.filter(
        hit=second, action="notified", user=bob, reason="skatteverket"
    ).exists()

    client.post(f"/kontroller/traffar/{third.pk}/case/")
    third.refresh_from_db()
    assert third.status == "case"
    case = CaseHit.objects.get(hit=third).case
    assert case.amount_concerned == third.amount_at_risk and case.source == "hit"
    assert HitEvent.objects.get(hit=third, action="case").reason == case.number
    page = client.get(f"/kontroller/traffar/{third.pk}/")
    assert f"/arenden/{case.pk}/" in page.content.decode()
    assert Case.objects.count() == 1

    until = timezone.localdate() + timedelta(days=10)
    client.post(
        f"/kontroller/traffar/{first.pk}/snooze/",
        {"snooze-until": until.isoformat(), "snooze-reason": "audit"},
    )
    snooze = Snooze.objects.get()
    assert (snooze.control_id, snooze.subject_id, snooze.until, snooze.created_by) == (
        CONTROL,
        first.subject_id,
        until,
        bob,
    )
    past = timezone.localdate().isoformat()
    client.post(
        f"/kontroller/traffar/{first.pk}/snooze/", {"snooze-until": past, "snooze-reason": "audit"}
    )
    assert Snooze.objects.count() == 1  # a date in the past is refused


def test_a_further_hit_on_the_same_subject_joins_the_open_case(loaded, personas):
    from tillit.cases.models import Case, CaseHit
    from tillit.controls.models import Hit
    from tillit.controls.services import hit_open_case

    hit = _hits()[0]
    twin = Hit.objects.create(
        **{
            f.attname: getattr(hit, f.attname)
            for f in Hit._meta.concrete_fields
            if f.attname not in ("id", "fingerprint", "control_id")
        },
        fingerprint="y" * 64,
        control_id="INV-OTHER",
    )
    hit_open_case(hit=hit, user=personas["investigator"])
    hit_open_case(hit=twin, user=personas["investigator"])
    assert Case.objects.count() == 1
    assert CaseHit.objects.filter(case=Case.objects.get()).count() == 2


def test_snoozing_takes_the_open_hit_out_of_the_queue(loaded, client, login, personas):
    hit = _hits()[0]
    login(client, personas["investigator"])
    until = (timezone.localdate() + timedelta(days=5)).isoformat()
    client.post(
        f"/kontroller/traffar/{hit.pk}/snooze/", {"snooze-until": until, "snooze-reason": "audit"}
    )
    assert hit.pk not in [h.pk for h in client.get("/kontroller/").context["page"]]
    assert client.get(f"/kontroller/traffar/{hit.pk}/").status_code == 200


def test_bulk_dismiss_and_bulk_case(loaded, client, login, personas):
    from tillit.controls.models import HitEvent

    hits = _hits()
    login(client, personas["controller"])
    client.post(
        "/kontroller/traffar/avfarda/",
        {"hit": [hits[0].pk, hits[1].pk], "reason": "false_positive", "note": "test data"},
    )
    assert (
        HitEvent.objects.filter(
            action="dismissed",
            user=personas["controller"],
            reason="false_positive",
            note="test data",
        ).count()
        == 2
    )
    client.post("/kontroller/traffar/avfarda/", {"hit": [h.pk for h in hits], "action": "case"})
    assert HitEvent.objects.filter(action="case").count() == len(hits) - 2
    # re-running raises none of them again
    assert run(loaded.municipality).hits_new == 0


def test_roles_and_municipalities(loaded, client, login, personas):
    hit = _hits()[0]
    login(client, personas["reviewer"])
    assert client.get("/kontroller/").status_code == 403
    assert client.get("/kontroller/antal/").status_code == 403
    assert client.get(f"/kontroller/traffar/{hit.pk}/").status_code == 403
    login(client, personas["other_investigator"])
    assert client.get(f"/kontroller/traffar/{hit.pk}/").status_code == 404
    assert (
        client.post(
            f"/kontroller/traffar/{hit.pk}/dismiss/", {"dismiss-reason": "explained"}
        ).status_code
        == 404
    )
    assert client.get(f"/kontroller/korningar/{loaded.pk}/").status_code == 404
    assert client.get("/kontroller/").context["page"].object_list == []
    assert client.get("/kontroller/antal/").context["count"] == 0
    login(client, personas["investigator"])
    page = client.get("/kontroller/")
    assert (
        "/kontroller/korningar/starta/" not in page.content.decode()
    )  # investigators do not run controls
    assert client.post("/kontroller/korningar/starta/").status_code == 403
    login(client, personas["controller"])
    assert "/kontroller/korningar/starta/" in client.get("/kontroller/").content.decode()
    client.logout()
    assert client.post("/kontroller/korningar/starta/").status_code == 302


def test_the_run_button_starts_a_run_and_its_report_shows(
    personas, kommun_a, generated, client, login, settings
):
    from tests.controls.conftest import load
    from tillit.controls.models import Run

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    load(personas["coordinator"], kommun_a, generated)
    login(client, personas["coordinator"])
    response = client.post("/kontroller/korningar/starta/", {"control": CONTROL})
    run_ = Run.objects.get()
    assert response.url == f"/kontroller/korningar/{run_.pk}/"
    assert (
        run_.status == "done" and run_.started_by == personas["coordinator"] and run_.hits_new >= 2
    )
    page = client.get(response.url).content.decode()
    assert CONTROL in page
    assert client.post("/kontroller/korningar/starta/", {"control": "NOPE-X"}).status_code == 302
    assert Run.objects.count() == 1
