"""The lägesbild as a board report for a period: one content model, three files.

`report_data` gathers the figures once (always with counts below five suppressed: the report
leaves the case team), and `to_pdf` (reportlab), `to_docx` (python-docx, editable) and
`to_xlsx` (openpyxl, the figures as numbers) write the same sections.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.cases.selectors import SUPPRESS_BELOW, Suppressed
from tillit.lib.formats import format_amount, format_integer

KR = "kr"


@dataclass
class Table:
    headers: list[str]
    rows: list[list]  # cells: str, int, Decimal (kr when the column is in `amounts`), Suppressed
    amounts: set[int] = field(default_factory=set)  # column indexes holding kr
    title: str = ""


@dataclass
class Section:
    heading: str
    text: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    chart: tuple[list[str], list[tuple[str, list[float]]]] | None = None  # (labels, series)


@dataclass
class Report:
    municipality: str
    title: str
    start: date
    end: date
    made: date
    sections: list[Section]


def cell_text(value, *, kr: bool = False) -> str:
    if value is None:
        return "–"
    if isinstance(value, Suppressed):
        return f"<{SUPPRESS_BELOW}"
    if isinstance(value, (Decimal, float)) or kr:
        return format_amount(value) if kr else format_amount(value, currency=False)
    if isinstance(value, int):
        return format_integer(value)
    return str(value)


def report_data(*, user, start: date, end: date) -> Report:
    from tillit.reports import selectors, sources

    follow = selectors.followup(user=user, start=start, end=end, suppress=True)
    hits = selectors.open_hits(user=user)
    cases = selectors.cases_by_state(user=user, suppress=True)
    trend = selectors.trends(user=user, today=end, suppress=True)
    households = selectors.households_per_month(user=user, start=start, end=end, suppress=True)
    t = follow["totals"]
    sections = []
    sections.append(
        Section(
            _("Summary"),
            text=[
                _(
                    "This report describes the work against welfare crime and unlawful influence in %(municipality)s "
                    "from %(start)s to %(end)s: what the controls found, how the cases ended and what was recovered."
                )
                % {
                    "municipality": user.municipality.name,
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                },
                _("Counts from 1 to 4 are shown as “<5” so that no one can be identified."),
            ],
            tables=[
                Table(
                    [_("Figure"), _("Value")],
                    [
                        [_("Hits raised in the period"), t["hits"]],
                        [_("Cases opened in the period"), t["cases"]],
                        [_("Police reports sent"), t["police"]],
                        [_("Notifications to Skatteverket"), t["notifications_skv"]],
                        [_("Notifications to other authorities"), t["notifications_other"]],
                        [_("Recovery claims decided"), t["claims_decided"]],
                        [_("Recovery claims decided, kr"), t["claims_amount"]],
                        [_("Paid back, kr"), t["claims_paid"]],
                        [_("Written off, kr"), t["claims_written_off"]],
                        [_("Sanctions against providers"), t["sanctions"]],
                        [_("Stopped before payment, kr"), t["stopped"]],
                        [_("Open hits today"), selectors.shown(hits["count"], False)],
                        [_("Amount at risk in open hits today, kr"), hits["amount"]],
                    ],
                )
            ],
        )
    )
    per_board = follow["rows"] + [{**t, "board": _("Total")}]
    sections.append(
        Section(
            _("Irregularities and outcomes per board"),
            tables=[
                Table(
                    [
                        _("Board"),
                        _("Hits"),
                        _("Cases opened"),
                        _("Police reports"),
                        _("Notifications to Skatteverket"),
                        _("Notifications to others"),
                        _("Sanctions"),
                    ],
                    [
                        [
                            r["board"],
                            r["hits"],
                            r["cases"],
                            r["police"],
                            r["notifications_skv"],
                            r["notifications_other"],
                            r["sanctions"],
                        ]
                        for r in per_board
                    ],
                ),
                Table(
                    [
                        _("Board"),
                        _("Recovery claims decided"),
                        _("Claimed"),
                        _("Paid back"),
                        _("Written off"),
                        _("Stopped before payment"),
                    ],
                    [
                        [
                            r["board"],
                            r["claims_decided"],
                            r["claims_amount"],
                            r["claims_paid"],
                            r["claims_written_off"],
                            r["stopped"],
                        ]
                        for r in per_board
                    ],
                    amounts={2, 3, 4, 5},
                    title=_("Recovery claims"),
                ),
            ],
        )
    )
    sections.append(
        Section(
            _("Open hits by control family"),
            text=[
                _(
                    "Hits not yet assessed on the day the report was made. The amount at risk counts hits with the same "
                    "evidence once."
                )
            ],
            tables=[
                Table(
                    [_("Control family"), _("Hits"), _("Amount at risk")],
                    [
                        [f["label"], selectors.shown(f["count"], False), f["amount"]]
                        for f in hits["families"]
                    ]
                    + [[_("Total"), selectors.shown(hits["count"], False), hits["amount"]]],
                    amounts={2},
                )
            ],
        )
    )
    sections.append(
        Section(
            _("Cases by state"),
            tables=[
                Table([_("State"), _("Cases")], [[s["label"], s["count"]] for s in cases["states"]])
            ],
        )
    )
    rows = trend["rows"]
    sections.append(
        Section(
            _("Trends by month"),
            tables=[
                Table(
                    [
                        _("Month"),
                        _("Hits raised"),
                        _("Confirmed cases"),
                        _("Police reports"),
                        _("Notifications"),
                    ],
                    [
                        [
                            r["label"],
                            r["hits"],
                            r["confirmed_shown"],
                            r["police_shown"],
                            r["notifications_shown"],
                        ]
                        for r in rows
                    ],
                )
            ],
            chart=([r["label"][2:] for r in rows], [(_("Hits raised"), [r["hits"] for r in rows])]),
        )
    )
    fut = follow["fut"]
    fut_section = Section(
        _("Financial assistance (FUT)"),
        tables=[
            Table(
                [_("Figure"), _("Value")],
                [
                    [_("Hits screened"), fut["screened"]],
                    [_("Cases investigated"), fut["investigated"]],
                    [_("Police reports"), fut["police"]],
                    [_("Claims linked to suspected crime, kr"), fut["claims_crime"]],
                ],
            )
        ],
    )
    if households:
        fut_section.tables.append(
            Table(
                [_("Month"), _("Households receiving financial assistance")],
                [[h["period"], h["households"]] for h in households],
                title=_("Households receiving financial assistance"),
            )
        )
    sections.append(fut_section)
    risks = sources.top_risks(user.municipality, n=5)
    sections.append(
        Section(
            _("Top risks"),
            text=[] if risks else [_("No risk area has been assessed yet.")],
            tables=[
                Table(
                    [_("Risk area"), _("Probability"), _("Consequence"), _("Priority")],
                    [
                        [
                            r["name"],
                            r["probability"],
                            r["consequence"],
                            str(r["priority"]).replace(".", ","),
                        ]
                        for r in risks
                    ],
                )
            ]
            if risks
            else [],
        )
    )
    sections.append(
        Section(
            _("Definitions"),
            text=[
                f"{title}: {follow['definitions'][key]}"
                for key, title in (
                    ("hits", _("Hits")),
                    ("cases", _("Cases opened")),
                    ("police", _("Police reports")),
                    ("notifications_skv", _("Notifications to Skatteverket")),
                    ("notifications_other", _("Notifications to others")),
                    ("claims_decided", _("Recovery claims decided")),
                    ("claims_paid", _("Paid back")),
                    ("claims_written_off", _("Written off")),
                    ("sanctions", _("Sanctions")),
                    ("stopped", _("Stopped before payment")),
                    ("screened", _("Hits screened")),
                    ("investigated", _("Cases investigated")),
                    ("claims_crime", _("Claims linked to suspected crime")),
                    ("households", _("Households")),
                )
            ],
        )
    )
    return Report(
        municipality=user.municipality.name,
        title=_("Situation report: welfare crime and unlawful influence"),
        start=start,
        end=end,
        made=timezone.localdate(),
        sections=sections,
    )


def _subtitle(report: Report) -> str:
    return _("%(municipality)s · period %(start)s – %(end)s · made %(made)s") % {
        "municipality": report.municipality,
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "made": report.made.isoformat(),
    }


def filename(report: Report, ext: str) -> str:
    return f"lagesbild-{report.start.isoformat()}-{report.end.isoformat()}.{ext}"


# --- PDF ---------------------------------------------------------------------------------------


def to_pdf(report: Report) -> bytes:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    brand = colors.HexColor("#0b4f8a")
    sheet = getSampleStyleSheet()
    body = ParagraphStyle(
        "body", parent=sheet["BodyText"], fontName="Helvetica", fontSize=10, leading=14
    )
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
    small_right = ParagraphStyle("small_right", parent=small, alignment=2)
    h1 = ParagraphStyle(
        "h1",
        parent=sheet["Title"],
        fontName="Helvetica-Bold",
        fontSize=20,
        leading=24,
        textColor=brand,
        alignment=0,
    )
    h2 = ParagraphStyle(
        "h2",
        parent=sheet["Heading2"],
        fontName="Helvetica-Bold",
        fontSize=13,
        textColor=brand,
        spaceBefore=10,
    )
    buffer = io.BytesIO()

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.HexColor("#4a4a4a"))
        canvas.drawString(18 * mm, 10 * mm, f"{report.municipality} · {report.title}")
        canvas.drawRightString(192 * mm, 10 * mm, _("Page %(n)s") % {"n": doc.page})
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=report.title,
        author=report.municipality,
    )
    story = [
        Paragraph(
            _escape(report.municipality),
            ParagraphStyle("muni", parent=body, textColor=colors.HexColor("#4a4a4a")),
        ),
        Paragraph(_escape(report.title), h1),
        Paragraph(_escape(_subtitle(report)), body),
        Spacer(1, 6 * mm),
    ]
    for section in report.sections:
        head = [Paragraph(_escape(section.heading), h2)]
        head += [Paragraph(_escape(text), body) for text in section.text]
        if section.chart or section.tables:  # a heading is never left alone at the foot of a page
            story.append(CondPageBreak(60 * mm))
        story.extend(head)
        if section.chart:
            labels, series = section.chart
            drawing = Drawing(170 * mm, 55 * mm)
            chart = VerticalBarChart()
            chart.x, chart.y, chart.width, chart.height = 12 * mm, 8 * mm, 150 * mm, 42 * mm
            chart.data = [list(values) or [0] for _name, values in series]
            chart.categoryAxis.categoryNames = labels
            chart.categoryAxis.labels.fontName = "Helvetica"
            chart.categoryAxis.labels.fontSize = 7
            chart.valueAxis.labels.fontName = "Helvetica"
            chart.valueAxis.labels.fontSize = 7
            chart.valueAxis.valueMin = 0
            peak = max((max(values, default=0) for _name, values in series), default=0)
            step = max(1, -(-int(peak) // 4))  # whole counts on the axis, never 0, 0, 0
            chart.valueAxis.valueMax = step * 4
            chart.valueAxis.valueStep = step
            chart.valueAxis.labelTextFormat = lambda v: format_integer(int(v))
            chart.bars[0].fillColor = brand
            chart.bars[0].strokeColor = None
            drawing.add(chart)
            story.append(drawing)
        for table in section.tables:
            if table.title:
                story.append(Paragraph(f"<b>{_escape(table.title)}</b>", body))
            data = [
                [
                    Paragraph(_escape(h), small if i == 0 else small_right)
                    for i, h in enumerate(table.headers)
                ]
            ]
            for row in table.rows:
                data.append(
                    [
                        Paragraph(
                            _escape(cell_text(v, kr=i in table.amounts)),
                            small if i == 0 else small_right,
                        )
                        for i, v in enumerate(row)
                    ]
                )
            width = 174 * mm
            first = width * (0.26 if len(table.headers) > 4 else 0.6)
            rest = (width - first) / max(1, len(table.headers) - 1)
            pdf_table = PdfTable(
                data, colWidths=[first] + [rest] * (len(table.headers) - 1), repeatRows=1
            )
            pdf_table.setStyle(
                TableStyle(
                    [
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e7eff7")),
                        ("LINEBELOW", (0, 0), (-1, 0), 0.8, brand),
                        ("LINEBELOW", (0, 1), (-1, -1), 0.3, colors.HexColor("#c8c8c8")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.extend([pdf_table, Spacer(1, 4 * mm)])
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- Word --------------------------------------------------------------------------------------


def to_docx(report: Report) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    document = Document()
    document.core_properties.title = report.title
    document.core_properties.author = report.municipality
    document.styles["Normal"].font.name = "Calibri"
    document.styles["Normal"].font.size = Pt(11)
    muni = document.add_paragraph(report.municipality)
    muni.runs[0].font.color.rgb = RGBColor(0x4A, 0x4A, 0x4A)
    document.add_heading(report.title, level=0)
    document.add_paragraph(_subtitle(report))
    for section in report.sections:
        document.add_heading(section.heading, level=1)
        for text in section.text:
            document.add_paragraph(text)
        for table in section.tables:
            if table.title:
                document.add_paragraph(table.title).runs[0].bold = True
            doc_table = document.add_table(rows=1, cols=len(table.headers))
            doc_table.style = "Light Grid Accent 1"
            for i, h in enumerate(table.headers):
                doc_table.rows[0].cells[i].text = h
            for row in table.rows:
                cells = doc_table.add_row().cells
                for i, v in enumerate(row):
                    cells[i].text = cell_text(v, kr=i in table.amounts)
                    if i:
                        cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            document.add_paragraph()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- Excel -------------------------------------------------------------------------------------


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    from tillit.lib.csvsafe import csv_cell as safe_cell

    workbook = Workbook()
    info = workbook.active
    info.title = _("Report")[:31]
    info.append([report.municipality])
    info.append([report.title])
    info.append([_subtitle(report)])
    info.append([_("Counts from 1 to 4 are shown as “<5” so that no one can be identified.")])
    info["A1"].font = Font(bold=True, size=14)
    used: set[str] = {info.title}
    for section in report.sections:
        for n, table in enumerate(section.tables):
            name = (table.title or section.heading)[:28] or f"{n}"
            while name in used:
                name = name[:26] + f"{n}{len(used)}"
            used.add(name)
            sheet = workbook.create_sheet(_sheet_name(name))
            sheet.append([safe_cell(h) for h in table.headers])
            for cell in sheet[1]:
                cell.font = Font(bold=True)
                cell.fill = PatternFill("solid", fgColor="E7EFF7")
            for row in table.rows:
                values = []
                for v in row:
                    if isinstance(v, Suppressed):
                        values.append(f"<{SUPPRESS_BELOW}")
                    elif isinstance(v, (int, Decimal)) and not isinstance(v, bool):
                        values.append(v)
                    else:
                        values.append(safe_cell(str(v)) if v is not None else None)
                sheet.append(values)
            for i in table.amounts:
                for cells in sheet.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
                    cells[0].number_format = '#,##0.00 "kr"'
            sheet.column_dimensions["A"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(name: str) -> str:
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    return name[:31]
