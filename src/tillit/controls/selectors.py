"""Reads for the review queue. Every selector takes the acting user and stays in their municipality."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from django.db import connections
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from tillit.accounts.access import has_perm, scoped
from tillit.accounts.models import Role
from tillit.controls.models import Hit, Run, Snooze


def hit_list(
    *,
    user,
    control: str = "",
    risk_area: str = "",
    board: str = "",
    severity: str = "",
    status: str = "new",
    min_amount: str = "",
    subject: str = "",
    family: str = "",
    evidence: str = "",
    order: str = "",
) -> QuerySet[Hit]:
    hits = scoped(Hit.objects.all(), user)
    hits = hits.exclude(Exists(_restricted_cases_not_visible(user)))
    if user.role != Role.COORDINATOR:
        hits = hits.filter(shadow=False)  # shadow-run hits are for coordinators only
    if control:
        hits = hits.filter(control_id=control)
    if family:  # the overview's figures per control family (INV, BEN, …)
        hits = hits.filter(control_id__startswith=f"{family}-")
    if risk_area:
        if connections[hits.db].vendor == "postgresql":
            hits = hits.filter(risk_areas__contains=[risk_area])
        else:  # SQLite stores the list as JSON text (non-ASCII escaped): match the whole quoted element
            hits = hits.filter(risk_areas__icontains=json.dumps(risk_area))
    if board:
        hits = hits.filter(board=board)
    if severity:
        hits = hits.filter(severity=severity)
    if evidence:  # the duplicate family's graded evidence: strong, medium or weak
        hits = hits.filter(evidence_grade=evidence)
    if status:
        hits = hits.filter(status=status)
    if status == Hit.Status.NEW:
        # a control silenced for the subject keeps its open hits out of the queue until the snooze ends
        snoozed = Snooze.objects.filter(
            municipality_id=OuterRef("municipality_id"),
            control_id=OuterRef("control_id"),
            subject_type=OuterRef("subject_type"),
            subject_id=OuterRef("subject_id"),
            until__gte=timezone.localdate(),
        )
        hits = hits.exclude(Exists(snoozed))
    if subject:
        hits = hits.filter(subject_id=subject)
    if min_amount:
        try:
            amount = Decimal(min_amount.replace(" ", "").replace(",", "."))
        except InvalidOperation:
            amount = None
        # NaN, Infinity and absurd sizes are no amount (the database would fail on them)
        if amount is not None and amount.is_finite() and abs(amount) < Decimal("1e15"):
            hits = hits.filter(amount_at_risk__gte=amount)
    if order == "evidence":  # the strongest evidence first, then the score
        return hits.order_by("-evidence_rank", "-score", "-id")
    return hits.order_by("-score", "-id")


def _restricted_cases_not_visible(user):
    """A hit joined to a team-only case is as restricted as the case: only who sees the case sees the hit.

    The hit's one case link is looked up by its index and the team checked for that case alone
    (not every case the user may see collected for each query: a third of a second and a plan
    costly enough for PostgreSQL to compile it, per query, with a million hits).
    """
    from tillit.cases.access import team_only_case_visible
    from tillit.cases.models import CaseHit, Sensitivity

    return CaseHit.objects.filter(
        hit=OuterRef("pk"), case__sensitivity=Sensitivity.TEAM_ONLY
    ).exclude(team_only_case_visible(user, "case"))


def hit_related(*, user, hit: Hit) -> QuerySet[Hit]:
    """Every other open hit on the same subject."""
    return (
        hit_list(user=user, subject=hit.subject_id)
        .filter(subject_type=hit.subject_type)
        .exclude(pk=hit.pk)
    )


def run_list(*, user) -> QuerySet[Run]:
    return scoped(Run.objects.all(), user)


def precision(*, escalated: int, dismissed: int) -> float | None:
    """A control's precision, the one definition every page and export uses: of its hits that have
    been decided, the share escalated (a case opened or an authority notified) rather than
    dismissed; None while none is decided. (cases.selectors.control_precision counts, beside it,
    the escalated hits whose case was confirmed.)"""
    decided = escalated + dismissed
    return escalated / decided if decided else None


def effectiveness(*, user) -> list[dict]:
    """Per control and version: hits, dismissed by reason, escalated, confirmed, precision."""
    rows = (
        scoped(Hit.objects.all(), user)
        .values("control_id", "control_version")
        .annotate(
            total=Count("id"),
            open=Count("id", filter=Q(status=Hit.Status.NEW)),
            dismissed=Count("id", filter=Q(status=Hit.Status.DISMISSED)),
            false_hits=Count("id", filter=Q(dismiss_reason=Hit.DismissReason.FALSE_POSITIVE)),
            escalated=Count("id", filter=Q(status__in=[Hit.Status.CASE, Hit.Status.NOTIFIED])),
        )
        .order_by("control_id", "control_version")
    )
    result = []
    for r in rows:
        r["precision"] = precision(escalated=r["escalated"], dismissed=r["dismissed"])
        result.append(r)
    return result


def can_see_hits(user) -> bool:
    return has_perm(user, "controls.view")
