"""/api/risk-areas and /api/assessments: the same permissions as the pages (risks.view to read,
risks.edit to write), always inside the caller's municipality."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Router, Schema
from ninja.errors import HttpError

from tillit.accounts.access import scoped
from tillit.accounts.api_access import require_api
from tillit.risks import selectors, services
from tillit.risks.models import RiskArea, RiskAssessment

router = Router(tags=["risks"])


class AssessmentOut(Schema):
    id: int
    risk_area: str
    assessed_on: date
    board: str
    gross_probability: int
    gross_consequence: int
    gross_score: int
    net_probability: int | None
    net_consequence: int | None
    net_score: int | None
    target_probability: int | None
    target_consequence: int | None
    target_score: int | None
    unlawful_influence: int
    ic_deviations: int
    gross_motivation: str
    net_motivation: str
    target_motivation: str
    changes: list[str]


class RiskAreaOut(Schema):
    id: int
    code: str
    name: str
    motivation: str
    owner_boards: list[str]
    organisation: str
    exposure_kr: Decimal | None
    retired: bool
    priority: Decimal | None
    current: AssessmentOut | None


class RiskAreaIn(Schema):
    name: str
    code: str = ""
    motivation: str = ""
    exposure_kr: Decimal | None = None
    owner_boards: list[str] = []


class AssessmentIn(Schema):
    risk_area: str
    assessed_on: date | None = None
    gross_probability: int
    gross_consequence: int
    gross_motivation: str = ""
    gross_foundation: str = "weak"
    net_probability: int | None = None
    net_consequence: int | None = None
    net_motivation: str = ""
    net_foundation: str = "weak"
    target_probability: int | None = None
    target_consequence: int | None = None
    target_motivation: str = ""
    target_foundation: str = "weak"
    unlawful_influence: int = 1
    ic_deviations: int = 0
    ic_deviations_note: str = ""


def _assessment(a: RiskAssessment) -> dict:
    return {
        "id": a.pk,
        "risk_area": a.risk_area.code,
        "assessed_on": a.assessed_on,
        "board": a.board.name if a.board_id else "",
        "gross_probability": a.gross_probability,
        "gross_consequence": a.gross_consequence,
        "gross_score": a.gross_score,
        "net_probability": a.net_probability,
        "net_consequence": a.net_consequence,
        "net_score": a.net_score,
        "target_probability": a.target_probability,
        "target_consequence": a.target_consequence,
        "target_score": a.target_score,
        "unlawful_influence": a.unlawful_influence,
        "ic_deviations": a.ic_deviations,
        "gross_motivation": a.gross_motivation,
        "net_motivation": a.net_motivation,
        "target_motivation": a.target_motivation,
        "changes": list(a.changes or []),
    }


def _area(area: RiskArea, current: RiskAssessment | None, priority) -> dict:
    return {
        "id": area.pk,
        "code": area.code,
        "name": area.name,
        "motivation": area.description,
        "owner_boards": [b.name for b in area.owner_boards.all()],
        "organisation": area.organisation.name if area.organisation_id else "",
        "exposure_kr": area.exposure_kr,
        "retired": area.retired,
        "priority": priority,
        "current": _assessment(current) if current else None,
    }


@router.get("/risk-areas", response=list[RiskAreaOut])
def list_risk_areas(request, retired: bool = False):
    require_api(request, "risks.view")
    municipality = request.user.municipality
    current = selectors.current_assessments(municipality)
    priority = {r["id"]: r["priority"] for r in selectors.ranked(municipality)}
    areas = scoped(
        RiskArea.objects.prefetch_related("owner_boards").select_related("organisation"),
        request.user,
    )
    if not retired:
        areas = areas.filter(retired=False)
    return [_area(a, current.get(a.pk), priority.get(a.pk)) for a in areas]


@router.get("/risk-areas/{code}", response=RiskAreaOut)
def get_risk_area(request, code: str):
    require_api(request, "risks.view")
    area = scoped(RiskArea.objects.all(), request.user).filter(code=code).first()
    if area is None:
        raise HttpError(404, "Not found")
    current = selectors.current_assessments(area.municipality).get(area.pk)
    priority = {r["id"]: r["priority"] for r in selectors.ranked(area.municipality)}
    return _area(area, current, priority.get(area.pk))


@router.post("/risk-areas", response={201: RiskAreaOut})
def create_risk_area(request, payload: RiskAreaIn):
    from tillit.accounts.models import Board

    require_api(request, "risks.edit")
    municipality = request.user.municipality
    boards = list(Board.objects.filter(municipality=municipality, name__in=payload.owner_boards))
    unknown = set(payload.owner_boards) - {b.name for b in boards}
    if unknown:
        raise HttpError(400, f"Unknown boards: {', '.join(sorted(unknown))}")
    if payload.exposure_kr is not None and payload.exposure_kr < 0:
        raise HttpError(400, "exposure_kr cannot be negative")
    try:
        area = services.risk_area_create(
            municipality=municipality,
            name=payload.name,
            code=payload.code,
            description=payload.motivation,
            exposure_kr=payload.exposure_kr,
            owner_boards=boards,
        )
    except services.RiskError as error:
        raise HttpError(400, str(error)) from None
    return 201, _area(area, None, None)


@router.get("/assessments", response=list[AssessmentOut])
def list_assessments(request, risk_area: str = "", since: date | None = None):
    """Every valuation (the history), newest first; `risk_area` is a code such as R14."""
    require_api(request, "risks.view")
    qs = scoped(RiskAssessment.objects.select_related("risk_area", "board"), request.user)
    if risk_area:
        qs = qs.filter(risk_area__code=risk_area)
    if since:
        qs = qs.filter(assessed_on__gte=since)
    return [_assessment(a) for a in qs[:5000]]


@router.post("/assessments", response={201: AssessmentOut})
def create_assessment(request, payload: AssessmentIn):
    require_api(request, "risks.edit")
    area = scoped(RiskArea.objects.all(), request.user).filter(code=payload.risk_area).first()
    if area is None:
        raise HttpError(404, "Not found")
    values = payload.dict()
    values.pop("risk_area")
    assessed_on = values.pop("assessed_on")
    for key in ("gross_foundation", "net_foundation", "target_foundation"):
        if values[key] not in {"weak", "fair", "strong"}:
            raise HttpError(400, f"{key} must be weak, fair or strong")
    if values["ic_deviations"] < 0:
        raise HttpError(400, "ic_deviations cannot be negative")
    try:
        a = services.assessment_create(
            risk_area=area, user=request.user, assessed_on=assessed_on, **values
        )
    except services.RiskError as error:
        raise HttpError(400, str(error)) from None
    return 201, _assessment(a)
