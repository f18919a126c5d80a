"""One place decides who may see what: roles, the permission matrix and tenant scoping.

Every view fetches through here. `require(perm)` refuses with 403 (not a hidden
link: the URL itself is refused); `scoped()` limits a queryset to the user's
municipality so another municipality's object is a 404; `fetch()` does both and
writes the access log for models that hold personal data.
docs/permissions.md is generated from MATRIX (a test checks they agree).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from tillit.accounts.models import AccessLogEntry, Role

# permission -> description (shown in docs and the administration pages)
PERMISSIONS: dict[str, str] = {
    "overview.view": _("See the overview"),
    "controls.view": _("See controls and the review queue with its hits"),
    "controls.run": _("Run controls"),
    "controls.manage": _("Change, approve and retire controls"),
    "hits.triage": _("Dismiss hits, notify and open cases"),
    "cases.view": _("See cases of one's team"),
    "cases.edit": _("Work on cases"),
    "tips.view": _("Read and answer tips"),
    "whistleblowing.view": _("Read and answer whistleblowing reports (designated receivers only)"),
    "tips.custodian": _("Approve opening a reporter's identity (designated custodians only)"),
    "tips.manage": _("Designate receivers and approve recovery of their keys"),
    "complaints.view": _("See complaints about providers"),
    "risks.view": _("See the risk analysis"),
    "risks.edit": _("Value risk areas"),
    "plans.view": _("See the action plan"),
    "plans.edit": _("Change the action plan"),
    "data.view": _("See data sets and imports"),
    "data.import": _("Import data"),
    "data.retire": _("Retire snapshots (retention)"),
    "reports.view": _("See reports"),
    "admin.users": _("Manage users and API tokens"),
    "admin.accesslog": _("Search and export the access log"),
}

_EVERYONE = {"overview.view", "risks.view", "plans.view", "reports.view"}

MATRIX: dict[str, set[str]] = {
    Role.ADMIN: _EVERYONE
    | {"data.view", "data.retire", "admin.users", "admin.accesslog", "tips.manage"},
    Role.COORDINATOR: _EVERYONE
    | {
        "controls.view",
        "controls.run",
        "controls.manage",
        "hits.triage",
        "cases.view",
        "cases.edit",
        "tips.view",
        "risks.edit",
        "plans.edit",
        "data.view",
        "data.import",
        "admin.accesslog",
        "whistleblowing.view",
        "tips.custodian",
        "complaints.view",
    },
    Role.INVESTIGATOR: _EVERYONE
    | {
        "controls.view",
        "hits.triage",
        "cases.view",
        "cases.edit",
        "tips.view",
        "whistleblowing.view",
        "complaints.view",
    },
    Role.CONTROLLER: _EVERYONE
    | {
        "controls.view",
        "controls.run",
        "hits.triage",
        "risks.edit",
        "plans.edit",
        "data.view",
        "data.import",
        "complaints.view",
    },
    Role.REVIEWER: set(_EVERYONE),
}

# Roles that can see personal data must use two-factor authentication.
PERSONAL_DATA_PERMS = {
    "controls.view",
    "cases.view",
    "tips.view",
    "admin.accesslog",
    "data.view",
    "whistleblowing.view",
    "tips.custodian",
    "complaints.view",
}


def has_perm(user, perm: str) -> bool:
    if perm not in PERMISSIONS:
        raise KeyError(f"unknown permission {perm}")
    if (
        not getattr(user, "is_authenticated", False)
        or not user.is_active
        or user.municipality_id is None
    ):
        return False
    return perm in MATRIX.get(user.role, set())


def role_sees_personal_data(role: str) -> bool:
    return bool(MATRIX.get(role, set()) & PERSONAL_DATA_PERMS)


def requires_two_factor(user) -> bool:
    return role_sees_personal_data(user.role)


def require(perm: str) -> Callable:
    """View decorator: 403 unless the logged-in user's role holds `perm`."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not has_perm(request.user, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_permission = perm  # type: ignore[attr-defined]
        return wrapped

    return decorator


def scoped(queryset: QuerySet, user) -> QuerySet:
    """Only the user's own municipality's rows. Unknown users see nothing."""
    if not getattr(user, "is_authenticated", False) or user.municipality_id is None:
        return queryset.none()
    return queryset.filter(municipality_id=user.municipality_id)


def log_personal_data(
    request: HttpRequest,
    *,
    object_type: str,
    object_id: str,
    action: str = AccessLogEntry.Action.VIEW,
    user=None,
) -> AccessLogEntry:
    """Write one access-log row: who, what object, when, from which page."""
    from tillit.accounts.network import client_ip

    user = user or request.user
    entry = AccessLogEntry.objects.create(
        municipality_id=user.municipality_id,
        user=user,
        username=user.get_username(),
        action=action,
        object_type=object_type[:50],
        object_id=str(object_id)[:100],
        path=request.get_full_path()[:500],
        referer=request.headers.get("referer", "")[:500],
        ip_address=client_ip(request),
    )
    request._tillit_access_logged = True  # the PersonalDataMiddleware adds no second row
    return entry


def fetch(request: HttpRequest, source: type[Model] | QuerySet, *, perm: str, **lookup) -> Model:
    """Get one object the user may see, or 404; logs the view when it is personal data.

    Another municipality's object is a 404, never a 403, so its existence is not revealed.
    """
    if not has_perm(request.user, perm):
        raise PermissionDenied
    queryset = source if isinstance(source, QuerySet) else source._default_manager.all()
    try:
        obj = scoped(queryset, request.user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
    if getattr(obj, "PERSONAL_DATA", False):
        log_personal_data(request, object_type=obj._meta.model_name, object_id=str(obj.pk))
    return obj
