"""`tillit tips remind`: send the acknowledgement and feedback reminders that are due (cron or the scheduler)."""

from __future__ import annotations


def add_commands(sub) -> None:
    tips = sub.add_parser("tips", help="tips and whistleblowing")
    tsub = tips.add_subparsers(dest="tips_command", required=True)
    p = tsub.add_parser(
        "remind", help="send the deadline reminders that are due (once each; no report content)"
    )
    p.set_defaults(func=cmd_remind)


def cmd_remind(args) -> int:
    from django.utils.translation import gettext as _

    from tillit.tips.services import reminders_send

    sent = reminders_send()
    for reminder in sent:
        print(
            _("Reminder sent for %(reference)s: %(kind)s.")
            % {"reference": reminder.report.reference, "kind": reminder.get_kind_display()}
        )
    print(_("%(n)s reminders sent.") % {"n": len(sent)})
    return 0
