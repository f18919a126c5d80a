"""The access log's hash chain and API token scopes and expiry.

SQLite rebuilds a table to alter a column, which drops its triggers: the append-only
triggers of 0002 are dropped first and created again at the end, on both databases.
Tokens made before scopes existed could read everything: they keep the read scopes and
expire in 90 days.
"""

from datetime import timedelta
from importlib import import_module

import django.utils.timezone
from django.db import migrations, models

_0002 = import_module("tillit.accounts.migrations.0002_access_log_append_only")


class append_only:  # noqa: N801 - reads like the module it wraps
    create = staticmethod(_0002._run({"sqlite": _0002.SQLITE, "postgresql": _0002.POSTGRES}))
    drop = staticmethod(
        _0002._run({"sqlite": _0002.SQLITE_REVERSE, "postgresql": _0002.POSTGRES_REVERSE})
    )


def _existing_tokens(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    expires = django.utils.timezone.now() + timedelta(days=90)
    ApiToken.objects.all().update(
        scopes=["hits:read", "cases:read", "data:read"], expires_at=expires
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_access_log_append_only"),
    ]

    operations = [
        migrations.RunPython(append_only.drop, append_only.create),
        migrations.AddField(
            model_name="accesslogentry",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="row_hash",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="expires"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="scopes",
            field=models.JSONField(blank=True, default=list, verbose_name="scopes"),
        ),
        migrations.AlterField(
            model_name="accesslogentry",
            name="at",
            field=models.DateTimeField(
                db_index=True,
                default=django.utils.timezone.now,
                editable=False,
                verbose_name="time",
            ),
        ),
        migrations.RunPython(_existing_tokens, migrations.RunPython.noop),
        migrations.RunPython(append_only.create, append_only.drop),
    ]
