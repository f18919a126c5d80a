"""Sharing a risk catalogue or an analysis template between municipalities: one versioned JSON file
(schema: data/share-schema.json) in the envelope the plans app also uses, plus Word/PDF to read.

    {"format": "tillit-share", "version": 1, "kind": "risk-catalogue" | "analysis-template",
     "origin": {"municipality_code", "municipality_name", "exported_at", "tillit_version"},
     "content": {...}}

No personal data leaves: a catalogue holds codes, names, motivations, owner boards and the scores
of the latest valuation (never who valued, nor the valuation's own free text); a template holds
its questions only (never the departments' answers). Free text is cleaned of identity numbers,
e-mail addresses, phone numbers and the names of the municipality's users.
"""

from __future__ import annotations

import json
from importlib import resources

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.accounts.models import User
from tillit.lib.sharing import Scrubber, ShareError, check_envelope, dumps, envelope, read  # noqa: F401 - named here for callers
from tillit.risks.documents import Doc
from tillit.risks.models import OperativeAnalysis, RiskArea
from tillit.risks.selectors import current_assessments, scale_for

KINDS = ("risk-catalogue", "analysis-template")
VALUATION_FIELDS = (
    "gross_probability",
    "gross_consequence",
    "net_probability",
    "net_consequence",
    "target_probability",
    "target_consequence",
    "unlawful_influence",
)


def schema() -> dict:
    return json.loads(
        resources.files("tillit.risks")
        .joinpath("data/share-schema.json")
        .read_text(encoding="utf-8")
    )


def catalogue_export(municipality, *, with_valuations: bool = True) -> dict:
    clean = Scrubber(User.objects.filter(municipality=municipality))
    current = current_assessments(municipality) if with_valuations else {}
    scale = scale_for(municipality)
    areas = []
    for area in RiskArea.objects.filter(municipality=municipality, retired=False).prefetch_related(
        "owner_boards"
    ):
        row = {
            "code": area.code,
            "name": clean(area.name),
            "motivation": clean(area.description),
            "owner_boards": [b.name for b in area.owner_boards.all()],
        }
        a = current.get(area.pk)
        if a is not None:
            row["valuation"] = {
                "assessed_on": a.assessed_on.isoformat(),
                **{f: getattr(a, f) for f in VALUATION_FIELDS},
            }
        areas.append(row)
    content = {
        "title": _("Risk catalogue of %(municipality)s") % {"municipality": municipality.name},
        "scale": {
            "steps": scale.steps,
            "probability": scale.probability,
            "consequence": scale.consequence,
        },
        "risk_areas": areas,
    }
    return envelope(municipality=municipality, kind="risk-catalogue", content=content)


def template_export(analysis: OperativeAnalysis) -> dict:
    clean = Scrubber(User.objects.filter(municipality=analysis.municipality))
    content = {
        "title": clean(analysis.name),
        "questions": [{"key": q["key"], "text": clean(q["text"])} for q in analysis.questions],
    }
    return envelope(municipality=analysis.municipality, kind="analysis-template", content=content)


def readable(data: dict) -> Doc:
    """The file's content as a document to read (Word/PDF)."""
    origin = data["origin"]
    content = data["content"]
    doc = Doc(content["title"])
    doc.para(
        _("Shared by %(name)s (%(code)s), exported %(at)s. Tillit sharing file, version %(v)s.")
        % {
            "name": origin["municipality_name"],
            "code": origin["municipality_code"],
            "at": origin["exported_at"][:10],
            "v": data["version"],
        }
    )
    if data["kind"] == "risk-catalogue":
        rows = []
        for a in content["risk_areas"]:
            v = a.get("valuation") or {}
            gross = (
                (v["gross_probability"] * v["gross_consequence"])
                if v.get("gross_probability")
                else "–"
            )
            rows.append(
                [
                    a["code"],
                    a["name"],
                    a.get("motivation", ""),
                    ", ".join(a.get("owner_boards", [])),
                    gross,
                ]
            )
        doc.table(
            [_("Code"), _("Risk area"), _("Motivation"), _("Owner boards"), _("Gross VoR value")],
            rows,
        )
    else:
        doc.table(
            [_("No."), _("Question")],
            [[i, q["text"]] for i, q in enumerate(content["questions"], 1)],
        )
    return doc


# --- import -----------------------------------------------------------------------------------------


def _score(value, where: str):
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10:
        raise ShareError(
            _("%(where)s: a score must be a whole number from 1 to 10.") % {"where": where}
        )
    return value


def validate(data) -> None:
    """Checks the envelope and content against the schema's rules; ShareError says where."""
    check_envelope(data, kinds=KINDS)
    content = data.get("content")
    if data["kind"] == "risk-catalogue":
        areas = content.get("risk_areas")
        if not isinstance(areas, list):
            raise ShareError(_("The catalogue in the file has no risk areas."))
        seen = set()
        for i, area in enumerate(areas, 1):
            where = _("Risk area %(n)s") % {"n": i}
            if (
                not isinstance(area, dict)
                or not str(area.get("code", "")).strip()
                or not str(area.get("name", "")).strip()
            ):
                raise ShareError(_("%(where)s has no code or name.") % {"where": where})
            if len(str(area["code"])) > 20 or len(str(area["name"])) > 200:
                raise ShareError(
                    _("%(where)s: the code or the name is too long.") % {"where": where}
                )
            if area["code"] in seen:
                raise ShareError(
                    _("%(where)s: the code %(code)s appears twice.")
                    % {"where": where, "code": area["code"]}
                )
            seen.add(area["code"])
            valuation = area.get("valuation")
            if valuation is not None:
                if not isinstance(valuation, dict):
                    raise ShareError(
                        _("%(where)s: the valuation is not readable.") % {"where": where}
                    )
                for f in VALUATION_FIELDS:
                    _score(valuation.get(f), where)
    else:
        questions = content.get("questions")
        if not isinstance(questions, list) or not questions:
            raise ShareError(_("The template in the file has no questions."))
        for i, q in enumerate(questions, 1):
            if (
                not isinstance(q, dict)
                or not str(q.get("text", "")).strip()
                or not str(q.get("key", "")).strip()
            ):
                raise ShareError(_("Question %(n)s in the file has no key or text.") % {"n": i})


def parse(raw: bytes) -> dict:
    data = read(raw, kinds=KINDS)
    validate(data)
    return data


def origin_text(data: dict) -> str:
    o = data["origin"]
    return _("Shared by %(name)s (%(code)s), exported %(at)s") % {
        "name": o["municipality_name"],
        "code": o["municipality_code"],
        "at": o["exported_at"][:10],
    }


@transaction.atomic
def import_file(*, municipality, raw: bytes) -> dict:
    """Imports a shared catalogue (areas whose code or name is already there are left alone; the others
    are added with their origin) or template (a new operative analysis with the questions).
    Nothing is written when any part of the file is refused."""
    from tillit.risks.operative import analysis_create
    from tillit.risks.services import RiskError, risk_area_create

    data = parse(raw)
    origin = origin_text(data)[:200]
    content = data["content"]
    if data["kind"] == "analysis-template":
        try:
            analysis = analysis_create(
                municipality=municipality,
                name=content["title"][:200],
                year=timezone.localdate().year,
                questions=content["questions"],
                origin=origin,
            )
        except RiskError as error:
            raise ShareError(str(error)) from None
        return {"kind": data["kind"], "analysis": analysis, "added": 0, "skipped": 0}
    have_codes = set(
        RiskArea.objects.filter(municipality=municipality).values_list("code", flat=True)
    )
    have_names = {
        n.lower()
        for n in RiskArea.objects.filter(municipality=municipality).values_list("name", flat=True)
    }
    added = skipped = 0
    for area in content["risk_areas"]:
        if area["name"].strip().lower() in have_names:
            skipped += 1
            continue
        code = area["code"].strip()
        if code in have_codes:
            code = ""  # the next free code
        try:
            new = risk_area_create(
                municipality=municipality,
                name=area["name"].strip(),
                code=code,
                description=str(area.get("motivation") or ""),
                origin=origin,
            )
        except RiskError as error:
            raise ShareError(str(error)) from None
        have_codes.add(new.code)
        have_names.add(new.name.lower())
        added += 1
    return {"kind": data["kind"], "added": added, "skipped": skipped}
