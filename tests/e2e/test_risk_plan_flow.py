"""Issue 13, done when: a coordinator values three risk areas, sees the heat map and the ranking
change, creates a measure linked to a risk and a control, marks it done, and downloads the status
report; the PDF renders (its pages as images) and the Word file opens with python-docx."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import date

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login_through_form, unlabelled_fields


def _value(page, area, *, probability: int, consequence: int, influence: int = 1) -> None:
    page.goto(f"/risker/omraden/{area.pk}/")
    form = page.locator("#assess-form")
    form.locator("select[name=gross_probability]").select_option(str(probability))
    form.locator("select[name=gross_consequence]").select_option(str(consequence))
    form.locator("select[name=unlawful_influence]").select_option(str(influence))
    form.locator("textarea[name=gross_motivation]").fill("Värderad vid workshop med förvaltningen.")
    form.get_by_role("button", name="Spara värderingen").click()
    page.wait_for_load_state()
    assert f"/risker/omraden/{area.pk}/" in page.url, page.locator("main").inner_text()[:1000]


def _cell(page, probability: int, consequence: int) -> str:
    cell = page.locator(
        f"table.heat-map td[data-probability='{probability}'][data-consequence='{consequence}']"
    )
    return cell.locator(".heat-count").inner_text().strip()


def _ranking(page) -> list[str]:
    return [t.strip() for t in page.locator("#ranking tbody th[scope=row]").all_inner_texts()]


def _pdftoppm() -> str:
    found = shutil.which("pdftoppm")
    if not found:
        message = "pdftoppm is not installed (apt-get install -y poppler-utils)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.mark.e2e
def test_value_risks_then_plan_a_measure_and_report_to_the_board(
    page, transactional_db, kommun_a, tmp_path
):
    from docx import Document
    from pypdf import PdfReader

    from tillit.accounts.services import user_create
    from tillit.plans.models import Measure, StatusReport
    from tillit.risks.models import RiskArea

    alice = user_create(
        municipality=kommun_a,
        username="alice",
        password=PASSWORD,
        role="coordinator",
        first_name="Alice",
        last_name="Samordnare",
    )
    areas = list(RiskArea.objects.filter(municipality=kommun_a, retired=False).order_by("code")[:3])
    assert len(areas) == 3, "the risk catalogue is loaded for a new municipality"
    first, second, third = areas

    page.set_default_timeout(30_000)  # a long flow on a busy machine
    login_through_form(page, alice, PASSWORD)

    # value two risk areas: the heat map and the ranking show them
    _value(page, first, probability=2, consequence=2)
    _value(page, second, probability=3, consequence=3)
    page.goto("/risker/")
    assert (_cell(page, 2, 2), _cell(page, 3, 3), _cell(page, 4, 4)) == ("1", "1", "0")
    before = _ranking(page)
    assert before[0].startswith(second.code) and before[1].startswith(first.code)

    # the third is the worst: the heat map and the ranking change
    _value(page, third, probability=4, consequence=4, influence=4)
    page.goto("/risker/")
    assert _cell(page, 4, 4) == "1"
    after = _ranking(page)
    assert after[0].startswith(third.code) and after != before and len(after) == 3

    # a plan and a measure linked to the worst risk and a control
    page.goto("/handlingsplan/")
    page.get_by_label("Rubrik").fill("Handlingsplan mot välfärdsbrott 2026–2028")
    page.get_by_label("Period från").fill("2026-01-01")
    page.get_by_label("Period till").fill("2028-12-31")
    page.get_by_role("button", name="Skapa planen").click()
    page.wait_for_load_state()
    area_form = page.locator("form:has(button:text-is('Lägg till aktivitetsområdet'))")
    area_form.locator("[name=number]").fill("4")
    area_form.locator("[name=title]").fill("Analysera, upptäcka och åtgärda")
    area_form.get_by_role("button", name="Lägg till aktivitetsområdet").click()
    page.wait_for_load_state()
    assert unlabelled_fields(page) == []
    form = page.locator("#new-measure")
    form.locator("[name=area]").select_option(label="4 Analysera, upptäcka och åtgärda")
    form.locator("[name=code]").fill("4.4")
    form.locator("[name=text]").fill("Bedömningsgrunder för kontroller inom riskområdet")
    form.locator("[name=responsible]").fill("Berörda förvaltningar tillsammans med samordnarna")
    form.locator("[name=deadline]").fill("2028-12-31")
    form.locator("[name=indicator]").fill("Framtagna bedömningsgrunder")
    form.get_by_label(str(third), exact=True).check()
    form.locator("input[name=control_ids][value='INV-DUP-EXACT']").check()
    form.get_by_role("button", name="Lägg till åtgärden").click()
    page.wait_for_load_state()
    measure = Measure.objects.get(code="4.4")
    assert f"/handlingsplan/atgard/{measure.pk}/" in page.url, page.locator("main").inner_text()[
        :1500
    ]
    assert third.code in page.locator("#measure-risk-areas").inner_text()
    assert "INV-DUP-EXACT" in page.locator("#measure-controls").inner_text()

    # the risk area's page now shows the measure behind it
    page.goto(f"/risker/omraden/{third.pk}/")
    assert "4.4" in page.locator("main").inner_text()

    # mark it done
    page.goto(f"/handlingsplan/atgard/{measure.pk}/")
    page.get_by_role("button", name="Markera som klar").click()
    page.wait_for_load_state()
    assert page.locator("#measure-status").inner_text().startswith("Klar")
    measure.refresh_from_db()
    assert measure.status == Measure.Status.DONE

    # the status report, issued and downloaded
    page.goto(f"/handlingsplan/{measure.area.plan_id}/")
    report_form = page.locator("form:has(button:text-is('Ta fram statusrapporten'))")
    report_form.get_by_label("Rapportdatum").fill(date.today().isoformat())
    report_form.get_by_label("Till (nämnder)").fill("Kommunstyrelsen")
    report_form.get_by_role("button", name="Ta fram statusrapporten").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Utfärda rapporten").click()
    page.wait_for_load_state()
    assert "Utfärdad" in page.locator("main").inner_text()
    assert page.locator("#report-progress").inner_text().strip() == "100 %"
    assert page.locator("#report-top-risks li").first.inner_text().startswith(third.code)
    report = StatusReport.objects.get()
    assert report.is_issued and report.figures["done"] == 1

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="PDF").click()
    pdf_path = tmp_path / "statusrapport.pdf"
    pdf_download.value.save_as(pdf_path)
    reader = PdfReader(str(pdf_path))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "4.4 Bedömningsgrunder för kontroller" in text and third.code in text
    subprocess.run(
        [_pdftoppm(), "-png", "-r", "50", str(pdf_path), str(tmp_path / "page")], check=True
    )  # noqa: S603
    images = sorted(tmp_path.glob("page*.png"))
    assert len(images) == len(reader.pages) and all(i.stat().st_size > 2000 for i in images)

    with page.expect_download() as docx_download:
        page.get_by_role("link", name="Word (redigerbar)").click()
    document = Document(io.BytesIO(open(docx_download.value.path(), "rb").read()))  # noqa: SIM115
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert any(c.startswith("4.4 Bedömningsgrunder") for c in cells)
    assert any(c.startswith(third.code) for c in cells)
