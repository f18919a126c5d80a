from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tillit.accounts.models import Board
from tillit.risks.models import Foundation, Organisation


class KrField(forms.CharField):
    """An amount in kr written the Swedish way: `1 234 567,50`."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        cleaned = value.replace("\u00a0", "").replace(" ", "").replace("kr", "").replace(",", ".")
        try:
            amount = Decimal(cleaned)
        except InvalidOperation:
            raise forms.ValidationError(
                _("Write the amount in kronor, e.g. 1 234 567,50.")
            ) from None
        if amount < 0:
            raise forms.ValidationError(_("The amount cannot be negative."))
        return amount.quantize(Decimal("0.01"))


class RiskAreaForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Motivation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    exposure_kr = KrField(label=_("Budget/outcome exposed (kr)"), required=False)
    owner_boards = forms.ModelMultipleChoiceField(
        label=_("Owner boards"),
        queryset=Board.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisation = forms.ModelChoiceField(
        label=_("Municipal company"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_boards"].queryset = Board.objects.filter(municipality=municipality)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            municipality=municipality
        )


class RiskAreaCreateForm(RiskAreaForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        required=False,
        help_text=_("Leave empty for the next free code (R48, R49 …)."),
    )
    field_order = ["code", "name"]


def _scale_choices(labels: list[str], steps: int, *, blank: bool):
    from django.utils.translation import gettext as _g

    choices = [("", "–")] if blank else []
    for value in range(1, steps + 1):
        label = labels[value - 1] if value - 1 < len(labels) else ""
        choices.append((str(value), f"{value} {_g(label)}".strip()))
    return choices


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    gross_probability = forms.TypedChoiceField(label=_("Gross probability"), coerce=int)
    gross_consequence = forms.TypedChoiceField(label=_("Gross consequence"), coerce=int)
    gross_motivation = forms.CharField(
        label=_("Motivation of the gross risk"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    gross_foundation = forms.ChoiceField(
        label=_("How well-founded is the gross risk"),
        choices=Foundation.choices,
        initial=Foundation.WEAK,
    )
    net_probability = forms.TypedChoiceField(
        label=_("Net probability"), coerce=int, required=False, empty_value=None
    )
    net_consequence = forms.TypedChoiceField(
        label=_("Net consequence"), coerce=int, required=False, empty_value=None
    )
    net_motivation = forms.CharField(
        label=_("Motivation of the net risk"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    net_foundation = forms.ChoiceField(
        label=_("How well-founded is the net risk"),
        choices=Foundation.choices,
        initial=Foundation.WEAK,
    )
    target_probability = forms.TypedChoiceField(
        label=_("Target probability"), coerce=int, required=False, empty_value=None
    )
    target_consequence = forms.TypedChoiceField(
        label=_("Target consequence"), coerce=int, required=False, empty_value=None
    )
    target_motivation = forms.CharField(
        label=_("Motivation of the target risk"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    target_foundation = forms.ChoiceField(
        label=_("How well-founded is the target risk"),
        choices=Foundation.choices,
        initial=Foundation.WEAK,
    )
    unlawful_influence = forms.TypedChoiceField(label=_("Risk of unlawful influence"), coerce=int)
    ic_deviations = forms.IntegerField(
        label=_("Deviations in last year's internal control"), min_value=0, initial=0
    )
    ic_deviations_note = forms.CharField(
        label=_("About the deviations"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, scale, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].initial = timezone.localdate()
        for prefix, blank in (("gross", False), ("net", True), ("target", True)):
            self.fields[f"{prefix}_probability"].choices = _scale_choices(
                scale.probability, scale.steps, blank=blank
            )
            self.fields[f"{prefix}_consequence"].choices = _scale_choices(
                scale.consequence, scale.steps, blank=blank
            )
        self.fields["unlawful_influence"].choices = _scale_choices([], scale.steps, blank=False)


class SettingsForm(forms.Form):
    scale_max = forms.IntegerField(label=_("Steps on the scale"), min_value=2, max_value=10)
    probability_labels = forms.CharField(
        label=_("Probability wording, one step a line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    consequence_labels = forms.CharField(
        label=_("Consequence wording, one step a line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    weight_vor = forms.DecimalField(
        label=_("Weight of the VoR value"), min_value=0, max_digits=5, decimal_places=2
    )
    weight_exposure = forms.DecimalField(
        label=_("Weight of the exposure in kr"), min_value=0, max_digits=5, decimal_places=2
    )
    weight_influence = forms.DecimalField(
        label=_("Weight of unlawful influence"), min_value=0, max_digits=5, decimal_places=2
    )
    stale_after_days = forms.IntegerField(
        label=_("An assessment is stale after (days)"), min_value=1
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("weight_vor", "weight_exposure", "weight_influence"):
            self.fields[name].localize = True
            self.fields[name].widget.is_localized = True

    def clean(self):
        data = super().clean()
        steps = data.get("scale_max")
        for name in ("probability_labels", "consequence_labels"):
            lines = [line.strip() for line in (data.get(name) or "").splitlines() if line.strip()]
            if steps and lines and len(lines) != steps:
                self.add_error(
                    name, _("Give one wording for each of the %(n)s steps, or none.") % {"n": steps}
                )
            data[name] = lines
        return data


def _municipal(field, model, municipality, **filters):
    field.queryset = model.objects.filter(municipality=municipality, **filters)


class AnalysisForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    board = forms.ModelChoiceField(
        label=_("Board"),
        queryset=Board.objects.none(),
        required=False,
        empty_label=_("The municipal board (whole municipality)"),
    )
    organisation = forms.ModelChoiceField(
        label=_("Municipal company"), queryset=Organisation.objects.none(), required=False
    )
    risk_areas = forms.ModelMultipleChoiceField(
        label=_("Risk areas"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for every active risk area."),
    )

    def __init__(self, *args, municipality, **kwargs):
        from tillit.risks.models import RiskArea

        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        _municipal(self.fields["board"], Board, municipality)
        _municipal(self.fields["organisation"], Organisation, municipality)
        _municipal(self.fields["risk_areas"], RiskArea, municipality, retired=False)


class CopyForm(forms.Form):
    year = forms.IntegerField(label=_("Year of the new analysis"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Name of the new analysis"), max_length=200, required=False)


class WorkshopForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    board = forms.ModelChoiceField(label=_("Board"), queryset=Board.objects.none(), required=False)
    risk_areas = forms.ModelMultipleChoiceField(
        label=_("Risk areas"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    participants = forms.CharField(
        label=_("Participants (a name or a role, one a line)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, municipality, **kwargs):
        from tillit.risks.models import RiskArea

        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()
        _municipal(self.fields["board"], Board, municipality)
        _municipal(self.fields["risk_areas"], RiskArea, municipality, retired=False)


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    org_number = forms.CharField(label=_("Organisation number"), max_length=20, required=False)
    owner_board = forms.ModelChoiceField(
        label=_("Owner board"), queryset=Board.objects.none(), required=False
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        _municipal(self.fields["owner_board"], Board, municipality)


class PositionForm(forms.Form):
    title = forms.CharField(label=_("Position"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=200, required=False)
    board = forms.ModelChoiceField(label=_("Board"), queryset=Board.objects.none(), required=False)
    power = forms.MultipleChoiceField(
        label=_("Decision power over"), widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label=_("Why it is a risk position"), widget=forms.Textarea(attrs={"rows": 2})
    )
    routine = forms.MultipleChoiceField(
        label=_("Background-check routine"), widget=forms.CheckboxSelectMultiple, required=False
    )
    interval_months = forms.IntegerField(
        label=_("Check again after (months)"), min_value=1, max_value=120, initial=12
    )

    def __init__(self, *args, municipality, **kwargs):
        from tillit.risks.positions import CHECK_KINDS, POWERS

        super().__init__(*args, **kwargs)
        _municipal(self.fields["board"], Board, municipality)
        self.fields["power"].choices = POWERS
        self.fields["routine"].choices = CHECK_KINDS


class CheckForm(forms.Form):
    checked_on = forms.DateField(
        label=_("Checked on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    kinds = forms.MultipleChoiceField(
        label=_("What was checked"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        from tillit.risks.positions import CHECK_KINDS

        super().__init__(*args, **kwargs)
        self.fields["checked_on"].initial = timezone.localdate()
        self.fields["kinds"].choices = CHECK_KINDS


class RuleReviewForm(forms.Form):
    title = forms.CharField(label=_("Regulation"), max_length=200)
    reference = forms.CharField(label=_("Decision or reference"), max_length=200, required=False)
    board = forms.ModelChoiceField(label=_("Board"), queryset=Board.objects.none(), required=False)
    reviewed_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].initial = timezone.localdate()
        _municipal(self.fields["board"], Board, municipality)


class FindingForm(forms.Form):
    section = forms.CharField(label=_("Section of the rules"), max_length=100, required=False)
    step = forms.ChoiceField(label=_("Step of the method"))
    opening = forms.CharField(
        label=_("Opening for fraud"), widget=forms.Textarea(attrs={"rows": 2})
    )
    suggestion = forms.CharField(
        label=_("Suggested change or measure"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        from tillit.risks.rules import STEPS

        super().__init__(*args, **kwargs)
        self.fields["step"].choices = STEPS


class ControlPlanItemForm(forms.Form):
    risk_area = forms.ModelChoiceField(label=_("Risk area"), queryset=None)
    activity = forms.CharField(
        label=_("Control activity"), widget=forms.Textarea(attrs={"rows": 2})
    )
    method = forms.CharField(label=_("Method"), max_length=200)
    frequency = forms.CharField(label=_("Frequency"), max_length=100)
    responsible = forms.CharField(label=_("Responsible"), max_length=200)
    control_id = forms.ChoiceField(label=_("Tillit control"), required=False)

    def __init__(self, *args, municipality, **kwargs):
        from tillit.analytics.registry import all_controls
        from tillit.risks.models import RiskArea

        super().__init__(*args, **kwargs)
        _municipal(self.fields["risk_area"], RiskArea, municipality, retired=False)
        self.fields["control_id"].choices = [("", "–")] + [
            (c.id, f"{c.id} {c.title}") for c in all_controls()
        ]


class OperativeAnalysisForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    questions = forms.CharField(
        label=_("Questions, one a line (empty: the standard questions)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Sharing file (JSON)"))
