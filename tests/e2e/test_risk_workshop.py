"""A workshop: two participants score alone on a phone-sized screen, then the coordinator shows the spread,
records the consensus with its motivation and downloads the minutes."""

from __future__ import annotations

import io

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login_through_form, unlabelled_fields


def _score(page, token: str, areas, scores) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"/risker/workshop/delta/{token}/")
    assert unlabelled_fields(page) == []
    # nothing overflows sideways on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    for area, (p, c) in zip(areas, scores, strict=True):
        page.locator(f"#p-{area.pk}").select_option(str(p))
        page.locator(f"#c-{area.pk}").select_option(str(c))
    page.get_by_role("button", name="Skicka mina bedömningar").click()
    page.wait_for_load_state()
    assert "Tack" in page.locator(".messages").inner_text()


@pytest.mark.e2e
def test_scores_alone_then_consensus_and_minutes(page, new_page, transactional_db, kommun_a):
    from docx import Document

    from tillit.accounts.services import user_create
    from tillit.risks.models import RiskArea, Workshop

    alice = user_create(
        municipality=kommun_a,
        username="alice",
        password=PASSWORD,
        role="coordinator",
        first_name="Alice",
        last_name="Testsson",
    )
    areas = list(
        RiskArea.objects.filter(municipality=kommun_a, code__in=["R10", "R21"]).order_by("code")
    )
    login_through_form(page, alice, PASSWORD)
    page.goto("/risker/workshoppar/")
    page.get_by_label("Rubrik").fill("Riskworkshop socialtjänsten")
    page.get_by_label("Datum").fill("2026-11-20")
    for area in areas:
        page.get_by_label(str(area), exact=True).check()
    page.get_by_label("Deltagare (namn eller roll, en per rad)").fill("Enhetschef\nHandläggare")
    page.get_by_role("button", name="Skapa").click()
    page.wait_for_url("**/risker/workshoppar/*/")
    workshop = Workshop.objects.get()
    first, second = workshop.participants.order_by("name")
    _score(new_page(), first.token, areas, [(3, 4), (2, 2)])
    _score(new_page(), second.token, areas, [(4, 4), (2, 3)])

    page.reload()
    assert "Spridningen visas när" in page.locator("main").inner_text()
    page.get_by_label("Flytta workshoppen till").select_option("consensus")
    page.get_by_role("button", name="Ändra").click()
    page.wait_for_load_state()
    card = page.locator(f"#area-{areas[0].pk}")
    assert "12–16" in card.inner_text()
    card.get_by_label("Gemensam sannolikhet").select_option("4")
    card.get_by_label("Gemensam konsekvens").select_option("4")
    card.get_by_label("Gruppens motivering").fill("Flera upptäckta fall under året")
    card.get_by_label("Föreslagna åtgärder").fill("Stickprov mot folkbokföringen varje kvartal")
    card.get_by_role("button", name="Registrera den gemensamma bedömningen").click()
    page.wait_for_load_state()
    assert areas[0].assessments.get().gross_score == 16
    assert unlabelled_fields(page) == []

    with page.expect_download() as download:
        page.get_by_role("link", name="Word").click()
    document = Document(io.BytesIO(download.value.path().read_bytes()))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "Stickprov mot folkbokföringen varje kvartal" in cells
    assert any("Enhetschef" in p.text for p in document.paragraphs)
