"""Snapshots of imported data sets, mapping profiles and the record of every import attempt."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from tillit.accounts.models import MunicipalModel
from tillit.analytics.schema import DATASETS

# the schema's titles are English source strings: shown translated wherever the choices are displayed
DATASET_CHOICES = [(name, gettext_lazy(spec.title)) for name, spec in DATASETS.items()]

# Data sets whose rows are personal data: showing their rows writes the access log.
PERSONAL_DATASETS = frozenset(
    {
        "population",
        "benefit_payments",
        "employees",
        "company_roles",
        "care_visits",
        "care_decisions",
        "parking_permits",
        "provider_checks",
        "placements",
        "placement_billing",
        "housing_adaptations",
        "programme_attendance",
        "side_jobs",
        "benefit_applications",
    }
)


class MappingProfile(MunicipalModel):
    """How one source system's files map to a canonical data set."""

    name = models.CharField(_("name"), max_length=100)
    dataset = models.CharField(_("data set"), max_length=40, choices=DATASET_CHOICES)
    columns = models.JSONField(
        _("column mapping"), default=dict, help_text=_("canonical column → source header")
    )
    unavailable = models.JSONField(_("columns the source lacks"), default=list, blank=True)
    date_format = models.CharField(_("date format"), max_length=40, blank=True)
    decimal = models.CharField(_("decimal separator"), max_length=1, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=2, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mapping profile")
        verbose_name_plural = _("mapping profiles")
        ordering = ["dataset", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="profile_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Snapshot(MunicipalModel):
    """One immutable import: a Parquet file under the data directory and this row."""

    class Mode(models.TextChoices):
        PERIOD = "period", _("adds a period")
        REPLACE = "replace", _("replaces the whole data set")

    dataset = models.CharField(_("data set"), max_length=40, choices=DATASET_CHOICES, db_index=True)
    mode = models.CharField(_("kind"), max_length=10, choices=Mode.choices, default=Mode.PERIOD)
    period_from = models.DateField(_("period from"), null=True, blank=True)
    period_to = models.DateField(_("period to"), null=True, blank=True)
    source_name = models.CharField(_("source file"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    rows = models.PositiveIntegerField(_("rows"))
    quarantined_rows = models.PositiveIntegerField(_("quarantined rows"), default=0)
    parquet_path = models.CharField(max_length=500)
    quarantine_path = models.CharField(max_length=500, blank=True)
    columns = models.JSONField(default=list)
    unavailable_columns = models.JSONField(_("columns the source lacks"), default=list)
    mapping = models.JSONField(_("mapping used"), default=dict)
    profile = models.ForeignKey(MappingProfile, on_delete=models.SET_NULL, null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    replaced_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retired_reason = models.TextField(_("reason for retiring"), blank=True)
    # Withdrawn by the one who imported it (or a coordinator): out of the current data, the file kept, so
    # a coordinator can put it back. A withdrawn snapshot points replaced_by at itself, so every query
    # for the current data leaves it out; the snapshots it had replaced are current again meanwhile.
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.TextField(_("reason for withdrawing"), blank=True)
    reinstated = models.JSONField(default=list, blank=True)  # ids of the snapshots it had replaced

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["dataset", "-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.dataset} #{self.pk}"

    @property
    def is_current(self) -> bool:
        return self.retired_at is None and self.replaced_by_id is None


class ImportAttempt(MunicipalModel):
    """Every import attempt, successful or not, with its row-level report."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting confirmation")
        RUNNING = "running", _("running")
        IMPORTED = "imported", _("imported")
        QUARANTINED = "quarantined", _("imported, bad rows quarantined")
        REJECTED = "rejected", _("rejected")
        DUPLICATE = "duplicate", _("refused: already imported")

    dataset = models.CharField(_("data set"), max_length=40, choices=DATASET_CHOICES)
    source_name = models.CharField(_("source file"), max_length=255)
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RUNNING
    )
    policy = models.CharField(max_length=12, default="reject")
    force = models.BooleanField(default=False)
    upload_path = models.CharField(
        max_length=500, blank=True
    )  # the uploaded file until it is imported
    profile = models.ForeignKey(MappingProfile, on_delete=models.SET_NULL, null=True, blank=True)
    mapping = models.JSONField(default=dict, blank=True)  # the mapping confirmed in the preview
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # first errors, each {row, column, value, message}
    message = models.TextField(blank=True)  # English source template, translated when shown
    message_params = models.JSONField(default=dict)
    # what the importer noticed without refusing: how the dates were read, invoice numbers that are
    # not numbers, rows kept for the duplicate controls; each {message, params}, translated when shown
    notes = models.JSONField(_("notes"), default=list, blank=True)
    snapshot = models.ForeignKey(Snapshot, on_delete=models.SET_NULL, null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.dataset}: {self.source_name} ({self.status})"


class EntityJudgement(MunicipalModel):
    """A coordinator's judgement that two records are, or are not, the same person or organisation.

    Every later entity resolution respects it (analytics/entities.py: `same` / `not_same`); a newer
    judgement on the same pair replaces the older one, which is kept for the record.
    """

    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        ORGANISATION = "organisation", _("company or association")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    record_a = models.CharField(_("record"), max_length=200)
    record_b = models.CharField(_("other record"), max_length=200)
    same = models.BooleanField(_("the same"))
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("entity judgement")
        verbose_name_plural = _("entity judgements")
