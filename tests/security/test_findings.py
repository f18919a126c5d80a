"""One test (or a few) per finding of the security probe, each failing before its fix."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.security.conftest import make_case, make_hit
from tillit.accounts.models import AccessLogEntry

pytestmark = pytest.mark.django_db


# --- F5: the case export zip neutralises formulas like the other exports ----------------------


def test_f05_case_export_csv_cells_are_never_live_formulas(client, login, personas, world):
    from tillit.cases.services import diary_add

    case = world["case"]
    diary_add(
        case=case, user=personas["coordinator"], kind="note", text='=HYPERLINK("http://x","klick")'
    )
    diary_add(case=case, user=personas["coordinator"], kind="note", text="@SUM(1+1)")
    login(client, personas["coordinator"])
    response = client.get(reverse("cases-export", args=[case.pk]))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    cells = [
        cell
        for name in archive.namelist()
        if name.endswith(".csv")
        for row in csv.reader(io.StringIO(archive.read(name).decode()), delimiter=";")
        for cell in row
    ]
    assert '\'=HYPERLINK("http://x","klick")' in cells and "'@SUM(1+1)" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]


# --- F7: the client address from the proxy's header only when TILLIT_BEHIND_PROXY is set ------


def test_f07_forwarded_for_is_ignored_without_the_proxy_setting(rf, settings):
    from tillit.accounts.network import client_ip

    settings.BEHIND_PROXY = False
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(request) == "127.0.0.1"


def test_f07_behind_the_proxy_the_client_is_the_address_the_proxy_saw(rf, settings):
    from tillit.accounts.network import client_ip

    settings.BEHIND_PROXY, settings.TRUSTED_PROXIES = True, {"127.0.0.1"}
    # the client claims 10.0.0.1; nginx appends the address it really saw
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"
    # a request that did not come through the proxy cannot claim an address
    direct = rf.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(direct) == "198.51.100.7"
    assert (
        client_ip(rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="junk")) == "127.0.0.1"
    )


def test_f07_failures_from_five_addresses_do_not_lock_out_the_real_user(client, settings, personas):
    settings.BEHIND_PROXY, settings.TRUSTED_PROXIES = True, {"127.0.0.1"}
    url = reverse("accounts-login")
    user = personas["reviewer"]
    for n in range(5):
        client.post(
            url,
            {"username": user.username, "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}",
        )
    ok = client.post(
        url,
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.50",
    )
    assert ok.status_code == 302, "locked out by other addresses' failures"
    client.logout()
    # five failures from one address do lock that address out for the user
    for _ in range(5):
        client.post(
            url,
            {"username": user.username, "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.66",
        )
    locked = client.post(
        url,
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.66",
    )
    assert locked.status_code in (403, 429)


def test_f07_the_access_log_records_the_real_client(client, settings, login, personas, world):
    settings.BEHIND_PROXY, settings.TRUSTED_PROXIES = True, {"127.0.0.1"}
    login(client, personas["coordinator"])
    client.get(
        reverse("cases-detail", args=[world["case"].pk]),
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.20",
    )
    assert AccessLogEntry.objects.order_by("-id").first().ip_address == "203.0.113.20"


# --- F8: password validators on every path, change, reset by an administrator -----------------


def test_f08_a_weak_password_is_refused_when_a_user_is_created(kommun_a):
    from django.core.exceptions import ValidationError

    from tillit.accounts.services import user_create

    for weak in ("123456789012", "password1234", "short"):
        with pytest.raises(ValidationError):
            user_create(
                municipality=kommun_a, username=f"u{len(weak)}", password=weak, role="reviewer"
            )


def test_f08_the_administration_page_refuses_a_weak_password_with_the_reason(
    client, login, personas
):
    login(client, personas["admin"])
    response = client.post(
        reverse("accounts-user-create"),
        {"username": "nyanvandare", "role": "reviewer", "password": "123456789012"},
    )
    assert response.status_code == 200
    from tillit.accounts.models import User

    assert not User.objects.filter(username="nyanvandare").exists()
    assert response.context["form"].errors["password"]


def test_f08_creating_a_user_is_in_the_log(client, login, personas):
    login(client, personas["admin"])
    response = client.post(
        reverse("accounts-user-create"),
        {"username": "nyanvandare", "role": "reviewer", "password": "ett-langt-och-ovanligt-losen"},
    )
    assert response.status_code == 302
    row = AccessLogEntry.objects.order_by("-id").first()
    assert (row.username, row.action, row.object_type, row.object_id) == (
        "adam",
        "change",
        "user created",
        "nyanvandare",
    )


def test_f08_a_user_changes_their_own_password(client, login, personas):
    user = personas["investigator"]
    login(client, user)
    weak = client.post(
        reverse("accounts-password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "123456789012",
            "new_password2": "123456789012",
        },
    )
    assert weak.status_code == 200
    response = client.post(
        reverse("accounts-password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "nytt-och-mycket-langre-losen",
            "new_password2": "nytt-och-mycket-langre-losen",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("nytt-och-mycket-langre-losen")
    assert AccessLogEntry.objects.filter(
        object_type="user password changed", object_id=user.username
    ).exists()


def test_f08_an_administrator_resets_a_password_and_the_second_factor_is_enrolled_again(
    client, login, personas
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    target = personas["investigator"]
    TOTPDevice.objects.create(user=target, name="phone", confirmed=True)
    login(client, personas["admin"])
    url = reverse("accounts-user", args=[target.pk])
    assert client.post(url, {"password": "123456789012"}).status_code == 200  # refused: numeric
    assert client.post(url, {"password": "tillfalligt-losen-2026"}).status_code == 302
    target.refresh_from_db()
    assert target.check_password("tillfalligt-losen-2026")
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert AccessLogEntry.objects.filter(
        username="adam", object_type="user password reset", object_id=target.username
    ).exists()
    # another municipality's user is not found
    other = personas["other_investigator"]
    assert (
        client.post(
            reverse("accounts-user", args=[other.pk]), {"password": "x-y-z-1234-abcd"}
        ).status_code
        == 404
    )


# --- F9: a hit joined to a team-only case inherits the case's access ---------------------------


def _escalate(hit, user):
    from tillit.controls.services import hit_open_case

    hit_open_case(hit=hit, user=user)
    from tillit.cases.models import CaseHit

    return CaseHit.objects.get(hit=hit).case


def test_f09_the_hit_behind_a_team_only_case_is_hidden_from_those_outside_its_team(
    client, login, personas, kommun_a
):
    from tillit.accounts.models import Role
    from tillit.accounts.services import user_create
    from tillit.cases.models import Case

    hit = make_hit(kommun_a, subject_id="19800101-0001", fingerprint="fp-team")
    case = _escalate(hit, personas["investigator"])
    Case.objects.filter(pk=case.pk).update(sensitivity="team_only")
    other_coordinator = user_create(
        municipality=kommun_a, username="olle", password=PASSWORD, role=Role.COORDINATOR
    )
    for outsider in (other_coordinator, personas["controller"]):
        client.logout()
        login(client, outsider)
        assert client.get(reverse("controls-hit", args=[hit.pk])).status_code == 404
        queue = client.get(reverse("controls-queue"), {"status": ""})
        assert b"19800101-0001" not in queue.content
        api = client.get("/api/hits", {"status": ""})
        assert hit.pk not in [h["id"] for h in api.json()]
    client.logout()
    login(client, personas["investigator"])  # on the team
    assert client.get(reverse("controls-hit", args=[hit.pk])).status_code == 200


# --- F10: escalation into an existing case needs the right to edit it ---------------------------


def test_f10_an_investigator_outside_the_team_cannot_add_a_hit_to_the_case(personas, kommun_a):
    from tillit.accounts.models import Role
    from tillit.accounts.services import user_create

    team_member = personas["investigator"]
    case = make_case(personas["coordinator"], members=[team_member], identifier="19800101-0002")
    amount = case.amount_concerned
    outsider = user_create(
        municipality=kommun_a, username="ivar", password=PASSWORD, role=Role.INVESTIGATOR
    )
    hit = make_hit(
        kommun_a, subject_id="19800101-0002", fingerprint="fp-out", amount=Decimal("99999")
    )
    joined = _escalate(hit, outsider)
    case.refresh_from_db()
    assert joined.pk != case.pk and case.amount_concerned == amount
    assert list(joined.team.all()) == [outsider]
    # a member of the team joins the hit to the case
    hit2 = make_hit(kommun_a, subject_id="19800101-0002", fingerprint="fp-in")
    assert _escalate(hit2, team_member).pk == case.pk


# --- F11: API tokens with scopes and expiry, made after a second-factor check, each use logged --


def test_f11_a_token_reads_only_within_its_scopes_and_until_it_expires(client, personas, caplog):
    from datetime import timedelta

    from django.utils import timezone

    from tillit.accounts.models import ApiToken
    from tillit.accounts.services import api_token_create

    token, key = api_token_create(
        user=personas["coordinator"], name="ekonomi", scopes=["hits:read"], days=30
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    with caplog.at_level("INFO", logger="tillit.security"):
        assert client.get("/api/hits", **auth).status_code == 200
    assert any(r.getMessage() == "API token used" for r in caplog.records)
    assert client.get("/api/cases", **auth).status_code == 403
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/hits", **auth).status_code == 401
    with pytest.raises(ValueError):
        api_token_create(
            user=personas["coordinator"], name="for evigt", scopes=["hits:read"], days=3650
        )


def test_f11_a_user_creates_a_token_on_their_own_page_only_with_the_second_factor(
    client, login, personas
):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tillit.accounts.models import ApiToken

    user = personas["controller"]
    login(client, user)
    device = TOTPDevice.objects.get(user=user)
    form = {"name": "Raindance", "scopes": ["hits:read"], "days": 30}
    refused = client.post(reverse("accounts-token-create"), {**form, "code": "000000"})
    assert refused.status_code == 200 and not ApiToken.objects.filter(user=user).exists()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down guessing after a wrong code
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    made = client.post(reverse("accounts-token-create"), {**form, "code": code})
    token = ApiToken.objects.get(user=user)
    assert (
        made.status_code == 200 and token.scopes == ["hits:read"] and token.expires_at is not None
    )
    assert token.prefix.encode() in client.get(reverse("accounts-account")).content
    assert client.post(reverse("accounts-token-revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AccessLogEntry.objects.filter(object_type=f"user token {token.prefix} revoked").exists()
    # someone else's token cannot be revoked by an ordinary user
    other, _key = __import__("tillit.accounts.services", fromlist=["x"]).api_token_create(
        user=personas["coordinator"], name="x", scopes=["hits:read"]
    )
    assert client.post(reverse("accounts-token-revoke", args=[other.pk])).status_code == 404


# --- F13 (no-store) is checked on every personal page in test_f01; F14: bad input is a 400 -------


def test_f14_nan_infinity_and_huge_numbers_are_400_not_500(client, login, personas, world):
    login(client, personas["coordinator"])
    for value in ("NaN", "Infinity", "-Infinity", "1e400", "sNaN"):
        response = client.get(reverse("controls-queue"), {"min_amount": value})
        assert response.status_code == 400, value
    assert client.get(reverse("controls-queue"), {"min_amount": "10 000"}).status_code == 200
    for value in ("9" * 40, "-1", "0", "abc"):
        assert client.get("/api/hits", {"run": value}).status_code == 400, value
