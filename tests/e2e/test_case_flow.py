"""Issue 6, done when: a hit from the queue becomes a case; a contact, evidence and an intent
assessment are recorded; a recovery claim and a police report are decided, both documents are
generated and registered, and the statistics change."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login_through_form


def _figure(page, heading: str) -> str:
    return page.locator(f"section.card:has(h3:text-is('{heading}')) .figure").inner_text().strip()


def _claims_decided(page) -> str:
    return page.locator(
        "section.card:has(h3:text-is('Återkrav')) tr:has(th:text-is('Beslutade')) td"
    ).inner_text()


@pytest.mark.e2e
def test_from_hit_to_recovery_claim_and_police_report(
    page, transactional_db, kommun_a, tmp_path, settings
):
    from tillit.accounts.services import user_create
    from tillit.cases.models import (
        Case,
        CaseDocument,
        DiaryEntry,
        IntentAssessment,
        PoliceReport,
        RecoveryClaim,
    )
    from tillit.controls.models import Hit, Run

    settings.CASE_FILES_DIR = tmp_path / "case-files"
    alice = user_create(
        municipality=kommun_a,
        username="alice",
        password=PASSWORD,
        role="coordinator",
        first_name="Alice",
        last_name="Testsson",
    )
    bob = user_create(
        municipality=kommun_a,
        username="bob",
        password=PASSWORD,
        role="investigator",
        first_name="Bob",
        last_name="Utredare",
    )
    run = Run.objects.create(municipality=kommun_a, status=Run.Status.DONE)
    hit = Hit.objects.create(
        municipality=kommun_a,
        control_id="BEN-DECEASED",
        control_version=1,
        fingerprint="fp-e2e",
        first_run=run,
        last_run=run,
        engine="duckdb",
        sql="SELECT 1",
        subject_type="household",
        subject_id="H-00042",
        board="Socialnämnden",
        risk_areas=["Ekonomiskt bistånd (försörjningsstöd)"],
        amount_at_risk=Decimal("16000.00"),
        severity=Hit.Severity.HIGH,
        score=Decimal("48000.00"),
        explanation_template="The applicant died on %(status_date)s, and economic assistance was paid for "
        "%(first_period)s to %(last_period)s (number of payments: %(months)s).",
        explanation_params={
            "status_date": "2025-04-17",
            "first_period": "2025-05",
            "last_period": "2025-06",
            "months": 2,
        },
        evidence=[],
        evidence_keys=["benefit_payments:EB1", "benefit_payments:EB2"],
    )

    page.set_default_timeout(30_000)  # a long flow on a busy machine
    login_through_form(page, alice, PASSWORD)
    page.goto("/arenden/statistik/")
    police_before, claims_before = _figure(page, "Polisanmälningar"), _claims_decided(page)
    assert (police_before, claims_before) == ("0", "0")

    # the hit from the queue into a case
    page.goto(f"/kontroller/traffar/{hit.pk}/")
    page.locator("form[action$='/case/'] button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("main a[href^='/arenden/']").first.click()
    page.wait_for_url("**/arenden/*/")
    case_url = page.url
    case_pk = int(case_url.rstrip("/").split("/")[-1])

    # the coordinator assigns an investigator, then received → under assessment → investigation
    open_all = "document.querySelectorAll('details').forEach(d => d.open = true)"
    page.evaluate(open_all)
    team = page.locator(f"form[action='/arenden/{case_pk}/team/']")
    team.locator(f"input[name=members][value='{bob.pk}']").check()
    team.locator("select[name=lead]").select_option(str(bob.pk))
    team.locator("button[type=submit]").click()
    page.wait_for_load_state()
    for state in ("under bedömning", "utredning"):
        page.locator("form[action$='/status/'] button.primary", has_text=state).click()
        page.wait_for_load_state()

    # a contact: the person's own account
    assert Case.objects.get(pk=case_pk).state == "investigation"
    page.evaluate(open_all)
    diary = page.locator(f"form[action='/arenden/{case_pk}/dagbok/']")
    diary.locator("select[name=kind]").select_option("own_account")
    diary.locator("input[name=contact]").fill("Sökandens dotter, per telefon")
    diary.locator("textarea[name=text]").fill(
        "Dottern uppger att kontot inte avslutades efter dödsfallet."
    )
    diary.locator("button[type=submit]").click()
    page.wait_for_load_state()

    # evidence
    page.evaluate(open_all)
    upload = page.locator(f"form[action='/arenden/{case_pk}/handlingar/']")
    upload.locator("input[name=title]").fill("Kontoutdrag maj–juni")
    upload.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "kontoutdrag.txt",
                "mimeType": "text/plain",
                "buffer": "Insättning 8 000 kr".encode(),
            }
        ]
    )
    upload.locator("button[type=submit]").click()
    page.wait_for_load_state()

    # the lay assessment of intent
    page.evaluate(open_all)
    intent = page.locator(f"form[action='/arenden/{case_pk}/uppsat/']")
    intent.locator("select[name=level]").select_option("likely")
    intent.locator("textarea[name=reasoning]").fill(
        "Uttagen gjordes efter dödsfallet av någon med kortet."
    )
    intent.locator("button[type=submit]").click()
    page.wait_for_load_state()

    # the recovery claim, its document edited and registered
    page.goto(f"/arenden/{case_pk}/utfall/recovery/")
    page.locator("input[name=amount]").fill("16000")
    page.locator("select[name=legal_ground]").select_option(index=0)
    page.locator("input[name=debtor]").fill("Dödsboet efter sökanden")
    page.locator("textarea[name=reasoning]").fill(
        "Bistånd har betalats för maj och juni efter dödsfallet."
    )
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/dokument/recovery/*/")
    text = page.locator("textarea[name=text]")
    assert "16 000" in text.input_value().replace("\u00a0", " ")
    text.fill(text.input_value() + "\n\nHandläggarens tillägg: dödsboet har underrättats.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(case_url)

    # the police report with the checklist's grounds, its document registered
    page.goto(f"/arenden/{case_pk}/utfall/police/")
    page.locator("input[name=offences][value=bidragsbrott]").check()
    page.locator("textarea[name=facts]").fill(
        "Bistånd för maj och juni 2025 har tagits ut efter sökandens död."
    )
    for key in ("incorrect_information", "risk_of_wrong_payment", "benefit_in_scope"):
        page.locator(f"input[name=check_{key}]").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/dokument/police/*/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(case_url)

    claim = RecoveryClaim.objects.get(case_id=case_pk)
    assert claim.amount == Decimal("16000.00")
    assert PoliceReport.objects.get(case_id=case_pk).offences == ["bidragsbrott"]
    assert DiaryEntry.objects.filter(case_id=case_pk, kind="own_account").exists()
    assert IntentAssessment.objects.get(case_id=case_pk).level == "likely"
    documents = CaseDocument.objects.filter(case_id=case_pk)
    assert documents.filter(kind="evidence").count() == 1
    assert documents.filter(kind="generated").count() == 4  # two documents, each as Word and PDF
    assert all(len(d.sha256) == 64 for d in documents)

    page.goto("/arenden/statistik/")
    assert (_figure(page, "Polisanmälningar"), _claims_decided(page)) != (
        police_before,
        claims_before,
    )
