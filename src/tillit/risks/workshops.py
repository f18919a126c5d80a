"""Standardised workshops: scores alone first, then the spread, then a consensus with a motivation."""

from __future__ import annotations

import secrets
import statistics
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.lib.formats import format_date
from tillit.risks.documents import Doc
from tillit.risks.models import Workshop, WorkshopConsensus, WorkshopParticipant, WorkshopScore
from tillit.risks.selectors import scale_for
from tillit.risks.services import RiskError, assessment_create


@transaction.atomic
def workshop_create(
    *,
    municipality,
    title: str,
    held_on: date,
    risk_areas,
    participants: list[str],
    board=None,
    analysis=None,
    user=None,
) -> Workshop:
    if not (title or "").strip():
        raise RiskError(_("The workshop needs a title."))
    risk_areas = list(risk_areas)
    if not risk_areas:
        raise RiskError(_("Choose at least one risk area for the workshop."))
    names = [n.strip() for n in participants if n.strip()]
    if not names:
        raise RiskError(_("Name at least one participant (a name or a role, one a line)."))
    workshop = Workshop.objects.create(
        municipality=municipality,
        title=title.strip(),
        held_on=held_on,
        board=board,
        analysis=analysis,
        created_by=user,
    )
    workshop.risk_areas.set(risk_areas)
    for name in names:
        participant_add(workshop=workshop, name=name)
    return workshop


def participant_add(*, workshop: Workshop, name: str, user=None) -> WorkshopParticipant:
    return WorkshopParticipant.objects.create(
        municipality=workshop.municipality,
        workshop=workshop,
        name=name[:200],
        user=user,
        token=secrets.token_urlsafe(24),
    )


def _check(value, steps: int, what: str, area) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= steps:
        raise RiskError(
            _("Choose %(what)s from 1 to %(max)s for %(area)s.")
            % {"what": what, "max": steps, "area": area}
        )
    return value


@transaction.atomic
def scores_submit(*, participant: WorkshopParticipant, scores: dict[int, dict]) -> None:
    """A participant's own scores, all areas at once; refused whole if one is missing or out of range."""
    workshop = participant.workshop
    if workshop.status != Workshop.Status.SCORING:
        raise RiskError(_("The individual scoring of this workshop is over."))
    steps = scale_for(workshop.municipality).steps
    cleaned = {}
    for area in workshop.risk_areas.all():
        row = scores.get(area.pk) or {}
        cleaned[area.pk] = {
            "probability": _check(row.get("probability"), steps, _("a probability"), area),
            "consequence": _check(row.get("consequence"), steps, _("a consequence"), area),
            "unlawful_influence": _check(
                row.get("unlawful_influence") or 1, steps, _("the risk of unlawful influence"), area
            ),
            "comment": (row.get("comment") or "").strip(),
        }
    for area_id, values in cleaned.items():
        WorkshopScore.objects.update_or_create(
            participant=participant,
            risk_area_id=area_id,
            defaults={"municipality": workshop.municipality, **values},
        )
    participant.submitted_at = timezone.now()
    participant.save(update_fields=["submitted_at"])


def spread(workshop: Workshop) -> list[dict]:
    """Per risk area: every participant's score (by name), the lowest, highest and median VoR value."""
    rows = []
    scores = list(
        WorkshopScore.objects.filter(participant__workshop=workshop).select_related("participant")
    )
    consensus = {c.risk_area_id: c for c in workshop.consensus.all()}
    for area in workshop.risk_areas.order_by("code"):
        mine = sorted(
            (s for s in scores if s.risk_area_id == area.pk), key=lambda s: s.participant.name
        )
        values = [s.probability * s.consequence for s in mine]
        rows.append(
            {
                "area": area,
                "scores": [
                    {
                        "name": s.participant.name,
                        "probability": s.probability,
                        "consequence": s.consequence,
                        "score": s.probability * s.consequence,
                        "unlawful_influence": s.unlawful_influence,
                        "comment": s.comment,
                    }
                    for s in mine
                ],
                "min": min(values) if values else None,
                "max": max(values) if values else None,
                "median": statistics.median(values) if values else None,
                "median_probability": round(statistics.median(s.probability for s in mine))
                if mine
                else None,
                "median_consequence": round(statistics.median(s.consequence for s in mine))
                if mine
                else None,
                "agreed": consensus.get(area.pk),
            }
        )
    return rows


@transaction.atomic
def status_set(*, workshop: Workshop, status: str) -> Workshop:
    if status not in Workshop.Status.values:
        raise RiskError(_("Unknown status."))
    workshop.status = status
    workshop.save(update_fields=["status"])
    return workshop


@transaction.atomic
def consensus_set(
    *,
    workshop: Workshop,
    risk_area,
    probability,
    consequence,
    unlawful_influence,
    motivation: str,
    proposed_measures: str = "",
    user=None,
) -> WorkshopConsensus:
    """The group's agreed score; it becomes a valuation of the risk area (history kept)."""
    if not workshop.risk_areas.filter(pk=risk_area.pk).exists():
        raise RiskError(_("%(area)s is not part of this workshop.") % {"area": risk_area})
    steps = scale_for(workshop.municipality).steps
    probability = _check(probability, steps, _("a probability"), risk_area)
    consequence = _check(consequence, steps, _("a consequence"), risk_area)
    unlawful_influence = _check(
        unlawful_influence or 1, steps, _("the risk of unlawful influence"), risk_area
    )
    if not (motivation or "").strip():
        raise RiskError(_("Write the group's motivation for %(area)s.") % {"area": risk_area})
    assessment = assessment_create(
        risk_area=risk_area,
        user=user,
        assessed_on=workshop.held_on,
        analysis=workshop.analysis,
        board=workshop.board,
        gross_probability=probability,
        gross_consequence=consequence,
        unlawful_influence=unlawful_influence,
        gross_motivation=_("Agreed at the workshop %(title)s on %(date)s: %(motivation)s")
        % {
            "title": workshop.title,
            "date": format_date(workshop.held_on),
            "motivation": motivation.strip(),
        },
        gross_foundation="fair",
    )
    consensus, _created = WorkshopConsensus.objects.update_or_create(
        workshop=workshop,
        risk_area=risk_area,
        defaults={
            "municipality": workshop.municipality,
            "probability": probability,
            "consequence": consequence,
            "unlawful_influence": unlawful_influence,
            "motivation": motivation.strip(),
            "proposed_measures": (proposed_measures or "").strip(),
            "assessment": assessment,
        },
    )
    return consensus


def minutes(workshop: Workshop) -> Doc:
    """The minutes: who took part (names or roles as entered), the areas, the spread, the consensus
    with its motivation and the proposed measures."""
    doc = Doc(_("Minutes of the risk workshop: %(title)s") % {"title": workshop.title})
    doc.para(_("Date: %(date)s") % {"date": format_date(workshop.held_on)})
    if workshop.board:
        doc.para(_("Board: %(board)s") % {"board": workshop.board.name})
    doc.heading(_("Participants"))
    doc.para("\n".join(p.name for p in workshop.participants.all()) or "–")
    doc.heading(_("Risk areas, individual scores and consensus"))
    rows = []
    for row in spread(workshop):
        agreed = row["agreed"]
        rows.append(
            [
                f"{row['area'].code} {row['area'].name}",
                f"{row['min']}–{row['max']}" if row["scores"] else "–",
                len(row["scores"]),
                f"{agreed.probability} × {agreed.consequence} = {agreed.probability * agreed.consequence}"
                if agreed
                else "–",
                agreed.unlawful_influence if agreed else "–",
                agreed.motivation if agreed else "",
                agreed.proposed_measures if agreed else "",
            ]
        )
    doc.table(
        [
            _("Risk area"),
            _("Spread of VoR values"),
            _("Scores"),
            _("Consensus"),
            _("Unlawful influence"),
            _("Motivation"),
            _("Proposed measures"),
        ],
        rows,
    )
    if workshop.notes:
        doc.heading(_("Notes"))
        doc.para(workshop.notes)
    return doc
