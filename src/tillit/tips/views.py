"""Public pages (no login, no cookies but CSRF, no address kept) and the receivers' pages (2FA)."""

from __future__ import annotations

import base64
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from nacl.exceptions import CryptoError

from tillit.accounts.access import has_perm, log_personal_data, require
from tillit.accounts.models import AccessLogEntry, Municipality
from tillit.tips import challenge, crypto, forms, selectors, services, statistics
from tillit.tips import deadlines as dl
from tillit.tips.models import (
    Attachment,
    Category,
    Channel,
    ChannelMember,
    Complaint,
    KeyRecovery,
    RecoveryKey,
    RecoveryShare,
    Report,
    TipEvent,
    UserKey,
    VaultRequest,
)

KEY_COOKIE = "tillit_tipskey"
SESSION_KEY = "tips_private_key"
CHANNEL_PERM = {Channel.TIPS: "tips.view", Channel.WHISTLEBLOWING: "whistleblowing.view"}


# --- public pages ------------------------------------------------------------------------------


def public(view):
    """No address or browser kept, nothing cached, no referrer sent to other sites; ?lang=en for English."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request._tips_public = True
        lang = request.POST.get("lang") or request.GET.get("lang")
        lang = lang if lang in ("sv", "en") else None
        with translation.override(lang or translation.get_language()):
            request.tips_lang = lang or ""
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapped


def _municipality(request) -> Municipality | None:
    code = request.POST.get("kommun") or request.GET.get("kommun")
    if code:
        return Municipality.objects.filter(code=code).first()
    only = list(Municipality.objects.all()[:2])
    return only[0] if len(only) == 1 else None


def _choose_municipality(request, url_name: str):
    return render(
        request,
        "tips/choose_municipality.html",
        {"municipalities": Municipality.objects.all(), "target": reverse(url_name)},
        status=200,
    )


def _uploads(request) -> list[services.Upload]:
    return [services.Upload(f.name, f.read()) for f in request.FILES.getlist("files")]


def _public_context(request, channel: str, easy: bool) -> dict:
    names = {
        Channel.TIPS: ("tips-public", "tips-public-easy", "tips-followup"),
        Channel.WHISTLEBLOWING: ("tips-whistle", "tips-whistle-easy", "tips-whistle-followup"),
    }[channel]
    return {
        "channel": channel,
        "easy": easy,
        "lang": request.tips_lang,
        "page_url": reverse(names[0]),
        "easy_url": reverse(names[1]),
        "followup_url": reverse(names[2]),
        "whistle": channel == Channel.WHISTLEBLOWING,
    }


def _intake(request, channel: str, easy: bool):
    municipality = _municipality(request)
    url_name = "tips-public" if channel == Channel.TIPS else "tips-whistle"
    if municipality is None:
        return _choose_municipality(request, url_name)
    context = _public_context(request, channel, easy)
    context.update(
        {
            "municipality": municipality,
            "open": services.channel_open(municipality, channel),
            "categories": Category.choices,
            "kommun": request.GET.get("kommun", ""),
        }
    )
    category = request.POST.get("category") or request.GET.get("category")
    if category not in Category.values:
        return render(request, "tips/intake_start.html", context)
    form = forms.ReportForm(
        request.POST or None, request.FILES or None, channel=channel, category=category
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["website"]:
                raise services.TipError(_("The form could not be sent."))
            if challenge.overloaded(municipality.pk, channel):
                raise services.TipError(
                    _(
                        "Very many reports are arriving just now, so yours could not be received. "
                        "Nothing has been lost: your text is kept below. Please send it again in "
                        "a few minutes (attached files must be chosen again)."
                    )
                )
            payload = challenge.check(
                form.cleaned_data["challenge"], form.cleaned_data["nonce"], municipality.pk, channel
            )
            report, code = services.report_submit(
                municipality=municipality,
                channel=channel,
                category=category,
                answers=form.answers(),
                contact=form.contact(),
                uploads=_uploads(request),
            )
            challenge.consume(payload)
        except services.TipError as exc:
            form.add_error(None, str(exc))
            status = 400
        except DatabaseError:
            form.add_error(
                None,
                _(
                    "The report could not be saved just now. Nothing has been lost: your text is "
                    "kept below. Please send it again in a few minutes."
                ),
            )
            status = 503
        else:
            context.update(
                {
                    "report": report,
                    "code": " ".join(code[i : i + 4] for i in range(0, 16, 4)),
                    "ack_due": dl.ack_due(report),
                }
            )
            return render(request, "tips/receipt.html", context)
    token, difficulty = challenge.issue(municipality.pk, channel)
    data = form.data.copy() if form.is_bound else None
    if data is not None:
        data["challenge"] = token
        data["nonce"] = ""
        form.data = data
    else:
        form.initial["challenge"] = token
    context.update(
        {
            "form": form,
            "category": category,
            "category_label": Category(category).label,
            "difficulty": difficulty,
        }
    )
    return render(request, "tips/intake_form.html", context, status=status)


@public
def tips_public(request):
    return _intake(request, Channel.TIPS, easy=False)


@public
def tips_public_easy(request):
    return _intake(request, Channel.TIPS, easy=True)


@public
def whistle_public(request):
    return _intake(request, Channel.WHISTLEBLOWING, easy=False)


@public
def whistle_public_easy(request):
    return _intake(request, Channel.WHISTLEBLOWING, easy=True)


def _followup(request, channel: str):
    municipality = _municipality(request)
    url_name = "tips-followup" if channel == Channel.TIPS else "tips-whistle-followup"
    if municipality is None:
        return _choose_municipality(request, url_name)
    context = _public_context(request, channel, False)
    context["municipality"] = municipality
    code_form = forms.CodeForm(request.POST or None)
    context["code_form"] = code_form
    if request.method != "POST" or not code_form.is_valid():
        return render(request, "tips/followup.html", context)
    code = crypto.normalise_code(code_form.cleaned_data["code"])
    try:
        opened = services.reporter_open(municipality=municipality, channel=channel, code=code)
    except services.TipError as exc:
        code_form.add_error("code", str(exc))
        locked = services.code_locked(municipality, channel, code or "----")
        return render(request, "tips/followup.html", context, status=429 if locked else 400)
    reply_form = forms.ReporterReplyForm(
        request.POST if request.POST.get("action") == "reply" else None
    )
    if request.POST.get("action") == "reply" and reply_form.is_valid():
        try:
            services.reporter_reply(
                opened=opened, text=reply_form.cleaned_data["text"], uploads=_uploads(request)
            )
        except services.TipError as exc:
            reply_form.add_error(None, str(exc))
        else:
            context["sent"] = True
            reply_form = forms.ReporterReplyForm()
    context.update(
        {
            "opened": True,
            "report": opened.report,
            "content": opened.content,
            "messages_list": services.messages_read(opened.report, opened.data_key),
            "files": services.intake_files(opened.report, opened.data_key),
            "reply_form": reply_form,
            "code": code,
        }
    )
    return render(request, "tips/followup.html", context)


@public
def tips_followup(request):
    return _followup(request, Channel.TIPS)


@public
def whistle_followup(request):
    return _followup(request, Channel.WHISTLEBLOWING)


@public
def complaint_public(request):
    municipality = _municipality(request)
    if municipality is None:
        return _choose_municipality(request, "tips-complaint")
    form = forms.ComplaintForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["website"]:
                raise services.TipError(_("The form could not be sent."))
            key = f"complaint:{municipality.pk}"
            if services.throttle_count(key, challenge.LOAD_WINDOW) >= challenge.SUBMIT_LIMIT:
                raise services.TipError(
                    _(
                        "Very many complaints are arriving just now. Your text is kept below; "
                        "please send it again in a few minutes."
                    )
                )
            services.complaint_add(
                municipality=municipality,
                orgnr=form.cleaned_data["orgnr"],
                text=form.cleaned_data["text"],
                provider_name=form.cleaned_data["provider_name"],
                service=form.cleaned_data["service"],
            )
            services.throttle_add(key, challenge.LOAD_WINDOW)
        except services.TipError as exc:
            form.add_error(None, str(exc))
            status = 400
        else:
            return render(
                request,
                "tips/complaint_thanks.html",
                {"municipality": municipality, "lang": request.tips_lang},
            )
    return render(
        request,
        "tips/complaint_form.html",
        {"form": form, "municipality": municipality, "lang": request.tips_lang},
        status=status,
    )


@public
def accessibility(request):
    return render(request, "tips/accessibility.html", {"lang": request.tips_lang})


# --- receivers: the unlocked key ------------------------------------------------------------------


def _store_private_key(request, response, private_key: bytes) -> None:
    """The private key goes into the session only encrypted; the key to it lives in the browser's cookie."""
    wrap = crypto.new_data_key()
    request.session[SESSION_KEY] = base64.b64encode(crypto.encrypt(wrap, private_key)).decode()
    response.set_cookie(
        KEY_COOKIE,
        base64.urlsafe_b64encode(wrap).decode(),
        httponly=True,
        samesite="Strict",
        secure=settings.SESSION_COOKIE_SECURE,
        path="/",
    )


def _private_key(request) -> bytes | None:
    sealed = request.session.get(SESSION_KEY)
    wrap = request.COOKIES.get(KEY_COOKIE)
    if not sealed or not wrap:
        return None
    try:
        return crypto.decrypt(base64.urlsafe_b64decode(wrap), base64.b64decode(sealed))
    except (CryptoError, ValueError):
        return None


def receiver(view):
    """A logged-in receiver (2FA by the middleware) whose key is unlocked, or to the unlock page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        if not any(
            has_perm(request.user, p)
            for p in ("tips.view", "whistleblowing.view", "tips.custodian", "tips.manage")
        ):
            raise PermissionDenied
        private_key = _private_key(request)
        if private_key is None:
            if request.method == "GET":
                # the page asks for the password in place; the form posts to the unlock page
                return _unlock_page(request, forms.UnlockForm(), next_url=request.get_full_path())
            return redirect(f"{reverse('tips-unlock')}?next={request.get_full_path()}")
        request.tips_private_key = private_key
        return view(request, *args, **kwargs)

    return wrapped


def _safe_next(request) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.GET.get("next") or request.POST.get("next") or reverse("tips-inbox")
    return (
        target
        if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
        else "/"
    )


def unlock(request):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if not any(
        has_perm(request.user, p)
        for p in ("tips.view", "whistleblowing.view", "tips.custodian", "tips.manage")
    ):
        raise PermissionDenied
    key = services.receiver_key(request.user)
    form = forms.UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password"]
        try:
            if request.POST.get("action") == "recover":
                services.recovery_request(user=request.user, new_password=password)
                messages.info(
                    request, _("Your request is waiting for two administrators to approve it.")
                )
                return redirect("tips-unlock")
            if key is None:
                _key, private_key = services.key_create(user=request.user, password=password)
            else:
                private_key = services.key_unlock(user=request.user, password=password)
        except services.TipError as exc:
            form.add_error("password", str(exc))
        else:
            response = redirect(_safe_next(request))
            _store_private_key(request, response, private_key)
            return response
    return _unlock_page(request, form, next_url=_safe_next(request))


def _unlock_page(request, form, *, next_url: str):
    pending = (
        KeyRecovery.objects.filter(user=request.user)
        .exclude(status=KeyRecovery.Status.DONE)
        .first()
    )
    return render(
        request,
        "tips/unlock.html",
        {
            "form": form,
            "has_key": services.receiver_key(request.user) is not None,
            "pending": pending,
            "next": next_url,
        },
    )


# --- receivers: inbox and report ----------------------------------------------------------------------


def _may_receive(user, channel: str) -> bool:
    return has_perm(user, CHANNEL_PERM[channel]) and services.is_receiver(user, channel)


def _report_for(request, pk: int) -> Report:
    report = get_object_or_404(Report, pk=pk, municipality_id=request.user.municipality_id)
    if not _may_receive(request.user, report.channel):
        raise PermissionDenied
    return report


def _inbox(request, channel: str):
    if not has_perm(request.user, CHANNEL_PERM[channel]):
        raise PermissionDenied
    my_channels = selectors.channels_of(request.user)
    if channel not in my_channels:
        return render(
            request, "tips/not_receiver.html", {"channel": Channel(channel).label}, status=403
        )
    reports = list(selectors.inbox(request.user, channel))
    today = timezone.localdate()
    for report in reports:
        report.open_deadlines = [
            (kind, due, due < today) for kind, due in dl.open_deadlines(report)
        ]
    log_personal_data(request, object_type="tips inbox", object_id=channel)
    return render(
        request,
        "tips/inbox.html",
        {
            "channel": channel,
            "channel_label": Channel(channel).label,
            "reports": reports,
            "my_channels": [(c, Channel(c).label) for c in my_channels],
            "due": services.retention_due(municipality=request.user.municipality)
            .filter(channel=channel)
            .count(),
        },
    )


def inbox(request):
    # The navigation's "Tips": refused (403) before any unlocking to roles that do not read tips.
    if request.user.is_authenticated and not has_perm(request.user, "tips.view"):
        raise PermissionDenied
    return _tips_inbox(request)


@receiver
def _tips_inbox(request):
    channels = selectors.channels_of(request.user)
    if Channel.TIPS not in channels and Channel.WHISTLEBLOWING in channels:
        return redirect("tips-whistle-inbox")
    return _inbox(request, Channel.TIPS)


@receiver
def whistle_inbox(request):
    return _inbox(request, Channel.WHISTLEBLOWING)


def _open(request, report: Report) -> services.Opened:
    return services.receiver_open(
        report=report, user=request.user, private_key=request.tips_private_key
    )


@receiver
def report_detail(request, pk: int):
    report = _report_for(request, pk)
    context = {
        "report": report,
        "channel_label": report.get_channel_display(),
        "deadlines": dl.open_deadlines(report),
        "ack_due": dl.ack_due(report),
        "feedback_due": dl.feedback_due(report),
        "today": timezone.localdate(),
    }
    if report.deleted_at is None:
        try:
            opened = _open(request, report)
        except services.TipError as exc:
            context["locked_reason"] = str(exc)
        else:
            context.update(
                {
                    "content": opened.content,
                    "answers": _labelled(opened.content),
                    "can_handover": has_perm(request.user, "cases.edit"),
                    "messages_list": services.messages_read(report, opened.data_key),
                    "files": services.intake_files(report, opened.data_key),
                    "reply_form": forms.ReplyForm(),
                    "handover_form": forms.HandoverForm(
                        initial={
                            "title": f"{report.get_category_display().capitalize()} ({report.reference})",
                            "case_type": _case_type(report.category),
                            "description": opened.content.get("what", ""),
                        }
                    ),
                    "vault_form": forms.VaultRequestForm(),
                    "ack_text": _(services.ACK_TEXT)
                    % {
                        "date": timezone.localdate(report.received_at).isoformat(),
                        "reference": report.reference,
                    },
                }
            )
    context["vault_requests"] = report.vault_requests.select_related("requested_by", "decided_by")
    context["events"] = report.events.select_related("user")[:30]
    log_personal_data(request, object_type="report", object_id=report.reference)
    return render(request, "tips/report_detail.html", context)


def _labelled(content: dict) -> list[tuple[str, str]]:
    labels = {name: field.label for name, field in forms.ReportForm.base_fields.items()}
    for questions in forms.SUBJECT_QUESTIONS.values():
        labels.update({name: label for name, label, _help in questions})
    labels["relation"] = _("Connection to the municipality")
    choices = dict(forms.HOW_KNOWN) | dict(forms.RELATION)
    out = []
    for key, value in content.items():
        if value:
            shown = choices.get(value, value) if key in ("how_known", "relation") else value
            out.append((str(labels.get(key, key)), str(shown)))
    return out


def _case_type(category: str) -> str:
    return {
        Category.BENEFIT: "benefit",
        Category.HOME_CARE: "home_care",
        Category.SUPPLIER: "supplier",
        Category.GRANT: "grant",
        Category.STAFF: "unlawful_influence",
    }.get(category, "other")


def _act(request, pk: int, action):
    report = _report_for(request, pk)
    try:
        opened = _open(request, report)
        result = action(report, opened)
    except services.TipError as exc:
        messages.error(request, str(exc))
        return redirect("tips-report", pk=report.pk)
    return result or redirect("tips-report", pk=report.pk)


@require_POST
@receiver
def report_ack(request, pk: int):
    def action(report, opened):
        services.report_acknowledge(
            opened=opened, user=request.user, text=request.POST.get("text", "")
        )
        messages.success(request, _("The receipt has been acknowledged to the reporter."))

    return _act(request, pk, action)


@require_POST
@receiver
def report_reply(request, pk: int):
    def action(report, opened):
        form = forms.ReplyForm(request.POST)
        if not form.is_valid():
            raise services.TipError(_("Write a message."))
        services.receiver_reply(
            opened=opened,
            user=request.user,
            text=form.cleaned_data["text"],
            feedback=form.cleaned_data["feedback"],
            uploads=_uploads(request),
        )
        messages.success(
            request, _("The message has been sent. The reporter reads it with their receipt code.")
        )

    return _act(request, pk, action)


@require_POST
@receiver
def report_close(request, pk: int):
    def action(report, opened):
        services.report_close(
            report=report, user=request.user, reason=request.POST.get("reason", "")
        )
        messages.success(
            request,
            _("The report is closed. It will be proposed for deletion on %(date)s.")
            % {"date": report.retain_until.isoformat()},
        )

    return _act(request, pk, action)


@require_POST
@receiver
def report_handover(request, pk: int):
    def action(report, opened):
        if not has_perm(request.user, "cases.edit"):
            raise services.TipError(_("You may not open cases."))
        form = forms.HandoverForm(request.POST)
        if not form.is_valid():
            raise services.TipError(
                _("Fill in the title, the case type and what the case is about.")
            )
        case = services.report_hand_over(opened=opened, user=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("Case %(number)s has been opened. The reporter's identity was not passed on.")
            % {"number": case.number},
        )
        return redirect("cases-detail", pk=case.pk)

    return _act(request, pk, action)


@receiver
def report_file(request, pk: int, attachment_pk: int):
    report = _report_for(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, report=report)
    try:
        opened = _open(request, report)
        meta, content = services.attachment_read(attachment, opened.data_key)
    except services.TipError as exc:
        messages.error(request, str(exc))
        return redirect("tips-report", pk=report.pk)
    log_personal_data(
        request,
        object_type="report attachment",
        object_id=f"{report.reference}/{attachment.pk}",
        action=AccessLogEntry.Action.EXPORT,
    )
    response = HttpResponse(content, content_type="application/octet-stream")
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in meta["name"])
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response


@receiver
def report_vault(request, pk: int):
    report = _report_for(request, pk)
    if request.method == "POST":
        if request.POST.get("action") == "open":
            try:
                identity = services.vault_open(
                    report=report, user=request.user, private_key=request.tips_private_key
                )
            except services.TipError as exc:
                messages.error(request, str(exc))
                return redirect("tips-report", pk=report.pk)
            log_personal_data(request, object_type="reporter identity", object_id=report.reference)
            return render(request, "tips/vault_open.html", {"report": report, "identity": identity})
        form = forms.VaultRequestForm(request.POST)
        try:
            if not form.is_valid():
                raise services.TipError(_("Give the reason why the identity is needed."))
            services.vault_request(
                report=report, user=request.user, reason=form.cleaned_data["reason"]
            )
        except services.TipError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The request has been sent to the identity custodian."))
    return redirect("tips-report", pk=report.pk)


@receiver
def custodian(request):
    if not has_perm(request.user, "tips.custodian"):
        raise PermissionDenied
    channels = selectors.channels_of(request.user, ChannelMember.Duty.CUSTODIAN)
    pending = VaultRequest.objects.filter(
        municipality_id=request.user.municipality_id,
        report__channel__in=channels,
        status=VaultRequest.Status.PENDING,
    ).select_related("report", "requested_by")
    if request.method == "POST":
        vault_request = get_object_or_404(pending, pk=request.POST.get("request"))
        try:
            services.vault_decide(
                request=vault_request,
                custodian=request.user,
                private_key=request.tips_private_key,
                approve=request.POST.get("decision") == "approve",
            )
        except services.TipError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The decision has been recorded."))
        return redirect("tips-custodian")
    log_personal_data(request, object_type="identity requests", object_id="pending")
    return render(request, "tips/custodian.html", {"pending": pending, "channels": channels})


@receiver
def retention(request):
    reports = services.retention_due(municipality=request.user.municipality)
    reports = [r for r in reports if _may_receive(request.user, r.channel)]
    if request.method == "POST":
        report = get_object_or_404(
            Report, pk=request.POST.get("report"), municipality_id=request.user.municipality_id
        )
        if not _may_receive(request.user, report.channel):
            raise PermissionDenied
        try:
            services.retention_delete(report=report, user=request.user)
        except services.TipError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Report %(reference)s has been deleted.") % {"reference": report.reference},
            )
        return redirect("tips-retention")
    return render(
        request, "tips/retention.html", {"reports": reports, "today": timezone.localdate()}
    )


@require("reports.view")
def statistics_view(request):
    year = request.GET.get("year")
    year = int(year) if year and year.isdigit() else timezone.localdate().year
    return render(
        request,
        "tips/statistics.html",
        {"stats": statistics.board_statistics(request.user.municipality, year), "year": year},
    )


@receiver
def members(request):
    if not has_perm(request.user, "tips.manage"):
        raise PermissionDenied
    municipality = request.user.municipality
    form = forms.MemberForm(request.POST or None, municipality=municipality)
    recovery_form = forms.RecoveryKeyForm(request.POST or None, user=request.user)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add" and form.is_valid():
                services.member_add(by=request.user, **form.cleaned_data)
            elif action == "remove":
                member = get_object_or_404(
                    ChannelMember, pk=request.POST.get("member"), municipality_id=municipality.pk
                )
                services.member_remove(by=request.user, member=member)
            elif action == "recovery-key" and recovery_form.is_valid():
                services.recovery_key_create(
                    user=request.user, second_holder=recovery_form.cleaned_data["second_holder"]
                )
            elif action == "approve":
                recovery = get_object_or_404(
                    KeyRecovery, pk=request.POST.get("recovery"), municipality_id=municipality.pk
                )
                services.recovery_approve(
                    recovery=recovery, approver=request.user, private_key=request.tips_private_key
                )
            else:
                raise services.TipError(_("Check the form."))
        except services.TipError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Saved."))
        return redirect("tips-members")
    return render(
        request,
        "tips/members.html",
        {
            "members": ChannelMember.objects.filter(municipality=municipality)
            .select_related("user")
            .order_by("channel", "duty", "user__username"),
            "form": form,
            "recovery_form": recovery_form,
            "recovery_key": RecoveryKey.objects.filter(
                municipality=municipality, active=True
            ).first(),
            "shares": RecoveryShare.objects.filter(
                recovery_key__municipality=municipality, recovery_key__active=True
            ).select_related("holder"),
            "recoveries": KeyRecovery.objects.filter(
                municipality=municipality, status=KeyRecovery.Status.PENDING
            ).select_related("user"),
            "keys": set(
                UserKey.objects.filter(user__municipality=municipality).values_list(
                    "user_id", flat=True
                )
            ),
            "events": TipEvent.objects.filter(municipality=municipality, report__isnull=True)[:20],
        },
    )


@require("complaints.view")
def complaints(request):
    form = forms.ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.complaint_add(
                municipality=request.user.municipality,
                orgnr=form.cleaned_data["orgnr"],
                text=form.cleaned_data["text"],
                provider_name=form.cleaned_data["provider_name"],
                service=form.cleaned_data["service"],
                user=request.user,
            )
        except services.TipError as exc:
            form.add_error("orgnr" if "organisation" in str(exc) else None, str(exc))
        else:
            messages.success(request, _("The complaint has been registered."))
            return redirect("tips-complaints")
    orgnr = services.normalise_orgnr(request.GET.get("orgnr", ""))
    items = Complaint.objects.filter(municipality_id=request.user.municipality_id)
    if orgnr:
        items = items.filter(orgnr=orgnr)
    log_personal_data(request, object_type="complaints", object_id=orgnr or "all")
    return render(
        request, "tips/complaints.html", {"form": form, "complaints": items[:200], "orgnr": orgnr}
    )


@require("complaints.view")
def provider(request, orgnr: str):
    """The provider's page: its complaints, counted and listed."""
    number = services.normalise_orgnr(orgnr)
    items = list(selectors.complaints_for(request.user.municipality_id, number))
    name = next((c.provider_name for c in items if c.provider_name), "")
    log_personal_data(request, object_type="complaints", object_id=number)
    return render(
        request, "tips/provider.html", {"orgnr": number, "name": name, "complaints": items}
    )
