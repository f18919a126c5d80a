"""Who may call which part of the REST API: the same permissions as the pages, within a token's scopes.

The apps' API modules call `require_api(request, perm)`; it lives here, in accounts beside
access.py, so that they need nothing from config (which mounts their routers).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import HttpError

from tillit.accounts.access import has_perm

# which token scope an API permission needs (a token acts for its user, within its scopes)
# (the tips inbox has no scope: reports are read by their receivers, never through a token)
SCOPE_FOR_PERM = {
    "controls.view": "hits:read",
    "cases.view": "cases:read",
    "data.view": "data:read",
    "risks.view": "risks:read",
    "risks.edit": "risks:write",
    "plans.view": "plans:read",
    "plans.edit": "plans:write",
    "reports.view": "reports:read",
    "overview.view": "reports:read",
}


def require_api(request: HttpRequest, perm: str) -> None:
    if not has_perm(request.user, perm):
        raise HttpError(403, "Forbidden")
    token = getattr(request, "api_token", None)
    if token is not None and SCOPE_FOR_PERM.get(perm) not in (token.scopes or []):
        raise HttpError(403, "The token's scopes do not cover this")
