"""A coordinator values three risk areas in the browser and sees the heat map and the ranking change;
then changes the priority weights and sees the ranking follow. Also: every field has a label."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login_through_form, unlabelled_fields


def _value(
    page, code: str, gross: tuple[int, int], net: tuple[int, int] | None, influence: int
) -> None:
    from tillit.risks.models import RiskArea

    area = RiskArea.objects.get(code=code)
    page.goto(f"/risker/omraden/{area.pk}/")
    form = page.locator("#assess-form")
    form.get_by_label("Datum").fill("2026-11-22")
    form.get_by_label("Sannolikhet, bruttorisk").select_option(str(gross[0]))
    form.get_by_label("Konsekvens, bruttorisk").select_option(str(gross[1]))
    form.get_by_label("Motivering av bruttorisken").fill(f"Värdering av {code} i webbläsartestet")
    if net:
        form.get_by_label("Sannolikhet, nettorisk").select_option(str(net[0]))
        form.get_by_label("Konsekvens, nettorisk").select_option(str(net[1]))
    form.get_by_label("Risk för otillåten påverkan").select_option(str(influence))
    form.get_by_role("button", name="Spara värderingen").click()
    page.wait_for_url(f"**/risker/omraden/{area.pk}/")
    assert "Värderingen av" in page.locator(".messages").inner_text()


def _cell(page, p: int, c: int) -> str:
    return page.locator(
        f"table.heat-map td[data-probability='{p}'][data-consequence='{c}']"
    ).inner_text()


def _ranking(page) -> list[str]:
    names = page.locator("#ranking tbody th").all_inner_texts()
    return [n.split()[0] for n in names]


@pytest.mark.e2e
def test_valuing_three_areas_moves_the_heat_map_and_the_ranking(page, transactional_db, kommun_a):
    from decimal import Decimal

    from tillit.accounts.services import user_create
    from tillit.risks.models import RiskArea

    alice = user_create(
        municipality=kommun_a,
        username="alice",
        password=PASSWORD,
        role="coordinator",
        first_name="Alice",
        last_name="Testsson",
    )
    login_through_form(page, alice, PASSWORD)

    page.goto("/risker/")
    assert page.locator("table.heat-map caption").inner_text().startswith("Riskkarta")
    assert "Inget riskområde är värderat ännu." in page.locator("#ranking").inner_text()
    assert re.match(r"^0\b", _cell(page, 4, 4))

    _value(page, "R10", (4, 4), None, 3)
    _value(page, "R14", (3, 3), (2, 2), 1)
    _value(page, "R21", (3, 4), (3, 3), 2)
    assert unlabelled_fields(page) == []

    page.goto("/risker/")
    assert _cell(page, 4, 4).startswith("1") and "R10" in _cell(page, 4, 4)
    assert "mycket hög risk" in _cell(page, 4, 4)
    assert "R21" in _cell(page, 3, 3) and "R14" in _cell(page, 2, 2)
    assert _ranking(page) == ["R10", "R21", "R14"]

    # R10 is brought down by its net risk: the heat map and the ranking change
    _value(page, "R10", (4, 4), (1, 2), 1)
    page.goto("/risker/")
    assert re.match(r"^0\b", _cell(page, 4, 4))
    assert "R10" in _cell(page, 1, 2)
    assert _ranking(page) == ["R21", "R14", "R10"]

    # R14 gets an exposure in kr (written the Swedish way) and only the exposure counts: R14 goes first
    r14 = RiskArea.objects.get(code="R14")
    page.goto(f"/risker/omraden/{r14.pk}/andra/")
    page.get_by_label("Budget/utfall som berörs (kr)").fill("12 000 000,50")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(f"**/risker/omraden/{r14.pk}/")
    r14.refresh_from_db()
    assert r14.exposure_kr == Decimal("12000000.50")
    assert "12 000 000,50 kr" in page.locator("main dl").inner_text().replace("\xa0", " ")
    page.goto("/risker/installningar/")
    page.get_by_label("Vikt för VoR-värdet").fill("0")
    page.get_by_label("Vikt för berört belopp i kr").fill("1")
    page.get_by_label("Vikt för otillåten påverkan").fill("0")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url("**/risker/installningar/")
    page.goto("/risker/")
    assert "0 × VoR-värde" in page.locator("#rank-heading + p").inner_text()
    assert _ranking(page) == ["R14", "R21", "R10"]
    assert unlabelled_fields(page) == []


@pytest.mark.e2e
def test_every_risk_page_labels_its_fields(page, transactional_db, kommun_a):
    from datetime import date

    from tillit.accounts.services import user_create
    from tillit.risks import operative, positions, rules

    alice = user_create(
        municipality=kommun_a,
        username="alice",
        password=PASSWORD,
        role="coordinator",
        first_name="Alice",
        last_name="Testsson",
    )
    positions.position_create(
        municipality=kommun_a,
        title="Upphandlare",
        reason="Beslutar om inköp",
        power=["procurement"],
        routine=["identity"],
    )
    analysis = operative.analysis_create(municipality=kommun_a, name="Verksamhetsanalys", year=2026)
    review = rules.review_create(
        municipality=kommun_a, title="Bidragsregler", reviewed_on=date(2026, 5, 1)
    )
    rules.finding_add(review=review, opening="Ingen kontroll av medlemsantal", step="control")
    login_through_form(page, alice, PASSWORD)
    for path in (
        "/risker/",
        "/risker/omraden/",
        "/risker/analyser/",
        "/risker/workshoppar/",
        "/risker/verksamhetsanalyser/",
        f"/risker/verksamhetsanalyser/{analysis.pk}/",
        "/risker/riskbefattningar/",
        "/risker/bolag/",
        "/risker/regelverk/",
        f"/risker/regelverk/{review.pk}/",
        "/risker/internkontrollplan/",
        "/risker/dela/",
        "/risker/installningar/",
    ):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert unlabelled_fields(page) == [], path
