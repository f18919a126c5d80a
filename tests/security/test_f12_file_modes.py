"""F12: the database (with TOTP secrets), snapshots and uploads are readable by the installation's
own user only: files 0600, folders 0700, whatever the umask the service was started with."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.security.test_backup_restore import SEED

pytestmark = pytest.mark.slow


def test_everything_in_the_data_directory_is_private(tmp_path):
    data, seed = tmp_path / "data", tmp_path / "seed"
    data.mkdir()
    seed.mkdir()
    data.chmod(0o755)
    # a service started with a permissive umask (022 is the usual default)
    made = subprocess.run(
        [sys.executable, "-c", f"import os; os.umask(0o022); exec({SEED!r})"],  # noqa: S603
        env=os.environ | {"TILLIT_DATA_DIR": str(data), "SEED_DIR": str(seed)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    upload = data / "uploads" / "abc"
    uploaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os; os.environ['DJANGO_SETTINGS_MODULE']="
            "'tillit.config.settings'; import django; django.setup(); from django.conf import "
            "settings; p = settings.DATA_DIR / 'uploads' / 'abc'; p.mkdir(parents=True); "
            "(p / 'fil.csv').write_text('x')",
        ],  # the upload view writes the same way
        env=os.environ | {"TILLIT_DATA_DIR": str(data)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert uploaded.returncode == 0, uploaded.stderr
    checked = [
        data,
        data / "tillit.sqlite3",
        upload,
        upload / "fil.csv",
        *(data / "snapshots").rglob("*"),
        *(data / "case-files").rglob("*"),
    ]
    assert len(checked) > 6
    loose = [
        (str(p.relative_to(tmp_path)), oct(p.stat().st_mode & 0o777))
        for p in checked
        if p.stat().st_mode & 0o077
    ]
    assert not loose, loose
    assert Path(data / "tillit.sqlite3").stat().st_mode & 0o777 == 0o600
