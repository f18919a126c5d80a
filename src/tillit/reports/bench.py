"""`tillit bench web`: the answer time at the server of the pages that read every hit and case.

Run it against its own PostgreSQL database (never the production one)::

    createdb -h 127.0.0.1 -U postgres tillit_bench_web
    TILLIT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/tillit_bench_web \\
    TILLIT_SECRET_KEY=bench tillit bench web --hits 1000000 --cases 100000

It migrates that database and fills one municipality (once: a second run reuses what is there)
with N open hits and M cases opened from hits the way an escalation opens them: each case has
a subject, an opening event and two hits of that subject on one payment, set to "case opened"
with their own event; most cases are closed, the newest are open, one in a hundred is team-only
(the coordinator is on the team of one in ten of those). Then it times each page for a
coordinator through the whole Django stack (middleware, view, template) in this process: the
time the server spends, without the network or the browser. The first request of each page is
reported apart (cold caches).
"""

from __future__ import annotations

import contextlib
import secrets
import statistics
import sys
import time
from datetime import timedelta

BENCH_CODE = "9998"
CONTROLS = [
    "INV-DUP-EXACT",
    "INV-DUP-FUZZY",
    "INV-SPLIT",
    "PAY-DUP",
    "PAY-REMINDER",
    "SUP-STATUS",
    "SUP-NEW",
    "ACC-CHANGE",
    "ACC-GIRO-MIX",
    "ACC-DEVIATING",
    "ACC-SHARED",
    "EMP-SUPPLIER",
    "GRANT-DOUBLE",
    "BEN-SHARED-ACCOUNT",
    "BEN-CROWDED",
    "BEN-ADDRESS",
    "CARE-OVERLAP",
    "CARE-LONG-DAY",
    "PERMIT-DECEASED",
    "LEDGER-MANUAL-ODD",
]
# the duplicate family grades its evidence (strong, medium, weak); the other controls do not
GRADED = {0, 1, 3}  # positions of INV-DUP-EXACT, INV-DUP-FUZZY and PAY-DUP in CONTROLS
GRADES = [("strong", 3), ("medium", 2), ("weak", 1)]
SUBJECTS = 5000  # suppliers 10000 … 14999


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _grade(i: int) -> tuple[str, int]:
    return GRADES[(i // 20) % 3] if i % len(CONTROLS) in GRADED else ("", 0)


def _fill(municipality, run, hits: int) -> None:
    """N open hits; every third one shares its evidence with the next (several controls, one payment)."""
    from django.db import connection

    from tillit.controls.models import Hit

    have = Hit.objects.filter(municipality=municipality, fingerprint__startswith="bench-o").count()
    if have >= hits:
        return
    _say(f"creating {hits - have} open hits …")
    if connection.vendor == "postgresql":
        controls = "ARRAY[" + ",".join(f"'{c}'" for c in CONTROLS) + "]"
        graded = ",".join(str(g) for g in sorted(GRADED))
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO controls_hit (municipality_id, control_id, control_version, fingerprint, first_run_id,
                    last_run_id, engine, sql, params, snapshot_ids, subject_type, subject_id, board, risk_areas,
                    amount_at_risk, severity, score, explanation_template, explanation_params, evidence,
                    evidence_keys, evidence_grade, evidence_rank, evidence_reasons, status, dismiss_reason,
                    shadow, created_at, updated_at)
                SELECT %s, ({controls})[1 + i %% {len(CONTROLS)}], 1, 'bench-o' || i, %s, %s, 'duckdb', '', '{{}}',
                    '{{}}', 'supplier', (10000 + i %% {SUBJECTS})::text, 'Socialnämnden', '[]',
                    (100 + (i * 7919) %% 200000)::numeric, 'hög', (i %% 1000)::numeric, '', '{{}}', '[]',
                    jsonb_build_array('payments:P' || (i / 3)),
                    CASE WHEN i %% {len(CONTROLS)} IN ({graded})
                        THEN (ARRAY['strong', 'medium', 'weak'])[1 + (i / 20) %% 3] ELSE '' END,
                    CASE WHEN i %% {len(CONTROLS)} IN ({graded}) THEN 3 - (i / 20) %% 3 ELSE 0 END,
                    '[]', 'new', '', false, now() - ((i %% 365) || ' days')::interval, now()
                FROM generate_series(%s::bigint, %s::bigint - 1) AS i
            """,  # noqa: S608 - constants only
                [municipality.pk, run.pk, run.pk, have, hits],
            )
            cursor.execute("ANALYZE controls_hit")
        return
    batch = []
    for i in range(have, hits):
        grade, rank = _grade(i)
        batch.append(
            Hit(
                municipality=municipality,
                control_id=CONTROLS[i % len(CONTROLS)],
                control_version=1,
                fingerprint=f"bench-o{i}",
                first_run=run,
                last_run=run,
                engine="duckdb",
                sql="",
                subject_type="supplier",
                subject_id=str(10000 + i % SUBJECTS),
                board="Socialnämnden",
                amount_at_risk=100 + (i * 7919) % 200000,
                severity="hög",
                score=i % 1000,
                explanation_template="",
                evidence_keys=[f"payments:P{i // 3}"],
                evidence_grade=grade,
                evidence_rank=rank,
            )
        )
        if len(batch) == 10_000:
            Hit.objects.bulk_create(batch)
            batch = []
    Hit.objects.bulk_create(batch)


@contextlib.contextmanager
def _own_timestamps(*fields):
    """Let bulk_create write the dates given (auto_now_add would set every one to now)."""
    saved = [(f, f.auto_now_add) for f in fields]
    for f, _flag in saved:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, flag in saved:
            f.auto_now_add = flag


def _fill_cases(municipality, user, run, cases: int, batch_size: int = 5000) -> None:
    """M cases opened from hits, as `cases.services.case_open_from_hit` leaves them."""
    from django.db import connection, transaction
    from django.utils import timezone

    from tillit.accounts.models import Board
    from tillit.cases.models import (
        Case,
        CaseEvent,
        CaseHit,
        CaseSubject,
        CaseType,
        Sensitivity,
        Source,
        State,
    )
    from tillit.controls.models import Hit, HitEvent

    have = Case.objects.filter(municipality=municipality).count()
    if have >= cases:
        return
    _say(f"creating {cases - have} cases with {2 * (cases - have)} escalated hits …")
    board = Board.objects.filter(municipality=municipality, name="Socialnämnden").first()
    now = timezone.now()
    years = 5  # the cases were opened over the last five years, the newest last
    open_states = [State.RECEIVED, State.ASSESSMENT, State.INVESTIGATION, State.DECISION]
    team_through = Case.team.through
    with _own_timestamps(Case._meta.get_field("opened_at"), Hit._meta.get_field("created_at")):
        for start in range(have, cases, batch_size):
            ks = range(start, min(cases, start + batch_size))
            hits, new_cases = [], []
            for k in ks:
                subject = str(10000 + k % SUBJECTS)
                opened = now - timedelta(days=years * 365 * (cases - k) / cases)
                for j in range(2):
                    control = CONTROLS[(k + j) % len(CONTROLS)]
                    grade, rank = _grade(k * 20 + (k + j) % len(CONTROLS))
                    hits.append(
                        Hit(
                            municipality=municipality,
                            control_id=control,
                            control_version=1,
                            fingerprint=f"bench-c{k}-{j}",
                            first_run=run,
                            last_run=run,
                            engine="duckdb",
                            sql="",
                            subject_type="supplier",
                            subject_id=subject,
                            board="Socialnämnden",
                            amount_at_risk=100 + (k * 7919 + j) % 200000,
                            severity="hög",
                            score=(k + j) % 1000,
                            explanation_template="",
                            evidence_keys=[f"payments:C{k}"],  # both hits flag one payment
                            evidence_grade=grade,
                            evidence_rank=rank,
                            status=Hit.Status.CASE,
                            created_at=opened - timedelta(days=3),
                        )
                    )
                is_open = k >= cases * 0.95
                new_cases.append(
                    Case(
                        municipality=municipality,
                        number=f"{opened.year}-{k + 1:06d}",  # unique: k grows with the date
                        year=opened.year,
                        sequence=k + 1,
                        title=f"{CONTROLS[k % len(CONTROLS)]}: supplier {subject}",
                        case_type=CaseType.SUPPLIER,
                        source=Source.HIT,
                        state=(
                            open_states[k % len(open_states)]
                            if is_open
                            else (State.CLOSED_NO_ACTION if k % 10 == 0 else State.CLOSED)
                        ),
                        sensitivity=(
                            Sensitivity.TEAM_ONLY
                            if k % 100 == 7
                            else Sensitivity.SENSITIVE
                            if k % 100 == 3
                            else Sensitivity.NORMAL
                        ),
                        board=board,
                        amount_concerned=100 + (k * 7919 + 1) % 200000,
                        opened_at=opened,
                        opened_by=user,
                        closed_at=None if is_open else opened + timedelta(days=60),
                        decided_at=None if is_open else opened + timedelta(days=50),
                        due_date=(opened + timedelta(days=90)).date() if is_open else None,
                    )
                )
            with transaction.atomic():
                Hit.objects.bulk_create(hits)
                Case.objects.bulk_create(new_cases)
                CaseSubject.objects.bulk_create(
                    CaseSubject(
                        municipality=municipality,
                        case=case,
                        kind=CaseSubject.Kind.COMPANY,
                        identifier=case.title.rsplit(" ", 1)[1],
                        name=f"Leverantör {case.title.rsplit(' ', 1)[1]} AB",
                    )
                    for case in new_cases
                )
                CaseHit.objects.bulk_create(
                    CaseHit(municipality=municipality, case=case, hit=hit, added_by=user)
                    for i, case in enumerate(new_cases)
                    for hit in hits[2 * i : 2 * i + 2]
                )
                CaseEvent.objects.bulk_create(
                    CaseEvent(
                        municipality=municipality,
                        case=case,
                        user=user,
                        action="opened",
                        detail=Source.HIT,
                    )
                    for case in new_cases
                )
                HitEvent.objects.bulk_create(
                    HitEvent(
                        municipality=municipality,
                        hit=hit,
                        user=user,
                        action="case",
                        reason=case.number,
                    )
                    for i, case in enumerate(new_cases)
                    for hit in hits[2 * i : 2 * i + 2]
                )
                team_through.objects.bulk_create(
                    team_through(case_id=case.pk, user_id=user.pk)
                    for k, case in zip(ks, new_cases, strict=True)
                    if k % 1000 == 7
                )
            _say(f"  {ks[-1] + 1} cases")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("controls_hit", "controls_hitevent", "cases_case", "cases_casehit"):
                cursor.execute(f"ANALYZE {table}")  # noqa: S608 - constants only


def _percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p95 of 200 requests is the 190th fastest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))  # ceil
    return ordered[int(rank) - 1]


# a page that takes seconds is timed fewer times (at least MIN_REQUESTS), so that a run ends
PAGE_BUDGET_S = 120.0
MIN_REQUESTS = 5


def _time(client, url: str, repeat: int) -> dict:
    timings: list[float] = []
    while len(timings) < repeat + 1:
        t0 = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - t0)
        if response.status_code != 200:
            raise SystemExit(f"bench: {url} answered {response.status_code}")
        if len(timings) > MIN_REQUESTS and sum(timings) > PAGE_BUDGET_S:
            break
    warm = timings[1:]
    return {
        "url": url,
        "first_s": timings[0],
        "median_s": statistics.median(warm),
        "p95_s": _percentile(warm, 0.95),
        "max_s": max(warm),
        "repeat": len(warm),
    }


def bench_web(hits: int, cases: int = 100_000, repeat: int = 200) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    call_command("migrate", verbosity=0)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tillit.accounts.models import Municipality, User
    from tillit.accounts.services import municipality_create, user_create
    from tillit.cases.models import Case
    from tillit.controls.models import Hit, Run

    municipality = Municipality.objects.filter(code=BENCH_CODE).first() or municipality_create(
        code=BENCH_CODE, name="Benchkommun", boards=["Socialnämnden", "Tekniska nämnden"]
    )
    user = User.objects.filter(username="bench-coordinator").first() or user_create(
        municipality=municipality,
        username="bench-coordinator",
        password=secrets.token_urlsafe(24),
        role="coordinator",
    )
    run = Run.objects.filter(municipality=municipality).first() or Run.objects.create(
        municipality=municipality, status=Run.Status.DONE, controls_total=len(CONTROLS)
    )
    started = time.perf_counter()
    _fill(municipality, run, hits)
    _fill_cases(municipality, user, run, cases)
    fill_s = time.perf_counter() - started
    from tillit.reports.summary import refresh

    summary_s = refresh(municipality).seconds  # what the worker does after a run or a triage
    top_hit = (
        Hit.objects.filter(municipality=municipality, status=Hit.Status.NEW)
        .order_by("-score", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    newest_case = (
        Case.objects.filter(municipality=municipality, sensitivity="normal")
        .order_by("-opened_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    urls = [
        ("overview", "/"),
        ("review queue", "/kontroller/"),
        ("queue: one control", f"/kontroller/?control={CONTROLS[0]}"),
        ("queue: by evidence", "/kontroller/?order=evidence"),
        # the queue's count, amount at risk and weak-duplicate line, loaded after its list
        ("queue figures", "/kontroller/antal/"),
        ("queue figures: one control", f"/kontroller/antal/?control={CONTROLS[0]}"),
        ("hit", f"/kontroller/traffar/{top_hit}/"),
        ("case list", "/arenden/"),
        ("case", f"/arenden/{newest_case}/"),
    ]
    pages = []
    with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        for name, url in urls:
            _say(f"timing {name} ({url}) …")
            page = _time(client, url, repeat)
            pages.append({"page": name, **page})
            _say(
                f"  {page['repeat']} requests: median {page['median_s'] * 1000:.0f} ms, "
                f"p95 {page['p95_s'] * 1000:.0f} ms, slowest {page['max_s'] * 1000:.0f} ms"
            )
    return {
        "hits": Hit.objects.filter(municipality=municipality, status="new").count(),
        "cases": Case.objects.filter(municipality=municipality).count(),
        "vendor": connection.vendor,
        "fill_s": fill_s,
        "summary_s": summary_s,
        "pages": pages,
    }


def report_web(result: dict) -> str:
    lines = [
        f"{result['hits']:,} open hits and {result['cases']:,} cases on {result['vendor']} "
        f"(filled in {result['fill_s']:.0f} s this run); a coordinator; the requests after a "
        f"first one (fewer when a page took over {PAGE_BUDGET_S:.0f} s in all):",
        "",
        "| page | requests | median | p95 | slowest | first |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for p in result["pages"]:
        lines.append(
            f"| {p['page']} `{p['url']}` | {p['repeat']} | {p['median_s'] * 1000:.0f} ms "
            f"| {p['p95_s'] * 1000:.0f} ms | {p['max_s'] * 1000:.0f} ms | {p['first_s'] * 1000:.0f} ms |"
        )
    lines += [
        "",
        f"Recomputing the summary of open hits (the worker's task after a change): {result['summary_s']:.1f} s.",
    ]
    return "\n".join(lines).replace(",", " ")
