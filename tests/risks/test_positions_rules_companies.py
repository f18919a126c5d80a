"""Risk positions with background checks (no register content), crime-proofing, municipal companies."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from tillit.risks import positions, rules
from tillit.risks.models import BackgroundCheck, Organisation, RiskArea, RiskPosition
from tillit.risks.services import RiskError


def test_positions_without_a_current_check(kommun_a, personas):
    checker = personas["coordinator"]
    never = positions.position_create(
        municipality=kommun_a,
        title="Upphandlare",
        reason="Beslutar om inköp",
        power=["procurement"],
        routine=["identity", "references"],
    )
    old = positions.position_create(
        municipality=kommun_a,
        title="Ekonomichef",
        reason="Attesterar",
        power=["payments"],
        routine=["identity"],
        interval_months=12,
    )
    fresh = positions.position_create(
        municipality=kommun_a,
        title="Enhetschef",
        reason="Beviljar bistånd",
        power=["decisions"],
        routine=["identity"],
    )
    today = date(2026, 11, 22)
    positions.check_record(
        position=old, checked_on=date(2025, 10, 1), kinds=["identity"], user=checker
    )
    positions.check_record(
        position=fresh,
        checked_on=date(2026, 6, 1),
        kinds=["identity", "register_extract"],
        user=checker,
    )
    due = positions.without_current_check(kommun_a, today=today)
    assert {p.title for p in due} == {never.title, old.title}
    with pytest.raises(RiskError):
        positions.check_record(
            position=never,
            checked_on=date.today() + timedelta(days=2),
            kinds=["identity"],
            user=checker,
        )
    with pytest.raises(RiskError):
        positions.position_create(
            municipality=kommun_a, title="X", reason="", power=["payments"], routine=[]
        )


def test_a_check_holds_only_date_kinds_and_who():
    fields = {f.name for f in BackgroundCheck._meta.get_fields()}
    assert fields == {
        "id",
        "municipality",
        "position",
        "checked_on",
        "kinds",
        "checked_by",
        "created_at",
    }


def test_position_page_records_a_check(client, personas, login):
    user = personas["coordinator"]
    login(client, user)
    response = client.post(
        reverse("risk-position-list"),
        {
            "title": "Upphandlare",
            "power": ["procurement"],
            "reason": "Beslutar om inköp",
            "routine": ["identity"],
            "interval_months": "12",
        },
    )
    assert response.status_code == 302
    position = RiskPosition.objects.get(municipality=user.municipality)
    page = client.get(reverse("risk-position-list") + "?due=1").content.decode()
    assert '<th scope="row">Upphandlare' in page
    response = client.post(
        reverse("risk-position-check", args=[position.pk]),
        {"checked_on": date.today().isoformat(), "kinds": ["identity", "references"]},
    )
    assert response.status_code == 302
    assert position.checks.get().checked_by == user
    page = client.get(reverse("risk-position-list") + "?due=1").content.decode()
    assert '<th scope="row">Upphandlare' not in page


def test_crime_proofing_turns_findings_into_risks(kommun_a):
    board = kommun_a.board_set.first()
    review = rules.review_create(
        municipality=kommun_a,
        title="Riktlinjer för föreningsbidrag",
        reviewed_on=date(2026, 5, 1),
        board=board,
    )
    with pytest.raises(RiskError):
        rules.finding_add(review=review, opening="", step="incentive")
    finding = rules.finding_add(
        review=review,
        opening="Samma förening kan söka bidrag från flera nämnder",
        step="control",
        section="§ 4",
        suggestion="Gemensamt register över beviljade bidrag",
    )
    area = rules.finding_to_risk(finding=finding, name="Dubbelfinansiering av föreningar")
    assert area.name == "Dubbelfinansiering av föreningar" and area.code == "R48"
    assert "Riktlinjer för föreningsbidrag" in area.origin
    assert list(area.owner_boards.all()) == [board]
    assert rules.finding_to_risk(finding=finding) == area  # once only
    existing = RiskArea.objects.get(municipality=kommun_a, code="R18")
    other = rules.finding_add(
        review=review, opening="Ingen kontroll av medlemsantal", step="control"
    )
    assert rules.finding_to_risk(finding=other, existing=existing) == existing


def test_companies_have_their_own_risk_areas(client, personas, login):
    user = personas["coordinator"]
    login(client, user)
    response = client.post(
        reverse("risk-organisation-list"),
        {"name": "Kommunens Bostads AB", "org_number": "556000-0000"},
    )
    assert response.status_code == 302
    org = Organisation.objects.get(municipality=user.municipality)
    response = client.post(
        reverse("risk-area-create"),
        {"name": "Hyresavtal och andrahandsuthyrning", "organisation": org.pk},
    )
    assert response.status_code == 302
    area = org.risk_areas.get()
    page = client.get(reverse("risk-organisation-detail", args=[org.pk])).content.decode()
    assert area.name in page


def test_a_finding_becomes_a_risk_and_a_measure_in_the_action_plan(client, personas, login):
    from tillit.risks import services

    user = personas["coordinator"]
    login(client, user)
    review = rules.review_create(
        municipality=user.municipality,
        title="Villkor för LOV hemtjänst",
        reviewed_on=date(2026, 5, 1),
    )
    finding = rules.finding_add(
        review=review,
        opening="Utföraren rapporterar själv utförd tid",
        step="control",
        suggestion="Inför elektronisk närvaroregistrering",
    )
    assert rules.plans_measure_function() is not None
    r21 = RiskArea.objects.get(municipality=user.municipality, code="R21")
    response = client.post(
        reverse("risk-rule-finding-risk", args=[review.pk, finding.pk]),
        {"risk_area": str(r21.pk), "measure": "1"},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.risk_area == r21 and finding.measure_ref
    measures = services.measures_for(r21)
    assert [m.pk for m in measures] == [int(finding.measure_ref)]
    assert "elektronisk närvaroregistrering" in measures[0].text
    # a lowered risk with a measure behind it is no longer flagged
    lowered = services.assessment_create(
        risk_area=r21,
        gross_probability=4,
        gross_consequence=4,
        net_probability=2,
        net_consequence=2,
    )
    assert "no-measure" not in [f.kind for f in services.quality_flags(lowered)]
    r10 = RiskArea.objects.get(municipality=user.municipality, code="R10")
    bare = services.assessment_create(
        risk_area=r10,
        gross_probability=4,
        gross_consequence=4,
        net_probability=2,
        net_consequence=2,
    )
    assert "no-measure" in [f.kind for f in services.quality_flags(bare)]


def test_a_company_has_its_own_heat_map(kommun_a):
    from tillit.risks import selectors, services

    org = Organisation.objects.create(municipality=kommun_a, name="Kommunens Energi AB")
    own = services.risk_area_create(municipality=kommun_a, name="Elhandel", organisation=org)
    services.assessment_create(risk_area=own, gross_probability=2, gross_consequence=4)
    services.assessment_create(
        risk_area=RiskArea.objects.get(municipality=kommun_a, code="R10"),
        gross_probability=4,
        gross_consequence=4,
    )
    heat = selectors.heat_map(kommun_a, organisation=org)
    assert heat["total"] == 1 and heat["cells"][(2, 4)]["codes"] == [own.code]
    assert selectors.heat_map(kommun_a)["total"] == 2
