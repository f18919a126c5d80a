"""Risk positions (riskbefattningar) and their background checks: only that a check was made."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tillit.risks.models import BackgroundCheck, RiskPosition
from tillit.risks.services import RiskError

POWERS = [
    ("payments", _("payments")),
    ("appointments", _("appointments")),
    ("procurement", _("procurement")),
    ("decisions", _("decisions on benefits or permits")),
]
CHECK_KINDS = [
    ("identity", _("identity")),
    ("references", _("references")),
    ("register_extract", _("register extract (where the law allows)")),
    ("education", _("education and certificates")),
    ("side_jobs", _("side jobs and interests")),
]


@transaction.atomic
def position_create(
    *,
    municipality,
    title: str,
    reason: str,
    power: list[str],
    routine: list[str],
    unit: str = "",
    board=None,
    interval_months: int = 12,
) -> RiskPosition:
    if not (title or "").strip():
        raise RiskError(_("The position needs a title."))
    if not (reason or "").strip():
        raise RiskError(_("Say why the position is a risk position."))
    if not power:
        raise RiskError(_("Choose what the position has decision power over."))
    return RiskPosition.objects.create(
        municipality=municipality,
        title=title.strip(),
        reason=reason.strip(),
        power=list(power),
        routine=list(routine),
        unit=unit,
        board=board,
        interval_months=interval_months,
    )


@transaction.atomic
def check_record(
    *, position: RiskPosition, checked_on: date, kinds: list[str], user
) -> BackgroundCheck:
    """Records that a background check was made: the date, what kinds, by whom. Nothing else."""
    if checked_on > timezone.localdate():
        raise RiskError(_("The date of the check cannot be in the future."))
    known = {k for k, _label in CHECK_KINDS}
    kinds = [k for k in kinds if k in known]
    if not kinds:
        raise RiskError(_("Tick what was checked."))
    return BackgroundCheck.objects.create(
        municipality=position.municipality,
        position=position,
        checked_on=checked_on,
        kinds=kinds,
        checked_by=user,
    )


def check_due(position: RiskPosition, *, today: date | None = None) -> date | None:
    latest = position.checks.first()
    if latest is None:
        return None
    return add_months(latest.checked_on, position.interval_months)


def add_months(day: date, months: int) -> date:
    import calendar

    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def without_current_check(municipality, *, today: date | None = None) -> list[RiskPosition]:
    """Risk positions never checked, or whose last check is older than their interval."""
    today = today or timezone.localdate()
    out = []
    for position in RiskPosition.objects.filter(
        municipality=municipality, retired=False
    ).prefetch_related("checks"):
        due = check_due(position)
        if due is None or due < today:
            out.append(position)
    return out
