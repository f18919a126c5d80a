"""The access log is append-only in the database itself, not only in the application."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER accesslog_no_update BEFORE UPDATE ON accounts_accesslogentry
       BEGIN SELECT RAISE(ABORT, 'access log is append-only'); END""",
    """CREATE TRIGGER accesslog_no_delete BEFORE DELETE ON accounts_accesslogentry
       BEGIN SELECT RAISE(ABORT, 'access log is append-only'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER accesslog_no_update", "DROP TRIGGER accesslog_no_delete"]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION tillit_accesslog_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'access log is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER accesslog_append_only BEFORE UPDATE OR DELETE ON accounts_accesslogentry
       FOR EACH ROW EXECUTE FUNCTION tillit_accesslog_append_only()""",
    """CREATE TRIGGER accesslog_no_truncate BEFORE TRUNCATE ON accounts_accesslogentry
       FOR EACH STATEMENT EXECUTE FUNCTION tillit_accesslog_append_only()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER accesslog_no_truncate ON accounts_accesslogentry",
    "DROP TRIGGER accesslog_append_only ON accounts_accesslogentry",
    "DROP FUNCTION tillit_accesslog_append_only()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
