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
            raise forms.ValidationError(_("Write the amount in kronor, e.g. 1 234 567,50.")) from None
        if amount < 0:
            raise forms.ValidationError(_("The amount cannot be negative."))
        return amount.quantize(Decimal("0.01"))


class RiskAreaForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Motivation"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    exposure_kr = KrField(label=_("Budget/outcome exposed (kr)"), required=False)
    owner_boards = forms.ModelMultipleChoiceField(label=_("Owner boards"), queryset=Board.objects.none(),
                                                  required=False, widget=forms.CheckboxSelectMultiple)
    organisation = forms.ModelChoiceField(label=_("Municipal company"), queryset=Organisation.objects.none(),
                                          required=False)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_boards"].queryset = Board.objects.filter(municipality=municipality)
        self.fields["organisation"].queryset = Organisation.objects.filter(municipality=municipality)


class RiskAreaCreateForm(RiskAreaForm):
    code = forms.CharField(label=_("Code"), max_length=20, required=False,
                           help_text=_("Leave empty for the next free code (R48, R49 …)."))
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
    gross_motivation = forms.CharField(label=_("Motivation of the gross risk"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 2}))
    gross_foundation = forms.ChoiceField(label=_("How well-founded is the gross risk"), choices=Foundation.choices,
                                         initial=Foundation.WEAK)
    net_probability = forms.TypedChoiceField(label=_("Net probability"), coerce=int, required=False, empty_value=None)
    net_consequence = forms.TypedChoiceField(label=_("Net consequence"), coerce=int, required=False, empty_value=None)
    net_motivation = forms.CharField(label=_("Motivation of the net risk"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    net_foundation = forms.ChoiceField(label=_("How well-founded is the net risk"), choices=Foundation.choices,
                                       initial=Foundation.WEAK)
    target_probability = forms.TypedChoiceField(label=_("Target probability"), coerce=int, required=False,
                                                empty_value=None)
    target_consequence = forms.TypedChoiceField(label=_("Target consequence"), coerce=int, required=False,
                                                empty_value=None)
    target_motivation = forms.CharField(label=_("Motivation of the target risk"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    target_foundation = forms.ChoiceField(label=_("How well-founded is the target risk"), choices=Foundation.choices,
                                          initial=Foundation.WEAK)
    unlawful_influence = forms.TypedChoiceField(label=_("Risk of unlawful influence"), coerce=int)
    ic_deviations = forms.IntegerField(label=_("Deviations in last year's internal control"), min_value=0, initial=0)
    ic_deviations_note = forms.CharField(label=_("About the deviations"), required=False,
                                         widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, scale, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].initial = timezone.localdate()
        for prefix, blank in (("gross", False), ("net", True), ("target", True)):
            self.fields[f"{prefix}_probability"].choices = _scale_choices(scale.probability, scale.steps, blank=blank)
            self.fields[f"{prefix}_consequence"].choices = _scale_choices(scale.consequence, scale.steps, blank=blank)
        self.fields["unlawful_influence"].choices = _scale_choices([], scale.steps, blank=False)


class SettingsForm(forms.Form):
    scale_max = forms.IntegerField(label=_("Steps on the scale"), min_value=2, max_value=10)
    probability_labels = forms.CharField(label=_("Probability wording, one step a line"), required=False,
                                         widget=forms.Textarea(attrs={"rows": 4}))
    consequence_labels = forms.CharField(label=_("Consequence wording, one step a line"), required=False,
                                         widget=forms.Textarea(attrs={"rows": 4}))
    weight_vor = forms.DecimalField(label=_("Weight of the VoR value"), min_value=0, max_digits=5, decimal_places=2)
    weight_exposure = forms.DecimalField(label=_("Weight of the exposure in kr"), min_value=0, max_digits=5,
                                         decimal_places=2)
    weight_influence = forms.DecimalField(label=_("Weight of unlawful influence"), min_value=0, max_digits=5,
                                          decimal_places=2)
    stale_after_days = forms.IntegerField(label=_("An assessment is stale after (days)"), min_value=1)

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
                self.add_error(name, _("Give one wording for each of the %(n)s steps, or none.") % {"n": steps})
            data[name] = lines
        return data
