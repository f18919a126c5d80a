from datetime import date

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tillit.accounts.access import has_perm, require
from tillit.cases.selectors import Suppressed
from tillit.reports import charts as charts_lib
from tillit.reports.selectors import overview_figures

# Sections whose own issue has not landed yet: the navigation leads to an honest page.
SECTIONS = {
    "cases": (_("Cases"), "cases.view"),
    "tips": (_("Tips"), "tips.view"),
    "risks": (_("Risks"), "risks.view"),
    "plans": (_("Action plan"), "plans.view"),
}


@require("overview.view")
def overview(request):
    figures = overview_figures(user=request.user)
    rows = figures["trends"]["rows"]
    labels = [r["label"][2:] for r in rows]  # "25-11": the year is in the table
    charts = {
        "hits": charts_lib.columns(
            labels,
            [(_("Hits raised"), [r["hits"] for r in rows])],
            title=_("Hits raised per month"),
            desc=_("Column chart of the last twelve months; the figures are in the table below."),
        ),
        "outcomes": charts_lib.columns(
            labels,
            [
                (_("Police reports"), [r["police"] for r in rows]),
                (_("Notifications"), [r["notifications"] for r in rows]),
                (_("Confirmed cases"), [r["confirmed"] for r in rows]),
            ],
            title=_("Outcomes per month"),
            desc=_("Column chart of the last twelve months; the figures are in the table below."),
        )
        if figures["trends"]["full"]
        else None,
    }
    return render(
        request,
        "reports/overview.html",
        {
            "figures": figures,
            "charts": charts,
            "can": {
                p.replace(".", "_"): has_perm(request.user, p)
                for p in ("controls.view", "cases.view", "controls.run", "reports.view")
            },
        },
    )


@require("reports.view")
def reports_list(request):
    """The board report: choose a period, read the summary, download PDF, Word or Excel."""
    from tillit.reports import board_report

    start, end, errors = period_from(request)
    fmt = request.GET.get("format", "")
    report = board_report.report_data(user=request.user, start=start, end=end)
    writers = {
        "pdf": (board_report.to_pdf, "application/pdf"),
        "docx": (
            board_report.to_docx,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        "xlsx": (
            board_report.to_xlsx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    }
    if fmt in writers and not errors:
        write, content_type = writers[fmt]
        response = HttpResponse(write(report), content_type=content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="{board_report.filename(report, fmt)}"'
        )
        return response
    return render(
        request,
        "reports/board_report.html",
        {"report": report, "errors": errors, "start": start, "end": end},
    )


def section(request, key: str):
    title, perm = SECTIONS[key]

    @require(perm)
    def view(request):
        return render(request, "reports/section.html", {"title": title})

    return view(request)


@require("controls.view")
def flow_map(request):
    from tillit.reports.flowmap import build

    context = build(request)
    return render(request, "reports/flows.html", context)


@require("controls.view")
def effectiveness(request):
    from tillit.reports.selectors import effectiveness as figures

    return render(request, "reports/effectiveness.html", {"eff": figures(user=request.user)})


def period_from(request) -> tuple[date, date, list[str]]:
    """The report period from ?start=&end= (ISO dates); the current year so far by default."""
    today = timezone.localdate()
    start, end, errors = today.replace(month=1, day=1), today, []
    for name in ("start", "end"):
        text = (request.GET.get(name) or "").strip()
        if not text:
            continue
        try:
            value = date.fromisoformat(text)
        except ValueError:
            errors.append(
                _("The date “%(value)s” is not a date (write it as 2025-01-31).") % {"value": text}
            )
            continue
        if name == "start":
            start = value
        else:
            end = value
    if start > end:
        errors.append(_("The period starts after it ends; the dates were swapped."))
        start, end = end, start
    return start, end, errors


@require("reports.view")
def figures(request):
    from tillit.reports import selectors, sources

    start, end, errors = period_from(request)
    data = selectors.followup(user=request.user, start=start, end=end)
    households = selectors.households_per_month(user=request.user, start=start, end=end)
    chart = None
    if households:
        chart = charts_lib.columns(
            [h["period"][2:] for h in households],
            [
                (
                    _("Households"),
                    [
                        h["raw"] if not isinstance(h["households"], Suppressed) else 0
                        for h in households
                    ],
                )
            ],
            title=_("Households receiving financial assistance per month"),
            desc=_("Column chart; the figures are in the table below."),
        )
    return render(
        request,
        "reports/figures.html",
        {
            "f": data,
            "households": households,
            "chart": chart,
            "errors": errors,
            "indicators": sources.plan_indicators(request.user.municipality),
        },
    )
