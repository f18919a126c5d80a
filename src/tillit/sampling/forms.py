from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from tillit.sampling.models import Sample, SampleItem


class AmountField(forms.DecimalField):
    """An amount as a Swedish user writes it: 1 234 567,50 (spaces and a decimal comma) or 1234567.50."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = (
                value.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
            )
            value = value.removesuffix("kr")
        return super().to_python(value)


class SampleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    method = forms.ChoiceField(
        label=_("Method"), choices=Sample.Method.choices, initial=Sample.Method.MUS
    )
    confidence = forms.TypedChoiceField(
        label=_("Confidence level"),
        coerce=Decimal,
        initial="0.95",
        choices=[("0.95", "95 %"), ("0.90", "90 %")],
    )
    tolerable_misstatement = AmountField(
        label=_("Tolerable misstatement (kr)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=16,
        decimal_places=2,
        help_text=_("Needed for monetary-unit sampling: the sample size follows from it."),
    )
    expected_misstatement = AmountField(
        label=_("Expected misstatement (kr)"),
        required=False,
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=2,
    )
    sample_size = forms.IntegerField(
        label=_("Sample size"),
        required=False,
        min_value=1,
        max_value=5000,
        help_text=_(
            "Needed for simple random sampling; for monetary-unit sampling it replaces the computed size."
        ),
    )
    boards = forms.MultipleChoiceField(
        label=_("Boards"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every board."),
    )
    period_from = forms.DateField(
        label=_("Invoice date from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_to = forms.DateField(
        label=_("Invoice date to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    min_amount = AmountField(
        label=_("Lowest amount (kr)"),
        required=False,
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=2,
    )
    seed = forms.IntegerField(
        label=_("Random seed"),
        required=False,
        min_value=0,
        max_value=2**62,
        help_text=_("Leave empty for a new draw; give a recorded seed to make a draw again."),
    )

    def __init__(self, *args, boards: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["boards"].choices = [(b, b) for b in boards]


class ResultForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"),
        widget=forms.RadioSelect,
        choices=[
            (SampleItem.Result.CORRECT, SampleItem.Result.CORRECT.label),
            (SampleItem.Result.DEVIATION, SampleItem.Result.DEVIATION.label),
        ],
    )
    deviation_type = forms.ChoiceField(
        label=_("Kind of deviation"),
        required=False,
        choices=[("", "—"), *SampleItem.DeviationType.choices],
    )
    audited_amount = AmountField(
        label=_("Audited amount (kr)"),
        required=False,
        max_digits=16,
        decimal_places=2,
        help_text=_("What the invoice should have been; for a deviation only."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
