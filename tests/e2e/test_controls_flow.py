"""A coordinator runs the controls from the UI, dismisses one hit, escalates another, and runs again."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login_through_form

RUN_BUTTON = "form[action='/kontroller/korningar/starta/'] button.primary"
HIT_LINKS = "main table a[href^='/kontroller/traffar/']"


@pytest.mark.e2e
def test_a_coordinator_runs_dismisses_escalates_and_reruns(
    page, transactional_db, kommun_a, settings, tmp_path
):
    from tests.controls.conftest import load
    from tillit.accounts.services import user_create
    from tillit.analytics.generate import generate
    from tillit.controls.models import Hit, Run

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    alice = user_create(
        municipality=kommun_a,
        username="alice",
        password=PASSWORD,
        role="coordinator",
        first_name="Alice",
        last_name="Testsson",
    )
    generate(tmp_path, scale=0.1, seed=1)
    load(alice, kommun_a, tmp_path)

    login_through_form(page, alice, PASSWORD)
    page.goto("/kontroller/")
    page.locator(RUN_BUTTON).click()
    page.wait_for_url("**/kontroller/korningar/*/")
    first = Run.objects.get()
    assert first.status == Run.Status.DONE, first.error
    assert first.started_by == alice and first.trigger == "manual"
    assert first.hits_new >= 2
    assert "INV-DUP-EXACT" in page.locator("#run-status").inner_text()

    page.goto("/kontroller/")
    links = page.locator(HIT_LINKS).evaluate_all("links => links.map(a => a.getAttribute('href'))")
    # weak duplicate groups are one summary line of their own, not rows of the queue
    weak = Hit.objects.filter(status="new", evidence_grade=Hit.Evidence.WEAK).count()
    assert len(links) == Hit.objects.filter(status="new").count() - weak >= 2
    # the count, the amount at risk and the weak groups' line arrive after the list
    figures = page.locator("#queue-figures")
    assert figures.get_attribute("aria-live") == "polite"
    figures.locator(".queue-count").wait_for()
    assert (
        figures.locator(".queue-count").inner_text().startswith(f"{len(links)} träffar, sammanlagt")
    )
    if weak:
        assert figures.locator("a[href*='evidence=weak']").count() == 1
    dismissed_url, escalated_url = links[0], links[1]

    page.goto(dismissed_url)
    page.locator("#id_dismiss-reason").select_option("false_positive")
    page.locator("#id_dismiss-note").fill("Testfaktura från leverantörens provmiljö")
    page.locator("form[action$='/dismiss/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#id_dismiss-reason").count() == 0  # handled: the forms are gone
    assert "Testfaktura från leverantörens provmiljö" in page.locator("ul.history").inner_text()

    page.goto(escalated_url)
    page.locator("form[action$='/case/'] button[type=submit]").click()
    page.wait_for_load_state()
    case_link = page.locator("main a[href^='/arenden/']")
    assert case_link.count() == 1

    dismissed = Hit.objects.get(pk=int(dismissed_url.rstrip("/").split("/")[-1]))
    escalated = Hit.objects.get(pk=int(escalated_url.rstrip("/").split("/")[-1]))
    assert (dismissed.status, dismissed.dismiss_reason) == ("dismissed", "false_positive")
    assert escalated.status == "case"
    assert dismissed.events.get(action="dismissed").user == alice
    assert escalated.events.get(action="case").user == alice

    page.goto("/kontroller/")
    page.locator(RUN_BUTTON).click()
    page.wait_for_url("**/kontroller/korningar/*/")
    second = Run.objects.exclude(pk=first.pk).get()
    assert second.status == Run.Status.DONE
    assert second.hits_new == 0 and second.hits_closed == 0
    assert second.hits_updated == first.hits_new - 2

    page.goto("/kontroller/")
    again = page.locator(HIT_LINKS).evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert dismissed_url not in again and escalated_url not in again
    assert len(again) == first.hits_new - 2 - weak
    dismissed.refresh_from_db()
    escalated.refresh_from_db()
    assert (dismissed.status, escalated.status) == ("dismissed", "case")
    assert Hit.objects.count() == first.hits_new
