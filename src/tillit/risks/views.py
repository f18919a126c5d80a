"""Risk areas, their valuations, the heat map and the ranking."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tillit.accounts.access import fetch, has_perm, require, scoped
from tillit.accounts.models import Board
from tillit.risks import selectors, services
from tillit.risks.forms import AssessmentForm, RiskAreaCreateForm, RiskAreaForm, SettingsForm
from tillit.risks.models import RiskArea, RiskAssessment


def _can_edit(request) -> bool:
    return has_perm(request.user, "risks.edit")


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require("risks.view")
def home(request):
    municipality = request.user.municipality
    services.ensure_catalogue(municipality)
    on = _parse_date(request.GET.get("on", ""))
    board = None
    if request.GET.get("board"):
        board = scoped(Board.objects.all(), request.user).filter(pk=request.GET["board"]).first()
    rows = selectors.ranked(municipality, on=on, board=board)
    unassessed = (
        selectors.active_areas(municipality).exclude(pk__in=[r["id"] for r in rows]).count()
    )
    flagged = []
    for a in selectors.current_assessments(municipality, on=on, board=board).values():
        flags = services.quality_flags(a)
        if flags:
            flagged.append({"area": a.risk_area, "flags": flags})
    flagged.sort(key=lambda f: f["area"].code)
    return render(
        request,
        "risks/home.html",
        {
            "heat": selectors.heat_map(municipality, on=on, board=board),
            "rows": rows,
            "unassessed": unassessed,
            "flagged": flagged,
            "formula": selectors.priority_formula(municipality),
            "on": on,
            "board": board,
            "boards": Board.objects.filter(municipality=municipality),
            "can_edit": _can_edit(request),
        },
    )


@require("risks.view")
def area_list(request):
    municipality = request.user.municipality
    services.ensure_catalogue(municipality)
    current = selectors.current_assessments(municipality)
    show_retired = request.GET.get("retired") == "1"
    areas = (
        scoped(RiskArea.objects.all(), request.user)
        .prefetch_related("owner_boards")
        .select_related("organisation")
    )
    if not show_retired:
        areas = areas.filter(retired=False)
    rows = [{"area": a, "current": current.get(a.pk)} for a in areas]
    form = RiskAreaCreateForm(municipality=municipality) if _can_edit(request) else None
    return render(
        request,
        "risks/area_list.html",
        {"rows": rows, "form": form, "show_retired": show_retired, "can_edit": _can_edit(request)},
    )


@require("risks.edit")
@require_POST
def area_create(request):
    municipality = request.user.municipality
    form = RiskAreaCreateForm(request.POST, municipality=municipality)
    if form.is_valid():
        try:
            area = services.risk_area_create(municipality=municipality, **form.cleaned_data)
        except services.RiskError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The risk area %(area)s was added.") % {"area": area})
            return redirect("risk-area-detail", area.pk)
    current = selectors.current_assessments(municipality)
    rows = [
        {"area": a, "current": current.get(a.pk)}
        for a in scoped(RiskArea.objects.filter(retired=False), request.user)
    ]
    return render(
        request, "risks/area_list.html", {"rows": rows, "form": form, "can_edit": True}, status=400
    )


@require("risks.view")
def area_detail(request, pk: int):
    area = fetch(request, RiskArea, perm="risks.view", pk=pk)
    municipality = area.municipality
    scale = selectors.scale_for(municipality)
    history = list(area.assessments.select_related("board", "created_by", "analysis"))
    current = history[0] if history else None
    form = None
    if _can_edit(request):
        initial = {}
        if current is not None:
            initial = {f: getattr(current, f) for f in services.COMPARED_FIELDS}
        form = AssessmentForm(scale=scale, initial=initial)
    return _detail(request, area, scale, history, current, form)


def _detail(request, area, scale, history, current, form, status=200):
    measures = services.measures_for(area)
    flags = services.quality_flags(current, measures=measures) if current else []
    return render(
        request,
        "risks/area_detail.html",
        {
            "area": area,
            "scale": scale,
            "history": history,
            "current": current,
            "form": form,
            "flags": flags,
            "measures": measures,
            "evidence": selectors.evidence(user=request.user, area=area),
            "can_edit": _can_edit(request),
        },
        status=status,
    )


@require("risks.edit")
@require_POST
def area_assess(request, pk: int):
    area = fetch(request, RiskArea, perm="risks.edit", pk=pk)
    scale = selectors.scale_for(area.municipality)
    form = AssessmentForm(request.POST, scale=scale)
    if form.is_valid():
        data = dict(form.cleaned_data)
        assessed_on = data.pop("assessed_on")
        try:
            assessment = services.assessment_create(
                risk_area=area, user=request.user, assessed_on=assessed_on, **data
            )
        except services.RiskError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The valuation of %(area)s was saved.") % {"area": area})
            for flag in services.quality_flags(assessment):
                messages.warning(request, flag.message)
            return redirect("risk-area-detail", area.pk)
    history = list(area.assessments.select_related("board", "created_by", "analysis"))
    return _detail(request, area, scale, history, history[0] if history else None, form, status=400)


@require("risks.edit")
def area_edit(request, pk: int):
    area = fetch(request, RiskArea, perm="risks.edit", pk=pk)
    municipality = area.municipality
    if request.method == "POST":
        form = RiskAreaForm(request.POST, municipality=municipality)
        if form.is_valid():
            try:
                services.risk_area_update(area=area, **form.cleaned_data)
            except services.RiskError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The risk area %(area)s was saved.") % {"area": area})
                return redirect("risk-area-detail", area.pk)
    else:
        form = RiskAreaForm(
            municipality=municipality,
            initial={
                "name": area.name,
                "description": area.description,
                "exposure_kr": f"{area.exposure_kr:.2f}".replace(".", ",")
                if area.exposure_kr is not None
                else "",
                "owner_boards": area.owner_boards.all(),
                "organisation": area.organisation,
            },
        )
    return render(
        request,
        "risks/area_edit.html",
        {"area": area, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require("risks.edit")
@require_POST
def area_retire(request, pk: int):
    area = fetch(request, RiskArea, perm="risks.edit", pk=pk)
    retire = request.POST.get("retired", "1") == "1"
    services.risk_area_retire(area=area, retired=retire)
    if retire:
        messages.success(request, _("The risk area %(area)s was retired.") % {"area": area})
    else:
        messages.success(request, _("The risk area %(area)s is in use again.") % {"area": area})
    return redirect("risk-area-detail", area.pk)


@require("risks.view")
def assessment_detail(request, pk: int):
    assessment = fetch(
        request,
        RiskAssessment.objects.select_related("risk_area", "board", "created_by"),
        perm="risks.view",
        pk=pk,
    )
    scale = selectors.scale_for(assessment.municipality)
    return render(
        request,
        "risks/assessment_detail.html",
        {
            "a": assessment,
            "scale": scale,
            "flags": services.quality_flags(assessment),
        },
    )


@require("risks.edit")
def settings_view(request):
    municipality = request.user.municipality
    cfg = selectors.risk_settings(municipality)
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                services.settings_update(municipality=municipality, **form.cleaned_data)
            except services.RiskError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The settings were saved."))
                return redirect("risk-settings")
    else:
        scale = selectors.scale_for(municipality)
        form = SettingsForm(
            initial={
                "scale_max": scale.steps,
                "probability_labels": "\n".join(_(x) for x in scale.probability),
                "consequence_labels": "\n".join(_(x) for x in scale.consequence),
                "weight_vor": cfg.weight_vor,
                "weight_exposure": cfg.weight_exposure,
                "weight_influence": cfg.weight_influence,
                "stale_after_days": cfg.stale_after_days,
            }
        )
    return render(
        request,
        "risks/settings.html",
        {"form": form, "formula": selectors.priority_formula(municipality)},
        status=400 if request.method == "POST" else 200,
    )


# --- analyses: copy, roll out, roll up -------------------------------------------------------------


def _analysis_qs(request):
    from tillit.risks.models import RiskAnalysis

    return scoped(
        RiskAnalysis.objects.select_related("board", "organisation", "parent", "copied_from"),
        request.user,
    )


@require("risks.view")
def analysis_list(request):
    from tillit.risks.forms import AnalysisForm

    municipality = request.user.municipality
    form = None
    if _can_edit(request):
        form = AnalysisForm(request.POST or None, municipality=municipality)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            areas = data["risk_areas"] or selectors.active_areas(municipality)
            try:
                analysis = services.analysis_create(
                    municipality=municipality,
                    name=data["name"],
                    year=data["year"],
                    board=data["board"],
                    organisation=data["organisation"],
                    risk_areas=areas,
                )
            except services.RiskError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, _("The analysis %(name)s was created.") % {"name": analysis}
                )
                return redirect("risk-analysis-detail", analysis.pk)
    return render(
        request,
        "risks/analysis_list.html",
        {
            "analyses": _analysis_qs(request).filter(parent__isnull=True),
            "form": form,
            "can_edit": _can_edit(request),
        },
        status=400 if request.method == "POST" else 200,
    )


@require("risks.view")
def analysis_detail(request, pk: int):
    from tillit.risks.forms import CopyForm

    analysis = fetch(request, _analysis_qs(request), perm="risks.view", pk=pk)
    latest = services.latest_in(analysis)
    changes = services.changes_since_copy(analysis)
    rows = [
        {"area": area, "a": latest.get(area.pk), "changes": changes.get(area.pk, [])}
        for area in analysis.risk_areas.order_by("code")
    ]
    return render(
        request,
        "risks/analysis_detail.html",
        {
            "analysis": analysis,
            "rows": rows,
            "children": analysis.children.select_related("board"),
            "boards": Board.objects.filter(municipality=analysis.municipality),
            "copy_form": CopyForm(initial={"year": analysis.year + 1}),
            "can_edit": _can_edit(request),
        },
    )


@require("risks.edit")
@require_POST
def analysis_assess(request, pk: int, area_pk: int):
    """A valuation made inside an analysis (a board's, when the analysis belongs to a board)."""
    analysis = fetch(request, _analysis_qs(request), perm="risks.edit", pk=pk)
    area = fetch(request, RiskArea, perm="risks.edit", pk=area_pk)
    form = AssessmentForm(request.POST, scale=selectors.scale_for(area.municipality))
    if form.is_valid():
        data = dict(form.cleaned_data)
        assessed_on = data.pop("assessed_on")
        try:
            services.assessment_create(
                risk_area=area,
                user=request.user,
                assessed_on=assessed_on,
                analysis=analysis,
                **data,
            )
        except services.RiskError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The valuation of %(area)s was saved.") % {"area": area})
    else:
        messages.error(
            request,
            _("The valuation of %(area)s was not saved: %(errors)s")
            % {
                "area": area,
                "errors": "; ".join(
                    f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}"
                    for f, e in form.errors.items()
                ),
            },
        )
    return redirect("risk-analysis-detail", analysis.pk)


@require("risks.view")
def analysis_area(request, pk: int, area_pk: int):
    analysis = fetch(request, _analysis_qs(request), perm="risks.view", pk=pk)
    area = fetch(request, RiskArea, perm="risks.view", pk=area_pk)
    current = services.latest_in(analysis).get(area.pk)
    initial = {f: getattr(current, f) for f in services.COMPARED_FIELDS} if current else {}
    form = (
        AssessmentForm(scale=selectors.scale_for(area.municipality), initial=initial)
        if _can_edit(request)
        else None
    )
    return render(
        request,
        "risks/analysis_area.html",
        {"analysis": analysis, "area": area, "current": current, "form": form},
    )


@require("risks.edit")
@require_POST
def analysis_copy(request, pk: int):
    from tillit.risks.forms import CopyForm

    analysis = fetch(request, _analysis_qs(request), perm="risks.edit", pk=pk)
    form = CopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the year of the new analysis."))
        return redirect("risk-analysis-detail", analysis.pk)
    new = services.analysis_copy(
        analysis=analysis,
        year=form.cleaned_data["year"],
        name=form.cleaned_data["name"],
        user=request.user,
    )
    messages.success(request, _("Copied to %(name)s; what you change is marked.") % {"name": new})
    return redirect("risk-analysis-detail", new.pk)


@require("risks.edit")
@require_POST
def analysis_roll_out(request, pk: int):
    analysis = fetch(request, _analysis_qs(request), perm="risks.edit", pk=pk)
    boards = Board.objects.filter(municipality=analysis.municipality)
    chosen = request.POST.getlist("boards")
    if chosen:
        boards = boards.filter(pk__in=chosen)
    if analysis.board_id:
        boards = boards.exclude(pk=analysis.board_id)
    children = services.analysis_roll_out(analysis=analysis, boards=boards)
    messages.success(request, _("Rolled out to %(n)s boards.") % {"n": len(children)})
    return redirect("risk-analysis-detail", analysis.pk)


@require("risks.edit")
@require_POST
def analysis_roll_up(request, pk: int):
    analysis = fetch(request, _analysis_qs(request), perm="risks.edit", pk=pk)
    created = services.analysis_roll_up(analysis=analysis, user=request.user)
    messages.success(
        request, _("%(n)s risk areas were rolled up from the boards.") % {"n": len(created)}
    )
    return redirect("risk-analysis-detail", analysis.pk)


# --- workshops ------------------------------------------------------------------------------------


def _workshop_qs(request):
    from tillit.risks.models import Workshop

    return scoped(Workshop.objects.select_related("board", "analysis"), request.user)


@require("risks.view")
def workshop_list(request):
    from tillit.risks import workshops
    from tillit.risks.forms import WorkshopForm

    municipality = request.user.municipality
    form = None
    if _can_edit(request):
        form = WorkshopForm(request.POST or None, municipality=municipality)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                workshop = workshops.workshop_create(
                    municipality=municipality,
                    title=data["title"],
                    held_on=data["held_on"],
                    board=data["board"],
                    risk_areas=data["risk_areas"],
                    participants=data["participants"].splitlines(),
                    user=request.user,
                )
            except services.RiskError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, _("The workshop was created. Give each participant their link.")
                )
                return redirect("risk-workshop-detail", workshop.pk)
    return render(
        request,
        "risks/workshop_list.html",
        {"workshops": _workshop_qs(request), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require("risks.view")
def workshop_detail(request, pk: int):
    from tillit.risks import workshops
    from tillit.risks.models import Workshop

    workshop = fetch(request, _workshop_qs(request), perm="risks.view", pk=pk)
    can_edit = _can_edit(request)
    show_spread = workshop.status != Workshop.Status.SCORING
    return render(
        request,
        "risks/workshop_detail.html",
        {
            "workshop": workshop,
            "participants": workshop.participants.all(),
            "rows": workshops.spread(workshop) if show_spread else None,
            "show_spread": show_spread,
            "scale": selectors.scale_for(workshop.municipality),
            "can_edit": can_edit,
            "statuses": Workshop.Status.choices,
        },
    )


@require("risks.edit")
@require_POST
def workshop_status(request, pk: int):
    from tillit.risks import workshops

    workshop = fetch(request, _workshop_qs(request), perm="risks.edit", pk=pk)
    try:
        workshops.status_set(workshop=workshop, status=request.POST.get("status", ""))
    except services.RiskError as error:
        messages.error(request, str(error))
    return redirect("risk-workshop-detail", workshop.pk)


@require("risks.edit")
@require_POST
def workshop_consensus(request, pk: int, area_pk: int):
    from tillit.risks import workshops

    workshop = fetch(request, _workshop_qs(request), perm="risks.edit", pk=pk)
    area = fetch(request, RiskArea, perm="risks.edit", pk=area_pk)
    try:
        workshops.consensus_set(
            workshop=workshop,
            risk_area=area,
            probability=request.POST.get("probability"),
            consequence=request.POST.get("consequence"),
            unlawful_influence=request.POST.get("unlawful_influence"),
            motivation=request.POST.get("motivation", ""),
            proposed_measures=request.POST.get("proposed_measures", ""),
            user=request.user,
        )
    except services.RiskError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The consensus for %(area)s was recorded as a valuation.") % {"area": area}
        )
    return redirect(f"{_workshop_url(workshop)}#area-{area.pk}")


def _workshop_url(workshop) -> str:
    from django.urls import reverse

    return reverse("risk-workshop-detail", args=[workshop.pk])


@require("risks.view")
def workshop_minutes(request, pk: int, fmt: str):
    from tillit.risks import documents, workshops

    workshop = fetch(request, _workshop_qs(request), perm="risks.view", pk=pk)
    doc = workshops.minutes(workshop)
    name = f"protokoll-workshop-{workshop.pk}"
    return _download(doc, fmt, name, documents)


def _download(doc, fmt: str, name: str, documents, *, landscape: bool = False):
    from django.http import Http404, HttpResponse

    if fmt == "docx":
        content = documents.to_docx(doc, landscape=landscape)
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    elif fmt == "pdf":
        content = documents.to_pdf(doc, landscape=landscape)
        mime = "application/pdf"
    else:
        raise Http404
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def workshop_score(request, token: str):
    """The participant's own page (phone-friendly, no login): score every area alone, then send."""
    from django.http import Http404

    from tillit.risks import workshops
    from tillit.risks.models import Workshop, WorkshopParticipant, WorkshopScore

    participant = (
        WorkshopParticipant.objects.select_related("workshop", "workshop__municipality")
        .filter(token=token)
        .first()
    )
    if participant is None:
        raise Http404
    workshop = participant.workshop
    scale = selectors.scale_for(workshop.municipality)
    areas = list(workshop.risk_areas.order_by("code"))
    error = ""
    posted = {}
    if request.method == "POST":
        for area in areas:
            posted[area.pk] = {
                k: request.POST.get(f"{k}-{area.pk}", "")
                for k in ("probability", "consequence", "unlawful_influence", "comment")
            }
        try:
            workshops.scores_submit(participant=participant, scores=posted)
        except services.RiskError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Thank you. Your scores were sent."))
            return redirect("risk-workshop-score", token)
    else:
        for s in WorkshopScore.objects.filter(participant=participant):
            posted[s.risk_area_id] = {
                "probability": str(s.probability),
                "consequence": str(s.consequence),
                "unlawful_influence": str(s.unlawful_influence),
                "comment": s.comment,
            }
    rows = [{"area": a, "values": posted.get(a.pk, {})} for a in areas]
    return render(
        request,
        "risks/workshop_score.html",
        {
            "participant": participant,
            "workshop": workshop,
            "rows": rows,
            "error": error,
            "open": workshop.status == Workshop.Status.SCORING,
            "p_choices": [(v, scale.probability_label(v)) for v in scale.values],
            "c_choices": [(v, scale.consequence_label(v)) for v in scale.values],
            "values": [str(v) for v in scale.values],
        },
        status=400 if error else 200,
    )


# --- municipal companies ----------------------------------------------------------------------------


@require("risks.view")
def organisation_list(request):
    from tillit.risks.forms import OrganisationForm
    from tillit.risks.models import Organisation

    municipality = request.user.municipality
    form = None
    if _can_edit(request):
        form = OrganisationForm(request.POST or None, municipality=municipality)
        if request.method == "POST" and form.is_valid():
            if Organisation.objects.filter(
                municipality=municipality, name=form.cleaned_data["name"]
            ).exists():
                form.add_error("name", _("There is already a company with this name."))
            else:
                org = Organisation.objects.create(municipality=municipality, **form.cleaned_data)
                messages.success(request, _("The company %(name)s was added.") % {"name": org})
                return redirect("risk-organisation-detail", org.pk)
    orgs = scoped(Organisation.objects.select_related("owner_board"), request.user)
    return render(
        request,
        "risks/organisation_list.html",
        {"organisations": orgs, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require("risks.view")
def organisation_detail(request, pk: int):
    from tillit.risks.models import Organisation

    org = fetch(request, Organisation, perm="risks.view", pk=pk)
    current = selectors.current_assessments(org.municipality)
    rows = [{"area": a, "current": current.get(a.pk)} for a in org.risk_areas.filter(retired=False)]
    heat = selectors.heat_map(org.municipality, organisation=org)
    form = None
    if _can_edit(request):
        form = RiskAreaCreateForm(municipality=org.municipality, initial={"organisation": org})
    return render(
        request,
        "risks/organisation_detail.html",
        {
            "org": org,
            "rows": rows,
            "form": form,
            "heat": heat,
            "analyses": _analysis_qs(request).filter(organisation=org),
        },
    )


# --- risk positions -----------------------------------------------------------------------------------


@require("risks.view")
def position_list(request):
    from tillit.risks import positions
    from tillit.risks.forms import CheckForm, PositionForm
    from tillit.risks.models import RiskPosition

    municipality = request.user.municipality
    form = None
    if _can_edit(request):
        form = PositionForm(request.POST or None, municipality=municipality)
        if request.method == "POST" and form.is_valid():
            try:
                positions.position_create(municipality=municipality, **form.cleaned_data)
            except services.RiskError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The risk position was added."))
                return redirect("risk-position-list")
    due = {p.pk for p in positions.without_current_check(municipality)}
    rows = []
    power_labels, kind_labels = dict(positions.POWERS), dict(positions.CHECK_KINDS)
    for p in scoped(
        RiskPosition.objects.filter(retired=False)
        .select_related("board")
        .prefetch_related("checks__checked_by"),
        request.user,
    ):
        latest = p.checks.first()
        rows.append(
            {
                "p": p,
                "latest": latest,
                "due": p.pk in due,
                "next": positions.check_due(p),
                "power": [power_labels.get(k, k) for k in p.power],
                "routine": [kind_labels.get(k, k) for k in p.routine],
                "kinds": [kind_labels.get(k, k) for k in (latest.kinds if latest else [])],
            }
        )
    only_due = request.GET.get("due") == "1"
    if only_due:
        rows = [r for r in rows if r["due"]]
    return render(
        request,
        "risks/position_list.html",
        {
            "rows": rows,
            "form": form,
            "check_form": CheckForm() if _can_edit(request) else None,
            "due_count": len(due),
            "only_due": only_due,
        },
        status=400 if request.method == "POST" else 200,
    )


@require("risks.edit")
@require_POST
def position_check(request, pk: int):
    from tillit.risks import positions
    from tillit.risks.forms import CheckForm
    from tillit.risks.models import RiskPosition

    position = fetch(request, RiskPosition, perm="risks.edit", pk=pk)
    form = CheckForm(request.POST)
    if form.is_valid():
        try:
            positions.check_record(position=position, user=request.user, **form.cleaned_data)
        except services.RiskError as error:
            messages.error(request, f"{position}: {error}")
        else:
            messages.success(
                request, _("The check of %(position)s was recorded.") % {"position": position}
            )
    else:
        messages.error(
            request,
            _("%(position)s: give the date and tick what was checked.") % {"position": position},
        )
    return redirect("risk-position-list")


# --- crime-proofing of rules ------------------------------------------------------------------------


@require("risks.view")
def rule_list(request):
    from tillit.risks import rules
    from tillit.risks.forms import RuleReviewForm
    from tillit.risks.models import RuleReview

    municipality = request.user.municipality
    form = None
    if _can_edit(request):
        form = RuleReviewForm(request.POST or None, municipality=municipality)
        if request.method == "POST" and form.is_valid():
            try:
                review = rules.review_create(
                    municipality=municipality, user=request.user, **form.cleaned_data
                )
            except services.RiskError as error:
                form.add_error(None, str(error))
            else:
                return redirect("risk-rule-detail", review.pk)
    return render(
        request,
        "risks/rule_list.html",
        {"reviews": scoped(RuleReview.objects.select_related("board"), request.user), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require("risks.view")
def rule_detail(request, pk: int):
    from tillit.risks import rules
    from tillit.risks.forms import FindingForm
    from tillit.risks.models import RuleReview

    review = fetch(request, RuleReview.objects.select_related("board"), perm="risks.view", pk=pk)
    form = None
    if _can_edit(request):
        form = FindingForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                rules.finding_add(review=review, **form.cleaned_data)
            except services.RiskError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The finding was recorded."))
                return redirect("risk-rule-detail", review.pk)
    steps = dict(rules.STEPS)
    findings = [
        {"f": f, "step": steps.get(f.step, f.step)}
        for f in review.findings.select_related("risk_area")
    ]
    return render(
        request,
        "risks/rule_detail.html",
        {
            "review": review,
            "findings": findings,
            "form": form,
            "can_edit": _can_edit(request),
            "areas": selectors.active_areas(review.municipality),
            "measure_function": rules.plans_measure_function(),
        },
        status=400 if request.method == "POST" else 200,
    )


@require("risks.edit")
@require_POST
def rule_finding_to_risk(request, pk: int, finding_pk: int):
    from tillit.risks import rules
    from tillit.risks.models import RuleFinding

    finding = fetch(
        request,
        RuleFinding.objects.select_related("review"),
        perm="risks.edit",
        pk=finding_pk,
        review_id=pk,
    )
    existing = None
    if request.POST.get("risk_area"):
        existing = fetch(request, RiskArea, perm="risks.edit", pk=request.POST["risk_area"])
    area = rules.finding_to_risk(
        finding=finding, existing=existing, name=request.POST.get("name", "").strip()
    )
    messages.success(
        request, _("The finding is linked to the risk area %(area)s.") % {"area": area}
    )
    make_measure = rules.plans_measure_function()
    if request.POST.get("measure") and make_measure is not None:
        measure = make_measure(finding=finding, risk_area=area, user=request.user)
        finding.measure_ref = str(getattr(measure, "pk", ""))[:100]
        finding.save(update_fields=["measure_ref"])
        messages.success(request, _("A measure was proposed in the action plan."))
    return redirect("risk-rule-detail", finding.review_id)


# --- internal control plan --------------------------------------------------------------------------


@require("risks.view")
def ic_plan(request):
    from django.utils import timezone

    from tillit.risks import controlplan
    from tillit.risks.forms import ControlPlanItemForm

    municipality = request.user.municipality
    boards = Board.objects.filter(municipality=municipality)
    board = boards.filter(pk=request.GET.get("board") or 0).first() or boards.first()
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    form = None
    if _can_edit(request) and board is not None:
        form = ControlPlanItemForm(request.POST or None, municipality=municipality)
        if request.method == "POST" and form.is_valid():
            try:
                controlplan.item_add(board=board, year=year, **form.cleaned_data)
            except services.RiskError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The row was added to the internal control plan."))
                return redirect(f"{request.path}?board={board.pk}&year={year}")
    return render(
        request,
        "risks/ic_plan.html",
        {
            "boards": boards,
            "board": board,
            "year": year,
            "form": form,
            "rows": controlplan.rows(board, year) if board else [],
            "controls": controlplan.tillit_controls(board, year) if board else [],
        },
        status=400 if request.method == "POST" else 200,
    )


@require("risks.view")
def ic_plan_export(request, board_pk: int, year: int, fmt: str):
    from django.http import HttpResponse

    from tillit.risks import controlplan, documents

    board = fetch(request, Board, perm="risks.view", pk=board_pk)
    name = f"internkontrollplan-{year}-{board.pk}"
    if fmt == "xlsx":
        response = HttpResponse(
            controlplan.to_xlsx(board, year),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    doc, _header, _rows = controlplan.plan_doc(board, year)
    return _download(doc, fmt, name, documents, landscape=True)


# --- operative risk analyses per department -------------------------------------------------------


@require("risks.view")
def operative_list(request):
    from tillit.risks import operative
    from tillit.risks.forms import OperativeAnalysisForm
    from tillit.risks.models import OperativeAnalysis

    municipality = request.user.municipality
    form = None
    if _can_edit(request):
        form = OperativeAnalysisForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            lines = [
                line.strip() for line in form.cleaned_data["questions"].splitlines() if line.strip()
            ]
            questions = (
                [{"key": f"q{i}", "text": t} for i, t in enumerate(lines, 1)] if lines else None
            )
            try:
                analysis = operative.analysis_create(
                    municipality=municipality,
                    name=form.cleaned_data["name"],
                    year=form.cleaned_data["year"],
                    questions=questions,
                )
            except services.RiskError as error:
                form.add_error(None, str(error))
            else:
                return redirect("risk-operative-detail", analysis.pk)
    return render(
        request,
        "risks/operative_list.html",
        {
            "analyses": scoped(OperativeAnalysis.objects.all(), request.user),
            "form": form,
            "standard": [_(q["text"]) for q in operative.DEFAULT_QUESTIONS],
        },
        status=400 if request.method == "POST" else 200,
    )


@require("risks.view")
def operative_detail(request, pk: int):
    from tillit.accounts.models import Unit
    from tillit.risks import operative
    from tillit.risks.models import OperativeAnalysis

    analysis = fetch(request, OperativeAnalysis, perm="risks.view", pk=pk)
    questions = operative.questions_shown(analysis)
    error = ""
    if request.method == "POST":
        if not _can_edit(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        area_ids = request.POST.getlist("risk_areas")
        areas = scoped(
            RiskArea.objects.filter(pk__in=[i for i in area_ids if i.isdigit()]), request.user
        )
        unit = (
            scoped(Unit.objects.all(), request.user)
            .filter(pk=request.POST.get("unit") or 0)
            .first()
        )
        try:
            operative.answer_save(
                analysis=analysis,
                department=request.POST.get("department", "") or (unit.name if unit else ""),
                operation=request.POST.get("operation", ""),
                unit=unit,
                user=request.user,
                answers={q["key"]: request.POST.get(f"answer-{q['key']}", "") for q in questions},
                risk_areas=areas,
                answered_on=_parse_date(request.POST.get("answered_on", "")) or _today(),
            )
        except services.RiskError as exc:
            error = str(exc)
        else:
            messages.success(request, _("The department's answers were saved."))
            return redirect("risk-operative-detail", analysis.pk)
    answers = []
    for a in analysis.answers.prefetch_related("risk_areas"):
        answers.append(
            {
                "a": a,
                "items": [
                    {"q": q["text"], "answer": a.answers.get(q["key"], "")} for q in questions
                ],
            }
        )
    return render(
        request,
        "risks/operative_detail.html",
        {
            "analysis": analysis,
            "questions": questions,
            "answers": answers,
            "mapping": operative.mapping(analysis),
            "areas": selectors.active_areas(analysis.municipality),
            "error": error,
            "can_edit": _can_edit(request),
            "units": Unit.objects.filter(municipality=analysis.municipality),
            "post": request.POST,
        },
        status=400 if error else 200,
    )


# --- sharing --------------------------------------------------------------------------------------------


@require("risks.view")
def share_page(request):
    from tillit.risks.forms import ImportForm
    from tillit.risks.models import OperativeAnalysis

    result = None
    form = ImportForm()
    if request.method == "POST":
        if not _can_edit(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        from tillit.risks import share

        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = share.import_file(
                    municipality=request.user.municipality, raw=form.cleaned_data["file"].read()
                )
            except share.ShareError as error:
                form.add_error("file", str(error))
            else:
                if result["kind"] == "analysis-template":
                    messages.success(request, _("The analysis template was imported."))
                    return redirect("risk-operative-detail", result["analysis"].pk)
                messages.success(
                    request,
                    _("%(added)s risk areas were added; %(skipped)s were already there.") % result,
                )
                return redirect("risk-area-list")
    return render(
        request,
        "risks/share.html",
        {
            "form": form if _can_edit(request) else None,
            "templates": scoped(OperativeAnalysis.objects.all(), request.user),
        },
        status=400 if request.method == "POST" else 200,
    )


@require("risks.view")
def share_catalogue(request, fmt: str):
    from django.http import HttpResponse

    from tillit.risks import documents, share

    data = share.catalogue_export(request.user.municipality)
    name = f"riskkatalog-{request.user.municipality.code}"
    if fmt == "json":
        response = HttpResponse(share.dumps(data), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response
    return _download(share.readable(data), fmt, name, documents, landscape=True)


@require("risks.view")
def share_template(request, pk: int, fmt: str):
    from django.http import HttpResponse

    from tillit.risks import documents, share
    from tillit.risks.models import OperativeAnalysis

    analysis = fetch(request, OperativeAnalysis, perm="risks.view", pk=pk)
    data = share.template_export(analysis)
    name = f"analysmall-{analysis.pk}"
    if fmt == "json":
        response = HttpResponse(share.dumps(data), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response
    return _download(share.readable(data), fmt, name, documents)


def _today():
    from django.utils import timezone

    return timezone.localdate()
