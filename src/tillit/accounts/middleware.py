"""Two-factor authentication is required for every role that can see personal data."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

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


class PersonalDataMiddleware:
    """One access-log row for each page of personal data shown, and no caching of any of it.

    A page listed in accounts.personal_data.PERSONAL that answered 200 gets one row, unless
    the view wrote one itself. Every response to a signed-in user and every API response is
    `Cache-Control: no-store`, so no browser or proxy keeps a copy of personal data.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from tillit.accounts.personal_data import log_page, page_for

        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path.startswith("/api/"):
            patch_cache_control(response, no_store=True, no_cache=True, private=True)
        if (
            signed_in
            and response.status_code == 200
            and not getattr(request, "_tillit_access_logged", False)
        ):
            page = page_for(request)
            if page is not None:
                log_page(request, page)
        return response
