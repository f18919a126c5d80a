"""Workshops: alone first, then the spread and a consensus that becomes a valuation; minutes."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse

from tillit.risks import workshops
from tillit.risks.models import RiskArea, Workshop
from tillit.risks.services import RiskError


@pytest.fixture
def workshop(kommun_a):
    areas = RiskArea.objects.filter(municipality=kommun_a, code__in=["R10", "R14"])
    return workshops.workshop_create(
        municipality=kommun_a,
        title="Workshop socialtjänsten",
        held_on=date(2026, 11, 2),
        risk_areas=areas,
        participants=["Enhetschef", "Handläggare", "Controller"],
    )


def test_participants_score_alone_on_their_own_page(client, workshop):
    r10 = RiskArea.objects.get(municipality=workshop.municipality, code="R10")
    r14 = RiskArea.objects.get(municipality=workshop.municipality, code="R14")
    p1, p2, _p3 = workshop.participants.order_by("name")
    url = reverse("risk-workshop-score", args=[p1.token])
    page = client.get(url)  # no login
    assert page.status_code == 200 and "R10" in page.content.decode()
    # one area missing: refused whole, nothing saved
    response = client.post(url, {f"probability-{r10.pk}": "3", f"consequence-{r10.pk}": "4"})
    assert response.status_code == 400
    assert not p1.scores.exists()
    response = client.post(
        url,
        {
            f"probability-{r10.pk}": "3",
            f"consequence-{r10.pk}": "4",
            f"probability-{r14.pk}": "2",
            f"consequence-{r14.pk}": "2",
            f"unlawful_influence-{r14.pk}": "3",
            f"comment-{r14.pk}": "Bra rutiner",
        },
    )
    assert response.status_code == 302
    assert p1.scores.count() == 2
    workshops.scores_submit(
        participant=p2,
        scores={
            r10.pk: {"probability": 4, "consequence": 4},
            r14.pk: {"probability": 1, "consequence": 2},
        },
    )
    assert client.get(reverse("risk-workshop-score", args=["wrong-token"])).status_code == 404


def test_spread_then_consensus_becomes_a_valuation_and_minutes(client, personas, login, workshop):
    kommun = workshop.municipality
    r10 = RiskArea.objects.get(municipality=kommun, code="R10")
    r14 = RiskArea.objects.get(municipality=kommun, code="R14")
    p1, p2, _p3 = workshop.participants.order_by("name")
    workshops.scores_submit(
        participant=p1,
        scores={
            r10.pk: {"probability": 3, "consequence": 4},
            r14.pk: {"probability": 2, "consequence": 2},
        },
    )
    workshops.scores_submit(
        participant=p2,
        scores={
            r10.pk: {"probability": 4, "consequence": 4},
            r14.pk: {"probability": 1, "consequence": 2},
        },
    )
    login(client, personas["coordinator"])
    page = client.get(reverse("risk-workshop-detail", args=[workshop.pk])).content.decode()
    assert "Enhetschef" in page and "12–16" not in page  # the spread is hidden while scoring
    client.post(reverse("risk-workshop-status", args=[workshop.pk]), {"status": "consensus"})
    workshop.refresh_from_db()
    assert workshop.status == Workshop.Status.CONSENSUS
    with pytest.raises(RiskError):
        workshops.scores_submit(participant=p1, scores={})
    rows = {r["area"].code: r for r in workshops.spread(workshop)}
    assert (rows["R10"]["min"], rows["R10"]["max"], rows["R10"]["median"]) == (12, 16, 14)
    # consensus without motivation is refused
    response = client.post(
        reverse("risk-workshop-consensus", args=[workshop.pk, r10.pk]),
        {"probability": "4", "consequence": "4", "unlawful_influence": "3", "motivation": ""},
    )
    assert not r10.assessments.exists()
    response = client.post(
        reverse("risk-workshop-consensus", args=[workshop.pk, r10.pk]),
        {
            "probability": "4",
            "consequence": "4",
            "unlawful_influence": "3",
            "motivation": "Flera fall 2025",
            "proposed_measures": "Stickprov mot folkbokföringen",
        },
    )
    assert response.status_code == 302
    a = r10.assessments.get()
    assert (a.gross_score, a.unlawful_influence, a.assessed_on) == (16, 3, date(2026, 11, 2))
    assert "Flera fall 2025" in a.gross_motivation
    docx = client.get(reverse("risk-workshop-minutes", args=[workshop.pk, "docx"]))
    from docx import Document

    text = "\n".join(
        c.text for t in Document(io.BytesIO(docx.content)).tables for r in t.rows for c in r.cells
    )
    assert "Stickprov mot folkbokföringen" in text and "12–16" in text
    pdf = client.get(reverse("risk-workshop-minutes", args=[workshop.pk, "pdf"]))
    from pypdf import PdfReader

    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Flera fall 2025" in pdf_text


def test_workshop_needs_areas_and_participants(kommun_a):
    with pytest.raises(RiskError):
        workshops.workshop_create(
            municipality=kommun_a,
            title="Tom",
            held_on=date(2026, 1, 1),
            risk_areas=[],
            participants=["A"],
        )
    with pytest.raises(RiskError):
        workshops.workshop_create(
            municipality=kommun_a,
            title="Tom",
            held_on=date(2026, 1, 1),
            risk_areas=RiskArea.objects.filter(municipality=kommun_a)[:1],
            participants=[" "],
        )
    assert not Workshop.objects.exists()
