"""Charts drawn on the server as SVG: no JavaScript, Swedish number formats, and always paired with
a table (the template shows the figures as a table beside or under the chart).

Each function returns safe SVG markup. The SVG is `role="img"` with a title and a short
description; the numbers themselves are in the table, which is what screen readers read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tillit.lib.formats import format_integer

# Colours with at least 3:1 against white (WCAG 1.4.11 for graphics); text is drawn in --ink.
PALETTE = ("#0b4f8a", "#b3541e", "#1d6b32", "#6b3fa0", "#8a6d00", "#a4121b", "#2a7f8a", "#5c5c5c")
INK = "#1b1b1b"
GRID = "#d6d9de"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | int | Decimal
    text: str  # the value as shown (Swedish format)


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
    base = 10 ** exponent
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * base:
            return step * base
    return 10 * base


def _svg(width: int, height: int, title: str, desc: str, body: list[str], css_class: str) -> SafeString:
    ident = f"c{abs(hash((title, desc))) % 10**8}"
    return mark_safe(  # noqa: S308 - every text below went through escape()
        f'<svg class="chart {css_class}" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" font-family="{escape(FONT)}" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        + "".join(body) + "</svg>"
    )


def hbar(bars: Sequence[Bar], *, title: str, desc: str, colour: str = PALETTE[0], width: int = 560) -> SafeString:
    """Horizontal bars, one per label, the value written at the end of each bar."""
    label_w, value_w, row_h, gap = 170, 120, 26, 8
    height = max(1, len(bars)) * (row_h + gap) + gap
    top = max((float(b.value) for b in bars), default=0)
    scale = (width - label_w - value_w) / (top or 1)
    body = []
    for i, b in enumerate(bars):
        y = gap + i * (row_h + gap)
        w = max(2.0, float(b.value) * scale) if float(b.value) > 0 else 0
        body.append(
            f'<text x="{label_w - 8}" y="{y + row_h * 0.68:.1f}" text-anchor="end" font-size="14" fill="{INK}">'
            f"{escape(_clip(b.label, 22))}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{row_h}" rx="3" fill="{colour}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + row_h * 0.68:.1f}" font-size="14" fill="{INK}" '
            f'font-weight="600">{escape(b.text)}</text>'
        )
    return _svg(width, height, title, desc, body, "chart-hbar")


def columns(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | int | Decimal]]], *, title: str,
            desc: str, width: int = 560, height: int = 220, kr: bool = False) -> SafeString:
    """Grouped columns per month (or any category), a y axis with three grid lines and a legend."""
    left, right, top, bottom = 56, 8, 28 if len(series) > 1 else 10, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((float(v) for _name, values in series for v in values), default=0)
    y_max = max(4.0, _nice_max(peak)) if not kr else _nice_max(peak)
    body = []
    for k in range(5):
        value = y_max * k / 4
        y = top + plot_h - plot_h * k / 4
        label = short_number(value) if kr else format_integer(round(value))
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
                    f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="{INK}">'
                    f"{escape(label)}</text>")
    n = max(1, len(labels))
    slot = plot_w / n
    bar_w = max(2.0, (slot * 0.72) / max(1, len(series)))
    for s, (_name, values) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        for i, v in enumerate(values):
            h = plot_h * float(v) / y_max if y_max else 0
            x = left + i * slot + slot * 0.14 + s * bar_w
            body.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                        f'fill="{colour}"/>')
    every = 1 if n <= 12 else 2
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = left + i * slot + slot / 2
        body.append(f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="12" '
                    f'fill="{INK}">{escape(label)}</text>')
    if len(series) > 1:
        x = left
        for s, (name, _values) in enumerate(series):
            colour = PALETTE[s % len(PALETTE)]
            body.append(f'<rect x="{x}" y="4" width="12" height="12" rx="2" fill="{colour}"/>'
                        f'<text x="{x + 16}" y="14" font-size="13" fill="{INK}">{escape(name)}</text>')
            x += 26 + 7 * len(name)
    return _svg(width, height, title, desc, body, "chart-columns")


def sparkline(values: Sequence[float | int | Decimal], *, title: str, desc: str, colour: str = PALETTE[0],
              width: int = 160, height: int = 40) -> SafeString:
    """A small line of the last months for a figure card."""
    vals = [float(v) for v in values]
    if not vals:
        vals = [0]
    peak = max(vals) or 1
    step = width / max(1, len(vals) - 1)
    points = " ".join(f"{i * step:.1f},{height - 4 - (height - 8) * v / peak:.1f}" for i, v in enumerate(vals))
    last_x, last_y = points.split(" ")[-1].split(",")
    body = [f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5" '
            f'stroke-linejoin="round" stroke-linecap="round"/>',
            f'<circle cx="{last_x}" cy="{last_y}" r="3.5" fill="{colour}"/>']
    return _svg(width, height, title, desc, body, "chart-spark")


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
