"""F3: SIGKILL in the middle of an import and of a control run. Afterwards nothing is
half-written, nothing committed is lost, the job is marked failed with the reason, its
temporary files are gone, and the same job runs again cleanly.

The real `tillit` command runs in a subprocess against its own data directory (SQLite)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SETUP = r"""
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "tillit.config.settings"
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tillit.accounts.services import municipality_create
municipality_create(code="0180", name="Kommun A", boards=["Socialnämnden"])
"""


def _env(data: Path) -> dict:
    env = {**os.environ, "TILLIT_DATA_DIR": str(data), "TILLIT_LOG_LEVEL": "ERROR"}
    for name in ("TILLIT_DATABASE_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    return env


def _tillit(data: Path, *args, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "tillit.cli", *args],
        env=_env(data),
        capture_output=True,  # noqa: S603
        text=True,
        timeout=timeout,
    )


def _query(data: Path, sql: str, params=()):
    with sqlite3.connect(f"file:{data / 'tillit.sqlite3'}?mode=ro", uri=True, timeout=30) as db:
        return db.execute(sql, params).fetchall()


def _kill_when(process: subprocess.Popen, data: Path, sql: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, (
            "finished before it could be killed: " + process.stderr.read()
        )
        try:
            if _query(data, sql):
                process.send_signal(signal.SIGKILL)
                process.wait(30)
                return
        except sqlite3.OperationalError:
            pass
        time.sleep(0.02)
    process.kill()
    pytest.fail("the job never got going")


@pytest.fixture
def installation(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    made = subprocess.run(
        [sys.executable, "-c", SETUP], env=_env(data), capture_output=True, text=True, timeout=300
    )  # noqa: S603
    assert made.returncode == 0, made.stderr
    return data


def test_an_import_killed_half_way_is_marked_failed_cleaned_up_and_imports_again(
    installation, tmp_path
):
    data = installation
    big = tmp_path / "leverantorer.csv"
    with big.open("w", encoding="utf-8") as fh:
        fh.write("supplier_id;name;org_number;postal_code\n")
        for n in range(400_000):
            fh.write(f"L{n};Leverantör nummer {n} AB;556{n:07d};11{n % 1000:03d}\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "tillit.cli", "import", "suppliers", str(big)],  # noqa: S603
        env=_env(data),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _kill_when(
        process,
        data,
        "SELECT 1 FROM datasets_importattempt a JOIN accounts_jobheartbeat b "
        "ON b.kind = 'import' AND b.object_id = a.id WHERE a.rows_done > 0",
    )
    snapshots = data / "snapshots"
    assert _query(data, "SELECT status FROM datasets_importattempt") == [("running",)]
    assert [p.name for p in snapshots.rglob("*.tmp")], (
        "the kill left a half-written file (as the probe found)"
    )

    recovered = _tillit(data, "jobs", "recover")
    assert recovered.returncode == 0, recovered.stderr
    ((status, message, params),) = _query(
        data, "SELECT status, message, message_params FROM datasets_importattempt"
    )
    assert status == "rejected" and "process doing it ended" in message and "has ended" in params
    assert not _query(data, "SELECT 1 FROM datasets_snapshot")
    assert not [p for p in snapshots.rglob("*") if p.is_file()], "nothing half-written is left"
    assert not _query(data, "SELECT 1 FROM accounts_jobheartbeat")

    again = _tillit(data, "import", "suppliers", str(big))
    assert again.returncode == 0, again.stderr
    assert _query(data, "SELECT rows FROM datasets_snapshot") == [(400_000,)]


def test_a_control_run_killed_half_way_is_marked_failed_and_runs_again(installation, tmp_path):
    data = installation
    generated = tmp_path / "kommun"
    assert _tillit(data, "generate", str(generated), "--scale", "0.1").returncode == 0
    for dataset in ("suppliers", "invoices"):
        done = _tillit(data, "import", dataset, str(generated / f"{dataset}.csv"))
        assert done.returncode == 0, done.stderr
    process = subprocess.Popen(
        [sys.executable, "-m", "tillit.cli", "controls", "run"],  # noqa: S603
        env=_env(data),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _kill_when(
        process,
        data,
        "SELECT 1 FROM controls_run r JOIN accounts_jobheartbeat b "
        "ON b.kind = 'run' AND b.object_id = r.id WHERE r.status = 'running'",
    )
    assert _query(data, "SELECT status FROM controls_run") == [("running",)]
    assert not _query(data, "SELECT 1 FROM controls_hit"), (
        "no hit is published before the run is done"
    )

    assert _tillit(data, "jobs", "recover").returncode == 0
    ((status, error),) = _query(data, "SELECT status, error FROM controls_run")
    assert status == "failed" and "process doing it ended" in error
    assert not _query(data, "SELECT 1 FROM controls_hit")

    again = _tillit(data, "controls", "run")
    assert again.returncode == 0, again.stderr
    assert _query(data, "SELECT status FROM controls_run ORDER BY id") == [("failed",), ("done",)]
    assert _query(data, "SELECT count(*) FROM controls_hit")[0][0] > 0


def test_the_worker_started_by_serve_ends_when_serve_is_killed(installation):
    """F15: `tillit serve` killed with SIGKILL leaves no worker or scheduler behind."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    serve = subprocess.Popen(
        [sys.executable, "-m", "tillit.cli", "serve", "--port", str(port)],  # noqa: S603
        env=_env(installation),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        children: list[int] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(children) < 2:
            time.sleep(0.5)
            children = [
                int(p)
                for p in subprocess.run(
                    ["pgrep", "-P", str(serve.pid)],
                    capture_output=True,  # noqa: S603, S607
                    text=True,
                ).stdout.split()
            ]
        assert len(children) == 2, "serve started its worker and scheduler"
        serve.send_signal(signal.SIGKILL)
        serve.wait(10)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and any(_running(pid) for pid in children):
            time.sleep(0.5)
        assert not [pid for pid in children if _running(pid)], "a child outlived serve"
    finally:
        if serve.poll() is None:
            serve.kill()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie waiting for its (gone) parent to reap it counts as ended
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False
