"""/api/tips: the receivers' side, metadata only.

A report's content is encrypted to each receiver's personal key, which is unlocked with their
password in the browser; the API has no key and so returns no content: reference, channel,
status and deadlines, for the channels the caller is a designated receiver of. Every read is logged.
"""

from __future__ import annotations

from datetime import date, datetime

from ninja import Router, Schema
from ninja.errors import HttpError

from tillit.accounts.access import has_perm, log_personal_data
from tillit.accounts.api_access import require_api
from tillit.tips import deadlines as dl
from tillit.tips import selectors
from tillit.tips.models import Channel, Report

router = Router(tags=["tips"])
CHANNEL_PERM = {Channel.TIPS: "tips.view", Channel.WHISTLEBLOWING: "whistleblowing.view"}


class TipOut(Schema):
    id: int
    reference: str
    channel: str
    category: str
    status: str
    received_at: datetime
    acknowledged_at: datetime | None
    feedback_at: datetime | None
    closed_at: datetime | None
    acknowledgement_due: date
    feedback_due: date | None
    retain_until: date | None
    case_number: str
    has_unscanned_files: bool


def _out(report: Report) -> dict:
    return {
        "id": report.pk,
        "reference": report.reference,
        "channel": report.channel,
        "category": report.category,
        "status": report.status,
        "received_at": report.received_at,
        "acknowledged_at": report.acknowledged_at,
        "feedback_at": report.feedback_at,
        "closed_at": report.closed_at,
        "acknowledgement_due": dl.ack_due(report),
        "feedback_due": dl.feedback_due(report),
        "retain_until": report.retain_until,
        "case_number": report.case.number if report.case_id else "",
        "has_unscanned_files": report.unscanned_files,
    }


def _channels(request) -> list[str]:
    if not (has_perm(request.user, "tips.view") or has_perm(request.user, "whistleblowing.view")):
        raise HttpError(403, "Forbidden")
    return [
        c for c in selectors.channels_of(request.user) if has_perm(request.user, CHANNEL_PERM[c])
    ]


@router.get("/tips", response=list[TipOut])
def list_tips(request, channel: str = ""):
    channels = _channels(request)
    for c in channels:
        require_api(request, CHANNEL_PERM[c])
    if channel:
        if channel not in Channel.values:
            raise HttpError(400, "Unknown channel")
        channels = [c for c in channels if c == channel]
    reports = list(
        Report.objects.filter(
            municipality_id=request.user.municipality_id, channel__in=channels
        ).select_related("case")[:1000]
    )
    log_personal_data(
        request, object_type="tips list", object_id=channel or ",".join(channels) or "none"
    )
    return [_out(r) for r in reports]


@router.get("/tips/{tip_id}", response=TipOut)
def get_tip(request, tip_id: int):
    channels = _channels(request)
    report = (
        Report.objects.filter(
            municipality_id=request.user.municipality_id, channel__in=channels, pk=tip_id
        )
        .select_related("case")
        .first()
    )
    if report is None:
        raise HttpError(404, "Not found")
    require_api(request, CHANNEL_PERM[report.channel])
    log_personal_data(request, object_type="report", object_id=report.reference)
    return _out(report)
