"""Readers and detection: encodings, delimiters, header rows, XLSX, Parquet, SIE 4."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from tillit.analytics.readers import SourceError, open_source
from tillit.analytics.readers.detect import detect_delimiter, detect_encoding

DATA = Path(__file__).resolve().parents[1] / "data"
ROWS = "Leverantör;Belopp\nÅkerö Städ AB;1 234,50\nÖrjans Måleri;99,00\n"


def _rows(source) -> list[list[str | None]]:
    out = []
    for batch in source.batches():
        out += [list(r) for r in zip(*batch.columns, strict=True)]
    return out


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("cp1252", "windows-1252"),
    ],
)
def test_encoding_is_detected_and_aao_survive(tmp_path, encoding, expected):
    path = tmp_path / "f.csv"
    path.write_bytes(ROWS.encode(encoding))
    source = open_source(path)
    assert source.info.encoding == expected
    assert source.info.headers == ["Leverantör", "Belopp"]
    assert _rows(source) == [["Åkerö Städ AB", "1 234,50"], ["Örjans Måleri", "99,00"]]


def test_latin1_is_told_from_windows_1252_by_bytes_1252_leaves_undefined():
    assert detect_encoding("Åsa".encode("latin-1") + b"\x81") == "iso-8859-1"
    assert detect_encoding("Åsa – €".encode("cp1252")) == "windows-1252"
    # a multi-byte character cut at the end of the sample is still UTF-8
    assert detect_encoding("åäö".encode()[:-1]) == "utf-8"


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_delimiter_is_detected(delimiter):
    lines = [delimiter.join(["a", "b", "c"]), delimiter.join(["1", '"x;y,z"', "3,5"])]
    assert detect_delimiter(lines) == delimiter


def test_row_numbers_count_the_header_and_skip_blank_lines(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("a;b\n1;2\n\n3;4\n", encoding="utf-8")
    source = open_source(path)
    batch = next(source.batches())
    assert batch.rows == [2, 4]


def test_rows_with_the_wrong_number_of_fields_are_reported_not_dropped(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("a;b;c\n1;2;3\n4,5,6\n7;8;9;\n10;11", encoding="utf-8")
    source = open_source(path)
    assert _rows(source) == [["1", "2", "3"], ["7", "8", "9"]]
    assert [(b.row, b.params) for b in source.bad_rows] == [
        (3, {"found": 1, "expected": 3}),
        (5, {"found": 2, "expected": 3}),
    ]


def test_declared_wrong_encoding_is_a_file_error(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(ROWS.encode("cp1252"))
    with pytest.raises(SourceError) as info:
        _rows(open_source(path, encoding="utf-8"))
    assert info.value.params["encoding"] == "utf-8"


def test_binary_and_empty_files_are_refused(tmp_path):
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(SourceError, match="not a text file"):
        open_source(binary)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(SourceError, match="empty"):
        open_source(empty)


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


def test_xlsx_title_rows_merged_cells_and_formulas(tmp_path):
    source = open_source(make_xlsx(tmp_path / "f.xlsx"))
    assert source.info.format == "xlsx"
    assert source.info.header_row == 4
    assert source.info.headers == ["Löpnr", "Leverantör", "Fakturanr", "Fakturadatum", "Belopp"]
    rows = _rows(source)
    assert rows[0] == ["1", "L1", "F-1", "2025-01-03", "1234.5"]
    assert rows[1][1] == "L1"  # filled from the merged cell above
    assert rows[2][4] == '=HYPERLINK("http://x","klicka")'  # kept as text, never evaluated
    assert [b.rows for b in source.batches()] == [[5, 6, 7]]


def test_parquet_columns_are_read_as_text(tmp_path):
    path = tmp_path / "f.parquet"
    pq.write_table(
        pa.table(
            {"id": ["a"], "n": pa.array([12.5]), "d": pa.array([datetime(2025, 1, 2).date()])}
        ),
        path,
    )
    source = open_source(path)
    assert source.info.format == "parquet"
    assert _rows(source) == [["a", "12.5", "2025-01-02"]]


def test_sie4_in_cp437_gives_one_row_per_trans():
    source = open_source(DATA / "ledger_cp437.se")
    assert source.info.format == "sie4" and source.info.encoding == "cp437"
    rows = _rows(source)
    assert rows == [
        [
            "A-1",
            "2025-01-15",
            "4010",
            "12500.00",
            "A",
            "Städning kvartal 1",
            "ÅÖ",
            "2025-01-16",
            "310",
            "P7",
        ],
        [
            "A-1",
            "2025-01-15",
            "1930",
            "-12500.00",
            "A",
            "Faktura Städbolaget Å&Ö",
            "ÅÖ",
            "2025-01-16",
            None,
            None,
        ],
        [
            "B-7",
            "2025-01-20",
            "7010",
            "3000.50",
            "B",
            'Lön "extra"',
            None,
            "2025-01-21",
            "310",
            None,
        ],
        [
            "B-7",
            "2025-01-20",
            "1930",
            "-3000.50",
            "B",
            'Lön "extra"',
            None,
            "2025-01-21",
            None,
            None,
        ],
    ]
