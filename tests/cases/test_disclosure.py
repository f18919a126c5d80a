"""Issue 16: release of public documents with masking burned in, the secrecy review and the appeal route."""

from __future__ import annotations

import io
from datetime import date

import docx
import pypdf
import pytest
from django.urls import reverse

from tillit.cases.disclosure import masked_spans, released_pdf
from tillit.cases.models import CaseDocument, DisclosureRequest
from tillit.cases.services import (
    CaseError,
    disclosure_decide,
    disclosure_register,
    document_add,
    document_read,
    masking_add,
)

MEMO = (
    "Utredning av ekonomiskt bistånd\n\n"
    "Sökanden Tolvan Tolvansson har skyddad identitet och bor på Hemliga gatan 5 i Kommunstad.\n"
    "Enligt läkarintyget har sökanden diagnosen\nkronisk ryggsmärta och kan inte arbeta.\n"
    "Utbetalningar: 12 000 kr i mars och 12 000 kr i april.\n"
)


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(page.extract_text() for page in reader.pages)


def test_the_spans_follow_line_breaks_in_the_original():
    spans = masked_spans(MEMO, ["diagnosen kronisk ryggsmärta", "Hemliga gatan 5"])
    assert [MEMO[s:e] for s, e, _i in spans] == ["Hemliga gatan 5", "diagnosen\nkronisk ryggsmärta"]


def test_the_released_pdf_holds_none_of_the_masked_words():
    content = released_pdf(
        title="Utlämnad kopia",
        header="Utlämnad kopia – diarienummer 2026-0001",
        text=MEMO,
        maskings=[
            ("Hemliga gatan 5", "21 kap. 3 § OSL"),
            ("skyddad identitet", "21 kap. 3 § OSL"),
            ("diagnosen kronisk ryggsmärta", "26 kap. 1 § OSL"),
        ],
    )
    text = _pdf_text(content)
    for secret in (
        "Hemliga",
        "gatan 5",
        "skyddad",
        "identitet",
        "diagnosen",
        "kronisk",
        "ryggsmärta",
    ):
        assert secret not in text
    for kept in ("Tolvan Tolvansson", "Kommunstad", "12 000 kr i mars", "kan inte arbeta"):
        assert kept in text
    assert "21 kap. 3 § OSL" in text and "26 kap. 1 § OSL" in text  # the grounds in the margin
    assert (
        b"Hemliga" not in content and b"ryggsm" not in content
    )  # nowhere in the file, not even compressed away


@pytest.fixture
def memo_case(case_of, personas):
    alice, bob = personas["coordinator"], personas["investigator"]
    case = case_of(alice, members=[bob])
    document = document_add(
        case=case,
        user=bob,
        title="Utredningsanteckning",
        filename="anteckning.txt",
        content=MEMO.encode(),
        content_type="text/plain",
    )
    return case, document


def test_a_request_is_reviewed_masked_and_decided_with_the_appeal_route(memo_case, personas):
    bob = personas["investigator"]
    case, document = memo_case
    request = disclosure_register(
        case=case,
        user=bob,
        document=document,
        received_on=date(2026, 11, 2),
        requester="Journalisten Janne",
    )
    with pytest.raises(CaseError):  # a passage that is not in the document masks nothing
        masking_add(request=request, user=bob, passage="Storgatan 9", provision="21 kap. 3 § OSL")
    with pytest.raises(CaseError):  # every masked passage needs its provision
        masking_add(request=request, user=bob, passage="Hemliga gatan 5", provision="")
    masking_add(request=request, user=bob, passage="Hemliga gatan 5", provision="21 kap. 3 § OSL")
    masking_add(
        request=request,
        user=bob,
        passage="diagnosen kronisk ryggsmärta",
        provision="26 kap. 1 § OSL",
    )
    with pytest.raises(CaseError):  # masked passages: not a release in full
        disclosure_decide(
            request=request, user=bob, decision="released", decided_on=date(2026, 11, 3)
        )
    request = disclosure_decide(
        request=request,
        user=bob,
        decision="partly",
        decided_on=date(2026, 11, 3),
        reasoning="Uppgifter om hälsa och adress omfattas av sekretess.",
    )
    assert request.decision == DisclosureRequest.Decision.PARTLY
    copy = request.released_copy
    assert copy.kind == CaseDocument.Kind.RELEASED and copy.content_type == "application/pdf"
    text = _pdf_text(document_read(document=copy))
    for secret in ("Hemliga", "ryggsmärta", "diagnosen"):
        assert secret not in text
    assert "Tolvan Tolvansson" in text and "26 kap. 1 § OSL" in text
    decision = " ".join(_pdf_text(document_read(document=request.decision_document)).split())
    assert "BESLUT OM UTLÄMNANDE AV ALLMÄN HANDLING" in decision
    assert "kammarrätten" in decision and "Journalisten Janne" in decision
    assert "21 kap. 3 § OSL" in decision and "26 kap. 1 § OSL" in decision
    assert "Hemliga" not in decision  # the decision names the provisions, not the secret text
    assert case.events.filter(action="secrecy review").count() == 2
    with pytest.raises(CaseError):
        disclosure_decide(
            request=request, user=bob, decision="refused", decided_on=date(2026, 11, 4)
        )


def test_a_release_in_full_has_no_appeal_route_and_a_word_document_can_be_masked(case_of, personas):
    bob = personas["investigator"]
    case = case_of(personas["coordinator"], members=[bob])
    word = docx.Document()
    word.add_paragraph("Leverantören Ystads Färg & Tapet AB har konto 1234-5678 hos banken.")
    buffer = io.BytesIO()
    word.save(buffer)
    document = document_add(
        case=case, user=bob, title="Kontouppgift", filename="konto.docx", content=buffer.getvalue()
    )
    full = disclosure_decide(
        request=disclosure_register(
            case=case, user=bob, document=document, received_on=date(2026, 11, 2)
        ),
        user=bob,
        decision="released",
        decided_on=date(2026, 11, 2),
    )
    assert "kammarrätten" not in _pdf_text(document_read(document=full.decision_document))
    assert "Ystads Färg & Tapet AB" in _pdf_text(document_read(document=full.released_copy))
    request = disclosure_register(
        case=case, user=bob, document=document, received_on=date(2026, 11, 5)
    )
    masking_add(request=request, user=bob, passage="1234-5678", provision="31 kap. 16 § OSL")
    request = disclosure_decide(
        request=request, user=bob, decision="partly", decided_on=date(2026, 11, 6)
    )
    assert "1234-5678" not in _pdf_text(document_read(document=request.released_copy))


def test_the_case_page_takes_a_request_through(memo_case, personas, login, client):
    bob = personas["investigator"]
    case, document = memo_case
    login(client, bob)
    assert (
        client.post(
            reverse("cases-disclosure", args=[case.pk]),
            {"document": document.pk, "requester": "", "received_on": "2026-11-02"},
        ).status_code
        == 302
    )
    request = DisclosureRequest.objects.get(case=case)
    client.post(
        reverse("cases-disclosure-mask", args=[case.pk, request.pk]),
        {"passage": "skyddad identitet", "provision": "21 kap. 3 § OSL"},
    )
    response = client.post(
        reverse("cases-disclosure-decide", args=[case.pk, request.pk]),
        {"decision": "partly", "decided_on": "2026-11-03", "reasoning": ""},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.decision == "partly"
    page = client.get(reverse("cases-detail", args=[case.pk])).content.decode()
    assert reverse("cases-document", args=[case.pk, request.released_copy_id]) in page
