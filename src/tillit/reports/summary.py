"""The summary of open hits behind the overview.

Counting a million open hits, with the amount at risk counted once per evidence, takes seconds;
the start page must answer in a fraction of one. So the figures are computed in the database
(GROUP BY, never in Python) into one HitSummary row per municipality, together with a stamp of
the state they describe: the newest hit, hit event (every triage writes one), snooze, case link
and run, and the day. A page compares the stamp (a handful of primary-key lookups) and:

- uses the summary when nothing changed;
- recomputes at once when the last computation was quick (a municipality of ordinary size,
  so the figures are always exact there);
- otherwise shows the previous figures with their time and has the worker recompute them.

The figures follow the review queue of a user who does not see shadow-run hits: open
(status new), not silenced by a snooze.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, connections, transaction
from django.db.models import Count, Exists, Max, OuterRef, Value
from django.db.models.functions import StrIndex, Substr, TruncMonth
from django.utils import timezone
from django_tasks import task

from tillit.controls.models import Hit, HitEvent, Run, Snooze
from tillit.reports.models import HitSummary

# a computation quicker than this is repeated on the request; a slower one goes to the worker
INLINE_SECONDS = 0.25
REFRESH_AGAIN_AFTER = timedelta(minutes=2)


def stamp(municipality, today: date | None = None) -> str:
    from tillit.cases.models import CaseHit

    def newest(model) -> int:
        return model.objects.filter(municipality=municipality).aggregate(m=Max("id"))["m"] or 0

    run = (
        Run.objects.filter(municipality=municipality)
        .order_by("-id")
        .values("id", "status", "finished_at")
        .first()
    )
    run_part = (
        f"{run['id']}.{run['status']}.{run['finished_at'] and run['finished_at'].timestamp()}"
        if run
        else "0"
    )
    return ":".join(
        str(x)
        for x in (
            newest(Hit),
            newest(HitEvent),
            newest(Snooze),
            newest(CaseHit),
            run_part,
            (today or timezone.localdate()).isoformat(),
        )
    )


def open_hits_queryset(municipality):
    snoozed = Snooze.objects.filter(
        municipality_id=OuterRef("municipality_id"),
        control_id=OuterRef("control_id"),
        subject_type=OuterRef("subject_type"),
        subject_id=OuterRef("subject_id"),
        until__gte=timezone.localdate(),
    )
    return (
        Hit.objects.filter(municipality=municipality, status=Hit.Status.NEW, shadow=False)
        .exclude(Exists(snoozed))
        .order_by()
    )


def family_expression():
    """The family prefix as SQL both SQLite and PostgreSQL run: the text before the first hyphen."""
    return Substr("control_id", 1, StrIndex("control_id", Value("-")) - 1)


def compute(municipality, today: date | None = None) -> dict:
    """The figures, aggregated in the database."""
    today = today or timezone.localdate()
    hits = open_hits_queryset(municipality)
    by_evidence = (
        hits.annotate(family=family_expression())
        .values("family", "evidence_keys")
        .annotate(n=Count("id"), amount=Max("amount_at_risk"))
    )
    sql, params = by_evidence.query.sql_with_params()
    total_sql, total_params = (
        hits.values("evidence_keys").annotate(amount=Max("amount_at_risk")).query.sql_with_params()
    )
    with connections[hits.db].cursor() as cursor:
        cursor.execute(
            f"SELECT family, SUM(n), SUM(amount), COUNT(*) FROM ({sql}) AS g GROUP BY family",  # noqa: S608
            params,
        )
        families = [
            {"family": f, "count": int(n), "amount": str(Decimal(str(a or 0))), "groups": int(g)}
            for f, n, a, g in cursor.fetchall()
        ]
        cursor.execute(f"SELECT SUM(amount) FROM ({total_sql}) AS t", total_params)  # noqa: S608
        total = Decimal(str(cursor.fetchone()[0] or 0))
    first = (today.replace(day=1) - timedelta(days=400)).replace(day=1)
    since = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    months = {}
    raised = (
        Hit.objects.filter(municipality=municipality, shadow=False, created_at__gte=since)
        .order_by()
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    for month, n in raised:
        key = (month.date() if hasattr(month, "date") else month).strftime("%Y-%m")
        months[key] = months.get(key, 0) + n
    return {"families": families, "amount": str(total), "months": months}


def refresh(municipality) -> HitSummary:
    """Recompute the summary now (the worker's task, or a quick one on the request)."""
    current = stamp(municipality)
    started = time.perf_counter()
    data = compute(municipality)
    seconds = time.perf_counter() - started
    values = {
        "stamp": current,
        "computed_at": timezone.now(),
        "seconds": seconds,
        "data": data,
        "refresh_requested_at": None,
    }
    try:
        with transaction.atomic():
            summary, _created = HitSummary.objects.update_or_create(
                municipality=municipality, defaults=values
            )
    except (
        IntegrityError
    ):  # two requests made the first summary at once: the other one's row is as good
        HitSummary.objects.filter(municipality=municipality).update(**values)
        summary = HitSummary.objects.get(municipality=municipality)
    return summary


@task()
def refresh_task(municipality_id: int) -> str:
    from tillit.accounts.models import Municipality

    summary = refresh(Municipality.objects.get(pk=municipality_id))
    return f"{summary.seconds:.2f}"


def current(municipality) -> tuple[dict, datetime | None]:
    """(figures, as_of): as_of is None when the figures describe the state right now."""
    summary = HitSummary.objects.filter(municipality=municipality).first()
    now_stamp = stamp(municipality)
    if summary is not None and summary.stamp == now_stamp:
        return summary.data, None
    if summary is None or summary.seconds < INLINE_SECONDS:
        return refresh(municipality).data, None
    due = (
        summary.refresh_requested_at is None
        or summary.refresh_requested_at < timezone.now() - REFRESH_AGAIN_AFTER
    )
    if due:
        HitSummary.objects.filter(pk=summary.pk).update(refresh_requested_at=timezone.now())
        transaction.on_commit(lambda: refresh_task.enqueue(municipality.pk))
    return summary.data, summary.computed_at
