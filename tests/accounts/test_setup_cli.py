"""`tillit setup`, `tillit municipality`, `tillit user`: a municipality sets itself up without a Python shell."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.utils import translation

from tests.controls.conftest import cli

GOOD = "ett långt lösenord för it-avdelningen"


@pytest.fixture
def password_file(tmp_path):
    path = tmp_path / "pw"
    path.write_text(GOOD + "\n", encoding="utf-8")
    return path


def _sv(argv):
    with translation.override("sv"):
        return cli(argv)


@pytest.mark.django_db
def test_setup_creates_the_municipality_and_its_administrator_once(password_file, capsys):
    from tillit.accounts.models import Municipality, Role, User

    assert (
        _sv(["setup", "--code", "0885", "--admin", "it", "--password-file", str(password_file)])
        == 0
    )
    municipality = Municipality.objects.get()
    assert (municipality.code, municipality.name) == (
        "0885",
        "Borgholms kommun",
    )  # the official name by default
    admin = User.objects.get(username="it")
    assert (
        admin.role == Role.ADMIN
        and admin.municipality == municipality
        and admin.check_password(GOOD)
    )
    assert "Borgholms kommun är konfigurerad" in capsys.readouterr().out

    # again: nothing changes, and it says so
    assert (
        _sv(["setup", "--code", "0180", "--admin", "other", "--password-file", str(password_file)])
        == 0
    )
    assert "Ingenting har ändrats" in capsys.readouterr().out
    assert list(Municipality.objects.values_list("code", flat=True)) == ["0885"]
    assert not User.objects.filter(username="other").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["0999", "9999", "180", "abcd", " "])
def test_setup_refuses_a_code_that_is_not_a_municipality(code, password_file, capsys):
    from tillit.accounts.models import Municipality, User

    assert (
        _sv(["setup", "--code", code, "--admin", "it", "--password-file", str(password_file)]) == 1
    )
    assert "inte en svensk kommunkod" in capsys.readouterr().err
    assert not Municipality.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
def test_a_weak_password_is_refused_and_nothing_is_created(tmp_path, capsys):
    from tillit.accounts.models import Municipality, User

    weak = tmp_path / "weak"
    weak.write_text("123456789012\n", encoding="utf-8")
    assert _sv(["setup", "--code", "0885", "--admin", "it", "--password-file", str(weak)]) == 1
    assert "Lösenordet godtogs inte" in capsys.readouterr().err
    assert not Municipality.objects.exists() and not User.objects.exists()  # one transaction


def test_the_password_is_never_an_option():
    from tillit.cli import build_parser

    for command in (["setup"], ["user", "add", "x", "--role", "reviewer"]):
        with pytest.raises(SystemExit):
            build_parser().parse_args([*command, "--password", "secret"])


@pytest.mark.django_db
def test_user_commands_stay_within_one_municipality(password_file, capsys):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tillit.accounts.models import User

    assert (
        _sv(["setup", "--code", "0885", "--admin", "it", "--password-file", str(password_file)])
        == 0
    )
    assert _sv(["municipality", "add", "1280"]) == 0
    base = ["--municipality", "0885", "user"]
    assert (
        _sv(
            [
                *base,
                "add",
                "sara",
                "--role",
                "coordinator",
                "--first-name",
                "Sara",
                "--password-file",
                str(password_file),
            ]
        )
        == 0
    )
    assert (
        _sv(
            [
                "--municipality",
                "1280",
                "user",
                "add",
                "malte",
                "--role",
                "investigator",
                "--password-file",
                str(password_file),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert _sv([*base, "list"]) == 0
    listed = capsys.readouterr().out
    assert "sara\tSamordnare\tSara\taktiv" in listed and "malte" not in listed

    # Borgholm's administrator cannot touch Malmö's user: not found, not changed
    assert _sv([*base, "disable", "malte"]) == 1
    assert "Det finns ingen användare malte i Borgholms kommun" in capsys.readouterr().err
    assert User.objects.get(username="malte").is_active

    TOTPDevice.objects.create(user=User.objects.get(username="sara"), name="phone", confirmed=True)
    assert _sv([*base, "reset-2fa", "sara"]) == 0
    assert not TOTPDevice.objects.filter(user__username="sara").exists()
    assert _sv([*base, "disable", "sara"]) == 0
    assert not User.objects.get(username="sara").is_active
    from tillit.accounts.models import AccessLogEntry

    logged = set(AccessLogEntry.objects.filter(object_id="sara").values_list("object_type", "path"))
    assert {
        ("user created", "tillit"),
        ("user second factor reset", "tillit user reset-2fa"),
        ("user disabled", "tillit user disable"),
    } <= logged
    assert (
        _sv([*base, "add", "sara", "--role", "reviewer", "--password-file", str(password_file)])
        == 1
    )
    assert User.objects.get(username="sara").role == "coordinator"

    # with two municipalities a command must name one
    assert _sv(["user", "list"]) == 1
    assert "--municipality" in capsys.readouterr().err


@pytest.mark.django_db
def test_municipality_add_refuses_duplicates_and_unknown_codes(capsys):
    from tillit.accounts.models import Municipality

    assert _sv(["municipality", "add", "0180", "--name", "Stockholms stad"]) == 0
    assert _sv(["municipality", "add", "0180"]) == 1
    assert _sv(["municipality", "add", "0000"]) == 1
    assert list(Municipality.objects.values_list("code", "name")) == [("0180", "Stockholms stad")]


def test_a_command_sets_up_the_embedded_database_on_first_use(tmp_path):
    env = {**os.environ, "TILLIT_DATA_DIR": str(tmp_path / "data"), "TILLIT_SECRET_KEY": "test"}
    env.pop("TILLIT_DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    first = subprocess.run(
        [sys.executable, "-m", "tillit.cli", "datasets"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "Databasen skapades i" in first.stderr and "Databasen" not in first.stdout, first.stderr
    assert (tmp_path / "data" / "tillit.sqlite3").is_file()
    assert "Det finns ingen kommun ännu. Kör `tillit setup`" in first.stderr
    second = subprocess.run(
        [sys.executable, "-m", "tillit.cli", "datasets"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "Databasen" not in second.stderr + second.stdout  # said once, on first use only
