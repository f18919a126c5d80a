"""Figures for boards: per channel and month, how fast reports were handled and what became of them.

Counts of 1 to 4, and every figure computed from them, are suppressed ("fewer than 5"), so a
board report can never point at one reporter or one case.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import median

from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.tips.models import Channel, Report

SUPPRESS_BELOW = 5


def shown(count: int) -> str:
    if 0 < count < SUPPRESS_BELOW:
        return _("fewer than 5")
    return str(count)


def _days(start, end) -> float:
    return (end - start).total_seconds() / 86400


def _median_days(values: list[float]) -> str:
    if len(values) < SUPPRESS_BELOW:
        return "–" if not values else _("fewer than 5")
    return f"{median(values):.1f}".replace(".", ",")


def board_statistics(municipality, year: int) -> list[dict]:
    """One row per channel and month of the year that had reports."""
    groups: dict[tuple[str, int], list[Report]] = defaultdict(list)
    for report in Report.objects.filter(municipality=municipality).select_related("case"):
        received = timezone.localtime(report.received_at)
        if received.year == year:
            groups[(report.channel, received.month)].append(report)
    rows = []
    for (channel, month), reports in sorted(groups.items()):
        cases = [r.case for r in reports if r.case_id]
        outcomes: dict[str, int] = defaultdict(int)
        for case in cases:
            if case is not None:
                outcomes[case.get_state_display()] += 1
        n_cases = len([r for r in reports if r.case_id or r.status == Report.Status.HANDED_OVER])
        share = "–"
        if len(reports) >= SUPPRESS_BELOW and not (0 < n_cases < SUPPRESS_BELOW):
            share = f"{round(100 * n_cases / len(reports))} %"
        elif 0 < n_cases < SUPPRESS_BELOW:
            share = _("fewer than 5")
        rows.append(
            {
                "channel": Channel(channel).label,
                "month": f"{year}-{month:02d}",
                "received": shown(len(reports)),
                "ack_days": _median_days(
                    [_days(r.received_at, r.acknowledged_at) for r in reports if r.acknowledged_at]
                ),
                "feedback_days": _median_days(
                    [_days(r.received_at, r.feedback_at) for r in reports if r.feedback_at]
                )
                if channel == Channel.WHISTLEBLOWING
                else "–",
                "cases": shown(n_cases),
                "share": share,
                "outcomes": [(label, shown(count)) for label, count in sorted(outcomes.items())],
            }
        )
    return rows
