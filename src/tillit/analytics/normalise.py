"""Normal forms in Python where Python compares (entity resolution) and cells safe for spreadsheets.

The controls' normal forms (invoice numbers, names, addresses) are SQL, in
controls/_sql.py: the source of truth runs on every engine and has no Python twin here.
``None`` in gives ``None`` out.
"""

from __future__ import annotations

import re
import unicodedata

# ------------------------------------------------------------------ names

# controls.md: legal-form words for suppliers and associations
LEGAL_FORM_WORDS = frozenset(
    {
        "ab",
        "aktiebolag",
        "hb",
        "kb",
        "ek",
        "för",
        "ekonomisk",
        "handelsbolag",
        "kommanditbolag",
        "förening",
        "föreningen",
        "ideell",
    }
)
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


# ------------------------------------------------------------------ postal codes


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
