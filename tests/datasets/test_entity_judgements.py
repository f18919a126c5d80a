"""A coordinator's judgement on two records is stored and every later resolution respects it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tillit.analytics.entities import resolve_people
from tillit.datasets.models import EntityJudgement
from tillit.datasets.services import entity_judge, entity_judgements

RECORDS = [
    {
        "key": "a",
        "first_name": "Robert",
        "surname": "Allen",
        "birth_date": "1971-06-24",
        "email": "roberta25@smith.net",
    },
    {
        "key": "b",
        "first_name": "Rob",
        "surname": "Allen",
        "birth_date": "1971-06-24",
        "email": "roberta25@smith.net",
    },
]


def test_the_newest_judgement_is_stored_per_municipality_and_respected(personas, kommun_b):
    alice = personas["coordinator"]
    entity_judge(
        user=alice,
        kind="person",
        record_a="b",
        record_b="a",
        same=False,
        reason="Två olika personer enligt folkbokföringen.",
    )
    same, not_same = entity_judgements(municipality=alice.municipality, kind="person")
    assert (same, not_same) == ([], [("a", "b")])
    assert resolve_people(RECORDS, same=same, not_same=not_same).entity_of == {"a": "a", "b": "b"}
    # changed her mind: the newer judgement counts, the older is kept
    entity_judge(
        user=alice, kind="person", record_a="a", record_b="b", same=True, reason="Samma person."
    )
    same, not_same = entity_judgements(municipality=alice.municipality, kind="person")
    assert (same, not_same) == ([("a", "b")], [])
    assert EntityJudgement.objects.count() == 2
    assert entity_judgements(municipality=kommun_b, kind="person") == ([], [])


def test_only_coordinators_judge_and_a_reason_is_required(personas):
    with pytest.raises(PermissionDenied):
        entity_judge(
            user=personas["reviewer"],
            kind="person",
            record_a="a",
            record_b="b",
            same=True,
            reason="x",
        )
    with pytest.raises(ValueError):
        entity_judge(
            user=personas["coordinator"],
            kind="person",
            record_a="a",
            record_b="b",
            same=True,
            reason=" ",
        )
    assert not EntityJudgement.objects.exists()


SUPPLIERS = """supplier_id;name;orgnr;postal_code;city
L1;Bygg & Montage AB;;41101;Göteborg
L2;Bygg och Montage AB;;411 01;Göteborg
L3;Städ i Väst AB;;41250;Göteborg
L4;Väststäd HB;;43130;Mölndal
L5;Kontorsvaror AB;5560360793;11122;Stockholm
L6;Kontorsvaror Sverige AB;5560360793;11122;Stockholm
"""
ACCOUNTS = """supplier_id;bank_account;valid_from
L3;5050-1055;2024-01-01
L4;5050-1055;2024-03-01
"""


def _import_suppliers(user, tmp_path):
    from tillit.datasets.services import import_file

    for name, text in (("suppliers", SUPPLIERS), ("supplier_accounts", ACCOUNTS)):
        path = tmp_path / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        attempt = import_file(user=user, municipality=user.municipality, dataset=name, path=path)
        assert attempt.status == "imported", (name, attempt.status)


def test_the_review_page_shows_rule_links_and_a_coordinator_judges_them(
    client, login, personas, tmp_path
):
    from tillit.accounts.models import AccessLogEntry

    alice = personas["coordinator"]
    _import_suppliers(alice, tmp_path)
    login(client, alice)
    page = client.get("/data/leverantorer/samma/").content.decode()
    # similar names at one postal code, and a shared account; the shared valid orgnr needs no judgement
    assert "Bygg &amp; Montage AB — Bygg och Montage AB" in page
    assert "Städ i Väst AB — Väststäd HB" in page and "BANK:50500001055" in page
    assert "Kontorsvaror AB — Kontorsvaror Sverige AB" not in page
    assert AccessLogEntry.objects.filter(user=alice, object_type="supplier_entities").exists()

    response = client.post(
        "/data/leverantorer/samma/",
        {
            "record_a": "L4",
            "record_b": "L3",
            "same": "not_same",
            "reason": "Olika ägare enligt Bolagsverket; kontot byttes.",
        },
    )
    assert response.status_code == 302
    page = client.get("/data/leverantorer/samma/").content.decode()
    assert "Städ i Väst AB — Väststäd HB" not in page
    assert "Olika ägare enligt Bolagsverket" in page
    from tillit.datasets.services import supplier_entity_review

    review = supplier_entity_review(municipality=alice.municipality)
    assert [(p["a"]["key"], p["b"]["key"]) for p in review["pairs"]] == [("L1", "L2")]
    # L3 and L4 stay two organisations in every later resolution
    assert review["entities"] == 4  # L1+L2, L3, L4, L5+L6


def test_a_judgement_without_a_reason_changes_nothing(client, login, personas, tmp_path):
    alice = personas["coordinator"]
    _import_suppliers(alice, tmp_path)
    login(client, alice)
    response = client.post(
        "/data/leverantorer/samma/",
        {"record_a": "L1", "record_b": "L2", "same": "same", "reason": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert not EntityJudgement.objects.exists()
    assert "Bygg &amp; Montage AB — Bygg och Montage AB" in response.content.decode()


def test_only_a_coordinator_may_judge_on_the_page(client, login, personas, tmp_path):
    _import_suppliers(personas["coordinator"], tmp_path)
    carl = personas["controller"]  # sees data, may not judge
    login(client, carl)
    page = client.get("/data/leverantorer/samma/").content.decode()
    assert "Bygg &amp; Montage AB" in page and 'name="reason"' not in page
    assert (
        client.post(
            "/data/leverantorer/samma/",
            {"record_a": "L1", "record_b": "L2", "same": "same", "reason": "x"},
        ).status_code
        == 403
    )
    assert not EntityJudgement.objects.exists()
    login(client, personas["investigator"])  # no data.view
    assert client.get("/data/leverantorer/samma/").status_code == 403
