"""Issue 16: figures that add up.

An amount at risk counts once per evidence row (in a case and in the queue total); a police
report counts when it is registered as sent, with its date; every notification route (the
queue and the case) writes exactly one row in the information-sharing ledger.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tillit.cases import selectors
from tillit.cases.models import Notification, PoliceReport, State
from tillit.cases.services import (
    CaseError,
    case_open_from_hit,
    incoming_record,
    notification_record,
    police_report_mark_sent,
    police_report_record,
)

from .conftest import advance

PAYMENT = Decimal("143950.00")


def _three_hits_on_one_payment(make_hit, municipality):
    hits = []
    for control in ("PAY-DUP", "INV-DUP-EXACT", "SUP-NO-FTAX"):
        hit = make_hit(
            municipality,
            control_id=control,
            subject_type="supplier",
            subject_id="20012",
            amount=PAYMENT,
        )
        hit.evidence_keys = ["payments:P-77", "suppliers:20012"]
        hit.save(update_fields=["evidence_keys"])
        hits.append(hit)
    return hits


def test_three_hits_on_one_payment_put_it_at_risk_once(make_hit, personas):
    alice = personas["coordinator"]
    hits = _three_hits_on_one_payment(make_hit, alice.municipality)
    assert selectors.amount_at_risk(hits) == PAYMENT
    case = None
    for hit in hits:
        case = case_open_from_hit(hit=hit, user=alice)
    assert case.case_hits.count() == 3
    assert case.amount_concerned == PAYMENT  # not 431 850 kr


def test_hits_on_different_payments_add_up_and_chains_of_overlap_count_once(make_hit, personas):
    municipality = personas["coordinator"].municipality
    a = make_hit(municipality, amount=Decimal("100"))
    b = make_hit(municipality, amount=Decimal("250"))
    c = make_hit(municipality, amount=Decimal("40"))
    d = make_hit(municipality, amount=Decimal("7"))  # no row of money: counts in full
    a.evidence_keys = ["benefit_payments:1", "population:P"]
    b.evidence_keys = ["benefit_payments:1", "benefit_payments:2"]  # overlaps a
    c.evidence_keys = ["benefit_payments:2"]  # overlaps b, so the three are one group
    d.evidence_keys = ["population:P"]  # a person row is not money
    assert selectors.amount_at_risk([a, b, c, d]) == Decimal("257")
    c.evidence_keys = ["benefit_payments:3"]
    assert selectors.amount_at_risk([a, b, c, d]) == Decimal("297")


def test_the_total_read_from_the_database_is_the_same_as_from_the_hits(make_hit, personas):
    """The queue's total groups hits with the same evidence keys in the database first."""
    from tillit.controls.models import Hit

    municipality = personas["coordinator"].municipality
    cases = [
        (["payments:P-1"], "100"),
        (["payments:P-1"], "300"),  # the same payment: the larger counts
        (["payments:P-1", "payments:P-2"], "50"),  # joins P-1 and P-2 into one group
        (["payments:P-2"], "400"),  # the largest of the chain
        (["payments:P-3", "suppliers:9"], "70"),
        (["payments:P-3", "suppliers:9"], "-20"),  # same keys, smaller: only 70 counts
        (["suppliers:9"], "7"),  # no row of money: each counts in full
        (["suppliers:9"], "8"),
        ([], "5"),
        ([], "-3"),  # no row of money and negative: counts as 0, as one hit alone does
        (["invoices:I-1"], "-9"),  # a group whose largest is negative counts 0
    ]
    hits = []
    for keys, amount in cases:
        hit = make_hit(municipality, amount=Decimal(amount))
        hit.evidence_keys = keys
        hit.save(update_fields=["evidence_keys"])
        hits.append(hit)
    expected = selectors.amount_at_risk(hits)
    assert expected == Decimal("400") + Decimal("70") + Decimal("7") + Decimal("8") + Decimal("5")
    queryset = Hit.objects.filter(pk__in=[h.pk for h in hits]).order_by("-score", "-id")
    assert selectors.queryset_amount_at_risk(queryset) == expected
    assert selectors.queryset_amount_at_risk(queryset.exclude(pk=hits[2].pk)) == (
        selectors.amount_at_risk([h for h in hits if h.pk != hits[2].pk])
    )
    assert selectors.queryset_amount_at_risk(Hit.objects.none()) == Decimal(0)


def test_the_queue_total_counts_one_payment_once(make_hit, personas, login, client):
    alice = personas["coordinator"]
    _three_hits_on_one_payment(make_hit, alice.municipality)
    other = make_hit(alice.municipality, amount=Decimal("1000.00"))
    other.evidence_keys = ["benefit_payments:B-1"]
    other.save(update_fields=["evidence_keys"])
    login(client, alice)
    response = client.get(reverse("controls-queue-figures"))  # loaded after the queue's list
    assert response.status_code == 200
    text = response.content.decode().replace("\u00a0", " ")
    assert "144 950,00 kr" in text  # 143 950 once + 1 000
    assert "432 850" not in text


def test_a_police_report_counts_when_registered_as_sent_with_its_date(case_of, personas):
    alice, bob = personas["coordinator"], personas["investigator"]
    case = advance(case_of(alice, members=[bob]), alice, State.ASSESSMENT, State.INVESTIGATION)
    report = police_report_record(
        case=case,
        user=bob,
        offences=["bidragsbrott"],
        facts="Uttag efter dödsfall.",
        checklist={
            "incorrect_information": True,
            "risk_of_wrong_payment": True,
            "benefit_in_scope": True,
        },
    )
    assert report.reported_on is None
    assert selectors.police_reports_sent(user=alice).count() == 0
    assert selectors.statistics(user=alice)["police_reports"] == 0
    police_report_mark_sent(
        report=report, user=bob, sent_on=date(2026, 3, 4), police_reference="5000-K123-26"
    )
    sent = selectors.police_reports_sent(user=alice)
    assert [(r.pk, r.reported_on) for r in sent] == [(report.pk, date(2026, 3, 4))]
    assert selectors.police_reports_sent(user=alice, year=2026).count() == 1
    assert selectors.police_reports_sent(user=alice, year=2025).count() == 0
    assert selectors.statistics(user=alice)["police_reports"] == 1
    with pytest.raises(CaseError):
        police_report_mark_sent(
            report=PoliceReport.objects.get(pk=report.pk), user=bob, sent_on=date(2026, 3, 5)
        )
    assert case.events.filter(action="police report sent").count() == 1


def test_the_case_page_registers_a_draft_as_sent(case_of, personas, login, client):
    alice, bob = personas["coordinator"], personas["investigator"]
    case = advance(case_of(alice, members=[bob]), alice, State.ASSESSMENT, State.INVESTIGATION)
    report = police_report_record(
        case=case,
        user=bob,
        offences=["bedrageri"],
        facts="Fakturan avsåg inget.",
        checklist={"deception": True},
    )
    login(client, bob)
    page = client.get(reverse("cases-detail", args=[case.pk])).content.decode()
    assert reverse("cases-police-sent", args=[case.pk, report.pk]) in page
    response = client.post(
        reverse("cases-police-sent", args=[case.pk, report.pk]),
        {"sent_on": "2026-02-01", "police_reference": "K-1"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.reported_on, report.police_reference) == (date(2026, 2, 1), "K-1")


def test_notifying_from_the_queue_writes_one_ledger_row(make_hit, personas, login, client):
    alice = personas["coordinator"]
    hit = make_hit(alice.municipality)
    login(client, alice)
    response = client.post(
        reverse("controls-hit-action", args=[hit.pk, "notify"]),
        {
            "notify-authority": "forsakringskassan",
            "notify-legal_ground": "2008:206",
            "notify-note": "Bostadsbidrag betalas till en person som enligt folkbokföringen har avlidit.",
        },
    )
    assert response.status_code == 302
    rows = Notification.objects.filter(municipality=alice.municipality)
    assert rows.count() == 1
    row = rows.get()
    assert (row.hit_id, row.case_id, row.recipient, row.direction) == (
        hit.pk,
        None,
        "forsakringskassan",
        "outgoing",
    )
    hit.refresh_from_db()
    assert hit.status == "notified"
    assert list(selectors.ledger_list(user=alice)) == [row]
    assert selectors.notifications_recorded(user=alice).count() == 1
    assert selectors.statistics(user=alice)["notifications_total"] == 1
    ledger = client.get(reverse("cases-ledger")).content.decode()
    assert reverse("controls-hit", args=[hit.pk]) in ledger


def test_notifying_from_a_case_writes_one_ledger_row(case_of, personas):
    alice = personas["coordinator"]
    case = case_of(alice)
    notification_record(
        case=case,
        user=alice,
        recipient="ekobrottsmyndigheten",
        legal_ground="osl_10_15a",
        shared="Underlag om fakturor.",
        sent_on=date(2026, 1, 10),
    )
    assert selectors.notifications_recorded(user=alice).count() == 1
    assert selectors.notifications_recorded(user=alice, year=2026).count() == 1


def test_a_ground_is_refused_before_it_came_into_force(case_of, personas):
    alice = personas["coordinator"]
    with pytest.raises(CaseError):
        notification_record(
            case=case_of(alice),
            user=alice,
            recipient="lansstyrelsen",
            legal_ground="osl_10_15a",
            shared="Uppgifter.",
            sent_on=date(2025, 11, 30),
        )
    assert Notification.objects.count() == 0


def test_incoming_information_is_registered_beside_outgoing(case_of, personas, login, client):
    alice = personas["coordinator"]
    case = case_of(alice)
    incoming_record(
        user=alice,
        recipient="forsakringskassan",
        legal_ground="2024:307",
        shared="Begäran om uppgift om utbetalt ekonomiskt bistånd för mars 2026.",
        received_on=date(2026, 4, 2),
        case=case,
        answer="Uppgifterna lämnades.",
        answered_on=date(2026, 4, 3),
    )
    assert selectors.notifications_recorded(user=alice).count() == 0
    assert selectors.notifications_recorded(user=alice, direction="incoming").count() == 1
    assert selectors.statistics(user=alice)["incoming_total"] == 1
    login(client, alice)
    response = client.post(
        reverse("cases-ledger"),
        {
            "recipient": "lansstyrelsen",
            "legal_ground": "2024:307",
            "shared": "Fråga om föreningsbidrag.",
            "received_on": "2026-04-05",
            "case_number": "",
            "answer": "",
            "answered_on": "",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("cases-ledger") + "?direction=incoming").content.decode()
    assert "Fråga om föreningsbidrag." in page and "Uppgifterna lämnades." in page
    assert Notification.objects.filter(direction="incoming").count() == 2


def test_the_cases_export_counts_sent_police_reports_and_writes_swedish_time(case_of, personas):
    from datetime import UTC, datetime

    from tillit.cases.cli import export_rows
    from tillit.cases.models import Case

    alice, bob = personas["coordinator"], personas["investigator"]
    case = advance(case_of(alice, members=[bob]), alice, State.ASSESSMENT, State.INVESTIGATION)
    Case.objects.filter(pk=case.pk).update(opened_at=datetime(2026, 6, 30, 22, 15, tzinfo=UTC))
    police_report_record(
        case=case, user=bob, offences=["bedrageri"], facts="x", checklist={"deception": True}
    )
    police_report_record(
        case=case,
        user=bob,
        offences=["bedrageri"],
        facts="y",
        checklist={"deception": True},
        reported_on=date(2026, 7, 1),
    )
    [row] = list(export_rows(Case.objects.filter(pk=case.pk), personal=False))
    assert row["opened_at"].startswith("2026-07-01T00:15") and row["opened_at"].endswith("+02:00")
    assert (row["police_reports"], row["police_reports_sent"]) == (2, 1)
