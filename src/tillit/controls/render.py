"""How a hit reads: its Swedish explanation with the numbers, and its evidence side by side."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

from tillit.lib.formats import format_amount, format_integer

AMOUNT_HINTS = ("amount", "sum", "total", "belopp", "fee", "limit", "value", "debt")


def _format_param(name: str, value):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int) and not any(h in name for h in AMOUNT_HINTS):
        return format_integer(value)
    if any(h in name for h in AMOUNT_HINTS):
        try:
            return format_amount(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            return value
    return value


def explanation(hit) -> str:
    params = {k: _format_param(k, v) for k, v in (hit.explanation_params or {}).items()}
    text = gettext(hit.explanation_template)
    try:
        return text % params
    except (KeyError, ValueError, TypeError):
        return text


def evidence_tables(evidence: list[dict]) -> list[dict]:
    """Group evidence rows per data set; mark the fields whose values differ between rows."""
    tables: dict[str, dict] = {}
    for item in evidence:
        table = tables.setdefault(item["dataset"], {"dataset": item["dataset"], "columns": [], "rows": []})
        values = item.get("values") or {}
        for column in values:
            if column not in table["columns"]:
                table["columns"].append(column)
        table["rows"].append({"key": item.get("key"), "values": values})
    for table in tables.values():
        differing = {c for c in table["columns"] if len({str(r["values"].get(c)) for r in table["rows"]}) > 1}
        for row in table["rows"]:
            row["cells"] = [{"value": row["values"].get(c), "differs": c in differing} for c in table["columns"]]
    return list(tables.values())
