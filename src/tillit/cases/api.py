"""/api/cases: the cases the caller may see (team and coordinators), every read logged."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Router, Schema
from ninja.errors import HttpError

from tillit.accounts.access import log_personal_data
from tillit.accounts.api_access import require_api
from tillit.cases import selectors
from tillit.cases.access import visible_cases

router = Router(tags=["cases"])


class SubjectOut(Schema):
    kind: str
    identifier: str
    name: str


class CaseOut(Schema):
    id: int
    number: str
    title: str
    case_type: str
    source: str
    state: str
    sensitivity: str
    board: str
    risk_area: str
    amount_concerned: Decimal
    due_date: date | None
    opened_at: datetime
    decided_at: datetime | None
    closed_at: datetime | None
    subjects: list[SubjectOut]
    hit_ids: list[int]


def _out(case) -> dict:
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "case_type": case.case_type,
        "source": case.source,
        "state": case.state,
        "sensitivity": case.sensitivity,
        "board": case.board.name if case.board else "",
        "risk_area": case.risk_area,
        "amount_concerned": case.amount_concerned,
        "due_date": case.due_date,
        "opened_at": case.opened_at,
        "decided_at": case.decided_at,
        "closed_at": case.closed_at,
        "subjects": [
            {"kind": s.kind, "identifier": s.identifier, "name": s.name}
            for s in case.subjects.all()
        ],
        "hit_ids": [h.hit_id for h in case.case_hits.all()],
    }


@router.get("/cases", response=list[CaseOut])
def list_cases(request, state: str = "", case_type: str = "", source: str = ""):
    require_api(request, "cases.view")
    cases = list(
        selectors.case_list(
            user=request.user, state=state, case_type=case_type, source=source
        ).prefetch_related("subjects", "case_hits")[:1000]
    )
    log_personal_data(request, object_type="cases", object_id=f"api:{len(cases)}", action="export")
    return [_out(c) for c in cases]


@router.get("/cases/{case_id}", response=CaseOut)
def get_case(request, case_id: int):
    require_api(request, "cases.view")
    case = visible_cases(request.user).filter(pk=case_id).first()
    if case is None:
        # another municipality's case and a case outside the caller's team look the same here
        raise HttpError(404, "Not found")
    log_personal_data(request, object_type="case", object_id=str(case.pk))
    return _out(case)
