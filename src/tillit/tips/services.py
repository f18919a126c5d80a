"""Writes for the tips app: intake, keys, messages, deadlines, handover, vault and retention.

Plaintext exists only in memory while a request is served: the reporter's answers are
encrypted before anything is written, and a receiver's private key is unlocked with their
password and kept in the session only encrypted with a key that lives in their browser.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from nacl.exceptions import CryptoError

from tillit.lib.files import remove_leftovers, write_atomic
from tillit.tips import crypto
from tillit.tips import deadlines as dl
from tillit.tips.models import (
    Attachment,
    Category,
    Channel,
    ChannelMember,
    Complaint,
    IdentityVault,
    KeyRecovery,
    KeyRecoveryApproval,
    Message,
    RecoveryKey,
    RecoveryShare,
    Reminder,
    Report,
    ReportKey,
    Throttle,
    TipEvent,
    UserKey,
    VaultKey,
    VaultRequest,
)

log = logging.getLogger(__name__)

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024
MAX_TEXT = 20_000
# extension -> accepted leading bytes (None: plain text, checked as UTF-8)
ALLOWED_TYPES: dict[str, tuple[bytes, ...] | None] = {
    "pdf": (b"%PDF",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "txt": None,
    "csv": None,
}
RETENTION_DAYS = {Channel.TIPS: 365, Channel.WHISTLEBLOWING: 730}


class TipError(ValueError):
    """A refusal with a message for the user (already translated)."""


@dataclass
class Upload:
    name: str
    content: bytes


@dataclass
class ScanResult:
    status: str
    detail: str = ""


@dataclass
class Opened:
    report: Report
    data_key: bytes
    content: dict = field(default_factory=dict)


def _now():
    return timezone.now()


def _event(
    report: Report | None, user, action: str, detail: str = "", municipality_id=None
) -> None:
    TipEvent.objects.create(
        municipality_id=municipality_id or report.municipality_id,
        report=report,
        reference=report.reference if report else "",
        user=user if getattr(user, "pk", None) else None,
        action=action,
        detail=detail[:300],
        at=_now(),
    )


def files_dir() -> Path:
    path = Path(settings.DATA_DIR) / "tips"
    path.mkdir(parents=True, exist_ok=True)
    return path


def files_clean(untouched_for: float) -> int:
    """What a crash during a submission or a reply left among the attachments: temporary files of
    a process that has ended, and encrypted files no attachment row names (the report's
    transaction never committed) once untouched for `untouched_for` seconds. Called by
    accounts.jobs.recover()."""
    known = set(Attachment.objects.values_list("stored_name", flat=True))
    return remove_leftovers(files_dir(), known, untouched_for=untouched_for)


def normalise_orgnr(value: str) -> str:
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    if len(digits) == 12 and digits.startswith("16"):
        digits = digits[2:]
    return digits


# --- throttling ---------------------------------------------------------------------------------


def _window(seconds: int) -> int:
    return int(_now().timestamp()) // seconds


def throttle_count(key: str, seconds: int) -> int:
    row = Throttle.objects.filter(key=key, window=_window(seconds)).first()
    return row.count if row else 0


def throttle_add(key: str, seconds: int) -> int:
    window = _window(seconds)
    with transaction.atomic():
        row, _created = Throttle.objects.get_or_create(key=key, window=window)
        Throttle.objects.filter(pk=row.pk).update(count=F("count") + 1)
    # Old windows say nothing useful; keep the table small.
    Throttle.objects.filter(key=key, window__lt=window - 1).delete()
    return throttle_count(key, seconds)


# --- keys ---------------------------------------------------------------------------------------


def key_create(*, user, password: str) -> tuple[UserKey, bytes]:
    """A key pair for the user, its private half wrapped with their password (and escrowed)."""
    if not user.check_password(password):
        raise TipError(_("The password is wrong."))
    wrapped, private_key = crypto.new_wrapped_keypair(password)
    recovery = RecoveryKey.objects.filter(municipality_id=user.municipality_id, active=True).first()
    key = UserKey.objects.create(
        user=user,
        public_key=wrapped.public_key,
        salt=wrapped.salt,
        opslimit=wrapped.opslimit,
        memlimit=wrapped.memlimit,
        wrapped_secret=wrapped.wrapped_secret,
        escrow=crypto.seal(recovery.public_key, private_key) if recovery else None,
        escrow_key=recovery,
    )
    return key, private_key


def key_unlock(*, user, password: str) -> bytes:
    """The user's private key, unlocked with their password; completes a pending recovery."""
    key = UserKey.objects.filter(user=user).first()
    recovery = KeyRecovery.objects.filter(user=user, status=KeyRecovery.Status.APPROVED).first()
    if recovery is not None:
        return _recovery_complete(recovery, key, password)
    if key is None:
        raise TipError(_("You have no key yet."))
    try:
        private_key = crypto.unwrap_with_password(key, password)
    except CryptoError:
        raise TipError(_("The password is wrong.")) from None
    active = RecoveryKey.objects.filter(municipality_id=user.municipality_id, active=True).first()
    if active is not None and key.escrow_key_id != active.pk:
        key.escrow = crypto.seal(active.public_key, private_key)
        key.escrow_key = active
        key.save(update_fields=["escrow", "escrow_key"])
    return private_key


def key_rewrap(*, user, private_key: bytes, password: str) -> None:
    """After a password change: the same private key, wrapped with the new password."""
    key = UserKey.objects.get(user=user)
    wrapped = crypto.wrap_with_password(private_key, password)
    key.salt, key.opslimit, key.memlimit, key.wrapped_secret = (
        wrapped.salt,
        wrapped.opslimit,
        wrapped.memlimit,
        wrapped.wrapped_secret,
    )
    key.save(update_fields=["salt", "opslimit", "memlimit", "wrapped_secret"])


def _share_holders_with_keys(municipality_id: int):
    from tillit.accounts.access import has_perm
    from tillit.accounts.models import User

    users = User.objects.filter(
        municipality_id=municipality_id, is_active=True, tips_key__isnull=False
    )
    return [u for u in users if has_perm(u, "tips.manage")]


@transaction.atomic
def recovery_key_create(*, user, second_holder) -> RecoveryKey:
    """A new recovery key split between two administrators; no one ever holds it whole.

    Every existing receiver key is escrowed to it the next time its owner unlocks it.
    """
    from tillit.accounts.access import has_perm

    if second_holder.pk == user.pk:
        raise TipError(_("The two shares must be held by two different administrators."))
    for holder in (user, second_holder):
        if holder.municipality_id != user.municipality_id or not has_perm(holder, "tips.manage"):
            raise TipError(_("Both share holders must be administrators of this municipality."))
        if not UserKey.objects.filter(user=holder).exists():
            raise TipError(
                _("%(name)s has no key yet: they must create one first.")
                % {"name": holder.username}
            )
    private_key = bytes(crypto.PrivateKey.generate())
    first, second = crypto.split_secret(private_key)
    RecoveryKey.objects.filter(municipality_id=user.municipality_id, active=True).update(
        active=False
    )
    recovery = RecoveryKey.objects.create(
        municipality_id=user.municipality_id,
        created_by=user,
        public_key=crypto.public_of(private_key),
    )
    for index, (holder, share) in enumerate(((user, first), (second_holder, second)), start=1):
        RecoveryShare.objects.create(
            recovery_key=recovery,
            holder=holder,
            index=index,
            sealed_share=crypto.seal(holder.tips_key.public_key, share),
        )
    TipEvent.objects.create(
        municipality_id=user.municipality_id,
        user=user,
        action="recovery_key_created",
        detail=f"{user.username}, {second_holder.username}",
        at=_now(),
    )
    return recovery


@transaction.atomic
def recovery_request(*, user, new_password: str) -> KeyRecovery:
    """A receiver whose password was reset asks for their old key (sealed to a fresh key of theirs)."""
    key = UserKey.objects.filter(user=user).first()
    if key is None or key.escrow_key is None:
        raise TipError(_("Your key was never escrowed, so it cannot be recovered."))
    if not user.check_password(new_password):
        raise TipError(_("The password is wrong."))
    KeyRecovery.objects.filter(user=user).exclude(status=KeyRecovery.Status.DONE).delete()
    wrapped, _private = crypto.new_wrapped_keypair(new_password)
    recovery = KeyRecovery.objects.create(
        municipality_id=user.municipality_id,
        user=user,
        recovery_key=key.escrow_key,
        public_key=wrapped.public_key,
        salt=wrapped.salt,
        opslimit=wrapped.opslimit,
        memlimit=wrapped.memlimit,
        wrapped_secret=wrapped.wrapped_secret,
    )
    TipEvent.objects.create(
        municipality_id=user.municipality_id, user=user, action="recovery_requested", at=_now()
    )
    return recovery


@transaction.atomic
def recovery_approve(*, recovery: KeyRecovery, approver, private_key: bytes) -> KeyRecovery:
    """A share holder passes their share on, sealed to the asking user's fresh key."""
    if approver.pk == recovery.user_id:
        raise TipError(_("You cannot approve the recovery of your own key."))
    share = RecoveryShare.objects.filter(
        recovery_key=recovery.recovery_key, holder=approver
    ).first()
    if share is None:
        raise TipError(_("You hold no share of this recovery key."))
    if recovery.approvals.filter(approver=approver).exists():
        raise TipError(_("You have already approved."))
    plain_share = crypto.unseal(private_key, share.sealed_share)
    KeyRecoveryApproval.objects.create(
        recovery=recovery,
        approver=approver,
        index=share.index,
        sealed_share=crypto.seal(recovery.public_key, plain_share),
    )
    if recovery.approvals.count() >= 2:
        recovery.status = KeyRecovery.Status.APPROVED
        recovery.save(update_fields=["status"])
    TipEvent.objects.create(
        municipality_id=recovery.municipality_id,
        user=approver,
        action="recovery_approved",
        detail=recovery.user.username,
        at=_now(),
    )
    return recovery


def _recovery_complete(recovery: KeyRecovery, key: UserKey, password: str) -> bytes:
    try:
        fresh = crypto.unwrap_with_password(recovery, password)
    except CryptoError:
        raise TipError(_("The password is wrong.")) from None
    shares = {a.index: crypto.unseal(fresh, a.sealed_share) for a in recovery.approvals.all()}
    recovery_private = crypto.join_secret(shares[1], shares[2])
    private_key = crypto.unseal(recovery_private, key.escrow)
    key_rewrap(user=recovery.user, private_key=private_key, password=password)
    recovery.status = KeyRecovery.Status.DONE
    recovery.wrapped_secret = b""
    recovery.save(update_fields=["status", "wrapped_secret"])
    TipEvent.objects.create(
        municipality_id=recovery.municipality_id,
        user=recovery.user,
        action="recovery_completed",
        at=_now(),
    )
    return private_key


# --- members ------------------------------------------------------------------------------------


def member_add(*, by, user, channel: str, duty: str = ChannelMember.Duty.RECEIVER) -> ChannelMember:
    if user.municipality_id != by.municipality_id:
        raise TipError(_("The user belongs to another municipality."))
    perm = (
        "tips.custodian"
        if duty == ChannelMember.Duty.CUSTODIAN
        else ("whistleblowing.view" if channel == Channel.WHISTLEBLOWING else "tips.view")
    )
    from tillit.accounts.access import has_perm

    if not has_perm(user, perm):
        raise TipError(_("The user's role may not have that duty."))
    member, _created = ChannelMember.objects.get_or_create(
        municipality_id=user.municipality_id, user=user, channel=channel, duty=duty
    )
    TipEvent.objects.create(
        municipality_id=by.municipality_id,
        user=by,
        action="member_added",
        detail=f"{user.username} {channel} {duty}",
        at=_now(),
    )
    return member


def member_remove(*, by, member: ChannelMember) -> None:
    TipEvent.objects.create(
        municipality_id=by.municipality_id,
        user=by,
        action="member_removed",
        detail=f"{member.user.username} {member.channel} {member.duty}",
        at=_now(),
    )
    member.delete()


def _keys_of(municipality_id: int, channel: str, duty: str) -> list[UserKey]:
    return list(
        UserKey.objects.filter(
            user__tip_duties__municipality_id=municipality_id,
            user__tip_duties__channel=channel,
            user__tip_duties__duty=duty,
            user__is_active=True,
        ).distinct()
    )


def channel_open(municipality, channel: str) -> bool:
    return bool(_keys_of(municipality.pk, channel, ChannelMember.Duty.RECEIVER))


# --- attachments ----------------------------------------------------------------------------------


def check_uploads(uploads: list[Upload]) -> None:
    if len(uploads) > MAX_FILES:
        raise TipError(_("At most %(n)s files can be attached.") % {"n": MAX_FILES})
    if sum(len(u.content) for u in uploads) > MAX_TOTAL_BYTES:
        raise TipError(
            _("The files are larger than %(mb)s MB together.") % {"mb": MAX_TOTAL_BYTES // 2**20}
        )
    for upload in uploads:
        ext = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if ext not in ALLOWED_TYPES:
            raise TipError(
                _("%(name)s: files of this type cannot be attached. Allowed: %(types)s.")
                % {"name": upload.name, "types": ", ".join(sorted(ALLOWED_TYPES))}
            )
        if len(upload.content) > MAX_FILE_BYTES:
            raise TipError(
                _("%(name)s is larger than %(mb)s MB.")
                % {"name": upload.name, "mb": MAX_FILE_BYTES // 2**20}
            )
        if not upload.content:
            raise TipError(_("%(name)s is empty.") % {"name": upload.name})
        magic = ALLOWED_TYPES[ext]
        if magic is None:
            try:
                upload.content.decode("utf-8")
            except UnicodeDecodeError:
                raise TipError(_("%(name)s is not a text file.") % {"name": upload.name}) from None
        elif not upload.content.startswith(magic):
            raise TipError(
                _("%(name)s does not contain what its name says.") % {"name": upload.name}
            )


def scan(content: bytes) -> ScanResult:
    """ClamAV's clamscan over stdin, so the plaintext never touches the disk.

    Without clamscan, or without signatures (exit code 2), the file is held as unscanned.
    """
    binary = getattr(settings, "TIPS_CLAMSCAN", None) or shutil.which("clamscan")
    if not binary:
        return ScanResult(Attachment.Scan.UNSCANNED, "no scanner")
    command = [binary, "--no-summary", "--stdout", "--infected"]
    database = getattr(settings, "TIPS_CLAMAV_DATABASE", None)  # clamscan's own default when unset
    if database:
        command.append(f"--database={database}")
    command.append("-")
    try:
        done = subprocess.run(command, input=content, capture_output=True, timeout=120, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as exc:
        return ScanResult(Attachment.Scan.UNSCANNED, str(exc)[:200])
    if done.returncode == 0:
        return ScanResult(Attachment.Scan.CLEAN)
    if done.returncode == 1:
        return ScanResult(
            Attachment.Scan.INFECTED, done.stdout.decode(errors="replace").strip()[:200]
        )
    return ScanResult(Attachment.Scan.UNSCANNED, done.stderr.decode(errors="replace").strip()[:200])


def _store_attachment(
    report: Report,
    data_key: bytes,
    upload: Upload,
    *,
    message: Message | None,
    from_reporter: bool,
    result: ScanResult,
) -> Attachment:
    ext = upload.name.rsplit(".", 1)[-1].lower()
    meta = {
        "name": upload.name[:200],
        "type": ext,
        "sha256": hashlib.sha256(upload.content).hexdigest(),
        "scan_detail": result.detail,
    }
    stored_name = uuid.uuid4().hex
    # whole or not at all; what a crash leaves (a temporary file, or a file whose report never
    # committed) is removed by the next start's recovery (files_clean)
    write_atomic(files_dir() / stored_name, crypto.encrypt(data_key, upload.content))
    return Attachment.objects.create(
        municipality_id=report.municipality_id,
        report=report,
        message=message,
        from_reporter=from_reporter,
        at=_now(),
        meta=crypto.encrypt_json(data_key, meta),
        size=len(upload.content),
        scan=result.status,
        stored_name=stored_name,
    )


def _scan_all(uploads: list[Upload]) -> list[ScanResult]:
    results = [scan(u.content) for u in uploads]
    for upload, result in zip(uploads, results, strict=True):
        if result.status == Attachment.Scan.INFECTED:
            raise TipError(
                _("%(name)s was refused: the virus scanner found malware in it.")
                % {"name": upload.name}
            )
    return results


def attachment_read(attachment: Attachment, data_key: bytes) -> tuple[dict, bytes]:
    meta = crypto.decrypt_json(data_key, attachment.meta)
    content = crypto.decrypt(data_key, (files_dir() / attachment.stored_name).read_bytes())
    if hashlib.sha256(content).hexdigest() != meta["sha256"]:
        raise TipError(_("The file has been altered since it was received."))
    return meta, content


# --- intake -------------------------------------------------------------------------------------


def _reference(municipality_id: int, channel: str) -> str:
    year = timezone.localdate().year
    prefix = f"{'V' if channel == Channel.WHISTLEBLOWING else 'T'}-{year}-"
    count = Report.objects.filter(
        municipality_id=municipality_id, reference__startswith=prefix
    ).count()
    return f"{prefix}{count + 1:04d}"


def _seal_to_receivers(report: Report, data_key: bytes) -> int:
    sealed = 0
    for key in _keys_of(report.municipality_id, report.channel, ChannelMember.Duty.RECEIVER):
        _obj, created = ReportKey.objects.get_or_create(
            report=report,
            user_key=key,
            defaults={"sealed_key": crypto.seal(key.public_key, data_key)},
        )
        sealed += created
    return sealed


def report_submit(
    *,
    municipality,
    channel: str,
    category: str,
    answers: dict,
    contact: dict | None = None,
    uploads: list[Upload] = (),
) -> tuple[Report, str]:
    """Receive a report; returns it with the receipt code (shown to the reporter once, never stored)."""
    if channel not in Channel.values:
        raise TipError(_("Unknown channel."))
    if category not in Category.values:
        raise TipError(_("Choose what the report is about."))
    if sum(len(str(v)) for v in answers.values()) > MAX_TEXT:
        raise TipError(_("The text is too long: at most %(n)s characters.") % {"n": MAX_TEXT})
    uploads = list(uploads)
    check_uploads(uploads)
    if not channel_open(municipality, channel):
        raise TipError(
            _("The channel has no receiver yet and cannot take reports. Please try again later.")
        )
    results = _scan_all(uploads)
    data_key = crypto.new_data_key()
    code = crypto.new_receipt_code()
    salt, wrapped = crypto.reporter_wrap(code, data_key)
    code_hash = crypto.hash_code(code)
    with transaction.atomic():
        report = Report.objects.create(
            municipality=municipality,
            channel=channel,
            category=category,
            reference=_reference(municipality.pk, channel),
            received_at=_now(),
            lookup=code[:4],
            code_hash=code_hash,
            reporter_salt=salt,
            reporter_key=wrapped,
            content=crypto.encrypt_json(data_key, answers),
            has_identity=bool(contact),
            unscanned_files=any(r.status == Attachment.Scan.UNSCANNED for r in results),
        )
        _seal_to_receivers(report, data_key)
        for upload, result in zip(uploads, results, strict=True):
            _store_attachment(
                report, data_key, upload, message=None, from_reporter=True, result=result
            )
        if contact:
            _vault_create(report, contact)
        _event(report, None, "received")
    return report, code


def _vault_create(report: Report, contact: dict) -> None:
    identity_key = crypto.new_data_key()
    vault = IdentityVault.objects.create(
        report=report, ciphertext=crypto.encrypt_json(identity_key, contact)
    )
    holders = _keys_of(report.municipality_id, report.channel, ChannelMember.Duty.CUSTODIAN)
    if not holders:
        # No custodian designated yet: the receivers hold it; opening still needs an approval.
        holders = _keys_of(report.municipality_id, report.channel, ChannelMember.Duty.RECEIVER)
    for key in holders:
        VaultKey.objects.create(
            vault=vault, user_key=key, sealed_key=crypto.seal(key.public_key, identity_key)
        )


# --- the reporter's side ----------------------------------------------------------------------------

CODE_FAILURES_PER_BUCKET = 5
CODE_FAILURES_PER_CHANNEL = 50
CODE_WINDOW_SECONDS = 15 * 60


def code_locked(municipality, channel: str, code: str) -> bool:
    bucket = f"code:{municipality.pk}:{channel}:{code[:4]}"
    everyone = f"code:{municipality.pk}:{channel}"
    return (
        throttle_count(bucket, CODE_WINDOW_SECONDS) >= CODE_FAILURES_PER_BUCKET
        or throttle_count(everyone, CODE_WINDOW_SECONDS) >= CODE_FAILURES_PER_CHANNEL
    )


def reporter_open(*, municipality, channel: str, code: str) -> Opened:
    """The report the receipt code belongs to, with its data key. Refuses wrong codes, rate-limited."""
    code = crypto.normalise_code(code)
    if code_locked(municipality, channel, code or "----"):
        raise TipError(_("Too many wrong codes have been tried. Wait 15 minutes and try again."))
    if len(code) == 16:
        candidates = Report.objects.filter(
            municipality=municipality, channel=channel, lookup=code[:4], deleted_at__isnull=True
        )
        for report in candidates:
            if crypto.check_code(report.code_hash, code):
                data_key = crypto.reporter_unwrap(code, report.reporter_salt, report.reporter_key)
                return Opened(report, data_key, crypto.decrypt_json(data_key, report.content))
    throttle_add(f"code:{municipality.pk}:{channel}:{(code or '----')[:4]}", CODE_WINDOW_SECONDS)
    throttle_add(f"code:{municipality.pk}:{channel}", CODE_WINDOW_SECONDS)
    raise TipError(_("No report has that receipt code. Check the 16 digits and try again."))


def messages_read(report: Report, data_key: bytes) -> list[dict]:
    files_by_message: dict[int | None, list[dict]] = {}
    for attachment in report.attachments.all():
        meta = crypto.decrypt_json(data_key, attachment.meta)
        files_by_message.setdefault(attachment.message_id, []).append(
            {
                "id": attachment.pk,
                "name": meta["name"],
                "sha256": meta["sha256"],
                "size": attachment.size,
                "scan": attachment.scan,
                "scan_label": attachment.get_scan_display(),
                "from_reporter": attachment.from_reporter,
            }
        )
    out = []
    for message in report.messages.all():
        out.append(
            {
                "id": message.pk,
                "sender": message.sender,
                "sender_label": message.get_sender_display(),
                "at": message.at,
                "text": crypto.decrypt(data_key, message.ciphertext).decode(),
                "files": files_by_message.get(message.pk, []),
            }
        )
    return out


def intake_files(report: Report, data_key: bytes) -> list[dict]:
    return [f for f in _files(report, data_key) if f["message_id"] is None]


def _files(report: Report, data_key: bytes) -> list[dict]:
    out = []
    for attachment in report.attachments.all():
        meta = crypto.decrypt_json(data_key, attachment.meta)
        out.append(
            {
                "id": attachment.pk,
                "name": meta["name"],
                "sha256": meta["sha256"],
                "size": attachment.size,
                "scan": attachment.scan,
                "scan_label": attachment.get_scan_display(),
                "message_id": attachment.message_id,
            }
        )
    return out


@transaction.atomic
def _message_add(
    report: Report,
    data_key: bytes,
    *,
    sender: str,
    text: str,
    author=None,
    uploads: list[Upload] = (),
    results: list[ScanResult] = (),
) -> Message:
    message = Message.objects.create(
        municipality_id=report.municipality_id,
        report=report,
        sender=sender,
        author=author,
        at=_now(),
        ciphertext=crypto.encrypt(data_key, text.encode()),
    )
    for upload, result in zip(uploads, results, strict=True):
        _store_attachment(
            report,
            data_key,
            upload,
            message=message,
            from_reporter=sender == Message.Sender.REPORTER,
            result=result,
        )
        if result.status == Attachment.Scan.UNSCANNED:
            report.unscanned_files = True
            report.save(update_fields=["unscanned_files"])
    return message


def reporter_reply(*, opened: Opened, text: str, uploads: list[Upload] = ()) -> Message:
    report = opened.report
    if report.deleted_at or report.closed_at:
        raise TipError(_("The report is closed and can take no more messages."))
    text = (text or "").strip()
    uploads = list(uploads)
    if not text and not uploads:
        raise TipError(_("Write a message or attach a file."))
    if len(text) > MAX_TEXT:
        raise TipError(_("The text is too long: at most %(n)s characters.") % {"n": MAX_TEXT})
    existing = report.attachments.count()
    if existing + len(uploads) > MAX_FILES * 3:
        raise TipError(_("The report already has as many files as it can take."))
    check_uploads(uploads)
    results = _scan_all(uploads)
    message = _message_add(
        report,
        opened.data_key,
        sender=Message.Sender.REPORTER,
        text=text,
        uploads=uploads,
        results=results,
    )
    _event(report, None, "reporter_message")
    return message


# --- the receivers' side ------------------------------------------------------------------------------


def receiver_key(user) -> UserKey | None:
    return UserKey.objects.filter(user=user).first()


def is_receiver(user, channel: str) -> bool:
    return ChannelMember.objects.filter(
        user=user,
        channel=channel,
        duty=ChannelMember.Duty.RECEIVER,
        municipality_id=user.municipality_id,
    ).exists()


def receiver_open(*, report: Report, user, private_key: bytes) -> Opened:
    key = receiver_key(user)
    sealed = ReportKey.objects.filter(report=report, user_key=key).first() if key else None
    if sealed is None:
        raise TipError(
            _(
                "The report was not encrypted to your key (you were designated after it arrived). "
                "Another receiver shares it with you by opening it."
            )
        )
    data_key = crypto.unseal(private_key, sealed.sealed_key)
    # Co-receivers designated later get the report the first time someone who has it opens it.
    _seal_to_receivers(report, data_key)
    content = crypto.decrypt_json(data_key, report.content) if report.deleted_at is None else {}
    return Opened(report, data_key, content)


ACK_TEXT = gettext_noop(
    "We have received your report on %(date)s and registered it under reference %(reference)s. "
    "A designated receiver will look into it. You can follow the report and answer questions "
    "with your receipt code."
)


def report_acknowledge(*, opened: Opened, user, text: str = "") -> Message:
    report = opened.report
    if report.acknowledged_at is not None:
        raise TipError(_("The report has already been acknowledged."))
    text = text.strip() or _(ACK_TEXT) % {
        "date": timezone.localdate(report.received_at).isoformat(),
        "reference": report.reference,
    }
    message = _message_add(
        report, opened.data_key, sender=Message.Sender.RECEIVER, text=text, author=user
    )
    report.acknowledged_at = _now()
    if report.status == Report.Status.NEW:
        report.status = Report.Status.ACKNOWLEDGED
    report.save(update_fields=["acknowledged_at", "status"])
    _event(report, user, "acknowledged")
    return message


def receiver_reply(
    *, opened: Opened, user, text: str, feedback: bool = False, uploads: list[Upload] = ()
) -> Message:
    report = opened.report
    text = (text or "").strip()
    if not text:
        raise TipError(_("Write a message."))
    uploads = list(uploads)
    check_uploads(uploads)
    results = _scan_all(uploads)
    message = _message_add(
        report,
        opened.data_key,
        sender=Message.Sender.RECEIVER,
        text=text,
        author=user,
        uploads=uploads,
        results=results,
    )
    fields = []
    if report.acknowledged_at is None:
        report.acknowledged_at = message.at
        fields.append("acknowledged_at")
    if feedback and report.feedback_at is None:
        report.feedback_at = message.at
        fields.append("feedback_at")
    if report.status in (Report.Status.NEW, Report.Status.ACKNOWLEDGED):
        report.status = Report.Status.FEEDBACK if feedback else Report.Status.IN_PROGRESS
        fields.append("status")
    if fields:
        report.save(update_fields=fields)
    _event(report, user, "feedback" if feedback else "message")
    return message


def retention_date(report: Report, closed: date) -> date:
    days = getattr(settings, "TIPS_RETENTION_DAYS", {}).get(
        report.channel, RETENTION_DAYS[report.channel]
    )
    return closed + timedelta(days=days)


def report_close(*, report: Report, user, reason: str = "") -> Report:
    if report.closed_at is not None:
        raise TipError(_("The report is already closed."))
    report.closed_at = _now()
    if report.status != Report.Status.HANDED_OVER:
        report.status = Report.Status.CLOSED
    report.retain_until = retention_date(report, timezone.localdate(report.closed_at))
    report.save(update_fields=["closed_at", "status", "retain_until"])
    _event(report, user, "closed", reason)
    return report


def report_hand_over(
    *, opened: Opened, user, title: str, case_type: str, description: str
) -> object:
    """Open a case from the report: its reference and the text the receiver chose, never the identity."""
    from tillit.cases.services import case_open_from_tip

    report = opened.report
    if report.case_id is not None:
        raise TipError(_("The report has already been handed over to a case."))
    with transaction.atomic():
        case = case_open_from_tip(
            tip_reference=report.reference,
            municipality=report.municipality,
            user=user,
            title=title,
            case_type=case_type,
            description=description,
            whistleblowing=report.channel == Channel.WHISTLEBLOWING,
            sensitivity="team_only" if report.channel == Channel.WHISTLEBLOWING else "normal",
        )
        report.case = case
        report.status = Report.Status.HANDED_OVER
        report.save(update_fields=["case", "status"])
        _event(report, user, "handed_over", case.number)
    return case


# --- identity vault ------------------------------------------------------------------------------


def vault_request(*, report: Report, user, reason: str) -> VaultRequest:
    if not report.has_identity:
        raise TipError(_("The reporter left no contact details."))
    if not (reason or "").strip():
        raise TipError(_("Give the reason why the identity is needed."))
    request = VaultRequest.objects.create(
        municipality_id=report.municipality_id,
        report=report,
        requested_by=user,
        reason=reason.strip(),
        requested_at=_now(),
    )
    _event(report, user, "vault_requested")
    return request


def vault_decide(
    *, request: VaultRequest, custodian, private_key: bytes, approve: bool
) -> VaultRequest:
    if request.status != VaultRequest.Status.PENDING:
        raise TipError(_("The request has already been decided."))
    if custodian.pk == request.requested_by_id:
        raise TipError(_("Someone else must approve your own request."))
    if not ChannelMember.objects.filter(
        user=custodian, channel=request.report.channel, duty=ChannelMember.Duty.CUSTODIAN
    ).exists():
        raise TipError(_("You are not a custodian of this channel's identity vault."))
    with transaction.atomic():
        if approve:
            vault = request.report.vault
            own = VaultKey.objects.filter(vault=vault, user_key__user=custodian).first()
            if own is None:
                raise TipError(_("The vault was not sealed to your key."))
            identity_key = crypto.unseal(private_key, own.sealed_key)
            requester_key = UserKey.objects.get(user=request.requested_by)
            VaultKey.objects.update_or_create(
                vault=vault,
                user_key=requester_key,
                defaults={"sealed_key": crypto.seal(requester_key.public_key, identity_key)},
            )
        request.status = VaultRequest.Status.APPROVED if approve else VaultRequest.Status.REFUSED
        request.decided_by = custodian
        request.decided_at = _now()
        request.save(update_fields=["status", "decided_by", "decided_at"])
        _event(
            request.report,
            custodian,
            "vault_approved" if approve else "vault_refused",
            request.requested_by.username,
        )
    return request


def vault_open(*, report: Report, user, private_key: bytes) -> dict:
    approved = VaultRequest.objects.filter(
        report=report, requested_by=user, status=VaultRequest.Status.APPROVED
    )
    is_custodian = ChannelMember.objects.filter(
        user=user, channel=report.channel, duty=ChannelMember.Duty.CUSTODIAN
    ).exists()
    if not approved.exists() and not is_custodian:
        raise TipError(_("Opening the identity vault needs a custodian's approval."))
    own = VaultKey.objects.filter(vault=report.vault, user_key__user=user).first()
    if own is None:
        raise TipError(_("The vault was not sealed to your key."))
    identity = crypto.decrypt_json(
        crypto.unseal(private_key, own.sealed_key), report.vault.ciphertext
    )
    _event(report, user, "vault_opened")
    return identity


# --- deadlines and reminders ----------------------------------------------------------------------


def reminders_send(*, municipality=None) -> list[Reminder]:
    """Send the reminders that are due. The message names the reference and the date, never content."""
    today = timezone.localdate()
    sent = []
    reports = Report.objects.filter(deleted_at__isnull=True, closed_at__isnull=True)
    if municipality is not None:
        reports = reports.filter(municipality=municipality)
    for report in reports:
        for kind, due in dl.open_deadlines(report):
            if today >= due:
                reminder_kind = (
                    Reminder.Kind.ACK_OVERDUE if kind == "ack" else Reminder.Kind.FEEDBACK_OVERDUE
                )
            elif today >= due - timedelta(days=dl.REMIND_BEFORE_DAYS):
                reminder_kind = (
                    Reminder.Kind.ACK_SOON if kind == "ack" else Reminder.Kind.FEEDBACK_SOON
                )
            else:
                continue
            reminder, created = Reminder.objects.get_or_create(
                report=report, kind=reminder_kind, defaults={"sent_at": _now()}
            )
            if created:
                _notify(report, reminder_kind, due)
                sent.append(reminder)
    return sent


def _notify(report: Report, kind: str, due: date) -> None:
    from django.urls import reverse

    what = {
        Reminder.Kind.ACK_SOON: _("must be acknowledged by %(date)s"),
        Reminder.Kind.ACK_OVERDUE: _("should have been acknowledged by %(date)s"),
        Reminder.Kind.FEEDBACK_SOON: _("needs feedback to the reporter by %(date)s"),
        Reminder.Kind.FEEDBACK_OVERDUE: _("should have had feedback by %(date)s"),
    }[kind] % {"date": due.isoformat()}
    subject = _("Tillit: report %(reference)s %(what)s") % {
        "reference": report.reference,
        "what": what,
    }
    body = _("Report %(reference)s %(what)s. Log in to Tillit to read it: %(url)s") % {
        "reference": report.reference,
        "what": what,
        "url": reverse("tips-report", args=[report.pk]),
    }
    recipients = [
        m.user.email
        for m in ChannelMember.objects.filter(
            municipality_id=report.municipality_id,
            channel=report.channel,
            duty=ChannelMember.Duty.RECEIVER,
        ).select_related("user")
        if m.user.email
    ]
    if recipients:
        try:
            mail.send_mail(subject, body, None, recipients)
        except OSError:
            log.warning(
                "tips reminder e-mail could not be sent", extra={"reference": report.reference}
            )
    _event(report, None, "reminder", kind)


# --- retention --------------------------------------------------------------------------------


def retention_due(*, municipality, today: date | None = None):
    today = today or timezone.localdate()
    return Report.objects.filter(
        municipality=municipality,
        deleted_at__isnull=True,
        retain_until__isnull=False,
        retain_until__lte=today,
    )


def retention_delete(*, report: Report, user) -> Report:
    """Delete a report whose retention date has passed: content, messages, files, identity, keys.

    The bare record (reference, channel, category and dates) stays for the statistics.
    """
    today = timezone.localdate()
    if report.deleted_at is not None:
        raise TipError(_("The report has already been deleted."))
    if report.retain_until is None or report.retain_until > today:
        raise TipError(_("The report is not due for deletion."))
    stored = list(report.attachments.values_list("stored_name", flat=True))
    with transaction.atomic():
        report.attachments.all().delete()
        report.messages.all().delete()
        IdentityVault.objects.filter(report=report).delete()
        report.keys.all().delete()
        report.vault_requests.all().delete()
        report.content = b""
        report.reporter_key = b""
        report.reporter_salt = b""
        report.code_hash = ""
        report.lookup = ""
        report.has_identity = False
        report.status = Report.Status.DELETED
        report.deleted_at = _now()
        report.save()
        _event(report, user, "deleted", "retention")
    for name in stored:
        (files_dir() / name).unlink(missing_ok=True)
    return report


# --- complaints ------------------------------------------------------------------------------


def complaint_add(
    *, municipality, orgnr: str, text: str, provider_name: str = "", service: str = "", user=None
) -> Complaint:
    from stdnum.se import orgnr as se_orgnr

    number = normalise_orgnr(orgnr)
    if not se_orgnr.is_valid(number):
        raise TipError(
            _("%(value)s is not a valid organisation number (ten digits, e.g. 556123-4567).")
            % {"value": orgnr}
        )
    if not (text or "").strip():
        raise TipError(_("Write what the complaint is about."))
    if len(text) > MAX_TEXT:
        raise TipError(_("The text is too long: at most %(n)s characters.") % {"n": MAX_TEXT})
    return Complaint.objects.create(
        municipality=municipality,
        orgnr=number,
        provider_name=provider_name.strip()[:200],
        service=service.strip()[:100],
        text=text.strip(),
        source=Complaint.Source.STAFF if user is not None else Complaint.Source.PUBLIC,
        registered_by=user,
        received_at=_now(),
    )
