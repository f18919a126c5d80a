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
    if request.node.get_closest_marker(
        "real_password_hasher"
    ) or not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = FAST_HASHERS
    yield


def empty_access_log() -> None:
    """Delete the access log with its append-only triggers lifted for the moment, then restore them."""
    import importlib

    from django.db import connection

    migration = importlib.import_module("tillit.accounts.migrations.0002_access_log_append_only")
    create = {"sqlite": migration.SQLITE, "postgresql": migration.POSTGRES}.get(
        connection.vendor, []
    )
    drop = {"sqlite": migration.SQLITE_REVERSE, "postgresql": migration.POSTGRES_REVERSE}.get(
        connection.vendor, []
    )
    with connection.cursor() as cursor:
        for sql in drop:
            cursor.execute(sql)
        cursor.execute("DELETE FROM accounts_accesslogentry")
        for sql in create:
            cursor.execute(sql)


@pytest.fixture(autouse=True)
def _access_log_emptied_after_transactional_tests(request):
    """A transactional test (the browser tests' live server among them) ends with a flush of every table,
    which the append-only access log refuses; its rows go first. Requesting transactional_db here makes
    this teardown run before the flush."""
    names = request.fixturenames
    if "transactional_db" not in names and "live_server" not in names:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    empty_access_log()


@pytest.fixture
def kommun_a(db):
    from tillit.accounts.services import municipality_create

    return municipality_create(
        code="0180", name="Kommun A", boards=["Socialnämnden", "Kulturnämnden"]
    )


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
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def login():
    return verified_login


def pytest_collection_finish(session):
    """Start the PostgreSQL re-run of the database tests (tests/test_postgres.py) as soon as it is
    known to be selected, so that it runs beside the rest of the suite instead of after it."""
    if not any(
        item.nodeid.endswith("test_postgres.py::test_the_database_suite_passes_on_postgresql")
        for item in session.items
    ):
        return
    from tests import test_postgres

    run = test_postgres.start_in_background()
    if run is not None:
        session.config.stash[test_postgres.BACKGROUND] = run


def pytest_unconfigure(config):
    """A suite stopped early (Ctrl-C, -x) does not leave the PostgreSQL run behind."""
    import sys

    module = sys.modules.get("tests.test_postgres")
    run = config.stash.get(module.BACKGROUND, None) if module else None
    if run is not None:
        run.stop()
        run.data_dir.cleanup()
