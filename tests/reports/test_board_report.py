"""The board report: PDF (checked as page images), editable Word and Excel, small counts suppressed."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def outcomes(personas, kommun_a, hits):
    """Two police reports (a small count) and one recovery claim of 12 500 kr on Socialnämnden's cases."""
    from tillit.accounts.models import Board
    from tillit.cases.models import Case, PoliceReport, RecoveryClaim

    board = Board.objects.get(municipality=kommun_a, name="Socialnämnden")
    made = []
    for i in range(2):
        case = Case.objects.create(
            municipality=kommun_a,
            number=f"2026-{i}",
            year=2026,
            sequence=i,
            title="x",
            source="hit",
            state="decision",
            board=board,
            case_type="benefit",
        )
        PoliceReport.objects.create(
            municipality=kommun_a,
            case=case,
            facts="f",
            reported_on=date(2026, 3, 10 + i),
            reported_by=personas["coordinator"],
        )
        made.append(case)
    RecoveryClaim.objects.create(
        municipality=kommun_a,
        case=made[0],
        amount=Decimal("12500"),
        legal_ground="sol_9_1",
        decision_date=date(2026, 4, 1),
        debtor="x",
        reasoning="r",
        decided_by=personas["coordinator"],
    )
    return made


def _get(client, fmt: str):
    return client.get(f"/rapporter/?start=2026-01-01&end=2026-06-30&format={fmt}")


def test_the_pdf_renders_in_the_municipalitys_name_with_small_counts_suppressed(
    client, login, personas, outcomes, tmp_path
):
    login(client, personas["coordinator"])  # even the coordinator's report leaves the case team
    response = _get(client, "pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('lagesbild-2026-01-01-2026-06-30.pdf"')
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    if shutil.which("pdftoppm") is None:
        pytest.fail(
            "poppler-utils is needed to check the PDF as images (apt-get install poppler-utils)"
        )
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) >= 2
    from PIL import Image

    with Image.open(pages[0]) as image:
        colours = image.convert("L").getcolors(maxcolors=1 << 16)
        assert colours is not None and len(colours) > 10  # text and tables, not a blank page
        dark = sum(n for n, level in colours if level < 128)
        assert dark > 200
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Kommun A" in text
    assert "Lägesbild" in text
    assert "Socialnämnden" in text
    assert "<5" in text  # two police reports
    assert "12 500,00 kr" not in text.replace(
        "\u00a0", " "
    )  # one claim: the amount is suppressed too


def test_the_word_file_is_editable_and_holds_the_same_sections(client, login, personas, outcomes):
    from docx import Document

    login(client, personas["reviewer"])
    response = _get(client, "docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    headings = [
        p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))
    ]
    assert "Oegentligheter och utfall per nämnd" in headings
    assert "Definitioner" in headings
    assert document.core_properties.author == "Kommun A"
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "Socialnämnden" in cells and "<5" in cells


def test_the_excel_file_holds_figures_as_numbers(client, login, personas, outcomes, kommun_a):
    from openpyxl import load_workbook

    login(client, personas["coordinator"])
    response = _get(client, "xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.worksheets[0]["A1"].value == "Kommun A"
    sheet = next(ws for ws in workbook.worksheets if ws["A1"].value == "Kontrollområde")
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Bankkonton"][2] == Decimal("143950") or float(rows["Bankkonton"][2]) == 143950.0
    board = next(ws for ws in workbook.worksheets if ws["A1"].value == "Nämnd")
    social = next(
        r for r in board.iter_rows(min_row=2, values_only=True) if r[0] == "Socialnämnden"
    )
    assert social[3] == "<5"


def test_the_report_page_shows_the_sections_and_refuses_a_bad_date_politely(
    client, login, personas, outcomes
):
    login(client, personas["reviewer"])
    page = client.get("/rapporter/?start=2026-01-01&end=2026-06-30").content.decode()
    assert "Oegentligheter och utfall per nämnd" in page
    bad = client.get("/rapporter/?start=31/12&format=pdf")
    assert bad.status_code == 200 and bad["Content-Type"].startswith("text/html")
    assert "31/12" in bad.content.decode()


def test_follow_up_figures_per_board_with_definitions(client, login, personas, outcomes):
    login(client, personas["coordinator"])
    response = client.get("/lagesbild/nyckeltal/?start=2026-01-01&end=2026-06-30")
    assert response.status_code == 200
    rows = {r["board"]: r for r in response.context["f"]["rows"]}
    assert rows["Socialnämnden"]["police"] == 2  # the coordinator sees exact counts
    assert response.context["f"]["fut"]["police"] == 2
    page = response.content.decode()
    assert 'href="#def-police"' in page and 'id="def-police"' in page
    client.logout()
    login(client, personas["reviewer"])
    rows = {
        r["board"]: r
        for r in client.get("/lagesbild/nyckeltal/?start=2026-01-01&end=2026-06-30").context["f"][
            "rows"
        ]
    }
    assert str(rows["Socialnämnden"]["police"]) == "<5"


def test_effectiveness_per_control_with_dismissal_reasons_and_coverage(
    client, login, personas, hits
):
    login(client, personas["controller"])
    response = client.get("/lagesbild/kontrollernas-effekt/")
    assert response.status_code == 200
    rows = {r["control_id"]: r for r in response.context["eff"]["rows"]}
    assert rows["INV-DUP-EXACT"]["total"] == 2
    assert rows["INV-DUP-EXACT"]["reasons"]["false_positive"] == 1
    assert rows["INV-DUP-EXACT"]["precision"] == 0.0
    assert rows["ACC-CHANGE"]["open_amount"] == Decimal("143950")
    assert (
        "invoices" in rows["INV-DUP-EXACT"]["missing"]
    )  # nothing is imported in this municipality
