"""Figures as the lägesbild shows them: Swedish formats, suppressed counts as “färre än 5”, bar widths."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from tillit.cases.selectors import SUPPRESS_BELOW, Suppressed
from tillit.lib.formats import format_amount, format_integer

register = template.Library()


@register.filter
def figure(value):
    """An integer count, or “<5” when it is suppressed; empty for None."""
    if value is None:
        return "–"
    if isinstance(value, Suppressed):
        return f"<{SUPPRESS_BELOW}"
    return format_integer(int(value))


@register.filter
def amount(value):
    if value is None:
        return "–"
    if isinstance(value, Suppressed):
        return _("not shown (fewer than 5)")
    return format_amount(value)


@register.filter
def mkr(value):
    """Large amounts on cards: 12 345 678 kr -> '12,3 mnkr'."""
    from tillit.reports.charts import short_number

    if value is None or isinstance(value, Suppressed):
        return amount(value)
    return short_number(Decimal(value))


@register.filter
def share(value, top):
    """A bar's width in percent of the largest value (at least 1 % for anything above zero)."""
    try:
        v, t = float(value), float(top)
    except (TypeError, ValueError):
        return 0
    if t <= 0 or v <= 0:
        return 0
    return max(1, round(100 * v / t))


@register.filter
def percent(value):
    if value is None:
        return "–"
    return f"{float(value) * 100:.0f}\u00a0%".replace(".", ",")


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key) if mapping else key


@register.inclusion_tag("reports/_nav.html", takes_context=True)
def reports_nav(context, current: str):
    """The lägesbild's own sections, each shown only to roles that may open it."""
    from django.urls import reverse

    from tillit.accounts.access import has_perm

    user = context["request"].user
    sections = [
        ("overview", _("Overview"), "reports-overview", "overview.view"),
        ("flows", _("Flow map"), "reports-flows", "controls.view"),
        ("effectiveness", _("Control effectiveness"), "reports-effectiveness", "controls.view"),
        ("figures", _("Follow-up figures"), "reports-figures", "reports.view"),
        ("reports", _("Board report"), "reports-list", "reports.view"),
    ]
    return {
        "items": [
            {"key": key, "label": label, "url": reverse(name), "current": key == current}
            for key, label, name, perm in sections
            if has_perm(user, perm)
        ]
    }


@register.filter
def definition_title(key: str) -> str:
    titles = {
        "hits": _("Hits"),
        "cases": _("Cases opened"),
        "police": _("Police reports"),
        "notifications_skv": _("Notifications to Skatteverket"),
        "notifications_other": _("Notifications to others"),
        "claims_decided": _("Recovery claims decided"),
        "claims_paid": _("Paid back"),
        "claims_written_off": _("Written off"),
        "sanctions": _("Sanctions"),
        "stopped": _("Stopped before payment"),
        "screened": _("Hits screened"),
        "investigated": _("Cases investigated"),
        "claims_crime": _("Claims linked to suspected crime"),
        "households": _("Households"),
    }
    return titles.get(key, key)


@register.simple_tag
def cell(value, index, table):
    from tillit.reports.board_report import cell_text

    return cell_text(value, kr=index in table.amounts)
