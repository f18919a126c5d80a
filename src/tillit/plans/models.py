"""Action plans (handlingsplaner) with activity areas and measures, indicators, training records,
the routines library and the frozen status reports to the boards."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tillit.accounts.models import MunicipalModel, Unit


class ActionPlan(MunicipalModel):
    title = models.CharField(_("title"), max_length=300)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    decided = models.CharField(
        _("decision"),
        max_length=300,
        blank=True,
        help_text=_("Who decided the plan and when, e.g. Kommunstyrelsen 2026-05-26 § 99."),
    )
    description = models.TextField(_("purpose"), blank=True)
    source = models.TextField(_("source"), blank=True)
    # Where a shared plan came from: the envelope's origin, kept as it was.
    origin = models.JSONField(_("origin"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-period_start", "title"]

    def __str__(self) -> str:
        return self.title


class ActivityArea(MunicipalModel):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="areas")
    number = models.CharField(_("number"), max_length=10)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("activity area")
        verbose_name_plural = _("activity areas")
        ordering = ["plan", "order", "number"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class IndicatorSource(models.TextChoices):
    MANUAL = "manual", _("entered by hand")
    WORKSHOPS = "workshops", _("workshops held (risk analysis)")
    TRAINED = "trained", _("number trained (training records)")
    TRAININGS = "trainings", _("training occasions held")
    TIPS = "tips", _("tips received")
    IRREGULARITIES = "irregularities", _("irregularities found (cases with an outcome)")
    POLICE_REPORTS = "police_reports", _("police reports")
    SKV_NOTIFICATIONS = "skv_notifications", _("notifications to Skatteverket")
    NOTIFICATIONS = "notifications", _("notifications to other authorities")
    ROUTINES = "routines", _("routines and guidelines decided")


class Measure(MunicipalModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("not started")
        ONGOING = "ongoing", _("ongoing")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    area = models.ForeignKey(
        ActivityArea,
        on_delete=models.CASCADE,
        related_name="measures",
        verbose_name=_("activity area"),
    )
    code = models.CharField(_("number"), max_length=20, help_text=_("For example 4.12."))
    text = models.TextField(_("measure"))
    description = models.TextField(_("description"), blank=True)
    responsible = models.CharField(_("responsible (unit or role)"), max_length=300, blank=True)
    responsible_unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible unit"),
    )
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact person"),
    )
    start = models.DateField(_("start"), null=True, blank=True)
    deadline = models.DateField(_("done by"), null=True, blank=True)
    # The plan's own wording where it gives no date ("Hultsfreds kommun ansvarar för tidplanen").
    start_text = models.CharField(_("start as written in the plan"), max_length=200, blank=True)
    deadline_text = models.CharField(
        _("deadline as written in the plan"), max_length=200, blank=True
    )
    indicator = models.CharField(_("indicator"), max_length=500, blank=True)
    indicator_source = models.CharField(
        _("indicator value from"),
        max_length=30,
        choices=IndicatorSource.choices,
        default=IndicatorSource.MANUAL,
    )
    indicator_period_months = models.PositiveSmallIntegerField(
        _("update the indicator every (months)"),
        default=6,
        help_text=_(
            "An indicator entered by hand that has not been updated within this period is stale."
        ),
    )
    target_value = models.DecimalField(
        _("target value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    control_ids = models.JSONField(_("controls"), default=list, blank=True)
    links = models.JSONField(_("documents"), default=list, blank=True)  # [{"title": .., "url": ..}]
    risk_areas = models.ManyToManyField(
        "risks.RiskArea", blank=True, related_name="measures", verbose_name=_("risk areas")
    )
    routines = models.ManyToManyField(
        "Routine", blank=True, related_name="measures", verbose_name=_("routines and guidelines")
    )
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["area__order", "order", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.PLANNED, self.Status.ONGOING)

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_active and self.deadline is not None and self.deadline < today


class MeasureNote(MunicipalModel):
    """A progress note: what was done, with the status and progress it left the measure in."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="notes")
    written_on = models.DateField(_("date"), default=timezone.localdate)
    text = models.TextField(_("progress note"))
    status = models.CharField(_("status"), max_length=20, choices=Measure.Status.choices)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-written_on", "-id"]


class IndicatorValue(MunicipalModel):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="indicator_values")
    measured_on = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.CharField(_("comment"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-measured_on", "-id"]


class Reminder(MunicipalModel):
    """A deadline reminder, made once per measure, deadline and step (30, 7 or 1 days before)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    deadline = models.DateField()
    created_on = models.DateField()
    recipients = models.JSONField(default=list)  # user ids
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "deadline", "days_before"], name="plans_reminder_once"
            )
        ]


# --- training records ------------------------------------------------------------------------------


class Course(MunicipalModel):
    title = models.CharField(_("course"), max_length=300)
    description = models.TextField(_("content"), blank=True)
    target_group = models.CharField(_("target group"), max_length=300, blank=True)
    hours = models.DecimalField(
        _("length (hours)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("course")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class TrainingOccasion(MunicipalModel):
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="occasions", verbose_name=_("course")
    )
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place or format"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    @property
    def participants(self) -> int:
        return sum(a.participants for a in self.attendance.all())


class Attendance(MunicipalModel):
    """How many took part from one unit (or group, such as the elected members): counts, not names."""

    occasion = models.ForeignKey(
        TrainingOccasion, on_delete=models.CASCADE, related_name="attendance"
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    group = models.CharField(
        _("group"),
        max_length=200,
        blank=True,
        help_text=_("Where the participants are not a unit, e.g. elected members."),
    )
    participants = models.PositiveIntegerField(_("participants"))

    class Meta:
        ordering = ["id"]

    @property
    def label(self) -> str:
        return self.unit.name if self.unit_id else self.group


# --- routines and guidelines -----------------------------------------------------------------------


class Routine(MunicipalModel):
    class Kind(models.TextChoices):
        POLICY = "policy", _("policy")
        GUIDELINE = "guideline", _("guideline")
        ROUTINE = "routine", _("routine")
        TEMPLATE = "template", _("template")

    # The case steps a routine can govern (the cases app's states and outcome kinds).
    CASE_STEPS = [
        ("received", _("receiving a case")),
        ("assessment", _("first assessment")),
        ("investigation", _("investigation")),
        ("decision", _("decision")),
        ("follow_up", _("follow-up")),
        ("police_report", _("police report")),
        ("notification", _("notification to another authority")),
        ("recovery_claim", _("recovery claim")),
        ("sanction", _("sanction against a provider")),
    ]

    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ROUTINE)
    summary = models.TextField(_("content in brief"), blank=True)
    owner = models.CharField(_("owner (unit or role)"), max_length=300)
    version = models.CharField(_("version"), max_length=20, default="1")
    decided_by = models.CharField(_("decided by"), max_length=300, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    next_review = models.DateField(_("next review"), null=True, blank=True)
    laws = models.JSONField(_("laws"), default=list, blank=True)
    case_steps = models.JSONField(_("governs the case steps"), default=list, blank=True)
    url = models.URLField(_("link to the document"), blank=True)
    origin = models.JSONField(_("origin"), default=dict, blank=True)
    retired = models.BooleanField(_("retired"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("routine or guideline")
        verbose_name_plural = _("routines and guidelines")
        ordering = ["title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    def review_state(self, today=None) -> str:
        """'overdue', 'due' (within 30 days) or ''."""
        today = today or timezone.localdate()
        if self.retired or self.next_review is None:
            return ""
        if self.next_review < today:
            return "overdue"
        if (self.next_review - today).days <= 30:
            return "due"
        return ""


# --- status reports --------------------------------------------------------------------------------


class StatusReport(MunicipalModel):
    """A board-ready report for a date; once issued its figures and files never change."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="status_reports")
    as_of = models.DateField(_("report date"))
    title = models.CharField(_("title"), max_length=300)
    recipients = models.CharField(_("to"), max_length=300, blank=True)
    comment = models.TextField(_("comment from the coordinators"), blank=True)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    figures = models.JSONField(default=dict, blank=True)
    pdf = models.BinaryField(null=True, blank=True)
    docx = models.BinaryField(null=True, blank=True)
    xlsx = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_of", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_issued(self) -> bool:
        return self.issued_at is not None


class PlanEvent(MunicipalModel):
    """The audit trail of the plans app: who changed what, when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=50)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
