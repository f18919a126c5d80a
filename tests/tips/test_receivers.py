"""Receivers' side: deadlines and reminders on a controlled clock, handover, vault, retention, scanning."""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.conftest import PASSWORD

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _at(*args):
    return datetime(*args, tzinfo=STOCKHOLM)


def _submit(kommun, channel="whistleblowing", contact=None, uploads=()):
    from tillit.tips import services

    return services.report_submit(
        municipality=kommun,
        channel=channel,
        category="staff",
        answers={"what": "Chefen tar emot gåvor"},
        contact=contact,
        uploads=list(uploads),
    )


def test_acknowledgement_and_feedback_reminders_fire_on_time(
    personas, receivers, kommun_a, mailoutbox
):
    from tillit.tips import services
    from tillit.tips.models import Reminder

    personas["investigator"].email = "bob@example.se"
    personas["investigator"].save()
    with time_machine.travel(_at(2026, 3, 2, 9, 0), tick=False):
        report, _code = _submit(kommun_a)
        assert services.reminders_send() == []
    # acknowledgement due 2026-03-09: the first reminder two days before, not earlier
    with time_machine.travel(_at(2026, 3, 6, 23, 0), tick=False):
        assert services.reminders_send() == []
    with time_machine.travel(_at(2026, 3, 7, 6, 0), tick=False):
        assert [r.kind for r in services.reminders_send()] == [Reminder.Kind.ACK_SOON]
        assert services.reminders_send() == []  # once only
    with time_machine.travel(_at(2026, 3, 9, 6, 0), tick=False):
        assert [r.kind for r in services.reminders_send()] == [Reminder.Kind.ACK_OVERDUE]
    # the reminders name the reference and the date, never what the report says
    assert len(mailoutbox) == 2
    for message in mailoutbox:
        assert report.reference in message.subject
        assert "gåvor" not in message.subject + message.body and "Chefen" not in message.body
        assert message.to == ["bob@example.se"]
    with time_machine.travel(_at(2026, 3, 10, 10, 0), tick=False):
        opened = services.receiver_open(
            report=report, user=personas["investigator"], private_key=receivers["investigator"]
        )
        services.report_acknowledge(opened=opened, user=personas["investigator"])
    # feedback within three months of the acknowledgement: due 2026-06-10
    with time_machine.travel(_at(2026, 6, 7, 12, 0), tick=False):
        assert services.reminders_send() == []
    with time_machine.travel(_at(2026, 6, 8, 0, 30), tick=False):
        assert [r.kind for r in services.reminders_send()] == [Reminder.Kind.FEEDBACK_SOON]
    with time_machine.travel(_at(2026, 6, 10, 0, 30), tick=False):
        assert [r.kind for r in services.reminders_send()] == [Reminder.Kind.FEEDBACK_OVERDUE]


def test_a_public_tip_has_no_feedback_deadline_and_the_selector_lists_deadlines(
    personas, receivers, kommun_a
):
    from tillit.tips import selectors

    with time_machine.travel(_at(2026, 3, 2, 9, 0), tick=False):
        tip, _c = _submit(kommun_a, channel="tips")
        whistle, _c = _submit(kommun_a)
    rows = selectors.deadlines(kommun_a, date(2026, 3, 1), date(2026, 6, 30))
    assert {(r["label"].split(":")[0], r["due"]) for r in rows} == {
        (tip.reference, date(2026, 3, 9)),
        (whistle.reference, date(2026, 3, 9)),
        (whistle.reference, date(2026, 6, 9)),
    }
    assert all(r["kind"] == "tips" and r["url"].startswith("/tips/inkomna/") for r in rows)
    assert selectors.deadlines(kommun_a, date(2026, 3, 10), date(2026, 6, 8)) == []


def test_automatic_acknowledgement_text_reaches_the_reporter(personas, receivers, kommun_a):
    from tillit.tips import services

    report, code = _submit(kommun_a)
    opened = services.receiver_open(
        report=report, user=personas["coordinator"], private_key=receivers["coordinator"]
    )
    services.report_acknowledge(opened=opened, user=personas["coordinator"])
    as_reporter = services.reporter_open(municipality=kommun_a, channel="whistleblowing", code=code)
    [message] = services.messages_read(report, as_reporter.data_key)
    assert report.reference in message["text"]
    with pytest.raises(services.TipError):
        services.report_acknowledge(opened=opened, user=personas["coordinator"])


def test_handover_to_a_case_leaves_the_identity_behind(personas, receivers, kommun_a):
    from tillit.cases.models import Case
    from tillit.tips import services

    report, _code = _submit(
        kommun_a, contact={"name": "Vera Visselblåsare", "phone": "070-1234567"}
    )
    opened = services.receiver_open(
        report=report, user=personas["coordinator"], private_key=receivers["coordinator"]
    )
    case = services.report_hand_over(
        opened=opened,
        user=personas["coordinator"],
        title="Gåvor till chef",
        case_type="unlawful_influence",
        description="Chefen tar emot gåvor",
    )
    case = Case.objects.get(pk=case.pk)
    assert case.tip_reference == report.reference
    assert case.source == "whistleblowing"
    assert "Vera" not in str(Case.objects.filter(pk=case.pk).values().get())
    report.refresh_from_db()
    assert report.status == "handed_over" and report.case_id == case.pk
    with pytest.raises(services.TipError):
        services.report_hand_over(
            opened=opened,
            user=personas["coordinator"],
            title="x",
            case_type="other",
            description="x",
        )


def test_identity_vault_needs_a_custodians_approval_and_is_logged(personas, receivers, kommun_a):
    from tillit.tips import services
    from tillit.tips.models import TipEvent

    report, _code = _submit(kommun_a, contact={"name": "Vera Visselblåsare"})
    bob, alice = personas["investigator"], personas["coordinator"]
    # bob is a receiver but holds no key to the vault, and has no approval
    with pytest.raises(services.TipError, match="approval"):
        services.vault_open(report=report, user=bob, private_key=receivers["investigator"])
    request = services.vault_request(report=report, user=bob, reason="Behöver höra vittnet")
    with pytest.raises(services.TipError):  # no one approves their own request
        services.vault_decide(
            request=request, custodian=bob, private_key=receivers["investigator"], approve=True
        )
    services.vault_decide(
        request=request, custodian=alice, private_key=receivers["coordinator"], approve=True
    )
    identity = services.vault_open(report=report, user=bob, private_key=receivers["investigator"])
    assert identity["name"] == "Vera Visselblåsare"
    actions = list(TipEvent.objects.filter(report=report).values_list("action", flat=True))
    assert {"vault_requested", "vault_approved", "vault_opened"} <= set(actions)


def test_retention_deletes_what_is_due_and_nothing_else(personas, receivers, kommun_a, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: F401

    from tillit.tips import services
    from tillit.tips.models import Attachment, Message, Report

    coordinator = personas["coordinator"]
    with time_machine.travel(_at(2024, 1, 10, 9, 0), tick=False):
        old_whistle, _c = _submit(
            kommun_a, uploads=[services.Upload("a.txt", b"gammal")], contact={"name": "X"}
        )
        old_tip, _c = _submit(kommun_a, channel="tips", uploads=[services.Upload("b.txt", b"tips")])
        young_whistle, _c = _submit(kommun_a)
        open_tip, _c = _submit(kommun_a, channel="tips")
        services.report_close(report=old_whistle, user=coordinator)
        services.report_close(report=old_tip, user=coordinator)
    with time_machine.travel(_at(2025, 6, 1, 9, 0), tick=False):
        services.report_close(report=young_whistle, user=coordinator)
    assert old_whistle.retain_until == date(2026, 1, 9)  # two years for whistleblowing
    assert old_tip.retain_until == date(2025, 1, 9)  # one year for tips
    files_before = {p.name for p in services.files_dir().iterdir()}
    with time_machine.travel(_at(2026, 3, 1, 9, 0), tick=False):
        due = list(services.retention_due(municipality=kommun_a))
        assert {r.pk for r in due} == {old_whistle.pk, old_tip.pk}
        for report in due:
            services.retention_delete(report=report, user=coordinator)
        with pytest.raises(services.TipError):
            services.retention_delete(
                report=Report.objects.get(pk=young_whistle.pk), user=coordinator
            )
    for report in (old_whistle, old_tip):
        report.refresh_from_db()
        assert report.deleted_at is not None and bytes(report.content) == b""
        assert not Attachment.objects.filter(report=report).exists()
        assert not Message.objects.filter(report=report).exists()
    # the others are untouched and still readable
    for report in (young_whistle, open_tip):
        report.refresh_from_db()
        assert report.deleted_at is None
        opened = services.receiver_open(
            report=report, user=coordinator, private_key=receivers["coordinator"]
        )
        assert opened.content["what"] == "Chefen tar emot gåvor"
    files_after = {p.name for p in services.files_dir().iterdir()}
    assert len(files_before) == 2 and files_after == set()


def test_clamav_finds_a_test_signature(personas, receivers, kommun_a, settings, tmp_path):
    import hashlib
    import shutil

    from tillit.tips import services

    clamscan = shutil.which("clamscan")
    if clamscan is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Debian's clamav is not installed; .ci/run installs it", pytrace=False)
        pytest.skip("Debian's clamav is not installed")
    bad = b"Tillit test malware sample 41c7\n"
    database = tmp_path / "clamav"
    database.mkdir()
    (database / "tillit-test.hdb").write_text(
        f"{hashlib.md5(bad).hexdigest()}:{len(bad)}:Tillit.Test.Sample\n"
    )  # noqa: S324
    settings.TIPS_CLAMSCAN = clamscan
    settings.TIPS_CLAMAV_DATABASE = str(database)
    assert services.scan(bad).status == "infected"
    assert services.scan(b"harmless text\n").status == "clean"
    with pytest.raises(services.TipError, match="malware"):
        _submit(kommun_a, uploads=[services.Upload("bad.txt", bad)])
    report, _code = _submit(kommun_a, uploads=[services.Upload("ok.txt", b"harmless text\n")])
    assert report.attachments.get().scan == "clean" and not report.unscanned_files


def test_without_a_scanner_files_are_held_as_unscanned(personas, receivers, kommun_a, settings):
    from tillit.tips import services

    settings.TIPS_CLAMSCAN = "/nonexistent/clamscan"
    report, _code = _submit(kommun_a, uploads=[services.Upload("ok.txt", b"text\n")])
    assert report.attachments.get().scan == "unscanned"
    assert report.unscanned_files


def test_statistics_suppress_small_counts(personas, receivers, kommun_a):
    from tillit.tips import services, statistics

    with time_machine.travel(_at(2026, 2, 3, 9, 0), tick=False):
        for _ in range(6):
            _submit(kommun_a, channel="tips")
        for _ in range(2):
            _submit(kommun_a)
    rows = {(r["channel"], r["month"]): r for r in statistics.board_statistics(kommun_a, 2026)}
    tips = rows[("Tips from the public", "2026-02")]
    whistle = rows[("Whistleblowing", "2026-02")]
    assert tips["received"] == "6"
    assert whistle["received"] == "fewer than 5"
    assert tips["share"] == "0 %"
    _ = services


def test_receiver_pages_need_the_second_factor_and_designation(client, personas, receivers):

    bob = personas["investigator"]
    client.force_login(bob, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/tips/inkomna/")
    assert response.status_code == 302 and "/konto/tvafaktor/" in response["Location"]
    response = client.get("/visselblasning/inkomna/")
    assert response.status_code == 302 and "/konto/tvafaktor/" in response["Location"]
    # the public pages stay open
    assert client.get("/tips/?kommun=0180").status_code == 200


def test_receiver_flow_through_the_pages(client, personas, receivers, kommun_a, login):
    from tillit.accounts.models import AccessLogEntry
    from tillit.tips import services

    report, code = _submit(kommun_a, channel="tips")
    bob = personas["investigator"]
    login(client, bob)
    response = client.get("/tips/inkomna/")
    # the key is locked: the page asks for the password in place, and shows no report
    assert response.status_code == 200 and 'name="password"' in response.content.decode()
    assert report.reference not in response.content.decode()
    response = client.post(
        "/tips/inkomna/nyckel/?next=/tips/inkomna/", {"password": "wrong password"}
    )
    assert response.status_code == 200
    response = client.post("/tips/inkomna/nyckel/?next=/tips/inkomna/", {"password": PASSWORD})
    assert response.status_code == 302
    page = client.get("/tips/inkomna/").content.decode()
    assert report.reference in page
    page = client.get(f"/tips/inkomna/{report.pk}/").content.decode()
    assert "Chefen tar emot gåvor" in page
    assert AccessLogEntry.objects.filter(user=bob, object_id=report.reference).exists()
    client.post(f"/tips/inkomna/{report.pk}/bekrafta/", {"text": ""})
    client.post(f"/tips/inkomna/{report.pk}/svar/", {"text": "Vilken enhet?"})
    as_reporter = services.reporter_open(municipality=kommun_a, channel="tips", code=code)
    texts = [m["text"] for m in services.messages_read(report, as_reporter.data_key)]
    assert texts[-1] == "Vilken enhet?" and len(texts) == 2
    # without the key cookie the session's copy of the key is useless
    client.cookies.pop("tillit_tipskey")
    response = client.get(f"/tips/inkomna/{report.pk}/")
    assert (
        'name="password"' in response.content.decode() and "Chefen" not in response.content.decode()
    )
    # a receiver of another municipality gets nothing
    other = personas["other_investigator"]
    login(client, other)
    assert "Chefen" not in client.get(f"/tips/inkomna/{report.pk}/").content.decode()
    client.post("/tips/inkomna/nyckel/", {"password": PASSWORD})
    assert client.get(f"/tips/inkomna/{report.pk}/").status_code == 404


def test_a_user_who_is_not_designated_cannot_read_whistleblowing(
    client, personas, receivers, kommun_a, login
):
    from tillit.accounts.models import Role
    from tillit.accounts.services import user_create
    from tillit.tips import services

    report, _code = _submit(kommun_a)
    dora = user_create(
        municipality=kommun_a, username="dora", password=PASSWORD, role=Role.INVESTIGATOR
    )
    login(client, dora)
    client.post("/tips/inkomna/nyckel/", {"password": PASSWORD})
    assert client.get("/visselblasning/inkomna/").status_code == 403
    assert client.get(f"/tips/inkomna/{report.pk}/").status_code == 403
    # the reviewer role may not even unlock
    login(client, personas["reviewer"])
    assert client.get("/tips/inkomna/nyckel/").status_code == 403
    _ = services


def test_api_lists_metadata_to_designated_receivers_only(
    client, personas, receivers, kommun_a, login
):
    from tillit.accounts.models import Role
    from tillit.accounts.services import user_create

    report, _code = _submit(kommun_a)
    login(client, personas["investigator"])
    rows = client.get("/api/tips").json()
    assert [r["reference"] for r in rows] == [report.reference]
    assert "Chefen" not in str(rows)  # no content: the API holds no key
    assert client.get(f"/api/tips/{report.pk}").json()["acknowledgement_due"]
    dora = user_create(
        municipality=kommun_a, username="dora", password=PASSWORD, role=Role.INVESTIGATOR
    )
    login(client, dora)
    assert client.get("/api/tips").json() == []
    assert client.get(f"/api/tips/{report.pk}").status_code == 404
    login(client, personas["reviewer"])
    assert client.get("/api/tips").status_code in (401, 403)


def test_tillit_tips_remind_sends_what_is_due(personas, receivers, kommun_a, capsys):
    from tillit.cli import main

    with time_machine.travel(_at(2026, 3, 2, 9, 0), tick=False):
        report, _code = _submit(kommun_a)
    with time_machine.travel(_at(2026, 3, 9, 9, 0), tick=False):
        assert main(["--lang", "en", "tips", "remind"]) == 0
        assert main(["--lang", "en", "tips", "remind"]) == 0
    out = capsys.readouterr().out
    assert out.count(report.reference) == 1
    assert "Chefen" not in out


def test_demo_step_makes_reports_the_demo_receivers_can_open(kommun_a):
    from tillit.accounts.services import user_create
    from tillit.tips import services
    from tillit.tips.demo import demo_tips
    from tillit.tips.models import Complaint, Report

    user_create(
        municipality=kommun_a,
        username="admin",
        password="demo-admin",
        role="administrator",
        validate=False,
    )
    utredare = user_create(
        municipality=kommun_a,
        username="utredare",
        password="demo-utredare",
        role="investigator",
        validate=False,
    )
    demo_tips(kommun_a, None)
    demo_tips(kommun_a, None)  # a second demo start adds nothing
    assert Report.objects.count() == 3 and Complaint.objects.count() == 2
    private = services.key_unlock(user=utredare, password="demo-utredare")
    for report in Report.objects.all():
        assert services.receiver_open(report=report, user=utredare, private_key=private).content[
            "what"
        ]


def test_administrators_manage_receivers_but_never_read_reports(
    client, personas, receivers, kommun_a, login
):
    from tillit.tips import services

    report, _code = _submit(kommun_a)
    admin = personas["admin"]
    login(client, admin)
    assert client.get("/tips/inkomna/").status_code == 403
    client.post("/tips/inkomna/nyckel/?next=/tips/inkomna/mottagare/", {"password": PASSWORD})
    assert client.get("/visselblasning/inkomna/").status_code == 403
    page = client.get("/tips/inkomna/mottagare/")
    assert page.status_code == 200 and "bob" in page.content.decode()
    assert client.get(f"/tips/inkomna/{report.pk}/").status_code == 403
    # an administrator cannot be designated a receiver
    with pytest.raises(services.TipError):
        services.member_add(by=admin, user=admin, channel="tips")
