from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tillit.analytics.labels import column_label
from tillit.analytics.schema import DATASETS
from tillit.datasets.models import MappingProfile


def _dataset_choices():
    """The data sets by their Swedish names (the schema's titles are English source strings)."""
    from django.utils.translation import gettext

    return [(name, f"{gettext(spec.title)} ({name})") for name, spec in DATASETS.items()]


class UploadForm(forms.Form):
    dataset = forms.ChoiceField(label=_("Data set"), choices=_dataset_choices)
    file = forms.FileField(
        label=_("File (CSV, XLSX, Parquet or SIE 4)"),
        allow_empty_file=True,
        help_text=_(
            "Supplier invoices can also be a zip file of e-invoices (Peppol BIS Billing 3 XML): they are "
            "imported with their lines at once."
        ),
    )
    profile = forms.ModelChoiceField(
        label=_("Mapping profile"),
        queryset=MappingProfile.objects.none(),
        required=False,
        empty_label=_("Recognise the columns automatically"),
    )

    def __init__(self, *args, profiles=None, **kwargs):
        super().__init__(*args, **kwargs)
        if profiles is not None:
            self.fields["profile"].queryset = profiles

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise forms.ValidationError(
                _(
                    "The file %(name)s is empty: it has no header row and no rows. Nothing was imported."
                ),
                params={"name": upload.name},
            )
        return upload


class ConfirmForm(forms.Form):
    """The column mapping as confirmed in the preview, plus how to import."""

    policy = forms.ChoiceField(
        label=_("If some rows are wrong"),
        choices=[
            ("reject", _("reject the whole file")),
            ("quarantine", _("import the good rows, quarantine the bad")),
        ],
    )
    force = forms.BooleanField(
        label=_("Import even if the same file was imported before"), required=False
    )
    date_format = forms.CharField(
        label=_("Date format (if not YYYY-MM-DD), e.g. %d/%m/%Y"), required=False
    )
    save_as = forms.CharField(
        label=_("Save the mapping as a profile named"), required=False, max_length=100
    )

    def __init__(self, *args, dataset: str, headers: list[str], initial_mapping: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.dataset = DATASETS[dataset]
        choices = [("", _("— not in the file —"))] + [(h, h) for h in headers]
        for column in self.dataset.columns:
            label = f"{gettext(column_label(column.name))} ({column.name}){' *' if column.required else ''}"
            self.fields[f"col__{column.name}"] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=False,
                initial=initial_mapping.get(column.name, ""),
            )
            if column.required:
                self.fields[f"unavailable__{column.name}"] = forms.BooleanField(
                    label=_("%(column)s is not available from this source")
                    % {"column": column.name},
                    required=False,
                )

    def mapping_columns(self) -> dict[str, str]:
        return {
            c.name: self.cleaned_data[f"col__{c.name}"]
            for c in self.dataset.columns
            if self.cleaned_data.get(f"col__{c.name}")
        }

    def unavailable(self) -> list[str]:
        return [
            c.name for c in self.dataset.columns if self.cleaned_data.get(f"unavailable__{c.name}")
        ]

    def clean(self):
        data = super().clean()
        mapped = self.mapping_columns()
        missing = [
            c
            for c in self.dataset.required
            if c not in mapped and not data.get(f"unavailable__{c}")
        ]
        if missing:
            raise forms.ValidationError(
                _(
                    "Choose a source column for every required column, or mark it unavailable: %(columns)s"
                ),
                params={"columns": ", ".join(missing)},
            )
        return data


class RetireForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (e.g. the records plan's retention period has passed)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ProfileForm(forms.ModelForm):
    columns_text = forms.CharField(
        label=_("Column mapping, one per line: canonical column = header in the file"),
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
    )
    unavailable_text = forms.CharField(
        label=_("Columns the source lacks (comma separated)"), required=False
    )

    class Meta:
        model = MappingProfile
        fields = ["name", "dataset", "date_format", "decimal", "encoding", "delimiter"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["columns_text"].initial = "\n".join(
                f"{k} = {v}" for k, v in self.instance.columns.items()
            )
            self.fields["unavailable_text"].initial = ", ".join(self.instance.unavailable)

    def clean_columns_text(self):
        spec = DATASETS.get(self.data.get("dataset") or self.instance.dataset)
        columns = {}
        for number, line in enumerate(self.cleaned_data["columns_text"].splitlines(), start=1):
            if not line.strip():
                continue
            canonical, sep, header = line.partition("=")
            canonical, header = canonical.strip(), header.strip()
            if not sep or not canonical or not header:
                raise forms.ValidationError(
                    _("Line %(n)s must be written: column = header"), params={"n": number}
                )
            if spec and canonical not in spec.column_names:
                raise forms.ValidationError(
                    _("Line %(n)s: %(column)s is not a column of this data set"),
                    params={"n": number, "column": canonical},
                )
            columns[canonical] = header
        return columns

    def clean_unavailable_text(self):
        return [c.strip() for c in self.cleaned_data["unavailable_text"].split(",") if c.strip()]

    def save(self, commit=True):
        self.instance.columns = self.cleaned_data["columns_text"]
        self.instance.unavailable = self.cleaned_data["unavailable_text"]
        return super().save(commit=commit)


class EntityJudgementForm(forms.Form):
    """A coordinator's judgement on two supplier records."""

    record_a = forms.CharField(widget=forms.HiddenInput, max_length=200)
    record_b = forms.CharField(widget=forms.HiddenInput, max_length=200)
    same = forms.TypedChoiceField(
        label=_("Judgement"),
        widget=forms.RadioSelect,
        coerce=lambda v: v == "same",
        choices=[
            ("same", _("the same organisation")),
            ("not_same", _("not the same organisation")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
