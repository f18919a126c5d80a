"""Personas in one place (after healthchecks' hc/test.py).

Kommun A: one user per role (alice is the coordinator, bob the investigator).
Kommun B: charlie, an investigator who must never see Kommun A's data.
"""

from __future__ import annotations

import pytest

# Django is imported inside the fixtures, so the analytics tests run without it (-p no:django).
PASSWORD = "correct horse battery staple"  # noqa: S105
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303 - tests only


@pytest.fixture(autouse=True)
def _fast_password_hasher(request):
    """Users in tests are hashed with MD5, not argon2 (about 0.1 s a user, on every persona of every
    test); a test of the real hashing is marked `real_password_hasher`."""
    if request.node.get_closest_marker("real_password_hasher") or not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = FAST_HASHERS
    yield


@pytest.fixture
def kommun_a(db):
    from tillit.accounts.services import municipality_create

    return municipality_create(code="0180", name="Kommun A", boards=["Socialnämnden", "Kulturnämnden"])


@pytest.fixture
def kommun_b(db):
    from tillit.accounts.services import municipality_create

    return municipality_create(code="1280", name="Kommun B", boards=["Socialnämnden"])


def _user(municipality, username, role):
    from tillit.accounts.services import user_create

    return user_create(municipality=municipality, username=username, password=PASSWORD, role=role)


@pytest.fixture
def personas(kommun_a, kommun_b):
    from tillit.accounts.models import Role

    return {
        "admin": _user(kommun_a, "adam", Role.ADMIN),
        "coordinator": _user(kommun_a, "alice", Role.COORDINATOR),
        "investigator": _user(kommun_a, "bob", Role.INVESTIGATOR),
        "controller": _user(kommun_a, "carl", Role.CONTROLLER),
        "reviewer": _user(kommun_a, "greta", Role.REVIEWER),
        "other_investigator": _user(kommun_b, "charlie", Role.INVESTIGATOR),
    }


def verified_login(client, user):
    """Log in as a user who has completed two-factor authentication."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def login():
    return verified_login
