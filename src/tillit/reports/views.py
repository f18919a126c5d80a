from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from tillit.accounts.access import require

# Sections whose own issue has not landed yet: the navigation leads to an honest page.
SECTIONS = {
    "cases": (_("Cases"), "cases.view"),
    "tips": (_("Tips"), "tips.view"),
    "risks": (_("Risks"), "risks.view"),
    "plans": (_("Action plan"), "plans.view"),
}


@require("overview.view")
def overview(request):
    from tillit.reports.selectors import overview_figures

    return render(request, "reports/overview.html", {"figures": overview_figures(user=request.user)})


@require("reports.view")
def reports_list(request):
    return render(request, "reports/section.html", {"title": _("Reports")})


def section(request, key: str):
    title, perm = SECTIONS[key]

    @require(perm)
    def view(request):
        return render(request, "reports/section.html", {"title": title})

    return view(request)
