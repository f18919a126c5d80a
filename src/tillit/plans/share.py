"""Sharing plans and routines between municipalities: one versioned JSON file with a schema.

The envelope (the risks app uses the same for its catalogues):

    {"format": "tillit-share", "version": 1, "kind": "action-plan" | "routine",
     "origin": {"municipality_code", "municipality_name", "exported_at", "tillit_version"},
     "content": {...}}

No personal data leaves in such a file: measures name their responsible unit or role, never a
person; progress notes, indicator values and who entered them stay at home; free text is
cleaned of personal identity numbers, e-mail addresses, phone numbers and the names of the
municipality's users (replaced by their role). The schema is shipped as share-schema.json.
"""

from __future__ import annotations

import json
from importlib import resources

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tillit.accounts.models import User
from tillit.lib.sharing import Scrubber, ShareError, check_envelope, dumps, envelope, read  # noqa: F401 - named here for callers
from tillit.plans.models import ActionPlan, Routine

KINDS = ("action-plan", "routine")


def schema() -> dict:
    return json.loads(
        (resources.files("tillit.plans") / "share-schema.json").read_text(encoding="utf-8")
    )


def slug(title: str) -> str:
    return slugify(title.replace("å", "a").replace("ä", "a").replace("ö", "o"))[:60] or "tillit"


# --- scrubbing -------------------------------------------------------------------------------------

# --- export ----------------------------------------------------------------------------------------


def plan_content(plan: ActionPlan) -> dict:
    clean = Scrubber(User.objects.filter(municipality=plan.municipality))
    areas = []
    for area in plan.areas.all():
        measures = []
        for m in area.measures.all():
            responsible = m.responsible or (
                m.responsible_unit.name if m.responsible_unit_id else ""
            )
            measures.append(
                {
                    "code": m.code,
                    "text": clean(m.text),
                    "description": clean(m.description),
                    "responsible": clean(responsible),
                    "start": m.start.isoformat() if m.start else None,
                    "deadline": m.deadline.isoformat() if m.deadline else None,
                    "start_text": clean(m.start_text),
                    "deadline_text": clean(m.deadline_text),
                    "indicator": clean(m.indicator),
                    "indicator_source": m.indicator_source,
                    "target_value": str(m.target_value) if m.target_value is not None else None,
                    "control_ids": list(m.control_ids or []),
                    "risk_areas": sorted(ra.name for ra in m.risk_areas.all()),
                    "links": [
                        {"title": clean(link.get("title", "")), "url": link.get("url", "")}
                        for link in (m.links or [])
                        if str(link.get("url", "")).startswith("http")
                    ],
                }
            )
        areas.append(
            {
                "number": area.number,
                "title": clean(area.title),
                "description": clean(area.description),
                "measures": measures,
            }
        )
    return {
        "title": clean(plan.title),
        "period_start": plan.period_start.isoformat(),
        "period_end": plan.period_end.isoformat(),
        "decided": clean(plan.decided),
        "description": clean(plan.description),
        "source": clean(plan.source),
        "areas": areas,
    }


def plan_export(plan: ActionPlan) -> dict:
    return envelope(municipality=plan.municipality, kind="action-plan", content=plan_content(plan))


def routine_content(routine: Routine) -> dict:
    clean = Scrubber(User.objects.filter(municipality=routine.municipality))
    return {
        "title": clean(routine.title),
        "kind": routine.kind,
        "summary": clean(routine.summary),
        "owner": clean(routine.owner),
        "version": routine.version,
        "decided_by": clean(routine.decided_by),
        "decided_on": routine.decided_on.isoformat() if routine.decided_on else None,
        "next_review": routine.next_review.isoformat() if routine.next_review else None,
        "laws": [clean(law) for law in routine.laws or []],
        "case_steps": list(routine.case_steps or []),
        "url": routine.url if routine.url.startswith("http") else "",
    }


def routine_export(routine: Routine) -> dict:
    return envelope(
        municipality=routine.municipality, kind="routine", content=routine_content(routine)
    )


# --- import ----------------------------------------------------------------------------------------


def validate(data) -> None:
    """The envelope and its content, checked against the schema's rules; ShareError says where."""
    check_envelope(data, kinds=KINDS)
    content = data.get("content")
    if data["kind"] == "action-plan":
        areas = content.get("areas")
        if not isinstance(areas, list):
            raise ShareError(_("The plan in the file has no activity areas."))
        for a_index, area in enumerate(areas, 1):
            if not isinstance(area, dict) or not isinstance(area.get("measures", []), list):
                raise ShareError(
                    _("Activity area %(n)s in the file is not readable.") % {"n": a_index}
                )
    else:
        if content.get("kind") not in Routine.Kind.values:
            raise ShareError(
                _("The routine in the file has an unknown kind %(kind)s.")
                % {"kind": content.get("kind")}
            )
        if not isinstance(content.get("laws", []), list) or not isinstance(
            content.get("case_steps", []), list
        ):
            raise ShareError(_("The routine's laws and case steps must be lists."))


def parse(raw: bytes) -> dict:
    data = read(raw, kinds=KINDS)
    validate(data)
    return data


@transaction.atomic
def import_file(*, municipality, user, raw: bytes):
    """Import a shared plan or routine; its origin is kept on the new record. Nothing is written
    when any part of the file is refused."""
    from datetime import date

    from tillit.plans import services

    data = parse(raw)
    origin = dict(data["origin"])
    origin["imported_at"] = timezone.localtime().isoformat(timespec="seconds")
    content = data["content"]
    if data["kind"] == "action-plan":
        try:
            return services.plan_import_data(
                municipality=municipality, user=user, data=content, origin=origin
            )
        except services.PlanError as error:
            raise ShareError(str(error)) from None

    def day(value, label):
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise ShareError(
                _("%(where)s: %(value)s is not a date (write it as 2026-11-22).")
                % {"where": label, "value": value}
            ) from None

    try:
        return services.routine_create(
            municipality=municipality,
            user=user,
            origin=origin,
            title=str(content["title"])[:300],
            kind=content["kind"],
            summary=str(content.get("summary") or ""),
            owner=str(content.get("owner") or "")[:300] or origin["municipality_name"],
            version=str(content.get("version") or "1")[:20],
            decided_by=str(content.get("decided_by") or "")[:300],
            decided_on=day(content.get("decided_on"), _("Decided on")),
            next_review=day(content.get("next_review"), _("Next review")),
            laws=[str(law) for law in content.get("laws") or []],
            case_steps=[str(s) for s in content.get("case_steps") or []],
            url=str(content.get("url") or "")[:200],
        )
    except services.PlanError as error:
        raise ShareError(str(error)) from None
