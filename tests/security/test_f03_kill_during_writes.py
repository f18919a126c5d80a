"""F3 (faults): SIGKILL in the middle of a web data upload, a case document upload and a tip
submission (the import itself and a control run: test_f03_kill_and_restart.py).

Each operation runs in a real `python` process against its own data directory (SQLite). The
process is stopped where the test wants it by a pause, not a mock: the child replaces `os.fsync`
with a function that, at the chosen file, writes a marker and sleeps, so the service has run for
real up to that point (the first file renamed into place, the second one written to its temporary
name, the database transaction open). The parent then sends SIGKILL.

Afterwards, with the real `tillit jobs recover` (what the worker runs at start-up):
- nothing half-written is under a real name, no row names a missing file, no tip or document
  exists without all of its files;
- a temporary file whose writer has died is removed at once; a whole file whose transaction never
  committed is removed once untouched for accounts.jobs.TEMP_AFTER (it could still be committing),
  shown here by ageing the file;
- what was committed before the kill is all there and reads back with its checksum;
- the same operation succeeds again.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PASSWORD = "x-password-123456"  # noqa: S105 - a throw-away installation's test user

CHILD = r"""
import json, os, sys, time
from pathlib import Path

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "tillit.config.settings"
django.setup()
from django.conf import settings

settings.TIPS_KDF = "min"
settings.TIPS_CLAMSCAN = "/nonexistent/clamscan"
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

action, pause, marker = sys.argv[1], sys.argv[2], Path(sys.argv[3])
PASSWORD = "x-password-123456"
UPLOAD = "supplier_id;name;org_number;postal_code\n".encode() + b"".join(
    f"L{n};Leverantör nummer {n} AB;556{n:07d};11{n % 1000:03d}\n".encode() for n in range(150_000)
)
TIP_FILES = {
    "bevis.txt": "Utbetalningen gjordes två gånger.\n".encode() * 2000,
    "kvitto.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 400,
}


def stop_here():
    marker.write_text(str(os.getpid()))
    while True:
        time.sleep(60)


if pause.startswith("file"):
    # pause when the n-th temporary file is about to be flushed to disk: written, not yet renamed
    nth, real_fsync, seen = int(pause[4:]), os.fsync, []

    def fsync(fd):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = ""
        if target.endswith(".tmp"):
            seen.append(target)
            if len(seen) == nth:
                stop_here()
        return real_fsync(fd)

    os.fsync = fsync

from django.core.management import call_command

from tillit.accounts.models import User
from tillit.cases.models import Case, CaseDocument
from tillit.tips import services as tips
from tillit.tips.models import Report

if action == "setup":
    call_command("migrate", verbosity=0)
    from tillit.accounts.services import municipality_create, user_create
    from tillit.cases.services import case_create

    kommun = municipality_create(code="0180", name="Kommun A", boards=["Socialnämnden"])
    admin = user_create(municipality=kommun, username="admin", password=PASSWORD, role="administrator")
    alice = user_create(municipality=kommun, username="alice", password=PASSWORD, role="coordinator")
    tips.member_add(by=admin, user=alice, channel="tips")
    tips.key_create(user=alice, password=PASSWORD)
    case_create(
        municipality=kommun, user=alice, title="Dubbla utbetalningar", case_type="benefit",
        source="staff",
    )
elif action == "document":
    from tillit.cases.services import document_register_generated

    case = Case.objects.get()
    document_register_generated(
        case=case, user=User.objects.get(username="alice"), title="Återkravsbeslut",
        text="Kommunen kräver tillbaka 12 000,00 kr.\n" * 200, stem="aterkravsbeslut",
    )
elif action == "tip":
    from tillit.accounts.models import Municipality

    tips.report_submit(
        municipality=Municipality.objects.get(), channel="tips", category="benefit",
        answers={"what": "Samma faktura betalades två gånger."},
        uploads=[tips.Upload(name, content) for name, content in TIP_FILES.items()],
    )
elif action == "upload":
    # the web page's upload, through the real view: a file larger than FILE_UPLOAD_MAX_MEMORY_SIZE
    # is spooled to a temporary file first, then copied into uploads/<random>/
    from django.core.files.base import File
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    alice = User.objects.get(username="alice")
    client = Client(HTTP_HOST="localhost")
    client.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")
    device, _ = TOTPDevice.objects.get_or_create(user=alice, name="t", defaults={"confirmed": True})
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    if pause == "copying":
        real_chunks = File.chunks

        def chunks(self, chunk_size=None):
            for n, chunk in enumerate(real_chunks(self, chunk_size)):
                yield chunk
                if n == 0:
                    stop_here()  # the first piece is in uploads/<random>/, the rest is not

        File.chunks = chunks
    response = client.post(
        "/data/ladda-upp/",
        {"dataset": "suppliers", "file": SimpleUploadedFile("leverantorer.csv", UPLOAD)},
    )
    assert response.status_code == 302, response.status_code
elif action == "state":
    from tillit.cases.services import document_read, files_root

    alice = User.objects.get(username="alice")
    private = tips.key_unlock(user=alice, password=PASSWORD)
    reports = []
    for report in Report.objects.order_by("id"):
        opened = tips.receiver_open(report=report, user=alice, private_key=private)
        files = {}
        for attachment in report.attachments.all():
            meta, content = tips.attachment_read(attachment, opened.data_key)
            files[meta["name"]] = content == TIP_FILES[meta["name"]]
        reports.append({"reference": report.reference, "files": files})
    documents = []
    for document in CaseDocument.objects.order_by("id"):
        documents.append({"name": document.filename, "size": len(document_read(document=document))})
    from tillit.datasets.models import ImportAttempt

    attempts = [
        {"status": a.status, "size": Path(a.upload_path).stat().st_size, "whole": Path(a.upload_path).read_bytes() == UPLOAD}
        for a in ImportAttempt.objects.order_by("id")
    ]
    listing = {}
    for name, root in (
        ("case_files", files_root()),
        ("tips", tips.files_dir()),
        ("uploads", settings.DATA_DIR / "uploads"),
        ("spool", settings.FILE_UPLOAD_TEMP_DIR),
    ):
        listing[name] = sorted(
            p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()
        ) if root.is_dir() else []
    print(
        json.dumps(
            {
                "reports": reports,
                "documents": documents,
                "attempts": attempts,
                "files": listing,
                "upload_size": len(UPLOAD),
            }
        )
    )
    sys.exit(0)
else:
    raise SystemExit(f"unknown action {action}")

if pause == "committed":
    stop_here()  # the service returned: its transaction is committed
print("done")
"""


def _env(data: Path) -> dict:
    env = {**os.environ, "TILLIT_DATA_DIR": str(data), "TILLIT_LOG_LEVEL": "ERROR"}
    for name in ("TILLIT_DATABASE_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    return env


def _child(data: Path, action: str, pause: str = "none") -> subprocess.CompletedProcess:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", CHILD, action, pause, str(data.parent / "unused")],
        env=_env(data),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done


def _killed(data: Path, action: str, pause: str) -> None:
    """Run `action` in a child, SIGKILL it where `pause` stops it."""
    marker = data.parent / f"paused-{action}-{pause}"
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", CHILD, action, pause, str(marker)],
        env=_env(data),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 180
    while not marker.exists():
        if process.poll() is not None:
            pytest.fail(f"the child ended before the pause ({pause}): {process.stderr.read()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("the child never reached the pause")
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    process.stdout.close()
    process.stderr.close()
    assert process.returncode == -signal.SIGKILL


def _recover(data: Path) -> None:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tillit.cli", "jobs", "recover"],
        env=_env(data),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


def _state(data: Path) -> dict:
    return json.loads(_child(data, "state").stdout)


def _rows(data: Path, sql: str) -> int:
    with sqlite3.connect(f"file:{data / 'tillit.sqlite3'}?mode=ro", uri=True, timeout=30) as db:
        return db.execute(sql).fetchone()[0]


def _age(folder: Path, seconds: float) -> None:
    """Time passes for the files under `folder` (the clean-up goes by when a file was last touched)."""
    then = time.time() - seconds
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


@pytest.fixture
def installation(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    _child(data, "setup")
    return data


def _temporary(names: list[str]) -> list[str]:
    return [n for n in names if n.rsplit("/", 1)[-1].startswith(".") and n.endswith(".tmp")]


def test_a_document_upload_killed_half_way_leaves_nothing_behind_and_succeeds_again(installation):
    from tillit.accounts.jobs import TEMP_AFTER

    data = installation
    # killed while the PDF is being written: the Word file is already in place, the PDF is a
    # temporary file, and the transaction that would record both is open
    _killed(data, "document", "file2")
    files = data / "case-files"
    names = sorted(p.relative_to(files).as_posix() for p in files.rglob("*") if p.is_file())
    assert len(names) == 2 and len(_temporary(names)) == 1, names
    (whole,) = [n for n in names if n not in _temporary(names)]
    assert (files / whole).read_bytes()[:4] == b"PK\x03\x04", "the Word file is whole, not half"
    assert _rows(data, "SELECT count(*) FROM cases_casedocument") == 0
    assert _rows(data, "SELECT count(*) FROM cases_caseevent WHERE action = 'document'") == 0

    _recover(data)  # the next start: the dead writer's temporary file goes at once
    state = _state(data)
    assert state["documents"] == []
    assert state["files"]["case_files"] == [whole], "only the uncommitted whole file waits"
    _age(files, TEMP_AFTER.total_seconds() + 60)
    _recover(data)
    assert _state(data)["files"]["case_files"] == []

    _child(data, "document")  # the same upload again
    state = _state(data)
    assert sorted(d["name"] for d in state["documents"]) == [
        "aterkravsbeslut.docx",
        "aterkravsbeslut.pdf",
    ]
    assert all(d["size"] > 0 for d in state["documents"])  # read back with its SHA-256
    assert len(state["files"]["case_files"]) == 2 and not _temporary(state["files"]["case_files"])


def test_a_document_upload_killed_after_it_committed_keeps_everything(installation):
    data = installation
    _killed(data, "document", "committed")
    _recover(data)
    _age(data / "case-files", 24 * 3600)  # however long it takes: committed files are never removed
    _recover(data)
    state = _state(data)
    assert [d["name"] for d in state["documents"]] == [
        "aterkravsbeslut.docx",
        "aterkravsbeslut.pdf",
    ]
    assert len(state["files"]["case_files"]) == 2


def test_a_tip_submission_killed_half_way_leaves_no_tip_and_no_file(installation):
    from tillit.accounts.jobs import TEMP_AFTER

    data = installation
    # killed while the second attachment is being written, before the report's transaction commits
    _killed(data, "tip", "file2")
    tips_dir = data / "tips"
    names = sorted(p.name for p in tips_dir.iterdir() if p.is_file())
    assert len(names) == 2 and len(_temporary(names)) == 1, names
    for table in ("tips_report", "tips_attachment", "tips_reportkey"):
        assert _rows(data, f"SELECT count(*) FROM {table}") == 0, table  # noqa: S608
    assert _rows(data, "SELECT count(*) FROM tips_tipevent WHERE action = 'received'") == 0

    _recover(data)
    state = _state(data)
    assert state["reports"] == []
    assert not _temporary(state["files"]["tips"]) and len(state["files"]["tips"]) == 1
    _age(tips_dir, TEMP_AFTER.total_seconds() + 60)
    _recover(data)
    assert _state(data)["files"]["tips"] == [], "no orphan attachment is left"

    _child(data, "tip")  # the reporter sends it again
    state = _state(data)
    (report,) = state["reports"]
    assert report["reference"].endswith("-0001"), "the killed submission took no reference"
    assert report["files"] == {"bevis.txt": True, "kvitto.pdf": True}
    assert len(state["files"]["tips"]) == 2


def test_a_tip_submission_killed_after_it_committed_keeps_the_tip_and_its_files(installation):
    data = installation
    _killed(data, "tip", "committed")
    _recover(data)
    _age(data / "tips", 24 * 3600)
    _recover(data)
    state = _state(data)
    (report,) = state["reports"]
    assert report["files"] == {"bevis.txt": True, "kvitto.pdf": True}
    assert len(state["files"]["tips"]) == 2


def test_a_web_upload_killed_while_the_file_is_copied_leaves_nothing_behind(installation):
    """The data page's upload (a 6 MB file, so Django spools it to a temporary file first):
    killed after the first piece was copied into uploads/<random>/ and before the attempt's row."""
    from tillit.accounts.jobs import TEMP_AFTER

    data = installation
    _killed(data, "upload", "copying")
    state = _state(data)
    assert state["attempts"] == []
    (partial,) = state["files"]["uploads"]
    (spooled,) = state["files"]["spool"]
    whole = state["upload_size"]
    assert 0 < (data / "uploads" / partial).stat().st_size < whole, (
        "killed in the middle of the copy"
    )
    assert (data / "tmp" / spooled).stat().st_size == whole, (
        "the spooled upload is in the data directory"
    )

    _recover(data)  # young: it could be an upload still arriving
    assert _state(data)["files"]["uploads"] == [partial]
    _age(data / "uploads", TEMP_AFTER.total_seconds() + 60)
    _age(data / "tmp", TEMP_AFTER.total_seconds() + 60)
    for folder in (data / "uploads").iterdir():
        os.utime(folder, (time.time() - 7200, time.time() - 7200))
    _recover(data)
    state = _state(data)
    assert state["files"]["uploads"] == [] and state["files"]["spool"] == []

    _child(data, "upload")
    (attempt,) = _state(data)["attempts"]
    assert attempt["status"] == "pending" and attempt["whole"] and attempt["size"] == whole
