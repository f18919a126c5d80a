"""Template filters for Swedish formats: {{ amount|kr }}, {{ n|tal }}, {{ d|datum }}."""

from django import template

from tillit.lib.formats import format_amount, format_date, format_integer

register = template.Library()


@register.filter
def kr(value):
    return format_amount(value)


@register.filter
def tal(value):
    return format_integer(value)


@register.filter
def datum(value):
    return format_date(value)


@register.filter
def kolumn(name):
    """A canonical column's readable name in the active language: {{ "supplier_id"|kolumn }}."""
    from django.utils.translation import gettext

    from tillit.analytics.labels import column_label

    return gettext(column_label(str(name)))
