"""F3: the file half of crash safety, fast (the kill tests are in test_f03_kill_during_writes.py).

`write_atomic` never leaves a temporary file or half a file under the real name; the clean-up
removes a dead writer's temporary file at once, leaves a live writer's alone, and removes a file
no row names only once it has been untouched for a while; the case archive and the tips' files
are cleaned by `tillit jobs recover` through the cleaners their apps register."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tillit.lib.files import remove_leftovers, write_atomic, writer_pid


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )  # noqa: S603
    return int(done.stdout)


def _old(path, seconds=3600):
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_write_atomic_writes_whole_files_with_private_modes(tmp_path):
    target = tmp_path / "a" / "b" / "file"
    write_atomic(target, b"x" * 100_000)
    assert target.read_bytes() == b"x" * 100_000
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in target.parent.iterdir()] == ["file"]


def test_write_atomic_leaves_nothing_when_the_write_fails(tmp_path, monkeypatch):
    target = tmp_path / "file"
    target.write_bytes(b"the old content")

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError):
        write_atomic(target, b"the new content")
    assert target.read_bytes() == b"the old content"
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_the_clean_up_knows_dead_writers_live_writers_and_orphans(tmp_path):
    dead = tmp_path / f".doc.{_dead_pid()}.tmp"
    live_writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # noqa: S603
    try:
        live = tmp_path / f".other.{live_writer.pid}.tmp"
        mine = tmp_path / "sub" / f".mine.{os.getpid()}.tmp"
        young_orphan, old_orphan, known = (
            tmp_path / "young",
            tmp_path / "sub" / "old",
            tmp_path / "kept",
        )
        for path in (dead, live, mine, young_orphan, old_orphan, known):
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(b"data")
        _old(old_orphan)
        _old(known)
        assert writer_pid(dead) is not None and writer_pid(known) is None
        removed = remove_leftovers(tmp_path, {"kept"}, untouched_for=1800)
        left = sorted(
            p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()
        )
        assert removed == 2
        assert left == sorted(["kept", "young", live.name, f"sub/{mine.name}"])
        _old(live)  # a writer that has not touched its file for half an hour is stuck
        assert remove_leftovers(tmp_path, {"kept"}, untouched_for=1800) == 1
    finally:
        live_writer.kill()
        live_writer.wait()


@pytest.mark.django_db
def test_recovery_cleans_the_case_archive_and_the_tips_files(settings, tmp_path, personas):
    from tillit.accounts.jobs import LEFTOVER_CLEANERS, TEMP_AFTER, recover
    from tillit.cases.services import case_create, document_add, document_read, files_root
    from tillit.tips.services import files_dir

    settings.DATA_DIR = tmp_path / "data"
    settings.CASE_FILES_DIR = tmp_path / "case-files"
    settings.SNAPSHOT_DIR = tmp_path / "snapshots"
    assert {"case_files", "tips_files"} <= set(LEFTOVER_CLEANERS)
    alice = personas["coordinator"]
    case = case_create(
        municipality=alice.municipality,
        user=alice,
        title="Ärende",
        case_type="benefit",
        source="staff",
    )
    document = document_add(
        case=case, user=alice, title="Bevis", filename="bevis.txt", content=b"bevis"
    )
    archive, tips = files_root(), files_dir()
    leftovers = [
        archive / str(case.municipality_id) / str(case.pk) / f".abc.{_dead_pid()}.tmp",
        archive / str(case.municipality_id) / str(case.pk) / "0123456789abcdef",  # never committed
        tips / f".def.{_dead_pid()}.tmp",
        tips / "fedcba9876543210",
    ]
    for path in leftovers:
        path.write_bytes(b"left over")
        _old(path, TEMP_AFTER.total_seconds() + 60)
    for path in archive.rglob("*"):
        if path.is_file():
            _old(path, TEMP_AFTER.total_seconds() + 60)  # the committed document too: it stays
    recover()
    assert not [p for p in leftovers if p.exists()]
    assert document_read(document=document) == b"bevis"
