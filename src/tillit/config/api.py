"""The REST API (django-ninja); OpenAPI schema at /api/openapi.json.

Integrations authenticate with a bearer token; people with their session. The
same permission checks as the UI apply (accounts.access).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from tillit.accounts.access import requires_two_factor
from tillit.accounts.api_access import SCOPE_FOR_PERM, require_api  # noqa: F401 - named here for older callers


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        from tillit.accounts.services import api_token_authenticate

        api_token = api_token_authenticate(token, request)
        if api_token is None:
            return None
        request.user = api_token.user
        request.api_token = api_token  # require_api checks its scopes
        return api_token.user


class VerifiedSessionAuth(SessionAuth):
    """A session counts only once two-factor authentication is done where the role needs it."""

    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        if user and requires_two_factor(user) and not user.is_verified():
            return None
        return user


api = NinjaAPI(
    title="Tillit API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), VerifiedSessionAuth()],
    docs_url="/docs",
)


@api.exception_handler(NinjaValidationError)
def _bad_input(request: HttpRequest, exc: NinjaValidationError):
    """Bad input is a 400 with what was wrong, like every other refusal of the caller's input."""
    return api.create_response(request, {"detail": exc.errors}, status=400)


class MeOut(Schema):
    username: str
    role: str
    municipality_code: str
    permissions: list[str]


@api.get("/me", response=MeOut, tags=["accounts"])
def me(request):
    from tillit.accounts.access import MATRIX

    user = request.user
    return {
        "username": user.username,
        "role": user.role,
        "municipality_code": user.municipality.code if user.municipality else "",
        "permissions": sorted(MATRIX.get(user.role, set())),
    }


def _register_app_routers() -> None:
    from tillit.cases.api import router as cases_router
    from tillit.controls.api import router as controls_router
    from tillit.datasets.api import router as datasets_router
    from tillit.plans.api import router as plans_router
    from tillit.reports.api import router as reports_router
    from tillit.risks.api import router as risks_router
    from tillit.sampling.api import router as sampling_router
    from tillit.tips.api import router as tips_router

    api.add_router("/datasets", datasets_router)
    api.add_router("/", controls_router)
    api.add_router("/", cases_router)
    api.add_router("/", tips_router)
    api.add_router("/", risks_router)
    api.add_router("/", plans_router)
    api.add_router("/", sampling_router)
    api.add_router("/reports", reports_router)


_register_app_routers()
