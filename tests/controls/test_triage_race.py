"""Two people acting on the same hit at the same moment: the second is refused (issue 15).

Under 100 users, both passed the page's "still new?" check before either had changed the hit, and
both were told it was done: a hit dismissed and escalated (left "dismissed" while joined to a case),
or dismissed twice. The services now lock the hit's row and compare its status with the one the
caller read; here the second caller holds the hit as it was read before the first one acted.
"""

from __future__ import annotations

from decimal import Decimal

import pytest


def _hit(municipality):
    from tillit.controls.models import Hit, Run

    run = Run.objects.create(municipality=municipality, status=Run.Status.DONE)
    return Hit.objects.create(
        municipality=municipality,
        control_id="BEN-DECEASED",
        control_version=1,
        fingerprint="fp-race",
        first_run=run,
        last_run=run,
        engine="duckdb",
        sql="SELECT 1",
        subject_type="household",
        subject_id="H-0042",
        board="Socialnämnden",
        amount_at_risk=Decimal("12000.00"),
        severity=Hit.Severity.HIGH,
        score=Decimal("12000.00"),
        explanation_template="Payment after death",
    )


def test_a_hit_handled_meanwhile_by_someone_else_is_refused(personas, kommun_a):
    from tillit.cases.models import CaseHit
    from tillit.controls import services
    from tillit.controls.models import Hit, HitEvent

    alice, bob = personas["coordinator"], personas["investigator"]
    hit = _hit(kommun_a)
    read_by_alice, read_by_bob = Hit.objects.get(pk=hit.pk), Hit.objects.get(pk=hit.pk)

    services.hit_dismiss(hit=read_by_alice, user=alice, reason="explained", note="Förklarad.")
    with pytest.raises(services.HitError):
        services.hit_open_case(hit=read_by_bob, user=bob)
    with pytest.raises(services.HitError):
        services.hit_dismiss(hit=read_by_bob, user=bob, reason="corrected", note="Rättad.")

    hit.refresh_from_db()
    assert (hit.status, hit.dismiss_reason) == (Hit.Status.DISMISSED, "explained")
    assert not CaseHit.objects.filter(hit=hit).exists()
    assert list(HitEvent.objects.filter(hit=hit).values_list("action", "user")) == [
        ("dismissed", alice.pk)
    ]


def test_a_freshly_read_hit_is_escalated_as_before(personas, kommun_a):
    """The lock refuses only a change it did not see; acting on a freshly read hit still works."""
    from tillit.controls import services
    from tillit.controls.models import Hit

    hit = _hit(kommun_a)
    services.hit_open_case(hit=Hit.objects.get(pk=hit.pk), user=personas["coordinator"])
    hit.refresh_from_db()
    assert hit.status == Hit.Status.CASE


def test_the_hit_page_and_the_bulk_action_say_so_in_swedish_instead_of_failing(
    personas, kommun_a, client, login, monkeypatch
):
    """The other user's change lands between the page's read and the service's lock."""
    from tillit.controls import services
    from tillit.controls.models import Hit, HitEvent

    locked = services._lock_unchanged

    def someone_else_first(hit):
        Hit.objects.filter(pk=hit.pk).update(status=Hit.Status.DISMISSED)
        locked(hit)

    monkeypatch.setattr(services, "_lock_unchanged", someone_else_first)
    login(client, personas["coordinator"])
    hit = _hit(kommun_a)
    response = client.post(
        f"/kontroller/traffar/{hit.pk}/dismiss/",
        {"dismiss-reason": "explained", "dismiss-note": "Förklarad."},
        follow=True,
    )
    assert response.status_code == 200
    assert "Träffen är redan hanterad." in response.content.decode()
    Hit.objects.filter(pk=hit.pk).update(status=Hit.Status.NEW)
    response = client.post(
        "/kontroller/traffar/avfarda/",
        {"hit": [hit.pk], "action": "case", "reason": "explained", "note": "Lyfts."},
        follow=True,
    )
    assert response.status_code == 200
    assert (
        "1 av de valda träffarna hade redan hanterats av någon annan" in response.content.decode()
    )
    assert not HitEvent.objects.filter(hit=hit).exists()
