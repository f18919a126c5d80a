"""The public pages: intake with the challenge, the receipt code, follow-up, refusals."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

MARKER = "Markörtext-7f3a9c: bidragsfusk på Storgatan 12"
ADDRESS = "203.0.113.77"
AGENT = "Mozilla/5.0 (X11; Tillit-test-agent-9931)"


def _get_form(client, url="/tips/", category="benefit"):
    response = client.get(
        url, {"category": category, "kommun": "0180"}, REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT
    )
    assert response.status_code == 200
    return re.search(r'name="challenge" value="([^"]+)"', response.content.decode()).group(1)


def _post(client, url, data, **extra):
    data = {"kommun": "0180", **data}
    return client.post(
        url, data, REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT, HTTP_X_FORWARDED_FOR=ADDRESS, **extra
    )


def submit(client, url="/tips/", text=MARKER, files=None, contact=None):
    token = _get_form(client, url)
    data = {
        "category": "benefit",
        "what": text,
        "when": "i våras",
        "challenge": token,
        "nonce": "",
        "q_household": "Familjen Andersson",
    }
    if contact:
        data.update(contact)
    if files:
        data["files"] = files
    with time_machine.travel(timezone.now() + timedelta(seconds=30), tick=False):
        response = _post(client, url, data)
    assert response.status_code == 200, response.content.decode()[:3000]
    code = (
        re.search(r'id="receipt-code">([\d ]+)<', response.content.decode())
        .group(1)
        .replace(" ", "")
    )
    return response, code


def test_start_page_and_form_in_three_variants(client, receivers):
    for url in ("/tips/", "/tips/lattlast/", "/visselblasning/", "/visselblasning/lattlast/"):
        response = client.get(url, {"kommun": "0180"})
        assert response.status_code == 200
        assert 'name="category"' in response.content.decode()
        assert not response.cookies.get("sessionid")
    english = client.get("/tips/?lang=en&kommun=0180").content.decode()
    assert "Report suspected welfare fraud" in english
    swedish = client.get("/tips/?kommun=0180").content.decode()
    assert 'lang="sv"' in swedish
    easy = client.get("/tips/lattlast/?kommun=0180").content.decode()
    assert easy != swedish
    # the questions fit the subject
    form = client.get("/tips/", {"category": "home_care", "kommun": "0180"}).content.decode()
    assert 'name="q_provider"' in form and 'name="q_household"' not in form
    whistle = client.get(
        "/visselblasning/", {"category": "staff", "kommun": "0180"}
    ).content.decode()
    assert 'name="relation"' in whistle


def test_submit_shows_the_code_once_and_it_opens_the_report(client, receivers):
    from tillit.tips.models import Report

    _response, code = submit(client)
    assert len(code) == 16
    report = Report.objects.get()
    assert report.code_hash.startswith("$argon2")
    assert code not in report.code_hash
    response = _post(client, "/tips/uppfoljning/", {"code": code})
    assert response.status_code == 200
    assert MARKER in response.content.decode()


def test_a_form_sent_at_once_without_proof_of_work_is_refused_and_the_text_kept(client, receivers):
    from tillit.tips.models import Report

    token = _get_form(client)
    response = _post(
        client, "/tips/", {"category": "benefit", "what": MARKER, "challenge": token, "nonce": ""}
    )
    assert response.status_code == 400
    assert MARKER in response.content.decode()  # nothing the reporter wrote is lost
    assert not Report.objects.exists()


def test_a_solved_proof_of_work_is_accepted_at_once(client, receivers):
    import hashlib

    from tillit.tips.challenge import leading_zero_bits
    from tillit.tips.models import Report

    token = _get_form(client)
    difficulty = int(
        re.search(
            r'data-pow="(\d+)"',
            client.get("/tips/", {"category": "benefit", "kommun": "0180"}).content.decode(),
        ).group(1)
    )
    nonce = 0
    while leading_zero_bits(hashlib.sha256(f"{token}:{nonce}".encode()).digest()) < difficulty:
        nonce += 1
    response = _post(
        client,
        "/tips/",
        {"category": "benefit", "what": MARKER, "challenge": token, "nonce": str(nonce)},
    )
    assert response.status_code == 200
    assert Report.objects.count() == 1
    # the same challenge cannot be used twice
    response = _post(
        client,
        "/tips/",
        {"category": "benefit", "what": MARKER, "challenge": token, "nonce": str(nonce)},
    )
    assert response.status_code == 400
    assert Report.objects.count() == 1


def test_wrong_receipt_code_is_refused_and_rate_limited(client, receivers):
    _response, code = submit(client)
    wrong = code[:4] + ("1" if code[4] != "1" else "2") + code[5:]
    for _ in range(4):
        response = _post(client, "/tips/uppfoljning/", {"code": wrong})
        assert response.status_code == 400
        assert MARKER not in response.content.decode()
    # the fifth wrong code locks the code's group for 15 minutes: even the right code waits
    assert _post(client, "/tips/uppfoljning/", {"code": wrong}).status_code == 429
    response = _post(client, "/tips/uppfoljning/", {"code": code})
    assert response.status_code == 429
    assert MARKER not in response.content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = _post(client, "/tips/uppfoljning/", {"code": code})
        assert response.status_code == 200
        assert MARKER in response.content.decode()


def test_no_address_or_user_agent_is_stored_anywhere(client, receivers, django_db_blocker):
    from django.apps import apps
    from django.core.files.uploadedfile import SimpleUploadedFile

    _response, code = submit(
        client,
        files=[SimpleUploadedFile("kvitto.txt", b"kvitto 123")],
        contact={"contact_name": "Anna"},
    )
    _post(client, "/tips/uppfoljning/", {"code": code, "action": "reply", "text": "Ett svar"})
    _post(client, "/tips/uppfoljning/", {"code": "0000000000000000"})
    found = []
    for model in apps.get_models():
        for row in model._default_manager.all().values():
            for value in row.values():
                raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
                if ADDRESS.encode() in raw or b"Tillit-test-agent" in raw:
                    found.append((model.__name__, row))
    assert found == []


def test_reporter_follow_up_answer_and_file(client, receivers, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tillit.tips import services
    from tillit.tips.models import Report

    _response, code = submit(client)
    report = Report.objects.get()
    opened = services.receiver_open(
        report=report, user=personas["investigator"], private_key=receivers["investigator"]
    )
    services.receiver_reply(
        opened=opened, user=personas["investigator"], text="Vilken adress gäller det?"
    )
    page = _post(client, "/tips/uppfoljning/", {"code": code}).content.decode()
    assert "Vilken adress gäller det?" in page
    response = _post(
        client,
        "/tips/uppfoljning/",
        {
            "code": code,
            "action": "reply",
            "text": "Storgatan 12",
            "files": [SimpleUploadedFile("bild.png", b"\x89PNG....")],
        },
    )
    assert "Storgatan 12" in response.content.decode()
    texts = [m["text"] for m in services.messages_read(report, opened.data_key)]
    assert texts[-1] == "Storgatan 12"
    assert report.attachments.count() == 1


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("virus.exe", b"MZ....", "filer av den här typen kan inte bifogas"),
        ("fake.pdf", b"not a pdf", "innehåller inte det som filnamnet anger"),
    ],
)
def test_bad_attachments_are_refused_with_the_text_kept(client, receivers, name, content, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tillit.tips.models import Report

    token = _get_form(client)
    with time_machine.travel(timezone.now() + timedelta(seconds=30), tick=False):
        response = _post(
            client,
            "/tips/",
            {
                "category": "benefit",
                "what": MARKER,
                "challenge": token,
                "files": [SimpleUploadedFile(name, content)],
            },
        )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert MARKER in response.content.decode()
    assert not Report.objects.exists()


def test_log_lines_carry_no_client_address():
    import io
    import json
    import logging
    import socket

    from tillit.lib.logging import JsonFormatter
    from tillit.tips.logfilter import NoClientAddress

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(NoClientAddress())
    logger = logging.getLogger("tillit.test.noaddress")
    logger.addHandler(handler)
    left, right = socket.socketpair()
    try:
        # the development server passes its socket as `request`; its text names the peer
        logger.warning(
            '"POST /tips/ HTTP/1.1" 400', extra={"request": left, "client_address": ADDRESS}
        )
    finally:
        left.close()
        right.close()
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["request"] == "-" and line["client_address"] == "-"
    assert ADDRESS not in stream.getvalue()


def test_the_documented_web_server_logs_the_tip_pages_without_address():
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text(
        encoding="utf-8"
    )
    log_format = re.search(r"log_format tillit_anonymous '([^']*)';", text).group(1)
    for variable in (
        "$remote_addr",
        "$http_user_agent",
        "$http_x_forwarded_for",
        "$request ",
        "$args",
    ):
        assert variable not in log_format
    block = re.search(r"location ~ \^/\(tips\|visselblasning\)/ \{(.*?)\n    \}", text, re.S).group(
        1
    )
    assert "access_log /var/log/nginx/tillit-tips.log tillit_anonymous;" in block
    assert 'proxy_set_header X-Forwarded-For "";' in block
    # the receivers' pages come first (nginx takes the first regular expression that matches)
    assert text.index("location ~ ^/(tips|visselblasning)/inkomna/") < text.index(
        "location ~ ^/(tips|visselblasning)/ {"
    )


def test_under_load_the_form_is_refused_kindly_and_nothing_written_is_lost(
    client, receivers, kommun_a
):
    from tillit.tips import challenge, services
    from tillit.tips.models import Report, Throttle

    token = _get_form(client)
    key = f"submit:{kommun_a.pk}:tips"
    Throttle.objects.create(
        key=key, window=services._window(challenge.LOAD_WINDOW), count=challenge.SUBMIT_LIMIT
    )
    with time_machine.travel(timezone.now() + timedelta(seconds=30), tick=False):
        response = _post(
            client, "/tips/", {"category": "benefit", "what": MARKER, "challenge": token}
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert MARKER in page and "Inget har gått förlorat" in page
    assert not Report.objects.exists()
    # the whistleblowing channel has its own limit and still takes reports
    _response, code = submit(client, url="/visselblasning/")
    assert Report.objects.get().channel == "whistleblowing"


def test_under_load_the_challenge_grows(client, receivers, kommun_a):
    from tillit.tips import challenge, services
    from tillit.tips.models import Throttle

    easy = challenge.issue(kommun_a.pk, "tips")[1]
    Throttle.objects.create(
        key=f"submit:{kommun_a.pk}:tips",
        window=services._window(challenge.LOAD_WINDOW),
        count=challenge.LOAD_STEP * 2,
    )
    assert challenge.issue(kommun_a.pk, "tips")[1] == easy + 4
