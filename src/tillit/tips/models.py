"""Tips from the public, whistleblowing reports and complaints about providers.

What a reporter writes (the content, messages, attachments and contact details) is never
stored in plain text: it is encrypted with a random data key per report, and that key is
sealed to each designated receiver's public key (and, for the reporter, wrapped with a key
derived from the receipt code). The server keeps only ciphertext, the category and the
timestamps the deadlines need. See docs/tips-threat-model.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tillit.accounts.models import MunicipalModel


class Channel(models.TextChoices):
    TIPS = "tips", _("Tips from the public")
    WHISTLEBLOWING = "whistleblowing", _("Whistleblowing")


class Category(models.TextChoices):
    BENEFIT = "benefit", _("financial assistance or other benefits")
    HOME_CARE = "home_care", _("home care or other care services")
    SUPPLIER = "supplier", _("a supplier or a contractor")
    GRANT = "grant", _("association grants")
    STAFF = "staff", _("an employee or an elected official")
    OTHER = "other", _("something else")


class ChannelMember(MunicipalModel):
    """A user designated to receive a channel's reports, or to keep its identity vault."""

    class Duty(models.TextChoices):
        RECEIVER = "receiver", _("receiver")
        CUSTODIAN = "custodian", _("identity custodian")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tip_duties"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    duty = models.CharField(_("duty"), max_length=20, choices=Duty.choices, default=Duty.RECEIVER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "channel", "duty"], name="tips_member_unique")
        ]


class UserKey(models.Model):
    """A user's X25519 key pair; the private key is encrypted with a key derived from their password."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tips_key"
    )
    public_key = models.BinaryField()
    salt = models.BinaryField()
    opslimit = models.PositiveIntegerField()
    memlimit = models.PositiveBigIntegerField()
    wrapped_secret = models.BinaryField()
    # The private key sealed to the municipality's recovery key (two administrators' shares).
    escrow = models.BinaryField(null=True, blank=True)
    escrow_key = models.ForeignKey("RecoveryKey", on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"UserKey {self.pk}"


class RecoveryKey(MunicipalModel):
    """The key receivers' private keys are escrowed to. Its private half exists only as two shares."""

    public_key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(default=True)


class RecoveryShare(models.Model):
    """One half of the recovery key (XOR split), sealed to one administrator's own public key."""

    recovery_key = models.ForeignKey(RecoveryKey, on_delete=models.CASCADE, related_name="shares")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    index = models.PositiveSmallIntegerField()
    sealed_share = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recovery_key", "index"], name="tips_share_unique_index"
            ),
            models.UniqueConstraint(
                fields=["recovery_key", "holder"], name="tips_share_unique_holder"
            ),
        ]

    def __str__(self) -> str:
        return f"RecoveryShare {self.pk}"


class KeyRecovery(MunicipalModel):
    """A receiver who lost their password asks for their key back; two share holders must approve."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for approvals")
        APPROVED = "approved", _("approved")
        DONE = "done", _("completed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    recovery_key = models.ForeignKey(RecoveryKey, on_delete=models.CASCADE)
    # A fresh key pair wrapped with the user's new password: the shares are sealed to it,
    # so the recovered key is only ever readable by the user who asked.
    public_key = models.BinaryField()
    salt = models.BinaryField()
    opslimit = models.PositiveIntegerField()
    memlimit = models.PositiveBigIntegerField()
    wrapped_secret = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)


class KeyRecoveryApproval(models.Model):
    recovery = models.ForeignKey(KeyRecovery, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    index = models.PositiveSmallIntegerField()
    sealed_share = models.BinaryField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recovery", "approver"], name="tips_approval_unique")
        ]

    def __str__(self) -> str:
        return f"KeyRecoveryApproval {self.pk}"


class Report(MunicipalModel):
    """A tip or a whistleblowing report. Everything the reporter wrote is ciphertext."""

    PERSONAL_DATA = True

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        IN_PROGRESS = "in_progress", _("being investigated")
        FEEDBACK = "feedback", _("feedback given")
        HANDED_OVER = "handed_over", _("handed over to a case")
        CLOSED = "closed", _("closed")
        DELETED = "deleted", _("deleted (retention)")

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    reference = models.CharField(_("reference"), max_length=20)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    received_at = models.DateTimeField(_("received"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("feedback given"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    retain_until = models.DateField(_("retain until"), null=True, blank=True)
    # The receipt code: its first four digits find the report, an Argon2 hash checks the rest.
    lookup = models.CharField(max_length=4, db_index=True)
    code_hash = models.CharField(max_length=200)
    reporter_salt = models.BinaryField()
    reporter_key = (
        models.BinaryField()
    )  # the data key, wrapped with a key derived from the receipt code
    content = models.BinaryField()  # JSON of the answers, encrypted with the data key
    has_identity = models.BooleanField(default=False)
    unscanned_files = models.BooleanField(default=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "reference"], name="tips_report_unique_ref"
            )
        ]

    def __str__(self) -> str:
        return self.reference


class ReportKey(models.Model):
    """The report's data key sealed to one receiver's public key."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="keys")
    user_key = models.ForeignKey(UserKey, on_delete=models.CASCADE, related_name="report_keys")
    sealed_key = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "user_key"], name="tips_reportkey_unique")
        ]

    def __str__(self) -> str:
        return f"ReportKey {self.pk}"


class Message(MunicipalModel):
    class Sender(models.TextChoices):
        REPORTER = "reporter", _("the reporter")
        RECEIVER = "receiver", _("the receiver")
        SYSTEM = "system", _("automatic")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=10, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    ciphertext = models.BinaryField()

    class Meta:
        ordering = ["at", "id"]


class Attachment(MunicipalModel):
    class Scan(models.TextChoices):
        CLEAN = "clean", _("scanned, no threat found")
        INFECTED = "infected", _("refused: malware found")
        UNSCANNED = "unscanned", _("not scanned (no virus scanner installed)")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_reporter = models.BooleanField(default=True)
    at = models.DateTimeField()
    # File name, type and SHA-256 of the plaintext, encrypted with the data key.
    meta = models.BinaryField()
    size = models.PositiveIntegerField()
    scan = models.CharField(max_length=10, choices=Scan.choices)
    stored_name = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["at", "id"]


class IdentityVault(models.Model):
    """The reporter's optional contact details, under their own key held by the channel's custodians."""

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="vault")
    ciphertext = models.BinaryField()

    def __str__(self) -> str:
        return f"IdentityVault {self.pk}"


class VaultKey(models.Model):
    vault = models.ForeignKey(IdentityVault, on_delete=models.CASCADE, related_name="keys")
    user_key = models.ForeignKey(UserKey, on_delete=models.CASCADE, related_name="+")
    sealed_key = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vault", "user_key"], name="tips_vaultkey_unique")
        ]

    def __str__(self) -> str:
        return f"VaultKey {self.pk}"


class VaultRequest(MunicipalModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the custodian")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="vault_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)


class Reminder(models.Model):
    class Kind(models.TextChoices):
        ACK_SOON = "ack_soon", _("acknowledgement due soon")
        ACK_OVERDUE = "ack_overdue", _("acknowledgement overdue")
        FEEDBACK_SOON = "feedback_soon", _("feedback due soon")
        FEEDBACK_OVERDUE = "feedback_overdue", _("feedback overdue")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "kind"], name="tips_reminder_unique")
        ]

    def __str__(self) -> str:
        return f"Reminder {self.pk}"


class TipEvent(MunicipalModel):
    """What receivers did with a report (never what it says)."""

    report = models.ForeignKey(Report, on_delete=models.SET_NULL, null=True, related_name="events")
    reference = models.CharField(max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]


class Throttle(models.Model):
    """A counter per purpose and time window (no address or other identifier of the sender)."""

    key = models.CharField(max_length=100)
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="tips_throttle_unique")
        ]

    def __str__(self) -> str:
        return f"Throttle {self.pk}"


class Complaint(MunicipalModel):
    """A complaint about a provider (synpunkt eller klagomål), linked by organisation number."""

    PERSONAL_DATA = True

    class Source(models.TextChoices):
        PUBLIC = "public", _("the public")
        STAFF = "staff", _("staff")

    orgnr = models.CharField(_("organisation number"), max_length=11, db_index=True)
    provider_name = models.CharField(_("provider"), max_length=200, blank=True)
    service = models.CharField(_("service"), max_length=100, blank=True)
    text = models.TextField(_("complaint"))
    source = models.CharField(
        _("from"), max_length=10, choices=Source.choices, default=Source.PUBLIC
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(_("received"))

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
