"""The lägesbild's figures, always for the acting user's municipality and what their role may see.

Everything is counted in the database (GROUP BY), never by loading hits or cases into Python:
the overview must answer quickly with a million open hits. Counts of cases and their outcomes
are suppressed below five for everyone outside the case team (cases.selectors.SUPPRESS_BELOW),
and nothing here returns personal data: figures and links to the lists behind them.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tillit.accounts.access import has_perm, scoped
from tillit.cases.access import can_see_statistics_unsuppressed, visible_cases
from tillit.cases.models import (
    OPEN_STATES,
    Case,
    RecoveryClaim,
    RecoveryPayment,
    State,
)
from tillit.cases.selectors import (
    SUPPRESS_BELOW,
    Suppressed,
    notifications_recorded,
    police_reports_sent,
)
from tillit.controls.models import Hit, Run
from tillit.controls.selectors import precision
from tillit.reports import sources

# A control's family is the prefix of its id (INV-DUP-EXACT -> INV); the names users read.
FAMILIES = {
    "INV": gettext_lazy("Invoices"),
    "PAY": gettext_lazy("Payments"),
    "SUP": gettext_lazy("Suppliers"),
    "ACC": gettext_lazy("Bank accounts"),
    "EMP": gettext_lazy("Employees and elected members"),
    "GRANT": gettext_lazy("Grants"),
    "BEN": gettext_lazy("Financial assistance"),
    "CARE": gettext_lazy("Home care and assistance"),
    "PERMIT": gettext_lazy("Parking permits"),
    "PROV": gettext_lazy("Providers of welfare services"),
    "PLACE": gettext_lazy("Placements"),
    "BAB": gettext_lazy("Housing adaptation grants"),
    "APP": gettext_lazy("Applications for economic assistance"),
    "LMS": gettext_lazy("Labour market programmes"),
    "LEDGER": gettext_lazy("General ledger"),
    "X": gettext_lazy("Across municipalities"),
}

MONTHS = 12


def family_label(prefix: str) -> str:
    return str(FAMILIES.get(prefix, prefix))


def shown(value: int, full: bool):
    """A count as the user may see it: 1–4 becomes “fewer than 5” outside the case team."""
    return value if full or value == 0 or value >= SUPPRESS_BELOW else Suppressed()


def shown_amount(amount, count: int, full: bool):
    amount = amount if amount is not None else Decimal(0)
    return amount if full or count == 0 or count >= SUPPRESS_BELOW else Suppressed()


def _url(name: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name) + (f"?{query}" if query else "")


# --- open hits -----------------------------------------------------------------------------------


def open_hits(*, user) -> dict:
    """Open hits per control family: how many, and the amount at risk counted once per evidence.

    Several controls often flag the same payment (three hits on one payment of 143 950 kr are
    143 950 kr at risk, not 431 850 kr). Hits with the same evidence rows are one risk: the
    database groups them by their evidence keys and takes the largest amount of the group, then
    sums per family; the total is counted the same way over all families. The figures come from
    reports.summary, which keeps them for a municipality with a million open hits.
    """
    from tillit.reports import summary

    data, as_of = summary.current(user.municipality)
    can_open = has_perm(user, "controls.view")
    families = []
    for f in data["families"]:
        families.append(
            {
                "family": f["family"],
                "label": family_label(f["family"]),
                "count": f["count"],
                "groups": f["groups"],
                "amount": Decimal(f["amount"]),
                "url": _url("controls-queue", family=f["family"]) if can_open else None,
            }
        )
    families.sort(key=lambda f: (-f["amount"], -f["count"], f["family"]))
    return {
        "families": families,
        "count": sum(f["count"] for f in families),
        "amount": Decimal(data["amount"]),
        "url": _url("controls-queue") if can_open else None,
        "as_of": as_of,
        "months": data.get("months", {}),
    }


# --- cases -------------------------------------------------------------------------------------


def cases_by_state(*, user, suppress: bool = False) -> dict:
    """Cases per state. The case team counts the cases it can open; others see the municipality's
    cases with small counts suppressed, and no links."""
    can_open = has_perm(user, "cases.view")
    full = can_see_statistics_unsuppressed(user)
    cases = visible_cases(user) if can_open else scoped(Case.objects.all(), user)
    counts = dict(
        cases.order_by().values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    exact = (full or can_open) and not suppress
    rows = [
        {
            "state": value,
            "label": str(label),
            "count": shown(counts.get(value, 0), exact),
            "open": value in OPEN_STATES,
            "url": _url("cases-list", state=value) if can_open else None,
        }
        for value, label in State.choices
    ]
    open_total = sum(counts.get(s, 0) for s in OPEN_STATES)
    return {
        "states": rows,
        "open": shown(open_total, exact),
        "full": exact,
        "max": max(counts.values(), default=0),
    }


# --- deadlines ---------------------------------------------------------------------------------


def week_of(today: date) -> tuple[date, date]:
    start = today - timedelta(days=today.weekday())
    return start, start + timedelta(days=6)


def deadlines(*, user, today: date | None = None) -> dict:
    """What falls due this week (Monday–Sunday), and what is already overdue, per section the user may see."""
    today = today or timezone.localdate()
    start, end = week_of(today)
    municipality = user.municipality
    items: list[dict] = []
    if has_perm(user, "cases.view"):
        for case in (
            visible_cases(user)
            .filter(state__in=OPEN_STATES, due_date__isnull=False, due_date__lte=end)
            .order_by("due_date", "id")[:20]
        ):
            items.append(
                {
                    "label": f"{case.number} {case.title}",
                    "due": case.due_date,
                    "kind": "case",
                    "url": reverse("cases-detail", args=[case.pk]),
                }
            )
    if has_perm(user, "tips.view"):
        items.extend(
            {**t, "kind": t.get("kind") or "tip"}
            for t in sources.tip_deadlines(municipality, start, end)
        )
    if has_perm(user, "plans.view"):
        items.extend(
            {**m, "kind": m.get("kind") or "measure"}
            for m in sources.plan_deadlines(municipality, start, end)
        )
    items.sort(key=lambda i: (i["due"], str(i["label"])))
    for item in items:
        item["overdue"] = item["due"] < today
    return {"start": start, "end": end, "items": items}


# --- control runs ------------------------------------------------------------------------------


def last_run(*, user) -> dict | None:
    run = (
        scoped(Run.objects.filter(status=Run.Status.DONE, dry_run=False), user)
        .order_by("-created_at", "-id")
        .first()
    )
    if run is None:
        return None
    warnings = []
    for entry in run.report or []:
        if entry.get("over_firing"):
            warnings.append(
                {
                    "control_id": entry["control_id"],
                    "kind": "over_firing",
                    "text": _("more hits than expected — check the threshold and the import"),
                }
            )
    not_applicable = sum(1 for e in run.report or [] if e.get("not_applicable"))
    can_open = has_perm(user, "controls.view")
    return {
        "run": run,
        "finished_at": run.finished_at or run.created_at,
        "controls": run.controls_total,
        "new": run.hits_new,
        "closed": run.hits_closed,
        "warnings": warnings,
        "not_applicable": not_applicable,
        "failed": scoped(
            Run.objects.filter(status=Run.Status.FAILED, created_at__gt=run.created_at), user
        ).count(),
        "url": reverse("controls-run", args=[run.pk]) if can_open else None,
    }


# --- trends by month ---------------------------------------------------------------------------


def months_back(today: date, n: int = MONTHS) -> list[date]:
    first = today.replace(day=1)
    months = []
    for _i in range(n):
        months.insert(0, first)
        first = (first - timedelta(days=1)).replace(day=1)
    return months


def _per_month(queryset, field: str, since: date, *, value=None) -> dict[date, Decimal | int]:
    from datetime import datetime, time

    from django.db.models import DateTimeField

    bound = since
    if isinstance(queryset.model._meta.get_field(field), DateTimeField):
        bound = timezone.make_aware(datetime.combine(since, time.min))
    qs = (
        queryset.filter(**{f"{field}__gte": bound})
        .order_by()
        .annotate(month=TruncMonth(field))
        .values("month")
        .annotate(v=value if value is not None else Count("id"))
        .values_list("month", "v")
    )
    out: dict[date, Decimal | int] = {}
    for month, v in qs:
        key = month.date() if hasattr(month, "date") else month
        out[key] = out.get(key, 0) + (v or 0)
    return out


def trends(
    *,
    user,
    today: date | None = None,
    months: int = MONTHS,
    suppress: bool = False,
    raised: dict | None = None,
) -> dict:
    """Per month: hits raised, cases confirmed, kr recovered, police reports, notifications.

    A case is confirmed in the month its decision was recorded when it has an outcome other than
    "no action" (cases.selectors.control_precision uses the same rule). A police report counts in
    the month it was reported; a notification in the month it was sent.
    """
    today = today or timezone.localdate()
    labels = months_back(today, months)
    since = labels[0]
    full = can_see_statistics_unsuppressed(user) and not suppress
    from tillit.reports import summary

    if raised is None:  # hits raised per month come with the summary of open hits
        raised = summary.current(user.municipality)[0]["months"]
    cases = scoped(Case.objects.all(), user)
    confirmed = (
        cases.filter(decided_at__isnull=False)
        .filter(
            Q(recovery_claims__isnull=False)
            | Q(police_reports__isnull=False)
            | Q(notifications__isnull=False)
            | Q(sanctions__isnull=False)
            | Q(other_outcomes__kind__in=["corrected_payment", "changed_decision"])
        )
        .distinct()
    )
    series = {
        "hits": {m: raised.get(m.strftime("%Y-%m"), 0) for m in labels},
        "confirmed": _per_month(
            scoped(Case.objects.filter(pk__in=confirmed.values("pk")), user), "decided_at", since
        ),
        "recovered": _per_month(
            scoped(RecoveryPayment.objects.all(), user),
            "paid_on",
            since,
            value=Coalesce(Sum("amount"), Value(Decimal(0))),
        ),
        "police": _per_month(police_reports_sent(user=user), "reported_on", since),
        "notifications": _per_month(notifications_recorded(user=user), "sent_on", since),
    }
    rows = []
    for month in labels:
        row = {"month": month, "label": month.strftime("%Y-%m")}
        for key, values in series.items():
            raw = values.get(month, 0)
            if key == "hits":
                row[key] = int(raw)
            elif key == "recovered":
                row[key] = Decimal(str(raw))
                row["recovered_shown"] = raw if full or raw == 0 else None
            else:
                row[key] = int(raw)
                row[f"{key}_shown"] = shown(int(raw), full)
        rows.append(row)
    return {"rows": rows, "full": full}


# --- the whole overview ------------------------------------------------------------------------


def overview_figures(*, user, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    hits = open_hits(user=user)
    figures: dict = {
        "hits": hits,
        "cases": cases_by_state(user=user),
        "deadlines": deadlines(user=user, today=today),
        "last_run": last_run(user=user),
        "trends": trends(user=user, today=today, raised=hits["months"]),
        "risks": sources.top_risks(user.municipality, n=5)
        if has_perm(user, "risks.view")
        else None,
        "claims": claims_summary(user=user),
    }
    return figures


def claims_summary(*, user) -> dict:
    """Recovery claims decided and paid, in kr, suppressed below five claims outside the case team."""
    full = can_see_statistics_unsuppressed(user)
    claims = scoped(RecoveryClaim.objects.all(), user)
    agg = claims.aggregate(n=Count("id"), amount=Sum("amount"), written_off=Sum("written_off"))
    paid = scoped(RecoveryPayment.objects.all(), user).aggregate(s=Sum("amount"))["s"]
    n = agg["n"] or 0
    return {
        "count": shown(n, full),
        "amount": shown_amount(agg["amount"], n, full),
        "paid": shown_amount(paid, n, full),
        "written_off": shown_amount(agg["written_off"], n, full),
    }


# --- control effectiveness -----------------------------------------------------------------------


def effectiveness(*, user) -> dict:
    """Per control: hits, dismissals by reason, escalated, confirmed, precision, amounts, over-firing
    in the last run, and coverage (the data sets it needs that are not imported).

    Precision is the controls app's definition (controls.selectors.effectiveness): of the hits
    someone has decided on, the share that was escalated (a case or a notification) rather than
    dismissed. "Confirmed" is the cases app's count of hits whose case had an outcome.
    """
    from tillit.analytics.registry import all_controls
    from tillit.cases.selectors import control_precision
    from tillit.controls import selectors as control_selectors
    from tillit.datasets.models import Snapshot

    hits = scoped(Hit.objects.filter(shadow=False), user).order_by()
    reasons = {
        (r["control_id"], r["dismiss_reason"]): r["n"]
        for r in hits.filter(status=Hit.Status.DISMISSED)
        .values("control_id", "dismiss_reason")
        .annotate(n=Count("id"))
    }
    amounts = {
        r["control_id"]: r
        for r in hits.values("control_id").annotate(
            open_amount=Sum("amount_at_risk", filter=Q(status=Hit.Status.NEW)),
            escalated_amount=Sum(
                "amount_at_risk", filter=Q(status__in=[Hit.Status.CASE, Hit.Status.NOTIFIED])
            ),
        )
    }
    per_control: dict[str, dict] = {}
    for r in control_selectors.effectiveness(user=user):
        row = per_control.setdefault(
            r["control_id"],
            {
                "total": 0,
                "open": 0,
                "dismissed": 0,
                "escalated": 0,
                "false_hits": 0,
                "versions": [],
            },
        )
        for key in ("total", "open", "dismissed", "escalated", "false_hits"):
            row[key] += r[key]
        row["versions"].append(r["control_version"])
    confirmed = {r["control_id"]: r["confirmed"] for r in control_precision(user=user, full=True)}
    present = set(
        scoped(
            Snapshot.objects.filter(retired_at__isnull=True, replaced_by__isnull=True), user
        ).values_list("dataset", flat=True)
    )
    run = (
        scoped(Run.objects.filter(status=Run.Status.DONE, dry_run=False), user)
        .order_by("-created_at", "-id")
        .first()
    )
    report = {e["control_id"]: e for e in (run.report if run else [])}
    rows = []
    for control in sorted(all_controls(), key=lambda c: c.id):
        r = per_control.get(
            control.id,
            {
                "total": 0,
                "open": 0,
                "dismissed": 0,
                "escalated": 0,
                "false_hits": 0,
                "versions": [],
            },
        )
        missing = sorted(set(control.inputs) - present)
        entry = report.get(control.id, {})
        rows.append(
            {
                "control_id": control.id,
                "title": control.title,
                "family": control.id.split("-", 1)[0],
                **r,
                "reasons": {
                    reason: reasons.get((control.id, reason), 0)
                    for reason in Hit.DismissReason.values
                },
                "confirmed": confirmed.get(control.id, 0),
                "precision": precision(escalated=r["escalated"], dismissed=r["dismissed"]),
                "open_amount": (amounts.get(control.id) or {}).get("open_amount") or Decimal(0),
                "escalated_amount": (amounts.get(control.id) or {}).get("escalated_amount")
                or Decimal(0),
                "over_firing": bool(entry.get("over_firing")),
                "not_applicable": bool(entry.get("not_applicable")),
                "missing": missing,
                "optional_missing": sorted(set(control.optional_inputs) - present),
                "url": _url("controls-queue", control=control.id, status="")
                if has_perm(user, "controls.view")
                else None,
            }
        )
    return {
        "rows": rows,
        "run": run,
        "reasons": Hit.DismissReason.choices,
        "covered": sum(1 for r in rows if not r["missing"]),
        "total": len(rows),
        "missing_datasets": sorted({d for r in rows for d in r["missing"]}),
    }


# --- follow-up figures: Oskarshamn 5.2, Malmö's FUT group ----------------------------------------


DEFINITIONS = {
    "hits": gettext_lazy(
        "Hits the controls raised in the period (date of the first run that found them), "
        "by the board the evidence belongs to. Hits of controls in shadow run are not counted."
    ),
    "cases": gettext_lazy(
        "Cases opened in the period, from hits, tips, whistleblowing, staff or other "
        "authorities, by the board the case concerns."
    ),
    "police": gettext_lazy(
        "Police reports registered as sent to the police in the period (a draft does not "
        "count), dated by the day they were sent."
    ),
    "notifications_skv": gettext_lazy(
        "Notifications the municipality sent to Skatteverket in the period "
        "(population registration), from a case or from the review queue."
    ),
    "notifications_other": gettext_lazy(
        "Notifications sent to other authorities (Försäkringskassan, CSN, "
        "Arbetsförmedlingen, Migrationsverket and others) in the period."
    ),
    "claims_decided": gettext_lazy(
        "Recovery claims decided in the period (decision date), number and kr."
    ),
    "claims_paid": gettext_lazy("Payments received on recovery claims in the period, in kr."),
    "claims_written_off": gettext_lazy(
        "Amounts of recovery claims written off in the period, in kr."
    ),
    "sanctions": gettext_lazy(
        "Steps on the sanction ladder decided against providers in the period "
        "(action plan, warning, penalty, termination)."
    ),
    "stopped": gettext_lazy(
        "Amounts stopped before payment: cases closed in the period with the outcome "
        "“corrected payment”, with the amount recorded on the outcome."
    ),
    "screened": gettext_lazy(
        "Hits on financial assistance decided in the period: dismissed, notified or "
        "escalated to a case."
    ),
    "investigated": gettext_lazy(
        "Cases on financial assistance that reached investigation (or a later step) "
        "and were opened in the period."
    ),
    "claims_crime": gettext_lazy(
        "Recovery claims decided in the period in cases that were also reported to the "
        "police, in kr."
    ),
    "households": gettext_lazy(
        "Households paid financial assistance (försörjningsstöd) per month, counted from "
        "the benefit_payments data set by the month the payment concerns."
    ),
}


def _in(qs, field: str, start: date, end: date):
    return qs.filter(**{f"{field}__gte": start, f"{field}__lte": end})


def followup(*, user, start: date, end: date, suppress: bool = False) -> dict:
    """Oskarshamn 5.2 per board and period, and Malmö's FUT figures; counts suppressed below five
    outside the case team. Reads the cases app's own counting rules for reports and notifications."""
    from tillit.accounts.models import Board
    from tillit.cases.models import CaseType, OtherOutcome, Sanction

    full = can_see_statistics_unsuppressed(user) and not suppress
    boards = list(scoped(Board.objects.all(), user).order_by("name"))
    names = {b.pk: b.name for b in boards}
    cases = scoped(Case.objects.all(), user)

    def by_board(qs, board_field: str, value=None) -> dict:
        rows = (
            qs.order_by()
            .values(board_field)
            .annotate(v=value if value is not None else Count("id", distinct=True))
        )
        return {r[board_field]: (r["v"] or 0) for r in rows}

    hits = _in(scoped(Hit.objects.filter(shadow=False), user), "created_at__date", start, end)
    police = _in(police_reports_sent(user=user), "reported_on", start, end)
    notifications = _in(notifications_recorded(user=user), "sent_on", start, end)
    claims = _in(scoped(RecoveryClaim.objects.all(), user), "decision_date", start, end)
    paid = _in(scoped(RecoveryPayment.objects.all(), user), "paid_on", start, end)
    written = _in(scoped(RecoveryClaim.objects.all(), user), "written_off_on", start, end)
    sanctions = _in(scoped(Sanction.objects.all(), user), "decided_on", start, end)
    stopped = _in(
        scoped(OtherOutcome.objects.filter(kind=OtherOutcome.Kind.CORRECTED_PAYMENT), user),
        "decided_on",
        start,
        end,
    )
    metrics = {
        "hits": by_board(hits, "board"),  # hits carry the board's name
        "cases": by_board(_in(cases, "opened_at__date", start, end), "board"),
        "police": by_board(police, "case__board"),
        "notifications_skv": by_board(
            notifications.filter(recipient="skatteverket"), "case__board"
        ),
        "notifications_other": by_board(
            notifications.exclude(recipient="skatteverket"), "case__board"
        ),
        "claims_decided": by_board(claims, "case__board"),
        "claims_amount": by_board(claims, "case__board", Sum("amount")),
        "claims_paid": by_board(paid, "claim__case__board", Sum("amount")),
        "claims_paid_n": by_board(paid, "claim__case__board", Count("claim", distinct=True)),
        "claims_written_off": by_board(written, "case__board", Sum("written_off")),
        "claims_written_off_n": by_board(written, "case__board"),
        "sanctions": by_board(sanctions, "case__board"),
        "stopped": by_board(stopped, "case__board", Sum("amount")),
        "stopped_n": by_board(stopped, "case__board"),
    }
    board_keys = [(b.pk, b.name) for b in boards] + [(None, _("no board"))]
    rows = []
    for key, name in board_keys:
        hit_key = names.get(key, "") if key is not None else ""
        row = {
            "board": name,
            "hits": shown(metrics["hits"].get(hit_key, 0), full),
            "cases": shown(metrics["cases"].get(key, 0), full),
            "police": shown(metrics["police"].get(key, 0), full),
            "notifications_skv": shown(metrics["notifications_skv"].get(key, 0), full),
            "notifications_other": shown(metrics["notifications_other"].get(key, 0), full),
            "claims_decided": shown(metrics["claims_decided"].get(key, 0), full),
            "claims_amount": shown_amount(
                metrics["claims_amount"].get(key), metrics["claims_decided"].get(key, 0), full
            ),
            "claims_paid": shown_amount(
                metrics["claims_paid"].get(key), metrics["claims_paid_n"].get(key, 0), full
            ),
            "claims_written_off": shown_amount(
                metrics["claims_written_off"].get(key),
                metrics["claims_written_off_n"].get(key, 0),
                full,
            ),
            "sanctions": shown(metrics["sanctions"].get(key, 0), full),
            "stopped": shown_amount(
                metrics["stopped"].get(key), metrics["stopped_n"].get(key, 0), full
            ),
        }
        raw = [metrics[m].get(hit_key if m == "hits" else key, 0) for m in metrics]
        if key is None and not any(raw):
            continue
        rows.append(row)

    def total(metric: str) -> int | Decimal:
        return sum(metrics[metric].values(), 0)

    totals = {
        "hits": shown(total("hits"), full),
        "cases": shown(total("cases"), full),
        "police": shown(total("police"), full),
        "notifications_skv": shown(total("notifications_skv"), full),
        "notifications_other": shown(total("notifications_other"), full),
        "claims_decided": shown(total("claims_decided"), full),
        "claims_amount": shown_amount(total("claims_amount"), total("claims_decided"), full),
        "claims_paid": shown_amount(total("claims_paid"), total("claims_paid_n"), full),
        "claims_written_off": shown_amount(
            total("claims_written_off"), total("claims_written_off_n"), full
        ),
        "sanctions": shown(total("sanctions"), full),
        "stopped": shown_amount(total("stopped"), total("stopped_n"), full),
    }
    # Malmö's FUT group: financial assistance
    benefit_hits = scoped(Hit.objects.filter(shadow=False, control_id__startswith="BEN-"), user)
    screened = (
        benefit_hits.filter(
            events__action__in=["dismissed", "notified", "case"],
            events__at__date__gte=start,
            events__at__date__lte=end,
        )
        .distinct()
        .count()
    )
    benefit_cases = _in(cases.filter(case_type=CaseType.BENEFIT), "opened_at__date", start, end)
    investigated = benefit_cases.filter(
        state__in=[State.INVESTIGATION, State.DECISION, State.FOLLOW_UP, State.CLOSED]
    ).count()
    crime_claims = claims.filter(case__police_reports__reported_on__isnull=False).distinct()
    crime_n = crime_claims.count()
    fut = {
        "screened": shown(screened, full),
        "investigated": shown(investigated, full),
        "police": shown(police.filter(case__case_type=CaseType.BENEFIT).count(), full),
        "claims_crime": shown_amount(crime_claims.aggregate(s=Sum("amount"))["s"], crime_n, full),
        "claims_crime_n": shown(crime_n, full),
    }
    return {
        "start": start,
        "end": end,
        "full": full,
        "rows": rows,
        "totals": totals,
        "fut": fut,
        "definitions": {k: str(v) for k, v in DEFINITIONS.items()},
    }


def households_per_month(
    *, user, start: date, end: date, suppress: bool = False
) -> list[dict] | None:
    """Households receiving försörjningsstöd per month, from the benefit_payments snapshots (DuckDB).

    A count, not personal data. Months with 1–4 households are suppressed outside the case team.
    None when the data set is not imported.
    """
    from tillit.analytics.engines.duckdb import DuckDBEngine
    from tillit.datasets.services import current_sources

    found = current_sources(municipality=user.municipality).get("benefit_payments")
    if found is None:
        return None
    full = can_see_statistics_unsuppressed(user) and not suppress
    engine = DuckDBEngine()
    try:
        engine.register("benefit_payments", found[0])
        rows = engine.execute(
            """SELECT period, count(DISTINCT household_id) AS households, sum(amount) AS kr
               FROM benefit_payments WHERE period >= $start AND period <= $end GROUP BY period ORDER BY period""",
            {"start": start.strftime("%Y-%m"), "end": end.strftime("%Y-%m")},
        ).to_pylist()
    finally:
        engine.close()
    return [
        {
            "period": r["period"],
            "households": shown(int(r["households"]), full),
            "raw": int(r["households"]),
            "amount": Decimal(str(r["kr"] or 0)),
        }
        for r in rows
    ]
