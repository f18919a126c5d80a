"""The same suite on PostgreSQL, when one is reachable (this machine kind runs one on 127.0.0.1).

One test command covers both databases: this test re-runs the database tests (all but the
slow ones and the analytics library, which has no Django database) in a subprocess with
TILLIT_DATABASE_URL pointing at PostgreSQL. Where PostgreSQL is expected (CI, or
TILLIT_EXPECT_POSTGRES=1) and not reached, it fails.

The subprocess is started as soon as the outer suite has collected its tests
(`start_in_background`, called from tests/conftest.py) and runs beside it — the outer suite's tests
are mostly one Python thread, the machine has more than one core — with a data directory of its own;
this test then waits for it and reads its result.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
URL = os.environ.get("TILLIT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/tillit")
NODE = "tests/test_postgres.py::test_the_database_suite_passes_on_postgresql"
TIMEOUT = 1500


def _reachable() -> bool:
    import psycopg

    try:
        with psycopg.connect(URL.rsplit("/", 1)[0] + "/postgres", connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@dataclass
class Run:
    process: subprocess.Popen
    output: Path
    data_dir: tempfile.TemporaryDirectory

    def wait(self) -> tuple[int, str]:
        try:
            code = self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.stop()
            code = -1
        text = self.output.read_text(encoding="utf-8", errors="replace")
        return code, text

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def start_in_background() -> Run | None:
    """Start the PostgreSQL run, or None when no PostgreSQL is reachable (the test then says why)."""
    if not _reachable():
        return None
    data_dir = tempfile.TemporaryDirectory(prefix="tillit-postgres-run-")
    output = Path(data_dir.name) / "pytest-output.txt"
    env = {
        **os.environ,
        "TILLIT_DATABASE_URL": URL,
        "TILLIT_SECRET_KEY": "postgres-test-run",
        # its own data directory: tests that clean up or inspect the data directory must not
        # meet the files of the outer suite's tests running at the same time
        "TILLIT_DATA_DIR": str(Path(data_dir.name) / "data"),
    }
    with output.open("w", encoding="utf-8") as sink:
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-m",
                # the database's tests: the slow ones (the wheel, mypy, record linkage) and the
                # analytics library (DuckDB and Spark, no Django database) run once, in the outer suite
                "not spark and not e2e and not postgres and not slow",
                "--ignore=tests/analytics",
                "tests",
            ],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    return Run(process=process, output=output, data_dir=data_dir)


@pytest.mark.postgres
def test_the_database_suite_passes_on_postgresql(request):
    expected = os.environ.get("CI") == "true" or os.environ.get("TILLIT_EXPECT_POSTGRES") == "1"
    run = request.config.stash.get(BACKGROUND, None) or start_in_background()
    if run is None:
        if expected:
            pytest.fail(f"PostgreSQL was expected at {URL} but could not be reached")
        pytest.skip(f"no PostgreSQL at {URL}")
    code, text = run.wait()
    assert code == 0, text[-8000:]
    assert " passed" in text


BACKGROUND = pytest.StashKey[Run]()
