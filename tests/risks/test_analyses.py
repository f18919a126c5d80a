"""Copying last year's analysis with changes marked; roll-out to the boards and roll-up."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from tillit.risks import services
from tillit.risks.models import RiskArea


def _areas(m, *codes):
    return [RiskArea.objects.get(municipality=m, code=c) for c in codes]


def test_copy_marks_what_changed(kommun_a):
    r10, r14 = _areas(kommun_a, "R10", "R14")
    last = services.analysis_create(
        municipality=kommun_a, name="Riskanalys 2025", year=2025, risk_areas=[r10, r14]
    )
    services.assessment_create(
        risk_area=r10,
        analysis=last,
        gross_probability=3,
        gross_consequence=3,
        assessed_on=date(2025, 3, 1),
    )
    services.assessment_create(
        risk_area=r14,
        analysis=last,
        gross_probability=2,
        gross_consequence=2,
        assessed_on=date(2025, 3, 1),
    )
    this = services.analysis_copy(analysis=last, year=2026, assessed_on=date(2026, 3, 1))
    assert this.name == "Riskanalys 2026" and this.copied_from == last
    assert services.changes_since_copy(this) == {r10.pk: [], r14.pk: []}
    services.assessment_create(
        risk_area=r10,
        analysis=this,
        gross_probability=4,
        gross_consequence=3,
        assessed_on=date(2026, 3, 2),
    )
    changes = services.changes_since_copy(this)
    assert changes[r10.pk] == ["gross_probability"] and changes[r14.pk] == []


def test_roll_out_and_roll_up_takes_the_highest_board_valuation(kommun_a):
    (r10,) = _areas(kommun_a, "R10")
    top = services.analysis_create(
        municipality=kommun_a, name="Riskanalys 2026", year=2026, risk_areas=[r10]
    )
    boards = list(kommun_a.board_set.all())
    children = services.analysis_roll_out(analysis=top, boards=boards)
    assert len(children) == 2 and services.analysis_roll_out(analysis=top, boards=boards) == []
    low, high = children
    services.assessment_create(
        risk_area=r10, analysis=low, gross_probability=2, gross_consequence=2, unlawful_influence=4
    )
    services.assessment_create(
        risk_area=r10, analysis=high, gross_probability=4, gross_consequence=3, unlawful_influence=1
    )
    assert {a.board for a in r10.assessments.all()} == {low.board, high.board}
    rolled = services.analysis_roll_up(analysis=top)
    assert len(rolled) == 1
    a = rolled[0]
    assert (a.gross_score, a.unlawful_influence, a.board, a.analysis) == (12, 4, None, top)
    assert low.board.name in a.net_motivation and high.board.name in a.net_motivation


def test_pages_roll_out_and_copy(client, personas, login):
    user = personas["coordinator"]
    login(client, user)
    response = client.post(
        reverse("risk-analysis-list"), {"name": "Riskanalys 2026", "year": "2026"}
    )
    assert response.status_code == 302
    top = user.municipality.riskanalysis_set.get()
    assert top.risk_areas.count() == 47
    client.post(reverse("risk-analysis-roll-out", args=[top.pk]))
    assert top.children.count() == 2
    child = top.children.first()
    (r10,) = _areas(user.municipality, "R10")
    response = client.post(
        reverse("risk-analysis-assess", args=[child.pk, r10.pk]),
        {
            "assessed_on": "2026-04-01",
            "gross_probability": "3",
            "gross_consequence": "2",
            "unlawful_influence": "1",
            "gross_foundation": "weak",
            "net_foundation": "weak",
            "target_foundation": "weak",
            "ic_deviations": "0",
        },
    )
    assert response.status_code == 302
    assert r10.assessments.get().board == child.board
    client.post(reverse("risk-analysis-roll-up", args=[top.pk]))
    assert r10.assessments.filter(board=None, analysis=top).count() == 1
    client.post(reverse("risk-analysis-copy", args=[top.pk]), {"year": "2027"})
    copy = user.municipality.riskanalysis_set.get(year=2027)
    assert copy.copied_from == top
    page = client.get(reverse("risk-analysis-detail", args=[copy.pk])).content.decode()
    assert "R10" in page
