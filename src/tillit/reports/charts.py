"""Charts drawn on the server as SVG: no JavaScript, Swedish number formats, and always paired with
a table (the template shows the figures as a table beside or under the chart).

Each function returns safe SVG markup. The SVG is `role="img"` with a title and a short
description; the numbers themselves are in the table, which is what screen readers read.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tillit.lib.formats import format_integer

# Colours with at least 3:1 against white (WCAG 1.4.11 for graphics); text is drawn in --ink.
PALETTE = ("#0b4f8a", "#b3541e", "#1d6b32", "#6b3fa0", "#8a6d00", "#a4121b", "#2a7f8a", "#5c5c5c")
INK = "#1b1b1b"
GRID = "#d6d9de"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def short_number(value: float | int | Decimal) -> str:
    """Amounts in kronor as Swedish reports abbreviate them: 1 234 567 -> '1,2 mnkr',
    12 500 -> '12,5 tkr', 950 -> '950 kr'."""
    v = float(value)
    sign = "−" if v < 0 else ""
    v = abs(v)
    if v >= 1_000_000:
        return f"{sign}{_decimal_comma(v / 1_000_000)}\u00a0mnkr"
    if v >= 10_000:
        return f"{sign}{_decimal_comma(v / 1_000)}\u00a0tkr"
    return sign + format_integer(round(v)) + "\u00a0kr"


def _decimal_comma(v: float) -> str:
    text = f"{v:.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    import math

    exponent = math.floor(math.log10(value))
    base = 10**exponent
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * base:
            return step * base
    return 10 * base


def _nice_step(value: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 25, 50, 100 … that is at least `value`."""
    base = 1
    while True:
        for step in (1, 2, 2.5, 5):
            candidate = step * base
            if candidate >= value and float(candidate).is_integer():
                return int(candidate)
        base *= 10


def _svg(
    width: int, height: int, title: str, desc: str, body: list[str], css_class: str
) -> SafeString:
    ident = f"c{abs(hash((title, desc))) % 10**8}"
    return mark_safe(  # noqa: S308 - every text below went through escape()
        f'<svg class="chart {css_class}" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" font-family="{escape(FONT)}" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def columns(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | int | Decimal]]],
    *,
    title: str,
    desc: str,
    width: int = 560,
    height: int = 220,
    kr: bool = False,
) -> SafeString:
    """Grouped columns per month (or any category), a y axis with three grid lines and a legend."""
    left, right, top, bottom = 56, 8, 28 if len(series) > 1 else 10, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((float(v) for _name, values in series for v in values), default=0)
    y_max = 4 * _nice_step(peak / 4) if not kr else _nice_max(peak)  # counts: four whole steps
    body = []
    for k in range(5):
        value = y_max * k / 4
        y = top + plot_h - plot_h * k / 4
        label = short_number(value) if kr else format_integer(round(value))
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="{INK}">'
            f"{escape(label)}</text>"
        )
    n = max(1, len(labels))
    slot = plot_w / n
    bar_w = max(2.0, (slot * 0.72) / max(1, len(series)))
    for s, (_name, values) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        for i, v in enumerate(values):
            h = plot_h * float(v) / y_max if y_max else 0
            x = left + i * slot + slot * 0.14 + s * bar_w
            body.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{colour}"/>'
            )
    every = 1 if n <= 12 else 2
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = left + i * slot + slot / 2
        body.append(
            f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="12" '
            f'fill="{INK}">{escape(label)}</text>'
        )
    if len(series) > 1:
        x = left
        for s, (name, _values) in enumerate(series):
            colour = PALETTE[s % len(PALETTE)]
            body.append(
                f'<rect x="{x}" y="4" width="12" height="12" rx="2" fill="{colour}"/>'
                f'<text x="{x + 16}" y="14" font-size="13" fill="{INK}">{escape(name)}</text>'
            )
            x += 26 + 7 * len(name)
    return _svg(width, height, title, desc, body, "chart-columns")
