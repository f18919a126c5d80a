"""The same suite on PostgreSQL, when one is reachable (this machine kind runs one on 127.0.0.1).

One test command covers both databases: this test re-runs the database tests (all but the
slow ones and the analytics library, which has no Django database) in a subprocess with TILLIT_DATABASE_URL pointing at PostgreSQL. Where PostgreSQL is
expected (CI, or TILLIT_EXPECT_POSTGRES=1) and not reached, it fails.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
URL = os.environ.get("TILLIT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/tillit")


def _reachable() -> bool:
    import psycopg

    try:
        with psycopg.connect(URL.rsplit("/", 1)[0] + "/postgres", connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@pytest.mark.postgres
def test_the_database_suite_passes_on_postgresql():
    expected = os.environ.get("CI") == "true" or os.environ.get("TILLIT_EXPECT_POSTGRES") == "1"
    if not _reachable():
        if expected:
            pytest.fail(f"PostgreSQL was expected at {URL} but could not be reached")
        pytest.skip(f"no PostgreSQL at {URL}")
    env = {**os.environ, "TILLIT_DATABASE_URL": URL, "TILLIT_SECRET_KEY": "postgres-test-run"}
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            # the database's tests: the slow ones (the wheel, mypy, record linkage) and the analytics
            # library (DuckDB and Spark, no Django database) run once, in the outer suite
            "not spark and not e2e and not postgres and not slow",
            "--ignore=tests/analytics",
            "tests",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    assert " passed" in result.stdout
