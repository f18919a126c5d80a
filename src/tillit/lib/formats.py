"""Numbers and dates as a Swedish municipal user reads them: 1 234 567,50 kr and 2026-11-22."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"


def format_amount(value: Decimal | float | int | str | None, *, currency: bool = True) -> str:
    """1234567.5 -> '1 234 567,50 kr' (no-break spaces so the number never wraps)."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "−" if number < 0 else ""
    whole, _, fraction = f"{abs(number):.2f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = f"{sign}{NBSP.join(groups)},{fraction}"
    return f"{text}{NBSP}kr" if currency else text


def format_integer(value: int | None) -> str:
    if value is None:
        return ""
    sign = "−" if value < 0 else ""
    digits = str(abs(int(value)))
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return sign + NBSP.join(groups)


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if (
            value.tzinfo is not None
        ):  # an instant is shown in Swedish time, wherever the server runs
            from zoneinfo import ZoneInfo

            value = value.astimezone(ZoneInfo("Europe/Stockholm"))
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()
