"""`tillit backup` and `tillit restore`: an installation restored into an empty one is the same.

Runs the real command in subprocesses, each with its own data directory and SQLite database:
an installation with a municipality, users, an imported data set (a Parquet snapshot), a case
with a document and access-log rows is backed up, restored into an empty data directory, and
compared table by table and file by file.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SEED = r"""
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "tillit.config.settings"
django.setup()
from decimal import Decimal
from pathlib import Path
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import RequestFactory
from tillit.accounts.access import log_personal_data
from tillit.accounts.services import municipality_create, user_create
from tillit.cases.services import case_create, document_add
from tillit.datasets.services import import_file
m = municipality_create(code="0180", name="Kommun A", boards=["Socialnämnden"])
u = user_create(municipality=m, username="alice", password="ett långt lösenord för test", role="coordinator")
csv = Path(os.environ["SEED_DIR"]) / "suppliers.csv"
csv.write_text("supplier_id;name;org_number\nL1;Bygg AB;5560000001\nL2;Städ AB;5560000002\n", encoding="utf-8")
import_file(user=u, municipality=m, dataset="suppliers", path=csv)
case = case_create(municipality=m, user=u, title="Felaktig utbetalning", case_type="benefit", source="staff",
                   subjects=[{"kind": "person", "identifier": "19121212-1212", "name": "Tolvan"}], team=[u],
                   amount_concerned=Decimal("1000"))
document_add(case=case, user=u, title="Underlag", filename="underlag.txt", content=b"bevis")
for n in range(3):
    log_personal_data(RequestFactory().get(f"/arenden/{case.pk}/"), object_type="case", object_id=str(case.pk), user=u)
"""

DUMP = r"""
import os, django, json, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "tillit.config.settings"
django.setup()
from django.apps import apps
from django.core import serializers
out = {}
for model in apps.get_models():
    if model._meta.app_label in ("sessions", "axes", "django_tasks_database", "django_tasks_db"):
        continue
    out[model._meta.label] = json.loads(serializers.serialize("json", model._default_manager.order_by("pk")))
print(json.dumps(out, sort_keys=True, default=str))
"""


def _run(args, data_dir, **extra):
    env = {**os.environ, "TILLIT_DATA_DIR": str(data_dir), "TILLIT_LOG_LEVEL": "ERROR", **extra}
    env.pop("TILLIT_DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=300
    )  # noqa: S603


def _files(root: Path, skip=("tillit.sqlite3", "static", "uploads", "accesslog-head.json")) -> dict:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(skip) and p.relative_to(root).parts[0] not in skip
    }


def test_backup_then_restore_into_an_empty_installation_gives_the_same_installation(tmp_path):
    original, restored, backups, seed = (tmp_path / n for n in ("a", "b", "backups", "seed"))
    for folder in (original, restored, seed):
        folder.mkdir()
    made = _run(["-c", SEED], original, SEED_DIR=str(seed))
    assert made.returncode == 0, made.stderr
    backup = _run(["-m", "tillit.cli", "backup", str(backups)], original)
    assert backup.returncode == 0, backup.stderr
    (folder,) = backups.iterdir()
    assert folder.stat().st_mode & 0o777 == 0o700
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in folder.rglob("*") if p.is_file())
    manifest = json.loads((folder / "MANIFEST.json").read_text())
    assert manifest["accesslog"]["rows"] >= 3 and "data/secret_key" in manifest["files"]

    done = _run(["-m", "tillit.cli", "restore", str(folder)], restored)
    assert done.returncode == 0, done.stderr + done.stdout
    before, after = (_run(["-c", DUMP], d) for d in (original, restored))
    assert before.returncode == 0 and after.returncode == 0, before.stderr + after.stderr
    assert json.loads(before.stdout) == json.loads(after.stdout)
    assert _files(original) == _files(restored)
    assert any(name.startswith("snapshots/") for name in _files(restored))
    assert any(name.startswith("case-files/") for name in _files(restored))
    verified = _run(["-m", "tillit.cli", "accesslog", "verify"], restored)
    assert verified.returncode == 0, verified.stderr

    # a second restore into the now full installation is refused and changes nothing
    again = _run(["-m", "tillit.cli", "restore", str(folder)], restored)
    assert again.returncode == 1 and "Ingenting återställdes" in again.stderr


def test_a_damaged_backup_is_refused_before_anything_is_touched(tmp_path):
    original, restored, backups, seed = (tmp_path / n for n in ("a", "b", "backups", "seed"))
    for folder in (original, restored, seed):
        folder.mkdir()
    assert _run(["-c", SEED], original, SEED_DIR=str(seed)).returncode == 0
    assert _run(["-m", "tillit.cli", "backup", str(backups)], original).returncode == 0
    (folder,) = backups.iterdir()
    snapshot = next(p for p in (folder / "data").rglob("*.parquet"))
    snapshot.write_bytes(snapshot.read_bytes()[:-10])
    done = _run(["-m", "tillit.cli", "restore", str(folder)], restored)
    assert done.returncode == 1 and "skadad" in done.stderr
    assert (
        not (restored / "tillit.sqlite3").exists()
        or (restored / "tillit.sqlite3").stat().st_size < 1
    )
