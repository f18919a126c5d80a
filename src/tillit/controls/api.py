from datetime import datetime
from decimal import Decimal

from ninja import Router, Schema
from ninja.errors import HttpError

from tillit.accounts.access import log_personal_data
from tillit.accounts.api_access import require_api
from tillit.controls import selectors
from tillit.controls.cli import export_rows

router = Router(tags=["controls"])


class RunOut(Schema):
    id: int
    status: str
    engine: str
    dry_run: bool
    created_at: datetime
    finished_at: datetime | None
    hits_new: int
    hits_updated: int
    hits_closed: int
    report: list


class HitOut(Schema):
    id: int
    run_id: int
    control_id: str
    fingerprint: str
    subject_type: str
    subject_id: str
    amount_at_risk: Decimal
    severity: str
    score: Decimal
    status: str
    explanation: str
    evidence_keys: list[str]
    evidence: list


@router.get("/runs", response=list[RunOut])
def list_runs(request):
    require_api(request, "controls.view")
    return list(selectors.run_list(user=request.user)[:200])


@router.get("/hits", response=list[HitOut])
def list_hits(request, status: str = "new", control: str = "", run: int | None = None):
    require_api(request, "controls.view")
    if run is not None and not 0 < run < 2**63:
        raise HttpError(400, "run must be a run id")
    hits = selectors.hit_list(user=request.user, status=status, control=control)
    if run:
        hits = hits.filter(last_run_id=run)
    hits = list(hits[:1000])
    log_personal_data(request, object_type="hits", object_id=f"api:{len(hits)}", action="export")
    return [
        {"id": h.pk, **row}
        for h, row in zip(hits, export_rows(hits, with_evidence=True), strict=True)
    ]
