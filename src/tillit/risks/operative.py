"""Operative risk analyses per department: one template of questions per operation, answers per
department, compiled into the municipality's mapping with each department's risks traceable."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tillit.risks.models import OperativeAnalysis, OperativeAnswer, RiskArea
from tillit.risks.services import RiskError

# English source strings, translated when shown; a municipality's own questions are stored as written.
DEFAULT_QUESTIONS = [
    {
        "key": "past_abuse",
        "text": gettext_noop("Has the process been abused before? How, and how was it found?"),
    },
    {
        "key": "decisions",
        "text": gettext_noop(
            "Which decisions in the operation would criminals have an incentive to influence?"
        ),
    },
    {
        "key": "staff_incentives",
        "text": gettext_noop(
            "What incentives or pressure could make staff act improperly "
            "(benefits, threats, relations)?"
        ),
    },
    {
        "key": "verification",
        "text": gettext_noop(
            "How are people, companies and documents verified before a decision or payment?"
        ),
    },
    {
        "key": "payments",
        "text": gettext_noop("Which payments leave the operation, to whom, and who attests them?"),
    },
]


@transaction.atomic
def analysis_create(
    *, municipality, name: str, year: int, questions: list[dict] | None = None, origin: str = ""
) -> OperativeAnalysis:
    if not (name or "").strip():
        raise RiskError(_("The analysis needs a name."))
    questions = questions if questions is not None else DEFAULT_QUESTIONS
    cleaned = []
    for i, q in enumerate(questions, 1):
        text = (q.get("text") or "").strip()
        if text:
            cleaned.append({"key": (q.get("key") or f"q{i}")[:40], "text": text})
    if not cleaned:
        raise RiskError(_("The template needs at least one question."))
    return OperativeAnalysis.objects.create(
        municipality=municipality, name=name.strip(), year=year, questions=cleaned, origin=origin
    )


@transaction.atomic
def answer_save(
    *,
    analysis: OperativeAnalysis,
    department: str,
    operation: str,
    answers: dict[str, str],
    risk_areas=(),
    answered_on: date,
    unit=None,
    user=None,
) -> OperativeAnswer:
    if not (department or "").strip() or not (operation or "").strip():
        raise RiskError(_("Name the department and the operation the answers are about."))
    keys = {q["key"] for q in analysis.questions}
    answers = {k: (v or "").strip() for k, v in answers.items() if k in keys}
    answer, _created = OperativeAnswer.objects.update_or_create(
        analysis=analysis,
        department=department.strip(),
        operation=operation.strip(),
        defaults={
            "municipality": analysis.municipality,
            "answers": answers,
            "answered_on": answered_on,
            "unit": unit,
            "created_by": user,
        },
    )
    answer.risk_areas.set(risk_areas)
    return answer


def mapping(analysis: OperativeAnalysis) -> list[dict]:
    """The compiled mapping: each risk area named by some department, with where it came from."""
    by_area: dict[int, dict] = {}
    for answer in analysis.answers.prefetch_related("risk_areas"):
        for area in answer.risk_areas.all():
            entry = by_area.setdefault(area.pk, {"area": area, "sources": []})
            entry["sources"].append(
                {
                    "department": answer.department,
                    "operation": answer.operation,
                    "answer_id": answer.pk,
                }
            )
    return sorted(by_area.values(), key=lambda e: (-len(e["sources"]), e["area"].code))


def questions_shown(analysis: OperativeAnalysis) -> list[dict]:
    return [{"key": q["key"], "text": _(q["text"])} for q in analysis.questions]


def template_content(analysis: OperativeAnalysis) -> dict:
    """What a shared analysis template holds: the questions, never the answers."""
    return {
        "name": analysis.name,
        "questions": [{"key": q["key"], "text": q["text"]} for q in analysis.questions],
    }


def areas_of(municipality):
    return RiskArea.objects.filter(municipality=municipality, retired=False).order_by("code")
