"""Publishing a run's hits to the queue, in bulk.

The rules are the ones services.py states: a hit is identified by municipality, control and
fingerprint; a re-run updates an open hit, reopens a closed one whose evidence came back, closes an
open one whose evidence is gone, and leaves a handled one (dismissed, notified, case) alone.

Written in bulk, so that a run on a real ledger (a hundred thousand hits) is stored in seconds, not
minutes: the existing hits are read as (id, fingerprint, status) only, new and changed hits are
written with the driver's executemany, events with bulk_create, closed hits with one UPDATE per
chunk. All in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections, router
from django.utils import timezone

from tillit.analytics.evidence import RANK
from tillit.controls.models import ControlConfig, Hit, HitEvent

BATCH = 1000


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Writer:
    """Rows for controls_hit as the database takes them, written with the driver's executemany.

    Django's bulk_create and bulk_update resolve an expression (or a CASE) per value and row, which
    costs more than the database's own work at this size. Values are adapted here with the
    connection's own adapters, so SQLite and PostgreSQL get what the ORM would have sent; a column
    this module does not set takes its field's default."""

    def __init__(self) -> None:
        self.connection = connections[router.db_for_write(Hit)]
        self.fields = [f for f in Hit._meta.concrete_fields if not f.primary_key]
        self.quote = self.connection.ops.quote_name

    def json(self, value) -> object:
        return Hit._meta.get_field("evidence").get_db_prep_save(value, self.connection)

    def decimal(self, value) -> object:
        return self.connection.ops.adapt_decimalfield_value(value, 18, 2)

    def datetime(self, value) -> object:
        return self.connection.ops.adapt_datetimefield_value(value)

    def insert(self, rows: list[dict]) -> None:
        if not rows:
            return
        defaults = {
            f.column: f.get_db_prep_save(f.get_default(), self.connection) for f in self.fields
        }
        columns = [f.column for f in self.fields]
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            self.quote(Hit._meta.db_table),
            ", ".join(self.quote(c) for c in columns),
            ", ".join(["%s"] * len(columns)),
        )
        with self.connection.cursor() as cursor:
            for chunk in _chunks(rows, BATCH):
                cursor.executemany(
                    sql,
                    [
                        [row.get(c, defaults[c]) if c in row else defaults[c] for c in columns]
                        for row in chunk
                    ],
                )

    def raised_events(self, municipality_id: int, control_id: str, run_id: int, stamp) -> None:
        """One 'raised' event for each hit this run created, in one INSERT … SELECT."""
        fields = [f for f in HitEvent._meta.concrete_fields if not f.primary_key]
        given = {
            "municipality_id": None,
            "hit_id": None,
            "at": stamp,
            "action": "raised",
            "run_id": run_id,
        }
        select, params = [], []
        for f in fields:
            if f.column in ("municipality_id", "hit_id"):
                select.append(
                    self.quote("municipality_id" if f.column == "municipality_id" else "id")
                )
            else:
                select.append("%s")
                params.append(
                    given[f.column]
                    if f.column in given
                    else f.get_db_prep_save(f.get_default(), self.connection)
                )
        sql = "INSERT INTO {} ({}) SELECT {} FROM {} WHERE {} = %s AND {} = %s AND {} = %s".format(
            self.quote(HitEvent._meta.db_table),
            ", ".join(self.quote(f.column) for f in fields),
            ", ".join(select),
            self.quote(Hit._meta.db_table),
            self.quote("municipality_id"),
            self.quote("control_id"),
            self.quote("first_run_id"),
        )
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [*params, municipality_id, control_id, run_id])

    def update(self, rows: list[tuple[int, dict]]) -> None:
        """(pk, {column: value}) with the same columns in every row."""
        if not rows:
            return
        columns = list(rows[0][1])
        sql = "UPDATE {} SET {} WHERE {} = %s".format(
            self.quote(Hit._meta.db_table),
            ", ".join(f"{self.quote(c)} = %s" for c in columns),
            self.quote(Hit._meta.pk.column),
        )
        with self.connection.cursor() as cursor:
            for chunk in _chunks(rows, BATCH):
                cursor.executemany(
                    sql, [[*(values[c] for c in columns), pk] for pk, values in chunk]
                )


def publish(
    run,
    result,
    configs,
    snapshot_ids,
    *,
    skip=frozenset(),
    snapshot_of_path=None,
    snoozed=frozenset(),
    jsonable=None,
    evidence_for_storage=None,
    explanation_json=None,
) -> tuple[int, int, int]:
    """Store `result`'s hits for `run`; (new, updated, closed). The value converters come from
    services.py, so that this module stores the values the row-by-row code it replaced stored."""
    from tillit.analytics.registry import get as get_control

    municipality = run.municipality
    now = timezone.now()
    writer = _Writer()
    stamp = writer.datetime(now)
    new = updated = closed = 0
    for c in result.controls:
        if c.not_applicable or c.control_id in skip:
            continue  # nothing examined (existing hits stay as they are), or a back-test only
        control = get_control(c.control_id)
        config = configs.get(c.control_id)
        shadow = bool(
            config and config.state in (ControlConfig.State.SHADOW, ControlConfig.State.PENDING)
        )
        existing = {
            fp: (pk, status)
            for pk, fp, status in Hit.objects.filter(
                municipality=municipality, control_id=c.control_id
            ).values_list("pk", "fingerprint", "status")
        }
        # what every hit of this control in this run shares
        shared = {
            "control_version": c.version,
            "last_run_id": run.pk,
            "engine": c.engine,
            "sql": c.sql,
            "params": writer.json(jsonable(c.params)),
            "snapshot_ids": writer.json(snapshot_ids),
            "risk_areas": writer.json(list(control.risk_areas)),
            "shadow": shadow,
            "updated_at": stamp,
        }
        to_create: list[dict] = []
        to_update: list[tuple[int, dict]] = []
        to_reopen: list[tuple[int, dict]] = []
        seen: set[str] = set()
        for h in c.hits:
            if h.fingerprint in seen:
                continue  # one hit per fingerprint, as the unique constraint says
            seen.add(h.fingerprint)
            if (c.control_id, h.subject_type, str(h.subject_id)) in snoozed:
                continue
            found = existing.get(h.fingerprint)
            if found is not None and found[1] not in (Hit.Status.NEW, Hit.Status.CLOSED):
                continue  # dismissed / notified / case: the same evidence is not raised again
            values = {
                **shared,
                "subject_type": h.subject_type,
                "subject_id": str(h.subject_id),
                "board": str(getattr(h, "board", "") or "")[:200],
                "amount_at_risk": writer.decimal(h.amount_at_risk),
                "severity": h.severity,
                "score": writer.decimal(h.score),
                "explanation_template": h.explanation_template,
                "explanation_params": writer.json(explanation_json(h.explanation_params)),
                "evidence": writer.json(evidence_for_storage(h.evidence, snapshot_of_path or {})),
                "evidence_keys": writer.json(list(h.evidence_keys)),
                # graded evidence of the duplicate family (analytics/evidence.py)
                "evidence_grade": getattr(h, "evidence_grade", ""),
                "evidence_rank": RANK.get(getattr(h, "evidence_grade", ""), 0),
                "evidence_reasons": writer.json(list(getattr(h, "evidence_reasons", []))),
            }
            if found is None:
                to_create.append(
                    {
                        **values,
                        "municipality_id": municipality.pk,
                        "control_id": c.control_id,
                        "fingerprint": h.fingerprint,
                        "first_run_id": run.pk,
                        "created_at": stamp,
                        "status": Hit.Status.NEW.value,
                    }
                )
            elif found[1] == Hit.Status.NEW:
                to_update.append((found[0], values))
            else:
                # the evidence came back: open it again
                to_reopen.append(
                    (found[0], {**values, "status": Hit.Status.NEW.value, "closed_at": None})
                )
        writer.insert(to_create)
        writer.update(to_update)
        writer.update(to_reopen)
        new += len(to_create) + len(to_reopen)
        updated += len(to_update)
        if to_create:
            writer.raised_events(municipality.pk, c.control_id, run.pk, stamp)
        HitEvent.objects.bulk_create(
            [
                HitEvent(municipality=municipality, hit_id=pk, action="reopened", run=run)
                for pk, _values in to_reopen
            ],
            batch_size=BATCH,
        )
        gone = [
            pk
            for fp, (pk, status) in existing.items()
            if fp not in seen and status == Hit.Status.NEW
        ]
        for chunk in _chunks(gone, BATCH):
            Hit.objects.filter(pk__in=chunk).update(
                status=Hit.Status.CLOSED, closed_at=now, last_run=run, updated_at=now
            )
            HitEvent.objects.bulk_create(
                [
                    HitEvent(
                        municipality=municipality,
                        hit_id=pk,
                        action="closed",
                        run=run,
                        note="evidence gone",
                    )
                    for pk in chunk
                ]
            )
        closed += len(gone)
    return new, updated, closed
