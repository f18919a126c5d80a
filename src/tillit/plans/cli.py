"""`tillit plans remind|import-example|export|import`: deadline reminders and sharing files."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path


def add_commands(sub) -> None:
    plans = sub.add_parser(
        "plans", help="the action plan: deadline reminders, examples, sharing files"
    )
    psub = plans.add_subparsers(dest="plans_command", required=True)
    p = psub.add_parser(
        "remind", help="make the reminders due today (30, 7 and 1 days before deadlines); run daily"
    )
    p.add_argument("--today", type=date.fromisoformat, help="the date to act as today (YYYY-MM-DD)")
    p.set_defaults(func=cmd_remind)
    p = psub.add_parser(
        "import-example", help="import a seeded plan (oskarshamn-2026-2028, malmo-2023)"
    )
    p.add_argument("key")
    p.set_defaults(func=cmd_import_example)
    p = psub.add_parser("export", help="write a plan as a sharing file (JSON)")
    p.add_argument("plan_id", type=int)
    p.add_argument("--output", help="file to write (default: standard output)")
    p.set_defaults(func=cmd_export)
    p = psub.add_parser(
        "import", help="import a sharing file (a plan or a routine) from another municipality"
    )
    p.add_argument("path", type=Path)
    p.set_defaults(func=cmd_import)


def _municipality(args):
    from tillit.datasets.cli import resolve_municipality

    return resolve_municipality(args.municipality)


def cmd_remind(args) -> int:
    from django.utils.translation import gettext as _

    from tillit.plans.services import reminders_send

    made = reminders_send(
        today=args.today, municipality=_municipality(args) if args.municipality else None
    )
    for reminder in made:
        print(
            _("Reminder: measure %(code)s is due %(deadline)s (%(days)s days).")
            % {
                "code": reminder.measure.code,
                "deadline": reminder.deadline.isoformat(),
                "days": reminder.days_before,
            }
        )
    print(_("%(n)s reminders made.") % {"n": len(made)})
    return 0


def cmd_import_example(args) -> int:
    from django.utils.translation import gettext as _

    from tillit.lib.commands import CommandError
    from tillit.plans.services import PlanError, plan_import_seeded

    try:
        plan = plan_import_seeded(municipality=_municipality(args), user=None, key=args.key)
    except PlanError as error:
        raise CommandError(str(error)) from None
    print(_("The plan %(title)s was imported (id %(id)s).") % {"title": plan.title, "id": plan.pk})
    return 0


def cmd_export(args) -> int:
    from django.utils.translation import gettext as _

    from tillit.lib.commands import CommandError
    from tillit.plans import share
    from tillit.plans.models import ActionPlan

    plan = ActionPlan.objects.filter(municipality=_municipality(args), pk=args.plan_id).first()
    if plan is None:
        raise CommandError(
            _("There is no plan %(id)s in this municipality.") % {"id": args.plan_id}
        )
    data = share.dumps(share.plan_export(plan))
    if args.output:
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.write(data.decode("utf-8"))
    return 0


def cmd_import(args) -> int:
    from django.utils.translation import gettext as _

    from tillit.lib.commands import CommandError
    from tillit.plans import share

    try:
        obj = share.import_file(
            municipality=_municipality(args), user=None, raw=args.path.read_bytes()
        )
    except (OSError, share.ShareError) as error:
        raise CommandError(_("The file was not imported: %(reason)s") % {"reason": error}) from None
    print(
        _("Imported %(title)s from %(origin)s.")
        % {"title": obj.title, "origin": obj.origin.get("municipality_name", "")}
    )
    return 0
