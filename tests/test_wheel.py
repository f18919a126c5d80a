"""The wheel is the product: built, installed into a new virtual environment in an empty folder (no
checkout, no shared/ anywhere above it), and there set up, fed and served."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow, pytest.mark.wheel]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)  # noqa: S603
    assert done.returncode == 0, f"{cmd}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def test_the_wheel_installs_sets_up_imports_runs_controls_and_serves_in_swedish(tmp_path_factory):
    # tmp_path_factory's base is under the system's temporary folder: nothing of the checkout above it
    base = tmp_path_factory.mktemp("wheel")
    assert not any((p / "shared").exists() for p in base.parents)

    # Build from a copy of the source, so the checkout gets no build/ folder.
    source = base / "source"
    shutil.copytree(
        ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(base / "dist"),
            str(source),
        ],
        timeout=600,
    )
    (wheel,) = (base / "dist").glob("tillit-*.whl")
    shutil.rmtree(source)

    venv = base / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], timeout=300)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], timeout=1500)

    work = base / "empty"
    work.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TILLIT_", "DJANGO_", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", TILLIT_DATA_DIR=str(base / "data")
    )
    tillit = str(venv / "bin" / "tillit")

    where = _run(
        [str(venv / "bin" / "python"), "-c", "import tillit; print(tillit.__file__)"],
        cwd=work,
        env=env,
    )
    assert str(venv) in where.stdout  # the installed package, not the checkout

    (work / "pw").write_text("ett långt lösenord för it-avdelningen\n", encoding="utf-8")
    out = _run(
        [tillit, "setup", "--code", "0885", "--admin", "it", "--password-file", "pw"],
        cwd=work,
        env=env,
    )
    assert "Borgholms kommun är konfigurerad" in out.stdout
    _run(
        [tillit, "generate", "gen", "--scale", "0.05", "--seed", "2"],
        cwd=work,
        env=env,
        timeout=600,
    )
    assert (work / "gen" / "truth.json").is_file()
    out = _run([tillit, "import", "invoices", "gen/invoices.csv"], cwd=work, env=env, timeout=600)
    assert "rader lästes in i invoices" in out.stdout
    out = _run([tillit, "controls", "run"], cwd=work, env=env, timeout=900)
    assert "nya träffar" in out.stdout

    # the demo, on its own data directory, until /health answers and the login page is Swedish
    port = _free_port()
    demo_env = {**env, "TILLIT_DATA_DIR": str(base / "demo")}
    log = (base / "demo.log").open("w")
    server = subprocess.Popen(
        [tillit, "demo", "--port", str(port), "--scale", "0.05"],  # noqa: S603
        cwd=work,
        env=demo_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 900
        health = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:  # noqa: S310
                    health = r.status
                    break
            except OSError:
                time.sleep(2)
        assert health == 200, (base / "demo.log").read_text()[-3000:]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as r:  # noqa: S310 (redirects to login)
            page = r.read().decode("utf-8")
        assert 'lang="sv"' in page and "Logga in" in page and "Användarnamn" in page
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
