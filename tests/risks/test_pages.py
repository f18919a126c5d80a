"""Every risk page answers for the roles that may see it, and refuses the others."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tillit.risks.models import RiskArea

GET_PAGES = [
    "risks-home",
    "risk-area-list",
    "risk-analysis-list",
    "risk-workshop-list",
    "risk-operative-list",
    "risk-position-list",
    "risk-organisation-list",
    "risk-rule-list",
    "risk-ic-plan",
    "risk-share",
]


@pytest.mark.parametrize("role", ["coordinator", "reviewer"])
def test_every_page_renders(client, personas, login, role):
    login(client, personas[role])
    for name in GET_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, (name, response.status_code)
        assert "risker/" in response.content.decode()  # the section navigation


def test_settings_are_for_editors_only(client, personas, login):
    login(client, personas["reviewer"])
    assert client.get(reverse("risk-settings")).status_code == 403
    login(client, personas["controller"])
    assert client.get(reverse("risk-settings")).status_code == 200


def test_settings_change_the_weights_and_refuse_bad_ones(client, personas, login):
    from tillit.risks.selectors import risk_settings

    user = personas["coordinator"]
    login(client, user)
    response = client.post(
        reverse("risk-settings"),
        {
            "scale_max": "4",
            "probability_labels": "",
            "consequence_labels": "",
            "weight_vor": "1",
            "weight_exposure": "0",
            "weight_influence": "0",
            "stale_after_days": "365",
        },
    )
    assert response.status_code == 302
    assert risk_settings(user.municipality).weight_exposure == 0
    response = client.post(
        reverse("risk-settings"),
        {
            "scale_max": "4",
            "probability_labels": "a\nb",
            "consequence_labels": "",
            "weight_vor": "0",
            "weight_exposure": "0",
            "weight_influence": "0",
            "stale_after_days": "365",
        },
    )
    assert response.status_code == 400
    assert risk_settings(user.municipality).weight_vor == 1


def test_the_nav_leads_to_the_risk_section(client, personas, login):
    login(client, personas["reviewer"])
    page = client.get(reverse("risk-area-list")).content.decode()
    mainnav = page.split('class="mainnav"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{reverse("risks-home")}"' in mainnav


def test_area_of_another_municipality_cannot_be_valued(client, personas, login):
    login(client, personas["coordinator"])
    other = RiskArea.objects.get(
        municipality=personas["other_investigator"].municipality, code="R01"
    )
    response = client.post(reverse("risk-assess", args=[other.pk]), {"gross_probability": "1"})
    assert response.status_code == 404
    assert not other.assessments.exists()
