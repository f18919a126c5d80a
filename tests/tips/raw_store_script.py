"""Run in a subprocess by test_at_rest.py with its own TILLIT_DATA_DIR (a file-backed SQLite in WAL mode).

Submits a report through the real pages (with attachment, contact details and a reply), then,
with the database still open so the WAL holds the latest writes, searches every file of the data
directory byte for byte for the marker strings. Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import re
import sys
from datetime import timedelta


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tillit.config.settings")
    django.setup()
    import time_machine
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    settings.TIPS_KDF = "min"
    settings.TIPS_CLAMSCAN = "/nonexistent/clamscan"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    from tillit.accounts.services import municipality_create, user_create
    from tillit.tips import services

    marker, file_marker, contact_marker, reply_marker, answer_marker, plain_marker = sys.argv[1:7]
    kommun = municipality_create(code="0999", name="Rå kommun")
    admin = user_create(
        municipality=kommun, username="admin", password="x-password-123456", role="administrator"
    )
    bob = user_create(
        municipality=kommun, username="bob", password="x-password-123456", role="investigator"
    )
    services.member_add(by=admin, user=bob, channel="tips")
    _key, private = services.key_create(user=bob, password="x-password-123456")

    client = Client(
        HTTP_HOST="localhost", REMOTE_ADDR="198.51.100.23", HTTP_USER_AGENT="RawAgent/1.0"
    )
    page = client.get("/tips/", {"category": "benefit"}).content.decode()
    token = re.search(r'name="challenge" value="([^"]+)"', page).group(1)
    with time_machine.travel(timezone.now() + timedelta(seconds=60), tick=False):
        response = client.post(
            "/tips/",
            {
                "category": "benefit",
                "what": marker,
                "challenge": token,
                "contact_name": contact_marker,
                "files": [SimpleUploadedFile("bevis.txt", file_marker.encode())],
            },
        )
    code = (
        re.search(r'id="receipt-code">([\d ]+)<', response.content.decode())
        .group(1)
        .replace(" ", "")
    )
    from tillit.tips.models import Report

    report = Report.objects.get()
    opened = services.receiver_open(report=report, user=bob, private_key=private)
    services.receiver_reply(opened=opened, user=bob, text=reply_marker)
    client.post("/tips/uppfoljning/", {"code": code, "action": "reply", "text": answer_marker})
    # a complaint is stored in plain text by design: it proves the search finds what is there
    services.complaint_add(municipality=kommun, orgnr="556036-0793", text=plain_marker)

    found: dict[str, list[str]] = {}
    for root, _dirs, files in os.walk(settings.DATA_DIR):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                raw = handle.read()
            for needle in (
                marker,
                file_marker,
                contact_marker,
                reply_marker,
                answer_marker,
                plain_marker,
                code,
                "198.51.100.23",
                "RawAgent",
            ):
                for encoding in ("utf-8", "utf-16-le"):
                    if needle.encode(encoding) in raw:
                        found.setdefault(needle, []).append(
                            os.path.relpath(path, settings.DATA_DIR)
                        )
    files = sorted(
        os.path.relpath(os.path.join(r, f), settings.DATA_DIR)
        for r, _d, fs in os.walk(settings.DATA_DIR)
        for f in fs
    )
    print(json.dumps({"found": found, "files": files, "code_len": len(code)}))


if __name__ == "__main__":
    main()
