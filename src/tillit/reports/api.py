"""/api/reports: the lägesbild's figures for a municipality's own BI tool, with the pages' permissions.

Counts suppressed on the page are suppressed here too: they come as the string "<5".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Router
from ninja.errors import HttpError

from tillit.accounts.api_access import require_api
from tillit.cases.selectors import Suppressed
from tillit.reports import selectors

router = Router(tags=["reports"])


def plain(value):
    """JSON-ready: Suppressed -> "<5", Decimal -> number, dates -> ISO strings, lazy strings -> str."""
    if isinstance(value, Suppressed):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _period(start: str, end: str) -> tuple[date, date]:
    from django.utils import timezone

    today = timezone.localdate()
    try:
        first = date.fromisoformat(start) if start else today.replace(month=1, day=1)
        last = date.fromisoformat(end) if end else today
    except ValueError:
        raise HttpError(400, "start and end are dates: YYYY-MM-DD") from None
    if first > last:
        raise HttpError(400, "start is after end")
    return first, last


@router.get(
    "/overview",
    summary="The overview's figures: open hits by control family, cases by state, trends",
)
def overview(request):
    require_api(request, "overview.view")
    user = request.user
    hits = selectors.open_hits(user=user)
    cases = selectors.cases_by_state(user=user)
    trends = selectors.trends(user=user)
    return plain(
        {
            "open_hits": {
                "count": hits["count"],
                "amount_at_risk": hits["amount"],
                "families": [
                    {
                        "family": f["family"],
                        "label": f["label"],
                        "count": f["count"],
                        "amount_at_risk": f["amount"],
                    }
                    for f in hits["families"]
                ],
            },
            "cases_by_state": [
                {"state": s["state"], "label": s["label"], "count": s["count"]}
                for s in cases["states"]
            ],
            "trends": [
                {
                    "month": r["label"],
                    "hits": r["hits"],
                    "confirmed_cases": r["confirmed_shown"],
                    "recovered": r["recovered_shown"],
                    "police_reports": r["police_shown"],
                    "notifications": r["notifications_shown"],
                }
                for r in trends["rows"]
            ],
        }
    )


@router.get(
    "/followup", summary="Irregularities and outcomes per board, and the FUT figures, for a period"
)
def followup(request, start: str = "", end: str = ""):
    require_api(request, "reports.view")
    first, last = _period(start, end)
    data = selectors.followup(user=request.user, start=first, end=last)
    households = selectors.households_per_month(user=request.user, start=first, end=last)
    return plain(
        {
            "start": first,
            "end": last,
            "boards": data["rows"],
            "totals": data["totals"],
            "fut": data["fut"],
            "households_per_month": [
                {"period": h["period"], "households": h["households"]} for h in households or []
            ],
            "definitions": data["definitions"],
        }
    )


@router.get(
    "/effectiveness",
    summary="Per control: hits, dismissals by reason, escalated, confirmed, precision",
)
def effectiveness(request):
    require_api(request, "controls.view")
    data = selectors.effectiveness(user=request.user)
    keys = (
        "control_id",
        "total",
        "open",
        "dismissed",
        "escalated",
        "confirmed",
        "precision",
        "reasons",
        "open_amount",
        "escalated_amount",
        "over_firing",
        "missing",
    )
    return plain({"controls": [{k: r[k] for k in keys} for r in data["rows"]]})
