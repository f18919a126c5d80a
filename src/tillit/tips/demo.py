"""The demo's tips: the coordinator and the investigator as receivers (with their demo passwords),
a few reports in both channels and complaints about a home-care provider."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tillit.accounts.models import Role, User
from tillit.tips import services
from tillit.tips.models import Channel, ChannelMember, Report


def demo_tips(municipality, args) -> None:
    if Report.objects.filter(municipality=municipality).exists():
        return
    admin = User.objects.filter(municipality=municipality, role=Role.ADMIN).first()
    receivers = User.objects.filter(
        municipality=municipality, role__in=[Role.COORDINATOR, Role.INVESTIGATOR]
    )
    for user in receivers:
        for channel in Channel.values:
            services.member_add(by=admin or user, user=user, channel=channel)
        if user.role == Role.COORDINATOR:
            for channel in Channel.values:
                services.member_add(
                    by=admin or user, user=user, channel=channel, duty=ChannelMember.Duty.CUSTODIAN
                )
        if not services.receiver_key(user) and user.check_password(f"demo-{user.username}"):
            services.key_create(user=user, password=f"demo-{user.username}")
    if not any(services.channel_open(municipality, c) for c in Channel.values):
        return
    reports = [
        (
            Channel.TIPS,
            "benefit",
            {
                "what": "Familjen på Storgatan 4 får försörjningsstöd men har bott i Spanien "
                "sedan i somras.",
                "when": "Sedan juli",
                "household": "Familjen Exempel",
            },
            None,
        ),
        (
            Channel.TIPS,
            "home_care",
            {
                "what": "Hemtjänsten kommer inte till min mamma trots att besöken står på "
                "fakturan.",
                "provider": "Omsorg i Exempelkommun AB",
            },
            {"name": "", "phone": "070-000 00 00", "email": ""},
        ),
        (
            Channel.WHISTLEBLOWING,
            "staff",
            {
                "what": "En upphandlare tar emot resor från en leverantör.",
                "relation": "employee",
                "unit": "Upphandlingsenheten",
            },
            None,
        ),
    ]
    for channel, category, answers, contact in reports:
        services.report_submit(
            municipality=municipality,
            channel=channel,
            category=category,
            answers=answers,
            contact=contact,
        )
    for text in ("Personalen kom inte på tre dagar.", "Min pappa fick inte sin medicin."):
        services.complaint_add(
            municipality=municipality,
            orgnr="556036-0793",
            text=text,
            provider_name="Omsorg i Exempelkommun AB",
            service="hemtjänst",
        )
    print(
        _("Tips: %(n)s reports for the receivers (log in as samordnare or utredare).")
        % {"n": len(reports)},
        flush=True,
    )
