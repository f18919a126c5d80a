"""Issue 15: single sign-on with OpenID Connect (off by default).

The identity provider is a small HTTP server in this process on 127.0.0.1 (authorisation is
simulated by the test; token, userinfo and JWKS endpoints are real HTTP). It signs ID tokens with
an RSA key generated here, checks the client's secret and the PKCE verifier, and publishes the
public key as a JWKS. Nothing in mozilla-django-oidc is mocked: the token request, the JWKS
download, the signature check and the nonce check all run as in production.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse

from tillit.accounts.models import Role, User

CLIENT_ID, CLIENT_SECRET = "tillit-test", "s3cret-of-the-client"  # noqa: S105


def _rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Provider:
    """A tiny OpenID provider: codes handed out by `authorise`, tokens at /token."""

    def __init__(self):
        self.key = _rsa_key()
        self.signing_key = self.key  # a test may swap in a key the JWKS does not publish
        self.codes: dict[str, dict] = {}
        self.token_requests: list[dict] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _json(self, status, body, content_type="application/json"):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                if self.path == "/jwks":
                    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(
                        provider.key.public_key(), as_dict=True
                    )
                    jwk.update({"kid": "key-1", "alg": "RS256", "use": "sig"})
                    return self._json(200, {"keys": [jwk]})
                if self.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    for grant in provider.codes.values():
                        if grant.get("access_token") == token:
                            return self._json(200, grant["userinfo"])
                    return self._json(401, {"error": "invalid_token"})
                return self._json(404, {})

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                provider.token_requests.append(form)
                grant = provider.codes.pop(form.get("code", ""), None)
                if (
                    self.path != "/token"
                    or grant is None
                    or form.get("client_id") != CLIENT_ID
                    or form.get("client_secret") != CLIENT_SECRET
                    or form.get("grant_type") != "authorization_code"
                ):
                    return self._json(400, {"error": "invalid_grant"})
                verifier = form.get("code_verifier", "")
                challenge = (
                    base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                    .rstrip(b"=")
                    .decode()
                )
                if challenge != grant["code_challenge"]:
                    return self._json(400, {"error": "invalid_grant", "why": "PKCE"})
                access_token = f"at-{len(provider.token_requests)}"
                grant["access_token"] = access_token
                provider.codes[f"used-{access_token}"] = grant  # userinfo looks it up
                id_token = jwt.encode(
                    grant["id_token"],
                    provider.signing_key,
                    algorithm="RS256",
                    headers={"kid": "key-1"},
                )
                return self._json(
                    200,
                    {"access_token": access_token, "id_token": id_token, "token_type": "Bearer"},
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def authorise(self, authorisation_url: str, claims: dict, **id_token_changes) -> str:
        """What the provider does when the person signs in there: a code for the callback."""
        query = {k: v[0] for k, v in parse_qs(urlparse(authorisation_url).query).items()}
        assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
        assert query["code_challenge_method"] == "S256"
        now = int(time.time())
        id_token = {
            "iss": self.url,
            "aud": CLIENT_ID,
            "sub": "person-1",
            "iat": now,
            "exp": now + 300,
            "nonce": query["nonce"],
            **claims,
        }
        id_token.update(id_token_changes)
        id_token = {k: v for k, v in id_token.items() if v is not None}
        code = f"code-{len(self.codes) + len(self.token_requests)}"
        self.codes[code] = {
            "code_challenge": query["code_challenge"],
            "id_token": id_token,
            "userinfo": {"sub": "person-1", **claims},
        }
        return f"{reverse('accounts-oidc-callback')}?code={code}&state={query['state']}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


@pytest.fixture
def provider(settings, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    fake = Provider()
    settings.OIDC_ENABLED = True
    settings.OIDC_OP_ISSUER = fake.url
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{fake.url}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{fake.url}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{fake.url}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{fake.url}/jwks"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_USER_CLAIM = "email"
    settings.OIDC_USER_FIELD = "email"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "tillit.accounts.oidc.OIDCBackend",
    ]
    yield fake
    if fake.thread.is_alive():
        fake.close()


@pytest.fixture
def bob(personas):
    user = personas["investigator"]
    user.email = "bob.utredare@kommun-a.se"
    user.save(update_fields=["email"])
    return user


def _start(client, next_url=""):
    response = client.get(
        reverse("accounts-oidc-start") + (f"?next={next_url}" if next_url else "")
    )
    assert response.status_code == 302
    return response["Location"]


def _signed_in_as(client):
    from django.contrib.auth import get_user

    class _Request:
        session = client.session

    user = get_user(_Request())
    return user if user.is_authenticated else None


def test_sign_in_matches_the_existing_user_and_tillit_still_asks_the_second_factor(
    client, provider, bob
):
    location = _start(client, next_url="/arenden/")
    assert location.startswith(f"{provider.url}/authorize?")
    users = User.objects.count()
    callback = provider.authorise(
        location,
        # the claim is matched without regard to case; a role claimed by the provider is ignored
        {"email": "Bob.Utredare@Kommun-A.se", "roles": ["administrator"]},
    )
    response = client.get(callback)
    assert response.status_code == 302 and response["Location"] == "/arenden/"
    user = _signed_in_as(client)
    assert user == bob and user.role == Role.INVESTIGATOR
    assert client.session["_auth_user_backend"] == "tillit.accounts.oidc.OIDCBackend"
    assert User.objects.count() == users, "no user is created by a sign-in"
    (token_request,) = provider.token_requests
    assert token_request["code_verifier"], "PKCE was used"
    # the role sees personal data: Tillit's own second factor before any page
    page = client.get("/arenden/")
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts-otp"))


@pytest.mark.parametrize(
    ("case", "changes"),
    [
        ("another issuer", {"iss": "https://idp.example.org"}),
        ("another client", {"aud": "another-client"}),
        ("expired", {"exp": int(time.time()) - 600, "iat": int(time.time()) - 900}),
        ("no expiry", {"exp": None}),
        ("a replayed nonce", {"nonce": "from-another-sign-in"}),
    ],
)
def test_an_id_token_that_fails_validation_signs_nobody_in(client, provider, bob, case, changes):
    callback = provider.authorise(_start(client), {"email": bob.email}, **changes)
    response = client.get(callback, follow=True)
    assert _signed_in_as(client) is None, case
    assert response.redirect_chain[-1][0] == reverse("accounts-login")
    assert "Inloggningen med kommunens gemensamma inloggning lyckades inte" in (
        response.content.decode()
    )


def test_a_token_signed_with_another_key_is_refused(client, provider, bob):
    provider.signing_key = _rsa_key()  # same key id, not the published key
    callback = provider.authorise(_start(client), {"email": bob.email})
    client.get(callback)
    assert _signed_in_as(client) is None
    assert len(provider.token_requests) == 1, "the library did fetch the token and check it"


def test_only_existing_active_users_are_signed_in(client, provider, bob):
    users = User.objects.count()
    client.get(provider.authorise(_start(client), {"email": "okand@kommun-a.se"}))
    assert _signed_in_as(client) is None and User.objects.count() == users
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    client.get(provider.authorise(_start(client), {"email": bob.email}))
    assert _signed_in_as(client) is None


def test_the_user_name_can_be_the_matching_field(client, provider, bob, settings):
    settings.OIDC_USER_CLAIM, settings.OIDC_USER_FIELD = "preferred_username", "username"
    client.get(provider.authorise(_start(client), {"preferred_username": bob.username}))
    assert _signed_in_as(client) == bob


def test_single_sign_on_is_off_by_default(client, db, settings):
    assert settings.OIDC_ENABLED is False
    assert "tillit.accounts.oidc.OIDCBackend" not in settings.AUTHENTICATION_BACKENDS
    assert client.get(reverse("accounts-oidc-start")).status_code == 404
    assert client.get(reverse("accounts-oidc-callback")).status_code == 404
    assert (
        reverse("accounts-oidc-start") not in client.get(reverse("accounts-login")).content.decode()
    )


def test_the_login_page_offers_single_sign_on_when_it_is_on(client, provider, db):
    page = client.get(reverse("accounts-login")).content.decode()
    assert reverse("accounts-oidc-start") in page
    assert "Logga in med kommunens gemensamma inloggning" in page


def test_enabled_without_its_settings_stops_start_up(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "TILLIT_DATA_DIR": str(tmp_path),
        "TILLIT_OIDC_ENABLED": "1",
        "TILLIT_OIDC_CLIENT_ID": "tillit",
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
    assert "TILLIT_OIDC_ENABLED is on but these are not set: TILLIT_OIDC_ISSUER" in done.stderr
    assert "TILLIT_OIDC_CLIENT_ID," not in done.stderr


def test_an_unreachable_provider_sends_back_to_the_login_page(client, provider, bob, settings):
    callback = provider.authorise(_start(client), {"email": bob.email})
    provider.close()
    response = client.get(callback, follow=True)
    assert response.status_code == 200 and _signed_in_as(client) is None
    assert "Inloggningen med kommunens gemensamma inloggning lyckades inte" in (
        response.content.decode()
    )
