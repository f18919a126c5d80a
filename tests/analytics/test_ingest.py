"""ingest() and preview(): the bad-file corpus, the Oxford files, round trips."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook
from tests.external import DATA

from tillit.analytics.ingest import Mapping, ingest, preview
from tillit.analytics.readers import MAX_FIELD_CHARS

HERE = Path(__file__).resolve().parents[1]
OXFORD = DATA / "oxford-spend"
HEADER = "Löpnr;Leverantör;Fakturanr;Fakturadatum;Belopp inkl moms;Bankgiro;Beskrivning\n"


def make_xlsx(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "Leverantörsfakturor januari 2025"
    ws.merge_cells("A1:E1")
    ws["A2"] = "Utskriven 2025-02-01"
    ws.append([])
    ws.append(["Löpnr", "Leverantör", "Fakturanr", "Fakturadatum", "Belopp"])
    ws.append([1, "L1", "F-1", datetime(2025, 1, 3), 1234.5])
    ws.append([2, "L2", "F-2", datetime(2025, 1, 4), 10])
    ws.append([3, None, "F-3", "2025-01-05", '=HYPERLINK("http://x","klicka")'])
    ws.merge_cells("B5:B6")  # the supplier cell spans two rows
    wb.save(path)
    return path


def _csv(tmp_path: Path, body: str, *, name: str = "f.csv", encoding: str = "cp1252") -> Path:
    path = tmp_path / name
    path.write_bytes(body.encode(encoding))
    return path


def _run(tmp_path: Path, path: Path, dataset: str = "invoices", **kw):
    out = tmp_path / "out" / "snap.parquet"
    out.parent.mkdir(exist_ok=True)
    return ingest(dataset, path, out, **kw), out


def _nothing_written(out: Path) -> bool:
    return not any(out.parent.iterdir())


def test_swedish_cp1252_file_round_trips(tmp_path):
    path = _csv(
        tmp_path,
        HEADER + "1;L1;F-001;2025-01-03;1 234 567,50;5050-1055;Städning Åre – Östersund\n"
        "2;L2;F-002;20250104;-99,5;BG 5050-1055;Hälsa\n"
        "3;L3;F-003;2025-01-05 00:00;\u00a012\u00a0000;50501056;Vägar\n",
    )
    result, out = _run(tmp_path, path)
    assert result.ok and result.rows == 3, result.errors
    assert (result.encoding, result.delimiter, result.decimal) == ("windows-1252", ";", ",")
    assert (result.period_min, result.period_max) == (date(2025, 1, 3), date(2025, 1, 5))
    table = pq.read_table(out)
    assert table.schema.field("amount").type == pa.decimal128(18, 2)
    assert table.schema.field("invoice_date").type == pa.date32()
    rows = table.to_pylist()
    assert rows[0]["description"] == "Städning Åre – Östersund"
    assert [r["amount"] for r in rows] == [
        Decimal("1234567.50"),
        Decimal("-99.50"),
        Decimal("12000.00"),
    ]
    # typed by the column name (Bankgiro) and by the value's own prefix; bare digits are flagged
    assert [(r["bank_account"], r["bank_account_valid"]) for r in rows] == [
        ("BG:50501055", True),
        ("BG:50501055", True),
        ("BG:50501056", False),
    ]
    assert [r["_row"] for r in rows] == [2, 3, 4]
    assert result.sha256 and len(result.sha256) == 64


@pytest.mark.parametrize(
    ("body", "row", "column", "message"),
    [
        (
            "1;L1;F1;2026-02-30;10,00;5050-1055;x\n",
            2,
            "Fakturadatum",
            "The date %(value)s does not exist.",
        ),
        (
            "1;L1;F1;3 jan 2025;10,00;5050-1055;x\n",
            2,
            "Fakturadatum",
            "%(value)s is not a valid date (expected %(expected)s).",
        ),
        (
            "1;L1;F1;2025-01-03;12,3,4;5050-1055;x\n",
            2,
            "Belopp inkl moms",
            "%(value)s is not a valid amount.",
        ),
        (
            "1;L1;F1;2025-01-03;12,345;5050-1055;x\n",
            2,
            "Belopp inkl moms",
            "%(value)s has more than two decimals.",
        ),
        ("1;L1;;2025-01-03;12;5050-1055;x\n", 2, "Fakturanr", "%(column)s is required but empty."),
        (
            "1;L1;F1;2025-01-03;12;5050-1055;x\n2;L1;F2;2025-01-03;12;5050-1055;x\n1;L1;F3;2025-01-04;1;1;x\n",
            2,
            "Löpnr",
            "The key %(value)s appears more than once in the file (rows %(rows)s).",
        ),
        (
            "1;L1;F1;2025-01-03;12;5050-1055;x\n2;L1;F2;2025-01-03;12",
            3,
            "",
            "The row has %(found)s fields but the header has %(expected)s.",
        ),
        (
            "1;L1,F1,2025-01-03;12;5050-1055;x\n",
            2,
            "",
            "The row has %(found)s fields but the header has %(expected)s.",
        ),
    ],
)
def test_bad_rows_reject_the_file_and_say_why(tmp_path, body, row, column, message):
    result, out = _run(tmp_path, _csv(tmp_path, HEADER + body))
    assert not result.ok
    assert _nothing_written(out)
    assert (result.errors[0].row, result.errors[0].column, result.errors[0].message) == (
        row,
        column,
        message,
    )
    # the message can be filled from its params (what the web app and CLI do)
    assert result.errors[0].message % result.errors[0].params


def test_quarantine_keeps_good_rows_and_sets_bad_ones_aside(tmp_path):
    body = (
        "1;L1;F1;2025-01-03;12;5050-1055;x\n2;L1;F2;2026-02-30;12;5050-1055;x\n"
        "3;L1;F3;2025-01-04;1;1;x\n3;L1;F4;2025-01-05;1;1;x\n4;L1;F5;2025-01-05;1\n"
    )
    result, out = _run(tmp_path, _csv(tmp_path, HEADER + body), policy="quarantine")
    assert result.ok
    assert (result.rows, result.quarantined, result.error_count) == (3, 4, 4)
    # the two rows sharing key 3 are quarantined and also kept, each under a key of its own, for the
    # duplicate controls (issue 17)
    assert [r["invoice_id"] for r in pq.read_table(out).to_pylist()] == ["1", "3#4", "3#5"]
    assert result.key_collisions == 2
    quarantine = pq.read_table(result.quarantine_path).to_pylist()
    assert sorted(q["_row"] for q in quarantine) == [3, 4, 5, 6]
    assert any("does not exist" in q["_errors"] for q in quarantine)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (HEADER.encode("cp1252"), "The file has a header but no rows."),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
            "The file is not a text file (CSV), an Excel file (.xlsx) or a Parquet file.",
        ),
        (
            "Löpnr;Leverantör;Fakturadatum;Belopp\n1;L1;2025-01-01;1\n".encode(),
            "The required column %(column)s was not found. Map it to a column in the file or mark it unavailable.",
        ),
    ],
)
def test_file_level_problems(tmp_path, content, message):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    result, out = _run(tmp_path, path)
    assert not result.ok and _nothing_written(out)
    assert result.file_errors[0].message == message
    assert preview("invoices", path).problems[0].message == message


def test_wrong_declared_encoding_is_a_file_error(tmp_path):
    path = _csv(tmp_path, HEADER + "1;L1;F1;2025-01-03;12;5050-1055;Åsa\n")
    result, out = _run(tmp_path, path, mapping=Mapping(encoding="utf-8"))
    assert not result.ok and _nothing_written(out)
    assert result.file_errors[0].params["encoding"] == "utf-8"


def test_a_10_mb_field_is_a_row_error_not_a_crash(tmp_path):
    path = _csv(tmp_path, HEADER + "1;L1;F1;2025-01-03;12;5050-1055;" + "x" * (10 << 20) + "\n")
    result, out = _run(tmp_path, path)
    assert not result.ok and _nothing_written(out)
    error = result.errors[0]
    assert (error.row, error.column) == (2, "Beskrivning")
    assert error.params == {"length": 10 << 20, "limit": MAX_FIELD_CHARS, "column": "Beskrivning"}
    assert len(error.value) <= 200


def test_formula_cells_are_stored_as_plain_text(tmp_path):
    path = _csv(
        tmp_path, HEADER + '1;L1;F1;2025-01-03;12;5050-1055;=HYPERLINK("http://evil","klicka")\n'
    )
    result, out = _run(tmp_path, path)
    assert result.ok
    assert pq.read_table(out).to_pylist()[0]["description"] == '=HYPERLINK("http://evil","klicka")'


def test_xlsx_with_title_rows_imports(tmp_path):
    path = make_xlsx(tmp_path / "f.xlsx")
    result, out = _run(tmp_path, path, mapping=Mapping(columns={"supplier_id": "Leverantör"}))
    # row 7 lacks its supplier, and the formula in Belopp is text, not an amount: row errors that name both
    assert not result.ok
    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (7, "Leverantör", ""),
        (7, "Belopp", '=HYPERLINK("http://x","klicka")'),
    ]
    result, out = _run(tmp_path, path, policy="quarantine")
    assert result.ok and result.rows == 2 and result.header_row == 4
    rows = pq.read_table(out).to_pylist()
    assert [(r["invoice_id"], r["supplier_id"], r["invoice_date"], r["amount"]) for r in rows] == [
        ("1", "L1", date(2025, 1, 3), Decimal("1234.50")),
        ("2", "L1", date(2025, 1, 4), Decimal("10.00")),
    ]


OXFORD_MAPPING = Mapping(
    columns={
        "payment_id": "Trans No",
        "payment_date": "Paid Date",
        "amount": "Amount",
        "payee_id": "Supplier ID",
        "payee_name": "Supplier Name",
    },
    unavailable=["bank_account"],
    date_format="%d/%m/%Y",
)


@pytest.mark.parametrize(
    ("name", "rows", "quarantined", "first", "last"),
    [
        ("expenditure-over-500-jan-mar-2014.csv", 3859, 1, date(2014, 1, 7), date(2014, 3, 28)),
        ("expenditure-over-500-jan-mar-2016.csv", 3908, 0, date(2016, 1, 8), date(2016, 3, 29)),
        ("expenditure-over-500-oct-dec-2017.csv", 3855, 0, date(2017, 10, 3), date(2017, 12, 27)),
    ],
)
def test_the_three_oxford_files_import_through_one_mapping(
    tmp_path, name, rows, quarantined, first, last
):
    result, out = _run(
        tmp_path, OXFORD / name, dataset="payments", mapping=OXFORD_MAPPING, policy="quarantine"
    )
    assert result.ok, (result.file_errors, result.errors[:3])
    assert (result.rows, result.quarantined) == (rows, quarantined)
    assert (result.period_min, result.period_max) == (first, last)
    assert result.unavailable == ["bank_account"] and result.decimal == "."
    table = pq.read_table(out)
    assert table.column("bank_account").null_count == table.num_rows
    # headers drift (body_name… vs Client, Service Area…): the unmapped ones are kept
    assert len(result.extra_columns) == 5
    assert all(f"extra__{h}" in table.column_names for h in result.extra_columns)


def test_oxford_2014_junk_last_row_is_named(tmp_path):
    result, _out = _run(
        tmp_path,
        OXFORD / "expenditure-over-500-jan-mar-2014.csv",
        dataset="payments",
        mapping=OXFORD_MAPPING,
    )
    assert not result.ok
    assert {e.row for e in result.errors} == {3861}


def test_preview_proposes_a_mapping_and_types_the_first_rows(tmp_path):
    path = _csv(
        tmp_path,
        HEADER + "1;L1;F-001;2025-01-03;1 234,50;5050-1055;Åsa\n2;L1;F2;2026-02-30;1;x;y\n",
    )
    result = preview("invoices", path, n=1)
    assert result.mapping.columns == {
        "invoice_id": "Löpnr",
        "supplier_id": "Leverantör",
        "invoice_number": "Fakturanr",
        "invoice_date": "Fakturadatum",
        "amount": "Belopp inkl moms",
        "bank_account": "Bankgiro",
        "description": "Beskrivning",
    }
    assert result.rows == [
        {
            **dict.fromkeys(result.rows[0], ""),
            "invoice_id": "1",
            "supplier_id": "L1",
            "invoice_number": "F-001",
            "invoice_date": "2025-01-03",
            "amount": "1234.50",
            "bank_account": "BG:50501055",
            "description": "Åsa",
        }
    ]
    assert not result.problems and not result.errors


def test_sie4_ledger(tmp_path):
    result, out = _run(tmp_path, HERE / "data" / "ledger_cp437.se", dataset="ledger")
    assert result.ok and result.rows == 4
    rows = pq.read_table(out).to_pylist()
    assert sum(r["amount"] for r in rows) == 0
    assert rows[0]["unit"] == "310" and rows[0]["project"] == "P7"
    assert rows[0]["registered_at"] == datetime(2025, 1, 16, tzinfo=ZoneInfo("Europe/Stockholm"))


def test_population_key_is_the_normalised_personnummer(tmp_path):
    path = _csv(
        tmp_path,
        "Personnummer;Namn;Status\n19121212-1212;A;folkbokförd\n191212121212;B;folkbokförd\n"
        "550101-1234;C;avliden\n",
    )
    result, out = _run(tmp_path, path, dataset="population", policy="quarantine")
    assert result.ok and result.rows == 1 and result.quarantined == 2
    assert pq.read_table(out).to_pylist()[0]["personnummer_valid"] is False
