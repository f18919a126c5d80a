"""The demo municipality runs Oskarshamn's 2026–2028 action plan, with a routine and a course."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from tillit.plans.models import ActionPlan


def demo_plan(municipality, args) -> None:
    from tillit.accounts.models import Unit
    from tillit.plans import services

    if ActionPlan.objects.filter(municipality=municipality).exists():
        return
    plan = services.plan_import_seeded(
        municipality=municipality, user=None, key="oskarshamn-2026-2028"
    )
    _demo_progress(plan)
    print(
        _("Action plan: %(title)s (%(n)s measures).")
        % {"title": plan.title, "n": sum(a.measures.count() for a in plan.areas.all())},
        flush=True,
    )
    services.routine_create(
        municipality=municipality,
        user=None,
        title="Rutin vid misstanke om bidragsbrott",
        kind="routine",
        owner="Socialförvaltningen, enhetschef ekonomiskt bistånd",
        version="1.2",
        decided_by="Socialnämnden",
        decided_on=date(2025, 3, 18),
        next_review=date(2026, 3, 18),
        laws=[
            "Bidragsbrottslag (2007:612)",
            "Offentlighets- och sekretesslag (2009:400) 10 kap. 2 §",
        ],
        case_steps=["police_report"],
        summary="När och hur misstänkta bidragsbrott anmäls till Polismyndigheten.",
    )
    services.routine_create(
        municipality=municipality,
        user=None,
        title="Rutin för underrättelser om felaktiga utbetalningar",
        kind="routine",
        owner="Socialförvaltningen",
        version="2",
        decided_by="Socialnämnden",
        decided_on=date(2025, 9, 1),
        next_review=date(2027, 9, 1),
        laws=[
            "Lag (2008:206) om underrättelseskyldighet vid felaktiga utbetalningar från välfärdssystemen",
            "Lag (2024:307) om uppgiftsskyldighet",
        ],
        case_steps=["notification"],
    )
    course = services.course_create(
        municipality=municipality,
        user=None,
        title="Välfärdsbrott och otillåten påverkan – grundkurs",
        target_group="Handläggare och chefer",
        hours=3,
    )
    units = list(Unit.objects.filter(municipality=municipality)[:2])
    attendance = [(unit, "", 12) for unit in units] or [(None, "Förvaltningsledningsgrupper", 12)]
    services.occasion_create(
        course=course,
        user=None,
        held_on=date(2026, 10, 6),
        place="Stadshuset",
        attendance=[*attendance, (None, "Förtroendevalda", 7)],
    )


def _demo_progress(plan) -> None:
    """The plan in use: measures due before the plan took effect are done, started ones under way."""
    from django.utils import timezone

    from tillit.plans import services
    from tillit.plans.models import Measure

    today = timezone.localdate()
    for measure in Measure.objects.filter(area__plan=plan).order_by("deadline"):
        if measure.deadline and measure.deadline < plan.period_start:
            services.measure_note_add(
                measure=measure,
                user=None,
                status=Measure.Status.DONE,
                progress=100,
                text="Genomfört enligt plan.",
                written_on=measure.deadline,
            )
        elif (
            measure.start
            and measure.start <= today
            and (measure.deadline is None or measure.deadline >= today)
        ):
            services.measure_note_add(
                measure=measure,
                user=None,
                status=Measure.Status.ONGOING,
                progress=30,
                text="Arbetet har påbörjats.",
                written_on=max(measure.start, today.replace(day=1)),
            )
