"""The one place the reports read other sections' selectors (tips, action plan, risks).

Each returns plain values; None means the section has nothing to offer yet, and the page says so.
"""

from __future__ import annotations

from datetime import date

from tillit.plans import selectors as plans_selectors
from tillit.risks import selectors as risks_selectors
from tillit.tips import selectors as tips_selectors


def tip_deadlines(municipality, start: date, end: date) -> list[dict]:
    return list(tips_selectors.deadlines(municipality, start, end))


def plan_deadlines(municipality, start: date, end: date) -> list[dict]:
    return list(plans_selectors.deadlines(municipality, start, end))


def plan_indicators(municipality) -> list[dict]:
    """Every measure of the action plan that has an indicator: its current value and target."""
    from tillit.plans.models import Measure

    rows = []
    measures = (
        Measure.objects.filter(municipality=municipality)
        .exclude(indicator="")
        .select_related("area")
        .prefetch_related("indicator_values")
        .order_by("area__number", "code", "id")
    )
    for measure in measures:
        state = plans_selectors.indicator_state(measure)
        rows.append(
            {
                "name": measure.indicator,
                "measure": str(measure),
                "value": state["value"],
                "target": measure.target_value,
                "measured_on": state["measured_on"],
                "stale": state["stale"],
                "url": _measure_url(measure),
            }
        )
    return rows


def _measure_url(measure) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("plans-measure", args=[measure.pk])
    except NoReverseMatch:
        return None


def top_risks(municipality, n: int = 5) -> list[dict]:
    return list(risks_selectors.top_risks(municipality, n=n))


def heat_map(municipality, on: date | None = None) -> dict:
    return risks_selectors.heat_map(municipality, on=on)
