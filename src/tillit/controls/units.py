"""One legal entity, many units: a coordinator's decision on SUP-DUPLICATE's group of an organisation
number (a region's committees, a hotel chain, the city's own districts), made once on a hit.

The decision dismisses the hit (its history says who decided and why) and is kept as an
OrganisationUnits row with the group's records and bank accounts. Every later run leaves out the
group of that number while all its bank accounts were known when it was decided: a new unit paid to
a known account is not a hit, a record with another bank account raises the group again."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from tillit.controls.models import Hit, HitEvent, OrganisationUnits

CONTROL_ID = "SUP-DUPLICATE"


def _accounts(hit_params: dict) -> set[str]:
    # the runner joins a list into "a, b" for the explanation; a bank account holds no ", "
    text = str(hit_params.get("bank_accounts") or "")
    return {a for a in (x.strip() for x in text.split(", ")) if a}


def decidable(hit: Hit) -> bool:
    """Whether the decision can be made on this hit: SUP-DUPLICATE's group of an organisation number."""
    return (
        hit.control_id == CONTROL_ID
        and bool((hit.explanation_params or {}).get("orgnr"))
        and hit.status == Hit.Status.NEW
    )


def can_decide(user) -> bool:
    """Only a coordinator decides that records are one legal entity (like datasets' entity judgements):
    the decision keeps later hits out of everyone's queue."""
    from tillit.accounts.access import has_perm
    from tillit.accounts.models import Role

    return user.role == Role.COORDINATOR and has_perm(user, "hits.triage")


def decisions(municipality):
    """Every decision, newest first, with who made it: the control's page lists them."""
    return OrganisationUnits.objects.filter(municipality=municipality).select_related("decided_by")


def settled(municipality) -> dict[str, set[str]]:
    """Organisation number -> every bank account known when its groups were decided."""
    known: dict[str, set[str]] = {}
    for orgnr, accounts in OrganisationUnits.objects.filter(municipality=municipality).values_list(
        "orgnr", "bank_accounts"
    ):
        known.setdefault(orgnr, set()).update(accounts or [])
    return known


def drop_settled(municipality, result) -> int:
    """Leave out of `result` (a RunResult) SUP-DUPLICATE's groups decided to be one legal entity whose
    accounts were all known then; how many were left out."""
    controls = [c for c in result.controls if c.control_id == CONTROL_ID and c.hits]
    if not controls:
        return 0
    known = settled(municipality)
    if not known:
        return 0
    dropped = 0
    for c in controls:
        kept = []
        for h in c.hits:
            orgnr = str(h.explanation_params.get("orgnr") or "")
            if orgnr in known and _accounts(h.explanation_params) <= known[orgnr]:
                dropped += 1
                continue
            kept.append(h)
        c.hits = kept
    return dropped


class UnitsError(ValueError):
    """The decision is refused; the message is translated and meant for the user."""


@transaction.atomic
def mark_units(*, hit: Hit, user, reason: str) -> OrganisationUnits:
    """Record that the hit's organisation number is one legal entity with many units, and dismiss
    the hit with the reason (explained) in its history."""
    from tillit.controls.services import hit_dismiss

    reason = (reason or "").strip()
    if not can_decide(user):
        raise UnitsError(gettext("Only a coordinator can mark records as one legal entity."))
    if not decidable(hit):
        raise UnitsError(
            gettext(
                "Only a new hit on supplier records with one organisation number can be marked."
            )
        )
    if not reason:
        raise UnitsError(gettext("Give the reason for the decision."))
    params = hit.explanation_params or {}
    decision = OrganisationUnits.objects.create(
        municipality=hit.municipality,
        orgnr=str(params["orgnr"]),
        supplier_ids=[k.partition(":")[2] for k in hit.evidence_keys if k.startswith("suppliers:")],
        bank_accounts=sorted(_accounts(params)),
        reason=reason,
        hit=hit,
        decided_by=user,
    )
    HitEvent.objects.create(
        municipality=hit.municipality,
        hit=hit,
        user=user,
        action="units",
        reason=str(params["orgnr"]),
        note=reason,
    )
    hit_dismiss(
        hit=hit,
        user=user,
        reason=Hit.DismissReason.EXPLAINED,
        note=gettext("One legal entity, many units: %(reason)s") % {"reason": reason},
    )
    return decision
