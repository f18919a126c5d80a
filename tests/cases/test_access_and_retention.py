"""Issue 6, done when: no access is 403 and logged, every read is logged, a changed document is
detected, deletion needs a second person."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from tests.conftest import _user
from tillit.accounts.models import AccessLogEntry, Role
from tillit.cases.access import DENIED
from tillit.cases.models import Case, CaseDocument, DeletionRequest, State
from tillit.cases.services import (
    CaseError,
    DocumentTampered,
    case_transition,
    deletion_approve,
    deletion_propose,
    document_add,
    document_path,
    document_read,
)


@pytest.fixture
def outsider(personas, kommun_a):
    """An investigator of the same municipality who is not on the case's team."""
    return _user(kommun_a, "dora", Role.INVESTIGATOR)


def test_an_investigator_without_access_gets_403_and_the_attempt_is_logged(
    client, personas, login, case_of, outsider
):
    case = case_of(personas["coordinator"], members=[personas["investigator"]])
    login(client, outsider)
    response = client.get(reverse("cases-detail", args=[case.pk]))
    assert response.status_code == 403
    entry = AccessLogEntry.objects.get(user=outsider)
    assert (entry.object_type, entry.object_id) == (DENIED, str(case.pk))
    # the document too, and without handing out a byte
    document = document_add(
        case=case,
        user=personas["investigator"],
        title="Kontoutdrag",
        filename="konto.pdf",
        content=b"%PDF-1.4 secret",
    )
    response = client.get(reverse("cases-document", args=[case.pk, document.pk]))
    assert response.status_code == 403 and b"secret" not in response.content
    assert AccessLogEntry.objects.filter(user=outsider, object_type=DENIED).count() == 2
    assert not AccessLogEntry.objects.filter(
        user=outsider, object_type__in=["case", "casedocument"]
    ).exists()


def test_every_read_of_a_case_and_a_document_is_logged_and_the_coordinator_sees_it(
    client, personas, login, case_of
):
    investigator, coordinator = personas["investigator"], personas["coordinator"]
    case = case_of(coordinator, members=[investigator])
    document = document_add(
        case=case,
        user=investigator,
        title="Kontoutdrag",
        filename="konto.txt",
        content=b"kontoutdrag 2025",
    )
    login(client, investigator)
    for _ in range(2):
        assert client.get(reverse("cases-detail", args=[case.pk])).status_code == 200
    response = client.get(reverse("cases-document", args=[case.pk, document.pk]))
    assert response.status_code == 200 and response.content == b"kontoutdrag 2025"
    reads = AccessLogEntry.objects.filter(user=investigator)
    assert sorted(reads.values_list("object_type", flat=True)) == ["case", "case", "casedocument"]
    assert all(e.path.startswith("/arenden/") for e in reads)
    login(client, coordinator)
    page = client.get(reverse("cases-detail", args=[case.pk])).content.decode()
    assert "bob" in page  # the coordinator reviews the case's access log on the case page


def test_a_document_whose_bytes_changed_on_disk_is_detected_and_not_handed_out(
    client, personas, login, case_of
):
    investigator = personas["investigator"]
    case = case_of(personas["coordinator"], members=[investigator])
    document = document_add(
        case=case,
        user=investigator,
        title="Faktura",
        filename="faktura.txt",
        content=b"Belopp: 48 750 kr",
    )
    assert document_read(document=document) == b"Belopp: 48 750 kr"
    document_path(document).write_bytes(b"Belopp: 4 875 kr")
    with pytest.raises(DocumentTampered):
        document_read(document=document)
    login(client, investigator)
    response = client.get(reverse("cases-document", args=[case.pk, document.pk]))
    assert response.status_code == 409
    assert b"4 875" not in response.content and "SHA-256" in response.content.decode()
    document_path(document).unlink()
    with pytest.raises(DocumentTampered):
        document_read(document=document)


def test_deletion_needs_a_second_person_and_leaves_no_content(personas, case_of, kommun_a):
    coordinator, investigator = personas["coordinator"], personas["investigator"]
    case = case_of(coordinator, members=[investigator], title="Tolvan Tolvanssons bistånd")
    document = document_add(
        case=case,
        user=investigator,
        title="Utredning",
        filename="utredning.txt",
        content=b"personuppgifter",
    )
    path = document_path(document)
    case = case_transition(
        case=case,
        user=coordinator,
        to_state=State.CLOSED_NO_ACTION,
        reason="Inget fel konstaterades.",
    )
    Case.objects.filter(pk=case.pk).update(retain_until=date.today() - timedelta(days=1))
    [request] = deletion_propose(user=coordinator)
    with pytest.raises(CaseError):
        deletion_approve(request=request, user=coordinator)
    assert Case.objects.filter(pk=case.pk).exists() and path.exists()
    second = _user(kommun_a, "erik", Role.COORDINATOR)
    done = deletion_approve(request=request, user=second)
    assert done.status == DeletionRequest.Status.DONE and done.documents_deleted == 1
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not CaseDocument.objects.filter(pk=document.pk).exists()
    # what remains says that a case was deleted, by whom, never what it held
    kept = DeletionRequest.objects.get(pk=request.pk)
    assert (
        kept.case_number == case.number
        and kept.proposed_by == coordinator
        and kept.decided_by == second
    )
    assert "Tolvan" not in repr(kept.__dict__)


def test_the_queue_hides_hits_of_team_only_cases_exactly_as_the_cases_are_hidden(
    make_hit, case_of, personas, kommun_a
):
    """Issue 19: the queue looks up a hit's one case link instead of collecting every visible case;
    who sees which hit is what `visible_cases` says of the case the hit joined."""
    from django.db.models import Exists, OuterRef

    from tillit.cases.access import visible_cases
    from tillit.cases.models import CaseHit, Sensitivity
    from tillit.controls.models import Hit
    from tillit.controls.selectors import hit_list

    alice, bob = personas["coordinator"], personas["investigator"]
    olle = _user(kommun_a, "olle", Role.COORDINATOR)
    cases = [
        case_of(alice, members=[bob], sensitivity=Sensitivity.TEAM_ONLY),  # alice not on the team
        case_of(alice, members=[alice], sensitivity=Sensitivity.TEAM_ONLY),
        case_of(alice, members=[bob], sensitivity=Sensitivity.SENSITIVE),
        case_of(alice, members=[], sensitivity=Sensitivity.NORMAL),
    ]
    linked = []
    for case in cases:
        hit = make_hit(kommun_a)
        CaseHit.objects.create(municipality=kommun_a, case=case, hit=hit, added_by=alice)
        linked.append(hit.pk)
    free = make_hit(kommun_a).pk
    users = [alice, bob, olle, *(personas[r] for r in ("controller", "reviewer", "admin"))]
    for user in users:
        # what the queue hid before: every link to a team-only case that is not among the visible
        hidden = CaseHit.objects.filter(
            hit=OuterRef("pk"), case__sensitivity=Sensitivity.TEAM_ONLY
        ).exclude(case__in=visible_cases(user).values("pk"))
        expected = set(
            Hit.objects.filter(municipality=kommun_a, status="new")
            .exclude(Exists(hidden))
            .values_list("pk", flat=True)
        )
        seen = set(hit_list(user=user).values_list("pk", flat=True)) if user.municipality else set()
        if seen or expected:  # users without the queue see nothing either way
            assert seen == expected, user.username
    assert set(hit_list(user=alice).values_list("pk", flat=True)) == {free, *linked[1:]}
    assert set(hit_list(user=bob).values_list("pk", flat=True)) == {free, linked[0], *linked[2:]}
    assert set(hit_list(user=olle).values_list("pk", flat=True)) == {free, *linked[2:]}
    assert set(visible_cases(alice)) == set(cases[1:])
    assert set(visible_cases(bob)) == {cases[0], cases[2]}
