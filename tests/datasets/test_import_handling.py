"""Issue 16: imports a controller can trust. Name-like headers never become identifiers; empty, UTF-8-BOM
and UTF-16 files; each channel names its own way to import anyway; --dry-run; an importer withdraws
their own import and a coordinator can put it back; --period as docs/cli.md says."""

from __future__ import annotations

from pathlib import Path

import pytest

from tillit.analytics.aliases import propose_mapping
from tillit.analytics.schema import DATASETS
from tillit.cli import main
from tillit.datasets.models import Snapshot
from tillit.datasets.services import (
    ImportRefused,
    current_sources,
    import_file,
    snapshot_reinstate,
    snapshot_withdraw,
)

SUPPLIERS = "Leverantör;Leverantörsnr;Org.nr\nYstads Färg & Tapet AB;20012;556123-4567\nBygg AB;20013;556000-0001\n"
INVOICES = (
    "Löpnr;Leverantörsnr;Leverantör;Fakturanr;Fakturadatum;Belopp\n"
    "1;20012;Ystads Färg & Tapet AB;F-1;2025-10-03;143 950,00\n2;20013;Bygg AB;F-2;2025-10-04;99,00\n"
)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("dataset", "headers", "expected"),
    [
        (
            "suppliers",
            ["Leverantör", "Leverantörsnr", "Org.nr"],
            {"supplier_id": "Leverantörsnr", "name": "Leverantör"},
        ),
        (
            "suppliers",
            ["Leverantörsnamn", "Leverantörsnummer"],
            {"supplier_id": "Leverantörsnummer", "name": "Leverantörsnamn"},
        ),
        (
            "invoices",
            ["Leverantör", "Leverantörsnr", "Fakturanr"],
            {"supplier_id": "Leverantörsnr"},
        ),
        ("invoices", ["Lev.namn", "Fakturanr"], {"supplier_id": None}),  # a name is never an id
        (
            "payments",
            ["Mottagare", "Mottagare id"],
            {"payee_id": "Mottagare id", "payee_name": "Mottagare"},
        ),
    ],
)
def test_name_like_headers_never_map_to_identifiers(dataset, headers, expected):
    mapping = propose_mapping(DATASETS[dataset], headers)
    for column, header in expected.items():
        assert mapping.get(column) == header


def test_a_utf16_file_from_excel_is_read(personas, kommun_a, tmp_path):
    path = _write(tmp_path, "leverantorer.txt", SUPPLIERS.replace(";", "\t").encode("utf-16"))
    attempt = import_file(
        user=personas["admin"], municipality=kommun_a, dataset="suppliers", path=path
    )
    assert attempt.snapshot.rows == 2
    assert attempt.snapshot.mapping["columns"]["supplier_id"] == "Leverantörsnr"


def test_a_utf8_file_with_byte_order_mark_is_read(personas, kommun_a, tmp_path):
    path = _write(tmp_path, "leverantorer.csv", SUPPLIERS.encode("utf-8-sig"))
    attempt = import_file(
        user=personas["admin"], municipality=kommun_a, dataset="suppliers", path=path
    )
    assert attempt.snapshot.rows == 2
    assert "Leverantörsnr" in attempt.snapshot.mapping["columns"].values()


@pytest.mark.parametrize(
    "content", [b"", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n", "\r\n".encode("utf-16")]
)
def test_an_empty_file_is_refused_with_that_reason(personas, kommun_a, tmp_path, content):
    path = _write(tmp_path, "tom.csv", content)
    with pytest.raises(ImportRefused) as refused:
        import_file(user=personas["admin"], municipality=kommun_a, dataset="suppliers", path=path)
    assert "empty" in refused.value.attempt.message
    assert Snapshot.objects.count() == 0


def test_an_empty_upload_in_the_web_shows_the_reason_to_htmx(personas, login, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, personas["controller"])
    response = client.post(
        "/data/ladda-upp/",
        {"dataset": "suppliers", "file": SimpleUploadedFile("tom.csv", b"")},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200  # htmx swaps a 200, not a 400
    assert response["HX-Retarget"] == "#upload-form"
    text = response.content.decode()
    assert "tom.csv" in text and ("tom" in text or "empty" in text)


def test_the_web_speaks_of_its_checkbox_and_the_command_line_of_force(
    personas, kommun_a, tmp_path, capsys
):
    path = _write(tmp_path, "lev.csv", SUPPLIERS.encode())
    import_file(user=personas["admin"], municipality=kommun_a, dataset="suppliers", path=path)
    with pytest.raises(ImportRefused) as refused:
        import_file(user=personas["admin"], municipality=kommun_a, dataset="suppliers", path=path)
    assert "--force" not in refused.value.attempt.message
    assert "Import even if the same file was imported before" in refused.value.attempt.message
    assert main(["--municipality", kommun_a.code, "import", "suppliers", str(path)]) == 1
    assert "--force" in capsys.readouterr().err


def test_dry_run_shows_the_mapping_and_the_first_rows_and_imports_nothing(
    kommun_a, tmp_path, capsys
):
    path = _write(tmp_path, "fakturor.csv", INVOICES.encode())
    assert (
        main(["--municipality", kommun_a.code, "import", "invoices", str(path), "--dry-run"]) == 0
    )
    out = capsys.readouterr().out
    assert "Leverantörsnr → " in out and "(supplier_id)" in out
    assert "F-1" in out and "20012" in out
    assert Snapshot.objects.count() == 0


def test_the_command_line_prints_the_mapping_it_used(kommun_a, tmp_path, capsys):
    path = _write(tmp_path, "fakturor.csv", INVOICES.encode())
    assert main(["--municipality", kommun_a.code, "import", "invoices", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Leverantörsnr → " in out


def test_an_importer_withdraws_their_own_import_and_a_coordinator_puts_it_back(
    personas, kommun_a, tmp_path
):
    carl, alice, bob = personas["controller"], personas["coordinator"], personas["investigator"]
    first = import_file(
        user=carl,
        municipality=kommun_a,
        dataset="suppliers",
        path=_write(tmp_path, "a.csv", SUPPLIERS.encode()),
    ).snapshot
    second = import_file(
        user=carl,
        municipality=kommun_a,
        dataset="suppliers",
        path=_write(tmp_path, "b.csv", SUPPLIERS.replace("Bygg AB", "Bygg & Co AB").encode()),
    ).snapshot
    first.refresh_from_db()
    assert first.replaced_by_id == second.pk  # a register is replaced as a whole
    with pytest.raises(PermissionError):
        snapshot_withdraw(user=bob, snapshot=second, reason="fel fil")
    snapshot_withdraw(user=carl, snapshot=second, reason="Fel fil: förra årets register.")
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.withdrawn_at is not None and not second.is_current and first.is_current
    assert list(current_sources(municipality=kommun_a)["suppliers"][1]) == [first.pk]
    with pytest.raises(PermissionError):
        snapshot_reinstate(user=carl, snapshot=second)
    snapshot_reinstate(user=alice, snapshot=second)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.is_current and first.replaced_by_id == second.pk


def test_the_withdraw_button_is_on_the_importers_page(personas, kommun_a, tmp_path, login, client):
    carl = personas["controller"]
    snapshot = import_file(
        user=carl,
        municipality=kommun_a,
        dataset="suppliers",
        path=_write(tmp_path, "a.csv", SUPPLIERS.encode()),
    ).snapshot
    login(client, carl)
    page = client.get("/data/suppliers/").content.decode()
    assert f"/data/ogonblicksbild/{snapshot.pk}/aterkalla/" in page
    assert (
        client.post(f"/data/ogonblicksbild/{snapshot.pk}/aterkalla/", {"reason": "fel"}).status_code
        == 302
    )
    snapshot.refresh_from_db()
    assert snapshot.withdrawn_at is not None


def test_without_period_a_dated_file_is_added_beside_and_a_register_replaced(
    personas, kommun_a, tmp_path
):
    admin = personas["admin"]
    october = import_file(
        user=admin,
        municipality=kommun_a,
        dataset="invoices",
        path=_write(tmp_path, "okt.csv", INVOICES.encode()),
    ).snapshot
    november = import_file(
        user=admin,
        municipality=kommun_a,
        dataset="invoices",
        path=_write(tmp_path, "nov.csv", INVOICES.replace("2025-10", "2025-11").encode()),
    ).snapshot
    october.refresh_from_db()
    assert october.is_current and november.is_current  # as docs/cli.md says: other months are kept
    again = import_file(
        user=admin,
        municipality=kommun_a,
        dataset="invoices",
        path=_write(tmp_path, "okt2.csv", INVOICES.replace("143 950,00", "143 000,00").encode()),
    ).snapshot
    october.refresh_from_db()
    assert october.replaced_by_id == again.pk  # the same months again: replaced


def test_an_invoice_export_fills_an_empty_supplier_register_with_names_and_orgnr(
    personas, kommun_a, tmp_path
):
    import pyarrow.parquet as pq
    from django.conf import settings

    content = (
        INVOICES.replace("Leverantör;", "Leverantör;Org.nr;")
        .replace("Ystads Färg & Tapet AB;", "Ystads Färg & Tapet AB;556123-4567;")
        .replace("Bygg AB;", "Bygg AB;556000-0001;")
    )
    attempt = import_file(
        user=personas["admin"],
        municipality=kommun_a,
        dataset="invoices",
        path=_write(tmp_path, "fakturor.csv", content.encode()),
    )
    register = Snapshot.objects.get(municipality=kommun_a, dataset="suppliers")
    rows = pq.read_table(
        Path(settings.SNAPSHOT_DIR) / register.parquet_path,
        columns=["supplier_id", "name", "orgnr"],
    ).to_pylist()
    by_id = {r["supplier_id"]: r for r in rows}
    assert by_id["20012"]["name"] == "Ystads Färg & Tapet AB"
    assert (
        by_id["20012"]["orgnr"].replace("-", "").endswith("5561234567")
        or "556123" in by_id["20012"]["orgnr"]
    )
    attempt.refresh_from_db()
    assert any("supplier register was empty" in n["message"] for n in attempt.notes)
    # a register already there is never touched
    import_file(
        user=personas["admin"],
        municipality=kommun_a,
        dataset="invoices",
        path=_write(tmp_path, "fakturor2.csv", content.replace("F-1", "F-9").encode()),
    )
    assert Snapshot.objects.filter(dataset="suppliers").count() == 1
