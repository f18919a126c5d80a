"""Operative analyses compiled into one mapping; the boards' internal control plan as Word and Excel."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse

from tillit.risks import controlplan, operative
from tillit.risks.models import RiskArea
from tillit.risks.services import RiskError


def test_answers_per_department_compile_into_a_traceable_mapping(kommun_a):
    analysis = operative.analysis_create(
        municipality=kommun_a, name="Verksamhetsanalys 2026", year=2026
    )
    assert [q["key"] for q in analysis.questions][:2] == ["past_abuse", "decisions"]
    r10, r21 = (RiskArea.objects.get(municipality=kommun_a, code=c) for c in ("R10", "R21"))
    a1 = operative.answer_save(
        analysis=analysis,
        department="Socialförvaltningen",
        operation="Försörjningsstöd",
        answers={"past_abuse": "Falska hyreskontrakt 2024", "nonsense": "x"},
        risk_areas=[r10],
        answered_on=date(2026, 3, 1),
    )
    a2 = operative.answer_save(
        analysis=analysis,
        department="Vård och omsorg",
        operation="Hemtjänst LOV",
        answers={"decisions": "Beviljade timmar"},
        risk_areas=[r10, r21],
        answered_on=date(2026, 3, 2),
    )
    assert a1.answers == {"past_abuse": "Falska hyreskontrakt 2024"}
    mapping = operative.mapping(analysis)
    assert [m["area"].code for m in mapping] == ["R10", "R21"]
    assert {s["answer_id"] for s in mapping[0]["sources"]} == {a1.pk, a2.pk}
    with pytest.raises(RiskError):
        operative.answer_save(
            analysis=analysis, department="", operation="X", answers={}, answered_on=date.today()
        )


def test_operative_page(client, personas, login):
    user = personas["coordinator"]
    login(client, user)
    response = client.post(
        reverse("risk-operative-list"), {"name": "Analys 2026", "year": "2026", "questions": ""}
    )
    assert response.status_code == 302
    analysis = user.municipality.operativeanalysis_set.get()
    r10 = RiskArea.objects.get(municipality=user.municipality, code="R10")
    response = client.post(
        reverse("risk-operative-detail", args=[analysis.pk]),
        {
            "department": "Socialförvaltningen",
            "operation": "Försörjningsstöd",
            "answer-past_abuse": "Ja",
            "risk_areas": [str(r10.pk)],
            "answered_on": "2026-03-01",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("risk-operative-detail", args=[analysis.pk])).content.decode()
    assert "Socialförvaltningen: Försörjningsstöd" in page


def test_internal_control_plan_exports(client, personas, login):
    user = personas["coordinator"]
    board = user.municipality.board_set.get(name="Socialnämnden")
    r10 = RiskArea.objects.get(municipality=user.municipality, code="R10")
    with pytest.raises(RiskError):
        controlplan.item_add(
            board=board,
            year=2026,
            risk_area=r10,
            activity="",
            method="m",
            frequency="f",
            responsible="r",
        )
    with pytest.raises(RiskError):
        controlplan.item_add(
            board=board,
            year=2026,
            risk_area=r10,
            activity="a",
            method="m",
            frequency="f",
            responsible="r",
            control_id="NO-SUCH-CONTROL",
        )
    from tillit.analytics.registry import all_controls

    control = next(
        c
        for c in all_controls()
        if "Ekonomiskt bistånd (försörjningsstöd)" in c.risk_areas or c.risk_areas
    )
    controlplan.item_add(
        board=board,
        year=2026,
        risk_area=r10,
        activity="Stickprov mot folkbokföringen",
        method="Stickprov 25 ärenden",
        frequency="Halvår",
        responsible="Enhetschef",
        control_id=control.id,
    )
    login(client, user)
    xlsx = client.get(reverse("risk-ic-plan-export", args=[board.pk, 2026, "xlsx"]))
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx.content)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "Stickprov mot folkbokföringen" in values and control.id in values
    docx = client.get(reverse("risk-ic-plan-export", args=[board.pk, 2026, "docx"]))
    from docx import Document

    cells = [
        c.text for t in Document(io.BytesIO(docx.content)).tables for r in t.rows for c in r.cells
    ]
    assert "Halvår" in cells and any("R10" in c for c in cells)
    assert client.get(
        reverse("risk-ic-plan-export", args=[board.pk, 2026, "pdf"])
    ).content.startswith(b"%PDF")
    page = client.get(reverse("risk-ic-plan") + f"?board={board.pk}&year=2026").content.decode()
    assert "Stickprov 25 ärenden" in page


def test_the_plan_shows_tillits_controls_with_their_latest_results(client, personas, login):
    from decimal import Decimal

    from django.utils import timezone

    from tillit.analytics.registry import all_controls
    from tillit.controls.models import Hit, Run

    user = personas["coordinator"]
    m = user.municipality
    board = m.board_set.get(name="Socialnämnden")
    r14 = RiskArea.objects.get(municipality=m, code="R14")
    r14.name = (
        "Fakturor och betalningar"  # renamed: the controls still know it by the catalogue's name
    )
    r14.save()
    serving = sorted(c.id for c in all_controls() if "Fakturahantering" in c.risk_areas)
    assert serving
    control_id = serving[0]
    run = Run.objects.create(
        municipality=m, status="done", control_ids=[control_id], finished_at=timezone.now()
    )
    for i, amount in enumerate(("1000.00", "2500.50")):
        Hit.objects.create(
            municipality=m,
            control_id=control_id,
            control_version=1,
            fingerprint=f"f{i}",
            first_run=run,
            last_run=run,
            engine="duckdb",
            sql="select 1",
            subject_type="supplier",
            subject_id=str(i),
            risk_areas=["Fakturahantering"],
            amount_at_risk=Decimal(amount),
            severity="medel",
            explanation_template="x",
        )
    controlplan.item_add(
        board=board,
        year=2026,
        risk_area=r14,
        activity="Granska dubbletter",
        method="Tillit",
        frequency="Varje natt",
        responsible="Ekonomichef",
        control_id=control_id,
    )
    rows = controlplan.rows(board, 2026)
    assert "2 " in rows[0]["result"] and "3 500,50" in rows[0]["result"].replace("\xa0", " ")
    ids = [c["id"] for c in controlplan.tillit_controls(board, 2026)]
    assert ids == serving
    login(client, user)
    page = client.get(reverse("risk-ic-plan") + f"?board={board.pk}&year=2026").content.decode()
    assert control_id in page
    # the evidence on the area's page finds the hits under the catalogue's name
    from tillit.risks.selectors import evidence

    assert evidence(user=user, area=r14)["hits"] == 2
