"""Swedish identifiers: normal forms and validity (data.md, "Identifier normal forms").

Every function takes the raw text of a cell and returns ``Normalised(value, valid)``,
a two-tuple. Invalid values are never rejected: fraud data is messy and an invalid
number is itself a finding, so the value is kept as given (trimmed) with
``valid=False``.

Checksums come from python-stdnum (``stdnum.luhn``, ``stdnum.iban``). What stdnum
does not cover, or covers differently from the published test vectors, has a rule
of our own here; each such rule is listed in docs/identifiers.md:

* **Samordningsnummer** (day + 60): stdnum rejects them all. We accept day 61-91
  (day 60 = birth day unknown) and month 00-12 (00 = month unknown), without a
  calendar check: Skatteverket's 2 264 published test samordningsnummer include
  April 31 and February 30, so the date part is not always a real date.
* **Serial number 000** is never assigned by Skatteverket; stdnum accepts it, we
  (like the ``personnummer`` test vectors) do not.
* **A space** between date and serial (``19090527 1474``) is not a separator:
  stdnum accepts it, the test vectors and we do not. A space in that place more
  often means two fields run together than a personnummer.
* **Interim numbers** (a letter in place of the first serial digit, ``20000101-T220``)
  are not personnummer: normalised to ``YYYYMMDDT220`` but ``valid=False``.
* **Organisationsnummer**: stdnum rejects the ``16`` prefix and 12-digit sole
  traders' personnummer; we accept both, and normalise to 10 digits. A 10-digit
  number whose month digits are below 20 is a sole trader's personnummer and must
  also pass the personnummer rules (a real date, serial not 000).
* **Bank accounts** (``BANK:``): stdnum has no Swedish clearing-number table, so the
  table of Bankgirot's "Bankernas kontonummeruppbyggnad" is here. An account
  whose clearing number falls in no known range cannot be checked: ``valid=False``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.exceptions import ValidationError

STOCKHOLM = ZoneInfo("Europe/Stockholm")

BankKind = Literal["BG", "PG", "IBAN", "BANK"]


class Normalised(NamedTuple):
    value: str
    valid: bool


def _today() -> date:
    return datetime.now(tz=STOCKHOLM).date()


def _luhn_ok(digits: str) -> bool:
    return digits.isdigit() and luhn.is_valid(digits)


# --------------------------------------------------------------------------- personnummer

_PNR = re.compile(r"^(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{3}|[A-Z]\d{2})(\d)$")


def _date_ok(year: int, month: int, day: int, *, coordination: bool) -> bool:
    if coordination:
        # day + 60; day 60 and month 00 mean "not known". Skatteverket's own test list also
        # holds 24 numbers whose day does not exist in that month (April 31, February 30),
        # so only the ranges are checked, not the calendar.
        return 60 <= day <= 91 and month <= 12
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _century(yy: int, month: int, day: int, plus: bool, ref: date) -> int:
    """The full year of a 10-digit number: the latest year not after ``ref``, minus 100 with '+'."""
    year = ref.year - ((ref.year - yy) % 100)
    real_day = day - 60 if day > 60 else day
    try:
        if 0 < month and 0 < real_day and date(year, month, real_day) > ref:
            year -= 100
    except ValueError:
        pass
    return year - 100 if plus else year


def _parse_pnr(text: str, ref: date | None) -> tuple[str, str] | None:
    """(12-character form, kind) or None when the shape is not a personnummer's."""
    m = _PNR.match(text.upper())
    if not m:
        return None
    cc, yy, mm, dd, sep, serial, check = m.groups()
    month, day = int(mm), int(dd)
    if cc is None:
        year = _century(int(yy), month, day, sep == "+", ref or _today())
    else:
        year = int(cc + yy)
    kind = (
        "interim" if serial[0].isalpha() else ("samordningsnummer" if day >= 60 else "personnummer")
    )
    return f"{year:04d}{mm}{dd}{serial}{check}", kind


def normalise_personnummer(value: str | None, *, reference: date | None = None) -> Normalised:
    """12 digits ``YYYYMMDDNNNN``; accepts 10 or 12 digits with ``-``, ``+`` or nothing.

    ``+`` marks a person aged 100 or more on ``reference`` (default: today in Stockholm).
    """
    text = (value or "").strip()
    parsed = _parse_pnr(text, reference)
    if parsed is None:
        return Normalised(text, False)
    form, kind = parsed
    if kind == "interim":
        return Normalised(form, False)
    year, month, day, serial = int(form[:4]), int(form[4:6]), int(form[6:8]), form[8:11]
    ok = (
        serial != "000"
        and _date_ok(year, month, day, coordination=kind == "samordningsnummer")
        and _luhn_ok(form[2:])
    )
    return Normalised(form, ok)


def personnummer_kind(value: str | None, *, reference: date | None = None) -> str | None:
    """'personnummer', 'samordningsnummer', 'interim' or None (not that shape)."""
    parsed = _parse_pnr((value or "").strip(), reference)
    return parsed[1] if parsed else None


# --------------------------------------------------------------------------- organisationsnummer

_ORG_SEP = re.compile(r"[\s-]")


def normalise_orgnr(value: str | None) -> Normalised:
    """10 digits; accepts a hyphen, the ``16`` prefix, a ``SE…01`` VAT number and a sole trader's
    personnummer (10 or 12 digits, normalised to its 10-digit form)."""
    text = (value or "").strip()
    compact = _ORG_SEP.sub("", text).upper()
    if re.fullmatch(r"SE\d{10}01", compact):
        compact = compact[2:12]
    if re.fullmatch(r"(\d{2})?\d{6}\+\d{4}", compact):
        # a sole trader aged 100 or more, written as a personnummer with '+'
        pnr = normalise_personnummer(compact)
        return (
            Normalised(pnr.value[2:], pnr.valid) if pnr.value.isdigit() else Normalised(text, False)
        )
    if not compact.isdigit():
        return Normalised(text, False)
    if len(compact) == 12 and compact.startswith("16"):
        compact = compact[2:]
    elif len(compact) == 12:
        # a sole trader's 12-digit personnummer
        pnr = normalise_personnummer(compact)
        return Normalised(compact[2:], pnr.valid)
    if len(compact) != 10:
        return Normalised(text, False)
    if int(compact[2]) < 2:
        # month digits below 20: a sole trader's personnummer, so it must be one
        return Normalised(compact, normalise_personnummer(compact).valid)
    return Normalised(compact, _luhn_ok(compact))


# --------------------------------------------------------------------------- bank accounts


def _mod11_ok(digits: str) -> bool:
    """Bankgirot's modulus 11: weights 1, 2, ... 10 repeating from the right."""
    total = sum(int(d) * (i % 10 + 1) for i, d in enumerate(reversed(digits)))
    return total % 11 == 0


# (first clearing, last clearing, type, comment) after Bankgirot's "Bankernas
# kontonummeruppbyggnad". Type 1: 7-digit account, comment 1 checks the last three
# clearing digits + account, comment 2 all four + account (mod 11). Type 2:
# comment 1 = 10 digits Luhn, comment 2 = 9 digits mod 11 (Handelsbanken),
# comment 3 = up to 10 digits Luhn (Swedbank 8xxx, Plusgirot).
_CLEARING: tuple[tuple[int, int, int, int], ...] = (
    (1100, 1199, 1, 1),
    (1200, 1399, 1, 1),
    (1400, 2099, 1, 1),
    (2300, 2399, 1, 2),
    (2400, 2499, 1, 1),
    (3000, 3299, 1, 1),
    (3300, 3300, 2, 1),
    (3301, 3399, 1, 1),
    (3400, 3409, 1, 1),
    (3410, 3781, 1, 1),
    (3782, 3782, 2, 1),
    (3783, 3999, 1, 1),
    (4000, 4999, 1, 2),
    (5000, 5999, 1, 1),
    (6000, 6999, 2, 2),
    (7000, 7999, 1, 1),
    (8000, 8999, 2, 3),
    (9020, 9029, 1, 2),
    (9040, 9049, 1, 2),
    (9060, 9069, 1, 1),
    (9070, 9079, 1, 1),
    (9100, 9109, 1, 2),
    (9120, 9124, 1, 1),
    (9130, 9149, 1, 1),
    (9150, 9169, 1, 2),
    (9170, 9179, 1, 1),
    (9180, 9189, 2, 1),
    (9190, 9199, 1, 2),
    (9230, 9239, 1, 1),
    (9250, 9259, 1, 1),
    (9260, 9269, 1, 2),
    (9270, 9279, 1, 1),
    (9280, 9289, 1, 1),
    (9300, 9349, 2, 1),
    (9390, 9399, 1, 2),
    (9400, 9449, 1, 1),
    (9460, 9469, 1, 1),
    (9470, 9479, 1, 2),
    (9500, 9549, 2, 3),
    (9550, 9569, 1, 2),
    (9570, 9579, 2, 1),
    (9580, 9589, 1, 1),
    (9590, 9599, 1, 2),
    (9630, 9639, 1, 1),
    (9640, 9649, 1, 2),
    (9650, 9659, 1, 2),
    (9660, 9669, 1, 2),
    (9670, 9679, 1, 2),
    (9680, 9689, 1, 1),
    (9700, 9709, 1, 2),
    (9710, 9719, 1, 2),
    (9750, 9759, 1, 2),
    (9780, 9789, 1, 2),
    (9880, 9889, 1, 2),
    (9890, 9899, 2, 1),
    (9960, 9969, 2, 3),
)


def _clearing_rule(clearing: str) -> tuple[int, int] | None:
    number = int(clearing)
    for first, last, kind, comment in _CLEARING:
        if first <= number <= last:
            return kind, comment
    return None


def _bank(clearing: str, account: str) -> Normalised | None:
    """Check a clearing number and account digits; None when the clearing is unknown."""
    if len(clearing) == 5:
        # Swedbank writes a fifth check digit on 8xxx clearing numbers
        if not clearing.startswith("8") or luhn.calc_check_digit(clearing[:4]) != clearing[4]:
            return Normalised(f"BANK:{clearing}{account}", False)
        clearing = clearing[:4]
    rule = _clearing_rule(clearing)
    if rule is None:
        return None
    kind, comment = rule
    if (
        clearing.startswith("8")
        and len(account) == 11
        and account[0] == luhn.calc_check_digit(clearing)
    ):
        # "8214,9923472612-4": the clearing check digit written after the comma
        account = account[1:]
    digits = account.lstrip("0")
    width = 7 if kind == 1 else (9 if comment == 2 else 10)
    if len(digits) > width or not digits:
        return Normalised(f"BANK:{clearing}{account}", False)
    digits = digits.zfill(width)
    if kind == 1:
        ok = _mod11_ok((clearing[1:] if comment == 1 else clearing) + digits)
    elif clearing in ("3300", "3782"):
        # Nordea personkonto: the account number is the holder's personnummer
        ok = normalise_personnummer(digits).valid
    elif comment == 2:
        ok = _mod11_ok(digits)
    else:
        ok = _luhn_ok(digits)
    return Normalised(f"BANK:{clearing}{digits}", ok)


def _normalise_bank(text: str) -> Normalised:
    body = re.sub(r"^(BANK|BANKKONTO|KONTO)[:\s]*", "", text.upper()).strip()
    if "," in body:
        clearing, _, account = body.partition(",")
        clearing, account = re.sub(r"[\s-]", "", clearing), re.sub(r"[\s-]", "", account)
    else:
        compact = re.sub(r"[\s.-]", "", body)
        head = re.match(r"^(\d{4})[\s-]*(\d)[\s-]", body)
        # "8105-9 744202466": a Swedbank clearing with its check digit, written apart
        if head and head.group(1).startswith("8"):
            clearing, account = head.group(1) + head.group(2), compact[5:]
        elif (
            compact.startswith("8")
            and len(compact) >= 6
            and compact[4] == luhn.calc_check_digit(compact[:4])
        ):
            # 5-digit Swedbank clearing run together with the account: prefer it when the rest checks
            five = _bank(compact[:5], compact[5:]) if compact.isdigit() else None
            if five is not None and five.valid:
                return five
            clearing, account = compact[:4], compact[4:]
        else:
            clearing, account = compact[:4], compact[4:]
    if not (clearing.isdigit() and account.isdigit() and len(clearing) in (4, 5)):
        return Normalised(text, False)
    result = _bank(clearing, account)
    if result is None:
        result = Normalised(f"BANK:{clearing}{account}", False)
    bare = re.sub(r"[\s-]", "", body)
    if (
        not result.valid
        and "," not in body
        and len(bare) == 10
        and normalise_personnummer(bare).valid
    ):
        # a bare personnummer in a bank-account column is a Nordea personkonto (clearing 3300)
        return Normalised(f"BANK:3300{bare}", True)
    return result


def _normalise_giro(text: str, prefix: str) -> Normalised:
    body = re.sub(rf"^({prefix}|BANKGIRO|PLUSGIRO|BG|PG)[:\s.]*", "", text.upper()).strip()
    digits = re.sub(r"[\s-]", "", body)
    if not digits.isdigit():
        return Normalised(text, False)
    digits = digits.lstrip("0") or "0"
    if prefix == "BG":
        ok = 7 <= len(digits) <= 8 and _luhn_ok(digits)
    else:
        ok = 2 <= len(digits) <= 8 and _luhn_ok(digits)
    return Normalised(f"{prefix}:{digits}", ok)


def _normalise_iban(text: str) -> Normalised:
    body = re.sub(r"^IBAN[:\s]*", "", text.upper()).strip()
    compact = std_iban.compact(body)
    try:
        return Normalised("IBAN:" + std_iban.validate(compact), True)
    except ValidationError:
        return Normalised("IBAN:" + compact if compact.isalnum() else text, False)


_TYPED = re.compile(r"^\s*(BG|PG|IBAN|BANK|BANKGIRO|PLUSGIRO|BANKKONTO)\b[:\s.]*", re.IGNORECASE)
_WORD_KIND: dict[str, BankKind] = {
    "BG": "BG",
    "BANKGIRO": "BG",
    "PG": "PG",
    "PLUSGIRO": "PG",
    "IBAN": "IBAN",
    "BANK": "BANK",
    "BANKKONTO": "BANK",
}


def bank_account_kind(value: str) -> BankKind | None:
    """The type of an account written without a type, judged by its shape; None when ambiguous.

    Only shapes one kind uses are decided: ``NNN-NNNN``/``NNNN-NNNN`` is a bankgiro,
    ``N…N-N`` (a hyphen before the last digit) a plusgiro, two letters and digits an
    IBAN, a clearing number followed by a comma, or a known 4-digit clearing number,
    a space or hyphen and at least five more digits, a bank account. Bare digits are
    ambiguous (a bankgiro, a plusgiro and an account can all be written so).
    """
    text = value.strip().upper()
    typed = _TYPED.match(text)
    if typed:
        return _WORD_KIND[typed.group(1).upper()]
    if re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9 ]{11,32}", text):
        return "IBAN"
    if re.fullmatch(r"\d{3,4}-\d{4}", text):
        return "BG"
    if re.fullmatch(r"(\d{1,2} ?){1,3}\d{0,2}-\d", text) and not re.fullmatch(r"\d{4}-\d", text):
        return "PG"
    if re.fullmatch(r"\d{4,5}(-\d)?\s*,\s*[\d -]+", text):
        return "BANK"
    m = re.fullmatch(r"(\d{4})(-\d)?[ -]([\d -]{5,})", text)
    if m and _clearing_rule(m.group(1)) is not None:
        return "BANK"
    return None


def normalise_bank_account(value: str | None, kind: BankKind | None = None) -> Normalised:
    """The typed form ``BG:``/``PG:``/``IBAN:``/``BANK:``.

    ``kind`` comes from the source column (a column named Bankgiro holds bankgiro
    numbers); a value that carries its own type (``BG 123-4567``) keeps it; otherwise
    the shape decides where it is unambiguous (``bank_account_kind``), and an
    ambiguous value is kept as given with ``valid=False``.
    """
    text = (value or "").strip()
    if not text:
        return Normalised(text, False)
    typed = _TYPED.match(text)
    if typed:
        kind = _WORD_KIND[typed.group(1).upper()]
    elif kind is None:
        kind = bank_account_kind(text)
    if kind == "BG" or kind == "PG":
        return _normalise_giro(text, kind)
    if kind == "IBAN":
        return _normalise_iban(text)
    if kind == "BANK":
        return _normalise_bank(text)
    return Normalised(text, False)


def bank_kind_for_header(header: str) -> BankKind | None:
    """The account type a source column's name declares (Bankgiro, Plusgiro, IBAN, Bankkonto)."""
    from tillit.analytics.aliases import fold

    name = fold(header)
    for words, kind in (
        (("bankgiro", "bg nr", "bgnr", "bg"), "BG"),
        (("plusgiro", "postgiro", "pg nr", "pgnr", "pg"), "PG"),
        (("iban",), "IBAN"),
        (("bankkonto", "kontonummer bank", "clearing", "bank account", "account number"), "BANK"),
    ):
        if any(
            name == w or name.startswith(w + " ") or name.startswith(w) and len(w) > 3
            for w in words
        ):
            return kind  # type: ignore[return-value]
    return None


IdentifierKind = Literal["personnummer", "orgnr", "bank_account"]


def normalise_identifier(
    kind: IdentifierKind,
    value: str | None,
    *,
    hint: BankKind | None = None,
    reference: date | None = None,
) -> Normalised:
    if kind == "personnummer":
        return normalise_personnummer(value, reference=reference)
    if kind == "orgnr":
        return normalise_orgnr(value)
    return normalise_bank_account(value, hint)
