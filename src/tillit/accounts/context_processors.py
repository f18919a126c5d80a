from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tillit.accounts.access import has_perm

# (label, url name, permission) in the order users read them
NAVIGATION = [
    (_("Overview"), "reports-overview", "overview.view"),
    (_("Controls"), "controls-queue", "controls.view"),
    (_("Cases"), "cases-list", "cases.view"),
    (_("Tips"), "tips-inbox", "tips.view"),
    (_("Risks"), "risks-home", "risks.view"),
    (_("Action plan"), "plans-list", "plans.view"),
    (_("Samples"), "sampling-list", "controls.view"),
    (_("Data"), "datasets-list", "data.view"),
    (_("Reports"), "reports-list", "reports.view"),
    (_("Administration"), "accounts-admin", None),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, url_name, perm in NAVIGATION:
        if perm is None:
            visible = has_perm(user, "admin.users") or has_perm(user, "admin.accesslog")
        else:
            visible = has_perm(user, perm)
        if visible:
            url = reverse(url_name)
            items.append(
                {
                    "label": label,
                    "url": url,
                    "active": request.path == url or (url != "/" and request.path.startswith(url)),
                }
            )
    return {"nav_items": items}
