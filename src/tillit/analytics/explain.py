"""A hit's sentence: the one renderer, with typed values kept to the end.

A control's explanation is an English template with named placeholders; the values are what
the query returned, typed (Decimal for amounts, int, float, date, datetime, str). They are
formatted by their type only, never guessed from a parameter's name:

- Decimal: an amount, `1 234 567,50 kr`
- int: a count, `1 234`
- float: a measure (a mean absolute deviation …), six significant digits with a decimal comma
- date: `2026-11-22`; datetime: `2026-11-22 14:05` (as the query returned it, Swedish wall-clock
  time where the control computes local_time())
- anything else: as it is

Stored hits keep their values typed in JSON (`to_json`/`from_json`: a Decimal is
`{"$decimal": "776686.95"}`, a date `{"$date": "2025-05-05"}`), so the review queue, the hit page,
exports, case documents and docs/controls all render the same sentence with `render`.
Pure Python: no Django (the web app passes its gettext as `translate`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from tillit.lib.formats import format_amount, format_date, format_integer

_TAGS = ("$decimal", "$date", "$datetime")


def format_value(value: Any) -> Any:
    """A typed value as a Swedish reader expects it; None and booleans as they are."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, int):
        return format_integer(value)
    if isinstance(value, float):
        return format(value, ".6g").replace(".", ",")
    if isinstance(value, date):  # datetime included
        return format_date(value)
    return value


def render(
    template: str, params: Mapping[str, Any], translate: Callable[[str], str] = lambda s: s
) -> str:
    """Translate the template, then fill it with the formatted values."""
    return translate(template) % {k: format_value(v) for k, v in params.items()}


def to_json(value: Any) -> Any:
    """Typed values as JSON-safe values that `from_json` gives back with their types."""
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    return value


def from_json(value: Any) -> Any:
    """The inverse of `to_json`. Values stored before types were kept come back as they were."""
    if isinstance(value, dict):
        if len(value) == 1:
            [(tag, raw)] = value.items()
            if tag in _TAGS and isinstance(raw, str):
                try:
                    if tag == "$decimal":
                        return Decimal(raw)
                    if tag == "$datetime":
                        return datetime.fromisoformat(raw)
                    return date.fromisoformat(raw)
                except (InvalidOperation, ValueError):
                    return raw
        return {k: from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v) for v in value]
    return value
