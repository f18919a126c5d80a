"""`tillit accesslog verify`, `tillit backup DIR`, `tillit restore DIR`.

A backup is one folder (0700, files 0600): the database (SQLite's own online backup, or
`pg_dump --format=custom` on PostgreSQL), every file of the data directory that is not
rebuilt or passing (snapshots, case files, tips, the secret key, the access log's recorded
head; not uploads waiting for confirmation, nor static files), and MANIFEST.json with the
SHA-256 of every file. `tillit restore` checks every checksum first, refuses an installation
that already holds data, puts the database and the files back, migrates, and verifies the
access log's chain.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

# data-directory entries a backup leaves out: rebuilt, passing, or the database itself
SKIP = {
    "static",
    "uploads",
    "tmp",  # uploads still arriving (FILE_UPLOAD_TEMP_DIR)
    "bench",
    "demo-files",
    "tillit.sqlite3",
    "tillit.sqlite3-wal",
    "tillit.sqlite3-shm",
    "tillit.sqlite3-journal",
}
DB_FILE = "database.sqlite3"
DB_DUMP = "database.pgdump"
MANIFEST = "MANIFEST.json"


def add_commands(sub) -> None:
    p = sub.add_parser("accesslog", help="the access log")
    asub = p.add_subparsers(dest="accesslog_command", required=True)
    v = asub.add_parser(
        "verify", help="check the hash chain over every row; exits 1 and alarms when broken"
    )
    v.set_defaults(func=cmd_verify)

    p = sub.add_parser("jobs", help="imports and control runs in the background")
    jsub = p.add_subparsers(dest="jobs_command", required=True)
    r = jsub.add_parser(
        "recover", help="mark jobs whose process died as failed and remove left-over files"
    )
    r.set_defaults(func=cmd_recover)

    p = sub.add_parser("backup", help="the database and the data directory into a new folder")
    p.add_argument("target", help="folder to create the backup in")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="a backup into an empty installation")
    p.add_argument("source", help="the backup folder (with MANIFEST.json)")
    p.set_defaults(func=cmd_restore)


def cmd_verify(args) -> int:
    from django.utils.translation import gettext as _

    from tillit.accounts.integrity import verify_and_record
    from tillit.lib.commands import CommandError

    result = verify_and_record()
    if not result.ok:
        for template, params in result.problems:
            print(_(template) % params, file=sys.stderr)
        raise CommandError(
            _(
                "The access log has been tampered with: %(count)s problems. Report it as a security "
                "incident."
            )
            % {"count": len(result.problems)}
        )
    print(
        _("The access log is whole: %(rows)s rows, the chain is unbroken up to row %(id)s.")
        % {"rows": result.rows, "id": result.last_id or "–"}
    )
    if result.before_chain:
        print(
            _("%(count)s rows were written before the chain existed and are not covered by it.")
            % {"count": result.before_chain}
        )
    return 0


def cmd_recover(args) -> int:
    from django.utils.translation import gettext as _

    from tillit.accounts.jobs import recover

    failed = recover()
    for kind, pk, reason in failed:
        print(
            _("%(kind)s %(id)s was marked failed: %(reason)s")
            % {"kind": kind, "id": pk, "reason": reason}
        )
    print(_("%(count)s jobs were marked failed.") % {"count": len(failed)})
    return 0


def nightly(state: dict) -> None:
    """Called by `tillit schedule` every minute: recovers dead jobs, verifies the access log once a day."""
    from django.utils import timezone

    from tillit.accounts.integrity import verify_and_record
    from tillit.accounts.jobs import recover

    recover()
    today = timezone.localdate()
    if state.get("accesslog_verified") != today:
        state["accesslog_verified"] = today
        verify_and_record()


# --- backup and restore ----------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _private(path: Path) -> None:
    path.chmod(0o700 if path.is_dir() else 0o600)


def _copy_tree(source: Path, target: Path, skip: set[str]) -> None:
    for entry in sorted(source.iterdir()):
        if entry.name in skip or entry.name.endswith(".tmp") or entry.is_symlink():
            continue
        destination = target / entry.name
        if entry.is_dir():
            destination.mkdir(mode=0o700)
            _copy_tree(entry, destination, set())
        else:
            shutil.copy2(entry, destination)
            _private(destination)


def _database():
    from django.db import connection

    return connection


def cmd_backup(args) -> int:
    from django.conf import settings
    from django.db.migrations.recorder import MigrationRecorder
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from tillit.accounts.integrity import verify
    from tillit.lib.commands import CommandError

    data = Path(settings.DATA_DIR).resolve()
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M%S")
    target = Path(args.target).resolve() / f"tillit-backup-{stamp}"
    if data in target.parents or target == data:
        raise CommandError(_("Put the backup outside the data directory %(dir)s.") % {"dir": data})
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        target.mkdir(mode=0o700)
    except FileExistsError:
        raise CommandError(_("%(dir)s already exists.") % {"dir": target}) from None
    connection = _database()
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        destination = sqlite3.connect(target / DB_FILE)
        with destination:
            connection.connection.backup(destination)  # consistent even while others write
        destination.close()
        _private(target / DB_FILE)
        database = DB_FILE
    elif connection.vendor == "postgresql":
        params = connection.get_connection_params()
        env = {**os.environ, "PGPASSWORD": str(params.get("password") or "")}
        command = [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--file",
            str(target / DB_DUMP),
            "--host",
            str(params.get("host") or "127.0.0.1"),
            "--port",
            str(params.get("port") or 5432),
            "--username",
            str(params.get("user") or ""),
            str(params.get("dbname") or params.get("database")),
        ]
        completed = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
        if completed.returncode:
            shutil.rmtree(target)
            raise CommandError(_("pg_dump failed: %(error)s") % {"error": completed.stderr.strip()})
        _private(target / DB_DUMP)
        database = DB_DUMP
    else:
        raise CommandError(
            _("Backups of a %(vendor)s database are not supported.") % {"vendor": connection.vendor}
        )
    files = target / "data"
    files.mkdir(mode=0o700)
    _copy_tree(data, files, SKIP)
    chain = verify(check_head=False)
    manifest = {
        "format": 1,
        "created": timezone.localtime().isoformat(timespec="seconds"),
        "vendor": connection.vendor,
        "database": database,
        "migrations": sorted(
            f"{a}.{n}" for a, n in MigrationRecorder.Migration.objects.values_list("app", "name")
        ),
        "accesslog": {"rows": chain.rows, "last_id": chain.last_id, "last_hash": chain.last_hash},
        "files": {
            str(p.relative_to(target)): _sha256(p) for p in sorted(target.rglob("*")) if p.is_file()
        },
    }
    (target / MANIFEST).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    _private(target / MANIFEST)
    print(
        _(
            "Backup written to %(dir)s: the database and %(count)s files. It holds personal data: keep it "
            "encrypted and under the same access rules as the system."
        )
        % {"dir": target, "count": len(manifest["files"]) - 1}
    )
    return 0


def _installation_is_empty(connection) -> bool:
    tables = set(connection.introspection.table_names())
    if "accounts_municipality" not in tables:
        return True
    from tillit.accounts.models import AccessLogEntry, Municipality, User

    return not (
        Municipality.objects.exists() or User.objects.exists() or AccessLogEntry.objects.exists()
    )


def cmd_restore(args) -> int:
    from django.conf import settings
    from django.db import connections
    from django.utils.translation import gettext as _

    from tillit.accounts.integrity import verify, write_head
    from tillit.lib.commands import CommandError
    from tillit.lib.commands import migrate as _migrate

    source = Path(args.source).resolve()
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise CommandError(
            _("%(dir)s is not a Tillit backup: MANIFEST.json is missing or unreadable.")
            % {"dir": source}
        ) from None
    for name, digest in manifest["files"].items():
        path = source / name
        if not path.is_file() or _sha256(path) != digest:
            raise CommandError(
                _("The backup is damaged: %(file)s is missing or changed. Nothing was restored.")
                % {"file": name}
            )
    connection = _database()
    connection.ensure_connection()
    if manifest["vendor"] != connection.vendor:
        raise CommandError(
            _("The backup is of a %(backup)s database and this installation uses %(here)s.")
            % {"backup": manifest["vendor"], "here": connection.vendor}
        )
    if not _installation_is_empty(connection):
        raise CommandError(
            _(
                "This installation already holds data. Restore into an empty installation (a new "
                "data directory and an empty database). Nothing was restored."
            )
        )
    data = Path(settings.DATA_DIR).resolve()
    if connection.vendor == "sqlite":
        db_path = Path(connection.settings_dict["NAME"])
        connections.close_all()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        shutil.copy2(source / DB_FILE, db_path)
        _private(db_path)
    else:
        params = connection.get_connection_params()
        env = {**os.environ, "PGPASSWORD": str(params.get("password") or "")}
        connections.close_all()
        command = [
            "pg_restore",
            "--no-owner",
            "--clean",
            "--if-exists",
            "--exit-on-error",
            "--host",
            str(params.get("host") or "127.0.0.1"),
            "--port",
            str(params.get("port") or 5432),
            "--username",
            str(params.get("user") or ""),
            "--dbname",
            str(params.get("dbname") or params.get("database")),
            str(source / DB_DUMP),
        ]
        completed = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
        if completed.returncode:
            raise CommandError(
                _("pg_restore failed: %(error)s") % {"error": completed.stderr.strip()}
            )
    for entry in sorted((source / "data").rglob("*")):
        destination = data / entry.relative_to(source / "data")
        if entry.is_dir():
            destination.mkdir(mode=0o700, exist_ok=True)
        else:  # the installation's own secret key too: sessions and signed links stay valid
            shutil.copy2(entry, destination)
            _private(destination)
    _migrate()
    chain = verify(check_head=False)
    if not chain.ok or chain.last_hash != manifest["accesslog"]["last_hash"]:
        raise CommandError(
            _("The restored access log does not match the backup's. Treat the restore as failed.")
        )
    write_head(chain)
    print(
        _(
            "Restored from %(dir)s: the database, %(count)s files, and an access log of %(rows)s rows whose chain "
            "is whole."
        )
        % {"dir": source, "count": len(manifest["files"]) - 1, "rows": chain.rows}
    )
    return 0
