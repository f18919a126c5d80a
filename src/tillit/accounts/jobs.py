"""Heartbeats of imports and control runs, recovery of the ones whose process died, and clean-up.

`begin(kind, pk)` is called when an import or a run starts (from the worker or the command
line): it records the process and machine and beats every BEAT_EVERY seconds from a daemon
thread, which ends by itself when the job is no longer running or the process ends. `recover()`
(at worker start-up, every minute from `tillit schedule`, and `tillit jobs recover`) marks a
job failed, with the reason, when its process is gone (same machine) or its beat is older than
STALE_AFTER; it removes the job's half-written files, unconfirmed uploads past their time and
temporary Parquet files nobody is writing. A failed job is run again like a new one: a new
upload or `tillit import`, a new control run.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext_noop

from tillit.accounts.models import JobHeartbeat
from tillit.lib.files import remove_leftovers

logger = logging.getLogger("tillit.jobs")

BEAT_EVERY = 10  # seconds
STALE_AFTER = timedelta(minutes=2)
# a job with no heartbeat at all (killed before it began) is given up after this long
UNSTARTED_AFTER = timedelta(minutes=30)
# files nobody has touched for this long are left-overs, not work in progress
TEMP_AFTER = timedelta(minutes=30)
UPLOAD_RETENTION = timedelta(hours=24)

HOST = socket.gethostname()[:255]


def _models(kind: str):
    if kind == "import":
        from tillit.datasets.models import ImportAttempt

        return ImportAttempt, [ImportAttempt.Status.RUNNING]
    from tillit.controls.models import Run

    return Run, [Run.Status.RUNNING, Run.Status.QUEUED]


def begin(kind: str, pk: int) -> None:
    """This process now works on the job: record it and keep beating until the job is done."""
    JobHeartbeat.objects.update_or_create(
        kind=kind,
        object_id=pk,
        defaults={
            "host": HOST,
            "pid": os.getpid(),
            "started_at": timezone.now(),
            "beat_at": timezone.now(),
        },
    )
    name = str(connection.settings_dict.get("NAME", ""))
    if "memory" in name or Path(name).name.startswith("test_"):
        # a test database (in memory, or created by the test runner) is not beaten from another
        # thread: it would hold a connection while the runner drops the database
        return
    threading.Thread(
        target=_beat, args=(kind, pk), daemon=True, name=f"heartbeat-{kind}-{pk}"
    ).start()


def _beat(kind: str, pk: int) -> None:
    model, running = _models(kind)
    try:
        while True:
            time.sleep(BEAT_EVERY)
            close_old_connections()
            if not model.objects.filter(pk=pk, status__in=running).exists():
                JobHeartbeat.objects.filter(kind=kind, object_id=pk, pid=os.getpid()).delete()
                return
            JobHeartbeat.objects.filter(kind=kind, object_id=pk, pid=os.getpid()).update(
                beat_at=timezone.now()
            )
    except Exception:  # noqa: BLE001 - a beat that fails must not take the job down; recovery sees it stop
        logger.exception("heartbeat stopped", extra={"kind": kind, "job": pk})
    finally:
        connection.close()


def _alive(beat: JobHeartbeat, now) -> tuple[bool, str]:
    if beat.host == HOST:
        try:
            os.kill(beat.pid, 0)
        except ProcessLookupError:
            return False, "process %(pid)s on %(host)s has ended"
        except PermissionError:
            pass  # another user's process with that number: alive as far as we can tell
    if now - beat.beat_at > STALE_AFTER:
        return False, "no sign of life from %(host)s since %(time)s"
    return True, ""


def _queued_ids(task_name: str) -> set[int]:
    """Jobs still waiting for or claimed by the background worker."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:
        return set()
    ids = set()
    for args in DBTaskResult.objects.filter(
        task_path__endswith=task_name, status__in=["READY", "RUNNING"]
    ).values_list("args_kwargs", flat=True):
        try:
            ids.add(int(args["args"][0]))
        except (KeyError, IndexError, TypeError, ValueError):
            continue
    return ids


def recover(now=None) -> list[tuple[str, int, str]]:
    """Mark dead jobs failed and clean up after them. Returns (kind, id, reason) for each."""
    now = now or timezone.now()
    failed = []
    for kind, task_name, started_field in (
        ("import", "import_attempt_run", "started_at"),
        ("run", "run_controls_task", "created_at"),
    ):
        model, running = _models(kind)
        queued = _queued_ids(task_name)
        beats = {b.object_id: b for b in JobHeartbeat.objects.filter(kind=kind)}
        for job in model.objects.filter(status__in=running):
            beat = beats.get(job.pk)
            if beat is not None:
                alive, reason = _alive(beat, now)
                params = {
                    "pid": beat.pid,
                    "host": beat.host,
                    "time": timezone.localtime(beat.beat_at).strftime("%Y-%m-%d %H:%M:%S"),
                }
            else:
                started = getattr(job, started_field)
                alive = job.pk in queued or now - started < UNSTARTED_AFTER
                reason, params = "it never started or its process ended before it began", {}
            if not alive:
                _fail(kind, job, reason % params, now)
                failed.append((kind, job.pk, reason % params))
        JobHeartbeat.objects.filter(kind=kind).exclude(
            object_id__in=model.objects.filter(status__in=running).values("pk")
        ).delete()
    clean_files(now)
    return failed


def _fail(kind: str, job, reason: str, now) -> None:
    logger.error("job died", extra={"kind": kind, "job": job.pk, "reason": reason})
    beat = JobHeartbeat.objects.filter(kind=kind, object_id=job.pk).first()
    if kind == "import":
        _remove_upload(job.upload_path)
        if beat is not None and beat.host == HOST:
            # the dead import's own half-written files carry its process id: .<name>.<pid>.tmp
            folder = Path(settings.SNAPSHOT_DIR) / job.municipality.code / job.dataset
            for path in folder.glob(f".*.{beat.pid}.tmp*"):
                path.unlink(missing_ok=True)
        type(job).objects.filter(pk=job.pk).update(
            status=type(job).Status.REJECTED,
            finished_at=now,
            upload_path="",
            message=gettext_noop(
                "The import stopped because the process doing it ended (%(reason)s). Nothing was imported. "
                "Import the file again."
            ),
            message_params={"reason": reason},
        )
    else:
        type(job).objects.filter(pk=job.pk).update(
            status=type(job).Status.FAILED,
            finished_at=now,
            error=f"The run stopped because the process doing it ended ({reason}). No hits were published. "
            "Start the run again.",
        )
    JobHeartbeat.objects.filter(kind=kind, object_id=job.pk).delete()


def _uploads_root() -> Path:
    return Path(settings.DATA_DIR) / "uploads"


def _remove_upload(upload_path: str) -> None:
    if not upload_path:
        return
    path = Path(upload_path)
    root = _uploads_root().resolve()
    folder = path.parent.resolve()
    if folder.parent == root:  # uploads/<random>/file: the whole folder with its kept preview
        shutil.rmtree(folder, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


# The apps above accounts that keep files of their own (case documents, tips' attachments) add a
# function here from their AppConfig.ready(): given how long a file must have been untouched, it
# removes what a crash left behind (lib.files.remove_leftovers) and returns how many it removed.
LEFTOVER_CLEANERS: dict[str, Callable[[float], int]] = {}


def register_cleaner(name: str, cleaner: Callable[[float], int]) -> None:
    LEFTOVER_CLEANERS[name] = cleaner


def clean_files(now=None) -> dict[str, int]:
    """Unconfirmed uploads past UPLOAD_RETENTION, upload folders no attempt refers to, temporary
    Parquet files and snapshot files no snapshot refers to, when nobody has touched them for TEMP_AFTER;
    then the registered cleaners' left-overs (temporary files of a process that has ended at once)."""
    from tillit.datasets.models import ImportAttempt, Snapshot

    now = now or timezone.now()
    removed = {"uploads": 0, "temporary": 0}
    spool = Path(getattr(settings, "FILE_UPLOAD_TEMP_DIR", None) or Path(settings.DATA_DIR) / "tmp")
    if spool.is_dir():
        # uploads being received (Django's temporary upload files): closed and removed by the
        # request that made them, unless its process was killed
        removed["spooled"] = remove_leftovers(spool, (), untouched_for=TEMP_AFTER.total_seconds())
    for name, cleaner in LEFTOVER_CLEANERS.items():
        try:
            removed[name] = cleaner(TEMP_AFTER.total_seconds())
        except Exception:  # noqa: BLE001 - one app's clean-up must not stop recovery of the jobs
            logger.exception("clean-up failed", extra={"cleaner": name})
    for attempt in ImportAttempt.objects.filter(
        status=ImportAttempt.Status.PENDING, started_at__lt=now - UPLOAD_RETENTION
    ):
        _remove_upload(attempt.upload_path)
        ImportAttempt.objects.filter(pk=attempt.pk).update(
            status=ImportAttempt.Status.REJECTED,
            upload_path="",
            finished_at=now,
            message=gettext_noop(
                "The upload was not confirmed within %(hours)s hours and was removed. Upload the file again."
            ),
            message_params={"hours": int(UPLOAD_RETENTION.total_seconds() // 3600)},
        )
        removed["uploads"] += 1
    cutoff = time.time() - TEMP_AFTER.total_seconds()
    uploads = _uploads_root()
    if uploads.is_dir():
        referenced = {
            str(Path(p).parent.resolve())
            for p in ImportAttempt.objects.exclude(upload_path="").values_list(
                "upload_path", flat=True
            )
        }
        for folder in uploads.iterdir():
            if (
                folder.is_dir()
                and str(folder.resolve()) not in referenced
                and folder.stat().st_mtime < cutoff
            ):
                shutil.rmtree(folder, ignore_errors=True)
                removed["uploads"] += 1
    snapshots = Path(settings.SNAPSHOT_DIR)
    if snapshots.is_dir():
        known = set()
        for parquet, quarantine in Snapshot.objects.values_list("parquet_path", "quarantine_path"):
            known.update(
                str((snapshots / p).resolve()) for p in (parquet, quarantine) if p
            )  # relative or absolute
        for path in snapshots.rglob("*"):
            if not path.is_file() or path.stat().st_mtime >= cutoff:
                continue
            temporary = path.name.endswith((".tmp", ".dedup"))
            orphan = path.suffix == ".parquet" and str(path.resolve()) not in known
            if temporary or orphan:
                path.unlink(missing_ok=True)
                removed["temporary"] += 1
    return removed


def watch_parent() -> None:
    """A worker or scheduler started by `tillit serve` ends when serve does, even after a kill -9.

    serve passes its process id in TILLIT_PARENT_PID; when this process's parent changes (it was
    re-parented, so serve is gone) it asks itself to stop, and is gone a grace period later."""
    expected = os.environ.get("TILLIT_PARENT_PID")
    if not expected or not expected.isdigit():
        return

    def watch() -> None:
        import signal

        while os.getppid() == int(expected):
            time.sleep(1)
        logger.warning("parent process ended; stopping", extra={"parent": int(expected)})
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(20)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="watch-parent").start()
