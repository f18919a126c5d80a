"""The court-ready export of one case: all documents, their hashes, the diary and its audit trail."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from django.utils import timezone
from django.utils.translation import override

from tillit.cases.access import case_access_log
from tillit.cases.history import describe
from tillit.cases.models import Case
from tillit.cases.services import document_read
from tillit.lib.csvsafe import csv_cell


def _csv(header: list[str], rows: list[list]) -> str:
    """Every cell through csv_cell: text starting with = + - @ is never a live formula (as in the other exports)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def case_archive(*, case: Case, user) -> bytes:
    """A zip archive. Every document is verified first: a changed file stops the export."""
    documents = [(d, document_read(document=d)) for d in case.documents.all()]
    now = timezone.localtime()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        names = []
        for document, content in documents:
            name = f"handlingar/{document.pk:05d}-{document.filename}"
            names.append((document, name))
            archive.writestr(name, content)
        archive.writestr("SHA256SUMS", "".join(f"{d.sha256}  {name}\n" for d, name in names))

        with override("sv"):  # the court reads the history in Swedish
            history = [
                [
                    timezone.localtime(e.at).isoformat(),
                    e.user.get_username() if e.user else "",
                    *describe(e),
                ]
                for e in case.events.select_related("user")
            ]
            diary = [
                [
                    e.occurred_on.isoformat(),
                    e.get_kind_display(),
                    e.contact,
                    e.text,
                    e.author.get_username(),
                    timezone.localtime(e.created_at).isoformat(),
                ]
                for e in case.diary.select_related("author")
            ]
            kinds = {d.pk: str(d.get_kind_display()) for d, _name in names}
            reads = [
                [
                    timezone.localtime(e.at).isoformat(),
                    e.username,
                    str(e.get_action_display()),
                    e.object_type,
                    e.object_id,
                    e.path,
                ]
                for e in case_access_log(case).order_by("at", "id")
            ]
        archive.writestr(
            "handelselogg.csv", _csv(["tid", "anvandare", "handelse", "detalj"], history)
        )
        archive.writestr(
            "handlingar.csv",
            _csv(
                [
                    "id",
                    "titel",
                    "filnamn",
                    "typ",
                    "storlek",
                    "sha256",
                    "registrerad",
                    "registrerad_av",
                ],
                [
                    [
                        d.pk,
                        d.title,
                        d.filename,
                        kinds[d.pk],
                        d.size,
                        d.sha256,
                        timezone.localtime(d.uploaded_at).isoformat(),
                        d.uploaded_by.get_username(),
                    ]
                    for d, _name in names
                ],
            ),
        )
        archive.writestr(
            "dagbok.csv", _csv(["datum", "typ", "kontakt", "text", "skriven_av", "skriven"], diary)
        )
        archive.writestr(
            "atkomstlogg.csv", _csv(["tid", "anvandare", "atgard", "objekt", "id", "sida"], reads)
        )
        archive.writestr(
            "arende.json", json.dumps(_case_json(case), ensure_ascii=False, indent=2, default=str)
        )
        archive.writestr(
            "LASMIG.txt",
            (
                f"Ärende {case.number}, {case.municipality.name}\n"
                f"Exporterat {now:%Y-%m-%d %H:%M} av {user.get_username()}.\n\n"
                "handlingar/      ärendets alla handlingar\n"
                "SHA256SUMS       kontrollsumma för varje handling, registrerad när den kom in "
                "(kontrollera med: sha256sum -c SHA256SUMS)\n"
                "handlingar.csv   förteckning över handlingarna\n"
                "dagbok.csv       ärendets dagboksanteckningar\n"
                "handelselogg.csv vem som gjorde vad i ärendet och när\n"
                "atkomstlogg.csv  vem som har läst ärendet och dess handlingar\n"
                "arende.json      ärendets uppgifter, utfall och kopplade träffar\n"
            ),
        )
    return buffer.getvalue()


def _case_json(case: Case) -> dict:
    return {
        "number": case.number,
        "title": case.title,
        "type": case.case_type,
        "source": case.source,
        "state": case.state,
        "board": case.board.name if case.board else "",
        "risk_area": case.risk_area,
        "amount_concerned": str(case.amount_concerned),
        "opened_at": case.opened_at,
        "decided_at": case.decided_at,
        "closed_at": case.closed_at,
        "closed_reason": case.closed_reason,
        "description": case.description,
        "subjects": [
            {"kind": s.kind, "identifier": s.identifier, "name": s.name}
            for s in case.subjects.all()
        ],
        "hits": [
            {
                "id": h.hit_id,
                "control_id": h.hit.control_id,
                "control_version": h.hit.control_version,
                "fingerprint": h.hit.fingerprint,
                "amount_at_risk": str(h.hit.amount_at_risk),
            }
            for h in case.case_hits.select_related("hit")
        ],
        "intent_assessments": [
            {
                "level": a.level,
                "reasoning": a.reasoning,
                "by": a.assessed_by.get_username(),
                "at": a.assessed_at,
            }
            for a in case.intent_assessments.all()
        ],
        "recovery_claims": [
            {
                "amount": str(c.amount),
                "legal_ground": c.legal_ground,
                "decision_date": c.decision_date,
                "received": str(c.received),
                "written_off": str(c.written_off),
                "payments": [
                    {"paid_on": p.paid_on, "amount": str(p.amount)} for p in c.payments.all()
                ],
            }
            for c in case.recovery_claims.all()
        ],
        "police_reports": [
            {
                "offences": r.offences,
                "reported_on": r.reported_on,
                "reference": r.police_reference,
                "checklist": r.checklist,
                "attachments": r.attachments,
            }
            for r in case.police_reports.all()
        ],
        "notifications": [
            {
                "recipient": n.recipient,
                "legal_ground": n.legal_ground,
                "sent_on": n.sent_on,
                "shared": n.shared,
            }
            for n in case.notifications.all()
        ],
        "sanctions": [
            {
                "step": s.step,
                "provider": s.provider,
                "decided_on": s.decided_on,
                "follow_up_on": s.follow_up_on,
                "followed_up_at": s.followed_up_at,
            }
            for s in case.sanctions.all()
        ],
        "other_outcomes": [
            {"kind": o.kind, "decided_on": o.decided_on, "note": o.note}
            for o in case.other_outcomes.all()
        ],
    }
