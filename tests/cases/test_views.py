"""Every view: anonymous users are sent to log in; another municipality's case is a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

# url name -> (method, kwargs needing the case pk as "pk")
CASE_VIEWS = [
    ("cases-detail", "get", {}),
    ("cases-transition", "post", {}),
    ("cases-update", "post", {}),
    ("cases-team", "post", {}),
    ("cases-subject", "post", {}),
    ("cases-diary", "post", {}),
    ("cases-document-upload", "post", {}),
    ("cases-document", "get", {"document_pk": 1}),
    ("cases-link", "post", {}),
    ("cases-task", "post", {}),
    ("cases-task-done", "post", {"task_pk": 1}),
    ("cases-intent", "post", {}),
    ("cases-outcome", "get", {"kind": "recovery"}),
    ("cases-draft", "get", {"kind": "recovery", "outcome_pk": 1}),
    ("cases-claim-payment", "post", {"claim_pk": 1}),
    ("cases-claim-write-off", "post", {"claim_pk": 1}),
    ("cases-sanction-follow-up", "post", {"sanction_pk": 1}),
    ("cases-export", "get", {}),
]
OTHER_VIEWS = [
    ("cases-list", "get", {}),
    ("cases-create", "get", {}),
    ("cases-report", "get", {}),
    ("cases-ledger", "get", {}),
    ("cases-statistics", "get", {}),
    ("cases-retention", "get", {}),
    ("cases-retention-propose", "post", {}),
    ("cases-retention-decide", "post", {"request_pk": 1, "decision": "approve"}),
]


@pytest.mark.parametrize(("name", "method", "kwargs"), CASE_VIEWS + OTHER_VIEWS)
def test_anonymous_users_are_sent_to_log_in(client, db, name, method, kwargs):
    if name in dict((n, m) for n, m, _k in CASE_VIEWS):
        kwargs = {"pk": 1, **kwargs}
    response = getattr(client, method)(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts-login"))


@pytest.mark.parametrize(("name", "method", "kwargs"), CASE_VIEWS)
def test_it_refuses_another_municipalitys_case_with_404(
    client, personas, login, case_of, name, method, kwargs
):
    from tillit.accounts.services import user_create

    case = case_of(personas["coordinator"], members=[personas["investigator"]])
    # a coordinator in Kommun B: the strongest role there still cannot reach Kommun A's case
    outsider = user_create(
        municipality=personas["other_investigator"].municipality,
        username="dora",
        password="x" * 16,
        role="coordinator",
    )
    login(client, outsider)
    response = getattr(client, method)(reverse(name, kwargs={"pk": case.pk, **kwargs}))
    assert response.status_code == 404


def test_another_municipalitys_deletion_request_is_a_404(client, personas, login, case_of):
    from tillit.accounts.services import user_create
    from tillit.cases.models import DeletionRequest

    case = case_of(personas["coordinator"])
    request = DeletionRequest.objects.create(
        municipality=case.municipality,
        case=case,
        case_number=case.number,
        case_type=case.case_type,
        proposed_by=personas["coordinator"],
    )
    outsider = user_create(
        municipality=personas["other_investigator"].municipality,
        username="dora",
        password="x" * 16,
        role="coordinator",
    )
    login(client, outsider)
    url = reverse(
        "cases-retention-decide", kwargs={"request_pk": request.pk, "decision": "approve"}
    )
    assert client.post(url).status_code == 404
    request.refresh_from_db()
    assert request.status == DeletionRequest.Status.PROPOSED


def test_lists_show_nothing_from_another_municipality(client, personas, login, case_of):
    case_of(personas["coordinator"], title="Kommun A:s hemliga ärende")
    login(client, personas["other_investigator"])
    for name in ("cases-list", "cases-ledger", "cases-statistics"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "Kommun A:s hemliga ärende" not in response.content.decode()


@pytest.mark.parametrize("role", ["admin", "controller", "reviewer"])
def test_roles_without_case_permission_get_403_on_case_pages(
    client, personas, login, case_of, role
):
    case = case_of(personas["coordinator"])
    login(client, personas[role])
    assert client.get(reverse("cases-list")).status_code == 403
    assert client.get(reverse("cases-detail", kwargs={"pk": case.pk})).status_code == 403
    assert client.get(reverse("cases-ledger")).status_code == 403


@pytest.mark.parametrize("role", ["admin", "controller", "reviewer", "investigator", "coordinator"])
def test_every_employee_can_report_a_suspicion_and_the_coordinators_see_it(
    client, personas, login, role
):
    from tillit.cases.models import Case

    login(client, personas[role])
    response = client.post(
        reverse("cases-report"),
        {
            "title": "Konstig faktura",
            "case_type": "supplier",
            "description": "Samma faktura två gånger.",
            "subject_kind": "company",
            "subject_identifier": "556677-8899",
            "subject_name": "Bygg AB",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.source == "staff"
    assert case.subjects.get().identifier == "556677-8899"
    assert not case.team.exists()  # the reporter does not follow the case
    client.logout()
    login(client, personas["coordinator"])
    assert case.number in client.get(reverse("cases-list")).content.decode()


def test_only_a_coordinator_opens_a_case_manually(client, personas, login):
    from tillit.cases.models import Case

    login(client, personas["investigator"])
    assert client.get(reverse("cases-create")).status_code == 403
    client.logout()
    login(client, personas["coordinator"])
    response = client.post(
        reverse("cases-create"),
        {
            "title": "Underrättelse från Försäkringskassan",
            "case_type": "benefit",
            "description": "Dubbla bostäder.",
            "source": "authority",
            "sensitivity": "normal",
            "team": [personas["investigator"].pk],
            "subject_kind": "person",
            "subject_identifier": "19121212-1212",
            "subject_name": "Tolvan",
        },
    )
    case = Case.objects.get()
    assert response["Location"] == reverse("cases-detail", kwargs={"pk": case.pk})
    assert list(case.team.all()) == [personas["investigator"]]
    assert case.source == "authority"


def test_every_page_of_a_case_renders_for_its_team(client, personas, login, case_of):
    from tillit.cases.services import case_assign

    case = case_of(personas["coordinator"], members=[personas["investigator"]])
    case_assign(
        case=case,
        user=personas["coordinator"],
        members=[personas["investigator"]],
        lead=personas["investigator"],
    )
    login(client, personas["investigator"])
    page = client.get(reverse("cases-detail", kwargs={"pk": case.pk}))
    assert page.status_code == 200
    assert "Tolvan Tolvansson" in page.content.decode()
    for kind in ("recovery", "police", "notification", "sanction", "other"):
        # outcomes come with the investigation: before it the form sends the user back to the case
        response = client.get(reverse("cases-outcome", kwargs={"pk": case.pk, "kind": kind}))
        assert response["Location"] == reverse("cases-detail", kwargs={"pk": case.pk})
    assert (
        client.get(reverse("cases-outcome", kwargs={"pk": case.pk, "kind": "nonsense"})).status_code
        == 404
    )
