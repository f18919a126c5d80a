"""Writes for organisations, users and tokens. Each runs in one transaction."""

from __future__ import annotations

import getpass
import logging
import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from tillit.accounts.models import AccessLogEntry, ApiToken, Board, Municipality, Role, Unit, User

security_log = logging.getLogger("tillit.security")

# the longest an API token may live
TOKEN_MAX_DAYS = 365


def _administration(
    *,
    actor: User | None,
    target: User,
    what: str,
    request=None,
    command: str = "",
    actor_name: str = "",
) -> None:
    """User administration goes into the access log (object type "user"), with who did it."""
    from tillit.accounts.network import client_ip

    if actor:
        username = actor.get_username()
    else:
        username = (actor_name or f"cli:{getpass.getuser()}")[:150]
    AccessLogEntry.objects.create(
        municipality_id=target.municipality_id,
        user=actor,
        username=username,
        action=AccessLogEntry.Action.CHANGE,
        object_type=f"user {what}"[:50],
        object_id=target.get_username(),
        path=(request.get_full_path() if request else command or "tillit")[:500],
        ip_address=client_ip(request) if request else None,
    )
    security_log.info(
        "user administration",
        extra={"what": what, "target": target.pk, "actor": actor.pk if actor else None},
    )


@transaction.atomic
def municipality_create(*, code: str, name: str, boards: list[str] = ()) -> Municipality:
    municipality = Municipality.objects.create(code=code, name=name)
    for board_name in boards:
        Board.objects.create(municipality=municipality, name=board_name)
    return municipality


@transaction.atomic
def unit_create(
    *,
    municipality: Municipality,
    name: str,
    board: Board | None = None,
    parent: Unit | None = None,
    kind: str = Unit.Kind.DEPARTMENT,
) -> Unit:
    return Unit.objects.create(
        municipality=municipality, name=name, board=board, parent=parent, kind=kind
    )


@transaction.atomic
def user_create(
    *,
    municipality: Municipality,
    username: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    board: Board | None = None,
    actor: User | None = None,
    request=None,
    validate: bool = True,
) -> User:
    """A new user; the password must pass every validator (ValidationError otherwise)."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role}")
    user = User(
        municipality=municipality,
        username=username,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        board=board,
    )
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    # user administration is in the log whatever the path (web page, command line, set-up)
    _administration(actor=actor, target=user, what="created", request=request)
    return user


@transaction.atomic
def user_assign_from_identity_provider(
    *, target: User, role: str, municipality: Municipality | None, issuer: str, request=None
) -> list[str]:
    """Single sign-on that is trusted with roles (SAML) sets the user's role and municipality.

    Each change goes into the access log like an administrator's, the identity provider named as
    who made it; the names of the changed fields are returned.
    """
    changed = []
    if role and target.role != role:
        target.role = role
        changed.append("role")
    fields = []
    if municipality is not None and target.municipality_id != municipality.pk:
        target.municipality = municipality
        changed.append("municipality")
        if target.board_id is not None:
            target.board = None  # the old municipality's board
            fields.append("board")
    if changed:
        target.save(update_fields=[*changed, *fields])
        _administration(
            actor=None,
            target=target,
            what=" and ".join(changed) + " from identity provider",
            request=request,
            actor_name=f"sso:{issuer}",
        )
    return changed


@transaction.atomic
def user_disable(
    *, target: User, actor: User | None = None, request=None, command: str = ""
) -> None:
    """The user can no longer log in; their history and log entries stay."""
    target.is_active = False
    target.save(update_fields=["is_active"])
    _administration(actor=actor, target=target, what="disabled", request=request, command=command)


@transaction.atomic
def user_reset_two_factor(
    *, target: User, actor: User | None = None, request=None, command: str = ""
) -> int:
    """The user's one-time code devices are removed; they enrol a new one at next login."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    removed, _detail = TOTPDevice.objects.filter(user=target).delete()
    _administration(
        actor=actor, target=target, what="second factor reset", request=request, command=command
    )
    return removed


@transaction.atomic
def password_change(*, user: User, new_password: str, request=None) -> None:
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    _administration(actor=user, target=user, what="password changed", request=request)


@transaction.atomic
def password_reset_by_admin(*, actor: User, target: User, new_password: str, request=None) -> None:
    """A temporary password, and the second factor removed so that it is enrolled again at next login."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if actor.municipality_id != target.municipality_id:
        raise PermissionError("another municipality's user")
    validate_password(new_password, target)
    target.set_password(new_password)
    target.save(update_fields=["password"])
    TOTPDevice.objects.filter(user=target).delete()
    _administration(actor=actor, target=target, what="password reset", request=request)


@transaction.atomic
def api_token_create(
    *, user: User, name: str, scopes: list[str] | None = None, days: int = 90, request=None
) -> tuple[ApiToken, str]:
    """Returns the token and its key; the key is shown once and only its hash is kept.

    A token has the scopes asked for (never more than the user's role allows, which is checked
    on every call too) and expires after `days` (at most TOKEN_MAX_DAYS).
    """
    if scopes is None:  # everything the role may read
        from tillit.accounts.access import has_perm
        from tillit.accounts.api_access import SCOPE_FOR_PERM

        scopes = [scope for perm, scope in SCOPE_FOR_PERM.items() if has_perm(user, perm)]
    elif not scopes:
        raise ValueError("a token needs at least one scope")
    scopes = sorted(set(scopes))
    unknown = set(scopes) - set(ApiToken.Scope.values)
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise ValueError("a token lives 1 to 365 days")
    key = "tlt_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        municipality_id=user.municipality_id,
        user=user,
        name=name,
        prefix=key[:8],
        key_hash=ApiToken.hash(key),
        scopes=scopes,
        expires_at=timezone.now() + timedelta(days=days),
    )
    _administration(actor=user, target=user, what=f"token {token.prefix} created", request=request)
    return token, key


def api_token_authenticate(key: str, request=None) -> ApiToken | None:
    """The live token for `key`, or None (unknown, revoked, expired, user inactive). Every use is logged."""
    from tillit.accounts.network import client_ip

    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or (token.expires_at is not None and token.expires_at <= timezone.now()):
        security_log.warning(
            "refused API token", extra={"prefix": key[:8], "expired": token is not None}
        )
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    security_log.info(
        "API token used",
        extra={
            "token": token.prefix,
            "user": token.user_id,
            "path": request.get_full_path() if request else "",
            "address": client_ip(request) if request else "",
        },
    )
    return token


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None = None, request=None) -> None:
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    _administration(
        actor=actor or token.user,
        target=token.user,
        what=f"token {token.prefix} revoked",
        request=request,
    )
