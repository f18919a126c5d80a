"""Reads for the tips app. Nothing here decrypts: content needs a receiver's unlocked key."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from tillit.tips import deadlines as dl
from tillit.tips.models import Channel, ChannelMember, Complaint, Report


def deadlines(municipality, start: date, end: date) -> list[dict]:
    """Open deadlines due between start and end (inclusive), for the overview.

    Each: label (no content of the report, only its reference and what is due), due, url, kind.
    """
    reports = Report.objects.filter(
        municipality=municipality, deleted_at__isnull=True, closed_at__isnull=True
    ).only(
        "id",
        "channel",
        "reference",
        "received_at",
        "acknowledged_at",
        "feedback_at",
        "closed_at",
        "deleted_at",
        "municipality_id",
    )
    out = []
    for report in reports:
        for kind, due in dl.open_deadlines(report):
            if start <= due <= end:
                what = _("acknowledge receipt") if kind == "ack" else _("give feedback")
                out.append(
                    {
                        "label": f"{report.reference}: {what}",
                        "due": due,
                        "url": reverse("tips-report", args=[report.pk]),
                        "kind": "tips",
                    }
                )
    out.sort(key=lambda d: (d["due"], d["label"]))
    return out


def channels_of(user, duty: str = ChannelMember.Duty.RECEIVER) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        ChannelMember.objects.filter(
            user=user, duty=duty, municipality_id=user.municipality_id
        ).values_list("channel", flat=True)
    )


def inbox(user, channel: str) -> QuerySet:
    return Report.objects.filter(
        municipality_id=user.municipality_id, channel=channel
    ).select_related("case")


def complaints_for(municipality_id: int, orgnr: str) -> QuerySet:
    from tillit.tips.services import normalise_orgnr

    return Complaint.objects.filter(municipality_id=municipality_id, orgnr=normalise_orgnr(orgnr))


def complaint_counts(municipality_id: int, orgnrs) -> dict[str, int]:
    """orgnr (as given) -> number of complaints, for lists such as the review queue."""
    from django.db.models import Count

    from tillit.tips.services import normalise_orgnr

    wanted = {normalise_orgnr(o): o for o in orgnrs if o}
    rows = (
        Complaint.objects.filter(municipality_id=municipality_id, orgnr__in=list(wanted))
        .values("orgnr")
        .annotate(n=Count("id"))
    )
    return {wanted[r["orgnr"]]: r["n"] for r in rows}


__all__ = ["Channel", "deadlines", "inbox", "channels_of", "complaints_for", "complaint_counts"]
