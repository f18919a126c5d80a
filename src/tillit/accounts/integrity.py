"""The access log's hash chain: verification, the recorded head, and the nightly check.

Every row holds the hash of the row before it and its own hash over its content and that
link (AccessLogEntry.save). A row changed or removed in the middle breaks the link of the row
after it. Rows removed at the end leave a shorter chain that is still whole, so each
successful verification writes the chain's head (last id, its hash, the number of rows) to a
file in the data directory, outside the database's reach: the next verification fails when
that row is gone or changed. An attacker who can rewrite both the database and the data
directory can hide a removal; the operations guide keeps the database role from altering the
table and its trigger, and a copy of the head in the backups or the central log narrows it.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_noop

from tillit.accounts.models import AccessLogEntry

security_log = logging.getLogger("tillit.security")

HEAD_FILE = "accesslog-head.json"


@dataclass
class Verification:
    rows: int = 0
    before_chain: int = 0  # rows written before the chain existed (no hash)
    last_id: int | None = None
    last_hash: str | None = None
    # each problem: (English template, params) so the caller translates it
    problems: list[tuple[str, dict]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def head_path() -> Path:
    return Path(settings.DATA_DIR) / HEAD_FILE


def read_head() -> dict | None:
    try:
        return json.loads(head_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"unreadable": True}


def write_head(result: Verification) -> None:
    path = head_path()
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"id": result.last_id, "hash": result.last_hash, "rows": result.rows}, fh)
    os.replace(tmp, path)


def verify(*, check_head: bool = True, limit_problems: int = 20) -> Verification:
    """Walk the whole log in id order and check every link and every row's own hash."""
    result = Verification()
    expected_prev = AccessLogEntry.GENESIS
    chain_started = False
    for entry in AccessLogEntry.objects.order_by("id").iterator(chunk_size=2000):
        result.rows += 1
        if entry.row_hash is None:
            if chain_started:
                result.problems.append(
                    (
                        gettext_noop(
                            "Row %(id)s has no hash although the chain had started: it was written past the application."
                        ),
                        {"id": entry.pk},
                    )
                )
            else:
                result.before_chain += 1
            continue
        chain_started = True
        if entry.prev_hash != expected_prev:
            result.problems.append(
                (
                    gettext_noop(
                        "Row %(id)s does not follow the row before it: a row before it was removed or changed."
                    ),
                    {"id": entry.pk},
                )
            )
        if entry.compute_hash() != entry.row_hash:
            result.problems.append(
                (gettext_noop("Row %(id)s was changed after it was written."), {"id": entry.pk})
            )
        expected_prev = entry.row_hash
        result.last_id, result.last_hash = entry.pk, entry.row_hash
        if len(result.problems) >= limit_problems:
            break
    if check_head:
        head = read_head()
        if head and head.get("unreadable"):
            result.problems.append(
                (
                    gettext_noop("The recorded end of the chain (%(file)s) cannot be read."),
                    {"file": str(head_path())},
                )
            )
        elif head and head.get("id") is not None:
            recorded = (
                AccessLogEntry.objects.filter(pk=head["id"])
                .values_list("row_hash", flat=True)
                .first()
            )
            if recorded is None:
                result.problems.append(
                    (
                        gettext_noop(
                            "Row %(id)s, the end of the chain at the last check, is gone: rows at the end were removed."
                        ),
                        {"id": head["id"]},
                    )
                )
            elif recorded != head.get("hash"):
                result.problems.append(
                    (
                        gettext_noop(
                            "Row %(id)s, the end of the chain at the last check, has changed."
                        ),
                        {"id": head["id"]},
                    )
                )
            elif result.rows < int(head.get("rows") or 0):
                result.problems.append(
                    (
                        gettext_noop(
                            "The log holds %(now)s rows, fewer than the %(then)s at the last check."
                        ),
                        {"now": result.rows, "then": head.get("rows")},
                    )
                )
    return result


def verify_and_record() -> Verification:
    """The nightly check: verify, record the new head when whole, and raise the alarm when not."""
    result = verify()
    if result.ok:
        write_head(result)
        security_log.info(
            "access log chain verified", extra={"rows": result.rows, "last_id": result.last_id}
        )
    else:
        security_log.critical(
            "ACCESS LOG TAMPERED",
            extra={"problems": [template % params for template, params in result.problems]},
        )
    return result
