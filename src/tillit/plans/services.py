"""Writes of the plans app: one transaction each, with its audit event in the same call."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.accounts.models import Role, User
from tillit.plans.models import (
    ActionPlan,
    ActivityArea,
    Attendance,
    Course,
    IndicatorValue,
    Measure,
    MeasureNote,
    PlanEvent,
    Reminder,
    Routine,
    TrainingOccasion,
)

REMINDER_DAYS = (30, 7, 1)

# The seeded plans shipped with Tillit (package data; see each file's "source").
SEEDED_PLANS = {
    "oskarshamn-2026-2028": "oskarshamn-2026-2028.json",
    "malmo-2023": "malmo-2023.json",
}


class PlanError(ValueError):
    """Bad input: the message says what and where, in the user's language; nothing was changed."""


def _event(*, municipality, user, action: str, obj, detail: dict | None = None) -> None:
    PlanEvent.objects.create(
        municipality=municipality,
        user=user if getattr(user, "pk", None) else None,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        detail=detail or {},
    )


# --- plans, areas and measures ---------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    municipality,
    user,
    title: str,
    period_start: date,
    period_end: date,
    decided: str = "",
    description: str = "",
    source: str = "",
    origin: dict | None = None,
) -> ActionPlan:
    if period_end < period_start:
        raise PlanError(_("The period ends before it starts."))
    plan = ActionPlan.objects.create(
        municipality=municipality,
        title=title,
        period_start=period_start,
        period_end=period_end,
        decided=decided,
        description=description,
        source=source,
        origin=origin or {},
    )
    _event(municipality=municipality, user=user, action="plan_create", obj=plan)
    return plan


@transaction.atomic
def plan_update(
    *,
    plan: ActionPlan,
    user,
    title: str,
    period_start: date,
    period_end: date,
    decided: str = "",
    description: str = "",
) -> ActionPlan:
    if period_end < period_start:
        raise PlanError(_("The period ends before it starts."))
    before = {"title": plan.title, "period": f"{plan.period_start}–{plan.period_end}"}
    plan.title, plan.period_start, plan.period_end = title, period_start, period_end
    plan.decided, plan.description = decided, description
    plan.save()
    _event(
        municipality=plan.municipality,
        user=user,
        action="plan_update",
        obj=plan,
        detail={"before": before},
    )
    return plan


@transaction.atomic
def area_create(
    *, plan: ActionPlan, user, number: str, title: str, description: str = ""
) -> ActivityArea:
    order = plan.areas.count() + 1
    area = ActivityArea.objects.create(
        municipality=plan.municipality,
        plan=plan,
        number=number,
        title=title,
        description=description,
        order=order,
    )
    _event(municipality=plan.municipality, user=user, action="area_create", obj=area)
    return area


MEASURE_FIELDS = (
    "code",
    "text",
    "description",
    "responsible",
    "responsible_unit",
    "responsible_user",
    "start",
    "deadline",
    "start_text",
    "deadline_text",
    "indicator",
    "indicator_source",
    "indicator_period_months",
    "target_value",
    "status",
    "progress",
    "control_ids",
    "links",
)


def _check_measure(area: ActivityArea, fields: dict, measure: Measure | None = None) -> None:
    code = (fields.get("code") or "").strip()
    if not code:
        raise PlanError(_("The measure needs a number, for example 4.12."))
    clash = Measure.objects.filter(area__plan=area.plan, code=code)
    if measure is not None:
        clash = clash.exclude(pk=measure.pk)
    if clash.exists():
        raise PlanError(_("The plan already has a measure numbered %(code)s.") % {"code": code})
    start, deadline = fields.get("start"), fields.get("deadline")
    if start and deadline and deadline < start:
        raise PlanError(
            _("Measure %(code)s: the deadline %(deadline)s is before the start %(start)s.")
            % {"code": code, "deadline": deadline.isoformat(), "start": start.isoformat()}
        )
    progress = fields.get("progress")
    if progress is not None and not 0 <= int(progress) <= 100:
        raise PlanError(_("Progress is a percentage between 0 and 100."))


@transaction.atomic
def measure_create(*, area: ActivityArea, user, risk_areas=(), **fields) -> Measure:
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise TypeError(f"unknown measure fields {sorted(unknown)}")
    _check_measure(area, fields)
    order = area.measures.count() + 1
    measure = Measure.objects.create(
        municipality=area.municipality, area=area, order=order, **fields
    )
    if measure.status == Measure.Status.DONE and not measure.done_on:
        measure.done_on = timezone.localdate()
        measure.progress = 100
        measure.save(update_fields=["done_on", "progress"])
    if risk_areas:
        measure_set_risk_areas(measure=measure, risk_areas=risk_areas)
    _event(municipality=area.municipality, user=user, action="measure_create", obj=measure)
    return measure


@transaction.atomic
def measure_update(*, measure: Measure, user, risk_areas=None, **fields) -> Measure:
    unknown = set(fields) - set(MEASURE_FIELDS) - {"area"}
    if unknown:
        raise TypeError(f"unknown measure fields {sorted(unknown)}")
    area = fields.get("area") or measure.area
    merged = {
        f: fields.get(f, getattr(measure, f)) for f in ("code", "start", "deadline", "progress")
    }
    _check_measure(area, merged, measure)
    before = {f: str(getattr(measure, f)) for f in fields}
    for name, value in fields.items():
        setattr(measure, name, value)
    _apply_status(measure, measure.status)
    measure.save()
    if risk_areas is not None:
        measure_set_risk_areas(measure=measure, risk_areas=risk_areas)
    changed = {
        f: [before[f], str(getattr(measure, f))]
        for f in fields
        if before[f] != str(getattr(measure, f))
    }
    _event(
        municipality=measure.municipality,
        user=user,
        action="measure_update",
        obj=measure,
        detail=changed,
    )
    return measure


def _apply_status(measure: Measure, status: str) -> None:
    measure.status = status
    if status == Measure.Status.DONE:
        measure.progress = 100
        measure.done_on = measure.done_on or timezone.localdate()
    else:
        measure.done_on = None
        if measure.progress >= 100:
            measure.progress = 99


def measure_set_risk_areas(*, measure: Measure, risk_areas) -> None:
    """Link the measure to risk areas of its own municipality (when the risk analysis is installed)."""
    if not hasattr(measure, "risk_areas"):
        return
    areas = list(risk_areas)
    if any(a.municipality_id != measure.municipality_id for a in areas):
        raise PlanError(_("A risk area of another municipality cannot be linked."))
    measure.risk_areas.set(areas)


@transaction.atomic
def measure_note_add(
    *, measure: Measure, user, text: str, status: str, progress: int, written_on: date | None = None
) -> MeasureNote:
    if not text.strip():
        raise PlanError(_("Write what was done in the progress note."))
    if not 0 <= progress <= 100:
        raise PlanError(_("Progress is a percentage between 0 and 100."))
    if status not in Measure.Status.values:
        raise PlanError(_("Unknown status %(status)s.") % {"status": status})
    measure.progress = progress
    _apply_status(measure, status)
    measure.save(update_fields=["status", "progress", "done_on", "updated_at"])
    note = MeasureNote.objects.create(
        municipality=measure.municipality,
        measure=measure,
        text=text.strip(),
        status=measure.status,
        progress=measure.progress,
        author=user,
        written_on=written_on or timezone.localdate(),
    )
    _event(
        municipality=measure.municipality,
        user=user,
        action="measure_note",
        obj=measure,
        detail={"status": measure.status, "progress": measure.progress},
    )
    return note


@transaction.atomic
def indicator_value_add(
    *, measure: Measure, user, value: Decimal, measured_on: date, note: str = ""
) -> IndicatorValue:
    if measured_on > timezone.localdate():
        raise PlanError(
            _("The indicator cannot be measured on a date in the future (%(date)s).")
            % {"date": measured_on.isoformat()}
        )
    row = IndicatorValue.objects.create(
        municipality=measure.municipality,
        measure=measure,
        value=value,
        measured_on=measured_on,
        note=note,
        entered_by=user,
    )
    _event(
        municipality=measure.municipality,
        user=user,
        action="indicator_value",
        obj=measure,
        detail={"value": str(value), "measured_on": measured_on.isoformat()},
    )
    return row


# --- seeded plans ----------------------------------------------------------------------------------


def seeded_plan_data(key: str) -> dict:
    if key not in SEEDED_PLANS:
        raise PlanError(_("There is no seeded plan called %(key)s.") % {"key": key})
    path = resources.files("tillit.plans") / "seeds" / SEEDED_PLANS[key]
    return json.loads(path.read_text(encoding="utf-8"))


def _parse_date(value, where: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise PlanError(
            _("%(where)s: %(value)s is not a date (write it as 2026-11-22).")
            % {"where": where, "value": value}
        ) from None


def _parse_decimal(value, where: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(" ", "").replace(",", "."))
    except ArithmeticError:
        raise PlanError(
            _("%(where)s: %(value)s is not a number.") % {"where": where, "value": value}
        ) from None


@transaction.atomic
def plan_import_data(*, municipality, user, data: dict, origin: dict | None = None) -> ActionPlan:
    """Create a plan from its plain description (the seeded JSON or a shared file's content).

    Everything is checked before anything is written; one bad measure refuses the whole file.
    """
    from tillit.plans.models import IndicatorSource

    try:
        title = str(data["title"]).strip()
        areas = data["areas"]
        if not title or not isinstance(areas, list):
            raise KeyError("title")
    except (KeyError, TypeError):
        raise PlanError(_("The plan has no title or no activity areas.")) from None
    period_start = _parse_date(data.get("period_start"), _("The plan's period"))
    period_end = _parse_date(data.get("period_end"), _("The plan's period"))
    if period_start is None or period_end is None:
        raise PlanError(_("The plan's period needs a start and an end date."))
    prepared = []
    codes: set[str] = set()
    for a_index, area in enumerate(areas, 1):
        if not isinstance(area, dict) or not str(area.get("title", "")).strip():
            raise PlanError(_("Activity area %(n)s has no title.") % {"n": a_index})
        measures = []
        for m_index, m in enumerate(area.get("measures") or [], 1):
            where = _("Activity area %(area)s, measure %(n)s") % {
                "area": area.get("number") or a_index,
                "n": m_index,
            }
            if (
                not isinstance(m, dict)
                or not str(m.get("code", "")).strip()
                or not str(m.get("text", "")).strip()
            ):
                raise PlanError(_("%(where)s has no number or no text.") % {"where": where})
            code = str(m["code"]).strip()
            if code in codes:
                raise PlanError(
                    _("The plan already has a measure numbered %(code)s.") % {"code": code}
                )
            codes.add(code)
            source = m.get("indicator_source") or IndicatorSource.MANUAL
            if source not in IndicatorSource.values:
                source = IndicatorSource.MANUAL
            status = m.get("status") or Measure.Status.PLANNED
            if status not in Measure.Status.values:
                status = Measure.Status.PLANNED
            fields = {
                "code": code,
                "text": str(m["text"]).strip(),
                "description": str(m.get("description") or ""),
                "responsible": str(m.get("responsible") or ""),
                "start": _parse_date(m.get("start"), where),
                "deadline": _parse_date(m.get("deadline"), where),
                "start_text": str(m.get("start_text") or ""),
                "deadline_text": str(m.get("deadline_text") or ""),
                "indicator": str(m.get("indicator") or ""),
                "indicator_source": source,
                "target_value": _parse_decimal(m.get("target_value"), where),
                "control_ids": [str(c) for c in (m.get("control_ids") or [])],
                "links": [
                    {"title": str(link.get("title", "")), "url": str(link.get("url", ""))}
                    for link in (m.get("links") or [])
                    if isinstance(link, dict)
                ],
                "status": status,
            }
            if fields["start"] and fields["deadline"] and fields["deadline"] < fields["start"]:
                raise PlanError(
                    _("Measure %(code)s: the deadline %(deadline)s is before the start %(start)s.")
                    % {
                        "code": code,
                        "deadline": fields["deadline"].isoformat(),
                        "start": fields["start"].isoformat(),
                    }
                )
            measures.append(fields)
        prepared.append((area, measures))
    plan_fields = {
        "title": title,
        "decided": str(data.get("decided") or ""),
        "source": str(data.get("source") or ""),
    }
    _check_lengths(ActionPlan, plan_fields, _("The plan"))
    for a_index, (area, measures) in enumerate(prepared, 1):
        number = area.get("number") or a_index
        _check_lengths(
            ActivityArea,
            {"number": str(number), "title": str(area["title"]).strip()},
            _("Activity area %(n)s") % {"n": number},
        )
        for m_index, fields in enumerate(measures, 1):
            where = _("Activity area %(area)s, measure %(n)s") % {"area": number, "n": m_index}
            _check_lengths(Measure, fields, where)
    plan = plan_create(
        municipality=municipality,
        user=user,
        period_start=period_start,
        period_end=period_end,
        description=str(data.get("description") or ""),
        origin=origin,
        **plan_fields,
    )
    for a_index, (area, measures) in enumerate(prepared, 1):
        area_obj = ActivityArea.objects.create(
            municipality=municipality,
            plan=plan,
            number=str(area.get("number") or a_index),
            title=str(area["title"]).strip(),
            description=str(area.get("description") or ""),
            order=a_index,
        )
        Measure.objects.bulk_create(
            [
                Measure(municipality=municipality, area=area_obj, order=m_index, **fields)
                for m_index, fields in enumerate(measures, 1)
            ]
        )
    _event(
        municipality=municipality,
        user=user,
        action="plan_import",
        obj=plan,
        detail={"measures": len(codes), "origin": origin or {}},
    )
    return plan


def _check_lengths(model, fields: dict, where) -> None:
    """Refuse, before anything is written, a text longer than its column holds (PostgreSQL would
    refuse it half-way; SQLite would keep it)."""
    for name, value in fields.items():
        field = next((f for f in model._meta.fields if f.name == name), None)
        if field is None:  # not a column of this model
            continue
        limit = getattr(field, "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            raise PlanError(
                _("%(where)s: %(field)s is %(length)s characters long; at most %(limit)s fit.")
                % {
                    "where": where,
                    "field": field.verbose_name,
                    "length": len(value),
                    "limit": limit,
                }
            )


def plan_import_seeded(*, municipality, user, key: str) -> ActionPlan:
    data = seeded_plan_data(key)
    return plan_import_data(
        municipality=municipality,
        user=user,
        data=data,
        origin={
            "seed": key,
            "municipality_name": data.get("municipality_name", ""),
            "source": data.get("source", ""),
        },
    )


# --- reminders -------------------------------------------------------------------------------------


def reminders_send(*, today: date | None = None, municipality=None) -> list[Reminder]:
    """Make the deadline reminders that are due today: 30, 7 and 1 days before each open measure's
    deadline. Run daily (`tillit plans remind`, and by `tillit schedule`); running it twice makes
    nothing twice, and a missed day is caught up with the nearest step only.
    """
    today = today or timezone.localdate()
    measures = Measure.objects.filter(
        status__in=(Measure.Status.PLANNED, Measure.Status.ONGOING),
        deadline__gte=today,
        deadline__lte=today + timedelta(days=max(REMINDER_DAYS)),
    )
    if municipality is not None:
        measures = measures.filter(municipality=municipality)
    made = []
    for measure in measures.select_related("responsible_user"):
        days_left = (measure.deadline - today).days
        step = min((d for d in REMINDER_DAYS if d >= days_left), default=None)
        if step is None:
            continue
        if Reminder.objects.filter(
            measure=measure, deadline=measure.deadline, days_before__lte=step
        ).exists():
            continue
        recipients = set(
            User.objects.filter(
                municipality_id=measure.municipality_id, role=Role.COORDINATOR, is_active=True
            ).values_list("pk", flat=True)
        )
        if measure.responsible_user_id:
            recipients.add(measure.responsible_user_id)
        with transaction.atomic():
            reminder, created = Reminder.objects.get_or_create(
                measure=measure,
                deadline=measure.deadline,
                days_before=step,
                defaults={
                    "municipality_id": measure.municipality_id,
                    "created_on": today,
                    "recipients": sorted(recipients),
                },
            )
        if created:
            made.append(reminder)
    return made


def reminders_for(user, *, since_days: int = 31) -> list[Reminder]:
    """The reminders addressed to the user, newest first, for measures that are still open."""
    today = timezone.localdate()
    since = today - timedelta(days=since_days)
    rows = Reminder.objects.filter(
        municipality_id=user.municipality_id,
        created_on__gte=since,
        created_on__lte=today,
        measure__status__in=(Measure.Status.PLANNED, Measure.Status.ONGOING),
    ).select_related("measure__area__plan")
    return [r for r in rows if user.pk in (r.recipients or [])]


# --- training --------------------------------------------------------------------------------------


@transaction.atomic
def course_create(
    *,
    municipality,
    user,
    title: str,
    description: str = "",
    target_group: str = "",
    hours: Decimal | None = None,
) -> Course:
    course = Course.objects.create(
        municipality=municipality,
        title=title,
        description=description,
        target_group=target_group,
        hours=hours,
    )
    _event(municipality=municipality, user=user, action="course_create", obj=course)
    return course


@transaction.atomic
def occasion_create(
    *, course: Course, user, held_on: date, place: str = "", attendance: list[tuple] = ()
) -> TrainingOccasion:
    """attendance: (unit or None, group label, participants) per row; at least one participant."""
    rows = [(unit, (group or "").strip(), int(n)) for unit, group, n in attendance if n]
    if not rows:
        raise PlanError(_("Enter how many took part, from at least one unit or group."))
    for unit, group, n in rows:
        if n < 0:
            raise PlanError(_("The number of participants cannot be negative."))
        if unit is None and not group:
            raise PlanError(_("Say which unit or group the participants came from."))
        if unit is not None and unit.municipality_id != course.municipality_id:
            raise PlanError(_("The unit belongs to another municipality."))
    occasion = TrainingOccasion.objects.create(
        municipality=course.municipality, course=course, held_on=held_on, place=place
    )
    Attendance.objects.bulk_create(
        [
            Attendance(
                municipality=course.municipality,
                occasion=occasion,
                unit=unit,
                group=group,
                participants=n,
            )
            for unit, group, n in rows
        ]
    )
    _event(
        municipality=course.municipality,
        user=user,
        action="occasion_create",
        obj=occasion,
        detail={"participants": sum(n for _, _, n in rows)},
    )
    return occasion


# --- routines --------------------------------------------------------------------------------------

ROUTINE_FIELDS = (
    "title",
    "kind",
    "summary",
    "owner",
    "version",
    "decided_by",
    "decided_on",
    "next_review",
    "laws",
    "case_steps",
    "url",
    "retired",
)


def _check_routine(fields: dict) -> None:
    if not (fields.get("title") or "").strip():
        raise PlanError(_("The routine needs a title."))
    if not (fields.get("owner") or "").strip():
        raise PlanError(_("Say who owns the routine (a unit or a role)."))
    steps = dict(Routine.CASE_STEPS)
    for step in fields.get("case_steps") or []:
        if step not in steps:
            raise PlanError(_("Unknown case step %(step)s.") % {"step": step})
    decided, review = fields.get("decided_on"), fields.get("next_review")
    if decided and review and review < decided:
        raise PlanError(
            _("The next review (%(review)s) is before the decision (%(decided)s).")
            % {"review": review.isoformat(), "decided": decided.isoformat()}
        )


@transaction.atomic
def routine_create(*, municipality, user, origin: dict | None = None, **fields) -> Routine:
    unknown = set(fields) - set(ROUTINE_FIELDS)
    if unknown:
        raise TypeError(f"unknown routine fields {sorted(unknown)}")
    _check_routine(fields)
    routine = Routine.objects.create(municipality=municipality, origin=origin or {}, **fields)
    _event(municipality=municipality, user=user, action="routine_create", obj=routine)
    return routine


@transaction.atomic
def routine_update(*, routine: Routine, user, **fields) -> Routine:
    unknown = set(fields) - set(ROUTINE_FIELDS)
    if unknown:
        raise TypeError(f"unknown routine fields {sorted(unknown)}")
    merged = {f: fields.get(f, getattr(routine, f)) for f in ROUTINE_FIELDS}
    _check_routine(merged)
    for name, value in fields.items():
        setattr(routine, name, value)
    routine.save()
    _event(municipality=routine.municipality, user=user, action="routine_update", obj=routine)
    return routine


# --- measures proposed by the risk analysis --------------------------------------------------------


def current_plan(municipality, today: date | None = None) -> ActionPlan | None:
    """The plan whose period covers today, else the latest one."""
    today = today or timezone.localdate()
    plans = ActionPlan.objects.filter(municipality=municipality)
    return (
        plans.filter(period_start__lte=today, period_end__gte=today)
        .order_by("-period_start")
        .first()
        or plans.order_by("-period_end").first()
    )


@transaction.atomic
def measure_from_finding(*, finding, risk_area, user) -> Measure:
    """A measure proposed from a crime-proofing finding (risks app), linked to its risk area.

    It goes into the current plan's activity area for proposals from the risk analysis (made when
    missing; a plan is made for the year when the municipality has none), numbered after it.
    """
    municipality = finding.municipality
    today = timezone.localdate()
    plan = current_plan(municipality, today)
    if plan is None:
        plan = plan_create(
            municipality=municipality,
            user=user,
            title=_("Action plan %(year)s") % {"year": today.year},
            period_start=date(today.year, 1, 1),
            period_end=date(today.year, 12, 31),
        )
    title = _("Proposals from the risk analysis")
    area = plan.areas.filter(title=title).first()
    if area is None:
        numbers = [int(a.number) for a in plan.areas.all() if a.number.isdigit()]
        area = area_create(
            plan=plan, user=user, number=str(max(numbers, default=0) + 1), title=title
        )
    taken = set(Measure.objects.filter(area__plan=plan).values_list("code", flat=True))
    n = area.measures.count() + 1
    while f"{area.number}.{n}" in taken:
        n += 1
    review = finding.review
    text = (finding.suggestion or finding.opening).strip()
    description = _("From the crime-proofing of %(rules)s%(section)s: %(opening)s") % {
        "rules": review.title,
        "section": f" ({finding.section})" if finding.section else "",
        "opening": finding.opening,
    }
    return measure_create(
        area=area,
        user=user,
        code=f"{area.number}.{n}",
        text=text[:2000],
        description=description,
        responsible=review.board.name if review.board_id else "",
        risk_areas=[risk_area] if risk_area is not None else (),
    )
