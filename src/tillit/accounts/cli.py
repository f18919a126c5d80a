"""`tillit setup`, `tillit municipality add|list`, `tillit user add|list|disable|reset-2fa`.

A municipality's IT sets up an installation with these, without a Python shell. Passwords are
prompted for (twice) or read from a file, never taken on the command line, where they would stay
in the shell's history and the process list. An administrator works within one municipality:
`--municipality CODE` where the installation holds several.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from tillit.analytics import refdata
from tillit.datasets.cli import resolve_municipality
from tillit.lib.commands import CommandError
from tillit.lib.commands import migrate as _migrate
from tillit.lib.commands import say as _print

ROLE_NAMES = ["administrator", "coordinator", "investigator", "controller", "reviewer"]


def _validated_code(code: str) -> str:
    code = (code or "").strip()
    if code not in refdata.municipalities():
        raise CommandError(
            _(
                "%(code)s is not a Swedish municipality code (kommunkod): four digits, e.g. 0180 for "
                "Stockholm. `tillit municipality codes` lists all 290."
            )
            % {"code": code or "''"}
        )
    return code


def _ask(prompt: str) -> str:
    if not sys.stdin.isatty():
        raise CommandError(
            _("%(what)s is missing: give it as an option (no terminal to ask on).")
            % {"what": prompt}
        )
    return input(f"{prompt}: ").strip()


def _password(args, username: str) -> str:
    """From --password-file (first line) or asked twice on the terminal; validated like every other path."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    if getattr(args, "password_file", None):
        path = Path(args.password_file)
        try:
            password = (
                path.read_text(encoding="utf-8").splitlines()[0] if path.stat().st_size else ""
            )
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                _("The password file %(path)s could not be read: %(error)s")
                % {"path": path, "error": exc}
            ) from exc
    else:
        if not sys.stdin.isatty():
            raise CommandError(
                _("No terminal to ask for the password on: give a file with --password-file.")
            )
        password = getpass.getpass(_("Password for %(user)s: ") % {"user": username})
        if getpass.getpass(_("The same password again: ")) != password:
            raise CommandError(_("The passwords were not the same. Nothing was changed."))
    try:
        validate_password(password)
    except ValidationError as exc:
        raise CommandError(
            _("The password was refused: %(reasons)s Nothing was changed.")
            % {"reasons": " ".join(exc.messages)}
        ) from exc
    return password


def _user_create(municipality, username: str, role: str, args):
    from tillit.accounts.models import User
    from tillit.accounts.services import user_create

    if User.objects.filter(username=username).exists():
        raise CommandError(
            _("There is already a user named %(user)s. Nothing was changed.") % {"user": username}
        )
    password = _password(args, username)
    return user_create(
        municipality=municipality,
        username=username,
        password=password,
        role=role,
        first_name=getattr(args, "first_name", "") or "",
        last_name=getattr(args, "last_name", "") or "",
        email=getattr(args, "email", "") or "",
    )


def cmd_setup(args) -> int:
    from tillit.accounts.models import Municipality, Role
    from tillit.accounts.services import municipality_create

    _migrate()
    existing = list(Municipality.objects.order_by("code"))
    if existing:
        _print(
            _(
                "The installation is already set up (%(names)s); the database is up to date. Nothing was "
                "changed. Add a municipality with `tillit municipality add` and users with `tillit user add`."
            )
            % {"names": ", ".join(f"{m.code} {m.name}" for m in existing)}
        )
        return 0
    code = _validated_code(args.code or _ask(_("Municipality code (kommunkod)")))
    name = args.name or refdata.municipalities()[code].name
    admin = args.admin or _ask(_("User name of the first administrator"))
    if not admin:
        raise CommandError(_("The administrator needs a user name. Nothing was changed."))
    with transaction.atomic():
        municipality = municipality_create(code=code, name=name, boards=args.board or [])
        _user_create(municipality, admin, Role.ADMIN, args)
    _print(
        _(
            "Set up %(code)s %(name)s with the administrator %(user)s. Start with `tillit serve`; the "
            "administrator enrols a one-time code app at first login."
        )
        % {"code": code, "name": name, "user": admin}
    )
    return 0


def cmd_municipality(args) -> int:
    from tillit.accounts.models import Municipality
    from tillit.accounts.services import municipality_create

    if args.action == "list":
        for m in Municipality.objects.order_by("code"):
            _print(f"{m.code}\t{m.name}\t{m.user_set.filter(is_active=True).count()}")
        return 0
    if args.action == "codes":
        for m in refdata.municipalities().values():
            _print(f"{m.code}\t{m.name}\t{m.county_name}")
        return 0
    code = _validated_code(args.code)
    if Municipality.objects.filter(code=code).exists():
        raise CommandError(
            _("Municipality %(code)s already exists. Nothing was changed.") % {"code": code}
        )
    municipality = municipality_create(
        code=code, name=args.name or refdata.municipalities()[code].name, boards=args.board or []
    )
    _print(_("Added %(code)s %(name)s.") % {"code": municipality.code, "name": municipality.name})
    return 0


def _user_in(municipality, username: str):
    from tillit.accounts.models import User

    user = User.objects.filter(username=username, municipality=municipality).first()
    if user is None:  # another municipality's user is not found either: no hint that it exists
        raise CommandError(
            _("There is no user %(user)s in %(municipality)s.")
            % {"user": username, "municipality": municipality.name}
        )
    return user


def cmd_user(args) -> int:
    from tillit.accounts.models import User
    from tillit.accounts.services import user_disable, user_reset_two_factor

    municipality = resolve_municipality(args.municipality)
    if args.action == "list":
        for u in User.objects.filter(municipality=municipality).order_by("username"):
            state = _("active") if u.is_active else _("disabled")
            _print(f"{u.username}\t{u.get_role_display()}\t{u.get_full_name()}\t{state}")
        return 0
    if args.action == "add":
        if not args.username:
            raise CommandError(_("Name the user: `tillit user add USERNAME --role ROLE`."))
        if not args.role:
            raise CommandError(
                _("Give the user's role with --role (%(roles)s).")
                % {"roles": ", ".join(ROLE_NAMES)}
            )
        user = _user_create(municipality, args.username, args.role, args)
        _print(
            _("Added %(user)s (%(role)s) to %(municipality)s.")
            % {
                "user": user.username,
                "role": user.get_role_display(),
                "municipality": municipality.name,
            }
        )
        return 0
    if not args.username:
        raise CommandError(
            _("Name the user: `tillit user %(action)s USERNAME`.") % {"action": args.action}
        )
    user = _user_in(municipality, args.username)
    if args.action == "disable":
        if not user.is_active:
            _print(
                _("%(user)s was already disabled. Nothing was changed.") % {"user": user.username}
            )
            return 0
        user_disable(target=user, command="tillit user disable")
        _print(_("%(user)s is disabled and can no longer log in.") % {"user": user.username})
        return 0
    # reset-2fa: the user enrols a new one-time code app at next login
    removed = user_reset_two_factor(target=user, command="tillit user reset-2fa")
    _print(
        _("%(user)s enrols a new one-time code app at next login (%(n)s device(s) removed).")
        % {"user": user.username, "n": removed}
    )
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "setup",
        allow_abbrev=False,
        help="set up a new installation: database, first municipality and administrator",
    )
    p.add_argument("--code", help="the municipality code (kommunkod), e.g. 0180")
    p.add_argument("--name", help="the municipality's name (default: its official name)")
    p.add_argument("--admin", help="user name of the first administrator")
    p.add_argument(
        "--password-file", help="read the administrator's password from this file (first line)"
    )
    p.add_argument("--board", action="append", help="a board (nämnd); repeat for several")
    p.set_defaults(func=cmd_setup)

    p = sub.add_parser(
        "municipality", allow_abbrev=False, help="municipalities of this installation"
    )
    p.add_argument(
        "action",
        choices=["add", "list", "codes"],
        help="add a municipality, list them, or list the official municipality codes",
    )
    p.add_argument("code", nargs="?", help="the municipality code (kommunkod), e.g. 0180")
    p.add_argument("--name", help="the municipality's name (default: its official name)")
    p.add_argument("--board", action="append", help="a board (nämnd); repeat for several")
    p.set_defaults(func=cmd_municipality)

    p = sub.add_parser("user", allow_abbrev=False, help="users of a municipality")
    p.add_argument(
        "action",
        choices=["add", "list", "disable", "reset-2fa"],
        help="add a user, list them, disable one, or remove one's second factor to enrol again",
    )
    p.add_argument("username", nargs="?", help="the user name")
    p.add_argument("--role", choices=ROLE_NAMES, help="the user's role in the municipality")
    p.add_argument("--first-name", help="first name")
    p.add_argument("--last-name", help="last name")
    p.add_argument("--email", help="e-mail address")
    p.add_argument("--password-file", help="read the password from this file (first line)")
    p.set_defaults(func=cmd_user)
