"""Reads for cases. Every selector takes the acting user; visibility comes from cases/access.py."""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal
from statistics import median

from django.db.models import Count, DecimalField, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Greatest

from tillit.accounts.access import scoped
from tillit.cases.access import can_see_statistics_unsuppressed, visible_cases
from tillit.cases.models import (
    FINAL_STATES,
    OPEN_STATES,
    Case,
    CaseHit,
    CaseType,
    DeletionRequest,
    Notification,
    OtherOutcome,
    PoliceReport,
    RecoveryClaim,
    RecoveryPayment,
    Sanction,
    Source,
    State,
)

# Counts below this are not shown outside the case team (a small count can identify a person).
SUPPRESS_BELOW = 5


# --- the figures other sections read (stable names: the overview uses them) ----------------------


@functools.cache  # the schema is fixed: amount_at_risk asks once per hit, a million times in the queue
def _transaction_datasets() -> frozenset[str]:
    """Data sets whose rows are money paid or billed: an evidence row of these carries an amount.

    Every data set with an `amount` column, and the home-care visits (a billed visit is what
    the municipality pays for, priced by the hour).
    """
    from tillit.analytics.schema import DATASETS

    return frozenset(
        {name for name, spec in DATASETS.items() if "amount" in spec.column_names} | {"care_visits"}
    )


def _money_keys(hit) -> set[str]:
    return _money_key_set(hit.evidence_keys)


def _money_key_set(keys) -> set[str]:
    money = _transaction_datasets()
    return {str(k) for k in (keys or []) if str(k).split(":", 1)[0] in money}


def amount_at_risk(hits) -> Decimal:
    """The amount at risk of several hits with each evidence row counted once.

    Hits that share a payment, an invoice or another row of money (their evidence keys) are
    about the same money: the group counts once, with the largest amount any of its hits puts
    at risk. Three controls that flag one payment of 143 950 kr put 143 950 kr at risk, not
    431 850 kr. A hit with no row of money in its evidence counts in full.
    """
    return _largest_per_group((_money_keys(hit), Decimal(hit.amount_at_risk or 0)) for hit in hits)


def queryset_amount_at_risk(hits: QuerySet) -> Decimal:
    """`amount_at_risk` of a queryset of hits, read from far fewer rows (the queue's total of a million).

    The database groups the hits by their evidence keys first (a sorted list, so one list per
    set of keys). Hits with the same keys share every row of money, so they are one group
    anyway and only the largest amount among them counts; hits without a row of money each
    count in full, at least 0, as in `amount_at_risk`. The sum is the same.
    """
    money = DecimalField(max_digits=18, decimal_places=2)
    positive = Greatest("amount_at_risk", Value(Decimal(0)), output_field=money)
    rows = (
        hits.order_by()
        .values_list("evidence_keys")
        .annotate(largest=Max("amount_at_risk"), positive=Sum(positive, output_field=money))
    )
    alone = Decimal(0)
    groups = []
    for keys, largest, positive_sum in rows.iterator(chunk_size=10_000):
        money = _money_key_set(keys)
        if money:
            groups.append((money, Decimal(largest or 0)))
        else:
            alone += Decimal(positive_sum or 0)
    return alone + _largest_per_group(groups)


def _largest_per_group(items) -> Decimal:
    """The sum over groups of rows of money of the largest amount in each (each at least 0).

    `items` are (money keys, amount); items that share a key are in one group, and so are
    chains of them (a shares with b, b with c).
    """
    items = list(items)
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, (keys, _amount) in enumerate(items):
        for key in keys:
            if key in owner:
                parent[find(i)] = find(owner[key])
            else:
                owner[key] = i
    largest: dict[int, Decimal] = {}
    for i, (_keys, amount) in enumerate(items):
        root = find(i)
        largest[root] = max(largest.get(root, Decimal(0)), amount)
    return sum(largest.values(), Decimal(0))


def case_amount_at_risk(case: Case) -> Decimal:
    """The amount at risk of the hits in a case, each evidence row counted once."""
    return amount_at_risk(link.hit for link in case.case_hits.select_related("hit"))


def police_reports_sent(*, user, year: int | None = None) -> QuerySet[PoliceReport]:
    """Police reports registered as sent to the police (a draft does not count), dated by when sent.

    `year` is the year the report was sent. Reads the user's municipality only.
    """
    reports = scoped(PoliceReport.objects.all(), user).filter(reported_on__isnull=False)
    if year:
        reports = reports.filter(reported_on__year=year)
    return reports.order_by("reported_on", "id")


def notifications_recorded(
    *, user, year: int | None = None, direction: str = Notification.Direction.OUTGOING
) -> QuerySet[Notification]:
    """Every notification of the municipality, from a case or from the review queue: one row each.

    Outgoing by default; `year` is the year it was sent (or received, for incoming).
    """
    rows = scoped(Notification.objects.all(), user).filter(direction=direction)
    if year:
        rows = rows.filter(sent_on__year=year)
    return rows.order_by("sent_on", "id")


def case_list(
    *,
    user,
    state: str = "",
    case_type: str = "",
    source: str = "",
    q: str = "",
    mine: bool = False,
    open_only: bool = False,
) -> QuerySet[Case]:
    cases = visible_cases(user)
    if state:
        cases = cases.filter(state=state)
    if open_only:
        cases = cases.filter(state__in=OPEN_STATES)
    if case_type:
        cases = cases.filter(case_type=case_type)
    if source:
        cases = cases.filter(source=source)
    if mine:
        cases = cases.filter(team=user)
    if q:
        cases = cases.filter(
            Q(number__icontains=q)
            | Q(title__icontains=q)
            | Q(subjects__identifier=q)
            | Q(subjects__name__icontains=q)
        ).distinct()
    return cases.select_related("board", "lead").order_by("-opened_at", "-id")


def case_due(*, user, today: date) -> QuerySet[Case]:
    """Open cases of the user's team that are overdue or due within a week: the reminder list."""
    from datetime import timedelta

    return (
        visible_cases(user)
        .filter(team=user, state__in=OPEN_STATES, due_date__lte=today + timedelta(days=7))
        .order_by("due_date")
    )


def ledger_list(
    *, user, recipient: str = "", legal_ground: str = "", direction: str = ""
) -> QuerySet[Notification]:
    """The information-sharing ledger: what went to whom and what came in, when and under which law.

    Rows of a case follow the case's visibility; rows made from the review queue (no case) are
    seen by those who may see hits.
    """
    from tillit.accounts.access import has_perm

    visible = Q(case__in=visible_cases(user))
    if has_perm(user, "controls.view"):
        visible |= Q(case__isnull=True)
    rows = (
        scoped(Notification.objects.all(), user)
        .filter(visible)
        .select_related("case", "hit", "sent_by")
    )
    if direction:
        rows = rows.filter(direction=direction)
    if recipient:
        rows = rows.filter(recipient=recipient)
    if legal_ground:
        rows = rows.filter(legal_ground=legal_ground)
    return rows.order_by("-sent_on", "-id")


def deletion_list(*, user) -> QuerySet[DeletionRequest]:
    return scoped(DeletionRequest.objects.all(), user).select_related("proposed_by", "decided_by")


# --- statistics -------------------------------------------------------------------------------


class Suppressed:
    """A count of 1–4 shown as “fewer than 5”."""

    def __str__(self) -> str:
        return f"<{SUPPRESS_BELOW}"

    def __eq__(self, other) -> bool:
        return isinstance(other, Suppressed)

    def __hash__(self) -> int:
        return SUPPRESS_BELOW


def _shown(value: int, full: bool):
    return value if full or value == 0 or value >= SUPPRESS_BELOW else Suppressed()


def _amount_shown(amount: Decimal | None, count: int, full: bool):
    """An amount made of fewer than five cases could identify them as well as a count."""
    amount = amount or Decimal(0)
    return amount if full or count == 0 or count >= SUPPRESS_BELOW else Suppressed()


def statistics(*, user, year: int | None = None) -> dict:
    """The figures Oskarshamn 5.2 and the boards ask for, over all cases of the municipality.

    Coordinators see every count; everyone else sees counts below five suppressed.
    """
    full = can_see_statistics_unsuppressed(user)
    cases = scoped(Case.objects.all(), user)
    if year:
        cases = cases.filter(year=year)
    closed = cases.filter(state__in=FINAL_STATES)

    def by(field: str, qs: QuerySet, choices) -> list[dict]:
        counts = dict(qs.values_list(field).annotate(n=Count("id")).values_list(field, "n"))
        return [
            {"key": value, "label": label, "count": _shown(counts.get(value, 0), full)}
            for value, label in choices
        ]

    matrix = []
    counts = {
        (r["source"], r["case_type"]): r["n"]
        for r in cases.values("source", "case_type").annotate(n=Count("id"))
    }
    for source, source_label in Source.choices:
        matrix.append(
            {
                "label": source_label,
                "cells": [_shown(counts.get((source, t), 0), full) for t in CaseType.values],
            }
        )

    claims = RecoveryClaim.objects.filter(case__in=cases)
    claims_n = claims.count()
    payments = RecoveryPayment.objects.filter(claim__in=claims)
    notifications = notifications_recorded(user=user, year=year)
    notif_counts = dict(
        notifications.values_list("recipient").annotate(n=Count("id")).values_list("recipient", "n")
    )
    sanctions = Sanction.objects.filter(case__in=cases)
    sanction_counts = dict(
        sanctions.values_list("step").annotate(n=Count("id")).values_list("step", "n")
    )
    police_n = police_reports_sent(user=user, year=year).count()
    other_counts = dict(
        OtherOutcome.objects.filter(case__in=cases)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )

    decided = [(c.decided_at - c.opened_at).days for c in cases.filter(decided_at__isnull=False)]
    return {
        "full": full,
        "opened": _shown(cases.count(), full),
        "open_now": _shown(cases.filter(state__in=OPEN_STATES).count(), full),
        "closed": _shown(closed.count(), full),
        "by_source": by("source", cases, Source.choices),
        "by_type": by("case_type", cases, CaseType.choices),
        "closed_by_source": by("source", closed, Source.choices),
        "closed_by_type": by("case_type", closed, CaseType.choices),
        "by_state": by("state", cases, State.choices),
        "matrix": matrix,
        "types": CaseType.choices,
        "police_reports": _shown(police_n, full),
        "notifications": [
            {"label": label, "count": _shown(notif_counts.get(value, 0), full)}
            for value, label in Notification.Recipient.choices
        ],
        "notifications_total": _shown(notifications.count(), full),
        "incoming_total": _shown(
            notifications_recorded(
                user=user, year=year, direction=Notification.Direction.INCOMING
            ).count(),
            full,
        ),
        "claims_decided": _shown(claims_n, full),
        "claims_amount": _amount_shown(claims.aggregate(s=Sum("amount"))["s"], claims_n, full),
        "claims_received": _amount_shown(payments.aggregate(s=Sum("amount"))["s"], claims_n, full),
        "claims_written_off": _amount_shown(
            claims.aggregate(s=Sum("written_off"))["s"], claims_n, full
        ),
        "sanctions": [
            {"label": label, "count": _shown(sanction_counts.get(value, 0), full)}
            for value, label in Sanction.Step.choices
        ],
        "other_outcomes": [
            {"label": label, "count": _shown(other_counts.get(value, 0), full)}
            for value, label in OtherOutcome.Kind.choices
        ],
        "days_to_decision": (
            median(decided) if decided and (full or len(decided) >= SUPPRESS_BELOW) else None
        ),
        "decisions_counted": _shown(len(decided), full),
        "controls": control_precision(user=user, full=full),
    }


def control_precision(*, user, full: bool | None = None) -> list[dict]:
    """Per control, the share of its hits that became confirmed cases (feeds the engine's precision).

    A case is confirmed when it has an outcome other than "no action"; a hit in a case that is
    still open is counted as in a case but not yet decided either way.
    """
    from tillit.controls.models import Hit

    if full is None:
        full = can_see_statistics_unsuppressed(user)
    hits = scoped(Hit.objects.all(), user)
    totals = dict(
        hits.values_list("control_id").annotate(n=Count("id")).values_list("control_id", "n")
    )
    links = CaseHit.objects.filter(hit__in=hits).select_related("case")
    confirmed_cases = set(
        Case.objects.filter(pk__in=links.values("case"))
        .filter(
            Q(recovery_claims__isnull=False)
            | Q(police_reports__isnull=False)
            | Q(notifications__isnull=False)
            | Q(sanctions__isnull=False)
            | Q(
                other_outcomes__kind__in=[
                    OtherOutcome.Kind.CORRECTED_PAYMENT,
                    OtherOutcome.Kind.CHANGED_DECISION,
                ]
            )
        )
        .values_list("pk", flat=True)
    )
    in_case: dict[str, int] = {}
    confirmed: dict[str, int] = {}
    for link in links.values("hit__control_id", "case_id"):
        control = link["hit__control_id"]
        in_case[control] = in_case.get(control, 0) + 1
        if link["case_id"] in confirmed_cases:
            confirmed[control] = confirmed.get(control, 0) + 1
    rows = []
    for control, total in sorted(totals.items()):
        n_confirmed = confirmed.get(control, 0)
        rows.append(
            {
                "control_id": control,
                "hits": _shown(total, full),
                "in_case": _shown(in_case.get(control, 0), full),
                "confirmed": _shown(n_confirmed, full),
                # the share is shown only where the count behind it may be shown
                "share": (n_confirmed / total)
                if total and (full or n_confirmed == 0 or n_confirmed >= SUPPRESS_BELOW)
                else None,
            }
        )
    return rows
