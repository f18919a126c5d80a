"""The CSV reader's pyarrow path gives exactly what Python's csv module gives: the same rows, values,
line numbers and refused rows, on files with quoted line breaks, wrong field counts, trailing
delimiters, blank lines (where the csv module takes over) and mixed line endings."""

from __future__ import annotations

import random

import pytest

from tillit.analytics.readers import open_source
from tillit.analytics.readers.csv import CsvSource

PIECES = ["a", "b c", "1;2", '"q;x"', '"li\nne"', '"cr\r\nlf"', "", " ", '"a""b"', 'x"y', "å", "ö€"]


def _read(path, *, fast: bool):
    source = open_source(path)
    assert isinstance(source, CsvSource)
    if not fast:
        source._data_offset = None  # the csv module only
    rows: list[int] = []
    values: list[list[str | None]] = []
    error = None
    try:
        for batch in source.batches():
            rows += batch.rows
            values += [list(r) for r in zip(*batch.columns, strict=True)]
    except Exception as exc:  # noqa: BLE001 - the same failure is part of the same result
        error = (type(exc).__name__, str(exc))
    return rows, values, [(b.row, b.params, b.text) for b in source.bad_rows], error


def _random_file(rng: random.Random) -> tuple[str, str]:
    width = rng.randint(2, 4)
    lines = [";".join(f"h{i}" for i in range(width))]
    for _ in range(rng.randint(0, 12)):
        cells = [
            rng.choice(PIECES)
            for _ in range(rng.choice([width] * 6 + [width - 1, width + 1, 1, 0]))
        ]
        if rng.random() < 0.1:
            cells += [""] * rng.randint(1, 2)
        lines.append(";".join(cells))
    newline = rng.choice(["\n", "\r\n", "\r"])
    return newline.join(lines) + rng.choice(["", newline, newline * 2]), rng.choice(
        ["utf-8", "cp1252"]
    )


@pytest.mark.parametrize("seed", range(4))
def test_the_pyarrow_path_reads_what_the_csv_module_reads(tmp_path, seed):
    rng = random.Random(seed)
    path = tmp_path / "f.csv"
    compared = 0
    for _ in range(100):
        text, encoding = _random_file(rng)
        try:
            path.write_bytes(text.encode(encoding))
        except UnicodeEncodeError:
            continue
        assert _read(path, fast=True) == _read(path, fast=False), (text, encoding)
        compared += 1
    assert compared > 50


def test_many_batches_with_refused_rows_and_line_breaks_in_values(tmp_path):
    rng = random.Random(7)
    lines = ["Löpnr;Leverantör;Belopp;Text"]
    for i in range(60_000):
        r = rng.random()
        if r < 0.001:
            lines.append(f"{i};L;1,00")  # a field short: refused
        elif r < 0.002:
            lines.append(f"{i};L;1,00;x;;")  # trailing delimiters: kept
        elif r < 0.003:
            lines.append(f'{i};L;1,00;"two\nlines ; {i}"')
        elif r < 0.004:
            lines.append("   ")  # blank: skipped
        else:
            lines.append(f"{i};Leverantör {i % 97};{i},50;Städning Åre " + "x" * 40)
    path = tmp_path / "big.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    source = open_source(path)
    fast = _read(path, fast=True)
    assert fast == _read(path, fast=False)
    assert len({tuple(r) for r in fast[1]}) > 59_000 and fast[2]
    assert source._data_offset is not None
    # more than one batch went through pyarrow
    assert sum(1 for _ in source.batches()) > 1


def test_a_blank_line_inside_the_file_hands_the_rest_to_the_csv_module(tmp_path):
    path = tmp_path / "f.csv"
    body = "".join(f"{i};x\n" for i in range(30_000))
    path.write_text("a;b\n" + body + "\n" + body, encoding="utf-8")
    rows, values, _bad, error = _read(path, fast=True)
    assert error is None and len(rows) == 60_000
    assert rows[30_000] == 30_003  # header, 30 000 rows, the blank line
    assert (rows, values) == _read(path, fast=False)[:2]


def test_a_byte_windows_1252_does_not_define_after_the_sample_is_the_csv_modules_error(tmp_path):
    path = tmp_path / "f.csv"
    rows = "".join(f"{i};Åre {i}\n" for i in range(150_000))  # more than the 1 MB sample
    path.write_bytes(("a;b\n" + rows).encode("cp1252") + b"1;\x81\n" + rows.encode("cp1252"))
    fast, slow = _read(path, fast=True), _read(path, fast=False)
    # the same error (the import stops there); the rows handed over before it are the same rows,
    # though in batches of another size
    assert fast[3] == slow[3] and "not valid windows-1252" in fast[3][1]
    common = min(len(fast[0]), len(slow[0]))
    assert common and fast[0][:common] == slow[0][:common] and fast[1][:common] == slow[1][:common]
