from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tillit.tips.models import Category, Channel

HOW_KNOWN = [
    ("", _("Choose")),
    ("seen", _("I have seen it myself")),
    ("told", _("Someone told me")),
    ("documents", _("I have seen documents")),
    ("work", _("I know it through my work")),
    ("other", _("Another way")),
]

RELATION = [
    ("", _("Choose")),
    ("employee", _("Employee")),
    ("consultant", _("Consultant or hired staff")),
    ("trainee", _("Trainee or volunteer")),
    ("applicant", _("Job applicant or former employee")),
    ("elected", _("Elected official or shareholder")),
    ("other", _("Other work-related connection")),
]

# The questions that fit each subject: (field name, label, help text)
SUBJECT_QUESTIONS: dict[str, list[tuple[str, object, object]]] = {
    Category.BENEFIT: [
        (
            "benefit_kind",
            _("Which benefit is it about?"),
            _("For example financial assistance, housing allowance."),
        ),
        ("household", _("Who receives the benefit?"), _("Name, and address if you know it.")),
    ],
    Category.HOME_CARE: [
        (
            "provider",
            _("Which provider (company) is it about?"),
            _("Name, and organisation number if you know it."),
        ),
        (
            "visits",
            _("Which visits or services were not given?"),
            _("Dates and times if you know them."),
        ),
    ],
    Category.SUPPLIER: [
        (
            "supplier",
            _("Which supplier or contractor is it about?"),
            _("Name, and organisation number if you know it."),
        ),
        (
            "invoice",
            _("Which contract, order or invoice?"),
            _("A number or a date helps us find it."),
        ),
    ],
    Category.GRANT: [
        (
            "association",
            _("Which association is it about?"),
            _("Its name, and organisation number if you know it."),
        ),
        (
            "grant",
            _("Which grant or activity?"),
            _("For example an activity grant for a certain year."),
        ),
    ],
    Category.STAFF: [
        ("person", _("Who is it about?"), _("Their name or position.")),
        ("unit", _("Where do they work?"), _("The department or unit.")),
    ],
    Category.OTHER: [
        ("person", _("Who is it about?"), _("A person, a company or an association.")),
    ],
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.Field):
    """The files are read from request.FILES and checked by services.check_uploads."""

    widget = MultipleFileInput


class CategoryForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What is it about?"), choices=Category.choices, widget=forms.RadioSelect
    )


class ReportForm(forms.Form):
    """One channel's form; the subject's questions are added for the chosen category."""

    what = forms.CharField(
        label=_("What has happened?"),
        max_length=10000,
        help_text=_("Describe what you know, as precisely as you can."),
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    when = forms.CharField(
        label=_("When did it happen?"),
        max_length=200,
        required=False,
        help_text=_("A date, a period or roughly when."),
    )
    where = forms.CharField(label=_("Where did it happen?"), max_length=200, required=False)
    how_known = forms.ChoiceField(
        label=_("How do you know this?"), choices=HOW_KNOWN, required=False
    )
    files = MultipleFileField(
        label=_("Attach files (optional)"),
        required=False,
        help_text=_(
            "At most 5 files, 10 MB each: PDF, pictures (JPG, PNG), Word, Excel, "
            "OpenDocument or text."
        ),
    )
    contact_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Telephone"), max_length=50, required=False)
    contact_email = forms.EmailField(label=_("E-mail"), required=False)
    # Abuse resistance: a signed challenge, its proof of work (or time), and a field people leave empty.
    challenge = forms.CharField(widget=forms.HiddenInput)
    nonce = forms.CharField(widget=forms.HiddenInput, required=False)
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, channel: str, category: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel = channel
        self.category = category
        self.subject_fields = []
        for name, label, help_text in SUBJECT_QUESTIONS.get(category, []):
            self.fields[f"q_{name}"] = forms.CharField(
                label=label, help_text=help_text, max_length=1000, required=False
            )
            self.subject_fields.append(f"q_{name}")
        if channel == Channel.WHISTLEBLOWING:
            self.fields["relation"] = forms.ChoiceField(
                label=_("What is your connection to the municipality?"),
                choices=RELATION,
                required=False,
                help_text=_(
                    "The whistleblowing act protects people who report in a work-related context."
                ),
            )

    def answers(self) -> dict:
        data = self.cleaned_data
        out = {
            "what": data["what"],
            "when": data.get("when", ""),
            "where": data.get("where", ""),
            "how_known": data.get("how_known", ""),
        }
        for name in self.subject_fields:
            out[name[2:]] = data.get(name, "")
        if "relation" in self.fields:
            out["relation"] = data.get("relation", "")
        return out

    def contact(self) -> dict | None:
        data = self.cleaned_data
        contact = {k: data.get(f"contact_{k}", "").strip() for k in ("name", "phone", "email")}
        return contact if any(contact.values()) else None


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your receipt code (16 digits)"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


class ReporterReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    files = MultipleFileField(label=_("Attach files (optional)"), required=False)


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Message to the reporter"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    feedback = forms.BooleanField(
        label=_("This message is the feedback the law requires"), required=False
    )


class UnlockForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class HandoverForm(forms.Form):
    title = forms.CharField(label=_("Title of the case"), max_length=200)
    case_type = forms.ChoiceField(label=_("Case type"), choices=[])
    description = forms.CharField(
        label=_("What the case is about"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Written for the case: leave out anything that could identify the reporter."),
    )

    def __init__(self, *args, **kwargs):
        from tillit.cases.models import CaseType

        super().__init__(*args, **kwargs)
        self.fields["case_type"].choices = CaseType.choices


class VaultRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the reporter's identity needed?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ComplaintForm(forms.Form):
    orgnr = forms.CharField(
        label=_("The provider's organisation number"),
        max_length=13,
        help_text=_("Ten digits, e.g. 556123-4567. It is on the provider's invoices and website."),
    )
    provider_name = forms.CharField(label=_("The provider's name"), max_length=200, required=False)
    service = forms.CharField(
        label=_("Which service?"),
        max_length=100,
        required=False,
        help_text=_("For example home care, personal assistance, school transport."),
    )
    text = forms.CharField(
        label=_("Your complaint"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=None)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    duty = forms.ChoiceField(label=_("Duty"), choices=[])

    def __init__(self, *args, municipality, **kwargs):
        from tillit.accounts.models import User
        from tillit.tips.models import ChannelMember

        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            municipality=municipality, is_active=True
        )
        self.fields["duty"].choices = ChannelMember.Duty.choices


class RecoveryKeyForm(forms.Form):
    second_holder = forms.ModelChoiceField(
        label=_("The other administrator who holds a share"), queryset=None
    )

    def __init__(self, *args, user, **kwargs):
        from tillit.accounts.models import Role, User

        super().__init__(*args, **kwargs)
        self.fields["second_holder"].queryset = User.objects.filter(
            municipality_id=user.municipality_id,
            role=Role.ADMIN,
            is_active=True,
            tips_key__isnull=False,
        ).exclude(pk=user.pk)
