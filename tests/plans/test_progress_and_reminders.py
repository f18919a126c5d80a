"""Progress rolls up, overdue and stale stand out, deadlines for the overview, reminders 30/7/1 days before."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import time_machine

from tillit.plans import selectors, services
from tillit.plans.models import IndicatorSource, Measure, Reminder


def test_progress_rolls_up_from_measures_to_areas_to_the_plan(plan, measure_in, personas):
    a = measure_in(plan, "1", progress=50)
    measure_in(plan, "1", status=Measure.Status.DONE)
    measure_in(plan, "1", status=Measure.Status.CANCELLED, progress=0)  # left out of the mean
    measure_in(plan, "2", progress=20)
    progress = selectors.plan_progress(plan, date(2026, 12, 1))
    area1, area2 = progress["areas"]
    assert area1["progress"] == 75  # (50 + 100) / 2
    assert area2["progress"] == 20
    assert progress["progress"] == round((75 + 20) / 2)
    assert progress["done"] == 1 and progress["count"] == 4
    services.measure_note_add(
        measure=a, user=personas["coordinator"], text="Klart", status="done", progress=40
    )
    a.refresh_from_db()
    assert (a.status, a.progress, a.done_on is not None) == ("done", 100, True)
    assert selectors.plan_progress(plan)["areas"][0]["progress"] == 100  # as of today


def test_an_indicator_with_a_target_moves_progress_but_only_done_makes_it_whole(
    plan, measure_in, personas
):
    m = measure_in(plan, "2", indicator="Antal utbildade", target_value=Decimal(200))
    with time_machine.travel(date(2026, 12, 1)):
        services.indicator_value_add(
            measure=m,
            user=personas["coordinator"],
            value=Decimal(50),
            measured_on=date(2026, 11, 30),
        )
        assert selectors.measure_progress(m, selectors.indicator_state(m)) == 25
        services.indicator_value_add(
            measure=m,
            user=personas["coordinator"],
            value=Decimal(400),
            measured_on=date(2026, 12, 1),
        )
        assert selectors.measure_progress(m, selectors.indicator_state(m)) == 99


def test_overdue_measures_stand_out_and_done_ones_do_not(plan, measure_in):
    late = measure_in(plan, "1", deadline=date(2026, 11, 30))
    measure_in(plan, "1", deadline=date(2026, 11, 30), status=Measure.Status.DONE)
    measure_in(plan, "1", deadline=date(2026, 12, 31))
    progress = selectors.plan_progress(plan, date(2026, 12, 2))
    assert [r["measure"] for r in progress["overdue"]] == [late]
    assert late.is_overdue(date(2026, 12, 2)) and not late.is_overdue(date(2026, 11, 30))


def test_a_hand_entered_indicator_not_updated_in_its_period_goes_stale(plan, measure_in, personas):
    m = measure_in(
        plan, "1", indicator="Antal rutiner", start=date(2026, 1, 1), indicator_period_months=6
    )
    assert (
        selectors.indicator_state(m, date(2026, 3, 1))["stale"] is True
    )  # started, never measured
    with time_machine.travel(date(2026, 3, 1)):
        services.indicator_value_add(
            measure=m, user=personas["coordinator"], value=Decimal(2), measured_on=date(2026, 3, 1)
        )
    assert selectors.indicator_state(m, date(2026, 8, 1))["stale"] is False
    assert selectors.indicator_state(m, date(2026, 9, 15))["stale"] is True  # more than six months
    not_started = measure_in(plan, "1", indicator="X", start=date(2027, 1, 1))
    assert selectors.indicator_state(not_started, date(2026, 9, 15))["stale"] is False


def test_computed_indicators_count_trained_staff_and_outcomes(plan, measure_in, personas, kommun_a):
    from tillit.accounts.services import unit_create

    unit = unit_create(municipality=kommun_a, name="Socialförvaltningen")
    trained = measure_in(
        plan,
        "2",
        indicator="Hur många som har gått utbildningen",
        indicator_source=IndicatorSource.TRAINED,
    )
    course = services.course_create(
        municipality=kommun_a, user=personas["coordinator"], title="Grundkurs"
    )
    services.occasion_create(
        course=course,
        user=None,
        held_on=date(2026, 5, 4),
        attendance=[(unit, "", 14), (None, "Förtroendevalda", 6)],
    )
    services.occasion_create(
        course=course, user=None, held_on=date(2025, 5, 4), attendance=[(unit, "", 9)]
    )
    state = selectors.indicator_state(trained, date(2026, 6, 1))
    assert (
        state["computed"] and state["value"] == 20
    )  # the 2025 occasion is before the plan's period
    irregularities = measure_in(plan, "2", indicator_source=IndicatorSource.IRREGULARITIES)
    assert selectors.indicator_state(irregularities, date(2026, 6, 1))["value"] == 0


def test_deadlines_for_the_overview(plan, measure_in, kommun_a, kommun_b):
    m = measure_in(
        plan,
        "1",
        code="4.12",
        text="Inrätta tipsfunktion för allmänheten",
        deadline=date(2026, 12, 31),
    )
    measure_in(plan, "1", deadline=date(2026, 12, 15), status=Measure.Status.DONE)
    measure_in(plan, "1", deadline=date(2027, 2, 1))
    items = selectors.deadlines(kommun_a, date(2026, 12, 1), date(2026, 12, 31))
    assert items == [
        {
            "label": "4.12 Inrätta tipsfunktion för allmänheten",
            "due": date(2026, 12, 31),
            "url": f"/handlingsplan/atgard/{m.pk}/",
            "kind": "measure",
            "plan": plan.title,
            "overdue": items[0]["overdue"],
        }
    ]
    assert selectors.deadlines(kommun_b, date(2026, 1, 1), date(2028, 12, 31)) == []


def test_reminders_come_30_7_and_1_days_before_and_never_twice(plan, measure_in, personas):
    m = measure_in(plan, "1", deadline=date(2027, 3, 31), responsible_user=personas["controller"])
    measure_in(plan, "1", deadline=date(2027, 3, 31), status=Measure.Status.DONE)
    made = []
    day = date(2027, 2, 20)
    while day <= date(2027, 3, 31):
        with time_machine.travel(day):
            made += [(r.days_before, r.created_on) for r in services.reminders_send()]
            services.reminders_send()  # run twice the same day: nothing new
        day = date.fromordinal(day.toordinal() + 1)
    assert made == [(30, date(2027, 3, 1)), (7, date(2027, 3, 24)), (1, date(2027, 3, 30))]
    reminder = Reminder.objects.get(measure=m, days_before=7)
    assert set(reminder.recipients) == {personas["coordinator"].pk, personas["controller"].pk}
    with time_machine.travel(date(2027, 3, 25)):
        assert [r.measure for r in services.reminders_for(personas["controller"])] == [m, m]
        assert services.reminders_for(personas["investigator"]) == []


def test_a_missed_day_is_caught_up_with_the_nearest_step_only(plan, measure_in):
    measure_in(plan, "1", deadline=date(2027, 3, 31))
    with time_machine.travel(date(2027, 3, 27)):  # the job did not run for a month
        assert [r.days_before for r in services.reminders_send()] == [7]


def test_the_remind_command_runs_for_a_given_day(plan, measure_in, capsys):
    from tillit.cli import main

    measure_in(plan, "1", code="1.9", deadline=date(2027, 3, 31))
    assert main(["plans", "remind", "--today", "2027-03-01"]) == 0
    out = capsys.readouterr().out
    assert "1.9" in out and "2027-03-31" in out
    assert Reminder.objects.filter(days_before=30).count() == 1


def test_bad_measures_are_refused_with_a_reason_and_nothing_changes(plan, measure_in):
    import pytest

    from tillit.plans.services import PlanError

    measure_in(plan, "1", code="1.1")
    with pytest.raises(PlanError, match="1.1"):
        measure_in(plan, "2", code="1.1")
    with pytest.raises(PlanError, match="2027-01-01"):
        measure_in(plan, "1", code="1.5", start=date(2027, 1, 1), deadline=date(2026, 1, 1))
    assert Measure.objects.filter(area__plan=plan).count() == 1


def test_the_routine_for_a_case_step(kommun_a, kommun_b, personas):
    from tillit.plans.models import Routine

    old = services.routine_create(
        municipality=kommun_a,
        user=None,
        title="Polisanmälan 2023",
        owner="IFO",
        decided_on=date(2023, 1, 1),
        case_steps=["police_report"],
    )
    new = services.routine_create(
        municipality=kommun_a,
        user=None,
        title="Polisanmälan 2025",
        owner="IFO",
        decided_on=date(2025, 1, 1),
        case_steps=["police_report", "investigation"],
    )
    assert selectors.routine_for_case_step(kommun_a, "police_report") == new
    assert selectors.routine_for_case_step(kommun_b, "police_report") is None
    assert selectors.routines_by_case_step(kommun_a) == {"police_report": new, "investigation": new}
    new.retired = True
    new.save()
    assert selectors.routine_for_case_step(kommun_a, "police_report") == old
    assert old.review_state(date(2026, 1, 1)) == ""
    old.next_review = date(2026, 1, 20)
    assert (
        old.review_state(date(2026, 1, 1)) == "due"
        and old.review_state(date(2026, 2, 1)) == "overdue"
    )
    assert isinstance(old, Routine)


def test_a_crime_proofing_finding_becomes_a_measure_linked_to_its_risk_area(
    plan, personas, kommun_a
):
    from tillit.risks.models import RiskArea, RuleFinding, RuleReview

    area = RiskArea.objects.create(municipality=kommun_a, code="R-FOR", name="Föreningsbidrag")
    review = RuleReview.objects.create(
        municipality=kommun_a, title="Regler för föreningsbidrag", reviewed_on=date(2026, 11, 1)
    )
    finding = RuleFinding.objects.create(
        municipality=kommun_a,
        review=review,
        section="§ 4",
        step="1",
        opening="Samma förening kan söka hos flera nämnder",
        suggestion="Samordna ansökningar mellan nämnderna",
    )
    with time_machine.travel(date(2026, 12, 2)):
        measure = services.measure_from_finding(
            finding=finding, risk_area=area, user=personas["coordinator"]
        )
        again = services.measure_from_finding(
            finding=finding, risk_area=area, user=personas["coordinator"]
        )
    assert measure.area.plan == plan and measure.area.number == "3" and measure.code == "3.1"
    assert again.code == "3.2"
    assert measure.text == "Samordna ansökningar mellan nämnderna" and "§ 4" in measure.description
    assert list(measure.risk_areas.all()) == [area]


def test_tips_and_workshops_are_counted_from_their_apps(plan, measure_in, kommun_a):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tillit.risks.models import Workshop
    from tillit.tips.models import Channel, Report

    tz = ZoneInfo("Europe/Stockholm")
    for n, (channel, day) in enumerate(
        [(Channel.TIPS, 3), (Channel.TIPS, 4), (Channel.WHISTLEBLOWING, 5)]
    ):
        Report.objects.create(
            municipality=kommun_a,
            channel=channel,
            reference=f"T-{n}",
            lookup="1234",
            code_hash="x",
            reporter_salt=b"",
            reporter_key=b"",
            content=b"",
            received_at=datetime(2026, 3, day, 12, tzinfo=tz),
        )
    tips = measure_in(plan, "2", indicator="Antal tips", indicator_source=IndicatorSource.TIPS)
    assert (
        selectors.indicator_state(tips, date(2026, 6, 1))["value"] == 2
    )  # the whistleblowing report is not a tip
    Workshop.objects.create(
        municipality=kommun_a,
        title="Hemtjänst",
        held_on=date(2026, 4, 1),
        status=Workshop.Status.CLOSED,
    )
    Workshop.objects.create(
        municipality=kommun_a,
        title="Bistånd",
        held_on=date(2026, 5, 1),
        status=Workshop.Status.SCORING,
    )
    workshops = measure_in(
        plan, "2", indicator="Workshops genomförda", indicator_source=IndicatorSource.WORKSHOPS
    )
    assert (
        selectors.indicator_state(workshops, date(2026, 6, 1))["value"] == 1
    )  # only the closed one is held


def test_a_report_date_in_the_past_reads_the_status_from_the_progress_notes(
    plan, measure_in, personas
):
    m = measure_in(plan, "1", deadline=date(2026, 9, 30))
    with time_machine.travel(date(2026, 12, 2)):
        services.measure_note_add(
            measure=m,
            user=personas["coordinator"],
            text="Påbörjad",
            status="ongoing",
            progress=40,
            written_on=date(2026, 8, 1),
        )
        services.measure_note_add(
            measure=m,
            user=personas["coordinator"],
            text="Klar",
            status="done",
            progress=100,
            written_on=date(2026, 11, 15),
        )
        assert selectors.status_on(m, date(2026, 7, 1)) == ("planned", 0)
        assert selectors.status_on(m, date(2026, 10, 1)) == ("ongoing", 40)
        october = selectors.plan_progress(plan, date(2026, 10, 1))
        assert [r["measure"] for r in october["overdue"]] == [m]  # late then, done now
        assert october["areas"][0]["progress"] == 40
        december = selectors.plan_progress(plan, date(2026, 12, 2))
        assert december["overdue"] == [] and december["done"] == 1
