"""/api/risk-areas and /api/assessments with the same permissions as the pages."""

from __future__ import annotations

import json

from tillit.risks.models import RiskArea


def _call(client, user, method, path, body=None):
    # a signed-in (two-factor verified) session, as the pages use; tokens go through the same require_api
    from tests.conftest import verified_login

    client.logout()
    verified_login(client, user)
    kwargs = {}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(path, **kwargs)


def test_list_and_create_assessments(client, personas):
    coordinator = personas["coordinator"]
    response = _call(
        client,
        coordinator,
        "post",
        "/api/assessments",
        {
            "risk_area": "R14",
            "assessed_on": "2026-11-22",
            "gross_probability": 4,
            "gross_consequence": 3,
            "net_probability": 3,
            "net_consequence": 2,
            "unlawful_influence": 2,
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["net_score"] == 6
    areas = _call(client, coordinator, "get", "/api/risk-areas").json()
    assert len(areas) == 47
    r14 = next(a for a in areas if a["code"] == "R14")
    assert r14["current"]["gross_score"] == 12 and r14["priority"] is not None
    history = _call(client, coordinator, "get", "/api/assessments?risk_area=R14").json()
    assert [h["assessed_on"] for h in history] == ["2026-11-22"]


def test_out_of_scale_is_refused_with_a_reason(client, personas):
    response = _call(
        client,
        personas["coordinator"],
        "post",
        "/api/assessments",
        {"risk_area": "R14", "gross_probability": 7, "gross_consequence": 3},
    )
    assert response.status_code == 400
    assert "R14" in response.json()["detail"]


def test_reviewer_reads_but_cannot_write(client, personas):
    reviewer = personas["reviewer"]
    assert _call(client, reviewer, "get", "/api/risk-areas").status_code == 200
    assert (
        _call(
            client,
            reviewer,
            "post",
            "/api/assessments",
            {"risk_area": "R14", "gross_probability": 2, "gross_consequence": 3},
        ).status_code
        == 403
    )
    assert _call(client, reviewer, "post", "/api/risk-areas", {"name": "Nytt"}).status_code == 403


def test_create_risk_area_and_other_municipality_is_invisible(client, personas):
    coordinator = personas["coordinator"]
    response = _call(
        client,
        coordinator,
        "post",
        "/api/risk-areas",
        {"name": "Lönebidrag", "exposure_kr": "1500000.00", "owner_boards": ["Socialnämnden"]},
    )
    assert response.status_code == 201
    assert response.json()["code"] == "R48" and response.json()["owner_boards"] == ["Socialnämnden"]
    assert (
        _call(
            client,
            coordinator,
            "post",
            "/api/risk-areas",
            {"name": "X", "owner_boards": ["Finns inte"]},
        ).status_code
        == 400
    )
    other = personas["other_investigator"]
    codes = [a["code"] for a in _call(client, other, "get", "/api/risk-areas").json()]
    assert "R48" not in codes
    assert RiskArea.objects.filter(code="R48").count() == 1
