"""Outcome documents: the investigator's edited text becomes a Word file and a PDF that say the same."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from decimal import Decimal

import docx
import pypdf

from tillit.cases.documents import (
    draft_police_report,
    draft_recovery_claim,
    layout,
    to_docx,
    to_pdf,
)
from tillit.cases.models import State
from tillit.cases.services import (
    document_read,
    document_register_generated,
    police_report_record,
    recovery_claim_decide,
)
from tillit.lib.formats import format_amount

from .conftest import advance


def _pdf_text(content: bytes) -> str:
    """The text of every page, with line breaks of the layout read as spaces."""
    return " ".join(
        " ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(content)).pages
    )


def _docx_paragraphs(content: bytes) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in docx.Document(io.BytesIO(content)).paragraphs]


def test_the_layout_finds_title_headings_and_list_items():
    text = "POLISANMÄLAN\n\nDatum: 2026-11-22\n\nAnmälan avser misstänkt\n– Bidragsbrott\n– Bedrägeri\n\nBilagor\nInga."
    assert [(b.kind, b.text) for b in layout("Polisanmälan K-1", text)] == [
        ("title", "POLISANMÄLAN"),
        ("text", "Datum: 2026-11-22"),
        ("heading", "Anmälan avser misstänkt"),
        ("bullet", "Bidragsbrott"),
        ("bullet", "Bedrägeri"),
        ("heading", "Bilagor"),
        ("text", "Inga."),
    ]
    # an investigator who removed the title line still gets a titled document
    assert layout("Polisanmälan K-1", "Datum: 2026-11-22")[0].text == "Polisanmälan K-1"


def test_word_and_pdf_hold_the_edited_text_with_swedish_characters():
    text = (
        "BESLUT OM ÅTERKRAV\n\nTill: Åsa Öberg\n\nBeslut\nKommunen kräver tillbaka 12 345,50 kr "
        '(9 kap. 1 § socialtjänstlagen) – <se bilaga> & "kopia".\n'
    )
    word = _docx_paragraphs(to_docx("Beslut om återkrav K-2026-0001", text))
    assert word == [
        ("Title", "BESLUT OM ÅTERKRAV"),
        ("Normal", "Till: Åsa Öberg"),
        ("Heading 2", "Beslut"),
        (
            "Normal",
            "Kommunen kräver tillbaka 12 345,50 kr (9 kap. 1 § socialtjänstlagen) – "
            '<se bilaga> & "kopia".',
        ),
    ]
    document = docx.Document(io.BytesIO(to_docx("Beslut om återkrav K-2026-0001", text)))
    assert document.core_properties.title == "Beslut om återkrav K-2026-0001"
    assert document.core_properties.language == "sv-SE"

    pdf = to_pdf("Beslut om återkrav K-2026-0001", text)
    assert pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == "Beslut om återkrav K-2026-0001"
    extracted = _pdf_text(pdf)
    for expected in (
        "BESLUT OM ÅTERKRAV",
        "Till: Åsa Öberg",
        "12 345,50 kr",
        "9 kap. 1 § socialtjänstlagen",
        '<se bilaga> & "kopia"',
        "Upprättad i Tillit",
    ):
        assert expected in extracted


def test_a_long_document_runs_over_several_pdf_pages():
    text = "POLISANMÄLAN\n\nHändelseförlopp och fakta\n" + "\n".join(
        f"Utbetalning {n}: 4 500,00 kr den 2026-0{1 + n % 9}-15 till konto 1234-5678."
        for n in range(120)
    )
    pdf = to_pdf("Polisanmälan", text)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3
    assert "Utbetalning 119:" in reader.pages[-1].extract_text()


def test_the_registered_documents_are_the_edited_draft_as_word_and_pdf(personas, case_of):
    alice, bob = personas["coordinator"], personas["investigator"]
    case = advance(case_of(alice, members=[bob]), bob, State.ASSESSMENT, State.INVESTIGATION)
    claim = recovery_claim_decide(
        case=case,
        user=bob,
        amount=Decimal("48750.00"),
        legal_ground="sol_9_1",
        decision_date=date(2026, 11, 20),
        debtor="Tolvan Tolvansson",
        reasoning="Hushållet uppgav inte inkomster från anställning.",
    )
    draft = draft_recovery_claim(claim, bob)
    assert (
        format_amount(Decimal("48750")) in draft
        and "9 kap. 1 § socialtjänstlagen" in draft
        and "2026-11-20" in draft
    )
    edited = draft.replace(
        "Skäl för beslutet\n", "Skäl för beslutet\nTillagt av handläggaren efter kommunicering.\n"
    )

    documents = document_register_generated(
        case=case,
        user=bob,
        title=f"Beslut om återkrav {case.number}",
        text=edited,
        stem=f"beslut-om-aterkrav-{case.number}",
    )
    by_type = {d.filename.rsplit(".", 1)[1]: d for d in documents}
    assert set(by_type) == {"docx", "pdf"}
    assert by_type["pdf"].content_type == "application/pdf"
    for document in documents:
        content = document_read(document=document)
        assert hashlib.sha256(content).hexdigest() == document.sha256
    # line breaks and no-break spaces read as plain spaces in both
    word_text = " ".join(
        " ".join(text.split())
        for _, text in _docx_paragraphs(document_read(document=by_type["docx"]))
    )
    pdf_text = _pdf_text(document_read(document=by_type["pdf"]))
    for expected in (
        "BESLUT OM ÅTERKRAV",
        "48 750,00 kr",
        "Tillagt av handläggaren efter kommunicering.",
        "Hur man överklagar",
    ):
        assert expected in word_text
        assert expected in pdf_text


def test_the_police_report_lists_its_attachments_with_checksums(personas, case_of):
    from tillit.cases.services import document_add

    alice, bob = personas["coordinator"], personas["investigator"]
    case = advance(case_of(alice, members=[bob]), bob, State.ASSESSMENT, State.INVESTIGATION)
    evidence = document_add(
        case=case,
        user=bob,
        title="Kontoutdrag",
        filename="kontoutdrag.pdf",
        content=b"%PDF-1.4 evidence",
        content_type="application/pdf",
    )
    report = police_report_record(
        case=case,
        user=bob,
        reported_on=date(2026, 11, 21),
        offences=["bidragsbrott"],
        checklist={
            "incorrect_information": True,
            "risk_of_wrong_payment": True,
            "benefit_in_scope": True,
        },
        facts="Uppgifter om inkomst saknades under 2026.",
        attachments=[evidence.pk],
    )
    text = draft_police_report(report, bob)
    pdf_text = _pdf_text(to_pdf("Polisanmälan", text))
    assert "Kontoutdrag (kontoutdrag.pdf" in pdf_text
    assert evidence.sha256 in pdf_text.replace(" ", "")
