"""The status report to the boards (Oskarshamn: twice a year) and the reading copies of shared files.

`figures()` gathers plain, JSON-ready values for a date; issuing a report stores them with the
PDF (reportlab), the Word document (python-docx) and the Excel figures (openpyxl) made from
them, so an issued report reads later exactly as the board saw it.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape as xml_escape

from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from tillit.lib.csvsafe import csv_cell
from tillit.lib.formats import format_amount
from tillit.plans import selectors
from tillit.plans.models import ActionPlan, PlanEvent, Routine, StatusReport, TrainingOccasion


class ReportError(ValueError):
    pass


def _d(value) -> str | None:
    return value.isoformat() if value else None


def _num(value) -> str | None:
    if value is None:
        return None
    value = Decimal(value)
    text = format(value.normalize(), "f") if value == value.to_integral() else f"{value:.2f}"
    return text.replace(".", ",")


def _risks(municipality, as_of: date) -> tuple[dict, list[dict]]:
    try:
        from tillit.risks.selectors import heat_map, top_risks
    except ImportError:
        return {"available": False}, []
    hm = heat_map(municipality, on=as_of)
    heat = {
        "available": True,
        "total": hm["total"],
        "consequence_labels": [str(c) for c in hm["consequence_labels"]],
        "rows": [
            {
                "label": str(row["label"]),
                "probability": row["probability"],
                "cells": [
                    {
                        "consequence": c["consequence"],
                        "count": c["count"],
                        "codes": list(c["codes"]),
                        "level": c["level"],
                        "level_label": str(c.get("level_label", "")),
                    }
                    for c in row["cells"]
                ],
            }
            for row in hm["rows"]
        ],
    }
    top = [
        {
            "code": r["code"],
            "name": r["name"],
            "probability": r["probability"],
            "consequence": r["consequence"],
            "score": r["score"],
            "priority": str(r["priority"]),
        }
        for r in top_risks(municipality, n=5, on=as_of)
    ]
    return heat, top


def figures(
    plan: ActionPlan, as_of: date, *, title: str = "", recipients: str = "", comment: str = ""
) -> dict:
    """Everything the status report shows, as plain values (the snapshot stored when it is issued)."""
    municipality = plan.municipality
    progress = selectors.plan_progress(plan, as_of)
    areas = []
    indicators = []
    for area in progress["areas"]:
        rows = []
        for r in area["measures"]:
            ind = r["indicator_state"]
            row = {
                "code": r["code"],
                "text": r["text"],
                "responsible": r["responsible"],
                "start": _d(r["start"]) or r["start_text"],
                "deadline": _d(r["deadline"]) or r["deadline_text"],
                "status": r["status"],
                "status_label": capfirst(str(r["status_label"])),
                "progress": r["progress"],
                "overdue": r["overdue"],
                "indicator": r["indicator"],
                "indicator_value": _num(ind["value"]),
                "indicator_measured_on": _d(ind["measured_on"]),
                "indicator_computed": ind["computed"],
                "indicator_stale": ind["stale"],
                "target_value": _num(r["target_value"]),
                "risk_areas": sorted(ra.name for ra in r["measure"].risk_areas.all()),
                "control_ids": list(r["measure"].control_ids or []),
            }
            rows.append(row)
            if r["indicator"]:
                indicators.append(
                    {
                        k: row[k]
                        for k in (
                            "code",
                            "indicator",
                            "indicator_value",
                            "target_value",
                            "indicator_measured_on",
                            "indicator_computed",
                            "indicator_stale",
                        )
                    }
                )
        areas.append(
            {
                "number": area["number"],
                "title": area["title"],
                "progress": area["progress"],
                "count": area["count"],
                "done": area["done"],
                "overdue": area["overdue"],
                "measures": rows,
            }
        )
    overdue = [
        {
            "code": r["code"],
            "text": r["text"],
            "responsible": r["responsible"],
            "deadline": _d(r["deadline"]),
            "days_late": (as_of - r["deadline"]).days,
            "progress": r["progress"],
        }
        for r in progress["overdue"]
    ]
    heat, top = _risks(municipality, as_of)
    outcomes = selectors.outcomes(municipality, plan.period_start, as_of)
    occasions = TrainingOccasion.objects.filter(
        municipality=municipality, held_on__gte=plan.period_start, held_on__lte=as_of
    ).prefetch_related("attendance__unit")
    by_unit: dict[str, int] = {}
    for occasion in occasions:
        for row in occasion.attendance.all():
            by_unit[row.label] = by_unit.get(row.label, 0) + row.participants
    routines_due = [
        {
            "title": r.title,
            "version": r.version,
            "owner": r.owner,
            "next_review": _d(r.next_review),
            "state": r.review_state(as_of),
        }
        for r in Routine.objects.filter(
            municipality=municipality, retired=False, next_review__isnull=False
        ).order_by("next_review")
        if r.review_state(as_of)
    ]
    return {
        "title": title or _("Status report"),
        "as_of": as_of.isoformat(),
        "recipients": recipients,
        "comment": comment,
        "municipality": municipality.name,
        "plan": {
            "title": plan.title,
            "period_start": _d(plan.period_start),
            "period_end": _d(plan.period_end),
            "decided": plan.decided,
        },
        "progress": progress["progress"],
        "count": progress["count"],
        "done": progress["done"],
        "overdue_count": len(overdue),
        "stale_count": len(progress["stale"]),
        "areas": areas,
        "overdue": overdue,
        "indicators": indicators,
        "heat_map": heat,
        "top_risks": top,
        "outcomes": {
            **outcomes,
            "period_start": _d(plan.period_start),
            "period_end": as_of.isoformat(),
        },
        "training": {
            "trained": sum(by_unit.values()),
            "occasions": len(occasions),
            "by_unit": sorted(by_unit.items()),
        },
        "routines_due": routines_due,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
    }


@transaction.atomic
def report_create(
    *, plan: ActionPlan, user, as_of: date, title: str, recipients: str = "", comment: str = ""
) -> StatusReport:
    report = StatusReport.objects.create(
        municipality=plan.municipality,
        plan=plan,
        as_of=as_of,
        title=title,
        recipients=recipients,
        comment=comment,
    )
    PlanEvent.objects.create(
        municipality=plan.municipality,
        user=user,
        action="report_create",
        object_type="statusreport",
        object_id=str(report.pk),
    )
    return report


@transaction.atomic
def report_issue(*, report: StatusReport, user) -> StatusReport:
    report = StatusReport.objects.select_for_update().get(pk=report.pk)
    if report.is_issued:
        raise ReportError(_("The report is already issued; an issued report does not change."))
    data = figures(
        report.plan,
        report.as_of,
        title=report.title,
        recipients=report.recipients,
        comment=report.comment,
    )
    data["issued_at"] = timezone.localtime().isoformat(timespec="seconds")
    report.figures = data
    report.pdf, report.docx, report.xlsx = render_pdf(data), render_docx(data), render_xlsx(data)
    report.issued_at = timezone.now()
    report.issued_by = user
    report.save()
    PlanEvent.objects.create(
        municipality=report.municipality,
        user=user,
        action="report_issue",
        object_type="statusreport",
        object_id=str(report.pk),
    )
    return report


def report_files(report: StatusReport) -> dict[str, bytes]:
    """The issued report's stored files; a draft's are made now from today's figures."""
    if report.is_issued:
        return {"pdf": bytes(report.pdf), "docx": bytes(report.docx), "xlsx": bytes(report.xlsx)}
    data = figures(
        report.plan,
        report.as_of,
        title=report.title,
        recipients=report.recipients,
        comment=report.comment,
    )
    return {"pdf": render_pdf(data), "docx": render_docx(data), "xlsx": render_xlsx(data)}


# --- the report's sections as rows (shared by PDF, Word and Excel) ---------------------------------


def _yes(value: bool) -> str:
    return _("yes") if value else ""


def summary_rows(data: dict) -> list[tuple[str, str]]:
    plan = data["plan"]
    return [
        (_("Municipality"), data["municipality"]),
        (_("Action plan"), plan["title"]),
        (_("Period"), f"{plan['period_start']} – {plan['period_end']}"),
        (_("Decision"), plan["decided"]),
        (_("Report date"), data["as_of"]),
        (_("To"), data["recipients"]),
        (_("Progress of the plan"), f"{data['progress']} %"),
        (_("Measures"), str(data["count"])),
        (_("Done"), str(data["done"])),
        (_("Overdue"), str(data["overdue_count"])),
        (_("Indicators not updated in their period"), str(data["stale_count"])),
    ]


def area_table(data: dict) -> tuple[list[str], list[list[str]]]:
    head = [_("Activity area"), _("Measures"), _("Done"), _("Overdue"), _("Progress")]
    rows = [
        [
            f"{a['number']} {a['title']}",
            str(a["count"]),
            str(a["done"]),
            str(a["overdue"]),
            "" if a["progress"] is None else f"{a['progress']} %",
        ]
        for a in data["areas"]
    ]
    return head, rows


def overdue_table(data: dict) -> tuple[list[str], list[list[str]]]:
    head = [_("Measure"), _("Responsible"), _("Done by"), _("Days late"), _("Progress")]
    rows = [
        [
            f"{o['code']} {o['text']}",
            o["responsible"],
            o["deadline"] or "",
            str(o["days_late"]),
            f"{o['progress']} %",
        ]
        for o in data["overdue"]
    ]
    return head, rows


def measure_table(data: dict) -> tuple[list[str], list[list[str]]]:
    head = [_("Measure"), _("Responsible"), _("Start"), _("Done by"), _("Status"), _("Progress")]
    rows = []
    for a in data["areas"]:
        for m in a["measures"]:
            status = m["status_label"] + (" – " + _("late") if m["overdue"] else "")
            rows.append(
                [
                    f"{m['code']} {m['text']}",
                    m["responsible"],
                    m["start"] or "",
                    m["deadline"] or "",
                    status,
                    f"{m['progress']} %",
                ]
            )
    return head, rows


def indicator_table(data: dict) -> tuple[list[str], list[list[str]]]:
    head = [_("Measure"), _("Indicator"), _("Value"), _("Target value"), _("Measured"), _("Note")]
    rows = []
    for i in data["indicators"]:
        note = (
            _("from the system")
            if i["indicator_computed"]
            else (_("stale") if i["indicator_stale"] else "")
        )
        rows.append(
            [
                i["code"],
                i["indicator"],
                i["indicator_value"] or "–",
                i["target_value"] or "",
                i["indicator_measured_on"] or "",
                note,
            ]
        )
    return head, rows


def heat_table(data: dict) -> tuple[list[str], list[list[str]]] | None:
    heat = data["heat_map"]
    if not heat.get("available"):
        return None
    head = [_("Probability / consequence"), *heat["consequence_labels"]]
    rows = [
        [
            row["label"],
            *[
                (str(c["count"]) + (f" ({', '.join(c['codes'])})" if c["codes"] else ""))
                for c in row["cells"]
            ],
        ]
        for row in heat["rows"]
    ]
    return head, rows


def top_table(data: dict) -> tuple[list[str], list[list[str]]]:
    head = [_("Risk area"), _("Probability"), _("Consequence"), _("VoR value"), _("Priority")]
    rows = [
        [
            f"{r['code']} {r['name']}",
            str(r["probability"]),
            str(r["consequence"]),
            str(r["score"]),
            r["priority"].replace(".", ","),
        ]
        for r in data["top_risks"]
    ]
    return head, rows


def outcome_rows(data: dict) -> list[tuple[str, str]]:
    o = data["outcomes"]
    return [
        (_("Period"), f"{o['period_start']} – {o['period_end']}"),
        (_("Cases opened"), str(o["cases_opened"])),
        (_("Irregularities found (cases with an outcome)"), str(o["irregularities"])),
        (_("Police reports"), str(o["police_reports"])),
        (_("Notifications to Skatteverket"), str(o["skv_notifications"])),
        (_("Notifications to other authorities"), str(o["other_notifications"])),
        (_("Recovery claims"), str(o["recovery_claims"])),
        (_("Amount claimed back"), format_amount(o["recovery_amount"])),
        (_("Sanctions against providers"), str(o["sanctions"])),
        (_("Staff and elected members trained"), str(data["training"]["trained"])),
        (_("Training occasions"), str(data["training"]["occasions"])),
    ]


def routine_table(data: dict) -> tuple[list[str], list[list[str]]]:
    head = [_("Routine or guideline"), _("Version"), _("Owner"), _("Next review")]
    rows = [
        [
            r["title"],
            r["version"],
            r["owner"],
            r["next_review"] + (" – " + _("late") if r["state"] == "overdue" else ""),
        ]
        for r in data["routines_due"]
    ]
    return head, rows


def _sections(data: dict) -> list[tuple[str, object]]:
    """(heading, content) in reading order; content is a list of pairs, a (head, rows) table or text."""
    sections: list[tuple[str, object]] = [(_("Summary"), summary_rows(data))]
    if data.get("comment"):
        sections.append((_("Comment from the coordinators"), data["comment"]))
    sections.append((_("Progress per activity area"), area_table(data)))
    sections.append(
        (
            _("Overdue measures"),
            overdue_table(data) if data["overdue"] else _("No measure is overdue."),
        )
    )
    heat = heat_table(data)
    sections.append(
        (_("Risk heat map"), heat if heat else _("The risk analysis is not installed."))
    )
    sections.append(
        (_("Top risks"), top_table(data) if data["top_risks"] else _("No risk area is valued yet."))
    )
    sections.append(
        (_("Indicators"), indicator_table(data) if data["indicators"] else _("No indicators."))
    )
    sections.append((_("Outcomes (Oskarshamn 5.2) and training"), outcome_rows(data)))
    if data["routines_due"]:
        sections.append((_("Routines and guidelines due for review"), routine_table(data)))
    sections.append((_("All measures"), measure_table(data)))
    return sections


# --- PDF -------------------------------------------------------------------------------------------

LEVEL_COLOURS = {"low": "#cfe8cf", "medium": "#fff2a8", "high": "#f7c27b", "very-high": "#ef8a80"}


def _pdf(
    title: str, subtitle: str, sections: list[tuple[str, object]], heat: dict | None = None
) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["BodyText"].clone("small", fontSize=8, leading=10)
    story = [Paragraph(xml_escape(title), styles["Title"]), Paragraph(xml_escape(subtitle), body)]
    width = A4[0] - 4 * cm

    def cell(text) -> Paragraph:
        return Paragraph(xml_escape(str(text)), small)

    for heading, content in sections:
        story += [Spacer(1, 0.3 * cm), Paragraph(xml_escape(heading), styles["Heading2"])]
        if isinstance(content, str):
            for part in content.split("\n\n"):
                story.append(Paragraph(xml_escape(part).replace("\n", "<br/>"), body))
            continue
        if isinstance(content, list):  # label/value pairs
            table = Table(
                [[cell(k), cell(v)] for k, v in content], colWidths=[width * 0.45, width * 0.55]
            )
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.append(table)
            continue
        head, rows = content
        first = 0.4 if len(head) > 3 else 0.5
        widths = [width * first] + [width * (1 - first) / (len(head) - 1)] * (len(head) - 1)
        table = Table(
            [[cell(h) for h in head]] + [[cell(v) for v in row] for row in rows],
            colWidths=widths,
            repeatRows=1,
        )
        style = [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e9ef")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if heat and heading == _("Risk heat map"):
            for r_index, row in enumerate(heat["rows"], 1):
                for c_index, c in enumerate(row["cells"], 1):
                    style.append(
                        (
                            "BACKGROUND",
                            (c_index, r_index),
                            (c_index, r_index),
                            colors.HexColor(LEVEL_COLOURS.get(c["level"], "#ffffff")),
                        )
                    )
        table.setStyle(TableStyle(style))
        story.append(table)
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=title,
        author="Tillit",
    ).build(story)
    return buffer.getvalue()


def render_pdf(data: dict) -> bytes:
    subtitle = _("%(municipality)s · %(plan)s · report date %(date)s") % {
        "municipality": data["municipality"],
        "plan": data["plan"]["title"],
        "date": data["as_of"],
    }
    return _pdf(data["title"], subtitle, _sections(data), heat=data["heat_map"])


# --- Word ------------------------------------------------------------------------------------------


def _docx(title: str, subtitle: str, sections: list[tuple[str, object]]) -> bytes:
    from docx import Document

    document = Document()
    document.core_properties.title = title
    document.core_properties.author = "Tillit"
    document.add_heading(title, level=0)
    document.add_paragraph(subtitle)
    for heading, content in sections:
        document.add_heading(heading, level=1)
        if isinstance(content, str):
            for part in content.split("\n\n"):
                document.add_paragraph(part)
            continue
        if isinstance(content, list):
            table = document.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for k, v in content:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = str(k), str(v)
            continue
        head, rows = content
        table = document.add_table(rows=1, cols=len(head))
        table.style = "Table Grid"
        for i, h in enumerate(head):
            table.rows[0].cells[i].text = str(h)
        for row in rows:
            cells = table.add_row().cells
            for i, v in enumerate(row):
                cells[i].text = str(v)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_docx(data: dict) -> bytes:
    subtitle = _("%(municipality)s · %(plan)s · report date %(date)s") % {
        "municipality": data["municipality"],
        "plan": data["plan"]["title"],
        "date": data["as_of"],
    }
    return _docx(data["title"], subtitle, _sections(data))


# --- Excel -----------------------------------------------------------------------------------------


def _safe(value):
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    return csv_cell(value)


def render_xlsx(data: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Summary")[:31]
    for k, v in summary_rows(data) + outcome_rows(data):
        sheet.append([_safe(k), _safe(v)])

    def add(title: str, head: list[str], rows: list[list]):
        ws = workbook.create_sheet(title[:31])
        ws.append([_safe(h) for h in head])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([_safe(v) for v in row])

    head = [
        _("Activity area"),
        _("Number"),
        _("Measure"),
        _("Responsible"),
        _("Start"),
        _("Done by"),
        _("Status"),
        _("Progress (%)"),
        _("Overdue"),
        _("Indicator"),
        _("Value"),
        _("Target value"),
        _("Stale"),
        _("Risk areas"),
        _("Controls"),
    ]
    rows = []
    for a in data["areas"]:
        for m in a["measures"]:
            rows.append(
                [
                    f"{a['number']} {a['title']}",
                    m["code"],
                    m["text"],
                    m["responsible"],
                    m["start"] or "",
                    m["deadline"] or "",
                    m["status_label"],
                    m["progress"],
                    _yes(m["overdue"]),
                    m["indicator"],
                    m["indicator_value"] or "",
                    m["target_value"] or "",
                    _yes(m["indicator_stale"]),
                    ", ".join(m["risk_areas"]),
                    ", ".join(m["control_ids"]),
                ]
            )
    add(_("Measures"), head, rows)
    add(_("Activity areas"), *area_table(data))
    add(_("Indicators"), *indicator_table(data))
    heat = heat_table(data)
    if heat:
        add(_("Risk heat map"), *heat)
    add(_("Top risks"), *top_table(data))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- reading copies of shared files ----------------------------------------------------------------


def _share_sections(envelope: dict) -> tuple[str, str, list]:
    origin, content = envelope["origin"], envelope["content"]
    subtitle = _(
        "Shared by %(municipality)s (%(code)s) on %(date)s, Tillit sharing file version %(version)s"
    ) % {
        "municipality": origin["municipality_name"],
        "code": origin["municipality_code"],
        "date": origin["exported_at"][:10],
        "version": envelope["version"],
    }
    if envelope["kind"] == "routine":
        steps = dict(Routine.CASE_STEPS)
        pairs = [
            (_("Kind"), str(dict(Routine.Kind.choices).get(content["kind"], content["kind"]))),
            (_("Owner"), content.get("owner", "")),
            (_("Version"), content.get("version", "")),
            (_("Decided by"), content.get("decided_by", "")),
            (_("Decided on"), content.get("decided_on") or ""),
            (_("Next review"), content.get("next_review") or ""),
            (_("Laws"), "; ".join(content.get("laws") or [])),
            (
                _("Governs the case steps"),
                ", ".join(str(steps.get(s, s)) for s in content.get("case_steps") or []),
            ),
        ]
        sections = [(_("About the routine"), pairs)]
        if content.get("summary"):
            sections.append((_("Content in brief"), content["summary"]))
        return content["title"], subtitle, sections
    sections = [
        (
            _("About the plan"),
            [
                (_("Period"), f"{content['period_start']} – {content['period_end']}"),
                (_("Decision"), content.get("decided", "")),
                (_("Source"), content.get("source", "")),
            ],
        )
    ]
    if content.get("description"):
        sections.append((_("Purpose"), content["description"]))
    for area in content["areas"]:
        head = [_("Measure"), _("Responsible"), _("Start"), _("Done by"), _("Indicator")]
        rows = [
            [
                f"{m['code']} {m['text']}",
                m.get("responsible", ""),
                m.get("start") or m.get("start_text", ""),
                m.get("deadline") or m.get("deadline_text", ""),
                m.get("indicator", ""),
            ]
            for m in area["measures"]
        ]
        sections.append((f"{area['number']} {area['title']}", (head, rows)))
    return content["title"], subtitle, sections


def share_docx(envelope: dict) -> bytes:
    return _docx(*_share_sections(envelope))


def share_pdf(envelope: dict) -> bytes:
    return _pdf(*_share_sections(envelope))
