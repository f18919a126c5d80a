"""Samples (stickprov): the list, drawing one, its worklist and projection, each item's result."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tillit.accounts.access import fetch, has_perm, log_personal_data, require, scoped
from tillit.accounts.models import AccessLogEntry, Board
from tillit.sampling import forms, report, services
from tillit.sampling.models import Sample, SampleItem

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _boards(user) -> list[str]:
    return list(
        Board.objects.filter(municipality_id=user.municipality_id)
        .order_by("name")
        .values_list("name", flat=True)
    )


@require("controls.view")
def sample_list(request):
    samples = scoped(Sample.objects.all(), request.user).select_related("drawn_by")
    rows = [(s, services.evaluation(s)) for s in samples[:200]]
    return render(
        request,
        "sampling/sample_list.html",
        {"rows": rows, "can_draw": has_perm(request.user, "controls.run")},
    )


@require("controls.run")
def sample_create(request):
    boards = _boards(request.user)
    form = forms.SampleForm(request.POST or None, boards=boards)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sample = services.sample_draw(
                municipality=request.user.municipality,
                user=request.user,
                title=data["title"],
                method=data["method"],
                confidence=data["confidence"],
                tolerable_misstatement=data["tolerable_misstatement"],
                expected_misstatement=data["expected_misstatement"],
                sample_size=data["sample_size"],
                boards=data["boards"],
                period_from=data["period_from"],
                period_to=data["period_to"],
                min_amount=data["min_amount"],
                seed=data["seed"],
            )
        except services.SampleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The sample was drawn: %(n)s invoices of %(population)s.")
                % {"n": sample.sample_size, "population": sample.population_size},
            )
            return redirect("sampling-detail", pk=sample.pk)
    return render(
        request, "sampling/sample_form.html", {"form": form}, status=400 if form.errors else 200
    )


@require("controls.view")
def sample_detail(request, pk: int):
    sample = fetch(request, Sample, perm="controls.view", pk=pk)
    # the worklist names suppliers and amounts of invoices: one access-log row for the sample's items
    log_personal_data(request, object_type="sample", object_id=str(sample.pk))
    return render(
        request,
        "sampling/sample_detail.html",
        {
            "sample": sample,
            "items": sample.items.select_related("case"),
            "evaluation": services.evaluation(sample),
            "can_record": has_perm(request.user, "controls.run"),
        },
    )


@require("controls.view")
def item_detail(request, pk: int):
    item = fetch(
        request, SampleItem.objects.select_related("sample", "case"), perm="controls.view", pk=pk
    )
    can_record = has_perm(request.user, "controls.run")
    initial = {
        "result": item.result or None,
        "deviation_type": item.deviation_type,
        "audited_amount": item.audited_amount
        if item.result == SampleItem.Result.DEVIATION
        else None,
        "note": item.note,
    }
    form = forms.ResultForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_record:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.item_record(
                    item=item,
                    user=request.user,
                    result=data["result"],
                    deviation_type=data["deviation_type"],
                    audited_amount=data["audited_amount"],
                    note=data["note"],
                )
            except services.SampleError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, _("The result for item %(n)s was recorded.") % {"n": item.position}
                )
                return redirect("sampling-detail", pk=item.sample_id)
    return render(
        request,
        "sampling/item_detail.html",
        {
            "item": item,
            "sample": item.sample,
            "form": form,
            "can_record": can_record,
            "can_open_case": has_perm(request.user, "hits.triage"),
            "evidence": sorted(item.row.items()),
        },
        status=400 if form.errors else 200,
    )


@require("hits.triage")
@require_POST
def item_case(request, pk: int):
    item = fetch(request, SampleItem.objects.select_related("sample"), perm="hits.triage", pk=pk)
    try:
        case = services.item_open_case(item=item, user=request.user)
    except services.SampleError as error:
        messages.error(request, str(error))
        return redirect("sampling-item", pk=item.pk)
    messages.success(
        request, _("Case %(number)s was opened from the deviation.") % {"number": case.number}
    )
    return redirect("sampling-detail", pk=item.sample_id)


@require("controls.view")
def sample_report(request, pk: int, fmt: str):
    sample = fetch(request, Sample, perm="controls.view", pk=pk)
    if fmt not in ("pdf", "xlsx"):
        from django.http import Http404

        raise Http404
    data = report.figures(sample)
    log_personal_data(
        request,
        object_type="sample report",
        object_id=str(sample.pk),
        action=AccessLogEntry.Action.EXPORT,
    )
    if fmt == "pdf":
        content, content_type = report.render_pdf(data), "application/pdf"
    else:
        content, content_type = report.render_xlsx(data), XLSX
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="stickprov-{sample.pk}.{fmt}"'
    return response
