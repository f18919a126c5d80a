"""Which pages show personal data, so that each view of one writes exactly one access-log row.

Every named route of the web interface is listed here, in PERSONAL or in NOT_PERSONAL (a test
walks the URL resolver and fails on a route in neither, so a new page cannot forget). The
PersonalDataMiddleware writes the row for a PERSONAL page that answered 200 unless the view
already wrote one itself (a view that fetches one case logs that case; the middleware adds
nothing then). Commands and the API log through `log_command` and `log_personal_data`.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from tillit.accounts.models import AccessLogEntry


@dataclass(frozen=True)
class Page:
    object_type: str
    # a query parameter that makes the page a search (its value is what was searched for)
    search: str = ""
    # htmx polling of the page shows only progress, not the personal data
    partial_is_progress: bool = False


PERSONAL: dict[str, Page] = {
    "controls-queue": Page("hit list", search="subject"),
    "controls-hit": Page("hit"),
    "controls-queue-export": Page("hit export"),
    "cases-list": Page("case list", search="q"),
    "cases-detail": Page("case"),
    "cases-ledger": Page("notification ledger"),
    "cases-retention": Page("case retention list"),
    "cases-outcome": Page("case"),
    "cases-draft": Page("case"),
    "cases-letter": Page("case"),
    "cases-document": Page("casedocument"),
    "cases-export": Page("case export"),
    "datasets-attempt": Page("import attempt", partial_is_progress=True),
    "datasets-attempt-errors": Page("import errors"),
    "datasets-entities": Page("supplier_entities"),
    "accounts-access-log": Page("access_log"),
    "accounts-admin": Page("user list"),
    "accounts-user": Page("user"),
    # the receivers' side of tips and whistleblowing (the public forms are not here)
    "tips-inbox": Page("tip list"),
    "tips-whistle-inbox": Page("whistleblowing list"),
    "tips-report": Page("tip"),
    "tips-file": Page("tip attachment"),
    "tips-vault": Page("tip identity"),
    "tips-custodian": Page("tip identities"),
    "tips-retention": Page("tip retention list"),
    "tips-complaints": Page("complaint list"),
    # a sample's worklist, items and report name suppliers (a sole trader is a person) with amounts
    "sampling-detail": Page("sample"),
    "sampling-item": Page("sampleitem"),
    "sampling-report": Page("sample report"),
    "tips-provider": Page("complaint list"),
}

# Pages that show no personal data: forms, aggregates, the control library, run progress.
NOT_PERSONAL: set[str] = {
    "health",
    "set_language",
    "accounts-login",
    "accounts-logout",
    "accounts-otp",
    "accounts-oidc-start",  # single sign-on: a redirect to the identity provider
    "accounts-oidc-callback",  # its answer: a redirect, no page
    "accounts-saml-start",  # SAML: a redirect to the identity provider
    "accounts-saml-acs",  # its answer: a redirect, or a refusal without personal data
    "accounts-saml-metadata",  # Tillit's own SP metadata
    "accounts-user-create",
    "accounts-token-create",
    "accounts-password-change",
    "accounts-token-revoke",
    "accounts-account",
    "datasets-list",
    "datasets-upload",
    "datasets-profiles",
    "datasets-profile-create",
    "datasets-profile-edit",
    "datasets-retire",
    "datasets-detail",
    # the queue's count and amount at risk; a filter on a subject is logged by the view as a search
    "controls-queue-figures",
    "controls-list",
    "controls-detail",
    "controls-step",
    "controls-runs",
    "controls-run-start",
    "controls-run",
    "controls-hit-bulk",
    "controls-hit-action",
    "cases-create",
    "cases-report",
    "cases-statistics",
    "cases-retention-propose",
    "cases-retention-decide",
    "cases-transition",
    "cases-update",
    "cases-team",
    "cases-subject",
    "cases-diary",
    "cases-document-upload",
    "cases-link",
    "cases-task",
    "cases-task-done",
    "cases-intent",
    "cases-claim-payment",
    "cases-claim-write-off",
    "datasets-withdraw",
    "cases-sanction-follow-up",
    "cases-police-sent",
    "cases-letter-reply",
    "cases-subject-update",
    "cases-templates",
    "reports-flows",
    "reports-effectiveness",
    "reports-figures",
    "cases-disclosure",
    "cases-disclosure-decide",
    "cases-disclosure-mask",
    "tips-public",
    "tips-public-easy",
    "tips-followup",
    "tips-complaint",
    "tips-accessibility",
    "tips-whistle",
    "tips-whistle-easy",
    "tips-whistle-followup",
    "tips-unlock",
    "tips-ack",
    "tips-reply",
    "tips-close",
    "tips-handover",
    "tips-statistics",
    "tips-members",
    "reports-overview",
    "reports-list",
    "section-tips",
    "sampling-list",
    "sampling-create",
    "sampling-item-case",
    # the risk analysis: risk areas, valuations and aggregates, no personal data
    "risks-home",
    "risk-area-list",
    "risk-area-create",
    "risk-area-detail",
    "risk-assess",
    "risk-area-edit",
    "risk-area-retire",
    "risk-assessment-detail",
    "risk-settings",
    "risk-analysis-list",
    "risk-analysis-detail",
    "risk-analysis-area",
    "risk-analysis-assess",
    "risk-analysis-copy",
    "risk-analysis-roll-out",
    "risk-analysis-roll-up",
    "risk-operative-list",
    "risk-operative-detail",
    "risk-organisation-list",
    "risk-organisation-detail",
    "risk-rule-list",
    "risk-rule-detail",
    "risk-rule-finding-risk",
    "risk-ic-plan",
    "risk-ic-plan-export",
    "risk-share",
    "risk-share-catalogue",
    "risk-share-template",
    # workshops and risk positions name officials in their work role only (participants as entered, who
    # recorded a background check), never register content
    "risk-workshop-list",
    "risk-workshop-detail",
    "risk-workshop-status",
    "risk-workshop-consensus",
    "risk-workshop-minutes",
    "risk-workshop-score",
    "risk-position-list",
    "risk-position-check",
}

# Whole sections without personal data: the risk analysis and the action plan are about
# the organisation, not about people.
NOT_PERSONAL_PREFIXES = ("plans-", "risks-")

# The API's GET operations (by path) that return personal data; each logs one row itself.
API_PERSONAL = {
    "/api/hits",
    "/api/cases",
    "/api/cases/{case_id}",
    "/api/tips",
    "/api/tips/{tip_id}",
}
API_NOT_PERSONAL = {
    "/api/me",
    "/api/runs",
    "/api/datasets",
    "/api/samples",
    "/api/samples/{sample_id}",
}
# API sections without personal data (by OpenAPI tag)
API_NOT_PERSONAL_TAGS = {
    "plans",
    "risks",
    "reports",
}  # reports: aggregates, small counts suppressed


def page_for(request) -> Page | None:
    match = getattr(request, "resolver_match", None)
    if match is None or not match.url_name:
        return None
    page = PERSONAL.get(match.url_name)
    if page is not None and page.partial_is_progress and request.headers.get("HX-Request"):
        return None
    return page


def log_page(request, page: Page) -> AccessLogEntry:
    from tillit.accounts.access import log_personal_data

    term = request.GET.get(page.search, "").strip() if page.search else ""
    match = request.resolver_match
    object_id = term or ",".join(str(v) for v in match.kwargs.values()) or "list"
    action = AccessLogEntry.Action.SEARCH if term else AccessLogEntry.Action.VIEW
    return log_personal_data(
        request, object_type=page.object_type, object_id=object_id, action=action
    )


def log_command(
    *,
    municipality,
    object_type: str,
    object_id: str,
    command: str,
    action: str = AccessLogEntry.Action.EXPORT,
) -> AccessLogEntry:
    """One row for a command that showed or wrote personal data; the operating-system user is the actor."""
    return AccessLogEntry.objects.create(
        municipality=municipality,
        user=None,
        username=f"cli:{getpass.getuser()}"[:150],
        action=action,
        object_type=object_type[:50],
        object_id=str(object_id)[:100],
        path=command[:500],
    )
