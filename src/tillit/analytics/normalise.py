"""Normal forms the controls compare: invoice numbers, names, addresses (controls.md, "Definitions").

Plain ``str -> str`` functions, so DuckDB can register them as scalar UDFs
(``con.create_function("normalise_name", normalise_name)``). ``None`` in gives
``None`` out.
"""

from __future__ import annotations

import re
import unicodedata

# ------------------------------------------------------------------ invoice numbers

_NON_ALNUM = re.compile(r"[^0-9A-Z]")
# OCR look-alikes, mapped on upper-cased alphanumerics (controls.md, INV-DUP-FUZZY)
_OCR = str.maketrans({"O": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2"})


def _alnum_upper(value: str) -> str:
    # ASCII letters and digits only: 'Å' is not a letter an invoice-number field holds
    return _NON_ALNUM.sub("", value.upper())


def normalise_invoice_number(value: str | None) -> str | None:
    """Upper-case, letters and digits only, leading zeros stripped: ' inv-00123 ' -> 'INV00123',
    '000123' -> '123'."""
    if value is None:
        return None
    return _alnum_upper(value).lstrip("0")


def normalise_invoice_number_fuzzy(value: str | None) -> str | None:
    """As ``normalise_invoice_number`` after mapping O→0, I/L→1, S→5, B→8, Z→2: 'OO12B' -> '128'."""
    if value is None:
        return None
    return _alnum_upper(value).translate(_OCR).lstrip("0")


# ------------------------------------------------------------------ names

# controls.md: legal-form words for suppliers and associations
LEGAL_FORM_WORDS = frozenset({
    "ab", "aktiebolag", "hb", "kb", "ek", "för", "ekonomisk", "handelsbolag", "kommanditbolag",
    "förening", "föreningen", "ideell",
})
_PUNCT = re.compile(r"[^\w\s]|_")


def _fold_ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise_name(value: str | None) -> str | None:
    """Case-folded, punctuation removed, legal-form words dropped, words sorted; å ä ö kept.

    'Kvarnby IF Ideell Förening' -> 'if kvarnby'; 'Byggbolaget i Malmö AB' -> 'byggbolaget i malmö';
    'Ek. för. Solrosen' -> 'solrosen'.
    """
    if value is None:
        return None
    # NFC first, so an 'ä' written as a + combining diaeresis matches the precomposed one
    text = unicodedata.normalize("NFC", value).casefold()
    words = _PUNCT.sub(" ", text).split()
    return " ".join(sorted(w for w in words if w not in LEGAL_FORM_WORDS))


def normalise_name_ascii(value: str | None) -> str | None:
    """``normalise_name`` folded to ASCII (å→a, ä→a, ö→o, é→e): a key for systems that lost å ä ö."""
    name = normalise_name(value)
    return None if name is None else _fold_ascii(name)


# ------------------------------------------------------------------ addresses

_ABBREVIATIONS = (
    (re.compile(r"\bg\b\.?|\bgat\b\.?"), "gatan"),
    (re.compile(r"\bv\b\.?|\bvag\b\.?"), "vägen"),
)
_APARTMENT = re.compile(r"\b(lgh|lägenhet|lägenhetsnummer|lgh nr|lghnr)\b\.?\s*(\d{4})\b")
_CO = re.compile(r"\bc/o\b.*$")


def normalise_address(value: str | None) -> str | None:
    """'Storg. 12 B, lgh 1102' -> 'storgatan 12b'.

    Case-folded, c/o part and apartment number removed (compare those through
    ``normalise_apartment``), 'g.'/'gat.' → 'gatan', 'v.' → 'vägen', house letter joined
    to its number, punctuation removed, spaces collapsed. å ä ö kept.
    """
    if value is None:
        return None
    text = unicodedata.normalize("NFC", value).casefold()
    text = _CO.sub("", text)
    text = _APARTMENT.sub(" ", text)
    # 'Storg.' and 'Storgatan' are the same street
    text = re.sub(r"(\w+)g\.(?=\s|\d|$)", r"\1gatan", text)
    text = re.sub(r"(\w+)v\.(?=\s|\d|$)", r"\1vägen", text)
    text = _PUNCT.sub(" ", text)
    for pattern, replacement in _ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    text = re.sub(r"\b(\d+)\s+([a-zåäö])\b", r"\1\2", text)
    return " ".join(text.split())


def normalise_apartment(value: str | None) -> str | None:
    """The four-digit lägenhetsnummer: 'Lgh 1102' -> '1102', '1102' -> '1102'; else the trimmed
    digits-and-letters upper-cased ('3 tr' -> '3TR'), or None when empty."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", value).casefold()
    m = re.search(r"\b(\d{4})\b", text)
    if m:
        return m.group(1)
    compact = re.sub(r"[\W_]", "", text).upper()
    return compact or None


def normalise_postal_code(value: str | None) -> str | None:
    """'S-211 20' / '211 20' / '21120' -> '21120' (digits only)."""
    if value is None:
        return None
    return re.sub(r"\D", "", value) or None


# ------------------------------------------------------------------ spreadsheet export

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d[\d \u00a0]*)([.,]\d+)?$")


def is_formula_like(value: str | None) -> bool:
    """True for text a spreadsheet would run as a formula ('=HYPERLINK(…)', '@SUM(…)', '-2+3');
    a plain number such as '-125,50' is not."""
    if not value or not value.startswith(_FORMULA_START):
        return False
    return not _NUMBER.match(value.strip())


def escape_for_spreadsheet(value: str | None) -> str | None:
    """Prefix formula-like text with an apostrophe before it goes into a CSV or XLSX export
    (OWASP CSV injection). Numbers are left alone."""
    if value is not None and is_formula_like(value):
        return "'" + value
    return value
