"""Import one file into one canonical data set: the entry point the web app and the CLI call.

    result = ingest("invoices", Path("fakturor.csv"), Path("snap.parquet"), policy="reject")

The file is read in batches (readers/), each batch typed, checked and normalised
with pyarrow compute, and written with ``ParquetWriter``, so memory does not grow
with the file. The Parquet file is written under a temporary name and renamed only
when the import succeeds; a rejected import leaves nothing behind.

Output columns: every canonical column of the data set with its Arrow type
(decimal128(18, 2), date32, timestamp[us, Europe/Stockholm], bool, int64, string),
``<column>_valid`` (bool) for every identifier column, ``extra__<header>`` (string)
for each source column the mapping does not use, and ``_row`` (int64), the row
number in the source file.

Nothing is silently coerced: a value that is not what its column needs is a row
error (``RowError``), and with policy "reject" any row error rejects the file.
Identifiers are the exception by design: an invalid one is kept with
``<column>_valid = false`` (data.md).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tillit.analytics import schema
from tillit.analytics.aliases import fold, propose_mapping
from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.identifiers import BankKind, bank_kind_for_header, normalise_identifier
from tillit.analytics.normalise import escape_for_spreadsheet, is_formula_like
from tillit.analytics.readers import MAX_FIELD_CHARS, Batch, Source, SourceError, open_source

__all__ = [
    "ROW_NUMBER",
    "FileError",
    "IngestResult",
    "Mapping",
    "Preview",
    "RowError",
    "escape_for_spreadsheet",
    "ingest",
    "is_formula_like",
    "preview",
]

MAX_ERRORS = 1000
TIMEZONE = "Europe/Stockholm"
DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d")
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y%m%d %H:%M:%S",
    "%Y%m%d %H:%M",
    "%Y-%m-%d",
    "%Y%m%d",
)
ARROW_TYPES = schema.ARROW_TYPES  # the one type map (schema.py); timestamps carry TIMEZONE
TRUE_WORDS = ("1", "true", "t", "ja", "j", "yes", "y", "x", "sant")
FALSE_WORDS = ("0", "false", "f", "nej", "n", "no", "falskt")
EXTRA_PREFIX = "extra__"
# A profile that maps its key to ROW_NUMBER says explicitly: this source has no key, use the row
# number in the file instead (a key merely marked unavailable is refused).
ROW_NUMBER = "#row"
# words systems write for "no value" in an amount, a number or a date column (compared case-folded)
MISSING_WORDS = ("saknas", "-", "–", "—", "n/a", "na", "null", "#n/a")
# a currency sign or code before or after an amount: '1 234,50 kr', 'SEK 12', '$1,234.56', '€ 5', '100:-'
CURRENCY = r"(kr\.?|sek|usd|eur|gbp|\$|£|€)"
# a date column where more than this share of the rows cannot be read is refused whatever the policy:
# its format is wrong, not a few values
MAX_DATE_FAILURE_SHARE = 0.05
# day-first or month-first dates: 21/01/2014, 1.2.2025, 01-21-14 (an optional time after)
_DMY = r"^(\d{1,2})([./-])(\d{1,2})([./-])(\d{4}|\d{2})([ T]\d{1,2}:\d{2}(:\d{2})?)?$"
# the data sets whose rows colliding on the key are kept (under a row-suffixed key) for the
# duplicate controls, besides being quarantined
COLLISIONS_AS_EVIDENCE = ("invoices", "payments")
# DuckDB's memory for the duplicate-key check; a larger file spills to disk instead of growing
KEY_CHECK_MEMORY = "256MB"


@dataclass
class Mapping:
    """How a source file's columns map to a data set's (a saved profile, or the preview's choice)."""

    columns: dict[str, str] = field(default_factory=dict)  # canonical column -> source header
    unavailable: list[str] = field(
        default_factory=list
    )  # required columns this source does not have
    date_format: str | None = None  # strptime format tried before the ISO ones, e.g. "%d/%m/%Y"
    decimal: str | None = None  # "," or "."; detected when None
    encoding: str | None = None  # detected when None
    delimiter: str | None = None  # detected when None


@dataclass
class RowError:
    row: int  # row number in the file as a spreadsheet shows it (the header row counts)
    column: str  # the source header ('' for a whole-row problem)
    value: str
    message: str  # English source with %(name)s placeholders
    params: dict


@dataclass
class FileError:
    message: str
    params: dict = field(default_factory=dict)


@dataclass
class IngestResult:
    ok: bool
    rows: int = 0  # rows written
    quarantined: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first MAX_ERRORS
    error_count: int = 0
    file_errors: list[FileError] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # canonical columns that came from the file
    extra_columns: list[str] = field(default_factory=list)  # source headers kept as extra__<header>
    unavailable: list[str] = field(default_factory=list)
    period_min: date | None = None
    period_max: date | None = None
    sha256: str = ""
    format: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    header_row: int = 0
    sheet: str | None = None
    mapping: Mapping | None = None
    quarantine_path: Path | None = None
    notes: list[FileError] = field(default_factory=list)
    # invoice numbers that are not a supplier's number, per reason ('excel', 'date', 'generic')
    flagged_numbers: dict[str, int] = field(default_factory=dict)
    # rows that collide on the key and were kept, under '<key>#<row>', for the duplicate controls
    key_collisions: int = 0


@dataclass
class Preview:
    format: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    header_row: int = 0
    sheet: str | None = None
    headers: list[str] = field(default_factory=list)
    mapping: Mapping = field(default_factory=Mapping)
    rows: list[dict[str, str]] = field(default_factory=list)  # canonical column -> value as text
    errors: list[RowError] = field(default_factory=list)
    problems: list[FileError] = field(default_factory=list)
    estimated_rows: int = 0


# ---------------------------------------------------------------- column plan


@dataclass
class _Plan:
    spec: schema.DatasetSpec
    headers: list[str]
    sources: dict[str, int]  # canonical column -> source column index
    unavailable: list[str]
    extras: list[int]
    hints: dict[str, BankKind | None]
    date_formats: tuple[str, ...]
    datetime_formats: tuple[str, ...]
    decimal: str = ","
    file_errors: list[FileError] = field(default_factory=list)
    notes: list[FileError] = field(default_factory=list)
    key_from_row: bool = False
    # per date column decided from the whole column (day-first or month-first), the formats to try
    column_formats: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_failures: dict[str, int] = field(default_factory=dict)

    def header(self, column: str) -> str:
        index = self.sources.get(column)
        return self.headers[index] if index is not None else column

    def output_schema(self) -> pa.Schema:
        fields = [pa.field(c.name, ARROW_TYPES[c.type]) for c in self.spec.columns]
        fields += [
            pa.field(f"{c.name}_valid", pa.bool_()) for c in self.spec.columns if c.identifier
        ]
        fields += [pa.field(f"{c.name}_flag", pa.string()) for c in self.spec.columns if c.flagged]
        fields += [pa.field(EXTRA_PREFIX + self.headers[i], pa.string()) for i in self.extras]
        fields.append(pa.field("_row", pa.int64()))
        return pa.schema(fields)

    def mapping(self, base: Mapping | None) -> Mapping:
        columns = {c: self.headers[i] for c, i in self.sources.items()}
        if self.key_from_row and self.spec.key:
            columns[self.spec.key] = ROW_NUMBER
        return Mapping(
            columns=columns,
            unavailable=list(self.unavailable),
            date_format=base.date_format if base else None,
            decimal=self.decimal,
            encoding=base.encoding if base else None,
            delimiter=base.delimiter if base else None,
        )


def _plan(spec: schema.DatasetSpec, source: Source, mapping: Mapping | None) -> _Plan:
    headers = source.info.headers
    by_fold: dict[str, int] = {}
    for i, h in enumerate(headers):
        by_fold.setdefault(fold(h), i)
    sources: dict[str, int] = {}
    file_errors: list[FileError] = []
    notes: list[FileError] = []
    explicit = dict(mapping.columns) if mapping else {}
    key_from_row = bool(spec.key and explicit.get(spec.key) == ROW_NUMBER)
    for column, header in explicit.items():
        if column not in spec.column_names or not header or (key_from_row and column == spec.key):
            continue
        index = headers.index(header) if header in headers else by_fold.get(fold(header))
        if index is None:
            message = _("The column %(header)s named in the mapping is not in the file.")
            target = file_errors if spec.column(column).required else notes
            target.append(FileError(message, {"header": header, "column": column}))
        else:
            sources[column] = index
    unavailable = [c for c in (mapping.unavailable if mapping else []) if c in spec.column_names]
    if spec.key and spec.key in unavailable and not key_from_row:
        # without its key no row can be told apart from another: refused, unless the profile says
        # explicitly that the row number stands in for it
        file_errors.append(
            FileError(
                _(
                    "The key column %(column)s cannot be marked unavailable: every row needs its own key. Map it to a "
                    "column in the file, or let the profile use the row number in the file instead."
                ),
                {"column": spec.key},
            )
        )
    if key_from_row:
        unavailable = [c for c in unavailable if c != spec.key]
    # aliases fill what the mapping does not name
    used = set(sources.values())
    for column, header in propose_mapping(
        spec, [h for i, h in enumerate(headers) if i not in used]
    ).items():
        if (
            column not in sources
            and column not in explicit
            and column not in unavailable
            and not (key_from_row and column == spec.key)
        ):
            sources[column] = headers.index(header)
            used.add(sources[column])
    for column in spec.required:
        if (
            column not in sources
            and column not in unavailable
            and not (key_from_row and column == spec.key)
        ):
            file_errors.append(
                FileError(
                    _(
                        "The required column %(column)s was not found. Map it to a column in the file or mark it "
                        "unavailable."
                    ),
                    {"column": column},
                )
            )
    hints = {
        c.name: bank_kind_for_header(headers[sources[c.name]]) if c.name in sources else None
        for c in spec.columns
        if c.identifier == "bank_account"
    }
    date_format = mapping.date_format if mapping and mapping.date_format else None
    return _Plan(
        spec=spec,
        headers=headers,
        sources=dict(sorted(sources.items(), key=lambda kv: spec.column_names.index(kv[0]))),
        unavailable=unavailable,
        extras=[i for i in range(len(headers)) if i not in set(sources.values())],
        hints=hints,
        date_formats=((date_format,) if date_format else ()) + DATE_FORMATS,
        datetime_formats=((date_format,) if date_format else ()) + DATETIME_FORMATS,
        file_errors=file_errors,
        notes=notes,
        key_from_row=key_from_row,
    )


def _detect_decimal(plan: _Plan, batch: Batch, source: Source, mapping: Mapping | None) -> str:
    if mapping and mapping.decimal:
        return mapping.decimal
    if source.info.decimal:
        return source.info.decimal
    comma = point = 0
    for c in plan.spec.columns:
        if c.type != "decimal" or c.name not in plan.sources:
            continue
        for value in _values(batch.data[plan.sources[c.name]][:2000]):
            if not value:
                continue
            if (
                re.search(r"\d,\d{1,2}$", value)
                or re.search(r"\d\.\d{3}(,|$)", value)
                and "," in value
            ):
                comma += 1
            elif re.search(r"\d\.\d{1,2}$", value) or re.search(r"\d,\d{3}\.", value):
                point += 1
    if comma != point:
        return "," if comma > point else "."
    return "." if source.info.delimiter == "," else ","


# ---------------------------------------------------------------- day-first or month-first

_DMY_RE = re.compile(_DMY)


def _order_of(fmt: str | None) -> str | None:
    """'dmy' for '%d/%m/%Y', 'mdy' for '%m/%d/%y', None for a format that is neither (ISO)."""
    if not fmt or "%d" not in fmt or "%m" not in fmt or fmt.find("%Y") == 0 or fmt.find("%y") == 0:
        return None
    return "dmy" if fmt.index("%d") < fmt.index("%m") else "mdy"


def _formats_for(order: str, separators: set[str], datetime_column: bool) -> tuple[str, ...]:
    first, second = ("%d", "%m") if order == "dmy" else ("%m", "%d")
    dates = [
        f"{first}{sep}{second}{sep}{year}" for sep in sorted(separators) for year in ("%Y", "%y")
    ]
    if not datetime_column:
        return tuple(dates)
    return tuple(
        f"{d}{t}" for d in dates for t in (" %H:%M:%S", " %H:%M", "T%H:%M:%S", "T%H:%M", "")
    )


def _decide_dates(plan: _Plan, source: Source, mapping: Mapping | None) -> Iterator[Batch] | None:
    """Decide day-first or month-first once per date column, from every value in it.

    Never per value: 03/04/2025 is read the way the whole column is. A value whose first field is
    above 12 (21/01/2014) decides day-first, one whose second field is (01/21/2014) month-first. A
    column with only ambiguous values, or with both kinds, is refused with a message asking for the
    format; so is a profile format that values in the column contradict. Reads the file once more,
    only when its first batch holds such dates.

    Returns the batches to import when only the first batch was read (it, then the rest of the same
    pass, so that the file is not read twice), or None when the import reads the file afresh."""
    columns = {
        c.name: c
        for c in plan.spec.columns
        if c.type in ("date", "datetime") and c.name in plan.sources
    }
    if not columns:
        return None
    stats: dict[str, dict] = {}
    batches = source.batches()
    for index, batch in enumerate(batches):
        if index == 0:
            columns = {
                name: c for name, c in columns.items() if _any_dmy(batch.data[plan.sources[name]])
            }
            if not columns:
                return itertools.chain([batch], batches)
        for name in columns:
            st = stats.setdefault(
                name,
                {
                    "day": 0,
                    "month": 0,
                    "ambiguous": 0,
                    "seps": set(),
                    "day_example": None,
                    "month_example": None,
                    "example": None,
                },
            )
            column = batch.data[plan.sources[name]]
            if _count_dmy(column, st):
                continue
            for value in _values(column):
                if not value:
                    continue
                m = _DMY_RE.match(value.strip())
                if not m:
                    continue
                a, b = int(m.group(1)), int(m.group(3))
                st["seps"].add(m.group(2))
                if a > 12 >= b:
                    st["day"] += 1
                    st["day_example"] = st["day_example"] or value.strip()
                elif b > 12 >= a:
                    st["month"] += 1
                    st["month_example"] = st["month_example"] or value.strip()
                elif a <= 12 and b <= 12:
                    st["ambiguous"] += 1
                    st["example"] = st["example"] or value.strip()
    source.bad_rows.clear()  # the import's own pass reports them
    profile_format = mapping.date_format if mapping and mapping.date_format else None
    profile_order = _order_of(profile_format)
    for name, st in stats.items():
        header = plan.header(name)
        if profile_order:
            against, example = (
                (st["month"], st["month_example"])
                if profile_order == "dmy"
                else (st["day"], st["day_example"])
            )
            if against:
                plan.file_errors.append(
                    FileError(
                        _(
                            "The column %(column)s holds %(count)s dates such as %(value)s that can only be read "
                            "%(order)s, but the profile reads them with the format %(format)s. Nothing was imported: "
                            "correct the date format in the profile."
                        ),
                        {
                            "column": header,
                            "count": against,
                            "value": example,
                            "format": profile_format,
                            "order": _("month first (MM/DD)")
                            if profile_order == "dmy"
                            else _("day first (DD/MM)"),
                        },
                    )
                )
                continue
            order = profile_order
        elif st["day"] and st["month"]:
            plan.file_errors.append(
                FileError(
                    _(
                        "The column %(column)s mixes day-first dates (such as %(day)s) and month-first dates (such as "
                        "%(month)s), so no date in it can be read safely. Correct the file."
                    ),
                    {"column": header, "day": st["day_example"], "month": st["month_example"]},
                )
            )
            continue
        elif st["day"] or st["month"]:
            order = "dmy" if st["day"] else "mdy"
        else:
            plan.file_errors.append(
                FileError(
                    _(
                        "The dates in the column %(column)s (such as %(value)s) can be read both day first and month "
                        "first, and no date in the file decides which. Give the date format in the mapping profile, "
                        "for example %(dmy)s or %(mdy)s."
                    ),
                    {
                        "column": header,
                        "value": st["example"],
                        "dmy": "%d/%m/%Y",
                        "mdy": "%m/%d/%Y",
                    },
                )
            )
            continue
        formats = _formats_for(order, st["seps"], columns[name].type == "datetime")
        if profile_format and profile_format not in formats:
            formats = (profile_format, *formats)
        plan.column_formats[name] = formats + (
            DATE_FORMATS if columns[name].type == "date" else DATETIME_FORMATS
        )
        plan.notes.append(
            FileError(
                _(
                    "The dates in the column %(column)s are read %(order)s (decided from the whole column)."
                ),
                {
                    "column": header,
                    "order": _("day first (DD/MM)") if order == "dmy" else _("month first (MM/DD)"),
                },
            )
        )
    return None


def _check_date_failures(plan: _Plan, rows: int, result: IngestResult) -> bool:
    """A date column where more than 5 % of the rows cannot be read: its format is wrong. Refused
    under either policy (quarantining a twentieth of the file would hide that)."""
    refused = False
    for column, failed in plan.date_failures.items():
        if rows and failed > MAX_DATE_FAILURE_SHARE * rows:
            result.file_errors.append(
                FileError(
                    _(
                        "%(count)s of %(rows)s dates in the column %(column)s could not be read (more than 5 %%), so the "
                        "date format is probably wrong. Nothing was imported: give the date format in the mapping "
                        "profile."
                    ),
                    {"count": failed, "rows": rows, "column": plan.header(column)},
                )
            )
            refused = True
    return refused


# ---------------------------------------------------------------- typing one batch


class _Errors:
    def __init__(self, n: int):
        self.bad = [False] * n
        self.first: dict[int, list[RowError]] = {}

    def add(self, index: int, error: RowError) -> None:
        self.bad[index] = True
        self.first.setdefault(index, []).append(error)


def _flag(
    errors: _Errors,
    mask: pa.Array,
    raw: pa.Array,
    rows: list[int],
    header: str,
    message: str,
    extra: Callable[[str], dict] | None = None,
) -> None:
    for i in pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist():
        value = raw[i].as_py() or ""
        params = {
            "value": value[:200],
            "column": header,
            "row": rows[i],
            **(extra(value) if extra else {}),
        }
        errors.add(i, RowError(rows[i], header, value[:200], message, params))


def _values(column: list[str | None] | pa.Array) -> list[str | None]:
    """A reader's column as Python values (readers give lists, the CSV reader Arrow arrays)."""
    return column.to_pylist() if isinstance(column, pa.Array) else column


def _any_dmy(column: list[str | None] | pa.Array) -> bool:
    """Whether any value is a day-first or month-first date (21/01/2014, 1.2.2025)."""
    array = column if isinstance(column, pa.Array) else pa.array(column, pa.string())
    if not _plain_ascii(array):
        return any(v and _DMY_RE.match(v.strip()) for v in _values(column))
    return bool(pc.any(pc.match_substring_regex(pc.utf8_trim_whitespace(array), _DMY)).as_py())


def _plain_ascii(array: pa.Array) -> bool:
    """ASCII without the separators \\x1c-\\x1f: where Python's strip() and \\d agree with
    pyarrow's trim and RE2's, so that a vectorised pass gives what the Python loop gives."""
    return (
        bool(pc.all(pc.string_is_ascii(array)).as_py() is not False)
        and not pc.any(pc.match_substring_regex(array, "[\\x1c-\\x1f]")).as_py()
    )


_DMY_PARTS = (
    r"^(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})[./-](?:\d{4}|\d{2})"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)


def _count_dmy(column: list[str | None] | pa.Array, st: dict) -> bool:
    """Add one batch's day-first, month-first and ambiguous dates to ``st`` with pyarrow compute,
    as the loop in _decide_dates does value by value; False (nothing added) where the values are
    not plain ASCII and the loop must do it."""
    array = column if isinstance(column, pa.Array) else pa.array(column, pa.string())
    if not _plain_ascii(array):
        return False
    text = pc.utf8_trim_whitespace(array)
    parts = pc.extract_regex(text, _DMY_PARTS)  # null where the value is not such a date
    matched = pc.is_valid(parts)
    if not pc.any(matched).as_py():
        return True
    text, parts = text.filter(matched), parts.filter(matched)
    a = pc.cast(pc.struct_field(parts, "a"), pa.int64())
    b = pc.cast(pc.struct_field(parts, "b"), pa.int64())
    st["seps"].update(pc.unique(pc.struct_field(parts, "sep")).to_pylist())
    small_a, small_b = pc.less_equal(a, 12), pc.less_equal(b, 12)
    for kind, example, mask in (
        ("day", "day_example", pc.and_(pc.invert(small_a), small_b)),
        ("month", "month_example", pc.and_(pc.invert(small_b), small_a)),
        ("ambiguous", "example", pc.and_(small_a, small_b)),
    ):
        found = pc.indices_nonzero(mask)
        st[kind] += len(found)
        if len(found) and not st[example]:
            st[example] = text[found[0].as_py()].as_py()
    return True


def _text(values: list[str | None] | pa.Array) -> pa.Array:
    array = values if isinstance(values, pa.Array) else pa.array(values, pa.string())
    array = pc.utf8_trim_whitespace(array)
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)


def _missing(raw: pa.Array) -> pa.Array:
    """Words for 'no value' (SAKNAS, -, N/A) become empty: read as missing, not as a bad value."""
    return pc.if_else(
        pc.fill_null(pc.is_in(pc.utf8_lower(raw), pa.array(MISSING_WORDS)), False),
        pa.scalar(None, pa.string()),
        raw,
    )


def _strip_currency(raw: pa.Array) -> pa.Array:
    """'1 234,50 kr', 'SEK 1 234,50', '$1,234.56', '-€5', '100:-' -> the number with its sign."""
    text = pc.replace_substring_regex(raw, rf"(?i)^([-+\x{{2212}}]?)\s*{CURRENCY}\s*", r"\1")
    text = pc.replace_substring_regex(text, rf"(?i)\s*({CURRENCY}|:-)$", "")
    return text


def _decimal(raw: pa.Array, mark: str, errors: _Errors, rows: list[int], header: str) -> pa.Array:
    # an amount that is only digits with at most two decimals after the mark needs none of the
    # steps below (no currency, no thousands separators, no sign but '-', never too precise or too
    # large): when every amount in the batch is such, one cast gives what the steps would
    plain = rf"^-?\d{{1,16}}({re.escape(mark)}\d{{1,2}})?$"
    if pc.all(pc.match_substring_regex(raw, plain)).as_py() is not False:
        return pc.cast(
            pc.replace_substring(raw, mark, ".") if mark != "." else raw, pa.decimal128(18, 2)
        )
    raw = _strip_currency(raw)
    thousands = "." if mark == "," else ","
    m, t = re.escape(mark), re.escape(thousands)
    shape = (
        rf"^[-+\x{{2212}}]?(\d{{1,3}}([ \x{{a0}}\x{{202f}}]\d{{3}})+|\d{{1,3}}({t}\d{{3}})+|\d+)"
        rf"({m}\d+)?$"
    )
    ok = pc.match_substring_regex(raw, shape)
    _flag(errors, pc.invert(ok), raw, rows, header, _("%(value)s is not a valid amount."))
    text = pc.if_else(ok, raw, pa.scalar(None, pa.string()))
    text = pc.replace_substring_regex(text, rf"[ \x{{a0}}\x{{202f}}{t}]", "")
    text = pc.replace_substring(text, mark, ".")
    text = pc.replace_substring_regex(text, r"^\x{2212}", "-")
    text = pc.replace_substring_regex(text, r"^\+", "")
    too_precise = pc.match_substring_regex(text, r"\.\d\d\d*[1-9]")
    _flag(errors, too_precise, raw, rows, header, _("%(value)s has more than two decimals."))
    too_large = pc.match_substring_regex(text, r"^-?\d{17,}")
    _flag(errors, too_large, raw, rows, header, _("%(value)s is too large."))
    keep = pc.and_(pc.invert(too_precise), pc.invert(too_large))
    text = pc.if_else(
        keep,
        pc.replace_substring_regex(text, r"^(-?\d+\.\d\d)0+$", r"\1"),
        pa.scalar(None, pa.string()),
    )
    return pc.cast(text, pa.decimal128(18, 2))


def _int(raw: pa.Array, errors: _Errors, rows: list[int], header: str) -> pa.Array:
    ok = pc.match_substring_regex(raw, r"^[-+]?(\d{1,3}([ \x{a0}\x{202f}]\d{3})+|\d{1,18})$")
    text = pc.replace_substring_regex(raw, r"[ \x{a0}\x{202f}+]", "")
    _flag(errors, pc.invert(ok), raw, rows, header, _("%(value)s is not a whole number."))
    return pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.int64())


def _parse_times(
    raw: pa.Array,
    formats: tuple[str, ...],
    prepare: Callable[[pa.Array], pa.Array] | None = None,
) -> tuple[pa.Array, pa.Array]:
    """(parsed timestamps, a mask of values some format read but the calendar refused), after
    ``prepare`` (which must map each value on its own) rewrote the text."""
    # a date column holds few distinct values (a year has 365): prepare and parse each once
    encoded = pc.dictionary_encode(raw)
    if len(encoded.dictionary) * 2 < len(raw):
        distinct = encoded.dictionary
        parsed, impossible = _parse_times_each(prepare(distinct) if prepare else distinct, formats)
        return (
            parsed.take(encoded.indices),
            pc.fill_null(impossible.take(encoded.indices), False),
        )
    return _parse_times_each(prepare(raw) if prepare else raw, formats)


def _parse_times_each(raw: pa.Array, formats: tuple[str, ...]) -> tuple[pa.Array, pa.Array]:
    result = pa.nulls(len(raw), pa.timestamp("us"))
    impossible = pa.array([False] * len(raw), type=pa.bool_())  # typed also when raw is empty
    for fmt in formats:
        if result.null_count == raw.null_count:
            break  # every value is read: a later format can neither read nor refuse one
        # parsed at second resolution so that strftime prints no fraction to compare against
        parsed = pc.cast(
            pc.strptime(raw, format=fmt, unit="s", error_is_null=True), pa.timestamp("us")
        )
        # strptime rolls 2026-02-30 over to 2026-03-02: a real date prints back as it was written
        printed = pc.strftime(pc.cast(parsed, pa.timestamp("s")), format=fmt)
        same = pc.fill_null(pc.equal(printed, raw), False)
        impossible = pc.or_(impossible, pc.and_(pc.is_valid(parsed), pc.invert(same)))
        result = pc.coalesce(result, pc.if_else(same, parsed, pa.scalar(None, pa.timestamp("us"))))
    return result, pc.and_(impossible, pc.is_null(result))


def _pad_day_month(text: pa.Array) -> pa.Array:
    """'1/2/2025' -> '01/02/2025', so that a date prints back as it was written (_parse_times)."""
    text = pc.replace_substring_regex(text, r"^(\d)([./-])", r"0\1\2")
    return pc.replace_substring_regex(
        text, r"^(\d\d[./-])(\d)([./-])", r"\10\2\3"
    )  # RE2: \1 then a 0


def _dates(
    raw: pa.Array, plan: _Plan, errors: _Errors, rows: list[int], header: str, column: str = ""
) -> pa.Array:
    formats = plan.column_formats.get(column) or plan.date_formats
    pad = column in plan.column_formats

    def prepare(values: pa.Array) -> pa.Array:
        # a date written with a midnight time (many exports do) is still that date
        text = pc.replace_substring_regex(values, r"[ T]00:00(:00)?(\.0+)?$", "")
        return _pad_day_month(text) if pad else text

    parsed, impossible = _parse_times(raw, formats, prepare)
    _flag(errors, impossible, raw, rows, header, _("The date %(value)s does not exist."))
    unread = pc.and_(pc.and_(pc.is_valid(raw), pc.is_null(parsed)), pc.invert(impossible))
    expected = _readable(formats[0])
    _flag(
        errors,
        unread,
        raw,
        rows,
        header,
        _("%(value)s is not a valid date (expected %(expected)s)."),
        lambda _v: {"expected": expected},
    )
    # values no format reads (a date that does not exist is a wrong value, not a wrong format)
    failed = pc.sum(pc.cast(unread, pa.int64())).as_py() or 0
    plan.date_failures[column] = plan.date_failures.get(column, 0) + failed
    return pc.cast(parsed, pa.date32())


def _datetimes(
    raw: pa.Array, plan: _Plan, errors: _Errors, rows: list[int], header: str, column: str = ""
) -> pa.Array:
    formats = plan.column_formats.get(column) or plan.datetime_formats
    parsed, impossible = _parse_times(
        raw, formats, _pad_day_month if column in plan.column_formats else None
    )
    _flag(errors, impossible, raw, rows, header, _("The date %(value)s does not exist."))
    unread = pc.and_(pc.and_(pc.is_valid(raw), pc.is_null(parsed)), pc.invert(impossible))
    # values no format reads (a date that does not exist is a wrong value, not a wrong format)
    failed = pc.sum(pc.cast(unread, pa.int64())).as_py() or 0
    plan.date_failures[column] = plan.date_failures.get(column, 0) + failed
    _flag(
        errors,
        unread,
        raw,
        rows,
        header,
        _("%(value)s is not a valid date and time (expected %(expected)s)."),
        lambda _v: {"expected": "YYYY-MM-DD HH:MM"},
    )
    # wall-clock time in Sweden; in the autumn hour that occurs twice, the first
    return pc.assume_timezone(parsed, TIMEZONE, ambiguous="earliest", nonexistent="latest")


def _readable(fmt: str) -> str:
    return (
        fmt.replace("%Y", "YYYY")
        .replace("%m", "MM")
        .replace("%d", "DD")
        .replace("%H", "HH")
        .replace("%M", "MM")
        .replace("%S", "SS")
    )


def _bools(raw: pa.Array, errors: _Errors, rows: list[int], header: str) -> pa.Array:
    lower = pc.utf8_lower(raw)
    true = pc.is_in(lower, pa.array(TRUE_WORDS))
    false = pc.is_in(lower, pa.array(FALSE_WORDS))
    _flag(
        errors,
        pc.and_(pc.is_valid(raw), pc.invert(pc.or_(true, false))),
        raw,
        rows,
        header,
        _("%(value)s is not yes or no."),
    )
    return pc.if_else(true, True, pc.if_else(false, pa.scalar(False), pa.scalar(None, pa.bool_())))


def _period(raw: pa.Array, errors: _Errors, rows: list[int], header: str) -> pa.Array:
    text = pc.replace_substring_regex(raw, r"^(\d{4})-?(\d{2})(-01)?$", r"\1-\2")
    ok = pc.match_substring_regex(text, r"^\d{4}-(0[1-9]|1[0-2])$")
    _flag(
        errors,
        pc.and_(pc.is_valid(raw), pc.invert(ok)),
        raw,
        rows,
        header,
        _("%(value)s is not a month (expected YYYY-MM)."),
    )
    return pc.if_else(ok, text, pa.scalar(None, pa.string()))


def _identifier(raw: pa.Array, kind: str, hint: BankKind | None) -> tuple[pa.Array, pa.Array]:
    encoded = pc.dictionary_encode(raw)
    uniques = encoded.dictionary.to_pylist()
    results = [normalise_identifier(kind, v, hint=hint) for v in uniques]  # type: ignore[arg-type]
    values = pa.array([r.value for r in results], pa.string())
    valid = pa.array([r.valid for r in results], pa.bool_())
    return values.take(encoded.indices), valid.take(encoded.indices)


def _convert(
    plan: _Plan, batch: Batch, schema_: pa.Schema
) -> tuple[pa.Table, _Errors, dict[int, pa.Array]]:
    n = len(batch.rows)
    errors = _Errors(n)
    raws = {i: _text(col) for i, col in enumerate(batch.data)}
    for i, raw in raws.items():
        # a value of at most MAX_FIELD_CHARS bytes has at most that many characters
        longest = pc.max(pc.binary_length(raw)).as_py()
        if longest is None or longest <= MAX_FIELD_CHARS:
            continue
        too_long = pc.greater(pc.utf8_length(raw), MAX_FIELD_CHARS)
        for index in pc.indices_nonzero(pc.fill_null(too_long, False)).to_pylist():
            length = len(raw[index].as_py())
            errors.add(
                index,
                RowError(
                    batch.rows[index],
                    plan.headers[i],
                    raw[index].as_py()[:200],
                    _("The value is %(length)s characters long; at most %(limit)s are accepted."),
                    {"length": length, "limit": MAX_FIELD_CHARS, "column": plan.headers[i]},
                ),
            )
        if pc.any(too_long).as_py():
            raws[i] = pc.if_else(too_long, pa.scalar(None, pa.string()), raw)
    arrays: dict[str, pa.Array] = {}
    for column in plan.spec.columns:
        out_type = ARROW_TYPES[column.type]
        index = plan.sources.get(column.name)
        if column.flagged:
            arrays[f"{column.name}_flag"] = pa.nulls(n, pa.string())
        if plan.key_from_row and column.name == plan.spec.key:
            arrays[column.name] = pa.array([str(r) for r in batch.rows], pa.string())
            continue
        if index is None:
            arrays[column.name] = pa.nulls(n, out_type)
            if column.identifier:
                arrays[f"{column.name}_valid"] = pa.nulls(n, pa.bool_())
            continue
        raw, header = raws[index], plan.headers[index]
        if column.type in ("decimal", "int", "date", "datetime"):
            raw = _missing(raw)
        # An empty identifier is not an import error (data.md: invalid identifiers are stored with a
        # validity flag, and a grant without an orgnr is itself a finding); the row's own key is.
        empty_is_error = column.required and (not column.identifier or column.name == plan.spec.key)
        if empty_is_error and column.name not in plan.unavailable:
            _flag(
                errors,
                pc.is_null(raw),
                raw,
                batch.rows,
                header,
                _("%(column)s is required but empty."),
            )
        if column.identifier:
            value, valid = _identifier(raw, column.identifier, plan.hints.get(column.name))
            arrays[column.name], arrays[f"{column.name}_valid"] = value, valid
        elif column.type == "decimal":
            arrays[column.name] = _decimal(raw, plan.decimal, errors, batch.rows, header)
        elif column.type == "int":
            arrays[column.name] = _int(raw, errors, batch.rows, header)
        elif column.type == "date":
            arrays[column.name] = _dates(raw, plan, errors, batch.rows, header, column.name)
        elif column.type == "datetime":
            arrays[column.name] = _datetimes(raw, plan, errors, batch.rows, header, column.name)
        elif column.type == "bool":
            arrays[column.name] = _bools(raw, errors, batch.rows, header)
        elif column.name == "period" and plan.spec.name == "benefit_payments":
            arrays[column.name] = _period(raw, errors, batch.rows, header)
        else:
            arrays[column.name] = raw
    if "invoice_number_flag" in arrays and plan.sources.get("invoice_number") is not None:
        arrays["invoice_number_flag"] = invoice_number_flags(
            arrays["invoice_number"], arrays.get("invoice_date")
        )
    for i in plan.extras:
        arrays[EXTRA_PREFIX + plan.headers[i]] = raws[i]
    arrays["_row"] = pa.array(batch.rows, pa.int64())
    table = pa.Table.from_arrays([arrays[f.name] for f in schema_], schema=schema_)
    return table, errors, raws


_MONTH = "(0[1-9]|1[0-2])"
_DAY = "(0[1-9]|[12][0-9]|3[01])"
# the digits a date printed in each format can have
_DATE_SHAPES = {
    "%y%m%d": rf"^[0-9]{{2}}{_MONTH}{_DAY}$",
    "%m%d%y": rf"^{_MONTH}{_DAY}[0-9]{{2}}$",
    "%d%m%y": rf"^{_DAY}{_MONTH}[0-9]{{2}}$",
    "%Y%m%d": rf"^[0-9]{{4}}{_MONTH}{_DAY}$",
    "%m%d%Y": rf"^{_MONTH}{_DAY}[0-9]{{4}}$",
    "%d%m%Y": rf"^{_DAY}{_MONTH}[0-9]{{4}}$",
}


def _date_shape(
    text: pa.Array, digits: pa.Array, length: pa.Array, fmt: str, none: pa.Array
) -> pa.Array | None:
    """The numbers of ``fmt``'s length, all digits, whose month field is 01-12 and day field 01-31
    (what the pattern in _DATE_SHAPES matches), or None when there are none: read as integers."""
    size = 8 if "%Y" in fmt else 6
    chosen = pc.and_(digits, pc.fill_null(pc.equal(length, size), False))
    if not pc.any(chosen).as_py():
        return None
    value = pc.cast(text.filter(chosen), pa.int64())
    fields = {}
    for position, code in enumerate(re.findall(r"%[ymdY]", fmt)):
        width = 4 if code == "%Y" else 2
        after = sum(4 if c == "%Y" else 2 for c in re.findall(r"%[ymdY]", fmt)[position + 1 :])
        fields[code] = pc.divide(value, 10**after) if after else value
        fields[code] = pc.subtract(
            fields[code], pc.multiply(pc.divide(fields[code], 10**width), 10**width)
        )
    month, day = fields["%m"], fields["%d"]
    ok = pc.and_(
        pc.and_(pc.greater_equal(month, 1), pc.less_equal(month, 12)),
        pc.and_(pc.greater_equal(day, 1), pc.less_equal(day, 31)),
    )
    if not pc.any(ok).as_py():
        return None
    return pc.replace_with_mask(none, chosen, ok)


def invoice_number_flags(numbers: pa.Array, dates: pa.Array | None) -> pa.Array:
    """Why an invoice number is not a supplier's number, or NULL when it may be one.

    'excel': a spreadsheet turned it into a float ('2.15458E+13', the digits after the sixth are
    lost); 'date': six or eight digits that are a date within a year of the invoice date
    ('101810' for 2010-10-18, '100102' for 2010-01-02); 'generic': no digit at all ('SERVICE',
    'FAKTURA', 'REFUND'). Such numbers say nothing about whether two invoices are one claim, so
    the duplicate controls do not match on them."""
    n = len(numbers)
    flag = pa.nulls(n, pa.string())
    text = pc.utf8_trim_whitespace(numbers)
    none = pa.array([False] * n)
    # a number of ASCII digits only is neither generic nor Excel's: the patterns look at the rest
    digits = pc.fill_null(pc.ascii_is_decimal(text), False)
    rest = pc.and_(pc.invert(digits), pc.is_valid(text))
    generic, excel = none, none
    if pc.any(rest).as_py():
        others = text.filter(rest)
        generic = pc.replace_with_mask(
            none, rest, pc.fill_null(pc.invert(pc.match_substring_regex(others, r"\d")), False)
        )
        excel = pc.replace_with_mask(
            none,
            rest,
            pc.fill_null(pc.match_substring_regex(others, r"(?i)^\d([.,]\d+)?E\+?\d+$"), False),
        )
    dated = none
    if dates is not None and pa.types.is_date32(dates.type):
        day = pc.cast(dates, pa.timestamp("s"))
        length = pc.binary_length(text)
        for fmt in ("%y%m%d", "%m%d%y", "%d%m%y", "%Y%m%d", "%m%d%Y", "%d%m%Y"):
            # only a number whose month digits are 01-12 and day digits 01-31 can print back as the
            # date it is read as: the others are not parsed at all
            shape = _date_shape(text, digits, length, fmt, none)
            if shape is None:
                continue
            candidate = text.filter(shape)
            parsed = pc.strptime(candidate, format=fmt, unit="s", error_is_null=True)
            printed = pc.strftime(parsed, format=fmt)
            same = pc.fill_null(pc.equal(printed, candidate), False)
            seconds = pc.abs(
                pc.subtract(pc.cast(parsed, pa.int64()), pc.cast(day.filter(shape), pa.int64()))
            )
            near = pc.fill_null(pc.less_equal(seconds, 366 * 86400), False)
            dated = pc.or_(dated, pc.replace_with_mask(dated, shape, pc.and_(same, near)))
    flag = pc.if_else(dated, pa.scalar("date"), flag)
    flag = pc.if_else(excel, pa.scalar("excel"), flag)
    return pc.if_else(generic, pa.scalar("generic"), flag)


# ---------------------------------------------------------------- public API


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _open(path: Path, mapping: Mapping | None) -> Source:
    return open_source(
        path,
        encoding=mapping.encoding if mapping else None,
        delimiter=mapping.delimiter if mapping else None,
    )


def preview(dataset: str, path: Path, mapping: Mapping | None = None, n: int = 20) -> Preview:
    """What the file looks like to the importer: detected format, headers, proposed mapping,
    the first ``n`` rows typed and normalised, and any problems found in them."""
    spec = schema.get(dataset)
    result = Preview()
    try:
        source = _open(Path(path), mapping)
    except SourceError as error:
        result.problems.append(FileError(error.message, error.params))
        return result
    try:
        info = source.info
        result.format, result.encoding, result.delimiter = (
            info.format,
            info.encoding,
            info.delimiter,
        )
        result.header_row, result.sheet, result.headers = (
            info.header_row,
            info.sheet,
            list(info.headers),
        )
        result.estimated_rows = info.estimated_rows
        result.problems += [FileError(m, p) for m, p in info.notes]
        plan = _plan(spec, source, mapping)
        resumed = _decide_dates(plan, source, mapping)
        result.problems += plan.file_errors + plan.notes
        first: Batch | None = None
        try:
            for batch in resumed if resumed is not None else source.batches():
                first = batch.head(n)
                break
        except SourceError as error:
            result.problems.append(FileError(error.message, error.params))
        plan.decimal = (
            _detect_decimal(plan, first, source, mapping)
            if first
            else (mapping.decimal if mapping and mapping.decimal else ",")
        )
        result.decimal = plan.decimal
        result.mapping = plan.mapping(mapping)
        if first is None:
            if not result.problems:
                result.problems.append(FileError(_("The file has a header but no rows.")))
            return result
        table, errors, _raws = _convert(plan, first, plan.output_schema())
        for index_errors in errors.first.values():
            result.errors += index_errors
        result.errors += [
            RowError(b.row, "", b.text, b.message, b.params)
            for b in source.bad_rows
            if b.row <= first.rows[-1]
        ]
        for row in table.to_pylist():
            result.rows.append({c: _display(row.get(c)) for c in spec.column_names})
        return result
    finally:
        source.close()


def _display(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def ingest(
    dataset: str,
    path: Path,
    out_parquet: Path,
    mapping: Mapping | None = None,
    policy: Literal["reject", "quarantine"] = "reject",
    progress: Callable[[int, int], None] | None = None,
) -> IngestResult:
    """Read ``path`` into ``out_parquet`` for ``dataset``. See the module docstring."""
    spec = schema.get(dataset)
    path, out_parquet = Path(path), Path(out_parquet)
    result = IngestResult(ok=False, sha256=_file_sha256(path))
    try:
        source = _open(path, mapping)
    except SourceError as error:
        result.file_errors.append(FileError(error.message, error.params))
        return result
    tmp = out_parquet.with_name(f".{out_parquet.name}.{os.getpid()}.tmp")
    quarantine = out_parquet.with_name(out_parquet.stem + ".quarantine.parquet")
    q_tmp = quarantine.with_name(f".{quarantine.name}.{os.getpid()}.tmp")
    writer: _BackgroundWriter | None = None
    q_writer: pq.ParquetWriter | None = None
    try:
        info = source.info
        result.format, result.encoding, result.delimiter = (
            info.format,
            info.encoding,
            info.delimiter,
        )
        result.header_row, result.sheet = info.header_row, info.sheet
        result.notes += [FileError(m, p) for m, p in info.notes]
        plan = _plan(spec, source, mapping)
        resumed = _decide_dates(plan, source, mapping) if not plan.file_errors else None
        result.notes += plan.notes
        result.unavailable = list(plan.unavailable)
        result.columns = list(plan.sources)
        result.extra_columns = [plan.headers[i] for i in plan.extras]
        if plan.file_errors:
            result.file_errors += plan.file_errors
            return result
        out_schema = plan.output_schema()
        q_schema = pa.schema(
            [pa.field("_row", pa.int64()), pa.field("_errors", pa.string())]
            + [pa.field(h, pa.string()) for h in plan.headers]
        )
        period_min: date | None = None
        period_max: date | None = None
        seen_rows = 0
        decided = False
        bad_reported = 0
        for batch in resumed if resumed is not None else source.batches():
            if not decided:
                plan.decimal = _detect_decimal(plan, batch, source, mapping)
                result.decimal, result.mapping, decided = plan.decimal, plan.mapping(mapping), True
            table, errors, raws = _convert(plan, batch, out_schema)
            seen_rows += len(batch.rows)
            for index_errors in errors.first.values():
                for row_error in index_errors:
                    _record(result, row_error)
            # rows the reader could not split
            for bad in source.bad_rows[bad_reported:]:
                _record(result, RowError(bad.row, "", bad.text, bad.message, bad.params))
            new_bad = len(source.bad_rows) - bad_reported
            bad_reported = len(source.bad_rows)
            bad_mask = pa.array(errors.bad, pa.bool_())
            good = table.filter(pc.invert(bad_mask))
            if policy == "quarantine":
                if errors.first:
                    bad_idx = pa.array(sorted(errors.first), pa.int64())
                    q_writer = q_writer or pq.ParquetWriter(q_tmp, q_schema)
                    q_writer.write_table(
                        pa.Table.from_arrays(
                            [
                                pa.array(batch.rows, pa.int64()).take(bad_idx),
                                pa.array(
                                    [
                                        "; ".join(e.message % e.params for e in errors.first[i])
                                        for i in sorted(errors.first)
                                    ],
                                    pa.string(),
                                ),
                            ]
                            + [raws[i].take(bad_idx) for i in range(len(plan.headers))],
                            schema=q_schema,
                        )
                    )
                if new_bad:
                    q_writer = q_writer or pq.ParquetWriter(q_tmp, q_schema)
                    bads = source.bad_rows[bad_reported - new_bad : bad_reported]
                    q_writer.write_table(
                        pa.Table.from_arrays(
                            [
                                pa.array([b.row for b in bads], pa.int64()),
                                pa.array(
                                    [b.message % b.params + " " + b.text for b in bads], pa.string()
                                ),
                            ]
                            + [pa.nulls(len(bads), pa.string()) for _h in plan.headers],
                            schema=q_schema,
                        )
                    )
                result.quarantined += len(errors.first) + new_bad
            if good.num_rows and (policy == "quarantine" or result.error_count == 0):
                writer = writer or _BackgroundWriter(tmp, out_schema)
                writer.write_table(good)
            result.rows += good.num_rows
            if "invoice_number_flag" in good.column_names and good.num_rows:
                for entry in pc.value_counts(good.column("invoice_number_flag")).to_pylist():
                    if entry["values"] is not None:
                        result.flagged_numbers[entry["values"]] = (
                            result.flagged_numbers.get(entry["values"], 0) + entry["counts"]
                        )
            if spec.period_column and good.num_rows:
                period = good.column(spec.period_column)
                if pa.types.is_timestamp(period.type):
                    period = pc.cast(pc.local_timestamp(period), pa.date32())
                low, high = pc.min_max(period).values()
                if low.is_valid:
                    period_min = min(filter(None, (period_min, low.as_py())))
                    period_max = max(filter(None, (period_max, high.as_py())))
            if progress:
                progress(seen_rows, max(seen_rows, info.estimated_rows))
        # rows the reader refused after the last batch (a truncated last line)
        for bad in source.bad_rows[bad_reported:]:
            _record(result, RowError(bad.row, "", bad.text, bad.message, bad.params))
            result.quarantined += policy == "quarantine"
        if seen_rows == 0 and not source.bad_rows:
            result.file_errors.append(FileError(_("The file has a header but no rows.")))
            return result
        if _check_date_failures(plan, seen_rows, result):
            result.rows = 0
            return result
        if writer is None:
            writer = _BackgroundWriter(tmp, out_schema)
        writer.close()
        writer = None
        if spec.key and result.rows:
            for table in _duplicate_keys(
                spec.key, plan.header(spec.key), tmp, result, policy, q_schema, plan
            ):
                q_writer = q_writer or pq.ParquetWriter(q_tmp, q_schema)
                q_writer.write_table(table)
        if policy == "reject" and result.error_count:
            result.rows = 0
            return result
        if result.flagged_numbers:
            result.notes.append(
                FileError(
                    _(
                        "%(count)s invoice numbers are not the supplier's own number (%(excel)s changed by Excel into a "
                        "number such as 2.15458E+13, %(date)s written as a date, %(generic)s without a digit, such as "
                        "SERVICE): they are imported, and the duplicate controls do not match on them."
                    ),
                    {
                        "count": sum(result.flagged_numbers.values()),
                        **{
                            k: result.flagged_numbers.get(k, 0)
                            for k in ("excel", "date", "generic")
                        },
                    },
                )
            )
        if result.key_collisions:
            result.notes.append(
                FileError(
                    _(
                        "%(count)s rows share their key with another row. They are quarantined for correction and are also "
                        "kept under the key followed by # and the row number, so that the duplicate controls see them."
                    ),
                    {"count": result.key_collisions},
                )
            )
        if result.rows == 0:
            result.file_errors.append(FileError(_("No row could be imported.")))
            return result
        result.period_min, result.period_max = period_min, period_max
        if progress:
            progress(seen_rows, seen_rows)
        if q_writer is not None:
            q_writer.close()
            q_writer = None
            os.replace(q_tmp, quarantine)
            result.quarantine_path = quarantine
        os.replace(tmp, out_parquet)
        result.ok = True
        return result
    except SourceError as error:
        result.file_errors.append(FileError(error.message, error.params))
        result.rows = 0
        return result
    finally:
        source.close()
        for w in (writer, q_writer):
            if w is not None:
                w.close()
        tmp.unlink(missing_ok=True)
        q_tmp.unlink(missing_ok=True)


class _BackgroundWriter:
    """A ParquetWriter that writes one batch on a thread of its own while the next is typed (both
    release the GIL, so a second core does the writing). At most one batch waits: memory stays
    that of two batches. A write's error is raised by the next write or by close()."""

    def __init__(self, path: Path, schema_: pa.Schema):
        self._path, self._schema = path, schema_
        self._writer: pq.ParquetWriter | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tillit-parquet")
        self._pending: Future | None = None

    def write_table(self, table: pa.Table) -> None:
        self._wait()
        if self._writer is None:
            self._writer = pq.ParquetWriter(
                self._path, self._schema, use_dictionary=_dictionary_columns(table)
            )
        self._pending = self._pool.submit(self._writer.write_table, table)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def close(self) -> None:
        try:
            self._wait()
        finally:
            self._pool.shutdown(wait=True)
            if self._writer is None:
                self._writer = pq.ParquetWriter(self._path, self._schema)
            self._writer.close()


def _dictionary_columns(table: pa.Table) -> list[str]:
    """The columns worth a Parquet dictionary: those whose first batch repeats its values (a
    supplier, a board, a date). For a column of mostly distinct values (a key, an invoice number,
    the row number) the writer would build a dictionary only to give it up: the same file content,
    written faster."""
    return [
        name
        for name, column in zip(table.column_names, table.columns, strict=True)
        if pc.count_distinct(column).as_py() * 2 <= max(1, table.num_rows)
    ]


def _record(result: IngestResult, error: RowError) -> None:
    result.error_count += 1
    if len(result.errors) < MAX_ERRORS:
        result.errors.append(error)


def _duplicate_keys(
    key: str,
    header: str,
    tmp: Path,
    result: IngestResult,
    policy: str,
    q_schema: pa.Schema,
    plan: _Plan,
) -> list[pa.Table]:
    """Two rows with the same primary key in one file: both are row errors (which is right is unknown).

    Checked after writing, by DuckDB over the key column, so no set of keys is held in
    memory. With policy "quarantine" the file is rewritten without those rows, batch by
    batch, and the rows are returned for the quarantine file."""
    import duckdb

    con = duckdb.connect()
    spill = tmp.with_name(tmp.name + ".spill")
    try:
        # bounded whatever the file's size: beyond the limit DuckDB spills to disk beside the file
        con.execute(f"SET memory_limit = '{KEY_CHECK_MEMORY}'")
        con.execute(f"SET temp_directory = {_sql_text(str(spill))}")
        # first the hashes of keys that repeat (a count per 8-byte hash, not per key text), then the
        # keys themselves only among the rows with such a hash: the same keys, a fraction of the
        # memory; the rows are listed only for keys that repeat
        keys = f"SELECT CAST({_quote(key)} AS VARCHAR) AS k, _row AS r FROM read_parquet(?)"
        dups = con.execute(
            f"WITH t AS ({keys} WHERE {_quote(key)} IS NOT NULL), "
            "h AS (SELECT hash(k) AS h FROM t GROUP BY h HAVING count(*) > 1) "
            "SELECT k, list(r ORDER BY r) FROM t WHERE hash(k) IN (SELECT h FROM h) "
            "GROUP BY k HAVING count(*) > 1 ORDER BY min(r)",
            [str(tmp)],
        ).fetchall()
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    if not dups:
        return []
    bad_rows: dict[int, str] = {}
    for value, rows in dups:
        shown = ", ".join(str(r) for r in rows[:10]) + (" …" if len(rows) > 10 else "")
        for row in rows:
            bad_rows[row] = value
            _record(
                result,
                RowError(
                    row,
                    header,
                    value,
                    _("The key %(value)s appears more than once in the file (rows %(rows)s)."),
                    {"value": value, "rows": shown, "column": header},
                ),
            )
    keep = policy == "quarantine" and plan.spec.name in COLLISIONS_AS_EVIDENCE
    if keep:
        result.key_collisions += len(bad_rows)
    else:
        result.rows -= len(bad_rows)
    if policy != "quarantine":
        return []
    source_file = pq.ParquetFile(tmp)
    rewritten = tmp.with_name(tmp.name + ".dedup")
    dup_rows = pa.array(sorted(bad_rows), pa.int64())
    by_header = {plan.headers[i]: c for c, i in plan.sources.items()}
    quarantined: list[pa.Table] = []
    try:
        with pq.ParquetWriter(rewritten, source_file.schema_arrow) as writer:
            for record_batch in source_file.iter_batches():
                table = pa.Table.from_batches([record_batch])
                is_dup = pc.is_in(table.column("_row"), value_set=dup_rows)
                if keep:
                    # kept for the duplicate controls under a key of its own: '<key>#<row>'
                    keys = pc.cast(table.column(key), pa.string())
                    suffixed = pc.binary_join_element_wise(
                        keys, pc.cast(table.column("_row"), pa.string()), "#"
                    )
                    writer.write_table(
                        table.set_column(
                            table.schema.get_field_index(key),
                            key,
                            pc.if_else(is_dup, suffixed, keys),
                        )
                    )
                else:
                    writer.write_table(table.filter(pc.invert(is_dup)))
                dup_table = table.filter(is_dup)
                if dup_table.num_rows:
                    rows = dup_table.column("_row").to_pylist()
                    message = _(
                        "The key %(value)s appears more than once in the file (rows %(rows)s)."
                    )
                    columns = [
                        dup_table.column("_row"),
                        pa.array(
                            [message % {"value": bad_rows[r], "rows": r} for r in rows], pa.string()
                        ),
                    ]
                    columns += [
                        pc.cast(dup_table.column(by_header.get(h) or EXTRA_PREFIX + h), pa.string())
                        for h in plan.headers
                    ]
                    quarantined.append(pa.Table.from_arrays(columns, schema=q_schema))
        os.replace(rewritten, tmp)
    finally:
        rewritten.unlink(missing_ok=True)
    result.quarantined += len(bad_rows)
    return quarantined


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
