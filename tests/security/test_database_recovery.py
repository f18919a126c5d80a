"""PostgreSQL restarted under load: kept connections are health-checked before reuse, so the
application recovers without a restart of its own. (Restarting the shared test server is not done
here; this checks the configuration that makes Django replace a dead connection.)"""

from __future__ import annotations

import os
import subprocess
import sys


def test_postgresql_connections_are_checked_before_reuse(tmp_path):
    env = {
        **os.environ,
        "TILLIT_DATA_DIR": str(tmp_path),
        "TILLIT_SECRET_KEY": "x" * 50,
        "TILLIT_DATABASE_URL": "postgres://tillit:secret@127.0.0.1:5432/tillit",
        "DJANGO_SETTINGS_MODULE": "tillit.config.settings",
    }
    code = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )  # noqa: S603
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["60", "True"]
