"""Reads of the plans app: deadlines, progress roll-up, indicators, reviews due."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from tillit.accounts.access import scoped
from tillit.plans.models import (
    ActionPlan,
    Attendance,
    IndicatorSource,
    Measure,
    Routine,
    TrainingOccasion,
)

ACTIVE = (Measure.Status.PLANNED, Measure.Status.ONGOING)


def deadlines(municipality, start: date, end: date) -> list[dict]:
    """Open measures due between start and end (inclusive), for the overview's calendar.

    Each item: label, due (a date), url, kind="measure". Done and cancelled measures are left out.
    """
    measures = (
        Measure.objects.filter(
            municipality=municipality, status__in=ACTIVE, deadline__gte=start, deadline__lte=end
        )
        .select_related("area__plan")
        .order_by("deadline", "code")
    )
    return [
        {
            "label": f"{m.code} {m.text}" if len(m.text) <= 120 else f"{m.code} {m.text[:117]}…",
            "due": m.deadline,
            "url": reverse("plans-measure", args=[m.pk]),
            "kind": "measure",
            "plan": m.area.plan.title,
            "overdue": m.deadline < timezone.localdate(),
        }
        for m in measures
    ]


def plan_list(*, user) -> QuerySet[ActionPlan]:
    return scoped(ActionPlan.objects.all(), user)


def measure_list(
    *,
    user,
    plan: ActionPlan | None = None,
    status: str = "",
    overdue: bool = False,
    today: date | None = None,
) -> QuerySet[Measure]:
    measures = scoped(Measure.objects.all(), user).select_related("area__plan")
    if plan is not None:
        measures = measures.filter(area__plan=plan)
    if status:
        measures = measures.filter(status=status)
    if overdue:
        measures = measures.filter(status__in=ACTIVE, deadline__lt=today or timezone.localdate())
    return measures


# --- indicators ------------------------------------------------------------------------------------


def _count_workshops(municipality, start: date | None, end: date) -> int | None:
    try:
        from tillit.risks import models as risk_models
    except ImportError:  # the risk analysis is not installed
        return None
    workshop = getattr(risk_models, "Workshop", None)
    if workshop is None:
        return None
    qs = workshop.objects.filter(municipality=municipality)
    field = next((f for f in ("held_on", "date", "held_at") if _has_field(workshop, f)), None)
    if field:
        qs = qs.filter(**{f"{field}__lte": end})
        if start:
            qs = qs.filter(**{f"{field}__gte": start})
    if _has_field(workshop, "status"):
        held = [
            v
            for v in ("held", "done", "closed", "finished", "agreed")
            if v in _choices(workshop, "status")
        ]
        if held:
            qs = qs.filter(status__in=held)
    return qs.count()


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def _choices(model, name: str) -> list[str]:
    return [c[0] for c in (model._meta.get_field(name).choices or [])]


def _count_tips(municipality, start: date | None, end: date) -> int | None:
    """Tips from the public received in the period (counted, never read: the content stays encrypted)."""
    try:
        from tillit.tips.models import Channel, Report
    except ImportError:  # the tips app is not installed
        return None
    qs = Report.objects.filter(
        municipality=municipality, channel=Channel.TIPS, received_at__date__lte=end
    )
    if start:
        qs = qs.filter(received_at__date__gte=start)
    return qs.count()


def trained(municipality, start: date | None, end: date) -> int:
    qs = Attendance.objects.filter(municipality=municipality, occasion__held_on__lte=end)
    if start:
        qs = qs.filter(occasion__held_on__gte=start)
    return qs.aggregate(n=Sum("participants"))["n"] or 0


def outcomes(municipality, start: date | None, end: date) -> dict:
    """Oskarshamn 5.2: irregularities found and what was done about them, in the period."""
    from django.db.models import Q

    from tillit.cases.models import (
        Case,
        Notification,
        OtherOutcome,
        PoliceReport,
        RecoveryClaim,
        Sanction,
    )

    def between(qs, field):
        qs = qs.filter(**{f"{field}__lte": end})
        return qs.filter(**{f"{field}__gte": start}) if start else qs

    cases = Case.objects.filter(municipality=municipality)
    opened = between(cases, "opened_at__date")
    confirmed = opened.filter(
        Q(recovery_claims__isnull=False)
        | Q(police_reports__isnull=False)
        | Q(notifications__isnull=False)
        | Q(sanctions__isnull=False)
        | Q(
            other_outcomes__kind__in=[
                OtherOutcome.Kind.CORRECTED_PAYMENT,
                OtherOutcome.Kind.CHANGED_DECISION,
            ]
        )
    ).distinct()
    notifications = between(Notification.objects.filter(municipality=municipality), "sent_on")
    police = between(PoliceReport.objects.filter(municipality=municipality), "reported_on")
    claims = between(RecoveryClaim.objects.filter(municipality=municipality), "decision_date")
    return {
        "cases_opened": opened.count(),
        "irregularities": confirmed.count(),
        "police_reports": police.count(),
        "skv_notifications": notifications.filter(recipient=Notification.Recipient.SKV).count(),
        "other_notifications": notifications.exclude(recipient=Notification.Recipient.SKV).count(),
        "recovery_claims": claims.count(),
        "recovery_amount": str(claims.aggregate(s=Sum("amount"))["s"] or Decimal(0)),
        "sanctions": between(
            Sanction.objects.filter(municipality=municipality), "decided_on"
        ).count(),
    }


def computed_indicator(measure: Measure, today: date | None = None) -> Decimal | None:
    """The indicator's value from the system over the plan's period up to today; None when manual
    or when the source is not installed."""
    today = today or timezone.localdate()
    municipality = measure.municipality
    start = measure.area.plan.period_start if measure.area_id else None
    if measure.start and (start is None or measure.start < start):
        start = measure.start
    source = measure.indicator_source
    value: int | None
    if source == IndicatorSource.MANUAL:
        return None
    if source == IndicatorSource.WORKSHOPS:
        value = _count_workshops(municipality, start, today)
    elif source == IndicatorSource.TRAINED:
        value = trained(municipality, start, today)
    elif source == IndicatorSource.TRAININGS:
        qs = TrainingOccasion.objects.filter(municipality=municipality, held_on__lte=today)
        value = (qs.filter(held_on__gte=start) if start else qs).count()
    elif source == IndicatorSource.TIPS:
        value = _count_tips(municipality, start, today)
    elif source == IndicatorSource.ROUTINES:
        qs = Routine.objects.filter(
            municipality=municipality,
            retired=False,
            decided_on__isnull=False,
            decided_on__lte=today,
        )
        value = (qs.filter(decided_on__gte=start) if start else qs).count()
    else:
        figures = outcomes(municipality, start, today)
        value = {
            IndicatorSource.IRREGULARITIES: figures["irregularities"],
            IndicatorSource.POLICE_REPORTS: figures["police_reports"],
            IndicatorSource.SKV_NOTIFICATIONS: figures["skv_notifications"],
            IndicatorSource.NOTIFICATIONS: figures["other_notifications"],
        }.get(source)
    return None if value is None else Decimal(value)


def indicator_state(measure: Measure, today: date | None = None) -> dict:
    """The indicator's current value, when it was measured, and whether it is stale.

    A computed indicator is measured now. One entered by hand is stale when the measure has
    started, is still open, and no value was entered within its period (default six months,
    the twice-yearly status report).
    """
    today = today or timezone.localdate()
    if measure.indicator_source != IndicatorSource.MANUAL:
        value = computed_indicator(measure, today)
        return {
            "value": value,
            "measured_on": today if value is not None else None,
            "computed": True,
            "stale": False,
            "available": value is not None,
        }
    latest = next(
        iter(
            sorted(
                (v for v in measure.indicator_values.all() if v.measured_on <= today),
                key=lambda v: (v.measured_on, v.pk),
                reverse=True,
            )
        ),
        None,
    )
    started = measure.start is None or measure.start <= today
    period = timedelta(days=round(30.44 * max(1, measure.indicator_period_months)))
    stale = bool(
        measure.indicator
        and measure.is_active
        and started
        and (latest is None or latest.measured_on < today - period)
    )
    return {
        "value": latest.value if latest else None,
        "measured_on": latest.measured_on if latest else None,
        "computed": False,
        "stale": stale,
        "available": True,
    }


# --- progress --------------------------------------------------------------------------------------


def status_on(measure: Measure, day: date, today: date | None = None) -> tuple[str, int]:
    """The measure's status and noted progress on a day, from its progress notes.

    Today and later: as it is now. Earlier: the latest note written on or before the day; a
    measure with notes but none yet by then had not started; one without notes (set when it was
    made or imported) has no history and keeps its status.
    """
    today = today or timezone.localdate()
    if day >= today:
        return measure.status, measure.progress
    notes = sorted(measure.notes.all(), key=lambda n: (n.written_on, n.pk))
    before = [n for n in notes if n.written_on <= day]
    if before:
        return before[-1].status, before[-1].progress
    if notes:
        return Measure.Status.PLANNED, 0
    return measure.status, measure.progress


def measure_progress(
    measure: Measure,
    indicator: dict | None = None,
    *,
    status: str | None = None,
    progress: int | None = None,
) -> int:
    """Done = 100; otherwise the larger of the progress noted and the indicator's share of its target."""
    status = measure.status if status is None else status
    if status == Measure.Status.DONE:
        return 100
    progress = min(100, measure.progress if progress is None else progress)
    if indicator and indicator.get("value") is not None and measure.target_value:
        share = int(Decimal(indicator["value"]) * 100 / measure.target_value)
        progress = max(progress, min(99, share))  # only marking it done makes it 100
    return progress


def plan_progress(plan: ActionPlan, today: date | None = None) -> dict:
    """Measures -> activity areas -> plan, as on `today` (a report date). An area's progress is the
    mean of its measures (cancelled ones left out); the plan's is the mean of its areas that have
    measures. A past date reads each measure's status from its progress notes (status_on)."""
    today = today or timezone.localdate()
    areas = []
    measures_all = []
    for area in plan.areas.all().prefetch_related("measures__indicator_values", "measures__notes"):
        rows = []
        for m in area.measures.all():
            indicator = indicator_state(m, today)
            status, noted = status_on(m, today)
            active = status in ACTIVE
            row = {
                "measure": m,
                "code": m.code,
                "text": m.text,
                "responsible": m.responsible,
                "start": m.start,
                "deadline": m.deadline,
                "start_text": m.start_text,
                "deadline_text": m.deadline_text,
                "status": status,
                "status_label": Measure.Status(status).label,
                "indicator": m.indicator,
                "indicator_state": indicator,
                "target_value": m.target_value,
                "progress": measure_progress(m, indicator, status=status, progress=noted),
                "overdue": bool(active and m.deadline and m.deadline < today),
                "due_soon": bool(
                    active and m.deadline and today <= m.deadline <= today + timedelta(days=30)
                ),
            }
            rows.append(row)
        counted = [r["progress"] for r in rows if r["status"] != Measure.Status.CANCELLED]
        areas.append(
            {
                "area": area,
                "number": area.number,
                "title": area.title,
                "measures": rows,
                "progress": round(sum(counted) / len(counted)) if counted else None,
                "done": sum(1 for r in rows if r["status"] == Measure.Status.DONE),
                "overdue": sum(1 for r in rows if r["overdue"]),
                "count": len(rows),
            }
        )
        measures_all.extend(rows)
    with_progress = [a["progress"] for a in areas if a["progress"] is not None]
    return {
        "plan": plan,
        "areas": areas,
        "progress": round(sum(with_progress) / len(with_progress)) if with_progress else 0,
        "count": len(measures_all),
        "done": sum(1 for r in measures_all if r["status"] == Measure.Status.DONE),
        "overdue": [r for r in measures_all if r["overdue"]],
        "stale": [r for r in measures_all if r["indicator_state"]["stale"]],
        "due_soon": [r for r in measures_all if r["due_soon"]],
    }


# --- routines --------------------------------------------------------------------------------------


def routine_list(*, user, include_retired: bool = False) -> QuerySet[Routine]:
    qs = scoped(Routine.objects.all(), user)
    return qs if include_retired else qs.filter(retired=False)


def routines_due(municipality, today: date | None = None) -> list[Routine]:
    today = today or timezone.localdate()
    return [
        r
        for r in Routine.objects.filter(
            municipality=municipality, retired=False, next_review__lte=today + timedelta(days=30)
        ).order_by("next_review")
    ]


def routine_for_case_step(municipality, step: str) -> Routine | None:
    """The routine that governs a case step (a case state or an outcome kind such as police_report).

    For the cases app: link each step to the routine that governs it. The most recently decided
    routine that names the step wins.
    """
    candidates = [
        r
        for r in Routine.objects.filter(municipality=municipality, retired=False).order_by(
            "-decided_on", "-id"
        )
        if step in (r.case_steps or [])
    ]
    return candidates[0] if candidates else None


def routines_by_case_step(municipality) -> dict[str, Routine]:
    found: dict[str, Routine] = {}
    for routine in Routine.objects.filter(municipality=municipality, retired=False).order_by(
        "-decided_on", "-id"
    ):
        for step in routine.case_steps or []:
            found.setdefault(step, routine)
    return found
