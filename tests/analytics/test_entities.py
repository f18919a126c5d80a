"""Entity resolution, measured on labelled data nobody here made (Splink's fake_1000), and the
coordinator's judgements."""

from __future__ import annotations

import csv

from tests.external import data

from tillit.analytics.entities import pairwise_scores, resolve_organisations, resolve_people

DATA = data("splink-datasets")


def _fake_1000() -> tuple[list[dict], dict[str, str]]:
    with open(DATA / "fake_1000.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    records = [{"key": r["unique_id"], "first_name": r["first_name"], "surname": r["surname"],
                "birth_date": r["dob"], "city": r["city"], "email": r["email"]} for r in rows]
    return records, {r["unique_id"]: r["cluster"] for r in rows}


def test_people_on_splinks_labelled_fake_1000():
    records, truth = _fake_1000()
    scores = pairwise_scores(resolve_people(records).entity_of, truth)
    # measured: precision 1.000, recall 0.925, F1 0.961 (docs/benchmarks.md)
    assert scores["pairs_true"] == 2031
    assert scores["precision"] >= 0.99 and scores["f1"] >= 0.95, scores
    # a lower threshold trades precision for recall, as the points say
    looser = pairwise_scores(resolve_people(records, threshold=2).entity_of, truth)
    assert looser["recall"] > scores["recall"] and looser["precision"] < scores["precision"]


def test_a_coordinators_judgement_wins_and_ids_stay_stable():
    records = [{"key": "a", "first_name": "Robert", "surname": "Allen", "birth_date": "1971-06-24",
                "email": "roberta25@smith.net"},
               {"key": "b", "first_name": "Rob", "surname": "Allen", "birth_date": "1971-06-24",
                "email": "roberta25@smith.net"},
               {"key": "c", "first_name": "Anna", "surname": "Berg", "birth_date": "1990-01-01"}]
    plain = resolve_people(records)
    assert plain.entity_of == {"a": "a", "b": "a", "c": "c"}
    judged = resolve_people(records, not_same=[("a", "b")], same=[("b", "c")])
    assert judged.entity_of["a"] == "a" and judged.entity_of["b"] == judged.entity_of["c"] == "b"
    # more records later: the existing entity keeps its id
    again = resolve_people([*records, {"key": "d", "first_name": "Robert", "surname": "Alen",
                                       "birth_date": "1971-06-24", "email": "roberta25@smith.net"}])
    assert again.entity_of["a"] == again.entity_of["d"] == "a"


def test_organisations_identifier_first_then_account_then_name_and_postal_code():
    records = [
        {"key": "s1", "name": "Lindholms Transport AB", "orgnr": "5561234567", "orgnr_valid": True},
        {"key": "s2", "name": "Lindholm Transport Aktiebolag", "orgnr": "5561234567", "orgnr_valid": True},
        {"key": "s3", "name": "Sjöbergs Elservice AB", "postal_code": "271 39"},
        {"key": "s4", "name": "SJOBERGS ELSERVICE", "postal_code": "27139"},
        {"key": "s5", "name": "Hedlunds Trädgård AB", "bank_account": "BG:50501055"},
        {"key": "s6", "name": "Grönt & Skött AB", "bank_account": "BG:50501055"},
        # different valid organisation numbers are different entities, whatever else they share
        {"key": "g1", "name": "Kvarnby IF", "orgnr": "8020001111", "orgnr_valid": True, "postal_code": "21120",
         "bank_account": "BG:7"},
        {"key": "g2", "name": "Kvarnby FF", "orgnr": "8020002222", "orgnr_valid": True, "postal_code": "21120",
         "bank_account": "BG:7"}]
    entities = resolve_organisations(records).entities()
    assert sorted(entities.values()) == [["g1"], ["g2"], ["s1", "s2"], ["s3", "s4"], ["s5", "s6"]]
