"""F6: a hash chain over the access log, verified by `tillit accesslog verify` and every night.

The probe found that the application's own database role could disable the trigger and delete
rows with nothing to show for it. Here the tampering is done the same way (triggers dropped,
raw SQL) and the verification must find it."""

from __future__ import annotations

import logging

import pytest
from django.db import connection

from tillit.accounts.access import log_personal_data
from tillit.accounts.integrity import head_path, verify, verify_and_record
from tillit.accounts.models import AccessLogEntry

pytestmark = pytest.mark.django_db
TABLE = AccessLogEntry._meta.db_table


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@pytest.fixture
def rows(rf, personas):
    user = personas["investigator"]
    return [
        log_personal_data(rf.get(f"/arenden/{n}/"), object_type="case", object_id=str(n), user=user)
        for n in range(1, 6)
    ]


def _without_triggers(sql: str, params=()):
    """What the probe did: the table's own role removes the append-only triggers and edits rows."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS accesslog_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS accesslog_no_delete")
        else:
            # The rows were written in this test's transaction; their deferred foreign-key checks
            # must run before PostgreSQL lets the table be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        cursor.execute(sql, params)


def test_each_row_links_to_the_one_before(rows):
    assert rows[0].prev_hash == AccessLogEntry.GENESIS or rows[0].prev_hash is not None
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.row_hash
    result = verify()
    assert result.ok and result.rows >= 5 and result.last_id == rows[-1].pk


def test_a_changed_row_is_found(rows):
    _without_triggers(f"UPDATE {TABLE} SET object_id = '999' WHERE id = %s", [rows[2].pk])
    result = verify()
    assert not result.ok
    assert ("Row %(id)s was changed after it was written.", {"id": rows[2].pk}) in result.problems


def test_a_removed_row_in_the_middle_is_found(rows):
    _without_triggers(f"DELETE FROM {TABLE} WHERE id = %s", [rows[2].pk])
    result = verify()
    assert [p for p in result.problems if p[1] == {"id": rows[3].pk}]


def test_rows_removed_at_the_end_are_found_against_the_recorded_head(rows):
    assert verify_and_record().ok
    assert head_path().stat().st_mode & 0o777 == 0o600
    _without_triggers(f"DELETE FROM {TABLE} WHERE id >= %s", [rows[3].pk])
    result = verify()
    assert not result.ok and "rows at the end were removed" in result.problems[0][0]


def test_a_row_written_past_the_application_is_found(rows, personas):
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (municipality_id, at, username, action, object_type, object_id, path, referer) "
            "VALUES (%s, %s, 'x', 'view', 'case', '1', '/', '')",
            [rows[0].municipality_id, rows[0].at],
        )
    assert "past the application" in verify().problems[0][0]


def test_the_command_fails_with_a_swedish_message_and_the_nightly_check_alarms(
    rows, caplog, capsys
):
    from django.utils import translation

    from tillit.accounts.security_cli import cmd_verify, nightly
    from tillit.cli import CommandError

    with translation.override("sv"):
        assert cmd_verify(None) == 0
        assert "obruten" in capsys.readouterr().out
        _without_triggers(f"UPDATE {TABLE} SET username = 'ingen' WHERE id = %s", [rows[1].pk])
        with pytest.raises(CommandError) as error:
            cmd_verify(None)
        assert "säkerhetsincident" in str(error.value)
    state: dict = {}
    caplog.clear()
    with caplog.at_level(logging.CRITICAL, logger="tillit.security"):
        nightly(state)
        nightly(state)  # once a day
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL] == [
        "ACCESS LOG TAMPERED"
    ]
