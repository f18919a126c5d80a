"""Upgrades: a database at the first released schema (each app's 0001), with a row in every table,
migrated to today's schema. No row is lost, the access log stays append-only in the database,
and what the new migrations add (the hash chain, token scopes and expiry) is right for old rows.

Runs in a subprocess with its own SQLite database, so the test database is not touched."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

SCRIPT = r"""
import os, json, datetime, decimal, django
os.environ["DJANGO_SETTINGS_MODULE"] = "tillit.config.settings"
django.setup()
from django.core.management import call_command
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor

FIRST = [("accounts", "0001_initial"), ("datasets", "0001_initial"), ("controls", "0001_initial"),
         ("cases", "0001_initial")]
executor = MigrationExecutor(connection)
executor.migrate(FIRST)
executor.loader.build_graph()
apps = executor.loader.project_state(FIRST).apps
ours = [m for m in apps.get_models() if m._meta.app_label in {a for a, _ in FIRST}]
made = {}
now = datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.UTC)

def value(field, model):
    if isinstance(field, models.ForeignKey):
        target = field.related_model
        if field.null and target is model:
            return None
        return make(target)
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, (models.DateTimeField,)):
        return now
    if isinstance(field, models.DateField):
        return now.date()
    if isinstance(field, models.DecimalField):
        return decimal.Decimal("1")
    if isinstance(field, (models.IntegerField, models.BigIntegerField, models.PositiveIntegerField)):
        return 1
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.GenericIPAddressField):
        return "192.0.2.1"
    if isinstance(field, models.UUIDField):
        import uuid
        return uuid.uuid4()
    if isinstance(field, models.BinaryField):
        return b"x"
    length = getattr(field, "max_length", None) or 20
    return f"{model._meta.model_name[:8]}-{field.name}"[:length]

def make(model):
    key = model._meta.label
    if key in made:
        return made[key]
    kwargs = {}
    for field in model._meta.concrete_fields:
        if field.primary_key and field.auto_created or isinstance(field, models.AutoField):
            continue
        if isinstance(field, models.ForeignKey):
            kwargs[field.name] = value(field, model)
        else:
            kwargs[field.attname] = value(field, model)
    obj = model(**kwargs)
    models.Model.save_base(obj, raw=True)
    made[key] = obj
    return obj

for model in ours:
    make(model)
before = {m._meta.db_table: m._default_manager.count() for m in ours}
call_command("migrate", verbosity=0)

from tillit.accounts.integrity import verify
from tillit.accounts.models import AccessLogEntry, ApiToken
after = {}
with connection.cursor() as cursor:
    for table in before:
        cursor.execute(f"SELECT count(*) FROM {table}")
        after[table] = cursor.fetchone()[0]
token = ApiToken.objects.get()
refused = []
for sql in ("UPDATE accounts_accesslogentry SET object_id = 'x'", "DELETE FROM accounts_accesslogentry"):
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    except Exception:
        refused.append(sql)
print(json.dumps({"before": before, "after": after, "scopes": token.scopes,
                  "expires": token.expires_at is not None, "refused": refused,
                  "chain": [verify().ok, verify().before_chain], "log_rows": AccessLogEntry.objects.count()}))
"""


def test_every_table_keeps_its_rows_from_the_first_schema_to_today(tmp_path):
    env = {**os.environ, "TILLIT_DATA_DIR": str(tmp_path), "TILLIT_LOG_LEVEL": "ERROR"}
    env.pop("TILLIT_DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600
    )  # noqa: S603
    assert done.returncode == 0, done.stderr[-3000:]
    import json

    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(result["before"]) >= 15 and all(n == 1 for n in result["before"].values())
    assert result["after"] == result["before"]
    assert (
        sorted(result["scopes"]) == ["cases:read", "data:read", "hits:read"] and result["expires"]
    )
    assert len(result["refused"]) == 2, "the append-only triggers survive the table rebuild"
    assert result["chain"] == [True, 1] and result["log_rows"] == 1
