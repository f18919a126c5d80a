"""Hostile input against the API: schemathesis generates requests from the project's own OpenAPI
schema for every endpoint, signed in with a token and not at all. No request may give a 500 or a
response that breaks the schema.

Marked slow: the default run leaves it out, CI (`.ci/run`, -m "") runs it."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=False)]

schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def api_schema(db):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def token(personas, world):
    from tillit.accounts.services import api_token_create

    _token, key = api_token_create(
        user=personas["coordinator"],
        name="schemathesis",
        scopes=["hits:read", "cases:read", "data:read"],
    )
    return key


def _no_server_error(response) -> None:
    assert response.status_code < 500, (
        f"{response.request.method} {response.request.url}: {response.status_code}"
    )


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_signed_in_with_a_token(case, token):
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    _no_server_error(response)
    if response.status_code == 200:
        case.validate_response(response, checks=[response_schema_conformance])


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_not_signed_in(case):
    response = case.call()
    _no_server_error(response)
    public = case.operation.definition.raw.get("security") == []
    # 403: Django's CSRF refusal of a cookie-less POST; 405: a method the endpoint does not have
    assert public or response.status_code in (401, 403, 405), response.status_code
