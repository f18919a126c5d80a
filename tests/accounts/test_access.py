import time

import pytest
import time_machine
from django.urls import reverse

from tillit.accounts.access import MATRIX, PERMISSIONS, fetch, has_perm
from tillit.accounts.models import Board, Role

# url name -> permission it needs
PAGES = {
    "reports-overview": "overview.view",
    "controls-queue": "controls.view",
    "cases-list": "cases.view",
    "tips-inbox": "tips.view",
    "risks-home": "risks.view",
    "plans-list": "plans.view",
    "datasets-list": "data.view",
    "reports-list": "reports.view",
    "accounts-access-log": "admin.accesslog",
    "accounts-user-create": "admin.users",
}


@pytest.mark.parametrize("role", ["admin", "coordinator", "investigator", "controller", "reviewer"])
def test_each_role_reaches_exactly_what_the_matrix_allows(client, personas, login, role):
    user = personas[role]
    login(client, user)
    for url_name, perm in PAGES.items():
        status = client.get(reverse(url_name)).status_code
        expected = 200 if perm in MATRIX[user.role] else 403
        assert status == expected, (role, url_name, status)


def test_anonymous_is_sent_to_login_for_every_page(client, db):
    for url_name in PAGES:
        response = client.get(reverse(url_name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts-login"))


def test_roles_with_personal_data_must_verify_a_second_factor(client, personas):
    client.force_login(
        personas["investigator"], backend="django.contrib.auth.backends.ModelBackend"
    )
    response = client.get(reverse("controls-queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts-otp"))


def test_the_read_only_reviewer_needs_no_second_factor(client, personas):
    client.force_login(personas["reviewer"], backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("reports-overview")).status_code == 200


def test_first_login_enrols_a_totp_device_and_then_lets_the_user_in(client, personas):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = personas["coordinator"]
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("accounts-otp"))
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    wrong = client.post(
        reverse("accounts-otp"), {"code": "000000" if totp(device.bin_key) != 0 else "111111"}
    )
    assert wrong.status_code == 200
    # a failure throttles the device for a moment (django-otp): wait as a user would
    with time_machine.travel(time.time() + 30, tick=False):
        code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
        response = client.post(reverse("accounts-otp") + "?next=/kontroller/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/kontroller/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("controls-queue")).status_code == 200


def test_it_refuses_another_municipalitys_object_with_404(rf, personas, kommun_b):
    from django.http import Http404

    other_board = Board.objects.get(municipality=kommun_b)
    request = rf.get("/")
    request.user = personas["coordinator"]
    with pytest.raises(Http404):
        fetch(request, Board, perm="overview.view", pk=other_board.pk)
    own = Board.objects.filter(municipality=personas["coordinator"].municipality).first()
    assert fetch(request, Board, perm="overview.view", pk=own.pk) == own


def test_every_permission_in_the_matrix_is_known_and_every_role_has_a_row():
    assert set(MATRIX) == set(Role.values)
    for perms in MATRIX.values():
        assert perms <= set(PERMISSIONS)


def test_a_user_without_municipality_has_no_permission(db):
    from tillit.accounts.models import User

    user = User.objects.create(username="lost", role=Role.COORDINATOR)
    assert not has_perm(user, "overview.view")


def test_permission_matrix_doc_agrees_with_code():
    from pathlib import Path

    from tillit.accounts.permissions_doc import render_matrix

    doc = (Path(__file__).resolve().parents[2] / "docs" / "permissions.md").read_text(
        encoding="utf-8"
    )
    assert render_matrix() in doc
