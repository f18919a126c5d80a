"""Risk areas, their VoR assessments (history kept: each valuation is a new row) and the settings
that shape the scale and the prioritisation score."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tillit.accounts.models import Board, MunicipalModel


class Foundation(models.TextChoices):
    """How well-founded a score is."""

    WEAK = "weak", _("weak (estimate)")
    FAIR = "fair", _("fair (some data)")
    STRONG = "strong", _("strong (data and controls)")


class RiskSettings(MunicipalModel):
    """One per municipality: the scale, its wording and the weights of the prioritisation score."""

    scale_max = models.PositiveSmallIntegerField(_("steps on the scale"), default=4)
    probability_labels = models.JSONField(_("probability wording"), default=list, blank=True)
    consequence_labels = models.JSONField(_("consequence wording"), default=list, blank=True)
    weight_vor = models.DecimalField(
        _("weight of the VoR value"), max_digits=5, decimal_places=2, default=Decimal("0.50")
    )
    weight_exposure = models.DecimalField(
        _("weight of the exposure"), max_digits=5, decimal_places=2, default=Decimal("0.30")
    )
    weight_influence = models.DecimalField(
        _("weight of unlawful influence"), max_digits=5, decimal_places=2, default=Decimal("0.20")
    )
    stale_after_days = models.PositiveIntegerField(
        _("an assessment is stale after (days)"), default=400
    )

    class Meta:
        verbose_name = _("risk settings")
        verbose_name_plural = _("risk settings")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"], name="risksettings_one_per_municipality"
            )
        ]


class Organisation(MunicipalModel):
    """A municipal company (koncernbolag) that has its own risk areas beside the boards."""

    name = models.CharField(_("name"), max_length=200)
    org_number = models.CharField(_("organisation number"), max_length=20, blank=True)
    owner_board = models.ForeignKey(
        Board,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner board"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("municipal company")
        verbose_name_plural = _("municipal companies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="risk_org_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class RiskArea(MunicipalModel):
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("motivation"), blank=True)
    owner_boards = models.ManyToManyField(
        Board, blank=True, related_name="risk_areas", verbose_name=_("owner boards")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risk_areas",
        verbose_name=_("municipal company"),
    )
    exposure_kr = models.DecimalField(
        _("budget/outcome exposed (kr)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    catalogue_number = models.PositiveSmallIntegerField(
        _("number in the catalogue"), null=True, blank=True
    )
    origin = models.CharField(_("origin"), max_length=200, blank=True)
    retired = models.BooleanField(_("no longer used"), default=False)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("risk area")
        verbose_name_plural = _("risk areas")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="riskarea_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RiskAnalysis(MunicipalModel):
    """A year's analysis; rolled out from the municipal board to each board (children) and back up."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        SUBMITTED = "submitted", _("submitted")
        CLOSED = "closed", _("closed")

    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    board = models.ForeignKey(
        Board,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("board"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipal company"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("rolled out from"),
    )
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("copied from"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    risk_areas = models.ManyToManyField(
        RiskArea, blank=True, related_name="analyses", verbose_name=_("risk areas")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("risk analysis")
        verbose_name_plural = _("risk analyses")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name


class RiskAssessment(MunicipalModel):
    """One valuation of one risk area on one date. Never edited: a new valuation is a new row, so the
    rows of a risk area are its history."""

    risk_area = models.ForeignKey(
        RiskArea, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("risk area")
    )
    analysis = models.ForeignKey(
        RiskAnalysis,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("analysis"),
    )
    board = models.ForeignKey(
        Board,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("board"),
    )
    assessed_on = models.DateField(_("date"))
    gross_probability = models.PositiveSmallIntegerField(_("gross probability"))
    gross_consequence = models.PositiveSmallIntegerField(_("gross consequence"))
    gross_motivation = models.TextField(_("motivation of the gross risk"), blank=True)
    gross_foundation = models.CharField(
        _("how well-founded (gross)"),
        max_length=10,
        choices=Foundation.choices,
        default=Foundation.WEAK,
    )
    net_probability = models.PositiveSmallIntegerField(_("net probability"), null=True, blank=True)
    net_consequence = models.PositiveSmallIntegerField(_("net consequence"), null=True, blank=True)
    net_motivation = models.TextField(_("motivation of the net risk"), blank=True)
    net_foundation = models.CharField(
        _("how well-founded (net)"),
        max_length=10,
        choices=Foundation.choices,
        default=Foundation.WEAK,
    )
    target_probability = models.PositiveSmallIntegerField(
        _("target probability"), null=True, blank=True
    )
    target_consequence = models.PositiveSmallIntegerField(
        _("target consequence"), null=True, blank=True
    )
    target_motivation = models.TextField(_("motivation of the target risk"), blank=True)
    target_foundation = models.CharField(
        _("how well-founded (target)"),
        max_length=10,
        choices=Foundation.choices,
        default=Foundation.WEAK,
    )
    unlawful_influence = models.PositiveSmallIntegerField(
        _("risk of unlawful influence"), default=1
    )
    ic_deviations = models.PositiveIntegerField(
        _("deviations in last year's internal control"), default=0
    )
    ic_deviations_note = models.TextField(_("about the deviations"), blank=True)
    changes = models.JSONField(_("changed since the copied analysis"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_on", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.risk_area} {self.assessed_on}"

    # The score the heat map and ranking use: net when given, else gross.
    @property
    def probability(self) -> int:
        return self.net_probability or self.gross_probability

    @property
    def consequence(self) -> int:
        return self.net_consequence or self.gross_consequence

    @property
    def gross_score(self) -> int:
        return self.gross_probability * self.gross_consequence

    @property
    def net_score(self) -> int | None:
        if self.net_probability and self.net_consequence:
            return self.net_probability * self.net_consequence
        return None

    @property
    def target_score(self) -> int | None:
        if self.target_probability and self.target_consequence:
            return self.target_probability * self.target_consequence
        return None

    @property
    def score(self) -> int:
        return self.probability * self.consequence


# --- workshops ---------------------------------------------------------------------------------


class Workshop(MunicipalModel):
    """A standardised workshop (Oskarshamn 4.1–4.2): each participant scores alone, then the group
    sees the spread and agrees a consensus with a motivation."""

    class Status(models.TextChoices):
        SCORING = "scoring", _("participants score on their own")
        CONSENSUS = "consensus", _("the group agrees")
        CLOSED = "closed", _("closed")

    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    board = models.ForeignKey(
        Board,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("board"),
    )
    analysis = models.ForeignKey(
        RiskAnalysis,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workshops",
        verbose_name=_("analysis"),
    )
    risk_areas = models.ManyToManyField(
        RiskArea, related_name="workshops", verbose_name=_("risk areas")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCORING
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("facilitator"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class WorkshopParticipant(MunicipalModel):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(_("name or role"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    token = models.CharField(max_length=64, unique=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkshopScore(MunicipalModel):
    participant = models.ForeignKey(
        WorkshopParticipant, on_delete=models.CASCADE, related_name="scores"
    )
    risk_area = models.ForeignKey(RiskArea, on_delete=models.CASCADE, related_name="+")
    probability = models.PositiveSmallIntegerField(_("probability"))
    consequence = models.PositiveSmallIntegerField(_("consequence"))
    unlawful_influence = models.PositiveSmallIntegerField(
        _("risk of unlawful influence"), default=1
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "risk_area"], name="workshopscore_once")
        ]


class WorkshopConsensus(MunicipalModel):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="consensus")
    risk_area = models.ForeignKey(RiskArea, on_delete=models.CASCADE, related_name="+")
    probability = models.PositiveSmallIntegerField(_("probability"))
    consequence = models.PositiveSmallIntegerField(_("consequence"))
    unlawful_influence = models.PositiveSmallIntegerField(
        _("risk of unlawful influence"), default=1
    )
    motivation = models.TextField(_("motivation"))
    proposed_measures = models.TextField(_("proposed measures"), blank=True)
    assessment = models.ForeignKey(
        RiskAssessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workshop", "risk_area"], name="workshopconsensus_once")
        ]


# --- operative risk analyses per department ------------------------------------------------------


class OperativeAnalysis(MunicipalModel):
    """A template of questions per operation, answered by each department, compiled into one mapping."""

    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    questions = models.JSONField(_("questions"), default=list)
    origin = models.CharField(_("origin"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("operative risk analysis")
        verbose_name_plural = _("operative risk analyses")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name


class OperativeAnswer(MunicipalModel):
    analysis = models.ForeignKey(
        OperativeAnalysis, on_delete=models.CASCADE, related_name="answers"
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    department = models.CharField(_("department"), max_length=200)
    operation = models.CharField(_("operation"), max_length=200)
    answers = models.JSONField(_("answers"), default=dict)
    risk_areas = models.ManyToManyField(
        RiskArea, blank=True, related_name="operative_answers", verbose_name=_("risk areas found")
    )
    answered_on = models.DateField(_("date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["department", "operation"]


# --- risk positions and background checks ---------------------------------------------------------


class RiskPosition(MunicipalModel):
    """A position (not a person) with decision power over payments, appointments or procurement."""

    title = models.CharField(_("position"), max_length=200)
    unit = models.CharField(_("unit"), max_length=200, blank=True)
    board = models.ForeignKey(
        Board,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("board"),
    )
    power = models.JSONField(_("decision power over"), default=list)
    reason = models.TextField(_("why it is a risk position"))
    routine = models.JSONField(_("background-check routine"), default=list)
    interval_months = models.PositiveSmallIntegerField(_("check again after (months)"), default=12)
    retired = models.BooleanField(_("no longer a risk position"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("risk position")
        verbose_name_plural = _("risk positions")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class BackgroundCheck(MunicipalModel):
    """Only that a check was made, what kinds, when and by whom: never what a register extract said."""

    position = models.ForeignKey(RiskPosition, on_delete=models.CASCADE, related_name="checks")
    checked_on = models.DateField(_("checked on"))
    kinds = models.JSONField(_("what was checked"), default=list)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_on", "-id"]


# --- crime-proofing of the municipality's own rules -------------------------------------------------


class RuleReview(MunicipalModel):
    """A regulation analysed for the openings it gives to fraud (Brå's method of crime-proofing)."""

    title = models.CharField(_("regulation"), max_length=200)
    reference = models.CharField(_("decision or reference"), max_length=200, blank=True)
    board = models.ForeignKey(
        Board,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("board"),
    )
    reviewed_on = models.DateField(_("date"))
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("crime-proofing review")
        verbose_name_plural = _("crime-proofing reviews")
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return self.title


class RuleFinding(MunicipalModel):
    review = models.ForeignKey(RuleReview, on_delete=models.CASCADE, related_name="findings")
    section = models.CharField(_("section of the rules"), max_length=100, blank=True)
    opening = models.TextField(_("opening for fraud"))
    step = models.CharField(_("Brå step"), max_length=20)
    suggestion = models.TextField(_("suggested change or measure"), blank=True)
    risk_area = models.ForeignKey(
        RiskArea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("risk area"),
    )
    measure_ref = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["id"]


# --- internal control plan ----------------------------------------------------------------------------


class ControlPlanItem(MunicipalModel):
    """One row of a board's internkontrollplan (Kommunallagen 6 kap. 6 §)."""

    board = models.ForeignKey(
        Board, on_delete=models.CASCADE, related_name="+", verbose_name=_("board")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    risk_area = models.ForeignKey(
        RiskArea,
        on_delete=models.PROTECT,
        related_name="control_plan_items",
        verbose_name=_("risk area"),
    )
    activity = models.TextField(_("control activity"))
    method = models.CharField(_("method"), max_length=200)
    frequency = models.CharField(_("frequency"), max_length=100)
    responsible = models.CharField(_("responsible"), max_length=200)
    control_id = models.CharField(_("Tillit control"), max_length=40, blank=True)

    class Meta:
        ordering = ["board", "year", "risk_area__code", "id"]
