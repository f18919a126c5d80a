"""SIE 4 (the Swedish accounting exchange format) for the ``ledger`` data set.

One output row per ``#TRANS`` inside a ``#VER { … }`` block. ``#RTRANS`` (added
later) is followed by the same ``#TRANS`` for older readers, and ``#BTRANS``
(removed) does not count, so both are skipped. Company, account and object
records (``#FNAMN``, ``#KONTO``, ``#OBJEKT`` …) are ignored. Dimension 1 (kostnadsställe)
becomes ``unit``, dimension 6 (projekt) ``project``. The standard encoding is
PC8, i.e. IBM code page 437.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from tillit.analytics.i18n import gettext_noop as _
from tillit.analytics.readers import BATCH_ROWS, BadRow, Batch, Source, SourceError, SourceInfo

HEADERS = [
    "voucher_id",
    "voucher_date",
    "account",
    "amount",
    "series",
    "text",
    "registered_by",
    "registered_at",
    "unit",
    "project",
]
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(\{[^}]*\})|(\S+)')


def tokens(line: str) -> list[str]:
    result = []
    for quoted, braces, bare in _TOKEN.findall(line):
        if braces:
            result.append(braces)
        elif bare:
            result.append(bare)
        else:
            result.append(quoted.replace('\\"', '"'))
    return result


def objects(braces: str) -> dict[str, str]:
    """'{1 "100" 6 "P7"}' -> {'1': '100', '6': 'P7'}."""
    parts = tokens(braces.strip()[1:-1])
    return {parts[i]: parts[i + 1] for i in range(0, len(parts) - 1, 2)}


_EIGHT_DIGITS = re.compile(r"\d{8}")


def _iso(day: str) -> str | None:
    return (
        f"{day[:4]}-{day[4:6]}-{day[6:8]}" if _EIGHT_DIGITS.fullmatch(day or "") else (day or None)
    )


class Sie4Source(Source):
    def __init__(self, path: Path, *, encoding: str | None = None):
        self.path = path
        self.bad_rows: list[BadRow] = []
        with path.open("rb") as fh:
            head = fh.read(4096)
        # PC8 (code page 437) is the only encoding SIE 4 allows; a profile may say otherwise
        self.encoding = encoding or "cp437"
        if b"#SIETYP" in head and not re.search(rb"#SIETYP\s+4", head):
            raise SourceError(
                _("Only SIE type 4 files (with vouchers) can be imported as the general ledger.")
            )
        self.info = SourceInfo(
            format="sie4",
            headers=list(HEADERS),
            encoding=self.encoding,
            header_row=0,
            size=path.stat().st_size,
            estimated_rows=path.stat().st_size // 60,
            decimal=".",
        )

    def batches(self) -> Iterator[Batch]:
        columns: list[list[str | None]] = [[] for _ in HEADERS]
        rows: list[int] = []
        voucher: list[str] | None = None
        with self.path.open("r", encoding=self.encoding, errors="strict", newline="") as fh:
            number = 0
            try:
                for number, line in enumerate(fh, start=1):  # noqa: B007 - number is used after the loop
                    stripped = line.strip()
                    if stripped.startswith("#VER"):
                        voucher = tokens(stripped)[1:]
                    elif stripped == "}":
                        voucher = None
                    elif stripped.startswith("#TRANS"):
                        if voucher is None:
                            self.bad_rows.append(
                                BadRow(
                                    number, _("#TRANS outside a #VER block."), {}, stripped[:500]
                                )
                            )
                            continue
                        values = self._row(voucher, tokens(stripped)[1:])
                        for i, value in enumerate(values):
                            columns[i].append(value)
                        rows.append(number)
                        if len(rows) >= BATCH_ROWS:
                            yield Batch(columns, rows)
                            columns, rows = [[] for _ in HEADERS], []
            except UnicodeDecodeError:
                raise SourceError(
                    _(
                        "The file is not valid %(encoding)s text (after row %(row)s). Choose the file's "
                        "encoding or save it as UTF-8."
                    ),
                    {"encoding": self.encoding, "row": number},
                ) from None
        if rows:
            yield Batch(columns, rows)

    @staticmethod
    def _row(voucher: list[str], trans: list[str]) -> list[str | None]:
        # #VER serie vernr verdatum vertext regdatum sign
        series, number, ver_date, ver_text, reg_date, ver_sign = (voucher + [""] * 6)[:6]
        # #TRANS kontonr {objektlista} belopp transdat transtext kvantitet sign
        account, objs, amount, trans_date, trans_text, _qty, sign = (trans + [""] * 7)[:7]
        dims = objects(objs) if objs.startswith("{") else {}
        return [
            f"{series}-{number}" if series else number,
            _iso(trans_date or ver_date),
            account,
            amount,
            series or None,
            trans_text or ver_text or None,
            sign or ver_sign or None,
            _iso(reg_date),
            dims.get("1"),
            dims.get("6"),
        ]
