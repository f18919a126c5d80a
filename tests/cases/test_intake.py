"""From a hit to a case: one open case per subject, further hits join it."""

from __future__ import annotations

from decimal import Decimal

import time_machine

from tillit.cases.models import Case, Source, State
from tillit.cases.services import case_open_from_hit, case_open_from_tip, case_transition
from tillit.controls.models import Hit
from tillit.controls.services import hit_open_case

from .conftest import advance


def test_a_hit_opens_a_case_with_its_subject_amount_and_board(personas, make_hit):
    bob = personas["investigator"]
    hit = make_hit(
        bob.municipality, control_id="BEN-DECEASED", subject_id="H-0042", amount=Decimal("12000")
    )
    hit_open_case(hit=hit, user=bob)
    hit.refresh_from_db()
    assert hit.status == Hit.Status.CASE
    case = Case.objects.get()
    assert case.source == Source.HIT
    assert case.case_type == "benefit"
    assert case.amount_concerned == Decimal("12000")
    assert case.board.name == "Socialnämnden"
    assert case.risk_area == "Ekonomiskt bistånd"
    assert [(s.kind, s.identifier) for s in case.subjects.all()] == [("household", "H-0042")]
    assert list(case.case_hits.values_list("hit_id", flat=True)) == [hit.pk]
    # the investigator who escalates it is on the team and the case officer
    assert list(case.team.all()) == [bob] and case.lead == bob
    assert hit.events.filter(action="case", reason=case.number).exists()


def test_further_hits_on_the_same_subject_join_the_open_case(personas, make_hit):
    bob = personas["investigator"]
    first = make_hit(
        bob.municipality, control_id="BEN-DECEASED", subject_id="H-0042", amount=Decimal("1000")
    )
    second = make_hit(
        bob.municipality,
        control_id="BEN-SHARED-ACCOUNT",
        subject_id="H-0042",
        amount=Decimal("500"),
    )
    other = make_hit(bob.municipality, control_id="BEN-DECEASED", subject_id="H-0099")
    case = case_open_from_hit(hit=first, user=bob)
    joined = case_open_from_hit(hit=second, user=bob)
    separate = case_open_from_hit(hit=other, user=bob)
    assert joined.pk == case.pk
    assert separate.pk != case.pk
    assert joined.amount_concerned == Decimal("1500")
    assert case.case_hits.count() == 2
    assert case.events.filter(action="hit joined").exists()


def test_the_same_hit_twice_gives_the_same_case(personas, make_hit):
    bob = personas["investigator"]
    hit = make_hit(bob.municipality)
    assert case_open_from_hit(hit=hit, user=bob).pk == case_open_from_hit(hit=hit, user=bob).pk
    assert Case.objects.count() == 1


def test_a_hit_on_a_subject_whose_case_is_closed_opens_a_new_case(personas, make_hit):
    bob = personas["investigator"]
    case = case_open_from_hit(hit=make_hit(bob.municipality, subject_id="H-7"), user=bob)
    case_transition(
        case=case, user=bob, to_state=State.CLOSED_NO_ACTION, reason="Förklarat: dödsboet betalade."
    )
    again = case_open_from_hit(hit=make_hit(bob.municipality, subject_id="H-7"), user=bob)
    assert again.pk != case.pk


def test_a_hit_never_joins_another_municipalitys_case(personas, make_hit):
    bob, charlie = personas["investigator"], personas["other_investigator"]
    mine = case_open_from_hit(hit=make_hit(bob.municipality, subject_id="H-1"), user=bob)
    theirs = case_open_from_hit(hit=make_hit(charlie.municipality, subject_id="H-1"), user=charlie)
    assert mine.pk != theirs.pk
    assert theirs.municipality == charlie.municipality


def test_a_supplier_hit_becomes_a_supplier_case_about_a_company(personas, make_hit):
    alice = personas["coordinator"]
    hit = make_hit(
        alice.municipality, control_id="INV-DUP-EXACT", subject_type="supplier", subject_id="12466"
    )
    case = case_open_from_hit(hit=hit, user=alice)
    assert case.case_type == "supplier"
    assert case.subjects.get().kind == "company"
    # a coordinator who escalates does not join the team: coordinators see every case anyway
    assert not case.team.exists()


def test_case_numbers_run_per_municipality_and_year(personas, case_of):
    alice, charlie = personas["coordinator"], personas["other_investigator"]
    with time_machine.travel("2026-03-01 10:00 +01:00"):
        first, second = case_of(alice), case_of(alice)
        other = case_of(charlie)
    with time_machine.travel("2027-01-02 10:00 +01:00"):
        next_year = case_of(alice)
    assert (first.number, second.number, other.number, next_year.number) == (
        "2026-0001",
        "2026-0002",
        "2026-0001",
        "2027-0001",
    )


def test_a_case_from_a_tip_keeps_the_tip_reference_and_not_the_reporter(personas):
    alice = personas["coordinator"]
    case = case_open_from_tip(
        tip_reference="TIPS-2026-17",
        municipality=alice.municipality,
        user=alice,
        title="Tips om svartarbete",
        case_type="benefit",
        description="Arbetar svart.",
        whistleblowing=False,
    )
    assert case.source == Source.TIP and case.tip_reference == "TIPS-2026-17"
    whistle = case_open_from_tip(
        tip_reference="VB-3",
        municipality=alice.municipality,
        user=alice,
        title="Visselblåsning",
        case_type="unlawful_influence",
        description="…",
        whistleblowing=True,
        sensitivity="team_only",
    )
    assert whistle.source == Source.WHISTLEBLOWING


def test_the_queue_button_opens_the_case(client, personas, login, make_hit):
    from django.urls import reverse

    bob = personas["investigator"]
    hit = make_hit(bob.municipality)
    login(client, bob)
    client.post(reverse("controls-hit-action", kwargs={"pk": hit.pk, "action": "case"}))
    case = Case.objects.get()
    assert client.get(reverse("cases-detail", kwargs={"pk": case.pk})).status_code == 200
    advance(case, bob, State.ASSESSMENT)
