"""Word (python-docx) and PDF (reportlab) from one simple document: headings, paragraphs and tables.

The workshop minutes, the internal control plan and the readable copy of a shared file are all
built as a `Doc` and written in both formats, so the two always say the same.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape as xml_escape


@dataclass
class Doc:
    title: str
    blocks: list[tuple] = field(default_factory=list)

    def heading(self, text: str) -> Doc:
        self.blocks.append(("heading", str(text)))
        return self

    def para(self, text: str) -> Doc:
        self.blocks.append(("para", str(text)))
        return self

    def table(self, header: list[str], rows: list[list]) -> Doc:
        self.blocks.append(
            (
                "table",
                [str(h) for h in header],
                [["" if c is None else str(c) for c in r] for r in rows],
            )
        )
        return self


def to_docx(doc: Doc, *, landscape: bool = False) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    document = Document()
    if landscape:
        section = document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    document.core_properties.title = doc.title
    document.add_heading(doc.title, level=1)
    for block in doc.blocks:
        if block[0] == "heading":
            document.add_heading(block[1], level=2)
        elif block[0] == "para":
            for line in block[1].split("\n"):
                document.add_paragraph(line)
        else:
            _kind, header, rows = block
            table = document.add_table(rows=1, cols=len(header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, header, strict=True):
                cell.text = text
                for run in cell.paragraphs[0].runs:
                    run.font.bold = True
            for row in rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=False):
                    cell.text = text
                    for run in cell.paragraphs[0].runs:
                        run.font.size = Pt(9)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def to_pdf(doc: Doc, *, landscape: bool = False) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.pagesizes import landscape as make_landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    out = io.BytesIO()
    size = make_landscape(A4) if landscape else A4
    pdf = SimpleDocTemplate(out, pagesize=size, title=doc.title)
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    story = [Paragraph(xml_escape(doc.title), styles["Title"])]
    for block in doc.blocks:
        if block[0] == "heading":
            story.append(Paragraph(xml_escape(block[1]), styles["Heading2"]))
        elif block[0] == "para":
            for line in block[1].split("\n"):
                story.append(Paragraph(xml_escape(line) or "&nbsp;", styles["BodyText"]))
        else:
            _kind, header, rows = block
            data = [[Paragraph(f"<b>{xml_escape(h)}</b>", small) for h in header]]
            data += [
                [Paragraph(xml_escape(c).replace("\n", "<br/>"), small) for c in r] for r in rows
            ]
            width = (size[0] - 72) / max(len(header), 1)
            table = Table(data, colWidths=[width] * len(header), repeatRows=1)
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.append(table)
            story.append(Spacer(1, 8))
    pdf.build(story)
    return out.getvalue()
