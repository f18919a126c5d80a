"""Writes for cases. Each service runs in one transaction and writes its CaseEvent in it."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override as translation_override

from tillit.accounts.models import Board, Municipality, Role
from tillit.analytics import registry
from tillit.cases.models import (
    FINAL_STATES,
    OPEN_STATES,
    Case,
    CaseDocument,
    CaseEvent,
    CaseHit,
    CaseLink,
    CaseSubject,
    CaseType,
    DeletionRequest,
    DiaryEntry,
    DisclosureRequest,
    IntentAssessment,
    Letter,
    Masking,
    Notification,
    OtherOutcome,
    PoliceReport,
    RecoveryClaim,
    RecoveryPayment,
    Sanction,
    Sensitivity,
    Source,
    State,
    Task,
)
from tillit.controls.render import explanation
from tillit.lib.files import remove_leftovers, write_atomic


class CaseError(ValueError):
    """A rule of case handling was broken; the message is translatable and shown to the user."""


class DocumentTampered(CaseError):
    """The bytes on disk no longer have the SHA-256 recorded at upload."""


# --- the state machine ---------------------------------------------------------------------------

# Forward steps, plus one step back while the case is still being examined.
TRANSITIONS: dict[str, set[str]] = {
    State.RECEIVED: {State.ASSESSMENT},
    State.ASSESSMENT: {State.INVESTIGATION, State.RECEIVED},
    State.INVESTIGATION: {State.DECISION, State.ASSESSMENT},
    State.DECISION: {State.FOLLOW_UP, State.CLOSED},
    State.FOLLOW_UP: {State.CLOSED},
}

# Retention per case type, in years after the case is closed (the records plan's gallring rules).
# Benefit and home-care cases follow the social services' personal files (five years after the last
# entry); supplier, grant and building cases follow the accounting material (seven years, the
# Bookkeeping Act) plus the running year; unlawful influence is kept ten years so a pattern shows.
RETENTION_YEARS: dict[str, int] = {
    CaseType.BENEFIT: 5,
    CaseType.HOME_CARE: 5,
    CaseType.SUPPLIER: 8,
    CaseType.GRANT: 8,
    CaseType.BUILDING: 8,
    CaseType.UNLAWFUL_INFLUENCE: 10,
    CaseType.OTHER: 5,
}


def allowed_transitions(case: Case) -> list[str]:
    if case.state in FINAL_STATES:
        return []
    return sorted(TRANSITIONS.get(case.state, set()), key=State.values.index)


def has_outcome(case: Case) -> bool:
    return any(
        rel.exists()
        for rel in (
            case.recovery_claims,
            case.police_reports,
            case.notifications,
            case.sanctions,
            case.other_outcomes,
        )
    )


def is_confirmed(case: Case) -> bool:
    """A case confirms the suspicion when it has an outcome other than "no action"."""
    return (
        case.recovery_claims.exists()
        or case.police_reports.exists()
        or case.notifications.exists()
        or case.sanctions.exists()
        or case.other_outcomes.exclude(kind=OtherOutcome.Kind.NO_ACTION).exists()
    )


def _event(case: Case, user, action: str, detail: str = "") -> CaseEvent:
    return CaseEvent.objects.create(
        municipality_id=case.municipality_id, case=case, user=user, action=action, detail=detail
    )


def _retain_until(case: Case, closed: date) -> date:
    years = RETENTION_YEARS.get(case.case_type, 5)
    # gallring happens after the end of the year the retention period ends in
    return date(closed.year + years, 12, 31)


@transaction.atomic
def case_transition(*, case: Case, user, to_state: str, reason: str = "") -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if to_state == State.CLOSED_NO_ACTION:
        if case.state in FINAL_STATES:
            raise CaseError(_("The case is already closed."))
        if not reason.strip():
            raise CaseError(_("Give the reason for closing the case without action."))
    elif to_state not in TRANSITIONS.get(case.state, set()):
        raise CaseError(
            _("A case cannot go from “%(from)s” to “%(to)s”.")
            % {
                "from": State(case.state).label,
                "to": State(to_state).label if to_state in State.values else to_state,
            }
        )
    if to_state == State.INVESTIGATION and not case.team.exists():
        raise CaseError(_("Assign at least one investigator before the investigation starts."))
    if (
        case.state == State.DECISION
        and to_state in (State.FOLLOW_UP, State.CLOSED)
        and not has_outcome(case)
    ):
        raise CaseError(_("Record the outcome of the case before it moves on from decision."))
    now = timezone.now()
    previous = case.state
    case.state = to_state
    if to_state == State.DECISION and case.decided_at is None:
        case.decided_at = now
    if to_state in FINAL_STATES:
        case.closed_at = now
        case.closed_reason = reason.strip()
        case.retain_until = _retain_until(case, timezone.localdate(now))
    case.save(update_fields=["state", "decided_at", "closed_at", "closed_reason", "retain_until"])
    _event(
        case,
        user,
        "state",
        f"{previous} → {to_state}" + (f": {reason.strip()}" if reason.strip() else ""),
    )
    return case


# --- intake --------------------------------------------------------------------------------------


def _next_number(municipality_id: int, year: int) -> tuple[int, str]:
    # Two cases opened at once must not both take the next number (the second failed on the unique
    # number under load, issue 15): the municipality's row is locked until the case is committed.
    # NO KEY UPDATE, so that rows referring to the municipality can still be written meanwhile.
    list(
        Municipality.objects.select_for_update(no_key=True)
        .filter(pk=municipality_id)
        .values_list("pk")
    )
    last = (
        Case.objects.filter(municipality_id=municipality_id, year=year).aggregate(
            m=Max("sequence")
        )["m"]
        or 0
    )
    return last + 1, f"{year}-{last + 1:04d}"


@transaction.atomic
def case_create(
    *,
    municipality: Municipality,
    user,
    title: str,
    case_type: str,
    source: str,
    subjects: Iterable[dict] = (),
    board: Board | None = None,
    risk_area: str = "",
    amount_concerned: Decimal | int = 0,
    description: str = "",
    sensitivity: str = Sensitivity.NORMAL,
    team: Iterable = (),
    lead=None,
    due_date: date | None = None,
    tip_reference: str = "",
) -> Case:
    """Open a case. `subjects` are dicts with kind, identifier and name."""
    if case_type not in CaseType.values:
        raise CaseError(_("Unknown case type."))
    if source not in Source.values:
        raise CaseError(_("Unknown source."))
    if board is not None and board.municipality_id != municipality.pk:
        raise CaseError(_("The board belongs to another municipality."))
    year = timezone.localdate().year
    sequence, number = _next_number(municipality.pk, year)
    case = Case.objects.create(
        municipality=municipality,
        number=number,
        year=year,
        sequence=sequence,
        title=title[:200],
        case_type=case_type,
        source=source,
        sensitivity=sensitivity,
        board=board,
        risk_area=risk_area[:200],
        amount_concerned=Decimal(amount_concerned or 0),
        description=description,
        due_date=due_date,
        lead=lead,
        opened_by=user,
        tip_reference=tip_reference,
    )
    members = [m for m in team if m.municipality_id == municipality.pk]
    if lead is not None and lead not in members:
        members.append(lead)
    case.team.set(members)
    for subject in subjects:
        CaseSubject.objects.create(
            municipality=municipality,
            case=case,
            kind=subject["kind"],
            identifier=str(subject.get("identifier", ""))[:100],
            name=str(subject.get("name", ""))[:200],
            national_id=str(subject.get("national_id", ""))[:20],
            role=subject.get("role") or CaseSubject.Role.CONCERNED,
        )
    _event(case, user, "opened", source)
    return case


SUBJECT_KINDS = {
    "supplier": CaseSubject.Kind.COMPANY,
    "company": CaseSubject.Kind.COMPANY,
    "organisation": CaseSubject.Kind.COMPANY,
    "household": CaseSubject.Kind.HOUSEHOLD,
    "person": CaseSubject.Kind.PERSON,
    "client": CaseSubject.Kind.PERSON,
    "care_client": CaseSubject.Kind.PERSON,
    "association": CaseSubject.Kind.ASSOCIATION,
    "provider": CaseSubject.Kind.PROVIDER,
    "employee": CaseSubject.Kind.STAFF,
    "staff": CaseSubject.Kind.STAFF,
}


def subject_kind_for(subject_type: str) -> str:
    return SUBJECT_KINDS.get(subject_type.lower(), CaseSubject.Kind.OTHER)


def case_type_for_control(control_id: str) -> str:
    """The case type the control declares (Control.case_type); "other" for a control no longer registered."""
    try:
        declared = registry.get(control_id).case_type
    except KeyError:
        return CaseType.OTHER
    return declared if declared in CaseType.values else CaseType.OTHER


@transaction.atomic
def case_open_from_hit(*, hit, user) -> Case:
    """The open case on the hit's subject, with the hit joined to it; a new case if there is none.

    One open case per subject: a further hit on the same subject joins the case that is
    open, and adds its amount at risk. Calling it twice for the same hit returns the same case.
    The hit's own status is set by controls.services.hit_open_case, which calls this.
    """
    existing = CaseHit.objects.filter(hit=hit).select_related("case").first()
    if existing is not None:
        return existing.case
    kind = subject_kind_for(hit.subject_type)
    case = (
        Case.objects.filter(
            municipality_id=hit.municipality_id,
            state__in=OPEN_STATES,
            subjects__kind=kind,
            subjects__identifier=str(hit.subject_id),
        )
        .order_by("opened_at", "id")
        .first()
    )
    if case is not None and user is not None:
        from tillit.cases.access import can_edit

        if not can_edit(user, case):
            # joining a case changes its amount in the user's name: only someone who may work on it
            # may do that; anyone else opens a new case, and learns nothing about the other one
            case = None
    if case is None:
        board = (
            Board.objects.filter(municipality_id=hit.municipality_id, name=hit.board).first()
            if hit.board
            else None
        )
        team = [user] if getattr(user, "role", None) == Role.INVESTIGATOR else []
        case = case_create(
            municipality=hit.municipality,
            user=user,
            source=Source.HIT,
            title=f"{hit.control_id}: {hit.subject_type} {hit.subject_id}",
            case_type=case_type_for_control(hit.control_id),
            subjects=[
                {
                    "kind": kind,
                    "identifier": hit.subject_id,
                    "name": _subject_name(hit),
                    "national_id": _subject_national_id(hit, kind),
                }
            ],
            board=board,
            risk_area=(hit.risk_areas or [""])[0],
            amount_concerned=Decimal(0),
            description=str(explanation(hit)),
            team=team,
            lead=team[0] if team else None,
        )
    else:
        _event(case, user, "hit joined", f"{hit.control_id} #{hit.pk}")
    from tillit.cases.selectors import case_amount_at_risk

    before = case_amount_at_risk(case)
    CaseHit.objects.create(municipality_id=hit.municipality_id, case=case, hit=hit, added_by=user)
    # each evidence row counts once: a hit on money already in the case adds only what is new
    added = case_amount_at_risk(case) - before
    Case.objects.filter(pk=case.pk).update(amount_concerned=case.amount_concerned + added)
    case.refresh_from_db()
    return case


def _subject_national_id(hit, kind: str) -> str:
    """The subject's personnummer or organisation number from the evidence, when the control put one there."""
    keys = (
        ("personnummer", "person_id")
        if kind in (CaseSubject.Kind.PERSON, CaseSubject.Kind.HOUSEHOLD, CaseSubject.Kind.STAFF)
        else ("orgnr",)
    )
    subject_id = str(hit.subject_id)
    fallback = ""
    for row in hit.evidence or []:
        values = row.get("values", row) if isinstance(row, dict) else None
        if not isinstance(values, dict):
            continue
        for key in keys:
            if values.get(key):
                # prefer the row of the subject itself (its supplier number or id)
                if subject_id in {str(v) for v in values.values()}:
                    return str(values[key])[:20]
                fallback = fallback or str(values[key])[:20]
    return fallback


def _subject_name(hit) -> str:
    """The subject's name from the evidence when the control put one there."""
    for row in hit.evidence or []:
        if isinstance(row, dict):
            values = row.get("values", row)
            for key in ("name", "supplier_name", "association_name", "provider_name", "full_name"):
                if isinstance(values, dict) and values.get(key):
                    return str(values[key])
    return ""


@transaction.atomic
def case_open_from_staff_report(
    *,
    user,
    title: str,
    case_type: str,
    description: str,
    subject_kind: str = "",
    subject_identifier: str = "",
    subject_name: str = "",
    board: Board | None = None,
    amount_concerned: Decimal | int = 0,
) -> Case:
    """Any employee reports a suspicion. The reporter is not on the team and does not see the case."""
    subjects = []
    if subject_kind and (subject_identifier or subject_name):
        subjects.append(
            {"kind": subject_kind, "identifier": subject_identifier, "name": subject_name}
        )
    return case_create(
        municipality=user.municipality,
        user=user,
        title=title,
        case_type=case_type,
        source=Source.STAFF,
        subjects=subjects,
        board=board,
        description=description,
        amount_concerned=amount_concerned,
    )


@transaction.atomic
def case_open_from_tip(
    *,
    tip_reference: str,
    municipality: Municipality,
    user,
    title: str,
    case_type: str,
    description: str,
    subjects: Iterable[dict] = (),
    whistleblowing: bool = False,
    sensitivity: str = Sensitivity.NORMAL,
) -> Case:
    """For the tips app: a case from a tip or a whistleblowing report, without the reporter's identity.

    `tip_reference` is the tip's own reference (never the reporter's name or address);
    `description` is what the tip says, with the reporter's identity left out by the caller.
    """
    return case_create(
        municipality=municipality,
        user=user,
        title=title,
        case_type=case_type,
        source=Source.WHISTLEBLOWING if whistleblowing else Source.TIP,
        subjects=subjects,
        description=description,
        sensitivity=sensitivity,
        tip_reference=tip_reference,
    )


# --- work ------------------------------------------------------------------------------------------


@transaction.atomic
def case_update(*, case: Case, user, **fields) -> Case:
    allowed = {
        "title",
        "case_type",
        "board",
        "risk_area",
        "amount_concerned",
        "due_date",
        "sensitivity",
        "description",
    }
    changed = []
    for name, value in fields.items():
        if name not in allowed:
            raise CaseError(_("That field cannot be changed here."))
        if getattr(case, name) != value:
            setattr(case, name, value)
            changed.append(name)
    if changed:
        case.save(update_fields=changed)
        _event(case, user, "updated", ", ".join(changed))
    return case


@transaction.atomic
def case_assign(*, case: Case, user, members: Iterable, lead=None) -> Case:
    members = list(members)
    if any(m.municipality_id != case.municipality_id for m in members):
        raise CaseError(_("Only staff of the municipality can be on the team."))
    if lead is not None and lead not in members:
        members.append(lead)
    case.team.set(members)
    case.lead = lead
    case.save(update_fields=["lead"])
    _event(case, user, "team", ", ".join(sorted(m.get_username() for m in members)))
    return case


@transaction.atomic
def subject_add(
    *,
    case: Case,
    user,
    kind: str,
    identifier: str = "",
    name: str = "",
    national_id: str = "",
    role: str = CaseSubject.Role.CONCERNED,
) -> CaseSubject:
    subject = CaseSubject.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        kind=kind,
        identifier=identifier[:100],
        name=name[:200],
        national_id=national_id.strip()[:20],
        role=role,
    )
    _event(case, user, "subject", kind)
    return subject


@transaction.atomic
def subject_update(
    *, subject: CaseSubject, user, role: str, national_id: str, name: str
) -> CaseSubject:
    """Who the subject is (name, personnummer or organisation number) and whether they are suspected."""
    if role not in CaseSubject.Role.values:
        raise CaseError(_("Unknown role."))
    subject.role, subject.national_id, subject.name = (
        role,
        national_id.strip()[:20],
        name.strip()[:200],
    )
    subject.save(update_fields=["role", "national_id", "name"])
    _event(subject.case, user, "subject changed", role)
    return subject


@transaction.atomic
def diary_add(
    *, case: Case, user, kind: str, text: str, occurred_on: date | None = None, contact: str = ""
) -> DiaryEntry:
    if not text.strip():
        raise CaseError(_("Write the diary entry."))
    entry = DiaryEntry.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        kind=kind,
        occurred_on=occurred_on or timezone.localdate(),
        contact=contact,
        text=text,
        author=user,
    )
    _event(case, user, "diary", kind)
    return entry


@transaction.atomic
def case_link(*, case: Case, other: Case, user, note: str = "") -> CaseLink:
    if other.pk == case.pk or other.municipality_id != case.municipality_id:
        raise CaseError(_("A case can only be linked to another case of the municipality."))
    link, _created = CaseLink.objects.get_or_create(
        municipality_id=case.municipality_id, case=case, other=other, defaults={"note": note}
    )
    CaseLink.objects.get_or_create(
        municipality_id=case.municipality_id, case=other, other=case, defaults={"note": note}
    )
    _event(case, user, "linked", other.number)
    return link


@transaction.atomic
def task_add(*, case: Case, user, title: str, assignee=None, due_date: date | None = None) -> Task:
    task = Task.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        title=title,
        assignee=assignee,
        due_date=due_date,
    )
    _event(case, user, "task", title)
    return task


@transaction.atomic
def task_done(*, task: Task, user) -> Task:
    task.done_at = timezone.now()
    task.save(update_fields=["done_at"])
    _event(task.case, user, "task done", task.title)
    return task


@transaction.atomic
def intent_record(*, case: Case, user, level: str, reasoning: str) -> IntentAssessment:
    if not reasoning.strip():
        raise CaseError(_("Give the reasons for the assessment."))
    assessment = IntentAssessment.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        level=level,
        reasoning=reasoning,
        assessed_by=user,
    )
    _event(case, user, "intent", level)
    return assessment


# --- documents ---------------------------------------------------------------------------------


def files_root() -> Path:
    return Path(getattr(settings, "CASE_FILES_DIR", None) or Path(settings.DATA_DIR) / "case-files")


def document_path(document: CaseDocument) -> Path:
    return files_root() / str(document.municipality_id) / document.storage_name


@transaction.atomic
def document_add(
    *,
    case: Case,
    user,
    title: str,
    filename: str,
    content: bytes,
    content_type: str = "application/octet-stream",
    kind: str = CaseDocument.Kind.EVIDENCE,
) -> CaseDocument:
    """Store the bytes and record their SHA-256 before anything else can touch them."""
    digest = hashlib.sha256(content).hexdigest()
    storage_name = f"{case.pk}/{uuid.uuid4().hex}"
    document = CaseDocument.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        title=title[:200] or filename[:200],
        kind=kind,
        filename=Path(filename).name[:200] or "file",
        content_type=content_type[:100],
        size=len(content),
        sha256=digest,
        storage_name=storage_name,
        uploaded_by=user,
    )
    # whole or not at all: a crash leaves a temporary file or a file no row names, both removed
    # by the next start's recovery (files_clean), never half a document under its real name
    write_atomic(document_path(document), content)
    _event(case, user, "document", f"{document.filename} sha256={digest}")
    return document


def files_clean(untouched_for: float) -> int:
    """What a crash while a document was being stored left in the archive: temporary files of a
    process that has ended, and files no document row names (the row's transaction never
    committed) once untouched for `untouched_for` seconds. Called by accounts.jobs.recover()."""
    known = {
        f"{municipality_id}/{storage_name}"
        for municipality_id, storage_name in CaseDocument.objects.values_list(
            "municipality_id", "storage_name"
        )
    }
    return remove_leftovers(files_root(), known, untouched_for=untouched_for)


def document_read(*, document: CaseDocument) -> bytes:
    """The bytes, only if they still have the SHA-256 recorded at upload."""
    path = document_path(document)
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise DocumentTampered(
            _("The file “%(name)s” is missing from the archive. It has not been handed out.")
            % {"name": document.filename}
        ) from None
    if hashlib.sha256(content).hexdigest() != document.sha256:
        raise DocumentTampered(
            _(
                "The file “%(name)s” has changed since it was registered (its SHA-256 checksum no longer "
                "matches). It has not been handed out; contact the system administrator."
            )
            % {"name": document.filename}
        )
    return content


@transaction.atomic
def document_register_generated(
    *, case: Case, user, title: str, text: str, stem: str
) -> list[CaseDocument]:
    """Register an outcome's document as the investigator edited it: as Word (.docx) and as PDF."""
    from tillit.cases.documents import to_docx, to_pdf

    return [
        document_add(
            case=case,
            user=user,
            title=f"{title} (Word)",
            filename=f"{stem}.docx",
            content=to_docx(title, text),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            kind=CaseDocument.Kind.GENERATED,
        ),
        document_add(
            case=case,
            user=user,
            title=f"{title} (PDF)",
            filename=f"{stem}.pdf",
            content=to_pdf(title, text),
            content_type="application/pdf",
            kind=CaseDocument.Kind.GENERATED,
        ),
    ]


# --- letters to the person or company, templates and the letterhead -----------------------------

LETTER_STEMS = {
    Letter.Kind.COMMUNICATION: ("Kommunicering", "kommunicering"),
    Letter.Kind.SUMMONS: ("Kallelse", "kallelse"),
    Letter.Kind.REQUEST: ("Begäran om uppgifter", "begaran-om-uppgifter"),
}


@transaction.atomic
def letter_send(
    *,
    case: Case,
    user,
    kind: str,
    addressee: str,
    body: str,
    sent_on: date | None = None,
    identifier: str = "",
    address: str = "",
    interpreter: str = "",
    material: Iterable[int] = (),
    reply_by: date | None = None,
    meeting_at=None,
    meeting_place: str = "",
) -> Letter:
    """A letter to the person or company: written from the municipality's template, registered as Word
    and PDF, and recorded in the case diary with what was sent and the reply deadline."""
    from tillit.cases.documents import draft_letter

    if kind not in Letter.Kind.values:
        raise CaseError(_("Unknown letter."))
    if not addressee.strip():
        raise CaseError(_("Write who the letter is to."))
    if not body.strip():
        raise CaseError(_("Write what the letter says."))
    sent_on = sent_on or timezone.localdate()
    material_ids = list(case.documents.filter(pk__in=list(material)).values_list("pk", flat=True))
    if kind == Letter.Kind.COMMUNICATION:
        if reply_by is None or reply_by <= sent_on:
            raise CaseError(
                _("Give the person a date to reply by, after the day the letter is sent.")
            )
    if kind == Letter.Kind.SUMMONS and meeting_at is None:
        raise CaseError(_("Give the time of the meeting."))
    letter = Letter.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        kind=kind,
        addressee=addressee.strip()[:200],
        identifier=identifier.strip()[:20],
        address=address,
        interpreter=interpreter.strip()[:100],
        material=material_ids,
        body=body,
        reply_by=reply_by,
        meeting_at=meeting_at,
        meeting_place=meeting_place[:200],
        sent_on=sent_on,
        sent_by=user,
    )
    title, stem = LETTER_STEMS[kind]
    document_register_generated(
        case=case,
        user=user,
        title=f"{title} {case.number}",
        text=draft_letter(letter, user),
        stem=f"{stem}-{case.number}-{letter.pk}",
    )
    titles = ", ".join(case.documents.filter(pk__in=material_ids).values_list("title", flat=True))
    with translation_override("sv"):
        summary = " ".join(
            filter(
                None,
                [
                    str(
                        _("%(letter)s sent to %(to)s.") % {"letter": title, "to": letter.addressee}
                    ),
                    str(_("Material: %(titles)s.") % {"titles": titles}) if titles else "",
                    str(_("Reply by %(date)s.") % {"date": reply_by.isoformat()})
                    if reply_by
                    else "",
                    str(_("Interpreter: %(language)s.") % {"language": letter.interpreter})
                    if letter.interpreter
                    else "",
                ],
            )
        )
    DiaryEntry.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        kind=DiaryEntry.Kind.LETTER,
        occurred_on=sent_on,
        contact=letter.addressee,
        text=summary,
        author=user,
    )
    _event(case, user, "letter", kind)
    return letter


@transaction.atomic
def letter_reply(*, letter: Letter, user, received_on: date, reply: str) -> Letter:
    """The person's reply (or that none came), recorded on the letter and in the diary."""
    if letter.reply_received_on is not None:
        raise CaseError(_("A reply is already registered."))
    if not reply.strip():
        raise CaseError(_("Write what the reply says."))
    if received_on < letter.sent_on:
        raise CaseError(_("The reply cannot be dated before the letter was sent."))
    letter.reply_received_on, letter.reply = received_on, reply
    letter.save(update_fields=["reply_received_on", "reply"])
    DiaryEntry.objects.create(
        municipality_id=letter.municipality_id,
        case=letter.case,
        kind=DiaryEntry.Kind.OWN_ACCOUNT,
        occurred_on=received_on,
        contact=letter.addressee,
        text=reply,
        author=user,
    )
    _event(letter.case, user, "letter reply", letter.kind)
    return letter


@transaction.atomic
def template_save(*, user, kind: str, text: str, note: str = ""):
    """A new version of the municipality's template; earlier versions are kept."""
    from django.template import TemplateSyntaxError

    from tillit.cases.documents import _ENGINE, TEMPLATES
    from tillit.cases.models import DocumentTemplate

    if kind not in TEMPLATES:
        raise CaseError(_("Unknown document."))
    if not text.strip():
        raise CaseError(_("The template is empty."))
    try:
        _ENGINE.from_string(text)
    except TemplateSyntaxError as error:
        raise CaseError(
            _("The template cannot be used: %(error)s. Nothing was saved.") % {"error": error}
        ) from None
    last = (
        DocumentTemplate.objects.filter(municipality_id=user.municipality_id, kind=kind).aggregate(
            m=Max("version")
        )["m"]
        or 0
    )
    return DocumentTemplate.objects.create(
        municipality_id=user.municipality_id,
        kind=kind,
        version=last + 1,
        text=text,
        note=note[:200],
        created_by=user,
    )


@transaction.atomic
def letterhead_save(*, user, **fields):
    from tillit.cases.models import Letterhead

    allowed = {"authority", "orgnr", "address", "phone", "email", "decision_maker_title"}
    if set(fields) - allowed:
        raise CaseError(_("That field cannot be changed here."))
    letterhead, _created = Letterhead.objects.get_or_create(municipality_id=user.municipality_id)
    for name, value in fields.items():
        setattr(letterhead, name, (value or "").strip())
    letterhead.save()
    return letterhead


# --- release of public documents (utlämnande av allmän handling) ---------------------------------


def _document_text(document: CaseDocument) -> str:
    from tillit.cases.disclosure import NotReadable, document_text

    try:
        return document_text(
            document.filename, document.content_type, document_read(document=document)
        )
    except NotReadable as error:
        raise CaseError(str(error)) from None


@transaction.atomic
def disclosure_register(
    *, case: Case, user, document: CaseDocument, received_on: date, requester: str = ""
) -> DisclosureRequest:
    """A request to see a case document is registered the day it comes in."""
    if document.case_id != case.pk:
        raise CaseError(_("The document belongs to another case."))
    request = DisclosureRequest.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        document=document,
        requester=requester.strip()[:200],
        received_on=received_on,
        registered_by=user,
    )
    _event(case, user, "disclosure request", document.filename)
    return request


@transaction.atomic
def masking_add(*, request: DisclosureRequest, user, passage: str, provision: str) -> Masking:
    """A passage kept secret, with the provision of OSL that applies (the secrecy review)."""
    from tillit.cases.disclosure import passage_found

    if request.decision != DisclosureRequest.Decision.PENDING:
        raise CaseError(_("The request has already been decided."))
    if not passage.strip():
        raise CaseError(_("Write the passage to mask."))
    if not provision.strip():
        raise CaseError(
            _("Give the provision of OSL (chapter and section) that makes the passage secret.")
        )
    if not passage_found(_document_text(request.document), passage):
        raise CaseError(
            _("The passage “%(passage)s” is not in the document. Copy it exactly as it is written.")
            % {"passage": passage.strip()[:80]}
        )
    masking = Masking.objects.create(
        municipality_id=request.municipality_id,
        request=request,
        passage=passage.strip(),
        provision=provision.strip()[:100],
        added_by=user,
    )
    _event(request.case, user, "secrecy review", provision.strip()[:100])
    return masking


@transaction.atomic
def disclosure_decide(
    *, request: DisclosureRequest, user, decision: str, decided_on: date, reasoning: str = ""
) -> DisclosureRequest:
    """Release in full, release with the masked passages burned in, or refuse. A decision to mask
    in part or refuse is registered with its appeal route (kammarrätten)."""
    from tillit.cases.disclosure import released_pdf
    from tillit.cases.documents import draft_disclosure_decision

    request = DisclosureRequest.objects.select_for_update().get(pk=request.pk)
    case = request.case
    if request.decision != DisclosureRequest.Decision.PENDING:
        raise CaseError(_("The request has already been decided."))
    if decision not in (
        DisclosureRequest.Decision.RELEASED,
        DisclosureRequest.Decision.PARTLY,
        DisclosureRequest.Decision.REFUSED,
    ):
        raise CaseError(_("Choose the decision."))
    maskings = list(request.maskings.all())
    if decision == DisclosureRequest.Decision.PARTLY and not maskings:
        raise CaseError(
            _(
                "Record the passages to mask, each with its provision, before releasing with masking."
            )
        )
    if decision == DisclosureRequest.Decision.REFUSED and not (maskings or reasoning.strip()):
        raise CaseError(_("Give the provision of OSL the refusal rests on."))
    if decision == DisclosureRequest.Decision.RELEASED and maskings:
        raise CaseError(_("Passages are marked for masking: choose release with parts masked."))
    request.decision, request.decided_on, request.decided_by = decision, decided_on, user
    request.reasoning = reasoning
    if decision != DisclosureRequest.Decision.REFUSED:
        text = _document_text(request.document)
        content = released_pdf(
            title=f"Utlämnad kopia {case.number}",
            header=f"Utlämnad kopia – {case.municipality.name} – diarienummer {case.number} – beslut "
            f"{decided_on.isoformat()}",
            text=text,
            maskings=[(m.passage, m.provision) for m in maskings],
        )
        request.released_copy = document_add(
            case=case,
            user=user,
            title=f"Utlämnad kopia av {request.document.title}"[:200],
            filename=f"utlamnad-kopia-{case.number}-{request.pk}.pdf",
            content=content,
            content_type="application/pdf",
            kind=CaseDocument.Kind.RELEASED,
        )
    request.save()
    decision_docs = document_register_generated(
        case=case,
        user=user,
        title=f"Beslut om utlämnande {case.number}",
        text=draft_disclosure_decision(request, user),
        stem=f"beslut-om-utlamnande-{case.number}-{request.pk}",
    )
    request.decision_document = decision_docs[-1]
    request.save(update_fields=["decision_document"])
    _event(case, user, "disclosure decided", decision)
    return request


# --- outcomes --------------------------------------------------------------------------------


def _require_outcome_state(case: Case) -> None:
    if case.state not in (State.INVESTIGATION, State.DECISION, State.FOLLOW_UP):
        raise CaseError(_("Outcomes are recorded during the investigation, decision or follow-up."))


@transaction.atomic
def recovery_claim_decide(
    *,
    case: Case,
    user,
    amount: Decimal,
    legal_ground: str,
    decision_date: date,
    debtor: str,
    reasoning: str,
    period: str = "",
    payment_plan: str = "",
    debtor_id: str = "",
) -> RecoveryClaim:
    from tillit.cases.documents import ADMINISTRATIVE_GROUNDS

    _require_outcome_state(case)
    if amount <= 0:
        raise CaseError(_("The amount must be more than zero."))
    if legal_ground in ADMINISTRATIVE_GROUNDS:
        # förvaltningslagen 25 §: no decision against the individual while they may still reply
        waiting = [
            letter
            for letter in case.letters.filter(kind=Letter.Kind.COMMUNICATION)
            if letter.reply_received_on is None
            and letter.reply_by
            and letter.reply_by >= decision_date
        ]
        if waiting:
            raise CaseError(
                _(
                    "The person has until %(date)s to reply to the communication. Decide after that, "
                    "or when the reply has been registered."
                )
                % {"date": waiting[0].reply_by.isoformat()}
            )
    claim = RecoveryClaim.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        amount=amount,
        legal_ground=legal_ground,
        decision_date=decision_date,
        debtor=debtor,
        debtor_id=debtor_id.strip()[:20],
        period=period,
        reasoning=reasoning,
        payment_plan=payment_plan,
        decided_by=user,
    )
    _event(case, user, "recovery claim", f"{amount} ({legal_ground})")
    return claim


@transaction.atomic
def recovery_payment_record(
    *, claim: RecoveryClaim, user, paid_on: date, amount: Decimal
) -> RecoveryPayment:
    if amount <= 0:
        raise CaseError(_("The amount must be more than zero."))
    if amount > claim.outstanding:
        raise CaseError(_("The payment is larger than what remains of the claim."))
    payment = RecoveryPayment.objects.create(
        municipality_id=claim.municipality_id,
        claim=claim,
        paid_on=paid_on,
        amount=amount,
        recorded_by=user,
    )
    _event(claim.case, user, "payment", f"{amount} {paid_on.isoformat()}")
    return payment


@transaction.atomic
def recovery_write_off(
    *, claim: RecoveryClaim, user, amount: Decimal, written_off_on: date, reason: str
) -> RecoveryClaim:
    if not reason.strip():
        raise CaseError(_("Give the reason for the write-off."))
    if amount <= 0 or amount > claim.outstanding:
        raise CaseError(
            _("The write-off must be more than zero and at most what remains of the claim.")
        )
    claim.written_off += amount
    claim.written_off_on = written_off_on
    claim.write_off_reason = reason
    claim.save(update_fields=["written_off", "written_off_on", "write_off_reason"])
    _event(claim.case, user, "write-off", f"{amount}")
    return claim


@transaction.atomic
def police_report_record(
    *,
    case: Case,
    user,
    offences: list[str],
    checklist: dict[str, bool],
    facts: str,
    reported_on: date | None = None,
    attachments: list[int] = (),
    police_reference: str = "",
) -> PoliceReport:
    from tillit.cases.documents import POLICE_CHECKLIST, police_report_grounds

    _require_outcome_state(case)
    if not offences:
        raise CaseError(_("Choose at least one offence the facts may amount to."))
    if not police_report_grounds(checklist):
        raise CaseError(_("The checklist gives no ground for a police report."))
    if reported_on is not None and reported_on > timezone.localdate():
        raise CaseError(_("A police report cannot be registered as sent on a future date."))
    attachment_ids = list(
        case.documents.filter(pk__in=list(attachments)).values_list("pk", flat=True)
    )
    report = PoliceReport.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        offences=list(offences),
        checklist={key: bool(checklist.get(key)) for key, _label in POLICE_CHECKLIST},
        facts=facts,
        attachments=attachment_ids,
        reported_on=reported_on,
        police_reference=police_reference,
        reported_by=user,
    )
    _event(case, user, "police report", ", ".join(offences))
    if reported_on is not None:
        _event(case, user, "police report sent", reported_on.isoformat())
    return report


@transaction.atomic
def police_report_mark_sent(
    *, report: PoliceReport, user, sent_on: date, police_reference: str = ""
) -> PoliceReport:
    """Register that the report was sent to the police: from then on it counts as a police report."""
    if report.reported_on is not None:
        raise CaseError(_("The police report is already registered as sent."))
    if sent_on > timezone.localdate():
        raise CaseError(_("A police report cannot be registered as sent on a future date."))
    report.reported_on = sent_on
    if police_reference:
        report.police_reference = police_reference[:50]
    report.save(update_fields=["reported_on", "police_reference"])
    _event(report.case, user, "police report sent", sent_on.isoformat())
    return report


def _check_notification(recipient: str, legal_ground: str, shared: str, sent_on: date) -> None:
    if recipient not in Notification.Recipient.values:
        raise CaseError(_("Choose the authority."))
    if legal_ground not in Notification.LegalGround.values:
        raise CaseError(_("Choose the legal ground."))
    if not shared.strip():
        raise CaseError(_("Describe what was shared."))
    in_force = Notification.GROUND_IN_FORCE.get(legal_ground)
    if in_force and sent_on.isoformat() < in_force:
        raise CaseError(
            _("%(ground)s applies from %(date)s.")
            % {"ground": Notification.LegalGround(legal_ground).label, "date": in_force}
        )


@transaction.atomic
def notification_record(
    *, case: Case, user, recipient: str, legal_ground: str, shared: str, sent_on: date
) -> Notification:
    """An outgoing notification from a case: one row in the information-sharing ledger."""
    _check_notification(recipient, legal_ground, shared, sent_on)
    notification = Notification.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        recipient=recipient,
        legal_ground=legal_ground,
        shared=shared,
        sent_on=sent_on,
        sent_by=user,
    )
    _event(case, user, "notification", f"{recipient} ({legal_ground})")
    return notification


@transaction.atomic
def notification_from_hit(
    *, hit, user, recipient: str, legal_ground: str, shared: str, sent_on: date | None = None
) -> Notification:
    """An outgoing notification made from the review queue: one row in the ledger, tied to the hit.

    If the hit is already part of a case, the row belongs to that case as well.
    """
    sent_on = sent_on or timezone.localdate()
    _check_notification(recipient, legal_ground, shared, sent_on)
    link = CaseHit.objects.filter(hit=hit).select_related("case").first()
    notification = Notification.objects.create(
        municipality_id=hit.municipality_id,
        case=link.case if link else None,
        hit=hit,
        recipient=recipient,
        legal_ground=legal_ground,
        shared=shared,
        sent_on=sent_on,
        sent_by=user,
    )
    if link:
        _event(link.case, user, "notification", f"{recipient} ({legal_ground})")
    return notification


@transaction.atomic
def incoming_record(
    *,
    user,
    recipient: str,
    legal_ground: str,
    shared: str,
    received_on: date,
    case: Case | None = None,
    answer: str = "",
    answered_on: date | None = None,
) -> Notification:
    """Information another authority asked for or sent to the municipality (for example under lag
    (2024:307)), registered in the ledger beside what the municipality sent."""
    _check_notification(recipient, legal_ground, shared, received_on)
    if answered_on is not None and answered_on < received_on:
        raise CaseError(_("The answer cannot be dated before the request came in."))
    if case is not None and case.municipality_id != user.municipality_id:
        raise CaseError(_("A case can only be linked to another case of the municipality."))
    notification = Notification.objects.create(
        municipality_id=user.municipality_id,
        case=case,
        direction=Notification.Direction.INCOMING,
        recipient=recipient,
        legal_ground=legal_ground,
        shared=shared,
        sent_on=received_on,
        answer=answer,
        answered_on=answered_on,
        sent_by=user,
    )
    if case is not None:
        _event(case, user, "incoming information", f"{recipient} ({legal_ground})")
    return notification


@transaction.atomic
def incoming_answer(
    *, notification: Notification, user, answer: str, answered_on: date
) -> Notification:
    if not answer.strip():
        raise CaseError(_("Write the answer."))
    if answered_on < notification.sent_on:
        raise CaseError(_("The answer cannot be dated before the request came in."))
    notification.answer, notification.answered_on = answer, answered_on
    notification.save(update_fields=["answer", "answered_on"])
    if notification.case_id:
        _event(notification.case, user, "incoming answered", notification.recipient)
    return notification


@transaction.atomic
def sanction_record(
    *,
    case: Case,
    user,
    step: int,
    provider: str,
    decided_on: date,
    description: str,
    amount: Decimal | None = None,
    follow_up_on: date | None = None,
) -> Sanction:
    _require_outcome_state(case)
    highest = case.sanctions.filter(provider=provider).aggregate(m=Max("step"))["m"] or 0
    if step < highest:
        raise CaseError(_("The provider is already on a higher step of the sanction ladder."))
    if step == Sanction.Step.PENALTY and not amount:
        raise CaseError(_("Give the amount of the penalty or deduction."))
    sanction = Sanction.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        step=step,
        provider=provider,
        decided_on=decided_on,
        description=description,
        amount=amount,
        follow_up_on=follow_up_on,
        decided_by=user,
    )
    _event(case, user, "sanction", Sanction.Step(step).label)
    return sanction


@transaction.atomic
def sanction_follow_up(*, sanction: Sanction, user, followed_up_at: date, note: str) -> Sanction:
    sanction.followed_up_at = followed_up_at
    sanction.follow_up_note = note
    sanction.save(update_fields=["followed_up_at", "follow_up_note"])
    _event(sanction.case, user, "sanction follow-up", Sanction.Step(sanction.step).label)
    return sanction


@transaction.atomic
def outcome_record(
    *, case: Case, user, kind: str, decided_on: date, note: str, amount: Decimal | None = None
) -> OtherOutcome:
    _require_outcome_state(case)
    outcome = OtherOutcome.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        kind=kind,
        decided_on=decided_on,
        note=note,
        amount=amount,
        decided_by=user,
    )
    _event(case, user, "outcome", kind)
    return outcome


# --- retention (gallring) -------------------------------------------------------------------------


def retention_due(*, municipality_id: int, today: date | None = None):
    """Closed cases past their retention date, not already proposed, with nothing left to collect."""
    today = today or timezone.localdate()
    pending = DeletionRequest.objects.filter(status=DeletionRequest.Status.PROPOSED).values(
        "case_id"
    )
    cases = Case.objects.filter(
        municipality_id=municipality_id, state__in=FINAL_STATES, retain_until__lt=today
    ).exclude(pk__in=pending)
    return [c for c in cases if all(claim.outstanding <= 0 for claim in c.recovery_claims.all())]


@transaction.atomic
def deletion_propose(*, user, today: date | None = None) -> list[DeletionRequest]:
    proposals = []
    for case in retention_due(municipality_id=user.municipality_id, today=today):
        proposals.append(
            DeletionRequest.objects.create(
                municipality_id=case.municipality_id,
                case=case,
                case_number=case.number,
                case_type=case.case_type,
                closed_on=timezone.localdate(case.closed_at) if case.closed_at else None,
                retain_until=case.retain_until,
                proposed_by=user,
            )
        )
    return proposals


@transaction.atomic
def deletion_approve(*, request: DeletionRequest, user) -> DeletionRequest:
    """The second person approves: the case, its files and everything in it are deleted.

    What remains is the request row (number, type, dates, who proposed and who approved),
    never names, identifiers or text from the case.
    """
    request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != DeletionRequest.Status.PROPOSED:
        raise CaseError(_("The deletion has already been decided."))
    if request.proposed_by_id == user.pk:
        raise CaseError(
            _("Deletion needs a second person: someone other than the proposer must approve it.")
        )
    case = request.case
    documents = 0
    if case is not None:
        if case.state not in FINAL_STATES:
            raise CaseError(_("The case has been reopened and cannot be deleted."))
        paths = [document_path(d) for d in case.documents.all()]
        documents = len(paths)
        request.case = None
        request.save(update_fields=["case"])
        case.delete()
        # the files go only once the rows are gone, and only if the transaction commits
        transaction.on_commit(lambda: [p.unlink(missing_ok=True) for p in paths])
    request.status = DeletionRequest.Status.DONE
    request.decided_by = user
    request.decided_at = timezone.now()
    request.documents_deleted = documents
    request.save(update_fields=["status", "decided_by", "decided_at", "documents_deleted"])
    return request


@transaction.atomic
def deletion_reject(*, request: DeletionRequest, user, note: str) -> DeletionRequest:
    if request.status != DeletionRequest.Status.PROPOSED:
        raise CaseError(_("The deletion has already been decided."))
    if not note.strip():
        raise CaseError(_("Give the reason for keeping the case."))
    request.status = DeletionRequest.Status.REJECTED
    request.decided_by = user
    request.decided_at = timezone.now()
    request.note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "note"])
    if request.case is not None:
        # keep it another year before it is proposed again
        request.case.retain_until = timezone.localdate() + timedelta(days=365)
        request.case.save(update_fields=["retain_until"])
        _event(request.case, user, "retention kept", note)
    return request
