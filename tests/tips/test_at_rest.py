"""The raw files of an installation hold no plaintext of a report, and no address of its sender."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
MARKERS = [
    "MARKER-report-5e1f9",
    "MARKER-file-77ab2",
    "MARKER-contact-0c3d",
    "MARKER-reply-a9e4",
    "MARKER-answer-31f0",
    "MARKER-plain-complaint-6b8e",
]


@pytest.mark.slow
def test_no_plaintext_of_a_report_in_the_database_or_the_data_directory(tmp_path):
    env = {
        **os.environ,
        "TILLIT_DATA_DIR": str(tmp_path),
        "PYTHONPATH": os.pathsep.join(
            [str(HERE.parents[1] / "src"), str(HERE.parents[1]), os.environ.get("PYTHONPATH", "")]
        ),
    }
    env.pop("TILLIT_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, str(HERE / "raw_store_script.py"), *MARKERS],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code_len"] == 16
    # the search works: the complaint (plain text by design) is found in the database files
    assert result["found"].get(MARKERS[-1]), result
    assert any(f.startswith("tillit.sqlite3") for f in result["files"])
    assert any(f.startswith("tips/") for f in result["files"])  # the encrypted attachment
    leaked = {k: v for k, v in result["found"].items() if k != MARKERS[-1]}
    assert leaked == {}, leaked
