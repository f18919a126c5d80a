"""How a hit reads in the web app: its sentence (analytics.explain) and its evidence side by side."""

from __future__ import annotations

from django.utils.translation import gettext

from tillit.analytics import explain


def explanation(hit) -> str:
    """The hit's sentence in the active language: the one renderer (analytics.explain) over the
    typed values the hit stored, the same as exports, case documents and docs/controls."""
    params = explain.from_json(hit.explanation_params or {})
    try:
        return explain.render(hit.explanation_template, params, gettext)
    except (KeyError, ValueError, TypeError):
        # a template whose placeholders the stored values do not fill (a hit of an older version)
        return gettext(hit.explanation_template)


def evidence_tables(evidence: list[dict]) -> list[dict]:
    """Group evidence rows per data set; mark the fields whose values differ between rows."""
    tables: dict[str, dict] = {}
    for item in evidence:
        table = tables.setdefault(
            item["dataset"], {"dataset": item["dataset"], "columns": [], "rows": []}
        )
        values = item.get("values") or {}
        for column in values:
            if column not in table["columns"]:
                table["columns"].append(column)
        table["rows"].append({"key": item.get("key"), "values": values})
    for table in tables.values():
        differing = {
            c for c in table["columns"] if len({str(r["values"].get(c)) for r in table["rows"]}) > 1
        }
        for row in table["rows"]:
            row["cells"] = [
                {"value": row["values"].get(c), "differs": c in differing} for c in table["columns"]
            ]
    return list(tables.values())
