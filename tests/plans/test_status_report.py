"""The status report: figures for a date, frozen when issued; PDF, Word and Excel read back."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import date

import pytest
import time_machine

from tillit.plans import report, services
from tillit.plans.models import Measure


def _risk_area(municipality, code, name):
    from tillit.risks.models import RiskArea

    return RiskArea.objects.create(municipality=municipality, code=code, name=name)


def _assess(area, p, c, on):
    from tillit.risks.models import RiskAssessment

    return RiskAssessment.objects.create(
        municipality=area.municipality,
        risk_area=area,
        assessed_on=on,
        gross_probability=p,
        gross_consequence=c,
    )


@pytest.fixture
def issued(plan, measure_in, personas, kommun_a):
    area = _risk_area(kommun_a, "R-HEM", "Hemtjänst")
    _assess(area, 4, 3, date(2026, 10, 1))
    _assess(_risk_area(kommun_a, "R-FOR", "Föreningsbidrag"), 2, 2, date(2026, 10, 1))
    m = measure_in(
        plan,
        "1",
        code="1.1",
        text="Kontroll av tidrapporter i hemtjänsten",
        deadline=date(2026, 11, 30),
        responsible="Äldreförvaltningen",
        indicator="Antal kontroller",
        control_ids=["INV-DUP-EXACT"],
    )
    services.measure_set_risk_areas(measure=m, risk_areas=[area])
    measure_in(
        plan,
        "2",
        code="2.1",
        text="Utbildning",
        status=Measure.Status.DONE,
        deadline=date(2026, 10, 1),
    )
    with time_machine.travel(date(2026, 12, 2)):
        draft = report.report_create(
            plan=plan,
            user=personas["coordinator"],
            as_of=date(2026, 12, 1),
            title="Statusrapport december 2026",
            recipients="Kommunstyrelsen",
        )
        return report.report_issue(report=draft, user=personas["coordinator"])


def test_the_issued_report_holds_the_figures_the_board_saw(issued):
    f = issued.figures
    assert f["as_of"] == "2026-12-01" and f["count"] == 2 and f["done"] == 1
    assert [o["code"] for o in f["overdue"]] == ["1.1"] and f["overdue"][0]["days_late"] == 1
    assert f["progress"] == 50  # area 1: 0 %, area 2: 100 %
    assert [r["code"] for r in f["top_risks"]] == ["R-HEM", "R-FOR"]
    assert f["heat_map"]["available"] and f["heat_map"]["total"] == 2
    cell = next(
        c
        for row in f["heat_map"]["rows"]
        if row["probability"] == 4
        for c in row["cells"]
        if c["codes"]
    )
    assert cell["codes"] == ["R-HEM"]
    assert f["areas"][0]["measures"][0]["risk_areas"] == ["Hemtjänst"]
    assert f["outcomes"]["police_reports"] == 0


def test_an_issued_report_does_not_change_when_the_plan_does(issued, personas):
    pdf_before, figures_before = bytes(issued.pdf), issued.figures
    m = Measure.objects.get(code="1.1")
    services.measure_note_add(
        measure=m, user=personas["coordinator"], text="Klar", status="done", progress=100
    )
    issued.refresh_from_db()
    assert issued.figures == figures_before and bytes(issued.pdf) == pdf_before
    assert report.report_files(issued)["pdf"] == pdf_before
    with pytest.raises(report.ReportError):
        report.report_issue(report=issued, user=personas["coordinator"])


def test_the_pdf_word_and_excel_read_back(issued):
    from docx import Document
    from openpyxl import load_workbook
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(bytes(issued.pdf)))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Statusrapport december 2026" in text and "Kontroll av tidrapporter" in text
    assert "R-HEM" in text
    document = Document(io.BytesIO(bytes(issued.docx)))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "Statusrapport december 2026" in paragraphs
    assert "1.1 Kontroll av tidrapporter i hemtjänsten" in cells and "Hemtjänst" in cells
    workbook = load_workbook(io.BytesIO(bytes(issued.xlsx)))
    measures = workbook.worksheets[1]
    rows = list(measures.iter_rows(values_only=True))
    codes = [r[1] for r in rows[1:]]
    assert codes == ["1.1", "2.1"]
    assert rows[1][13] == "Hemtjänst" and rows[1][14] == "INV-DUP-EXACT"


def _pdftoppm_or_fail() -> str:
    found = shutil.which("pdftoppm")
    if not found:
        message = "pdftoppm is not installed (apt-get install -y poppler-utils)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def test_the_pdf_pages_render_as_images(issued, tmp_path):
    pdftoppm = _pdftoppm_or_fail()
    path = tmp_path / "r.pdf"
    path.write_bytes(bytes(issued.pdf))
    subprocess.run([pdftoppm, "-png", "-r", "40", str(path), str(tmp_path / "page")], check=True)  # noqa: S603
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages and all(p.stat().st_size > 1000 for p in pages)
    assert pages[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_excel_figures_are_not_formulas(plan, measure_in, personas):
    from openpyxl import load_workbook

    measure_in(plan, "1", code="1.1", text='=HYPERLINK("http://x")', responsible="+46 evil")
    draft = report.report_create(
        plan=plan, user=personas["coordinator"], as_of=date(2026, 12, 1), title="T"
    )
    workbook = load_workbook(io.BytesIO(report.report_files(draft)["xlsx"]))
    row = list(workbook.worksheets[1].iter_rows(values_only=True))[1]
    assert row[2].startswith("'=") and row[3].startswith("'+")
