"""Municipalities (tenants), boards, units, users with one role, API tokens and the access log."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

from django.contrib.auth.models import AbstractUser
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Municipality(models.Model):
    code = models.CharField(_("municipality code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MunicipalModel(models.Model):
    """Every record that holds municipal data belongs to exactly one municipality."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, verbose_name=_("municipality")
    )

    # Set True on models whose rows are personal data: fetching one through
    # accounts.access.fetch writes the access log without the view remembering to.
    PERSONAL_DATA = False

    class Meta:
        abstract = True


class Board(MunicipalModel):
    """A nämnd."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("board")
        verbose_name_plural = _("boards")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="board_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Unit(MunicipalModel):
    """A förvaltning or avdelning; departments may have sub-units."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("department")
        SECTION = "section", _("section")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("board")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("part of")
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "administrator", _("Administrator")
    COORDINATOR = "coordinator", _("Coordinator")
    INVESTIGATOR = "investigator", _("Investigator")
    CONTROLLER = "controller", _("Controller/economist")
    REVIEWER = "reviewer", _("Reviewer (read only)")


class User(AbstractUser):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("municipality"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.REVIEWER)
    board = models.ForeignKey(
        Board, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("board")
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class ApiToken(MunicipalModel):
    """A token for a system integration; only its SHA-256 is stored.

    A token acts as its user, but only within its scopes (a token that reads hits cannot read
    cases) and only until it expires or is revoked.
    """

    class Scope(models.TextChoices):
        READ_HITS = "hits:read", _("Read hits and runs")
        READ_CASES = "cases:read", _("Read cases")
        READ_DATA = "data:read", _("Read the list of data sets")
        READ_RISKS = "risks:read", _("Read the risk analysis")
        WRITE_RISKS = "risks:write", _("Value risk areas")
        READ_PLANS = "plans:read", _("Read the action plan")
        WRITE_PLANS = "plans:write", _("Update the action plan's measures and indicators")
        READ_REPORTS = "reports:read", _("Read the overview's and reports' figures")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The access log is append-only")

    def delete(self):
        raise PermissionError("The access log is append-only")


class AccessLogEntry(MunicipalModel):
    """Who saw which personal data, when and from which page. Append-only.

    The application cannot change or remove a row: save() refuses updates,
    delete() and queryset update/delete refuse, and a database trigger
    (migration 0002) refuses UPDATE and DELETE on SQLite and PostgreSQL.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        EXPORT = "export", _("exported")
        SEARCH = "search", _("searched")
        CHANGE = "change", _("changed")  # user administration: created, password reset, tokens

    at = models.DateTimeField(_("time"), default=timezone.now, editable=False, db_index=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, verbose_name=_("user"))
    username = models.CharField(_("user name"), max_length=150)
    action = models.CharField(
        _("action"), max_length=10, choices=Action.choices, default=Action.VIEW
    )
    object_type = models.CharField(_("object type"), max_length=50, db_index=True)
    object_id = models.CharField(_("object"), max_length=100, db_index=True)
    path = models.CharField(_("page"), max_length=500)
    referer = models.CharField(_("came from"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    # The hash chain (F6): each row holds the hash of the row before it and its own hash over
    # both, so a row removed or changed behind the application's back breaks the chain that
    # `tillit accesslog verify` checks. Rows written before the chain existed have none.
    prev_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 - NULL marks rows from before the chain
    row_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

    objects = AppendOnlyQuerySet.as_manager()

    GENESIS = "0" * 64

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The access log is append-only")
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # one writer at a time extends the chain (SQLite's IMMEDIATE transactions already serialise)
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(7411)")
            last = (
                AccessLogEntry.objects.filter(row_hash__isnull=False)
                .order_by("-id")
                .values_list("row_hash", flat=True)
                .first()
            )
            self.prev_hash = last or self.GENESIS
            self.at = timezone.now()
            self.row_hash = self.compute_hash()
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The access log is append-only")

    def chain_payload(self) -> bytes:
        """The row's content as it enters its hash (everything but the id and the hashes)."""
        at = self.at.astimezone(UTC) if self.at.tzinfo else self.at
        return json.dumps(
            [
                self.prev_hash,
                at.strftime("%Y-%m-%dT%H:%M:%S.%f"),
                self.municipality_id,
                self.user_id,
                self.username,
                self.action,
                self.object_type,
                self.object_id,
                self.path,
                self.referer,
                self.ip_address or "",
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.chain_payload()).hexdigest()


class JobHeartbeat(models.Model):
    """A running import or control run says it is alive: which process on which machine, and when.

    A job whose process is gone (same machine, process no longer there) or whose beat is older
    than accounts.jobs.STALE_AFTER is marked failed with the reason by accounts.jobs.recover().
    """

    kind = models.CharField(max_length=20)  # "import" or "run"
    object_id = models.BigIntegerField()
    host = models.CharField(max_length=255)
    pid = models.IntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="heartbeat_one_per_job")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} on {self.host}:{self.pid}"
