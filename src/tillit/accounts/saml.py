"""Single sign-on over SAML 2.0 (Sambi, Entra ID, a municipality's own IdP), off by default.

The AuthnRequest, the Response's XML signature (checked by the xmlsec1 program against the
certificate in the identity provider's metadata), its audience, destination, validity window and
InResponseTo (an unsolicited or replayed Response is refused) are djangosaml2's and pysaml2's.
Tillit adds what it adds to OpenID Connect (accounts/sso.py, shared with oidc.py):

- the person is matched to an **existing, active** Tillit user by one attribute
  (`TILLIT_SAML_USER_ATTRIBUTE`, e.g. `mail` or `eduPersonPrincipalName`); no user is created;
- the role and municipality come from Tillit's user table, unless the municipality trusts the
  identity provider with them: `TILLIT_SAML_ROLE_ATTRIBUTE` (mapped by `TILLIT_SAML_ROLES`) and
  `TILLIT_SAML_MUNICIPALITY_ATTRIBUTE` (a municipality code). Then a value that maps to no
  role (or to two) or names no municipality refuses the sign-in, and a change is written to the
  access log as the identity provider's;
- the second factor is still asked by Tillit (accounts.middleware) for every role that sees
  personal data, as after a password;
- each sign-in, and each refusal with its reason, is written to the security log; the person
  gets a page in Swedish (403).

Without the xmlsec1 program nothing is signed in over SAML: start-up logs why (in Swedish),
`tillit manage check` reports it, and the sign-in pages say so.
"""

from __future__ import annotations

import logging
import os
import shutil

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from djangosaml2 import views as saml_views
from saml2 import BINDING_HTTP_POST
from saml2.config import SPConfig

from tillit.accounts import sso
from tillit.accounts.models import Municipality, Role

logger = logging.getLogger("tillit.security")

# why a sign-in was refused: the reason in the security log and the message the person reads
REFUSALS = {
    "no user": "no active Tillit user with that {field}",
    "role": "the identity provider's role is not one that Tillit maps",
    "municipality": "the identity provider's municipality is not one of Tillit's",
    "response": "the SAML response failed validation",
    "unavailable": "xmlsec1 is not installed",
}


def xmlsec_binary() -> str | None:
    """The xmlsec1 program that checks the XML signatures, or None when there is none."""
    configured = getattr(settings, "SAML_XMLSEC_BINARY", "")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("xmlsec1")


def unavailable_message() -> str:
    return _(
        "SAML single sign-on is switched on (TILLIT_SAML_ENABLED), but the program xmlsec1 that "
        "checks the identity provider's signatures is not installed. Nobody can sign in with "
        "SAML until it is: install the Debian package xmlsec1, or name the program in "
        "TILLIT_SAML_XMLSEC_BINARY."
    )


def role_map() -> dict[str, str]:
    try:
        return sso.parse_role_map(settings.SAML_ROLES)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"TILLIT_SAML_ROLES: {exc!s} is not value=role with one of Tillit's roles "
            f"({', '.join(Role.values)})"
        ) from None


def check_at_start_up() -> None:
    """Called by the accounts app when SAML is on: a bad role table stops start-up; a missing
    xmlsec1 is logged (SAML then refuses every sign-in, local accounts and OIDC still work)."""
    if settings.SAML_ROLE_ATTRIBUTE:
        role_map()
    if xmlsec_binary() is None:
        logger.error(unavailable_message())


@checks.register(checks.Tags.security)
def check_xmlsec(app_configs=None, **kwargs):
    if getattr(settings, "SAML_ENABLED", False) and xmlsec_binary() is None:
        return [checks.Warning(unavailable_message(), id="tillit.W_SAML_XMLSEC")]
    return []


def sp_config(request=None) -> SPConfig:
    """pysaml2's SP configuration from the TILLIT_SAML_* settings (djangosaml2's config loader).

    The ACS address is the one the request came to (its host is one of ALLOWED_HOSTS; behind a
    proxy the scheme comes from X-Forwarded-Proto), so no separate base URL is configured. The
    configuration, with the identity provider's metadata, is read once per address and settings
    (a metadata URL is fetched at the first sign-in, not at every one; restart to read it again).
    """
    acs_path = reverse("accounts-saml-acs")
    acs = request.build_absolute_uri(acs_path) if request is not None else acs_path
    key = (
        acs,
        settings.SAML_SP_ENTITY_ID,
        settings.SAML_IDP_METADATA_FILE,
        settings.SAML_IDP_METADATA_URL,
        settings.SAML_SP_KEY_FILE,
        settings.SAML_SP_CERT_FILE,
        xmlsec_binary(),
    )
    if key not in _CONFIGS:
        _CONFIGS.clear()  # one identity provider: only the latest settings are kept
        _CONFIGS[key] = _load_config(acs)
    return _CONFIGS[key]


_CONFIGS: dict[tuple, SPConfig] = {}


def _load_config(acs: str) -> SPConfig:
    metadata: dict = {}
    if settings.SAML_IDP_METADATA_FILE:
        metadata["local"] = [settings.SAML_IDP_METADATA_FILE]
    if settings.SAML_IDP_METADATA_URL:
        metadata["remote"] = [{"url": settings.SAML_IDP_METADATA_URL}]
    signing = bool(settings.SAML_SP_KEY_FILE)
    config: dict = {
        "entityid": settings.SAML_SP_ENTITY_ID,
        "xmlsec_binary": xmlsec_binary(),
        "metadata": metadata,
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "name": "Tillit",
                "endpoints": {"assertion_consumer_service": [(acs, BINDING_HTTP_POST)]},
                # only answers to our own AuthnRequests, each once
                "allow_unsolicited": False,
                # the assertion must carry the identity provider's signature
                "want_assertions_signed": True,
                "want_response_signed": False,
                "authn_requests_signed": signing,
                "only_use_keys_in_metadata": True,
            }
        },
    }
    if signing:
        config["key_file"] = settings.SAML_SP_KEY_FILE
        config["cert_file"] = settings.SAML_SP_CERT_FILE
        # encrypted assertions (Sambi asks for an encryption certificate) are decrypted with it
        config["encryption_keypairs"] = [
            {"key_file": settings.SAML_SP_KEY_FILE, "cert_file": settings.SAML_SP_CERT_FILE}
        ]
    conf = SPConfig()
    conf.load(config)
    return conf


def _values(attributes: dict, name: str) -> list[str]:
    if not name:
        return []
    values = attributes.get(name) or []
    if isinstance(values, str):
        values = [values]
    return [str(v).strip() for v in values if str(v).strip()]


class SAMLBackend(ModelBackend):
    """Signs in the Tillit user named by a validated SAML assertion (never creates one)."""

    def authenticate(self, request, session_info=None, **kwargs):
        if session_info is None or "ava" not in session_info:
            return None
        attributes = session_info["ava"]
        issuer = str(session_info.get("issuer") or "")
        values = _values(attributes, settings.SAML_USER_ATTRIBUTE)
        users = list(sso.matching_users(values[0] if values else "", settings.SAML_USER_FIELD)[:2])
        if len(users) != 1:
            return _refuse(request, "no user", attribute=settings.SAML_USER_ATTRIBUTE)
        user = users[0]
        role = ""
        if settings.SAML_ROLE_ATTRIBUTE:
            role = sso.mapped_role(_values(attributes, settings.SAML_ROLE_ATTRIBUTE), role_map())
            if role is None:
                return _refuse(request, "role", user=user.username)
        municipality = None
        if settings.SAML_MUNICIPALITY_ATTRIBUTE:
            codes = _values(attributes, settings.SAML_MUNICIPALITY_ATTRIBUTE)
            municipality = Municipality.objects.filter(code__in=codes[:1]).first()
            if municipality is None:
                return _refuse(request, "municipality", user=user.username)
        from tillit.accounts.services import user_assign_from_identity_provider

        user_assign_from_identity_provider(
            target=user, role=role, municipality=municipality, issuer=issuer, request=request
        )
        if not self.user_can_authenticate(user):
            return None
        return user


def _refuse(request, reason: str, **extra) -> None:
    field = getattr(settings, "SAML_USER_FIELD", "email")
    sso.log_refusal(
        REFUSALS[reason].format(field=field),
        protocol="saml",
        path=getattr(request, "path", ""),
        **extra,
    )
    if request is not None:
        request.tillit_sso_refusal = reason
    return None


def _enabled() -> None:
    if not getattr(settings, "SAML_ENABLED", False):
        raise Http404


def refused_page(request, reason: str):
    """The page a refused person sees (403): what to do, in Swedish."""
    if reason == "unavailable":
        message = unavailable_message()
    elif reason == "role":
        message = _(
            "Single sign-on did not sign you in: the identity provider gave you no role that "
            "Tillit knows. Ask the municipality's administrator of the identity provider or of "
            "Tillit, or sign in with your user name and password."
        )
    elif reason == "municipality":
        message = _(
            "Single sign-on did not sign you in: the identity provider named no municipality "
            "that Tillit knows. Ask Tillit's administrator, or sign in with your user name and "
            "password."
        )
    elif reason == "no user":
        message = _(
            "Single sign-on did not sign you in. Your account in Tillit must exist and be "
            "active, with the same %(field)s as at the identity provider; ask Tillit's "
            "administrator, or sign in with your user name and password."
        ) % {
            "field": _("e-mail address") if settings.SAML_USER_FIELD == "email" else _("user name")
        }
    else:
        message = _(
            "Single sign-on did not sign you in: the answer from the identity provider could not "
            "be verified (signature, validity or recipient). Try again from the login page; if "
            "it happens again, tell Tillit's administrator the time."
        )
    return render(
        request, "accounts/sso_refused.html", {"message": message, "reason": reason}, status=403
    )


class StartView(saml_views.LoginView):
    """Sends the browser to the identity provider with an AuthnRequest (404 while SAML is off)."""

    def dispatch(self, request, *args, **kwargs):
        _enabled()
        if xmlsec_binary() is None:
            logger.error(unavailable_message())
            return refused_page(request, "unavailable")
        return super().dispatch(request, *args, **kwargs)


class AcsView(saml_views.AssertionConsumerServiceView):
    """The identity provider's Response (HTTP-POST): signed in (then the second factor), or a
    403 page in Swedish."""

    def dispatch(self, request, *args, **kwargs):
        _enabled()
        if xmlsec_binary() is None:
            logger.error(unavailable_message())
            return refused_page(request, "unavailable")
        return super().dispatch(request, *args, **kwargs)

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        reason = getattr(request, "tillit_sso_refusal", "")
        if not reason:
            reason = "response"
            sso.log_refusal(
                f"{REFUSALS[reason]}: {type(exception).__name__}: {exception}",
                protocol="saml",
                path=request.path,
            )
        return refused_page(request, reason)

    def post_login_hook(self, request, user, session_info) -> None:
        sso.log_sign_in(user, "saml")


class MetadataView(saml_views.MetadataView):
    """Tillit's SP metadata for the identity provider's administrator (404 while SAML is off)."""

    def dispatch(self, request, *args, **kwargs):
        _enabled()
        return super().dispatch(request, *args, **kwargs)
