"""Spreadsheet-safe cells: a value starting with = + - @ (or a tab/CR) is never run as a formula."""

from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        # a plain negative number is data, not a formula
        try:
            float(text.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
            return text
        except ValueError:
            return "'" + text
    return text
