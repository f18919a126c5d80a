"""F1: every page, export, API response and command that shows personal data writes one
access-log row. The probe found the review queue, the case list, case search by personnummer
and `tillit hits export` logging nothing."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tillit.accounts.models import AccessLogEntry
from tillit.accounts.personal_data import (
    API_PERSONAL,
    NOT_PERSONAL,
    NOT_PERSONAL_PREFIXES,
    PERSONAL,
)


def _route_names(patterns=None, namespace=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "api":
                continue  # the API is walked from its OpenAPI schema below
            yield from _route_names(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry.name


def test_every_route_of_the_resolver_is_classified():
    names = set(_route_names())
    unclassified = {
        n for n in names - set(PERSONAL) - NOT_PERSONAL if not n.startswith(NOT_PERSONAL_PREFIXES)
    }
    assert not unclassified, (
        f"classify these routes in accounts/personal_data.py: {sorted(unclassified)}"
    )
    assert not set(PERSONAL) & NOT_PERSONAL
    assert names >= set(PERSONAL), "a PERSONAL entry names no route"


# sections whose objects this world does not build walk their own pages: the receivers' tip pages
# need a tip and the receivers' key (tests/tips), a sample needs imported invoices (tests/sampling)
WALKED_ELSEWHERE = ("tips-", "sampling-")


def _letter_kind():
    from tillit.cases.models import Letter

    return Letter.Kind.values[0]


def _urls(world, personas):
    case, hit, attempt = world["case"], world["hit"], world["attempt"]
    return {
        "controls-queue": ("coordinator", reverse("controls-queue")),
        "controls-hit": ("coordinator", reverse("controls-hit", args=[hit.pk])),
        "controls-queue-export": ("coordinator", reverse("controls-queue-export")),
        "cases-list": ("coordinator", reverse("cases-list")),
        "cases-detail": ("coordinator", reverse("cases-detail", args=[case.pk])),
        "cases-ledger": ("coordinator", reverse("cases-ledger")),
        "cases-retention": ("coordinator", reverse("cases-retention")),
        "cases-outcome": ("coordinator", reverse("cases-outcome", args=[case.pk, "other"])),
        "cases-draft": (
            "coordinator",
            reverse("cases-draft", args=[case.pk, "recovery", world["claim"].pk]),
        ),
        "cases-letter": ("coordinator", reverse("cases-letter", args=[case.pk, _letter_kind()])),
        "cases-document": (
            "coordinator",
            reverse("cases-document", args=[case.pk, world["document"].pk]),
        ),
        "cases-export": ("coordinator", reverse("cases-export", args=[case.pk])),
        "datasets-attempt": ("coordinator", reverse("datasets-attempt", args=[attempt.pk])),
        "datasets-attempt-errors": (
            "coordinator",
            reverse("datasets-attempt-errors", args=[attempt.pk]),
        ),
        "datasets-entities": ("coordinator", reverse("datasets-entities")),
        "accounts-access-log": ("admin", reverse("accounts-access-log")),
        "accounts-admin": ("admin", reverse("accounts-admin")),
        "accounts-user": ("admin", reverse("accounts-user", args=[personas["investigator"].pk])),
    }


@pytest.mark.django_db
def test_every_page_with_personal_data_writes_exactly_one_row(client, login, personas, world):
    urls = _urls(world, personas)
    assert set(urls) == {n for n in PERSONAL if not n.startswith(WALKED_ELSEWHERE)}, (
        "every personal-data page is walked"
    )
    current = None
    for name, (who, url) in urls.items():
        if current != who:
            client.logout()
            login(client, personas[who])
            current = who
        before = AccessLogEntry.objects.count()
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        rows = list(
            AccessLogEntry.objects.order_by("-id")[: AccessLogEntry.objects.count() - before]
        )
        assert len(rows) == 1, (name, [(r.object_type, r.object_id) for r in rows])
        assert rows[0].username == personas[who].username and rows[0].path == url
        assert "no-store" in response["Cache-Control"], name  # F13


@pytest.mark.django_db
def test_case_search_by_personnummer_is_logged_as_a_search_with_what_was_searched(
    client, login, personas, world
):
    login(client, personas["coordinator"])
    response = client.get(reverse("cases-list"), {"q": "19121212-1212"})
    assert response.status_code == 200 and world["case"].number.encode() in response.content
    row = AccessLogEntry.objects.order_by("-id").first()
    assert (row.action, row.object_type, row.object_id) == ("search", "case list", "19121212-1212")


@pytest.mark.django_db
def test_htmx_progress_polling_of_an_import_is_not_a_view_of_personal_data(
    client, login, personas, world
):
    login(client, personas["coordinator"])
    before = AccessLogEntry.objects.count()
    client.get(reverse("datasets-attempt", args=[world["attempt"].pk]), HTTP_HX_REQUEST="true")
    assert AccessLogEntry.objects.count() == before


@pytest.mark.django_db
def test_pages_without_personal_data_write_nothing(client, login, personas, world):
    login(client, personas["coordinator"])
    for name in (
        "reports-overview",
        "controls-list",
        "controls-runs",
        "cases-statistics",
        "datasets-list",
    ):
        before = AccessLogEntry.objects.count()
        assert client.get(reverse(name)).status_code == 200
        assert AccessLogEntry.objects.count() == before, name


@pytest.mark.django_db
def test_every_api_endpoint_with_personal_data_writes_exactly_one_row(
    client, login, personas, world
):
    import re

    from tillit.accounts.personal_data import API_NOT_PERSONAL, API_NOT_PERSONAL_TAGS
    from tillit.config.api import api

    schema = api.get_openapi_schema()
    gets = {path: ops["get"] for path, ops in schema["paths"].items() if "get" in ops}
    unclassified = {
        p
        for p, op in gets.items()
        if p not in API_PERSONAL | API_NOT_PERSONAL
        and not set(op.get("tags", [])) & API_NOT_PERSONAL_TAGS
    }
    assert not unclassified, (
        f"classify these API paths in accounts/personal_data.py: {sorted(unclassified)}"
    )
    login(client, personas["coordinator"])
    for path in sorted(gets):
        url = re.sub(r"\{case_id\}", str(world["case"].pk), path)
        url = re.sub(r"\{[^}]+\}", "1", url)
        before = AccessLogEntry.objects.count()
        response = client.get(url)
        assert response.status_code in (200, 404), (
            path,
            response.status_code,
            response.content[:200],
        )
        written = AccessLogEntry.objects.count() - before
        if path in API_PERSONAL and ("{" not in path or "{case_id}" in path):
            assert (response.status_code, written) == (200, 1), path
        elif (
            path in API_PERSONAL
        ):  # another section's object this world does not have: found nothing, logged nothing
            assert written == (1 if response.status_code == 200 else 0), path
        else:
            assert written == 0, path
        assert "no-store" in response["Cache-Control"], path


def _cli(argv):
    from tillit.cli import build_parser

    args = build_parser().parse_args(argv)
    out = io.StringIO()
    with redirect_stdout(out):
        assert int(args.func(args) or 0) == 0
    return out.getvalue()


@pytest.mark.django_db
def test_tillit_hits_export_writes_one_row(world, kommun_a):
    before = AccessLogEntry.objects.count()
    output = _cli(["--municipality", kommun_a.code, "hits", "export", "--format", "csv"])
    assert "19121212-1212" in output
    assert AccessLogEntry.objects.count() - before == 1
    row = AccessLogEntry.objects.order_by("-id").first()
    assert (row.action, row.object_type, row.object_id) == ("export", "hits", "cli:1")
    assert row.username.startswith("cli:") and row.municipality_id == kommun_a.pk


@pytest.mark.django_db
def test_tillit_cases_export_with_personal_data_writes_one_row(world, kommun_a, personas):
    from tillit.cases.cli import add_commands  # noqa: F401 - the command exists

    before = AccessLogEntry.objects.count()
    args = type(
        "Args",
        (),
        {
            "municipality": kommun_a.code,
            "user": personas["coordinator"].username,
            "format": "json",
            "output": None,
        },
    )
    from tillit.cases.cli import cmd_export

    out = io.StringIO()
    with redirect_stdout(out):
        cmd_export(args)
    assert "19121212-1212" in out.getvalue()
    assert AccessLogEntry.objects.count() - before == 1


@pytest.mark.django_db
def test_a_refused_import_of_personal_data_on_the_command_line_logs_the_printed_rows(
    kommun_a, tmp_path, capsys
):
    from tillit.cli import build_parser

    bad = tmp_path / "population.csv"
    bad.write_text(
        "personnummer;name;status;registered_from\n19121212-1212;Tolvan;folkbokford;2026-13-45\n",
        encoding="utf-8",
    )
    args = build_parser().parse_args(
        ["--municipality", kommun_a.code, "import", "population", str(bad)]
    )
    before = AccessLogEntry.objects.count()
    from tillit.cli import CommandError

    with pytest.raises(CommandError):
        args.func(args)
    assert "2026-13-45" in capsys.readouterr().err
    row = AccessLogEntry.objects.order_by("-id").first()
    assert (
        AccessLogEntry.objects.count() - before == 1
        and row.object_type == "import-errors:population"
    )
