"""Issue 15: single sign-on with SAML 2.0 (off by default).

The identity provider is pysaml2's own IdP (saml2.server.Server) configured here, with a key and
certificate made in the test; Tillit's SP has its own. Nothing in djangosaml2 or pysaml2 is
mocked: Tillit's AuthnRequest is parsed by the IdP, the IdP signs its assertion with xmlsec1, and
the Response is POSTed to Tillit's ACS, which checks the signature against the IdP's metadata,
the audience, the recipient and InResponseTo.
"""

from __future__ import annotations

import base64
import datetime
import logging
import os
import shutil
from urllib.parse import parse_qs, urlparse

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.urls import reverse

from tillit.accounts.models import AccessLogEntry, Role, User

# CI installs xmlsec1 (.ci/run) and must run these; elsewhere they are skipped without it
pytestmark = pytest.mark.skipif(
    shutil.which("xmlsec1") is None and not os.environ.get("CI"), reason="xmlsec1 not installed"
)

IDP_ENTITY_ID = "https://idp.kommun-a.example/idp"
IDP_SSO = "https://idp.kommun-a.example/sso/redirect"
SP_ENTITY_ID = "https://tillit.kommun-a.example/saml"
ROLE_ATTRIBUTE = "eduPersonEntitlement"
MUNICIPALITY_ATTRIBUTE = "kommunkod"
ROLES = "urn:kommun-a:tillit:utredare=investigator,urn:kommun-a:tillit:granskare=reviewer"


def _key_and_cert(directory, name: str) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / f"{name}.key", directory / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


def _idp_config(key_file, cert_file, sp_metadata_file=None) -> dict:
    from saml2 import BINDING_HTTP_REDIRECT

    config = {
        "entityid": IDP_ENTITY_ID,
        "xmlsec_binary": shutil.which("xmlsec1"),
        "key_file": key_file,
        "cert_file": cert_file,
        "allow_unknown_attributes": True,
        "signing_algorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "digest_algorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
        "service": {
            "idp": {
                "endpoints": {"single_sign_on_service": [(IDP_SSO, BINDING_HTTP_REDIRECT)]},
                "name_id_format": ["urn:oasis:names:tc:SAML:2.0:nameid-format:transient"],
                "policy": {"default": {"lifetime": {"minutes": 15}}},
            }
        },
    }
    if sp_metadata_file:
        config["metadata"] = {"local": [sp_metadata_file]}
    return config


class IdentityProvider:
    """pysaml2's IdP, trusting Tillit's SP metadata; `answer` is what it does at sign-in."""

    def __init__(self, tmp_path, client, settings):
        from saml2.config import IdPConfig
        from saml2.metadata import entity_descriptor
        from saml2.server import Server

        self.tmp_path = tmp_path
        self.key_file, self.cert_file = _key_and_cert(tmp_path, "idp")
        # the IdP's metadata, as the municipality's IdP publishes it, for Tillit
        idp_metadata = tmp_path / "idp-metadata.xml"
        conf = IdPConfig()
        conf.load(_idp_config(self.key_file, self.cert_file))
        idp_metadata.write_text(str(entity_descriptor(conf)), encoding="utf-8")
        sp_key, sp_cert = _key_and_cert(tmp_path, "sp")
        settings.SAML_ENABLED = True
        settings.SAML_IDP_METADATA_FILE = str(idp_metadata)
        settings.SAML_IDP_METADATA_URL = ""
        settings.SAML_SP_ENTITY_ID = SP_ENTITY_ID
        settings.SAML_SP_KEY_FILE, settings.SAML_SP_CERT_FILE = sp_key, sp_cert
        settings.SAML_USER_ATTRIBUTE, settings.SAML_USER_FIELD = "mail", "email"
        settings.SAML_ROLE_ATTRIBUTE, settings.SAML_ROLES = ROLE_ATTRIBUTE, ROLES
        settings.SAML_MUNICIPALITY_ATTRIBUTE = MUNICIPALITY_ATTRIBUTE
        settings.MIDDLEWARE = [
            *settings.MIDDLEWARE[:3],
            "djangosaml2.middleware.SamlSessionMiddleware",
            *settings.MIDDLEWARE[3:],
        ]
        settings.AUTHENTICATION_BACKENDS = [
            *settings.AUTHENTICATION_BACKENDS,
            "tillit.accounts.saml.SAMLBackend",
        ]
        # Tillit's SP metadata, from Tillit's own metadata page, for the IdP
        page = client.get(reverse("accounts-saml-metadata"))
        assert page.status_code == 200, page.content[:500]
        sp_metadata = tmp_path / "sp-metadata.xml"
        sp_metadata.write_bytes(page.content)
        self.sp_metadata = str(sp_metadata)
        self.server = Server(config=self._config(self.key_file, self.cert_file))

    def _config(self, key_file, cert_file):
        from saml2.config import IdPConfig

        conf = IdPConfig()
        conf.load(_idp_config(key_file, cert_file, self.sp_metadata))
        return conf

    def sign_with_another_key(self):
        """Same entity id, a key whose certificate Tillit's metadata does not have."""
        from saml2.server import Server

        self.server = Server(config=self._config(*_key_and_cert(self.tmp_path, "impostor")))

    def answer(self, redirect_url: str, identity: dict) -> dict:
        """The IdP receives Tillit's AuthnRequest and answers with a signed assertion."""
        from saml2 import BINDING_HTTP_REDIRECT

        assert redirect_url.startswith(IDP_SSO + "?")
        query = {k: v[0] for k, v in parse_qs(urlparse(redirect_url).query).items()}
        request = self.server.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
        assert request.message.issuer.text == SP_ENTITY_ID
        args = self.server.response_args(request.message)
        response = self.server.create_authn_response(
            identity,
            userid="person-1",
            sign_assertion=True,
            sign_response=False,
            authn={
                "class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
            },
            **args,
        )
        return {
            "SAMLResponse": base64.b64encode(str(response).encode()).decode(),
            "RelayState": query.get("RelayState", ""),
        }


@pytest.fixture
def idp(tmp_path, client, settings, db):
    return IdentityProvider(tmp_path, client, settings)


@pytest.fixture
def bob(personas):
    user = personas["investigator"]
    user.email = "bob.utredare@kommun-a.se"
    user.role = Role.REVIEWER  # the IdP's entitlement makes him an investigator
    user.save(update_fields=["email", "role"])
    return user


def _identity(email="Bob.Utredare@Kommun-A.se", role="urn:kommun-a:tillit:utredare", code="1280"):
    identity = {"mail": [email], MUNICIPALITY_ATTRIBUTE: [code]}
    if role:
        identity[ROLE_ATTRIBUTE] = [role] if isinstance(role, str) else role
    return identity


def _start(client, next_url=""):
    response = client.get(
        reverse("accounts-saml-start") + (f"?next={next_url}" if next_url else "")
    )
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def _signed_in_as(client):
    from django.contrib.auth import get_user

    class _Request:
        session = client.session

    user = get_user(_Request())
    return user if user.is_authenticated else None


def test_a_signed_assertion_signs_in_with_the_mapped_role_and_municipality(
    client, idp, bob, kommun_b, caplog
):
    users = User.objects.count()
    form = idp.answer(_start(client, next_url="/arenden/"), _identity())
    with caplog.at_level(logging.INFO, logger="tillit.security"):
        response = client.post(reverse("accounts-saml-acs"), form)
    assert response.status_code == 302 and response["Location"] == "/arenden/"
    user = _signed_in_as(client)
    assert user == bob
    assert user.role == Role.INVESTIGATOR and user.municipality == kommun_b
    assert client.session["_auth_user_backend"] == "tillit.accounts.saml.SAMLBackend"
    assert User.objects.count() == users, "no user is created by a sign-in"
    (signed_in,) = [r for r in caplog.records if r.getMessage() == "single sign-on"]
    assert signed_in.user == "bob" and signed_in.protocol == "saml"
    assert signed_in.municipality == kommun_b.pk
    # the role and municipality the IdP gave are in the access log as the IdP's change
    change = AccessLogEntry.objects.get(
        object_type="user role and municipality from identity provider"
    )
    assert change.username == f"sso:{IDP_ENTITY_ID}" and change.object_id == "bob"
    # the role sees personal data: Tillit's own second factor before any page
    page = client.get("/arenden/")
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts-otp"))


def test_a_tampered_assertion_is_refused(client, idp, bob, caplog):
    form = idp.answer(_start(client), _identity(role="urn:kommun-a:tillit:granskare"))
    xml = base64.b64decode(form["SAMLResponse"]).decode()
    assert "urn:kommun-a:tillit:granskare" in xml
    form["SAMLResponse"] = base64.b64encode(
        xml.replace("urn:kommun-a:tillit:granskare", "urn:kommun-a:tillit:utredare").encode()
    ).decode()
    with caplog.at_level(logging.INFO, logger="tillit.security"):
        response = client.post(reverse("accounts-saml-acs"), form)
    assert response.status_code == 403 and _signed_in_as(client) is None
    assert "svaret från inloggningstjänsten kunde inte kontrolleras" in response.content.decode()
    assert any(
        r.getMessage().startswith("single sign-on refused: the SAML response failed validation")
        for r in caplog.records
    )
    bob.refresh_from_db()
    assert bob.role == Role.REVIEWER


def test_an_assertion_signed_with_another_key_is_refused(client, idp, bob, caplog):
    idp.sign_with_another_key()
    with caplog.at_level(logging.INFO, logger="tillit.security"):
        response = client.post(
            reverse("accounts-saml-acs"), idp.answer(_start(client), _identity())
        )
    assert response.status_code == 403 and _signed_in_as(client) is None
    assert any("SignatureError" in r.getMessage() for r in caplog.records)
    bob.refresh_from_db()
    assert bob.role == Role.REVIEWER and bob.municipality.code == "0180"


def test_a_replayed_response_is_refused(client, idp, bob):
    form = idp.answer(_start(client), _identity())
    assert client.post(reverse("accounts-saml-acs"), form).status_code == 302
    client.post(reverse("accounts-logout"))
    assert _signed_in_as(client) is None
    assert client.post(reverse("accounts-saml-acs"), form).status_code == 403
    assert _signed_in_as(client) is None


@pytest.mark.parametrize(
    "role",
    [
        "urn:kommun-a:tillit:okand",
        None,
        ["urn:kommun-a:tillit:utredare", "urn:kommun-a:tillit:granskare"],
    ],
)
def test_an_unknown_or_ambiguous_role_is_refused(client, idp, bob, caplog, role):
    form = idp.answer(_start(client), _identity(role=role))
    with caplog.at_level(logging.INFO, logger="tillit.security"):
        response = client.post(reverse("accounts-saml-acs"), form)
    assert response.status_code == 403 and _signed_in_as(client) is None
    assert "gav dig ingen roll som Tillit känner till" in response.content.decode()
    assert any("role is not one that Tillit maps" in r.getMessage() for r in caplog.records)
    bob.refresh_from_db()
    assert bob.role == Role.REVIEWER


def test_an_unknown_municipality_is_refused(client, idp, bob):
    response = client.post(
        reverse("accounts-saml-acs"), idp.answer(_start(client), _identity(code="9999"))
    )
    assert response.status_code == 403 and _signed_in_as(client) is None
    assert "ingen kommun som Tillit känner till" in response.content.decode()


def test_only_existing_active_users_are_signed_in(client, idp, bob):
    users = User.objects.count()
    response = client.post(
        reverse("accounts-saml-acs"),
        idp.answer(_start(client), _identity(email="okand@kommun-a.se")),
    )
    assert response.status_code == 403 and _signed_in_as(client) is None
    assert User.objects.count() == users
    assert "samma e-postadress" in response.content.decode()
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    response = client.post(reverse("accounts-saml-acs"), idp.answer(_start(client), _identity()))
    assert response.status_code == 403 and _signed_in_as(client) is None


def test_without_role_attribute_the_role_comes_from_tillit(client, idp, bob, settings):
    settings.SAML_ROLE_ATTRIBUTE = settings.SAML_MUNICIPALITY_ATTRIBUTE = ""
    response = client.post(
        reverse("accounts-saml-acs"),
        idp.answer(_start(client), _identity(role="urn:kommun-a:tillit:utredare")),
    )
    assert response.status_code == 302
    user = _signed_in_as(client)
    assert user == bob and user.role == Role.REVIEWER and user.municipality.code == "0180"


def test_saml_is_off_by_default(client, db, settings):
    assert settings.SAML_ENABLED is False
    assert "tillit.accounts.saml.SAMLBackend" not in settings.AUTHENTICATION_BACKENDS
    for name in ("accounts-saml-start", "accounts-saml-acs", "accounts-saml-metadata"):
        assert client.get(reverse(name)).status_code == 404
    assert (
        reverse("accounts-saml-start") not in client.get(reverse("accounts-login")).content.decode()
    )


def test_the_login_page_offers_saml_when_it_is_on(client, idp):
    page = client.get(reverse("accounts-login")).content.decode()
    assert reverse("accounts-saml-start") in page


def test_without_xmlsec1_saml_is_unavailable_with_a_swedish_message(client, idp, settings, caplog):
    from django.core import checks

    settings.SAML_XMLSEC_BINARY = str(idp.tmp_path / "no-such-xmlsec1")
    with caplog.at_level(logging.ERROR, logger="tillit.security"):
        response = client.get(reverse("accounts-saml-start"))
    assert response.status_code == 403
    assert "programmet xmlsec1" in response.content.decode()
    assert any("xmlsec1" in r.getMessage() for r in caplog.records)
    errors = [e for e in checks.run_checks() if e.id == "tillit.W_SAML_XMLSEC"]
    assert errors and "xmlsec1" in errors[0].msg


def test_enabled_without_its_settings_stops_start_up(tmp_path):
    import subprocess
    import sys

    env = {
        **os.environ,
        "TILLIT_DATA_DIR": str(tmp_path),
        "TILLIT_SAML_ENABLED": "1",
        "TILLIT_SAML_IDP_METADATA_FILE": str(tmp_path / "idp.xml"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import tillit.config.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert (
        "TILLIT_SAML_ENABLED is on but these are not set: TILLIT_SAML_SP_ENTITY_ID" in done.stderr
    )


def test_a_role_table_naming_no_tillit_role_stops_start_up(settings):
    from django.core.exceptions import ImproperlyConfigured

    from tillit.accounts import saml

    settings.SAML_ROLE_ATTRIBUTE, settings.SAML_ROLES = ROLE_ATTRIBUTE, "urn:x=chef"
    with pytest.raises(ImproperlyConfigured, match="urn:x=chef"):
        saml.check_at_start_up()
