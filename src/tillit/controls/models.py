"""Control settings per municipality, runs, hits and every action taken on a hit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tillit.accounts.models import MunicipalModel


class ControlConfig(MunicipalModel):
    """A municipality's state and parameters for one control of the library (lifecycle, four eyes)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SHADOW = "shadow", _("shadow run")
        PENDING = "pending", _("awaiting approval")
        ACTIVE = "active", _("active")
        RETIRED = "retired", _("retired")

    control_id = models.CharField(_("control"), max_length=40)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    nightly = models.BooleanField(_("run every night"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "control_id"], name="control_config_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.control_id} ({self.state})"


class ControlVersion(MunicipalModel):
    """Every change of a control's parameters is a new version; hits keep the version that raised them."""

    control_id = models.CharField(max_length=40)
    version = models.PositiveIntegerField()
    params = models.JSONField(default=dict)
    library_version = models.PositiveIntegerField(default=1)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["control_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "control_id", "version"], name="control_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.control_id} v{self.version}"


class Run(MunicipalModel):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    trigger = models.CharField(max_length=20, default="manual")  # manual, schedule, cli, demo
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    engine = models.CharField(_("engine"), max_length=10, default="duckdb")
    dry_run = models.BooleanField(_("back-test"), default=False)
    control_ids = models.JSONField(default=list)
    snapshots = models.JSONField(default=dict)  # data set -> snapshot ids read
    report = models.JSONField(
        default=list
    )  # per control: version, params, sql, examined, hits, not applicable …
    controls_done = models.PositiveIntegerField(default=0)
    controls_total = models.PositiveIntegerField(default=0)
    hits_new = models.PositiveIntegerField(default=0)
    hits_updated = models.PositiveIntegerField(default=0)
    hits_closed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"run {self.pk}"


class Hit(MunicipalModel):
    """A träff: a control's finding with its evidence, amount at risk and Swedish explanation."""

    PERSONAL_DATA = True

    class Status(models.TextChoices):
        NEW = "new", _("new")
        DISMISSED = "dismissed", _("dismissed")
        NOTIFIED = "notified", _("other authority notified")
        CASE = "case", _("case opened")
        CLOSED = "closed", _("closed: the evidence is gone")

    class Severity(models.TextChoices):
        HIGH = "hög", _("high")
        MEDIUM = "medel", _("medium")
        LOW = "låg", _("low")

    class DismissReason(models.TextChoices):
        EXPLAINED = "explained", _("explained")
        CORRECTED = "corrected", _("corrected")
        IMMATERIAL = "immaterial", _("below the materiality threshold")
        FALSE_POSITIVE = "false_positive", _("false hit")

    control_id = models.CharField(_("control"), max_length=40, db_index=True)
    control_version = models.PositiveIntegerField(_("control version"))
    fingerprint = models.CharField(max_length=64)
    first_run = models.ForeignKey(Run, on_delete=models.PROTECT, related_name="+")
    last_run = models.ForeignKey(Run, on_delete=models.PROTECT, related_name="hits")
    engine = models.CharField(max_length=10)
    sql = models.TextField()
    params = models.JSONField(default=dict)
    snapshot_ids = models.JSONField(default=dict)
    subject_type = models.CharField(_("subject type"), max_length=30)
    subject_id = models.CharField(_("subject"), max_length=100, db_index=True)
    board = models.CharField(_("board"), max_length=200, blank=True, db_index=True)
    risk_areas = models.JSONField(default=list)
    amount_at_risk = models.DecimalField(
        _("amount at risk"), max_digits=18, decimal_places=2, default=0
    )
    severity = models.CharField(_("severity"), max_length=6, choices=Severity.choices)
    score = models.DecimalField(_("score"), max_digits=20, decimal_places=2, default=0)

    # the duplicate family's graded evidence (analytics/evidence.py): a rule on named reasons
    class Evidence(models.TextChoices):
        STRONG = "strong", _("strong")
        MEDIUM = "medium", _("medium")
        WEAK = "weak", _("weak")

    evidence_grade = models.CharField(
        _("strength of evidence"), max_length=6, choices=Evidence.choices, blank=True, db_index=True
    )
    evidence_rank = models.PositiveSmallIntegerField(default=0)  # strong 3, medium 2, weak 1
    evidence_reasons = models.JSONField(default=list)
    explanation_template = models.TextField()
    explanation_params = models.JSONField(default=dict)
    evidence = models.JSONField(default=list)
    evidence_keys = models.JSONField(default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    dismiss_reason = models.CharField(
        _("reason"), max_length=20, choices=DismissReason.choices, blank=True
    )
    shadow = models.BooleanField(
        default=False
    )  # raised by a control in shadow run: coordinators only
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "control_id", "fingerprint"], name="hit_unique_fingerprint"
            )
        ]
        indexes = [
            # the review queue's page of 50 read in index order, not sorted from a million open hits
            models.Index(
                fields=["municipality", "status", "-score", "-id"], name="hit_queue_by_score"
            ),
            models.Index(
                fields=["municipality", "status", "-evidence_rank", "-score", "-id"],
                name="hit_queue_by_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.control_id} {self.subject_type}:{self.subject_id}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.NEW


class HitEvent(MunicipalModel):
    """Who did what to a hit, and why. Written by the services in the same transaction."""

    hit = models.ForeignKey(Hit, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(
        max_length=20
    )  # raised, updated, closed, dismissed, notified, case, snoozed
    reason = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    run = models.ForeignKey(Run, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.hit_id} {self.action}"


class Snooze(MunicipalModel):
    """Silences one control for one subject until a date."""

    control_id = models.CharField(max_length=40)
    subject_type = models.CharField(max_length=30)
    subject_id = models.CharField(max_length=100)
    until = models.DateField(_("until"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.control_id} {self.subject_type}:{self.subject_id} → {self.until}"


class Schedule(MunicipalModel):
    """The nightly run of a municipality's controls."""

    enabled = models.BooleanField(_("run the controls every night"), default=True)
    hour = models.PositiveSmallIntegerField(_("hour (0–23, Swedish time)"), default=2)
    last_run_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality"], name="schedule_one_per_municipality")
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.hour:02d}:00"


class OrganisationUnits(MunicipalModel):
    """A coordinator's decision that the supplier records of one organisation number are one legal
    entity with many units (a region's committees, a hotel chain, the city's own districts).

    SUP-DUPLICATE does not raise that number's group again while every bank account of its records
    was known when it was decided; a record with another bank account raises the group again. The
    decision is made on a hit, which it dismisses (recorded in the hit's history)."""

    orgnr = models.CharField(_("organisation number"), max_length=20, db_index=True)
    supplier_ids = models.JSONField(default=list)  # the records of the group when it was decided
    bank_accounts = models.JSONField(default=list)  # their bank accounts then
    reason = models.TextField(_("reason"))
    hit = models.ForeignKey(Hit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("one legal entity, many units")
        verbose_name_plural = _("one legal entity, many units")

    def __str__(self) -> str:
        return f"{self.orgnr}: {len(self.supplier_ids)} records, {len(self.bank_accounts)} accounts"
