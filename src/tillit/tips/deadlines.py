"""The deadlines of lag (2021:890) and the municipality's routine for public tips.

Acknowledgement within 7 days of receipt (both channels); feedback within 3 months of the
acknowledgement, or of the end of the 7 days when none was sent (whistleblowing only).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from django.utils import timezone

ACK_DAYS = 7
FEEDBACK_MONTHS = 3
REMIND_BEFORE_DAYS = 2


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _local(moment: datetime) -> date:
    return timezone.localdate(moment)


def ack_due(report) -> date:
    return _local(report.received_at) + timedelta(days=ACK_DAYS)


def feedback_due(report) -> date | None:
    if report.channel != "whistleblowing":
        return None
    start = _local(report.acknowledged_at) if report.acknowledged_at else ack_due(report)
    return add_months(start, FEEDBACK_MONTHS)


def open_deadlines(report) -> list[tuple[str, date]]:
    """(kind, due) of what is still to be done: 'ack' and/or 'feedback'."""
    if report.deleted_at or report.closed_at:
        return []
    out = []
    if report.acknowledged_at is None:
        out.append(("ack", ack_due(report)))
    due = feedback_due(report)
    if due is not None and report.feedback_at is None:
        out.append(("feedback", due))
    return out
