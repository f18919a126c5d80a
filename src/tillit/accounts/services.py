"""Writes for organisations, users and tokens. Each runs in one transaction."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from tillit.accounts.models import ApiToken, Board, Municipality, Role, Unit, User


@transaction.atomic
def municipality_create(*, code: str, name: str, boards: list[str] = ()) -> Municipality:
    municipality = Municipality.objects.create(code=code, name=name)
    for board_name in boards:
        Board.objects.create(municipality=municipality, name=board_name)
    return municipality


@transaction.atomic
def unit_create(*, municipality: Municipality, name: str, board: Board | None = None,
                parent: Unit | None = None, kind: str = Unit.Kind.DEPARTMENT) -> Unit:
    return Unit.objects.create(municipality=municipality, name=name, board=board, parent=parent, kind=kind)


@transaction.atomic
def user_create(*, municipality: Municipality, username: str, password: str, role: str,
                first_name: str = "", last_name: str = "", email: str = "",
                board: Board | None = None) -> User:
    if role not in Role.values:
        raise ValueError(f"unknown role {role}")
    user = User(
        municipality=municipality, username=username, role=role, first_name=first_name,
        last_name=last_name, email=email, board=board,
    )
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its key; the key is shown once and only its hash is kept."""
    key = "tlt_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        municipality_id=user.municipality_id, user=user, name=name, prefix=key[:8],
        key_hash=ApiToken.hash(key),
    )
    return token, key


def api_token_authenticate(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
