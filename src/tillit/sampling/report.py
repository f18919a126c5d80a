"""A sample's report for the board's follow-up of internal control: PDF (reportlab) and Excel (openpyxl)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape as xml_escape

from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.lib.csvsafe import csv_cell
from tillit.lib.formats import format_amount, format_date, format_integer
from tillit.sampling import services
from tillit.sampling.models import Sample


def _pct(value: float) -> str:
    return f"{value * 100:.1f}".replace(".", ",") + "\u00a0%"


def _confidence(sample: Sample) -> str:
    return f"{int(sample.confidence * 100)}\u00a0%"


def parameter_rows(sample: Sample) -> list[tuple[str, str]]:
    f = sample.filters or {}
    period = "–".join(x for x in (f.get("period_from") or "", f.get("period_to") or "")) or _(
        "all dates"
    )
    rows = [
        (_("Method"), sample.get_method_display()),
        (_("Population"), _("attested invoices with a positive amount (credit notes outside)")),
        (_("Boards"), ", ".join(f.get("boards") or []) or _("all boards")),
        (_("Invoice date"), period),
        (_("Population size"), format_integer(sample.population_size)),
        (_("Population total"), format_amount(sample.population_total)),
        (_("Confidence level"), _confidence(sample)),
        (_("Tolerable misstatement"), format_amount(sample.tolerable_misstatement) or "–"),
        (_("Expected misstatement"), format_amount(sample.expected_misstatement)),
        (_("Sample size"), format_integer(sample.sample_size)),
        (_("Invoices in the sample"), format_integer(sample.items.count())),
    ]
    if sample.method == Sample.Method.MUS:
        rows += [
            (_("Sampling interval"), format_amount(sample.interval)),
            (_("Random start"), format_amount(sample.random_start)),
        ]
    rows += [
        (_("Random seed"), str(sample.seed)),
        (_("Snapshots"), ", ".join(f"#{i}" for i in sample.snapshot_ids) or "–"),
        (_("Drawn"), format_date(sample.drawn_at)),
        (_("Drawn by"), sample.drawn_by.get_username() if sample.drawn_by else "–"),
    ]
    return rows


def result_rows(sample: Sample, evaluation: dict) -> list[tuple[str, str]]:
    rows = [
        (_("Items examined"), f"{evaluation['examined']} / {evaluation['total']}"),
        (_("Deviations"), str(evaluation["deviations"])),
        (_("Misstatement found in the sample"), format_amount(evaluation["found"])),
    ]
    result = evaluation["result"]
    if result is None:
        return rows
    if sample.method == Sample.Method.MUS:
        rows += [
            (_("Basic precision"), format_amount(result["basic_precision"])),
            (_("Projected misstatement"), format_amount(result["projected_misstatement"])),
            (_("Incremental allowance"), format_amount(result["incremental_allowance"])),
            (_("Upper misstatement limit"), format_amount(result["upper_limit"])),
        ]
        if result["understatement"]:
            rows.append(
                (
                    _("Projected understatement (evaluated separately)"),
                    format_amount(result["understatement"]),
                )
            )
    else:
        rows += [
            (_("Deviation rate"), _pct(result["rate"])),
            (_("Upper limit of the deviation rate"), _pct(result["rate_upper"])),
            (_("Projected misstatement"), format_amount(result["projected_misstatement"])),
            (_("Upper misstatement limit"), format_amount(result["upper_limit"])),
        ]
    if sample.tolerable_misstatement is not None:
        rows.append(
            (
                _("Conclusion"),
                _("The upper limit is within the tolerable misstatement.")
                if result["within_tolerable"]
                else _("The upper limit exceeds the tolerable misstatement."),
            )
        )
    if not evaluation["complete"]:
        rows.append((_("Note"), _("Preliminary: not every item has been examined.")))
    return rows


def item_rows(sample: Sample) -> list[list[str]]:
    rows = []
    for item in sample.items.select_related("case"):
        rows.append(
            [
                str(item.position),
                item.key,
                item.supplier_id,
                item.board,
                format_amount(item.book_amount),
                item.get_result_display(),
                item.get_deviation_type_display() if item.deviation_type else "",
                format_amount(item.audited_amount) if item.result == item.Result.DEVIATION else "",
                format_amount(item.difference) if item.difference is not None else "",
                item.note,
                item.case.number if item.case else "",
            ]
        )
    return rows


def item_head() -> list[str]:
    return [
        _("No."),
        _("Invoice"),
        _("Supplier"),
        _("Board"),
        _("Book amount"),
        _("Result"),
        _("Kind of deviation"),
        _("Audited amount"),
        _("Difference"),
        _("Note"),
        _("Case"),
    ]


def figures(sample: Sample) -> dict:
    evaluation = services.evaluation(sample)
    return {
        "title": _("Sample: %(title)s") % {"title": sample.title},
        "subtitle": _("%(municipality)s · internal control follow-up · made %(date)s")
        % {"municipality": sample.municipality.name, "date": format_date(timezone.localdate())},
        "parameters": parameter_rows(sample),
        "results": result_rows(sample, evaluation),
        "head": item_head(),
        "items": item_rows(sample),
    }


def render_pdf(data: dict) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    small = body.clone("small", fontSize=7.5, leading=9)
    page = landscape(A4)
    width = page[0] - 3 * cm

    def cell(text) -> Paragraph:
        return Paragraph(xml_escape(str(text)), small)

    grid = [("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    story = [
        Paragraph(xml_escape(data["title"]), styles["Title"]),
        Paragraph(xml_escape(data["subtitle"]), body),
    ]
    for heading, rows in (
        (_("The draw"), data["parameters"]),
        (_("Results and projection"), data["results"]),
    ):
        story += [Spacer(1, 0.3 * cm), Paragraph(xml_escape(heading), styles["Heading2"])]
        table = Table([[cell(k), cell(v)] for k, v in rows], colWidths=[width * 0.35, width * 0.65])
        table.setStyle(TableStyle(grid))
        story.append(table)
    story += [Spacer(1, 0.3 * cm), Paragraph(xml_escape(_("The items")), styles["Heading2"])]
    shares = [0.04, 0.09, 0.09, 0.12, 0.09, 0.08, 0.11, 0.09, 0.08, 0.15, 0.06]
    table = Table(
        [[cell(h) for h in data["head"]]] + [[cell(v) for v in row] for row in data["items"]],
        colWidths=[width * s for s in shares],
        repeatRows=1,
    )
    table.setStyle(TableStyle([*grid, ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e9ef"))]))
    story.append(table)
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
        title=data["title"],
        author="Tillit",
    ).build(story)
    return buffer.getvalue()


def render_xlsx(data: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Summary")[:31]
    sheet.append([csv_cell(data["title"])])
    sheet["A1"].font = Font(bold=True)
    sheet.append([csv_cell(data["subtitle"])])
    sheet.append([])
    for k, v in data["parameters"] + [("", "")] + data["results"]:
        sheet.append([csv_cell(k), csv_cell(v)])
    sheet.column_dimensions["A"].width = 42
    sheet.column_dimensions["B"].width = 60
    items = workbook.create_sheet(_("Items")[:31])
    items.append([csv_cell(h) for h in data["head"]])
    for c in items[1]:
        c.font = Font(bold=True)
    for row in data["items"]:
        items.append([csv_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
