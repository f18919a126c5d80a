"""`{% case_routines case as routines %}`: the routines that govern a case's steps, for the case page."""

from __future__ import annotations

from django import template

from tillit.plans.models import Routine
from tillit.plans.selectors import routines_by_case_step

register = template.Library()

# The outcome steps shown beside the case's own state, in the order a case meets them.
OUTCOME_STEPS = ("police_report", "notification", "recovery_claim", "sanction")


@register.simple_tag
def case_routines(case) -> list[dict]:
    """[{step, label, routine, current}] for the case's state and the outcome steps that have a routine."""
    found = routines_by_case_step(case.municipality_id and case.municipality)
    labels = dict(Routine.CASE_STEPS)
    steps = [case.state] if case.state in labels else []
    steps += [s for s in OUTCOME_STEPS if s not in steps]
    return [
        {"step": s, "label": labels[s], "routine": found[s], "current": s == case.state}
        for s in steps
        if s in found
    ]
