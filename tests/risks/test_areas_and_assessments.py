"""Risk areas, the catalogue, valuations, quality checks, the heat map and the ranking."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from tests.external import must_have_external
from tillit.risks import selectors, services
from tillit.risks.models import RiskArea, RiskAssessment

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "risk-areas.md"


def _area(municipality, code):
    return RiskArea.objects.get(municipality=municipality, code=code)


def test_a_new_municipality_gets_the_47_areas_of_the_catalogue(kommun_a):
    areas = RiskArea.objects.filter(municipality=kommun_a)
    assert areas.count() == 47
    assert _area(kommun_a, "R14").name == "Fakturahantering"
    assert _area(kommun_a, "R47").name == "Överförmynderi"
    assert "Bluffakturor" in _area(kommun_a, "R14").description
    # loading again adds nothing
    assert services.catalogue_load(municipality=kommun_a) == 0


def test_the_packaged_catalogue_matches_the_spec():
    """The catalogue shipped in the package is the project's spec (../shared/spec beside a development
    checkout): skipped with the reason where the spec is absent, failed in CI."""
    if not SPEC.exists():
        reason = f"{SPEC.name} is not here (../shared/spec is absent beside the repository)"
        if must_have_external():
            pytest.fail(reason + "; CI must have it", pytrace=False)
        pytest.skip(reason)
    data = services.catalogue_data()
    names = [row["name"] for row in data["risk_areas"]]
    spec_names = [
        line.split("|")[2].strip()
        for line in SPEC.read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and line.split("|")[1].strip().isdigit()
    ]
    assert names == spec_names
    assert "Oskarshamn" in data["source"]


def test_add_rename_retire(kommun_a):
    board = kommun_a.board_set.get(name="Socialnämnden")
    area = services.risk_area_create(
        municipality=kommun_a,
        name="Lönebidrag",
        exposure_kr=Decimal("1200000"),
        owner_boards=[board],
    )
    assert area.code == "R48"
    services.risk_area_update(
        area=area,
        name="Lönebidrag och nystartsjobb",
        description="Ny motivering",
        exposure_kr=Decimal("1300000"),
        owner_boards=[board],
    )
    area.refresh_from_db()
    assert area.name == "Lönebidrag och nystartsjobb" and area.exposure_kr == Decimal("1300000.00")
    services.assessment_create(risk_area=area, gross_probability=3, gross_consequence=3)
    assert any(r["code"] == "R48" for r in selectors.ranked(kommun_a))
    services.risk_area_retire(area=area)
    assert not any(r["code"] == "R48" for r in selectors.ranked(kommun_a))
    with pytest.raises(services.RiskError):
        services.risk_area_create(municipality=kommun_a, name="Dubbel", code="R01")


def test_scores_out_of_scale_are_refused_and_nothing_is_saved(kommun_a):
    area = _area(kommun_a, "R14")
    with pytest.raises(services.RiskError) as error:
        services.assessment_create(risk_area=area, gross_probability=5, gross_consequence=2)
    assert "1" in str(error.value) and "4" in str(error.value)
    with pytest.raises(services.RiskError):
        services.assessment_create(
            risk_area=area, gross_probability=2, gross_consequence=2, net_probability=1
        )
    assert not RiskAssessment.objects.exists()


def test_heat_map_and_ranking_follow_the_latest_valuation(kommun_a):
    r14, r10, r21 = (_area(kommun_a, c) for c in ("R14", "R10", "R21"))
    services.assessment_create(
        risk_area=r14, gross_probability=4, gross_consequence=4, assessed_on=date(2026, 1, 10)
    )
    services.assessment_create(
        risk_area=r10, gross_probability=2, gross_consequence=3, assessed_on=date(2026, 1, 10)
    )
    heat = selectors.heat_map(kommun_a)
    assert heat["cells"][(4, 4)] == {"count": 1, "codes": ["R14"]}
    assert heat["cells"][(2, 3)]["codes"] == ["R10"]
    assert heat["total"] == 2
    assert [r["code"] for r in selectors.top_risks(kommun_a)] == ["R14", "R10"]
    # a later valuation moves R14 down and R21 comes in on top
    services.assessment_create(
        risk_area=r14, gross_probability=1, gross_consequence=2, assessed_on=date(2026, 3, 1)
    )
    services.assessment_create(
        risk_area=r21,
        gross_probability=4,
        gross_consequence=3,
        unlawful_influence=4,
        assessed_on=date(2026, 3, 1),
    )
    heat = selectors.heat_map(kommun_a)
    assert heat["cells"][(4, 4)]["count"] == 0 and heat["cells"][(1, 2)]["codes"] == ["R14"]
    assert [r["code"] for r in selectors.top_risks(kommun_a, n=2)] == ["R21", "R10"]
    # as on an earlier date, the old picture
    assert selectors.heat_map(kommun_a, on=date(2026, 2, 1))["cells"][(4, 4)]["codes"] == ["R14"]
    # history is kept
    assert r14.assessments.count() == 2
    top = selectors.top_risks(kommun_a, n=1)[0]
    assert set(top) == {"code", "name", "probability", "consequence", "score", "priority", "url"}
    assert top["url"] == reverse("risk-area-detail", args=[r21.pk])


def test_priority_combines_vor_exposure_and_influence_with_configurable_weights(kommun_a):
    a, b = _area(kommun_a, "R01"), _area(kommun_a, "R02")
    a.exposure_kr = Decimal("10000000")
    a.save()
    b.exposure_kr = Decimal("1000000")
    b.save()
    services.assessment_create(
        risk_area=a, gross_probability=2, gross_consequence=2, unlawful_influence=1
    )
    services.assessment_create(
        risk_area=b, gross_probability=4, gross_consequence=4, unlawful_influence=4
    )
    rows = {r["code"]: r for r in selectors.ranked(kommun_a)}
    # default weights 0.5 VoR, 0.3 exposure, 0.2 influence
    assert rows["R01"]["priority"] == Decimal("100") * (
        Decimal("0.5") * 4 / 16 + Decimal("0.3") * 1 + Decimal("0.2") * 1 / 4
    )
    assert rows["R02"]["priority"] == Decimal("100.0") * (
        Decimal("0.5") + Decimal("0.03") + Decimal("0.2")
    )
    assert selectors.ranked(kommun_a)[0]["code"] == "R02"
    # exposure only: the largest exposure wins
    services.settings_update(
        municipality=kommun_a,
        scale_max=4,
        probability_labels=[],
        consequence_labels=[],
        weight_vor=Decimal(0),
        weight_exposure=Decimal(1),
        weight_influence=Decimal(0),
        stale_after_days=400,
    )
    assert selectors.ranked(kommun_a)[0]["code"] == "R01"
    assert (
        "0 × VoR" in selectors.priority_formula(kommun_a)["text"]
        or "VoR" in selectors.priority_formula(kommun_a)["text"]
    )


def test_quality_checks(kommun_a):
    area = _area(kommun_a, "R14")
    up = services.assessment_create(
        risk_area=area,
        gross_probability=2,
        gross_consequence=2,
        net_probability=3,
        net_consequence=3,
    )
    assert [f.kind for f in services.quality_flags(up)] == ["net-above-gross"]
    old = services.assessment_create(
        risk_area=area,
        gross_probability=2,
        gross_consequence=2,
        assessed_on=date.today() - timedelta(days=800),
    )
    assert "stale" in [f.kind for f in services.quality_flags(old)]


def test_lowered_risk_without_a_measure_is_flagged_when_the_plans_app_has_measures(kommun_a):
    area = _area(kommun_a, "R14")
    lowered = services.assessment_create(
        risk_area=area,
        gross_probability=4,
        gross_consequence=4,
        net_probability=2,
        net_consequence=2,
    )
    kinds = [f.kind for f in services.quality_flags(lowered)]
    if services.plans_have_measures():
        assert "no-measure" in kinds
        assert "no-measure" not in [
            f.kind for f in services.quality_flags(lowered, measures=["a measure"])
        ]
    else:
        assert "no-measure" not in kinds


def test_changes_are_marked_against_the_previous_valuation(kommun_a):
    area = _area(kommun_a, "R14")
    services.assessment_create(
        risk_area=area, gross_probability=2, gross_consequence=2, gross_motivation="a"
    )
    second = services.assessment_create(
        risk_area=area, gross_probability=3, gross_consequence=2, gross_motivation="a"
    )
    assert second.changes == ["gross_probability"]


def test_pages_value_an_area_and_show_the_heat_map(client, personas, login):
    login(client, personas["coordinator"])
    kommun_a = personas["coordinator"].municipality
    area = _area(kommun_a, "R14")
    page = client.get(reverse("risk-area-detail", args=[area.pk]))
    assert page.status_code == 200
    assert "mindre sannolik" in page.content.decode() or "less likely" in page.content.decode()
    response = client.post(
        reverse("risk-assess", args=[area.pk]),
        {
            "assessed_on": "2026-11-22",
            "gross_probability": "4",
            "gross_consequence": "3",
            "gross_foundation": "fair",
            "net_probability": "3",
            "net_consequence": "3",
            "net_foundation": "weak",
            "target_foundation": "weak",
            "net_probability_": "",
            "unlawful_influence": "2",
            "ic_deviations": "1",
        },
    )
    assert response.status_code == 302
    a = area.assessments.get()
    assert (a.gross_score, a.net_score, a.assessed_on) == (12, 9, date(2026, 11, 22))
    home = client.get(reverse("risks-home")).content.decode()
    assert 'data-probability="3" data-consequence="3"><span class="heat-count">1</span>' in home
    assert "R14" in home


def test_bad_input_on_the_page_keeps_what_was_there(client, personas, login):
    login(client, personas["coordinator"])
    area = _area(personas["coordinator"].municipality, "R14")
    response = client.post(
        reverse("risk-assess", args=[area.pk]),
        {
            "assessed_on": "2026-13-40",
            "gross_probability": "4",
            "gross_consequence": "9",
            "unlawful_influence": "1",
            "gross_foundation": "weak",
            "net_foundation": "weak",
            "target_foundation": "weak",
            "ic_deviations": "0",
        },
    )
    assert response.status_code == 400
    assert not area.assessments.exists()


def test_reviewer_reads_but_cannot_value_and_other_municipality_is_hidden(client, personas, login):
    login(client, personas["reviewer"])
    area = _area(personas["reviewer"].municipality, "R14")
    assert client.get(reverse("risk-area-detail", args=[area.pk])).status_code == 200
    assert client.post(reverse("risk-assess", args=[area.pk]), {}).status_code == 403
    other = _area(personas["other_investigator"].municipality, "R14")
    assert client.get(reverse("risk-area-detail", args=[other.pk])).status_code == 404


def test_exposure_in_kr_is_read_the_swedish_way(client, personas, login):
    login(client, personas["coordinator"])
    area = _area(personas["coordinator"].municipality, "R10")
    response = client.post(
        reverse("risk-area-edit", args=[area.pk]),
        {"name": "Ekonomiskt bistånd", "description": "x", "exposure_kr": "12 345 678,50"},
    )
    assert response.status_code == 302
    area.refresh_from_db()
    assert area.exposure_kr == Decimal("12345678.50")
    response = client.post(
        reverse("risk-area-edit", args=[area.pk]),
        {"name": "Ekonomiskt bistånd", "exposure_kr": "tolv"},
    )
    assert response.status_code == 400
    area.refresh_from_db()
    assert area.name == "Ekonomiskt bistånd" and area.exposure_kr == Decimal("12345678.50")
    json.dumps(str(area.exposure_kr))


def test_the_default_scale_speaks_the_municipalities_swedish(client, personas, login):
    login(client, personas["coordinator"])
    area = _area(personas["coordinator"].municipality, "R14")
    page = client.get(
        reverse("risk-area-detail", args=[area.pk]), HTTP_ACCEPT_LANGUAGE="sv"
    ).content.decode()
    for word in (
        "1 osannolik",
        "2 mindre sannolik",
        "3 möjlig",
        "4 sannolik",
        "1 försumbar",
        "2 lindrig",
        "3 kännbar",
        "4 allvarlig",
    ):
        assert word in page, word


def test_cli_loads_the_catalogue_for_an_existing_municipality(kommun_a, capsys):
    from tillit.risks.cli import cmd_load_catalogue

    RiskArea.objects.filter(municipality=kommun_a, code__in=["R01", "R02"]).delete()
    args = type("Args", (), {"municipality": kommun_a.code})()
    assert cmd_load_catalogue(args) == 0
    assert RiskArea.objects.filter(municipality=kommun_a).count() == 47
    assert "2" in capsys.readouterr().out


def test_the_demo_values_a_few_areas(kommun_a):
    from tillit.risks.demo import demo_risks

    demo_risks(kommun_a)
    top = selectors.top_risks(kommun_a, n=3)
    assert len(top) == 3 and top[0]["code"] == "R14"  # 950 Mkr exposed, net 3 × 3
    assert RiskAssessment.objects.filter(municipality=kommun_a).count() == 14
    demo_risks(kommun_a)  # again: nothing more
    assert RiskAssessment.objects.filter(municipality=kommun_a).count() == 14


def test_evidence_counts_hits_and_cases_in_the_area(personas):
    from tillit.cases.models import Case

    user = personas["coordinator"]
    area = _area(user.municipality, "R14")
    Case.objects.create(
        municipality=user.municipality,
        number="2026-0001",
        year=2026,
        sequence=1,
        title="x",
        source="hit",
        risk_area="Fakturahantering",
        amount_concerned=Decimal("12500"),
    )
    ev = selectors.evidence(user=user, area=area)
    assert ev["cases"] == 1 and ev["cases_amount"] == Decimal("12500") and ev["confirmed"] == 0
    assert ev["controls"]  # invoice controls serve Fakturahantering


def test_home_lists_the_quality_flags(client, personas, login):
    login(client, personas["coordinator"])
    area = _area(personas["coordinator"].municipality, "R14")
    services.assessment_create(
        risk_area=area,
        gross_probability=2,
        gross_consequence=2,
        net_probability=3,
        net_consequence=3,
    )
    page = client.get(reverse("risks-home")).content.decode()
    assert 'data-flag="net-above-gross"' in page


def test_a_five_step_scale_with_its_own_wording(client, personas, login):
    user = personas["coordinator"]
    m = user.municipality
    services.settings_update(
        municipality=m,
        scale_max=5,
        probability_labels=["mycket låg", "låg", "medel", "hög", "mycket hög"],
        consequence_labels=[],
        weight_vor=Decimal("1"),
        weight_exposure=Decimal("0"),
        weight_influence=Decimal("0"),
        stale_after_days=400,
    )
    area = _area(m, "R14")
    services.assessment_create(risk_area=area, gross_probability=5, gross_consequence=5)
    heat = selectors.heat_map(m)
    assert heat["steps"] == 5 and heat["cells"][(5, 5)]["codes"] == ["R14"]
    assert selectors.top_risks(m)[0]["priority"] == Decimal("100.0")
    login(client, user)
    page = client.get(reverse("risk-area-detail", args=[area.pk])).content.decode()
    assert "5 mycket hög" in page
    with pytest.raises(services.RiskError):
        services.assessment_create(risk_area=area, gross_probability=6, gross_consequence=1)
