"""Reads of the risk analysis. Other apps (the status report, the overview) call `top_risks` and
`heat_map`; they take a municipality, not a user, and return plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tillit.risks.models import RiskArea, RiskAssessment, RiskSettings

# The wording Swedish municipalities use on the default 1–4 scale (English source strings; the
# Swedish catalogue gives osannolik, mindre sannolik, möjlig, sannolik and försumbar, lindrig,
# kännbar, allvarlig).
DEFAULT_PROBABILITY = [
    gettext_noop("unlikely"),
    gettext_noop("less likely"),
    gettext_noop("possible"),
    gettext_noop("likely"),
]
DEFAULT_CONSEQUENCE = [
    gettext_noop("negligible"),
    gettext_noop("mild"),
    gettext_noop("noticeable"),
    gettext_noop("serious"),
]


@dataclass(frozen=True)
class Scale:
    steps: int
    probability: list[str]
    consequence: list[str]

    @property
    def values(self) -> list[int]:
        return list(range(1, self.steps + 1))

    def probability_label(self, value: int | None) -> str:
        return _label(self.probability, value)

    def consequence_label(self, value: int | None) -> str:
        return _label(self.consequence, value)


def _label(labels: list[str], value: int | None) -> str:
    if not value:
        return ""
    if 1 <= value <= len(labels) and labels[value - 1]:
        return f"{value} {_(labels[value - 1])}"
    return str(value)


def risk_settings(municipality) -> RiskSettings:
    found = RiskSettings.objects.filter(municipality=municipality).first()
    return found or RiskSettings(municipality=municipality)


def scale_for(municipality) -> Scale:
    cfg = risk_settings(municipality)
    steps = cfg.scale_max or 4
    if steps == 4:
        prob = list(cfg.probability_labels or DEFAULT_PROBABILITY)
        cons = list(cfg.consequence_labels or DEFAULT_CONSEQUENCE)
    else:
        prob = list(cfg.probability_labels or [])
        cons = list(cfg.consequence_labels or [])
    prob = (prob + [""] * steps)[:steps]
    cons = (cons + [""] * steps)[:steps]
    return Scale(steps=steps, probability=prob, consequence=cons)


def current_assessments(
    municipality, *, on: date | None = None, board=None, organisation=None
) -> dict[int, RiskAssessment]:
    """The latest assessment of each active risk area (on or before `on`), keyed by risk area id.
    With `board`, only that board's assessments count; with `organisation`, only that company's areas."""
    qs = RiskAssessment.objects.filter(
        municipality=municipality, risk_area__retired=False
    ).select_related("risk_area")
    if organisation is not None:
        qs = qs.filter(risk_area__organisation=organisation)
    if on is not None:
        qs = qs.filter(assessed_on__lte=on)
    if board is not None:
        qs = qs.filter(board=board)
    latest: dict[int, RiskAssessment] = {}
    for a in qs.order_by("risk_area_id", "-assessed_on", "-created_at", "-id"):
        latest.setdefault(a.risk_area_id, a)
    return latest


def priority_formula(municipality) -> dict:
    cfg = risk_settings(municipality)
    return {
        "weight_vor": cfg.weight_vor,
        "weight_exposure": cfg.weight_exposure,
        "weight_influence": cfg.weight_influence,
        "text": _(
            "priority = 100 × (%(wv)s × VoR/%(max_vor)s + %(we)s × exposure/largest exposure "
            "+ %(wi)s × unlawful influence/%(max)s) / (%(wv)s + %(we)s + %(wi)s)"
        )
        % {
            "wv": _num(cfg.weight_vor),
            "we": _num(cfg.weight_exposure),
            "wi": _num(cfg.weight_influence),
            "max_vor": (cfg.scale_max or 4) ** 2,
            "max": cfg.scale_max or 4,
        },
    }


def _num(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f").replace(".", ",")


def priority_score(
    assessment: RiskAssessment, *, max_exposure: Decimal | None, cfg: RiskSettings
) -> Decimal:
    """0–100: the weighted mean of the VoR value, the exposure in kr (relative to the largest in the
    municipality) and the unlawful-influence risk, each scaled to 0–1."""
    steps = cfg.scale_max or 4
    vor = Decimal(assessment.score) / Decimal(steps * steps)
    exposure = assessment.risk_area.exposure_kr or Decimal(0)
    exp = (Decimal(exposure) / max_exposure) if max_exposure else Decimal(0)
    infl = Decimal(min(assessment.unlawful_influence or 0, steps)) / Decimal(steps)
    wv, we, wi = (
        Decimal(cfg.weight_vor),
        Decimal(cfg.weight_exposure),
        Decimal(cfg.weight_influence),
    )
    total = wv + we + wi
    if total <= 0:
        return Decimal(0)
    return (Decimal(100) * (wv * vor + we * exp + wi * infl) / total).quantize(Decimal("0.1"))


def ranked(municipality, *, on: date | None = None, board=None, organisation=None) -> list[dict]:
    """Every active risk area with a current assessment, highest priority first."""
    cfg = risk_settings(municipality)
    current = current_assessments(municipality, on=on, board=board, organisation=organisation)
    exposures = [a.risk_area.exposure_kr for a in current.values() if a.risk_area.exposure_kr]
    max_exposure = max(exposures) if exposures else None
    rows = []
    for a in current.values():
        area = a.risk_area
        rows.append(
            {
                "id": area.id,
                "code": area.code,
                "name": area.name,
                "probability": a.probability,
                "consequence": a.consequence,
                "score": a.score,
                "gross_score": a.gross_score,
                "net_score": a.net_score,
                "target_score": a.target_score,
                "unlawful_influence": a.unlawful_influence,
                "exposure_kr": area.exposure_kr,
                "priority": priority_score(a, max_exposure=max_exposure, cfg=cfg),
                "assessed_on": a.assessed_on,
                "url": reverse("risk-area-detail", args=[area.id]),
            }
        )
    rows.sort(key=lambda r: (-r["priority"], -r["score"], r["code"]))
    return rows


def top_risks(municipality, n: int = 5, *, on: date | None = None) -> list[dict]:
    """The n highest-priority risks: dicts with code, name, probability, consequence, score,
    priority (0–100, Decimal) and url (the risk area's page)."""
    keys = ("code", "name", "probability", "consequence", "score", "priority", "url")
    return [{k: r[k] for k in keys} for r in ranked(municipality, on=on)[:n]]


def heat_map(municipality, on: date | None = None, *, board=None, organisation=None) -> dict:
    """Counts of current assessments per probability × consequence cell.

    Returns {"steps": 4, "probabilities": [4, 3, 2, 1] (rows, highest first), "consequences":
    [1, 2, 3, 4] (columns), "cells": {(p, c): {"count": n, "codes": [...]}} for every cell,
    "rows": [{"probability": p, "label": ..., "cells": [{"consequence": c, "count": n,
    "codes": [...], "level": "low"|"medium"|"high"|"very-high"}]}], "total": n}.
    """
    scale = scale_for(municipality)
    steps = scale.steps
    cells: dict[tuple[int, int], dict] = {
        (p, c): {"count": 0, "codes": []} for p in range(1, steps + 1) for c in range(1, steps + 1)
    }
    total = 0
    current = current_assessments(municipality, on=on, board=board, organisation=organisation)
    for a in sorted(current.values(), key=lambda a: a.risk_area.code):
        p, c = min(a.probability, steps), min(a.consequence, steps)
        cells[(p, c)]["count"] += 1
        cells[(p, c)]["codes"].append(a.risk_area.code)
        total += 1
    rows = []
    for p in range(steps, 0, -1):
        rows.append(
            {
                "probability": p,
                "label": scale.probability_label(p),
                "cells": [
                    {
                        "consequence": c,
                        "count": cells[(p, c)]["count"],
                        "codes": cells[(p, c)]["codes"],
                        "level": level(p * c, steps),
                        "level_label": level_label(p * c, steps),
                    }
                    for c in range(1, steps + 1)
                ],
            }
        )
    return {
        "steps": steps,
        "probabilities": list(range(steps, 0, -1)),
        "consequences": list(range(1, steps + 1)),
        "consequence_labels": [scale.consequence_label(c) for c in range(1, steps + 1)],
        "cells": cells,
        "rows": rows,
        "total": total,
    }


def level(score: int, steps: int = 4) -> str:
    """The colour band of a VoR value: on the 1–4 scale 1–3 low, 4–6 medium, 8–9 high, 12–16 very high."""
    share = score / (steps * steps)
    if share < 0.25:
        return "low"
    if share < 0.45:
        return "medium"
    if share < 0.7:
        return "high"
    return "very-high"


def level_label(score: int, steps: int = 4) -> str:
    return {
        "low": _("low risk"),
        "medium": _("medium risk"),
        "high": _("high risk"),
        "very-high": _("very high risk"),
    }[level(score, steps)]


def active_areas(municipality):
    return RiskArea.objects.filter(municipality=municipality, retired=False).order_by("code")


def area_names(area: RiskArea) -> set[str]:
    """The names hits and cases may know the area by: its own, and the catalogue's when renamed."""
    names = {area.name}
    if area.catalogue_number:
        from tillit.risks.services import catalogue_data

        for row in catalogue_data()["risk_areas"]:
            if row["number"] == area.catalogue_number:
                names.add(row["name"])
    return names


def evidence(*, user, area: RiskArea, since: date | None = None) -> dict:
    """What the controls and cases say about a risk area, for the assessment page: hits (count and
    amount at risk) per control that serves the area, cases in the area and those confirmed, with
    their amounts. Counts and sums only: no personal data."""
    from django.db.models import Count, Q, Sum

    from tillit.analytics.registry import all_controls
    from tillit.cases.models import Case, OtherOutcome
    from tillit.controls.selectors import hit_list

    names = area_names(area)
    serving = sorted(c.id for c in all_controls() if names & set(c.risk_areas))
    hits = hit_list(user=user, risk_area=area.name, status="")
    for other in names - {area.name}:
        hits = hits | hit_list(user=user, risk_area=other, status="")
    if since is not None:
        hits = hits.filter(created_at__date__gte=since)
    per_control = list(
        hits.order_by()
        .values("control_id")
        .annotate(n=Count("id"), amount=Sum("amount_at_risk"))
        .order_by("control_id")
    )
    cases = Case.objects.filter(municipality_id=user.municipality_id, risk_area__in=names)
    if since is not None:
        cases = cases.filter(opened_at__date__gte=since)
    confirmed = cases.filter(
        Q(recovery_claims__isnull=False)
        | Q(police_reports__isnull=False)
        | Q(notifications__isnull=False)
        | Q(sanctions__isnull=False)
        | Q(
            other_outcomes__kind__in=[
                OtherOutcome.Kind.CORRECTED_PAYMENT,
                OtherOutcome.Kind.CHANGED_DECISION,
            ]
        )
    ).distinct()
    return {
        "controls": serving,
        "hits": sum(r["n"] for r in per_control),
        "hits_amount": sum((r["amount"] or Decimal(0) for r in per_control), Decimal(0)),
        "per_control": per_control,
        "cases": cases.count(),
        "cases_amount": cases.aggregate(s=Sum("amount_concerned"))["s"] or Decimal(0),
        "confirmed": confirmed.count(),
        "confirmed_amount": Case.objects.filter(pk__in=confirmed.values("pk")).aggregate(
            s=Sum("amount_concerned")
        )["s"]
        or Decimal(0),
    }
