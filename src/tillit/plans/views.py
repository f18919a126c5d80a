from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tillit.accounts.access import fetch, has_perm, require, scoped
from tillit.plans import forms, report, selectors, services, share
from tillit.plans.models import ActionPlan, Course, Measure, Routine, StatusReport, TrainingOccasion

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(bytes(content), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- plans -----------------------------------------------------------------------------------------


@require("plans.view")
def plan_list(request):
    plans = selectors.plan_list(user=request.user)
    rows = [selectors.plan_progress(plan) for plan in plans]
    return render(
        request,
        "plans/plan_list.html",
        {
            "rows": rows,
            "can_edit": has_perm(request.user, "plans.edit"),
            "seeded": [
                (key, services.seeded_plan_data(key)["title"]) for key in services.SEEDED_PLANS
            ],
            "form": forms.PlanForm(),
            "import_form": forms.ShareImportForm(),
            "reminders": services.reminders_for(request.user),
        },
    )


@require("plans.edit")
@require_POST
def plan_create(request):
    form = forms.PlanForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return redirect("plans-list")
    plan = services.plan_create(
        municipality=request.user.municipality, user=request.user, **form.cleaned_data
    )
    messages.success(request, _("The plan was created. Add its activity areas and measures."))
    return redirect("plans-detail", pk=plan.pk)


@require("plans.edit")
@require_POST
def plan_import_seeded(request, key: str):
    try:
        plan = services.plan_import_seeded(
            municipality=request.user.municipality, user=request.user, key=key
        )
    except services.PlanError as error:
        messages.error(request, str(error))
        return redirect("plans-list")
    messages.success(
        request,
        _("The plan %(title)s was imported with %(n)s measures.")
        % {"title": plan.title, "n": Measure.objects.filter(area__plan=plan).count()},
    )
    return redirect("plans-detail", pk=plan.pk)


@require("plans.view")
def plan_detail(request, pk: int):
    plan = fetch(request, ActionPlan, perm="plans.view", pk=pk)
    today = timezone.localdate()
    can_edit = has_perm(request.user, "plans.edit")
    context = {
        "plan": plan,
        "progress": selectors.plan_progress(plan, today),
        "today": today,
        "can_edit": can_edit,
        "reports": plan.status_reports.all(),
    }
    if can_edit:
        context["plan_form"] = forms.PlanForm(
            auto_id="id_plan_%s",
            initial={
                "title": plan.title,
                "period_start": plan.period_start,
                "period_end": plan.period_end,
                "decided": plan.decided,
                "description": plan.description,
            },
        )
        context["area_form"] = forms.AreaForm(
            initial={"number": str(plan.areas.count() + 1)}, auto_id="id_area_%s"
        )
        context["measure_form"] = forms.MeasureForm(
            plan=plan, auto_id="id_new_%s", initial={"status": Measure.Status.PLANNED}
        )
        context["report_form"] = forms.ReportForm(
            auto_id="id_report_%s",
            initial={
                "as_of": today,
                "title": _("Status report %(date)s: %(plan)s")
                % {"date": today.isoformat(), "plan": plan.title},
            },
        )
    return render(request, "plans/plan_detail.html", context)


@require("plans.edit")
@require_POST
def plan_update(request, pk: int):
    plan = fetch(request, ActionPlan, perm="plans.edit", pk=pk)
    form = forms.PlanForm(request.POST, auto_id="id_plan_%s")
    if form.is_valid():
        services.plan_update(plan=plan, user=request.user, **form.cleaned_data)
        messages.success(request, _("The plan was saved."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return redirect("plans-detail", pk=plan.pk)


@require("plans.edit")
@require_POST
def area_create(request, pk: int):
    plan = fetch(request, ActionPlan, perm="plans.edit", pk=pk)
    form = forms.AreaForm(request.POST)
    if form.is_valid():
        services.area_create(plan=plan, user=request.user, **form.cleaned_data)
        messages.success(request, _("The activity area was added."))
    else:
        messages.error(
            request, _("The activity area was not added: it needs a number and a title.")
        )
    return redirect("plans-detail", pk=plan.pk)


def _measure_fields(data: dict) -> tuple[dict, object, list]:
    data = dict(data)
    risk_areas = data.pop("risk_areas", None)
    routines = data.pop("routines", [])
    return data, risk_areas, routines


@require("plans.edit")
@require_POST
def measure_create(request, pk: int):
    plan = fetch(request, ActionPlan, perm="plans.edit", pk=pk)
    form = forms.MeasureForm(request.POST, plan=plan, auto_id="id_new_%s")
    if form.is_valid():
        fields, risk_areas, routines = _measure_fields(form.cleaned_data)
        area = fields.pop("area")
        try:
            measure = services.measure_create(
                area=area, user=request.user, risk_areas=risk_areas or (), **fields
            )
        except services.PlanError as error:
            form.add_error(None, str(error))
        else:
            measure.routines.set(routines)
            messages.success(request, _("Measure %(code)s was added.") % {"code": measure.code})
            return redirect("plans-measure", pk=measure.pk)
    today = timezone.localdate()
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "progress": selectors.plan_progress(plan, today),
            "today": today,
            "can_edit": True,
            "reports": plan.status_reports.all(),
            "area_form": forms.AreaForm(auto_id="id_area_%s"),
            "measure_form": form,
            "report_form": forms.ReportForm(auto_id="id_report_%s", initial={"as_of": today}),
        },
        status=400,
    )


@require("plans.view")
def measure_detail(request, pk: int):
    measure = fetch(request, Measure.objects.select_related("area__plan"), perm="plans.view", pk=pk)
    plan = measure.area.plan
    can_edit = has_perm(request.user, "plans.edit")
    edit_form = note_form = value_form = None
    if can_edit:
        initial = {f: getattr(measure, f) for f in services.MEASURE_FIELDS if f not in ("links",)}
        initial.update(
            {
                "area": measure.area,
                "links": forms.links_text(measure.links),
                "routines": list(measure.routines.all()),
            }
        )
        if hasattr(measure, "risk_areas"):
            initial["risk_areas"] = list(measure.risk_areas.all())
        edit_form = forms.MeasureForm(plan=plan, initial=initial, auto_id="id_edit_%s")
        note_form = forms.NoteForm(
            initial={"status": measure.status, "progress": measure.progress}, auto_id="id_note_%s"
        )
        value_form = forms.IndicatorValueForm(
            initial={"measured_on": timezone.localdate()}, auto_id="id_value_%s"
        )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "edit":
                edit_form = forms.MeasureForm(request.POST, plan=plan, auto_id="id_edit_%s")
                if edit_form.is_valid():
                    fields, risk_areas, routines = _measure_fields(edit_form.cleaned_data)
                    services.measure_update(
                        measure=measure, user=request.user, risk_areas=risk_areas, **fields
                    )
                    measure.routines.set(routines)
                    messages.success(request, _("The measure was saved."))
                    return redirect("plans-measure", pk=measure.pk)
            elif action == "note":
                note_form = forms.NoteForm(request.POST, auto_id="id_note_%s")
                if note_form.is_valid():
                    services.measure_note_add(
                        measure=measure, user=request.user, **note_form.cleaned_data
                    )
                    messages.success(request, _("The progress note was saved."))
                    return redirect("plans-measure", pk=measure.pk)
            elif action == "done":
                services.measure_note_add(
                    measure=measure,
                    user=request.user,
                    status=Measure.Status.DONE,
                    progress=100,
                    text=request.POST.get("text") or _("Marked as done."),
                )
                messages.success(
                    request, _("Measure %(code)s is marked as done.") % {"code": measure.code}
                )
                return redirect("plans-measure", pk=measure.pk)
            elif action == "value":
                value_form = forms.IndicatorValueForm(request.POST, auto_id="id_value_%s")
                if value_form.is_valid():
                    services.indicator_value_add(
                        measure=measure, user=request.user, **value_form.cleaned_data
                    )
                    messages.success(request, _("The indicator value was saved."))
                    return redirect("plans-measure", pk=measure.pk)
        except services.PlanError as error:
            messages.error(request, str(error))
        measure.refresh_from_db()
    indicator = selectors.indicator_state(measure)
    context = {
        "measure": measure,
        "plan": plan,
        "can_edit": can_edit,
        "indicator": indicator,
        "progress": selectors.measure_progress(measure, indicator),
        "overdue": measure.is_overdue(),
        "notes": measure.notes.select_related("author"),
        "values": measure.indicator_values.all(),
        "routines": measure.routines.all(),
        "reminders": measure.reminders.all(),
        "risk_areas": list(measure.risk_areas.all()) if hasattr(measure, "risk_areas") else None,
        "edit_form": edit_form,
        "note_form": note_form,
        "value_form": value_form,
        "can_see_controls": has_perm(request.user, "controls.view"),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "plans/measure_detail.html", context, status=status)


# --- sharing ---------------------------------------------------------------------------------------


@require("plans.view")
def plan_share(request, pk: int, fmt: str):
    plan = fetch(request, ActionPlan, perm="plans.view", pk=pk)
    envelope = share.plan_export(plan)
    slug = share.slug(plan.title)
    if fmt == "json":
        return _download(share.dumps(envelope), f"{slug}.tillit.json", "application/json")
    if fmt == "docx":
        return _download(report.share_docx(envelope), f"{slug}.docx", DOCX)
    if fmt == "pdf":
        return _download(report.share_pdf(envelope), f"{slug}.pdf", "application/pdf")
    raise Http404


def _back(request) -> str:
    """Where the import form came from (the plans or the routines page), never another site."""
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("plans-list")


@require("plans.edit")
@require_POST
def share_import(request):
    form = forms.ShareImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to import."))
        return redirect(_back(request))
    try:
        obj = share.import_file(
            municipality=request.user.municipality,
            user=request.user,
            raw=form.cleaned_data["file"].read(),
        )
    except share.ShareError as error:
        messages.error(request, _("The file was not imported: %(reason)s") % {"reason": error})
        return redirect(_back(request))
    if isinstance(obj, ActionPlan):
        messages.success(
            request,
            _("The plan was imported from %(origin)s.")
            % {"origin": obj.origin.get("municipality_name", "")},
        )
        return redirect("plans-detail", pk=obj.pk)
    messages.success(
        request,
        _("The routine was imported from %(origin)s.")
        % {"origin": obj.origin.get("municipality_name", "")},
    )
    return redirect("plans-routine", pk=obj.pk)


# --- status reports --------------------------------------------------------------------------------


@require("plans.edit")
@require_POST
def report_create(request, pk: int):
    plan = fetch(request, ActionPlan, perm="plans.edit", pk=pk)
    form = forms.ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The report needs a date and a title."))
        return redirect("plans-detail", pk=plan.pk)
    status_report = report.report_create(plan=plan, user=request.user, **form.cleaned_data)
    return redirect("plans-report", pk=status_report.pk)


@require("plans.view")
def report_detail(request, pk: int):
    status_report = fetch(
        request, StatusReport.objects.select_related("plan"), perm="plans.view", pk=pk
    )
    figures = (
        status_report.figures
        if status_report.is_issued
        else report.figures(
            status_report.plan,
            status_report.as_of,
            title=status_report.title,
            recipients=status_report.recipients,
            comment=status_report.comment,
        )
    )
    return render(
        request,
        "plans/report_detail.html",
        {
            "report": status_report,
            "figures": figures,
            "can_edit": has_perm(request.user, "plans.edit"),
        },
    )


@require("plans.edit")
@require_POST
def report_issue(request, pk: int):
    status_report = fetch(request, StatusReport, perm="plans.edit", pk=pk)
    try:
        report.report_issue(report=status_report, user=request.user)
    except report.ReportError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The status report is issued. Its figures and files are frozen as they are now."),
        )
    return redirect("plans-report", pk=status_report.pk)


@require("plans.view")
def report_file(request, pk: int, fmt: str):
    status_report = fetch(
        request, StatusReport.objects.select_related("plan"), perm="plans.view", pk=pk
    )
    files = report.report_files(status_report)
    name = f"statusrapport-{status_report.as_of.isoformat()}"
    if fmt == "pdf":
        return _download(files["pdf"], f"{name}.pdf", "application/pdf")
    if fmt == "docx":
        return _download(files["docx"], f"{name}.docx", DOCX)
    if fmt == "xlsx":
        return _download(files["xlsx"], f"{name}.xlsx", XLSX)
    raise Http404


# --- training --------------------------------------------------------------------------------------


@require("plans.view")
def training(request):
    courses = scoped(Course.objects.all(), request.user).prefetch_related(
        "occasions__attendance__unit"
    )
    occasions = (
        scoped(TrainingOccasion.objects.all(), request.user)
        .select_related("course")
        .prefetch_related("attendance__unit")
    )
    by_unit: dict[str, int] = {}
    for occasion in occasions:
        for row in occasion.attendance.all():
            by_unit[row.label] = by_unit.get(row.label, 0) + row.participants
    can_edit = has_perm(request.user, "plans.edit")
    return render(
        request,
        "plans/training.html",
        {
            "courses": courses,
            "occasions": occasions,
            "by_unit": sorted(by_unit.items()),
            "total": sum(by_unit.values()),
            "can_edit": can_edit,
            "course_form": forms.CourseForm() if can_edit else None,
        },
    )


@require("plans.edit")
@require_POST
def course_create(request):
    form = forms.CourseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The course needs a title."))
        return redirect("plans-training")
    course = services.course_create(
        municipality=request.user.municipality, user=request.user, **form.cleaned_data
    )
    messages.success(request, _("The course was added. Now register its occasions."))
    return redirect("plans-course", pk=course.pk)


@require("plans.view")
def course_detail(request, pk: int):
    course = fetch(request, Course, perm="plans.view", pk=pk)
    can_edit = has_perm(request.user, "plans.edit")
    form = (
        forms.OccasionForm(request.POST or None, municipality=course.municipality)
        if can_edit
        else None
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.occasion_create(
                    course=course,
                    user=request.user,
                    held_on=form.cleaned_data["held_on"],
                    place=form.cleaned_data["place"],
                    attendance=form.attendance(),
                )
            except services.PlanError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The occasion was registered."))
                return redirect("plans-course", pk=course.pk)
    return render(
        request,
        "plans/course_detail.html",
        {
            "course": course,
            "occasions": course.occasions.prefetch_related("attendance__unit"),
            "form": form,
            "can_edit": can_edit,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- routines --------------------------------------------------------------------------------------


@require("plans.view")
def routine_list(request):
    today = timezone.localdate()
    routines = list(
        selectors.routine_list(user=request.user, include_retired=request.GET.get("alla") == "1")
    )
    return render(
        request,
        "plans/routine_list.html",
        {
            "routines": [(r, r.review_state(today)) for r in routines],
            "can_edit": has_perm(request.user, "plans.edit"),
            "due": [r for r in routines if r.review_state(today)],
            "import_form": forms.ShareImportForm(),
            "steps": dict(Routine.CASE_STEPS),
        },
    )


def _routine_fields(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items()}


@require("plans.edit")
def routine_create(request):
    form = forms.RoutineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            routine = services.routine_create(
                municipality=request.user.municipality, user=request.user, **_routine_fields(form)
            )
        except services.PlanError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The routine was added to the library."))
            return redirect("plans-routine", pk=routine.pk)
    return render(
        request,
        "plans/routine_form.html",
        {"form": form, "routine": None},
        status=400 if request.method == "POST" else 200,
    )


@require("plans.view")
def routine_detail(request, pk: int):
    routine = fetch(request, Routine, perm="plans.view", pk=pk)
    can_edit = has_perm(request.user, "plans.edit")
    form = None
    if can_edit:
        initial = {f: getattr(routine, f) for f in services.ROUTINE_FIELDS}
        initial["laws"] = "\n".join(routine.laws or [])
        form = forms.RoutineForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.routine_update(routine=routine, user=request.user, **_routine_fields(form))
            except services.PlanError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The routine was saved."))
                return redirect("plans-routine", pk=routine.pk)
    elif request.method == "POST":
        raise PermissionDenied
    steps = dict(Routine.CASE_STEPS)
    return render(
        request,
        "plans/routine_detail.html",
        {
            "routine": routine,
            "form": form,
            "can_edit": can_edit,
            "review_state": routine.review_state(),
            "steps": [steps[s] for s in routine.case_steps if s in steps],
            "measures": routine.measures.all(),
        },
        status=400 if request.method == "POST" else 200,
    )


@require("plans.view")
def routine_share(request, pk: int, fmt: str):
    routine = fetch(request, Routine, perm="plans.view", pk=pk)
    envelope = share.routine_export(routine)
    slug = share.slug(routine.title)
    if fmt == "json":
        return _download(share.dumps(envelope), f"{slug}.tillit.json", "application/json")
    if fmt == "docx":
        return _download(report.share_docx(envelope), f"{slug}.docx", DOCX)
    if fmt == "pdf":
        return _download(report.share_pdf(envelope), f"{slug}.pdf", "application/pdf")
    raise Http404
