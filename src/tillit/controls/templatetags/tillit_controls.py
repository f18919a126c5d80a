from django import template

from tillit.controls.render import explanation

register = template.Library()


@register.filter
def explain(hit):
    return explanation(hit)
