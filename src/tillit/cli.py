"""The `tillit` command (shared/spec/cli.md).

Every command exits 0 on success and non-zero with a message in Swedish (English
with --lang en) on failure, prints progress on a terminal and plain lines when not.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
from pathlib import Path

# shared with the apps' commands, which sit below this module (tillit.lib.commands)
from tillit.lib import cli_language
from tillit.lib.commands import CommandError
from tillit.lib.commands import migrate as _migrate
from tillit.lib.commands import say as _print

DEMO_MUNICIPALITY = ("9999", "Exempelkommun")
DEMO_BOARDS = [
    "Kommunstyrelsen",
    "Socialnämnden",
    "Arbetsmarknadsnämnden",
    "Kultur- och fritidsnämnden",
    "Barn- och utbildningsnämnden",
    "Vård- och omsorgsnämnden",
    "Tekniska nämnden",
]
DEMO_USERS = [
    # user name, role, first name, last name
    ("admin", "administrator", "Anna", "Admin"),
    ("samordnare", "coordinator", "Sara", "Samordnare"),
    ("utredare", "investigator", "Ulf", "Utredare"),
    ("controller", "controller", "Cecilia", "Controller"),
    ("granskare", "reviewer", "Gustav", "Granskare"),
]


def _setup_django(lang: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tillit.config.settings")
    import django

    django.setup()
    from django.utils import translation

    translation.activate(lang)


def cmd_demo(args) -> int:
    from django.utils.translation import gettext as _

    from tillit.accounts.models import Municipality, User
    from tillit.accounts.services import municipality_create, user_create

    _print(
        _("Setting up the demo installation in %(dir)s …")
        % {"dir": os.environ.get("TILLIT_DATA_DIR") or _data_dir()}
    )
    _migrate()
    code, name = DEMO_MUNICIPALITY
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        municipality = municipality_create(code=code, name=name, boards=DEMO_BOARDS)
    logins = []
    for username, role, first, last in DEMO_USERS:
        password = f"demo-{username}"
        if not User.objects.filter(username=username).exists():
            # the demo's printed logins are for trying the system only (TILLIT_DEMO_MODE), never validated
            user_create(
                municipality=municipality,
                username=username,
                password=password,
                role=role,
                first_name=first,
                last_name=last,
                validate=False,
            )
        logins.append((username, password, role))
    for step in _demo_steps():
        step(municipality, args)
    _print("")
    _print(_("Demo logins (user name / password, role):"))
    for username, password, role in logins:
        label = dict(User._meta.get_field("role").choices)[role]
        _print(f"  {username:<12} {password:<18} {label}")
    _print(
        _(
            "Roles that see personal data log in with a one-time code; the demo shows the current code on the login page."
        )
    )
    return _serve(args.host, args.port)


def _demo_steps():
    """Steps later parts add to the demo: import the synthetic municipality, run the controls."""
    # imported here, after django.setup(): the steps use the apps' models
    from tillit.controls.demo import demo_run
    from tillit.datasets.demo import demo_import
    from tillit.plans.demo import demo_plan
    from tillit.risks.demo import demo_risks
    from tillit.tips.demo import demo_tips

    return [demo_import, demo_run, demo_risks, demo_plan, demo_tips]


def _data_dir() -> Path:
    from tillit.lib.paths import data_dir

    return data_dir()


def _serve(host: str, port: int, worker: bool = True) -> int:
    from django.utils.translation import gettext as _
    from waitress import serve

    from tillit.config.wsgi import application

    process = None
    if worker:
        # The background worker and the nightly scheduler run beside the web server on the embedded default.
        # TILLIT_PARENT_PID: both end when serve ends, even when serve is killed (accounts.jobs.watch_parent)
        child_env = {**os.environ, "TILLIT_PARENT_PID": str(os.getpid())}
        process = subprocess.Popen([sys.executable, "-m", "tillit.cli", "worker"], env=child_env)  # noqa: S603
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "tillit.cli", "schedule"], env=child_env
        )  # noqa: S603
    _print(
        _("Tillit is running at http://%(host)s:%(port)s/ — stop with Ctrl+C.")
        % {"host": host, "port": port}
    )
    try:
        options = {}
        if os.environ.get("TILLIT_BEHIND_PROXY", "").strip().lower() in {"1", "true", "yes", "on"}:
            # waitress drops X-Forwarded-* unless told whom to trust: the proxy on this machine
            options = {
                "trusted_proxy": os.environ.get("TILLIT_TRUSTED_PROXY", "127.0.0.1"),
                "trusted_proxy_headers": {
                    "x-forwarded-proto",
                    "x-forwarded-for",
                    "x-forwarded-host",
                },
                "clear_untrusted_proxy_headers": True,
            }
        # waitress accepts at most connection_limit connections (its own two channels included,
        # default 100): the 99th user keeping a connection open waited for minutes (issue 15)
        serve(
            application,
            host=host,
            port=port,
            threads=8,
            connection_limit=1000,
            ident="tillit",
            **options,
        )
    except KeyboardInterrupt:
        pass
    finally:
        if process is not None:
            process.terminate()
            scheduler.terminate()
    return 0


def cmd_serve(args) -> int:
    _migrate()
    return _serve(args.host, args.port, worker=not args.no_worker)


def cmd_worker(args) -> int:
    from django.core.management import call_command

    from tillit.accounts import jobs

    jobs.watch_parent()
    jobs.recover()  # imports and runs whose process died are marked failed; left-over files removed
    call_command("db_worker", verbosity=0, reload=False)
    return 0


def cmd_schedule(args) -> int:
    import time

    from django.utils.translation import gettext as _

    from tillit.accounts.jobs import watch_parent
    from tillit.controls.services import schedule_due_runs

    watch_parent()
    nightly_state: dict = {}
    while True:
        for run in schedule_due_runs():
            _print(
                _("Scheduled run %(run)s started for municipality %(code)s.")
                % {"run": run.pk, "code": run.municipality.code}
            )
        from tillit.plans.services import reminders_send

        reminders_send()  # the action plan's deadline reminders (30, 7, 1 days); made once each
        from tillit.tips.services import reminders_send as tips_reminders_send

        tips_reminders_send()  # tips and whistleblowing: acknowledgement and feedback, once each, no content
        from tillit.accounts.security_cli import nightly

        nightly(
            nightly_state
        )  # the access log's hash chain, verified once a day; alarms when broken
        if args.once:
            return 0
        time.sleep(60)


def cmd_manage(args) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tillit manage", *args.rest])
    return 0


def _add_host_port(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tillit", description="Tillit")
    parser.add_argument(
        "--lang",
        choices=["sv", "en"],
        default="sv",
        help="language of messages and help: sv (default) or en",
    )
    parser.add_argument(
        "--municipality", help="municipality code, where the installation holds several"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "demo", help="embedded installation with a synthetic municipality, then serve"
    )
    _add_host_port(p)
    p.add_argument(
        "--scale", type=float, default=1.0, help="size of the synthetic municipality (default 1)"
    )
    p.set_defaults(func=cmd_demo, demo=True)

    p = sub.add_parser("serve", help="the web UI and API")
    _add_host_port(p)
    p.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start the background worker and the scheduler beside the web server",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="the background worker (run it beside `serve` in production)")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser(
        "schedule", help="start the nightly control runs when due (every minute; --once for cron)"
    )
    p.add_argument("--once", action="store_true", help="check once and stop (for cron)")
    p.set_defaults(func=cmd_schedule)

    p = sub.add_parser("manage", help="Django management commands (migrate, createsuperuser …)")
    p.add_argument(
        "rest", nargs=argparse.REMAINDER, help="the management command and its arguments"
    )
    p.set_defaults(func=cmd_manage)

    for extension in _extensions():
        extension(sub)
    return parser


# Commands that need no database, or migrate it themselves.
_SETS_UP_ITSELF = {"generate", "setup", "demo", "manage", "restore"}


def _embedded_database_ready() -> None:
    """On the embedded default (SQLite) a command sets the database up on first use, and brings it
    up to date after an upgrade, saying so in one line. PostgreSQL is left to `tillit setup` (a
    database server's schema changes are the operator's decision); an un-migrated one gets the
    clear message in main()."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils.translation import gettext as _

    if connection.vendor != "sqlite":
        return
    executor = MigrationExecutor(connection)
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return
    fresh = "django_migrations" not in connection.introspection.table_names()
    _migrate()
    if fresh:
        # on stderr, so that a command's own output (an export to stdout, say) stays clean
        print(
            _("The database was created in %(path)s.") % {"path": connection.settings_dict["NAME"]},
            file=sys.stderr,
        )
    else:
        print(
            _("The database was brought up to date with this version of Tillit."), file=sys.stderr
        )


# The modules whose add_commands(sub) adds the apps' commands. They are imported when the parser
# is built, not at start-up (so that `tillit --help` sets up no Django); a module that is missing
# or fails to import stops the command with its error instead of silently dropping its commands.
COMMAND_MODULES = (
    "tillit.accounts.cli",  # setup, municipality, user
    "tillit.accounts.security_cli",  # access-log verification, backup, restore
    "tillit.datasets.cli",  # import, datasets, profiles, generate, pseudonyms
    "tillit.controls.cli",  # controls, hits
    "tillit.cases.cli",  # cases export
    "tillit.tips.cli",
    "tillit.risks.cli",
    "tillit.plans.cli",
    "tillit.sampling.cli",
    "tillit.bench",  # bench
)


def _extensions():
    """The apps' add_commands functions (COMMAND_MODULES), in that order."""
    return [importlib.import_module(module).add_commands for module in COMMAND_MODULES]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # the help and argparse's own messages in the user's language (Swedish unless --lang en)
    lang = cli_language.language(argv)
    with cli_language.argparse_language(lang):
        parser = cli_language.translate_parser(build_parser(), lang)
        args = parser.parse_args(argv)
    if getattr(args, "demo", False):
        os.environ["TILLIT_DEMO_MODE"] = "1"
        # not DEBUG: the demo shows Tillit's own 404 and 500 pages, never Django's list of every URL
    _setup_django(args.lang)
    from django.db import DatabaseError

    if args.command not in _SETS_UP_ITSELF:
        _embedded_database_ready()

    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        print(f"{parser.prog}: {exc}", file=sys.stderr)
        return 1
    except DatabaseError as exc:
        text = str(exc)
        if "no such table" not in text and "does not exist" not in text:
            raise
        from django.utils.translation import gettext as _

        print(
            f"{parser.prog}: "
            + _(
                "The database has not been set up yet, or not for this version of Tillit: "
                "run `tillit setup` first."
            ),
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
