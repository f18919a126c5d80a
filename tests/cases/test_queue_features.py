"""Issue 16: the review queue around cases. A dismissal needs a comment that can be changed later with
its history kept; the controller sees the state of the case their hit became; the queue exports to
Excel with the filter on the page."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
from django.urls import reverse

from tillit.accounts.models import AccessLogEntry
from tillit.cases.models import State
from tillit.cases.services import case_transition
from tillit.controls.models import Hit, HitEvent
from tillit.controls.services import hit_open_case


def test_a_dismissal_needs_a_comment_and_the_comment_can_be_changed_with_history(
    make_hit, personas, login, client
):
    carl = personas["controller"]
    hit = make_hit(carl.municipality)
    login(client, carl)
    client.post(
        reverse("controls-hit-action", args=[hit.pk, "dismiss"]), {"dismiss-reason": "explained"}
    )
    hit.refresh_from_db()
    assert hit.status == Hit.Status.NEW  # refused: no comment
    client.post(
        reverse("controls-hit-action", args=[hit.pk, "dismiss"]),
        {"dismiss-reason": "explained", "dismiss-note": "Kreditfaktura finns."},
    )
    hit.refresh_from_db()
    assert hit.status == Hit.Status.DISMISSED
    client.post(
        reverse("controls-hit-action", args=[hit.pk, "comment"]),
        {"comment-note": "Kreditfaktura K-17 av 2026-03-02 tar ut beloppet."},
    )
    notes = list(
        HitEvent.objects.filter(hit=hit, action__in=["dismissed", "comment"])
        .order_by("id")
        .values_list("note", flat=True)
    )
    assert notes == ["Kreditfaktura finns.", "Kreditfaktura K-17 av 2026-03-02 tar ut beloppet."]
    page = client.get(reverse("controls-hit", args=[hit.pk])).content.decode()
    assert (
        "Kreditfaktura K-17 av 2026-03-02 tar ut beloppet." in page
        and "Kreditfaktura finns." in page
    )


def test_bulk_dismissal_needs_a_comment(make_hit, personas, login, client):
    carl = personas["controller"]
    hits = [make_hit(carl.municipality), make_hit(carl.municipality)]
    login(client, carl)
    client.post(
        reverse("controls-hit-bulk"),
        {"hit": [h.pk for h in hits], "reason": "immaterial", "note": "", "action": "dismiss"},
    )
    assert Hit.objects.filter(status=Hit.Status.DISMISSED).count() == 0
    client.post(
        reverse("controls-hit-bulk"),
        {
            "hit": [h.pk for h in hits],
            "reason": "immaterial",
            "note": "Under väsentlighetsgränsen.",
            "action": "dismiss",
        },
    )
    assert Hit.objects.filter(status=Hit.Status.DISMISSED).count() == 2


def test_the_controller_sees_the_state_of_the_case_their_hit_became(
    make_hit, personas, login, client
):
    carl, alice = personas["controller"], personas["coordinator"]
    hit = make_hit(carl.municipality)
    hit_open_case(hit=hit, user=carl)
    case = hit.case_link.case
    case_transition(case=case, user=alice, to_state=State.ASSESSMENT)
    login(client, carl)
    page = client.get(reverse("controls-hit", args=[hit.pk])).content.decode()
    assert "under bedömning" in page or "under assessment" in page
    assert (
        reverse("cases-detail", args=[case.pk]) not in page
    )  # the case itself stays with its team
    queue = client.get(reverse("controls-queue") + "?status=case").content.decode()
    assert case.number in queue


def test_the_queue_exports_to_excel_with_the_current_filter(make_hit, personas, login, client):
    carl = personas["controller"]
    make_hit(carl.municipality, control_id="BEN-DECEASED", amount=Decimal("12000.00"))
    make_hit(
        carl.municipality,
        control_id="INV-DUP-EXACT",
        subject_type="supplier",
        subject_id="=HYPERLINK(1)",
        amount=Decimal("143950.00"),
    )
    login(client, carl)
    response = client.get(reverse("controls-queue-export") + "?control=INV-DUP-EXACT")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [r for r in sheet.iter_rows(values_only=True)]
    data = [r for r in rows[1:] if r and isinstance(r[0], int)]
    assert [r[1] for r in data] == ["INV-DUP-EXACT"]
    assert data[0][5] == 143950.0
    assert not str(data[0][3]).startswith("=")  # a value is never a live formula
    assert any(
        r and len(r) > 1 and "control=INV-DUP-EXACT" in str(r[1]) for r in rows
    )  # the filter is stated
    assert AccessLogEntry.objects.filter(object_type="hit export", action="export").exists()
    page = client.get(reverse("controls-queue") + "?control=INV-DUP-EXACT").content.decode()
    assert reverse("controls-queue-export") + "?" in page and "control=INV-DUP-EXACT" in page


def test_the_service_refuses_a_dismissal_without_a_comment_in_swedish(make_hit, personas):
    """Not only the web form: every way in (bulk, API, CLI, a script) goes through hit_dismiss."""
    import pytest
    from django.utils import translation

    from tillit.controls.services import HitError, hit_comment, hit_dismiss

    carl = personas["controller"]
    hit = make_hit(carl.municipality)
    for note in ("", "   \n ", None):
        with translation.override("sv"), pytest.raises(HitError) as refused:
            hit_dismiss(hit=hit, user=carl, reason="explained", note=note)
        assert str(refused.value) == (
            f"Skriv en kommentar om varför träffen inte behöver åtgärdas vidare: träff {hit.pk}."
        )
    with translation.override("sv"), pytest.raises(HitError, match="Okänt skäl"):
        hit_dismiss(hit=hit, user=carl, reason="bogus", note="Förklarad.")
    with translation.override("sv"), pytest.raises(HitError, match="bara kommentaren"):
        hit_comment(hit=hit, user=carl, note="En kommentar före avfärdandet.")
    hit.refresh_from_db()
    assert hit.status == Hit.Status.NEW and hit.dismiss_reason == ""
    assert not HitEvent.objects.filter(hit=hit).exists()

    hit_dismiss(hit=hit, user=carl, reason="explained", note="  Kreditfaktura finns.  ")
    with translation.override("sv"), pytest.raises(HitError, match="Skriv en kommentar"):
        hit_comment(hit=hit, user=carl, note=" ")
    hit.refresh_from_db()
    assert hit.status == Hit.Status.DISMISSED
    assert list(HitEvent.objects.filter(hit=hit).values_list("action", "note")) == [
        ("dismissed", "Kreditfaktura finns.")
    ]
