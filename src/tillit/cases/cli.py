"""`tillit cases export`: cases without personal data, or with it for a named user whose role allows it."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

COLUMNS = [
    "number",
    "case_type",
    "source",
    "state",
    "board",
    "risk_area",
    "amount_concerned",
    "opened_at",
    "decided_at",
    "closed_at",
    "hits",
    "recovery_claims",
    "police_reports",
    "police_reports_sent",
    "notifications",
    "sanctions",
]
PERSONAL_COLUMNS = ["title", "subjects"]


def add_commands(sub) -> None:
    cases = sub.add_parser("cases", help="cases (ärenden)")
    csub = cases.add_subparsers(dest="cases_command", required=True)
    p = csub.add_parser(
        "export", help="export cases as CSV or JSON (no personal data unless --user may see it)"
    )
    p.add_argument("--format", choices=["csv", "json"], default="csv", help="csv (default) or json")
    p.add_argument("--output", help="file to write (default: standard output)")
    p.add_argument(
        "--user",
        help="include titles and subjects of the cases this user may see; the read is logged",
    )
    p.set_defaults(func=cmd_export)


def export_rows(cases, *, personal: bool):
    from django.utils.timezone import localtime

    for case in cases:
        row = {
            "number": case.number,
            "case_type": case.case_type,
            "source": case.source,
            "state": case.state,
            "board": case.board.name if case.board else "",
            "risk_area": case.risk_area,
            # times in Swedish time (Europe/Stockholm), as on every page and document
            "amount_concerned": f"{case.amount_concerned:.2f}",
            "opened_at": localtime(case.opened_at).isoformat(),
            "decided_at": localtime(case.decided_at).isoformat() if case.decided_at else "",
            "closed_at": localtime(case.closed_at).isoformat() if case.closed_at else "",
            "police_reports_sent": case.police_reports.filter(reported_on__isnull=False).count(),
            "hits": case.case_hits.count(),
            "recovery_claims": case.recovery_claims.count(),
            "police_reports": case.police_reports.count(),
            "notifications": case.notifications.count(),
            "sanctions": case.sanctions.count(),
        }
        if personal:
            row["title"] = case.title
            row["subjects"] = [
                {"kind": s.kind, "identifier": s.identifier, "name": s.name}
                for s in case.subjects.all()
            ]
        yield row


def cmd_export(args) -> int:
    from django.utils.translation import gettext as _

    from tillit.accounts.access import has_perm
    from tillit.accounts.models import AccessLogEntry, User
    from tillit.cases.access import visible_cases
    from tillit.cases.models import Case
    from tillit.datasets.cli import resolve_municipality
    from tillit.lib.commands import CommandError
    from tillit.lib.csvsafe import csv_cell

    municipality = resolve_municipality(args.municipality)
    personal = bool(args.user)
    if personal:
        user = User.objects.filter(username=args.user, municipality=municipality).first()
        if user is None or not has_perm(user, "cases.view"):
            raise CommandError(
                _("The user %(user)s may not see cases with personal data.") % {"user": args.user}
            )
        cases = visible_cases(user)
    else:
        cases = Case.objects.filter(municipality=municipality)
    cases = list(cases.select_related("board").order_by("year", "sequence"))
    if personal:
        AccessLogEntry.objects.create(
            municipality=municipality,
            user=user,
            username=user.get_username(),
            action=AccessLogEntry.Action.EXPORT,
            object_type="cases",
            object_id=f"cli:{len(cases)}",
            path="tillit cases export",
        )
    out = Path(args.output).open("w", encoding="utf-8", newline="") if args.output else sys.stdout
    try:
        if args.format == "json":
            json.dump(
                list(export_rows(cases, personal=personal)), out, ensure_ascii=False, indent=2
            )
            out.write("\n")
        else:
            writer = csv.DictWriter(
                out, fieldnames=COLUMNS + (PERSONAL_COLUMNS if personal else [])
            )
            writer.writeheader()
            for row in export_rows(cases, personal=personal):
                if personal:
                    row["subjects"] = "|".join(
                        f"{s['kind']}:{s['identifier']}:{s['name']}" for s in row["subjects"]
                    )
                    row = {k: csv_cell(v) if k in PERSONAL_COLUMNS else v for k, v in row.items()}
                writer.writerow(row)
    finally:
        if args.output:
            out.close()
    return 0
