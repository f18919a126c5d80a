"""Complaints about providers: public intake linked by orgnr, counted on the provider's page and beside hits."""

from __future__ import annotations

from decimal import Decimal


def _hit(kommun, orgnr):
    from tillit.controls.models import Hit, Run

    run = Run.objects.create(municipality=kommun, status=Run.Status.DONE)
    return Hit.objects.create(
        municipality=kommun,
        control_id="CARE-UNBILLED",
        control_version=1,
        fingerprint="fp-complaints",
        first_run=run,
        last_run=run,
        engine="duckdb",
        sql="SELECT 1",
        subject_type="provider",
        subject_id=orgnr,
        board="Socialnämnden",
        risk_areas=[],
        amount_at_risk=Decimal("1000.00"),
        severity=Hit.Severity.HIGH,
        score=Decimal("1000.00"),
        explanation_template="Test",
        explanation_params={},
        evidence=[
            {
                "dataset": "care_visits",
                "key": "V1",
                "values": {"visit_id": "V1", "provider_orgnr": orgnr},
            }
        ],
        evidence_keys=["care_visits:V1"],
    )


def test_public_complaint_is_linked_to_the_provider_and_shown_beside_its_hits(
    client, personas, kommun_a, login
):
    from tillit.tips.models import Complaint

    response = client.post(
        "/tips/klagomal/",
        {
            "kommun": "0180",
            "orgnr": "556036-0793",
            "provider_name": "Omsorg AB",
            "service": "hemtjänst",
            "text": "Personalen kom inte på tre dagar.",
        },
    )
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.orgnr == "5560360793" and complaint.source == "public"
    # a bad organisation number is refused with the text kept
    response = client.post(
        "/tips/klagomal/", {"kommun": "0180", "orgnr": "123", "text": "Mitt klagomål"}
    )
    assert response.status_code == 400
    assert "Mitt klagomål" in response.content.decode()
    assert Complaint.objects.count() == 1

    hit = _hit(kommun_a, "556036-0793")
    login(client, personas["coordinator"])
    from django.urls import reverse

    page = client.get(reverse("controls-hit", args=[hit.pk])).content.decode()
    assert reverse("tips-provider", args=["5560360793"]) in page
    provider = client.get(reverse("tips-provider", args=["556036-0793"])).content.decode()
    assert "Personalen kom inte på tre dagar." in provider and "Omsorg AB" in provider
    # staff register complaints too
    client.post(reverse("tips-complaints"), {"orgnr": "5560360793", "text": "Fel i fakturan"})
    assert (
        Complaint.objects.filter(source="staff", registered_by=personas["coordinator"]).count() == 1
    )


def test_complaints_need_the_permission(client, personas, login):
    from django.urls import reverse

    login(client, personas["reviewer"])
    assert client.get(reverse("tips-provider", args=["5560360793"])).status_code == 403
    assert client.get(reverse("tips-complaints")).status_code == 403
