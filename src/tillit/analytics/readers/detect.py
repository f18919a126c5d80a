"""What kind of file is this, in which encoding, with which delimiter."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from pathlib import Path

from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.readers import SourceError

SAMPLE_BYTES = 1 << 20
DELIMITERS = (";", "\t", ",", "|")
# bytes Windows-1252 leaves undefined: their presence means ISO-8859-1 (or not text)
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
# control characters other than tab, line feed, form feed and carriage return
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13, 12))


def read_sample(path: Path, size: int = SAMPLE_BYTES) -> bytes:
    with path.open("rb") as fh:
        return fh.read(size)


def utf16_codec(sample: bytes) -> str | None:
    """'utf-16' for UTF-16 text (what Excel saves as "Unicode text"), with or without its byte-order mark."""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    pairs = sample[: len(sample) // 2 * 2][:4096]
    if len(pairs) >= 8:
        even_nul = pairs[0::2].count(0) / (len(pairs) // 2)
        odd_nul = pairs[1::2].count(0) / (len(pairs) // 2)
        # Latin text in UTF-16: every other byte is zero, the others almost never
        if odd_nul > 0.9 and even_nul < 0.1:
            return "utf-16-le"
        if even_nul > 0.9 and odd_nul < 0.1:
            return "utf-16-be"
    return None


def _blank(sample: bytes) -> bool:
    """Nothing but white space and byte-order marks, in UTF-8 or UTF-16."""
    codec = utf16_codec(sample)
    if codec:
        return not sample.decode(codec, errors="ignore").replace("\ufeff", "").strip()
    return not sample.replace(codecs.BOM_UTF8, b"").strip()


def sniff_format(path: Path) -> str:
    head = read_sample(path, 8192)
    if _blank(head):
        if path.stat().st_size == 0 or _blank(read_sample(path)):
            raise SourceError(_("The file is empty."))
    if utf16_codec(head):
        return "csv"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith((b"\xd0\xcf\x11\xe0",)):
        raise SourceError(
            _("This is an old Excel file (.xls). Save it as .xlsx or CSV and try again.")
        )
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith((b"#FLAGGA", b"#PROGRAM", b"#FORMAT", b"#SIETYP", b"#GEN")):
        return "sie4"
    if looks_binary(head):
        raise SourceError(
            _("The file is not a text file (CSV), an Excel file (.xlsx) or a Parquet file.")
        )
    return "csv"


def looks_binary(sample: bytes) -> bool:
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls / len(sample) > 0.01


def detect_encoding(sample: bytes) -> str:
    """utf-8-sig, utf-8, windows-1252 or iso-8859-1.

    UTF-8 is tried first: Windows-1252 text with å ä ö is almost never valid UTF-8,
    while UTF-8 read as Windows-1252 would turn 'å' into 'Ã¥'.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    codec = utf16_codec(sample)
    if codec:
        return codec
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        # final=False: the sample may end inside a multi-byte character
        decoder.decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if any(bytes([b]) in sample for b in _CP1252_UNDEFINED):
        return "iso-8859-1"
    return "windows-1252"


def detect_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the first lines into the same number (> 1) of fields."""
    best, best_score = ";", (-1, 0, 0)
    sample = [line for line in lines if line.strip()][:50]
    if not sample:
        return best
    for rank, delimiter in enumerate(DELIMITERS):
        counts = [
            len(row) for row in csv.reader(io.StringIO("\n".join(sample)), delimiter=delimiter)
        ]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        score = (counts.count(mode), mode, -rank)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def find_header_row(rows: Sequence[Sequence[object]]) -> int:
    """Index of the header among the first rows: title rows above it have fewer filled
    cells (or one merged title repeated across them); the header is the first row filled
    about as wide as the table, with distinct texts only."""
    filled = [sum(1 for v in row if v not in (None, "")) for row in rows]
    if not filled:
        return 0
    widest = max(filled)
    for i, row in enumerate(rows):
        cells = [v for v in row if v not in (None, "")]
        if (
            len(cells) >= max(2, 0.6 * widest)
            and len(set(cells)) == len(cells)
            and all(isinstance(v, str) and not _numberish(v) for v in cells)
        ):
            return i
    return 0


def _numberish(value: str) -> bool:
    stripped = value.replace(" ", "").replace(",", "").replace(".", "").replace("-", "")
    return stripped.isdigit()
