from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tillit.cases.models import State
from tillit.cases.services import CaseError, case_transition, outcome_record, recovery_claim_decide

from .conftest import advance


@pytest.fixture(autouse=True)
def english():
    """The rules' messages are matched in English here; users read them in Swedish."""
    from django.utils import translation

    with translation.override("en"):
        yield


def test_a_case_walks_from_received_to_closed(personas, case_of):
    alice, bob = personas["coordinator"], personas["investigator"]
    case = case_of(alice, members=[bob])
    case = advance(case, bob, State.ASSESSMENT, State.INVESTIGATION, State.DECISION)
    assert case.decided_at is not None
    recovery_claim_decide(
        case=case,
        user=bob,
        amount=Decimal("45000"),
        legal_ground="sol_9_1",
        decision_date=date(2026, 5, 1),
        debtor="Tolvan Tolvansson",
        reasoning="Oriktiga uppgifter.",
    )
    case = advance(case, bob, State.FOLLOW_UP, State.CLOSED)
    assert case.state == State.CLOSED and case.closed_at is not None
    assert case.retain_until == date(case.closed_at.year + 5, 12, 31)
    assert [e.detail for e in case.events.filter(action="state")][0] == "received → assessment"


@pytest.mark.parametrize(
    ("steps", "target"),
    [
        ((), State.INVESTIGATION),
        ((), State.DECISION),
        ((), State.CLOSED),
        ((State.ASSESSMENT,), State.DECISION),
        ((State.ASSESSMENT, State.INVESTIGATION), State.CLOSED),
    ],
)
def test_steps_cannot_be_skipped(personas, case_of, steps, target):
    bob = personas["investigator"]
    case = advance(case_of(personas["coordinator"], members=[bob]), bob, *steps)
    with pytest.raises(CaseError):
        case_transition(case=case, user=bob, to_state=target)


def test_the_investigation_needs_an_investigator(personas, case_of):
    alice = personas["coordinator"]
    case = advance(case_of(alice), alice, State.ASSESSMENT)
    with pytest.raises(CaseError, match="investigator"):
        case_transition(case=case, user=alice, to_state=State.INVESTIGATION)


def test_a_decision_needs_an_outcome_before_it_moves_on(personas, case_of):
    bob = personas["investigator"]
    case = advance(
        case_of(personas["coordinator"], members=[bob]),
        bob,
        State.ASSESSMENT,
        State.INVESTIGATION,
        State.DECISION,
    )
    with pytest.raises(CaseError, match="outcome"):
        case_transition(case=case, user=bob, to_state=State.CLOSED)
    outcome_record(
        case=case, user=bob, kind="corrected_payment", decided_on=date(2026, 5, 2), note="Rättat."
    )
    assert case_transition(case=case, user=bob, to_state=State.CLOSED).state == State.CLOSED


@pytest.mark.parametrize(
    "steps",
    [
        (),
        (State.ASSESSMENT,),
        (State.ASSESSMENT, State.INVESTIGATION),
        (State.ASSESSMENT, State.INVESTIGATION, State.DECISION),
    ],
)
def test_closing_without_action_is_possible_from_any_step_with_a_reason(personas, case_of, steps):
    bob = personas["investigator"]
    case = advance(case_of(personas["coordinator"], members=[bob]), bob, *steps)
    with pytest.raises(CaseError, match="reason"):
        case_transition(case=case, user=bob, to_state=State.CLOSED_NO_ACTION, reason="  ")
    case = case_transition(
        case=case, user=bob, to_state=State.CLOSED_NO_ACTION, reason="Ingen grund för misstanke."
    )
    assert (
        case.state == State.CLOSED_NO_ACTION and case.closed_reason == "Ingen grund för misstanke."
    )


def test_a_closed_case_stays_closed(personas, case_of):
    bob = personas["investigator"]
    case = case_of(personas["coordinator"], members=[bob])
    case = case_transition(case=case, user=bob, to_state=State.CLOSED_NO_ACTION, reason="Dubblett.")
    for target in (State.ASSESSMENT, State.CLOSED_NO_ACTION):
        with pytest.raises(CaseError):
            case_transition(case=case, user=bob, to_state=target, reason="x")


def test_outcomes_are_refused_before_the_investigation(personas, case_of):
    bob = personas["investigator"]
    case = case_of(personas["coordinator"], members=[bob])
    with pytest.raises(CaseError):
        recovery_claim_decide(
            case=case,
            user=bob,
            amount=Decimal(1),
            legal_ground="sol_9_1",
            decision_date=date(2026, 1, 1),
            debtor="x",
            reasoning="x",
        )


def test_the_state_form_moves_the_case_and_shows_a_broken_rule(client, personas, login, case_of):
    from django.urls import reverse

    bob = personas["investigator"]
    case = case_of(personas["coordinator"], members=[bob])
    login(client, bob)
    url = reverse("cases-transition", kwargs={"pk": case.pk})
    client.post(url, {"to_state": "decision"})
    case.refresh_from_db()
    assert case.state == State.RECEIVED
    page = client.get(reverse("cases-detail", kwargs={"pk": case.pk})).content.decode()
    assert "cannot go from" in page or "kan inte gå från" in page
    client.post(url, {"to_state": "assessment"})
    case.refresh_from_db()
    assert case.state == State.ASSESSMENT
