from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tillit.accounts.models import Board, Role, User
from tillit.cases.documents import POLICE_CHECKLIST
from tillit.cases.models import (
    Case,
    CaseDocument,
    CaseSubject,
    CaseType,
    DiaryEntry,
    DisclosureRequest,
    IntentAssessment,
    Notification,
    OtherOutcome,
    PoliceReport,
    RecoveryClaim,
    Sanction,
    Sensitivity,
    Source,
    State,
)

DATE = forms.DateInput(attrs={"type": "date"})
MAX_UPLOAD = 50 * 1024 * 1024


def _boards(user):
    return Board.objects.filter(municipality_id=user.municipality_id)


class CaseFilter(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("all"))] + list(State.choices)
    )
    case_type = forms.ChoiceField(
        label=_("Case type"), required=False, choices=[("", _("all"))] + list(CaseType.choices)
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("all"))] + list(Source.choices)
    )
    mine = forms.BooleanField(label=_("Only my cases"), required=False)


class StaffReportForm(forms.Form):
    title = forms.CharField(label=_("What is it about, in a few words"), max_length=200)
    case_type = forms.ChoiceField(label=_("Area"), choices=CaseType.choices)
    description = forms.CharField(
        label=_("What have you noticed?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Describe what happened, when, and who was involved. "
            "Do not investigate further yourself."
        ),
    )
    subject_kind = forms.ChoiceField(
        label=_("Who or what is it about"),
        required=False,
        choices=[("", "—")] + list(CaseSubject.Kind.choices),
    )
    subject_identifier = forms.CharField(
        label=_("Personnummer, organisationsnummer or other identifier"),
        required=False,
        max_length=100,
    )
    subject_name = forms.CharField(label=_("Name"), required=False, max_length=200)
    board = forms.ModelChoiceField(
        label=_("Board concerned"), queryset=Board.objects.none(), required=False
    )
    amount_concerned = forms.DecimalField(
        label=_("Amount concerned, if known (kr)"), required=False, min_value=0
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["board"].queryset = _boards(user)


class CaseCreateForm(StaffReportForm):
    source = forms.ChoiceField(
        label=_("Source"), choices=[c for c in Source.choices if c[0] != Source.HIT]
    )
    sensitivity = forms.ChoiceField(label=_("Sensitivity"), choices=Sensitivity.choices)
    risk_area = forms.CharField(label=_("Risk area"), required=False, max_length=200)
    team = forms.ModelMultipleChoiceField(
        label=_("Team"), queryset=User.objects.none(), required=False
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["title"].label = _("Title")
        self.fields["description"].label = _("Description")
        self.fields["description"].help_text = ""
        self.fields["team"].queryset = staff(user)


def staff(user):
    """Who can be on a case team: the municipality's investigators and coordinators."""
    return User.objects.filter(
        municipality_id=user.municipality_id,
        is_active=True,
        role__in=[Role.INVESTIGATOR, Role.COORDINATOR],
    ).order_by("username")


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(label=_("New state"), choices=State.choices)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TeamForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        label=_("Team"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    lead = forms.ModelChoiceField(
        label=_("Case officer"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = staff(user)
        self.fields["lead"].queryset = staff(user)


class CaseDetailsForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = [
            "title",
            "case_type",
            "board",
            "risk_area",
            "amount_concerned",
            "due_date",
            "sensitivity",
        ]
        widgets = {"due_date": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["board"].queryset = _boards(user)


class SubjectForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseSubject.Kind.choices)
    identifier = forms.CharField(
        label=_("Identifier in the source system"), required=False, max_length=100
    )
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    national_id = forms.CharField(
        label=_("Personnummer or organisation number"), required=False, max_length=20
    )
    role = forms.ChoiceField(
        label=_("Role in the case"),
        choices=CaseSubject.Role.choices,
        initial=CaseSubject.Role.CONCERNED,
    )


class SubjectUpdateForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    national_id = forms.CharField(
        label=_("Personnummer or organisation number"), required=False, max_length=20
    )
    role = forms.ChoiceField(
        label=_("Role in the case"),
        choices=CaseSubject.Role.choices,
        help_text=_("Only a suspected party is named as suspected in a police report."),
    )


class LetterForm(forms.Form):
    addressee = forms.CharField(label=_("To"), max_length=200)
    identifier = forms.CharField(
        label=_("Personnummer or organisation number"), required=False, max_length=20
    )
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    interpreter = forms.CharField(
        label=_("Interpreter needed (language)"),
        required=False,
        max_length=100,
        help_text=_("Leave empty if no interpreter is needed."),
    )
    body = forms.CharField(
        label=_("What the letter says"), widget=forms.Textarea(attrs={"rows": 6})
    )
    material = forms.ModelMultipleChoiceField(
        label=_("Material sent with the letter"),
        queryset=CaseDocument.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sent_on = forms.DateField(label=_("Sent on"), widget=DATE, initial=timezone.localdate)
    reply_by = forms.DateField(label=_("Reply by"), widget=DATE, required=False)
    meeting_at = forms.DateTimeField(
        label=_("Meeting time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    meeting_place = forms.CharField(label=_("Meeting place"), required=False, max_length=200)

    def __init__(self, *args, case, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = case.documents.exclude(kind=CaseDocument.Kind.GENERATED)
        if kind != "kallelse":
            del self.fields["meeting_at"], self.fields["meeting_place"]
        if kind == "kallelse":
            del self.fields["reply_by"]
        if kind == "kommunicering":
            self.fields["reply_by"].required = True
            self.fields["reply_by"].help_text = _(
                "Usually two weeks; the decision waits until then."
            )
            self.fields["body"].label = _(
                "What the decision under consideration is, and the material it rests on"
            )


class DisclosureRequestForm(forms.Form):
    document = forms.ModelChoiceField(
        label=_("Document requested"), queryset=CaseDocument.objects.none()
    )
    requester = forms.CharField(
        label=_("Requested by"),
        required=False,
        max_length=200,
        help_text=_("Anyone may ask anonymously; leave empty if the requester gives no name."),
    )
    received_on = forms.DateField(label=_("Received on"), widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = case.documents.exclude(kind=CaseDocument.Kind.RELEASED)


class MaskingForm(forms.Form):
    passage = forms.CharField(
        label=_("Passage to mask"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Copy it exactly as it is written in the document; every occurrence is masked."
        ),
    )
    provision = forms.CharField(
        label=_("Provision (OSL)"),
        max_length=100,
        help_text=_("Chapter and section, for example “26 kap. 1 § OSL”."),
    )


class DisclosureDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (v, label)
            for v, label in DisclosureRequest.Decision.choices
            if v != DisclosureRequest.Decision.PENDING
        ],
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE, initial=timezone.localdate)
    reasoning = forms.CharField(
        label=_("Reasoning"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class LetterReplyForm(forms.Form):
    received_on = forms.DateField(
        label=_("Reply received on"), widget=DATE, initial=timezone.localdate
    )
    reply = forms.CharField(
        label=_("What the reply says"), widget=forms.Textarea(attrs={"rows": 3})
    )


class TemplateForm(forms.Form):
    text = forms.CharField(
        label=_("Template"), widget=forms.Textarea(attrs={"rows": 30, "cols": 90})
    )
    note = forms.CharField(label=_("What changed"), required=False, max_length=200)


class LetterheadForm(forms.Form):
    authority = forms.CharField(label=_("Authority (as it signs)"), required=False, max_length=200)
    orgnr = forms.CharField(label=_("Organisation number"), required=False, max_length=11)
    address = forms.CharField(label=_("Postal address"), required=False, max_length=200)
    phone = forms.CharField(label=_("Telephone"), required=False, max_length=50)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=200)
    decision_maker_title = forms.CharField(
        label=_("Title of the decision-maker"), required=False, max_length=200
    )


class DiaryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DiaryEntry.Kind.choices)
    occurred_on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    contact = forms.CharField(label=_("Contact with"), required=False, max_length=200)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}))


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[c for c in CaseDocument.Kind.choices if c[0] != CaseDocument.Kind.GENERATED],
    )
    file = forms.FileField(label=_("File"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return upload


class LinkForm(forms.Form):
    number = forms.CharField(label=_("Case number"), max_length=20)
    note = forms.CharField(label=_("Why"), required=False, max_length=200)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    assignee = forms.ModelChoiceField(
        label=_("Assigned to"), queryset=User.objects.none(), required=False
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff(user)


class IntentForm(forms.Form):
    level = forms.ChoiceField(label=_("Assessment"), choices=IntentAssessment.Level.choices)
    reasoning = forms.CharField(
        label=_("Reasoning"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "A lay assessment that is the basis for deciding on a police report. "
            "It is not a finding that a crime was committed."
        ),
    )


class RecoveryClaimForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (kr)"), min_value=0, max_digits=18, decimal_places=2
    )
    legal_ground = forms.ChoiceField(
        label=_("Legal ground"), choices=RecoveryClaim.LegalGround.choices
    )
    decision_date = forms.DateField(
        label=_("Decision date"), widget=DATE, initial=timezone.localdate
    )
    debtor = forms.CharField(label=_("Debtor"), max_length=200)
    debtor_id = forms.CharField(
        label=_("Debtor's personnummer or organisation number"), required=False, max_length=20
    )
    period = forms.CharField(label=_("Period concerned"), required=False, max_length=100)
    reasoning = forms.CharField(label=_("Reasoning"), widget=forms.Textarea(attrs={"rows": 4}))
    payment_plan = forms.CharField(
        label=_("Payment plan"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE, initial=timezone.localdate)
    amount = forms.DecimalField(
        label=_("Amount (kr)"), min_value=0, max_digits=18, decimal_places=2
    )


class WriteOffForm(forms.Form):
    written_off_on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    amount = forms.DecimalField(
        label=_("Amount (kr)"), min_value=0, max_digits=18, decimal_places=2
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class PoliceReportForm(forms.Form):
    offences = forms.MultipleChoiceField(
        label=_("Suspected offences"),
        choices=PoliceReport.Offence.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    facts = forms.CharField(label=_("Facts"), widget=forms.Textarea(attrs={"rows": 6}))
    attachments = forms.ModelMultipleChoiceField(
        label=_("Attachments"),
        queryset=CaseDocument.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reported_on = forms.DateField(
        label=_("Sent to the police on"),
        widget=DATE,
        required=False,
        help_text=_(
            "Leave empty while the report is a draft. A police report counts in "
            "the statistics from the day it is registered as sent."
        ),
    )
    police_reference = forms.CharField(
        label=_("Police reference number"), required=False, max_length=50
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in POLICE_CHECKLIST:
            self.fields[f"check_{key}"] = forms.BooleanField(label=label, required=False)
        self.fields["attachments"].queryset = case.documents.exclude(
            kind=CaseDocument.Kind.GENERATED
        )

    def checklist(self) -> dict[str, bool]:
        return {
            key: bool(self.cleaned_data.get(f"check_{key}")) for key, _label in POLICE_CHECKLIST
        }

    def checklist_fields(self):
        return [self[f"check_{key}"] for key, _label in POLICE_CHECKLIST]


class NotificationForm(forms.Form):
    recipient = forms.ChoiceField(label=_("Recipient"), choices=Notification.Recipient.choices)
    legal_ground = forms.ChoiceField(
        label=_("Legal ground"), choices=Notification.LegalGround.choices
    )
    shared = forms.CharField(
        label=_("What was shared"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Share only what the recipient needs to assess the payment."),
    )
    sent_on = forms.DateField(label=_("Sent on"), widget=DATE, initial=timezone.localdate)


class PoliceSentForm(forms.Form):
    sent_on = forms.DateField(
        label=_("Sent to the police on"), widget=DATE, initial=timezone.localdate
    )
    police_reference = forms.CharField(
        label=_("Police reference number"), required=False, max_length=50
    )


class IncomingForm(forms.Form):
    recipient = forms.ChoiceField(label=_("From authority"), choices=Notification.Recipient.choices)
    legal_ground = forms.ChoiceField(
        label=_("Legal ground"),
        choices=Notification.LegalGround.choices,
        initial=Notification.LegalGround.LAW_2024_307,
    )
    shared = forms.CharField(
        label=_("What the authority asked for or sent"), widget=forms.Textarea(attrs={"rows": 3})
    )
    received_on = forms.DateField(label=_("Received on"), widget=DATE, initial=timezone.localdate)
    case_number = forms.CharField(label=_("Case number (if any)"), required=False, max_length=20)
    answer = forms.CharField(
        label=_("The municipality's answer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    answered_on = forms.DateField(label=_("Answered on"), widget=DATE, required=False)


class SanctionForm(forms.Form):
    step = forms.TypedChoiceField(label=_("Step"), choices=Sanction.Step.choices, coerce=int)
    provider = forms.CharField(label=_("Provider"), max_length=200)
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE, initial=timezone.localdate)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    amount = forms.DecimalField(label=_("Penalty or deduction (kr)"), required=False, min_value=0)
    follow_up_on = forms.DateField(label=_("Follow up on"), required=False, widget=DATE)


class FollowUpForm(forms.Form):
    followed_up_at = forms.DateField(
        label=_("Followed up"), widget=DATE, initial=timezone.localdate
    )
    note = forms.CharField(
        label=_("Result of the follow-up"), widget=forms.Textarea(attrs={"rows": 2})
    )


class OtherOutcomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Outcome"), choices=OtherOutcome.Kind.choices)
    decided_on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    amount = forms.DecimalField(label=_("Amount (kr)"), required=False, min_value=0)
    note = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))


class DraftForm(forms.Form):
    text = forms.CharField(
        label=_("Text of the document"), widget=forms.Textarea(attrs={"rows": 28, "cols": 90})
    )


class RejectDeletionForm(forms.Form):
    note = forms.CharField(
        label=_("Why the case is kept"), widget=forms.Textarea(attrs={"rows": 2})
    )
