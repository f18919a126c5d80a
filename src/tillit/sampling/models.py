"""Samples (stickprov) of attested invoices: the draw as it was made, and each item's result."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tillit.accounts.models import MunicipalModel


class Sample(MunicipalModel):
    """One draw: population, method, parameters and seed are recorded so the draw can be made again."""

    class Method(models.TextChoices):
        MUS = "mus", _("monetary-unit sampling")
        SRS = "srs", _("simple random sampling")

    title = models.CharField(_("title"), max_length=200)
    dataset = models.CharField(_("data set"), max_length=40, default="invoices")
    method = models.CharField(_("method"), max_length=3, choices=Method.choices)
    seed = models.BigIntegerField(_("random seed"))
    confidence = models.DecimalField(_("confidence level"), max_digits=4, decimal_places=2)
    tolerable_misstatement = models.DecimalField(
        _("tolerable misstatement"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    expected_misstatement = models.DecimalField(
        _("expected misstatement"), max_digits=18, decimal_places=2, default=Decimal(0)
    )
    requested_size = models.PositiveIntegerField(_("requested sample size"), null=True, blank=True)
    # the population's definition: boards, invoice-date period, lowest amount
    filters = models.JSONField(_("population"), default=dict)
    snapshot_ids = models.JSONField(default=list)
    population_size = models.PositiveIntegerField(_("population size"))
    population_total = models.DecimalField(_("population total"), max_digits=18, decimal_places=2)
    sample_size = models.PositiveIntegerField(_("sample size"))
    interval = models.DecimalField(
        _("sampling interval"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    random_start = models.DecimalField(
        _("random start"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("drawn by"),
    )
    drawn_at = models.DateTimeField(_("drawn"), auto_now_add=True)

    class Meta:
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        ordering = ["-drawn_at", "-id"]

    def __str__(self) -> str:
        return self.title


class SampleItem(MunicipalModel):
    """One drawn invoice with the row as evidence and the controller's result."""

    PERSONAL_DATA = True  # an invoice of a sole trader names a person

    class Result(models.TextChoices):
        PENDING = "", _("not yet examined")
        CORRECT = "correct", _("no remark")
        DEVIATION = "deviation", _("deviation")

    class DeviationType(models.TextChoices):
        MISSING_BASIS = "missing_basis", _("supporting documents missing")
        WRONG_AMOUNT = "wrong_amount", _("wrong amount")
        WRONG_ACCOUNT = "wrong_account", _("wrong account")
        NOT_ATTESTED = "not_attested", _("attestation missing")
        CONFLICT = "conflict", _("conflict of interest")
        OTHER = "other", _("other")

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("number"))
    key = models.CharField(_("invoice"), max_length=100)
    supplier_id = models.CharField(_("supplier"), max_length=100, blank=True)
    board = models.CharField(_("board"), max_length=200, blank=True)
    book_amount = models.DecimalField(_("book amount"), max_digits=18, decimal_places=2)
    # the item is at or above the sampling interval: always drawn, its difference counted as it is
    top_stratum = models.BooleanField(_("at or above the interval"), default=False)
    row = models.JSONField(_("evidence"), default=dict)
    result = models.CharField(
        _("result"), max_length=10, choices=Result.choices, blank=True, default=""
    )
    deviation_type = models.CharField(
        _("kind of deviation"), max_length=20, choices=DeviationType.choices, blank=True
    )
    audited_amount = models.DecimalField(
        _("audited amount"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
    )

    class Meta:
        verbose_name = _("sample item")
        verbose_name_plural = _("sample items")
        ordering = ["sample", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["sample", "position"], name="sample_item_unique_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sample_id}:{self.position} {self.key}"

    @property
    def difference(self) -> Decimal | None:
        """Book minus audited amount (positive: the invoice was too high)."""
        if self.result != self.Result.DEVIATION or self.audited_amount is None:
            return None
        return self.book_amount - self.audited_amount
