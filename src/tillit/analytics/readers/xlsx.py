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

# Limits checked before openpyxl parses anything (a zip bomb of a few MB can expand to many GB
# and keep a process busy for minutes). Honest exports stay far below them.
MAX_UNCOMPRESSED = 1_000_000_000  # bytes, all members together
MAX_RATIO = 200  # uncompressed / compressed, for any member over RATIO_FROM bytes
RATIO_FROM = 10_000_000
MAX_ROWS = 1_048_576  # Excel's own limit
MAX_COLUMNS = 1_000  # no canonical data set comes near; a wider sheet is refused
MAX_SHARED_STRINGS = 5_000_000
MAX_SHARED_STRINGS_BYTES = 300_000_000


def check_limits(path: Path) -> None:
    """Refuse a workbook that would expand beyond the limits, from the zip directory and the first
    bytes of its XML only: nothing is decompressed in full."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            total = sum(m.file_size for m in members)
            if total > MAX_UNCOMPRESSED:
                raise SourceError(
                    _(
                        "The Excel file would unpack to %(size)s MB, more than the %(limit)s MB allowed. "
                        "Nothing was read. Save the data as CSV, or split it into smaller files."
                    ),
                    {"size": total // 1_000_000, "limit": MAX_UNCOMPRESSED // 1_000_000},
                )
            for member in members:
                if member.file_size > RATIO_FROM and member.file_size > MAX_RATIO * max(
                    member.compress_size, 1
                ):
                    raise SourceError(
                        _(
                            "The Excel file is packed %(ratio)s times tighter than an ordinary workbook "
                            "(%(member)s): it looks like a zip bomb and was not read."
                        ),
                        {
                            "ratio": member.file_size // max(member.compress_size, 1),
                            "member": member.filename,
                        },
                    )
            names = set(zf.namelist())
            if "xl/sharedStrings.xml" in names:
                info = zf.getinfo("xl/sharedStrings.xml")
                head = _head(zf, "xl/sharedStrings.xml")
                found = re.search(rb'uniqueCount="(\d+)"', head) or re.search(
                    rb'count="(\d+)"', head
                )
                count = int(found.group(1)) if found else 0
                if info.file_size > MAX_SHARED_STRINGS_BYTES or count > MAX_SHARED_STRINGS:
                    raise SourceError(
                        _(
                            "The Excel file holds more distinct texts (%(count)s) than the %(limit)s "
                            "allowed. Nothing was read. Save the data as CSV."
                        ),
                        {"count": count, "limit": MAX_SHARED_STRINGS},
                    )
            for name in sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)):
                found = re.search(
                    rb'<(?:\w+:)?dimension ref="[A-Z]+\d+:([A-Z]+)(\d+)"', _head(zf, name)
                )
                if found:
                    _check_size(int(found.group(2)), _column_number(found.group(1).decode()))
    except zipfile.BadZipFile as error:
        raise SourceError(
            _("The Excel file could not be opened: %(detail)s"), {"detail": str(error)}
        ) from None


def _head(zf: zipfile.ZipFile, name: str, size: int = 4096) -> bytes:
    with zf.open(name) as fh:
        return fh.read(size)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _check_size(rows: int, columns: int) -> None:
    if rows > MAX_ROWS:
        raise SourceError(
            _("The sheet has more than %(limit)s rows. Nothing was read. Split the file."),
            {"limit": MAX_ROWS},
        )
    if columns > MAX_COLUMNS:
        raise SourceError(
            _(
                "The sheet has %(count)s columns, more than the %(limit)s allowed. Nothing was read. "
                "Remove the empty or unneeded columns."
            ),
            {"count": columns, "limit": MAX_COLUMNS},
        )


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


def _mentions(zf: zipfile.ZipFile, name: str, needle: bytes) -> bool:
    """Whether the member's bytes contain ``needle``, read in blocks (a tag name is literal text,
    so an element that is not there is not in the bytes either)."""
    tail = b""
    with zf.open(name) as fh:
        while block := fh.read(1 << 20):
            if needle in tail + block[: len(needle)] or needle in block:
                return True
            tail = block[-(len(needle) - 1) :]
    return False


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
        if not _mentions(zf, names[sheet_index], b"mergeCell"):
            return []  # no merged cells: the sheet need not be parsed a second time
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
        check_limits(path)
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
            # the sheet's declared size may lie: the limits hold while reading too
            if number > MAX_ROWS or len(values) > MAX_COLUMNS:
                _check_size(number, len(values))
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
