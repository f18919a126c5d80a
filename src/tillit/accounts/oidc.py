"""Single sign-on with the municipality's identity provider over OpenID Connect (off by default).

The authorisation-code flow (with PKCE, state and nonce), the token request and the ID token's
signature check against the provider's published keys are mozilla-django-oidc's. Tillit adds:

- the issuer, the audience (our client id) and an expiry are required in the ID token (the
  library checks the signature, the algorithm, the nonce and an expiry that is present, but
  neither the issuer nor the audience);
- the person is matched to an **existing, active** Tillit user by one claim
  (`TILLIT_OIDC_CLAIM`, e.g. `email`, or `preferred_username`/`oid` against the user name):
  no user is ever created from a sign-in, and the role and municipality come only from
  Tillit's own user table;
- the second factor is still asked by Tillit (accounts.middleware) for every role that sees
  personal data, as after a password;
- each sign-in, and each refusal with its reason, is written to the security log.

Configured by the TILLIT_OIDC_* variables (docs/configuration.md); set-up in docs/operations.md.
"""

from __future__ import annotations

import logging

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from tillit.accounts import sso

logger = logging.getLogger("tillit.security")


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matching existing Tillit users only."""

    def verify_token(self, token, **kwargs):
        try:
            payload = super().verify_token(token, **kwargs)
        except jwt.InvalidTokenError as exc:
            # the library turns only a bad signature into SuspiciousOperation; an expired or
            # premature token would otherwise be a server error
            raise SuspiciousOperation(f"ID token refused: {exc}") from None
        issuer = settings.OIDC_OP_ISSUER.rstrip("/")
        if str(payload.get("iss", "")).rstrip("/") != issuer:
            raise SuspiciousOperation("ID token from another issuer")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token for another client")
        if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token with several audiences and another azp")
        if "exp" not in payload:
            raise SuspiciousOperation("ID token without expiry")
        return payload

    def _claim(self, claims) -> str:
        return str(claims.get(settings.OIDC_USER_CLAIM) or "").strip()

    def verify_claims(self, claims) -> bool:
        return bool(self._claim(claims))

    def filter_users_by_claims(self, claims):
        # the role comes from Tillit's own user table; a user without one of its roles is refused
        return sso.matching_users(self._claim(claims), settings.OIDC_USER_FIELD)

    def create_user(self, claims):
        # never: an administrator creates the user (with a role) in Tillit first
        return None

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        request = getattr(self, "request", None)
        if user is None:
            sso.log_refusal(
                f"no active Tillit user with that {settings.OIDC_USER_FIELD}",
                claim=settings.OIDC_USER_CLAIM,
                path=getattr(request, "path", ""),
            )
        else:
            sso.log_sign_in(user, "oidc")
        return user


def _enabled() -> None:
    if not getattr(settings, "OIDC_ENABLED", False):
        raise Http404


class StartView(OIDCAuthenticationRequestView):
    """Sends the browser to the identity provider (404 while single sign-on is off)."""

    def dispatch(self, request, *args, **kwargs):
        _enabled()
        return super().dispatch(request, *args, **kwargs)


class CallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer: signed in (then the second factor), or back to the login page with
    the reason in Swedish."""

    def dispatch(self, request, *args, **kwargs):
        _enabled()
        try:
            return super().dispatch(request, *args, **kwargs)
        except SuspiciousOperation as exc:
            logger.warning("single sign-on refused: %s", exc, extra={"path": request.path})
            return self.login_failure()
        except requests.RequestException as exc:
            logger.error("identity provider not reachable: %s", exc, extra={"path": request.path})
            return self.login_failure()

    @property
    def failure_url(self):
        return reverse("accounts-login")

    def login_failure(self):
        messages.error(
            self.request,
            _(
                "Single sign-on did not sign you in. Your account in Tillit must exist and be "
                "active, with the same %(field)s as at the identity provider; ask Tillit's "
                "administrator, or sign in with your user name and password."
            )
            % {
                "field": _("e-mail address")
                if settings.OIDC_USER_FIELD == "email"
                else _("user name")
            },
        )
        return super().login_failure()
