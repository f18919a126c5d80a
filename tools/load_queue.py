"""Load test of the review queue and cases: N users at once on PostgreSQL and the production server.

Each simulated user logs in (password, then the one-time code of a TOTP device whose key the set-up
step gave it), opens the review queue, opens hits, dismisses some with a reason and a comment,
escalates some to cases, and opens the case list and case pages, with 1–3 s between requests. The
server is `tillit serve --no-worker` (waitress, DEBUG off, 127.0.0.1 only) with `tillit worker`
beside it, as in docs/operations.md; the load comes from locust in a separate process.

    createdb -h 127.0.0.1 -U postgres tillit_load
    export TILLIT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/tillit_load
    export TILLIT_SECRET_KEY=load TILLIT_DATA_DIR=/tmp/tillit-load
    python3 -m pip install -e ".[bench]"                                  # locust
    python3 tools/load_queue.py setup --users 100 --scale 10 --copies 25  # municipality, data, run, users
    python3 tools/load_queue.py run --users 100 --minutes 5               # server, locust, the check
    dropdb -h 127.0.0.1 -U postgres tillit_load

`run` prints p95 per request type, the error rate, the load average and the CPU time of the server,
the worker, the load generator and the database's backends, and then checks "nothing lost": every
dismissal and escalation that the load test saw succeed (the page said so) must be in the database
(its hit event with the unique comment the user wrote, the hit's status, and for an escalation the
hit's link to a case), and that no hit was reported done twice (two users acting on it at once).
It exits 1 when a request failed, anything is missing or a hit was handled twice. `check --log FILE`
repeats the check on a finished run's log.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import re
import signal
import struct
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

PASSWORD = "load-test-password"  # noqa: S105 - synthetic users of a scratch database
MUNICIPALITY = ("9999", "Exempelkommun")
HIT_LINK = re.compile(r'href="/kontroller/traffar/(\d+)/"')
CASE_LINK = re.compile(r'href="/arenden/(\d+)/"')


def username(n: int) -> str:
    return f"load{n:03d}"


def totp_key(name: str) -> str:
    """The device key (hex, 20 bytes) of a load user: derived from the name, so the driver knows it."""
    return hashlib.sha1(f"tillit-load:{name}".encode()).hexdigest()  # noqa: S324 - not a secret


def totp_now(key_hex: str, at: float | None = None) -> str:
    """RFC 6238 with django-otp's defaults: HMAC-SHA1, 30 s step, 6 digits."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), "sha1").digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def _data_dir() -> Path:
    return Path(os.environ.get("TILLIT_DATA_DIR", "."))


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tillit.config.settings")
    import django

    django.setup()


# --- setup: the demo municipality, its data and control run, and the load users ------------------


def cmd_setup(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tillit.accounts.models import Municipality, Role, User
    from tillit.accounts.services import municipality_create, user_create
    from tillit.cli import DEMO_BOARDS
    from tillit.controls.demo import demo_run
    from tillit.controls.models import Hit
    from tillit.datasets.demo import demo_import

    code, title = MUNICIPALITY
    municipality = Municipality.objects.filter(code=code).first() or municipality_create(
        code=code, name=title, boards=DEMO_BOARDS
    )
    demo_import(municipality, argparse.Namespace(scale=args.scale))
    demo_run(municipality, argparse.Namespace(scale=args.scale))
    for n in range(1, args.users + 1):
        name = username(n)
        if User.objects.filter(username=name).exists():
            continue
        # one coordinator in five (sees every case), the others investigators (their team's cases)
        role = Role.COORDINATOR if n % 5 == 0 else Role.INVESTIGATOR
        user = user_create(
            municipality=municipality, username=name, password=PASSWORD, role=role, validate=False
        )
        TOTPDevice.objects.create(user=user, name="load", key=totp_key(name), confirmed=True)
    if args.copies and not Hit.objects.filter(fingerprint__startswith="copy").exists():
        _copy_hits(municipality, args.copies)
    new = Hit.objects.filter(municipality=municipality, status=Hit.Status.NEW).count()
    print(f"{args.users} users; {new} new hits in the queue of {title} ({code})")
    return 0


def _copy_hits(municipality, copies: int) -> None:
    """The synthetic municipality raises about 130 hits at any scale (its injected cases do not grow
    with it): 100 users would empty that queue in a minute. Each new hit is stored `copies` more times
    with its own fingerprint and "raised" event, and the same evidence, subject and sentence, so the
    hit pages read the same snapshots as the real ones."""
    from django.db import transaction

    from tillit.controls.models import Hit, HitEvent

    originals = list(Hit.objects.filter(municipality=municipality, status=Hit.Status.NEW))
    fields = [f.attname for f in Hit._meta.fields if f.attname != "id"]
    with transaction.atomic():
        for n in range(1, copies + 1):
            clones = []
            for hit in originals:
                clone = Hit(**{name: getattr(hit, name) for name in fields})
                clone.fingerprint = f"copy{n:03d}-{hit.fingerprint[:55]}"
                clones.append(clone)
            HitEvent.objects.bulk_create(
                HitEvent(municipality=municipality, hit=h, action="raised", run_id=h.first_run_id)
                for h in Hit.objects.bulk_create(clones)
            )


# --- the load generator (runs in its own process: locust patches the standard library) -----------


def cmd_drive(args: argparse.Namespace) -> int:
    import random
    import uuid
    from itertools import count

    import gevent
    from locust import HttpUser, between, task
    from locust.env import Environment

    numbers = count(1)
    log = open(args.log, "a", encoding="utf-8")  # noqa: SIM115 - closed at the end of the run
    conflicts = {"dismiss": 0, "escalate": 0, "hidden": 0}

    def record(**entry) -> None:
        log.write(json.dumps(entry) + "\n")
        log.flush()

    class QueueUser(HttpUser):
        wait_time = between(1, 3)
        host = args.url

        def on_start(self) -> None:
            self.username = username(next(numbers))
            self.hits: list[int] = []
            self.cases: list[int] = []
            self.client.get("/konto/logga-in/", name="login form")
            with self.client.post(
                "/konto/logga-in/",
                data={
                    "username": self.username,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": self._csrf(),
                },
                name="login: password",
                catch_response=True,
            ) as response:
                if "/konto/tvafaktor/" not in response.url:
                    response.failure(f"the password was not accepted: {response.url}")
            with self.client.post(
                "/konto/tvafaktor/",
                data={
                    "code": totp_now(totp_key(self.username)),
                    "csrfmiddlewaretoken": self._csrf(),
                    "next": "/",
                },
                name="login: one-time code",
                catch_response=True,
            ) as response:
                if "/konto/" in response.url:
                    response.failure(f"not logged in: {response.url}")

        def _csrf(self) -> str:
            return self.client.cookies.get("csrftoken", "")

        def _queue(self) -> None:
            page = random.choice(["", "?page=2", "?page=3"])
            with self.client.get(f"/kontroller/{page}", name="queue", catch_response=True) as r:
                found = [int(pk) for pk in HIT_LINK.findall(r.text)]
                if r.status_code == 404 and page:
                    r.success()  # fewer pages than asked for: the queue is being emptied
                elif found:
                    self.hits = found

        def _open_hit(self) -> int | None:
            if not self.hits:
                self._queue()
            if not self.hits:
                return None
            pk = random.choice(self.hits)
            with self.client.get(
                f"/kontroller/traffar/{pk}/", name="hit", catch_response=True
            ) as r:
                if r.status_code == 404:
                    # escalated meanwhile into a case of another investigator's team: hidden, rightly
                    r.success()
                    conflicts["hidden"] += 1
                    self.hits.remove(pk)
                    return None
            return pk

        def _triage(self, action: str) -> None:
            pk = self._open_hit()
            if pk is None:
                return
            note = f"load {self.username} {uuid.uuid4().hex}"
            if action == "dismiss":
                path = f"/kontroller/traffar/{pk}/dismiss/"
                data = {
                    "dismiss-reason": random.choice(["explained", "corrected", "false_positive"]),
                    "dismiss-note": note,
                }
            else:
                path = f"/kontroller/traffar/{pk}/case/"
                data = {"note": note}
            data["csrfmiddlewaretoken"] = self._csrf()
            with self.client.post(path, data=data, name=action, catch_response=True) as r:
                if r.status_code == 404:
                    r.success()
                    conflicts["hidden"] += 1
                    self.hits.remove(pk)
                    return
                if r.status_code != 200:
                    return  # counted as a failure by locust
                self.hits.remove(pk)
                if "msg-success" in r.text:
                    record(user=self.username, hit=pk, action=action, note=note)
                elif "msg-error" in r.text:
                    conflicts[action] += 1  # someone else handled it first: refused, correctly
                else:
                    r.failure("neither a success nor an error message")

        @task(6)
        def queue(self) -> None:
            self._queue()

        @task(6)
        def hit(self) -> None:
            self._open_hit()

        @task(3)
        def dismiss(self) -> None:
            self._triage("dismiss")

        @task(1)
        def escalate(self) -> None:
            self._triage("escalate")

        @task(3)
        def case_list(self) -> None:
            with self.client.get("/arenden/", name="case list", catch_response=True) as r:
                found = [int(pk) for pk in CASE_LINK.findall(r.text)]
                if found:
                    self.cases = found

        @task(3)
        def case(self) -> None:
            if self.cases:
                self.client.get(f"/arenden/{random.choice(self.cases)}/", name="case")

    env = Environment(user_classes=[QueueUser])
    runner = env.create_local_runner()
    runner.start(args.users, spawn_rate=args.spawn_rate)
    gevent.spawn_later(args.seconds, runner.quit)
    runner.greenlet.join()
    log.close()
    result = {"entries": {}, "errors": [], "conflicts": conflicts}
    for (name, method), entry in sorted(env.stats.entries.items()):
        result["entries"][name] = {
            "method": method,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "median_ms": entry.median_response_time,
            "p95_ms": entry.get_response_time_percentile(0.95),
            "p99_ms": entry.get_response_time_percentile(0.99),
            "max_ms": entry.max_response_time,
            "rps": entry.total_rps,
        }
    total = env.stats.total
    result["total"] = {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "p95_ms": total.get_response_time_percentile(0.95),
        "rps": total.total_rps,
    }
    for error in env.stats.errors.values():
        result["errors"].append(
            {"name": error.name, "error": str(error.error)[:300], "occurrences": error.occurrences}
        )
    Path(args.result).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


# --- run: the server, the sampler, the driver and the check ------------------------------------


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its waited-for children, in seconds (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        found += [int(c) for c in children]
        todo += [int(c) for c in children]
    return found


class Sampler(threading.Thread):
    """Every few seconds: the load average, and the CPU seconds of each watched process and of each
    PostgreSQL backend of the database (the backends come and go, so each one's last value counts;
    the server's connections are opened after the sampler starts, so each counts from zero)."""

    def __init__(self, processes: dict[str, int], database_url: str, every: float = 5.0):
        super().__init__(daemon=True)
        self.processes, self.every, self.stop = processes, every, threading.Event()
        self.database_url = database_url
        self.load: list[float] = []
        self.start_cpu = {label: self._cpu(pid) for label, pid in processes.items()}
        self.last_cpu = dict(self.start_cpu)
        self.backends: dict[int, float] = {}  # pid: CPU seconds when last seen
        self.busiest_backends = 0

    def _cpu(self, pid: int) -> float:
        return _cpu_seconds(pid) + sum(_cpu_seconds(c) for c in _descendants(pid))

    def _sample_database(self, connection) -> None:
        rows = connection.execute(
            "SELECT pid, state FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        ).fetchall()
        self.busiest_backends = max(self.busiest_backends, sum(1 for _, s in rows if s == "active"))
        for pid, _state in rows:
            cpu = _cpu_seconds(pid)
            self.backends[pid] = max(self.backends.get(pid, 0.0), cpu)

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as connection:
            while not self.stop.wait(self.every):
                self.load.append(os.getloadavg()[0])
                for label, pid in self.processes.items():
                    self.last_cpu[label] = max(self.last_cpu[label], self._cpu(pid))
                self._sample_database(connection)

    def cpu(self) -> dict[str, float]:
        used = {label: self.last_cpu[label] - self.start_cpu[label] for label in self.processes}
        # the server's connections are opened after the sampler starts: each counts from zero
        used["database backends"] = sum(self.backends.values())
        return used


def _wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"the server at {url} did not answer /health")


def _postgres_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def cmd_run(args: argparse.Namespace) -> int:
    database_url = os.environ.get("TILLIT_DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("set TILLIT_DATABASE_URL to the PostgreSQL database that `setup` prepared")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log, result = out / "actions.jsonl", out / "result.json"
    log.write_text("")
    env = {k: v for k, v in os.environ.items() if k not in {"TILLIT_DEBUG", "TILLIT_DEMO_MODE"}}
    url = f"http://127.0.0.1:{args.port}"
    tillit = [sys.executable, "-m", "tillit.cli"]
    server = subprocess.Popen(  # noqa: S603
        [*tillit, "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(args.port)],
        env=env,
        stdout=open(out / "server.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(  # noqa: S603
        [*tillit, "worker"],
        env=env,
        stdout=open(out / "worker.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(url)
        driver = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                __file__,
                "drive",
                "--url",
                url,
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--seconds",
                str(int(args.minutes * 60)),
                "--log",
                str(log),
                "--result",
                str(result),
            ],
            env=env,
        )
        sampler = Sampler(
            {"server (waitress)": server.pid, "worker": worker.pid, "load generator": driver.pid},
            _postgres_url(database_url),
        )
        sampler.start()
        started = time.monotonic()
        driver.wait(timeout=args.minutes * 60 + 300)
        elapsed = time.monotonic() - started
        sampler.stop.set()
        sampler.join()
    finally:
        for process in (server, worker):
            process.send_signal(signal.SIGINT)
        for process in (server, worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    figures = json.loads(result.read_text())
    print(report(figures, sampler, elapsed, args))
    lost = check(log)
    failures = figures["total"]["failures"]
    return 0 if not lost and not failures else 1


def report(figures: dict, sampler: Sampler, elapsed: float, args: argparse.Namespace) -> str:
    lines = [
        f"{args.users} users, {elapsed:.0f} s, think time 1-3 s, spawn rate {args.spawn_rate}/s",
        "",
        "| request | count | failures | median | p95 | p99 | max |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, e in figures["entries"].items():
        lines.append(
            f"| {name} | {e['requests']} | {e['failures']} | {e['median_ms']:.0f} ms | "
            f"{e['p95_ms']:.0f} ms | {e['p99_ms']:.0f} ms | {e['max_ms']:.0f} ms |"
        )
    total = figures["total"]
    rate = total["failures"] / total["requests"] if total["requests"] else 0
    lines += [
        "",
        f"requests {total['requests']} ({total['rps']:.1f}/s), failures {total['failures']} "
        f"(error rate {rate:.2%}), p95 over all {total['p95_ms']:.0f} ms",
        "refused because another user had handled the hit first (dismiss, escalate), or hidden "
        f"because it joined another team's case (404): {figures['conflicts']}",
    ]
    for error in figures["errors"]:
        lines.append(f"  error {error['occurrences']} x {error['name']}: {error['error']}")
    if sampler.load:
        lines.append(
            f"load average (1 min) during the run: min {min(sampler.load):.1f}, "
            f"median {sorted(sampler.load)[len(sampler.load) // 2]:.1f}, max {max(sampler.load):.1f}"
        )
    lines.append(f"most backends active at once: {sampler.busiest_backends}")
    for label, seconds in sampler.cpu().items():
        lines.append(f"CPU {label}: {seconds:.0f} s ({seconds / elapsed:.2f} of a core on average)")
    return "\n".join(lines)


def check(log: Path) -> int:
    """Every action the load test saw succeed is in the database; returns the number missing."""
    _django()
    from tillit.cases.models import CaseHit
    from tillit.controls.models import Hit, HitEvent

    actions = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    missing: list[str] = []
    events = {
        (e.hit_id, e.action, e.note, e.user.username if e.user else "")
        for e in HitEvent.objects.filter(note__startswith="load ").select_related("user")
    }
    linked = set(CaseHit.objects.values_list("hit_id", flat=True))
    status = dict(
        Hit.objects.filter(pk__in={a["hit"] for a in actions}).values_list("pk", "status")
    )
    double = []
    by_hit: dict[int, list[str]] = {}
    for a in actions:
        by_hit.setdefault(a["hit"], []).append(a["action"])
        kind = {"dismiss": "dismissed", "escalate": "case"}[a["action"]]
        if (a["hit"], kind, a["note"], a["user"]) not in events:
            missing.append(f"{a['action']} of hit {a['hit']} by {a['user']}: no hit event")
        if a["action"] == "escalate" and a["hit"] not in linked:
            missing.append(f"escalation of hit {a['hit']} by {a['user']}: no case")
    for pk, done in by_hit.items():
        if len(done) > 1:
            double.append(f"hit {pk} handled {len(done)} times as successful: {done}")
    for a in actions:
        expected = {"dismiss": Hit.Status.DISMISSED, "escalate": Hit.Status.CASE}[a["action"]]
        if len(by_hit[a["hit"]]) == 1 and status.get(a["hit"]) != expected:
            missing.append(f"hit {a['hit']} is {status.get(a['hit'])}, not {expected}")
    counted = {k: sum(1 for a in actions if a["action"] == k) for k in ("dismiss", "escalate")}
    print(
        f"nothing lost: {len(actions)} successful actions recorded ({counted['dismiss']} dismissed, "
        f"{counted['escalate']} escalated); {len(missing)} missing in the database; "
        f"{len(double)} hits handled twice"
    )
    for line in (missing + double)[:20]:
        print("  " + line)
    return len(missing) + len(double)


def cmd_check(args: argparse.Namespace) -> int:
    return 1 if check(Path(args.log)) else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("setup")
    p.add_argument("--users", type=int, default=100)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--copies", type=int, default=25, help="copies of each hit (see _copy_hits)")
    p.set_defaults(func=cmd_setup)
    p = sub.add_parser("run")
    p.add_argument("--users", type=int, default=100)
    p.add_argument("--minutes", type=float, default=5)
    p.add_argument("--spawn-rate", type=float, default=5)
    p.add_argument("--port", type=int, default=8157)
    p.add_argument("--out", default=str(_data_dir() / "load-run"))
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("drive")  # internal: the locust process
    p.add_argument("--url", required=True)
    p.add_argument("--users", type=int, required=True)
    p.add_argument("--spawn-rate", type=float, required=True)
    p.add_argument("--seconds", type=int, required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--result", required=True)
    p.set_defaults(func=cmd_drive)
    p = sub.add_parser("check")
    p.add_argument("--log", default=str(_data_dir() / "load-run" / "actions.jsonl"))
    p.set_defaults(func=cmd_check)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
