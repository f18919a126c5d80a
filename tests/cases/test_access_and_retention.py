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
