from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tillit.accounts.models import Unit, User
from tillit.plans.models import ActionPlan, IndicatorSource, Measure, Routine

DATE = forms.DateInput(attrs={"type": "date"})


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    period_start = forms.DateField(label=_("Period from"), widget=DATE)
    period_end = forms.DateField(label=_("Period to"), widget=DATE)
    decided = forms.CharField(label=_("Decision (who and when)"), max_length=300, required=False)
    description = forms.CharField(
        label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("period_start")
            and data.get("period_end")
            and data["period_end"] < data["period_start"]
        ):
            self.add_error("period_end", _("The period ends before it starts."))
        return data


class AreaForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=10)
    title = forms.CharField(label=_("Activity area"), max_length=300)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


def _control_choices(municipality) -> list[tuple[str, str]]:
    """The controls of the controls app: the registry's ids, with the municipality's own configs."""
    ids: dict[str, str] = {}
    from django.utils.translation import gettext

    from tillit.analytics import registry

    for control in registry.all_controls():
        ids[control.id] = f"{control.id} – {gettext(control.title)}"
    from tillit.controls.models import ControlConfig

    for cid in ControlConfig.objects.filter(municipality=municipality).values_list(
        "control_id", flat=True
    ):
        ids.setdefault(cid, cid)
    return sorted(ids.items())


class MeasureForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Activity area"), queryset=None)
    code = forms.CharField(label=_("Number"), max_length=20, help_text=_("For example 4.12."))
    text = forms.CharField(label=_("Measure"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.CharField(
        label=_("Responsible (unit or role)"), max_length=300, required=False
    )
    responsible_unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=None, required=False
    )
    responsible_user = forms.ModelChoiceField(
        label=_("Contact person (gets the reminders)"), queryset=None, required=False
    )
    start = forms.DateField(label=_("Start"), widget=DATE, required=False)
    deadline = forms.DateField(label=_("Done by"), widget=DATE, required=False)
    indicator = forms.CharField(label=_("Indicator"), max_length=500, required=False)
    indicator_source = forms.ChoiceField(
        label=_("Indicator value from"), choices=IndicatorSource.choices
    )
    indicator_period_months = forms.IntegerField(
        label=_("Update the indicator every (months)"), min_value=1, max_value=36, initial=6
    )
    target_value = forms.DecimalField(
        label=_("Target value"), required=False, max_digits=14, decimal_places=2
    )
    status = forms.ChoiceField(label=_("Status"), choices=Measure.Status.choices)
    risk_areas = forms.ModelMultipleChoiceField(
        label=_("Risk areas"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    control_ids = forms.MultipleChoiceField(
        label=_("Controls"), required=False, widget=forms.CheckboxSelectMultiple
    )
    routines = forms.ModelMultipleChoiceField(
        label=_("Routines and guidelines"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    links = forms.CharField(
        label=_("Documents (one a line: title | address)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, plan: ActionPlan, **kwargs):
        super().__init__(*args, **kwargs)
        municipality = plan.municipality
        self.fields["area"].queryset = plan.areas.all()
        self.fields["responsible_unit"].queryset = Unit.objects.filter(municipality=municipality)
        self.fields["responsible_user"].queryset = User.objects.filter(
            municipality=municipality, is_active=True
        )
        self.fields["responsible_user"].label_from_instance = lambda u: (
            u.get_full_name() or u.username
        )
        self.fields["routines"].queryset = Routine.objects.filter(
            municipality=municipality, retired=False
        )
        self.fields["control_ids"].choices = _control_choices(municipality)
        risk_areas = _risk_area_queryset(municipality)
        if risk_areas is None:
            del self.fields["risk_areas"]
        else:
            self.fields["risk_areas"].queryset = risk_areas

    def clean_links(self):
        rows = []
        for number, line in enumerate((self.cleaned_data.get("links") or "").splitlines(), 1):
            if not line.strip():
                continue
            title, sep, url = line.partition("|")
            url = url.strip() if sep else title.strip()
            if not url.startswith(("http://", "https://", "/")):
                raise forms.ValidationError(
                    _("Line %(n)s: the address must start with https://, http:// or /.")
                    % {"n": number}
                )
            rows.append({"title": title.strip() if sep else url, "url": url})
        return rows


def _risk_area_queryset(municipality):
    try:
        from tillit.risks.models import RiskArea
    except ImportError:
        return None
    from tillit.plans.models import Measure as M

    if not hasattr(M, "risk_areas"):
        return None
    qs = RiskArea.objects.filter(municipality=municipality)
    if any(f.name == "retired" for f in RiskArea._meta.get_fields()):
        qs = qs.filter(retired=False)
    return qs.order_by("name")


def links_text(links: list[dict]) -> str:
    return "\n".join(f"{link.get('title', '')} | {link.get('url', '')}" for link in links or [])


class NoteForm(forms.Form):
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(label=_("Status"), choices=Measure.Status.choices)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)


class IndicatorValueForm(forms.Form):
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2)
    measured_on = forms.DateField(label=_("Measured on"), widget=DATE)
    note = forms.CharField(label=_("Comment"), max_length=500, required=False)


class ReportForm(forms.Form):
    as_of = forms.DateField(label=_("Report date"), widget=DATE)
    title = forms.CharField(label=_("Title"), max_length=300)
    recipients = forms.CharField(label=_("To (boards)"), max_length=300, required=False)
    comment = forms.CharField(
        label=_("Comment from the coordinators"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class ShareImportForm(forms.Form):
    file = forms.FileField(label=_("File shared by another municipality (.json)"))


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Course"), max_length=300)
    target_group = forms.CharField(label=_("Target group"), max_length=300, required=False)
    hours = forms.DecimalField(
        label=_("Length (hours)"), max_digits=6, decimal_places=1, required=False
    )
    description = forms.CharField(
        label=_("Content"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class OccasionForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    place = forms.CharField(label=_("Place or format"), max_length=200, required=False)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(Unit.objects.filter(municipality=municipality).order_by("name"))
        for unit in self.units:
            self.fields[f"unit_{unit.pk}"] = forms.IntegerField(
                label=unit.name, min_value=0, required=False
            )
        self.fields["group"] = forms.CharField(
            label=_("Other group (e.g. elected members)"), max_length=200, required=False
        )
        self.fields["group_participants"] = forms.IntegerField(
            label=_("Participants from the other group"), min_value=0, required=False
        )

    def attendance(self) -> list[tuple]:
        rows = [(unit, "", self.cleaned_data.get(f"unit_{unit.pk}") or 0) for unit in self.units]
        if self.cleaned_data.get("group_participants"):
            rows.append(
                (
                    None,
                    self.cleaned_data.get("group") or "",
                    self.cleaned_data["group_participants"],
                )
            )
        return [r for r in rows if r[2]]

    def clean(self):
        data = super().clean()
        if data.get("group_participants") and not (data.get("group") or "").strip():
            self.add_error("group", _("Name the group the participants came from."))
        return data

    def unit_fields(self):
        return [self[f"unit_{unit.pk}"] for unit in self.units]


class RoutineForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=Routine.Kind.choices)
    owner = forms.CharField(label=_("Owner (unit or role)"), max_length=300)
    version = forms.CharField(label=_("Version"), max_length=20, initial="1")
    decided_by = forms.CharField(label=_("Decided by"), max_length=300, required=False)
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE, required=False)
    next_review = forms.DateField(label=_("Next review"), widget=DATE, required=False)
    laws = forms.CharField(
        label=_("Laws it rests on (one a line)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    case_steps = forms.MultipleChoiceField(
        label=_("Governs the case steps"),
        choices=Routine.CASE_STEPS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(
        label=_("Content in brief"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    url = forms.URLField(label=_("Link to the document"), required=False, assume_scheme="https")

    def clean_laws(self):
        return [
            line.strip()
            for line in (self.cleaned_data.get("laws") or "").splitlines()
            if line.strip()
        ]

    def clean(self):
        data = super().clean()
        if (
            data.get("decided_on")
            and data.get("next_review")
            and data["next_review"] < data["decided_on"]
        ):
            self.add_error("next_review", _("The next review is before the decision."))
        return data
