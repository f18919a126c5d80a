"""The client's address: from the trusted proxy's header only when TILLIT_BEHIND_PROXY is set.

Without a proxy, REMOTE_ADDR is the client. Behind one (operations.md: nginx on the same
machine), REMOTE_ADDR is the proxy, and the client is the last address in X-Forwarded-For
that the proxy added. The header is believed only when the request really came from a
trusted proxy (TILLIT_TRUSTED_PROXY), so nobody else can claim an address. The lockout
(django-axes) and the access log both use this.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    remote = _valid(request.META.get("REMOTE_ADDR") or "")
    if not getattr(settings, "BEHIND_PROXY", False) or remote not in settings.TRUSTED_PROXIES:
        return remote
    forwarded = [
        a for a in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if a.strip()
    ]
    # walk from the right: the proxy appended the address it saw; earlier entries are the client's claims
    for address in reversed(forwarded):
        valid = _valid(address)
        if valid is None:
            return remote
        if valid not in settings.TRUSTED_PROXIES:
            return valid
    return remote
