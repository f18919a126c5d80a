"""CSV as Swedish systems write it: detected encoding, delimiter and header row, streamed."""

from __future__ import annotations

import csv
import io
import itertools
import queue
import threading
from collections import deque
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
        # the reader's thread appends (number, text) of each refused record; this one moves them on
        refused: deque[tuple[int, str]] = deque()
        invalid: dict[int, str] = {}

        def on_invalid(row) -> str:
            refused.append((row.number, row.text))
            return "skip"

        def take_refused() -> None:
            while refused:
                number, text = refused.popleft()
                invalid[number] = text

        raw = self.path.open("rb")
        raw.seek(offset)
        watch = _Feed(raw, self.encoding)
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
                        encoding="utf8",
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
            # after the last row are reported with the last batch, as the csv module does; the
            # reader parses the next block on a thread of its own while this batch is typed
            prefetch = _Prefetch(reader.read_next_batch, watch)
            held: Batch | None = None
            try:
                while True:
                    kind, value, blank = prefetch.get()
                    if kind == "end":
                        break
                    if kind == "error" or blank:
                        # pyarrow refused the file, or a blank line somewhere in what was read:
                        # the csv module reads (and numbers) the rest
                        if held is not None:
                            yield held
                        return next_line
                    if held is not None:
                        yield held
                    take_refused()
                    held, next_record, next_line = self._number(
                        list(value.columns), invalid, next_record, next_line, width, final=False
                    )
            finally:
                prefetch.close()
            take_refused()
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
            if _may_hold_line_breaks(column):
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


def _may_hold_line_breaks(column: pa.Array) -> bool:
    """Whether a value may hold CR or LF: a search of the column's bytes (a false alarm only
    costs the exact count)."""
    if column.type != pa.string() or column.offset:
        return bool(pc.any(pc.match_substring_regex(column, "[\r\n]")).as_py())
    data = column.buffers()[2]
    if data is None:
        return False
    values = data.to_pybytes()
    return b"\n" in values or b"\r" in values


class _Prefetch:
    """Calls ``read`` on a thread of its own, one result ahead: ('batch', record batch, blank),
    ('end', None, blank) or ('error', exception, blank), where blank is whether a blank line had
    passed the watch when that read returned."""

    def __init__(self, read, watch: _Feed):
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(read, watch), name="tillit-csv", daemon=True
        )
        self._thread.start()

    def _run(self, read, watch: _Feed) -> None:
        while not self._stop.is_set():
            try:
                item = ("batch", read(), watch.blank)
            except StopIteration:
                item = ("end", None, watch.blank)
            except (pa.ArrowException, UnicodeDecodeError, OSError) as error:
                item = ("error", error, watch.blank)
            while not self._stop.is_set():
                try:
                    self._queue.put(item, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if item[0] != "batch":
                return

    def get(self) -> tuple:
        while True:
            try:
                return self._queue.get(timeout=0.5)
            except queue.Empty:
                if not self._thread.is_alive() and self._queue.empty():
                    raise RuntimeError("the CSV reader's thread stopped") from None

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


class _Feed:
    """The file after the header as pyarrow reads it: UTF-8 (Windows-1252 and ISO-8859-1 are
    decoded here, a block at a time, strictly: a byte the encoding does not define stops the
    reader and the csv module reports it), noting whether a blank line (two line breaks in a row)
    passed, other than blank lines at the very end of the file. pyarrow skips blank lines without
    saying where, so the line numbers after one are the csv module's to tell."""

    def __init__(self, fh, encoding: str):
        self._fh = fh
        self._codec = None if encoding in ("utf-8", "utf-8-sig") else encoding
        self._out = b""
        self._last = b"\n"  # the header's line break: a blank first data line counts
        self._trailing = False  # blank lines seen, nothing but line breaks since
        self.blank = False
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        if self._codec is None:
            data = self._fh.read(size)
            self._watch(data)
            return data
        while size < 0 or len(self._out) < size:
            data = self._fh.read(size if size > 0 else -1)
            if not data:
                break
            self._watch(data)
            # single-byte encodings: a block never ends inside a character
            self._out += data.decode(self._codec).encode("utf-8")
            if size < 0:
                break
        if size < 0:
            out, self._out = self._out, b""
        else:
            out, self._out = self._out[:size], self._out[size:]
        return out

    def _watch(self, data: bytes) -> None:
        if not data or self.blank:
            return
        if self._trailing and data.strip(b"\r\n"):
            self.blank = True
            return
        edge = self._last + data[:1]
        if b"\r" in data:
            patterns: tuple[bytes, ...] = (b"\n\n", b"\n\r", b"\r\r")
        else:
            patterns = (b"\n\n",)
        found = [i for i in (data.find(p) for p in patterns) if i >= 0]
        if edge in (b"\n\n", b"\n\r", b"\r\r"):
            found.append(0)
        if found:
            if data[min(found) :].strip(b"\r\n"):
                self.blank = True
            else:
                self._trailing = True
        self._last = data[-1:]

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
