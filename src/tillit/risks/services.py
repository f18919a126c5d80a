"""Writes of the risk analysis: one transaction each."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.risks.models import RiskAnalysis, RiskArea, RiskAssessment, RiskSettings
from tillit.risks.selectors import risk_settings, scale_for


class RiskError(ValueError):
    """Bad input: the message says what and where, in the user's language; nothing was changed."""


def catalogue_data() -> dict:
    """The default catalogue (Oskarshamn's 47 potential risk areas), shipped with the package as
    reference data (analytics/refdata/risk_areas.json, shared with the control library's coverage)."""
    from tillit.analytics.refdata import risk_areas

    return copy.deepcopy(risk_areas())


@transaction.atomic
def catalogue_load(*, municipality) -> int:
    """Adds the catalogue's areas the municipality does not have (by code). Returns how many were added."""
    data = catalogue_data()
    have = set(RiskArea.objects.filter(municipality=municipality).values_list("code", flat=True))
    new = [
        RiskArea(
            municipality=municipality,
            code=row["code"],
            name=row["name"],
            description=row["motivation"],
            catalogue_number=row["number"],
            origin=data["source"],
        )
        for row in data["risk_areas"]
        if row["code"] not in have
    ]
    RiskArea.objects.bulk_create(new)
    return len(new)


def ensure_catalogue(municipality) -> None:
    """At the first visit of a municipality that never had a risk area."""
    if not RiskArea.objects.filter(municipality=municipality).exists():
        catalogue_load(municipality=municipality)


def next_code(municipality, prefix: str = "R") -> str:
    numbers = []
    for code in RiskArea.objects.filter(
        municipality=municipality, code__startswith=prefix
    ).values_list("code", flat=True):
        tail = code[len(prefix) :]
        if tail.isdigit():
            numbers.append(int(tail))
    return f"{prefix}{(max(numbers) + 1 if numbers else 1):02d}"


@transaction.atomic
def risk_area_create(
    *,
    municipality,
    name: str,
    code: str = "",
    description: str = "",
    exposure_kr: Decimal | None = None,
    owner_boards=(),
    organisation=None,
    origin: str = "",
) -> RiskArea:
    name = (name or "").strip()
    if not name:
        raise RiskError(_("The risk area needs a name."))
    code = (code or "").strip() or next_code(municipality)
    if RiskArea.objects.filter(municipality=municipality, code=code).exists():
        raise RiskError(
            _("The code %(code)s is already used by another risk area.") % {"code": code}
        )
    area = RiskArea.objects.create(
        municipality=municipality,
        code=code,
        name=name,
        description=description,
        exposure_kr=exposure_kr,
        organisation=organisation,
        origin=origin,
    )
    area.owner_boards.set(owner_boards)
    return area


@transaction.atomic
def risk_area_update(
    *,
    area: RiskArea,
    name: str,
    description: str,
    exposure_kr: Decimal | None,
    owner_boards=(),
    organisation=None,
) -> RiskArea:
    name = (name or "").strip()
    if not name:
        raise RiskError(_("The risk area needs a name."))
    area.name = name
    area.description = description
    area.exposure_kr = exposure_kr
    area.organisation = organisation
    area.save()
    area.owner_boards.set(owner_boards)
    return area


@transaction.atomic
def risk_area_retire(*, area: RiskArea, retired: bool = True) -> RiskArea:
    area.retired = retired
    area.retired_at = timezone.now() if retired else None
    area.save(update_fields=["retired", "retired_at", "updated_at"])
    return area


# --- assessments ---------------------------------------------------------------------------

SCORE_FIELDS = [
    "gross_probability",
    "gross_consequence",
    "net_probability",
    "net_consequence",
    "target_probability",
    "target_consequence",
    "unlawful_influence",
]
COMPARED_FIELDS = SCORE_FIELDS + [
    "gross_motivation",
    "gross_foundation",
    "net_motivation",
    "net_foundation",
    "target_motivation",
    "target_foundation",
    "ic_deviations",
    "ic_deviations_note",
]


@transaction.atomic
def assessment_create(
    *,
    risk_area: RiskArea,
    user=None,
    assessed_on: date | None = None,
    analysis=None,
    board=None,
    **values,
) -> RiskAssessment:
    """A new valuation (the earlier ones stay as history). Fields that differ from the previous
    valuation of the same area are recorded in `changes`."""
    municipality = risk_area.municipality
    steps = scale_for(municipality).steps
    labels = {
        "gross_probability": _("gross probability"),
        "gross_consequence": _("gross consequence"),
        "net_probability": _("net probability"),
        "net_consequence": _("net consequence"),
        "target_probability": _("target probability"),
        "target_consequence": _("target consequence"),
        "unlawful_influence": _("risk of unlawful influence"),
    }
    for field in SCORE_FIELDS:
        value = values.get(field)
        if value in (None, ""):
            if field in ("gross_probability", "gross_consequence"):
                raise RiskError(
                    _("%(field)s is missing for %(area)s.")
                    % {"field": labels[field], "area": risk_area}
                )
            values[field] = None if field != "unlawful_influence" else 1
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise RiskError(
                _("%(field)s for %(area)s must be a whole number from 1 to %(max)s.")
                % {"field": labels[field], "area": risk_area, "max": steps}
            ) from None
        if not 1 <= value <= steps:
            raise RiskError(
                _("%(field)s for %(area)s must be a whole number from 1 to %(max)s.")
                % {"field": labels[field], "area": risk_area, "max": steps}
            )
        values[field] = value
    for a, b in (
        ("net_probability", "net_consequence"),
        ("target_probability", "target_consequence"),
    ):
        if (values.get(a) is None) != (values.get(b) is None):
            raise RiskError(
                _("Give both probability and consequence, or neither, for %(what)s of %(area)s.")
                % {
                    "what": _("net risk") if a.startswith("net") else _("target risk"),
                    "area": risk_area,
                }
            )
    if board is None and analysis is not None:
        board = analysis.board
    previous = (
        RiskAssessment.objects.filter(risk_area=risk_area, board=board)
        .order_by("-assessed_on", "-created_at", "-id")
        .first()
    )
    assessment = RiskAssessment(
        municipality=municipality,
        risk_area=risk_area,
        analysis=analysis,
        board=board,
        created_by=user,
        assessed_on=assessed_on or timezone.localdate(),
        **{k: v for k, v in values.items() if k in COMPARED_FIELDS},
    )
    if previous is not None:
        assessment.changes = [
            f for f in COMPARED_FIELDS if getattr(previous, f) != getattr(assessment, f)
        ]
    assessment.save()
    if analysis is not None:
        analysis.risk_areas.add(risk_area)
    return assessment


def measures_for(risk_area: RiskArea) -> list:
    """The plans app's measures linked to this risk area, or [] when the plans app has none."""
    try:
        model = apps.get_model("plans", "Measure")
    except LookupError:
        return []
    for field in model._meta.get_fields():
        if getattr(field, "related_model", None) is RiskArea and not field.auto_created:
            return list(model.objects.filter(**{field.name: risk_area}).distinct())
    return []


def plans_have_measures() -> bool:
    try:
        model = apps.get_model("plans", "Measure")
    except LookupError:
        return False
    return any(getattr(f, "related_model", None) is RiskArea for f in model._meta.get_fields())


@dataclass
class Flag:
    kind: str
    message: str


def quality_flags(
    assessment: RiskAssessment, *, today: date | None = None, measures: list | None = None
) -> list[Flag]:
    """What a reviewer should look at: net above gross, a lowered risk with no measure behind it, staleness."""
    today = today or timezone.localdate()
    flags = []
    gross = assessment.gross_score
    net = assessment.net_score
    target = assessment.target_score
    if net is not None and net > gross:
        flags.append(
            Flag(
                "net-above-gross",
                _(
                    "The net risk (%(net)s) is above the gross risk (%(gross)s): existing "
                    "measures cannot make a risk larger."
                )
                % {"net": net, "gross": gross},
            )
        )
    if plans_have_measures():
        if measures is None:
            measures = measures_for(assessment.risk_area)
        lowered = (net is not None and net < gross) or (
            target is not None and target < (net if net is not None else gross)
        )
        if lowered and not measures:
            flags.append(
                Flag(
                    "no-measure",
                    _(
                        "The risk is lowered but no measure in the action plan is linked to "
                        "this risk area."
                    ),
                )
            )
    stale_after = risk_settings(assessment.municipality).stale_after_days or 400
    if assessment.assessed_on < today - timedelta(days=stale_after):
        flags.append(
            Flag("stale", _("The assessment is older than %(days)s days.") % {"days": stale_after})
        )
    return flags


# --- settings --------------------------------------------------------------------------------


@transaction.atomic
def settings_update(
    *,
    municipality,
    scale_max: int,
    probability_labels: list[str],
    consequence_labels: list[str],
    weight_vor: Decimal,
    weight_exposure: Decimal,
    weight_influence: Decimal,
    stale_after_days: int,
) -> RiskSettings:
    if not 2 <= scale_max <= 10:
        raise RiskError(_("The scale must have from 2 to 10 steps."))
    for w in (weight_vor, weight_exposure, weight_influence):
        if w < 0:
            raise RiskError(_("A weight cannot be negative."))
    if weight_vor + weight_exposure + weight_influence <= 0:
        raise RiskError(_("At least one weight must be above zero."))
    cfg, _created = RiskSettings.objects.get_or_create(municipality=municipality)
    cfg.scale_max = scale_max
    cfg.probability_labels = probability_labels
    cfg.consequence_labels = consequence_labels
    cfg.weight_vor, cfg.weight_exposure, cfg.weight_influence = (
        weight_vor,
        weight_exposure,
        weight_influence,
    )
    cfg.stale_after_days = stale_after_days
    cfg.save()
    return cfg


# --- analyses: copy, roll out, roll up --------------------------------------------------------


@transaction.atomic
def analysis_create(
    *, municipality, name: str, year: int, board=None, organisation=None, risk_areas=()
) -> RiskAnalysis:
    if not (name or "").strip():
        raise RiskError(_("The analysis needs a name."))
    analysis = RiskAnalysis.objects.create(
        municipality=municipality,
        name=name.strip(),
        year=year,
        board=board,
        organisation=organisation,
    )
    analysis.risk_areas.set(risk_areas)
    return analysis


def latest_in(analysis: RiskAnalysis) -> dict[int, RiskAssessment]:
    latest: dict[int, RiskAssessment] = {}
    for a in analysis.assessments.order_by("risk_area_id", "-assessed_on", "-created_at", "-id"):
        latest.setdefault(a.risk_area_id, a)
    return latest


@transaction.atomic
def analysis_copy(
    *, analysis: RiskAnalysis, year: int, name: str = "", user=None, assessed_on: date | None = None
) -> RiskAnalysis:
    """Starts a new year's analysis from an earlier one: the same risk areas, and each area's last
    valuation carried over as the starting point (unchanged, so `changes` is empty until revalued)."""
    if not name:
        head, _sep, tail = analysis.name.rpartition(" ")
        name = f"{head} {year}" if head and tail.isdigit() else f"{analysis.name} {year}"
    new = RiskAnalysis.objects.create(
        municipality=analysis.municipality,
        name=name,
        year=year,
        board=analysis.board,
        organisation=analysis.organisation,
        copied_from=analysis,
    )
    new.risk_areas.set(analysis.risk_areas.filter(retired=False))
    when = assessed_on or timezone.localdate()
    for old in latest_in(analysis).values():
        if old.risk_area.retired:
            continue
        RiskAssessment.objects.create(
            municipality=old.municipality,
            risk_area=old.risk_area,
            analysis=new,
            board=old.board,
            created_by=user,
            assessed_on=when,
            changes=[],
            **{f: getattr(old, f) for f in COMPARED_FIELDS},
        )
    return new


def changes_since_copy(analysis: RiskAnalysis) -> dict[int, list[str]]:
    """Per risk area, the fields whose current value differs from the analysis it was copied from."""
    if analysis.copied_from is None:
        return {}
    before = latest_in(analysis.copied_from)
    out = {}
    for area_id, now in latest_in(analysis).items():
        old = before.get(area_id)
        out[area_id] = [
            f for f in COMPARED_FIELDS if old is None or getattr(old, f) != getattr(now, f)
        ]
    return out


@transaction.atomic
def analysis_roll_out(*, analysis: RiskAnalysis, boards) -> list[RiskAnalysis]:
    """The municipal board's analysis handed to each board: one child analysis per board with the same
    risk areas. Boards that already have one are skipped."""
    children = []
    existing = set(analysis.children.values_list("board_id", flat=True))
    for board in boards:
        if board.pk in existing or board.municipality_id != analysis.municipality_id:
            continue
        child = RiskAnalysis.objects.create(
            municipality=analysis.municipality,
            name=f"{analysis.name} – {board.name}",
            year=analysis.year,
            board=board,
            parent=analysis,
        )
        child.risk_areas.set(analysis.risk_areas.all())
        children.append(child)
    return children


@transaction.atomic
def analysis_roll_up(
    *, analysis: RiskAnalysis, user=None, assessed_on: date | None = None
) -> list[RiskAssessment]:
    """The boards' valuations brought back to the municipal level: for each risk area the highest
    valuation among the boards (the worst case counts), with every board's values in the motivation."""
    per_area: dict[int, list[RiskAssessment]] = {}
    for child in analysis.children.select_related("board"):
        for area_id, a in latest_in(child).items():
            per_area.setdefault(area_id, []).append(a)
    created = []
    for rows in per_area.values():
        worst = max(rows, key=lambda a: (a.score, a.gross_score, a.unlawful_influence))
        lines = [
            _("%(board)s: gross %(gross)s, net %(net)s, unlawful influence %(infl)s")
            % {
                "board": a.board.name if a.board else "–",
                "gross": a.gross_score,
                "net": a.net_score if a.net_score is not None else "–",
                "infl": a.unlawful_influence,
            }
            for a in sorted(rows, key=lambda a: a.board.name if a.board else "")
        ]
        values = {f: getattr(worst, f) for f in COMPARED_FIELDS}
        values["unlawful_influence"] = max(a.unlawful_influence for a in rows)
        values["ic_deviations"] = sum(a.ic_deviations for a in rows)
        values["net_motivation"] = (
            _("Rolled up from the boards (the highest valuation counts).") + "\n" + "\n".join(lines)
        )
        created.append(
            assessment_create(
                risk_area=worst.risk_area,
                user=user,
                assessed_on=assessed_on,
                analysis=analysis,
                board=analysis.board,
                **values,
            )
        )
    return created
