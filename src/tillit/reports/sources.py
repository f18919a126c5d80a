"""The one place the reports read other sections' selectors (tips, action plan, risks).

Each returns plain values; None means the section has nothing to offer yet, and the page says so.
"""

from __future__ import annotations

from datetime import date

try:  # the tips section is built in parallel; until it lands its deadlines are "not available yet"
    from tillit.tips import selectors as tips_selectors
except ImportError:  # pragma: no cover - removed once tillit.tips.selectors exists
    tips_selectors = None
try:
    from tillit.plans import selectors as plans_selectors
except ImportError:  # pragma: no cover - removed once tillit.plans.selectors exists
    plans_selectors = None
from tillit.risks import selectors as risks_selectors


def tip_deadlines(municipality, start: date, end: date) -> list[dict] | None:
    if tips_selectors is None or not hasattr(tips_selectors, "deadlines"):
        return None
    return list(tips_selectors.deadlines(municipality, start, end))


def plan_deadlines(municipality, start: date, end: date) -> list[dict] | None:
    if plans_selectors is None or not hasattr(plans_selectors, "deadlines"):
        return None
    return list(plans_selectors.deadlines(municipality, start, end))


def plan_indicators(municipality) -> list[dict] | None:
    if plans_selectors is None or not hasattr(plans_selectors, "indicators"):
        return None
    return list(plans_selectors.indicators(municipality))


def top_risks(municipality, n: int = 5) -> list[dict]:
    return list(risks_selectors.top_risks(municipality, n=n))


def heat_map(municipality, on: date | None = None) -> dict:
    return risks_selectors.heat_map(municipality, on=on)
