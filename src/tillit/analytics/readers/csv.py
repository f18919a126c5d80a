"""CSV as Swedish systems write it: detected encoding, delimiter and header row, streamed."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Generator, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

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
# encodings whose line breaks are the single bytes CR and LF, which pyarrow's reader can split
_BYTE_NEWLINE_ENCODINGS = ("utf-8", "utf-8-sig", "windows-1252", "iso-8859-1")
# what pyarrow is told the encoding is ('utf8' means no transcoding: pyarrow checks UTF-8 itself)
_ARROW_ENCODINGS = {
    "utf-8": "utf8",
    "utf-8-sig": "utf8",
    "windows-1252": "cp1252",
    "iso-8859-1": "latin-1",
}


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
        self._data_offset = self._fast_offset(sample, len(headers))

    def _fast_offset(self, sample: bytes, width: int) -> int | None:
        """The byte offset of the first line after the header, where pyarrow's reader can take over,
        or None when this file is read by Python's csv module only: an encoding whose line breaks are
        not single bytes, one column (a blank line is then a row of its own), a delimiter pyarrow
        cannot take, or a quote in the title rows or the header (a record there may span lines)."""
        if self.encoding not in _BYTE_NEWLINE_ENCODINGS or width < 2 or len(self.delimiter) != 1:
            return None
        if self.delimiter in ('"', "\r", "\n"):
            return None
        offset = 0
        for _line in range(self._skip + 1):
            cr, lf = sample.find(b"\r", offset), sample.find(b"\n", offset)
            ends = [i for i in (cr, lf) if i >= 0]
            if not ends:
                return None  # the header is the last line: no rows
            end = min(ends)
            if b'"' in sample[offset:end]:
                return None
            offset = end + (2 if sample[end : end + 2] == b"\r\n" else 1)
        return offset

    def batches(self) -> Iterator[Batch]:
        resume: int | None = 0
        if self._data_offset is not None:
            resume = yield from self._arrow_batches(self._data_offset)
            if resume is None:
                return
        yield from self._python_batches(resume or 0)

    def _arrow_batches(self, offset: int) -> Generator[Batch, None, int | None]:
        """The rows after the header through pyarrow's streaming CSV reader, in batches, with each
        row's line number in the file as Python's csv module counts it (the reference).

        Returns None when the whole file was read, or the line from which Python's csv module must
        read the rest: the reader met something whose line numbers only the csv module can tell
        (a blank line inside the file) or something it refuses (a field larger than a block, bytes
        that are not the encoding's, an unterminated quote). Nothing already yielded is read twice,
        so the result is the csv module's for every file."""
        width = len(self.info.headers)
        names = [f"c{i}" for i in range(width)]
        invalid: dict[int, str] = {}

        def on_invalid(row) -> str:
            invalid[row.number] = row.text
            return "skip"

        raw = self.path.open("rb")
        raw.seek(offset)
        watch = _BlankLineWatch(raw, raw_first=b"\n")
        block = min(max(self.average_row * BATCH_ROWS, 1 << 20), 32 << 20)
        next_record, next_line = 1, self._skip + 2
        try:
            try:
                reader = pa_csv.open_csv(
                    pa.PythonFile(watch, mode="r"),
                    read_options=pa_csv.ReadOptions(
                        use_threads=False,  # row numbers of invalid rows are known only then
                        block_size=block,
                        column_names=names,
                        encoding=_ARROW_ENCODINGS[self.encoding],
                    ),
                    parse_options=pa_csv.ParseOptions(
                        delimiter=self.delimiter,
                        quote_char='"',
                        double_quote=True,
                        escape_char=False,
                        newlines_in_values=True,
                        ignore_empty_lines=True,
                        invalid_row_handler=on_invalid,
                    ),
                    convert_options=pa_csv.ConvertOptions(
                        column_types=dict.fromkeys(names, pa.string()),
                        strings_can_be_null=False,
                        quoted_strings_can_be_null=False,
                    ),
                )
            except (pa.ArrowException, UnicodeDecodeError, OSError):
                return next_line
            # a batch is yielded only once the next is read, so that the rows the reader refused
            # after the last row are reported with the last batch, as the csv module does
            held: Batch | None = None
            while True:
                try:
                    record_batch = reader.read_next_batch()
                except StopIteration:
                    break
                except (pa.ArrowException, UnicodeDecodeError, OSError):
                    if held is not None:
                        yield held
                    return next_line
                if watch.blank:
                    # a blank line somewhere in what was read: the csv module numbers the rest
                    if held is not None:
                        yield held
                    return next_line
                if held is not None:
                    yield held
                held, next_record, next_line = self._number(
                    list(record_batch.columns), invalid, next_record, next_line, width, final=False
                )
            if watch.blank:
                if held is not None:
                    yield held
                return next_line
            rest, next_record, next_line = self._number(
                [pa.array([], pa.string()) for _ in range(width)],
                invalid,
                next_record,
                next_line,
                width,
                final=True,
            )
            if held is not None:
                yield held
            if rest is not None:
                yield rest
            return None
        finally:
            raw.close()

    def _number(
        self,
        columns: list[pa.Array],
        invalid: dict[int, str],
        next_record: int,
        next_line: int,
        width: int,
        *,
        final: bool,
    ) -> tuple[Batch | None, int, int]:
        """Line numbers for one batch of valid records and the invalid records among them (or, when
        final, all those left): (the batch, the next record number, the next line number)."""
        n = len(columns[0]) if columns else 0
        pending = sorted(k for k in invalid if k >= next_record)
        if final:
            # after the last valid record only invalid ones are left
            taken = len(pending)
            end = max([next_record + taken] + [k + 1 for k in pending[-1:]])
        else:
            # the n valid records are the first n numbers from next_record that are not invalid
            end, taken = next_record + n, 0
            while taken < len(pending) and pending[taken] < end:
                end += 1
                taken += 1
        bad_records = pending[:taken]
        # line breaks inside quoted values make a record span more than one line
        extra = None
        for column in columns:
            if pc.any(pc.match_substring_regex(column, "[\r\n]")).as_py():
                breaks = pc.count_substring_regex(column, "\r\n|\r|\n")
                extra = breaks if extra is None else pc.add(extra, breaks)
        if not bad_records and extra is None:
            rows = list(range(next_line, next_line + n))
            return (Batch(None, rows, arrays=columns) if n else None), end, next_line + n
        count = end - next_record
        spans = [1] * count  # lines per record, in record order
        valid_at = (
            [] if final else [r - next_record for r in range(next_record, end) if r not in invalid]
        )
        if extra is not None:
            for position, more in zip(valid_at, extra.to_pylist(), strict=True):
                spans[position] += more
        bad_text = {}
        for record in bad_records:
            text = invalid.pop(record)
            bad_text[record] = text
            spans[record - next_record] += text.count("\n") + text.count("\r") - text.count("\r\n")
        starts = []
        line = next_line
        for span in spans:
            starts.append(line)
            line += span
        rows = [starts[p] for p in valid_at]
        fixed_rows: list[int] = []
        fixed_values: list[list[str]] = []
        for record in bad_records:
            start = starts[record - next_record]
            parsed = next(
                csv.reader(io.StringIO(bad_text[record]), delimiter=self.delimiter, strict=False),
                [],
            )
            if not parsed or (len(parsed) == 1 and not parsed[0].strip()):
                continue  # blank line
            if len(parsed) > width and not any(v.strip() for v in parsed[width:]):
                fixed_rows.append(start)  # trailing delimiters
                fixed_values.append(parsed[:width])
                continue
            self.bad_rows.append(
                BadRow(
                    start,
                    _("The row has %(found)s fields but the header has %(expected)s."),
                    {"found": len(parsed), "expected": width},
                    self.delimiter.join(parsed)[:500],
                )
            )
        if fixed_rows:
            order = pa.array(
                sorted(range(len(rows) + len(fixed_rows)), key=(rows + fixed_rows).__getitem__),
                pa.int64(),
            )
            columns = [
                pa.concat_arrays(
                    [column, pa.array([v[i] for v in fixed_values], pa.string())]
                ).take(order)
                for i, column in enumerate(columns)
            ]
            rows = sorted(rows + fixed_rows)
        return (Batch(None, rows, arrays=columns) if rows else None), end, line

    def _python_batches(self, resume: int = 0) -> Iterator[Batch]:
        """Every row from line ``resume`` on (all when 0), read by Python's csv module."""
        width = len(self.info.headers)
        with self.path.open("r", encoding=self.encoding, newline="", errors="strict") as fh:
            reader = csv.reader(fh, delimiter=self.delimiter, strict=False)
            records: list[list[str]] = []
            rows: list[int] = []
            last_line = 0
            try:
                for record in reader:
                    start, last_line = last_line + 1, reader.line_num
                    if start <= self._skip + 1 or start < resume:
                        continue  # title rows and the header, or rows pyarrow already read
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


class _BlankLineWatch:
    """A binary file that notes whether a blank line (two line breaks in a row) passed through it,
    other than blank lines at the very end of the file. pyarrow skips blank lines without saying
    where, so the line numbers after one are the csv module's to tell."""

    _PATTERNS = (b"\n\n", b"\n\r", b"\r\r")

    def __init__(self, fh, raw_first: bytes = b""):
        self._fh = fh
        self._last = raw_first  # the header's line break: a blank first data line counts
        self._trailing = False  # blank lines seen, nothing but line breaks since
        self.blank = False
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        if not data or self.blank:
            return data
        if self._trailing and data.strip(b"\r\n"):
            self.blank = True
            return data
        joined = self._last + data
        found = [i for i in (joined.find(p) for p in self._PATTERNS) if i >= 0]
        if found:
            if joined[min(found) :].strip(b"\r\n"):
                self.blank = True
            else:
                self._trailing = True
        self._last = data[-1:]
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True


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
