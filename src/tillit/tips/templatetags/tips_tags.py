"""Complaints beside a hit: how many complaints the providers in its evidence have had."""

from __future__ import annotations

from django import template

from tillit.accounts.access import has_perm

register = template.Library()


def orgnrs_in_evidence(evidence) -> list[str]:
    from tillit.tips.services import normalise_orgnr

    found = []
    for item in evidence or []:
        for column, value in (item.get("values") or {}).items():
            if (column == "orgnr" or column.endswith("_orgnr")) and value:
                number = normalise_orgnr(str(value))
                if len(number) == 10 and number not in found:
                    found.append(number)
    return found


@register.inclusion_tag("tips/_hit_complaints.html", takes_context=True)
def provider_complaints(context, hit):
    from tillit.tips.selectors import complaint_counts

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not has_perm(user, "complaints.view"):
        return {"rows": []}
    counts = complaint_counts(user.municipality_id, orgnrs_in_evidence(hit.evidence))
    return {"rows": sorted(counts.items())}
