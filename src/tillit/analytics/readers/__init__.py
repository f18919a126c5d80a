"""Readers turn a source file into batches of text columns, whatever its format.

Every reader streams: it holds one batch (``BATCH_ROWS`` rows) at a time, so memory
does not grow with the file. Values stay text here; ``tillit.analytics.ingest``
types, checks and normalises them.

``open_source(path, ...)`` picks the reader by content, not by file name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BATCH_ROWS = 50_000
# a longer value is a row error, not a value (protects memory and the database)
MAX_FIELD_CHARS = 100_000


class SourceError(Exception):
    """A file-level problem: the file cannot be read at all. ``message`` is an English
    source string with %(name)s placeholders, ``params`` fills them."""

    def __init__(self, message: str, params: dict | None = None):
        super().__init__(message % (params or {}))
        self.message = message
        self.params = params or {}


@dataclass
class BadRow:
    """A row the reader could not split into the header's columns."""

    row: int
    message: str
    params: dict
    text: str


class Batch:
    """One batch of rows: a column per source column, in header order, and the row number a person
    sees in the file for each row (the header row counts).

    A reader gives the columns either as Python lists (None or '' for an empty cell) or, the CSV
    reader, as Arrow string arrays (``arrays``); ``columns`` gives lists either way, ``data`` what
    the reader gave (the importer types Arrow arrays without a round trip through Python)."""

    def __init__(
        self,
        columns: list[list[str | None]] | None,
        rows: list[int],
        *,
        arrays: list[Any] | None = None,
    ):
        self._columns = columns
        self.arrays = arrays
        self.rows = rows

    @property
    def columns(self) -> list[list[str | None]]:
        if self._columns is None:
            self._columns = [a.to_pylist() for a in self.arrays or []]
        return self._columns

    @property
    def data(self) -> list[Any]:
        return self.arrays if self.arrays is not None else self.columns

    def head(self, n: int) -> Batch:
        if self.arrays is not None:
            return Batch(None, self.rows[:n], arrays=[a[:n] for a in self.arrays])
        return Batch([c[:n] for c in self.columns], self.rows[:n])


@dataclass
class SourceInfo:
    format: str  # csv, xlsx, parquet, sie4
    headers: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 1
    sheet: str | None = None
    size: int = 0
    estimated_rows: int = 0
    # the decimal mark typed sources already decided ('.' for Parquet, XLSX numbers, SIE)
    decimal: str | None = None
    notes: list[tuple[str, dict]] = field(default_factory=list)


class Source:
    info: SourceInfo
    bad_rows: list[BadRow]

    def batches(self) -> Iterator[Batch]:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        pass


def dedupe_headers(headers: list[str]) -> list[str]:
    """Blank headers become 'column_3'; a repeated header gets ' (2)', ' (3)'."""
    seen: dict[str, int] = {}
    result = []
    for i, raw in enumerate(headers):
        name = (raw or "").strip() or f"column_{i + 1}"
        count = seen.get(name.casefold(), 0) + 1
        seen[name.casefold()] = count
        result.append(name if count == 1 else f"{name} ({count})")
    return result


def open_source(path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> Source:
    from tillit.analytics.readers.detect import sniff_format

    kind = sniff_format(path)
    if kind == "xlsx":
        from tillit.analytics.readers.xlsx import XlsxSource

        return XlsxSource(path)
    if kind == "parquet":
        from tillit.analytics.readers.parquet import ParquetSource

        return ParquetSource(path)
    if kind == "sie4":
        from tillit.analytics.readers.sie4 import Sie4Source

        return Sie4Source(path, encoding=encoding)
    from tillit.analytics.readers.csv import CsvSource

    return CsvSource(path, encoding=encoding, delimiter=delimiter)
