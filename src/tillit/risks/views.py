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
    unassessed = selectors.active_areas(municipality).exclude(pk__in=[r["id"] for r in rows]).count()
    return render(request, "risks/home.html", {
        "heat": selectors.heat_map(municipality, on=on, board=board), "rows": rows, "unassessed": unassessed,
        "formula": selectors.priority_formula(municipality), "on": on, "board": board,
        "boards": Board.objects.filter(municipality=municipality), "can_edit": _can_edit(request),
    })


@require("risks.view")
def area_list(request):
    municipality = request.user.municipality
    services.ensure_catalogue(municipality)
    current = selectors.current_assessments(municipality)
    show_retired = request.GET.get("retired") == "1"
    areas = scoped(RiskArea.objects.all(), request.user).prefetch_related("owner_boards").select_related("organisation")
    if not show_retired:
        areas = areas.filter(retired=False)
    rows = [{"area": a, "current": current.get(a.pk)} for a in areas]
    form = RiskAreaCreateForm(municipality=municipality) if _can_edit(request) else None
    return render(request, "risks/area_list.html", {"rows": rows, "form": form, "show_retired": show_retired,
                                                     "can_edit": _can_edit(request)})


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
    rows = [{"area": a, "current": current.get(a.pk)}
            for a in scoped(RiskArea.objects.filter(retired=False), request.user)]
    return render(request, "risks/area_list.html", {"rows": rows, "form": form, "can_edit": True}, status=400)


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
    return render(request, "risks/area_detail.html", {
        "area": area, "scale": scale, "history": history, "current": current, "form": form, "flags": flags,
        "measures": measures, "evidence": selectors.evidence(user=request.user, area=area),
        "can_edit": _can_edit(request),
    }, status=status)


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
            assessment = services.assessment_create(risk_area=area, user=request.user, assessed_on=assessed_on, **data)
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
        form = RiskAreaForm(municipality=municipality, initial={
            "name": area.name, "description": area.description,
            "exposure_kr": f"{area.exposure_kr:.2f}".replace(".", ",") if area.exposure_kr is not None else "",
            "owner_boards": area.owner_boards.all(), "organisation": area.organisation,
        })
    return render(request, "risks/area_edit.html", {"area": area, "form": form},
                  status=400 if request.method == "POST" else 200)


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
    assessment = fetch(request, RiskAssessment.objects.select_related("risk_area", "board", "created_by"),
                       perm="risks.view", pk=pk)
    scale = selectors.scale_for(assessment.municipality)
    return render(request, "risks/assessment_detail.html", {
        "a": assessment, "scale": scale, "flags": services.quality_flags(assessment),
    })


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
        form = SettingsForm(initial={
            "scale_max": scale.steps,
            "probability_labels": "\n".join(_(x) for x in scale.probability),
            "consequence_labels": "\n".join(_(x) for x in scale.consequence),
            "weight_vor": cfg.weight_vor, "weight_exposure": cfg.weight_exposure,
            "weight_influence": cfg.weight_influence, "stale_after_days": cfg.stale_after_days,
        })
    return render(request, "risks/settings.html", {"form": form, "formula": selectors.priority_formula(municipality)},
                  status=400 if request.method == "POST" else 200)
