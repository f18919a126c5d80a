"""Reads for accounts. Every selector takes the acting user and stays inside their municipality."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from tillit.accounts.access import scoped
from tillit.accounts.models import AccessLogEntry, User


def access_log_list(
    *,
    user: User,
    username: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AccessLogEntry]:
    entries = scoped(AccessLogEntry.objects.all(), user)
    if username:
        entries = entries.filter(username__icontains=username)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if date_from:
        entries = entries.filter(at__date__gte=date_from)
    if date_to:
        entries = entries.filter(at__date__lte=date_to)
    return entries


def user_list(*, user: User) -> QuerySet[User]:
    return scoped(User.objects.all(), user).order_by("username")
