"""Crime-proofing of the municipality's own rules after Brå's method: find the openings a regulation
gives to fraud, record them, and turn them into risks (and measures when the plans app offers it)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tillit.risks.models import RuleFinding, RuleReview
from tillit.risks.services import RiskError, risk_area_create

# The steps of Brå's method for crime-proofing a regulation (Brottsförebyggande rådet, "Brottssäkra
# regelverk"): what the rule pays or permits, who could exploit it, how, and what would close it.
STEPS = [
    ("incentive", gettext_lazy("incentive: what the rule gives that is worth cheating for")),
    ("actors", gettext_lazy("actors: who could exploit it (applicant, provider, staff)")),
    ("method", gettext_lazy("method: false information, forged documents, pressure on staff")),
    ("control", gettext_lazy("control: what is checked today, and what is not")),
    ("consequence", gettext_lazy("consequence: what happens when cheating is discovered")),
]


@transaction.atomic
def review_create(
    *,
    municipality,
    title: str,
    reviewed_on: date,
    reference: str = "",
    board=None,
    summary: str = "",
    user=None,
) -> RuleReview:
    if not (title or "").strip():
        raise RiskError(_("Name the regulation that is reviewed."))
    return RuleReview.objects.create(
        municipality=municipality,
        title=title.strip(),
        reviewed_on=reviewed_on,
        reference=reference,
        board=board,
        summary=summary,
        created_by=user,
    )


@transaction.atomic
def finding_add(
    *, review: RuleReview, opening: str, step: str, section: str = "", suggestion: str = ""
) -> RuleFinding:
    if not (opening or "").strip():
        raise RiskError(_("Describe the opening for fraud."))
    if step not in dict(STEPS):
        raise RiskError(_("Choose the step of the method the finding belongs to."))
    return RuleFinding.objects.create(
        municipality=review.municipality,
        review=review,
        opening=opening.strip(),
        step=step,
        section=section,
        suggestion=suggestion,
    )


@transaction.atomic
def finding_to_risk(*, finding: RuleFinding, name: str = "", existing=None):
    """Links the finding to a risk area: an existing one, or a new one named after the finding."""
    if finding.risk_area_id:
        return finding.risk_area
    review = finding.review
    if existing is None:
        area = risk_area_create(
            municipality=finding.municipality,
            name=name
            or _("%(rule)s: %(opening)s")
            % {"rule": review.title, "opening": finding.opening[:120]},
            description=finding.opening + ("\n" + finding.suggestion if finding.suggestion else ""),
            owner_boards=[review.board] if review.board else [],
            origin=_("Crime-proofing of %(rule)s, %(date)s")
            % {"rule": review.title, "date": review.reviewed_on},
        )
    else:
        area = existing
    finding.risk_area = area
    finding.save(update_fields=["risk_area"])
    return area


def plans_measure_function():
    """The plans app's function for making a measure from a finding, when it offers one."""
    try:
        from tillit.plans import services as plan_services
    except ImportError:
        return None
    return getattr(plan_services, "measure_from_finding", None)
