"""Cases (ärenden): from suspicion to recovery claim, police report, notification or sanction.

A case belongs to one municipality and is visible only to its team and to the
municipality's coordinators (cases/access.py). Reading a case or one of its
documents writes the access log. Every change is a CaseEvent written by the
service that made it, in the same transaction.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tillit.accounts.models import Board, MunicipalModel


class CaseType(models.TextChoices):
    BENEFIT = "benefit", _("financial assistance")
    SUPPLIER = "supplier", _("supplier/invoice")
    GRANT = "grant", _("association grant")
    HOME_CARE = "home_care", _("home care/LOV")
    BUILDING = "building", _("building")
    UNLAWFUL_INFLUENCE = "unlawful_influence", _("unlawful influence")
    OTHER = "other", _("other")


class Source(models.TextChoices):
    HIT = "hit", _("control hit")
    TIP = "tip", _("tip")
    WHISTLEBLOWING = "whistleblowing", _("whistleblowing")
    STAFF = "staff", _("staff report")
    AUTHORITY = "authority", _("other authority")
    SAMPLE = "sample", _("sample check")


class State(models.TextChoices):
    RECEIVED = "received", _("received")
    ASSESSMENT = "assessment", _("under assessment")
    INVESTIGATION = "investigation", _("investigation")
    DECISION = "decision", _("decision")
    FOLLOW_UP = "follow_up", _("follow-up")
    CLOSED = "closed", _("closed")
    CLOSED_NO_ACTION = "closed_no_action", _("closed without action")


OPEN_STATES = (
    State.RECEIVED,
    State.ASSESSMENT,
    State.INVESTIGATION,
    State.DECISION,
    State.FOLLOW_UP,
)
FINAL_STATES = (State.CLOSED, State.CLOSED_NO_ACTION)


class Sensitivity(models.TextChoices):
    NORMAL = "normal", _("normal")
    # Names and identifiers are left out of lists; the case page shows them.
    SENSITIVE = "sensitive", _("sensitive")
    # Protected personal data or staff under suspicion: only the team, not every coordinator.
    TEAM_ONLY = "team_only", _("team only")


class Case(MunicipalModel):
    PERSONAL_DATA = True

    number = models.CharField(_("case number"), max_length=20)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=200)
    case_type = models.CharField(
        _("case type"), max_length=20, choices=CaseType.choices, default=CaseType.OTHER
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.RECEIVED, db_index=True
    )
    sensitivity = models.CharField(
        _("sensitivity"), max_length=10, choices=Sensitivity.choices, default=Sensitivity.NORMAL
    )
    board = models.ForeignKey(
        Board, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("board")
    )
    risk_area = models.CharField(_("risk area"), max_length=200, blank=True)
    amount_concerned = models.DecimalField(
        _("amount concerned"), max_digits=18, decimal_places=2, default=Decimal(0)
    )
    description = models.TextField(_("description"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case officer"),
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="case_teams", verbose_name=_("team")
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_reason = models.TextField(_("reason for closing"), blank=True)
    retain_until = models.DateField(_("retain until"), null=True, blank=True)
    # Set by the tips app: the tip it came from, without the reporter's identity.
    tip_reference = models.CharField(max_length=50, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "number"], name="case_unique_number")
        ]
        indexes = [
            # the case list's page of 50, newest first, read in index order among 100 000 cases
            models.Index(fields=["municipality", "-opened_at", "-id"], name="case_list_newest")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.is_open and self.due_date is not None and self.due_date < timezone.localdate()


class CaseSubject(MunicipalModel):
    """Who or what the case is about; matching kind + identifier joins later hits to the case."""

    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        HOUSEHOLD = "household", _("household")
        COMPANY = "company", _("company")
        ASSOCIATION = "association", _("association")
        PROVIDER = "provider", _("provider")
        STAFF = "staff", _("staff member")
        OTHER = "other", _("other")

    class Role(models.TextChoices):
        # Not yet assessed: a hit's subject may as well be the victim (a supplier whose bank
        # account someone else changed) as the one who did it.
        CONCERNED = "concerned", _("concerned, not suspected")
        SUSPECT = "suspect", _("suspected")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subjects")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # the source system's identifier (supplier number, household id): what later hits match on
    identifier = models.CharField(_("identifier"), max_length=100, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    # personnummer or organisationsnummer: what a document identifies the party by
    national_id = models.CharField(
        _("personnummer or organisation number"), max_length=20, blank=True
    )
    role = models.CharField(
        _("role in the case"), max_length=10, choices=Role.choices, default=Role.CONCERNED
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.identifier} {self.name}".strip()


class CaseEvent(MunicipalModel):
    """The case's audit trail: who changed what, when. Never edited."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class DiaryEntry(MunicipalModel):
    """A note in the case diary. Entries are never edited; a correction is a new entry."""

    class Kind(models.TextChoices):
        NOTE = "note", _("note")
        CONTACT = "contact", _("contact")
        OWN_ACCOUNT = "own_account", _("the person's own account")
        ASSESSMENT = "assessment", _("assessment")
        LETTER = "letter", _("letter sent")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="diary")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NOTE)
    occurred_on = models.DateField(_("date"))
    contact = models.CharField(_("contact with"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.kind}"


class CaseDocument(MunicipalModel):
    """A file kept under DATA_DIR/case-files; its SHA-256 is recorded at upload and checked at download."""

    PERSONAL_DATA = True

    class Kind(models.TextChoices):
        EVIDENCE = "evidence", _("evidence")
        CORRESPONDENCE = "correspondence", _("correspondence")
        GENERATED = "generated", _("generated document")
        RELEASED = "released", _("released copy")
        OTHER = "other", _("other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.EVIDENCE)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField("SHA-256", max_length=64)
    storage_name = models.CharField(max_length=200, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class CaseHit(MunicipalModel):
    """A control hit that is part of the case. A hit belongs to at most one case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_hits")
    hit = models.OneToOneField("controls.Hit", on_delete=models.CASCADE, related_name="case_link")
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["added_at", "id"]


class CaseLink(MunicipalModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    other = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("why"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "other"], name="case_link_unique")]


class Task(MunicipalModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_at", "due_date", "id"]

    def __str__(self) -> str:
        return self.title


class IntentAssessment(MunicipalModel):
    """A lay assessment of intent: the basis for deciding on a police report, never a finding of guilt."""

    class Level(models.TextChoices):
        LIKELY = "likely", _("intent appears likely")
        NEGLIGENCE = "negligence", _("may be gross negligence")
        UNCLEAR = "unclear", _("cannot be assessed")
        NONE = "none", _("no indication of intent")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="intent_assessments")
    level = models.CharField(_("assessment"), max_length=20, choices=Level.choices)
    reasoning = models.TextField(_("reasoning"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_at", "-id"]


# --- Outcomes ---------------------------------------------------------------------------------


class RecoveryClaim(MunicipalModel):
    """Återkrav: decided amount, legal ground, payments received over time and write-off."""

    class LegalGround(models.TextChoices):
        SOL_9_1 = "sol_9_1", _("SoL 9 ch. 1 § (incorrect information or failure to report)")
        SOL_9_2 = "sol_9_2", _("SoL 9 ch. 2 § (paid as an advance or under agreement)")
        LSS = "lss", _("LSS 12 §")
        CONTRACT = "contract", _("the agreement (contract terms)")
        DAMAGES = "damages", _("damages (Tort Liability Act)")
        GRANT_TERMS = "grant_terms", _("the grant terms")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="recovery_claims")
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    legal_ground = models.CharField(_("legal ground"), max_length=20, choices=LegalGround.choices)
    decision_date = models.DateField(_("decision date"))
    debtor = models.CharField(_("debtor"), max_length=200)
    debtor_id = models.CharField(
        _("debtor's personnummer or organisation number"), max_length=20, blank=True
    )
    period = models.CharField(_("period concerned"), max_length=100, blank=True)
    reasoning = models.TextField(_("reasoning"))
    payment_plan = models.TextField(_("payment plan"), blank=True)
    written_off = models.DecimalField(
        _("written off"), max_digits=18, decimal_places=2, default=Decimal(0)
    )
    written_off_on = models.DateField(_("written off on"), null=True, blank=True)
    write_off_reason = models.TextField(_("reason for write-off"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decision_date", "id"]

    @property
    def received(self) -> Decimal:
        return sum((p.amount for p in self.payments.all()), Decimal(0))

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.received - self.written_off


class RecoveryPayment(MunicipalModel):
    claim = models.ForeignKey(RecoveryClaim, on_delete=models.CASCADE, related_name="payments")
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["paid_on", "id"]


class PoliceReport(MunicipalModel):
    class Offence(models.TextChoices):
        BENEFIT_FRAUD = "bidragsbrott", _("benefit fraud (Benefit Offences Act 2 §)")
        GROSS_BENEFIT_FRAUD = (
            "grovt_bidragsbrott",
            _("gross benefit fraud (Benefit Offences Act 3 §)"),
        )
        CARELESS_BENEFIT = (
            "vardslost_bidragsbrott",
            _("careless benefit offence (Benefit Offences Act 4 §)"),
        )
        FRAUD = "bedrageri", _("fraud (Penal Code 9 ch. 1 §)")
        FORGERY = "urkundsforfalskning", _("forgery (Penal Code 14 ch. 1 §)")
        BRIBERY = "bestickning", _("bribery (Penal Code 10 ch. 5 b §)")
        BREACH_OF_TRUST = "trolöshet", _("breach of trust (Penal Code 10 ch. 5 §)")
        UNLAWFUL_THREAT = (
            "olaga_hot",
            _("unlawful threat against an official (Penal Code 17 ch. 1 §)"),
        )

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="police_reports")
    offences = models.JSONField(_("offences"), default=list)
    checklist = models.JSONField(default=dict)  # item key -> answered yes
    facts = models.TextField(_("facts"))
    attachments = models.JSONField(default=list)  # CaseDocument ids
    # The date the report was sent to the police; empty while it is a draft. Only a sent
    # report counts in the statistics (selectors.police_reports_sent).
    reported_on = models.DateField(_("sent to the police on"), null=True, blank=True)
    police_reference = models.CharField(_("police reference number"), max_length=50, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    @property
    def offence_labels(self) -> list[str]:
        return [str(self.Offence(o).label) for o in self.offences if o in self.Offence.values]

    @property
    def is_sent(self) -> bool:
        return self.reported_on is not None


class Notification(MunicipalModel):
    """One exchange with another authority; together they form the information-sharing ledger.

    Outgoing: an underrättelse or disclosure the municipality sent. Incoming: a request or
    information another authority sent the municipality (for example under lag (2024:307)),
    with the municipality's answer. A notification made from the review queue before any case
    exists has `hit` and no `case`.
    """

    class Direction(models.TextChoices):
        OUTGOING = "outgoing", _("sent by the municipality")
        INCOMING = "incoming", _("received by the municipality")

    class Recipient(models.TextChoices):
        FK = "forsakringskassan", "Försäkringskassan"
        SKV = "skatteverket", _("Skatteverket – population registration")
        CSN = "csn", "CSN"
        AF = "arbetsformedlingen", "Arbetsförmedlingen"
        MIGRATION = "migrationsverket", "Migrationsverket"
        PENSION = "pensionsmyndigheten", "Pensionsmyndigheten"
        IVO = "ivo", "IVO"
        A_KASSA = "a-kassa", _("unemployment insurance fund")
        EBM = "ekobrottsmyndigheten", "Ekobrottsmyndigheten"
        LST = "lansstyrelsen", _("the County Administrative Board")

    class LegalGround(models.TextChoices):
        LAW_2008_206 = "2008:206", _("Act (2008:206) on notification of incorrect payments")
        LAW_2024_307 = "2024:307", _("Act (2024:307) on disclosure to prevent incorrect payments")
        OSL_10_15A = (
            "osl_10_15a",
            _("OSL 10 ch. 15 a § (disclosure to prevent incorrect payments, from 2025-12-01)"),
        )
        FOL_32 = "fol_32", _("Population Registration Act 32 § (duty to notify Skatteverket)")

    # the first day a ground may be used
    GROUND_IN_FORCE = {"osl_10_15a": "2025-12-01", "2024:307": "2024-07-01"}

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    hit = models.ForeignKey(
        "controls.Hit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.OUTGOING
    )
    recipient = models.CharField(_("authority"), max_length=30, choices=Recipient.choices)
    legal_ground = models.CharField(_("legal ground"), max_length=20, choices=LegalGround.choices)
    shared = models.TextField(_("what was shared or asked"))
    sent_on = models.DateField(_("date"))
    answer = models.TextField(_("the municipality's answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "-id"]


class Sanction(MunicipalModel):
    """One step on the sanction ladder against a provider, with its follow-up."""

    class Step(models.IntegerChoices):
        ACTION_PLAN = 1, _("action plan")
        WARNING = 2, _("warning")
        PENALTY = 3, _("penalty or deduction")
        TERMINATION = 4, _("withdrawal of authorisation or termination")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sanctions")
    step = models.PositiveSmallIntegerField(_("step"), choices=Step.choices)
    provider = models.CharField(_("provider"), max_length=200)
    decided_on = models.DateField(_("decided on"))
    description = models.TextField(_("description"))
    amount = models.DecimalField(
        _("penalty or deduction (kr)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    followed_up_at = models.DateField(_("followed up"), null=True, blank=True)
    follow_up_note = models.TextField(_("result of the follow-up"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["decided_on", "step", "id"]


class OtherOutcome(MunicipalModel):
    class Kind(models.TextChoices):
        CORRECTED_PAYMENT = "corrected_payment", _("corrected payment")
        CHANGED_DECISION = "changed_decision", _("changed decision")
        NO_ACTION = "no_action", _("no action")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="other_outcomes")
    kind = models.CharField(_("outcome"), max_length=20, choices=Kind.choices)
    decided_on = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount (kr)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("description"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["decided_on", "id"]


# --- Letters, templates and the letterhead ------------------------------------------------------


class Letterhead(MunicipalModel):
    """What every document of the municipality prints at its head and foot. One per municipality."""

    authority = models.CharField(
        _("authority (as it signs)"),
        max_length=200,
        blank=True,
        help_text=_("For example “Socialnämnden i Exempelkommun”. Empty: the municipality's name."),
    )
    orgnr = models.CharField(_("organisation number"), max_length=11, blank=True)
    address = models.CharField(_("postal address"), max_length=200, blank=True)
    phone = models.CharField(_("telephone"), max_length=50, blank=True)
    email = models.CharField(_("e-mail"), max_length=200, blank=True)
    decision_maker_title = models.CharField(
        _("title of the decision-maker"), max_length=200, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality"], name="letterhead_one_per_municipality")
        ]


class DocumentTemplate(MunicipalModel):
    """A municipality's own version of a document template. Never edited: a change is a new version."""

    kind = models.CharField(_("document"), max_length=30)
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("template"))
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind", "version"], name="document_template_unique_version"
            )
        ]


class Letter(MunicipalModel):
    """A letter to the person or company the case is about: kommunicering, kallelse or begäran om uppgifter."""

    PERSONAL_DATA = True

    class Kind(models.TextChoices):
        COMMUNICATION = "kommunicering", _("communication before a decision (FL 25 §)")
        SUMMONS = "kallelse", _("summons to a meeting")
        REQUEST = "begaran", _("request for information")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(_("letter"), max_length=20, choices=Kind.choices)
    addressee = models.CharField(_("to"), max_length=200)
    identifier = models.CharField(
        _("personnummer or organisation number"), max_length=20, blank=True
    )
    address = models.TextField(_("address"), blank=True)
    interpreter = models.CharField(_("interpreter needed (language)"), max_length=100, blank=True)
    material = models.JSONField(default=list)  # CaseDocument ids sent with the letter
    body = models.TextField(_("what the letter says"))
    meeting_at = models.DateTimeField(_("meeting time"), null=True, blank=True)
    meeting_place = models.CharField(_("meeting place"), max_length=200, blank=True)
    reply_by = models.DateField(_("reply by"), null=True, blank=True)
    sent_on = models.DateField(_("sent on"))
    reply_received_on = models.DateField(_("reply received on"), null=True, blank=True)
    reply = models.TextField(_("the reply"), blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_on", "id"]

    @property
    def awaiting_reply(self) -> bool:
        from django.utils import timezone

        return (
            self.reply_by is not None
            and self.reply_received_on is None
            and self.reply_by >= timezone.localdate()
        )


# --- Release of public documents (utlämnande av allmän handling) -------------------------------


class DisclosureRequest(MunicipalModel):
    """A request to see a case document, its secrecy review and the decision."""

    PERSONAL_DATA = True

    class Decision(models.TextChoices):
        PENDING = "pending", _("under review")
        RELEASED = "released", _("released in full")
        PARTLY = "partly", _("released with parts masked")
        REFUSED = "refused", _("refused")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disclosure_requests")
    document = models.ForeignKey(
        CaseDocument,
        on_delete=models.CASCADE,
        related_name="disclosure_requests",
        verbose_name=_("document"),
    )
    requester = models.CharField(
        _("requested by"),
        max_length=200,
        blank=True,
        help_text=_("Anyone may ask anonymously; leave empty if the requester gives no name."),
    )
    received_on = models.DateField(_("received on"))
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reasoning = models.TextField(_("reasoning"), blank=True)
    released_copy = models.ForeignKey(
        CaseDocument, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_document = models.ForeignKey(
        CaseDocument, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]


class Masking(MunicipalModel):
    """One passage kept secret in a released copy, with the provision of OSL that applies."""

    request = models.ForeignKey(
        DisclosureRequest, on_delete=models.CASCADE, related_name="maskings"
    )
    passage = models.TextField(_("passage to mask"))
    provision = models.CharField(
        _("provision (OSL)"),
        max_length=100,
        help_text=_("Chapter and section, for example “26 kap. 1 § OSL”."),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


# --- Retention (gallring) -----------------------------------------------------------------------


class DeletionRequest(MunicipalModel):
    """A due deletion: proposed by one person, approved and carried out by another.

    Once carried out, the case and its files are gone; this row keeps only what the
    records plan needs to show that gallring happened (no names, no content).
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        DONE = "done", _("carried out")
        REJECTED = "rejected", _("rejected")

    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    case_number = models.CharField(_("case number"), max_length=20)
    case_type = models.CharField(_("case type"), max_length=20, choices=CaseType.choices)
    closed_on = models.DateField(_("closed"), null=True)
    retain_until = models.DateField(_("retain until"), null=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    documents_deleted = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
