from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tillit.accounts.access import has_perm, log_personal_data, require, scoped
from tillit.accounts.models import AccessLogEntry, Role
from tillit.cases import access, forms, selectors, services
from tillit.cases.documents import DRAFTS, POLICE_CHECKLIST, POLICE_GUIDANCE
from tillit.cases.history import describe
from tillit.cases.models import (
    Case,
    CaseSubject,
    DeletionRequest,
    DisclosureRequest,
    Letter,
    Notification,
    PoliceReport,
    RecoveryClaim,
    Sanction,
    Source,
    State,
    Task,
)

# --- lists and pages -----------------------------------------------------------------------------


@require("cases.view")
def case_list(request):
    form = forms.CaseFilter(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    cases = selectors.case_list(user=request.user, **filters)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page": page,
            "count": page.paginator.count,  # counted once, for the pages and the sentence
            "due": selectors.case_due(user=request.user, today=timezone.localdate()),
            "can_create": access.can_create_manually(request.user),
            "can_retention": access.can_handle_retention(request.user),
        },
    )


@require("cases.view")
def case_detail(request, pk: int):
    case = access.case_fetch(request, pk)
    can_edit = access.can_edit(request.user, case) and case.is_open
    context = {
        "case": case,
        "can_edit": can_edit,
        "can_manage_team": access.can_manage_team(request.user, case),
        "transitions": [(s, State(s).label) for s in services.allowed_transitions(case)],
        "can_close_no_action": can_edit,
        "subjects": case.subjects.all(),
        "diary": case.diary.select_related("author"),
        "documents": case.documents.select_related("uploaded_by"),
        "hits": case.case_hits.select_related("hit"),
        "links": case.links.select_related("other"),
        "tasks": case.tasks.select_related("assignee"),
        "intent": case.intent_assessments.select_related("assessed_by"),
        "claims": case.recovery_claims.prefetch_related("payments"),
        "police_reports": case.police_reports.all(),
        "notifications": case.notifications.all(),
        "sanctions": case.sanctions.all(),
        "other_outcomes": case.other_outcomes.all(),
        "events": [(e, *describe(e)) for e in case.events.select_related("user")],
        "team": case.team.all(),
        "letters": case.letters.all(),
        "disclosures": case.disclosure_requests.select_related(
            "document", "released_copy", "decision_document"
        ),
    }
    if can_edit:
        # the forms share one page: each gets its own ids, so every label points at its own field
        # (the field names, and so the POST handlers, are unchanged)
        context.update(
            {
                "transition_form": forms.TransitionForm(auto_id="id_transition_%s"),
                "diary_form": forms.DiaryForm(auto_id="id_diary_%s"),
                "document_form": forms.DocumentForm(auto_id="id_document_%s"),
                "subject_form": forms.SubjectForm(auto_id="id_subject_%s"),
                "link_form": forms.LinkForm(auto_id="id_link_%s"),
                "task_form": forms.TaskForm(user=request.user, auto_id="id_task_%s"),
                "intent_form": forms.IntentForm(auto_id="id_intent_%s"),
                "payment_form": forms.PaymentForm(auto_id="id_payment_%s"),
                "writeoff_form": forms.WriteOffForm(auto_id="id_writeoff_%s"),
                "followup_form": forms.FollowUpForm(auto_id="id_followup_%s"),
                "police_sent_form": forms.PoliceSentForm(auto_id="id_police_sent_%s"),
                "reply_form": forms.LetterReplyForm(auto_id="id_reply_%s"),
                "letter_kinds": Letter.Kind.choices,
                "role_choices": CaseSubject.Role.choices,
                "details_form": forms.CaseDetailsForm(
                    instance=case, user=request.user, auto_id="id_details_%s"
                ),
                "outcomes_allowed": case.state
                in (State.INVESTIGATION, State.DECISION, State.FOLLOW_UP),
            }
        )
    if access.can_edit(request.user, case):
        context.update(
            {
                "can_disclose": True,
                "disclosure_form": forms.DisclosureRequestForm(
                    case=case, auto_id="id_disclosure_%s"
                ),
                "masking_form": forms.MaskingForm(auto_id="id_masking_%s"),
                "disclosure_decision_form": forms.DisclosureDecisionForm(
                    auto_id="id_disclosure_decision_%s"
                ),
            }
        )
    if context["can_manage_team"]:
        context["team_form"] = forms.TeamForm(
            user=request.user,
            auto_id="id_team_%s",
            initial={"members": list(case.team.all()), "lead": case.lead},
        )
    if access.can_review_access_log(request.user, case):
        context["access_log"] = access.case_access_log(case)[:200]
    return render(request, "cases/case_detail.html", context)


@login_required
def staff_report(request):
    """Any employee reports a suspicion; the report becomes a case the coordinators see."""
    if request.user.municipality_id is None:
        raise PermissionDenied
    form = forms.StaffReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = services.case_open_from_staff_report(
            user=request.user,
            title=data["title"],
            case_type=data["case_type"],
            description=data["description"],
            subject_kind=data["subject_kind"],
            subject_identifier=data["subject_identifier"],
            subject_name=data["subject_name"],
            board=data["board"],
            amount_concerned=data["amount_concerned"] or 0,
        )
        messages.success(
            request,
            _(
                "Thank you. Your report was registered as case %(number)s. "
                "The coordinators will take it from here."
            )
            % {"number": case.number},
        )
        return redirect("reports-overview")
    return render(request, "cases/staff_report.html", {"form": form})


@require("cases.edit")
def case_create(request):
    if not access.can_create_manually(request.user):
        raise PermissionDenied
    form = forms.CaseCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subjects = []
        if data["subject_kind"] and (data["subject_identifier"] or data["subject_name"]):
            subjects.append(
                {
                    "kind": data["subject_kind"],
                    "identifier": data["subject_identifier"],
                    "name": data["subject_name"],
                }
            )
        case = services.case_create(
            municipality=request.user.municipality,
            user=request.user,
            title=data["title"],
            case_type=data["case_type"],
            source=data["source"],
            subjects=subjects,
            board=data["board"],
            risk_area=data["risk_area"],
            amount_concerned=data["amount_concerned"] or 0,
            description=data["description"],
            sensitivity=data["sensitivity"],
            team=list(data["team"]),
            due_date=data["due_date"],
        )
        messages.success(request, _("Case %(number)s was opened.") % {"number": case.number})
        return redirect("cases-detail", pk=case.pk)
    return render(request, "cases/case_create.html", {"form": form})


# --- work on a case: each POST validates one form and calls one service -------------------------


def _editable(request, pk: int) -> Case:
    case = access.case_fetch(request, pk, perm="cases.edit", log=False)
    if not access.can_edit(request.user, case):
        raise PermissionDenied
    if not case.is_open:
        raise services.CaseError(_("The case is closed."))
    return case


def _form_errors(request, form) -> None:
    messages.error(
        request,
        _("Fill in the form: %(errors)s")
        % {
            "errors": "; ".join(
                f"{form.fields[f].label if f in form.fields else ''} {' '.join(e)}".strip()
                for f, e in form.errors.items()
            )
        },
    )


def _case_post(handler):
    """POST-only, case editable, CaseError shown as a message, back to the case page."""

    @require_POST
    @require("cases.edit")
    def view(request, pk: int, **kwargs):
        try:
            case = _editable(request, pk)
            handler(request, case, **kwargs)
        except services.CaseError as error:
            messages.error(request, str(error))
        return redirect("cases-detail", pk=pk)

    view.__name__ = handler.__name__
    return view


def _valid(request, form) -> bool:
    if form.is_valid():
        return True
    _form_errors(request, form)
    return False


@_case_post
def case_transition(request, case):
    form = forms.TransitionForm(request.POST)
    if _valid(request, form):
        services.case_transition(
            case=case,
            user=request.user,
            to_state=form.cleaned_data["to_state"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("The state of the case was changed."))


@_case_post
def case_update(request, case):
    form = forms.CaseDetailsForm(
        request.POST, instance=Case.objects.get(pk=case.pk), user=request.user
    )
    if _valid(request, form):
        services.case_update(
            case=case, user=request.user, **{f: form.cleaned_data[f] for f in form.Meta.fields}
        )
        messages.success(request, _("The case was updated."))


@_case_post
def case_team(request, case):
    if not access.can_manage_team(request.user, case):
        raise PermissionDenied
    form = forms.TeamForm(request.POST, user=request.user)
    if _valid(request, form):
        services.case_assign(
            case=case,
            user=request.user,
            members=list(form.cleaned_data["members"]),
            lead=form.cleaned_data["lead"],
        )
        messages.success(request, _("The team was changed."))


@_case_post
def case_subject(request, case):
    form = forms.SubjectForm(request.POST)
    if _valid(request, form):
        services.subject_add(case=case, user=request.user, **form.cleaned_data)
        messages.success(request, _("The subject was added."))


@_case_post
def case_diary(request, case):
    form = forms.DiaryForm(request.POST)
    if _valid(request, form):
        services.diary_add(case=case, user=request.user, **form.cleaned_data)
        messages.success(request, _("The diary entry was saved."))


@_case_post
def case_document_upload(request, case):
    form = forms.DocumentForm(request.POST, request.FILES)
    if _valid(request, form):
        upload = form.cleaned_data["file"]
        document = services.document_add(
            case=case,
            user=request.user,
            title=form.cleaned_data["title"] or upload.name,
            filename=upload.name,
            content=upload.read(),
            content_type=upload.content_type or "application/octet-stream",
            kind=form.cleaned_data["kind"],
        )
        messages.success(
            request,
            _("The document was registered with SHA-256 checksum %(sha)s.")
            % {"sha": document.sha256},
        )


@_case_post
def case_link(request, case):
    form = forms.LinkForm(request.POST)
    if _valid(request, form):
        other = (
            access.visible_cases(request.user)
            .filter(number=form.cleaned_data["number"].strip())
            .first()
        )
        if other is None:
            raise services.CaseError(_("There is no case with that number that you may see."))
        services.case_link(
            case=case, other=other, user=request.user, note=form.cleaned_data["note"]
        )
        messages.success(request, _("The cases were linked."))


@_case_post
def case_task(request, case):
    form = forms.TaskForm(request.POST, user=request.user)
    if _valid(request, form):
        services.task_add(case=case, user=request.user, **form.cleaned_data)
        messages.success(request, _("The task was added."))


@_case_post
def case_task_done(request, case, task_pk: int):
    task = Task.objects.filter(case=case, pk=task_pk).first()
    if task is None:
        raise Http404
    services.task_done(task=task, user=request.user)


@_case_post
def case_intent(request, case):
    form = forms.IntentForm(request.POST)
    if _valid(request, form):
        services.intent_record(case=case, user=request.user, **form.cleaned_data)
        messages.success(request, _("The assessment of intent was recorded."))


@_case_post
def claim_payment(request, case, claim_pk: int):
    claim = RecoveryClaim.objects.filter(case=case, pk=claim_pk).first()
    if claim is None:
        raise Http404
    form = forms.PaymentForm(request.POST)
    if _valid(request, form):
        services.recovery_payment_record(claim=claim, user=request.user, **form.cleaned_data)
        messages.success(request, _("The payment was recorded."))


@_case_post
def claim_write_off(request, case, claim_pk: int):
    claim = RecoveryClaim.objects.filter(case=case, pk=claim_pk).first()
    if claim is None:
        raise Http404
    form = forms.WriteOffForm(request.POST)
    if _valid(request, form):
        services.recovery_write_off(claim=claim, user=request.user, **form.cleaned_data)
        messages.success(request, _("The write-off was recorded."))


@_case_post
def subject_update(request, case, subject_pk: int):
    subject = CaseSubject.objects.filter(case=case, pk=subject_pk).first()
    if subject is None:
        raise Http404
    form = forms.SubjectUpdateForm(request.POST)
    if _valid(request, form):
        services.subject_update(subject=subject, user=request.user, **form.cleaned_data)
        messages.success(request, _("The subject was changed."))


@require("cases.edit")
def letter_send(request, pk: int, kind: str):
    """Kommunicering, kallelse or begäran om uppgifter: written from the template and registered."""
    if kind not in Letter.Kind.values:
        raise Http404
    case = _editable_or_404(request, pk)
    suspect = case.subjects.order_by("-role", "id").first()
    initial = {"addressee": suspect.name, "identifier": suspect.national_id} if suspect else {}
    form = forms.LetterForm(request.POST or None, case=case, kind=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            letter = services.letter_send(
                case=case,
                user=request.user,
                kind=kind,
                addressee=data["addressee"],
                identifier=data["identifier"],
                address=data["address"],
                interpreter=data["interpreter"],
                body=data["body"],
                material=[d.pk for d in data["material"]],
                sent_on=data["sent_on"],
                reply_by=data.get("reply_by"),
                meeting_at=data.get("meeting_at"),
                meeting_place=data.get("meeting_place", ""),
            )
        except services.CaseError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The letter was registered and recorded in the diary (%(letter)s).")
                % {"letter": letter.get_kind_display()},
            )
            return redirect("cases-detail", pk=case.pk)
    return render(
        request,
        "cases/letter_form.html",
        {"case": case, "form": form, "title": Letter.Kind(kind).label, "kind": kind},
    )


@_case_post
def letter_reply(request, case, letter_pk: int):
    letter = Letter.objects.filter(case=case, pk=letter_pk).first()
    if letter is None:
        raise Http404
    form = forms.LetterReplyForm(request.POST)
    if _valid(request, form):
        services.letter_reply(letter=letter, user=request.user, **form.cleaned_data)
        messages.success(request, _("The reply was registered."))


def _case_post_open_or_closed(handler):
    """Like _case_post, for work that goes on after a case is closed (a request for its documents)."""

    @require_POST
    @require("cases.edit")
    def view(request, pk: int, **kwargs):
        case = access.case_fetch(request, pk, perm="cases.edit", log=False)
        if not access.can_edit(request.user, case):
            raise PermissionDenied
        try:
            handler(request, case, **kwargs)
        except services.CaseError as error:
            messages.error(request, str(error))
        return redirect(f"{reverse('cases-detail', args=[pk])}#utlamnande")

    view.__name__ = handler.__name__
    return view


@_case_post_open_or_closed
def disclosure_register(request, case):
    form = forms.DisclosureRequestForm(request.POST, case=case)
    if _valid(request, form):
        services.disclosure_register(case=case, user=request.user, **form.cleaned_data)
        messages.success(request, _("The request was registered."))


def _disclosure(case, request_pk: int) -> DisclosureRequest:
    disclosure = DisclosureRequest.objects.filter(case=case, pk=request_pk).first()
    if disclosure is None:
        raise Http404
    return disclosure


@_case_post_open_or_closed
def disclosure_mask(request, case, request_pk: int):
    form = forms.MaskingForm(request.POST)
    if _valid(request, form):
        services.masking_add(
            request=_disclosure(case, request_pk), user=request.user, **form.cleaned_data
        )
        messages.success(request, _("The passage will be masked."))


@_case_post_open_or_closed
def disclosure_decide(request, case, request_pk: int):
    form = forms.DisclosureDecisionForm(request.POST)
    if _valid(request, form):
        services.disclosure_decide(
            request=_disclosure(case, request_pk), user=request.user, **form.cleaned_data
        )
        messages.success(request, _("The decision was registered with its documents."))


@_case_post
def police_sent(request, case, report_pk: int):
    report = PoliceReport.objects.filter(case=case, pk=report_pk).first()
    if report is None:
        raise Http404
    form = forms.PoliceSentForm(request.POST)
    if _valid(request, form):
        services.police_report_mark_sent(
            report=report,
            user=request.user,
            sent_on=form.cleaned_data["sent_on"],
            police_reference=form.cleaned_data["police_reference"],
        )
        messages.success(request, _("The police report was registered as sent."))


@_case_post
def sanction_follow_up(request, case, sanction_pk: int):
    sanction = Sanction.objects.filter(case=case, pk=sanction_pk).first()
    if sanction is None:
        raise Http404
    form = forms.FollowUpForm(request.POST)
    if _valid(request, form):
        services.sanction_follow_up(sanction=sanction, user=request.user, **form.cleaned_data)
        messages.success(request, _("The follow-up was recorded."))


# --- outcomes and their documents ---------------------------------------------------------------

OUTCOME_FORMS = {
    "recovery": (forms.RecoveryClaimForm, _("Recovery claim")),
    "police": (forms.PoliceReportForm, _("Police report")),
    "notification": (forms.NotificationForm, _("Notification to another authority")),
    "sanction": (forms.SanctionForm, _("Sanction against a provider")),
    "other": (forms.OtherOutcomeForm, _("Other outcome")),
}


def _record_outcome(request, case, kind: str, form):
    data = form.cleaned_data
    if kind == "recovery":
        return services.recovery_claim_decide(case=case, user=request.user, **data)
    if kind == "police":
        return services.police_report_record(
            case=case,
            user=request.user,
            offences=data["offences"],
            checklist=form.checklist(),
            facts=data["facts"],
            reported_on=data["reported_on"],
            attachments=[d.pk for d in data["attachments"]],
            police_reference=data["police_reference"],
        )
    if kind == "notification":
        return services.notification_record(case=case, user=request.user, **data)
    if kind == "sanction":
        return services.sanction_record(case=case, user=request.user, **data)
    return services.outcome_record(case=case, user=request.user, **data)


@require("cases.edit")
def outcome_add(request, pk: int, kind: str):
    if kind not in OUTCOME_FORMS:
        raise Http404
    case = _editable_or_404(request, pk)
    if case.state not in (State.INVESTIGATION, State.DECISION, State.FOLLOW_UP):
        messages.error(
            request, _("Outcomes are recorded during the investigation, decision or follow-up.")
        )
        return redirect("cases-detail", pk=case.pk)
    form_class, title = OUTCOME_FORMS[kind]
    kwargs = {"case": case} if kind == "police" else {}
    if kind == "recovery":
        suspect = (
            case.subjects.filter(role=CaseSubject.Role.SUSPECT).first() or case.subjects.first()
        )
        if suspect is not None:
            kwargs["initial"] = {"debtor": suspect.name, "debtor_id": suspect.national_id}
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = _record_outcome(request, case, kind, form)
        except services.CaseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The outcome was recorded."))
            if kind in DRAFTS:
                return redirect("cases-draft", pk=case.pk, kind=kind, outcome_pk=outcome.pk)
            return redirect("cases-detail", pk=case.pk)
    return render(
        request,
        "cases/outcome_form.html",
        {
            "case": case,
            "form": form,
            "title": title,
            "kind": kind,
            "guidance": POLICE_GUIDANCE if kind == "police" else [],
            "checklist": POLICE_CHECKLIST,
        },
    )


def _editable_or_404(request, pk: int) -> Case:
    try:
        return _editable(request, pk)
    except services.CaseError:
        raise PermissionDenied from None


@require("cases.edit")
def draft(request, pk: int, kind: str, outcome_pk: int):
    """The generated document, editable, then registered as Word and PDF with their checksums."""
    if kind not in DRAFTS:
        raise Http404
    case = access.case_fetch(request, pk, perm="cases.edit")
    if not access.can_edit(request.user, case):
        raise PermissionDenied
    model, make_draft, title, stem = DRAFTS[kind]
    outcome = model.objects.filter(case=case, pk=outcome_pk).first()
    if outcome is None:
        raise Http404
    form = forms.DraftForm(
        request.POST or None, initial={"text": make_draft(outcome, request.user)}
    )
    if request.method == "POST" and form.is_valid():
        documents = services.document_register_generated(
            case=case,
            user=request.user,
            title=f"{title} {case.number}",
            text=form.cleaned_data["text"],
            stem=f"{stem}-{case.number}",
        )
        messages.success(
            request,
            _("The document was registered (%(files)s).")
            % {"files": ", ".join(d.filename for d in documents)},
        )
        return redirect("cases-detail", pk=case.pk)
    return render(request, "cases/draft.html", {"case": case, "form": form, "title": title})


# --- documents and export ----------------------------------------------------------------------


@require("cases.view")
def document_download(request, pk: int, document_pk: int):
    case, document = access.document_fetch(request, pk, document_pk)
    try:
        content = services.document_read(document=document)
    except services.DocumentTampered as error:
        return render(
            request,
            "cases/document_refused.html",
            {"case": case, "document": document, "message": str(error)},
            status=409,
        )
    response = HttpResponse(content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["X-Content-SHA256"] = document.sha256
    return response


@require("cases.view")
def case_export(request, pk: int):
    """The court-ready archive: every document with its checksum, the diary and the audit trail."""
    from tillit.cases.export import case_archive

    case = access.case_fetch(request, pk, log=False)
    try:
        content = case_archive(case=case, user=request.user)
    except services.DocumentTampered as error:
        messages.error(request, str(error))
        return redirect("cases-detail", pk=case.pk)
    log_personal_data(
        request,
        object_type="case export",
        object_id=str(case.pk),
        action=AccessLogEntry.Action.EXPORT,
    )
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="arende-{case.number}.zip"'
    return response


# --- the municipality's templates and letterhead ------------------------------------------------


@require("cases.edit")
def templates(request):
    """Coordinators edit the municipality's letterhead and document templates; every save is a new version."""
    from tillit.cases.documents import TEMPLATES, template_text
    from tillit.cases.models import DocumentTemplate, Letterhead

    if request.user.role != Role.COORDINATOR:
        raise PermissionDenied
    lh = Letterhead.objects.filter(municipality_id=request.user.municipality_id).first()
    initial = {f: getattr(lh, f) for f in forms.LetterheadForm.base_fields} if lh else {}
    letterhead_form = forms.LetterheadForm(
        request.POST if "letterhead" in request.POST else None,
        initial=initial,
        auto_id="id_letterhead_%s",
    )
    kind = request.GET.get("mall", "") or request.POST.get("kind", "")
    if kind and kind not in TEMPLATES:
        raise Http404
    template_form = None
    if kind:
        text, version = template_text(request.user.municipality_id, kind)
        template_form = forms.TemplateForm(
            request.POST if "template" in request.POST else None,
            initial={"text": text},
            auto_id="id_template_%s",
        )
    if request.method == "POST":
        try:
            if "letterhead" in request.POST and letterhead_form.is_valid():
                services.letterhead_save(user=request.user, **letterhead_form.cleaned_data)
                messages.success(request, _("The letterhead was saved."))
                return redirect("cases-templates")
            if (
                "template" in request.POST
                and template_form is not None
                and template_form.is_valid()
            ):
                saved = services.template_save(
                    user=request.user,
                    kind=kind,
                    text=template_form.cleaned_data["text"],
                    note=template_form.cleaned_data["note"],
                )
                messages.success(
                    request,
                    _("Version %(version)s of the template was saved.")
                    % {"version": saved.version},
                )
                return redirect(f"{reverse('cases-templates')}?mall={kind}")
        except services.CaseError as error:
            messages.error(request, str(error))
    versions = scoped(DocumentTemplate.objects.all(), request.user).select_related("created_by")
    return render(
        request,
        "cases/templates.html",
        {
            "letterhead_form": letterhead_form,
            "template_form": template_form,
            "kind": kind,
            "kinds": [(k, name) for k, (name, _text) in TEMPLATES.items()],
            "versions": versions.filter(kind=kind) if kind else versions[:50],
            "kind_name": TEMPLATES[kind][0] if kind else "",
        },
    )


# --- ledger, statistics, retention --------------------------------------------------------------


@require("cases.view")
def ledger(request):
    recipient = request.GET.get("recipient", "")
    legal_ground = request.GET.get("legal_ground", "")
    direction = request.GET.get("direction", "")
    if direction not in Notification.Direction.values:
        direction = ""
    rows = selectors.ledger_list(
        user=request.user, recipient=recipient, legal_ground=legal_ground, direction=direction
    )
    log_personal_data(
        request,
        object_type="notification ledger",
        object_id="list",
        action=AccessLogEntry.Action.SEARCH,
    )
    can_register = has_perm(request.user, "cases.edit")
    form = (
        forms.IncomingForm(request.POST or None, auto_id="id_incoming_%s") if can_register else None
    )
    if request.method == "POST":
        if not can_register:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            case = None
            if data["case_number"].strip():
                case = (
                    access.visible_cases(request.user)
                    .filter(number=data["case_number"].strip())
                    .first()
                )
            if data["case_number"].strip() and case is None:
                messages.error(request, _("There is no case with that number that you may see."))
            else:
                try:
                    services.incoming_record(
                        user=request.user,
                        recipient=data["recipient"],
                        legal_ground=data["legal_ground"],
                        shared=data["shared"],
                        received_on=data["received_on"],
                        case=case,
                        answer=data["answer"],
                        answered_on=data["answered_on"],
                    )
                except services.CaseError as error:
                    messages.error(request, str(error))
                else:
                    messages.success(
                        request, _("The incoming information was registered in the ledger.")
                    )
                    return redirect("cases-ledger")
        else:
            _form_errors(request, form)
    return render(
        request,
        "cases/ledger.html",
        {
            "rows": rows[:500],
            "recipients": Notification.Recipient.choices,
            "grounds": Notification.LegalGround.choices,
            "directions": Notification.Direction.choices,
            "recipient": recipient,
            "legal_ground": legal_ground,
            "direction": direction,
            "form": form,
        },
    )


@require("reports.view")
def statistics(request):
    year = request.GET.get("year", "")
    year_int = int(year) if year.isdigit() else None
    years = sorted(
        set(scoped(Case.objects.all(), request.user).values_list("year", flat=True)), reverse=True
    )
    return render(
        request,
        "cases/statistics.html",
        {
            "stats": selectors.statistics(user=request.user, year=year_int),
            "year": year_int,
            "years": years,
            "sources": Source.choices,
            "show_case_nav": has_perm(request.user, "cases.view"),
            "can_retention": access.can_handle_retention(request.user),
        },
    )


@require("cases.edit")
def retention(request):
    if not access.can_handle_retention(request.user):
        raise PermissionDenied
    return render(
        request,
        "cases/retention.html",
        {
            "due": services.retention_due(municipality_id=request.user.municipality_id),
            "requests": selectors.deletion_list(user=request.user)[:200],
            "reject_form": forms.RejectDeletionForm(),
            "years": services.RETENTION_YEARS,
        },
    )


@require_POST
@require("cases.edit")
def retention_propose(request):
    if not access.can_handle_retention(request.user):
        raise PermissionDenied
    proposals = services.deletion_propose(user=request.user)
    messages.success(
        request,
        _("%(count)s cases were proposed for deletion. Another coordinator must approve.")
        % {"count": len(proposals)},
    )
    return redirect("cases-retention")


@require_POST
@require("cases.edit")
def retention_decide(request, request_pk: int, decision: str):
    if not access.can_handle_retention(request.user):
        raise PermissionDenied
    deletion = scoped(DeletionRequest.objects.all(), request.user).filter(pk=request_pk).first()
    if deletion is None or decision not in ("approve", "reject"):
        raise Http404
    try:
        if decision == "approve":
            services.deletion_approve(request=deletion, user=request.user)
            messages.success(
                request, _("Case %(number)s was deleted.") % {"number": deletion.case_number}
            )
        else:
            form = forms.RejectDeletionForm(request.POST)
            if _valid(request, form):
                services.deletion_reject(
                    request=deletion, user=request.user, note=form.cleaned_data["note"]
                )
                messages.success(request, _("The case is kept."))
    except services.CaseError as error:
        messages.error(request, str(error))
    return redirect("cases-retention")
