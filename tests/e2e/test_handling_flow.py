"""Issue 16, done when: a hit is taken through kommunicering, a recovery claim and a police report, and a
masked copy of one of the case's documents is released with the masked text gone from the PDF."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pypdf
import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login_through_form

MEMO = (
    "Anteckning om hushållet\n"
    "Sökanden bor med skyddad identitet på Hemliga gatan 5 i Kommunstad.\n"
    "Bistånd betalades för maj och juni 2025 efter dödsfallet.\n"
)


@pytest.mark.e2e
def test_a_hit_through_kommunicering_claim_police_report_and_a_masked_release(  # noqa: PLR0915 - one long flow
    page, transactional_db, kommun_a, tmp_path, settings
):
    from django.utils import timezone

    from tillit.accounts.services import user_create
    from tillit.cases.models import (
        DiaryEntry,
        DisclosureRequest,
        Letter,
        PoliceReport,
        RecoveryClaim,
    )
    from tillit.cases.services import document_read
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
        fingerprint="fp-e2e-16",
        first_run=run,
        last_run=run,
        engine="duckdb",
        sql="SELECT 1",
        subject_type="household",
        subject_id="H-00077",
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
        evidence_keys=["benefit_payments:EB7", "benefit_payments:EB8"],
    )
    today = timezone.localdate()
    open_all = "document.querySelectorAll('details').forEach(d => d.open = true)"

    page.set_default_timeout(30_000)
    login_through_form(page, alice, PASSWORD)
    page.goto(f"/kontroller/traffar/{hit.pk}/")
    page.locator("form[action$='/case/'] button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("main a[href^='/arenden/']").first.click()
    page.wait_for_url("**/arenden/*/")
    case_url = page.url
    case_pk = int(case_url.rstrip("/").split("/")[-1])
    page.evaluate(open_all)
    team = page.locator(f"form[action='/arenden/{case_pk}/team/']")
    team.locator(f"input[name=members][value='{bob.pk}']").check()
    team.locator("select[name=lead]").select_option(str(bob.pk))
    team.locator("button[type=submit]").click()
    page.wait_for_load_state()
    for state in ("under bedömning", "utredning"):
        page.locator("form[action$='/status/'] button.primary", has_text=state).click()
        page.wait_for_load_state()

    # the investigator: who the household is, and the evidence
    page.context.clear_cookies()
    login_through_form(page, bob, PASSWORD)
    page.goto(case_url)
    page.evaluate(open_all)
    subject = page.locator(f"form[action^='/arenden/{case_pk}/berorda/']").first
    subject.locator("input[name=name]").fill("Tolvan Tolvansson")
    subject.locator("input[name=national_id]").fill("19121212-1212")
    subject.locator("select[name=role]").select_option("suspect")
    subject.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.evaluate(open_all)
    upload = page.locator(f"form[action='/arenden/{case_pk}/handlingar/']")
    upload.locator("input[name=title]").fill("Anteckning om hushållet")
    upload.locator("input[type=file]").set_input_files(
        files=[{"name": "anteckning.txt", "mimeType": "text/plain", "buffer": MEMO.encode()}]
    )
    upload.locator("button[type=submit]").click()
    page.wait_for_load_state()

    # kommunicering (FL 25 §): the material and a reply date, with an interpreter
    page.goto(f"/arenden/{case_pk}/brev/kommunicering/")
    assert page.locator("input[name=addressee]").input_value() == "Tolvan Tolvansson"
    page.locator("textarea[name=body]").fill(
        "Nämnden överväger att kräva tillbaka 16 000 kr för maj och juni 2025."
    )
    page.locator("input[name=material]").first.check()
    page.locator("input[name=interpreter]").fill("arabiska")
    page.locator("input[name=sent_on]").fill((today - timedelta(days=20)).isoformat())
    page.locator("input[name=reply_by]").fill((today - timedelta(days=6)).isoformat())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(case_url)
    letter = Letter.objects.get(case_id=case_pk, kind="kommunicering")
    assert letter.interpreter == "arabiska" and len(letter.material) == 1
    assert DiaryEntry.objects.filter(case_id=case_pk, kind="letter").exists()
    page.evaluate(open_all)
    reply = page.locator(f"form[action='/arenden/{case_pk}/brev-svar/{letter.pk}/']")
    reply.locator("input[name=received_on]").fill((today - timedelta(days=10)).isoformat())
    reply.locator("textarea[name=reply]").fill("Jag visste inte att pengarna fortsatte komma.")
    reply.locator("button[type=submit]").click()
    page.wait_for_load_state()

    # the recovery decision: the person by personnummer, SoL, förvaltningsrätten, the kommunicering
    page.goto(f"/arenden/{case_pk}/utfall/recovery/")
    assert page.locator("input[name=debtor_id]").input_value() == "19121212-1212"
    page.locator("input[name=amount]").fill("16000")
    page.locator("select[name=legal_ground]").select_option("sol_9_1")
    page.locator("textarea[name=reasoning]").fill(
        "Bistånd har betalats för maj och juni efter dödsfallet."
    )
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/dokument/recovery/*/")
    text = page.locator("textarea[name=text]").input_value()
    assert "Tolvan Tolvansson, personnummer 19121212-1212" in text
    assert "9 kap. 1 § socialtjänstlagen" in text and "förvaltningsrätten" in text
    assert "Ditt svar kom in den" in text and "Underskrift" in text and "&amp;" not in text
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(case_url)

    # the police report, registered as sent
    page.goto(f"/arenden/{case_pk}/utfall/police/")
    page.locator("input[name=offences][value=bidragsbrott]").check()
    page.locator("textarea[name=facts]").fill(
        "Bistånd för maj och juni 2025 har tagits ut efter sökandens död."
    )
    for key in ("incorrect_information", "risk_of_wrong_payment", "benefit_in_scope"):
        page.locator(f"input[name=check_{key}]").check()
    page.locator("input[name=reported_on]").fill(today.isoformat())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/dokument/police/*/")
    police_text = page.locator("textarea[name=text]").input_value()
    assert "Misstänkt\n– Tolvan Tolvansson, personnummer 19121212-1212" in police_text
    assert "Målsägande" in police_text
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(case_url)

    # a request for the memo: one passage masked under OSL, released as a PDF with the text gone
    page.evaluate(open_all)
    request_form = page.locator(f"form[action='/arenden/{case_pk}/utlamnande/']")
    request_form.locator("select[name=document]").select_option(label="Anteckning om hushållet")
    request_form.locator("input[name=requester]").fill("Lokaltidningen")
    request_form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    request = DisclosureRequest.objects.get(case_id=case_pk)
    page.evaluate(open_all)
    mask = page.locator(f"form[action='/arenden/{case_pk}/utlamnande/{request.pk}/maskering/']")
    mask.locator("textarea[name=passage]").fill("skyddad identitet på Hemliga gatan 5")
    mask.locator("input[name=provision]").fill("21 kap. 3 § OSL")
    mask.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.evaluate(open_all)
    decide = page.locator(f"form[action='/arenden/{case_pk}/utlamnande/{request.pk}/beslut/']")
    decide.locator("select[name=decision]").select_option("partly")
    decide.locator("textarea[name=reasoning]").fill(
        "Uppgiften om bostadsort omfattas av sekretess."
    )
    decide.locator("button[type=submit]").click()
    page.wait_for_load_state()
    request.refresh_from_db()
    assert request.decision == "partly"
    link = page.locator(f"a[href='/arenden/{case_pk}/handlingar/{request.released_copy_id}/']")
    assert link.count() >= 1  # in the documents and beside the request
    response = page.request.get(f"/arenden/{case_pk}/handlingar/{request.released_copy_id}/")
    assert response.status == 200
    released = " ".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.body())).pages
    )
    for secret in ("skyddad", "identitet", "Hemliga", "gatan 5"):
        assert secret not in released
    assert "Kommunstad" in released and "21 kap. 3 § OSL" in released
    decision = " ".join(
        " ".join(p.extract_text().split())
        for p in pypdf.PdfReader(
            io.BytesIO(document_read(document=request.decision_document))
        ).pages
    )
    assert "kammarrätten" in decision

    assert RecoveryClaim.objects.get(case_id=case_pk).legal_ground == "sol_9_1"
    report = PoliceReport.objects.get(case_id=case_pk)
    assert report.reported_on == today
