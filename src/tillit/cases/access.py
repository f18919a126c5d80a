"""Who may see and work on a case. Default deny.

A case is visible to the members of its team and to the coordinators of its
municipality, except that a "team only" case is hidden from coordinators who are
not on its team. Everything else in the municipality sees nothing: another
investigator who opens a case URL gets 403 and the attempt is written to the access
log. Another municipality's case is a 404, so its existence is not revealed.

Every read of a case or a document goes through `case_fetch` / `document_fetch`,
which write the access log through accounts.access.log_personal_data.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from tillit.accounts.access import has_perm, log_personal_data, scoped
from tillit.accounts.models import AccessLogEntry, Role
from tillit.cases.models import Case, CaseDocument, Sensitivity

logger = logging.getLogger(__name__)

# object_type in the access log for a refused attempt: the log has no "refused" action.
DENIED = "case (refused)"


def _team_case_ids(user):
    """The ids of the cases the user is on the team of (a few: an uncorrelated subquery, hashed once)."""
    return Case.team.through.objects.filter(user_id=getattr(user, "pk", None)).values("case_id")


def visibility(user) -> Q:
    """The condition a case must meet for `user` to see it (within their municipality).

    Team membership is "id among the user's team cases", not a join: no case twice, and a list
    of a hundred thousand cases is read in its order and stops at its page instead of collecting
    every visible id first (nor a correlated EXISTS, which PostgreSQL costs so high that it
    compiles the query, longer than it runs).
    """
    on_team = Q(pk__in=_team_case_ids(user))
    if getattr(user, "role", None) == Role.COORDINATOR:
        return ~Q(sensitivity=Sensitivity.TEAM_ONLY) | on_team
    return on_team


def visible_cases(user) -> QuerySet[Case]:
    if not has_perm(user, "cases.view"):
        return Case.objects.none()
    return scoped(Case.objects.all(), user).filter(visibility(user))


def team_only_case_visible(user, case: str = "case") -> Q:
    """For rows that point at a team-only case through the foreign key `case`: the user sees it.

    The same as `visible_cases` says of a team-only case (the right to see cases, the user's
    municipality, on its team), but asked of each row's one case rather than by collecting
    every case the user may see (the review queue asks it of a million hits).
    """
    if (
        not has_perm(user, "cases.view")
        or not getattr(user, "is_authenticated", False)
        or user.municipality_id is None
    ):
        return Q(pk__in=[])  # no case at all
    return Q(
        **{f"{case}__municipality_id": user.municipality_id, f"{case}__in": _team_case_ids(user)}
    )


def can_see(user, case: Case) -> bool:
    return visible_cases(user).filter(pk=case.pk).exists()


def is_team_member(user, case: Case) -> bool:
    return case.team.filter(pk=user.pk).exists()


def can_edit(user, case: Case) -> bool:
    return has_perm(user, "cases.edit") and can_see(user, case)


def can_manage_team(user, case: Case) -> bool:
    """Coordinators assign investigators; so does the case officer."""
    return can_edit(user, case) and (user.role == Role.COORDINATOR or case.lead_id == user.pk)


def can_review_access_log(user, case: Case) -> bool:
    return has_perm(user, "admin.accesslog") and can_see(user, case)


def can_create_manually(user) -> bool:
    return user.is_authenticated and user.role == Role.COORDINATOR and has_perm(user, "cases.edit")


def can_see_statistics_unsuppressed(user) -> bool:
    """Coordinators see every case of the municipality, so small counts reveal nothing new to them."""
    return getattr(user, "role", None) == Role.COORDINATOR and has_perm(user, "cases.view")


def can_handle_retention(user) -> bool:
    return getattr(user, "role", None) == Role.COORDINATOR and has_perm(user, "cases.edit")


def case_fetch(
    request: HttpRequest, pk: int, *, perm: str = "cases.view", log: bool = True
) -> Case:
    """The case, or 404 (other municipality / no such case) or 403 (no access, and logged)."""
    if not has_perm(request.user, perm):
        raise PermissionDenied
    case = scoped(Case.objects.all(), request.user).filter(pk=pk).first()
    if case is None:
        raise Http404
    if not can_see(request.user, case):
        log_personal_data(request, object_type=DENIED, object_id=str(case.pk))
        logger.warning("refused access to a case", extra={"case": case.pk, "user": request.user.pk})
        raise PermissionDenied
    if log:
        log_personal_data(request, object_type="case", object_id=str(case.pk))
    return case


def document_fetch(request: HttpRequest, case_pk: int, pk: int) -> tuple[Case, CaseDocument]:
    case = case_fetch(request, case_pk, log=False)
    document = case.documents.filter(pk=pk).first()
    if document is None:
        raise Http404
    log_personal_data(request, object_type="casedocument", object_id=str(document.pk))
    return case, document


def case_access_log(case: Case) -> QuerySet[AccessLogEntry]:
    """Every logged read of the case, its documents and refused attempts."""
    document_ids = [
        str(pk) for pk in CaseDocument.objects.filter(case=case).values_list("pk", flat=True)
    ]
    return (
        AccessLogEntry.objects.filter(municipality_id=case.municipality_id)
        .filter(
            Q(object_type__in=["case", DENIED], object_id=str(case.pk))
            | Q(object_type="casedocument", object_id__in=document_ids)
            | Q(object_type="case export", object_id=str(case.pk))
        )
        .select_related("user")
    )
