"""Issue 16: outcome documents a lawyer would sign, kommunicering, letters and editable templates."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from tillit.cases.documents import draft_police_report, draft_recovery_claim
from tillit.cases.models import CaseSubject, DiaryEntry, DocumentTemplate, Letter, State
from tillit.cases.services import (
    CaseError,
    case_open_from_hit,
    letter_reply,
    letter_send,
    letterhead_save,
    police_report_record,
    recovery_claim_decide,
    subject_update,
    template_save,
)

from .conftest import advance

ORGNR = "556123-4567"
SUPPLIER = "Ystads Färg & Tapet AB"


@pytest.fixture
def demo_case(make_hit, personas):
    """The demo's supplier case: a duplicate invoice of 143 950 kr from supplier 20012, opened from its hit."""
    alice, bob = personas["coordinator"], personas["investigator"]
    letterhead_save(
        user=alice,
        authority="Kommunstyrelsen i Kommun A",
        orgnr="212000-0001",
        address="Box 1, 123 45 Kommunstad",
        phone="0123-456 00",
        email="registrator@kommuna.se",
        decision_maker_title="ekonomichef",
    )
    hit = make_hit(
        alice.municipality,
        control_id="INV-DUP-EXACT",
        subject_type="supplier",
        subject_id="20012",
        amount=Decimal("143950.00"),
        board="Kommunstyrelsen",
    )
    hit.evidence = [
        {
            "dataset": "suppliers",
            "key": "20012",
            "values": {"supplier_id": "20012", "name": SUPPLIER, "orgnr": ORGNR},
        },
        {
            "dataset": "invoices",
            "key": "F-1",
            "values": {"invoice_id": "F-1", "supplier_id": "20012", "amount": "143950.00"},
        },
    ]
    hit.evidence_keys = ["invoices:F-1", "invoices:F-2", "suppliers:20012"]
    hit.save()
    case = case_open_from_hit(hit=hit, user=alice)
    from tillit.cases.services import case_assign

    case_assign(case=case, user=alice, members=[bob], lead=bob)
    return advance(case, alice, State.ASSESSMENT, State.INVESTIGATION)


def test_a_case_from_a_hit_knows_the_company_by_its_orgnr(demo_case):
    subject = demo_case.subjects.get()
    assert (subject.kind, subject.identifier, subject.name, subject.national_id, subject.role) == (
        "company",
        "20012",
        SUPPLIER,
        ORGNR,
        "concerned",
    )


def test_the_demo_case_police_report_names_the_parties_and_no_intent_assessment(
    demo_case, personas
):
    bob = personas["investigator"]
    report = police_report_record(
        case=demo_case,
        user=bob,
        offences=["bedrageri"],
        checklist={"deception": True},
        facts="Samma faktura betalades två gånger.",
    )
    text = draft_police_report(report, bob)
    # not yet assessed: the supplier is not named as suspected
    assert "Misstänkt\n– Okänd gärningsperson" in text
    assert f"Övriga berörda (inte misstänkta)\n– {SUPPLIER}, organisationsnummer {ORGNR}" in text
    assert "Målsägande\nKommunstyrelsen i Kommun A, organisationsnummer 212000-0001" in text
    assert (
        "20012" not in text.split("Händelseförlopp")[0]
    )  # the internal supplier number is not an identity
    assert "uppsåt" not in text  # the case has no intent assessment
    assert "&amp;" not in text and SUPPLIER in text
    assert f"Diarienummer: {demo_case.number}" in text
    assert "Bedrägeri (brottsbalken 9 kap. 1 §)" in text or "bedrägeri" in text.lower()
    assert "Underskrift: ____" in text and "Beslutsfattare" in text

    # the investigator finds the supplier suspected: it is then named as such
    subject_update(
        subject=demo_case.subjects.get(),
        user=bob,
        role=CaseSubject.Role.SUSPECT,
        national_id=ORGNR,
        name=SUPPLIER,
    )
    text = draft_police_report(report, bob)
    assert f"Misstänkt\n– {SUPPLIER}, organisationsnummer {ORGNR}" in text
    assert "Okänd gärningsperson" not in text


def test_the_demo_case_recovery_claim_is_civil_with_the_civil_route(demo_case, personas):
    bob = personas["investigator"]
    claim = recovery_claim_decide(
        case=demo_case,
        user=bob,
        amount=Decimal("143950.00"),
        legal_ground="contract",
        decision_date=date(2026, 11, 20),
        debtor=SUPPLIER,
        debtor_id=ORGNR,
        reasoning="Fakturan F-2 är en dubblett av F-1 och har betalats två gånger.",
    )
    text = draft_recovery_claim(claim, bob)
    assert "KRAV PÅ ÅTERBETALNING" in text and "BESLUT OM ÅTERKRAV" not in text
    assert f"Till: {SUPPLIER}, organisationsnummer {ORGNR}" in text
    assert "Borgenär: Kommunstyrelsen i Kommun A, organisationsnummer 212000-0001" in text
    assert "avtalet mellan kommunen och leverantören" in text
    assert "143 950,00 kr" in text.replace("\u00a0", " ")
    assert "förvaltningsrätten" in text and "kan inte överklagas till förvaltningsrätten" in text
    assert "tingsrätten" in text and "Kronofogdemyndigheten" in text
    assert "Hur man överklagar" not in text
    assert "&amp;" not in text
    assert "Box 1, 123 45 Kommunstad" in text and f"Diarienummer: {demo_case.number}" in text
    assert "ekonomichef" in text and "Underskrift: ____" in text


def _benefit_case(case_of, personas):
    alice, bob = personas["coordinator"], personas["investigator"]
    case = case_of(
        alice,
        members=[bob],
        subjects=[
            {
                "kind": "person",
                "identifier": "H-1",
                "name": "Tolvan Tolvansson",
                "national_id": "19121212-1212",
                "role": "suspect",
            }
        ],
    )
    return advance(case, alice, State.ASSESSMENT, State.INVESTIGATION)


def test_a_sol_decision_is_appealed_to_the_administrative_court_after_kommunicering(
    case_of, personas
):
    from tillit.cases.services import document_add

    bob = personas["investigator"]
    case = _benefit_case(case_of, personas)
    evidence = document_add(
        case=case, user=bob, title="Kontoutdrag", filename="k.txt", content=b"Lon 18 000 kr"
    )
    sent = timezone.localdate() - timedelta(days=20)
    letter = letter_send(
        case=case,
        user=bob,
        kind=Letter.Kind.COMMUNICATION,
        addressee="Tolvan Tolvansson",
        identifier="19121212-1212",
        body="Nämnden överväger att kräva tillbaka 48 750 kr.",
        material=[evidence.pk],
        sent_on=sent,
        reply_by=sent + timedelta(days=14),
        interpreter="arabiska",
    )
    diary = DiaryEntry.objects.get(case=case, kind=DiaryEntry.Kind.LETTER)
    assert "Kontoutdrag" in diary.text and (sent + timedelta(days=14)).isoformat() in diary.text
    assert "arabiska" in diary.text
    letter_text = case.documents.filter(
        filename__startswith="kommunicering", filename__endswith=".pdf"
    ).get()
    from tillit.cases.services import document_read

    pdf = " ".join(
        p.extract_text()
        for p in pypdf.PdfReader(io.BytesIO(document_read(document=letter_text))).pages
    )
    pdf = " ".join(pdf.split())
    assert "25 § förvaltningslagen" in pdf and "Kontoutdrag" in pdf and "tolk på arabiska" in pdf

    letter_reply(
        letter=letter,
        user=bob,
        received_on=sent + timedelta(days=5),
        reply="Jag hade ingen lön då.",
    )
    claim = recovery_claim_decide(
        case=case,
        user=bob,
        amount=Decimal("48750.00"),
        legal_ground="sol_9_1",
        decision_date=timezone.localdate(),
        debtor="Tolvan Tolvansson",
        reasoning="Inkomst från anställning redovisades inte.",
    )
    text = draft_recovery_claim(claim, bob)
    assert "BESLUT OM ÅTERKRAV" in text
    assert "Till: Tolvan Tolvansson, personnummer 19121212-1212" in text
    assert "9 kap. 1 § socialtjänstlagen" in text
    assert "Hur man överklagar\nBeslutet kan överklagas hos förvaltningsrätten" in text
    assert "Ditt svar kom in den" in text


def test_no_decision_while_the_person_may_still_reply(case_of, personas):
    bob = personas["investigator"]
    case = _benefit_case(case_of, personas)
    today = timezone.localdate()
    letter_send(
        case=case,
        user=bob,
        kind=Letter.Kind.COMMUNICATION,
        addressee="Tolvan Tolvansson",
        body="Underlag bifogas.",
        sent_on=today,
        reply_by=today + timedelta(days=14),
    )
    with pytest.raises(CaseError):
        recovery_claim_decide(
            case=case,
            user=bob,
            amount=Decimal("100"),
            legal_ground="sol_9_1",
            decision_date=today,
            debtor="Tolvan Tolvansson",
            reasoning="x",
        )
    assert not case.recovery_claims.exists()
    with pytest.raises(CaseError):  # kommunicering needs a reply date
        letter_send(
            case=case,
            user=bob,
            kind=Letter.Kind.COMMUNICATION,
            addressee="T",
            body="x",
            sent_on=today,
        )


def test_without_kommunicering_the_decision_says_so_for_the_investigator_to_fill_in(
    case_of, personas
):
    bob = personas["investigator"]
    case = _benefit_case(case_of, personas)
    claim = recovery_claim_decide(
        case=case,
        user=bob,
        amount=Decimal("100"),
        legal_ground="sol_9_2",
        decision_date=timezone.localdate(),
        debtor="Tolvan Tolvansson",
        reasoning="x",
    )
    assert "[Kommunicering enligt 25 § förvaltningslagen har inte skett." in draft_recovery_claim(
        claim, bob
    )


def test_a_summons_and_a_request_for_information_note_the_interpreter(
    case_of, personas, login, client
):
    bob = personas["investigator"]
    case = _benefit_case(case_of, personas)
    login(client, bob)
    response = client.post(
        reverse("cases-letter", args=[case.pk, "kallelse"]),
        {
            "addressee": "Tolvan Tolvansson",
            "identifier": "19121212-1212",
            "address": "Storgatan 1",
            "interpreter": "somaliska",
            "body": "Vi vill tala med dig om ditt ekonomiska bistånd.",
            "sent_on": timezone.localdate().isoformat(),
            "meeting_at": "2026-12-15T10:00",
            "meeting_place": "Stadshuset",
        },
    )
    assert response.status_code == 302
    letter = Letter.objects.get(case=case, kind="kallelse")
    assert letter.interpreter == "somaliska"
    response = client.post(
        reverse("cases-letter", args=[case.pk, "begaran"]),
        {
            "addressee": "Tolvan Tolvansson",
            "body": "Skicka kontoutdrag för mars.",
            "interpreter": "",
            "sent_on": timezone.localdate().isoformat(),
            "reply_by": "",
        },
    )
    assert response.status_code == 302
    assert Letter.objects.filter(case=case).count() == 2
    assert case.diary.filter(kind="letter").count() == 2
    page = client.get(reverse("cases-detail", args=[case.pk])).content.decode()
    assert "somaliska" in page


def test_templates_are_edited_per_municipality_and_versioned(demo_case, personas, login, client):
    alice, bob = personas["coordinator"], personas["investigator"]
    report = police_report_record(
        case=demo_case,
        user=bob,
        offences=["bedrageri"],
        checklist={"deception": True},
        facts="Fakta.",
    )
    template_save(
        user=alice,
        kind="police",
        text="POLISANMÄLAN\n\nVår egen mall för {{ case.number }}.",
        note="kortare",
    )
    assert draft_police_report(report, bob).startswith(
        f"POLISANMÄLAN\n\nVår egen mall för {demo_case.number}."
    )
    template_save(user=alice, kind="police", text="POLISANMÄLAN\n\nVersion två {{ case.number }}.")
    assert list(
        DocumentTemplate.objects.filter(kind="police").values_list("version", flat=True)
    ) == [2, 1]
    assert "Version två" in draft_police_report(report, bob)
    with pytest.raises(CaseError):
        template_save(user=alice, kind="police", text="{% if %}")
    assert DocumentTemplate.objects.filter(kind="police").count() == 2
    login(client, alice)
    response = client.post(
        reverse("cases-templates"),
        {"template": "1", "kind": "recovery", "text": "BESLUT\n{{ claim.amount }}", "note": "test"},
    )
    assert response.status_code == 302
    assert DocumentTemplate.objects.filter(kind="recovery", version=1).exists()
    assert client.get(reverse("cases-templates") + "?mall=police").status_code == 200
    login(client, bob)
    assert client.get(reverse("cases-templates")).status_code == 403
