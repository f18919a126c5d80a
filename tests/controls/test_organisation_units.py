"""One legal entity, many units (issue 17): a coordinator marks SUP-DUPLICATE's group of one
organisation number once, on the hit, and the group is not raised again until a record with
another bank account joins it (controls/units.py)."""

from __future__ import annotations

from datetime import date

from tests.analytics.conftest import write_source
from tillit.analytics.runner import run_controls
from tillit.controls.models import Hit, HitEvent, OrganisationUnits, Run
from tillit.controls.services import publish_hits

ORGNR = "2321000255"


def _publish(tmp_path, municipality, records: list[tuple[str, str, str]]) -> tuple[int, int, int]:
    """Run SUP-DUPLICATE on (supplier_id, name, bank account) records of one organisation number."""
    folder = tmp_path / f"run{Run.objects.count()}"
    folder.mkdir()
    sources = {
        "suppliers": write_source(
            folder,
            "suppliers",
            [
                {"supplier_id": s, "name": n, "orgnr": ORGNR, "orgnr_valid": True}
                for s, n, _a in records
            ],
        ),
        "supplier_accounts": write_source(
            folder,
            "supplier_accounts",
            [
                {"supplier_id": s, "bank_account": a, "valid_from": date(2020, 1, 1)}
                for s, _n, a in records
            ],
        ),
    }
    result = run_controls(sources, ["SUP-DUPLICATE"])
    run = Run.objects.create(municipality=municipality, control_ids=["SUP-DUPLICATE"])
    return publish_hits(run, result, {}, {})


def test_one_legal_entity_with_many_units_is_marked_once(
    tmp_path, kommun_a, personas, client, login
):
    committees = [
        ("R1", "Region Skåne Kulturnämnden", "BG:1111-2222"),
        ("R2", "Region Skåne Regionstyrelsen", "BG:1111-2222"),
        ("R3", "Region Skåne Hälso- och sjukvårdsnämnden", "BG:3333-4444"),
    ]
    assert _publish(tmp_path, kommun_a, committees) == (1, 0, 0)
    hit = Hit.objects.get(control_id="SUP-DUPLICATE")
    assert hit.evidence_keys == ["suppliers:R1", "suppliers:R2", "suppliers:R3"]

    # an investigator may triage the hit but not decide what an organisation is
    login(client, personas["investigator"])
    response = client.get(f"/kontroller/traffar/{hit.pk}/")
    assert response.status_code == 200
    assert f"/kontroller/traffar/{hit.pk}/units/" not in response.content.decode()
    client.post(f"/kontroller/traffar/{hit.pk}/units/", {"units-reason": "en region"})
    assert not OrganisationUnits.objects.exists()
    hit.refresh_from_db()
    assert hit.status == "new"
    client.logout()

    alice = personas["coordinator"]
    login(client, alice)
    page = client.get(f"/kontroller/traffar/{hit.pk}/").content.decode()
    assert f"/kontroller/traffar/{hit.pk}/units/" in page
    # a reason is needed
    client.post(f"/kontroller/traffar/{hit.pk}/units/", {"units-reason": "  "})
    assert not OrganisationUnits.objects.exists()
    client.post(
        f"/kontroller/traffar/{hit.pk}/units/",
        {"units-reason": "Regionens nämnder, ett organisationsnummer"},
    )
    decision = OrganisationUnits.objects.get()
    assert (decision.orgnr, decision.supplier_ids, decision.bank_accounts, decision.decided_by) == (
        ORGNR,
        ["R1", "R2", "R3"],
        ["BG:1111-2222", "BG:3333-4444"],
        alice,
    )
    hit.refresh_from_db()
    assert (hit.status, hit.dismiss_reason) == ("dismissed", "explained")
    event = HitEvent.objects.get(hit=hit, action="units")
    assert (event.user, event.reason, event.note) == (
        alice,
        ORGNR,
        "Regionens nämnder, ett organisationsnummer",
    )
    # the history shows the decision
    assert (
        "Regionens nämnder, ett organisationsnummer"
        in client.get(f"/kontroller/traffar/{hit.pk}/").content.decode()
    )

    # the control's page lists the decision
    listing = client.get("/kontroller/bibliotek/SUP-DUPLICATE/").content.decode()
    assert ORGNR in listing and "BG:1111-2222, BG:3333-4444" in listing and "alice" in listing
    assert ORGNR not in client.get("/kontroller/bibliotek/SUP-ORGNR/").content.decode()

    # the same group again: nothing raised
    assert _publish(tmp_path, kommun_a, committees) == (0, 0, 0)
    # a new committee paid to a known account joins: a new group, still not raised
    grown = [*committees, ("R4", "Region Skåne Servicenämnden", "BG:3333-4444")]
    assert _publish(tmp_path, kommun_a, grown) == (0, 0, 0)
    assert Hit.objects.filter(control_id="SUP-DUPLICATE").count() == 1
    # a record with another bank account joins: the group is raised again, with every record
    joined = [*grown, ("R5", "Region Skåne Regionstyrelsen", "BG:5555-6666")]
    assert _publish(tmp_path, kommun_a, joined) == (1, 0, 0)
    raised = Hit.objects.get(control_id="SUP-DUPLICATE", status="new")
    assert raised.evidence_keys == [f"suppliers:R{i}" for i in range(1, 6)]
    # another organisation number's group is not touched by the decision
    other = OrganisationUnits.objects.filter(orgnr="5560000000")
    assert not other.exists()


def test_only_a_group_of_one_organisation_number_can_be_marked(
    tmp_path, kommun_a, personas, client, login
):
    folder = tmp_path / "accounts"
    folder.mkdir()
    sources = {
        "suppliers": write_source(
            folder,
            "suppliers",
            [
                {
                    "supplier_id": "A1",
                    "name": "Alfa Bygg AB",
                    "orgnr": "5560000011",
                    "orgnr_valid": True,
                },
                {
                    "supplier_id": "A2",
                    "name": "Beta Bygg AB",
                    "orgnr": "5560000012",
                    "orgnr_valid": True,
                },
            ],
        ),
        "supplier_accounts": write_source(
            folder,
            "supplier_accounts",
            [
                {"supplier_id": s, "bank_account": "BG:9999-0000", "valid_from": date(2020, 1, 1)}
                for s in ("A1", "A2")
            ],
        ),
    }
    run = Run.objects.create(municipality=kommun_a, control_ids=["SUP-DUPLICATE"])
    publish_hits(run, run_controls(sources, ["SUP-DUPLICATE"]), {}, {})
    hit = Hit.objects.get(control_id="SUP-DUPLICATE")
    login(client, personas["coordinator"])
    assert (
        f"/kontroller/traffar/{hit.pk}/units/"
        not in client.get(f"/kontroller/traffar/{hit.pk}/").content.decode()
    )
    client.post(f"/kontroller/traffar/{hit.pk}/units/", {"units-reason": "en koncern"})
    hit.refresh_from_db()
    assert hit.status == "new" and not OrganisationUnits.objects.exists()
