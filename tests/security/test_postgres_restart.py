"""PostgreSQL restarted under load: the application recovers without a restart of its own.

`tillit serve` (waitress, 8 threads, each keeping its database connection for 60 s) runs against a
PostgreSQL database of its own; a signed-in user and /health make requests on every thread; then
every backend of that database is terminated (`pg_terminate_backend`), which is what the
application sees when PostgreSQL restarts or a failover drops the connections. Every request after
that must succeed from the same server process, on new connections.

The PostgreSQL server is shared with other test runs, so it is not restarted: only this test's own
database's backends are ended. Where PostgreSQL is expected (CI, TILLIT_EXPECT_POSTGRES=1) and not
reached, the test fails instead of skipping.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

URL = os.environ.get("TILLIT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/tillit")
SERVER = URL.rsplit("/", 1)[0]
PASSWORD = "recovery-test-password"  # noqa: S105


def _admin():
    import psycopg

    expected = os.environ.get("CI") == "true" or os.environ.get("TILLIT_EXPECT_POSTGRES") == "1"
    try:
        return psycopg.connect(SERVER + "/postgres", connect_timeout=3, autocommit=True)
    except psycopg.OperationalError:
        if expected:
            pytest.fail(f"PostgreSQL was expected at {SERVER} but could not be reached")
        pytest.skip(f"no PostgreSQL at {SERVER}")


@pytest.fixture(scope="module")
def installation(tmp_path_factory):
    """A database of this module's own, migrated, with a municipality and a reviewer."""
    admin = _admin()
    name = f"tillit_test_restart_{os.getpid()}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    data = tmp_path_factory.mktemp("restart")
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"TILLIT_DEBUG", "TILLIT_DEMO_MODE"}},
        "TILLIT_DATABASE_URL": f"{SERVER}/{name}",
        "TILLIT_SECRET_KEY": "restart-test-" + "x" * 40,
        "TILLIT_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "tillit.config.settings",
    }
    try:
        migrate = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "tillit.cli", "manage", "migrate", "--verbosity", "0"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert migrate.returncode == 0, migrate.stderr[-3000:]
        # a reviewer signs in with a password only (the role sees no personal data: no second factor)
        made = _python(
            env,
            "from tillit.accounts.services import municipality_create, user_create\n"
            "m = municipality_create(code='0180', name='Kommun A', boards=['Kommunstyrelsen'])\n"
            f"user_create(municipality=m, username='granskare', password={PASSWORD!r}, "
            "role='reviewer')\n",
        )
        assert made.returncode == 0, made.stderr[-3000:]
        yield admin, name, env
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _python(env: dict, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _backends(admin, name: str) -> set[int]:
    rows = admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]
    ).fetchall()
    return {pid for (pid,) in rows}


class Browser:
    """One signed-in person: cookies kept, redirects followed, the CSRF token sent with forms."""

    def __init__(self, base: str):
        self.base, self.cookies = base, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def post(self, path: str, data: dict) -> tuple[int, str, str]:
        token = next(c.value for c in self.cookies if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        with self.opener.open(self.base + path, data=body, timeout=120) as response:
            return response.status, response.url, response.read().decode()


def _health(base: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(base + "/health", timeout=120) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}
    except OSError:
        return 0, {}


def _round(base: str, browser: Browser, n: int = 24) -> list[tuple[str, int]]:
    """n requests at once, more than waitress has threads, so that every thread takes some."""

    def one(i: int) -> tuple[str, int]:
        if i % 2:
            return "health", _health(base)[0]
        status, text = browser.get("/")
        # the overview of a signed-in user, not the login page
        return "overview", status if "/konto/logga-ut/" in text else -status

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


@pytest.mark.postgres
@pytest.mark.slow
def test_the_server_recovers_when_postgresql_drops_every_connection(installation, tmp_path):
    admin, name, env = installation
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    serve = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tillit.cli", "serve", "--no-worker", "--host", "127.0.0.1"]
        + ["--port", str(port)],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 300
        while _health(base)[0] != 200:
            assert serve.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(1)

        browser = Browser(base)
        status, _ = browser.get("/konto/logga-in/")
        assert status == 200
        status, url, text = browser.post(
            "/konto/logga-in/", {"username": "granskare", "password": PASSWORD}
        )
        assert "/konto/logga-in/" not in url, re.sub(r"\s+", " ", text)[:2000]

        before = _round(base, browser)
        assert {status for _, status in before} == {200}, before
        kept = _backends(admin, name)
        assert kept, "the server keeps its connections between requests (CONN_MAX_AGE)"

        # PostgreSQL goes away under the application: every connection of this database is ended
        ended = admin.execute(
            "SELECT count(*) FROM ("
            " SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()) AS t",
            [name],
        ).fetchone()[0]
        assert ended == len(kept)
        deadline = time.monotonic() + 30
        while _backends(admin, name) & kept and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _backends(admin, name) & kept, "the backends did not end"

        # the same process, not restarted, answers every request: the first on each thread included
        for _ in range(3):
            after = _round(base, browser)
            assert {status for _, status in after} == {200}, after
        assert serve.poll() is None, "the server did not stay up"
        renewed = _backends(admin, name)
        assert renewed and not renewed & kept, "the server opened new connections"
        status, text = browser.get("/")
        assert status == 200 and "/konto/logga-ut/" in text, "the session outlived the connections"
    finally:
        serve.terminate()
        try:
            serve.wait(30)
        except subprocess.TimeoutExpired:
            serve.kill()


RACE = """
import json, threading
from django.db import connections, transaction
from tillit.accounts.models import User
from tillit.cases.services import case_create

user = User.objects.get(username="granskare")
first_open, release = threading.Event(), threading.Event()
numbers, errors = [], []

def open_case(hold):
    try:
        with transaction.atomic():
            case = case_create(municipality=user.municipality, user=user, title="Samtidigt",
                               case_type="benefit", source="staff")
            if hold:  # the first case stays uncommitted while the second is opened
                first_open.set()
                release.wait(60)
        numbers.append(case.number)
    except Exception as error:
        errors.append(repr(error))
    finally:
        connections.close_all()

first = threading.Thread(target=open_case, args=(True,))
first.start()
first_open.wait(60)
second = threading.Thread(target=open_case, args=(False,))
second.start()
second.join(2)  # it waits for the first: for its lock, or without one on the unique number
release.set()
first.join(60)
second.join(60)
print(json.dumps({"numbers": sorted(numbers), "errors": errors}))
"""


@pytest.mark.postgres
@pytest.mark.slow
def test_two_cases_opened_at_once_get_different_numbers(installation):
    """Under 100 users two escalations at once both took the next case number, and the second
    failed with 500 on the unique number (issue 15). SQLite serialises writers, so only PostgreSQL
    shows it."""
    _admin_connection, _name, env = installation
    done = _python(env, RACE)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    year = result["numbers"][0].split("-")[0]
    assert result["numbers"] == [f"{year}-0001", f"{year}-0002"]
