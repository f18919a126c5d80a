"""Two-factor authentication is required for every role that can see personal data."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse

from tillit.accounts.access import requires_two_factor

_OPEN_PREFIXES = ("/static/", "/health", "/i18n/")
# The public tip and whistleblowing pages are open; their receivers' pages (…/inkomna/) are not.
_PUBLIC_TIPS = ("/tips/", "/visselblasning/")
_TIPS_RECEIVERS = ("/tips/inkomna/", "/visselblasning/inkomna/")


def _open_path(path: str) -> bool:
    if path.startswith(_OPEN_PREFIXES):
        return True
    return path.startswith(_PUBLIC_TIPS) and not path.startswith(_TIPS_RECEIVERS)


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and requires_two_factor(user)
            and not user.is_verified()
            and not _open_path(request.path)
        ):
            allowed = {reverse("accounts-otp"), reverse("accounts-logout")}
            if request.path not in allowed:
                return redirect(f"{reverse('accounts-otp')}?next={request.get_full_path()}")
        return self.get_response(request)
