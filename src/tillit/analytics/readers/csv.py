"""CSV as Swedish systems write it: detected encoding, delimiter and header row, streamed."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from pathlib import Path

from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.readers import (
    BATCH_ROWS,
    BadRow,
    Batch,
    Source,
    SourceError,
    SourceInfo,
    dedupe_headers,
)
from tillit.analytics.readers.detect import (
    _blank,
    detect_delimiter,
    detect_encoding,
    find_header_row,
    looks_binary,
    read_sample,
    utf16_codec,
)

# csv's own limit (128 KiB) would stop the file at one long cell; we read it and
# report that row instead (MAX_FIELD_CHARS in ingest)
csv.field_size_limit(max(csv.field_size_limit(), 64 << 20))

HEADER_SEARCH_ROWS = 30


class CsvSource(Source):
    def __init__(self, path: Path, *, encoding: str | None = None, delimiter: str | None = None):
        self.path = path
        self.bad_rows: list[BadRow] = []
        sample = read_sample(path)
        if _blank(sample):
            raise SourceError(_("The file is empty."))
        if looks_binary(sample) and not utf16_codec(sample):
            raise SourceError(
                _("The file is not a text file (CSV), an Excel file (.xlsx) or a Parquet file.")
            )
        self.encoding = _codec(encoding) if encoding else detect_encoding(sample)
        try:
            text = sample.decode(self.encoding)
        except UnicodeDecodeError as error:
            if error.start < len(sample) - 4:  # not merely a character cut at the sample's end
                raise SourceError(
                    _(
                        "The file is not valid %(encoding)s text (after row %(row)s). Choose the file's "
                        "encoding or save it as UTF-8."
                    ),
                    {"encoding": self.encoding, "row": sample.count(b"\n", 0, error.start)},
                ) from None
            text = sample.decode(self.encoding, errors="replace")
        lines = text.splitlines()[:-1] if len(sample) == (1 << 20) else text.splitlines()
        self.delimiter = delimiter or detect_delimiter(lines)
        head = list(
            itertools.islice(
                csv.reader(io.StringIO("\n".join(lines[:200])), delimiter=self.delimiter),
                HEADER_SEARCH_ROWS,
            )
        )
        self._skip = find_header_row(head) if head else 0
        headers = head[self._skip] if head else []
        self.average_row = max(1, len(sample) // max(1, len(lines)))
        size = path.stat().st_size
        self.info = SourceInfo(
            format="csv",
            headers=dedupe_headers(headers),
            encoding=self.encoding,
            delimiter=self.delimiter,
            header_row=self._skip + 1,
            size=size,
            estimated_rows=max(0, size // self.average_row - 1 - self._skip),
        )
        if len(headers) < 2:
            self.info.notes.append(
                (_("Only one column was found. Check the delimiter (; , or tab)."), {})
            )

    def batches(self) -> Iterator[Batch]:
        width = len(self.info.headers)
        with self.path.open("r", encoding=self.encoding, newline="", errors="strict") as fh:
            reader = csv.reader(fh, delimiter=self.delimiter, strict=False)
            records: list[list[str]] = []
            rows: list[int] = []
            last_line = 0
            try:
                for record in reader:
                    start, last_line = last_line + 1, reader.line_num
                    if start <= self._skip + 1:
                        continue  # title rows and the header
                    if not record or (len(record) == 1 and not record[0].strip()):
                        continue  # blank line
                    if len(record) != width:
                        if len(record) > width and not any(v.strip() for v in record[width:]):
                            record = record[:width]  # trailing delimiters
                        else:
                            self.bad_rows.append(
                                BadRow(
                                    start,
                                    _(
                                        "The row has %(found)s fields but the header has %(expected)s."
                                    ),
                                    {"found": len(record), "expected": width},
                                    self.delimiter.join(record)[:500],
                                )
                            )
                            continue
                    records.append(record)
                    rows.append(start)
                    if len(rows) >= BATCH_ROWS:
                        yield Batch(_columns(records, width), rows)
                        records, rows = [], []
            except UnicodeDecodeError:
                raise SourceError(
                    _(
                        "The file is not valid %(encoding)s text (after row %(row)s). Choose the file's "
                        "encoding or save it as UTF-8."
                    ),
                    {"encoding": self.encoding, "row": last_line},
                ) from None
            except csv.Error as error:
                raise SourceError(
                    _("The file could not be read as CSV after row %(row)s: %(detail)s"),
                    {"row": last_line, "detail": str(error)},
                ) from None
            if rows:
                yield Batch(_columns(records, width), rows)


def _columns(records: list[list[str]], width: int) -> list[list[str | None]]:
    # one transpose in C instead of a Python append per cell
    return (
        [list(column) for column in zip(*records, strict=True)]
        if records
        else [[] for _ in range(width)]
    )


def _codec(name: str) -> str:
    """'UTF-8', 'cp1252', 'latin1', 'ISO-8859-1' -> a Python codec name we report back."""
    import codecs

    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        raise SourceError(
            _("Unknown character encoding %(encoding)s."), {"encoding": name}
        ) from None
    return {"cp1252": "windows-1252", "latin-1": "iso-8859-1", "iso8859-1": "iso-8859-1"}.get(
        canonical, canonical
    )
