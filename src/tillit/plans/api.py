"""/api/plans and /api/measures: the action plan, with the UI's permissions (plans.view to read,
plans.edit to change a measure's status and progress)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from tillit.accounts.access import scoped
from tillit.accounts.api_access import require_api
from tillit.plans import selectors, services
from tillit.plans.models import ActionPlan, Measure

router = Router(tags=["plans"])


class MeasureOut(Schema):
    id: int
    plan_id: int
    area: str
    code: str
    text: str
    responsible: str
    start: date | None
    deadline: date | None
    start_text: str
    deadline_text: str
    indicator: str
    indicator_source: str
    indicator_value: Decimal | None
    indicator_stale: bool
    target_value: Decimal | None
    status: str
    progress: int
    overdue: bool
    done_on: date | None
    risk_areas: list[str]
    control_ids: list[str]


class AreaOut(Schema):
    number: str
    title: str
    progress: int | None
    measures: list[MeasureOut]


class PlanOut(Schema):
    id: int
    title: str
    period_start: date
    period_end: date
    decided: str
    progress: int
    measures: int
    done: int
    overdue: int
    origin: dict


class PlanDetailOut(PlanOut):
    areas: list[AreaOut]


class IndicatorValueIn(Schema):
    value: Decimal
    measured_on: date
    note: str = ""


class MeasurePatch(Schema):
    status: str | None = None
    progress: int | None = None
    note: str = ""


def _measure(m: Measure, today: date) -> dict:
    indicator = selectors.indicator_state(m, today)
    return {
        "id": m.pk,
        "plan_id": m.area.plan_id,
        "area": f"{m.area.number} {m.area.title}",
        "code": m.code,
        "text": m.text,
        "responsible": m.responsible,
        "start": m.start,
        "deadline": m.deadline,
        "start_text": m.start_text,
        "deadline_text": m.deadline_text,
        "indicator": m.indicator,
        "indicator_source": m.indicator_source,
        "indicator_value": indicator["value"],
        "indicator_stale": indicator["stale"],
        "target_value": m.target_value,
        "status": m.status,
        "progress": selectors.measure_progress(m, indicator),
        "overdue": m.is_overdue(today),
        "done_on": m.done_on,
        "risk_areas": [ra.name for ra in m.risk_areas.all()],
        "control_ids": list(m.control_ids or []),
    }


def _plan(plan: ActionPlan, progress: dict) -> dict:
    return {
        "id": plan.pk,
        "title": plan.title,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "decided": plan.decided,
        "progress": progress["progress"],
        "measures": progress["count"],
        "done": progress["done"],
        "overdue": len(progress["overdue"]),
        "origin": plan.origin or {},
    }


@router.get("/plans", response=list[PlanOut])
def list_plans(request):
    require_api(request, "plans.view")
    today = timezone.localdate()
    return [
        _plan(p, selectors.plan_progress(p, today)) for p in selectors.plan_list(user=request.user)
    ]


@router.get("/plans/{plan_id}", response=PlanDetailOut)
def get_plan(request, plan_id: int):
    require_api(request, "plans.view")
    plan = selectors.plan_list(user=request.user).filter(pk=plan_id).first()
    if plan is None:
        raise HttpError(404, "Not found")
    today = timezone.localdate()
    progress = selectors.plan_progress(plan, today)
    out = _plan(plan, progress)
    out["areas"] = [
        {
            "number": a["number"],
            "title": a["title"],
            "progress": a["progress"],
            "measures": [_measure(r["measure"], today) for r in a["measures"]],
        }
        for a in progress["areas"]
    ]
    return out


@router.get("/measures", response=list[MeasureOut])
def list_measures(request, plan: int | None = None, status: str = "", overdue: bool = False):
    require_api(request, "plans.view")
    today = timezone.localdate()
    plan_obj = None
    if plan is not None:
        plan_obj = selectors.plan_list(user=request.user).filter(pk=plan).first()
        if plan_obj is None:
            raise HttpError(404, "Not found")
    measures = selectors.measure_list(
        user=request.user, plan=plan_obj, status=status, overdue=overdue, today=today
    )
    return [
        _measure(m, today)
        for m in measures.prefetch_related("risk_areas", "indicator_values")[:2000]
    ]


@router.get("/measures/{measure_id}", response=MeasureOut)
def get_measure(request, measure_id: int):
    require_api(request, "plans.view")
    m = (
        scoped(Measure.objects.select_related("area__plan"), request.user)
        .filter(pk=measure_id)
        .first()
    )
    if m is None:
        raise HttpError(404, "Not found")
    return _measure(m, timezone.localdate())


@router.patch("/measures/{measure_id}", response=MeasureOut)
def patch_measure(request, measure_id: int, body: MeasurePatch):
    require_api(request, "plans.edit")
    m = (
        scoped(Measure.objects.select_related("area__plan"), request.user)
        .filter(pk=measure_id)
        .first()
    )
    if m is None:
        raise HttpError(404, "Not found")
    status = body.status or m.status
    progress = m.progress if body.progress is None else body.progress
    if status not in Measure.Status.values:
        raise HttpError(422, f"status must be one of {', '.join(Measure.Status.values)}")
    try:
        services.measure_note_add(
            measure=m,
            user=request.user,
            status=status,
            progress=progress,
            text=body.note or f"API: {status}, {progress} %",
        )
    except services.PlanError as error:
        raise HttpError(422, str(error)) from None
    m.refresh_from_db()
    return _measure(m, timezone.localdate())


@router.post("/measures/{measure_id}/indicator-values", response=MeasureOut)
def add_indicator_value(request, measure_id: int, body: IndicatorValueIn):
    """Enter the value of an indicator kept by hand (e.g. from another system), with its date."""
    require_api(request, "plans.edit")
    m = (
        scoped(Measure.objects.select_related("area__plan"), request.user)
        .filter(pk=measure_id)
        .first()
    )
    if m is None:
        raise HttpError(404, "Not found")
    if m.indicator_source != "manual":
        raise HttpError(422, "this indicator is counted by Tillit itself; it takes no values")
    try:
        services.indicator_value_add(
            measure=m,
            user=request.user,
            value=body.value,
            measured_on=body.measured_on,
            note=body.note[:500],
        )
    except services.PlanError as error:
        raise HttpError(422, str(error)) from None
    return _measure(m, timezone.localdate())
