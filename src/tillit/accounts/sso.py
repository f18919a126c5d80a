"""What single sign-on over OpenID Connect (oidc.py) and SAML 2.0 (saml.py) share.

- A person is matched to an **existing, active** Tillit user by one value from the identity
  provider (a claim or an attribute), compared with the user's e-mail address (any case) or user
  name (exactly). No user is ever created by a sign-in.
- Where an identity provider is trusted with roles (SAML's `TILLIT_SAML_ROLE_ATTRIBUTE`), its
  values are mapped to Tillit's roles through one explicit table; a value the table does not
  name gives no role, and values that name two different roles give none either.
- Each sign-in is written to the security log in the same words, whatever the protocol.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db.models import QuerySet

from tillit.accounts.models import Role, User

logger = logging.getLogger("tillit.security")

# how the provider's value is compared with a field of Tillit's user table
USER_LOOKUPS = {"email": "email__iexact", "username": "username"}


def matching_users(value: str, field: str) -> QuerySet[User]:
    """The active Tillit users with one of Tillit's roles whose `field` is `value`."""
    value = (value or "").strip()
    if not value:
        return User.objects.none()
    return User.objects.filter(**{USER_LOOKUPS[field]: value}, is_active=True, role__in=Role.values)


def parse_role_map(text: str) -> dict[str, str]:
    """`value=role,value=role` (from the environment) as a dict; ValueError naming a bad entry."""
    mapping: dict[str, str] = {}
    for entry in text.split(","):
        if not entry.strip():
            continue
        value, sep, role = entry.rpartition("=")
        value, role = value.strip(), role.strip()
        if not sep or not value or role not in Role.values:
            raise ValueError(entry.strip())
        mapping[value] = role
    return mapping


def mapped_role(values: Iterable[str], mapping: dict[str, str]) -> str | None:
    """The one Tillit role that the provider's values map to, or None (unknown or ambiguous)."""
    roles = {mapping[v] for v in values if v in mapping}
    return roles.pop() if len(roles) == 1 else None


def log_sign_in(user: User, protocol: str) -> None:
    logger.info(
        "single sign-on",
        extra={"user": user.username, "municipality": user.municipality_id, "protocol": protocol},
    )


def log_refusal(reason: str, **extra) -> None:
    logger.warning("single sign-on refused: %s", reason, extra=extra)
