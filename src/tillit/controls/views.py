from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tillit.accounts.access import fetch, has_perm, require
from tillit.analytics.evidence import describe as describe_evidence
from tillit.cases.models import Notification
from tillit.cases.selectors import queryset_amount_at_risk
from tillit.cases.services import CaseError
from tillit.controls import selectors, services, units
from tillit.controls.models import ControlConfig, ControlVersion, Hit, Run
from tillit.controls.render import evidence_tables, explanation
from tillit.lib.messages import render as render_message
from tillit.lib.paging import page_number, uncounted_page

# the same authorities as the information-sharing ledger, which every notification is written to
AUTHORITIES = Notification.Recipient.choices


EVENT_LABELS = {
    "raised": gettext_lazy("raised"),
    "reopened": gettext_lazy("raised again: the evidence came back"),
    "closed": gettext_lazy("closed: the evidence is gone"),
    "dismissed": gettext_lazy("dismissed"),
    "notified": gettext_lazy("other authority notified"),
    "case": gettext_lazy("escalated to case"),
    "snoozed": gettext_lazy("silenced for the subject"),
    "comment": gettext_lazy("comment changed"),
    "units": gettext_lazy("marked one legal entity, many units"),
}


def _reason_label(event) -> str:
    if event.action == "dismissed" and event.reason in Hit.DismissReason.values:
        return str(Hit.DismissReason(event.reason).label)
    if event.action == "notified":
        return str(dict(AUTHORITIES).get(event.reason, event.reason))
    return event.reason


class QueueFilter(forms.Form):
    control = forms.CharField(label=gettext_lazy("Control"), required=False)
    family = forms.CharField(label=gettext_lazy("Control family"), required=False)
    risk_area = forms.CharField(label=gettext_lazy("Risk area"), required=False)
    board = forms.CharField(label=gettext_lazy("Board"), required=False)
    severity = forms.ChoiceField(
        label=gettext_lazy("Severity"),
        required=False,
        choices=[("", gettext_lazy("all"))] + list(Hit.Severity.choices),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("all"))] + list(Hit.Status.choices),
    )
    min_amount = forms.CharField(
        label=gettext_lazy("Amount at risk at least (kr)"), required=False, max_length=30
    )
    subject = forms.CharField(
        label=gettext_lazy("Concerns (id of a supplier, person, association …)"),
        required=False,
        max_length=100,
    )
    evidence = forms.ChoiceField(
        label=gettext_lazy("Strength of evidence"),
        required=False,
        choices=[("", gettext_lazy("all"))] + list(Hit.Evidence.choices),
    )
    order = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        choices=[("", gettext_lazy("score")), ("evidence", gettext_lazy("evidence, then score"))],
    )
    weak = forms.ChoiceField(
        label=gettext_lazy("Weak duplicate groups"),
        required=False,
        choices=[
            ("summary", gettext_lazy("as one summary line")),
            ("list", gettext_lazy("as hits")),
        ],
    )

    def clean_min_amount(self):
        from decimal import Decimal, InvalidOperation

        text = (
            self.cleaned_data["min_amount"].replace(" ", "").replace("\u00a0", "").replace(",", ".")
        )
        if not text:
            return ""
        try:
            amount = Decimal(text)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or abs(amount) >= Decimal("1e15"):
            raise forms.ValidationError(_("Write an amount in kronor, for example 10 000."))
        return text


class DismissForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=Hit.DismissReason.choices)
    # a dismissal is explained: whoever reads the hit later sees why
    note = forms.CharField(
        label=gettext_lazy("Comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Why the hit needs no further action. It can be changed later; every version is kept."
        ),
    )


class CommentForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


class NotifyForm(forms.Form):
    authority = forms.ChoiceField(label=gettext_lazy("Authority"), choices=AUTHORITIES)
    # the Act (2008:206) is the municipality's duty to notify when nothing else is chosen
    legal_ground = forms.ChoiceField(
        label=gettext_lazy("Legal ground"),
        choices=Notification.LegalGround.choices,
        required=False,
        initial=Notification.LegalGround.LAW_2008_206,
    )
    note = forms.CharField(
        label=gettext_lazy("What was shared"), widget=forms.Textarea(attrs={"rows": 2})
    )


class UnitsForm(forms.Form):
    """SUP-DUPLICATE's group of one organisation number is one legal entity with many units."""

    reason = forms.CharField(
        label=gettext_lazy("Why these records are one legal entity"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SnoozeForm(forms.Form):
    until = forms.DateField(
        label=gettext_lazy("Silence until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until <= timezone.localdate():  # Swedish time, not the server's
            raise forms.ValidationError(_("Choose a date in the future."))
        return until


QUEUE_PAGE_SIZE = 50


def _queue_hits(request):
    """The queue's filter form and the hits it lists, shared by the list and by its figures.

    Weak duplicate groups (same day, price-list amounts only) are left out of the list and
    returned apart, for their summary line, unless the user asked to see them as hits.
    """
    data = request.GET.copy()
    data.setdefault("status", "new")
    data.setdefault("weak", "summary")
    form = QueueFilter(data)
    filters = dict(form.cleaned_data) if form.is_valid() else {"status": "new", "weak": "summary"}
    weak = filters.pop("weak", "") or "summary"
    hits = selectors.hit_list(user=request.user, **filters)
    weak_hits = None
    if weak == "summary" and filters.get("evidence") != Hit.Evidence.WEAK:
        weak_hits = hits.filter(evidence_grade=Hit.Evidence.WEAK)
        hits = hits.exclude(evidence_grade=Hit.Evidence.WEAK)
    return form, hits, weak_hits


@require("controls.view")
def queue(request):
    """The list of hits, a page at a time, without counting them or adding up their amounts.

    Counting a million open hits and adding up their amounts takes seconds; the list itself
    takes a millisecond. So the page reads one row more than it shows (to know whether there is
    a next page) and the figures come from `queue_figures`, loaded after the list.
    """
    form, hits, _weak_hits = _queue_hits(request)
    # the case a hit joined, for the page's 50 in two queries rather than one or two per hit
    page = uncounted_page(
        hits.prefetch_related("case_link__case"),
        page_number(request.GET.get("page")),
        QUEUE_PAGE_SIZE,
    )
    for hit in page.object_list:
        hit.evidence_text = describe_evidence(hit.evidence_reasons or [], gettext)
    return render(
        request,
        "controls/queue.html",
        {
            "form": form,
            "page": page,
            "can_triage": has_perm(request.user, "hits.triage"),
            "can_run": has_perm(request.user, "controls.run"),
            "latest_run": selectors.run_list(user=request.user).first(),
            "reasons": Hit.DismissReason.choices,
            "query": _without_page(request.GET),
        },
        status=200 if form.is_valid() else 400,
    )  # a bad filter is the caller's error, shown on the form


@require("controls.view")
def queue_figures(request):
    """The queue's figures for the same filter: how many hits, the amount at risk, the weak groups.

    The queue page loads them after its list (queue.js); without JavaScript its link leads here
    and this is a page of its own. Only counts and amounts, no personal data: no access-log row,
    except when the filter names a subject (how many hits concern someone, and how much, is about
    that person), which is a search as on the queue itself.
    """
    form, hits, weak_hits = _queue_hits(request)
    weak_summary = None
    if weak_hits is not None:
        weak_count = weak_hits.count()
        if weak_count:
            query = request.GET.copy()
            query.pop("page", None)
            query["evidence"], query["weak"] = Hit.Evidence.WEAK, "list"
            weak_summary = {
                "count": weak_count,
                "amount": queryset_amount_at_risk(weak_hits),
                "query": query.urlencode(),
            }
    subject = form.cleaned_data.get("subject", "") if form.is_valid() else ""
    if subject:
        from tillit.accounts.access import log_personal_data
        from tillit.accounts.models import AccessLogEntry

        log_personal_data(
            request,
            object_type="hit figures",
            object_id=subject,
            action=AccessLogEntry.Action.SEARCH,
        )
    fragment = (
        request.headers.get("X-Tillit-Fragment") == "1"
    )  # queue.js asks for the figures alone
    return render(
        request,
        "controls/_queue_figures.html" if fragment else "controls/queue_figures.html",
        {
            "form": form,
            "count": hits.count(),
            # overlapping hits on the same payment or invoice count once (cases.selectors.amount_at_risk)
            "total_amount": queryset_amount_at_risk(hits),
            "weak_summary": weak_summary,
            "query": _without_page(request.GET),
        },
        status=200 if form.is_valid() else 400,
    )


QUEUE_EXPORT_COLUMNS = [
    gettext_lazy("Hit"),
    gettext_lazy("Control"),
    gettext_lazy("Subject type"),
    gettext_lazy("Subject"),
    gettext_lazy("Board"),
    gettext_lazy("Amount at risk (kr)"),
    gettext_lazy("Severity"),
    gettext_lazy("Score"),
    gettext_lazy("Strength of evidence"),
    gettext_lazy("Status"),
    gettext_lazy("Explanation"),
    gettext_lazy("Raised"),
]


@require("controls.view")
def queue_export(request):
    """The queue as an Excel workbook, with the filter the user has on the page."""
    import io

    from openpyxl import Workbook

    from tillit.accounts.access import log_personal_data
    from tillit.accounts.models import AccessLogEntry
    from tillit.lib.csvsafe import csv_cell

    data = request.GET.copy()
    data.setdefault("status", "new")
    form = QueueFilter(data)
    filters = form.cleaned_data if form.is_valid() else {"status": "new"}
    filters.pop("weak", None)  # the export lists every hit the filter finds, weak ones too
    hits = selectors.hit_list(user=request.user, **filters)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Review queue"))[:31]
    sheet.append([str(c) for c in QUEUE_EXPORT_COLUMNS])
    for hit in hits.iterator(chunk_size=500):
        sheet.append(
            [
                hit.pk,
                hit.control_id,
                hit.subject_type,
                csv_cell(hit.subject_id),
                csv_cell(hit.board),
                float(hit.amount_at_risk),
                str(hit.get_severity_display()),
                float(hit.score),
                describe_evidence(hit.evidence_reasons or [], gettext),
                str(hit.get_status_display()),
                csv_cell(str(explanation(hit))),
                timezone.localtime(hit.created_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    for cell in sheet["F"][1:]:
        cell.number_format = "# ##0.00"
    filters_text = "; ".join(f"{k}={v}" for k, v in sorted(filters.items()) if v)
    sheet.append([])
    sheet.append([str(_("Filter")), filters_text or str(_("all"))])
    sheet.append([str(_("Exported")), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    log_personal_data(
        request,
        object_type="hit export",
        object_id=filters_text[:100] or "all",
        action=AccessLogEntry.Action.EXPORT,
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="granskningskon-{timezone.localdate().isoformat()}.xlsx"'
    )
    return response


def _without_page(query) -> str:
    query = query.copy()
    query.pop("page", None)
    return query.urlencode()


@require("controls.view")
def hit_detail(request, pk: int):
    hit = fetch(
        request, selectors.hit_list(user=request.user, status=""), perm="controls.view", pk=pk
    )
    from tillit.analytics.registry import get as get_control
    from tillit.cases.models import CaseHit

    try:
        control = get_control(hit.control_id)
    except KeyError:
        control = None
    case_hit = CaseHit.objects.filter(hit=hit).select_related("case").first()
    comment = hit.events.filter(action__in=["dismissed", "comment"]).order_by("-at", "-id").first()
    return render(
        request,
        "controls/hit_detail.html",
        {
            "hit": hit,
            "control": control,
            "explanation": explanation(hit),
            "evidence_text": describe_evidence(hit.evidence_reasons or [], gettext),
            "tables": evidence_tables(hit.evidence),
            "related": selectors.hit_related(user=request.user, hit=hit)[:50],
            "events": [
                (e, EVENT_LABELS.get(e.action, e.action), _reason_label(e))
                for e in hit.events.select_related("user")
            ],
            "case": case_hit.case if case_hit else None,
            "can_see_case": has_perm(request.user, "cases.view"),
            "can_triage": has_perm(request.user, "hits.triage") and hit.status == Hit.Status.NEW,
            # prefixed: the four forms share one page, so their fields need distinct ids for their labels
            "dismiss_form": DismissForm(prefix="dismiss"),
            "notify_form": NotifyForm(prefix="notify"),
            "snooze_form": SnoozeForm(prefix="snooze"),
            "units_form": (
                UnitsForm(prefix="units")
                if units.decidable(hit) and units.can_decide(request.user)
                else None
            ),
            "comment": comment.note if comment else "",
            "comment_form": (
                CommentForm(prefix="comment", initial={"note": comment.note if comment else ""})
                if hit.status == Hit.Status.DISMISSED and has_perm(request.user, "hits.triage")
                else None
            ),
        },
    )


@require_POST
@require("hits.triage")
def hit_action(request, pk: int, action: str):
    hit = fetch(
        request, selectors.hit_list(user=request.user, status=""), perm="hits.triage", pk=pk
    )
    if action == "comment" and hit.status == Hit.Status.DISMISSED:
        form = CommentForm(request.POST, prefix="comment")
        if form.is_valid():
            services.hit_comment(hit=hit, user=request.user, note=form.cleaned_data["note"])
            messages.success(
                request, _("The comment was changed. The earlier one is kept in the history.")
            )
        else:
            messages.error(request, _("Write the comment."))
        return redirect("controls-hit", pk=hit.pk)
    if hit.status != Hit.Status.NEW and action != "snooze":
        messages.error(request, _("The hit has already been handled."))
        return redirect("controls-hit", pk=hit.pk)
    form_class = {
        "dismiss": DismissForm,
        "notify": NotifyForm,
        "snooze": SnoozeForm,
        "units": UnitsForm,
        "case": forms.Form,
    }.get(action)
    if form_class is None:
        from django.http import Http404

        raise Http404
    form = form_class(request.POST, prefix=action)
    if not form.is_valid():
        messages.error(
            request,
            _("Fill in the form: %(errors)s")
            % {
                "errors": "; ".join(
                    f"{form.fields[f].label if f in form.fields else ''} {' '.join(e)}"
                    for f, e in form.errors.items()
                )
            },
        )
        return redirect("controls-hit", pk=hit.pk)
    data = form.cleaned_data
    try:
        if action == "dismiss":
            services.hit_dismiss(
                hit=hit, user=request.user, reason=data["reason"], note=data["note"]
            )
            messages.success(request, _("The hit was dismissed."))
        elif action == "notify":
            services.hit_notify(
                hit=hit,
                user=request.user,
                authority=data["authority"],
                note=data["note"],
                legal_ground=data["legal_ground"] or Notification.LegalGround.LAW_2008_206,
            )
            messages.success(
                request, _("The notification was recorded in the information-sharing ledger.")
            )
        elif action == "case":
            services.hit_open_case(hit=hit, user=request.user, note=request.POST.get("note", ""))
            messages.success(request, _("The hit was escalated to a case."))
        elif action == "units":
            units.mark_units(hit=hit, user=request.user, reason=data["reason"])
            messages.success(
                request,
                _(
                    "Marked as one legal entity with many units; the group is raised again only when a "
                    "record with another bank account joins it."
                ),
            )
        else:
            services.hit_snooze(
                hit=hit, user=request.user, until=data["until"], reason=data["reason"]
            )
            messages.success(
                request,
                _("The control is silenced for this subject until %(date)s.")
                % {"date": data["until"].isoformat()},
            )
    # a refusal (another user handled the hit in the meantime, a notification or a units decision
    # that does not apply) is shown on the hit's page and changes nothing
    except (services.HitError, CaseError, units.UnitsError) as error:
        messages.error(request, str(error))
    return redirect("controls-hit", pk=hit.pk)


@require_POST
@require("hits.triage")
def hit_bulk(request):
    ids = [int(i) for i in request.POST.getlist("hit") if i.isdigit()]
    action = request.POST.get("action", "dismiss")
    form = DismissForm(request.POST)
    if (
        not ids
        or action not in ("dismiss", "case")
        or (action == "dismiss" and not form.is_valid())
    ):
        messages.error(request, _("Choose hits, a reason and write a comment."))
        return redirect("controls-queue")
    hits = selectors.hit_list(user=request.user, status=Hit.Status.NEW).filter(pk__in=ids)
    count = refused = 0
    for hit in hits:
        try:
            if action == "case":
                services.hit_open_case(
                    hit=hit, user=request.user, note=request.POST.get("note", "")
                )
            else:
                services.hit_dismiss(
                    hit=hit,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
        except services.HitError:  # handled by another user since the queue was read
            refused += 1
            continue
        count += 1
    if refused:
        messages.warning(
            request,
            _(
                "%(count)s of the chosen hits had already been handled by someone else; they were left as they were."
            )
            % {"count": refused},
        )
    if action == "case":
        messages.success(request, _("%(count)s hits were escalated to cases.") % {"count": count})
    else:
        messages.success(request, _("%(count)s hits were dismissed.") % {"count": count})
    return redirect("controls-queue")


@require("controls.view")
def control_list(request):
    from tillit.analytics.registry import all_controls
    from tillit.datasets.services import current_sources

    present = set(current_sources(municipality=request.user.municipality))
    configs = services.control_configs(request.user.municipality)
    rows = [
        {
            "control": c,
            "config": configs.get(c.id),
            "missing": [d for d in c.inputs if d not in present],
        }
        for c in all_controls()
    ]
    from tillit.controls.coverage import coverage_by_area

    return render(
        request,
        "controls/control_list.html",
        {
            "rows": rows,
            "areas": coverage_by_area(present),
            "can_run": has_perm(request.user, "controls.run"),
            "effectiveness": selectors.effectiveness(user=request.user),
        },
    )


@require("controls.view")
def control_detail(request, control_id: str):
    from django.http import Http404

    from tillit.analytics.registry import get as get_control

    try:
        control = get_control(control_id)
    except KeyError:
        raise Http404 from None
    config = services.control_configs(request.user.municipality).get(control.id)
    state = config.state if config else ControlConfig.State.ACTIVE
    steps = services.allowed_steps(config or ControlConfig(state=state))
    if (
        config
        and config.state == ControlConfig.State.PENDING
        and config.requested_by_id == request.user.pk
    ):
        steps = [
            s for s in steps if s != ControlConfig.State.ACTIVE
        ]  # four eyes: someone else approves
    backtests = [
        r
        for r in selectors.run_list(user=request.user).filter(dry_run=True, status=Run.Status.DONE)[
            :50
        ]
        if control.id in (r.control_ids or [])
    ][:5]
    return render(
        request,
        "controls/control_detail.html",
        {
            "control": control,
            "config": config,
            "state": state,
            "state_label": ControlConfig.State(state).label,
            "steps": [(s, STEP_LABELS[s]) for s in steps]
            if has_perm(request.user, "controls.manage")
            else [],
            "can_run": has_perm(request.user, "controls.run"),
            "backtests": backtests,
            "versions": ControlVersion.objects.filter(
                municipality=request.user.municipality, control_id=control.id
            ),
            # SUP-DUPLICATE: the organisation numbers decided to be one legal entity, many units
            "units_decisions": units.decisions(request.user.municipality)
            if control.id == units.CONTROL_ID
            else None,
        },
    )


STEP_LABELS = {
    ControlConfig.State.DRAFT: gettext_lazy("Back to draft"),
    ControlConfig.State.SHADOW: gettext_lazy("Start shadow run"),
    ControlConfig.State.PENDING: gettext_lazy("Ask for approval"),
    ControlConfig.State.ACTIVE: gettext_lazy("Approve and activate"),
    ControlConfig.State.RETIRED: gettext_lazy("Retire"),
}


@require_POST
@require("controls.manage")
def control_step(request, control_id: str):
    from django.http import Http404

    to_state = request.POST.get("state", "")
    try:
        config = services.control_config(
            municipality=request.user.municipality, control_id=control_id
        )
    except KeyError:
        raise Http404 from None
    if to_state not in ControlConfig.State.values:
        raise Http404
    try:
        config = services.control_transition(config=config, user=request.user, to_state=to_state)
    except services.LifecycleError as exc:
        messages.error(
            request,
            _(exc.template)
            % {
                k: (
                    ControlConfig.State(v).label
                    if k in ("from", "to") and v in ControlConfig.State.values
                    else v
                )
                for k, v in exc.params.items()
            }
            if exc.params
            else _(exc.template),
        )
    else:
        messages.success(
            request, _("The control is now: %(state)s.") % {"state": config.get_state_display()}
        )
    return redirect("controls-detail", control_id=control_id)


@require("controls.view")
def run_list(request):
    return render(
        request,
        "controls/run_list.html",
        {
            "runs": selectors.run_list(user=request.user)[:50],
            "can_run": has_perm(request.user, "controls.run"),
        },
    )


@require("controls.view")
def run_detail(request, pk: int):
    run = fetch(request, Run, perm="controls.view", pk=pk)
    report = []
    for entry in run.report:
        entry = dict(entry)
        if entry.get("not_applicable"):
            entry["not_applicable_text"] = render_message(
                entry["not_applicable"], entry.get("not_applicable_params")
            )
        report.append(entry)
    template = (
        "controls/run_progress.html"
        if request.headers.get("HX-Request")
        else "controls/run_detail.html"
    )
    return render(
        request,
        template,
        {
            "run": run,
            "report": report,
            "finished": run.status in (Run.Status.DONE, Run.Status.FAILED),
        },
    )


@require_POST
@require("controls.run")
def run_start(request):
    from tillit.analytics.registry import get as get_control
    from tillit.controls.tasks import run_controls_task

    control_ids = request.POST.getlist("control")
    for control_id in control_ids:
        try:
            get_control(control_id)
        except KeyError:
            messages.error(request, _("Unknown control %(id)s.") % {"id": control_id})
            return redirect("controls-runs")
    run = services.run_create(
        municipality=request.user.municipality,
        user=request.user,
        dry_run=bool(request.POST.get("dry_run")),
        control_ids=control_ids or None,
    )
    run_controls_task.enqueue(run.pk)
    return redirect("controls-run", pk=run.pk)
