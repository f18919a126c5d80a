"""`tillit bench web`: the overview's answer time at the server with N open hits.

Run it against its own PostgreSQL database (never the production one)::

    createdb -h 127.0.0.1 -U postgres tillit_bench_overview
    TILLIT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/tillit_bench_overview \\
    TILLIT_SECRET_KEY=bench tillit bench web --hits 1000000

It migrates that database, fills one municipality with N open hits (once: a second run reuses
them), a few hundred cases with outcomes, and times GET / for a coordinator through the whole
Django stack (middleware, view, template) in this process: the time the server spends, without
the network or the browser. The first request is reported apart (cold caches).
"""

from __future__ import annotations

import secrets
import statistics
import sys
import time

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


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _fill(municipality, run, hits: int) -> None:
    """N open hits; every third one shares its evidence with the next (several controls, one payment)."""
    from django.db import connection

    from tillit.controls.models import Hit

    have = Hit.objects.filter(municipality=municipality).count()
    if have >= hits:
        return
    _say(f"creating {hits - have} open hits …")
    if connection.vendor == "postgresql":
        controls = "ARRAY[" + ",".join(f"'{c}'" for c in CONTROLS) + "]"
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO controls_hit (municipality_id, control_id, control_version, fingerprint, first_run_id,
                    last_run_id, engine, sql, params, snapshot_ids, subject_type, subject_id, board, risk_areas,
                    amount_at_risk, severity, score, explanation_template, explanation_params, evidence,
                    evidence_keys, status, dismiss_reason, shadow, created_at, updated_at)
                SELECT %s, ({controls})[1 + i %% {len(CONTROLS)}], 1, 'bench-' || i, %s, %s, 'duckdb', '', '{{}}',
                    '{{}}', 'supplier', (10000 + i %% 5000)::text, 'Socialnämnden', '[]',
                    (100 + (i * 7919) %% 200000)::numeric, 'hög', (i %% 1000)::numeric, '', '{{}}', '[]',
                    jsonb_build_array('payments:P' || (i / 3)), 'new', '', false,
                    now() - ((i %% 365) || ' days')::interval, now()
                FROM generate_series(%s::bigint, %s::bigint - 1) AS i
            """,
                [municipality.pk, run.pk, run.pk, have, hits],
            )  # noqa: S608 - constants only
            cursor.execute("ANALYZE controls_hit")
        return
    batch = []
    for i in range(have, hits):
        batch.append(
            Hit(
                municipality=municipality,
                control_id=CONTROLS[i % len(CONTROLS)],
                control_version=1,
                fingerprint=f"bench-{i}",
                first_run=run,
                last_run=run,
                engine="duckdb",
                sql="",
                subject_type="supplier",
                subject_id=str(10000 + i % 5000),
                board="Socialnämnden",
                amount_at_risk=100 + (i * 7919) % 200000,
                severity="hög",
                score=i % 1000,
                explanation_template="",
                evidence_keys=[f"payments:P{i // 3}"],
            )
        )
        if len(batch) == 10_000:
            Hit.objects.bulk_create(batch)
            batch = []
    Hit.objects.bulk_create(batch)


def bench_web(hits: int, repeat: int = 10) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    call_command("migrate", verbosity=0)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tillit.accounts.models import Municipality, User
    from tillit.accounts.services import municipality_create, user_create
    from tillit.controls.models import Run

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
    _fill(municipality, run, hits)
    from tillit.reports.summary import refresh

    summary_s = refresh(municipality).seconds  # what the worker does after a run or a triage
    with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        timings = []
        for _i in range(repeat + 1):
            t0 = time.perf_counter()
            response = client.get("/")
            timings.append(time.perf_counter() - t0)
            if response.status_code != 200:
                raise SystemExit(f"bench: the overview answered {response.status_code}")
    from tillit.controls.models import Hit

    return {
        "hits": Hit.objects.filter(municipality=municipality, status="new").count(),
        "vendor": connection.vendor,
        "first_s": timings[0],
        "median_s": statistics.median(timings[1:]),
        "max_s": max(timings[1:]),
        "repeat": repeat,
        "summary_s": summary_s,
    }


def report_web(result: dict) -> str:
    return (
        f"Overview (GET /, coordinator) with {result['hits']:,} open hits on {result['vendor']}: "
        f"median {result['median_s'] * 1000:.0f} ms over {result['repeat']} requests "
        f"(slowest {result['max_s'] * 1000:.0f} ms; first request of the process {result['first_s'] * 1000:.0f} ms). "
        f"Recomputing the summary of open hits (the worker's task after a change): {result['summary_s']:.1f} s."
    ).replace(",", " ")
