"""Two-factor authentication is required for every role that can see personal data."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse

from tillit.accounts.access import requires_two_factor

_OPEN_PREFIXES = ("/static/", "/health", "/i18n/", "/tips/", "/visselblasning/")


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
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            allowed = {reverse("accounts-otp"), reverse("accounts-logout")}
            if request.path not in allowed:
                return redirect(f"{reverse('accounts-otp')}?next={request.get_full_path()}")
        return self.get_response(request)
