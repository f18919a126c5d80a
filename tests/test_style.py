"""ruff: the lint rules and the formatting of src/ and tests/ ([tool.ruff] in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "src", "tests"],  # noqa: S603
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_ruff_finds_nothing():
    done = _ruff("check", "--no-cache")
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]


def test_the_code_is_formatted():
    done = _ruff("format", "--check", "--no-cache")
    assert done.returncode == 0, (
        "run `ruff format src tests`:\n" + done.stdout[-5000:] + done.stderr[-2000:]
    )
