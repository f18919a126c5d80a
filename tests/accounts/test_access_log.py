import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from tillit.accounts.access import log_personal_data
from tillit.accounts.models import AccessLogEntry


@pytest.fixture
def entry(rf, personas):
    request = rf.get("/arenden/42/", HTTP_REFERER="/arenden/")
    return log_personal_data(
        request, object_type="case", object_id="42", user=personas["investigator"]
    )


def test_a_view_of_personal_data_records_who_what_when_and_where(entry, personas):
    assert entry.username == "bob"
    assert entry.object_type == "case" and entry.object_id == "42"
    assert entry.path == "/arenden/42/" and entry.referer == "/arenden/"
    assert entry.municipality == personas["investigator"].municipality
    assert entry.at is not None


def test_the_application_cannot_change_or_delete_the_log(entry):
    entry.object_id = "43"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AccessLogEntry.objects.filter(pk=entry.pk).update(object_id="43")
    with pytest.raises(PermissionError):
        AccessLogEntry.objects.all().delete()


def test_the_database_itself_refuses_update_and_delete(entry):
    table = AccessLogEntry._meta.db_table
    for sql in (f"UPDATE {table} SET object_id = '43'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AccessLogEntry.objects.get(pk=entry.pk).object_id == "42"


def test_an_administrator_searches_and_exports_the_log(client, personas, login, entry):
    login(client, personas["admin"])
    page = client.get(reverse("accounts-access-log"), {"username": "bob"})
    assert page.status_code == 200 and b"/arenden/42/" in page.content
    none = client.get(reverse("accounts-access-log"), {"username": "nobody"})
    assert b"/arenden/42/" not in none.content
    export = client.get(reverse("accounts-access-log"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert any("42" in row and "bob" in row for row in rows[1:])
    # the export is itself a view of personal data
    assert AccessLogEntry.objects.filter(username="adam", action="export").exists()


def test_another_municipalitys_log_is_never_shown(client, personas, login, entry, kommun_b):
    from tillit.accounts.models import Role
    from tillit.accounts.services import user_create

    other_admin = user_create(
        municipality=kommun_b, username="bea", password="x" * 12, role=Role.ADMIN
    )
    login(client, other_admin)
    page = client.get(reverse("accounts-access-log"))
    assert b"/arenden/42/" not in page.content
