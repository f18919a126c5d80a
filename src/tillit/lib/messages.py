"""Translate the analytics library's English message templates, then fill in their values."""

from __future__ import annotations

from django.utils.translation import gettext


def render(message: str, params: dict | None = None) -> str:
    text = gettext(message)
    if params:
        try:
            return text % params
        except (KeyError, ValueError, TypeError):
            return text
    return text
