"""Imports through the Django service and the CLI: every generated data set, the bad corpus, snapshots."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.conf import settings
from openpyxl import Workbook

from tests.external import DATA as SHARED
from tillit.analytics import schema
from tillit.cli import main
from tillit.datasets.models import ImportAttempt, MappingProfile, Snapshot
from tillit.datasets.services import (
    ImportRefused,
    current_sources,
    import_file,
    parse_period,
    snapshot_retire,
)

HEADER = "Löpnr;Leverantör;Fakturanr;Fakturadatum;Belopp inkl moms;Bankgiro;Beskrivning\n"
GOOD = (
    HEADER
    + "1;L1;F-001;2025-01-03;1 234,50;5050-1055;Städning\n2;L2;F-002;2025-01-04;99,00;5050-1055;Hälsa\n"
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from tillit.analytics.generate import generate

    folder = tmp_path_factory.mktemp("generated")
    return folder, generate(folder, scale=0.05, seed=3)


def _sv(msgid: str) -> str:
    from django.utils import translation

    with translation.override("sv"):
        text = translation.gettext(msgid)
    assert text != msgid, f"no Swedish for {msgid!r}"
    return text


def _write(tmp_path: Path, name: str, content: bytes | str, encoding: str = "cp1252") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def _state(municipality) -> tuple:
    """Everything an import could change: snapshot rows and the Parquet files on disk."""
    files = sorted(p.name for p in Path(settings.SNAPSHOT_DIR).rglob("*.parquet"))
    return list(
        Snapshot.objects.filter(municipality=municipality).values_list("pk", "rows", "replaced_by")
    ), files


def test_every_generated_data_set_imports_without_an_error(personas, kommun_a, generated):
    folder, result = generated
    for name in schema.MUNICIPAL_DATASETS:
        attempt = import_file(
            user=personas["admin"], municipality=kommun_a, dataset=name, path=folder / f"{name}.csv"
        )
        assert attempt.status == ImportAttempt.Status.IMPORTED, (
            name,
            attempt.message,
            attempt.errors[:3],
        )
        assert attempt.snapshot.rows == result.rows[name] and attempt.error_count == 0
    sources = current_sources(municipality=kommun_a)
    assert set(sources) == set(schema.MUNICIPAL_DATASETS)
    invoices, _ids = sources["invoices"]
    assert pq.read_metadata(invoices.paths[0]).num_rows == result.rows["invoices"]


BAD_CORPUS = [
    # (name, bytes, the message that must be shown)
    (
        "wrong-encoding.csv",
        (GOOD + "3;L3;F-003;2025-01-05;1,00;5050-1055;Åre\n").encode("cp1252"),
        "The file is not valid %(encoding)s text",
    ),
    (
        "mixed-delimiters.csv",
        (
            HEADER + "1;L1;F-1;2025-01-03;1,00;5050-1055;x\n2,L1,F-2,2025-01-03,1.00,5050-1055,y\n"
        ).encode("cp1252"),
        "%(count)s rows have errors",
    ),
    (
        "truncated.csv",
        (GOOD + '3;L3;F-003;2025-01-05;"12').encode("cp1252"),
        "%(count)s rows have errors",
    ),
    (
        "missing-column.csv",
        "Löpnr;Leverantör;Fakturadatum;Belopp\n1;L1;2025-01-01;1\n".encode(),
        "The required column %(column)s was not found",
    ),
    (
        "duplicate-keys.csv",
        (GOOD + "1;L9;F-9;2025-01-05;1,00;5050-1055;z\n").encode("cp1252"),
        "%(count)s rows have errors",
    ),
    (
        "impossible-date.csv",
        (HEADER + "1;L1;F1;2026-02-30;12;5050-1055;x\n").encode("cp1252"),
        "%(count)s rows have errors",
    ),
    (
        "malformed-amount.csv",
        (HEADER + "1;L1;F1;2026-02-03;12,3,4;5050-1055;x\n").encode("cp1252"),
        "%(count)s rows have errors",
    ),
    ("empty.csv", b"", "The file is empty."),
    ("header-only.csv", HEADER.encode("cp1252"), "The file has a header but no rows."),
    (
        "huge-field.csv",
        (HEADER + "1;L1;F1;2025-01-03;12;5050-1055;" + "x" * (10 << 20) + "\n").encode("cp1252"),
        "%(count)s rows have errors",
    ),
    (
        "photo.csv",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        "The file is not a text file",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_CORPUS, ids=[c[0] for c in BAD_CORPUS])
def test_the_bad_corpus_is_refused_by_the_cli_and_nothing_changes(
    personas, kommun_a, tmp_path, capsys, name, content, message
):
    import_file(
        user=None, municipality=kommun_a, dataset="invoices", path=_write(tmp_path, "ok.csv", GOOD)
    )
    before = _state(kommun_a)
    path = _write(tmp_path, name, content)
    args = ["--municipality", "0180", "import", "invoices", str(path)]
    if name == "wrong-encoding.csv":
        MappingProfile.objects.create(
            municipality=kommun_a, name="UTF-8-system", dataset="invoices", encoding="utf-8"
        )
        args += ["--profile", "UTF-8-system"]
    assert main(args) == 1
    err = capsys.readouterr().err
    attempt = ImportAttempt.objects.get(source_name=name)
    assert attempt.status == ImportAttempt.Status.REJECTED and attempt.message.startswith(message)
    assert _sv("Nothing was imported.") in err  # in Swedish, on every refusal
    assert _state(kommun_a) == before


def test_row_errors_are_reported_with_file_row_column_and_value(kommun_a, tmp_path, capsys):
    path = _write(
        tmp_path,
        "lev.csv",
        HEADER + "1;L1;F1;2026-02-30;12;5050-1055;x\n2;L1;F2;2026-02-03;12,3,4;1;y\n",
    )
    assert main(["import", "invoices", str(path)]) == 1
    err = capsys.readouterr().err
    assert "lev.csv, rad 2, kolumn Fakturadatum, värde '2026-02-30'" in err
    assert "lev.csv, rad 3, kolumn Belopp inkl moms, värde '12,3,4'" in err


def test_quarantine_keeps_the_good_rows_and_names_the_bad(kommun_a, tmp_path, capsys):
    path = _write(tmp_path, "lev.csv", GOOD + "3;L1;F3;2026-02-30;12;5050-1055;x\n")
    assert main(["import", "invoices", str(path), "--policy", "quarantine"]) == 0
    snapshot = Snapshot.objects.get()
    assert (snapshot.rows, snapshot.quarantined_rows) == (2, 1)
    assert "rad 4" in capsys.readouterr().out


def test_a_formula_cell_is_stored_as_text_and_never_exported_as_a_formula(
    personas, kommun_a, tmp_path, client, login
):
    path = _write(
        tmp_path,
        "f.csv",
        HEADER + '1;L1;F1;2025-01-03;1,00;5050-1055;=HYPERLINK("http://x","klicka")\n'
        "2;L1;F2;2025-01-03;=1+1;5050-1055;x\n3;L1;F3;2025-01-03;@SUM(A1);5050-1055;y\n",
    )
    with pytest.raises(ImportRefused) as refused:
        import_file(user=personas["admin"], municipality=kommun_a, dataset="invoices", path=path)
    attempt = refused.value.attempt
    login(client, personas["admin"])
    response = client.get(f"/data/inlasning/{attempt.pk}/felrapport.csv")
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert "'=1+1" in body and "'@SUM(A1)" in body
    assert not any(
        cell.startswith(("=", "@", "+", "-"))
        for line in body.splitlines()
        for cell in line.split(";")
    )


def test_the_same_file_is_refused_unless_forced(kommun_a, tmp_path, capsys):
    path = _write(tmp_path, "lev.csv", GOOD)
    assert main(["import", "invoices", str(path)]) == 0
    assert main(["import", "invoices", str(path)]) == 1
    err = capsys.readouterr().err
    assert (
        _sv(
            "This file was already imported as snapshot %(id)s on %(date)s. Import it again with "
            "--force."
        ).split("%")[0]
        in err
    )
    assert (
        "--force" in err and "tick" not in err and "kryssa" not in err
    )  # the command line has no checkbox
    assert main(["import", "invoices", str(path), "--force"]) == 0
    assert Snapshot.objects.count() == 2


def test_a_period_reimport_replaces_only_that_period_and_retiring_keeps_the_record(
    personas, kommun_a, tmp_path
):
    jan = _write(tmp_path, "jan.csv", HEADER + "1;L1;F1;2025-01-03;1,00;5050-1055;x\n")
    feb = _write(tmp_path, "feb.csv", HEADER + "2;L1;F2;2025-02-03;2,00;5050-1055;x\n")
    jan2 = _write(
        tmp_path,
        "jan2.csv",
        HEADER + "1;L1;F1;2025-01-03;1,50;5050-1055;x\n3;L1;F3;2025-01-09;3,00;5050-1055;x\n",
    )
    a = import_file(
        user=None,
        municipality=kommun_a,
        dataset="invoices",
        path=jan,
        period=parse_period("2025-01"),
    )
    b = import_file(
        user=None,
        municipality=kommun_a,
        dataset="invoices",
        path=feb,
        period=parse_period("2025-02"),
    )
    c = import_file(
        user=None,
        municipality=kommun_a,
        dataset="invoices",
        path=jan2,
        period=parse_period("2025-01"),
    )
    a.snapshot.refresh_from_db()
    assert a.snapshot.replaced_by_id == c.snapshot.pk and b.snapshot.replaced_by_id is None
    source, ids = current_sources(municipality=kommun_a)["invoices"]
    assert sorted(ids) == sorted([b.snapshot.pk, c.snapshot.pk])
    # the replaced snapshot stays readable until it is retired
    replaced = Path(settings.SNAPSHOT_DIR) / a.snapshot.parquet_path
    assert replaced.exists()
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        snapshot_retire(
            user=personas["admin"],
            snapshot=a.snapshot,
            reason="Gallring enligt dokumenthanteringsplan",
        )
    assert not replaced.exists()
    a.snapshot.refresh_from_db()
    assert a.snapshot.retired_reason == "Gallring enligt dokumenthanteringsplan"


def test_oxford_payments_import_through_one_saved_profile(kommun_a, capsys):
    MappingProfile.objects.create(
        municipality=kommun_a,
        name="Oxford",
        dataset="payments",
        date_format="%d/%m/%Y",
        unavailable=["bank_account"],
        columns={
            "payment_id": "Trans No",
            "payment_date": "Paid Date",
            "amount": "Amount",
            "payee_id": "Supplier ID",
            "payee_name": "Supplier Name",
        },
    )
    for name in ("expenditure-over-500-jan-mar-2016.csv", "expenditure-over-500-oct-dec-2017.csv"):
        assert (
            main(["import", "payments", str(SHARED / "oxford-spend" / name), "--profile", "Oxford"])
            == 0
        ), capsys.readouterr().err
    # the 2014 file has one junk row: refused by default, imported with it quarantined
    path = str(SHARED / "oxford-spend" / "expenditure-over-500-jan-mar-2014.csv")
    assert main(["import", "payments", path, "--profile", "Oxford"]) == 1
    assert main(["import", "payments", path, "--profile", "Oxford", "--policy", "quarantine"]) == 0
    assert sorted(Snapshot.objects.values_list("rows", flat=True)) == [3855, 3859, 3908]
    assert all(s.unavailable_columns == ["bank_account"] for s in Snapshot.objects.all())


def test_an_xlsx_with_title_rows_and_swedish_headers_imports(kommun_a, tmp_path):
    from datetime import datetime

    wb = Workbook()
    ws = wb.active
    ws["A1"] = "Leverantörsreskontra 2025"
    ws.merge_cells("A1:D1")
    ws.append([])
    ws.append(["Lev.nr", "Leverantörsnamn", "Org.nr", "Bankgiro"])
    ws.append(["10001", "Städbolaget i Åre AB", "556677-8899", "5050-1055"])
    ws.append(["10002", "Östersunds Bygg HB", "5560000000", ""])
    path = tmp_path / "lev.xlsx"
    wb.save(path)
    assert datetime  # openpyxl writes the file; the reader finds the header under the title
    attempt = import_file(user=None, municipality=kommun_a, dataset="suppliers", path=path)
    rows = pq.read_table(Path(settings.SNAPSHOT_DIR) / attempt.snapshot.parquet_path).to_pylist()
    assert [(r["supplier_id"], r["name"], r["orgnr"], r["orgnr_valid"]) for r in rows] == [
        ("10001", "Städbolaget i Åre AB", "5566778899", True),
        ("10002", "Östersunds Bygg HB", "5560000000", False),
    ]
