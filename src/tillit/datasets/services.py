"""Imports, snapshots and retention: the Django side of the analytics importers.

An import either lands whole or not at all: the analytics importer writes the
Parquet file atomically, and the Snapshot row is created in one transaction after
it. A refused or failed import leaves no file and no snapshot, and never touches
earlier snapshots.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from tillit.accounts.models import Municipality
from tillit.analytics import schema
from tillit.datasets.models import ImportAttempt, MappingProfile, Snapshot

logger = logging.getLogger(__name__)

MAX_STORED_ERRORS = 1000


class ImportRefused(Exception):
    """The file was refused; the attempt row says why."""

    def __init__(self, attempt: ImportAttempt):
        super().__init__(attempt.message)
        self.attempt = attempt


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def mapping_from_profile(profile: MappingProfile | None):
    from tillit.analytics.ingest import Mapping

    if profile is None:
        return None
    return Mapping(
        columns=dict(profile.columns),
        unavailable=list(profile.unavailable),
        date_format=profile.date_format or None,
        decimal=profile.decimal or None,
        encoding=profile.encoding or None,
        delimiter=profile.delimiter or None,
    )


class ProfileError(ValueError):
    """A mapping profile that cannot be saved; `template` is English, translated where shown."""

    def __init__(self, template: str, params: dict) -> None:
        super().__init__(template % params)
        self.template, self.params = template, params


@transaction.atomic
def profile_save(
    *,
    municipality: Municipality,
    name: str,
    dataset: str,
    columns: dict[str, str],
    unavailable: list[str],
    date_format: str = "",
    decimal: str = "",
    encoding: str = "",
    delimiter: str = "",
) -> tuple[MappingProfile, bool]:
    """Save a mapping profile (the command line's `tillit profiles add`); one of the same name is
    replaced. Columns are checked against the data set; the key may be mapped to the row number
    (ingest.ROW_NUMBER) but not merely marked unavailable."""
    from tillit.analytics.ingest import ROW_NUMBER

    spec = schema.get(dataset)
    for column in [*columns, *unavailable]:
        if column not in spec.column_names:
            raise ProfileError(
                gettext_noop("%(column)s is not a column of the data set %(dataset)s."),
                {"column": column, "dataset": dataset},
            )
    for column, header in columns.items():
        if header == ROW_NUMBER and column != spec.key:
            raise ProfileError(
                gettext_noop("Only the key column %(key)s may be the row number in the file."),
                {"key": spec.key or "–"},
            )
    if spec.key and spec.key in unavailable:
        raise ProfileError(
            gettext_noop(
                "The key column %(column)s cannot be marked unavailable: every row needs its "
                "own key. Map it to a column in the file, or let the profile use the row "
                "number in the file instead."
            ),
            {"column": spec.key},
        )
    if date_format:
        from datetime import date

        try:
            date(2025, 1, 31).strftime(date_format)
        except ValueError:
            raise ProfileError(
                gettext_noop("%(format)s is not a date format (write it like %%d/%%m/%%Y)."),
                {"format": date_format},
            ) from None
        if "%d" not in date_format or "%m" not in date_format:
            raise ProfileError(
                gettext_noop("%(format)s is not a date format (write it like %%d/%%m/%%Y)."),
                {"format": date_format},
            )
    profile, created = MappingProfile.objects.update_or_create(
        municipality=municipality,
        name=name,
        defaults={
            "dataset": dataset,
            "columns": columns,
            "unavailable": unavailable,
            "date_format": date_format,
            "decimal": decimal,
            "encoding": encoding,
            "delimiter": delimiter,
        },
    )
    logger.info("mapping profile saved", extra={"profile": profile.pk, "dataset": dataset})
    return profile, created


def snapshot_dir(municipality: Municipality, dataset: str) -> Path:
    path = Path(settings.SNAPSHOT_DIR) / municipality.code / dataset
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Period:
    start: date
    end: date


def parse_period(text: str | None) -> Period | None:
    """'2025-01..2025-03' -> first day of January to last day of March."""
    if not text:
        return None
    import calendar

    try:
        first, _, last = text.partition("..")
        last = last or first
        y1, m1 = (int(x) for x in first.split("-"))
        y2, m2 = (int(x) for x in last.split("-"))
        return Period(date(y1, m1, 1), date(y2, m2, calendar.monthrange(y2, m2)[1]))
    except ValueError:
        raise ValueError(text) from None


def import_file(
    *,
    user,
    municipality: Municipality,
    dataset: str,
    path: Path,
    source_name: str | None = None,
    profile: MappingProfile | None = None,
    mapping=None,
    policy: str = "reject",
    period: Period | None = None,
    replace: bool | None = None,
    force: bool = False,
    attempt: ImportAttempt | None = None,
    progress: Callable[[int, int], None] | None = None,
    keep_others: bool = False,
) -> ImportAttempt:
    """Import one file into a new snapshot. Raises ImportRefused when refused. `keep_others` adds the
    snapshot beside every current one, whatever its period (e-invoices, datasets/peppol.py)."""
    from tillit.analytics.ingest import ingest

    spec = schema.get(dataset)
    source_name = source_name or path.name
    if attempt is None:
        attempt = ImportAttempt.objects.create(
            municipality=municipality,
            dataset=dataset,
            source_name=source_name,
            policy=policy,
            started_by=user,
        )
    from tillit.accounts import jobs

    jobs.begin(
        "import", attempt.pk
    )  # a heartbeat: a killed import is found and marked failed (security F3)
    attempt.sha256 = file_sha256(path)
    duplicate = Snapshot.objects.filter(
        municipality=municipality, dataset=dataset, sha256=attempt.sha256, retired_at__isnull=True
    ).first()
    if duplicate is not None and not force:
        # each channel names its own way to import anyway: the web its checkbox, the command line --force
        how = (
            gettext_noop(
                "This file was already imported as snapshot %(id)s on %(date)s. To import it again, tick “Import even "
                "if the same file was imported before”."
            )
            if user is not None
            else gettext_noop(
                "This file was already imported as snapshot %(id)s on %(date)s. Import it again with --force."
            )
        )
        return _refuse(
            attempt,
            ImportAttempt.Status.DUPLICATE,
            how,
            {
                "id": duplicate.pk,
                "date": timezone.localtime(duplicate.imported_at).strftime("%Y-%m-%d"),
            },
        )

    out = snapshot_dir(municipality, dataset) / f"{uuid.uuid4().hex}.parquet"
    mapping = mapping if mapping is not None else mapping_from_profile(profile)

    def on_progress(done: int, total: int) -> None:
        ImportAttempt.objects.filter(pk=attempt.pk).update(rows_done=done, rows_total=total)
        if progress:
            progress(done, total)

    try:
        result = ingest(dataset, path, out, mapping=mapping, policy=policy, progress=on_progress)
    except Exception:
        logger.exception("import failed", extra={"dataset": dataset, "source": source_name})
        out.unlink(missing_ok=True)
        return _refuse(
            attempt,
            ImportAttempt.Status.REJECTED,
            gettext_noop("The file could not be read. Nothing was imported."),
            {},
        )

    attempt.errors = [_error_dict(e) for e in list(result.errors)[:MAX_STORED_ERRORS]]
    attempt.error_count = result.error_count
    attempt.notes = [
        {"message": n.message, "params": {k: str(v)[:200] for k, v in (n.params or {}).items()}}
        for n in result.notes[:50]
    ]
    if not result.ok:
        out.unlink(missing_ok=True)
        first = result.file_errors[0] if result.file_errors else None
        message, params = (
            (first.message, first.params)
            if first
            else (
                gettext_noop(
                    "%(count)s rows have errors, so the file was rejected. Nothing was imported."
                ),
                {"count": result.error_count},
            )
        )
        return _refuse(attempt, ImportAttempt.Status.REJECTED, message, params)

    with transaction.atomic():
        use_replace = replace if replace is not None else spec.period_column is None
        start = period.start if period else result.period_min
        end = period.end if period else result.period_max
        snapshot = Snapshot.objects.create(
            municipality=municipality,
            dataset=dataset,
            mode=Snapshot.Mode.REPLACE if use_replace else Snapshot.Mode.PERIOD,
            period_from=start,
            period_to=end,
            source_name=source_name,
            sha256=attempt.sha256,
            rows=result.rows,
            quarantined_rows=result.quarantined,
            parquet_path=str(out.relative_to(settings.SNAPSHOT_DIR)),
            quarantine_path=str(result.quarantine_path.relative_to(settings.SNAPSHOT_DIR))
            if getattr(result, "quarantine_path", None)
            else "",
            columns=list(result.columns),
            unavailable_columns=list(result.unavailable),
            # the mapping actually used, also when the columns were recognised automatically
            mapping=_mapping_dict(
                mapping if mapping is not None else getattr(result, "mapping", None)
            ),
            profile=profile,
            imported_by=user,
        )
        current = Snapshot.objects.filter(
            municipality=municipality,
            dataset=dataset,
            retired_at__isnull=True,
            replaced_by__isnull=True,
        ).exclude(pk=snapshot.pk)
        if keep_others:
            replaced = current.none()
        elif use_replace:
            replaced = current
        elif start and end:
            # re-importing a period replaces that period's snapshot
            replaced = current.filter(
                mode=Snapshot.Mode.PERIOD, period_from__gte=start, period_to__lte=end
            )
        else:
            replaced = current.none()
        replaced.update(replaced_by=snapshot)
        attempt.status = (
            ImportAttempt.Status.QUARANTINED
            if result.quarantined
            else ImportAttempt.Status.IMPORTED
        )
        attempt.snapshot = snapshot
        attempt.rows_done = attempt.rows_total = result.rows + result.quarantined
        attempt.finished_at = timezone.now()
        attempt.save()
    if dataset == "invoices":
        carry_suppliers_from_invoices(attempt=attempt, user=user)
    return attempt


def _supplier_columns(extra_headers: list[str]) -> tuple[str | None, str | None]:
    """Which extra header of an invoice export holds the supplier's name, and which its orgnr."""
    from tillit.analytics.aliases import (
        _is_bare_party,
        _is_id_like,
        _is_name_like,
        aliases_for,
        fold,
    )

    orgnr_names = set(aliases_for(schema.get("suppliers"), "orgnr")) | {
        "supplier orgnr",
        "leverantorens orgnr",
    }
    name = orgnr = None
    for header in extra_headers:
        folded = fold(header)
        if orgnr is None and (
            folded in orgnr_names or "orgnr" in folded.split() or "organisationsnummer" in folded
        ):
            orgnr = header
        elif (
            name is None
            and (_is_name_like(folded) or _is_bare_party(folded))
            and not _is_id_like(folded)
        ):
            name = header
    return name, orgnr


def carry_suppliers_from_invoices(*, attempt: ImportAttempt, user) -> Snapshot | None:
    """An invoice export that names its suppliers (name, orgnr) fills the supplier register when the
    municipality has none yet, so a hit says “Ystads Färg & Tapet AB”, not “20012”. The register is
    imported through the ordinary importer, as its own snapshot; a later supplier register replaces it."""
    import csv
    import tempfile

    import pyarrow.parquet as pq

    from tillit.analytics.ingest import EXTRA_PREFIX

    snapshot = attempt.snapshot
    municipality = attempt.municipality
    if (
        snapshot is None
        or Snapshot.objects.filter(
            municipality=municipality,
            dataset="suppliers",
            retired_at__isnull=True,
            replaced_by__isnull=True,
        ).exists()
    ):
        return None
    path = Path(settings.SNAPSHOT_DIR) / snapshot.parquet_path
    columns = pq.ParquetFile(path).schema_arrow.names
    name, orgnr = _supplier_columns(
        [c[len(EXTRA_PREFIX) :] for c in columns if c.startswith(EXTRA_PREFIX)]
    )
    if name is None or "supplier_id" not in columns:
        return None
    wanted = ["supplier_id", EXTRA_PREFIX + name] + ([EXTRA_PREFIX + orgnr] if orgnr else [])
    table = pq.read_table(path, columns=wanted).to_pylist()
    suppliers: dict[str, tuple[str, str]] = {}
    for row in table:
        key = row["supplier_id"]
        if key and key not in suppliers and row[EXTRA_PREFIX + name]:
            suppliers[key] = (
                row[EXTRA_PREFIX + name],
                row.get(EXTRA_PREFIX + orgnr, "") if orgnr else "",
            )
    if not suppliers:
        return None
    with tempfile.TemporaryDirectory() as folder:
        register = Path(folder) / f"leverantorer-ur-{Path(attempt.source_name).stem}.csv"
        with register.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, delimiter=";")
            writer.writerow(["supplier_id", "name", "orgnr"])
            writer.writerows([key, n, o or ""] for key, (n, o) in suppliers.items())
        try:
            carried = import_file(
                user=user,
                municipality=municipality,
                dataset="suppliers",
                path=register,
                policy="quarantine",
                force=True,
            )
        except ImportRefused:
            logger.warning("suppliers from invoices refused", extra={"attempt": attempt.pk})
            return None
    attempt.notes = [
        *attempt.notes,
        {
            "message": gettext_noop(
                "The supplier register was empty: %(count)s suppliers with their names and organisation numbers were "
                "taken from this file into it (snapshot %(id)s)."
            ),
            "params": {"count": str(len(suppliers)), "id": str(carried.snapshot.pk)},
        },
    ]
    attempt.save(update_fields=["notes"])
    return carried.snapshot


def _refuse(attempt: ImportAttempt, status: str, message: str, params: dict) -> ImportAttempt:
    attempt.status = status
    attempt.message = message
    attempt.message_params = params
    attempt.finished_at = timezone.now()
    attempt.save()
    raise ImportRefused(attempt)


def _error_dict(error) -> dict:
    return {
        "row": error.row,
        "column": error.column,
        "value": str(error.value)[:200],
        "message": error.message,
        "params": {k: str(v)[:200] for k, v in (error.params or {}).items()},
    }


def _mapping_dict(mapping) -> dict:
    if mapping is None:
        return {}
    from dataclasses import asdict

    return asdict(mapping)


@transaction.atomic
def snapshot_retire(*, user, snapshot: Snapshot, reason: str) -> Snapshot:
    """Retention (gallring): the data file is deleted, the record of it and the reason stay."""
    if not reason.strip():
        raise ValueError("a reason is required")
    snapshot.retired_at = timezone.now()
    snapshot.retired_by = user
    snapshot.retired_reason = reason.strip()
    snapshot.save(update_fields=["retired_at", "retired_by", "retired_reason"])
    for rel in (snapshot.parquet_path, snapshot.quarantine_path):
        if rel:
            transaction.on_commit(
                lambda p=Path(settings.SNAPSHOT_DIR) / rel: p.unlink(missing_ok=True)
            )
    logger.info(
        "snapshot retired",
        extra={
            "snapshot": snapshot.pk,
            "by": user.get_username(),
            "reason": snapshot.retired_reason,
        },
    )
    return snapshot


def can_withdraw(user, snapshot: Snapshot) -> bool:
    """The one who imported a snapshot withdraws it; so may a coordinator."""
    from tillit.accounts.access import has_perm
    from tillit.accounts.models import Role

    if (
        snapshot.municipality_id != user.municipality_id
        or snapshot.retired_at
        or snapshot.withdrawn_at
    ):
        return False
    return (
        has_perm(user, "data.import") and snapshot.imported_by_id == user.pk
    ) or user.role == Role.COORDINATOR


@transaction.atomic
def snapshot_withdraw(*, user, snapshot: Snapshot, reason: str) -> Snapshot:
    """Take an import back: it leaves the current data (the snapshots it replaced come back); the file stays."""
    snapshot = Snapshot.objects.select_for_update().get(pk=snapshot.pk)
    if not can_withdraw(user, snapshot):
        raise PermissionError("not allowed to withdraw this snapshot")
    if not reason.strip():
        raise ValueError("a reason is required")
    earlier = Snapshot.objects.filter(replaced_by=snapshot).exclude(pk=snapshot.pk)
    snapshot.reinstated = list(earlier.values_list("pk", flat=True))
    earlier.update(replaced_by=None)
    snapshot.withdrawn_at, snapshot.withdrawn_by, snapshot.withdrawn_reason = (
        timezone.now(),
        user,
        reason.strip(),
    )
    snapshot.replaced_by = snapshot
    snapshot.save(
        update_fields=[
            "reinstated",
            "withdrawn_at",
            "withdrawn_by",
            "withdrawn_reason",
            "replaced_by",
        ]
    )
    logger.info("snapshot withdrawn", extra={"snapshot": snapshot.pk, "by": user.get_username()})
    return snapshot


@transaction.atomic
def snapshot_reinstate(*, user, snapshot: Snapshot) -> Snapshot:
    """A coordinator undoes a withdrawal: the snapshot is current again and replaces what it replaced."""
    from tillit.accounts.models import Role

    snapshot = Snapshot.objects.select_for_update().get(pk=snapshot.pk)
    if user.role != Role.COORDINATOR or snapshot.municipality_id != user.municipality_id:
        raise PermissionError("only a coordinator reinstates a withdrawn snapshot")
    if snapshot.withdrawn_at is None or snapshot.retired_at is not None:
        raise ValueError("the snapshot is not withdrawn")
    Snapshot.objects.filter(pk__in=snapshot.reinstated, replaced_by__isnull=True).update(
        replaced_by=snapshot
    )
    snapshot.replaced_by = None
    snapshot.withdrawn_at, snapshot.withdrawn_by, snapshot.reinstated = None, None, []
    snapshot.save(update_fields=["replaced_by", "withdrawn_at", "withdrawn_by", "reinstated"])
    logger.info("snapshot reinstated", extra={"snapshot": snapshot.pk, "by": user.get_username()})
    return snapshot


def current_sources(*, municipality: Municipality) -> dict:
    """The engine's view of the current data: per data set, Parquet files newest first."""
    from tillit.analytics.engines.base import DatasetSource

    sources: dict = {}
    snapshots = Snapshot.objects.filter(
        municipality=municipality, retired_at__isnull=True, replaced_by__isnull=True
    ).order_by("dataset", "-imported_at", "-id")
    for s in snapshots:
        entry = sources.setdefault(s.dataset, {"paths": [], "unavailable": set(), "ids": []})
        entry["paths"].append(str(Path(settings.SNAPSHOT_DIR) / s.parquet_path))
        entry["unavailable"].update(s.unavailable_columns)
        entry["ids"].append(s.pk)
    return {
        name: (
            DatasetSource(
                paths=e["paths"], key=schema.get(name).key, unavailable=frozenset(e["unavailable"])
            ),
            e["ids"],
        )
        for name, e in sources.items()
    }


def can_judge_entities(user) -> bool:
    """Only a coordinator judges whether two records are the same person or organisation."""
    from tillit.accounts.access import has_perm

    return has_perm(user, "cases.edit") and user.role in ("coordinator", "admin")


def entity_judge(*, user, kind: str, record_a: str, record_b: str, same: bool, reason: str):
    """Record a coordinator's judgement on two records (analytics/entities.py respects it)."""
    from django.utils.translation import gettext as _

    from tillit.datasets.models import EntityJudgement

    if not can_judge_entities(user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    if not reason.strip():
        raise ValueError(_("Give the reason for the judgement."))
    if record_a == record_b:
        raise ValueError(_("A record is always the same as itself; choose two different records."))
    a, b = sorted([record_a, record_b])
    return EntityJudgement.objects.create(
        municipality_id=user.municipality_id,
        kind=kind,
        record_a=a,
        record_b=b,
        same=same,
        reason=reason,
        decided_by=user,
    )


def entity_judgements(
    *, municipality, kind: str
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(same, not_same) pairs for entities.resolve_*: the newest judgement on each pair counts."""
    from tillit.datasets.models import EntityJudgement

    newest: dict[tuple[str, str], bool] = {}
    for j in EntityJudgement.objects.filter(municipality=municipality, kind=kind).order_by(
        "decided_at", "id"
    ):
        newest[(j.record_a, j.record_b)] = j.same
    same = [pair for pair, is_same in newest.items() if is_same]
    not_same = [pair for pair, is_same in newest.items() if not is_same]
    return same, not_same


def supplier_entity_review(*, municipality, limit: int = 200) -> dict:
    """The supplier records that the entity rules put together without a shared valid organisation
    number (a shared bank account, or nearly the same name at the same postal code), for a
    coordinator to confirm or refuse; pairs already judged are left out. Reads the current
    snapshots of suppliers and supplier_accounts."""
    from tillit.analytics.engines.duckdb import DuckDBEngine
    from tillit.analytics.entities import org_link_reason, resolve_organisations

    sources = {
        name: source for name, (source, _ids) in current_sources(municipality=municipality).items()
    }
    if "suppliers" not in sources:
        return {"available": False, "pairs": [], "records": 0, "entities": 0}
    engine = DuckDBEngine()
    try:
        engine.register("suppliers", sources["suppliers"])
        engine.register("supplier_accounts", sources.get("supplier_accounts"))
        rows = engine.execute("""
            SELECT s.supplier_id AS key, s.name, s.orgnr, coalesce(s.orgnr_valid, false) AS orgnr_valid,
                   s.postal_code, s.city,
                   list_sort(list_distinct(list(a.bank_account) FILTER (WHERE a.bank_account IS NOT NULL)))
                       AS bank_accounts
            FROM suppliers AS s LEFT JOIN supplier_accounts AS a ON a.supplier_id = s.supplier_id
            GROUP BY ALL
        """).to_pylist()
    finally:
        engine.close()
    by_key = {str(r["key"]): r for r in rows}
    same, not_same = entity_judgements(municipality=municipality, kind="organisation")
    judged = {tuple(sorted(p)) for p in (*same, *not_same)}
    resolution = resolve_organisations(rows, same=same, not_same=not_same)
    pairs = []
    for a, b, points, why in resolution.links:
        if why != "rules" or (a, b) in judged:
            continue
        reason, detail = org_link_reason(by_key[a], by_key[b])
        pairs.append(
            {
                "a": by_key[a],
                "b": by_key[b],
                "points": points,
                "reason": reason,
                "detail": detail,
                "entity": resolution.entity_of[a],
            }
        )
    pairs.sort(key=lambda p: (-p["points"], p["a"]["key"], p["b"]["key"]))
    return {
        "available": True,
        "pairs": pairs[:limit],
        "more": max(0, len(pairs) - limit),
        "records": len(rows),
        "entities": len(set(resolution.entity_of.values())),
    }
