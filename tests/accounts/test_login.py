import pytest
from django.urls import reverse

from tests.conftest import PASSWORD


def test_a_user_logs_in_with_the_right_password(client, personas):
    response = client.post(reverse("accounts-login"), {"username": "greta", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("reports-overview")).status_code == 200


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, personas, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("accounts-login"), {"username": "greta", "password": "wrong"}
        )
        assert response.status_code in (200, 429)
    locked = client.post(reverse("accounts-login"), {"username": "greta", "password": PASSWORD})
    assert locked.status_code == 429
    assert b"Too many failed logins" in locked.content or "För många".encode() in locked.content
    assert client.get(reverse("reports-overview")).status_code == 302


@pytest.mark.real_password_hasher
def test_passwords_are_hashed_with_argon2(personas):
    assert personas["admin"].password.startswith("argon2")


def test_sessions_expire_after_inactivity(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 60 * 60


def test_logout_needs_post_and_ends_the_session(client, personas, login):
    login(client, personas["coordinator"])
    assert client.get(reverse("accounts-logout")).status_code == 405
    client.post(reverse("accounts-logout"))
    assert client.get(reverse("reports-overview")).status_code == 302
