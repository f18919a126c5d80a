"""An XLSX exported by a spreadsheet, with Swedish headers the importer does not know, imports
through a mapping made once in the browser and saved as a profile (issue 3, done when)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from tests.conftest import PASSWORD
from tests.e2e.conftest import login_through_form


def _workbook(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Utdrag"
    ws["A1"] = "Leverantörsfakturor, utdrag ur ekonomisystemet"
    ws.merge_cells("A1:F1")
    ws.append([])
    ws.append(
        ["Verifikat", "Lev-ID", "Lev:s fakturanummer", "Bokf.dag", "Summa kronor", "Notering"]
    )
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def column_field(page, column: str):
    """The mapping's choice for a column, found by its label: the Swedish name, the schema's name in
    brackets, and an asterisk when the column is required (Fakturanummer (invoice_number) *)."""
    return page.get_by_label(re.compile(rf"^\S.* \({column}\)( \*)?$"))


@pytest.mark.e2e
def test_an_xlsx_imports_through_a_profile_saved_in_the_browser(page, personas, settings, tmp_path):
    from tillit.datasets.models import MappingProfile, Snapshot

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    first = _workbook(
        tmp_path / "fakturor-jan.xlsx",
        [
            ["V1", "10001", "F-1", datetime(2025, 1, 3), 1234.5, "Städning Åre"],
            ["V2", "10002", "F-2", datetime(2025, 1, 7), 99, "Hälsa"],
        ],
    )
    second = _workbook(
        tmp_path / "fakturor-feb.xlsx", [["V3", "10001", "F-3", datetime(2025, 2, 3), 10, "Väg"]]
    )
    login_through_form(page, personas["coordinator"], PASSWORD)

    # the first file: map the unknown headers by hand and save the mapping as a profile
    page.goto("/data/")
    page.get_by_label("Datamängd").select_option("invoices")
    page.get_by_label("Fil (CSV, XLSX, Parquet eller SIE 4)").set_input_files(str(first))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/data/inlasning/*/")
    for column, header in [
        ("invoice_id", "Verifikat"),
        ("supplier_id", "Lev-ID"),
        ("invoice_number", "Lev:s fakturanummer"),
        ("invoice_date", "Bokf.dag"),
        ("amount", "Summa kronor"),
        ("description", "Notering"),
    ]:
        column_field(page, column).select_option(header)
    page.get_by_label("Spara mappningen som en profil med namnet").fill("Ekonomisystemet")
    page.get_by_role("button", name="Läs in", exact=True).click()
    page.wait_for_load_state()
    assert (
        MappingProfile.objects.get(name="Ekonomisystemet").columns["invoice_number"]
        == "Lev:s fakturanummer"
    )
    assert Snapshot.objects.filter(dataset="invoices").count() == 1

    # the next month's file: choose the profile, and the preview is already mapped
    page.goto("/data/")
    page.get_by_label("Datamängd").select_option("invoices")
    page.get_by_label("Mappningsprofil").select_option(label="Ekonomisystemet")
    page.get_by_label("Fil (CSV, XLSX, Parquet eller SIE 4)").set_input_files(str(second))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/data/inlasning/*/")
    assert column_field(page, "invoice_number").input_value() == "Lev:s fakturanummer"
    page.get_by_role("button", name="Läs in", exact=True).click()
    page.wait_for_load_state()
    snapshots = Snapshot.objects.filter(dataset="invoices").order_by("imported_at")
    assert [s.rows for s in snapshots] == [2, 1]
    rows = pq.read_table(Path(settings.SNAPSHOT_DIR) / snapshots[1].parquet_path).to_pylist()
    assert [
        (r["invoice_id"], r["supplier_id"], r["invoice_number"], str(r["amount"])) for r in rows
    ] == [("V3", "10001", "F-3", "10.00")]
