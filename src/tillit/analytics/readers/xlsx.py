"""XLSX through openpyxl in read-only mode: streamed rows, title rows skipped, merged cells filled.

Formulas are never evaluated: a formula cell is read as its text ('=HYPERLINK(…)').
"""

from __future__ import annotations

import itertools
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.readers import (
    BATCH_ROWS,
    Batch,
    Source,
    SourceError,
    SourceInfo,
    dedupe_headers,
)
from tillit.analytics.readers.detect import find_header_row

HEADER_SEARCH_ROWS = 30


def cell_text(value: object) -> str | None:
    """A cell as the text a person would type: dates ISO, numbers with a decimal point."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return (
            value.strftime("%Y-%m-%d")
            if value.time() == time(0)
            else value.strftime("%Y-%m-%d %H:%M:%S")
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float: 1234.5, not 1234.4999999
        text = repr(value)
        return text[:-2] if text.endswith(".0") else format(Decimal(text), "f")
    return str(value)


def _merged_ranges(path: Path, sheet_index: int) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col) of merged cells, read from the sheet XML
    without loading the sheet (read-only worksheets do not expose them)."""
    from openpyxl.utils.cell import range_boundaries

    # openpyxl's own iterparse: defusedxml when installed, as openpyxl reads the sheet itself
    from openpyxl.xml.functions import iterparse

    ranges = []
    with zipfile.ZipFile(path) as zf:
        names = sorted(
            (n for n in zf.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
            key=lambda n: int(re.findall(r"\d+", n)[-1]),
        )
        if sheet_index >= len(names):
            return []
        with zf.open(names[sheet_index]) as fh:
            for _event, element in iterparse(fh):
                if element.tag.endswith("}mergeCell"):
                    min_col, min_row, max_col, max_row = range_boundaries(element.get("ref"))
                    ranges.append((min_row, min_col, max_row, max_col))
                element.clear()
    return ranges


class XlsxSource(Source):
    def __init__(self, path: Path, sheet: str | None = None):
        from openpyxl import load_workbook

        self.path = path
        self.bad_rows = []
        try:
            # data_only=False: a formula is kept as its text, never evaluated
            self.workbook = load_workbook(path, read_only=True, data_only=False)
        except Exception as error:  # openpyxl raises many kinds for a broken zip
            raise SourceError(
                _("The Excel file could not be opened: %(detail)s"), {"detail": str(error)}
            ) from None
        names = self.workbook.sheetnames
        self.sheet_index = names.index(sheet) if sheet in names else 0
        self.sheet = self.workbook[names[self.sheet_index]]
        self.merged = _merged_ranges(path, self.sheet_index)
        head = [list(r) for r in itertools.islice(self._rows(), HEADER_SEARCH_ROWS)]
        if not any(any(v not in (None, "") for v in r) for r in head):
            raise SourceError(_("The file is empty."))
        self._skip = find_header_row(head)
        raw_headers = [cell_text(v) or "" for v in head[self._skip]]
        while raw_headers and not raw_headers[-1]:
            raw_headers.pop()
        self.info = SourceInfo(
            format="xlsx",
            headers=dedupe_headers(raw_headers),
            header_row=self._skip + 1,
            sheet=names[self.sheet_index],
            size=path.stat().st_size,
            estimated_rows=max(0, (self.sheet.max_row or 0) - self._skip - 1),
            decimal=".",
        )
        if self._skip:
            self.info.notes.append(
                (
                    _("The first %(count)s rows above the header were skipped."),
                    {"count": self._skip},
                )
            )

    def _rows(self) -> Iterator[list[object]]:
        """Rows with merged areas filled from their top-left cell."""
        anchors: dict[tuple[int, int, int, int], object] = {}
        for number, row in enumerate(self.sheet.iter_rows(values_only=True), start=1):
            values = list(row)
            for rng in self.merged:
                min_row, min_col, max_row, max_col = rng
                if not min_row <= number <= max_row:
                    continue
                if number == min_row:
                    anchors[rng] = values[min_col - 1] if min_col - 1 < len(values) else None
                while len(values) < max_col:
                    values.append(None)
                for col in range(min_col, max_col + 1):
                    if (number, col) != (min_row, min_col):
                        values[col - 1] = anchors.get(rng)
            yield values

    def batches(self) -> Iterator[Batch]:
        width = len(self.info.headers)
        columns: list[list[str | None]] = [[] for _ in range(width)]
        rows: list[int] = []
        for number, values in enumerate(self._rows(), start=1):
            if number <= self._skip + 1:
                continue
            texts = [cell_text(v) for v in values]
            if not any(t not in (None, "") for t in texts):
                continue
            texts = (texts + [None] * width)[:width]
            for i, value in enumerate(texts):
                columns[i].append(value)
            rows.append(number)
            if len(rows) >= BATCH_ROWS:
                yield Batch(columns, rows)
                columns, rows = [[] for _ in range(width)], []
        if rows:
            yield Batch(columns, rows)

    def close(self) -> None:
        self.workbook.close()
