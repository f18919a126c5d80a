"""A coordinator's judgement on two records is stored and every later resolution respects it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tillit.analytics.entities import resolve_people
from tillit.datasets.models import EntityJudgement
from tillit.datasets.services import entity_judge, entity_judgements

RECORDS = [{"key": "a", "first_name": "Robert", "surname": "Allen", "birth_date": "1971-06-24",
            "email": "roberta25@smith.net"},
           {"key": "b", "first_name": "Rob", "surname": "Allen", "birth_date": "1971-06-24",
            "email": "roberta25@smith.net"}]


def test_the_newest_judgement_is_stored_per_municipality_and_respected(personas, kommun_b):
    alice = personas["coordinator"]
    entity_judge(user=alice, kind="person", record_a="b", record_b="a", same=False,
                 reason="Två olika personer enligt folkbokföringen.")
    same, not_same = entity_judgements(municipality=alice.municipality, kind="person")
    assert (same, not_same) == ([], [("a", "b")])
    assert resolve_people(RECORDS, same=same, not_same=not_same).entity_of == {"a": "a", "b": "b"}
    # changed her mind: the newer judgement counts, the older is kept
    entity_judge(user=alice, kind="person", record_a="a", record_b="b", same=True, reason="Samma person.")
    same, not_same = entity_judgements(municipality=alice.municipality, kind="person")
    assert (same, not_same) == ([("a", "b")], [])
    assert EntityJudgement.objects.count() == 2
    assert entity_judgements(municipality=kommun_b, kind="person") == ([], [])


def test_only_coordinators_judge_and_a_reason_is_required(personas):
    with pytest.raises(PermissionDenied):
        entity_judge(user=personas["reviewer"], kind="person", record_a="a", record_b="b", same=True, reason="x")
    with pytest.raises(ValueError):
        entity_judge(user=personas["coordinator"], kind="person", record_a="a", record_b="b", same=True, reason=" ")
    assert not EntityJudgement.objects.exists()
